/* arena_fixture.h — the lm_arena that a parser unit test allocates from, as a cmocka fixture. */
#ifndef ARENA_FIXTURE_H
#define ARENA_FIXTURE_H

#include "mp_internal.h"

static lm_arena *arena; /* made by arena_setup(), freed by arena_teardown() */

/* cmocka setup: makes `arena`. */
static inline int arena_setup(void **state)
{
    (void)state;
    arena = lm_arena_new(0);
    return arena ? 0 : -1;
}

/* cmocka teardown: frees `arena`. */
static inline int arena_teardown(void **state)
{
    (void)state;
    lm_arena_free(arena);
    return 0;
}

#endif
