/* tag_list.c — the tag=value lists of DKIM signatures and key records (RFC 6376 §3.2), ARC
 * fields (RFC 8617 §4.1) and DMARC records (RFC 7489 §6.4). */
#include "ma_internal.h"

#include "lm_ascii.h"

#include <string.h>

static int is_space(unsigned char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

static int is_name_char(unsigned char c, int first)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
        return 1;
    return !first && ((c >= '0' && c <= '9') || c == '_');
}

/* Octets a tag value may not hold: the controls other than the FWS ones, and DEL. */
static const unsigned char bad_in_value[256] = {
    [0x00] = 1, [0x01] = 1, [0x02] = 1, [0x03] = 1, [0x04] = 1, [0x05] = 1, [0x06] = 1,
    [0x07] = 1, [0x08] = 1, [0x0b] = 1, [0x0c] = 1, [0x0e] = 1, [0x0f] = 1, [0x10] = 1,
    [0x11] = 1, [0x12] = 1, [0x13] = 1, [0x14] = 1, [0x15] = 1, [0x16] = 1, [0x17] = 1,
    [0x18] = 1, [0x19] = 1, [0x1a] = 1, [0x1b] = 1, [0x1c] = 1, [0x1d] = 1, [0x1e] = 1,
    [0x1f] = 1, [0x7f] = 1,
};

int ma_tag_list_parse(const char *s, size_t n, ma_tag *tags, size_t max, size_t *count,
                      size_t *err_off)
{
    size_t i = 0, k = 0, bad = 0;
    int rc = 0;
    *count = 0;
    while (i < n) {
        while (i < n && is_space((unsigned char)s[i]))
            i++;
        if (i == n)
            break; /* a trailing ";" */
        size_t name = i;
        if (!is_name_char((unsigned char)s[i], 1)) {
            bad = i;
            rc = MAILAUTH_E_SYNTAX;
            break;
        }
        while (i < n && is_name_char((unsigned char)s[i], 0))
            i++;
        size_t name_len = i - name;
        while (i < n && is_space((unsigned char)s[i]))
            i++;
        if (i == n || s[i] != '=') {
            bad = i;
            rc = MAILAUTH_E_SYNTAX;
            break;
        }
        i++;
        while (i < n && is_space((unsigned char)s[i]))
            i++;
        /* The value runs to the next ";"; a control other than FWS inside it is an error. */
        size_t value = i;
        const char *semi = memchr(s + i, ';', n - i);
        size_t stop = semi ? (size_t)(semi - s) : n;
        while (i < stop && !bad_in_value[(unsigned char)s[i]])
            i++;
        if (i < stop) {
            bad = i;
            rc = MAILAUTH_E_SYNTAX;
            break;
        }
        size_t end = stop;
        while (end > value && is_space((unsigned char)s[end - 1]))
            end--;
        for (size_t j = 0; j < k; j++)
            if (tags[j].name_len == name_len && tags[j].name[0] == s[name] &&
                !memcmp(tags[j].name, s + name, name_len)) {
                bad = name; /* RFC 6376 §3.2: duplicate tags make the list invalid */
                rc = MAILAUTH_E_SYNTAX;
                break;
            }
        if (rc)
            break;
        if (k == max) {
            bad = name;
            rc = MAILAUTH_E_LIMIT;
            break;
        }
        tags[k].name = s + name;
        tags[k].name_len = name_len;
        tags[k].value = s + value;
        tags[k].value_len = end - value;
        k++;
        if (i < n)
            i++; /* the ";" */
    }
    if (rc) {
        if (err_off)
            *err_off = bad;
        return rc;
    }
    *count = k;
    return 0;
}

const ma_tag *ma_tag_find(const ma_tag *tags, size_t count, const char *name)
{
    size_t len = strlen(name);
    for (size_t i = 0; i < count; i++)
        if (tags[i].name_len == len && !memcmp(tags[i].name, name, len))
            return &tags[i];
    return NULL;
}
