/* ar_compare.h — field-by-field equality of two Authentication-Results models, for the unit
 * test (test_auth_results.c) and the fuzz harness (tests/fuzz/fuzz_auth_results.c) that check
 * a parse / write / parse round trip. */
#ifndef AR_COMPARE_H
#define AR_COMPARE_H

#include <string.h>

#include "mailauth.h"

static int same_text(const char *a, const char *b)
{
    return (!a && !b) || (a && b && !strcmp(a, b));
}

/* 1 when `a` and `b` hold the same authserv-id, version and results (method, version,
 * result, reason, comment and every property in order), else 0. */
static int same_model(const mailauth_ar *a, const mailauth_ar *b)
{
    if (strcmp(mailauth_ar_authserv_id(a), mailauth_ar_authserv_id(b)) ||
        mailauth_ar_version(a) != mailauth_ar_version(b) ||
        mailauth_ar_count(a) != mailauth_ar_count(b))
        return 0;
    for (size_t i = 0; i < mailauth_ar_count(a); i++) {
        if (strcmp(mailauth_ar_method_at(a, i), mailauth_ar_method_at(b, i)) ||
            mailauth_ar_method_version_at(a, i) != mailauth_ar_method_version_at(b, i) ||
            mailauth_ar_result_at(a, i) != mailauth_ar_result_at(b, i) ||
            strcmp(mailauth_ar_result_text_at(a, i), mailauth_ar_result_text_at(b, i)) ||
            !same_text(mailauth_ar_reason_at(a, i), mailauth_ar_reason_at(b, i)) ||
            !same_text(mailauth_ar_comment_at(a, i), mailauth_ar_comment_at(b, i)) ||
            mailauth_ar_prop_count(a, i) != mailauth_ar_prop_count(b, i))
            return 0;
        for (size_t j = 0; j < mailauth_ar_prop_count(a, i); j++) {
            const char *t1, *p1, *v1, *t2, *p2, *v2;
            if (mailauth_ar_prop_at(a, i, j, &t1, &p1, &v1) ||
                mailauth_ar_prop_at(b, i, j, &t2, &p2, &v2) || strcmp(t1, t2) ||
                strcmp(p1, p2) || strcmp(v1, v2))
                return 0;
        }
    }
    return 1;
}

#endif
