/* envelope.c — the MAIL and RCPT commands (RFC 5321 §4.1.1.2-3) with the parameters of SIZE
 * (RFC 1870), 8BITMIME (RFC 6152), SMTPUTF8 (RFC 6531), REQUIRETLS (RFC 8689) and DSN
 * (RFC 3461, xtext of §4). */
#include "ms_internal.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

/* RFC 5321 §4.5.3.1.3: a path is at most 256 octets with its angle brackets. */
#define MS_PATH_MAX 254

int ms_path_ok(const char *s, int utf8, int empty_ok)
{
    size_t n = strlen(s);
    if (n > MS_PATH_MAX || (!n && !empty_ok))
        return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch < 0x20 || ch == 0x7f || ch == '<' || ch == '>' || (ch >= 0x80 && !utf8))
            return 0;
    }
    return 1;
}

int ms_xtext_append(lm_buf *b, const char *s, size_t n)
{
    static const char hex[] = "0123456789ABCDEF";
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch >= '!' && ch <= '~' && ch != '+' && ch != '=') {
            lm_buf_putc(b, ch);
        } else {
            char e[3] = {'+', hex[ch >> 4], hex[ch & 15]};
            lm_buf_append(b, e, 3);
        }
    }
    return b->oom ? MAILSEND_E_NOMEM : 0;
}

static int printable_ascii(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f)
            return 0;
    return 1;
}

int ms_mail_command(lm_buf *b, const mailsend_envelope *env, const ms_caps *caps, int tls)
{
    const char *from = env->from ? env->from : "";
    if (!ms_path_ok(from, env->smtputf8, 1) || env->body < MAILSEND_BODY_7BIT ||
        env->body > MAILSEND_BODY_8BITMIME || env->dsn_ret < MAILSEND_DSN_RET_NONE ||
        env->dsn_ret > MAILSEND_DSN_RET_HDRS)
        return MAILSEND_E_INVAL;
    /* RFC 3461 §4.4: ENVID is at most 100 characters of printable ASCII. */
    if (env->dsn_envid && (!*env->dsn_envid || strlen(env->dsn_envid) > 100 ||
                           !printable_ascii(env->dsn_envid)))
        return MAILSEND_E_INVAL;
    if ((env->body == MAILSEND_BODY_8BITMIME && !(caps->flags & MAILSEND_CAP_8BITMIME)) ||
        (env->smtputf8 && !(caps->flags & MAILSEND_CAP_SMTPUTF8)) ||
        (env->requiretls && (!tls || !(caps->flags & MAILSEND_CAP_REQUIRETLS))))
        return MAILSEND_E_UNSUPPORTED;
    if (caps->size_limit && env->size > caps->size_limit)
        return MAILSEND_E_TOO_BIG;
    lm_buf_reset(b);
    lm_buf_puts(b, "MAIL FROM:<");
    lm_buf_puts(b, from);
    lm_buf_putc(b, '>');
    if ((caps->flags & MAILSEND_CAP_SIZE) && env->size) {
        char num[32];
        snprintf(num, sizeof num, " SIZE=%" PRIu64, env->size);
        lm_buf_puts(b, num);
    }
    if (env->body == MAILSEND_BODY_8BITMIME)
        lm_buf_puts(b, " BODY=8BITMIME");
    if (env->smtputf8)
        lm_buf_puts(b, " SMTPUTF8");
    if (env->requiretls)
        lm_buf_puts(b, " REQUIRETLS");
    if (caps->flags & MAILSEND_CAP_DSN) {
        if (env->dsn_ret)
            lm_buf_puts(b, env->dsn_ret == MAILSEND_DSN_RET_FULL ? " RET=FULL" : " RET=HDRS");
        if (env->dsn_envid) {
            lm_buf_puts(b, " ENVID=");
            ms_xtext_append(b, env->dsn_envid, strlen(env->dsn_envid));
        }
    }
    lm_buf_puts(b, "\r\n");
    return b->oom ? MAILSEND_E_NOMEM : 0;
}

int ms_rcpt_command(lm_buf *b, const char *address, const mailsend_rcpt_options *o,
                    const ms_caps *caps, int utf8)
{
    if (!address || !ms_path_ok(address, utf8, 0))
        return MAILSEND_E_INVAL;
    unsigned notify = o ? o->notify : 0;
    const char *orcpt = o ? o->orcpt : NULL;
    if ((notify & MAILSEND_NOTIFY_NEVER) && (notify & ~(unsigned)MAILSEND_NOTIFY_NEVER))
        return MAILSEND_E_INVAL;
    if (notify & ~0xfu)
        return MAILSEND_E_INVAL;
    if (orcpt && (!*orcpt || strlen(orcpt) > 500 || !printable_ascii(orcpt)))
        return MAILSEND_E_INVAL;
    lm_buf_reset(b);
    lm_buf_puts(b, "RCPT TO:<");
    lm_buf_puts(b, address);
    lm_buf_putc(b, '>');
    if (caps->flags & MAILSEND_CAP_DSN) {
        if (notify) {
            static const char *const names[] = {"SUCCESS", "FAILURE", "DELAY", "NEVER"};
            const char *sep = " NOTIFY=";
            for (unsigned i = 0; i < 4; i++) {
                if (notify & (1u << i)) {
                    lm_buf_puts(b, sep);
                    lm_buf_puts(b, names[i]);
                    sep = ",";
                }
            }
        }
        if (orcpt) {
            lm_buf_puts(b, " ORCPT=rfc822;");
            ms_xtext_append(b, orcpt, strlen(orcpt));
        }
    }
    lm_buf_puts(b, "\r\n");
    return b->oom ? MAILSEND_E_NOMEM : 0;
}
