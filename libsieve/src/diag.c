/* diag.c — the errors and warnings of a compile or a run, with their line:column. */
#include "sieve_internal.h"

#include "lm_alloc.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void sv_diag_init(sv_diag *d, size_t max_errors)
{
    memset(d, 0, sizeof *d);
    d->max_errors = max_errors ? max_errors : SV_DEFAULT_MAX_ERRORS;
}

void sv_diag_free(sv_diag *d)
{
    if (!d)
        return;
    for (size_t i = 0; i < d->count; i++)
        lm_free(d->items[i].text);
    lm_free(d->items);
    memset(d, 0, sizeof *d);
}

int sv_diag_add(sv_diag *d, int severity, sv_pos pos, const char *fmt, ...)
{
    if (severity == SV_SEV_ERROR)
        d->errors++;
    else
        d->warnings++;
    if (severity == SV_SEV_ERROR && d->errors > d->max_errors) {
        d->full = 1;
        return 0;
    }
    if (d->oom)
        return SIEVE_E_NOMEM;
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    size_t len = n < 0 ? 0 : (size_t)n < sizeof buf ? (size_t)n : sizeof buf - 1;
    if (d->count == d->cap) {
        size_t cap = d->cap ? d->cap * 2 : 8;
        sv_diag_item *items = lm_realloc(d->items, cap * sizeof *items);
        if (!items) {
            d->oom = 1;
            return SIEVE_E_NOMEM;
        }
        d->items = items;
        d->cap = cap;
    }
    char *text = lm_malloc(len + 1);
    if (!text) {
        d->oom = 1;
        return SIEVE_E_NOMEM;
    }
    memcpy(text, buf, len);
    text[len] = '\0';
    d->items[d->count++] = (sv_diag_item){severity, pos, text};
    if (severity == SV_SEV_ERROR && d->errors == d->max_errors)
        d->full = 1;
    return 0;
}
