/* dns_answer.c — the answer record set a resolver fills, and mailauth_resolve(). */
#include "ma_internal.h"

#include "lm_alloc.h"
#include "lm_arena.h"

#include <string.h>

struct mailauth_dns_answer {
    int result;
    int dnssec;
    uint32_t ttl;
    mailauth_dns_record *recs;
    size_t count, cap;
    lm_arena *arena; /* record data; made on the first add */
};

int ma_type_known(int type)
{
    switch (type) {
    case MAILAUTH_RR_A: case MAILAUTH_RR_NS: case MAILAUTH_RR_CNAME: case MAILAUTH_RR_PTR:
    case MAILAUTH_RR_MX: case MAILAUTH_RR_TXT: case MAILAUTH_RR_AAAA: case MAILAUTH_RR_TLSA:
        return 1;
    default:
        return 0;
    }
}

int mailauth_dns_answer_new(mailauth_dns_answer **out)
{
    if (!out)
        return MAILAUTH_E_INVAL;
    *out = lm_calloc(1, sizeof **out);
    if (!*out)
        return MAILAUTH_E_NOMEM;
    (*out)->result = MAILAUTH_DNS_NXDOMAIN;
    return 0;
}

void mailauth_dns_answer_reset(mailauth_dns_answer *a)
{
    if (!a)
        return;
    lm_arena_free(a->arena);
    lm_free(a->recs);
    memset(a, 0, sizeof *a);
    a->result = MAILAUTH_DNS_NXDOMAIN;
}

void mailauth_dns_answer_free(mailauth_dns_answer *a)
{
    if (!a)
        return;
    mailauth_dns_answer_reset(a);
    lm_free(a);
}

int mailauth_dns_answer_result(const mailauth_dns_answer *a)
{
    return a ? a->result : MAILAUTH_DNS_PERMFAIL;
}

uint32_t mailauth_dns_answer_ttl(const mailauth_dns_answer *a) { return a ? a->ttl : 0; }

int mailauth_dns_answer_dnssec(const mailauth_dns_answer *a)
{
    return a ? a->dnssec : MAILAUTH_DNSSEC_INDETERMINATE;
}

size_t mailauth_dns_answer_count(const mailauth_dns_answer *a) { return a ? a->count : 0; }

const mailauth_dns_record *mailauth_dns_answer_record(const mailauth_dns_answer *a, size_t i)
{
    return a && i < a->count ? &a->recs[i] : NULL;
}

int mailauth_dns_answer_set_result(mailauth_dns_answer *a, int result)
{
    if (!a || result < MAILAUTH_DNS_FOUND || result > MAILAUTH_DNS_PERMFAIL)
        return MAILAUTH_E_INVAL;
    a->result = result;
    return 0;
}

void mailauth_dns_answer_set_ttl(mailauth_dns_answer *a, uint32_t ttl)
{
    if (a)
        a->ttl = ttl;
}

int mailauth_dns_answer_set_dnssec(mailauth_dns_answer *a, int dnssec)
{
    if (!a || dnssec < MAILAUTH_DNSSEC_INDETERMINATE || dnssec > MAILAUTH_DNSSEC_BOGUS)
        return MAILAUTH_E_INVAL;
    a->dnssec = dnssec;
    return 0;
}

size_t ma_answer_bytes(const mailauth_dns_answer *a)
{
    return sizeof *a + a->cap * sizeof *a->recs + (a->arena ? lm_arena_used(a->arena) : 0);
}

/* A zeroed record slot at the end (not yet counted), or NULL when out of memory. */
static mailauth_dns_record *slot(mailauth_dns_answer *a)
{
    if (!a->arena && !(a->arena = lm_arena_new(0)))
        return NULL;
    if (a->count == a->cap) {
        size_t cap = a->cap ? a->cap * 2 : 4;
        mailauth_dns_record *r = lm_realloc(a->recs, cap * sizeof *r);
        if (!r)
            return NULL;
        a->recs = r;
        a->cap = cap;
    }
    mailauth_dns_record *r = &a->recs[a->count];
    memset(r, 0, sizeof *r);
    return r;
}

int mailauth_dns_answer_add_a(mailauth_dns_answer *a, const unsigned char addr[4])
{
    if (!a || !addr)
        return MAILAUTH_E_INVAL;
    mailauth_dns_record *r = slot(a);
    if (!r)
        return MAILAUTH_E_NOMEM;
    r->type = MAILAUTH_RR_A;
    memcpy(r->addr, addr, 4);
    r->addr_len = 4;
    a->count++;
    return 0;
}

int mailauth_dns_answer_add_aaaa(mailauth_dns_answer *a, const unsigned char addr[16])
{
    if (!a || !addr)
        return MAILAUTH_E_INVAL;
    mailauth_dns_record *r = slot(a);
    if (!r)
        return MAILAUTH_E_NOMEM;
    r->type = MAILAUTH_RR_AAAA;
    memcpy(r->addr, addr, 16);
    r->addr_len = 16;
    a->count++;
    return 0;
}

/* Checks `name` and stores its normal presentation form in the record. */
static int set_name(mailauth_dns_answer *a, mailauth_dns_record *r, const char *name)
{
    unsigned char wire[MA_NAME_MAX];
    size_t wlen;
    char text[MA_NAME_TEXT_MAX];
    if (ma_name_parse_absolute(name, wire, &wlen))
        return MAILAUTH_E_INVAL;
    size_t n = ma_name_text(wire, wlen, text);
    char *copy = lm_arena_strndup(a->arena, text, n);
    if (!copy)
        return MAILAUTH_E_NOMEM;
    r->name = copy;
    r->name_len = n;
    return 0;
}

int mailauth_dns_answer_add_name(mailauth_dns_answer *a, int type, const char *name)
{
    if (!a || !name ||
        (type != MAILAUTH_RR_PTR && type != MAILAUTH_RR_NS && type != MAILAUTH_RR_CNAME))
        return MAILAUTH_E_INVAL;
    mailauth_dns_record *r = slot(a);
    if (!r)
        return MAILAUTH_E_NOMEM;
    int rc = set_name(a, r, name);
    if (rc)
        return rc;
    r->type = type;
    a->count++;
    return 0;
}

int mailauth_dns_answer_add_mx(mailauth_dns_answer *a, unsigned preference, const char *exchange)
{
    if (!a || !exchange || preference > 65535)
        return MAILAUTH_E_INVAL;
    mailauth_dns_record *r = slot(a);
    if (!r)
        return MAILAUTH_E_NOMEM;
    int rc = set_name(a, r, exchange);
    if (rc)
        return rc;
    r->type = MAILAUTH_RR_MX;
    r->preference = preference;
    a->count++;
    return 0;
}

/* Allocates a TXT record's joined text and string lengths; fills them with the caller. */
static mailauth_dns_record *txt_slot(mailauth_dns_answer *a, size_t total, size_t count,
                                     char **text, size_t **lens)
{
    mailauth_dns_record *r = slot(a);
    if (!r)
        return NULL;
    *text = lm_arena_alloc(a->arena, total + 1);
    *lens = lm_arena_calloc(a->arena, count ? count : 1, sizeof **lens);
    if (!*text || !*lens)
        return NULL;
    r->type = MAILAUTH_RR_TXT;
    r->text = *text;
    r->text_len = total;
    r->string_lens = *lens;
    r->string_count = count;
    return r;
}

int mailauth_dns_answer_add_txt(mailauth_dns_answer *a, const unsigned char *const *strings,
                                const size_t *lens, size_t count)
{
    if (!a || (count && (!strings || !lens)) || count > MA_RDATA_MAX)
        return MAILAUTH_E_INVAL;
    size_t total = 0;
    for (size_t i = 0; i < count; i++) {
        if (lens[i] > MA_TXT_STRING_MAX || (lens[i] && !strings[i]))
            return MAILAUTH_E_INVAL;
        total += lens[i];
    }
    char *text;
    size_t *l;
    if (!txt_slot(a, total, count, &text, &l))
        return MAILAUTH_E_NOMEM;
    size_t k = 0;
    for (size_t i = 0; i < count; i++) {
        if (lens[i])
            memcpy(text + k, strings[i], lens[i]);
        k += lens[i];
        l[i] = lens[i];
    }
    text[k] = '\0';
    a->count++;
    return 0;
}

int ma_answer_add_txt_rdata(mailauth_dns_answer *a, const unsigned char *rdata, size_t len)
{
    size_t count = 0, total = 0;
    for (size_t i = 0; i < len; i += (size_t)rdata[i] + 1) {
        count++;
        total += rdata[i];
    }
    char *text;
    size_t *l;
    if (!txt_slot(a, total, count, &text, &l))
        return MAILAUTH_E_NOMEM;
    size_t k = 0, j = 0;
    for (size_t i = 0; i < len; i += (size_t)rdata[i] + 1) {
        memcpy(text + k, rdata + i + 1, rdata[i]);
        k += rdata[i];
        l[j++] = rdata[i];
    }
    text[k] = '\0';
    a->count++;
    return 0;
}

int mailauth_dns_answer_add_tlsa(mailauth_dns_answer *a, unsigned usage, unsigned selector,
                                 unsigned mtype, const unsigned char *data, size_t len)
{
    if (!a || usage > 255 || selector > 255 || mtype > 255 || (len && !data) ||
        len > MA_RDATA_MAX - 3)
        return MAILAUTH_E_INVAL;
    mailauth_dns_record *r = slot(a);
    if (!r)
        return MAILAUTH_E_NOMEM;
    unsigned char *copy = lm_arena_alloc(a->arena, len);
    if (!copy)
        return MAILAUTH_E_NOMEM;
    if (len)
        memcpy(copy, data, len);
    r->type = MAILAUTH_RR_TLSA;
    r->usage = usage;
    r->selector = selector;
    r->mtype = mtype;
    r->data = copy;
    r->data_len = len;
    a->count++;
    return 0;
}

static int copy_record(mailauth_dns_answer *dst, const mailauth_dns_record *r)
{
    switch (r->type) {
    case MAILAUTH_RR_A:
        return mailauth_dns_answer_add_a(dst, r->addr);
    case MAILAUTH_RR_AAAA:
        return mailauth_dns_answer_add_aaaa(dst, r->addr);
    case MAILAUTH_RR_MX:
        return mailauth_dns_answer_add_mx(dst, r->preference, r->name);
    case MAILAUTH_RR_PTR: case MAILAUTH_RR_NS: case MAILAUTH_RR_CNAME:
        return mailauth_dns_answer_add_name(dst, r->type, r->name);
    case MAILAUTH_RR_TLSA:
        return mailauth_dns_answer_add_tlsa(dst, r->usage, r->selector, r->mtype, r->data,
                                            r->data_len);
    case MAILAUTH_RR_TXT: {
        char *text;
        size_t *l;
        if (!txt_slot(dst, r->text_len, r->string_count, &text, &l))
            return MAILAUTH_E_NOMEM;
        memcpy(text, r->text, r->text_len + 1);
        if (r->string_count)
            memcpy(l, r->string_lens, r->string_count * sizeof *l);
        dst->count++;
        return 0;
    }
    default:
        return MAILAUTH_E_INVAL;
    }
}

int mailauth_dns_answer_copy(mailauth_dns_answer *dst, const mailauth_dns_answer *src)
{
    if (!dst || !src || dst == src)
        return MAILAUTH_E_INVAL;
    mailauth_dns_answer_reset(dst);
    for (size_t i = 0; i < src->count; i++) {
        int rc = copy_record(dst, &src->recs[i]);
        if (rc) {
            mailauth_dns_answer_reset(dst);
            return rc;
        }
    }
    dst->result = src->result;
    dst->ttl = src->ttl;
    dst->dnssec = src->dnssec;
    return 0;
}

void ma_answer_normalise(mailauth_dns_answer *a)
{
    if (a->result == MAILAUTH_DNS_FOUND && a->count == 0)
        a->result = MAILAUTH_DNS_NODATA;
    if (a->result != MAILAUTH_DNS_FOUND && a->count) {
        int result = a->result, dnssec = a->dnssec;
        uint32_t ttl = a->ttl;
        mailauth_dns_answer_reset(a);
        a->result = result;
        a->dnssec = dnssec;
        a->ttl = ttl;
    }
    if (a->result == MAILAUTH_DNS_TEMPFAIL || a->result == MAILAUTH_DNS_PERMFAIL)
        a->ttl = 0;
}

void mailauth_resolver_init(mailauth_resolver *r)
{
    if (!r)
        return;
    memset(r, 0, sizeof *r);
    r->struct_size = sizeof *r;
}

int mailauth_resolve(const mailauth_resolver *r, const char *name, int type,
                     mailauth_dns_answer *answer)
{
    unsigned char wire[MA_NAME_MAX];
    size_t wlen;
    if (!r || !answer || r->struct_size < sizeof *r || !r->lookup || !ma_type_known(type) ||
        ma_name_parse_absolute(name, wire, &wlen))
        return MAILAUTH_E_INVAL;
    mailauth_dns_answer_reset(answer);
    int rc = r->lookup(r->user, name, type, answer);
    if (rc) {
        mailauth_dns_answer_reset(answer);
        return rc;
    }
    ma_answer_normalise(answer);
    return 0;
}
