/* test_rsa_pubkey.c — RSA public keys read from DER without OpenSSL's decoders: the same key
 * as d2i_PUBKEY() for SubjectPublicKeyInfo and bare RSAPublicKey forms of several sizes, and
 * NULL for everything else (other key types, truncation, trailing data, bad encodings). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "ma_internal.h"

static void same_key_as_openssl(void **state)
{
    (void)state;
    static const unsigned bits[] = {512, 1024, 2048, 3072};
    for (size_t i = 0; i < sizeof bits / sizeof *bits; i++) {
        EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)bits[i]);
        assert_non_null(k);
        unsigned char *spki = NULL, *bare = NULL;
        int spki_len = i2d_PUBKEY(k, &spki);
        int bare_len = i2d_PublicKey(k, &bare);
        assert_true(spki_len > 0 && bare_len > 0);

        EVP_PKEY *a = ma_rsa_public_key_der(spki, (size_t)spki_len);
        EVP_PKEY *b = ma_rsa_public_key_der(bare, (size_t)bare_len);
        assert_non_null(a);
        assert_non_null(b);
        assert_int_equal(EVP_PKEY_eq(a, k), 1);
        assert_int_equal(EVP_PKEY_eq(b, k), 1);
        assert_int_equal(EVP_PKEY_get_bits(a), (int)bits[i]);

        /* Every truncation, and any trailing octet, is refused. */
        for (int n = 0; n < spki_len; n += n < 40 ? 1 : 37)
            assert_null(ma_rsa_public_key_der(spki, (size_t)n));
        unsigned char *longer = malloc((size_t)spki_len + 1);
        memcpy(longer, spki, (size_t)spki_len);
        longer[spki_len] = 0;
        assert_null(ma_rsa_public_key_der(longer, (size_t)spki_len + 1));
        /* A flipped bit in the algorithm OID is another algorithm. */
        static const unsigned char rsa_oid[9] = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01};
        int at = 0;
        while (at + 9 <= spki_len && memcmp(longer + at, rsa_oid, 9) != 0)
            at++;
        assert_true(at + 9 <= spki_len);
        longer[at + 8] = 0x02;
        assert_null(ma_rsa_public_key_der(longer, (size_t)spki_len));
        free(longer);
        EVP_PKEY_free(a);
        EVP_PKEY_free(b);
        OPENSSL_free(spki);
        OPENSSL_free(bare);
        EVP_PKEY_free(k);
    }
}

static void other_keys_and_garbage_are_refused(void **state)
{
    (void)state;
    EVP_PKEY *ed = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
    unsigned char *der = NULL;
    int len = i2d_PUBKEY(ed, &der);
    assert_null(ma_rsa_public_key_der(der, (size_t)len));
    OPENSSL_free(der);
    EVP_PKEY_free(ed);

    static const unsigned char negative[] = {0x30, 0x06, 0x02, 0x01, 0x85, 0x02, 0x01, 0x03};
    static const unsigned char empty_int[] = {0x30, 0x05, 0x02, 0x00, 0x02, 0x01, 0x03};
    static const unsigned char three_ints[] = {0x30, 0x09, 0x02, 0x01, 0x05, 0x02, 0x01, 0x03,
                                               0x02, 0x01, 0x01};
    static const unsigned char overlong[] = {0x30, 0x84, 0x7f, 0xff, 0xff, 0xff, 0x02, 0x01};
    static const unsigned char not_seq[] = {0x04, 0x02, 0x01, 0x01};
    assert_null(ma_rsa_public_key_der(negative, sizeof negative));
    assert_null(ma_rsa_public_key_der(empty_int, sizeof empty_int));
    assert_null(ma_rsa_public_key_der(three_ints, sizeof three_ints));
    assert_null(ma_rsa_public_key_der(overlong, sizeof overlong));
    assert_null(ma_rsa_public_key_der(not_seq, sizeof not_seq));
    assert_null(ma_rsa_public_key_der(NULL, 0));
    assert_null(ma_rsa_public_key_der((const unsigned char *)"", 0));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(same_key_as_openssl),
        cmocka_unit_test(other_keys_and_garbage_are_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
