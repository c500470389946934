/* regex.c — the :regex match type (draft-ietf-sieve-regex / draft-murchison-sieve-regex):
 * POSIX extended regular expressions, translated to ICU's syntax and run by ICU's engine with
 * a time limit; groups fill the match variables. */
#include "comparator.h"

#include "lm_alloc.h"
#include "lm_ascii.h"
#include "lm_utf8.h"

#include <string.h>

#include <unicode/uregex.h>
#include <unicode/ustring.h>
#include <unicode/utf16.h>

/* The longest key accepted as a regex, in octets; longer ones are refused (SIEVE_E_LIMIT). */
#define SV_REGEX_MAX_PATTERN 8192
/* ICU match-engine steps one match may take when the matcher does not say. A step is ICU's
 * unit (measured here at about 0.15 ms); a plain scan of a 1 MiB value takes some 300. */
#define SV_DEFAULT_REGEX_TIME_LIMIT 1000
/* The largest repetition count of an interval "{n,m}" (POSIX's RE_DUP_MAX). */
#define SV_REGEX_DUP_MAX 255

/* ---- POSIX ERE to ICU ----------------------------------------------------------------- */

/* Writes one literal character so that ICU reads it as nothing else (inside a set too, where
 * ICU would take white space, "&" or "-" for syntax): letters and digits as they are, the
 * rest as \x{...}. */
static void emit_code_point(lm_buf *out, uint32_t cp)
{
    if (cp < 0x80 && lm_is_alnum((int)cp)) {
        lm_buf_putc(out, (int)cp);
        return;
    }
    static const char hex[] = "0123456789ABCDEF";
    char e[12];
    size_t n = 0;
    e[n++] = '\\';
    e[n++] = 'x';
    e[n++] = '{';
    int shift = 20;
    while (shift > 0 && !(cp >> shift))
        shift -= 4;
    for (; shift >= 0; shift -= 4)
        e[n++] = hex[(cp >> shift) & 15];
    e[n++] = '}';
    lm_buf_append(out, e, n);
}

/* i;ascii-casemap ignores the case of ASCII letters only (RFC 4790 §9.2), which ICU's
 * case-insensitive flag (full Unicode folding: "k" would match KELVIN SIGN) does not give; so
 * a letter is written as the set of its two cases instead. */
static void emit_char(lm_buf *out, uint32_t cp, int icase)
{
    if (icase && cp < 0x80 && lm_is_alpha((int)cp)) {
        char set[4] = {'[', (char)lm_to_lower((int)cp), (char)lm_to_upper((int)cp), ']'};
        lm_buf_append(out, set, 4);
        return;
    }
    emit_code_point(out, cp);
}

/* A range inside a bracket expression, with the other case of its ASCII letters when
 * `icase`. */
static void emit_range(lm_buf *out, uint32_t lo, uint32_t hi, int icase)
{
    emit_code_point(out, lo);
    if (hi != lo) {
        lm_buf_putc(out, '-');
        emit_code_point(out, hi);
    }
    if (!icase)
        return;
    static const uint32_t letters[2][2] = {{'A', 'Z'}, {'a', 'z'}};
    for (int i = 0; i < 2; i++) {
        uint32_t a = lo > letters[i][0] ? lo : letters[i][0];
        uint32_t b = hi < letters[i][1] ? hi : letters[i][1];
        if (a <= b)
            emit_range(out, a ^ 0x20, b ^ 0x20, 0);
    }
}

/* The POSIX character classes, in the C locale, as ranges. */
static int emit_class(lm_buf *out, const char *name, size_t len, int icase)
{
    static const struct {
        const char *name;
        const char *ranges;   /* pairs lo,hi */
    } classes[] = {
        {"alpha", "AZaz"},
        {"digit", "09"},
        {"alnum", "09AZaz"},
        {"upper", "AZ"},
        {"lower", "az"},
        {"space", "\t\r  "},
        {"blank", "\t\t  "},
        {"punct", "!/:@[`{~"},
        {"print", " ~"},
        {"graph", "!~"},
        {"cntrl", "\x01\x1f\x7f\x7f"},
        {"xdigit", "09AFaf"},
    };
    for (size_t i = 0; i < sizeof classes / sizeof classes[0]; i++) {
        if (strlen(classes[i].name) != len || memcmp(name, classes[i].name, len) != 0)
            continue;
        for (const char *r = classes[i].ranges; *r; r += 2)
            emit_range(out, (unsigned char)r[0], (unsigned char)r[1], icase);
        if (!strcmp(classes[i].name, "cntrl"))
            emit_code_point(out, 0);
        return 0;
    }
    return SIEVE_E_SYNTAX;
}

/* Reads one bracket-expression character at `*i`, or a "[.c.]" / "[=c=]" naming a single
 * character. 0 or SIEVE_E_SYNTAX. */
static int bracket_char(const unsigned char *k, size_t klen, size_t *i, uint32_t *cp)
{
    if (k[*i] == '[' && *i + 1 < klen && (k[*i + 1] == '.' || k[*i + 1] == '=')) {
        unsigned char d = k[*i + 1];
        size_t j = *i + 2;
        if (j >= klen)
            return SIEVE_E_SYNTAX;
        size_t n = sv_utf8_char(k + j, klen - j, cp);
        if (j + n + 1 >= klen || k[j + n] != d || k[j + n + 1] != ']')
            return SIEVE_E_SYNTAX;   /* multi-character collating elements: none here */
        *i = j + n + 2;
        return 0;
    }
    *i += sv_utf8_char(k + *i, klen - *i, cp);
    return 0;
}

/* A POSIX bracket expression starting after its "[" at `*i`: "]" first is a member, "\" is
 * an ordinary member, "[:class:]", "[.c.]" and "[=c=]" are understood. */
static int translate_bracket(const unsigned char *k, size_t klen, size_t *i, int icase,
                             lm_buf *out)
{
    size_t p = *i;
    lm_buf_putc(out, '[');
    if (p < klen && k[p] == '^') {
        lm_buf_putc(out, '^');
        p++;
    }
    for (int first = 1;; first = 0) {
        if (p >= klen)
            return SIEVE_E_SYNTAX;
        if (k[p] == ']' && !first) {
            p++;
            break;
        }
        if (k[p] == '[' && p + 1 < klen && k[p + 1] == ':') {
            size_t j = p + 2;
            while (j + 1 < klen && !(k[j] == ':' && k[j + 1] == ']'))
                j++;
            if (j + 1 >= klen || emit_class(out, (const char *)k + p + 2, j - p - 2, icase))
                return SIEVE_E_SYNTAX;
            p = j + 2;
            continue;
        }
        uint32_t lo, hi;
        if (bracket_char(k, klen, &p, &lo))
            return SIEVE_E_SYNTAX;
        if (lo & 0x80000000u)
            return SIEVE_E_SYNTAX;   /* not UTF-8 */
        hi = lo;
        if (p + 1 < klen && k[p] == '-' && k[p + 1] != ']') {
            p++;
            if (bracket_char(k, klen, &p, &hi) || (hi & 0x80000000u) || hi < lo)
                return SIEVE_E_SYNTAX;
        }
        emit_range(out, lo, hi, icase);
    }
    lm_buf_putc(out, ']');
    *i = p;
    return 0;
}

/* An interval "{n}", "{n,}" or "{n,m}" at `*i` (on its "{"); its length, 0 when the text is
 * not one (it is then literal), or SIEVE_E_SYNTAX for a malformed one. */
static int interval_len(const unsigned char *k, size_t klen, size_t i)
{
    size_t j = i + 1;
    unsigned lo = 0, hi;
    if (j >= klen || !lm_is_digit(k[j]))
        return 0;
    while (j < klen && lm_is_digit(k[j]) && lo <= SV_REGEX_DUP_MAX)
        lo = lo * 10 + (unsigned)(k[j++] - '0');
    hi = lo;
    if (j < klen && k[j] == ',') {
        j++;
        hi = SV_REGEX_DUP_MAX;
        if (j < klen && lm_is_digit(k[j])) {
            hi = 0;
            while (j < klen && lm_is_digit(k[j]) && hi <= SV_REGEX_DUP_MAX)
                hi = hi * 10 + (unsigned)(k[j++] - '0');
        }
    }
    if (j >= klen || k[j] != '}' || lo > SV_REGEX_DUP_MAX || hi > SV_REGEX_DUP_MAX || hi < lo)
        return SIEVE_E_SYNTAX;
    return (int)(j + 1 - i);
}

static int is_simple_quantifier(unsigned char c)
{
    return c == '*' || c == '+' || c == '?';
}

/* A "\" sequence at `*i`: the GNU escapes \w \W \s \S \b \B \< \> \` \' and back-references
 * \1..\9 keep their meaning; "\" before anything else makes it literal. Returns 1 when the
 * result can take a quantifier, 0 when it is an anchor, or SIEVE_E_SYNTAX (a final "\"). */
static int translate_escape(const unsigned char *k, size_t klen, size_t *i, int icase,
                            lm_buf *out)
{
    if (*i + 1 >= klen)
        return SIEVE_E_SYNTAX;
    unsigned char d = k[*i + 1];
    *i += 2;
    if ((d >= '1' && d <= '9') || (d && strchr("wWsS", d))) {
        lm_buf_putc(out, '\\');
        lm_buf_putc(out, d);
        return 1;
    }
    if (d == 'b' || d == 'B') {
        lm_buf_putc(out, '\\');
        lm_buf_putc(out, d);
        return 0;
    }
    if (d == '<' || d == '>' || d == '`' || d == '\'') {
        static const char *const anchors[] = {"\\b(?=\\w)", "\\b(?<=\\w)", "\\A", "\\z"};
        lm_buf_puts(out, anchors[d == '<' ? 0 : d == '>' ? 1 : d == '`' ? 2 : 3]);
        return 0;
    }
    uint32_t cp;
    *i += sv_utf8_char(k + *i - 1, klen - *i + 1, &cp) - 1;
    emit_char(out, cp, icase);
    return 1;
}

/* With SV_REGEX_NAMED_GROUPS, the length of the "(?<name>" or "(?P<name>" opening a named
 * group at k[i] (the name a letter or "_", then letters, digits and "_"), else 0. */
static size_t named_group_len(const unsigned char *k, size_t klen, size_t i, unsigned flags)
{
    if (!(flags & SV_REGEX_NAMED_GROUPS) || klen - i < 2 || k[i + 1] != '?')
        return 0;
    size_t j = i + 2;
    if (j < klen && k[j] == 'P')
        j++;
    if (j >= klen || k[j] != '<')
        return 0;
    size_t name = ++j;
    while (j < klen && (lm_is_alnum(k[j]) || k[j] == '_'))
        j++;
    if (j == name || lm_is_digit(k[name]) || j >= klen || k[j] != '>')
        return 0;
    return j + 1 - i;
}

/* Translates a POSIX extended regular expression (with the GNU escapes \w \W \s \S \b \B \<
 * \> \` \' and back-references) into ICU syntax with the same meaning: literals are written
 * as escapes, "$" becomes \z (ICU's "$" also matches before a final line end), stacked
 * quantifiers ("a*?", which POSIX reads as (a*)?) are folded into one, and the constructs
 * POSIX calls errors — a quantifier with nothing before it, unbalanced parentheses, a bad
 * bracket or interval, a trailing "\" — are SIEVE_E_SYNTAX. With `icase` (i;ascii-casemap)
 * ASCII letters match either case; back-references still compare exactly. `flags` (SV_REGEX_*)
 * allows more: a named group is written as the plain group it is numbered as. */
static int translate(const unsigned char *k, size_t klen, int icase, unsigned flags,
                     lm_buf *out)
{
    size_t depth = 0;
    int atom = 0;   /* the last item can take a quantifier */
    for (size_t i = 0; i < klen;) {
        unsigned char c = k[i];
        if (is_simple_quantifier(c)) {
            if (!atom)
                return SIEVE_E_SYNTAX;
            int any = 0, plus = 0, opt = 0;
            while (i < klen && is_simple_quantifier(k[i])) {
                any |= k[i] == '*';
                plus |= k[i] == '+';
                opt |= k[i] == '?';
                i++;
            }
            lm_buf_putc(out, any || (plus && opt) ? '*' : plus ? '+' : '?');
            atom = 0;
            if (i < klen && k[i] == '{' && interval_len(k, klen, i) != 0)
                return SIEVE_E_SYNTAX;
            continue;
        }
        switch (c) {
        case '{': {
            int n = interval_len(k, klen, i);
            if (n < 0 || (n > 0 && !atom))
                return SIEVE_E_SYNTAX;
            if (n == 0) {
                emit_code_point(out, '{');
                atom = 1;
                i++;
                break;
            }
            lm_buf_append(out, k + i, (size_t)n);
            i += (size_t)n;
            atom = 0;
            if (i < klen && (is_simple_quantifier(k[i]) || k[i] == '{'))
                return SIEVE_E_SYNTAX;
            break;
        }
        case '(': {
            size_t named = named_group_len(k, klen, i, flags);
            if (named) /* read up to its ">", then on as after a "(" */
                i += named - 1;
            if (i + 1 < klen && (is_simple_quantifier(k[i + 1]) || k[i + 1] == '{'))
                return SIEVE_E_SYNTAX;
            depth++;
            lm_buf_putc(out, '(');
            atom = 0;
            i++;
            break;
        }
        case ')':
            if (depth == 0)
                return SIEVE_E_SYNTAX;
            depth--;
            lm_buf_putc(out, ')');
            atom = 1;
            i++;
            break;
        case '|':
            lm_buf_putc(out, '|');
            atom = 0;
            i++;
            break;
        case '^':
            lm_buf_putc(out, '^');
            atom = 0;
            i++;
            break;
        case '$':
            lm_buf_append(out, "\\z", 2);
            atom = 0;
            i++;
            break;
        case '.':
            lm_buf_putc(out, '.');
            atom = 1;
            i++;
            break;
        case '[':
            i++;
            if (translate_bracket(k, klen, &i, icase, out))
                return SIEVE_E_SYNTAX;
            atom = 1;
            break;
        case '\\': {
            int r = translate_escape(k, klen, &i, icase, out);
            if (r < 0)
                return r;
            atom = r;
            break;
        }
        default: {
            uint32_t cp;
            size_t n = sv_utf8_char(k + i, klen - i, &cp);
            emit_char(out, cp, icase);
            atom = 1;
            i += n;
            break;
        }
        }
    }
    if (depth)
        return SIEVE_E_SYNTAX;
    return out->oom ? SIEVE_E_NOMEM : 0;
}

/* ---- compiling and matching ----------------------------------------------------------- */

/* Compiles `key` for comparator `cmp`: 0 with `*re` set, SIEVE_E_SYNTAX, SIEVE_E_LIMIT (too
 * long), SIEVE_E_UNSUPPORTED (a comparator :regex cannot use) or SIEVE_E_NOMEM. */
static int regex_compile(const char *key, size_t klen, int cmp, unsigned flags,
                         URegularExpression **re)
{
    *re = NULL;
    if (!sv_comparator_supports(cmp, SV_MATCH_REGEX))
        return SIEVE_E_UNSUPPORTED;
    if (klen > SV_REGEX_MAX_PATTERN)
        return SIEVE_E_LIMIT;
    if (!lm_utf8_valid(key, klen))
        return SIEVE_E_SYNTAX;
    lm_buf pat = LM_BUF_INIT;
    UChar *u = NULL;
    int rc = translate((const unsigned char *)key, klen, cmp == SV_CMP_ASCII_CASEMAP, flags,
                       &pat);
    if (rc == 0 && pat.len == 0 && lm_buf_puts(&pat, "(?:)"))
        rc = SIEVE_E_NOMEM;   /* ICU refuses an empty pattern; POSIX matches everywhere */
    if (rc)
        goto out;
    if (pat.len > (size_t)INT32_MAX / 2) {
        rc = SIEVE_E_LIMIT;
        goto out;
    }
    int32_t ulen = 0;
    UErrorCode err = U_ZERO_ERROR;
    if (!(u = lm_malloc((pat.len + 1) * sizeof *u))) {
        rc = SIEVE_E_NOMEM;
        goto out;
    }
    u_strFromUTF8(u, (int32_t)pat.len + 1, &ulen, pat.data ? pat.data : "", (int32_t)pat.len,
                  &err);
    if (U_FAILURE(err)) {
        rc = SIEVE_E_SYNTAX;
        goto out;
    }
    UParseError perr;
    *re = uregex_open(u, ulen, UREGEX_DOTALL, &perr, &err); /* POSIX "." matches a line end */
    if (U_FAILURE(err)) {
        uregex_close(*re);
        *re = NULL;
        rc = err == U_MEMORY_ALLOCATION_ERROR ? SIEVE_E_NOMEM : SIEVE_E_SYNTAX;
    }
out:
    lm_free(u);
    lm_buf_free(&pat);
    return rc;
}

int sv_regex_valid(const char *key, size_t klen, int comparator, unsigned flags)
{
    URegularExpression *re;
    if (!key && klen)
        return 0;
    if (regex_compile(key ? key : "", klen, comparator, flags, &re))
        return 0;
    uregex_close(re);
    return 1;
}

/* The value as UTF-16 for ICU, with the UTF-8 offset of every unit (and of the end), so that
 * groups map back to the original octets; octets that are not UTF-8 become U+FFFD. */
static int value_to_utf16(const char *value, size_t vlen, UChar **u, int32_t **map, int32_t *ulen)
{
    *u = NULL;
    *map = NULL;
    if (vlen >= (size_t)INT32_MAX)
        return SIEVE_E_LIMIT;
    UChar *s = lm_malloc((vlen + 1) * sizeof *s);
    int32_t *m = lm_malloc((vlen + 1) * sizeof *m);
    if (!s || !m) {
        lm_free(s);
        lm_free(m);
        return SIEVE_E_NOMEM;
    }
    const unsigned char *p = (const unsigned char *)value;
    int32_t n = 0;
    for (size_t i = 0; i < vlen;) {
        uint32_t cp;
        size_t k = sv_utf8_char(p + i, vlen - i, &cp);
        if (cp & 0x80000000u)
            cp = 0xFFFD;
        if (cp >= 0x10000) {
            m[n] = (int32_t)i;
            s[n++] = U16_LEAD(cp);
            m[n] = (int32_t)i;
            s[n++] = U16_TRAIL(cp);
        } else {
            m[n] = (int32_t)i;
            s[n++] = (UChar)cp;
        }
        i += k;
    }
    m[n] = (int32_t)vlen;
    *u = s;
    *map = m;
    *ulen = n;
    return 0;
}

static int regex_error(UErrorCode err)
{
    return err == U_MEMORY_ALLOCATION_ERROR ? SIEVE_E_NOMEM : SIEVE_E_LIMIT;
}

int sv_regex_match(const sv_matcher *m, const char *value, size_t vlen, const char *key,
                   size_t klen, sv_captures *caps)
{
    URegularExpression *re = NULL;
    UChar *u = NULL;
    int32_t *map = NULL, ulen = 0;
    int rc = regex_compile(key, klen, m->comparator, m->regex_flags, &re);
    if (rc)
        return rc == SIEVE_E_UNSUPPORTED ? SIEVE_E_INVAL : rc;
    if ((rc = value_to_utf16(value, vlen, &u, &map, &ulen)) != 0)
        goto out;
    UErrorCode err = U_ZERO_ERROR;
    int32_t limit = m->regex_time_limit > 0 ? m->regex_time_limit : SV_DEFAULT_REGEX_TIME_LIMIT;
    uregex_setTimeLimit(re, limit, &err);
    uregex_setText(re, u, ulen, &err);
    UBool found = U_SUCCESS(err) ? uregex_find(re, 0, &err) : 0;
    if (U_FAILURE(err)) {
        rc = regex_error(err);
        goto out;
    }
    if (!found) {
        rc = 0;
        goto out;
    }
    rc = 1;
    if (!caps)
        goto out;
    int32_t groups = uregex_groupCount(re, &err);
    size_t count = groups < 0 ? 1 : (size_t)groups + 1;
    if (count > SV_MAX_CAPTURES)
        count = SV_MAX_CAPTURES;
    for (size_t g = 0; g < count && U_SUCCESS(err); g++) {
        int32_t s = uregex_start(re, (int32_t)g, &err), e = uregex_end(re, (int32_t)g, &err);
        int r;
        if (U_FAILURE(err) || s < 0 || e < s || e > ulen)
            r = sv_capture_set(caps, g, "", 0);   /* a group that took no part */
        else
            r = sv_capture_set(caps, g, value + map[s], (size_t)(map[e] - map[s]));
        err = U_ZERO_ERROR;
        if (r) {
            rc = r;
            goto out;
        }
    }
    caps->count = count;
out:
    uregex_close(re);
    lm_free(u);
    lm_free(map);
    return rc;
}
