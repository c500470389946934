/* dkim_key.c — DKIM keys: the public key record (RFC 6376 §3.6.1, RFC 8463 §4) and the
 * private keys a signer loads (PEM PKCS#1 / PKCS#8, or a raw Ed25519 seed). */
#include "dkim_internal.h"

#include "lm_alloc.h"
#include "lm_ascii.h"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h> /* i2d_PUBKEY */

#include <string.h>

/* Calls `fn` for each item of a colon-separated list (items trimmed of FWS); stops and
 * returns 1 when `fn` does. */
static int list_any(const char *s, size_t n, int (*fn)(const char *, size_t, void *), void *user)
{
    size_t p = 0;
    while (p <= n) {
        size_t e = p;
        while (e < n && s[e] != ':')
            e++;
        size_t a = p, b = e;
        while (a < b && lm_is_space((unsigned char)s[a]))
            a++;
        while (b > a && lm_is_space((unsigned char)s[b - 1]))
            b--;
        if (fn(s + a, b - a, user))
            return 1;
        p = e + 1;
    }
    return 0;
}

static int is_item(const char *s, size_t n, void *user) { return lm_eq_nocase(s, n, user); }

static int is_email_service(const char *s, size_t n, void *user)
{
    (void)user;
    return lm_eq_nocase(s, n, "email") || lm_eq_nocase(s, n, "*");
}

/* The public key of p=: rsa a SubjectPublicKeyInfo, or the bare RSAPublicKey many signers
 * publish (rsa_pubkey.c reads both without OpenSSL's slower decoder framework); ed25519 the
 * raw 32 octets. NULL when it is none of these. */
static EVP_PKEY *public_key(int k, const unsigned char *der, size_t len)
{
    if (k == 1)
        return len == 32 ? EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, der, len) : NULL;
    return ma_rsa_public_key_der(der, len);
}

int ma_dkim_key_parse(const char *text, size_t len, ma_dkim_keyrec *rec)
{
    memset(rec, 0, sizeof *rec);
    ma_tag tags[MA_DKIM_MAX_TAGS];
    size_t n;
    if (ma_tag_list_parse(text, len, tags, MA_DKIM_MAX_TAGS, &n, NULL))
        return MAILAUTH_DKIM_KEY_SYNTAX;
    const ma_tag *v = ma_tag_find(tags, n, "v"), *h = ma_tag_find(tags, n, "h"),
                 *k = ma_tag_find(tags, n, "k"), *p = ma_tag_find(tags, n, "p"),
                 *s = ma_tag_find(tags, n, "s"), *t = ma_tag_find(tags, n, "t");
    /* v= is optional but, when present, first and exactly DKIM1. */
    if (v && (v != &tags[0] || !(v->value_len == 5 && !memcmp(v->value, "DKIM1", 5))))
        return MAILAUTH_DKIM_KEY_VERSION;
    if (k) {
        if (lm_eq_nocase(k->value, k->value_len, "rsa"))
            rec->k = 0;
        else if (lm_eq_nocase(k->value, k->value_len, "ed25519"))
            rec->k = 1;
        else
            return MAILAUTH_DKIM_KEY_UNKNOWN_TYPE;
    }
    if (h) {
        rec->hash_sha1 = list_any(h->value, h->value_len, is_item, "sha1");
        rec->hash_sha256 = list_any(h->value, h->value_len, is_item, "sha256");
    } else {
        rec->hash_sha1 = rec->hash_sha256 = 1;
    }
    if (t) {
        rec->testing = list_any(t->value, t->value_len, is_item, "y");
        rec->strict = list_any(t->value, t->value_len, is_item, "s");
    }
    if (s && !list_any(s->value, s->value_len, is_email_service, NULL))
        return MAILAUTH_DKIM_KEY_SERVICE;
    if (!p)
        return MAILAUTH_DKIM_KEY_SYNTAX;
    unsigned char *der;
    size_t der_len;
    int rc = ma_dkim_b64_decode(p->value, p->value_len, &der, &der_len);
    if (rc == MAILAUTH_E_NOMEM)
        return rc;
    if (rc)
        return MAILAUTH_DKIM_KEY_INVALID;
    if (der_len == 0) {
        lm_free(der);
        rec->revoked = 1;
        return MAILAUTH_DKIM_KEY_REVOKED;
    }
    rec->key = public_key(rec->k, der, der_len);
    lm_free(der);
    if (!rec->key)
        return MAILAUTH_DKIM_KEY_INVALID;
    rec->bits = (unsigned)EVP_PKEY_get_bits(rec->key);
    return 0;
}

void ma_dkim_keyrec_free(ma_dkim_keyrec *rec)
{
    if (!rec)
        return;
    EVP_PKEY_free(rec->key);
    rec->key = NULL;
    EVP_PKEY_CTX_free(rec->ready);
    rec->ready = NULL;
}

int ma_dkim_key_fits(int alg, const ma_dkim_keyrec *k, const char *identity, const char *d,
                     unsigned min_rsa_bits)
{
    if (ma_dkim_alg_key_type(alg) != k->k)
        return MAILAUTH_DKIM_KEY_TYPE_MISMATCH;
    if (ma_dkim_alg_hash(alg) == 1 ? !k->hash_sha1 : !k->hash_sha256)
        return MAILAUTH_DKIM_KEY_HASH;
    if (k->strict && identity) {
        const char *at = strrchr(identity, '@');
        if (!at || strlen(at + 1) != strlen(d) || lm_strncasecmp(at + 1, d, strlen(d)))
            return MAILAUTH_DKIM_KEY_STRICT;
    }
    if (k->k == 0 && k->bits < min_rsa_bits)
        return MAILAUTH_DKIM_KEY_TOO_SMALL;
    return 0;
}

int ma_dkim_key_fetch(ma_dns *dns, mailauth_dkim_key_cache *cache, const char *d, const char *s,
                      int alg, const char *identity, unsigned min_rsa_bits, ma_dkim_keyrec *rec,
                      int *reason)
{
    memset(rec, 0, sizeof *rec);
    size_t sl = strlen(s), dl = strlen(d);
    if (sl + dl + 12 > MA_NAME_TEXT_MAX) {
        *reason = MAILAUTH_DKIM_SIG_VALUE;
        return 0;
    }
    char name[MA_NAME_TEXT_MAX + 1];
    memcpy(name, s, sl);
    memcpy(name + sl, "._domainkey.", 12);
    memcpy(name + sl + 12, d, dl + 1);
    const mailauth_dns_answer *a;
    int rc = ma_dns_lookup(dns, name, MAILAUTH_RR_TXT, &a);
    if (rc == MAILAUTH_E_INVAL) {
        *reason = MAILAUTH_DKIM_SIG_VALUE;
        return 0;
    }
    if (rc)
        return rc;
    switch (mailauth_dns_answer_result(a)) {
    case MAILAUTH_DNS_FOUND:
        break;
    case MAILAUTH_DNS_TEMPFAIL:
        *reason = MAILAUTH_DKIM_KEY_TEMPFAIL;
        return 0;
    default: /* NXDOMAIN, NODATA, and failures a retry will not mend */
        *reason = MAILAUTH_DKIM_KEY_NOT_FOUND;
        return 0;
    }
    if (mailauth_dns_answer_count(a) > 1) {
        *reason = MAILAUTH_DKIM_KEY_MULTIPLE;
        return 0;
    }
    const mailauth_dns_record *r = mailauth_dns_answer_record(a, 0);
    rc = ma_dkim_key_parse_cached(cache, r->text, r->text_len, rec);
    if (rc < 0) {
        ma_dkim_keyrec_free(rec);
        return rc;
    }
    *reason = rc ? rc : ma_dkim_key_fits(alg, rec, identity, d, min_rsa_bits);
    return 0;
}

/* ---- private keys ------------------------------------------------------------------------ */

struct mailauth_dkim_key {
    EVP_PKEY *pkey;
    int alg;
};

EVP_PKEY *ma_dkim_key_pkey(const mailauth_dkim_key *k) { return k->pkey; }

/* A base64 text that decodes to exactly 32 octets: an Ed25519 seed (dkimpy's key files). */
static EVP_PKEY *raw_seed(const char *text, size_t len, int *nomem)
{
    unsigned char *seed;
    size_t n;
    int rc = ma_dkim_b64_decode(text, len, &seed, &n);
    if (rc == MAILAUTH_E_NOMEM)
        *nomem = 1;
    if (rc)
        return NULL;
    EVP_PKEY *key = NULL;
    if (n == 32)
        key = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, seed, n);
    OPENSSL_cleanse(seed, n);
    lm_free(seed);
    return key;
}

static int has_pem_marker(const char *s, size_t n)
{
    for (size_t i = 0; i + 10 <= n; i++)
        if (s[i] == '-' && !memcmp(s + i, "-----BEGIN", 10))
            return 1;
    return 0;
}

int mailauth_dkim_key_load(const void *text, size_t len, mailauth_dkim_key **out)
{
    if (!out || (!text && len) || len > INT32_MAX)
        return MAILAUTH_E_INVAL;
    *out = NULL;
    EVP_PKEY *pkey = NULL;
    int nomem = 0;
    if (has_pem_marker(text, len)) {
        BIO *bio = BIO_new_mem_buf(text, (int)len);
        if (!bio)
            return MAILAUTH_E_NOMEM;
        pkey = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
        BIO_free(bio);
    } else {
        pkey = raw_seed(text, len, &nomem);
    }
    if (!pkey)
        return nomem ? MAILAUTH_E_NOMEM : MAILAUTH_E_SYNTAX;
    int id = EVP_PKEY_get_base_id(pkey);
    int alg = id == EVP_PKEY_RSA ? MA_DKIM_RSA_SHA256
              : id == EVP_PKEY_ED25519 ? MA_DKIM_ED25519_SHA256 : 0;
    if (!alg) {
        EVP_PKEY_free(pkey);
        return MAILAUTH_E_UNSUPPORTED;
    }
    mailauth_dkim_key *k = lm_calloc(1, sizeof *k);
    if (!k) {
        EVP_PKEY_free(pkey);
        return MAILAUTH_E_NOMEM;
    }
    k->pkey = pkey;
    k->alg = alg;
    *out = k;
    return 0;
}

void mailauth_dkim_key_free(mailauth_dkim_key *k)
{
    if (!k)
        return;
    EVP_PKEY_free(k->pkey);
    lm_free(k);
}

int mailauth_dkim_key_algorithm(const mailauth_dkim_key *k) { return k ? k->alg : 0; }

int mailauth_dkim_key_record(const mailauth_dkim_key *k, char *buf, size_t size, size_t *len)
{
    if (!k || !buf || !size)
        return MAILAUTH_E_INVAL;
    buf[0] = '\0';
    unsigned char raw[32], *der = NULL;
    size_t n = 0;
    int rc = MAILAUTH_E_NOMEM;
    if (k->alg == MA_DKIM_ED25519_SHA256) {
        n = sizeof raw;
        if (EVP_PKEY_get_raw_public_key(k->pkey, raw, &n) != 1)
            return MAILAUTH_E_NOMEM;
    } else {
        int l = i2d_PUBKEY(k->pkey, &der);
        if (l <= 0)
            return MAILAUTH_E_NOMEM;
        n = (size_t)l;
    }
    char *b64 = NULL;
    size_t b64_len;
    rc = ma_dkim_b64_encode(der ? der : raw, n, &b64, &b64_len);
    OPENSSL_free(der);
    if (rc)
        return rc;
    const char *head = k->alg == MA_DKIM_ED25519_SHA256 ? "v=DKIM1; k=ed25519; p="
                                                        : "v=DKIM1; k=rsa; p=";
    size_t hl = strlen(head);
    if (hl + b64_len + 1 > size) {
        lm_free(b64);
        return MAILAUTH_E_LIMIT;
    }
    memcpy(buf, head, hl);
    memcpy(buf + hl, b64, b64_len + 1);
    lm_free(b64);
    if (len)
        *len = hl + b64_len;
    return 0;
}
