/* spf_macro.c — SPF macro strings, RFC 7208 §7: their syntax and their expansion (letters,
 * the digit and "r" transformers, delimiters, URL escaping for upper-case letters). */
#include "spf_internal.h"

#include "lm_alloc.h"
#include "lm_ascii.h"

#include <stdio.h>
#include <string.h>

static int is_delimiter(int c)
{
    return c == '.' || c == '-' || c == '+' || c == ',' || c == '/' || c == '_' || c == '=';
}

/* Non-zero for a macro letter (either case); exp-only letters only when `explain`. */
static int is_letter(int c, int explain)
{
    switch (lm_to_lower(c)) {
    case 's': case 'l': case 'o': case 'd': case 'i': case 'p': case 'h': case 'v':
        return 1;
    case 'c': case 'r': case 't':
        return explain;
    default:
        return 0;
    }
}

/* One parsed "%{...}". */
struct macro {
    int letter;          /* as written */
    size_t digits;       /* 0 = all parts */
    int reverse;
    const char *delims;  /* the delimiters as written; none = "." */
    size_t ndelims;
};

/* Parses the macro at s[*i] == '%' (n octets in all). 0 with *i past it and, for "%{...}",
 * `m` filled (m->letter 0 for %% %_ %-); MAILAUTH_E_SYNTAX otherwise. */
static int parse_macro(const char *s, size_t n, size_t *i, int explain, struct macro *m)
{
    size_t k = *i + 1;
    memset(m, 0, sizeof *m);
    if (k >= n)
        return MAILAUTH_E_SYNTAX;
    if (s[k] == '%' || s[k] == '_' || s[k] == '-') {
        m->letter = 0;
        m->delims = s + k; /* the escaped character */
        *i = k + 1;
        return 0;
    }
    if (s[k] != '{' || ++k >= n || !is_letter((unsigned char)s[k], explain))
        return MAILAUTH_E_SYNTAX;
    m->letter = (unsigned char)s[k++];
    int have_digits = 0;
    while (k < n && lm_is_digit((unsigned char)s[k])) {
        have_digits = 1;
        if (m->digits < 1000000) /* more parts than any value has: all of them */
            m->digits = m->digits * 10 + (size_t)(s[k] - '0');
        k++;
    }
    if (have_digits && m->digits == 0)
        return MAILAUTH_E_SYNTAX; /* §7.1: a DIGIT transformer is at least one */
    if (k < n && (s[k] == 'r' || s[k] == 'R')) {
        m->reverse = 1;
        k++;
    }
    m->delims = s + k;
    while (k < n && is_delimiter((unsigned char)s[k]))
        k++;
    m->ndelims = (size_t)(s + k - m->delims);
    if (k >= n || s[k] != '}')
        return MAILAUTH_E_SYNTAX;
    *i = k + 1;
    return 0;
}

int spf_macro_check(const char *s, size_t n, int explain, size_t *err_off)
{
    size_t i = 0;
    while (i < n) {
        unsigned char c = (unsigned char)s[i];
        if (c == '%') {
            struct macro m;
            size_t at = i;
            if (parse_macro(s, n, &i, explain, &m)) {
                if (err_off)
                    *err_off = at;
                return MAILAUTH_E_SYNTAX;
            }
            continue;
        }
        if ((c < 0x21 || c > 0x7e) && !(explain && c == ' ')) {
            if (err_off)
                *err_off = i;
            return MAILAUTH_E_SYNTAX;
        }
        i++;
    }
    return 0;
}

/* The value of a letter before transformation, into `tmp` when it is computed. */
static int letter_value(const spf_macro_ctx *c, int letter, char *tmp, size_t tmp_size,
                        const char **v)
{
    switch (lm_to_lower(letter)) {
    case 's': *v = c->sender; return 0;
    case 'l': *v = c->local; return 0;
    case 'o': *v = c->sender_domain; return 0;
    case 'd': *v = c->domain; return 0;
    case 'h': *v = c->helo; return 0;
    case 'r': *v = c->receiver; return 0;
    case 'v': *v = c->ip->v6 ? "ip6" : "in-addr"; return 0;
    case 'c':
        ma_ip_format(c->ip, tmp, tmp_size);
        *v = tmp;
        return 0;
    case 't':
        snprintf(tmp, tmp_size, "%lld", c->now);
        *v = tmp;
        return 0;
    case 'i':
        if (!c->ip->v6) {
            snprintf(tmp, tmp_size, "%u.%u.%u.%u", c->ip->b[0], c->ip->b[1], c->ip->b[2],
                     c->ip->b[3]);
        } else { /* §7.3: the 32 nibbles, dot-separated */
            const char *hex = c->upper_hex ? "0123456789ABCDEF" : "0123456789abcdef";
            size_t k = 0;
            for (size_t j = 0; j < 16; j++) {
                tmp[k++] = hex[c->ip->b[j] >> 4];
                tmp[k++] = '.';
                tmp[k++] = hex[c->ip->b[j] & 15];
                tmp[k++] = '.';
            }
            tmp[k - 1] = '\0';
        }
        *v = tmp;
        return 0;
    case 'p':
        if (!c->ptr_name) {
            *v = "unknown";
            return 0;
        }
        return c->ptr_name(c->user, c->domain, v);
    default:
        return MAILAUTH_E_SYNTAX;
    }
}

static int in_set(int ch, const char *set, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (set[i] == ch)
            return 1;
    return 0;
}

static int is_unreserved(int ch)
{
    return lm_is_alnum(ch) || ch == '-' || ch == '.' || ch == '_' || ch == '~';
}

/* Appends one part, URL-escaped when `escape`. */
static void put_part(lm_buf *out, const char *p, size_t n, int escape)
{
    if (!escape) {
        lm_buf_append(out, p, n);
        return;
    }
    static const char hex[] = "0123456789ABCDEF";
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)p[i];
        if (is_unreserved(ch)) {
            lm_buf_putc(out, ch);
        } else {
            char e[3] = {'%', hex[ch >> 4], hex[ch & 15]};
            lm_buf_append(out, e, 3);
        }
    }
}

/* Appends the transformed value of macro `m` (§7.3): split at the delimiters, reversed when
 * asked, the rightmost `digits` parts kept, joined with ".". */
static int expand_value(const struct macro *m, const char *v, lm_buf *out)
{
    const char *delims = m->ndelims ? m->delims : ".";
    size_t ndelims = m->ndelims ? m->ndelims : 1;
    int escape = m->letter >= 'A' && m->letter <= 'Z';
    size_t len = strlen(v);
    /* Part boundaries: parts = delimiters + 1. */
    size_t parts = 1;
    for (size_t i = 0; i < len; i++)
        if (in_set(v[i], delims, ndelims))
            parts++;
    size_t stack_starts[64], *starts = stack_starts;
    if (parts + 1 > sizeof stack_starts / sizeof *stack_starts) {
        starts = lm_malloc((parts + 1) * sizeof *starts);
        if (!starts)
            return MAILAUTH_E_NOMEM;
    }
    /* starts[j] is the offset of part j; starts[parts] = len + 1 so part j ends at
     * starts[j + 1] - 1. */
    size_t j = 0;
    starts[j++] = 0;
    for (size_t i = 0; i < len; i++)
        if (in_set(v[i], delims, ndelims))
            starts[j++] = i + 1;
    starts[parts] = len + 1;
    size_t keep = m->digits && m->digits < parts ? m->digits : parts;
    for (size_t k = 0; k < keep; k++) {
        /* The parts in output order: reversed, the rightmost `keep` of the reversed list are
         * parts keep-1 … 0; otherwise parts-keep … parts-1. */
        size_t idx = m->reverse ? keep - 1 - k : parts - keep + k;
        if (k)
            lm_buf_putc(out, '.');
        put_part(out, v + starts[idx], starts[idx + 1] - 1 - starts[idx], escape);
        if (out->len > MAILAUTH_SPF_EXPAND_MAX)
            break;
    }
    if (starts != stack_starts)
        lm_free(starts);
    return 0;
}

int spf_macro_expand(const spf_macro_ctx *c, const char *s, size_t n, int explain, lm_buf *out)
{
    size_t i = 0;
    while (i < n) {
        size_t lit = i;
        while (i < n && s[i] != '%')
            i++;
        if (i > lit)
            lm_buf_append(out, s + lit, i - lit);
        if (i == n)
            break;
        struct macro m;
        if (parse_macro(s, n, &i, explain, &m))
            return MAILAUTH_E_SYNTAX;
        if (!m.letter) {
            if (*m.delims == '%')
                lm_buf_putc(out, '%');
            else if (*m.delims == '_')
                lm_buf_putc(out, ' ');
            else
                lm_buf_append(out, "%20", 3);
        } else {
            char tmp[80];
            const char *v = NULL;
            int rc = letter_value(c, m.letter, tmp, sizeof tmp, &v);
            if (rc)
                return rc;
            rc = expand_value(&m, v ? v : "", out);
            if (rc)
                return rc;
        }
        if (out->oom)
            return MAILAUTH_E_NOMEM;
        if (out->len > MAILAUTH_SPF_EXPAND_MAX)
            return MAILAUTH_E_LIMIT;
    }
    if (out->oom)
        return MAILAUTH_E_NOMEM;
    return out->len > MAILAUTH_SPF_EXPAND_MAX ? MAILAUTH_E_LIMIT : 0;
}
