/* capabilities.c — the EHLO reply's extension list (RFC 5321 §4.1.1.1) and what this client
 * reads from it: SIZE's limit (RFC 1870 §4) and AUTH's mechanisms (RFC 4954 §3). */
#include "ms_internal.h"

#include "lm_alloc.h"
#include "lm_ascii.h"

#include <string.h>

void ms_caps_clear(ms_caps *caps)
{
    for (size_t i = 0; i < caps->count; i++)
        lm_free(caps->keywords[i]);
    lm_free(caps->keywords);
    memset(caps, 0, sizeof *caps);
}

static const struct {
    const char *keyword;
    unsigned flag;
} known[] = {
    {"PIPELINING", MAILSEND_CAP_PIPELINING},
    {"CHUNKING", MAILSEND_CAP_CHUNKING},
    {"8BITMIME", MAILSEND_CAP_8BITMIME},
    {"SMTPUTF8", MAILSEND_CAP_SMTPUTF8},
    {"SIZE", MAILSEND_CAP_SIZE},
    {"DSN", MAILSEND_CAP_DSN},
    {"ENHANCEDSTATUSCODES", MAILSEND_CAP_ENHANCEDSTATUSCODES},
    {"REQUIRETLS", MAILSEND_CAP_REQUIRETLS},
    {"AUTH", MAILSEND_CAP_AUTH},
    {"STARTTLS", MAILSEND_CAP_STARTTLS},
    {"BINARYMIME", MAILSEND_CAP_BINARYMIME},
};

/* SIZE's parameter: a decimal number, or none (no limit announced). Overlong numbers mean
 * "very large": no limit the client needs to respect. */
static uint64_t size_param(const char *s, size_t n)
{
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        if (!lm_is_digit((unsigned char)s[i]))
            return 0;
        if (v > (UINT64_MAX - 9) / 10)
            return 0;
        v = v * 10 + (uint64_t)(s[i] - '0');
    }
    return v;
}

/* AUTH's parameters: mechanism names separated by spaces. */
static unsigned auth_param(const char *s, size_t n)
{
    unsigned bits = 0;
    size_t i = 0;
    while (i < n) {
        while (i < n && lm_is_wsp((unsigned char)s[i]))
            i++;
        size_t start = i;
        while (i < n && !lm_is_wsp((unsigned char)s[i]))
            i++;
        int m = ms_sasl_find(s + start, i - start);
        if (m >= 0)
            bits |= 1u << m;
    }
    return bits;
}

/* Keeps one keyword line ("KEYWORD params"). */
static int keep(ms_caps *caps, const char *kw, size_t kw_len, const char *par, size_t par_len)
{
    char *s = lm_malloc(kw_len + par_len + 2);
    if (!s)
        return MAILSEND_E_NOMEM;
    memcpy(s, kw, kw_len);
    s[kw_len] = '\0';
    memcpy(s + kw_len + 1, par, par_len);
    s[kw_len + 1 + par_len] = '\0';
    caps->keywords[caps->count] = s;
    caps->params[caps->count] = s + kw_len + 1;
    caps->count++;
    return 0;
}

int ms_caps_parse(ms_caps *caps, const char *text, size_t len, size_t max)
{
    ms_caps_clear(caps);
    caps->keywords = lm_calloc(max ? max * 2 : 1, sizeof(char *));
    if (!caps->keywords)
        return MAILSEND_E_NOMEM;
    caps->params = caps->keywords + max;
    const char *end = text + len;
    const char *line = memchr(text, '\n', len);   /* the first line greets */
    while (line && line < end) {
        line++;
        const char *nl = memchr(line, '\n', (size_t)(end - line));
        const char *le = nl ? nl : end;
        const char *p = line;
        while (p < le && lm_is_wsp((unsigned char)*p))
            p++;
        const char *kw = p;
        /* Keywords are alphanumerics and "-"; "AUTH=" is an old spelling of AUTH. */
        while (p < le && (lm_is_alnum((unsigned char)*p) || *p == '-'))
            p++;
        size_t kw_len = (size_t)(p - kw);
        if (kw_len && p < le && *p == '=' && lm_eq_nocase(kw, kw_len, "AUTH"))
            p++;
        else if (p < le && !lm_is_wsp((unsigned char)*p))
            kw_len = 0;   /* not a keyword: ignored */
        while (p < le && (lm_is_wsp((unsigned char)*p) || *p == '='))
            p++;
        const char *par = p;
        size_t par_len = (size_t)(le - p);
        while (par_len && lm_is_wsp((unsigned char)par[par_len - 1]))
            par_len--;
        line = nl;
        if (!kw_len)
            continue;
        for (size_t k = 0; k < sizeof known / sizeof *known; k++) {
            if (!lm_eq_nocase(kw, kw_len, known[k].keyword))
                continue;
            caps->flags |= known[k].flag;
            if (known[k].flag == MAILSEND_CAP_SIZE)
                caps->size_limit = size_param(par, par_len);
            if (known[k].flag == MAILSEND_CAP_AUTH)
                caps->auth_mechs |= auth_param(par, par_len);
        }
        if (caps->count < max && keep(caps, kw, kw_len, par, par_len))
            return MAILSEND_E_NOMEM;
    }
    return 0;
}
