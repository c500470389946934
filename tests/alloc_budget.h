/* alloc_budget.h — an allocator for allocation-failure tests: while `alloc_limited` is set,
 * the first `alloc_budget` allocations succeed and every later one fails. Shared by the unit
 * tests of every library (each installs it through its own *_set_allocator()). */
#ifndef ALLOC_BUDGET_H
#define ALLOC_BUDGET_H

#include <stdlib.h>

static size_t alloc_budget;
static int alloc_limited;

static void *budget_malloc(size_t n)
{
    if (alloc_limited) {
        if (alloc_budget == 0)
            return NULL;
        alloc_budget--;
    }
    return malloc(n);
}

static void *budget_realloc(void *p, size_t n)
{
    if (alloc_limited) {
        if (alloc_budget == 0)
            return NULL;
        alloc_budget--;
    }
    return realloc(p, n);
}

#endif
