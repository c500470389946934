/* dkim_key_cache.c — parsed DKIM key records kept between messages. Parsing a public key and
 * the first use of an RSA key (its Montgomery setup) cost more than the signature check
 * itself; a verifier that sees the same signers all day keeps them here. Entries are keyed by
 * the record's exact text, so a changed record is a new entry; the least recently used entry
 * goes when the cache is full. */
#include "dkim_internal.h"

#include "lm_alloc.h"

#include <openssl/evp.h>
#include <string.h>

struct kentry {
    struct kentry *hnext;       /* bucket chain */
    struct kentry *prev, *next; /* LRU list, most recent first */
    uint32_t hash;
    int reason;                 /* what ma_dkim_key_parse() said */
    ma_dkim_keyrec rec;         /* holds one reference to rec.key */
    size_t len;
    char text[];
};

struct mailauth_dkim_key_cache {
    struct kentry **buckets;
    size_t nbuckets, count, max;
    struct kentry *head, *tail;
    uint64_t hits, misses;
};

int mailauth_dkim_key_cache_new(size_t max_entries, mailauth_dkim_key_cache **out)
{
    if (!out)
        return MAILAUTH_E_INVAL;
    *out = NULL;
    if (max_entries == 0)
        max_entries = MAILAUTH_DKIM_KEY_CACHE_DEFAULT_ENTRIES;
    if (max_entries > MAILAUTH_DKIM_KEY_CACHE_MAX_ENTRIES)
        return MAILAUTH_E_INVAL;
    mailauth_dkim_key_cache *c = lm_calloc(1, sizeof *c);
    if (!c)
        return MAILAUTH_E_NOMEM;
    c->max = max_entries;
    c->nbuckets = 16;
    while (c->nbuckets < max_entries)
        c->nbuckets *= 2;
    c->buckets = lm_calloc(c->nbuckets, sizeof *c->buckets);
    if (!c->buckets) {
        lm_free(c);
        return MAILAUTH_E_NOMEM;
    }
    *out = c;
    return 0;
}

static void entry_free(struct kentry *e)
{
    ma_dkim_keyrec_free(&e->rec);
    lm_free(e);
}

void mailauth_dkim_key_cache_free(mailauth_dkim_key_cache *c)
{
    if (!c)
        return;
    for (struct kentry *e = c->head, *next; e; e = next) {
        next = e->next;
        entry_free(e);
    }
    lm_free(c->buckets);
    lm_free(c);
}

void mailauth_dkim_key_cache_stats(const mailauth_dkim_key_cache *c, uint64_t *hits,
                                   uint64_t *misses, size_t *entries)
{
    if (hits)
        *hits = c ? c->hits : 0;
    if (misses)
        *misses = c ? c->misses : 0;
    if (entries)
        *entries = c ? c->count : 0;
}

/* FNV-1a. */
static uint32_t text_hash(const char *s, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 16777619u;
    return h;
}

static void lru_unlink(mailauth_dkim_key_cache *c, struct kentry *e)
{
    if (e->prev)
        e->prev->next = e->next;
    else
        c->head = e->next;
    if (e->next)
        e->next->prev = e->prev;
    else
        c->tail = e->prev;
    e->prev = e->next = NULL;
}

static void lru_push(mailauth_dkim_key_cache *c, struct kentry *e)
{
    e->next = c->head;
    if (c->head)
        c->head->prev = e;
    c->head = e;
    if (!c->tail)
        c->tail = e;
}

static void evict_tail(mailauth_dkim_key_cache *c)
{
    struct kentry *e = c->tail;
    lru_unlink(c, e);
    struct kentry **p = &c->buckets[e->hash & (c->nbuckets - 1)];
    while (*p != e)
        p = &(*p)->hnext;
    *p = e->hnext;
    c->count--;
    entry_free(e);
}

/* A copy of the cached record for the caller: the key gets one more reference. */
static int hand_out(const struct kentry *e, ma_dkim_keyrec *rec)
{
    *rec = e->rec;
    if (rec->key && EVP_PKEY_up_ref(rec->key) != 1) {
        rec->key = NULL;
        return MAILAUTH_E_NOMEM;
    }
    return e->reason;
}

int ma_dkim_key_parse_cached(mailauth_dkim_key_cache *c, const char *text, size_t len,
                             ma_dkim_keyrec *rec)
{
    if (!c)
        return ma_dkim_key_parse(text, len, rec);
    uint32_t h = text_hash(text, len);
    for (struct kentry *e = c->buckets[h & (c->nbuckets - 1)]; e; e = e->hnext)
        if (e->hash == h && e->len == len && !memcmp(e->text, text, len)) {
            c->hits++;
            lru_unlink(c, e);
            lru_push(c, e);
            return hand_out(e, rec);
        }
    c->misses++;
    int reason = ma_dkim_key_parse(text, len, rec);
    if (reason < 0)
        return reason; /* out of memory: nothing to keep */
    struct kentry *e = lm_malloc(sizeof *e + len);
    if (!e)
        return reason; /* the answer stands; it is just not kept */
    memset(e, 0, sizeof *e);
    e->hash = h;
    e->reason = reason;
    e->rec = *rec;
    if (e->rec.key && EVP_PKEY_up_ref(e->rec.key) != 1) {
        lm_free(e);
        return reason;
    }
    e->len = len;
    memcpy(e->text, text, len);
    if (c->count == c->max)
        evict_tail(c);
    struct kentry **bucket = &c->buckets[h & (c->nbuckets - 1)];
    e->hnext = *bucket;
    *bucket = e;
    lru_push(c, e);
    c->count++;
    return reason;
}
