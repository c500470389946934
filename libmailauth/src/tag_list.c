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
        size_t value = i, end = i;
        while (i < n && s[i] != ';') {
            unsigned char c = (unsigned char)s[i];
            if (c < 0x20 && !is_space(c)) {
                bad = i;
                rc = MAILAUTH_E_SYNTAX;
                break;
            }
            if (c == 0x7f) {
                bad = i;
                rc = MAILAUTH_E_SYNTAX;
                break;
            }
            i++;
            if (!is_space(c))
                end = i;
        }
        if (rc)
            break;
        for (size_t j = 0; j < k; j++)
            if (tags[j].name_len == name_len && !memcmp(tags[j].name, s + name, name_len)) {
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
