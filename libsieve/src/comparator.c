/* comparator.c — the comparators of RFC 4790 (i;octet, i;ascii-casemap, i;ascii-numeric) and
 * RFC 5051 (i;unicode-casemap): names, canonical forms, ordering and substring search. */
#include "comparator.h"

#include "lm_alloc.h"
#include "lm_ascii.h"
#include "lm_utf8.h"

#include <string.h>

#include <unicode/uchar.h>
#include <unicode/unorm2.h>
#include <unicode/utf16.h>

static const char *const comparator_names[] = {
    [SV_CMP_OCTET] = "i;octet",
    [SV_CMP_ASCII_CASEMAP] = "i;ascii-casemap",
    [SV_CMP_ASCII_NUMERIC] = "i;ascii-numeric",
    [SV_CMP_UNICODE_CASEMAP] = "i;unicode-casemap",
};
#define N_COMPARATORS (sizeof comparator_names / sizeof comparator_names[0])

int sv_comparator_from_name(const char *name, size_t len)
{
    for (size_t i = 0; i < N_COMPARATORS; i++)
        if (lm_eq_nocase(name, len, comparator_names[i]))
            return (int)i;
    return -1;
}

const char *sv_comparator_name(int cmp)
{
    if (cmp < 0 || (size_t)cmp >= N_COMPARATORS)
        return NULL;
    return comparator_names[cmp];
}

int sv_relation_from_name(const char *name, size_t len)
{
    static const char *const names[] = {
        [SV_REL_GT] = "gt", [SV_REL_GE] = "ge", [SV_REL_LT] = "lt",
        [SV_REL_LE] = "le", [SV_REL_EQ] = "eq", [SV_REL_NE] = "ne",
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (lm_eq_nocase(name, len, names[i]))
            return (int)i;
    return -1;
}

int sv_comparator_supports(int cmp, int match)
{
    if (cmp < 0 || (size_t)cmp >= N_COMPARATORS)
        return 0;
    switch (match) {
    case SV_MATCH_IS:
    case SV_MATCH_VALUE:
    case SV_MATCH_COUNT:
        return 1;
    case SV_MATCH_CONTAINS:
    case SV_MATCH_MATCHES:
        return cmp != SV_CMP_ASCII_NUMERIC;
    case SV_MATCH_REGEX:
        /* The regex draft asks for i;octet and i;ascii-casemap; the others have no
         * mapping onto a regex engine's flags. */
        return cmp == SV_CMP_OCTET || cmp == SV_CMP_ASCII_CASEMAP;
    default:
        return 0;
    }
}

/* ---- characters and canonical forms ------------------------------------------------------ */

size_t sv_utf8_char(const unsigned char *p, size_t n, uint32_t *cp)
{
    size_t want = lm_utf8_lead_len(p[0]);
    if (want == 0 || lm_utf8_valid_part(p, n) != want) {
        *cp = 0x80000000u | p[0];
        return 1;
    }
    uint32_t c = want == 1 ? p[0] : want == 2 ? p[0] & 0x1Fu : want == 3 ? p[0] & 0x0Fu
                                                                        : p[0] & 0x07u;
    for (size_t i = 1; i < want; i++)
        c = (c << 6) | (p[i] & 0x3Fu);
    *cp = c;
    return want;
}

/* The longest full compatibility decomposition of one code point is 18 code points
 * (U+FDFA); this leaves room for surrogate pairs. */
#define CANON_UNITS 64

static int canon_char(const UNormalizer2 *nfkd, uint32_t cp, lm_buf *out)
{
    if (cp < 0x80)
        return lm_buf_putc(out, lm_to_upper((int)cp)) ? SIEVE_E_NOMEM : 0;
    UChar32 t = u_totitle((UChar32)cp);
    UChar u[CANON_UNITS];
    UErrorCode err = U_ZERO_ERROR;
    int32_t n = nfkd ? unorm2_getDecomposition(nfkd, t, u, CANON_UNITS, &err) : -1;
    if (U_FAILURE(err) || n < 0) {
        lm_buf_put_utf8(out, (unsigned long)t);
    } else {
        for (int32_t i = 0; i < n;) {
            UChar32 c;
            U16_NEXT(u, i, n, c);
            lm_buf_put_utf8(out, (unsigned long)c);
        }
    }
    return out->oom ? SIEVE_E_NOMEM : 0;
}

static const UNormalizer2 *nfkd_instance(void)
{
    UErrorCode err = U_ZERO_ERROR;
    const UNormalizer2 *n = unorm2_getNFKDInstance(&err);
    return U_SUCCESS(err) ? n : NULL;
}

int sv_unicode_canon_char(uint32_t cp, lm_buf *out)
{
    return canon_char(nfkd_instance(), cp, out);
}

/* Grows `p`'s map to hold `need` entries. */
static int map_reserve(sv_prepared *p, size_t *cap, size_t need)
{
    if (need <= *cap)
        return 0;
    size_t ncap = *cap ? *cap * 2 : 64;
    if (ncap < need)
        ncap = need;
    if (ncap > SIZE_MAX / sizeof(uint32_t))
        return SIEVE_E_NOMEM;
    uint32_t *m = lm_realloc(p->map_store, ncap * sizeof *m);
    if (!m)
        return SIEVE_E_NOMEM;
    p->map_store = m;
    *cap = ncap;
    return 0;
}

/* RFC 5051 §2: each character is titlecased and decomposed, and the results appended. */
static int prepare_unicode(const unsigned char *s, size_t len, int want_map, sv_prepared *p)
{
    const UNormalizer2 *nfkd = nfkd_instance();
    size_t map_cap = 0;
    if (want_map && len > SV_PREP_MAX_MAPPED)
        return SIEVE_E_LIMIT;
    if (lm_buf_reserve(&p->canon, len))
        return SIEVE_E_NOMEM;
    for (size_t i = 0; i < len;) {
        uint32_t cp;
        size_t k = sv_utf8_char(s + i, len - i, &cp);
        size_t start = p->canon.len;
        int rc = canon_char(nfkd, cp, &p->canon);
        if (rc)
            return rc;
        if (want_map) {
            if (map_reserve(p, &map_cap, p->canon.len + 1))
                return SIEVE_E_NOMEM;
            p->map_store[start] = (uint32_t)i;
            for (size_t j = start + 1; j < p->canon.len; j++)
                p->map_store[j] = SV_PREP_MID;
        }
        i += k;
    }
    if (want_map) {
        if (map_reserve(p, &map_cap, p->canon.len + 1))
            return SIEVE_E_NOMEM;
        p->map_store[p->canon.len] = (uint32_t)len;
        p->map = p->map_store;
    }
    p->s = (const unsigned char *)(p->canon.data ? p->canon.data : "");
    p->len = p->canon.len;
    return 0;
}

int sv_prepare(int cmp, const char *s, size_t len, int want_map, sv_prepared *p)
{
    memset(p, 0, sizeof *p);
    p->s = (const unsigned char *)s;
    p->len = len;
    if (cmp == SV_CMP_ASCII_CASEMAP)
        p->fold = 1;
    /* RFC 5051 §2 step 1b: a string that is not UTF-8 is compared as it is. */
    if (cmp != SV_CMP_UNICODE_CASEMAP || !lm_utf8_valid(s, len))
        return 0;
    return prepare_unicode((const unsigned char *)s, len, want_map, p);
}

void sv_prepared_free(sv_prepared *p)
{
    if (!p)
        return;
    lm_buf_free(&p->canon);
    lm_free(p->map_store);
    memset(p, 0, sizeof *p);
}

/* i;ascii-casemap maps a-z to A-Z before comparing (RFC 4790 §9.2.1), which matters for the
 * order of letters against the six characters between 'Z' and 'a'. */
static inline int fold_octet(unsigned char c, int fold)
{
    return fold ? lm_to_upper(c) : c;
}

/* ---- ordering ------------------------------------------------------------------------- */

static size_t digit_run(const char *s, size_t len)
{
    size_t n = 0;
    while (n < len && lm_is_digit((unsigned char)s[n]))
        n++;
    return n;
}

/* RFC 4790 §9.1.1: the number the leading digits spell; no digit at the start is positive
 * infinity. Any number of digits: leading zeros go, then longer is larger. */
static int numeric_order(const char *a, size_t alen, const char *b, size_t blen)
{
    size_t da = digit_run(a, alen), db = digit_run(b, blen);
    if (da == 0 || db == 0)
        return (da == 0) - (db == 0);
    while (da > 1 && *a == '0')
        a++, da--;
    while (db > 1 && *b == '0')
        b++, db--;
    if (da != db)
        return da < db ? -1 : 1;
    int c = memcmp(a, b, da);
    return (c > 0) - (c < 0);
}

int sv_comparator_order(int cmp, const char *a, size_t alen, const char *b, size_t blen,
                        int *order)
{
    if (cmp == SV_CMP_ASCII_NUMERIC) {
        *order = numeric_order(a, alen, b, blen);
        return 0;
    }
    sv_prepared pa, pb;
    int rc = sv_prepare(cmp, a, alen, 0, &pa);
    if (rc == 0)
        rc = sv_prepare(cmp, b, blen, 0, &pb);
    else
        memset(&pb, 0, sizeof pb);
    if (rc == 0) {
        size_t n = pa.len < pb.len ? pa.len : pb.len;
        int c = 0;
        for (size_t i = 0; i < n && c == 0; i++)
            c = fold_octet(pa.s[i], pa.fold) - fold_octet(pb.s[i], pb.fold);
        if (c == 0)
            c = (pa.len > pb.len) - (pa.len < pb.len);
        *order = (c > 0) - (c < 0);
    }
    sv_prepared_free(&pa);
    sv_prepared_free(&pb);
    return rc;
}

/* ---- substring ------------------------------------------------------------------------ */

/* Knuth–Morris–Pratt over canonical octets: linear in the value and the key, whatever they
 * hold. `fail` has k->len entries. */
static int kmp_find(const sv_prepared *v, const sv_prepared *k, size_t *fail)
{
    int fold = v->fold;
    fail[0] = 0;
    for (size_t i = 1, j = 0; i < k->len; i++) {
        while (j > 0 && fold_octet(k->s[i], fold) != fold_octet(k->s[j], fold))
            j = fail[j - 1];
        if (fold_octet(k->s[i], fold) == fold_octet(k->s[j], fold))
            j++;
        fail[i] = j;
    }
    for (size_t i = 0, j = 0; i < v->len; i++) {
        while (j > 0 && fold_octet(v->s[i], fold) != fold_octet(k->s[j], fold))
            j = fail[j - 1];
        if (fold_octet(v->s[i], fold) == fold_octet(k->s[j], fold))
            j++;
        if (j == k->len)
            return 1;
    }
    return 0;
}

int sv_comparator_contains(int cmp, const char *value, size_t vlen, const char *key,
                           size_t klen, int *found)
{
    *found = 0;
    if (cmp == SV_CMP_ASCII_NUMERIC)
        return SIEVE_E_UNSUPPORTED;
    sv_prepared pv, pk;
    size_t small[64], *fail = NULL;
    int rc = sv_prepare(cmp, value, vlen, 0, &pv);
    if (rc == 0)
        rc = sv_prepare(cmp, key, klen, 0, &pk);
    else
        memset(&pk, 0, sizeof pk);
    if (rc)
        goto out;
    if (pk.len == 0) {
        *found = 1;
        goto out;
    }
    if (pk.len > pv.len)
        goto out;
    if (pk.len <= sizeof small / sizeof small[0]) {
        fail = small;
    } else if (!(fail = lm_calloc(pk.len, sizeof *fail))) {
        rc = SIEVE_E_NOMEM;
        goto out;
    }
    *found = kmp_find(&pv, &pk, fail);
out:
    if (fail != small)
        lm_free(fail);
    sv_prepared_free(&pv);
    sv_prepared_free(&pk);
    return rc;
}
