/* sasl_plain.c — the PLAIN mechanism (RFC 4616): authzid NUL authcid NUL password, at once. */
#include "ms_internal.h"

static int plain_step(ms_sasl *s, const unsigned char *chal, size_t n, lm_buf *resp)
{
    (void)chal;
    (void)n;
    if (s->step)
        return MS_SASL_CANCEL;
    if (s->cr->authzid)
        lm_buf_puts(resp, s->cr->authzid);
    lm_buf_putc(resp, '\0');
    lm_buf_puts(resp, s->cr->user);
    lm_buf_putc(resp, '\0');
    lm_buf_puts(resp, s->cr->password);
    return 0;
}

const ms_sasl_mech ms_sasl_plain = {
    "PLAIN", MS_SASL_PASSWORD | MS_SASL_INITIAL, 2, 2, plain_step,
};
