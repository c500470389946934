/* fuzz_sieve_match.c — libFuzzer harness for the Sieve match types and comparators. The first
 * octet picks the match type (low 3 bits), the comparator (next 2) and the relation (top 3);
 * the rest is the value, a NUL, and the key (no NUL: the key is empty). Checks that every
 * call ends with a defined result, that match variables are pieces of the value, and a few
 * identities: :is and :contains under i;octet against memcmp/memmem, a value always
 * :matches itself with its wildcards quoted, and :value's gt/lt are mirror images. */
#include <stdint.h>
#include <string.h>

#include "sieve_internal.h"

#include "lm_alloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int result_ok(int rc)
{
    return rc == 0 || rc == 1 || rc == SIEVE_E_NOMEM || rc == SIEVE_E_LIMIT ||
           rc == SIEVE_E_SYNTAX || rc == SIEVE_E_INVAL;
}

static int is_piece(const char *v, size_t vlen, const lm_buf *b)
{
    if (b->len == 0)
        return 1;
    if (b->len > vlen || !b->data)
        return 0;
    for (size_t i = 0; i + b->len <= vlen; i++)
        if (memcmp(v + i, b->data, b->len) == 0)
            return 1;
    return 0;
}

static int octet_contains(const char *v, size_t vlen, const char *k, size_t klen)
{
    if (klen == 0)
        return 1;
    for (size_t i = 0; i + klen <= vlen; i++)
        if (memcmp(v + i, k, klen) == 0)
            return 1;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > 16384)
        return 0;
    unsigned mode = data[0];
    const char *v = (const char *)data + 1;
    size_t rest = size - 1;
    const char *nul = memchr(v, 0, rest);
    size_t vlen = nul ? (size_t)(nul - v) : rest;
    const char *k = nul ? nul + 1 : "";
    size_t klen = nul ? rest - vlen - 1 : 0;

    sv_matcher m = {(int)((mode >> 3) & 3), (int)(mode & 7) % 6, (int)(mode >> 5) % 6, 20,
                    size & 1 ? SV_REGEX_NAMED_GROUPS : 0}; /* an odd size: the vendor syntax */
    sv_captures caps;
    sv_captures_init(&caps);
    if (m.match == SV_MATCH_COUNT) {
        int rc = sv_match_count(&m, vlen, k, klen);
        if (!result_ok(rc))
            __builtin_trap();
        goto out;
    }
    int rc = sv_match(&m, v, vlen, k, klen, &caps);
    if (!result_ok(rc))
        __builtin_trap();
    if (rc == SIEVE_E_INVAL && sv_comparator_supports(m.comparator, m.match))
        __builtin_trap();
    if (caps.count > SV_MAX_CAPTURES)
        __builtin_trap();
    if (rc == 1 && (m.match == SV_MATCH_MATCHES || m.match == SV_MATCH_REGEX)) {
        if (caps.count < 1)
            __builtin_trap();
        for (size_t i = 0; i < caps.count; i++)
            if (!is_piece(v, vlen, &caps.value[i]))
                __builtin_trap();
        if (m.match == SV_MATCH_MATCHES &&
            (caps.value[0].len != vlen || (vlen && memcmp(caps.value[0].data, v, vlen))))
            __builtin_trap();
    }
    if (rc != 1 && rc != 0)
        goto out;
    if (m.comparator == SV_CMP_OCTET && m.match == SV_MATCH_IS &&
        rc != (vlen == klen && memcmp(v, k, vlen) == 0))
        __builtin_trap();
    if (m.comparator == SV_CMP_OCTET && m.match == SV_MATCH_CONTAINS &&
        rc != octet_contains(v, vlen, k, klen))
        __builtin_trap();
    if (m.match == SV_MATCH_VALUE && (m.relation == SV_REL_GT || m.relation == SV_REL_LT)) {
        sv_matcher mirror = m;
        mirror.relation = m.relation == SV_REL_GT ? SV_REL_LT : SV_REL_GT;
        int back = sv_match(&mirror, k, klen, v, vlen, NULL);
        if (back != rc && back != SIEVE_E_NOMEM)
            __builtin_trap();
    }
    if (m.match == SV_MATCH_MATCHES && m.comparator != SV_CMP_ASCII_NUMERIC && vlen <= 4096) {
        /* The value with "*", "?" and "\" quoted matches itself. */
        char *q = lm_malloc(2 * vlen + 1);
        if (q) {
            size_t n = 0;
            for (size_t i = 0; i < vlen; i++) {
                if (v[i] == '*' || v[i] == '?' || v[i] == '\\')
                    q[n++] = '\\';
                q[n++] = v[i];
            }
            int self = sv_match(&m, v, vlen, q, n, NULL);
            lm_free(q);
            if (self != 1 && self != SIEVE_E_NOMEM)
                __builtin_trap();
        }
    }
out:
    sv_captures_free(&caps);
    return 0;
}
