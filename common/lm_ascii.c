/* lm_ascii.c — ASCII case-insensitive helpers. */
#include "lm_ascii.h"

#include <string.h>

int lm_strncasecmp(const char *a, const char *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        int d = lm_to_lower((unsigned char)a[i]) - lm_to_lower((unsigned char)b[i]);
        if (d)
            return d;
    }
    return 0;
}

void lm_lower(char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        s[i] = (char)lm_to_lower((unsigned char)s[i]);
}
