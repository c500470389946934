/* variables.c — the variables extension (RFC 5229): the variable store of a run, variable
 * names, "${…}" expansion with match variables and namespaces (§3), and the "set" modifiers
 * (§4.1, with :quoteregex of draft-ietf-sieve-regex and :encodeurl of RFC 5435 §4.6). */
#include "sieve_internal.h"

#include "lm_alloc.h"
#include "lm_ascii.h"
#include "lm_utf8.h"

#include <unicode/uchar.h>
#include <unicode/utf8.h>

#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* ---- characters --------------------------------------------------------------------------- */

/* Octets of the character at `p` (n >= 1): a whole valid UTF-8 sequence, or else the one
 * octet, which then counts as a character of its own. */
static size_t char_len(const unsigned char *p, size_t n)
{
    if (p[0] < 0x80)
        return 1;
    size_t want = lm_utf8_lead_len(p[0]);
    return want && lm_utf8_valid_part(p, n) == want ? want : 1;
}

/* The length of the longest prefix of `s` within `max` octets (0 = no bound) that does not
 * end inside a character. */
static size_t utf8_cut(const char *s, size_t len, size_t max)
{
    if (max == 0 || len <= max)
        return len;
    size_t cut = max;
    for (int k = 0; k < 3 && cut > 0 && ((unsigned char)s[cut] & 0xC0) == 0x80; k++)
        cut--;
    return cut;
}

/* ---- the store ---------------------------------------------------------------------------- */

typedef struct sv_var {
    char *name;
    size_t nlen;
    lm_buf value;
    /* A list (sv_vars_set_list): `value` holds the items joined by CRLF, ends[i] is where the
     * i-th ends in it. */
    int is_list;
    size_t *ends;
    size_t nitems;
} sv_var;

struct sv_vars {
    sv_var *items;
    size_t count, cap;
    size_t max_vars, max_value;
};

int sv_vars_new(size_t max_vars, size_t max_value, sv_vars **out)
{
    *out = NULL;
    sv_vars *v = lm_calloc(1, sizeof *v);
    if (!v)
        return SIEVE_E_NOMEM;
    sv_vars_set_limits(v, max_vars, max_value);
    *out = v;
    return 0;
}

void sv_vars_set_max_value(sv_vars *v, size_t max_value)
{
    if (v)
        v->max_value = max_value ? max_value : SV_DEFAULT_MAX_VALUE;
}

void sv_vars_set_limits(sv_vars *v, size_t max_vars, size_t max_value)
{
    v->max_vars = max_vars ? max_vars : SV_DEFAULT_MAX_VARS;
    v->max_value = max_value ? max_value : SV_DEFAULT_MAX_VALUE;
}

size_t sv_vars_max_value(const sv_vars *v) { return v->max_value; }

void sv_vars_free(sv_vars *v)
{
    if (!v)
        return;
    for (size_t i = 0; i < v->count; i++) {
        lm_free(v->items[i].name);
        lm_buf_free(&v->items[i].value);
        lm_free(v->items[i].ends);
    }
    lm_free(v->items);
    lm_free(v);
}

static sv_var *find_var(const sv_vars *v, const char *name, size_t nlen)
{
    for (size_t i = 0; i < v->count; i++)
        if (v->items[i].nlen == nlen && !lm_strncasecmp(v->items[i].name, name, nlen))
            return &v->items[i];
    return NULL;
}

static sv_var *add_var(sv_vars *v, const char *name, size_t nlen, int *rc)
{
    if (v->count >= v->max_vars) {
        *rc = SIEVE_E_LIMIT;
        return NULL;
    }
    *rc = SIEVE_E_NOMEM;
    if (v->count == v->cap) {
        size_t cap = v->cap ? v->cap * 2 : 16;
        if (cap > v->max_vars)
            cap = v->max_vars;
        sv_var *items = lm_realloc(v->items, cap * sizeof *items);
        if (!items)
            return NULL;
        v->items = items;
        v->cap = cap;
    }
    char *copy = lm_strndup(nlen ? name : "", nlen);
    if (!copy)
        return NULL;
    sv_var *var = &v->items[v->count++];
    *var = (sv_var){copy, nlen, LM_BUF_INIT, 0, NULL, 0};
    *rc = 0;
    return var;
}

int sv_vars_set(sv_vars *v, const char *name, size_t nlen, const char *value, size_t vlen)
{
    if (!v || (!name && nlen) || (!value && vlen))
        return SIEVE_E_INVAL;
    vlen = utf8_cut(value, vlen, v->max_value);
    int rc = 0;
    sv_var *var = find_var(v, name, nlen);
    if (!var && !(var = add_var(v, name, nlen, &rc)))
        return rc;
    var->is_list = 0;
    var->nitems = 0;
    lm_buf *b = &var->value;
    uintptr_t at = (uintptr_t)value, base = (uintptr_t)b->data;
    if (vlen && b->data && at >= base && at < base + b->len) {
        /* The new value is a piece of the old one ("${a}" cut by the size limit). */
        memmove(b->data, value, vlen);
        b->len = vlen;
        b->data[vlen] = '\0';
        return 0;
    }
    lm_buf_reset(b);
    if (vlen && lm_buf_append(b, value, vlen)) {
        lm_buf_free(b); /* the variable is left empty, and usable */
        return SIEVE_E_NOMEM;
    }
    return 0;
}

const char *sv_vars_get(const sv_vars *v, const char *name, size_t nlen, size_t *len)
{
    if (len)
        *len = 0;
    if (!v || (!name && nlen))
        return NULL;
    const sv_var *var = find_var(v, name, nlen);
    if (!var)
        return NULL;
    if (len)
        *len = var->value.len;
    return var->value.data ? var->value.data : "";
}

int sv_vars_set_list(sv_vars *v, const char *name, size_t nlen, const char *const *items,
                     const size_t *lens, size_t n)
{
    if (!v || (!name && nlen) || (!items && n) || (!lens && n))
        return SIEVE_E_INVAL;
    if (n > SV_MAX_LIST_ITEMS)
        n = SV_MAX_LIST_ITEMS;
    int rc = 0;
    sv_var *var = find_var(v, name, nlen);
    if (!var && !(var = add_var(v, name, nlen, &rc)))
        return rc;
    /* Built apart and then swapped in: the items may be pieces of the variable's old value. */
    lm_buf b = LM_BUF_INIT;
    size_t *ends = n ? lm_malloc(n * sizeof *ends) : NULL, count = 0;
    if (n && !ends)
        return SIEVE_E_NOMEM;
    /* Whole items only, within the size limit. */
    for (size_t i = 0; i < n; i++) {
        size_t need = lens[i] + (i ? 2 : 0);
        if (need > v->max_value || b.len > v->max_value - need)
            break;
        if ((i && lm_buf_append(&b, "\r\n", 2)) ||
            (lens[i] && lm_buf_append(&b, items[i], lens[i]))) {
            lm_buf_free(&b);
            lm_free(ends);
            return SIEVE_E_NOMEM;
        }
        ends[count++] = b.len;
    }
    lm_buf_free(&var->value);
    lm_free(var->ends);
    var->value = b;
    var->ends = ends;
    var->nitems = count;
    var->is_list = 1;
    return 0;
}

int sv_vars_get_list(const sv_vars *v, const char *name, size_t nlen, const size_t **ends,
                     size_t *n)
{
    *ends = NULL;
    *n = 0;
    const sv_var *var = v && (name || !nlen) ? find_var(v, name, nlen) : NULL;
    if (!var || !var->is_list)
        return 0;
    *ends = var->ends;
    *n = var->nitems;
    return 1;
}

/* ---- names and references ----------------------------------------------------------------- */

static int is_id_start(int c) { return lm_is_alpha(c) || c == '_'; }
static int is_id_char(int c) { return lm_is_alnum(c) || c == '_'; }

typedef struct name_info {
    size_t parts;     /* 1 for "name" or "12", more for "ns.sub.name" */
    size_t longest;   /* octets of the longest part */
    int numeric;      /* a match variable: 1*DIGIT */
} name_info;

/* The longest variable name at the start of `s` (RFC 5229 §3): a num-variable, an identifier,
 * or namespace parts "ns.sub.name" (the first an identifier, the later ones identifiers or
 * numbers). Returns its length, 0 when there is none. */
static size_t scan_name(const char *s, size_t n, name_info *ni)
{
    *ni = (name_info){0, 0, 0};
    size_t i = 0, end = 0;
    if (n && lm_is_digit((unsigned char)s[0])) {
        while (i < n && lm_is_digit((unsigned char)s[i]))
            i++;
        *ni = (name_info){1, i, 1};
        return i;
    }
    while (i < n) {
        size_t start = i;
        if (is_id_start((unsigned char)s[i])) {
            while (++i < n && is_id_char((unsigned char)s[i]))
                ;
        } else if (ni->parts && lm_is_digit((unsigned char)s[i])) {
            while (++i < n && lm_is_digit((unsigned char)s[i]))
                ;
        } else {
            break; /* nothing after the "." (or at the start): the name ends before it */
        }
        ni->parts++;
        if (i - start > ni->longest)
            ni->longest = i - start;
        end = i;
        if (i + 1 >= n || s[i] != '.')
            break;
        i++;
    }
    return end;
}

/* A variable reference "${name}" at `s` (s[0] == '$'): returns its whole length, with the
 * name's length in *nlen, or 0 when `s` does not start one. */
/* vnd.stalwart.expressions: "${header.<path>}" with a path that is no plain name
 * ("header.to:cc[*].addr[1]", "header.content-type"): the length of the path after
 * "header.". The namespace callback checks it. */
static size_t scan_header_path(const char *s, size_t n)
{
    size_t i = 0;
    while (i < n && s[i] && (lm_is_alnum((unsigned char)s[i]) || strchr("_.-:[]*", s[i])))
        i++;
    return i;
}

static size_t scan_ref(const char *s, size_t n, name_info *ni, size_t *nlen)
{
    if (n < 4 || s[1] != '{')
        return 0;
    size_t k = scan_name(s + 2, n - 2, ni);
    if (n - 2 > 7 && lm_eq_nocase(s + 2, 7, "header.") && (2 + k >= n || s[2 + k] != '}')) {
        size_t p = scan_header_path(s + 9, n - 9);
        if (p && 9 + p < n && s[9 + p] == '}') {
            *ni = (name_info){2, p, 0};
            *nlen = 7 + p;
            return 7 + p + 3;
        }
    }
    if (k == 0 || 2 + k >= n || s[2 + k] != '}')
        return 0;
    *nlen = k;
    return k + 3;
}

int sv_var_name_valid(const char *name, size_t len, int allow_namespace)
{
    if (!name || !len)
        return 0;
    name_info ni;
    if (scan_name(name, len, &ni) != len || ni.numeric)
        return 0;
    if (ni.parts > 1 && !allow_namespace)
        return 0;
    return ni.parts <= SV_MAX_VAR_ELEMENTS && ni.longest <= SV_MAX_VAR_NAME;
}

int sv_string_has_variables(const char *s, size_t len)
{
    size_t i = 0;
    while (i < len) {
        const char *d = memchr(s + i, '$', len - i);
        if (!d)
            return 0;
        size_t p = (size_t)(d - s), nlen;
        name_info ni;
        if (scan_ref(s + p, len - p, &ni, &nlen))
            return 1;
        i = p + 1;
    }
    return 0;
}

/* ---- expansion ---------------------------------------------------------------------------- */

/* Appends `n` octets unless the expansion begun at `start` would pass `max` (0 = no bound). */
static int put_bounded(lm_buf *out, const char *p, size_t n, size_t start, size_t max)
{
    if (n == 0)
        return 0;
    if (max && (n > max || out->len - start > max - n))
        return SIEVE_E_LIMIT;
    return lm_buf_append(out, p, n) ? SIEVE_E_NOMEM : 0;
}

/* The index a num-variable names; leading zeros allowed (RFC 5229 §3), large ones saturate. */
static size_t match_index(const char *s, size_t n)
{
    size_t i = 0, idx = 0;
    while (i < n && s[i] == '0')
        i++;
    if (n - i > 4)
        return SIZE_MAX;
    for (; i < n; i++)
        idx = idx * 10 + (size_t)(s[i] - '0');
    return idx;
}

size_t sv_string_max_match_index(const char *s, size_t len)
{
    size_t i = 0, max = 0;
    while (i < len) {
        const char *d = memchr(s + i, '$', len - i);
        if (!d)
            break;
        size_t p = (size_t)(d - s), nlen;
        name_info ni;
        size_t rlen = scan_ref(s + p, len - p, &ni, &nlen);
        if (rlen && ni.numeric) {
            size_t idx = match_index(s + p + 2, nlen);
            max = idx > max ? idx : max;
        }
        i = rlen ? p + rlen : p + 1;
    }
    return max;
}

int sv_expand(const char *s, size_t len, const sv_vars *vars, const sv_captures *caps,
              sv_namespace_fn ns, void *ns_user, size_t max, lm_buf *out)
{
    if ((!s && len) || !out)
        return SIEVE_E_INVAL;
    if (out->oom)
        return SIEVE_E_NOMEM;
    size_t start = out->len, lit = 0, i = 0;
    int rc = 0;
    while (i < len) {
        const char *d = memchr(s + i, '$', len - i);
        if (!d)
            break;
        size_t p = (size_t)(d - s), nlen = 0;
        name_info ni;
        size_t rlen = scan_ref(s + p, len - p, &ni, &nlen);
        if (!rlen) {
            i = p + 1; /* "${BAD${x}": the scan goes on after this "$" */
            continue;
        }
        if ((rc = put_bounded(out, s + lit, p - lit, start, max)))
            goto fail;
        const char *name = s + p + 2;
        lit = i = p + rlen;
        if (ni.numeric) {
            size_t idx = match_index(name, nlen);
            if (caps && idx < caps->count && idx < SV_MAX_CAPTURES && caps->value[idx].len)
                rc = put_bounded(out, caps->value[idx].data, caps->value[idx].len, start, max);
        } else if (ni.parts == 1) {
            size_t vlen = 0;
            const char *value = sv_vars_get(vars, name, nlen, &vlen);
            if (value)
                rc = put_bounded(out, value, vlen, start, max);
        } else {
            size_t mark = out->len;
            int r = ns ? ns(ns_user, name, nlen, out) : 0;
            if (r < 0) {
                rc = r;
            } else if (out->oom) {
                rc = SIEVE_E_NOMEM;
            } else if (r == 0) {
                /* An unknown namespace: the reference stays as written. */
                out->len = mark;
                if (out->data)
                    out->data[mark] = '\0';
                lit = p;
            } else if (max && out->len - start > max) {
                rc = SIEVE_E_LIMIT;
            }
        }
        if (rc)
            goto fail;
    }
    if ((rc = put_bounded(out, s + lit, len - lit, start, max)))
        goto fail;
    return 0;
fail:
    if (out->len > start) {
        out->len = start;
        out->data[start] = '\0';
    }
    return rc;
}

/* ---- modifiers ---------------------------------------------------------------------------- */

/* Highest precedence first: the order in which they apply. */
static const struct modifier {
    const char *name;
    unsigned mod;
    int precedence;
} modifiers[] = {
    {"lower", SV_MOD_LOWER, 40},
    {"upper", SV_MOD_UPPER, 40},
    {"lowerfirst", SV_MOD_LOWERFIRST, 30},
    {"upperfirst", SV_MOD_UPPERFIRST, 30},
    {"quotewildcard", SV_MOD_QUOTEWILDCARD, 20},
    {"quoteregex", SV_MOD_QUOTEREGEX, 20},
    {"encodeurl", SV_MOD_ENCODEURL, 15},
    {"length", SV_MOD_LENGTH, 10},
};
#define NMODIFIERS (sizeof modifiers / sizeof modifiers[0])
#define ALL_MODIFIERS 0xFFu

unsigned sv_modifier_from_name(const char *name, size_t len)
{
    if (!name)
        return 0;
    for (size_t i = 0; i < NMODIFIERS; i++)
        if (lm_eq_nocase(name, len, modifiers[i].name))
            return modifiers[i].mod;
    return 0;
}

int sv_modifier_precedence(unsigned mod)
{
    for (size_t i = 0; i < NMODIFIERS; i++)
        if (modifiers[i].mod == mod)
            return modifiers[i].precedence;
    return 0;
}

/* Case-maps one whole UTF-8 character (2–4 octets) into `piece`; returns its new length.
 * Unicode simple case mapping (one code point to one), so the length changes little. */
static size_t map_case(const unsigned char *p, int upper, char *piece)
{
    size_t i = 0, n = 0;
    UChar32 cp;
    U8_NEXT_UNSAFE(p, i, cp);
    cp = upper ? u_toupper(cp) : u_tolower(cp);
    U8_APPEND_UNSAFE(piece, n, cp);
    return n;
}

/* RFC 3986 §2.3 unreserved characters, which :encodeurl leaves as they are. */
static int is_unreserved(unsigned char c)
{
    return lm_is_alnum(c) || c == '-' || c == '.' || c == '_' || c == '~';
}

/* What one modifier makes of one character (`cl` octets at `p`); returns the length written
 * to `piece` (at most 12 octets). */
static size_t modify_char(unsigned mod, const unsigned char *p, size_t cl, char *piece)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t n = 0;
    switch (mod) {
    case SV_MOD_LOWER:
    case SV_MOD_LOWERFIRST:
    case SV_MOD_UPPER:
    case SV_MOD_UPPERFIRST: {
        int upper = mod == SV_MOD_UPPER || mod == SV_MOD_UPPERFIRST;
        if (cl > 1)
            return map_case(p, upper, piece);
        piece[0] = (char)(upper ? lm_to_upper(p[0]) : lm_to_lower(p[0]));
        return 1;
    }
    case SV_MOD_QUOTEWILDCARD:
    case SV_MOD_QUOTEREGEX: {
        const char *special = mod == SV_MOD_QUOTEWILDCARD ? "*?\\" : "\\^$.[]|()*+?{}";
        if (cl == 1 && p[0] && strchr(special, p[0]))
            piece[n++] = '\\';
        break;
    }
    case SV_MOD_ENCODEURL:
        for (size_t k = 0; k < cl; k++) {
            if (is_unreserved(p[k])) {
                piece[n++] = (char)p[k];
            } else {
                piece[n++] = '%';
                piece[n++] = hex[p[k] >> 4];
                piece[n++] = hex[p[k] & 15];
            }
        }
        return n;
    default:
        break;
    }
    memcpy(piece + n, p, cl);
    return n + cl;
}

/* Applies one modifier to `s` into the empty `out`, within `max` octets (0 = no bound): the
 * result stops before the first character whose rendering would not fit whole. */
static int apply_one(unsigned mod, const char *s, size_t len, size_t max, lm_buf *out)
{
    const unsigned char *u = (const unsigned char *)s;
    if (mod == SV_MOD_LENGTH) {
        /* RFC 5229 §4.1.2 counts characters; an octet outside UTF-8 counts as one. */
        size_t chars = 0;
        for (size_t i = 0; i < len; i += char_len(u + i, len - i))
            chars++;
        char num[24];
        int k = snprintf(num, sizeof num, "%zu", chars);
        if (k > 0 && (!max || (size_t)k <= max))
            lm_buf_append(out, num, (size_t)k);
        return out->oom ? SIEVE_E_NOMEM : 0;
    }
    int first_only = mod == SV_MOD_LOWERFIRST || mod == SV_MOD_UPPERFIRST;
    size_t i = 0;
    while (i < len) {
        size_t cl = char_len(u + i, len - i);
        char piece[16];
        size_t pn = modify_char(mod, u + i, cl, piece);
        if (max && out->len + pn > max)
            break;
        lm_buf_append(out, piece, pn);
        i += cl;
        if (first_only) {
            size_t rest = len - i;
            if (max)
                rest = out->len < max ? utf8_cut(s + i, rest, max - out->len) : 0;
            if (rest)
                lm_buf_append(out, s + i, rest);
            break;
        }
    }
    return out->oom ? SIEVE_E_NOMEM : 0;
}

int sv_apply_modifiers(unsigned mods, const char *s, size_t len, size_t max, lm_buf *out)
{
    if ((mods & ~ALL_MODIFIERS) || (!s && len) || !out)
        return SIEVE_E_INVAL;
    lm_buf tmp[2] = {LM_BUF_INIT, LM_BUF_INIT};
    const char *cur = s;
    size_t curlen = utf8_cut(s, len, max);
    int rc = 0, which = 0;
    for (size_t i = 0; i < NMODIFIERS && !rc; i++) {
        if (!(mods & modifiers[i].mod))
            continue;
        lm_buf *b = &tmp[which];
        lm_buf_reset(b);
        rc = apply_one(modifiers[i].mod, cur, curlen, max, b);
        cur = b->data;
        curlen = b->len;
        which ^= 1;
    }
    if (!rc && curlen && lm_buf_append(out, cur, curlen))
        rc = SIEVE_E_NOMEM;
    lm_buf_free(&tmp[0]);
    lm_buf_free(&tmp[1]);
    return rc;
}
