/* field_index.c — the top-level header fields of a run's message by name: built once, the
 * first time a test asks for a field, so that a script of many header, address and exists
 * tests finds each field without reading the whole header again (RFC 5228 §5.7: names
 * compare without regard to ASCII case). */
#include "engine.h"

#include "lm_ascii.h"

#include <string.h>

/* One distinct field name: where its fields' positions start in `pos`, and how many. */
typedef struct name_slot {
    const char *name;        /* NULL: an empty slot */
    size_t len;
    uint32_t first, count;
} name_slot;

struct sv_field_index {
    const mailparse_message *msg; /* the message indexed */
    name_slot *slots;        /* open addressing, a power of two of them */
    size_t mask;
    uint32_t *pos;           /* the positions of the fields, grouped by name, each in order */
};

/* The slot of `name`: its own, or the empty one where it would go. */
static name_slot *slot_of(const struct sv_field_index *x, const char *name, size_t len)
{
    for (size_t i = sv_hash_nocase(name, len) & x->mask;; i = (i + 1) & x->mask) {
        name_slot *s = &x->slots[i];
        if (!s->name || (s->len == len && lm_strncasecmp(s->name, name, len) == 0))
            return s;
    }
}

/* Indexes the top-level fields of r->msg in the run's arena. 0 or SIEVE_E_NOMEM. */
static int build(sv_run *r, struct sv_field_index **out)
{
    const mailparse_part *top = mailparse_message_part(r->msg, 0);
    size_t n = top ? top->header_count : 0;
    size_t nslots = 8;
    while (nslots < 2 * n) /* at most half full, so a probe always ends */
        nslots *= 2;
    struct sv_field_index *x = lm_arena_calloc(r->arena, 1, sizeof *x);
    name_slot **of = lm_arena_calloc(r->arena, n ? n : 1, sizeof *of); /* each field's slot */
    if (!x || !of || !(x->slots = lm_arena_calloc(r->arena, nslots, sizeof *x->slots)) ||
        !(x->pos = lm_arena_calloc(r->arena, n ? n : 1, sizeof *x->pos)))
        return SIEVE_E_NOMEM;
    x->msg = r->msg;
    x->mask = nslots - 1;
    for (size_t i = 0; i < n; i++) {
        const mailparse_header *h = mailparse_message_header_at(r->msg, top->header_first + i);
        if (!h)
            continue;
        name_slot *s = slot_of(x, h->name ? h->name : "", h->name_len);
        if (!s->name) {
            s->name = h->name ? h->name : "";
            s->len = h->name_len;
        }
        s->count++;
        of[i] = s;
    }
    uint32_t at = 0;
    for (size_t i = 0; i < nslots; i++) {
        x->slots[i].first = at;
        at += x->slots[i].count;
        x->slots[i].count = 0;
    }
    for (size_t i = 0; i < n; i++)
        if (of[i])
            x->pos[of[i]->first + of[i]->count++] = (uint32_t)i;
    *out = x;
    return 0;
}

int sv_field_index_find(sv_run *r, const char *name, size_t len, const uint32_t **pos, size_t *n)
{
    *pos = NULL;
    *n = 0;
    if (!r->findex || r->findex->msg != r->msg) {
        int rc = build(r, &r->findex);
        if (rc)
            return rc;
    }
    const name_slot *s = slot_of(r->findex, name, len);
    *pos = r->findex->pos + (s->name ? s->first : 0);
    *n = s->name ? s->count : 0;
    return 0;
}
