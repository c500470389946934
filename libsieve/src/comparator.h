/* comparator.h — what match.c and regex.c take from comparator.c: a string as a comparator
 * sees it (RFC 4790 §4), and the comparator's ordering and substring operations. Private to
 * the comparator/match-type files. */
#ifndef SV_COMPARATOR_H
#define SV_COMPARATOR_H

#include "sieve_internal.h"

#include "lm_ascii.h"

#include <stdint.h>
#include <string.h>

/* A position of the canonical form that falls inside one original character. */
#define SV_PREP_MID UINT32_MAX

/* A prepared string: the octets a comparator compares, and (on request) where each canonical
 * position starts in the original. For i;octet and i;ascii-casemap (and for a string
 * i;unicode-casemap leaves alone because it is not UTF-8, RFC 5051 §2 step 1b) the canonical
 * octets are the original ones and `map` is NULL; `fold` asks for ASCII letters to compare
 * case-insensitively. For i;unicode-casemap they are the titlecased, decomposed characters
 * (RFC 5051 §2 step 2), and `map` (when asked for) has len + 1 entries: the original offset
 * where a character's canonical form starts, SV_PREP_MID inside one. */
typedef struct sv_prepared {
    const unsigned char *s;
    size_t len;
    const uint32_t *map;
    int fold;
    lm_buf canon;          /* owned storage of `s` when it is not the original */
    uint32_t *map_store;   /* owned storage of `map` */
} sv_prepared;

/* The longest string prepared with a map (so its offsets fit in 32 bits). */
#define SV_PREP_MAX_MAPPED ((size_t)UINT32_MAX - 1)

/* Prepares `s` for comparator `cmp`; `want_map` asks for `map` where the canonical form is not
 * the original. 0, SIEVE_E_NOMEM or SIEVE_E_LIMIT (a mapped string over SV_PREP_MAX_MAPPED).
 * Free with sv_prepared_free() even after an error. */
int sv_prepare(int cmp, const char *s, size_t len, int want_map, sv_prepared *p);
void sv_prepared_free(sv_prepared *p);

/* Appends the i;unicode-casemap canonical form of one code point (its simple titlecase
 * mapping, fully compatibility-decomposed). 0 or SIEVE_E_NOMEM. */
int sv_unicode_canon_char(uint32_t cp, lm_buf *out);

/* Decodes one UTF-8 character at `p` (n >= 1): its length, and the code point in `*cp`; an
 * octet that does not start a valid sequence is one character by itself with `*cp` set to
 * 0x80000000 | octet. */
size_t sv_utf8_char(const unsigned char *p, size_t n, uint32_t *cp);

/* Non-zero when the `n` canonical octets at `a` equal those at `b` (ASCII case ignored when
 * `fold`). Inline: :matches calls it at every place it tries. */
static inline int sv_prep_equal(const unsigned char *a, const unsigned char *b, size_t n,
                                int fold)
{
    if (!fold)
        return memcmp(a, b, n) == 0;
    for (size_t i = 0; i < n; i++)
        if (lm_to_upper(a[i]) != lm_to_upper(b[i]))
            return 0;
    return 1;
}

/* Orders `a` against `b` under `cmp` (RFC 4790 §4.3): `*order` < 0, 0 or > 0. For
 * i;ascii-numeric (RFC 4790 §9.1) a string that does not start with a digit is positive
 * infinity, equal to every other such string. 0 or SIEVE_E_NOMEM. */
int sv_comparator_order(int cmp, const char *a, size_t alen, const char *b, size_t blen,
                        int *order);
/* Sets `*found` when `key` is a substring of `value` under `cmp` (RFC 4790 §4.2.2; linear
 * time). 0, SIEVE_E_NOMEM or SIEVE_E_UNSUPPORTED (i;ascii-numeric has no substring). */
int sv_comparator_contains(int cmp, const char *value, size_t vlen, const char *key,
                           size_t klen, int *found);

/* :regex (regex.c): 1, 0 or a negative error, as sv_match(). */
int sv_regex_match(const sv_matcher *m, const char *value, size_t vlen, const char *key,
                   size_t klen, sv_captures *caps);
/* Sets capture `i` to the `n` octets at `s` (regex.c, match.c, and ext_core.c for :list's
 * ${0}). 0 or SIEVE_E_NOMEM. */
int sv_capture_set(sv_captures *c, size_t i, const char *s, size_t n);

#endif
