/* arc_verify.c — ARC chain validation (RFC 8617 §5.2): the sets of a header block, ARC-Seal
 * tags (§4.1.3), the data a seal and a message signature sign (§5.1.1, §4.1.2), and the
 * streaming verifier with its keys fetched through the per-check DNS memo. */
#include "arc_internal.h"

#include "lm_alloc.h"
#include "lm_ascii.h"

#include <openssl/evp.h>

#include <string.h>

/* ---- the sets of a header block ---------------------------------------------------------- */

static const char *const kind_names[] = {
    [MA_ARC_AAR] = "ARC-Authentication-Results",
    [MA_ARC_AMS] = "ARC-Message-Signature",
    [MA_ARC_AS] = "ARC-Seal",
};

int ma_arc_kind(const char *text, const ma_dkim_field *f)
{
    for (int k = 0; k < 3; k++)
        if (lm_eq_nocase(text + f->off, f->name_len, kind_names[k]))
            return k;
    return -1;
}

/* The field value after the colon. */
static void field_value(const char *text, const ma_dkim_field *f, const char **v, size_t *n)
{
    const char *p = text + f->off, *colon = memchr(p, ':', f->len);
    size_t o = colon ? (size_t)(colon - p) + 1 : f->len;
    *v = p + o;
    *n = f->len - o;
}

/* 1*2DIGIT without leading zeros mattering: 1..50, or 0 when it is not one. */
static unsigned instance_number(const char *s, size_t n)
{
    if (n == 0 || n > 2)
        return 0;
    unsigned v = 0;
    for (size_t i = 0; i < n; i++) {
        if (!lm_is_digit((unsigned char)s[i]))
            return 0;
        v = v * 10 + (unsigned)(s[i] - '0');
    }
    return v >= 1 && v <= MA_ARC_MAX ? v : 0;
}

/* Skips whitespace (with folding) and comments, nested to a small depth. */
static size_t skip_cfws(const char *s, size_t n, size_t i)
{
    int depth = 0;
    while (i < n) {
        unsigned char c = (unsigned char)s[i];
        if (depth) {
            if (c == '\\' && i + 1 < n)
                i++;
            else if (c == '(')
                depth = depth < 8 ? depth + 1 : depth;
            else if (c == ')')
                depth--;
        } else if (c == '(') {
            depth = 1;
        } else if (!lm_is_space(c)) {
            break;
        }
        i++;
    }
    return i;
}

/* The instance of an AAR: its value begins "i=N;" (RFC 8617 §4.1.1), CFWS allowed around. */
static unsigned aar_instance(const char *v, size_t n)
{
    size_t i = skip_cfws(v, n, 0);
    if (i >= n || v[i] != 'i')
        return 0;
    i = skip_cfws(v, n, i + 1);
    if (i >= n || v[i] != '=')
        return 0;
    i = skip_cfws(v, n, i + 1);
    size_t d = i;
    while (i < n && lm_is_digit((unsigned char)v[i]))
        i++;
    unsigned inst = instance_number(v + d, i - d);
    i = skip_cfws(v, n, i);
    return i < n && v[i] == ';' ? inst : 0;
}

/* The instance of an AS or AMS: its i= tag. *syntax is set when the tag list does not parse. */
static unsigned tag_instance(const char *v, size_t n, int *syntax)
{
    ma_tag tags[MA_DKIM_MAX_TAGS];
    size_t count;
    *syntax = 0;
    if (ma_tag_list_parse(v, n, tags, MA_DKIM_MAX_TAGS, &count, NULL)) {
        *syntax = 1;
        return 0;
    }
    const ma_tag *t = ma_tag_find(tags, count, "i");
    return t ? instance_number(t->value, t->value_len) : 0;
}

static void fault(ma_arc_chain *c, int reason, unsigned instance)
{
    if (!c->reason) {
        c->reason = reason;
        c->bad_instance = instance;
    }
}

void ma_arc_collect(const char *text, const ma_dkim_field *fields, size_t count,
                    ma_arc_chain *c)
{
    memset(c, 0, sizeof *c);
    for (unsigned i = 0; i <= MA_ARC_MAX; i++)
        c->field[i][0] = c->field[i][1] = c->field[i][2] = MA_ARC_NONE;
    int any = 0;
    for (size_t j = 0; j < count; j++) {
        int k = ma_arc_kind(text, &fields[j]);
        if (k < 0)
            continue;
        any = 1;
        const char *v;
        size_t n;
        field_value(text, &fields[j], &v, &n);
        int syntax = 0;
        unsigned inst = k == MA_ARC_AAR ? aar_instance(v, n) : tag_instance(v, n, &syntax);
        if (!inst) {
            fault(c, syntax ? MAILAUTH_ARC_SYNTAX : MAILAUTH_ARC_STRUCTURE, 0);
            continue;
        }
        if (c->field[inst][k] != MA_ARC_NONE)
            fault(c, MAILAUTH_ARC_STRUCTURE, inst);
        else
            c->field[inst][k] = j;
        if (inst > c->n)
            c->n = inst;
    }
    for (unsigned i = 1; i <= c->n; i++)
        for (int k = 0; k < 3; k++)
            if (c->field[i][k] == MA_ARC_NONE)
                fault(c, MAILAUTH_ARC_STRUCTURE, i);
    if (any && !c->n && !c->reason)
        fault(c, MAILAUTH_ARC_STRUCTURE, 0);
}

/* ---- ARC-Seal tags ----------------------------------------------------------------------- */

static char *copy_tag(const ma_tag *t)
{
    char *s = lm_malloc(t->value_len + 1);
    if (s) {
        memcpy(s, t->value, t->value_len);
        s[t->value_len] = '\0';
    }
    return s;
}

/* d= and s=: something a DNS name can be built of (the lookup checks the rest). */
static int plausible_name(const ma_tag *t)
{
    if (!t->value_len)
        return 0;
    for (size_t i = 0; i < t->value_len; i++) {
        unsigned char c = (unsigned char)t->value[i];
        if (c <= ' ' || c >= 0x7f || c == ';' || c == '@')
            return 0;
    }
    return 1;
}

int ma_arc_seal_parse(const char *value, size_t len, ma_arc_seal *as)
{
    memset(as, 0, sizeof *as);
    as->cv = -1;
    ma_tag tags[MA_DKIM_MAX_TAGS];
    size_t n;
    if (ma_tag_list_parse(value, len, tags, MA_DKIM_MAX_TAGS, &n, NULL))
        return MAILAUTH_DKIM_SIG_SYNTAX;
    const ma_tag *a = ma_tag_find(tags, n, "a"), *b = ma_tag_find(tags, n, "b"),
                 *cv = ma_tag_find(tags, n, "cv"), *d = ma_tag_find(tags, n, "d"),
                 *i = ma_tag_find(tags, n, "i"), *s = ma_tag_find(tags, n, "s"),
                 *t = ma_tag_find(tags, n, "t");
    if ((d && !(as->d = copy_tag(d))) || (s && !(as->s = copy_tag(s))))
        return MAILAUTH_E_NOMEM;
    if (cv) {
        if (cv->value_len == 4 && !memcmp(cv->value, "none", 4))
            as->cv = MAILAUTH_RESULT_NONE;
        else if (cv->value_len == 4 && !memcmp(cv->value, "pass", 4))
            as->cv = MAILAUTH_RESULT_PASS;
        else if (cv->value_len == 4 && !memcmp(cv->value, "fail", 4))
            as->cv = MAILAUTH_RESULT_FAIL;
    }
    if (!a || !b || !cv || !d || !i || !s)
        return MAILAUTH_DKIM_SIG_MISSING_TAG;
    /* §4.1.3: an ARC-Seal signs no header list; h= makes it invalid. */
    if (ma_tag_find(tags, n, "h"))
        return MAILAUTH_DKIM_SIG_VALUE;
    as->alg = ma_dkim_alg_from_name(a->value, a->value_len);
    if (!as->alg)
        return MAILAUTH_DKIM_SIG_ALGORITHM;
    if (as->alg == MA_DKIM_RSA_SHA1)
        return MAILAUTH_DKIM_WEAK_ALGORITHM;
    if (as->cv < 0 || !plausible_name(d) || !plausible_name(s))
        return MAILAUTH_DKIM_SIG_VALUE;
    if (!(as->instance = instance_number(i->value, i->value_len)))
        return MAILAUTH_DKIM_SIG_VALUE;
    if (t) {
        if (t->value_len == 0 || t->value_len > 12)
            return MAILAUTH_DKIM_SIG_VALUE;
        int64_t v = 0;
        for (size_t k = 0; k < t->value_len; k++) {
            if (!lm_is_digit((unsigned char)t->value[k]))
                return MAILAUTH_DKIM_SIG_VALUE;
            v = v * 10 + (t->value[k] - '0');
        }
        as->has_t = 1;
        as->t = v;
    }
    int rc = ma_dkim_b64_decode(b->value, b->value_len, &as->b, &as->b_len);
    if (rc == MAILAUTH_E_NOMEM)
        return rc;
    if (rc || as->b_len == 0)
        return MAILAUTH_DKIM_SIG_BASE64;
    return 0;
}

void ma_arc_seal_free(ma_arc_seal *as)
{
    if (!as)
        return;
    lm_free(as->d);
    lm_free(as->s);
    lm_free(as->b);
    memset(as, 0, sizeof *as);
    as->cv = -1;
}

/* ---- signed data --------------------------------------------------------------------------- */

int ma_arc_seal_data(const char *text, const ma_dkim_field *fields, const ma_arc_chain *c,
                     unsigned from, unsigned upto, lm_buf *out)
{
    for (unsigned i = from; i <= upto; i++) {
        for (int k = 0; k < 3; k++) {
            const ma_dkim_field *f = &fields[c->field[i][k]];
            if (i == upto && k == MA_ARC_AS) {
                lm_buf stripped = LM_BUF_INIT;
                int rc = ma_dkim_strip_b(text + f->off, f->len, &stripped);
                if (!rc)
                    rc = ma_dkim_canon_header(MA_DKIM_RELAXED, stripped.data, stripped.len, 1,
                                              out);
                lm_buf_free(&stripped);
                return rc;
            }
            int rc = ma_dkim_canon_header(MA_DKIM_RELAXED, text + f->off, f->len, 0, out);
            if (rc)
                return rc;
        }
    }
    return 0;
}

int ma_arc_ams_data(const char *text, const ma_dkim_field *fields, size_t count,
                    unsigned char *used, const ma_dkim_sig *sig, size_t ams, lm_buf *out)
{
    int rc = ma_dkim_canon_selected(sig->hcanon, text, fields, count, used,
                                    (const char *const *)sig->h, sig->h_lens, sig->h_count, out);
    if (rc)
        return rc;
    lm_buf stripped = LM_BUF_INIT;
    rc = ma_dkim_strip_b(text + fields[ams].off, fields[ams].len, &stripped);
    if (!rc)
        rc = ma_dkim_canon_header(sig->hcanon, stripped.data, stripped.len, 1, out);
    lm_buf_free(&stripped);
    return rc;
}

/* ---- the verifier -------------------------------------------------------------------------- */

struct aset {
    ma_dkim_sig ams;
    int ams_parse;              /* 0 or a mailauth_dkim_reason */
    ma_arc_seal as;
    int as_parse;
    ma_dkim_sig_body hash;      /* the AMS's */
    ma_dkim_verdict ams_verdict, as_verdict;
    char *aar;
};

struct mailauth_arc_verifier {
    mailauth_arc_verify_options o;
    ma_dkim_message m;
    ma_arc_chain chain;
    struct aset *sets;          /* [chain.n + 1], index 0 unused */
    int decided, result, reason;
    unsigned failed_instance, oldest_pass;
    int oldest_done;
};

static const char *const reason_texts[] = {
    [MAILAUTH_ARC_OK] = "chain verified",
    [MAILAUTH_ARC_NO_CHAIN] = "no ARC sets",
    [MAILAUTH_ARC_STRUCTURE] = "ARC sets incomplete, repeated or misnumbered",
    [MAILAUTH_ARC_SYNTAX] = "malformed ARC header field",
    [MAILAUTH_ARC_SEALED_FAIL] = "latest ARC-Seal says cv=fail",
    [MAILAUTH_ARC_BAD_CV] = "ARC-Seal cv= does not fit its instance",
    [MAILAUTH_ARC_AMS_FAILED] = "ARC-Message-Signature did not verify",
    [MAILAUTH_ARC_SEAL_FAILED] = "ARC-Seal did not verify",
    [MAILAUTH_ARC_TEMPFAIL] = "key unavailable (DNS failure)",
};

const char *mailauth_arc_reason_text(int reason)
{
    return ma_reason_text(reason_texts, sizeof reason_texts / sizeof reason_texts[0], reason);
}

void mailauth_arc_verify_options_init(mailauth_arc_verify_options *opts)
{
    if (!opts)
        return;
    memset(opts, 0, sizeof *opts);
    opts->struct_size = sizeof *opts;
}

int mailauth_arc_verifier_new(const mailauth_arc_verify_options *opts, mailauth_arc_verifier **out)
{
    if (!out)
        return MAILAUTH_E_INVAL;
    *out = NULL;
    mailauth_arc_verify_options o;
    mailauth_arc_verify_options_init(&o);
    if (ma_record_in(&o, sizeof o, opts))
        return MAILAUTH_E_INVAL;
    ma_dkim_limits_default(&o.min_rsa_bits, &o.max_header_bytes, &o.max_header_fields,
                           &o.max_h_names);
    mailauth_arc_verifier *v = lm_calloc(1, sizeof *v);
    if (!v)
        return MAILAUTH_E_NOMEM;
    v->o = o;
    ma_dkim_message_init(&v->m, o.max_header_bytes);
    *out = v;
    return 0;
}

void mailauth_arc_verifier_free(mailauth_arc_verifier *v)
{
    if (!v)
        return;
    if (v->sets) {
        for (unsigned i = 1; i <= v->chain.n; i++) {
            ma_dkim_sig_free(&v->sets[i].ams);
            ma_arc_seal_free(&v->sets[i].as);
            ma_dkim_body_free(&v->sets[i].hash.body);
            lm_free(v->sets[i].aar);
        }
        lm_free(v->sets);
    }
    ma_dkim_message_free(&v->m);
    lm_free(v);
}

static int decide(mailauth_arc_verifier *v, int result, int reason, unsigned instance)
{
    v->decided = 1;
    v->result = result;
    v->reason = reason;
    v->failed_instance = instance;
    return 0;
}

/* An AMS whose body is hashed: the latest, or all of them for oldest-pass. */
static int hashes_ams(const mailauth_arc_verifier *v, unsigned i)
{
    return i == v->chain.n || v->o.oldest_pass;
}

/* Parses the members set `i` has (a structural fault may leave some out), keeps its AAR text
 * and starts the body hash of its AMS when the chain is whole and that AMS is needed. */
static int parse_set(mailauth_arc_verifier *v, unsigned i)
{
    const char *text = v->m.rd.head.data;
    const size_t *f = v->chain.field[i];
    struct aset *s = &v->sets[i];
    const char *val;
    size_t n;
    int rc;
    if (f[MA_ARC_AS] != MA_ARC_NONE) {
        field_value(text, &v->m.fields[f[MA_ARC_AS]], &val, &n);
        if ((rc = ma_arc_seal_parse(val, n, &s->as)) < 0)
            return rc;
        s->as_parse = rc;
    }
    if (f[MA_ARC_AAR] != MA_ARC_NONE) {
        field_value(text, &v->m.fields[f[MA_ARC_AAR]], &val, &n);
        while (n && lm_is_space((unsigned char)*val))
            val++, n--;
        while (n && lm_is_space((unsigned char)val[n - 1]))
            n--;
        if (!(s->aar = lm_malloc(n + 1)))
            return MAILAUTH_E_NOMEM;
        memcpy(s->aar, val, n);
        s->aar[n] = '\0';
    }
    if (f[MA_ARC_AMS] == MA_ARC_NONE)
        return 0;
    field_value(text, &v->m.fields[f[MA_ARC_AMS]], &val, &n);
    rc = ma_dkim_sig_parse(val, n, MA_DKIM_SIG_AMS, v->o.max_h_names, &s->ams);
    if (rc < 0)
        return rc;
    if (!rc && s->ams.alg == MA_DKIM_RSA_SHA1)
        rc = MAILAUTH_DKIM_WEAK_ALGORITHM;
    /* §4.1.2: ARC-Seal fields are never in an AMS's h=. */
    for (size_t k = 0; !rc && k < s->ams.h_count; k++)
        if (lm_eq_nocase(s->ams.h[k], s->ams.h_lens[k], "arc-seal"))
            rc = MAILAUTH_DKIM_SIG_VALUE;
    s->ams_parse = rc;
    if (!s->ams_parse && !v->chain.reason && hashes_ams(v, i)) {
        if ((rc = ma_dkim_sig_body_start(&s->hash, &s->ams)))
            return rc;
    }
    return 0;
}

/* The decisions that need no key (§5.2 steps 1-3): no sets; the latest seal says cv=fail; the
 * sets are malformed; a cv= does not fit its place. */
static int precheck(mailauth_arc_verifier *v)
{
    const ma_arc_chain *c = &v->chain;
    if (c->n && v->sets[c->n].as.cv == MAILAUTH_RESULT_FAIL)
        return decide(v, MAILAUTH_RESULT_FAIL, MAILAUTH_ARC_SEALED_FAIL, c->n);
    if (c->reason)
        return decide(v, MAILAUTH_RESULT_FAIL, c->reason, c->bad_instance);
    if (!c->n)
        return decide(v, MAILAUTH_RESULT_NONE, MAILAUTH_ARC_NO_CHAIN, 0);
    for (unsigned i = c->n; i >= 1; i--)
        if (v->sets[i].as_parse)
            return decide(v, MAILAUTH_RESULT_FAIL, MAILAUTH_ARC_SYNTAX, i);
    for (unsigned i = c->n; i >= 1; i--) {
        int want = i == 1 ? MAILAUTH_RESULT_NONE : MAILAUTH_RESULT_PASS;
        if (v->sets[i].as.cv != want)
            return decide(v, MAILAUTH_RESULT_FAIL, MAILAUTH_ARC_BAD_CV, i);
    }
    return 0;
}

/* The header block is complete: index it, find the sets, parse them, start the body hashes. */
static int headers_done(void *user)
{
    mailauth_arc_verifier *v = user;
    if (!v->m.rd.head.data && lm_buf_reserve(&v->m.rd.head, 1))
        return MAILAUTH_E_NOMEM;
    const char *text = v->m.rd.head.data;
    int rc = ma_dkim_index_fields(text, v->m.rd.head.len, v->o.max_header_fields, &v->m.fields,
                                  &v->m.nfields, &v->m.used);
    if (rc)
        return rc;
    ma_arc_collect(text, v->m.fields, v->m.nfields, &v->chain);
    if (!v->chain.n)
        return 0;
    v->sets = lm_calloc(v->chain.n + 1, sizeof *v->sets);
    if (!v->sets)
        return MAILAUTH_E_NOMEM;
    for (unsigned i = 1; i <= v->chain.n; i++)
        v->sets[i].as.cv = -1;
    for (unsigned i = 1; i <= v->chain.n; i++)
        if ((rc = parse_set(v, i)))
            return rc;
    return 0;
}

/* Body octets go to the AMS body hashes started. */
static void body_feed(void *user, const unsigned char *p, size_t n)
{
    mailauth_arc_verifier *v = user;
    for (unsigned i = 1; v->sets && i <= v->chain.n; i++)
        ma_dkim_sig_body_feed(&v->sets[i].hash, p, n);
}

int mailauth_arc_verifier_feed(mailauth_arc_verifier *v, const void *data, size_t len)
{
    if (!v || (!data && len) || v->m.finished)
        return MAILAUTH_E_INVAL;
    return ma_dkim_reader_pass(&v->m.rd, &v->m.broken, data, len, headers_done, body_feed, v);
}

int mailauth_arc_verifier_finish(mailauth_arc_verifier *v)
{
    if (!v || v->m.finished)
        return MAILAUTH_E_INVAL;
    int rc = ma_dkim_reader_end(&v->m.rd, &v->m.broken, headers_done, v);
    for (unsigned i = 1; !rc && v->sets && i <= v->chain.n; i++)
        rc = ma_dkim_sig_body_end(&v->sets[i].hash);
    if (rc) {
        v->m.broken = rc;
        return rc;
    }
    v->m.finished = 1;
    precheck(v);
    return 0;
}

/* ---- verdicts ------------------------------------------------------------------------------ */

/* Verifies the AMS (`kind` MA_ARC_AMS) or the ARC-Seal (MA_ARC_AS, over the sets 1..i) of
 * instance `i`. Decided once: a re-run keeps the verdict. Every reason but a DNS failure is a
 * fail (§5.2). */
static int check_member(mailauth_arc_verifier *v, unsigned i, int kind)
{
    struct aset *s = &v->sets[i];
    int ams = kind == MA_ARC_AMS;
    ma_dkim_verdict *out = ams ? &s->ams_verdict : &s->as_verdict;
    if (out->decided)
        return 0;
    const ma_dkim_sig *g = &s->ams;
    int why = 0;
    if (ams && s->ams_parse)
        why = s->ams_parse;
    else if (ams && g->has_l && g->l > s->hash.total)
        why = MAILAUTH_DKIM_SIG_BODY_LENGTH;
    if (why)
        return ma_dkim_decide(out, MAILAUTH_RESULT_FAIL, why);
    int alg = ams ? g->alg : s->as.alg;
    const char *d = ams ? g->d : s->as.d, *sel = ams ? g->s : s->as.s;
    const unsigned char *b = ams ? g->b : s->as.b;
    size_t b_len = ams ? g->b_len : s->as.b_len;
    ma_dkim_keyrec k;
    int rc = ma_dkim_key_fetch(&v->m.dns, v->o.key_cache, d, sel, alg, NULL, v->o.min_rsa_bits, &k, &why);
    if (rc)
        return rc;
    if (!why && ams && !ma_dkim_sig_body_matches(&s->hash, g))
        why = MAILAUTH_DKIM_BODY_HASH;
    if (!why) {
        const char *text = v->m.rd.head.data;
        lm_buf_reset(&v->m.scratch);
        rc = ams ? ma_arc_ams_data(text, v->m.fields, v->m.nfields, v->m.used, g,
                                   v->chain.field[i][MA_ARC_AMS], &v->m.scratch)
                 : ma_arc_seal_data(text, v->m.fields, &v->chain, 1, i, &v->m.scratch);
        why = ma_dkim_check_signed(rc, alg, &k, &v->m.scratch, b, b_len);
    }
    ma_dkim_keyrec_free(&k);
    if (why < 0)
        return why;
    int result = why == MAILAUTH_DKIM_OK ? MAILAUTH_RESULT_PASS
                 : why == MAILAUTH_DKIM_KEY_TEMPFAIL ? MAILAUTH_RESULT_TEMPERROR
                                                     : MAILAUTH_RESULT_FAIL;
    return ma_dkim_decide(out, result, why);
}

/* §5.2 steps 5-7. Deterministic given the answers: a re-run after MAILAUTH_NEED_DNS finds the
 * verdicts already reached and goes on from the first that needs the new answer. */
static int evaluate(void *user)
{
    mailauth_arc_verifier *v = user;
    if (v->decided)
        return 0;
    unsigned n = v->chain.n;
    int rc = check_member(v, n, MA_ARC_AMS);
    if (rc)
        return rc;
    struct aset *last = &v->sets[n];
    if (last->ams_verdict.result == MAILAUTH_RESULT_TEMPERROR) {
        decide(v, MAILAUTH_RESULT_TEMPERROR, MAILAUTH_ARC_TEMPFAIL, n);
        return 0;
    }
    if (last->ams_verdict.result != MAILAUTH_RESULT_PASS) {
        decide(v, MAILAUTH_RESULT_FAIL, MAILAUTH_ARC_AMS_FAILED, n);
        return 0;
    }
    if (v->o.oldest_pass && !v->oldest_done) {
        unsigned oldest = 0;
        for (unsigned i = n - 1; i >= 1; i--) {
            if ((rc = check_member(v, i, MA_ARC_AMS)))
                return rc;
            if (v->sets[i].ams_verdict.result != MAILAUTH_RESULT_PASS) {
                oldest = i + 1;
                break;
            }
        }
        v->oldest_pass = oldest;
        v->oldest_done = 1;
    }
    for (unsigned i = n; i >= 1; i--) {
        if ((rc = check_member(v, i, MA_ARC_AS)))
            return rc;
        int r = v->sets[i].as_verdict.result;
        if (r == MAILAUTH_RESULT_TEMPERROR) {
            decide(v, MAILAUTH_RESULT_TEMPERROR, MAILAUTH_ARC_TEMPFAIL, i);
            return 0;
        }
        if (r != MAILAUTH_RESULT_PASS) {
            decide(v, MAILAUTH_RESULT_FAIL, MAILAUTH_ARC_SEAL_FAILED, i);
            return 0;
        }
    }
    decide(v, MAILAUTH_RESULT_PASS, MAILAUTH_ARC_OK, 0);
    return 0;
}

int mailauth_arc_verifier_step(mailauth_arc_verifier *v, mailauth_query *query)
{
    if (!v || !query || !v->m.finished)
        return MAILAUTH_E_INVAL;
    return ma_dns_step(&v->m.dns, evaluate, v, query);
}

int mailauth_arc_verifier_answer(mailauth_arc_verifier *v, const mailauth_dns_answer *answer)
{
    if (!v || !answer)
        return MAILAUTH_E_INVAL;
    return ma_dns_answer(&v->m.dns, answer);
}

int mailauth_arc_verifier_run(mailauth_arc_verifier *v, const mailauth_resolver *resolver)
{
    if (!v || !resolver || !resolver->lookup || !v->m.finished)
        return MAILAUTH_E_INVAL;
    return ma_dns_run(&v->m.dns, resolver, evaluate, v);
}

int mailauth_arc_verifier_done(const mailauth_arc_verifier *v) { return v && v->decided; }

int mailauth_arc_verifier_result(const mailauth_arc_verifier *v)
{
    return v && v->decided ? v->result : MAILAUTH_RESULT_NONE;
}

int mailauth_arc_verifier_reason(const mailauth_arc_verifier *v)
{
    return v && v->decided ? v->reason : MAILAUTH_ARC_OK;
}

unsigned mailauth_arc_verifier_failed_instance(const mailauth_arc_verifier *v)
{
    return v && v->decided ? v->failed_instance : 0;
}

unsigned mailauth_arc_verifier_count(const mailauth_arc_verifier *v)
{
    return v && v->m.finished ? v->chain.n : 0;
}

unsigned mailauth_arc_verifier_oldest_pass(const mailauth_arc_verifier *v)
{
    return v && v->decided && v->oldest_done ? v->oldest_pass : 0;
}

static const char *or_empty(const char *s) { return s ? s : ""; }

int mailauth_arc_verifier_set(const mailauth_arc_verifier *v, unsigned instance,
                              mailauth_arc_set *out)
{
    if (!v || !out || !v->m.finished || !v->sets || instance < 1 || instance > v->chain.n ||
        out->struct_size < sizeof(size_t))
        return MAILAUTH_E_INVAL;
    const struct aset *s = &v->sets[instance];
    mailauth_arc_set r;
    memset(&r, 0, sizeof r);
    r.struct_size = sizeof r;
    r.instance = instance;
    r.seal_cv = s->as.cv;
    r.seal_result = s->as_verdict.decided ? s->as_verdict.result
                    : s->as_parse          ? MAILAUTH_RESULT_FAIL
                                           : MAILAUTH_RESULT_NONE;
    r.seal_reason = s->as_verdict.decided ? s->as_verdict.reason : s->as_parse;
    r.seal_domain = or_empty(s->as.d);
    r.seal_selector = or_empty(s->as.s);
    r.ams_result = s->ams_verdict.decided ? s->ams_verdict.result : MAILAUTH_RESULT_NONE;
    r.ams_reason = s->ams_verdict.decided ? s->ams_verdict.reason : s->ams_parse;
    r.ams_domain = or_empty(s->ams.d);
    r.ams_selector = or_empty(s->ams.s);
    r.aar = or_empty(s->aar);
    ma_record_out(out, &r, sizeof r);
    return 0;
}

int mailauth_arc_verify(const mailauth_arc_verify_options *opts,
                        const mailauth_resolver *resolver, const void *msg, size_t len,
                        mailauth_arc_verifier **out)
{
    if (!out || !resolver || (!msg && len))
        return MAILAUTH_E_INVAL;
    *out = NULL;
    mailauth_arc_verifier *v;
    int rc = mailauth_arc_verifier_new(opts, &v);
    if (rc)
        return rc;
    rc = mailauth_arc_verifier_feed(v, msg, len);
    if (!rc)
        rc = mailauth_arc_verifier_finish(v);
    if (!rc)
        rc = mailauth_arc_verifier_run(v, resolver);
    if (rc) {
        mailauth_arc_verifier_free(v);
        return rc;
    }
    *out = v;
    return 0;
}

int mailauth_arc_to_ar(const mailauth_arc_verifier *v, struct mailauth_ar *ar)
{
    if (!v || !ar || !v->decided)
        return MAILAUTH_E_INVAL;
    int rc = mailauth_ar_add(ar, "arc", v->result, NULL);
    if (!rc && v->reason != MAILAUTH_ARC_OK && v->reason != MAILAUTH_ARC_NO_CHAIN)
        rc = mailauth_ar_set_comment(ar, mailauth_arc_reason_text(v->reason));
    if (!rc && v->oldest_done && v->result == MAILAUTH_RESULT_PASS) {
        char num[16];
        unsigned o = v->oldest_pass, k = sizeof num - 1;
        num[k] = '\0';
        do {
            num[--k] = (char)('0' + o % 10);
            o /= 10;
        } while (o);
        rc = mailauth_ar_add_prop(ar, "header", "oldest-pass", num + k);
    }
    return rc;
}
