/* arc_seal.c — the ARC sealer (RFC 8617 §5.1): this hop's ARC-Authentication-Results, an
 * ARC-Message-Signature over the message and an ARC-Seal over the chain, written as folded
 * header fields ready to prepend. */
#include "arc_internal.h"

#include "lm_alloc.h"
#include "lm_ascii.h"

#include <openssl/evp.h>

#include <string.h>
#include <time.h>

struct mailauth_arc_sealer {
    mailauth_arc_seal_options o;   /* strings below are the sealer's own copies */
    char *domain, *selector, *authserv_id, *auth_results;
    char **headers;                /* lower-cased copies; NULL = the default set */
    size_t header_count;
    const mailauth_dkim_key *key;
    int alg;
    ma_dkim_reader rd;
    ma_dkim_body body;
    int finished, broken;
    int reason;
    unsigned instance;
    lm_buf out;
};

/* The DKIM signer's default set (RFC 6376 §5.4.1) and DKIM-Signature (RFC 8617 §4.1.2). */
static const char *const default_headers[] = {
    "from", "reply-to", "subject", "date", "to", "cc", "resent-date", "resent-from",
    "resent-to", "resent-cc", "in-reply-to", "references", "message-id", "mime-version",
    "content-type", "content-transfer-encoding", "content-id", "content-description",
    "list-id", "list-help", "list-unsubscribe", "list-unsubscribe-post", "list-subscribe",
    "list-post", "list-owner", "list-archive", "dkim-signature",
};

/* ---- options ------------------------------------------------------------------------------- */

void mailauth_arc_seal_options_init(mailauth_arc_seal_options *opts)
{
    if (!opts)
        return;
    memset(opts, 0, sizeof *opts);
    opts->struct_size = sizeof *opts;
}

static char *dup_str(const char *s)
{
    size_t n = strlen(s);
    char *d = lm_malloc(n + 1);
    if (d)
        memcpy(d, s, n + 1);
    return d;
}

/* d=, s=: printable ASCII without space, ";" or "@" (the key lookup checks the rest). */
static int plausible_name(const char *s)
{
    if (!s || !*s)
        return 0;
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c <= ' ' || c >= 0x7f || c == ';' || c == '@')
            return 0;
    }
    return 1;
}

/* The authserv-id is written as a token: no space, controls, specials of the field syntax. */
static int plausible_authserv_id(const char *s)
{
    if (!s || !*s)
        return 0;
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c <= ' ' || c == 0x7f || strchr(";()\"\\", c))
            return 0;
    }
    return 1;
}

/* A field name for h=: printable ASCII without ":" (RFC 5322 §3.6.8). */
static int plausible_field_name(const char *s)
{
    if (!s || !*s)
        return 0;
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c <= ' ' || c >= 0x7f || c == ':' || c == ';')
            return 0;
    }
    return 1;
}

/* Result text: HTAB and printable text; CR or LF only as folding (CRLF then WSP). */
static int plausible_results(const char *s)
{
    for (size_t i = 0; s[i]; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '\r') {
            if (s[i + 1] != '\n' || (s[i + 2] != ' ' && s[i + 2] != '\t'))
                return 0;
            i++;
        } else if (c == '\n') {
            if (s[i + 1] != ' ' && s[i + 1] != '\t')
                return 0;
        } else if ((c < 0x20 && c != '\t') || c == 0x7f) {
            return 0;
        }
    }
    return 1;
}

static int copy_options(mailauth_arc_sealer *s, const mailauth_arc_seal_options *o)
{
    if (!plausible_name(o->domain) || !plausible_name(o->selector) ||
        !plausible_authserv_id(o->authserv_id) ||
        (o->auth_results && !plausible_results(o->auth_results)) ||
        (o->cv != MAILAUTH_RESULT_NONE && o->cv != MAILAUTH_RESULT_PASS &&
         o->cv != MAILAUTH_RESULT_FAIL) ||
        (o->headers == NULL && o->header_count))
        return MAILAUTH_E_INVAL;
    if (!(s->domain = dup_str(o->domain)) || !(s->selector = dup_str(o->selector)) ||
        !(s->authserv_id = dup_str(o->authserv_id)) ||
        (o->auth_results && !(s->auth_results = dup_str(o->auth_results))))
        return MAILAUTH_E_NOMEM;
    if (!o->headers)
        return 0;
    int from = 0;
    if (!o->header_count || o->header_count > MA_DKIM_MAX_H_NAMES)
        return MAILAUTH_E_INVAL;
    if (!(s->headers = lm_calloc(o->header_count, sizeof *s->headers)))
        return MAILAUTH_E_NOMEM;
    s->header_count = o->header_count;
    for (size_t i = 0; i < o->header_count; i++) {
        const char *h = o->headers[i];
        if (!plausible_field_name(h) || lm_eq_nocase(h, strlen(h), "arc-seal"))
            return MAILAUTH_E_INVAL;
        if (!(s->headers[i] = dup_str(h)))
            return MAILAUTH_E_NOMEM;
        lm_lower(s->headers[i], strlen(h));
        from |= !strcmp(s->headers[i], "from");
    }
    return from ? 0 : MAILAUTH_E_INVAL;
}

int mailauth_arc_sealer_new(const mailauth_arc_seal_options *opts, const mailauth_dkim_key *key,
                            mailauth_arc_sealer **out)
{
    if (!out)
        return MAILAUTH_E_INVAL;
    *out = NULL;
    if (!opts || !key || opts->struct_size < sizeof(size_t))
        return MAILAUTH_E_INVAL;
    mailauth_arc_seal_options o;
    mailauth_arc_seal_options_init(&o);
    memcpy(&o, opts, opts->struct_size < sizeof o ? opts->struct_size : sizeof o);
    o.struct_size = sizeof o;
    if (opts->struct_size > sizeof o)
        return MAILAUTH_E_INVAL;
    if (!o.max_header_bytes)
        o.max_header_bytes = MAILAUTH_DKIM_DEFAULT_MAX_HEADER_BYTES;
    if (!o.max_header_fields)
        o.max_header_fields = MAILAUTH_DKIM_DEFAULT_MAX_HEADER_FIELDS;
    int alg = mailauth_dkim_key_algorithm(key);
    if (alg != MA_DKIM_RSA_SHA256 && alg != MA_DKIM_ED25519_SHA256)
        return MAILAUTH_E_INVAL;
    mailauth_arc_sealer *s = lm_calloc(1, sizeof *s);
    if (!s)
        return MAILAUTH_E_NOMEM;
    int rc = copy_options(s, &o);
    if (!rc)
        rc = ma_dkim_body_init(&s->body, MA_DKIM_RELAXED, alg, UINT64_MAX, NULL);
    if (rc) {
        mailauth_arc_sealer_free(s);
        return rc;
    }
    s->o = o;
    s->o.domain = s->domain;
    s->o.selector = s->selector;
    s->o.authserv_id = s->authserv_id;
    s->o.auth_results = s->auth_results;
    s->o.headers = NULL;
    s->key = key;
    s->alg = alg;
    s->rd.max = o.max_header_bytes;
    *out = s;
    return 0;
}

void mailauth_arc_sealer_free(mailauth_arc_sealer *s)
{
    if (!s)
        return;
    lm_free(s->domain);
    lm_free(s->selector);
    lm_free(s->authserv_id);
    lm_free(s->auth_results);
    for (size_t i = 0; s->headers && i < s->header_count; i++)
        lm_free(s->headers[i]);
    lm_free(s->headers);
    ma_dkim_body_free(&s->body);
    lm_buf_free(&s->rd.head);
    lm_buf_free(&s->out);
    lm_free(s);
}

int mailauth_arc_sealer_feed(mailauth_arc_sealer *s, const void *data, size_t len)
{
    if (!s || (!data && len) || s->finished)
        return MAILAUTH_E_INVAL;
    return ma_dkim_reader_pass(&s->rd, &s->broken, data, len, NULL, ma_dkim_body_sink, &s->body);
}

/* ---- the ARC-Authentication-Results ---------------------------------------------------------- */

/* Appends `n` octets with every run of whitespace (folding included) made one SP and none at
 * the ends. */
static void put_collapsed(lm_buf *b, const char *p, size_t n)
{
    int space = 0, any = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        if (lm_is_space(c)) {
            space = 1;
            continue;
        }
        if (space && any)
            lm_buf_putc(b, ' ');
        space = 0;
        any = 1;
        lm_buf_putc(b, c);
    }
}

/* Non-zero when `n` octets hold no control characters but whitespace (a result copied from a
 * message must not smuggle them into the AAR). */
static int printable(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        if ((c < 0x20 && !lm_is_space(c)) || c == 0x7f)
            return 0;
    }
    return 1;
}

/* Appends the results of `n` octets of resinfo text separated by ";" (outside quoted strings
 * and comments) as "; result" items; "none", empty items and items with controls are dropped. */
static void put_results(lm_buf *b, const char *p, size_t n, int *count)
{
    size_t start = 0;
    int quoted = 0, depth = 0;
    for (size_t i = 0; i <= n; i++) {
        unsigned char c = i < n ? (unsigned char)p[i] : ';';
        if (i < n && c == '\\' && (quoted || depth)) {
            i++;
            continue;
        }
        if (quoted) {
            quoted = c != '"';
            continue;
        }
        if (c == '"' && !depth) {
            quoted = 1;
        } else if (c == '(') {
            depth++;
        } else if (c == ')' && depth) {
            depth--;
        } else if (c == ';' && (!depth || i == n)) {
            size_t a = start, e = i < n ? i : n;
            while (a < e && lm_is_space((unsigned char)p[a]))
                a++;
            while (e > a && lm_is_space((unsigned char)p[e - 1]))
                e--;
            if (e > a && !lm_eq_nocase(p + a, e - a, "none") && printable(p + a, e - a)) {
                lm_buf_append(b, "; ", 2);
                put_collapsed(b, p + a, e - a);
                (*count)++;
            }
            start = i + 1;
        }
    }
}

/* If the Authentication-Results value `v` is from `id`, the offset of its results (after the
 * authserv-id, an optional version, and the ";"); else 0. */
static size_t results_of(const char *v, size_t n, const char *id)
{
    size_t i = 0;
    while (i < n && lm_is_space((unsigned char)v[i]))
        i++;
    size_t a = i;
    int quoted = i < n && v[i] == '"';
    if (quoted) {
        a = ++i;
        while (i < n && v[i] != '"')
            i++;
    } else {
        while (i < n && v[i] != ';' && v[i] != '(' && !lm_is_space((unsigned char)v[i]))
            i++;
    }
    if (!lm_eq_nocase(v + a, i - a, id))
        return 0;
    if (quoted && i < n)
        i++;
    while (i < n && v[i] != ';')
        i++; /* a version, comments */
    return i < n ? i + 1 : n;
}

/* "i=N; authserv-id; result; result ..." (or "...; none"). */
static int build_aar(mailauth_arc_sealer *s, const char *text, const ma_dkim_field *fields,
                     size_t count, unsigned inst, lm_buf *b, int *nresults)
{
    char num[8];
    int k = 0;
    if (inst >= 10)
        num[k++] = (char)('0' + inst / 10);
    num[k++] = (char)('0' + inst % 10);
    num[k] = '\0';
    lm_buf_puts(b, "ARC-Authentication-Results: i=");
    lm_buf_puts(b, num);
    lm_buf_puts(b, "; ");
    lm_buf_puts(b, s->authserv_id);
    int results = 0;
    if (s->auth_results) {
        put_results(b, s->auth_results, strlen(s->auth_results), &results);
    } else {
        for (size_t j = 0; j < count; j++) {
            const ma_dkim_field *f = &fields[j];
            if (!lm_eq_nocase(text + f->off, f->name_len, "Authentication-Results"))
                continue;
            const char *colon = memchr(text + f->off, ':', f->len);
            if (!colon)
                continue;
            const char *v = colon + 1;
            size_t vn = (size_t)(text + f->off + f->len - v);
            size_t r = results_of(v, vn, s->authserv_id);
            if (r)
                put_results(b, v + r, vn - r, &results);
        }
    }
    if (!results)
        lm_buf_puts(b, "; none");
    *nresults = results;
    return b->oom ? MAILAUTH_E_NOMEM : 0;
}

/* ---- writing --------------------------------------------------------------------------------- */

/* Appends `field` (single spaces between its words) folded at spaces so that lines stay within
 * 78 octets where a space allows; then CRLF. With `per_item`, each item after the second ";"
 * starts a line (an AAR: one result a line, as RFC 8617's examples), folded with CRLF HTAB;
 * a signature field folds with CRLF SP, so that the space stays before the tag that starts
 * the line (dkimpy finds a set by searching for " i=N;"). A fold keeps the relaxed canonical
 * form, which is what was signed. */
static void put_folded(lm_buf *b, const char *field, size_t n, int per_item)
{
    size_t line = 0, i = 0;
    int semis = 0, item_break = 0, depth = 0, quoted = 0;
    while (i < n) {
        size_t e = i;
        while (e < n && field[e] != ' ')
            e++;
        size_t w = e - i;
        if (i > 0) {
            if (line + 1 + w > 78 || item_break) {
                lm_buf_append(b, per_item ? "\r\n\t" : "\r\n ", 3);
                line = 1;
            } else {
                lm_buf_putc(b, ' ');
                line++;
            }
        }
        lm_buf_append(b, field + i, w);
        line += w;
        /* Only a ";" outside comments and quoted strings ends an item. */
        for (size_t k = i; k < e; k++) {
            if (field[k] == '\\' && (quoted || depth))
                k++;
            else if (quoted)
                quoted = field[k] != '"';
            else if (field[k] == '"' && !depth)
                quoted = 1;
            else if (field[k] == '(')
                depth++;
            else if (field[k] == ')' && depth)
                depth--;
        }
        item_break = per_item && w && field[e - 1] == ';' && !depth && !quoted && ++semis >= 2;
        i = e + 1;
    }
    lm_buf_append(b, "\r\n", 2);
}

static void put_uint(lm_buf *b, uint64_t v)
{
    char num[24];
    size_t k = sizeof num;
    do {
        num[--k] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    lm_buf_append(b, num + k, sizeof num - k);
}

/* Everything a finish needs, freed in one place. */
struct work {
    lm_buf aar, ams, as, block, data;
    ma_dkim_field *fields;
    size_t nfields;
    unsigned char *used;
    const char **names;
    size_t *lens;
    size_t nnames;
    ma_arc_chain chain;
    int aar_results;
};

static void work_free(struct work *w)
{
    lm_buf_free(&w->aar);
    lm_buf_free(&w->ams);
    lm_buf_free(&w->as);
    lm_buf_free(&w->block);
    lm_buf_free(&w->data);
    lm_free(w->fields);
    lm_free(w->used);
    lm_free(w->names);
    lm_free(w->lens);
}

/* Splits `len` octets of a header block into w->fields (and a fresh `used`). */
static int split(mailauth_arc_sealer *s, struct work *w, const char *text, size_t len)
{
    lm_free(w->fields);
    lm_free(w->used);
    w->fields = NULL;
    w->used = NULL;
    return ma_dkim_index_fields(text, len, s->o.max_header_fields + 3, &w->fields, &w->nfields,
                                &w->used);
}

/* The chain status to seal with, or a refusal in s->reason. 0, or MAILAUTH_E_INVAL. */
static int chain_status(mailauth_arc_sealer *s, const char *text, const ma_dkim_field *fields,
                        const ma_arc_chain *c, int *cv)
{
    if (c->n >= MA_ARC_MAX) {
        s->reason = MAILAUTH_ARC_STRUCTURE;
        return 0;
    }
    size_t f = c->n ? c->field[c->n][MA_ARC_AS] : MA_ARC_NONE;
    if (f != MA_ARC_NONE) {
        const char *colon = memchr(text + fields[f].off, ':', fields[f].len);
        if (colon) {
            ma_arc_seal as;
            size_t vo = (size_t)(colon - text) + 1;
            int rc = ma_arc_seal_parse(text + vo, fields[f].off + fields[f].len - vo, &as);
            int latest = as.cv;
            ma_arc_seal_free(&as);
            if (rc < 0)
                return rc;
            if (latest == MAILAUTH_RESULT_FAIL) {
                s->reason = MAILAUTH_ARC_SEALED_FAIL;
                return 0;
            }
        }
    }
    *cv = s->o.cv;
    if (s->o.chain) {
        /* A verifier of this very message: done, and with the same number of sets. */
        if (!mailauth_arc_verifier_done(s->o.chain) ||
            mailauth_arc_verifier_count(s->o.chain) != c->n)
            return MAILAUTH_E_INVAL;
        *cv = mailauth_arc_verifier_result(s->o.chain);
        if (*cv == MAILAUTH_RESULT_TEMPERROR) {
            s->reason = MAILAUTH_ARC_TEMPFAIL;
            return 0;
        }
    }
    if (c->reason)
        *cv = MAILAUTH_RESULT_FAIL; /* malformed sets never pass */
    else if (!c->n)
        *cv = MAILAUTH_RESULT_NONE;
    if (c->n && *cv != MAILAUTH_RESULT_PASS && *cv != MAILAUTH_RESULT_FAIL)
        return MAILAUTH_E_INVAL;
    return 0;
}

/* Puts the signature of w->data into `field` after its "b=" (the first "; b="). */
static int sign_field(mailauth_arc_sealer *s, struct work *w, lm_buf *field)
{
    lm_buf out = LM_BUF_INIT;
    const char *bpos = strstr(field->data, "; b=") + 4;
    lm_buf_append(&out, field->data, (size_t)(bpos - field->data));
    char *b64 = NULL;
    int rc = ma_dkim_sign_b64(s->alg, ma_dkim_key_pkey(s->key), &w->data, &b64);
    if (!rc && lm_buf_puts(&out, b64))
        rc = MAILAUTH_E_NOMEM;
    lm_free(b64);
    lm_buf_puts(&out, bpos);
    if (!rc && out.oom)
        rc = MAILAUTH_E_NOMEM;
    lm_buf_free(field);
    *field = out;
    return rc;
}

/* Tags common to both signatures' ends: "; i=N; s=S; t=T". */
static void put_tail(lm_buf *b, const mailauth_arc_sealer *s, unsigned inst, int64_t now)
{
    lm_buf_puts(b, "; i=");
    put_uint(b, inst);
    lm_buf_puts(b, "; s=");
    lm_buf_puts(b, s->selector);
    lm_buf_puts(b, "; t=");
    put_uint(b, (uint64_t)now);
}

/* The ARC-Message-Signature (§4.1.2), its tags in alphabetical order (the form the ARC test
 * suite standardises), over the message as the next hop will see it: this hop's AAR on top
 * (the AS and AMS themselves are never in h=). */
static int make_ams(mailauth_arc_sealer *s, struct work *w, const char *head, size_t head_len,
                    unsigned inst, int64_t now, const unsigned char *bh, size_t bh_len)
{
    char *bh64 = NULL;
    int rc = ma_dkim_b64_encode(bh, bh_len, &bh64, NULL);
    if (rc)
        return rc;
    lm_buf *m = &w->ams;
    lm_buf_puts(m, "ARC-Message-Signature: a=");
    lm_buf_puts(m, ma_dkim_alg_name(s->alg));
    lm_buf_puts(m, "; b=; bh=");
    lm_buf_puts(m, bh64);
    lm_free(bh64);
    lm_buf_puts(m, "; c=relaxed/relaxed; d=");
    lm_buf_puts(m, s->domain);
    lm_buf_puts(m, "; h=");
    for (size_t i = 0; i < w->nnames; i++) {
        if (i)
            lm_buf_putc(m, ':');
        lm_buf_append(m, w->names[i], w->lens[i]);
    }
    put_tail(m, s, inst, now);
    if (m->oom)
        return MAILAUTH_E_NOMEM;
    lm_buf_reset(&w->block);
    lm_buf_append(&w->block, w->aar.data, w->aar.len);
    lm_buf_append(&w->block, "\r\n", 2);
    lm_buf_append(&w->block, head, head_len);
    if (w->block.oom)
        return MAILAUTH_E_NOMEM;
    if ((rc = split(s, w, w->block.data, w->block.len)))
        return rc;
    lm_buf_reset(&w->data);
    rc = ma_dkim_canon_selected(MA_DKIM_RELAXED, w->block.data, w->fields, w->nfields, w->used,
                                w->names, w->lens, w->nnames, &w->data);
    if (!rc)
        rc = ma_dkim_canon_header(MA_DKIM_RELAXED, m->data, m->len, 1, &w->data);
    return rc ? rc : sign_field(s, w, m);
}

/* The ARC-Seal (§4.1.3, §5.1.1) over sets 1..inst, or only the new set when the chain
 * failed (§5.1.2). */
static int make_as(mailauth_arc_sealer *s, struct work *w, const char *head, size_t head_len,
                   unsigned inst, int64_t now, int cv)
{
    lm_buf *a = &w->as;
    lm_buf_puts(a, "ARC-Seal: a=");
    lm_buf_puts(a, ma_dkim_alg_name(s->alg));
    lm_buf_puts(a, "; b=; cv=");
    lm_buf_puts(a, mailauth_result_name(cv));
    lm_buf_puts(a, "; d=");
    lm_buf_puts(a, s->domain);
    put_tail(a, s, inst, now);
    if (a->oom)
        return MAILAUTH_E_NOMEM;
    lm_buf_reset(&w->block);
    const lm_buf *parts[] = {a, &w->ams, &w->aar};
    for (size_t k = 0; k < 3; k++) {
        lm_buf_append(&w->block, parts[k]->data, parts[k]->len);
        lm_buf_append(&w->block, "\r\n", 2);
    }
    lm_buf_append(&w->block, head, head_len);
    if (w->block.oom)
        return MAILAUTH_E_NOMEM;
    int rc = split(s, w, w->block.data, w->block.len);
    if (rc)
        return rc;
    ma_arc_chain c2;
    ma_arc_collect(w->block.data, w->fields, w->nfields, &c2);
    if (c2.n != inst)
        return MAILAUTH_E_INVAL;
    for (int k = 0; k < 3; k++)
        if (c2.field[inst][k] == MA_ARC_NONE)
            return MAILAUTH_E_INVAL;
    unsigned first = cv == MAILAUTH_RESULT_FAIL ? inst : 1;
    if (first == 1 && c2.reason)
        return MAILAUTH_E_INVAL; /* a chain said to pass cannot be malformed */
    lm_buf_reset(&w->data);
    rc = ma_arc_seal_data(w->block.data, w->fields, &c2, first, inst, &w->data);
    return rc ? rc : sign_field(s, w, a);
}

/* The new set once the message is read: the chain status, the AAR, the AMS, the AS. */
static int seal(mailauth_arc_sealer *s, struct work *w, const unsigned char *bh, size_t bh_len)
{
    const char *head = s->rd.head.data ? s->rd.head.data : "";
    size_t head_len = s->rd.head.len;
    int rc = split(s, w, head, head_len);
    if (rc)
        return rc;
    ma_arc_collect(head, w->fields, w->nfields, &w->chain);
    int cv = MAILAUTH_RESULT_NONE;
    if ((rc = chain_status(s, head, w->fields, &w->chain, &cv)) || s->reason)
        return rc;
    int from = 0;
    for (size_t j = 0; j < w->nfields; j++)
        from |= lm_eq_nocase(head + w->fields[j].off, w->fields[j].name_len, "from");
    if (!from)
        return MAILAUTH_E_INVAL;
    unsigned inst = w->chain.n + 1;
    if ((rc = build_aar(s, head, w->fields, w->nfields, inst, &w->aar, &w->aar_results)) ||
        (rc = ma_dkim_choose_headers(default_headers,
                                     sizeof default_headers / sizeof *default_headers, s->headers,
                                     s->header_count, NULL, 0, head, w->fields, w->nfields,
                                     &w->names, &w->lens, &w->nnames)))
        return rc;
    int64_t now = s->o.clock ? s->o.clock(s->o.clock_user) : (int64_t)time(NULL);
    if (now < 0)
        now = 0;
    if ((rc = make_ams(s, w, head, head_len, inst, now, bh, bh_len)) ||
        (rc = make_as(s, w, head, head_len, inst, now, cv)))
        return rc;
    put_folded(&s->out, w->as.data, w->as.len, 0);
    put_folded(&s->out, w->ams.data, w->ams.len, 0);
    put_folded(&s->out, w->aar.data, w->aar.len, w->aar_results > 0);
    if (s->out.oom)
        return MAILAUTH_E_NOMEM;
    s->instance = inst;
    return 0;
}

int mailauth_arc_sealer_finish(mailauth_arc_sealer *s, const char **fields, size_t *len)
{
    if (fields)
        *fields = NULL;
    if (len)
        *len = 0;
    if (!s || !fields || s->finished)
        return MAILAUTH_E_INVAL;
    if (s->broken)
        return s->broken;
    s->finished = 1;
    unsigned char bh[EVP_MAX_MD_SIZE];
    size_t bh_len = 0;
    int rc = ma_dkim_body_finish(&s->body, bh, &bh_len);
    ma_dkim_body_free(&s->body);
    if (rc)
        return rc;
    struct work w;
    memset(&w, 0, sizeof w);
    rc = seal(s, &w, bh, bh_len);
    work_free(&w);
    if (rc) {
        lm_buf_free(&s->out);
        s->instance = 0;
        return rc;
    }
    if (s->reason)
        return 0;
    *fields = s->out.data;
    if (len)
        *len = s->out.len;
    return 0;
}

int mailauth_arc_sealer_reason(const mailauth_arc_sealer *s)
{
    return s && s->finished ? s->reason : MAILAUTH_ARC_OK;
}

unsigned mailauth_arc_sealer_instance(const mailauth_arc_sealer *s)
{
    return s ? s->instance : 0;
}

int mailauth_arc_seal(const mailauth_arc_seal_options *opts, const mailauth_dkim_key *key,
                      const void *msg, size_t len, char **fields, size_t *fields_len)
{
    if (fields)
        *fields = NULL;
    if (fields_len)
        *fields_len = 0;
    if (!fields || (!msg && len))
        return MAILAUTH_E_INVAL;
    mailauth_arc_sealer *s;
    int rc = mailauth_arc_sealer_new(opts, key, &s);
    if (rc)
        return rc;
    const char *f = NULL;
    size_t n = 0;
    rc = mailauth_arc_sealer_feed(s, msg, len);
    if (!rc)
        rc = mailauth_arc_sealer_finish(s, &f, &n);
    if (!rc && f) {
        *fields = lm_buf_take(&s->out, NULL);
        if (!*fields)
            rc = MAILAUTH_E_NOMEM;
        else if (fields_len)
            *fields_len = n;
    }
    mailauth_arc_sealer_free(s);
    return rc;
}

void mailauth_arc_free(void *p) { lm_free(p); }
