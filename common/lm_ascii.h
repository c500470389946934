/* lm_ascii.h — locale-independent ASCII character classes and case folding. */
#ifndef LM_ASCII_H
#define LM_ASCII_H

#include <stddef.h>
#include <string.h>

static inline int lm_is_wsp(int c) { return c == ' ' || c == '\t'; }
static inline int lm_is_space(int c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
static inline int lm_is_digit(int c) { return c >= '0' && c <= '9'; }
static inline int lm_is_alpha(int c) { return (c | 0x20) >= 'a' && (c | 0x20) <= 'z'; }
static inline int lm_is_alnum(int c) { return lm_is_alpha(c) || lm_is_digit(c); }
static inline int lm_to_lower(int c) { return c >= 'A' && c <= 'Z' ? c + 32 : c; }
static inline int lm_to_upper(int c) { return c >= 'a' && c <= 'z' ? c - 32 : c; }
/* The value of a hex digit, or -1. */
static inline int lm_hex_value(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c |= 0x20;
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

/* Case-insensitive ASCII comparison of `n` bytes; 0 when equal. */
static inline int lm_strncasecmp(const char *a, const char *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        int d = lm_to_lower((unsigned char)a[i]) - lm_to_lower((unsigned char)b[i]);
        if (d)
            return d;
    }
    return 0;
}
/* Non-zero when the `n` bytes at `s` equal the NUL-terminated `lit`, ignoring ASCII case.
 * Inline: the parsers call it in keyword loops, and it stops at the first difference. */
static inline int lm_eq_nocase(const char *s, size_t n, const char *lit)
{
    size_t i = 0;
    for (; i < n; i++)
        if (!lit[i] || lm_to_lower((unsigned char)s[i]) != lm_to_lower((unsigned char)lit[i]))
            return 0;
    return lit[i] == '\0';
}
/* Lowercases `n` bytes in place. */
void lm_lower(char *s, size_t n);

/* RFC 5322 §3.2.3 atext, ASCII only. */
static inline int lm_is_atext(int c)
{
    return lm_is_alnum(c) || (c > 0 && c < 0x80 && strchr("!#$%&'*+-/=?^_`{|}~", c));
}
/* Non-zero when the `n` octets are one RFC 5322 §3.2.3 dot-atom-text: atext runs joined by
 * single dots. */
int lm_is_dot_atom(const char *s, size_t n);

#endif
