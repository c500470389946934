/* sasl_cram_md5.c — the CRAM-MD5 mechanism (RFC 2195): the user name, a space and the hex
 * HMAC-MD5 of the server's challenge keyed with the password. */
#include "ms_internal.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <string.h>

static int cram_step(ms_sasl *s, const unsigned char *chal, size_t n, lm_buf *resp)
{
    if (s->step || !chal)
        return MS_SASL_CANCEL;
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned mac_len = 0;
    size_t key_len = strlen(s->cr->password);
    if (key_len > 0x7fffffff ||
        !HMAC(EVP_md5(), s->cr->password, (int)key_len, chal, n, mac, &mac_len) || mac_len != 16)
        return MS_SASL_CANCEL;
    char hex[33];
    ms_hex(mac, 16, hex);
    lm_buf_puts(resp, s->cr->user);
    lm_buf_putc(resp, ' ');
    lm_buf_append(resp, hex, 32);
    return 0;
}

const ms_sasl_mech ms_sasl_cram_md5 = {
    "CRAM-MD5", MS_SASL_PASSWORD, 4, 0, cram_step,
};
