/* rfc2231.c — encoding one MIME parameter: RFC 2045 §5.1 quoted form, or the RFC 2231 §3-§4
 * extended form (charset'language'%XX) split into continuation segments. Decoding is in
 * content_type.c. */
#include "mp_internal.h"

#include <stdio.h>
#include <string.h>

/* Longest segment ("name*N*=..."), so that a folding space, the segment and its ';' stay
 * within 78 columns (RFC 5322 §2.1.1). */
#define MP_2231_SEGMENT_MAX 76
/* Longest parameter name or language tag accepted. */
#define MP_2231_NAME_MAX 60

/* attribute-char (RFC 2231 §7): CHAR except SPACE, CTLs, '*', '\'', '%' and tspecials. */
static int attr_char(unsigned char c)
{
    return c > 0x20 && c < 0x7f && !strchr("*'%()<>@,;:\\\"/[]?=", c);
}

static int valid_name(const char *s, size_t n)
{
    if (n == 0 || n > MP_2231_NAME_MAX)
        return 0;
    for (size_t k = 0; k < n; k++)
        if (!attr_char((unsigned char)s[k]))
            return 0;
    return 1;
}

static int valid_language(const char *s, size_t n)
{
    if (n > MP_2231_NAME_MAX)
        return 0;
    for (size_t k = 0; k < n; k++)
        if (!lm_is_alnum((unsigned char)s[k]) && s[k] != '-')
            return 0;
    return 1;
}

/* Printable ASCII (spaces allowed): fits a quoted string. */
/* Printable ASCII that no reader will take for an RFC 2047 word: readers decode encoded
 * words in quoted parameter values too, so "=?" sends a value to the extended form. */
static int quotable(const char *v, size_t n)
{
    for (size_t k = 0; k < n; k++) {
        if ((unsigned char)v[k] < 0x20 || (unsigned char)v[k] >= 0x7f)
            return 0;
        if (v[k] == '=' && k + 1 < n && v[k + 1] == '?')
            return 0;
    }
    return 1;
}

static size_t quoted_len(const char *v, size_t n)
{
    size_t l = 2;
    for (size_t k = 0; k < n; k++)
        l += v[k] == '"' || v[k] == '\\' ? 2 : 1;
    return l;
}

static void put_quoted(const char *name, const char *v, size_t n, lm_buf *out)
{
    lm_buf_puts(out, name);
    lm_buf_append(out, "=\"", 2);
    for (size_t k = 0; k < n; k++) {
        if (v[k] == '"' || v[k] == '\\')
            lm_buf_putc(out, '\\');
        lm_buf_putc(out, v[k]);
    }
    lm_buf_putc(out, '"');
}

/* Length of the UTF-8 sequence starting with `c` (1 for a stray byte): segments never split one. */
static size_t seq_len(const unsigned char *p, size_t n)
{
    size_t l = p[0] < 0xC0 ? 1 : p[0] >= 0xF0 ? 4 : p[0] >= 0xE0 ? 3 : 2;
    return l <= n && mp_utf8_valid_prefix(p, l) == l ? l : 1;
}

static size_t pct_len(const unsigned char *p, size_t n)
{
    size_t l = 0;
    for (size_t k = 0; k < n; k++)
        l += attr_char(p[k]) ? 1 : 3;
    return l;
}

static void put_pct(const unsigned char *p, size_t n, lm_buf *out)
{
    static const char hex[] = "0123456789ABCDEF";
    for (size_t k = 0; k < n; k++) {
        if (attr_char(p[k])) {
            lm_buf_putc(out, p[k]);
        } else {
            char e[3] = {'%', hex[p[k] >> 4], hex[p[k] & 15]};
            lm_buf_append(out, e, 3);
        }
    }
}

/* Writes the segment head ("name*N*=" and, for segment 0, "utf-8'lang'") and returns its length. */
static size_t put_head(const char *name, size_t section, int single, const char *lang, lm_buf *out)
{
    size_t before = out->len;
    char num[24];
    lm_buf_puts(out, name);
    if (single) {
        lm_buf_puts(out, "*=");
    } else {
        snprintf(num, sizeof num, "*%zu*=", section);
        lm_buf_puts(out, num);
    }
    if (section == 0) {
        lm_buf_puts(out, "utf-8'");
        lm_buf_puts(out, lang);
        lm_buf_putc(out, '\'');
    }
    return out->len - before;
}

/* How many bytes of `v` fit a segment after a head of `head` columns (whole sequences, at
 * least one). */
static size_t segment_take(const unsigned char *v, size_t n, size_t head)
{
    size_t k = 0, cols = head;
    while (k < n) {
        size_t l = seq_len(v + k, n - k);
        size_t c = pct_len(v + k, l);
        if (k > 0 && cols + c > MP_2231_SEGMENT_MAX)
            break;
        cols += c;
        k += l;
    }
    return k;
}

static void put_extended(const char *name, const unsigned char *v, size_t n, const char *lang,
                         lm_buf *out)
{
    size_t head0 = strlen(name) + strlen("*=utf-8''") + strlen(lang);
    int single = head0 + pct_len(v, n) <= MP_2231_SEGMENT_MAX;
    size_t section = 0;
    do {
        if (section > 0)
            lm_buf_append(out, ";\r\n ", 4);
        size_t head = put_head(name, section, single, lang, out);
        size_t take = segment_take(v, n, head);
        put_pct(v, take, out);
        v += take;
        n -= take;
        section++;
    } while (n > 0);
}

int mp_rfc2231_encode(const char *name, const char *value, size_t len, const char *language,
                      lm_buf *out)
{
    if (!name || (!value && len) || !out)
        return MAILPARSE_E_INVAL;
    const char *lang = language ? language : "";
    if (!valid_name(name, strlen(name)) || !valid_language(lang, strlen(lang)))
        return MAILPARSE_E_INVAL;
    value = value ? value : "";
    if (!*lang && quotable(value, len) &&
        strlen(name) + 1 + quoted_len(value, len) <= MP_2231_SEGMENT_MAX)
        put_quoted(name, value, len, out);
    else
        put_extended(name, (const unsigned char *)value, len, lang, out);
    return mp_buf_status(out);
}

int mailparse_rfc2231_encode(const char *name, const char *value, size_t len, const char *language,
                             char **out, size_t *out_len)
{
    if (!out)
        return MAILPARSE_E_INVAL;
    *out = NULL;
    lm_buf b = LM_BUF_INIT;
    return mp_hand_out(&b, mp_rfc2231_encode(name, value, len, language, &b), out, out_len);
}
