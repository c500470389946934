/* dkim_signature.c — DKIM-Signature tag parsing (RFC 6376 §3.5), the algorithms (RFC 8301,
 * RFC 8463), strict base64 for b= / bh= / p=, and signing and verifying with an EVP key. */
#include "dkim_internal.h"

#include "lm_alloc.h"
#include "lm_ascii.h"

#include <openssl/evp.h>
#include <openssl/rsa.h>

#include <string.h>

/* ---- algorithms ------------------------------------------------------------------------- */

/* The registered algorithms: adding one is one line here (and its enum value). */
typedef struct alg_def {
    int alg;
    const char *name;      /* a= */
    int hash;              /* 1 = SHA-1, 256 = SHA-256 */
    int key_type;          /* 0 = k=rsa, 1 = k=ed25519 */
    int pkey_id;           /* the EVP key type that signs it */
    int prehash;           /* the signature is over the hash of the data (RFC 8463 §3) */
} alg_def;

static const alg_def algs[] = {
    {MA_DKIM_RSA_SHA256, "rsa-sha256", 256, 0, EVP_PKEY_RSA, 0},
    {MA_DKIM_RSA_SHA1, "rsa-sha1", 1, 0, EVP_PKEY_RSA, 0},
    {MA_DKIM_ED25519_SHA256, "ed25519-sha256", 256, 1, EVP_PKEY_ED25519, 1},
};

static const alg_def *alg_find(int alg)
{
    for (size_t i = 0; i < sizeof algs / sizeof algs[0]; i++)
        if (algs[i].alg == alg)
            return &algs[i];
    return NULL;
}

int ma_dkim_alg_hash(int alg)
{
    const alg_def *d = alg_find(alg);
    return d ? d->hash : 0;
}

int ma_dkim_alg_key_type(int alg)
{
    const alg_def *d = alg_find(alg);
    return d ? d->key_type : -1;
}

const char *ma_dkim_alg_name(int alg)
{
    const alg_def *d = alg_find(alg);
    return d ? d->name : NULL;
}

int ma_dkim_alg_from_name(const char *s, size_t n)
{
    for (size_t i = 0; i < sizeof algs / sizeof algs[0]; i++)
        if (lm_eq_nocase(s, n, algs[i].name))
            return algs[i].alg;
    return 0;
}

/* ---- base64 ------------------------------------------------------------------------------ */

/* Each octet's class plus one (0: not base64): its value 0-63, B64_SPACE for FWS, B64_PAD
 * for "=". */
enum { B64_SPACE = 64, B64_PAD = 65 };
static const unsigned char b64_plus1[256] = {
    ['A'] = 1, ['B'] = 2, ['C'] = 3, ['D'] = 4, ['E'] = 5, ['F'] = 6, ['G'] = 7, ['H'] = 8,
    ['I'] = 9, ['J'] = 10, ['K'] = 11, ['L'] = 12, ['M'] = 13, ['N'] = 14, ['O'] = 15,
    ['P'] = 16, ['Q'] = 17, ['R'] = 18, ['S'] = 19, ['T'] = 20, ['U'] = 21, ['V'] = 22,
    ['W'] = 23, ['X'] = 24, ['Y'] = 25, ['Z'] = 26, ['a'] = 27, ['b'] = 28, ['c'] = 29,
    ['d'] = 30, ['e'] = 31, ['f'] = 32, ['g'] = 33, ['h'] = 34, ['i'] = 35, ['j'] = 36,
    ['k'] = 37, ['l'] = 38, ['m'] = 39, ['n'] = 40, ['o'] = 41, ['p'] = 42, ['q'] = 43,
    ['r'] = 44, ['s'] = 45, ['t'] = 46, ['u'] = 47, ['v'] = 48, ['w'] = 49, ['x'] = 50,
    ['y'] = 51, ['z'] = 52, ['0'] = 53, ['1'] = 54, ['2'] = 55, ['3'] = 56, ['4'] = 57,
    ['5'] = 58, ['6'] = 59, ['7'] = 60, ['8'] = 61, ['9'] = 62, ['+'] = 63, ['/'] = 64,
    ['='] = B64_PAD + 1, [' '] = B64_SPACE + 1, ['\t'] = B64_SPACE + 1, ['\r'] = B64_SPACE + 1,
    ['\n'] = B64_SPACE + 1,
};

static unsigned b64_class(unsigned char c) { return (unsigned)b64_plus1[c] - 1u; }

int ma_dkim_b64_decode(const char *s, size_t n, unsigned char **out, size_t *out_len)
{
    *out = NULL;
    *out_len = 0;
    unsigned char *o = lm_malloc(n / 4 * 3 + 3);
    if (!o)
        return MAILAUTH_E_NOMEM;
    const unsigned char *u = (const unsigned char *)s;
    size_t k = 0, chars = 0, pad = 0;
    uint32_t acc = 0;
    for (size_t i = 0; i < n;) {
        /* Four data characters in a row, at a group start: the common case. */
        if (chars % 4 == 0 && i + 4 <= n) {
            unsigned a = b64_class(u[i]), b = b64_class(u[i + 1]), c = b64_class(u[i + 2]),
                     d = b64_class(u[i + 3]);
            if ((a | b | c | d) < 64 && !pad) {
                uint32_t v = a << 18 | b << 12 | c << 6 | d;
                o[k++] = (unsigned char)(v >> 16);
                o[k++] = (unsigned char)(v >> 8);
                o[k++] = (unsigned char)v;
                chars += 4;
                i += 4;
                continue;
            }
        }
        unsigned v = b64_class(u[i++]);
        if (v == B64_SPACE)
            continue;
        if (v == B64_PAD) {
            pad++;
            chars++;
            if (pad > 2)
                goto bad;
            continue;
        }
        if (v > B64_PAD || pad)
            goto bad;
        acc = (acc << 6) | v;
        chars++;
        if (chars % 4 == 0) {
            o[k++] = (unsigned char)(acc >> 16);
            o[k++] = (unsigned char)(acc >> 8);
            o[k++] = (unsigned char)acc;
            acc = 0;
        }
    }
    if (chars % 4)
        goto bad;
    if (pad) {
        /* The last group: "xx==" carries one octet, "xxx=" two; the unused bits must be 0. */
        size_t data = 4 - pad;
        if (data < 2)
            goto bad;
        uint32_t v = acc << (6 * pad);
        if (pad == 2 && (v & 0xffff))
            goto bad;
        if (pad == 1 && (v & 0xff))
            goto bad;
        o[k++] = (unsigned char)(v >> 16);
        if (pad == 1)
            o[k++] = (unsigned char)(v >> 8);
    }
    *out = o;
    *out_len = k;
    return 0;
bad:
    lm_free(o);
    return MAILAUTH_E_SYNTAX;
}

int ma_dkim_b64_encode(const unsigned char *p, size_t n, char **out, size_t *out_len)
{
    char *o = lm_malloc((n + 2) / 3 * 4 + 1);
    if (!o)
        return MAILAUTH_E_NOMEM;
    int k = n ? EVP_EncodeBlock((unsigned char *)o, p, (int)n) : 0;
    o[k] = '\0';
    *out = o;
    if (out_len)
        *out_len = (size_t)k;
    return 0;
}

/* ---- crypto ------------------------------------------------------------------------------ */

/* What is signed: the data with the algorithm's hash, or (prehash, RFC 8463 §3) the SHA-256 of
 * the data as the message of PureEdDSA. */
static int prepare(const alg_def *d, const unsigned char *data, size_t len, const EVP_MD **md,
                   unsigned char *hash, const unsigned char **msg, size_t *msg_len)
{
    const EVP_MD *h = d->hash == 1 ? EVP_sha1() : EVP_sha256();
    if (d->prehash) {
        unsigned hl = 0;
        if (EVP_Digest(data, len, hash, &hl, h, NULL) != 1)
            return MAILAUTH_E_NOMEM;
        *md = NULL;
        *msg = hash;
        *msg_len = hl;
        return 0;
    }
    *md = h;
    *msg = data;
    *msg_len = len;
    return 0;
}

/* The algorithm's definition when `key` can make or check its signatures, else NULL. */
static const alg_def *key_fits(int alg, EVP_PKEY *key)
{
    const alg_def *d = alg_find(alg);
    return d && key && EVP_PKEY_get_base_id(key) == d->pkey_id ? d : NULL;
}

EVP_PKEY_CTX *ma_dkim_ready_context(EVP_PKEY *key)
{
    if (!key || EVP_PKEY_get_base_id(key) != EVP_PKEY_RSA)
        return NULL;
    EVP_PKEY_CTX *c = EVP_PKEY_CTX_new_from_pkey(NULL, key, NULL);
    if (!c || EVP_PKEY_verify_init(c) != 1 ||
        EVP_PKEY_CTX_set_rsa_padding(c, RSA_PKCS1_PADDING) != 1 ||
        EVP_PKEY_CTX_set_signature_md(c, EVP_sha256()) != 1) {
        EVP_PKEY_CTX_free(c);
        return NULL;
    }
    return c;
}

/* rsa-sha256 through a ready context (the record's own copy): the digest, then the check. */
static int verify_ready(EVP_PKEY_CTX *ready, const unsigned char *data, size_t len,
                        const unsigned char *sig, size_t sig_len)
{
    unsigned char hash[32];
    unsigned hl = 0;
    if (EVP_Digest(data, len, hash, &hl, EVP_sha256(), NULL) != 1)
        return MAILAUTH_E_NOMEM;
    return EVP_PKEY_verify(ready, sig, sig_len, hash, hl) == 1;
}

int ma_dkim_verify_data(int alg, const ma_dkim_keyrec *k, const unsigned char *data, size_t len,
                        const unsigned char *sig, size_t sig_len)
{
    const EVP_MD *md;
    unsigned char hash[EVP_MAX_MD_SIZE];
    const unsigned char *msg;
    size_t msg_len;
    const alg_def *d = key_fits(alg, k->key);
    if (!d)
        return 0;
    if (alg == MA_DKIM_RSA_SHA256 && k->ready)
        return verify_ready(k->ready, data, len, sig, sig_len);
    int rc = prepare(d, data, len, &md, hash, &msg, &msg_len);
    if (rc)
        return rc;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    if (!ctx)
        return MAILAUTH_E_NOMEM;
    int ok = 0;
    if (EVP_DigestVerifyInit(ctx, NULL, md, NULL, k->key) == 1)
        ok = EVP_DigestVerify(ctx, sig, sig_len, msg, msg_len) == 1;
    EVP_MD_CTX_free(ctx);
    return ok;
}

int ma_dkim_sign_data(int alg, EVP_PKEY *key, const unsigned char *data, size_t len,
                      unsigned char **sig, size_t *sig_len)
{
    const EVP_MD *md;
    unsigned char hash[EVP_MAX_MD_SIZE];
    const unsigned char *msg;
    size_t msg_len, n = 0;
    *sig = NULL;
    const alg_def *d = key_fits(alg, key);
    if (!d)
        return MAILAUTH_E_INVAL;
    int rc = prepare(d, data, len, &md, hash, &msg, &msg_len);
    if (rc)
        return rc;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    unsigned char *s = NULL;
    rc = MAILAUTH_E_NOMEM;
    if (!ctx || EVP_DigestSignInit(ctx, NULL, md, NULL, key) != 1 ||
        EVP_DigestSign(ctx, NULL, &n, msg, msg_len) != 1)
        goto out;
    s = lm_malloc(n ? n : 1);
    if (!s || EVP_DigestSign(ctx, s, &n, msg, msg_len) != 1)
        goto out;
    *sig = s;
    *sig_len = n;
    s = NULL;
    rc = 0;
out:
    lm_free(s);
    EVP_MD_CTX_free(ctx);
    return rc;
}

int ma_dkim_sign_b64(int alg, EVP_PKEY *key, const lm_buf *data, char **b64)
{
    unsigned char *sig = NULL;
    size_t sig_len = 0;
    *b64 = NULL;
    int rc = ma_dkim_sign_data(alg, key, (const unsigned char *)data->data, data->len, &sig,
                               &sig_len);
    if (!rc)
        rc = ma_dkim_b64_encode(sig, sig_len, b64, NULL);
    lm_free(sig);
    return rc;
}

/* ---- DKIM-Signature ----------------------------------------------------------------------- */

/* A NUL-terminated copy of a tag value with FWS removed when `strip` (b=). */
static char *copy_value(const ma_tag *t, int strip)
{
    char *s = lm_malloc(t->value_len + 1);
    if (!s)
        return NULL;
    size_t k = 0;
    for (size_t i = 0; i < t->value_len; i++) {
        unsigned char c = (unsigned char)t->value[i];
        if (strip && lm_is_space(c))
            continue;
        s[k++] = (char)c;
    }
    s[k] = '\0';
    return s;
}

/* Decimal digits only, at most `max_digits`. */
static int parse_uint(const ma_tag *t, size_t max_digits, uint64_t *out)
{
    if (t->value_len == 0 || t->value_len > max_digits)
        return -1;
    uint64_t v = 0;
    for (size_t i = 0; i < t->value_len; i++) {
        if (!lm_is_digit((unsigned char)t->value[i]))
            return -1;
        v = v * 10 + (uint64_t)(t->value[i] - '0');
    }
    *out = v;
    return 0;
}

/* A domain name for d= (RFC 6376 §3.5 domain-name: labels of letters, digits, '-', '_' in
 * practice; we accept any octet but controls, space, ';' and '@' and leave the rest to the
 * DNS name check of the key lookup). */
static int plausible_name(const char *s)
{
    if (!*s)
        return 0;
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c <= ' ' || c == 0x7f || c == ';' || c == '@')
            return 0;
    }
    return 1;
}

/* h=: field names separated by ":" with FWS around. */
static int parse_h(const ma_tag *t, size_t max, ma_dkim_sig *sig)
{
    size_t names = 1;
    for (size_t i = 0; i < t->value_len; i++)
        if (t->value[i] == ':')
            names++;
    if (names > max)
        return MAILAUTH_DKIM_SIG_TOO_MANY_H;
    char *block = lm_malloc(t->value_len + 1);
    sig->h = lm_calloc(names, sizeof *sig->h);
    sig->h_lens = lm_calloc(names, sizeof *sig->h_lens);
    if (!block || !sig->h || !sig->h_lens) {
        lm_free(block);
        return MAILAUTH_E_NOMEM;
    }
    size_t k = 0, n = 0, i = 0;
    while (i <= t->value_len) {
        while (i < t->value_len && lm_is_space((unsigned char)t->value[i]))
            i++;
        size_t start = k;
        while (i < t->value_len && t->value[i] != ':' && !lm_is_space((unsigned char)t->value[i])) {
            unsigned char c = (unsigned char)t->value[i];
            if (c < 0x21 || c > 0x7e) {
                lm_free(block);
                return MAILAUTH_DKIM_SIG_VALUE;
            }
            block[k++] = (char)c;
            i++;
        }
        while (i < t->value_len && lm_is_space((unsigned char)t->value[i]))
            i++;
        if (k == start || (i < t->value_len && t->value[i] != ':')) {
            lm_free(block);
            return MAILAUTH_DKIM_SIG_VALUE;
        }
        sig->h_lens[n] = k - start;
        sig->h[n++] = block + start;
        block[k++] = '\0';
        i++; /* the ':' (or past the end) */
    }
    sig->h_count = n;
    return 0;
}

/* i= domain is d= or a subdomain of it (ASCII case ignored). */
static int identity_in_domain(const char *i, const char *d)
{
    const char *at = strrchr(i, '@');
    if (!at)
        return 0;
    const char *dom = at + 1;
    size_t dl = strlen(dom), ql = strlen(d);
    if (dl < ql || lm_strncasecmp(dom + dl - ql, d, ql))
        return 0;
    return dl == ql || dom[dl - ql - 1] == '.';
}

/* The reason a signature's tags make it unusable, or 0. Fills `sig` as it goes. */
static int parse_tags(const ma_tag *tags, size_t n, unsigned flags, size_t max_h,
                      ma_dkim_sig *sig)
{
    const ma_tag *v = ma_tag_find(tags, n, "v"), *a = ma_tag_find(tags, n, "a"),
                 *b = ma_tag_find(tags, n, "b"), *bh = ma_tag_find(tags, n, "bh"),
                 *c = ma_tag_find(tags, n, "c"), *d = ma_tag_find(tags, n, "d"),
                 *h = ma_tag_find(tags, n, "h"), *i = ma_tag_find(tags, n, "i"),
                 *l = ma_tag_find(tags, n, "l"), *q = ma_tag_find(tags, n, "q"),
                 *s = ma_tag_find(tags, n, "s"), *t = ma_tag_find(tags, n, "t"),
                 *x = ma_tag_find(tags, n, "x");
    int ams = (flags & MA_DKIM_SIG_AMS) != 0;
    /* Copies for reporting first, so that even a rejected signature says what it was. */
    if ((d && !(sig->d = copy_value(d, 0))) || (s && !(sig->s = copy_value(s, 0))) ||
        (a && !(sig->a_text = copy_value(a, 0))) || (c && !(sig->c_text = copy_value(c, 0))) ||
        (h && !(sig->h_text = copy_value(h, 0))) || (b && !(sig->b_text = copy_value(b, 1))))
        return MAILAUTH_E_NOMEM;
    if ((!ams && !v) || !a || !b || !bh || !d || !h || !s || (ams && !i))
        return MAILAUTH_DKIM_SIG_MISSING_TAG;
    if (!ams && !(v->value_len == 1 && v->value[0] == '1'))
        return MAILAUTH_DKIM_SIG_VERSION;
    if (!(sig->alg = ma_dkim_alg_from_name(a->value, a->value_len)))
        return MAILAUTH_DKIM_SIG_ALGORITHM;
    sig->hcanon = sig->bcanon = MA_DKIM_SIMPLE;
    if (c) {
        const char *slash = memchr(c->value, '/', c->value_len);
        size_t hl = slash ? (size_t)(slash - c->value) : c->value_len;
        const char *bv = slash ? slash + 1 : NULL;
        size_t bl = slash ? c->value_len - hl - 1 : 0;
        int hc = lm_eq_nocase(c->value, hl, "simple") ? MA_DKIM_SIMPLE
                 : lm_eq_nocase(c->value, hl, "relaxed") ? MA_DKIM_RELAXED : -1;
        int bc = !bv ? MA_DKIM_SIMPLE
                 : lm_eq_nocase(bv, bl, "simple") ? MA_DKIM_SIMPLE
                 : lm_eq_nocase(bv, bl, "relaxed") ? MA_DKIM_RELAXED : -1;
        if (hc < 0 || bc < 0)
            return MAILAUTH_DKIM_SIG_CANON;
        sig->hcanon = hc;
        sig->bcanon = bc;
    }
    if (q) {
        /* A colon-separated list of methods; dns/txt is the only one defined. */
        int found = 0;
        size_t p = 0;
        while (p <= q->value_len && !found) {
            size_t e = p;
            while (e < q->value_len && q->value[e] != ':')
                e++;
            size_t ss = p, ee = e;
            while (ss < ee && lm_is_space((unsigned char)q->value[ss]))
                ss++;
            while (ee > ss && lm_is_space((unsigned char)q->value[ee - 1]))
                ee--;
            found = lm_eq_nocase(q->value + ss, ee - ss, "dns/txt") ||
                    lm_eq_nocase(q->value + ss, ee - ss, "dns");
            p = e + 1;
        }
        if (!found)
            return MAILAUTH_DKIM_SIG_QUERY;
    }
    if (!plausible_name(sig->d) || !plausible_name(sig->s))
        return MAILAUTH_DKIM_SIG_VALUE;
    int rc = parse_h(h, max_h ? max_h : MA_DKIM_MAX_H_NAMES, sig);
    if (rc)
        return rc;
    if (ams) {
        uint64_t inst;
        if (parse_uint(i, 2, &inst) || inst < 1 || inst > 50)
            return MAILAUTH_DKIM_SIG_VALUE;
        sig->instance = (unsigned)inst;
    } else if (i) {
        if (!(sig->i = copy_value(i, 0)))
            return MAILAUTH_E_NOMEM;
        if (!identity_in_domain(sig->i, sig->d))
            return MAILAUTH_DKIM_SIG_IDENTITY;
    }
    if (!sig->i && !ams) {
        size_t dl = strlen(sig->d);
        if (!(sig->i = lm_malloc(dl + 2)))
            return MAILAUTH_E_NOMEM;
        sig->i[0] = '@';
        memcpy(sig->i + 1, sig->d, dl + 1);
    }
    /* §5.4: From must be signed (an AMS follows the same rule, RFC 8617 §4.1.2). */
    int from = 0;
    for (size_t k = 0; k < sig->h_count; k++)
        if (lm_eq_nocase(sig->h[k], sig->h_lens[k], "from"))
            from = 1;
    if (!from)
        return MAILAUTH_DKIM_SIG_FROM_NOT_SIGNED;
    uint64_t u;
    if (l) {
        /* 1*76DIGIT; values past 2^64 cannot match a body and are capped. */
        if (l->value_len > 76)
            return MAILAUTH_DKIM_SIG_VALUE;
        size_t z = 0;
        while (z + 1 < l->value_len && l->value[z] == '0')
            z++;
        ma_tag tt = *l;
        tt.value += z;
        tt.value_len -= z;
        if (tt.value_len > 19) {
            for (size_t k = 0; k < tt.value_len; k++)
                if (!lm_is_digit((unsigned char)tt.value[k]))
                    return MAILAUTH_DKIM_SIG_VALUE;
            u = UINT64_MAX;
        } else if (parse_uint(&tt, 19, &u))
            return MAILAUTH_DKIM_SIG_VALUE;
        sig->has_l = 1;
        sig->l = u;
    }
    /* t= and x= are 1*12DIGIT. */
    if (t) {
        if (parse_uint(t, 12, &u))
            return MAILAUTH_DKIM_SIG_VALUE;
        sig->has_t = 1;
        sig->t = (int64_t)u;
    }
    if (x) {
        if (parse_uint(x, 12, &u))
            return MAILAUTH_DKIM_SIG_VALUE;
        sig->has_x = 1;
        sig->x = (int64_t)u;
    }
    if (sig->has_t && sig->has_x && sig->x < sig->t)
        return MAILAUTH_DKIM_SIG_X_BEFORE_T;
    rc = ma_dkim_b64_decode(b->value, b->value_len, &sig->b, &sig->b_len);
    if (!rc)
        rc = ma_dkim_b64_decode(bh->value, bh->value_len, &sig->bh, &sig->bh_len);
    if (rc == MAILAUTH_E_NOMEM)
        return rc;
    if (rc || sig->b_len == 0 || sig->bh_len == 0)
        return MAILAUTH_DKIM_SIG_BASE64;
    return 0;
}

int ma_dkim_sig_parse(const char *value, size_t len, unsigned flags, size_t max_h,
                      ma_dkim_sig *sig)
{
    memset(sig, 0, sizeof *sig);
    ma_tag tags[MA_DKIM_MAX_TAGS];
    size_t n;
    if (ma_tag_list_parse(value, len, tags, MA_DKIM_MAX_TAGS, &n, NULL))
        return MAILAUTH_DKIM_SIG_SYNTAX;
    return parse_tags(tags, n, flags, max_h, sig);
}

void ma_dkim_sig_free(ma_dkim_sig *sig)
{
    if (!sig)
        return;
    lm_free(sig->d);
    lm_free(sig->s);
    lm_free(sig->i);
    lm_free(sig->a_text);
    lm_free(sig->c_text);
    lm_free(sig->h_text);
    lm_free(sig->b_text);
    if (sig->h && sig->h_count)
        lm_free(sig->h[0]);
    lm_free(sig->h);
    lm_free(sig->h_lens);
    lm_free(sig->b);
    lm_free(sig->bh);
    memset(sig, 0, sizeof *sig);
}
