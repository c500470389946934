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
    ma_dkim_body body;
    int hashing;             /* body is set up */
    unsigned char bh[EVP_MAX_MD_SIZE];
    size_t bh_len;
    uint64_t body_total;
    int decided, result, reason;
    unsigned key_bits;
    int key_testing;
};

struct mailauth_dkim_verifier {
    mailauth_dkim_verify_options o;
    ma_dkim_reader rd;
    int finished;            /* finish() done */
    int broken;              /* a feed failed: the verifier is unusable */
    ma_dkim_field *fields;
    size_t nfields;
    unsigned char *used;     /* per field, for header selection */
    struct vsig *sigs;
    size_t nsigs;            /* DKIM-Signature fields found */
    size_t nchecked;         /* of which at most max_signatures are checked */
    ma_dns dns;
    lm_buf scratch;
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
    if (reason < 0 || (size_t)reason >= sizeof reason_texts / sizeof reason_texts[0] ||
        !reason_texts[reason])
        return "unknown reason";
    return reason_texts[reason];
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
    if (opts) {
        if (opts->struct_size < sizeof(size_t) || opts->struct_size > sizeof o)
            return MAILAUTH_E_INVAL;
        memcpy(&o, opts, opts->struct_size);
        o.struct_size = sizeof o;
    }
    if (!o.clock_skew)
        o.clock_skew = MAILAUTH_DKIM_DEFAULT_CLOCK_SKEW;
    if (o.clock_skew < 0)
        o.clock_skew = 0;
    if (!o.future_tolerance)
        o.future_tolerance = MAILAUTH_DKIM_DEFAULT_FUTURE_TOLERANCE;
    if (!o.min_rsa_bits)
        o.min_rsa_bits = MAILAUTH_DKIM_DEFAULT_MIN_RSA_BITS;
    if (!o.max_signatures)
        o.max_signatures = MAILAUTH_DKIM_DEFAULT_MAX_SIGNATURES;
    if (!o.max_header_bytes)
        o.max_header_bytes = MAILAUTH_DKIM_DEFAULT_MAX_HEADER_BYTES;
    if (!o.max_header_fields)
        o.max_header_fields = MAILAUTH_DKIM_DEFAULT_MAX_HEADER_FIELDS;
    if (!o.max_h_names)
        o.max_h_names = MAILAUTH_DKIM_DEFAULT_MAX_H_NAMES;
    mailauth_dkim_verifier *v = lm_calloc(1, sizeof *v);
    if (!v)
        return MAILAUTH_E_NOMEM;
    v->o = o;
    v->rd.max = o.max_header_bytes;
    ma_dns_init(&v->dns, 0);
    *out = v;
    return 0;
}

void mailauth_dkim_verifier_free(mailauth_dkim_verifier *v)
{
    if (!v)
        return;
    for (size_t i = 0; i < v->nchecked; i++) {
        ma_dkim_sig_free(&v->sigs[i].sig);
        ma_dkim_body_free(&v->sigs[i].body);
    }
    lm_free(v->sigs);
    lm_free(v->fields);
    lm_free(v->used);
    lm_buf_free(&v->rd.head);
    lm_buf_free(&v->scratch);
    ma_dns_clear(&v->dns);
    lm_free(v);
}

static int is_signature_field(const char *text, const ma_dkim_field *f)
{
    return lm_eq_nocase(text + f->off, f->name_len, "DKIM-Signature");
}

/* The header block is complete: index its fields, parse the signatures, start their body
 * hashes. */
static int headers_done(mailauth_dkim_verifier *v)
{
    const char *text = v->rd.head.data ? v->rd.head.data : "";
    int rc = ma_dkim_split_fields(text, v->rd.head.len, v->o.max_header_fields, &v->fields,
                                  &v->nfields);
    if (rc)
        return rc;
    v->used = lm_calloc(v->nfields ? v->nfields : 1, 1);
    if (!v->used)
        return MAILAUTH_E_NOMEM;
    for (size_t i = 0; i < v->nfields; i++)
        if (is_signature_field(text, &v->fields[i]))
            v->nsigs++;
    if (!v->nsigs)
        return 0;
    v->sigs = lm_calloc(v->nsigs, sizeof *v->sigs);
    if (!v->sigs)
        return MAILAUTH_E_NOMEM;
    size_t k = 0;
    for (size_t i = 0; i < v->nfields; i++) {
        const ma_dkim_field *f = &v->fields[i];
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
        rc = ma_dkim_body_init(&s->body, s->sig.bcanon, s->sig.alg,
                               s->sig.has_l ? s->sig.l : UINT64_MAX, NULL);
        if (rc)
            return rc;
        s->hashing = 1;
    }
    return 0;
}

static void body_feed(mailauth_dkim_verifier *v, const unsigned char *p, size_t n)
{
    if (!n)
        return;
    for (size_t i = 0; i < v->nchecked; i++)
        if (v->sigs[i].hashing)
            ma_dkim_body_feed(&v->sigs[i].body, p, n);
}

int mailauth_dkim_verifier_feed(mailauth_dkim_verifier *v, const void *data, size_t len)
{
    if (!v || (!data && len) || v->finished)
        return MAILAUTH_E_INVAL;
    if (v->broken)
        return v->broken;
    int was_body = v->rd.in_body;
    const unsigned char *body;
    size_t body_len;
    int rc = ma_dkim_reader_feed(&v->rd, data, len, &body, &body_len);
    if (!rc && !was_body && v->rd.in_body)
        rc = headers_done(v);
    if (rc) {
        v->broken = rc;
        return rc;
    }
    body_feed(v, body, body_len);
    return 0;
}

int mailauth_dkim_verifier_finish(mailauth_dkim_verifier *v)
{
    if (!v || v->finished)
        return MAILAUTH_E_INVAL;
    if (v->broken)
        return v->broken;
    if (!v->rd.in_body) {
        v->rd.in_body = 1;
        int rc = headers_done(v);
        if (rc) {
            v->broken = rc;
            return rc;
        }
    }
    for (size_t i = 0; i < v->nchecked; i++) {
        struct vsig *s = &v->sigs[i];
        if (!s->hashing)
            continue;
        int rc = ma_dkim_body_finish(&s->body, s->bh, &s->bh_len);
        s->body_total = s->body.length;
        ma_dkim_body_free(&s->body);
        s->hashing = 0;
        if (rc) {
            v->broken = rc;
            return rc;
        }
    }
    v->finished = 1;
    return 0;
}

/* ---- verdicts ---------------------------------------------------------------------------- */

static int decide(struct vsig *s, int result, int reason)
{
    s->decided = 1;
    s->result = result;
    s->reason = reason;
    return 0;
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
    if (g->has_l && g->l > s->body_total)
        return MAILAUTH_DKIM_SIG_BODY_LENGTH;
    if (g->alg == MA_DKIM_RSA_SHA1 && !v->o.allow_sha1)
        return MAILAUTH_DKIM_WEAK_ALGORITHM;
    return 0;
}

/* The key's own rules against the signature (RFC 6376 §3.6.1, §6.1.2). 0 or a reason. */
static int key_fits(const mailauth_dkim_verifier *v, const ma_dkim_sig *g, const ma_dkim_keyrec *k)
{
    if (ma_dkim_alg_key_type(g->alg) != k->k)
        return MAILAUTH_DKIM_KEY_TYPE_MISMATCH;
    if (ma_dkim_alg_hash(g->alg) == 1 ? !k->hash_sha1 : !k->hash_sha256)
        return MAILAUTH_DKIM_KEY_HASH;
    if (k->strict) {
        const char *at = strrchr(g->i, '@');
        if (!at || strlen(at + 1) != strlen(g->d) || lm_strncasecmp(at + 1, g->d, strlen(g->d)))
            return MAILAUTH_DKIM_KEY_STRICT;
    }
    if (k->k == 0 && k->bits < v->o.min_rsa_bits)
        return MAILAUTH_DKIM_KEY_TOO_SMALL;
    return 0;
}

/* The header hash input (§3.7): the selected fields, then the signature field itself without
 * its b= value and without its final CRLF, both canonicalised. */
static int header_data(mailauth_dkim_verifier *v, const struct vsig *s)
{
    const char *text = v->rd.head.data;
    const ma_dkim_field *f = &v->fields[s->field];
    lm_buf_reset(&v->scratch);
    int rc = ma_dkim_canon_selected_except(s->sig.hcanon, text, v->fields, v->nfields, s->field,
                                           v->used, (const char *const *)s->sig.h,
                                           s->sig.h_lens, s->sig.h_count, &v->scratch);
    if (rc)
        return rc;
    lm_buf stripped = LM_BUF_INIT;
    rc = ma_dkim_strip_b(text + f->off, f->len, &stripped);
    if (!rc)
        rc = ma_dkim_canon_header(s->sig.hcanon, stripped.data, stripped.len, 1, &v->scratch);
    lm_buf_free(&stripped);
    return rc;
}

static int check_one(mailauth_dkim_verifier *v, struct vsig *s)
{
    if (s->parse_reason)
        return decide(s, MAILAUTH_RESULT_PERMERROR, s->parse_reason);
    int why = precheck(v, s);
    if (why)
        return decide(s, why == MAILAUTH_DKIM_WEAK_ALGORITHM ? MAILAUTH_RESULT_FAIL
                                                              : MAILAUTH_RESULT_PERMERROR,
                      why);
    const ma_dkim_sig *g = &s->sig;
    /* <selector>._domainkey.<domain> */
    size_t sl = strlen(g->s), dl = strlen(g->d);
    if (sl + dl + 12 > MA_NAME_TEXT_MAX)
        return decide(s, MAILAUTH_RESULT_PERMERROR, MAILAUTH_DKIM_SIG_VALUE);
    char name[MA_NAME_TEXT_MAX + 1];
    memcpy(name, g->s, sl);
    memcpy(name + sl, "._domainkey.", 12);
    memcpy(name + sl + 12, g->d, dl + 1);
    const mailauth_dns_answer *a;
    int rc = ma_dns_lookup(&v->dns, name, MAILAUTH_RR_TXT, &a);
    if (rc == MAILAUTH_E_INVAL)
        return decide(s, MAILAUTH_RESULT_PERMERROR, MAILAUTH_DKIM_SIG_VALUE);
    if (rc)
        return rc;
    switch (mailauth_dns_answer_result(a)) {
    case MAILAUTH_DNS_FOUND:
        break;
    case MAILAUTH_DNS_TEMPFAIL:
        return decide(s, MAILAUTH_RESULT_TEMPERROR, MAILAUTH_DKIM_KEY_TEMPFAIL);
    default: /* NXDOMAIN, NODATA, and failures a retry will not mend */
        return decide(s, MAILAUTH_RESULT_PERMERROR, MAILAUTH_DKIM_KEY_NOT_FOUND);
    }
    if (mailauth_dns_answer_count(a) > 1)
        return decide(s, MAILAUTH_RESULT_PERMERROR, MAILAUTH_DKIM_KEY_MULTIPLE);
    const mailauth_dns_record *r = mailauth_dns_answer_record(a, 0);
    ma_dkim_keyrec k;
    rc = ma_dkim_key_parse(r->text, r->text_len, &k);
    s->key_testing = k.testing;
    if (rc < 0)
        return rc;
    if (rc) {
        ma_dkim_keyrec_free(&k);
        return decide(s, MAILAUTH_RESULT_PERMERROR, rc);
    }
    s->key_bits = k.bits;
    why = key_fits(v, g, &k);
    if (why) {
        ma_dkim_keyrec_free(&k);
        return decide(s, why == MAILAUTH_DKIM_KEY_TOO_SMALL ? MAILAUTH_RESULT_FAIL
                                                             : MAILAUTH_RESULT_PERMERROR,
                      why);
    }
    if (s->bh_len != g->bh_len || memcmp(s->bh, g->bh, s->bh_len)) {
        ma_dkim_keyrec_free(&k);
        return decide(s, MAILAUTH_RESULT_FAIL, MAILAUTH_DKIM_BODY_HASH);
    }
    rc = header_data(v, s);
    if (rc == MAILAUTH_E_SYNTAX) {
        ma_dkim_keyrec_free(&k);
        return decide(s, MAILAUTH_RESULT_PERMERROR, MAILAUTH_DKIM_SIG_SYNTAX);
    }
    if (!rc)
        rc = ma_dkim_verify_data(g->alg, k.key, (const unsigned char *)v->scratch.data,
                                 v->scratch.len, g->b, g->b_len);
    ma_dkim_keyrec_free(&k);
    if (rc < 0)
        return rc;
    return rc == 1 ? decide(s, MAILAUTH_RESULT_PASS, MAILAUTH_DKIM_OK)
                   : decide(s, MAILAUTH_RESULT_FAIL, MAILAUTH_DKIM_BAD_SIGNATURE);
}

/* Decides every signature not yet decided, in order; stops at the first that needs DNS.
 * A decided signature keeps its verdict, so re-running is cheap and gives the same. */
static int evaluate(mailauth_dkim_verifier *v)
{
    for (size_t i = 0; i < v->nsigs; i++) {
        struct vsig *s = &v->sigs[i];
        if (s->decided)
            continue;
        if (i >= v->nchecked) {
            decide(s, MAILAUTH_RESULT_NONE, MAILAUTH_DKIM_NOT_CHECKED);
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
    if (!v || !query || !v->finished)
        return MAILAUTH_E_INVAL;
    v->dns.resolver = NULL;
    int rc = evaluate(v);
    if (rc == MAILAUTH_NEED_DNS)
        return ma_dns_pending(&v->dns, query);
    return rc;
}

int mailauth_dkim_verifier_answer(mailauth_dkim_verifier *v, const mailauth_dns_answer *answer)
{
    if (!v || !answer)
        return MAILAUTH_E_INVAL;
    return ma_dns_answer(&v->dns, answer);
}

int mailauth_dkim_verifier_run(mailauth_dkim_verifier *v, const mailauth_resolver *resolver)
{
    if (!v || !resolver || !resolver->lookup || !v->finished)
        return MAILAUTH_E_INVAL;
    v->dns.resolver = resolver;
    int rc = evaluate(v);
    v->dns.resolver = NULL;
    return rc == MAILAUTH_NEED_DNS ? MAILAUTH_E_INVAL : rc;
}

size_t mailauth_dkim_verifier_count(const mailauth_dkim_verifier *v)
{
    return v && v->finished ? v->nsigs : 0;
}

static const char *or_empty(const char *s) { return s ? s : ""; }

int mailauth_dkim_verifier_result(const mailauth_dkim_verifier *v, size_t i,
                                  mailauth_dkim_signature *out)
{
    if (!v || !out || !v->finished || i >= v->nsigs || out->struct_size < sizeof(size_t))
        return MAILAUTH_E_INVAL;
    const struct vsig *s = &v->sigs[i];
    const ma_dkim_sig *g = &s->sig;
    mailauth_dkim_signature r;
    memset(&r, 0, sizeof r);
    r.struct_size = sizeof r;
    r.result = s->decided ? s->result : MAILAUTH_RESULT_NONE;
    r.reason = s->decided ? s->reason : (s->parse_reason ? s->parse_reason : MAILAUTH_DKIM_OK);
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
    r.body_total = s->body_total;
    r.key_bits = s->key_bits;
    r.key_testing = s->key_testing;
    size_t n = out->struct_size < sizeof r ? out->struct_size : sizeof r;
    memcpy(out, &r, n);
    out->struct_size = n;
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
