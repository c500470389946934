/* lm_alloc.h — the allocator hooks every libmail library routes its memory through.
 * common/ is compiled into each library, so each library has its own hooks. */
#ifndef LM_ALLOC_H
#define LM_ALLOC_H

#include <stddef.h>

void lm_set_allocator(void *(*m)(size_t), void *(*r)(void *, size_t), void (*f)(void *));
void *lm_malloc(size_t n);
void *lm_calloc(size_t count, size_t size); /* zeroed; NULL on overflow */
void *lm_realloc(void *p, size_t n);
void lm_free(void *p);
char *lm_strndup(const char *s, size_t n); /* NUL-terminated copy */

#endif
