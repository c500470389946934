/* dkim_sign.c — the streaming DKIM signer (RFC 6376 §5): header block kept, body hashed as it
 * arrives, then the DKIM-Signature field built, folded and signed (rsa-sha256, ed25519-sha256). */
#include "dkim_internal.h"

#include "lm_alloc.h"
#include "lm_ascii.h"

#include <openssl/evp.h>

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

/* The fields signed by default (RFC 6376 §5.4.1's list, plus the list fields of RFC 2369 and
 * RFC 8058), each as many times as the message has it. */
static const char *const default_headers[] = {
    "From", "Reply-To", "Subject", "Date", "To", "Cc", "Resent-Date", "Resent-From",
    "Resent-To", "Resent-Cc", "In-Reply-To", "References", "Message-ID", "MIME-Version",
    "Content-Type", "Content-Transfer-Encoding", "Content-ID", "Content-Description",
    "List-Id", "List-Help", "List-Unsubscribe", "List-Unsubscribe-Post", "List-Subscribe",
    "List-Post", "List-Owner", "List-Archive",
};

struct mailauth_dkim_signer {
    const mailauth_dkim_key *key;
    int alg;
    int hcanon, bcanon;
    char *domain, *selector, *identity;
    char **headers;          /* NULL = the default set */
    size_t header_count;
    char **oversign;
    size_t oversign_count;
    int body_length, no_timestamp;
    int64_t expire_after;
    mailauth_clock_fn clock;
    void *clock_user;
    size_t max_fields;
    ma_dkim_reader rd;
    ma_dkim_body body;
    int finished, broken;
    lm_buf field;            /* the signature field once finished */
};

void mailauth_dkim_sign_options_init(mailauth_dkim_sign_options *opts)
{
    if (!opts)
        return;
    memset(opts, 0, sizeof *opts);
    opts->struct_size = sizeof *opts;
}

static void free_list(char **l, size_t n)
{
    if (!l)
        return;
    for (size_t i = 0; i < n; i++)
        lm_free(l[i]);
    lm_free(l);
}

void mailauth_dkim_signer_free(mailauth_dkim_signer *s)
{
    if (!s)
        return;
    lm_free(s->domain);
    lm_free(s->selector);
    lm_free(s->identity);
    free_list(s->headers, s->header_count);
    free_list(s->oversign, s->oversign_count);
    ma_dkim_body_free(&s->body);
    lm_buf_free(&s->rd.head);
    lm_buf_free(&s->field);
    lm_free(s);
}

/* Longest field name accepted in a header list (RFC 5322 sets none; real ones are short). */
#define MAX_FIELD_NAME 200

/* A field name: printable ASCII but ':' (RFC 5322 §2.2). */
static int valid_field_name(const char *n)
{
    if (!n || !*n || strlen(n) > MAX_FIELD_NAME)
        return 0;
    for (; *n; n++)
        if ((unsigned char)*n < 0x21 || (unsigned char)*n > 0x7e || *n == ':')
            return 0;
    return 1;
}

/* A tag value we write: no controls, spaces or ';'. */
static int valid_value(const char *v)
{
    if (!v || !*v)
        return 0;
    for (; *v; v++)
        if ((unsigned char)*v <= ' ' || (unsigned char)*v == 0x7f || *v == ';')
            return 0;
    return 1;
}

static int copy_list(const char *const *in, size_t n, char ***out)
{
    *out = NULL;
    if (!n)
        return 0;
    char **l = lm_calloc(n, sizeof *l);
    if (!l)
        return MAILAUTH_E_NOMEM;
    for (size_t i = 0; i < n; i++) {
        if (!valid_field_name(in[i])) {
            free_list(l, n);
            return MAILAUTH_E_INVAL;
        }
        if (!(l[i] = lm_strndup(in[i], strlen(in[i])))) {
            free_list(l, n);
            return MAILAUTH_E_NOMEM;
        }
    }
    *out = l;
    return 0;
}

static int canon_option(int c)
{
    switch (c) {
    case MAILAUTH_DKIM_CANON_DEFAULT:
    case MAILAUTH_DKIM_CANON_RELAXED:
        return MA_DKIM_RELAXED;
    case MAILAUTH_DKIM_CANON_SIMPLE:
        return MA_DKIM_SIMPLE;
    default:
        return -1;
    }
}

static int identity_in_domain(const char *i, const char *d)
{
    const char *at = strrchr(i, '@');
    if (!at)
        return 0;
    size_t dl = strlen(at + 1), ql = strlen(d);
    if (dl < ql || lm_strncasecmp(at + 1 + dl - ql, d, ql))
        return 0;
    return dl == ql || at[dl - ql] == '.';
}

int mailauth_dkim_signer_new(const mailauth_dkim_sign_options *opts, const mailauth_dkim_key *key,
                             mailauth_dkim_signer **out)
{
    if (!out)
        return MAILAUTH_E_INVAL;
    *out = NULL;
    mailauth_dkim_sign_options o;
    if (!opts || !key || opts->struct_size < sizeof(size_t) || opts->struct_size > sizeof o)
        return MAILAUTH_E_INVAL;
    mailauth_dkim_sign_options_init(&o);
    memcpy(&o, opts, opts->struct_size);
    int hc = canon_option(o.header_canon), bc = canon_option(o.body_canon);
    if (hc < 0 || bc < 0 || !valid_value(o.domain) || !valid_value(o.selector) ||
        (o.identity && (!valid_value(o.identity) || !identity_in_domain(o.identity, o.domain))) ||
        (o.headers == NULL && o.header_count) || (o.oversign == NULL && o.oversign_count))
        return MAILAUTH_E_INVAL;
    if (o.headers) {
        int from = 0;
        for (size_t i = 0; i < o.header_count; i++)
            if (o.headers[i] && lm_eq_nocase(o.headers[i], strlen(o.headers[i]), "from"))
                from = 1;
        if (!from)
            return MAILAUTH_E_INVAL;
    }
    mailauth_dkim_signer *s = lm_calloc(1, sizeof *s);
    if (!s)
        return MAILAUTH_E_NOMEM;
    s->key = key;
    s->alg = mailauth_dkim_key_algorithm(key);
    s->hcanon = hc;
    s->bcanon = bc;
    s->body_length = o.body_length;
    s->no_timestamp = o.no_timestamp;
    s->expire_after = o.expire_after;
    s->clock = o.clock;
    s->clock_user = o.clock_user;
    s->max_fields = o.max_header_fields ? o.max_header_fields
                                        : MAILAUTH_DKIM_DEFAULT_MAX_HEADER_FIELDS;
    s->rd.max = o.max_header_bytes ? o.max_header_bytes : MAILAUTH_DKIM_DEFAULT_MAX_HEADER_BYTES;
    int rc = MAILAUTH_E_NOMEM;
    if (!(s->domain = lm_strndup(o.domain, strlen(o.domain))) ||
        !(s->selector = lm_strndup(o.selector, strlen(o.selector))) ||
        (o.identity && !(s->identity = lm_strndup(o.identity, strlen(o.identity)))))
        goto fail;
    if ((rc = copy_list(o.headers, o.header_count, &s->headers)) != 0)
        goto fail;
    s->header_count = o.header_count;
    if ((rc = copy_list(o.oversign, o.oversign_count, &s->oversign)) != 0)
        goto fail;
    s->oversign_count = o.oversign_count;
    if ((rc = ma_dkim_body_init(&s->body, bc, s->alg, UINT64_MAX, NULL)) != 0)
        goto fail;
    *out = s;
    return 0;
fail:
    mailauth_dkim_signer_free(s);
    return rc;
}

int mailauth_dkim_signer_feed(mailauth_dkim_signer *s, const void *data, size_t len)
{
    if (!s || (!data && len) || s->finished)
        return MAILAUTH_E_INVAL;
    return ma_dkim_reader_pass(&s->rd, &s->broken, data, len, NULL, ma_dkim_body_sink, &s->body);
}

/* ---- the field ---------------------------------------------------------------------------- */

#define FOLD_WIDTH 78

/* Appends `n` octets of `p` as one unbreakable piece, preceded by a space (`space`) or
 * nothing, starting a continuation line first when the piece would pass the width. */
static void fold_put(lm_buf *b, size_t *col, const char *p, size_t n, int space)
{
    if (*col + (space ? 1 : 0) + n > FOLD_WIDTH && *col > 1) {
        lm_buf_append(b, "\r\n ", 3);
        *col = 1;
    } else if (space) {
        lm_buf_putc(b, ' ');
        (*col)++;
    }
    lm_buf_append(b, p, n);
    *col += n;
}

static void fold_tag(lm_buf *b, size_t *col, const char *name, const char *value)
{
    char tmp[600];
    int n = snprintf(tmp, sizeof tmp, "%s=%s;", name, value);
    if (n > 0 && (size_t)n < sizeof tmp) {
        fold_put(b, col, tmp, (size_t)n, 1);
        return;
    }
    /* Longer than a line anyway (a long i=): one piece as it is. */
    fold_put(b, col, name, strlen(name), 1);
    lm_buf_putc(b, '=');
    lm_buf_puts(b, value);
    lm_buf_putc(b, ';');
    *col += 2 + strlen(value);
}

/* A base64 value folded inside itself (FWS is allowed between its characters). */
static void fold_b64(lm_buf *b, size_t *col, const char *v, size_t n)
{
    while (n) {
        if (*col >= FOLD_WIDTH) {
            lm_buf_append(b, "\r\n ", 3);
            *col = 1;
        }
        size_t k = FOLD_WIDTH - *col;
        if (k > n)
            k = n;
        lm_buf_append(b, v, k);
        *col += k;
        v += k;
        n -= k;
    }
}

/* How many fields of `text` carry the name `name`. */
static size_t fields_named(const char *text, const ma_dkim_field *f, size_t nf, const char *name)
{
    size_t n = 0;
    for (size_t i = 0; i < nf; i++)
        n += lm_eq_nocase(text + f[i].off, f[i].name_len, name) ? 1 : 0;
    return n;
}

int ma_dkim_choose_headers(const char *const *defaults, size_t ndefaults, char *const *given,
                           size_t ngiven, char *const *extra, size_t nextra, const char *text,
                           const ma_dkim_field *fields, size_t nfields, const char ***names,
                           size_t **lens, size_t *count)
{
    *names = NULL;
    *lens = NULL;
    *count = 0;
    size_t cap = given ? ngiven : 0;
    for (size_t j = 0; !given && j < ndefaults; j++)
        cap += fields_named(text, fields, nfields, defaults[j]);
    cap += nextra;
    *names = lm_calloc(cap ? cap : 1, sizeof **names);
    *lens = lm_calloc(cap ? cap : 1, sizeof **lens);
    if (!*names || !*lens)
        return MAILAUTH_E_NOMEM;
    size_t n = 0;
    for (size_t i = 0; given && i < ngiven; i++)
        (*names)[n++] = given[i];
    for (size_t j = 0; !given && j < ndefaults; j++)
        for (size_t k = fields_named(text, fields, nfields, defaults[j]); k; k--)
            (*names)[n++] = defaults[j];
    for (size_t i = 0; i < nextra; i++)
        (*names)[n++] = extra[i];
    for (size_t i = 0; i < n; i++)
        (*lens)[i] = strlen((*names)[i]);
    *count = n;
    return 0;
}

static int build(mailauth_dkim_signer *s, const unsigned char *bh, size_t bh_len)
{
    const char *text = s->rd.head.data ? s->rd.head.data : "";
    ma_dkim_field *f = NULL;
    size_t nf = 0, hn = 0;
    const char **names = NULL;
    size_t *lens = NULL;
    unsigned char *used = NULL;
    char *bh64 = NULL, *b64 = NULL;
    lm_buf data = LM_BUF_INIT;
    lm_buf *out = &s->field;
    int rc = ma_dkim_split_fields(text, s->rd.head.len, s->max_fields, &f, &nf);
    if (rc)
        goto out;
    int from = 0;
    for (size_t i = 0; i < nf; i++)
        if (lm_eq_nocase(text + f[i].off, f[i].name_len, "From"))
            from = 1;
    rc = MAILAUTH_E_INVAL; /* RFC 6376 §5.4: From must be signed, so must exist */
    if (!from)
        goto out;
    rc = MAILAUTH_E_NOMEM;
    if ((used = lm_calloc(nf ? nf : 1, 1)) == NULL)
        goto out;
    if ((rc = ma_dkim_choose_headers(default_headers,
                                     sizeof default_headers / sizeof default_headers[0],
                                     s->headers, s->header_count, s->oversign,
                                     s->oversign_count, text, f, nf, &names, &lens, &hn)) != 0)
        goto out;
    if ((rc = ma_dkim_b64_encode(bh, bh_len, &bh64, NULL)) != 0)
        goto out;

    static const char *const canon_names[] = {"simple", "relaxed"};
    char num[32], c[32];
    size_t col = 15;
    lm_buf_reset(out);
    lm_buf_puts(out, "DKIM-Signature:");
    fold_tag(out, &col, "v", "1");
    fold_tag(out, &col, "a", ma_dkim_alg_name(s->alg));
    snprintf(c, sizeof c, "%s/%s", canon_names[s->hcanon], canon_names[s->bcanon]);
    fold_tag(out, &col, "c", c);
    fold_tag(out, &col, "d", s->domain);
    if (s->identity)
        fold_tag(out, &col, "i", s->identity);
    fold_tag(out, &col, "s", s->selector);
    int64_t t = s->clock ? s->clock(s->clock_user) : (int64_t)time(NULL);
    if (!s->no_timestamp) {
        snprintf(num, sizeof num, "%" PRId64, t);
        fold_tag(out, &col, "t", num);
    }
    if (s->expire_after > 0) {
        snprintf(num, sizeof num, "%" PRId64, t + s->expire_after);
        fold_tag(out, &col, "x", num);
    }
    if (s->body_length) {
        snprintf(num, sizeof num, "%" PRIu64, s->body.length);
        fold_tag(out, &col, "l", num);
    }
    for (size_t i = 0; i < hn; i++) {
        char piece[MAX_FIELD_NAME + 8];
        int n = snprintf(piece, sizeof piece, "%s%s%s", i ? ":" : "h=", names[i],
                         i + 1 == hn ? ";" : "");
        if (n > 0 && (size_t)n < sizeof piece)
            fold_put(out, &col, piece, (size_t)n, i == 0);
    }
    fold_tag(out, &col, "bh", bh64);
    fold_put(out, &col, "b=", 2, 1);
    rc = MAILAUTH_E_NOMEM;
    if (out->oom)
        goto out;

    /* The hash input: the selected fields, then this field with an empty b= (§3.7). */
    if ((rc = ma_dkim_canon_selected(s->hcanon, text, f, nf, used, names, lens, hn, &data)) ||
        (rc = ma_dkim_canon_header(s->hcanon, out->data, out->len, 1, &data)))
        goto out;
    if ((rc = ma_dkim_sign_b64(s->alg, ma_dkim_key_pkey(s->key), &data, &b64)) != 0)
        goto out;
    fold_b64(out, &col, b64, strlen(b64));
    lm_buf_append(out, "\r\n", 2);
    rc = out->oom ? MAILAUTH_E_NOMEM : 0;
out:
    lm_free(f);
    lm_free(names);
    lm_free(lens);
    lm_free(used);
    lm_free(bh64);
    lm_free(b64);
    lm_buf_free(&data);
    return rc;
}

int mailauth_dkim_signer_finish(mailauth_dkim_signer *s, const char **field, size_t *len)
{
    if (!s || !field || s->finished)
        return MAILAUTH_E_INVAL;
    *field = NULL;
    if (s->broken)
        return s->broken;
    s->finished = 1;
    unsigned char bh[EVP_MAX_MD_SIZE];
    size_t bh_len;
    int rc = ma_dkim_body_finish(&s->body, bh, &bh_len);
    if (!rc)
        rc = build(s, bh, bh_len);
    if (rc)
        return rc;
    *field = s->field.data;
    if (len)
        *len = s->field.len;
    return 0;
}

int mailauth_dkim_sign(const mailauth_dkim_sign_options *opts, const mailauth_dkim_key *key,
                       const void *msg, size_t len, char **field, size_t *field_len)
{
    if (!field || (!msg && len))
        return MAILAUTH_E_INVAL;
    *field = NULL;
    mailauth_dkim_signer *s;
    int rc = mailauth_dkim_signer_new(opts, key, &s);
    if (rc)
        return rc;
    const char *f;
    size_t n;
    rc = mailauth_dkim_signer_feed(s, msg, len);
    if (!rc)
        rc = mailauth_dkim_signer_finish(s, &f, &n);
    if (!rc) {
        *field = lm_buf_take(&s->field, &n);
        if (!*field)
            rc = MAILAUTH_E_NOMEM;
        else if (field_len)
            *field_len = n;
    }
    mailauth_dkim_signer_free(s);
    return rc;
}

void mailauth_dkim_free(void *p) { lm_free(p); }
