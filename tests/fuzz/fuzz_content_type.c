/* fuzz_content_type.c — Content-Type / Content-Disposition parsing of hostile values (RFC 2045
 * §5.1, RFC 2231): checks the result's invariants (lowercase names, no duplicates, UTF-8 values). */
#include "mp_internal.h"

#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void ignore_anomaly(void *user, mailparse_anomaly_kind kind, size_t offset)
{
    size_t *limit = user;
    if (offset > *limit)
        __builtin_trap();
    (void)kind;
}

static int has_upper(const char *s)
{
    for (; *s; s++)
        if (*s >= 'A' && *s <= 'Z')
            return 1;
    return 0;
}

static void check(const mailparse_content_type *ct)
{
    if (!ct->type || !*ct->type || has_upper(ct->type) || (ct->subtype && has_upper(ct->subtype)))
        __builtin_trap();
    for (size_t k = 0; k < ct->param_count; k++) {
        const mailparse_param *p = &ct->params[k];
        if (!p->name || !*p->name || !p->value || has_upper(p->name))
            __builtin_trap();
        if (mp_utf8_valid_prefix((const unsigned char *)p->value, strlen(p->value)) != strlen(p->value))
            __builtin_trap();
        if (mp_param(ct, p->name) != p->value) /* names are unique */
            __builtin_trap();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t limit = size;
    mp_diag d = {ignore_anomaly, &limit, 0};
    for (int disposition = 0; disposition <= 1; disposition++) {
        lm_arena *a = lm_arena_new(0);
        if (!a)
            return 0;
        size_t budget = 8;
        mailparse_content_type *ct = NULL;
        int rc = mp_parse_content_type(a, (const char *)data, size, disposition, &d, &budget, &ct);
        if (rc == 0)
            check(ct);
        else if (rc != MAILPARSE_E_SYNTAX && rc != MAILPARSE_E_NOMEM)
            __builtin_trap();
        lm_arena_free(a);
    }
    return 0;
}
