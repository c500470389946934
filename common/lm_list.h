/* lm_list.h — an intrusive doubly linked list, most recent first: the least-recently-used
 * order of the caches. An entry embeds an lm_link and is found again with LM_CONTAINER. */
#ifndef LM_LIST_H
#define LM_LIST_H

#include <stddef.h>

typedef struct lm_link {
    struct lm_link *prev, *next;
} lm_link;

typedef struct lm_list {
    lm_link *head, *tail; /* most and least recently used */
} lm_list;

/* The entry of `type` whose member `member` is the link `p`. */
#define LM_CONTAINER(p, type, member) ((type *)(void *)((char *)(p) - offsetof(type, member)))

static inline void lm_list_unlink(lm_list *l, lm_link *e)
{
    if (e->prev)
        e->prev->next = e->next;
    else
        l->head = e->next;
    if (e->next)
        e->next->prev = e->prev;
    else
        l->tail = e->prev;
    e->prev = e->next = NULL;
}

static inline void lm_list_push_front(lm_list *l, lm_link *e)
{
    e->prev = NULL;
    e->next = l->head;
    if (l->head)
        l->head->prev = e;
    l->head = e;
    if (!l->tail)
        l->tail = e;
}

static inline void lm_list_to_front(lm_list *l, lm_link *e)
{
    if (l->head != e) {
        lm_list_unlink(l, e);
        lm_list_push_front(l, e);
    }
}

/* FNV-1a over `n` octets, continuing from `h` (start with LM_FNV1A_INIT): the bucket hash of
 * the caches' keys. */
#define LM_FNV1A_INIT 2166136261u

static inline unsigned lm_fnv1a(unsigned h, const void *p, size_t n)
{
    const unsigned char *s = p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ s[i]) * 16777619u;
    return h;
}

#endif
