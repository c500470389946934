/* lm_ascii.c — ASCII case-insensitive helpers. */
#include "lm_ascii.h"

#include <string.h>

void lm_lower(char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        s[i] = (char)lm_to_lower((unsigned char)s[i]);
}
