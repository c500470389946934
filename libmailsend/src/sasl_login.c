/* sasl_login.c — the LOGIN mechanism (draft-murchison-sasl-login): the user name, then the
 * password, each answering one prompt whatever the prompt says. */
#include "ms_internal.h"

static int login_step(ms_sasl *s, const unsigned char *chal, size_t n, lm_buf *resp)
{
    (void)chal;
    (void)n;
    if (s->step > 1)
        return MS_SASL_CANCEL;
    lm_buf_puts(resp, s->step == 0 ? s->cr->user : s->cr->password);
    return 0;
}

const ms_sasl_mech ms_sasl_login = {
    "LOGIN", MS_SASL_PASSWORD, 3, 3, login_step,
};
