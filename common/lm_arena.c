/* lm_arena.c — a bump allocator over a chain of blocks that doubles in size. */
#include "lm_arena.h"

#include "lm_alloc.h"

#include <stdint.h>
#include <string.h>

#define ALIGN 16
#define MAX_BLOCK ((size_t)1 << 24)

struct block {
    struct block *next;
    size_t size, used;
    _Alignas(ALIGN) unsigned char data[];
};

struct lm_arena {
    struct block *head;
    size_t next_size;
    size_t total;
};

static struct block *block_new(size_t size)
{
    if (size > SIZE_MAX - sizeof(struct block))
        return NULL;
    struct block *b = lm_malloc(sizeof(struct block) + size);
    if (!b)
        return NULL;
    b->next = NULL;
    b->size = size;
    b->used = 0;
    return b;
}

lm_arena *lm_arena_new(size_t hint)
{
    lm_arena *a = lm_malloc(sizeof *a);
    if (!a)
        return NULL;
    a->head = NULL;
    a->next_size = hint ? hint : 4096;
    a->total = 0;
    return a;
}

void *lm_arena_alloc(lm_arena *a, size_t n)
{
    if (n > SIZE_MAX - ALIGN)
        return NULL;
    n = (n + ALIGN - 1) & ~(size_t)(ALIGN - 1);
    if (n == 0)
        n = ALIGN;
    struct block *b = a->head;
    if (!b || b->size - b->used < n) {
        size_t size = a->next_size;
        if (size < n)
            size = n;
        b = block_new(size);
        if (!b)
            return NULL;
        if (a->next_size < MAX_BLOCK)
            a->next_size *= 2;
        /* A block made for one large request goes behind the head so the head keeps its room. */
        if (a->head && size == n && a->head->size - a->head->used > 0) {
            b->next = a->head->next;
            a->head->next = b;
        } else {
            b->next = a->head;
            a->head = b;
        }
    }
    void *p = b->data + b->used;
    b->used += n;
    a->total += n;
    return p;
}

void *lm_arena_calloc(lm_arena *a, size_t count, size_t size)
{
    if (size && count > SIZE_MAX / size)
        return NULL;
    void *p = lm_arena_alloc(a, count * size);
    if (p)
        memset(p, 0, count * size);
    return p;
}

char *lm_arena_strndup(lm_arena *a, const char *s, size_t n)
{
    if (n == SIZE_MAX)
        return NULL;
    char *d = lm_arena_alloc(a, n + 1);
    if (d) {
        if (n)
            memcpy(d, s, n);
        d[n] = '\0';
    }
    return d;
}

size_t lm_arena_used(const lm_arena *a) { return a->total; }

void lm_arena_free(lm_arena *a)
{
    if (!a)
        return;
    struct block *b = a->head;
    while (b) {
        struct block *next = b->next;
        lm_free(b);
        b = next;
    }
    lm_free(a);
}
