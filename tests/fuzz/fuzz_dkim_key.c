/* fuzz_dkim_key.c — libFuzzer harness for DKIM key records (RFC 6376 §3.6.1, RFC 8463 §4):
 * parses the input as a TXT record's text, and as the private key text a signer loads. Checks:
 * a record that parses has a key of its k= type; a revoked one has none; a loaded private key
 * publishes a record that parses back to the same type. */
#include <stdint.h>
#include <string.h>

#include <openssl/evp.h>

#include "dkim_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ma_dkim_keyrec k;
    int rc = ma_dkim_key_parse((const char *)data, size, &k);
    if (rc == 0) {
        if (!k.key)
            __builtin_trap();
        int id = EVP_PKEY_get_base_id(k.key);
        if (k.k == 1 ? id != EVP_PKEY_ED25519 : id != EVP_PKEY_RSA)
            __builtin_trap();
    } else if (rc == MAILAUTH_DKIM_KEY_REVOKED && (k.key || !k.revoked)) {
        __builtin_trap();
    }
    ma_dkim_keyrec_free(&k);

    if (size > 8192)
        return 0;
    mailauth_dkim_key *pk = NULL;
    if (mailauth_dkim_key_load(data, size, &pk) == 0) {
        char rec[2048];
        size_t len;
        if (mailauth_dkim_key_record(pk, rec, sizeof rec, &len) == 0) {
            if (ma_dkim_key_parse(rec, len, &k) != 0 ||
                (k.k == 1) != (mailauth_dkim_key_algorithm(pk) == MAILAUTH_DKIM_ED25519_SHA256))
                __builtin_trap();
            ma_dkim_keyrec_free(&k);
        }
    }
    mailauth_dkim_key_free(pk);
    return 0;
}
