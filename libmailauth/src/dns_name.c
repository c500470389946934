/* dns_name.c — domain names: presentation form to wire form and back, lookup keys, reverse
 * names of addresses (RFC 1035 §2.3.4, §3.1, §3.5, §5.1; canonical label order as in RFC 4034
 * §6.1; ip6.arpa as in RFC 3596 §2.5). */
#include "ma_internal.h"

#include "lm_ascii.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

/* One octet of a label at s[*i] (an escape takes 2 or 4 characters). -1 on a bad escape. */
static int label_octet(const char *s, size_t n, size_t *i)
{
    unsigned char c = (unsigned char)s[*i];
    if (c != '\\') {
        (*i)++;
        return c;
    }
    if (*i + 1 >= n)
        return -1;
    if (lm_is_digit((unsigned char)s[*i + 1])) {
        if (*i + 3 >= n)
            return -1;
        if (!lm_is_digit((unsigned char)s[*i + 2]) || !lm_is_digit((unsigned char)s[*i + 3]))
            return -1;
        int v = (s[*i + 1] - '0') * 100 + (s[*i + 2] - '0') * 10 + (s[*i + 3] - '0');
        if (v > 255)
            return -1;
        *i += 4;
        return v;
    }
    *i += 2;
    return (unsigned char)s[*i - 1];
}

int ma_name_parse(const char *s, size_t n, const unsigned char *origin, size_t origin_len,
                  unsigned char *out, size_t *out_len, const char **msg)
{
    const char *dummy;
    if (!msg)
        msg = &dummy;
    if (n == 1 && s[0] == '@') {
        if (!origin || origin_len == 0 || origin_len > MA_NAME_MAX) {
            *msg = "no origin for @";
            return MAILAUTH_E_SYNTAX;
        }
        memcpy(out, origin, origin_len);
        *out_len = origin_len;
        return 0;
    }
    if (n == 0) {
        *msg = "empty name";
        return MAILAUTH_E_SYNTAX;
    }
    if (n == 1 && s[0] == '.') {
        out[0] = 0;
        *out_len = 1;
        return 0;
    }
    size_t len = 0, i = 0;
    int absolute = 0;
    while (i < n) {
        size_t lenpos = len;
        if (len >= MA_NAME_MAX) {
            *msg = "name longer than 255 octets";
            return MAILAUTH_E_LIMIT;
        }
        len++;
        size_t label = 0;
        while (i < n && s[i] != '.') {
            int c = label_octet(s, n, &i);
            if (c < 0) {
                *msg = "bad escape in a name";
                return MAILAUTH_E_SYNTAX;
            }
            if (label == MA_LABEL_MAX) {
                *msg = "label longer than 63 octets";
                return MAILAUTH_E_LIMIT;
            }
            if (len >= MA_NAME_MAX) {
                *msg = "name longer than 255 octets";
                return MAILAUTH_E_LIMIT;
            }
            out[len++] = (unsigned char)c;
            label++;
        }
        if (label == 0) {
            *msg = "empty label in a name";
            return MAILAUTH_E_SYNTAX;
        }
        out[lenpos] = (unsigned char)label;
        if (i < n) { /* the dot */
            i++;
            if (i == n)
                absolute = 1;
        }
    }
    if (absolute || !origin) {
        if (len + 1 > MA_NAME_MAX) {
            *msg = "name longer than 255 octets";
            return MAILAUTH_E_LIMIT;
        }
        out[len++] = 0;
    } else {
        if (len + origin_len > MA_NAME_MAX) {
            *msg = "name longer than 255 octets";
            return MAILAUTH_E_LIMIT;
        }
        memcpy(out + len, origin, origin_len);
        len += origin_len;
    }
    *out_len = len;
    return 0;
}

int ma_name_parse_absolute(const char *s, unsigned char *out, size_t *out_len)
{
    if (!s || !*s)
        return MAILAUTH_E_INVAL;
    size_t n = strlen(s);
    if (n == 1 && s[0] == '@')
        return MAILAUTH_E_INVAL;
    return ma_name_parse(s, n, NULL, 0, out, out_len, NULL) ? MAILAUTH_E_INVAL : 0;
}

size_t ma_name_key(const unsigned char *wire, size_t wire_len, unsigned char *out)
{
    size_t starts[128], count = 0, i = 0;
    while (i < wire_len && wire[i] != 0 && count < 128) {
        starts[count++] = i;
        i += (size_t)wire[i] + 1;
    }
    size_t k = 0;
    while (count > 0) {
        size_t at = starts[--count];
        size_t l = wire[at];
        out[k++] = (unsigned char)l;
        for (size_t j = 0; j < l; j++)
            out[k++] = (unsigned char)lm_to_lower(wire[at + 1 + j]);
    }
    return k;
}

size_t ma_name_text(const unsigned char *wire, size_t wire_len, char *out)
{
    static const char digits[] = "0123456789";
    size_t k = 0, i = 0;
    if (wire_len == 0 || wire[0] == 0) {
        out[0] = '.';
        out[1] = '\0';
        return 1;
    }
    while (i < wire_len && wire[i] != 0) {
        size_t l = wire[i++];
        if (k)
            out[k++] = '.';
        for (size_t j = 0; j < l && i < wire_len; j++, i++) {
            unsigned char c = wire[i];
            if (c == '.' || c == '\\') {
                out[k++] = '\\';
                out[k++] = (char)c;
            } else if (c < 0x21 || c > 0x7e) {
                out[k++] = '\\';
                out[k++] = digits[c / 100];
                out[k++] = digits[c / 10 % 10];
                out[k++] = digits[c % 10];
            } else {
                out[k++] = (char)c;
            }
        }
    }
    out[k] = '\0';
    return k;
}

int mailauth_reverse_name(const char *ip, char *buf, size_t size)
{
    static const char hex[] = "0123456789abcdef";
    unsigned char addr[16];
    char out[80];
    size_t n = 0;
    if (!ip || !buf)
        return MAILAUTH_E_INVAL;
    if (size)
        buf[0] = '\0';
    if (inet_pton(AF_INET, ip, addr) == 1) {
        for (int i = 3; i >= 0; i--)
            n += (size_t)snprintf(out + n, sizeof out - n, "%u.", (unsigned)addr[i]);
        memcpy(out + n, "in-addr.arpa", sizeof "in-addr.arpa");
        n += sizeof "in-addr.arpa" - 1;
    } else if (inet_pton(AF_INET6, ip, addr) == 1) {
        for (int i = 15; i >= 0; i--) {
            out[n++] = hex[addr[i] & 15];
            out[n++] = '.';
            out[n++] = hex[addr[i] >> 4];
            out[n++] = '.';
        }
        memcpy(out + n, "ip6.arpa", sizeof "ip6.arpa");
        n += sizeof "ip6.arpa" - 1;
    } else {
        return MAILAUTH_E_INVAL;
    }
    if (n + 1 > size)
        return MAILAUTH_E_LIMIT;
    memcpy(buf, out, n + 1);
    return 0;
}
