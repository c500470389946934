/* lm_ascii.c — ASCII helpers: case, and RFC 5322 atoms. */
#include "lm_ascii.h"

#include <string.h>

void lm_lower(char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        s[i] = (char)lm_to_lower((unsigned char)s[i]);
}

int lm_is_dot_atom(const char *s, size_t n)
{
    if (!n || s[0] == '.' || s[n - 1] == '.')
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!(lm_is_atext((unsigned char)s[i]) || (s[i] == '.' && s[i - 1] != '.')))
            return 0;
    return 1;
}
