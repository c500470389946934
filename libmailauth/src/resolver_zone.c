/* resolver_zone.c — an in-memory zone loaded from master-file text (RFC 1035 §5, $TTL from
 * RFC 2308 §4, TLSA presentation from RFC 6698 §2.2), answering NXDOMAIN / NODATA as an
 * authoritative server would (empty non-terminals exist, RFC 8020) and following CNAMEs. */
#include "ma_internal.h"

#include "lm_alloc.h"
#include "lm_arena.h"
#include "lm_ascii.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

/* TTLs are at most 2^31 - 1 (RFC 2181 §8). */
#define ZONE_TTL_MAX 2147483647u
/* Fields of one entry: owner, TTL, class, type and at most one per octet of RDATA (a TXT
 * record of 65535 empty character-strings). More could never make a valid record. */
#define ZONE_FIELDS_MAX (MA_RDATA_MAX + 4)

struct zrec {
    const unsigned char *key; /* ma_name_key() of the owner */
    size_t key_len;
    size_t seq;               /* load order, to keep records of a set in file order */
    int type;
    uint32_t ttl;
    unsigned char addr[16];   /* A, AAAA */
    unsigned pref;            /* MX preference; TLSA usage */
    unsigned selector, mtype; /* TLSA */
    const unsigned char *data; /* target name (wire) for NS, CNAME, PTR, MX; TXT RDATA; TLSA data */
    size_t data_len;
};

struct zfail {
    unsigned char key[MA_NAME_MAX];
    size_t key_len;
    int type;
    int result;
};

struct mailauth_zone {
    mailauth_zone_options opts;
    lm_arena *arena;
    struct zrec *recs; /* sorted by key, then type, then seq, between loads */
    size_t count, cap, seq;
    struct zfail *fails;
    size_t nfails;
};

void mailauth_zone_options_init(mailauth_zone_options *opts)
{
    if (!opts)
        return;
    memset(opts, 0, sizeof *opts);
    opts->struct_size = sizeof *opts;
}

int mailauth_zone_new(const mailauth_zone_options *opts, mailauth_zone **out)
{
    if (!out)
        return MAILAUTH_E_INVAL;
    *out = NULL;
    if (opts && opts->struct_size < sizeof(size_t))
        return MAILAUTH_E_INVAL;
    mailauth_zone *z = lm_calloc(1, sizeof *z);
    if (!z)
        return MAILAUTH_E_NOMEM;
    if (opts)
        memcpy(&z->opts, opts,
               opts->struct_size < sizeof z->opts ? opts->struct_size : sizeof z->opts);
    z->opts.struct_size = sizeof z->opts;
    if (!z->opts.default_ttl)
        z->opts.default_ttl = MAILAUTH_ZONE_DEFAULT_TTL;
    if (!z->opts.negative_ttl)
        z->opts.negative_ttl = MAILAUTH_ZONE_DEFAULT_NEGATIVE_TTL;
    if (!z->opts.max_records)
        z->opts.max_records = MAILAUTH_ZONE_DEFAULT_MAX_RECORDS;
    if (!z->opts.max_line_length)
        z->opts.max_line_length = MAILAUTH_ZONE_DEFAULT_MAX_LINE;
    if (!z->opts.max_cname_depth)
        z->opts.max_cname_depth = MAILAUTH_ZONE_DEFAULT_CNAME_DEPTH;
    if (z->opts.default_ttl > ZONE_TTL_MAX || z->opts.negative_ttl > ZONE_TTL_MAX) {
        lm_free(z);
        return MAILAUTH_E_INVAL;
    }
    z->arena = lm_arena_new(0);
    if (!z->arena) {
        lm_free(z);
        return MAILAUTH_E_NOMEM;
    }
    *out = z;
    return 0;
}

void mailauth_zone_free(mailauth_zone *z)
{
    if (!z)
        return;
    lm_arena_free(z->arena);
    lm_free(z->recs);
    lm_free(z->fails);
    lm_free(z);
}

size_t mailauth_zone_record_count(const mailauth_zone *z) { return z ? z->count : 0; }

/* ---- tokens ------------------------------------------------------------------------------ */

struct tok {
    const char *p;
    size_t n;
    size_t line;
    int quoted;
};

struct loader {
    mailauth_zone *z;
    const char *s;
    size_t len, pos, line;
    struct tok *toks;
    size_t ntoks, tokcap;
    int blank_owner;          /* the entry's line starts with a space or tab */
    size_t entry_line;
    unsigned char origin[MA_NAME_MAX];
    size_t origin_len;
    unsigned char owner[MA_NAME_MAX];
    size_t owner_len;         /* 0 = no previous owner */
    uint32_t default_ttl;
    size_t err_line;
    const char *err_msg;
};

static int fail_at(struct loader *L, size_t line, int rc, const char *msg)
{
    L->err_line = line;
    L->err_msg = msg;
    return rc;
}

/* Every physical line fits max_line_length and holds no NUL byte. */
static int check_lines(struct loader *L)
{
    size_t line = 1, start = 0;
    for (size_t i = 0; i <= L->len; i++) {
        if (i == L->len || L->s[i] == '\n') {
            size_t n = i - start;
            if (n && L->s[i - 1] == '\r')
                n--;
            if (n > L->z->opts.max_line_length)
                return fail_at(L, line, MAILAUTH_E_LIMIT, "line longer than the limit");
            line++;
            start = i + 1;
        } else if (L->s[i] == '\0') {
            return fail_at(L, line, MAILAUTH_E_SYNTAX, "NUL byte in the text");
        }
    }
    return 0;
}

static int push_tok(struct loader *L, const char *p, size_t n, int quoted)
{
    if (L->ntoks == ZONE_FIELDS_MAX)
        return fail_at(L, L->entry_line, MAILAUTH_E_LIMIT, "entry with too many fields");
    if (L->ntoks == L->tokcap) {
        size_t cap = L->tokcap ? L->tokcap * 2 : 16;
        struct tok *t = lm_realloc(L->toks, cap * sizeof *t);
        if (!t)
            return fail_at(L, L->line, MAILAUTH_E_NOMEM, "out of memory");
        L->toks = t;
        L->tokcap = cap;
    }
    L->toks[L->ntoks++] = (struct tok){p, n, L->line, quoted};
    return 0;
}

static int is_delim(int c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == ';' || c == '(' ||
           c == ')' || c == '"';
}

/* Reads the tokens of the next entry (one line, or several inside parentheses). Returns 0
 * with ntoks == 0 at the end of the text. */
static int read_entry(struct loader *L)
{
    int paren = 0;
    size_t paren_line = 0;
    L->ntoks = 0;
    int at_line_start = L->pos == 0 || L->s[L->pos - 1] == '\n';
    L->blank_owner = 0;
    while (L->pos < L->len) {
        char c = L->s[L->pos];
        if (c == '\n') {
            L->pos++;
            L->line++;
            if (L->ntoks && !paren)
                return 0;
            at_line_start = 1;
            continue;
        }
        if (c == ' ' || c == '\t' || c == '\r') {
            if (at_line_start && !L->ntoks && c != '\r')
                L->blank_owner = 1;
            at_line_start = 0;
            L->pos++;
            continue;
        }
        if (at_line_start && !L->ntoks)
            L->blank_owner = 0;
        at_line_start = 0;
        if (c == ';') {
            while (L->pos < L->len && L->s[L->pos] != '\n')
                L->pos++;
            continue;
        }
        if (!L->ntoks && !paren)
            L->entry_line = L->line;
        if (c == '(') {
            if (!paren)
                paren_line = L->line;
            paren++;
            L->pos++;
            continue;
        }
        if (c == ')') {
            if (!paren)
                return fail_at(L, L->line, MAILAUTH_E_SYNTAX, "')' without '('");
            paren--;
            L->pos++;
            continue;
        }
        if (c == '"') {
            size_t start = ++L->pos;
            while (L->pos < L->len && L->s[L->pos] != '"') {
                if (L->s[L->pos] == '\n')
                    return fail_at(L, L->line, MAILAUTH_E_SYNTAX, "unterminated quoted string");
                if (L->s[L->pos] == '\\') {
                    if (L->pos + 1 >= L->len || L->s[L->pos + 1] == '\n')
                        return fail_at(L, L->line, MAILAUTH_E_SYNTAX, "bad escape");
                    L->pos++;
                }
                L->pos++;
            }
            if (L->pos >= L->len)
                return fail_at(L, L->line, MAILAUTH_E_SYNTAX, "unterminated quoted string");
            int rc = push_tok(L, L->s + start, L->pos - start, 1);
            if (rc)
                return rc;
            L->pos++;
            continue;
        }
        size_t start = L->pos;
        while (L->pos < L->len && !is_delim((unsigned char)L->s[L->pos])) {
            if (L->s[L->pos] == '\\') {
                if (L->pos + 1 >= L->len || L->s[L->pos + 1] == '\n')
                    return fail_at(L, L->line, MAILAUTH_E_SYNTAX, "bad escape");
                L->pos++;
            }
            L->pos++;
        }
        int rc = push_tok(L, L->s + start, L->pos - start, 0);
        if (rc)
            return rc;
    }
    if (paren)
        return fail_at(L, paren_line, MAILAUTH_E_SYNTAX, "'(' without ')'");
    return 0;
}

/* ---- fields ------------------------------------------------------------------------------ */

/* A decimal number up to `max`. */
static int parse_uint(const struct tok *t, unsigned long max, unsigned long *out)
{
    if (t->quoted || t->n == 0 || t->n > 10)
        return -1;
    unsigned long v = 0;
    for (size_t i = 0; i < t->n; i++) {
        if (!lm_is_digit((unsigned char)t->p[i]))
            return -1;
        v = v * 10 + (unsigned long)(t->p[i] - '0');
    }
    if (v > max)
        return -1;
    *out = v;
    return 0;
}

/* A TTL: seconds, or numbers with units ("1h30m"). -1 when it is not one, -2 when too big. */
static int parse_ttl(const struct tok *t, uint32_t *out)
{
    if (t->quoted || t->n == 0 || !lm_is_digit((unsigned char)t->p[0]))
        return -1;
    uint64_t total = 0;
    size_t i = 0;
    while (i < t->n) {
        uint64_t v = 0;
        size_t digits = 0;
        while (i < t->n && lm_is_digit((unsigned char)t->p[i])) {
            v = v * 10 + (uint64_t)(t->p[i++] - '0');
            if (++digits > 10)
                return -2;
        }
        if (!digits)
            return -1;
        uint64_t mul = 1;
        if (i < t->n) {
            switch (lm_to_lower((unsigned char)t->p[i++])) {
            case 's': mul = 1; break;
            case 'm': mul = 60; break;
            case 'h': mul = 3600; break;
            case 'd': mul = 86400; break;
            case 'w': mul = 604800; break;
            default: return -1;
            }
        }
        total += v * mul;
        if (total > ZONE_TTL_MAX)
            return -2;
    }
    *out = (uint32_t)total;
    return 0;
}

static int name_tok(struct loader *L, const struct tok *t, unsigned char *out, size_t *out_len)
{
    if (t->quoted)
        return fail_at(L, t->line, MAILAUTH_E_SYNTAX, "quoted string where a name belongs");
    const char *msg = NULL;
    int rc = ma_name_parse(t->p, t->n, L->origin, L->origin_len, out, out_len, &msg);
    if (rc)
        return fail_at(L, t->line, rc, msg);
    return 0;
}

/* ---- records ----------------------------------------------------------------------------- */

static int type_of(const struct tok *t)
{
    static const struct { const char *name; int type; } types[] = {
        {"A", MAILAUTH_RR_A},       {"NS", MAILAUTH_RR_NS},   {"CNAME", MAILAUTH_RR_CNAME},
        {"PTR", MAILAUTH_RR_PTR},   {"MX", MAILAUTH_RR_MX},   {"TXT", MAILAUTH_RR_TXT},
        {"AAAA", MAILAUTH_RR_AAAA}, {"TLSA", MAILAUTH_RR_TLSA},
    };
    if (t->quoted)
        return 0;
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
        if (lm_eq_nocase(t->p, t->n, types[i].name))
            return types[i].type;
    return 0;
}

static int copy_data(struct loader *L, struct zrec *r, const void *p, size_t n)
{
    unsigned char *d = lm_arena_alloc(L->z->arena, n);
    if (!d)
        return fail_at(L, L->entry_line, MAILAUTH_E_NOMEM, "out of memory");
    if (n)
        memcpy(d, p, n);
    r->data = d;
    r->data_len = n;
    return 0;
}

static int rdata_count(struct loader *L, size_t have, size_t want)
{
    if (have < want)
        return fail_at(L, L->entry_line, MAILAUTH_E_SYNTAX, "missing record data");
    if (have > want)
        return fail_at(L, L->entry_line, MAILAUTH_E_SYNTAX, "extra record data");
    return 0;
}

static int rdata_address(struct loader *L, struct zrec *r, const struct tok *t, size_t n)
{
    int rc = rdata_count(L, n, 1);
    if (rc)
        return rc;
    char buf[64];
    if (t->quoted || t->n >= sizeof buf)
        return fail_at(L, t->line, MAILAUTH_E_SYNTAX, "bad address");
    memcpy(buf, t->p, t->n);
    buf[t->n] = '\0';
    if (inet_pton(r->type == MAILAUTH_RR_A ? AF_INET : AF_INET6, buf, r->addr) != 1)
        return fail_at(L, t->line, MAILAUTH_E_SYNTAX, "bad address");
    return 0;
}

static int rdata_name(struct loader *L, struct zrec *r, const struct tok *t)
{
    unsigned char wire[MA_NAME_MAX];
    size_t wlen;
    int rc = name_tok(L, t, wire, &wlen);
    return rc ? rc : copy_data(L, r, wire, wlen);
}

/* TXT: each token one character-string, stored as RFC 1035 RDATA (length + octets). */
static int rdata_txt(struct loader *L, struct zrec *r, const struct tok *t, size_t n)
{
    if (n == 0)
        return fail_at(L, L->entry_line, MAILAUTH_E_SYNTAX, "missing record data");
    size_t total = 0;
    for (size_t i = 0; i < n; i++)
        total += t[i].n + 1; /* an upper bound: escapes only shrink */
    unsigned char *d = lm_malloc(total);
    if (!d)
        return fail_at(L, L->entry_line, MAILAUTH_E_NOMEM, "out of memory");
    size_t k = 0;
    int rc = 0;
    for (size_t i = 0; i < n && !rc; i++) {
        size_t lenpos = k++, j = 0, len = 0;
        while (j < t[i].n) {
            unsigned char c = (unsigned char)t[i].p[j];
            if (c == '\\') {
                /* the tokenizer guarantees a character after every backslash */
                if (lm_is_digit((unsigned char)t[i].p[j + 1])) {
                    if (j + 3 >= t[i].n || !lm_is_digit((unsigned char)t[i].p[j + 2]) ||
                        !lm_is_digit((unsigned char)t[i].p[j + 3])) {
                        rc = fail_at(L, t[i].line, MAILAUTH_E_SYNTAX, "bad escape");
                        break;
                    }
                    int v = (t[i].p[j + 1] - '0') * 100 + (t[i].p[j + 2] - '0') * 10 +
                            (t[i].p[j + 3] - '0');
                    if (v > 255) {
                        rc = fail_at(L, t[i].line, MAILAUTH_E_SYNTAX, "bad escape");
                        break;
                    }
                    c = (unsigned char)v;
                    j += 4;
                } else {
                    c = (unsigned char)t[i].p[j + 1];
                    j += 2;
                }
            } else {
                j++;
            }
            if (len == MA_TXT_STRING_MAX) {
                rc = fail_at(L, t[i].line, MAILAUTH_E_LIMIT,
                             "TXT character-string longer than 255 octets");
                break;
            }
            d[k++] = c;
            len++;
        }
        d[lenpos] = (unsigned char)len;
    }
    if (!rc && k > MA_RDATA_MAX)
        rc = fail_at(L, L->entry_line, MAILAUTH_E_LIMIT, "record data longer than 65535 octets");
    if (!rc)
        rc = copy_data(L, r, d, k);
    lm_free(d);
    return rc;
}

/* TLSA: usage selector mtype, then the association data in hex (spaces allowed). */
static int rdata_tlsa(struct loader *L, struct zrec *r, const struct tok *t, size_t n)
{
    if (n < 4)
        return fail_at(L, L->entry_line, MAILAUTH_E_SYNTAX, "missing record data");
    unsigned long u, s, m;
    if (parse_uint(&t[0], 255, &u) || parse_uint(&t[1], 255, &s) || parse_uint(&t[2], 255, &m))
        return fail_at(L, t[0].line, MAILAUTH_E_SYNTAX, "bad TLSA field");
    size_t digits = 0;
    for (size_t i = 3; i < n; i++) {
        if (t[i].quoted)
            return fail_at(L, t[i].line, MAILAUTH_E_SYNTAX, "bad hex data");
        for (size_t j = 0; j < t[i].n; j++)
            if (lm_hex_value((unsigned char)t[i].p[j]) < 0)
                return fail_at(L, t[i].line, MAILAUTH_E_SYNTAX, "bad hex data");
        digits += t[i].n;
    }
    if (digits % 2)
        return fail_at(L, L->entry_line, MAILAUTH_E_SYNTAX, "odd number of hex digits");
    if (digits / 2 > MA_RDATA_MAX - 3)
        return fail_at(L, L->entry_line, MAILAUTH_E_LIMIT, "record data longer than 65535 octets");
    unsigned char *d = lm_arena_alloc(L->z->arena, digits / 2);
    if (!d)
        return fail_at(L, L->entry_line, MAILAUTH_E_NOMEM, "out of memory");
    size_t k = 0;
    int hi = -1;
    for (size_t i = 3; i < n; i++)
        for (size_t j = 0; j < t[i].n; j++) {
            int v = lm_hex_value((unsigned char)t[i].p[j]);
            if (hi < 0) {
                hi = v;
            } else {
                d[k++] = (unsigned char)(hi << 4 | v);
                hi = -1;
            }
        }
    r->pref = (unsigned)u;
    r->selector = (unsigned)s;
    r->mtype = (unsigned)m;
    r->data = d;
    r->data_len = k;
    return 0;
}

static int parse_rdata(struct loader *L, struct zrec *r, const struct tok *t, size_t n)
{
    int rc;
    switch (r->type) {
    case MAILAUTH_RR_A:
    case MAILAUTH_RR_AAAA:
        return rdata_address(L, r, t, n);
    case MAILAUTH_RR_NS:
    case MAILAUTH_RR_CNAME:
    case MAILAUTH_RR_PTR:
        rc = rdata_count(L, n, 1);
        return rc ? rc : rdata_name(L, r, &t[0]);
    case MAILAUTH_RR_MX: {
        rc = rdata_count(L, n, 2);
        if (rc)
            return rc;
        unsigned long pref;
        if (parse_uint(&t[0], 65535, &pref))
            return fail_at(L, t[0].line, MAILAUTH_E_SYNTAX, "bad MX preference");
        r->pref = (unsigned)pref;
        return rdata_name(L, r, &t[1]);
    }
    case MAILAUTH_RR_TXT:
        return rdata_txt(L, r, t, n);
    default:
        return rdata_tlsa(L, r, t, n);
    }
}

static int directive(struct loader *L)
{
    const struct tok *t = L->toks;
    if (lm_eq_nocase(t->p, t->n, "$ORIGIN")) {
        if (L->ntoks != 2)
            return fail_at(L, L->entry_line, MAILAUTH_E_SYNTAX, "$ORIGIN takes one name");
        unsigned char wire[MA_NAME_MAX];
        size_t wlen;
        int rc = name_tok(L, &t[1], wire, &wlen);
        if (rc)
            return rc;
        memcpy(L->origin, wire, wlen);
        L->origin_len = wlen;
        return 0;
    }
    if (lm_eq_nocase(t->p, t->n, "$TTL")) {
        if (L->ntoks != 2)
            return fail_at(L, L->entry_line, MAILAUTH_E_SYNTAX, "$TTL takes one value");
        int rc = parse_ttl(&t[1], &L->default_ttl);
        if (rc)
            return fail_at(L, t[1].line, MAILAUTH_E_SYNTAX,
                           rc == -2 ? "TTL out of range" : "bad TTL");
        return 0;
    }
    return fail_at(L, L->entry_line, MAILAUTH_E_UNSUPPORTED, "unsupported directive");
}

static int add_record(struct loader *L, const struct zrec *r)
{
    mailauth_zone *z = L->z;
    if (z->count >= z->opts.max_records)
        return fail_at(L, L->entry_line, MAILAUTH_E_LIMIT, "more records than the limit");
    if (z->count == z->cap) {
        size_t cap = z->cap ? z->cap * 2 : 64;
        struct zrec *n = lm_realloc(z->recs, cap * sizeof *n);
        if (!n)
            return fail_at(L, L->entry_line, MAILAUTH_E_NOMEM, "out of memory");
        z->recs = n;
        z->cap = cap;
    }
    z->recs[z->count++] = *r;
    return 0;
}

static int entry(struct loader *L)
{
    const struct tok *t = L->toks;
    size_t n = L->ntoks, i = 0;
    if (!L->blank_owner && !t[0].quoted && t[0].n && t[0].p[0] == '$')
        return directive(L);
    if (!L->blank_owner) {
        int rc = name_tok(L, &t[0], L->owner, &L->owner_len);
        if (rc) {
            L->owner_len = 0;
            return rc;
        }
        i = 1;
    } else if (!L->owner_len) {
        return fail_at(L, L->entry_line, MAILAUTH_E_SYNTAX, "no previous owner name");
    }
    struct zrec r;
    memset(&r, 0, sizeof r);
    r.ttl = L->default_ttl;
    int have_ttl = 0, have_class = 0;
    for (; i < n && !r.type; i++) {
        uint32_t ttl;
        int rc = parse_ttl(&t[i], &ttl);
        if (rc == -2)
            return fail_at(L, t[i].line, MAILAUTH_E_SYNTAX, "TTL out of range");
        if (rc == 0) {
            if (have_ttl)
                return fail_at(L, t[i].line, MAILAUTH_E_SYNTAX, "two TTLs");
            have_ttl = 1;
            r.ttl = ttl;
            continue;
        }
        if (!t[i].quoted && lm_eq_nocase(t[i].p, t[i].n, "IN")) {
            if (have_class)
                return fail_at(L, t[i].line, MAILAUTH_E_SYNTAX, "two classes");
            have_class = 1;
            continue;
        }
        if (!t[i].quoted && (lm_eq_nocase(t[i].p, t[i].n, "CH") ||
                             lm_eq_nocase(t[i].p, t[i].n, "HS") ||
                             lm_eq_nocase(t[i].p, t[i].n, "CS") ||
                             (t[i].n > 5 && lm_strncasecmp(t[i].p, "CLASS", 5) == 0)))
            return fail_at(L, t[i].line, MAILAUTH_E_UNSUPPORTED, "unsupported class");
        r.type = type_of(&t[i]);
        if (!r.type) {
            int word = !t[i].quoted && t[i].n && lm_is_alpha((unsigned char)t[i].p[0]);
            for (size_t j = 0; word && j < t[i].n; j++)
                word = lm_is_alnum((unsigned char)t[i].p[j]);
            return fail_at(L, t[i].line, word ? MAILAUTH_E_UNSUPPORTED : MAILAUTH_E_SYNTAX,
                           word ? "unsupported record type" : "bad record type");
        }
    }
    if (!r.type)
        return fail_at(L, L->entry_line, MAILAUTH_E_SYNTAX, "missing record type");
    int rc = parse_rdata(L, &r, t + i, n - i);
    if (rc)
        return rc;
    unsigned char key[MA_NAME_MAX];
    size_t klen = ma_name_key(L->owner, L->owner_len, key);
    unsigned char *k = lm_arena_alloc(L->z->arena, klen);
    if (!k)
        return fail_at(L, L->entry_line, MAILAUTH_E_NOMEM, "out of memory");
    if (klen)
        memcpy(k, key, klen);
    r.key = k;
    r.key_len = klen;
    r.seq = L->z->seq++;
    return add_record(L, &r);
}

static int key_cmp(const unsigned char *a, size_t an, const unsigned char *b, size_t bn)
{
    int c = memcmp(a, b, an < bn ? an : bn);
    if (c)
        return c;
    return an < bn ? -1 : an > bn;
}

static int rec_cmp(const void *pa, const void *pb)
{
    const struct zrec *a = pa, *b = pb;
    int c = key_cmp(a->key, a->key_len, b->key, b->key_len);
    if (c)
        return c;
    if (a->type != b->type)
        return a->type < b->type ? -1 : 1;
    return a->seq < b->seq ? -1 : a->seq > b->seq;
}

int mailauth_zone_load(mailauth_zone *z, const char *text, size_t len, const char *origin,
                       mailauth_zone_error *err)
{
    if (err) {
        err->line = 0;
        err->message = NULL;
    }
    if (!z || (!text && len)) {
        if (err)
            err->message = "invalid argument";
        return MAILAUTH_E_INVAL;
    }
    struct loader L;
    memset(&L, 0, sizeof L);
    L.z = z;
    L.s = text;
    L.len = len;
    L.line = 1;
    L.default_ttl = z->opts.default_ttl;
    L.origin[0] = 0;
    L.origin_len = 1;
    if (origin && *origin) {
        if (ma_name_parse_absolute(origin, L.origin, &L.origin_len)) {
            if (err)
                err->message = "bad origin";
            return MAILAUTH_E_INVAL;
        }
    }
    size_t old_count = z->count, old_seq = z->seq;
    int rc = check_lines(&L);
    while (!rc) {
        rc = read_entry(&L);
        if (rc || !L.ntoks)
            break;
        rc = entry(&L);
    }
    lm_free(L.toks);
    if (rc) {
        z->count = old_count;
        z->seq = old_seq;
        if (err) {
            err->line = L.err_line;
            err->message = L.err_msg ? L.err_msg : mailauth_strerror(rc);
        }
        return rc;
    }
    if (z->count > old_count)
        qsort(z->recs, z->count, sizeof *z->recs, rec_cmp);
    return 0;
}

/* ---- lookups ----------------------------------------------------------------------------- */

int mailauth_zone_fail(mailauth_zone *z, const char *name, int type, int result)
{
    unsigned char wire[MA_NAME_MAX];
    size_t wlen;
    if (!z || (type != 0 && !ma_type_known(type)) || result < MAILAUTH_DNS_NXDOMAIN ||
        result > MAILAUTH_DNS_PERMFAIL || ma_name_parse_absolute(name, wire, &wlen))
        return MAILAUTH_E_INVAL;
    struct zfail *f = lm_realloc(z->fails, (z->nfails + 1) * sizeof *f);
    if (!f)
        return MAILAUTH_E_NOMEM;
    z->fails = f;
    f = &z->fails[z->nfails++];
    f->key_len = ma_name_key(wire, wlen, f->key);
    f->type = type;
    f->result = result;
    return 0;
}

static const struct zfail *find_fail(const mailauth_zone *z, const unsigned char *key,
                                     size_t klen, int type)
{
    for (size_t i = z->nfails; i-- > 0;) {
        const struct zfail *f = &z->fails[i];
        if ((f->type == 0 || f->type == type) && f->key_len == klen &&
            memcmp(f->key, key, klen) == 0)
            return f;
    }
    return NULL;
}

/* The first record whose key is not below `key`. */
static size_t lower_bound(const mailauth_zone *z, const unsigned char *key, size_t klen)
{
    size_t lo = 0, hi = z->count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (key_cmp(z->recs[mid].key, z->recs[mid].key_len, key, klen) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static int add_zrec(mailauth_dns_answer *a, const struct zrec *r)
{
    char text[MA_NAME_TEXT_MAX];
    switch (r->type) {
    case MAILAUTH_RR_A:
        return mailauth_dns_answer_add_a(a, r->addr);
    case MAILAUTH_RR_AAAA:
        return mailauth_dns_answer_add_aaaa(a, r->addr);
    case MAILAUTH_RR_MX:
        ma_name_text(r->data, r->data_len, text);
        return mailauth_dns_answer_add_mx(a, r->pref, text);
    case MAILAUTH_RR_TXT:
        return ma_answer_add_txt_rdata(a, r->data, r->data_len);
    case MAILAUTH_RR_TLSA:
        return mailauth_dns_answer_add_tlsa(a, r->pref, r->selector, r->mtype, r->data,
                                            r->data_len);
    default:
        ma_name_text(r->data, r->data_len, text);
        return mailauth_dns_answer_add_name(a, r->type, text);
    }
}

int mailauth_zone_lookup(const mailauth_zone *z, const char *name, int type,
                         mailauth_dns_answer *answer)
{
    unsigned char wire[MA_NAME_MAX], key[MA_NAME_MAX];
    size_t wlen;
    if (!z || !answer || !ma_type_known(type) || ma_name_parse_absolute(name, wire, &wlen))
        return MAILAUTH_E_INVAL;
    mailauth_dns_answer_reset(answer);
    size_t klen = ma_name_key(wire, wlen, key);
    uint32_t ttl = ZONE_TTL_MAX;
    for (unsigned depth = 0;; depth++) {
        const struct zfail *f = find_fail(z, key, klen, type);
        if (f) {
            mailauth_dns_answer_set_result(answer, f->result);
            mailauth_dns_answer_set_ttl(answer, f->result == MAILAUTH_DNS_NXDOMAIN ||
                                                        f->result == MAILAUTH_DNS_NODATA
                                                    ? z->opts.negative_ttl
                                                    : 0);
            return 0;
        }
        size_t lb = lower_bound(z, key, klen), i = lb;
        const struct zrec *cname = NULL;
        size_t found = 0;
        for (; i < z->count && key_cmp(z->recs[i].key, z->recs[i].key_len, key, klen) == 0; i++) {
            const struct zrec *r = &z->recs[i];
            if (r->type == type) {
                int rc = add_zrec(answer, r);
                if (rc) {
                    mailauth_dns_answer_reset(answer);
                    return rc;
                }
                if (r->ttl < ttl)
                    ttl = r->ttl;
                found++;
            } else if (r->type == MAILAUTH_RR_CNAME && !cname) {
                cname = r;
            }
        }
        if (found) {
            mailauth_dns_answer_set_result(answer, MAILAUTH_DNS_FOUND);
            mailauth_dns_answer_set_ttl(answer, ttl);
            return 0;
        }
        if (cname) {
            if (depth >= z->opts.max_cname_depth) {
                mailauth_dns_answer_set_result(answer, MAILAUTH_DNS_PERMFAIL);
                return 0;
            }
            if (cname->ttl < ttl)
                ttl = cname->ttl;
            klen = ma_name_key(cname->data, cname->data_len, key);
            continue;
        }
        /* An existing name (with records, or above a name with records) has no data. */
        int exists = i > lb || (lb < z->count && z->recs[lb].key_len > klen &&
                                memcmp(z->recs[lb].key, key, klen) == 0);
        mailauth_dns_answer_set_result(answer,
                                       exists ? MAILAUTH_DNS_NODATA : MAILAUTH_DNS_NXDOMAIN);
        mailauth_dns_answer_set_ttl(answer,
                                    z->opts.negative_ttl < ttl ? z->opts.negative_ttl : ttl);
        return 0;
    }
}

static int zone_lookup_cb(void *user, const char *name, int type, mailauth_dns_answer *answer)
{
    return mailauth_zone_lookup(user, name, type, answer);
}

void mailauth_zone_resolver(const mailauth_zone *z, mailauth_resolver *r)
{
    if (!r)
        return;
    mailauth_resolver_init(r);
    r->lookup = zone_lookup_cb;
    r->user = (void *)(uintptr_t)z;
}
