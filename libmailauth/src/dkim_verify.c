/* dkim_verify.c — the streaming DKIM verifier (RFC 6376 §6): header block kept, body hashed as
 * it arrives for each signature, keys fetched through the per-check DNS memo (blocking or step
 * by step), verdicts per signature with RFC 8301's rules. */
#include "dkim_internal.h"

#include "lm_alloc.h"
#include "lm_ascii.h"

#include <openssl/evp.h>

#include <string.h>
#include <time.h>

struct vsig {
    ma_dkim_sig sig;
    int parse_reason;        /* 0 or a mailauth_dkim_reason from parsing */
    size_t field;            /* index of the DKIM-Signature field */
    ma_dkim_sig_body hash;
    ma_dkim_verdict verdict;
    unsigned key_bits;
    int key_testing;
};

struct mailauth_dkim_verifier {
    mailauth_dkim_verify_options o;
    ma_dkim_message m;
    struct vsig *sigs;
    size_t nsigs;            /* DKIM-Signature fields found */
    size_t nchecked;         /* of which at most max_signatures are checked */
};

static const char *const reason_texts[] = {
    [MAILAUTH_DKIM_OK] = "signature verified",
    [MAILAUTH_DKIM_SIG_SYNTAX] = "malformed signature tag list",
    [MAILAUTH_DKIM_SIG_MISSING_TAG] = "signature lacks a required tag",
    [MAILAUTH_DKIM_SIG_VERSION] = "unsupported signature version",
    [MAILAUTH_DKIM_SIG_ALGORITHM] = "unknown signature algorithm",
    [MAILAUTH_DKIM_SIG_CANON] = "unknown canonicalization",
    [MAILAUTH_DKIM_SIG_QUERY] = "unsupported query method",
    [MAILAUTH_DKIM_SIG_VALUE] = "malformed signature tag value",
    [MAILAUTH_DKIM_SIG_BASE64] = "malformed base64 in b= or bh=",
    [MAILAUTH_DKIM_SIG_IDENTITY] = "i= domain does not match d=",
    [MAILAUTH_DKIM_SIG_FROM_NOT_SIGNED] = "From field not signed",
    [MAILAUTH_DKIM_SIG_EXPIRED] = "signature expired",
    [MAILAUTH_DKIM_SIG_FUTURE] = "signature timestamp in the future",
    [MAILAUTH_DKIM_SIG_X_BEFORE_T] = "signature expires before its timestamp",
    [MAILAUTH_DKIM_SIG_BODY_LENGTH] = "l= is longer than the body",
    [MAILAUTH_DKIM_SIG_TOO_MANY_H] = "too many header fields in h=",
    [MAILAUTH_DKIM_NOT_CHECKED] = "signature not checked (limit)",
    [MAILAUTH_DKIM_KEY_NOT_FOUND] = "no key for signature",
    [MAILAUTH_DKIM_KEY_TEMPFAIL] = "key unavailable (DNS failure)",
    [MAILAUTH_DKIM_KEY_MULTIPLE] = "several key records",
    [MAILAUTH_DKIM_KEY_SYNTAX] = "malformed key record",
    [MAILAUTH_DKIM_KEY_VERSION] = "unsupported key record version",
    [MAILAUTH_DKIM_KEY_UNKNOWN_TYPE] = "unknown key type",
    [MAILAUTH_DKIM_KEY_TYPE_MISMATCH] = "key type does not match the algorithm",
    [MAILAUTH_DKIM_KEY_HASH] = "key does not allow the signature's hash",
    [MAILAUTH_DKIM_KEY_SERVICE] = "key not for email",
    [MAILAUTH_DKIM_KEY_STRICT] = "key requires i= domain equal to d=",
    [MAILAUTH_DKIM_KEY_REVOKED] = "key revoked",
    [MAILAUTH_DKIM_KEY_INVALID] = "key record holds no usable key",
    [MAILAUTH_DKIM_KEY_TOO_SMALL] = "RSA key too small",
    [MAILAUTH_DKIM_WEAK_ALGORITHM] = "rsa-sha1 not accepted (RFC 8301)",
    [MAILAUTH_DKIM_BODY_HASH] = "body hash did not verify",
    [MAILAUTH_DKIM_BAD_SIGNATURE] = "signature did not verify",
};

const char *mailauth_dkim_reason_text(int reason)
{
    return ma_reason_text(reason_texts, sizeof reason_texts / sizeof reason_texts[0], reason);
}

void mailauth_dkim_verify_options_init(mailauth_dkim_verify_options *opts)
{
    if (!opts)
        return;
    memset(opts, 0, sizeof *opts);
    opts->struct_size = sizeof *opts;
}

int mailauth_dkim_verifier_new(const mailauth_dkim_verify_options *opts,
                               mailauth_dkim_verifier **out)
{
    if (!out)
        return MAILAUTH_E_INVAL;
    *out = NULL;
    mailauth_dkim_verify_options o;
    mailauth_dkim_verify_options_init(&o);
    if (ma_record_in(&o, sizeof o, opts))
        return MAILAUTH_E_INVAL;
    if (!o.clock_skew)
        o.clock_skew = MAILAUTH_DKIM_DEFAULT_CLOCK_SKEW;
    if (o.clock_skew < 0)
        o.clock_skew = 0;
    if (!o.future_tolerance)
        o.future_tolerance = MAILAUTH_DKIM_DEFAULT_FUTURE_TOLERANCE;
    if (!o.max_signatures)
        o.max_signatures = MAILAUTH_DKIM_DEFAULT_MAX_SIGNATURES;
    ma_dkim_limits_default(&o.min_rsa_bits, &o.max_header_bytes, &o.max_header_fields,
                           &o.max_h_names);
    mailauth_dkim_verifier *v = lm_calloc(1, sizeof *v);
    if (!v)
        return MAILAUTH_E_NOMEM;
    v->o = o;
    ma_dkim_message_init(&v->m, o.max_header_bytes);
    *out = v;
    return 0;
}

void mailauth_dkim_verifier_free(mailauth_dkim_verifier *v)
{
    if (!v)
        return;
    for (size_t i = 0; i < v->nchecked; i++) {
        ma_dkim_sig_free(&v->sigs[i].sig);
        ma_dkim_body_free(&v->sigs[i].hash.body);
    }
    lm_free(v->sigs);
    ma_dkim_message_free(&v->m);
    lm_free(v);
}

static int is_signature_field(const char *text, const ma_dkim_field *f)
{
    return lm_eq_nocase(text + f->off, f->name_len, "DKIM-Signature");
}

/* The header block is complete: index its fields, parse the signatures, start their body
 * hashes. */
static int headers_done(void *user)
{
    mailauth_dkim_verifier *v = user;
    const char *text = v->m.rd.head.data ? v->m.rd.head.data : "";
    int rc = ma_dkim_index_fields(text, v->m.rd.head.len, v->o.max_header_fields, &v->m.fields,
                                  &v->m.nfields, &v->m.used);
    if (rc)
        return rc;
    for (size_t i = 0; i < v->m.nfields; i++)
        if (is_signature_field(text, &v->m.fields[i]))
            v->nsigs++;
    if (!v->nsigs)
        return 0;
    v->sigs = lm_calloc(v->nsigs, sizeof *v->sigs);
    if (!v->sigs)
        return MAILAUTH_E_NOMEM;
    size_t k = 0;
    for (size_t i = 0; i < v->m.nfields; i++) {
        const ma_dkim_field *f = &v->m.fields[i];
        if (!is_signature_field(text, f))
            continue;
        struct vsig *s = &v->sigs[k++];
        s->field = i;
        if (k > v->o.max_signatures) {
            s->parse_reason = MAILAUTH_DKIM_NOT_CHECKED;
            continue;
        }
        v->nchecked = k;
        const char *colon = memchr(text + f->off, ':', f->len);
        if (!colon) {
            s->parse_reason = MAILAUTH_DKIM_SIG_SYNTAX;
            continue;
        }
        size_t vo = (size_t)(colon - text) + 1;
        rc = ma_dkim_sig_parse(text + vo, f->off + f->len - vo, 0, v->o.max_h_names, &s->sig);
        if (rc < 0)
            return rc;
        s->parse_reason = rc;
        if (rc)
            continue;
        if ((rc = ma_dkim_sig_body_start(&s->hash, &s->sig)))
            return rc;
    }
    return 0;
}

static void body_feed(void *user, const unsigned char *p, size_t n)
{
    mailauth_dkim_verifier *v = user;
    for (size_t i = 0; i < v->nchecked; i++)
        ma_dkim_sig_body_feed(&v->sigs[i].hash, p, n);
}

int mailauth_dkim_verifier_feed(mailauth_dkim_verifier *v, const void *data, size_t len)
{
    if (!v || (!data && len) || v->m.finished)
        return MAILAUTH_E_INVAL;
    return ma_dkim_reader_pass(&v->m.rd, &v->m.broken, data, len, headers_done, body_feed, v);
}

int mailauth_dkim_verifier_finish(mailauth_dkim_verifier *v)
{
    if (!v || v->m.finished)
        return MAILAUTH_E_INVAL;
    int rc = ma_dkim_reader_end(&v->m.rd, &v->m.broken, headers_done, v);
    for (size_t i = 0; !rc && i < v->nchecked; i++)
        rc = ma_dkim_sig_body_end(&v->sigs[i].hash);
    if (rc) {
        v->m.broken = rc;
        return rc;
    }
    v->m.finished = 1;
    return 0;
}

/* ---- what the ARC verifier shares -------------------------------------------------------- */

void ma_dkim_message_init(ma_dkim_message *m, size_t max_header_bytes)
{
    memset(m, 0, sizeof *m);
    m->rd.max = max_header_bytes;
    ma_dns_init(&m->dns, 0);
}

void ma_dkim_message_free(ma_dkim_message *m)
{
    lm_free(m->fields);
    lm_free(m->used);
    lm_buf_free(&m->rd.head);
    lm_buf_free(&m->scratch);
    ma_dns_clear(&m->dns);
}

void ma_dkim_limits_default(unsigned *min_rsa_bits, size_t *max_header_bytes,
                            size_t *max_header_fields, size_t *max_h_names)
{
    if (!*min_rsa_bits)
        *min_rsa_bits = MAILAUTH_DKIM_DEFAULT_MIN_RSA_BITS;
    if (!*max_header_bytes)
        *max_header_bytes = MAILAUTH_DKIM_DEFAULT_MAX_HEADER_BYTES;
    if (!*max_header_fields)
        *max_header_fields = MAILAUTH_DKIM_DEFAULT_MAX_HEADER_FIELDS;
    if (!*max_h_names)
        *max_h_names = MAILAUTH_DKIM_DEFAULT_MAX_H_NAMES;
}

/* ---- verdicts ---------------------------------------------------------------------------- */

int ma_dkim_decide(ma_dkim_verdict *v, int result, int reason)
{
    v->decided = 1;
    v->result = result;
    v->reason = reason;
    return 0;
}

int ma_dkim_check_signed(int data_rc, int alg, const ma_dkim_keyrec *k, const lm_buf *data,
                         const unsigned char *b, size_t b_len)
{
    if (data_rc == MAILAUTH_E_SYNTAX)
        return MAILAUTH_DKIM_SIG_SYNTAX;
    if (data_rc)
        return data_rc;
    int rc = ma_dkim_verify_data(alg, k, (const unsigned char *)data->data, data->len, b, b_len);
    if (rc < 0)
        return rc;
    return rc == 1 ? MAILAUTH_DKIM_OK : MAILAUTH_DKIM_BAD_SIGNATURE;
}

static int64_t now(const mailauth_dkim_verifier *v)
{
    return v->o.clock ? v->o.clock(v->o.clock_user) : (int64_t)time(NULL);
}

/* The reason the checks that need no key refuse a signature (RFC 6376 §3.5 t= x= l=, RFC 8301
 * §3.1), or 0. */
static int precheck(const mailauth_dkim_verifier *v, const struct vsig *s)
{
    const ma_dkim_sig *g = &s->sig;
    int64_t t = now(v);
    if (g->has_x && t > g->x + v->o.clock_skew)
        return MAILAUTH_DKIM_SIG_EXPIRED;
    if (g->has_t && v->o.future_tolerance >= 0 && g->t > t + v->o.future_tolerance)
        return MAILAUTH_DKIM_SIG_FUTURE;
    if (g->has_l && g->l > s->hash.total)
        return MAILAUTH_DKIM_SIG_BODY_LENGTH;
    if (g->alg == MA_DKIM_RSA_SHA1 && !v->o.allow_sha1)
        return MAILAUTH_DKIM_WEAK_ALGORITHM;
    return 0;
}

/* The header hash input (§3.7): the selected fields, then the signature field itself without
 * its b= value and without its final CRLF, both canonicalised. */
static int header_data(mailauth_dkim_verifier *v, const struct vsig *s)
{
    const char *text = v->m.rd.head.data;
    const ma_dkim_field *f = &v->m.fields[s->field];
    lm_buf_reset(&v->m.scratch);
    int rc = ma_dkim_canon_selected_except(s->sig.hcanon, text, v->m.fields, v->m.nfields, s->field,
                                           v->m.used, (const char *const *)s->sig.h,
                                           s->sig.h_lens, s->sig.h_count, &v->m.scratch);
    if (rc)
        return rc;
    lm_buf stripped = LM_BUF_INIT;
    rc = ma_dkim_strip_b(text + f->off, f->len, &stripped);
    if (!rc)
        rc = ma_dkim_canon_header(s->sig.hcanon, stripped.data, stripped.len, 1, &v->m.scratch);
    lm_buf_free(&stripped);
    return rc;
}

/* The result a reason gives (RFC 6376 §6.1, RFC 8301): a small key, rsa-sha1 and a signature or
 * body hash that does not hold fail; a DNS failure is temporary; the rest are permanent. */
static int result_of(int reason)
{
    switch (reason) {
    case MAILAUTH_DKIM_OK:
        return MAILAUTH_RESULT_PASS;
    case MAILAUTH_DKIM_KEY_TEMPFAIL:
        return MAILAUTH_RESULT_TEMPERROR;
    case MAILAUTH_DKIM_KEY_TOO_SMALL:
    case MAILAUTH_DKIM_WEAK_ALGORITHM:
    case MAILAUTH_DKIM_BODY_HASH:
    case MAILAUTH_DKIM_BAD_SIGNATURE:
        return MAILAUTH_RESULT_FAIL;
    default:
        return MAILAUTH_RESULT_PERMERROR;
    }
}

static int check_one(mailauth_dkim_verifier *v, struct vsig *s)
{
    if (s->parse_reason)
        return ma_dkim_decide(&s->verdict, MAILAUTH_RESULT_PERMERROR, s->parse_reason);
    int why = precheck(v, s);
    if (why)
        return ma_dkim_decide(&s->verdict, result_of(why), why);
    const ma_dkim_sig *g = &s->sig;
    ma_dkim_keyrec k;
    int rc = ma_dkim_key_fetch(&v->m.dns, v->o.key_cache, g->d, g->s, g->alg, g->i, v->o.min_rsa_bits, &k, &why);
    if (rc)
        return rc;
    s->key_testing = k.testing;
    s->key_bits = k.bits;
    if (!why && !ma_dkim_sig_body_matches(&s->hash, g))
        why = MAILAUTH_DKIM_BODY_HASH;
    if (!why)
        why = ma_dkim_check_signed(header_data(v, s), g->alg, &k, &v->m.scratch, g->b, g->b_len);
    ma_dkim_keyrec_free(&k);
    if (why < 0)
        return why;
    return ma_dkim_decide(&s->verdict, result_of(why), why);
}

/* Decides every signature not yet decided, in order; stops at the first that needs DNS.
 * A decided signature keeps its verdict, so re-running is cheap and gives the same. */
static int evaluate(void *user)
{
    mailauth_dkim_verifier *v = user;
    for (size_t i = 0; i < v->nsigs; i++) {
        struct vsig *s = &v->sigs[i];
        if (s->verdict.decided)
            continue;
        if (i >= v->nchecked) {
            ma_dkim_decide(&s->verdict, MAILAUTH_RESULT_NONE, MAILAUTH_DKIM_NOT_CHECKED);
            continue;
        }
        int rc = check_one(v, s);
        if (rc)
            return rc;
    }
    return 0;
}

int mailauth_dkim_verifier_step(mailauth_dkim_verifier *v, mailauth_query *query)
{
    if (!v || !query || !v->m.finished)
        return MAILAUTH_E_INVAL;
    return ma_dns_step(&v->m.dns, evaluate, v, query);
}

int mailauth_dkim_verifier_answer(mailauth_dkim_verifier *v, const mailauth_dns_answer *answer)
{
    if (!v || !answer)
        return MAILAUTH_E_INVAL;
    return ma_dns_answer(&v->m.dns, answer);
}

int mailauth_dkim_verifier_run(mailauth_dkim_verifier *v, const mailauth_resolver *resolver)
{
    if (!v || !resolver || !resolver->lookup || !v->m.finished)
        return MAILAUTH_E_INVAL;
    return ma_dns_run(&v->m.dns, resolver, evaluate, v);
}

size_t mailauth_dkim_verifier_count(const mailauth_dkim_verifier *v)
{
    return v && v->m.finished ? v->nsigs : 0;
}

static const char *or_empty(const char *s) { return s ? s : ""; }

int mailauth_dkim_verifier_result(const mailauth_dkim_verifier *v, size_t i,
                                  mailauth_dkim_signature *out)
{
    if (!v || !out || !v->m.finished || i >= v->nsigs || out->struct_size < sizeof(size_t))
        return MAILAUTH_E_INVAL;
    const struct vsig *s = &v->sigs[i];
    const ma_dkim_sig *g = &s->sig;
    mailauth_dkim_signature r;
    memset(&r, 0, sizeof r);
    r.struct_size = sizeof r;
    r.result = s->verdict.decided ? s->verdict.result : MAILAUTH_RESULT_NONE;
    r.reason = s->verdict.decided ? s->verdict.reason
                                  : (s->parse_reason ? s->parse_reason : MAILAUTH_DKIM_OK);
    r.reason_text = mailauth_dkim_reason_text(r.reason);
    r.domain = or_empty(g->d);
    r.selector = or_empty(g->s);
    r.identity = or_empty(g->i);
    r.algorithm = or_empty(g->a_text);
    r.canonicalization = or_empty(g->c_text);
    r.headers = or_empty(g->h_text);
    r.signature = or_empty(g->b_text);
    r.timestamp = g->has_t ? g->t : -1;
    r.expiration = g->has_x ? g->x : -1;
    r.has_body_length = g->has_l;
    r.body_length = g->l;
    r.body_total = s->hash.total;
    r.key_bits = s->key_bits;
    r.key_testing = s->key_testing;
    ma_record_out(out, &r, sizeof r);
    return 0;
}

int mailauth_dkim_verify(const mailauth_dkim_verify_options *opts,
                         const mailauth_resolver *resolver, const void *msg, size_t len,
                         mailauth_dkim_verifier **out)
{
    if (!out || !resolver || (!msg && len))
        return MAILAUTH_E_INVAL;
    *out = NULL;
    mailauth_dkim_verifier *v;
    int rc = mailauth_dkim_verifier_new(opts, &v);
    if (rc)
        return rc;
    rc = mailauth_dkim_verifier_feed(v, msg, len);
    if (!rc)
        rc = mailauth_dkim_verifier_finish(v);
    if (!rc)
        rc = mailauth_dkim_verifier_run(v, resolver);
    if (rc) {
        mailauth_dkim_verifier_free(v);
        return rc;
    }
    *out = v;
    return 0;
}
