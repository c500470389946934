/* encoded_character.c — the encoded-character extension (RFC 5228 §2.4.2.4): "${hex:…}" and
 * "${unicode:…}" sequences in the strings of a script, decoded once at compile time. */
#include "sieve_internal.h"

#include "lm_ascii.h"

#include <string.h>

enum { ENC_HEX, ENC_UNICODE };

/* Skips blanks (RFC 5228: WSP / CRLF; a bare LF too, leniently); a CR without its LF stops. */
static size_t skip_blanks(const char *s, size_t n, size_t i)
{
    while (i < n) {
        if (s[i] == ' ' || s[i] == '\t' || s[i] == '\n')
            i++;
        else if (s[i] == '\r' && i + 1 < n && s[i + 1] == '\n')
            i += 2;
        else
            break;
    }
    return i;
}

/* After "${" at s[i]: the kind of an encoded sequence ("hex:" or "unicode:", any case) and
 * the index after its ":" (0 when neither). */
static size_t scan_prefix(const char *s, size_t n, size_t i, int *kind)
{
    static const struct {
        const char *name;
        size_t len;
        int kind;
    } prefixes[] = {{"hex:", 4, ENC_HEX}, {"unicode:", 8, ENC_UNICODE}};
    for (size_t k = 0; k < sizeof prefixes / sizeof prefixes[0]; k++)
        if (n - i >= prefixes[k].len && !lm_strncasecmp(s + i, prefixes[k].name, prefixes[k].len)) {
            *kind = prefixes[k].kind;
            return i + prefixes[k].len;
        }
    return 0;
}

/* Decodes the values of one sequence from s[i] up to its "}" into `out`:
 *   hex-pair-seq    = *blank hex-pair *(1*blank hex-pair) *blank      hex-pair = 1*2HEXDIG
 *   unicode-hex-seq = *blank unicode-hex *(1*blank unicode-hex) *blank unicode-hex = 1*HEXDIG
 * Returns the index after the "}", or 0 when the sequence is malformed. *bad is set when a
 * unicode value is not a scalar value (a surrogate or above U+10FFFF). */
static size_t decode_values(const char *s, size_t n, size_t i, int kind, lm_buf *out, int *bad)
{
    size_t values = 0;
    i = skip_blanks(s, n, i);
    while (i < n && lm_hex_value((unsigned char)s[i]) >= 0) {
        size_t start = i;
        unsigned long v = 0;
        for (; i < n && lm_hex_value((unsigned char)s[i]) >= 0; i++)
            if (v <= 0x10FFFF) /* saturates: leading zeros are fine, huge values stay huge */
                v = v * 16 + (unsigned long)lm_hex_value((unsigned char)s[i]);
        if (kind == ENC_HEX) {
            if (i - start > 2)
                return 0;
            lm_buf_putc(out, (int)v);
        } else if (v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) {
            *bad = 1;
        } else {
            lm_buf_put_utf8(out, v);
        }
        values++;
        size_t j = skip_blanks(s, n, i);
        if (j == i)
            break; /* values are separated by blanks */
        i = j;
    }
    if (!values || i >= n || s[i] != '}')
        return 0;
    return i + 1;
}

int sv_decode_encoded_characters(const char *s, size_t len, lm_buf *out)
{
    if ((!s && len) || !out)
        return SIEVE_E_INVAL;
    size_t start = out->len, lit = 0, i = 0;
    while (i < len) {
        const char *d = memchr(s + i, '$', len - i);
        if (!d)
            break;
        size_t p = (size_t)(d - s), body = 0;
        int kind = ENC_HEX;
        if (p + 2 < len && s[p + 1] == '{' && (body = scan_prefix(s, len, p + 2, &kind))) {
            lm_buf_append(out, s + lit, p - lit);
            size_t mark = out->len;
            int bad = 0;
            size_t end = decode_values(s, len, body, kind, out, &bad);
            if (end && bad) {
                out->len = start;
                if (out->data)
                    out->data[start] = '\0';
                return SIEVE_E_SYNTAX;
            }
            if (end) {
                lit = i = end;
                continue;
            }
            /* Malformed: stays as written; the scan goes on after this "$". */
            out->len = mark;
            if (out->data)
                out->data[mark] = '\0';
            lit = p;
        }
        i = p + 1;
    }
    if (len > lit)
        lm_buf_append(out, s + lit, len - lit);
    return out->oom ? SIEVE_E_NOMEM : 0;
}
