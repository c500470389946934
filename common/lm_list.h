/* lm_list.h — an intrusive doubly linked list, most recent first: the least-recently-used
 * order of the caches (an entry embeds an lm_link and is found again with LM_CONTAINER), and
 * the caches' bucket hash. */
#ifndef LM_LIST_H
#define LM_LIST_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

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

/* The bucket hash of the caches' keys: `n` octets mixed eight at a time (a multiply and a
 * shift per word, in the manner of MurmurHash3's finaliser) from `seed`. Not for storage or
 * the wire: the value depends on the machine's byte order. */
static inline uint32_t lm_hash(uint64_t seed, const void *p, size_t n)
{
    const unsigned char *s = p;
    uint64_t h = (seed ^ n) * 0x9e3779b97f4a7c15ull, w;
    for (; n >= 8; s += 8, n -= 8) {
        memcpy(&w, s, 8);
        h = (h ^ w) * 0xff51afd7ed558ccdull;
        h ^= h >> 32;
    }
    w = 0;
    memcpy(&w, s, n);
    h = (h ^ w) * 0xc4ceb9fe1a85ec53ull;
    return (uint32_t)(h ^ (h >> 29));
}

#endif
