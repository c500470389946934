/* sasl.c — the registered SASL client mechanisms (RFC 4954), choosing one, and the base64 and
 * hex forms their exchanges use. */
#include "ms_internal.h"

#include "lm_ascii.h"

#include <openssl/evp.h>
#include <string.h>

/* The registry: adding a mechanism is its file plus one line here. The index is its bit in
 * ms_caps.auth_mechs (at most 32). */
static const ms_sasl_mech *const mechs[] = {
    &ms_sasl_oauthbearer, &ms_sasl_xoauth2, &ms_sasl_plain,
    &ms_sasl_login, &ms_sasl_cram_md5, &ms_sasl_digest_md5,
};

size_t ms_sasl_count(void) { return sizeof mechs / sizeof *mechs; }

const ms_sasl_mech *ms_sasl_at(size_t i) { return i < ms_sasl_count() ? mechs[i] : NULL; }

size_t mailsend_auth_mechanism_count(void) { return ms_sasl_count(); }

const char *mailsend_auth_mechanism_name(size_t i)
{
    return i < ms_sasl_count() ? mechs[i]->name : NULL;
}

int ms_sasl_find(const char *name, size_t n)
{
    for (size_t i = 0; i < ms_sasl_count(); i++)
        if (lm_eq_nocase(name, n, mechs[i]->name))
            return (int)i;
    return -1;
}

/* Non-zero when the space-separated `list` names mechanism `name`. */
static int listed(const char *list, const char *name)
{
    const char *p = list;
    while (*p) {
        while (lm_is_space((unsigned char)*p))
            p++;
        const char *start = p;
        while (*p && !lm_is_space((unsigned char)*p))
            p++;
        if (p > start && lm_eq_nocase(start, (size_t)(p - start), name))
            return 1;
    }
    return 0;
}

static int has_creds(const ms_sasl_mech *m, const ms_sasl_creds *cr)
{
    if (!cr->user)
        return 0;
    if (m->flags & MS_SASL_PASSWORD)
        return cr->password != NULL;
    if (m->flags & MS_SASL_TOKEN)
        return cr->token != NULL;
    return 1;
}

const ms_sasl_mech *ms_sasl_choose(unsigned offered, const char *forced, const char *allowed,
                                   const ms_sasl_creds *cr, int tls)
{
    if (forced) {
        int i = ms_sasl_find(forced, strlen(forced));
        return i >= 0 && has_creds(mechs[i], cr) ? mechs[i] : NULL;
    }
    const ms_sasl_mech *best = NULL;
    for (size_t i = 0; i < ms_sasl_count(); i++) {
        const ms_sasl_mech *m = mechs[i];
        if (!(offered & (1u << i)) || (allowed && !listed(allowed, m->name)) ||
            !has_creds(m, cr))
            continue;
        unsigned rank = tls ? m->rank_tls : m->rank_plain;
        if (!best || rank < (tls ? best->rank_tls : best->rank_plain))
            best = m;
    }
    return best;
}

int ms_sasl_step(ms_sasl *s, const unsigned char *chal, size_t n, lm_buf *resp)
{
    lm_buf_reset(resp);
    int rc = s->mech->step(s, chal, n, resp);
    s->step++;
    if (rc == 0 && resp->oom)
        rc = MAILSEND_E_NOMEM;
    return rc;
}

int ms_base64_append(lm_buf *b, const unsigned char *p, size_t n)
{
    /* In pieces, so OpenSSL's int lengths never overflow. */
    enum { PIECE = 3 * 256 };
    unsigned char enc[4 * 256 + 1];
    while (n) {
        size_t k = n < PIECE ? n : PIECE;
        int len = EVP_EncodeBlock(enc, p, (int)k);
        if (len < 0 || lm_buf_append(b, enc, (size_t)len))
            return MAILSEND_E_NOMEM;
        p += k;
        n -= k;
    }
    return b->oom ? MAILSEND_E_NOMEM : 0;
}

static int b64_char(int c)
{
    return lm_is_alnum(c) || c == '+' || c == '/';
}

int ms_base64_decode(const char *s, size_t n, lm_buf *out)
{
    lm_buf_reset(out);
    if (n % 4)
        return MAILSEND_E_PROTOCOL;
    size_t pad = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '=' && i >= n - 2 && (i == n - 1 || s[n - 1] == '='))
            pad++;
        else if (!b64_char(c))
            return MAILSEND_E_PROTOCOL;
    }
    enum { PIECE = 4 * 256 };
    unsigned char dec[3 * 256];
    for (size_t i = 0; i < n; i += PIECE) {
        size_t k = n - i < PIECE ? n - i : PIECE;
        int len = EVP_DecodeBlock(dec, (const unsigned char *)s + i, (int)k);
        if (len < 0)
            return MAILSEND_E_PROTOCOL;
        if (i + k == n)
            len -= (int)pad;   /* EVP_DecodeBlock counts the padding as zero octets */
        if (lm_buf_append(out, dec, (size_t)len))
            return MAILSEND_E_NOMEM;
    }
    return 0;
}

void ms_hex(const unsigned char *p, size_t n, char *out)
{
    static const char hex[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = hex[p[i] >> 4];
        out[2 * i + 1] = hex[p[i] & 15];
    }
    out[2 * n] = '\0';
}
