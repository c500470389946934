/* dkim_key_cache.c — parsed DKIM key records kept between messages. Parsing a public key and
 * the first use of an RSA key (its Montgomery setup) cost more than the signature check
 * itself; a verifier that sees the same signers all day keeps them here. Entries are keyed by
 * the record's exact text, so a changed record is a new entry; the least recently used entry
 * goes when the cache is full. */
#include "dkim_internal.h"

#include "lm_alloc.h"
#include "lm_list.h"

#include <openssl/evp.h>
#include <string.h>

struct kentry {
    struct kentry *hnext;       /* bucket chain */
    lm_link lru;                /* in the cache's LRU list */
    uint32_t hash;
    int reason;                 /* what ma_dkim_key_parse() said */
    ma_dkim_keyrec rec;         /* holds one reference to rec.key */
    size_t len;
    char text[];
};

struct mailauth_dkim_key_cache {
    struct kentry **buckets;
    size_t nbuckets, count, max;
    lm_list lru;                /* entries, most recently used first */
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
    while (c->lru.head) {
        struct kentry *e = LM_CONTAINER(c->lru.head, struct kentry, lru);
        lm_list_unlink(&c->lru, &e->lru);
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

static void evict_tail(mailauth_dkim_key_cache *c)
{
    struct kentry *e = LM_CONTAINER(c->lru.tail, struct kentry, lru);
    lm_list_unlink(&c->lru, &e->lru);
    struct kentry **p = &c->buckets[e->hash & (c->nbuckets - 1)];
    while (*p != e)
        p = &(*p)->hnext;
    *p = e->hnext;
    c->count--;
    entry_free(e);
}

/* A copy of the cached record for the caller: the key gets one more reference, the ready
 * context is copied (without a copy the caller sets one up itself). */
static int hand_out(const struct kentry *e, ma_dkim_keyrec *rec)
{
    *rec = e->rec;
    rec->ready = e->rec.ready ? EVP_PKEY_CTX_dup(e->rec.ready) : NULL;
    if (rec->key && EVP_PKEY_up_ref(rec->key) != 1) {
        rec->key = NULL;
        EVP_PKEY_CTX_free(rec->ready);
        rec->ready = NULL;
        return MAILAUTH_E_NOMEM;
    }
    return e->reason;
}

int ma_dkim_key_parse_cached(mailauth_dkim_key_cache *c, const char *text, size_t len,
                             ma_dkim_keyrec *rec)
{
    if (!c)
        return ma_dkim_key_parse(text, len, rec);
    uint32_t h = lm_hash(0, text, len);
    for (struct kentry *e = c->buckets[h & (c->nbuckets - 1)]; e; e = e->hnext)
        if (e->hash == h && e->len == len && !memcmp(e->text, text, len)) {
            c->hits++;
            lm_list_to_front(&c->lru, &e->lru);
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
    e->rec.ready = ma_dkim_ready_context(e->rec.key);
    e->len = len;
    memcpy(e->text, text, len);
    if (c->count == c->max)
        evict_tail(c);
    struct kentry **bucket = &c->buckets[h & (c->nbuckets - 1)];
    e->hnext = *bucket;
    *bucket = e;
    lm_list_push_front(&c->lru, &e->lru);
    c->count++;
    return reason;
}
