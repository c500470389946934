/* dmarc_record.c — DMARC record parsing: RFC 7489 §6.3-6.4 (tags, defaults, the p=none
 * fallback of §6.6.3) with the tags of RFC 9989 §4.7 (np=, psd=, t=), and the DMARC URIs of
 * §6.2 with their "!" size limits. */
#include "dmarc_internal.h"

#include "lm_alloc.h"
#include "lm_arena.h"
#include "lm_ascii.h"

#include <string.h>

/* What the value parsers return for a value that breaks the grammar (MAILAUTH_E_* are
 * negative). */
#define BAD 1

struct uri_list {
    mailauth_dmarc_uri *items;
    size_t count;
};

struct mailauth_dmarc_record {
    lm_arena *arena;
    int p, sp, np, adkim, aspf, psd, testing;
    unsigned pct, fo, rf, tags, invalid;
    uint32_t ri;
    struct uri_list rua, ruf;
};

const char *mailauth_dmarc_policy_name(int policy)
{
    switch (policy) {
    case MAILAUTH_DMARC_POLICY_NONE: return "none";
    case MAILAUTH_DMARC_POLICY_QUARANTINE: return "quarantine";
    case MAILAUTH_DMARC_POLICY_REJECT: return "reject";
    default: return "unknown";
    }
}

static size_t skip_wsp(const char *s, size_t i, size_t n)
{
    while (i < n && lm_is_space((unsigned char)s[i]))
        i++;
    return i;
}

/* `s`..`e` without whitespace at either end. */
static void trim(const char **s, const char **e)
{
    while (*s < *e && lm_is_space((unsigned char)**s))
        (*s)++;
    while (*e > *s && lm_is_space((unsigned char)(*e)[-1]))
        (*e)--;
}

int ma_dmarc_is_record(const char *text, size_t len)
{
    size_t i = skip_wsp(text, 0, len);
    if (i == len || (text[i] != 'v' && text[i] != 'V'))
        return 0;
    i = skip_wsp(text, i + 1, len);
    if (i == len || text[i] != '=')
        return 0;
    i = skip_wsp(text, i + 1, len);
    if (len - i < 6 || memcmp(text + i, "DMARC1", 6))
        return 0;
    i = skip_wsp(text, i + 6, len);
    return i == len || text[i] == ';';
}

static int parse_policy(const char *v, size_t n, int *out)
{
    if (lm_eq_nocase(v, n, "none"))
        *out = MAILAUTH_DMARC_POLICY_NONE;
    else if (lm_eq_nocase(v, n, "quarantine"))
        *out = MAILAUTH_DMARC_POLICY_QUARANTINE;
    else if (lm_eq_nocase(v, n, "reject"))
        *out = MAILAUTH_DMARC_POLICY_REJECT;
    else
        return BAD;
    return 0;
}

static int parse_align(const char *v, size_t n, int *out)
{
    if (n != 1)
        return BAD;
    int c = lm_to_lower((unsigned char)v[0]);
    if (c != 'r' && c != 's')
        return BAD;
    *out = c == 's' ? MAILAUTH_DMARC_STRICT : MAILAUTH_DMARC_RELAXED;
    return 0;
}

/* 1*DIGIT up to `max`. */
static int parse_uint(const char *v, size_t n, uint64_t max, uint64_t *out)
{
    uint64_t x = 0;
    if (!n)
        return BAD;
    for (size_t i = 0; i < n; i++) {
        if (!lm_is_digit((unsigned char)v[i]))
            return BAD;
        x = x * 10 + (uint64_t)(v[i] - '0');
        if (x > max)
            return BAD;
    }
    *out = x;
    return 0;
}

/* A ':'-separated list of single-word options, each known to `word`, into a bit set. */
static int parse_colon_list(const char *v, size_t n, unsigned (*word)(const char *, size_t),
                            unsigned *out)
{
    unsigned set = 0;
    const char *p = v, *end = v + n;
    for (;;) {
        const char *q = memchr(p, ':', (size_t)(end - p));
        const char *ie = q ? q : end, *is = p;
        trim(&is, &ie);
        unsigned bit = word(is, (size_t)(ie - is));
        if (!bit)
            return BAD;
        set |= bit;
        if (!q)
            break;
        p = q + 1;
    }
    *out = set;
    return 0;
}

static unsigned fo_word(const char *w, size_t n)
{
    if (n != 1)
        return 0;
    switch (lm_to_lower((unsigned char)w[0])) {
    case '0': return MAILAUTH_DMARC_FO_0;
    case '1': return MAILAUTH_DMARC_FO_1;
    case 'd': return MAILAUTH_DMARC_FO_D;
    case 's': return MAILAUTH_DMARC_FO_S;
    default: return 0;
    }
}

static unsigned rf_word(const char *w, size_t n)
{
    return lm_eq_nocase(w, n, "afrf") ? MAILAUTH_DMARC_RF_AFRF : 0;
}

/* URI characters (RFC 3986 §2): unreserved, reserved and '%'. */
static int uri_char(unsigned char c)
{
    if (lm_is_alnum(c))
        return 1;
    return c && strchr("-._~:/?#[]@!$&'()*+,;=%", c) != NULL;
}

/* Percent-decodes `n` octets into the arena; NULL on a bad escape, a %00 or no memory
 * (*nomem then set). */
static char *pct_decode(lm_arena *a, const char *s, size_t n, int *nomem)
{
    char *out = lm_arena_alloc(a, n + 1);
    size_t k = 0;
    if (!out) {
        *nomem = 1;
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        if (s[i] != '%') {
            out[k++] = s[i];
            continue;
        }
        int hi = i + 2 < n ? lm_hex_value((unsigned char)s[i + 1]) : -1;
        int lo = hi >= 0 ? lm_hex_value((unsigned char)s[i + 2]) : -1;
        if (lo < 0 || (hi == 0 && lo == 0))
            return NULL;
        out[k++] = (char)(hi * 16 + lo);
        i += 2;
    }
    out[k] = '\0';
    return out;
}

/* One dmarc-uri: URI [ "!" 1*DIGIT [ "k" / "m" / "g" / "t" ] ] (whitespace around "!" and
 * before the unit tolerated). 0, BAD or MAILAUTH_E_NOMEM. */
static int parse_uri(lm_arena *a, const char *s, const char *e, mailauth_dmarc_uri *u)
{
    memset(u, 0, sizeof *u);
    trim(&s, &e);
    const char *bang = memchr(s, '!', (size_t)(e - s));
    const char *ue = bang ? bang : e;
    while (ue > s && lm_is_space((unsigned char)ue[-1]))
        ue--;
    if (bang) {
        const char *d = bang + 1, *de = e;
        trim(&d, &de);
        const char *digits = d;
        while (d < de && lm_is_digit((unsigned char)*d))
            d++;
        if (d == digits)
            return BAD;
        uint64_t v = 0;
        int over = 0;
        for (const char *k = digits; k < d; k++) {
            if (v > (UINT64_MAX - 9) / 10)
                over = 1;
            else
                v = v * 10 + (uint64_t)(*k - '0');
        }
        const char *unit = d;
        while (unit < de && lm_is_space((unsigned char)*unit))
            unit++;
        unsigned shift = 0;
        if (unit < de) {
            if (de - unit != 1)
                return BAD;
            switch (lm_to_lower((unsigned char)*unit)) {
            case 'k': shift = 10; break;
            case 'm': shift = 20; break;
            case 'g': shift = 30; break;
            case 't': shift = 40; break;
            default: return BAD;
            }
        } else if (unit != d) {
            return BAD;
        }
        if (over || (shift && v > (UINT64_MAX >> shift)))
            v = UINT64_MAX;
        else
            v <<= shift;
        u->max_size = v;
    }
    /* scheme ":" rest */
    const char *p = s;
    if (p == ue || !lm_is_alpha((unsigned char)*p))
        return BAD;
    while (p < ue && (lm_is_alnum((unsigned char)*p) || *p == '+' || *p == '-' || *p == '.'))
        p++;
    if (p == ue || *p != ':' || p + 1 == ue)
        return BAD;
    for (const char *k = s; k < ue; k++)
        if (!uri_char((unsigned char)*k) || *k == '!' || *k == ',')
            return BAD;
    int nomem = 0;
    u->uri = lm_arena_strndup(a, s, (size_t)(ue - s));
    if (!u->uri)
        return MAILAUTH_E_NOMEM;
    u->uri_len = (size_t)(ue - s);
    if (p - s == 6 && !lm_strncasecmp(s, "mailto", 6)) {
        const char *as = p + 1, *ae = memchr(as, '?', (size_t)(ue - as));
        if (!ae)
            ae = ue;
        char *addr = pct_decode(a, as, (size_t)(ae - as), &nomem);
        if (nomem)
            return MAILAUTH_E_NOMEM;
        if (!addr || !*addr)
            return BAD;
        u->address = addr;
        char *at = strrchr(addr, '@');
        if (at && at[1]) {
            char *dom = lm_arena_strndup(a, at + 1, strlen(at + 1));
            if (!dom)
                return MAILAUTH_E_NOMEM;
            lm_lower(dom, strlen(dom));
            u->domain = dom;
        }
    }
    return 0;
}

/* A comma-separated URI list. 0 (with *bad set when some URI was invalid and left out) or
 * MAILAUTH_E_NOMEM. */
static int parse_uri_list(lm_arena *a, const char *v, size_t n, struct uri_list *list, int *bad)
{
    const char *p = v, *end = v + n;
    *bad = 0;
    list->items = lm_arena_calloc(a, MAILAUTH_DMARC_MAX_URIS, sizeof *list->items);
    if (!list->items)
        return MAILAUTH_E_NOMEM;
    list->count = 0;
    for (;;) {
        const char *q = memchr(p, ',', (size_t)(end - p));
        const char *ie = q ? q : end;
        if (list->count < MAILAUTH_DMARC_MAX_URIS) {
            int rc = parse_uri(a, p, ie, &list->items[list->count]);
            if (rc == MAILAUTH_E_NOMEM)
                return rc;
            if (rc)
                *bad = 1;
            else
                list->count++;
        }
        if (!q)
            break;
        p = q + 1;
    }
    return 0;
}

static const struct {
    const char *name;
    unsigned bit;
} known_tags[] = {
    {"p", MAILAUTH_DMARC_TAG_P},         {"sp", MAILAUTH_DMARC_TAG_SP},
    {"np", MAILAUTH_DMARC_TAG_NP},       {"adkim", MAILAUTH_DMARC_TAG_ADKIM},
    {"aspf", MAILAUTH_DMARC_TAG_ASPF},   {"pct", MAILAUTH_DMARC_TAG_PCT},
    {"fo", MAILAUTH_DMARC_TAG_FO},       {"rf", MAILAUTH_DMARC_TAG_RF},
    {"ri", MAILAUTH_DMARC_TAG_RI},       {"rua", MAILAUTH_DMARC_TAG_RUA},
    {"ruf", MAILAUTH_DMARC_TAG_RUF},     {"psd", MAILAUTH_DMARC_TAG_PSD},
    {"t", MAILAUTH_DMARC_TAG_T},
};

/* Reads the value of known tag `bit` into `r`: 0, BAD or MAILAUTH_E_NOMEM. */
static int tag_value(mailauth_dmarc_record *r, unsigned bit, const char *v, size_t n)
{
    uint64_t x;
    int bad = 0, rc;
    switch (bit) {
    case MAILAUTH_DMARC_TAG_P: return parse_policy(v, n, &r->p);
    case MAILAUTH_DMARC_TAG_SP: return parse_policy(v, n, &r->sp);
    case MAILAUTH_DMARC_TAG_NP: return parse_policy(v, n, &r->np);
    case MAILAUTH_DMARC_TAG_ADKIM: return parse_align(v, n, &r->adkim);
    case MAILAUTH_DMARC_TAG_ASPF: return parse_align(v, n, &r->aspf);
    case MAILAUTH_DMARC_TAG_PCT:
        if (n > 3 || parse_uint(v, n, 100, &x))
            return BAD;
        r->pct = (unsigned)x;
        return 0;
    case MAILAUTH_DMARC_TAG_RI:
        if (parse_uint(v, n, UINT32_MAX, &x))
            return BAD;
        r->ri = (uint32_t)x;
        return 0;
    case MAILAUTH_DMARC_TAG_FO: return parse_colon_list(v, n, fo_word, &r->fo);
    case MAILAUTH_DMARC_TAG_RF: return parse_colon_list(v, n, rf_word, &r->rf);
    case MAILAUTH_DMARC_TAG_RUA:
    case MAILAUTH_DMARC_TAG_RUF:
        rc = parse_uri_list(r->arena, v, n, bit == MAILAUTH_DMARC_TAG_RUA ? &r->rua : &r->ruf,
                            &bad);
        return rc ? rc : bad ? BAD : 0;
    case MAILAUTH_DMARC_TAG_PSD:
        if (n != 1)
            return BAD;
        switch (lm_to_lower((unsigned char)v[0])) {
        case 'y': r->psd = MAILAUTH_DMARC_PSD_YES; return 0;
        case 'n': r->psd = MAILAUTH_DMARC_PSD_NO; return 0;
        case 'u': r->psd = MAILAUTH_DMARC_PSD_UNSET; return 0;
        default: return BAD;
        }
    case MAILAUTH_DMARC_TAG_T:
        if (n != 1 || (lm_to_lower((unsigned char)v[0]) != 'y' &&
                       lm_to_lower((unsigned char)v[0]) != 'n'))
            return BAD;
        r->testing = lm_to_lower((unsigned char)v[0]) == 'y';
        return 0;
    default: return 0;
    }
}

static void set_defaults(mailauth_dmarc_record *r)
{
    r->p = r->sp = r->np = -1;
    r->adkim = r->aspf = MAILAUTH_DMARC_RELAXED;
    r->pct = 100;
    r->fo = MAILAUTH_DMARC_FO_0;
    r->rf = MAILAUTH_DMARC_RF_AFRF;
    r->ri = 86400;
}

static int fail(mailauth_dmarc_record_error *err, int kind, size_t off, const char *msg)
{
    if (err) {
        err->kind = kind;
        err->offset = off;
        err->message = msg;
    }
    return MAILAUTH_E_SYNTAX;
}

/* Parses the parts after v=DMARC1 into `r`. 0, MAILAUTH_E_SYNTAX (err filled) or NOMEM. */
static int parse_tags(mailauth_dmarc_record *r, const char *text, size_t len, size_t start,
                      mailauth_dmarc_record_error *err)
{
    size_t i = start;
    while (i < len) {
        const char *semi = memchr(text + i, ';', len - i);
        size_t end = semi ? (size_t)(semi - text) : len;
        size_t s = skip_wsp(text, i, end);
        if (s < end) {
            ma_tag tag;
            size_t count;
            if (ma_tag_list_parse(text + s, end - s, &tag, 1, &count, NULL) || count != 1) {
                r->invalid |= MAILAUTH_DMARC_TAG_MALFORMED;
            } else {
                for (size_t k = 0; k < sizeof known_tags / sizeof known_tags[0]; k++) {
                    if (!lm_eq_nocase(tag.name, tag.name_len, known_tags[k].name))
                        continue;
                    unsigned bit = known_tags[k].bit;
                    if (r->tags & bit)
                        return fail(err, MAILAUTH_DMARC_ERR_DUPLICATE, s, "a tag is repeated");
                    r->tags |= bit;
                    int rc = tag_value(r, bit, tag.value, tag.value_len);
                    if (rc == MAILAUTH_E_NOMEM)
                        return rc;
                    if (rc)
                        r->invalid |= bit;
                    break;
                }
                if (lm_eq_nocase(tag.name, tag.name_len, "v"))
                    return fail(err, MAILAUTH_DMARC_ERR_DUPLICATE, s, "v= is repeated");
            }
        }
        i = end + 1;
    }
    return 0;
}

/* Applies defaults and RFC 7489 §6.6.3's p=none rule. 0 or MAILAUTH_E_SYNTAX. */
static int finish(mailauth_dmarc_record *r, mailauth_dmarc_record_error *err)
{
    int bad_policy = (r->invalid & (MAILAUTH_DMARC_TAG_P | MAILAUTH_DMARC_TAG_SP)) != 0;
    if (r->invalid & MAILAUTH_DMARC_TAG_P)
        r->p = -1;
    if (r->invalid & MAILAUTH_DMARC_TAG_SP)
        r->sp = -1;
    if (r->invalid & MAILAUTH_DMARC_TAG_NP)
        r->np = -1;
    if (r->p < 0 || bad_policy) {
        if (!r->rua.count)
            return fail(err, bad_policy ? MAILAUTH_DMARC_ERR_BAD_POLICY
                                        : MAILAUTH_DMARC_ERR_NO_POLICY,
                        0, bad_policy ? "p= or sp= is invalid and there is no valid rua="
                                      : "no p= and no valid rua=");
        r->p = r->sp = r->np = MAILAUTH_DMARC_POLICY_NONE;
    }
    if (r->sp < 0)
        r->sp = r->p;
    if (r->np < 0)
        r->np = r->sp;
    if (r->invalid & MAILAUTH_DMARC_TAG_ADKIM)
        r->adkim = MAILAUTH_DMARC_RELAXED;
    if (r->invalid & MAILAUTH_DMARC_TAG_ASPF)
        r->aspf = MAILAUTH_DMARC_RELAXED;
    if (r->invalid & MAILAUTH_DMARC_TAG_PCT)
        r->pct = 100;
    if (r->invalid & MAILAUTH_DMARC_TAG_FO)
        r->fo = MAILAUTH_DMARC_FO_0;
    if (r->invalid & MAILAUTH_DMARC_TAG_RF)
        r->rf = MAILAUTH_DMARC_RF_AFRF;
    if (r->invalid & MAILAUTH_DMARC_TAG_RI)
        r->ri = 86400;
    if (r->invalid & MAILAUTH_DMARC_TAG_PSD)
        r->psd = MAILAUTH_DMARC_PSD_UNSET;
    if (r->invalid & MAILAUTH_DMARC_TAG_T)
        r->testing = 0;
    return 0;
}

int mailauth_dmarc_record_parse(const char *text, size_t len, mailauth_dmarc_record **out,
                                mailauth_dmarc_record_error *err)
{
    if (err) {
        err->kind = MAILAUTH_DMARC_ERR_NONE;
        err->offset = 0;
        err->message = NULL;
    }
    if (!out || (!text && len))
        return MAILAUTH_E_INVAL;
    *out = NULL;
    size_t i = skip_wsp(text, 0, len);
    if (i == len)
        return fail(err, MAILAUTH_DMARC_ERR_EMPTY, 0, "the record is empty");
    if (!ma_dmarc_is_record(text, len))
        return fail(err, MAILAUTH_DMARC_ERR_VERSION, i, "the record does not start with v=DMARC1");
    const char *semi = memchr(text, ';', len);
    size_t start = semi ? (size_t)(semi - text) + 1 : len;

    mailauth_dmarc_record *r = lm_calloc(1, sizeof *r);
    if (!r)
        return MAILAUTH_E_NOMEM;
    r->arena = lm_arena_new(256);
    if (!r->arena) {
        lm_free(r);
        return MAILAUTH_E_NOMEM;
    }
    set_defaults(r);
    int rc = parse_tags(r, text, len, start, err);
    if (!rc)
        rc = finish(r, err);
    if (rc) {
        mailauth_dmarc_record_free(r);
        return rc;
    }
    *out = r;
    return 0;
}

void mailauth_dmarc_record_free(mailauth_dmarc_record *rec)
{
    if (!rec)
        return;
    lm_arena_free(rec->arena);
    lm_free(rec);
}

int mailauth_dmarc_record_p(const mailauth_dmarc_record *r) { return r ? r->p : 0; }
int mailauth_dmarc_record_sp(const mailauth_dmarc_record *r) { return r ? r->sp : 0; }
int mailauth_dmarc_record_np(const mailauth_dmarc_record *r) { return r ? r->np : 0; }
int mailauth_dmarc_record_adkim(const mailauth_dmarc_record *r) { return r ? r->adkim : 0; }
int mailauth_dmarc_record_aspf(const mailauth_dmarc_record *r) { return r ? r->aspf : 0; }
unsigned mailauth_dmarc_record_pct(const mailauth_dmarc_record *r) { return r ? r->pct : 100; }
unsigned mailauth_dmarc_record_fo(const mailauth_dmarc_record *r) { return r ? r->fo : 0; }
unsigned mailauth_dmarc_record_rf(const mailauth_dmarc_record *r) { return r ? r->rf : 0; }
uint32_t mailauth_dmarc_record_ri(const mailauth_dmarc_record *r) { return r ? r->ri : 0; }
int mailauth_dmarc_record_psd(const mailauth_dmarc_record *r) { return r ? r->psd : 0; }
int mailauth_dmarc_record_testing(const mailauth_dmarc_record *r) { return r ? r->testing : 0; }
unsigned mailauth_dmarc_record_tags(const mailauth_dmarc_record *r) { return r ? r->tags : 0; }
unsigned mailauth_dmarc_record_invalid(const mailauth_dmarc_record *r)
{
    return r ? r->invalid : 0;
}

size_t mailauth_dmarc_record_rua_count(const mailauth_dmarc_record *r)
{
    return r ? r->rua.count : 0;
}

const mailauth_dmarc_uri *mailauth_dmarc_record_rua(const mailauth_dmarc_record *r, size_t i)
{
    return r && i < r->rua.count ? &r->rua.items[i] : NULL;
}

size_t mailauth_dmarc_record_ruf_count(const mailauth_dmarc_record *r)
{
    return r ? r->ruf.count : 0;
}

const mailauth_dmarc_uri *mailauth_dmarc_record_ruf(const mailauth_dmarc_record *r, size_t i)
{
    return r && i < r->ruf.count ? &r->ruf.items[i] : NULL;
}
