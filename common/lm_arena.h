/* lm_arena.h — a bump allocator: many small allocations, one free. */
#ifndef LM_ARENA_H
#define LM_ARENA_H

#include <stddef.h>

typedef struct lm_arena lm_arena;

/* A new arena whose first block holds `hint` bytes (0 = 4 KiB). NULL when out of memory. */
lm_arena *lm_arena_new(size_t hint);
/* `n` bytes aligned to 16 (n = 0 gives a valid unique pointer). NULL when out of memory. */
void *lm_arena_alloc(lm_arena *a, size_t n);
/* `count` zeroed elements of `size` bytes; NULL on overflow or out of memory. */
void *lm_arena_calloc(lm_arena *a, size_t count, size_t size);
/* A NUL-terminated copy of `n` bytes. */
char *lm_arena_strndup(lm_arena *a, const char *s, size_t n);
/* Bytes handed out so far (for tests and statistics). */
size_t lm_arena_used(const lm_arena *a);
void lm_arena_free(lm_arena *a); /* NULL is fine */

#endif
