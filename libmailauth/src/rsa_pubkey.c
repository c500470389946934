/* rsa_pubkey.c — RSA public keys from DER, through OpenSSL's DER reader and
 * EVP_PKEY_fromdata(). d2i_PUBKEY() goes through OpenSSL 3's decoder framework, which costs
 * some 200 µs a key (more than the signature check it serves); reading the two integers and
 * building the key from them costs some 5 µs. A DKIM verifier parses a key per message. */
#include "ma_internal.h"

#include <openssl/asn1.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/param_build.h>

/* Reads one DER element of `tag` (universal class) from *p (at most `end`): its content is
 * [*content, *content + *len); *p moves past it. 0 on success, -1 otherwise. */
static int element(const unsigned char **p, const unsigned char *end, int tag, int constructed,
                   const unsigned char **content, long *len)
{
    const unsigned char *q = *p;
    int t, cls;
    if (q >= end)
        return -1;
    int r = ASN1_get_object(&q, len, &t, &cls, end - q);
    if ((r & 0x80) || cls != V_ASN1_UNIVERSAL || t != tag || !(r & V_ASN1_CONSTRUCTED) != !constructed ||
        *len < 0 || *len > end - q)
        return -1;
    *content = q;
    *p = q + *len;
    return 0;
}

/* A non-negative INTEGER as a BIGNUM, or NULL. */
static BIGNUM *integer(const unsigned char **p, const unsigned char *end)
{
    const unsigned char *start = *p, *c;
    long n;
    if (element(p, end, V_ASN1_INTEGER, 0, &c, &n) || n == 0 || (c[0] & 0x80))
        return NULL;
    const unsigned char *q = start;
    ASN1_INTEGER *ai = d2i_ASN1_INTEGER(NULL, &q, *p - start);
    BIGNUM *bn = ai && q == *p ? ASN1_INTEGER_to_BN(ai, NULL) : NULL;
    ASN1_INTEGER_free(ai);
    return bn;
}

/* RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER } filling the whole of
 * [p, end). */
static EVP_PKEY *rsa_public_key(const unsigned char *p, const unsigned char *end)
{
    const unsigned char *seq;
    long len;
    if (element(&p, end, V_ASN1_SEQUENCE, 1, &seq, &len) || p != end)
        return NULL;
    const unsigned char *seq_end = seq + len;
    BIGNUM *n = integer(&seq, seq_end);
    BIGNUM *e = n ? integer(&seq, seq_end) : NULL;
    EVP_PKEY *key = NULL;
    if (n && e && seq == seq_end) {
        OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
        OSSL_PARAM *params = NULL;
        EVP_PKEY_CTX *ctx = NULL;
        if (bld && OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n) &&
            OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e) &&
            (params = OSSL_PARAM_BLD_to_param(bld)) &&
            (ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL)) && EVP_PKEY_fromdata_init(ctx) == 1 &&
            EVP_PKEY_fromdata(ctx, &key, EVP_PKEY_PUBLIC_KEY, params) != 1)
            key = NULL;
        EVP_PKEY_CTX_free(ctx);
        OSSL_PARAM_free(params);
        OSSL_PARAM_BLD_free(bld);
    }
    BN_free(n);
    BN_free(e);
    return key;
}

EVP_PKEY *ma_rsa_public_key_der(const unsigned char *der, size_t len)
{
    if (!der || len == 0 || len > 65536)
        return NULL;
    const unsigned char *p = der, *end = der + len, *spki, *alg, *bits;
    long spki_len, alg_len, bits_len;
    if (element(&p, end, V_ASN1_SEQUENCE, 1, &spki, &spki_len) || p != end)
        return NULL;
    const unsigned char *spki_end = spki + spki_len;
    /* A bare RSAPublicKey starts with the modulus. */
    const unsigned char *probe = spki;
    const unsigned char *c;
    long n;
    if (!element(&probe, spki_end, V_ASN1_INTEGER, 0, &c, &n))
        return rsa_public_key(der, end);
    /* SubjectPublicKeyInfo ::= SEQUENCE { AlgorithmIdentifier, BIT STRING } */
    if (element(&spki, spki_end, V_ASN1_SEQUENCE, 1, &alg, &alg_len))
        return NULL;
    const unsigned char *alg_end = alg + alg_len, *oid_start = alg;
    if (element(&alg, alg_end, V_ASN1_OBJECT, 0, &c, &n))
        return NULL;
    const unsigned char *q = oid_start;
    ASN1_OBJECT *oid = d2i_ASN1_OBJECT(NULL, &q, alg - oid_start);
    int nid = oid ? OBJ_obj2nid(oid) : NID_undef;
    ASN1_OBJECT_free(oid);
    if (nid != NID_rsaEncryption)
        return NULL;
    if (alg != alg_end && (element(&alg, alg_end, V_ASN1_NULL, 0, &c, &n) || alg != alg_end))
        return NULL; /* parameters: absent or NULL */
    if (element(&spki, spki_end, V_ASN1_BIT_STRING, 0, &bits, &bits_len) || spki != spki_end ||
        bits_len < 1 || bits[0] != 0)
        return NULL;
    return rsa_public_key(bits + 1, bits + bits_len);
}
