/* outgoing.c — what the messages the library writes share: vacation replies (RFC 5230 §4.3,
 * RFC 3834 §3), mailto notifications (RFC 5436 §2.7) and enclose (RFC 5703 §6): the run's
 * clock, a reproducible Message-ID, the X-Sieve identification, the bounded Subject, one
 * address from text, the user's own address. */
#include "outgoing.h"

#include "mailparse.h"

#include "lm_ascii.h"
#include "lm_utf8.h"

#include <stdio.h>
#include <string.h>

/* The Date of a message is the run's moment, the one currentdate sees (ext_date.c). */
static int64_t outgoing_clock(void *user)
{
    return sv_run_now(user);
}

/* The random octets of the message (its Message-ID) from a splitmix64 generator over the
 * caller's seed. */
static void outgoing_random(void *user, unsigned char *buf, size_t len)
{
    uint64_t *s = user;
    for (size_t i = 0; i < len; i++) {
        uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
        buf[i] = (unsigned char)(z ^ (z >> 31));
    }
}

uint64_t sv_outgoing_hash(uint64_t h, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 0x100000001b3ull;
    return (h ^ 0xff) * 0x100000001b3ull;
}

const char *sv_outgoing_user(const sv_run *r)
{
    if (r->env->to && *r->env->to)
        return r->env->to;
    const char *const *own = r->opts->user_addresses;
    return own && own[0] && *own[0] ? own[0] : NULL;
}

int sv_outgoing_new(sv_run *r, uint64_t *seed, mailbuild_message **out)
{
    mailbuild_options mo;
    mailbuild_options_init(&mo);
    mo.clock = outgoing_clock;
    mo.clock_user = r;
    mo.random = outgoing_random;
    mo.random_user = seed;
    *out = NULL;
    mailbuild_message *mb = NULL;
    int rc = mailbuild_message_new(&mo, &mb);
    if (rc)
        return rc;
    char ident[64];
    snprintf(ident, sizeof ident, "libmail-sieve %s", sieve_version());
    if ((rc = mailbuild_add_raw_header(mb, "X-Sieve", ident))) {
        mailbuild_message_free(mb);
        return rc;
    }
    *out = mb;
    return 0;
}

int sv_outgoing_subject(const char *s, size_t len, int decode, lm_buf *out)
{
    char *dec = NULL;
    size_t dlen = 0;
    int words = 0;
    for (size_t i = 0; decode && !words && i + 1 < len; i++)
        words = s[i] == '=' && s[i + 1] == '?';
    if (words) {
        int rc = mailparse_rfc2047_decode(s, len, 0, &dec, &dlen, NULL, NULL);
        if (rc == MAILPARSE_E_NOMEM)
            return SIEVE_E_NOMEM;
        if (!rc) {
            s = dec;
            len = dlen;
        }
    }
    /* Count the characters first: only a text over the bound is cut. */
    size_t chars = 0;
    for (size_t i = 0; i < len; chars++) {
        size_t n = lm_utf8_valid_part((const unsigned char *)s + i, len - i);
        i += n && n == lm_utf8_lead_len((unsigned char)s[i]) ? n : 1;
    }
    size_t keep = chars > SV_MAX_SUBJECT_CHARS ? SV_MAX_SUBJECT_CHARS - 1 : chars;
    for (size_t i = 0, c = 0; i < len && c < keep; c++) {
        unsigned char ch = (unsigned char)s[i];
        size_t n = lm_utf8_valid_part((const unsigned char *)s + i, len - i);
        if (!n || n != lm_utf8_lead_len(ch)) {
            lm_buf_puts(out, "\xEF\xBF\xBD"); /* not UTF-8: U+FFFD */
            i++;
            continue;
        }
        if (n == 1 && (ch < 0x20 || ch == 0x7f))
            lm_buf_putc(out, ' ');
        else
            lm_buf_append(out, s + i, n);
        i += n;
    }
    if (chars > keep)
        lm_buf_puts(out, "\xE2\x80\xA6"); /* … */
    mailparse_free(dec);
    return out->oom ? SIEVE_E_NOMEM : 0;
}

int sv_outgoing_address(mailbuild_message *mb, const char *field, const char *text, size_t len)
{
    mailparse_values *vals = NULL;
    const mailparse_address_list *l = NULL;
    if (mailparse_values_new(&vals))
        return MAILBUILD_E_NOMEM;
    int rc = mailparse_parse_addresses(vals, text, len, NULL, NULL, &l);
    if (rc)
        rc = MAILBUILD_E_NOMEM;
    else if (!l || l->count != 1 || !l->items[0].address)
        rc = MAILBUILD_E_ADDRESS;
    else
        rc = mailbuild_add_address(mb, field, l->items[0].name, l->items[0].address);
    mailparse_values_free(vals);
    return rc;
}

int sv_outgoing_auto_submitted(const mailparse_message *msg)
{
    const mailparse_header *h;
    for (long nth = 0; (h = mailparse_part_header(msg, 0, "auto-submitted", nth)); nth++) {
        const char *v = h->text ? h->text : "";
        size_t n = h->text ? h->text_len : 0;
        size_t k = 0; /* the keyword, before any parameter */
        while (k < n && v[k] != ';' && v[k] != '(' && !lm_is_space((unsigned char)v[k]))
            k++;
        if (!lm_eq_nocase(v, k, "no"))
            return 1;
    }
    return 0;
}
