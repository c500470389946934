/* sasl_oauth.c — bearer-token mechanisms: OAUTHBEARER (RFC 7628 §3) and Google's XOAUTH2. Both
 * send the token at once; a server that refuses sends a JSON error as a challenge, which the
 * client answers with the dummy response each defines before the final reply. */
#include "ms_internal.h"

#include <string.h>

/* RFC 5801 §5 saslname: "," and "=" are written =2C and =3D. */
static void put_saslname(lm_buf *b, const char *s)
{
    for (; *s; s++) {
        if (*s == ',')
            lm_buf_puts(b, "=2C");
        else if (*s == '=')
            lm_buf_puts(b, "=3D");
        else
            lm_buf_putc(b, *s);
    }
}

static int oauthbearer_step(ms_sasl *s, const unsigned char *chal, size_t n, lm_buf *resp)
{
    (void)chal;
    (void)n;
    if (s->step == 1) {
        lm_buf_putc(resp, 0x01);   /* §3.2.3: the error challenge is answered with %x01 */
        return 0;
    }
    if (s->step)
        return MS_SASL_CANCEL;
    lm_buf_puts(resp, "n,a=");
    put_saslname(resp, s->cr->authzid ? s->cr->authzid : s->cr->user);
    lm_buf_puts(resp, ",\x01");
    if (s->cr->server_name) {
        lm_buf_puts(resp, "host=");
        lm_buf_puts(resp, s->cr->server_name);
        lm_buf_putc(resp, 0x01);
    }
    lm_buf_puts(resp, "auth=Bearer ");
    lm_buf_puts(resp, s->cr->token);
    lm_buf_puts(resp, "\x01\x01");
    return 0;
}

static int xoauth2_step(ms_sasl *s, const unsigned char *chal, size_t n, lm_buf *resp)
{
    (void)chal;
    (void)n;
    if (s->step == 1)
        return 0;                  /* the error challenge is answered with an empty line */
    if (s->step)
        return MS_SASL_CANCEL;
    lm_buf_puts(resp, "user=");
    lm_buf_puts(resp, s->cr->user);
    lm_buf_puts(resp, "\x01" "auth=Bearer ");
    lm_buf_puts(resp, s->cr->token);
    lm_buf_puts(resp, "\x01\x01");
    return 0;
}

const ms_sasl_mech ms_sasl_oauthbearer = {
    "OAUTHBEARER", MS_SASL_TOKEN | MS_SASL_INITIAL, 0, 0, oauthbearer_step,
};

const ms_sasl_mech ms_sasl_xoauth2 = {
    "XOAUTH2", MS_SASL_TOKEN | MS_SASL_INITIAL, 1, 1, xoauth2_step,
};
