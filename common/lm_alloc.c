/* lm_alloc.c — allocator hooks (default: the C library). */
#include "lm_alloc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void *(*alloc_fn)(size_t) = malloc;
static void *(*realloc_fn)(void *, size_t) = realloc;
static void (*free_fn)(void *) = free;

void lm_set_allocator(void *(*m)(size_t), void *(*r)(void *, size_t), void (*f)(void *))
{
    if (m && r && f) {
        alloc_fn = m;
        realloc_fn = r;
        free_fn = f;
    } else {
        alloc_fn = malloc;
        realloc_fn = realloc;
        free_fn = free;
    }
}

void *lm_malloc(size_t n) { return alloc_fn(n ? n : 1); }

void *lm_calloc(size_t count, size_t size)
{
    if (size && count > SIZE_MAX / size)
        return NULL;
    size_t total = count * size;
    void *p = alloc_fn(total ? total : 1);
    if (p)
        memset(p, 0, total);
    return p;
}

void *lm_realloc(void *p, size_t n) { return realloc_fn(p, n ? n : 1); }

void lm_free(void *p)
{
    if (p)
        free_fn(p);
}

char *lm_strndup(const char *s, size_t n)
{
    if (n == SIZE_MAX)
        return NULL;
    char *d = alloc_fn(n + 1);
    if (d) {
        if (n)
            memcpy(d, s, n);
        d[n] = '\0';
    }
    return d;
}
