/* header_check.c — validating what callers put in header fields: names (RFC 5322 §2.2),
 * addr-specs (§3.4.1), msg-ids (§3.6.4), URLs (RFC 2369), MIME tokens (RFC 2045 §5.1) and
 * caller-formatted values. A value that could end its line early is an injection. */
#include "mb_internal.h"

#include "lm_ascii.h"
#include "lm_utf8.h"

#include <string.h>

int mb_is_dot_atom(const char *s, size_t len)
{
    if (len == 0 || s[0] == '.' || s[len - 1] == '.')
        return 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '.') {
            if (s[i + 1] == '.')
                return 0;
        } else if (!lm_is_atext(c) && c < 0x80) {
            return 0;
        }
    }
    return 1;
}

static const char *const reserved_names[] = {
    "MIME-Version", "Content-Type", "Content-Transfer-Encoding", "Content-Disposition",
    "Content-ID",
};

int mb_check_field_name(const char *name)
{
    if (!name)
        return MAILBUILD_E_INVAL;
    size_t n = strlen(name);
    if (n == 0 || n > MB_NAME_MAX)
        return MAILBUILD_E_HEADER_NAME;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)name[i];
        if (c < 33 || c > 126 || c == ':')
            return MAILBUILD_E_HEADER_NAME;
    }
    for (size_t i = 0; i < sizeof reserved_names / sizeof *reserved_names; i++)
        if (lm_eq_nocase(name, n, reserved_names[i]))
            return MAILBUILD_E_HEADER_NAME;
    return 0;
}

int mb_check_utf8_line(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (s[i] == '\r' || s[i] == '\n' || s[i] == '\0')
            return MAILBUILD_E_INJECTION;
    return lm_utf8_valid(s, len) ? 0 : MAILBUILD_E_INVAL;
}

static int is_tspecial(unsigned char c) { return c && strchr("()<>@,;:\\\"/[]?=", c) != NULL; }

int mb_check_token(const char *s)
{
    if (!s || !*s)
        return MAILBUILD_E_INVAL;
    size_t n = strlen(s);
    int rc = mb_check_utf8_line(s, n);
    if (rc)
        return rc;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c <= 32 || c >= 127 || is_tspecial(c))
            return MAILBUILD_E_INVAL;
    }
    return n > MB_NAME_MAX ? MAILBUILD_E_INVAL : 0;
}

/* A domain: dot-separated labels of letters, digits, '-' and '_' (and, with SMTPUTF8, UTF-8
 * letters), each 1-63 octets; or a domain literal "[...]" of printable ASCII. */
static int valid_domain(const char *d, size_t n, int utf8)
{
    if (n == 0 || n > 253)
        return 0;
    if (d[0] == '[') {
        if (n < 3 || d[n - 1] != ']')
            return 0;
        for (size_t i = 1; i + 1 < n; i++) {
            unsigned char c = (unsigned char)d[i];
            if (c < 33 || c > 126 || c == '[' || c == ']' || c == '\\')
                return 0;
        }
        return 1;
    }
    size_t label = 0;
    for (size_t i = 0; i <= n; i++) {
        unsigned char c = i < n ? (unsigned char)d[i] : '.';
        if (c == '.') {
            if (label == 0 || label > 63 || d[i - 1] == '-' || d[i - label] == '-')
                return 0;
            label = 0;
        } else if (lm_is_alnum(c) || c == '-' || c == '_' || (utf8 && c >= 0x80)) {
            label++;
        } else {
            return 0;
        }
    }
    return 1;
}

/* A local part is a dot-atom or printable text a quoted string can carry, at most 64 octets
 * (RFC 5321 §4.5.3.1.1: what SMTP can carry). */
static int valid_local(const char *l, size_t n, int utf8)
{
    if (n == 0 || n > 64)
        return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)l[i];
        if (c < 32 || c == 127 || (c >= 0x80 && !utf8))
            return 0;
    }
    return 1;
}

int mb_unquote_local(mailbuild_message *m, const char *addr, const char **out)
{
    const char *at = strrchr(addr, '@');
    *out = addr;
    if (addr[0] != '"' || !at || at - addr < 2 || at[-1] != '"')
        return 0;
    size_t n = (size_t)(at - addr);
    char *u = lm_arena_alloc(m->arena, strlen(addr) + 1);
    if (!u)
        return MAILBUILD_E_NOMEM;
    size_t k = 0;
    for (size_t i = 1; i + 1 < n; i++) {
        if (addr[i] == '\\' && i + 2 < n)
            i++;
        else if (addr[i] == '"' || addr[i] == '\\')
            return MAILBUILD_E_ADDRESS; /* not one quoted string */
        u[k++] = addr[i];
    }
    strcpy(u + k, at);
    *out = u;
    return 0;
}

int mb_check_addr_spec(const mailbuild_message *m, const char *addr)
{
    if (!addr)
        return MAILBUILD_E_INVAL;
    size_t n = strlen(addr);
    int rc = mb_check_utf8_line(addr, n);
    if (rc)
        return rc == MAILBUILD_E_INVAL ? MAILBUILD_E_ADDRESS : rc;
    int utf8 = (m->opts.flags & MAILBUILD_F_SMTPUTF8) != 0;
    if (!utf8)
        for (size_t i = 0; i < n; i++)
            if ((unsigned char)addr[i] >= 0x80)
                return MAILBUILD_E_UNSUPPORTED;
    const char *at = strrchr(addr, '@');
    if (!at || n > MB_ADDRESS_MAX)
        return MAILBUILD_E_ADDRESS;
    size_t local = (size_t)(at - addr);
    if (!valid_local(addr, local, utf8) || !valid_domain(at + 1, n - local - 1, utf8))
        return MAILBUILD_E_ADDRESS;
    return 0;
}

/* id-left "@" id-right, each atext and dots (RFC 5322 §3.6.4, without the obsolete forms);
 * id-right may also be a "[...]" literal. Angle brackets around the id are optional. */
int mb_check_msg_id(const char *id, const char **start, size_t *len)
{
    if (!id)
        return MAILBUILD_E_INVAL;
    size_t n = strlen(id);
    int rc = mb_check_utf8_line(id, n);
    if (rc)
        return rc == MAILBUILD_E_INVAL ? MAILBUILD_E_MESSAGE_ID : rc;
    if (n >= 2 && id[0] == '<' && id[n - 1] == '>') {
        id++;
        n -= 2;
    }
    const char *at = memchr(id, '@', n);
    if (!at || n > 900)
        return MAILBUILD_E_MESSAGE_ID;
    size_t left = (size_t)(at - id), right = n - left - 1;
    if (left == 0 || right == 0)
        return MAILBUILD_E_MESSAGE_ID;
    for (size_t i = 0; i < left; i++)
        if (!lm_is_atext((unsigned char)id[i]) && id[i] != '.')
            return MAILBUILD_E_MESSAGE_ID;
    if (at[1] == '[') {
        if (!valid_domain(at + 1, right, 0))
            return MAILBUILD_E_MESSAGE_ID;
    } else {
        for (size_t i = 0; i < right; i++)
            if (!lm_is_atext((unsigned char)at[1 + i]) && at[1 + i] != '.')
                return MAILBUILD_E_MESSAGE_ID;
    }
    *start = id;
    *len = n;
    return 0;
}

/* 0 when `domain` can stand as the id-right of a generated Message-ID. */
int mb_check_id_domain(const char *domain)
{
    const char *start;
    size_t len, n = strlen(domain);
    char probe[2 + 253 + 1];
    if (n > 253)
        return MAILBUILD_E_MESSAGE_ID;
    memcpy(probe, "x@", 2);
    memcpy(probe + 2, domain, n + 1);
    return mb_check_msg_id(probe, &start, &len);
}

int mb_check_url(const char *url)
{
    if (!url)
        return MAILBUILD_E_INVAL;
    size_t n = strlen(url);
    int rc = mb_check_utf8_line(url, n);
    if (rc)
        return rc;
    if (n == 0 || n > 900)
        return MAILBUILD_E_INVAL;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)url[i];
        if (c <= 32 || c >= 127 || c == '<' || c == '>')
            return MAILBUILD_E_INVAL;
    }
    return 0;
}

/* A caller-formatted value: folds are CRLF followed by WSP; no other CR or LF, no NUL, no
 * line that is only whitespace (it would end the header block for some readers). */
int mb_check_raw_value(const mailbuild_message *m, const char *name, const char *value)
{
    if (!value)
        return MAILBUILD_E_INVAL;
    size_t n = strlen(value), line = strlen(name) + 2, ink = 0; /* "Name: " */
    int high = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)value[i];
        if (c == '\r') {
            if (value[i + 1] != '\n' || !lm_is_wsp((unsigned char)value[i + 2]) || !ink)
                return MAILBUILD_E_INJECTION;
            i++;
            line = ink = 0;
            continue;
        }
        if (c == '\n')
            return MAILBUILD_E_INJECTION;
        if (c >= 0x80)
            high = 1;
        if (!lm_is_wsp(c))
            ink++;
        if (++line > MB_LINE_HARD)
            return MAILBUILD_E_LIMIT;
    }
    if (n > 0 && !ink)
        return MAILBUILD_E_INJECTION; /* a value ending in a whitespace-only folded line */
    if (high) {
        if (!(m->opts.flags & MAILBUILD_F_SMTPUTF8))
            return MAILBUILD_E_UNSUPPORTED;
        if (!lm_utf8_valid(value, n))
            return MAILBUILD_E_INVAL;
    }
    return 0;
}
