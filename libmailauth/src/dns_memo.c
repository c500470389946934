/* dns_memo.c — the DNS answers one check has gathered, so that a check can run blocking or
 * step by step on the same code: an evaluation asks the memo, which answers from what it
 * holds, asks the blocking resolver, or records the question and says MAILAUTH_NEED_DNS.
 * Evaluations are deterministic given their answers, so a check that needed DNS simply runs
 * again from the start once the answer is in. */
#include "ma_internal.h"

#include "lm_alloc.h"

#include <string.h>

struct ma_dns_entry {
    unsigned char key[MA_NAME_MAX];
    size_t key_len;
    int type;
    mailauth_dns_answer *answer;
};

void ma_dns_init(ma_dns *d, size_t max_entries)
{
    memset(d, 0, sizeof *d);
    d->max = max_entries ? max_entries : MA_DNS_MEMO_MAX;
}

void ma_dns_clear(ma_dns *d)
{
    for (size_t i = 0; i < d->count; i++)
        mailauth_dns_answer_free(d->entries[i].answer);
    lm_free(d->entries);
    size_t max = d->max;
    ma_dns_init(d, max);
}

static struct ma_dns_entry *find(const ma_dns *d, const unsigned char *key, size_t key_len, int type)
{
    for (size_t i = 0; i < d->count; i++)
        if (d->entries[i].type == type && d->entries[i].key_len == key_len &&
            !memcmp(d->entries[i].key, key, key_len))
            return &d->entries[i];
    return NULL;
}

/* A new entry holding a copy of `answer`, or NULL (MAILAUTH_E_NOMEM / MAILAUTH_E_LIMIT in
 * *rc). */
static struct ma_dns_entry *store(ma_dns *d, const unsigned char *key, size_t key_len, int type,
                                  const mailauth_dns_answer *answer, int *rc)
{
    if (d->count == d->max) {
        *rc = MAILAUTH_E_LIMIT;
        return NULL;
    }
    if (d->count == d->cap) {
        size_t cap = d->cap ? d->cap * 2 : 8;
        if (cap > d->max)
            cap = d->max;
        struct ma_dns_entry *e = lm_realloc(d->entries, cap * sizeof *e);
        if (!e) {
            *rc = MAILAUTH_E_NOMEM;
            return NULL;
        }
        d->entries = e;
        d->cap = cap;
    }
    struct ma_dns_entry *e = &d->entries[d->count];
    *rc = mailauth_dns_answer_new(&e->answer);
    if (!*rc)
        *rc = mailauth_dns_answer_copy(e->answer, answer);
    if (*rc) {
        mailauth_dns_answer_free(e->answer);
        return NULL;
    }
    memcpy(e->key, key, key_len);
    e->key_len = key_len;
    e->type = type;
    ma_answer_normalise(e->answer);
    d->count++;
    return e;
}

int ma_dns_lookup(ma_dns *d, const char *name, int type, const mailauth_dns_answer **out)
{
    unsigned char wire[MA_NAME_MAX], key[MA_NAME_MAX];
    size_t wlen;
    *out = NULL;
    if (!name || !ma_type_known(type) || ma_name_parse_absolute(name, wire, &wlen))
        return MAILAUTH_E_INVAL;
    size_t klen = ma_name_key(wire, wlen, key);
    struct ma_dns_entry *e = find(d, key, klen, type);
    if (e) {
        *out = e->answer;
        return 0;
    }
    if (!d->resolver) {
        ma_name_text(wire, wlen, d->pending_name);
        d->pending_type = type;
        d->pending = 1;
        return MAILAUTH_NEED_DNS;
    }
    mailauth_dns_answer *a;
    int rc = mailauth_dns_answer_new(&a);
    if (rc)
        return rc;
    rc = mailauth_resolve(d->resolver, name, type, a);
    if (rc == MAILAUTH_E_NOMEM) {
        mailauth_dns_answer_free(a);
        return rc;
    }
    if (rc) { /* a resolver that cannot ask: the lookup failed, and may work another time */
        mailauth_dns_answer_reset(a);
        mailauth_dns_answer_set_result(a, MAILAUTH_DNS_TEMPFAIL);
    }
    d->lookups++;
    e = store(d, key, klen, type, a, &rc);
    mailauth_dns_answer_free(a);
    if (!e)
        return rc;
    *out = e->answer;
    return 0;
}

int ma_dns_pending(const ma_dns *d, mailauth_query *q)
{
    if (!d->pending || !q)
        return MAILAUTH_E_INVAL;
    q->name = d->pending_name;
    q->type = d->pending_type;
    return MAILAUTH_NEED_DNS;
}

int ma_dns_step(ma_dns *d, int (*eval)(void *user), void *user, mailauth_query *q)
{
    d->resolver = NULL;
    int rc = eval(user);
    return rc == MAILAUTH_NEED_DNS ? ma_dns_pending(d, q) : rc;
}

int ma_dns_run(ma_dns *d, const mailauth_resolver *resolver, int (*eval)(void *user),
               void *user)
{
    d->resolver = resolver;
    int rc = eval(user);
    d->resolver = NULL;
    return rc == MAILAUTH_NEED_DNS ? MAILAUTH_E_INVAL : rc;
}

int ma_dns_answer(ma_dns *d, const mailauth_dns_answer *answer)
{
    unsigned char wire[MA_NAME_MAX], key[MA_NAME_MAX];
    size_t wlen;
    if (!d->pending || !answer || ma_name_parse_absolute(d->pending_name, wire, &wlen))
        return MAILAUTH_E_INVAL;
    size_t klen = ma_name_key(wire, wlen, key);
    int rc;
    if (!store(d, key, klen, d->pending_type, answer, &rc))
        return rc;
    d->pending = 0;
    d->lookups++;
    return 0;
}
