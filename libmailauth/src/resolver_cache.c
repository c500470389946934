/* resolver_cache.c — a TTL-respecting, size-bounded LRU cache in front of any resolver,
 * with negative caching (RFC 2308 §5) and no caching of failures. */
#include "ma_internal.h"

#include "lm_alloc.h"
#include "lm_list.h"

#include <string.h>
#include <time.h>

/* The bucket array never grows past this; longer chains are the price of a huge max_entries. */
#define CACHE_BUCKETS_MAX ((size_t)1 << 20)

struct centry {
    struct centry *hnext;       /* bucket chain */
    lm_link lru;                /* in the cache's LRU list */
    mailauth_dns_answer *answer;
    int64_t expires;            /* served while now < expires */
    size_t bytes;
    uint32_t hash;
    int type;
    size_t key_len;
    unsigned char key[];
};

struct mailauth_cache {
    mailauth_resolver upstream;
    mailauth_cache_options opts;
    struct centry **buckets;
    size_t nbuckets;
    lm_list lru;                /* entries, most recently used first */
    size_t entries, bytes;
    uint64_t hits, misses, evictions;
};

void mailauth_cache_options_init(mailauth_cache_options *opts)
{
    if (!opts)
        return;
    memset(opts, 0, sizeof *opts);
    opts->struct_size = sizeof *opts;
}

int mailauth_cache_new(const mailauth_resolver *upstream, const mailauth_cache_options *opts,
                       mailauth_cache **out)
{
    if (!out)
        return MAILAUTH_E_INVAL;
    *out = NULL;
    if (!upstream || upstream->struct_size < sizeof *upstream || !upstream->lookup ||
        (opts && opts->struct_size < sizeof(size_t)))
        return MAILAUTH_E_INVAL;
    mailauth_cache *c = lm_calloc(1, sizeof *c);
    if (!c)
        return MAILAUTH_E_NOMEM;
    c->upstream = *upstream;
    c->upstream.struct_size = sizeof c->upstream;
    if (opts)
        memcpy(&c->opts, opts,
               opts->struct_size < sizeof c->opts ? opts->struct_size : sizeof c->opts);
    c->opts.struct_size = sizeof c->opts;
    if (!c->opts.max_entries)
        c->opts.max_entries = MAILAUTH_CACHE_DEFAULT_MAX_ENTRIES;
    if (!c->opts.max_bytes)
        c->opts.max_bytes = MAILAUTH_CACHE_DEFAULT_MAX_BYTES;
    if (!c->opts.max_ttl)
        c->opts.max_ttl = MAILAUTH_CACHE_DEFAULT_MAX_TTL;
    if (!c->opts.max_negative_ttl)
        c->opts.max_negative_ttl = MAILAUTH_CACHE_DEFAULT_MAX_NEGATIVE_TTL;
    size_t nb = 16;
    while (nb < c->opts.max_entries && nb < CACHE_BUCKETS_MAX)
        nb *= 2;
    c->buckets = lm_calloc(nb, sizeof *c->buckets);
    if (!c->buckets) {
        lm_free(c);
        return MAILAUTH_E_NOMEM;
    }
    c->nbuckets = nb;
    *out = c;
    return 0;
}

static void unlink_entry(mailauth_cache *c, struct centry *e)
{
    struct centry **pp = &c->buckets[e->hash & (c->nbuckets - 1)];
    while (*pp != e)
        pp = &(*pp)->hnext;
    *pp = e->hnext;
    lm_list_unlink(&c->lru, &e->lru);
    c->entries--;
    c->bytes -= e->bytes;
    mailauth_dns_answer_free(e->answer);
    lm_free(e);
}

void mailauth_cache_clear(mailauth_cache *c)
{
    if (!c)
        return;
    while (c->lru.head)
        unlink_entry(c, LM_CONTAINER(c->lru.head, struct centry, lru));
}

void mailauth_cache_free(mailauth_cache *c)
{
    if (!c)
        return;
    mailauth_cache_clear(c);
    lm_free(c->buckets);
    lm_free(c);
}

static int64_t cache_now(const mailauth_cache *c)
{
    return c->opts.clock ? c->opts.clock(c->opts.clock_user) : (int64_t)time(NULL);
}

/* The bucket hash of the type and the key. */
static uint32_t key_hash(int type, const unsigned char *key, size_t n)
{
    return lm_hash((uint64_t)type, key, n);
}

static struct centry *find(const mailauth_cache *c, uint32_t h, int type,
                           const unsigned char *key, size_t n)
{
    for (struct centry *e = c->buckets[h & (c->nbuckets - 1)]; e; e = e->hnext)
        if (e->hash == h && e->type == type && e->key_len == n && memcmp(e->key, key, n) == 0)
            return e;
    return NULL;
}

/* Keeps a copy of `answer` for `ttl` seconds from `now`; quietly keeps nothing when it does
 * not fit or memory runs out. */
static void store(mailauth_cache *c, uint32_t h, int type, const unsigned char *key, size_t n,
                  const mailauth_dns_answer *answer, uint32_t ttl, int64_t now)
{
    struct centry *old = find(c, h, type, key, n);
    if (old)
        unlink_entry(c, old);
    struct centry *e = lm_malloc(sizeof *e + n);
    if (!e)
        return;
    memset(e, 0, sizeof *e);
    if (mailauth_dns_answer_new(&e->answer) ||
        mailauth_dns_answer_copy(e->answer, answer)) {
        mailauth_dns_answer_free(e->answer);
        lm_free(e);
        return;
    }
    e->bytes = sizeof *e + n + ma_answer_bytes(e->answer);
    if (e->bytes > c->opts.max_bytes) {
        mailauth_dns_answer_free(e->answer);
        lm_free(e);
        return;
    }
    while (c->lru.tail && (c->entries + 1 > c->opts.max_entries ||
                           c->bytes + e->bytes > c->opts.max_bytes)) {
        unlink_entry(c, LM_CONTAINER(c->lru.tail, struct centry, lru));
        c->evictions++;
    }
    e->expires = now + (int64_t)ttl;
    e->hash = h;
    e->type = type;
    e->key_len = n;
    memcpy(e->key, key, n);
    struct centry **b = &c->buckets[h & (c->nbuckets - 1)];
    e->hnext = *b;
    *b = e;
    lm_list_push_front(&c->lru, &e->lru);
    c->entries++;
    c->bytes += e->bytes;
}

int mailauth_cache_lookup(mailauth_cache *c, const char *name, int type,
                          mailauth_dns_answer *answer)
{
    unsigned char wire[MA_NAME_MAX], key[MA_NAME_MAX];
    size_t wlen;
    if (!c || !answer || !ma_type_known(type) || ma_name_parse_absolute(name, wire, &wlen))
        return MAILAUTH_E_INVAL;
    size_t n = ma_name_key(wire, wlen, key);
    uint32_t h = key_hash(type, key, n);
    int64_t now = cache_now(c);
    struct centry *e = find(c, h, type, key, n);
    if (e && now < e->expires) {
        int rc = mailauth_dns_answer_copy(answer, e->answer);
        if (rc)
            return rc;
        int64_t left = e->expires - now;
        mailauth_dns_answer_set_ttl(answer, (uint32_t)left);
        lm_list_to_front(&c->lru, &e->lru);
        c->hits++;
        return 0;
    }
    if (e)
        unlink_entry(c, e);
    c->misses++;
    int rc = mailauth_resolve(&c->upstream, name, type, answer);
    if (rc)
        return rc;
    int result = mailauth_dns_answer_result(answer);
    uint32_t ttl = mailauth_dns_answer_ttl(answer);
    if (result == MAILAUTH_DNS_FOUND) {
        if (ttl > c->opts.max_ttl)
            ttl = c->opts.max_ttl;
    } else if (result == MAILAUTH_DNS_NXDOMAIN || result == MAILAUTH_DNS_NODATA) {
        if (ttl > c->opts.max_negative_ttl)
            ttl = c->opts.max_negative_ttl;
    } else {
        return 0;
    }
    mailauth_dns_answer_set_ttl(answer, ttl);
    if (ttl > 0)
        store(c, h, type, key, n, answer, ttl, now);
    return 0;
}

static int cache_lookup_cb(void *user, const char *name, int type, mailauth_dns_answer *answer)
{
    return mailauth_cache_lookup(user, name, type, answer);
}

void mailauth_cache_resolver(mailauth_cache *c, mailauth_resolver *r)
{
    if (!r)
        return;
    mailauth_resolver_init(r);
    r->lookup = cache_lookup_cb;
    r->user = c;
}

int mailauth_cache_get_stats(const mailauth_cache *c, mailauth_cache_stats *stats)
{
    if (!c || !stats || stats->struct_size < sizeof *stats)
        return MAILAUTH_E_INVAL;
    stats->hits = c->hits;
    stats->misses = c->misses;
    stats->evictions = c->evictions;
    stats->entries = c->entries;
    stats->bytes = c->bytes;
    return 0;
}
