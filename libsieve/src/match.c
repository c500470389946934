/* match.c — the match types: :is, :contains, :matches (RFC 5228 §2.7.1) with the match
 * variables of RFC 5229 §3.2, and :value / :count (RFC 5231). :regex is in regex.c. */
#include "comparator.h"

#include "lm_alloc.h"
#include "lm_utf8.h"

#include <stdio.h>
#include <string.h>

/* The most octet comparisons one :matches may make before it gives up with SIEVE_E_LIMIT.
 * The matcher never backtracks across a '*', so its work is at most the value's length times
 * the key's; this bounds that product for hostile pairs (about a tenth of a second). */
#define SV_MATCHES_MAX_WORK ((uint64_t)1 << 28)

void sv_captures_init(sv_captures *c)
{
    memset(c, 0, sizeof *c);
}

void sv_captures_free(sv_captures *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < SV_MAX_CAPTURES; i++)
        lm_buf_free(&c->value[i]);
    c->count = 0;
}

int sv_capture_set(sv_captures *c, size_t i, const char *s, size_t n)
{
    lm_buf *b = &c->value[i];
    lm_buf_reset(b);
    b->oom = 0;
    if (lm_buf_reserve(b, n))
        return SIEVE_E_NOMEM;
    return lm_buf_append(b, s, n) ? SIEVE_E_NOMEM : 0;
}

/* ---- :matches ------------------------------------------------------------------------- */

enum { TOK_LIT, TOK_ONE, TOK_ANY };   /* literal octets, '?', '*' */

typedef struct wc_tok {
    int kind;
    size_t off, len;       /* TOK_LIT: the octets in the key's canonical buffer */
    size_t cap;            /* the match variable it fills, 0 for none */
} wc_tok;

typedef struct wc_state {
    const sv_prepared *v;
    const unsigned char *lit;      /* the key's canonical literal octets */
    int fold;
    uint64_t work;
    size_t start[SV_MAX_CAPTURES], end[SV_MAX_CAPTURES];   /* canonical positions */
} wc_state;

/* Appends one literal character of the key in the value's canonical form. */
static int key_literal(int canon, const unsigned char *p, size_t n, lm_buf *out)
{
    if (canon) {
        uint32_t cp;
        sv_utf8_char(p, n, &cp);
        return sv_unicode_canon_char(cp, out);
    }
    return lm_buf_append(out, p, n) ? SIEVE_E_NOMEM : 0;
}

/* Splits a key into literals, '?' and '*' (RFC 5228 §2.7.1: "\" quotes the next character;
 * a "\" at the very end stands for itself). Literal characters are put in the comparator's
 * canonical form so they compare with the value's: in `lits`, or, when that form is the key's
 * own octets and no "\" needs dropping, left in the key (`*in_key` set: the offsets are the
 * key's). 0 (the count in `*ntoks`) or an error. */
static int parse_key(int cmp, const char *key, size_t klen, wc_tok *toks, lm_buf *lits,
                     size_t *ntoks, int *in_key)
{
    const unsigned char *k = (const unsigned char *)key;
    int canon = cmp == SV_CMP_UNICODE_CASEMAP && lm_utf8_valid(key, klen);
    *in_key = !canon && !memchr(key, '\\', klen);
    size_t n = 0, wild = 0;
    for (size_t i = 0; i < klen;) {
        if (k[i] == '*' || k[i] == '?') {
            wc_tok *t = &toks[n++];
            t->kind = k[i] == '*' ? TOK_ANY : TOK_ONE;
            t->off = t->len = 0;
            t->cap = ++wild < SV_MAX_CAPTURES ? wild : 0;
            i++;
            continue;
        }
        if (k[i] == '\\' && i + 1 < klen)
            i++;
        uint32_t cp;
        size_t clen = canon ? sv_utf8_char(k + i, klen - i, &cp) : 1;
        size_t before = *in_key ? i : lits->len;
        if (!*in_key) {
            int rc = key_literal(canon, k + i, clen, lits);
            if (rc)
                return rc;
        }
        size_t added = *in_key ? clen : lits->len - before;
        if (n > 0 && toks[n - 1].kind == TOK_LIT) {
            toks[n - 1].len += added;
        } else {
            wc_tok *t = &toks[n++];
            t->kind = TOK_LIT;
            t->off = before;
            t->len = added;
            t->cap = 0;
        }
        i += clen;
    }
    *ntoks = n;
    return 0;
}

/* The end of the value's character that starts at `pos`. */
static size_t next_char(const sv_prepared *v, size_t pos)
{
    if (v->map) {
        size_t j = pos + 1;
        while (j < v->len && v->map[j] == SV_PREP_MID)
            j++;
        return j;
    }
    uint32_t cp;
    return pos + sv_utf8_char(v->s + pos, v->len - pos, &cp);
}

/* Matches the tokens [t, t + n) (no '*' among them) at `pos`. Returns the end position, or
 * SIZE_MAX when they do not match there; records what each '?' took. */
static size_t match_segment(wc_state *st, const wc_tok *t, size_t n, size_t pos)
{
    const sv_prepared *v = st->v;
    for (size_t i = 0; i < n; i++) {
        if (t[i].kind == TOK_ONE) {
            if (pos >= v->len)
                return SIZE_MAX;
            size_t e = next_char(v, pos);
            if (t[i].cap) {
                st->start[t[i].cap] = pos;
                st->end[t[i].cap] = e;
            }
            pos = e;
            st->work++;
            continue;
        }
        size_t len = t[i].len;
        const unsigned char *l = st->lit + t[i].off;
        if (len == 0)
            continue;
        if (len > v->len - pos)
            return SIZE_MAX;
        st->work++;
        if (!sv_prep_equal(v->s + pos, l, 1, st->fold))
            return SIZE_MAX;
        st->work += len;
        if (!sv_prep_equal(v->s + pos, l, len, st->fold))
            return SIZE_MAX;
        pos += len;
        if (v->map && v->map[pos] == SV_PREP_MID)
            return SIZE_MAX;   /* it ends inside a character */
    }
    return pos;
}

/* The first place at or after `pos` where a segment starting with the ASCII octet `c` can
 * start: a character's first octet equal to `c` (ASCII case ignored when folding); the
 * value's end when there is none. An ASCII octet never lies inside a UTF-8 sequence, so
 * without a map every such octet starts a character; with one, it must not be marked as the
 * middle of one. */
static size_t next_candidate(const wc_state *st, size_t pos, unsigned char c)
{
    const sv_prepared *v = st->v;
    unsigned char lo = st->fold ? (unsigned char)lm_to_lower(c) : c;
    unsigned char up = st->fold ? (unsigned char)lm_to_upper(c) : c;
    if (lo == up && !v->map) {
        const unsigned char *p = memchr(v->s + pos, c, v->len - pos);
        return p ? (size_t)(p - v->s) : v->len;
    }
    for (; pos < v->len; pos++)
        if ((v->s[pos] == lo || v->s[pos] == up) && (!v->map || v->map[pos] != SV_PREP_MID))
            return pos;
    return v->len;
}

/* Where the segment [t, t + n) matches first at or after `from` (ending at the value's end
 * when `anchored`): its start in `*at` and its end in `*end`. 1, 0, or SIEVE_E_LIMIT. */
static int find_segment(wc_state *st, const wc_tok *t, size_t n, size_t from, int anchored,
                        size_t *at, size_t *end)
{
    const sv_prepared *v = st->v;
    int fixed = 1;
    size_t flen = 0;
    for (size_t i = 0; i < n; i++) {
        if (t[i].kind == TOK_ONE)
            fixed = 0;
        else
            flen += t[i].len;
    }
    if (anchored && fixed) {
        /* Only one place can work: the segment's length back from the end. */
        if (flen > v->len - from)
            return 0;
        size_t s = v->len - flen;
        if (v->map && v->map[s] == SV_PREP_MID)
            return 0;
        size_t e = match_segment(st, t, n, s);
        if (e != v->len)
            return 0;
        *at = s;
        *end = e;
        return 1;
    }
    /* A segment that starts with an ASCII literal can only start where that octet is. */
    int skip = n > 0 && t[0].kind == TOK_LIT && t[0].len > 0 && st->lit[t[0].off] < 0x80;
    for (size_t s = from;; s = next_char(v, s)) {
        if (skip) {
            size_t c = next_candidate(st, s, st->lit[t[0].off]);
            st->work += c - s;   /* counted as if each place had been tried */
            if ((s = c) >= v->len)
                return 0;
        }
        if (st->work > SV_MATCHES_MAX_WORK)
            return SIEVE_E_LIMIT;
        size_t e = match_segment(st, t, n, s);
        if (e != SIZE_MAX && (!anchored || e == v->len)) {
            *at = s;
            *end = e;
            return 1;
        }
        if (s >= v->len)
            return 0;
    }
}

/* RFC 5228 §2.7.1 with RFC 5229 §3.2's rule for ambiguous matches: each '*' takes as little
 * as it can, the leftmost first. That is what matching every run between two '*' at its
 * first place gives; and since a later '*' can absorb anything an earlier one would have
 * taken, that choice never loses a match: no backtracking over '*' is needed. */
static int wildcard_run(wc_state *st, const wc_tok *toks, size_t ntoks)
{
    size_t seg = 0;
    while (seg < ntoks && toks[seg].kind != TOK_ANY)
        seg++;
    size_t pos = match_segment(st, toks, seg, 0);
    if (pos == SIZE_MAX)
        return 0;
    if (seg == ntoks)
        return pos == st->v->len;
    while (seg < ntoks) {
        const wc_tok *star = &toks[seg];
        size_t b = seg + 1, e = b;
        while (e < ntoks && toks[e].kind != TOK_ANY)
            e++;
        int last = e == ntoks;
        size_t at, end;
        if (last && b == e) {
            at = end = st->v->len;
        } else {
            int rc = find_segment(st, toks + b, e - b, pos, last, &at, &end);
            if (rc <= 0)
                return rc;
        }
        if (star->cap) {
            st->start[star->cap] = pos;
            st->end[star->cap] = at;
        }
        pos = end;
        seg = e;
    }
    return 1;
}

static size_t original_offset(const sv_prepared *v, size_t pos)
{
    return v->map ? v->map[pos] : pos;
}

static int match_wildcard(int cmp, const char *value, size_t vlen, const char *key, size_t klen,
                          sv_captures *caps)
{
    sv_prepared pv;
    lm_buf lits = LM_BUF_INIT;
    wc_tok small[32], *toks = NULL;   /* most keys have a few wildcards: no allocation */
    int rc = sv_prepare(cmp, value, vlen, 1, &pv);   /* "?" needs the map */
    if (rc)
        goto out;
    size_t most = 1;   /* tokens: a literal between any two wildcards, and the wildcards */
    for (size_t i = 0; i < klen; i++) {
        if (key[i] == '\\')
            i++;
        else if (key[i] == '*' || key[i] == '?')
            most += 2;
    }
    if (most <= sizeof small / sizeof small[0]) {
        toks = small;
    } else if (!(toks = lm_calloc(most, sizeof *toks))) {
        rc = SIEVE_E_NOMEM;
        goto out;
    }
    size_t ntoks;
    int in_key;
    if ((rc = parse_key(cmp, key, klen, toks, &lits, &ntoks, &in_key)) != 0)
        goto out;
    wc_state st;
    memset(&st, 0, sizeof st);
    st.v = &pv;
    st.lit = (const unsigned char *)(in_key ? key : lits.data ? lits.data : "");
    st.fold = pv.fold;
    rc = wildcard_run(&st, toks, ntoks);
    if (rc != 1 || !caps)
        goto out;
    size_t count = 1;
    for (size_t i = 0; i < ntoks; i++)
        if (toks[i].cap)
            count = toks[i].cap + 1;
    if (sv_capture_set(caps, 0, value, vlen)) {
        rc = SIEVE_E_NOMEM;
        goto out;
    }
    for (size_t i = 1; i < count; i++) {
        size_t s = original_offset(&pv, st.start[i]), e = original_offset(&pv, st.end[i]);
        if (sv_capture_set(caps, i, value + s, e - s)) {
            rc = SIEVE_E_NOMEM;
            goto out;
        }
    }
    caps->count = count;
out:
    if (toks != small)
        lm_free(toks);
    lm_buf_free(&lits);
    sv_prepared_free(&pv);
    return rc;
}

/* ---- the match types ------------------------------------------------------------------ */

static int relation_holds(int relation, int order)
{
    switch (relation) {
    case SV_REL_GT: return order > 0;
    case SV_REL_GE: return order >= 0;
    case SV_REL_LT: return order < 0;
    case SV_REL_LE: return order <= 0;
    case SV_REL_EQ: return order == 0;
    case SV_REL_NE: return order != 0;
    default: return SIEVE_E_INVAL;
    }
}

static int compare_with(const sv_matcher *m, int relation, const char *a, size_t alen,
                        const char *b, size_t blen)
{
    int order;
    int rc = sv_comparator_order(m->comparator, a, alen, b, blen, &order);
    return rc ? rc : relation_holds(relation, order);
}

int sv_match(const sv_matcher *m, const char *value, size_t vlen, const char *key, size_t klen,
             sv_captures *caps)
{
    if (!m || (!value && vlen) || (!key && klen) || !sv_comparator_name(m->comparator) ||
        !sv_comparator_supports(m->comparator, m->match) || m->match == SV_MATCH_COUNT)
        return SIEVE_E_INVAL;
    if (!value)
        value = "";
    if (!key)
        key = "";
    switch (m->match) {
    case SV_MATCH_IS:
        return compare_with(m, SV_REL_EQ, value, vlen, key, klen);
    case SV_MATCH_CONTAINS: {
        int found;
        int rc = sv_comparator_contains(m->comparator, value, vlen, key, klen, &found);
        return rc ? rc : found;
    }
    case SV_MATCH_MATCHES:
        return match_wildcard(m->comparator, value, vlen, key, klen, caps);
    case SV_MATCH_REGEX:
        return sv_regex_match(m, value, vlen, key, klen, caps);
    case SV_MATCH_VALUE:
        return compare_with(m, m->relation, value, vlen, key, klen);
    default:
        return SIEVE_E_INVAL;
    }
}

int sv_match_count(const sv_matcher *m, size_t count, const char *key, size_t klen)
{
    if (!m || (!key && klen) || !sv_comparator_name(m->comparator))
        return SIEVE_E_INVAL;
    char num[32];
    int n = snprintf(num, sizeof num, "%zu", count);
    if (n < 0 || (size_t)n >= sizeof num)
        return SIEVE_E_INVAL;
    return compare_with(m, m->relation, num, (size_t)n, key ? key : "", klen);
}
