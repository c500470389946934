/* received.c — Received trace fields: the from/by/via/with/id/for clauses (RFC 5321 §4.4,
 * RFC 5322 §3.6.7) and what common MTAs write in comments (HELO name, address literal,
 * reverse name, ident, TLS version and cipher); the date after the last ';' and a for
 * clause written after it. */
#include "rfc5322_lex.h"

#include <stdint.h>
#include <string.h>

/* How deep "(from ...)" comments are read as clauses: one level, never more. */
#define RECEIVED_MAX_CLAUSE_DEPTH 1

typedef enum { CL_NONE, CL_FROM, CL_BY, CL_VIA, CL_WITH, CL_ID, CL_FOR, CL_OTHER } clause_kind;

typedef struct {
    lm_arena *a;
    mailparse_received *r;
    clause_kind clause;
    int value_seen;     /* the current clause already has its value */
    int with_tentative; /* the with value is no protocol name; a later one replaces it */
    int nomem;
} rcv_state;

/* A span of the input. */
typedef struct {
    const char *p;
    size_t n;
} span;

/* Byte classes, so the scanners test one table entry per byte. */
enum {
    B_SPACE = 1, /* lm_is_space() */
    B_COMMA = 2,
    B_TLS = 4,   /* first letter of "using", "cipher", "version=", "TLS" in either case */
    B_OPEN = 8,  /* '(' */
    B_CMT = 16   /* '(', ')', '\\': what a comment skipper stops at */
};

static const unsigned char byte_class[256] = {
    [' '] = B_SPACE, ['\t'] = B_SPACE, ['\r'] = B_SPACE, ['\n'] = B_SPACE, [','] = B_COMMA,
    ['u'] = B_TLS, ['U'] = B_TLS, ['c'] = B_TLS, ['C'] = B_TLS, ['v'] = B_TLS, ['V'] = B_TLS,
    ['t'] = B_TLS, ['T'] = B_TLS, ['('] = B_OPEN | B_CMT, [')'] = B_CMT, ['\\'] = B_CMT};

static unsigned cls(char c) { return byte_class[(unsigned char)c]; }

static const char *dup_span(rcv_state *st, const char *p, size_t n)
{
    char *s = lm_arena_strndup(st->a, p, n);
    if (!s)
        st->nomem = 1;
    return s;
}

static void set_field(rcv_state *st, const char **field, const char *p, size_t n)
{
    if (!*field && n)
        *field = dup_span(st, p, n);
}

static int span_is(span w, const char *lit)
{
    return lm_eq_nocase(w.p, w.n, lit);
}

/* Non-zero when the word at in[p] (as next_word() splits it) is `lit` of length `n`. */
static int word_at_is(const char *in, size_t end, size_t p, const char *lit, size_t n)
{
    return end - p >= n && lm_strncasecmp(in + p, lit, n) == 0 &&
           (p + n == end || cls(in[p + n]) & (B_SPACE | B_OPEN));
}

/* Strips "<>", "[]" and trailing ",;" around a word. */
static span trim_word(span w)
{
    while (w.n && (w.p[w.n - 1] == ',' || w.p[w.n - 1] == ';'))
        w.n--;
    if (w.n >= 2 && ((w.p[0] == '<' && w.p[w.n - 1] == '>') || (w.p[0] == '[' && w.p[w.n - 1] == ']'))) {
        w.p++;
        w.n -= 2;
    }
    return w;
}

static int is_ipv4(span w)
{
    int dots = 0, digits = 0, value = 0;
    for (size_t i = 0; i < w.n; i++) {
        if (w.p[i] == '.') {
            if (!digits)
                return 0;
            dots++;
            digits = value = 0;
        } else if (lm_is_digit((unsigned char)w.p[i]) && digits < 3) {
            value = value * 10 + (w.p[i] - '0');
            digits++;
            if (value > 255)
                return 0;
        } else {
            return 0;
        }
    }
    return dots == 3 && digits > 0;
}

/* An IPv6 address (hex digits, '.' and at least two ':') up to a '%' zone, else an IPv4
 * address before the first ':' (a port), else none. Stops at the first byte that rules
 * out both. */
static span ip_text(span w)
{
    span none = {NULL, 0};
    size_t colons = 0, first = 0, i = 0;
    int v6 = 1;
    while (i < w.n && (lm_is_digit((unsigned char)w.p[i]) || w.p[i] == '.'))
        i++;
    if (i == w.n || w.p[i] == '%') { /* digits and dots only: no IPv6 */
        w.n = i;
        return is_ipv4(w) ? w : none;
    }
    for (; i < w.n && w.p[i] != '%'; i++) {
        char c = w.p[i];
        if (c == ':') {
            if (!colons++)
                first = i;
        } else if (c != '.' && lm_hex_value((unsigned char)c) < 0) {
            if (!colons)
                return none;
            v6 = 0;
            break;
        }
    }
    if (v6 && colons >= 2) {
        w.n = i;
        return w;
    }
    w.n = colons ? first : i;
    return is_ipv4(w) ? w : none;
}

/* The IP address in a word such as "[1.2.3.4]", "[IPv6:::1]", "1.2.3.4:25", "(1.2.3.4)". */
static span ip_of(span w)
{
    const char *rb = w.n && w.p[0] == '[' ? memchr(w.p, ']', w.n) : NULL;
    if (rb)
        w.n = (size_t)(rb - w.p); /* "[1.2.3.4]:port" */
    while (w.n && (w.p[0] == '[' || w.p[0] == '('))
        w.p++, w.n--;
    while (w.n && (w.p[w.n - 1] == ']' || w.p[w.n - 1] == ')' || w.p[w.n - 1] == ',' ||
                   w.p[w.n - 1] == ';'))
        w.n--;
    if (w.n > 5 && lm_strncasecmp(w.p, "IPv6:", 5) == 0)
        w.p += 5, w.n -= 5;
    return ip_text(w);
}

/* The next word of [*pos, end): a run up to whitespace or a comment; a "[...]" literal is
 * one word even with spaces inside. */
static inline span next_word(const char *in, size_t end, size_t *pos)
{
    size_t s = *pos, p = s;
    if (p < end && in[p] == '[') {
        const char *close = memchr(in + p, ']', end - p);
        p = close ? (size_t)(close - in) + 1 : end;
    }
    while (p < end && !(cls(in[p]) & (B_SPACE | B_OPEN)))
        p++;
    *pos = p;
    span w = {in + s, p - s};
    return w;
}

/* The words of a comment's text, split at whitespace and commas, into `words` (at most
 * `max`). Returns the count. */
static size_t split_words(span text, span *words, size_t max)
{
    size_t n = 0, i = 0;
    while (i < text.n && n < max) {
        while (i < text.n && cls(text.p[i]) & (B_SPACE | B_COMMA))
            i++;
        size_t s = i;
        while (i < text.n && !(cls(text.p[i]) & (B_SPACE | B_COMMA)))
            i++;
        if (i > s) {
            words[n].p = text.p + s;
            words[n].n = i - s;
            n++;
        }
    }
    return n;
}

/* Non-zero when the first word of a comment's text, split as split_words() does, is "from". */
static int first_word_is_from(span text)
{
    size_t i = 0;
    while (i < text.n && cls(text.p[i]) & (B_SPACE | B_COMMA))
        i++;
    return text.n - i >= 4 && lm_strncasecmp(text.p + i, "from", 4) == 0 &&
           (text.n - i == 4 || cls(text.p[i + 4]) & (B_SPACE | B_COMMA));
}

/* The most words of one comment that are looked at. */
#define RECEIVED_COMMENT_WORDS 24

/* TLS details in a comment: "using V with cipher C", "version=V cipher=C", "TLS: V, .., C",
 * "Cipher V:C:bits", "tls_cipher V:C:bits", or a bare "TLS-1.0:C:bits". */
static void comment_tls(rcv_state *st, const span *w, size_t n)
{
    mailparse_received *r = st->r;
    for (size_t i = 0; i < n; i++) {
        if (!(cls(w[i].p[0]) & B_TLS))
            continue; /* every form below starts with such a word */
        if (span_is(w[i], "using") && i + 1 < n)
            set_field(st, &r->tls_version, w[i + 1].p, w[i + 1].n);
        else if (span_is(w[i], "cipher") && i > 0 && span_is(w[i - 1], "with") && i + 1 < n)
            set_field(st, &r->tls_cipher, w[i + 1].p, w[i + 1].n);
        else if (w[i].n > 8 && lm_strncasecmp(w[i].p, "version=", 8) == 0)
            set_field(st, &r->tls_version, w[i].p + 8, w[i].n - 8);
        else if (w[i].n > 7 && lm_strncasecmp(w[i].p, "cipher=", 7) == 0)
            set_field(st, &r->tls_cipher, w[i].p + 7, w[i].n - 7);
        else if (span_is(w[i], "TLS:") && i + 1 < n) {
            set_field(st, &r->tls_version, w[i + 1].p, w[i + 1].n);
            set_field(st, &r->tls_cipher, w[n - 1].p, w[n - 1].n);
        } else {
            span v = w[i];
            if ((span_is(v, "cipher") || span_is(v, "tls_cipher")) && i + 1 < n)
                v = w[++i];
            const char *c1 = memchr(v.p, ':', v.n);
            if (!c1 || v.n < 3 || lm_strncasecmp(v.p, "TLS", 3) != 0)
                continue;
            const char *c2 = memchr(c1 + 1, ':', v.n - (size_t)(c1 + 1 - v.p));
            set_field(st, &r->tls_version, v.p, (size_t)(c1 - v.p));
            set_field(st, &r->tls_cipher, c1 + 1, (size_t)((c2 ? c2 : v.p + v.n) - c1 - 1));
        }
    }
}

/* "user@[ip]" gives ident and address; "IDENT:x" and "ident=x" the ident. */
static void from_ident(rcv_state *st, span w)
{
    mailparse_received *r = st->r;
    const char *at = memchr(w.p, '@', w.n);
    if (w.n > 6 && lm_strncasecmp(w.p, "ident", 5) == 0 && (w.p[5] == ':' || w.p[5] == '=')) {
        span v = trim_word((span){w.p + 6, w.n - 6});
        set_field(st, &r->ident, v.p, v.n);
    } else if (at && at + 1 < w.p + w.n && at[1] == '[') {
        span ip = ip_of((span){at + 1, (size_t)(w.p + w.n - at - 1)});
        set_field(st, &r->ident, w.p, (size_t)(at - w.p));
        set_field(st, &r->from_ip, ip.p, ip.n);
    } else if (at) {
        set_field(st, &r->ident, w.p, w.n);
    }
}

/* A word that can be a reverse name: dotted labels of letters, digits, '-', '_' or UTF-8
 * (a trailing dot allowed), the last with a letter (RFC 1123 §2.1: a top-level label is
 * never all digits). So no address, no literal and no version number such as "7.0.299". */
static int is_host_name(span w)
{
    if (w.n && w.p[w.n - 1] == '.')
        w.n--;
    size_t dots = 0, label = 0;
    int letter = 0;
    for (size_t i = 0; i < w.n; i++) {
        unsigned char c = (unsigned char)w.p[i];
        if (c == '.') {
            if (!label)
                return 0;
            dots++;
            label = 0;
            letter = 0;
        } else if (lm_is_alnum(c) || c == '-' || c == '_' || c >= 0x80) {
            label++;
            letter |= lm_is_alpha(c) || c >= 0x80;
        } else {
            return 0;
        }
    }
    return dots && label && letter;
}

/* "name[1.2.3.4]" glued, or "[1.2.3.4]" after "name": the address and the reverse name
 * ("<name>" loses its brackets). */
static void from_literal(rcv_state *st, span name, span lit)
{
    span ip = ip_of(lit);
    name = trim_word(name);
    set_field(st, &st->r->from_ip, ip.p, ip.n);
    if (is_host_name(name))
        set_field(st, &st->r->from_iprev, name.p, name.n);
}

/* The HELO name; an address literal ("[1.2.3.4]", "[IPv6:::1]") gives its bare address. */
static void set_helo(rcv_state *st, span v)
{
    span ip = v.n && v.p[0] == '[' ? ip_of(v) : (span){NULL, 0};
    if (ip.n)
        v = ip;
    set_field(st, &st->r->helo, v.p, v.n);
}

/* Any other word of the from clause's comment: "name[ip]" glued, a bare address, an ident. */
static void from_word(rcv_state *st, span v)
{
    const char *lb = v.n > 1 ? memchr(v.p + 1, '[', v.n - 1) : NULL;
    span ip;
    if (lb && lb[-1] != '@' && lb[-1] != '[') {
        span name = {v.p, (size_t)(lb - v.p)}, lit = {lb, (size_t)(v.p + v.n - lb)};
        from_literal(st, name, lit);
    } else if ((ip = ip_of(v)).n) {
        set_field(st, &st->r->from_ip, ip.p, ip.n);
    } else {
        from_ident(st, v);
    }
}

/* The from clause's comment: "HELO x", "helo=x", "ident=x", "name [ip]", "ip", "user@[ip]". */
static void comment_from(rcv_state *st, const span *w, size_t n)
{
    span none = {"", 0};
    for (size_t i = 0; i < n; i++) {
        span v = w[i];
        if (v.n == 4 && (span_is(v, "HELO") || span_is(v, "EHLO") || span_is(v, "LHLO")) && i + 1 < n) {
            set_helo(st, w[i + 1]);
            i++;
        } else if (v.n > 5 && lm_strncasecmp(v.p, "helo=", 5) == 0) {
            set_helo(st, (span){v.p + 5, v.n - 5});
        } else if (v.n > 6 && lm_strncasecmp(v.p, "ident", 5) == 0) {
            from_ident(st, v);
        } else if (v.p[0] == '[') {
            from_literal(st, i > 0 ? w[i - 1] : none, v);
        } else {
            from_word(st, v);
        }
    }
    span name = n == 1 ? trim_word(w[0]) : none;
    if (is_host_name(name))
        set_field(st, &st->r->from_iprev, name.p, name.n);
}

/* mp_lex_skip_comment() for the comment at `pos`, also telling in *tls whether a word of
 * it may start a TLS form (see B_TLS; after '(', ')' or an escape a word may start). */
static size_t skip_comment(const char *in, size_t len, size_t pos, int *tls)
{
    size_t depth = 1;
    unsigned seen = 0;
    for (pos++; pos < len;) {
        unsigned k = cls(in[pos]); /* the first byte of a word */
        seen |= k;
        while (!(k & (B_SPACE | B_COMMA | B_CMT)) && ++pos < len)
            k = cls(in[pos]);
        if (pos++ == len || !(k & B_CMT))
            continue;
        if (in[pos - 1] == '\\' && pos < len)
            pos++;
        else if (in[pos - 1] == '(')
            depth++;
        else if (in[pos - 1] == ')' && --depth == 0)
            break;
    }
    *tls = (seen & B_TLS) != 0;
    return pos < len ? pos : len;
}

static void scan_clauses(rcv_state *st, const char *in, size_t s, size_t e, int depth);

/* A comment: a "(from ...)" one is read as clauses; else TLS details and, in the from
 * clause, what comment_from() knows. Its words are split only when something may match. */
static void on_comment(rcv_state *st, const char *in, size_t s, size_t e, int depth, int tls)
{
    span text = {in + s + 1, e - s - (e > s + 1 && in[e - 1] == ')' ? 2 : 1)};
    if (depth < RECEIVED_MAX_CLAUSE_DEPTH && !st->r->from && first_word_is_from(text)) {
        scan_clauses(st, text.p, 0, text.n, depth + 1);
        return;
    }
    if (!tls && st->clause != CL_FROM)
        return;
    span w[RECEIVED_COMMENT_WORDS];
    size_t n = split_words(text, w, RECEIVED_COMMENT_WORDS);
    if (tls)
        comment_tls(st, w, n);
    if (st->clause == CL_FROM && n)
        comment_from(st, w, n);
}

/* The clause a keyword starts. The word's bytes are packed with bit 5 set, which folds
 * exactly the letters that can match (c | 0x20 == 'f' only for 'f' and 'F'). */
static inline clause_kind keyword(span w)
{
    if (w.n < 2 || w.n > 4)
        return CL_NONE;
    uint32_t v = 0;
    for (size_t i = 0; i < w.n; i++)
        v = v << 8 | ((unsigned char)w.p[i] | 0x20);
    switch (v) {
    case 'f' << 24 | 'r' << 16 | 'o' << 8 | 'm': return CL_FROM;
    case 'b' << 8 | 'y': return CL_BY;
    case 'v' << 16 | 'i' << 8 | 'a': return CL_VIA;
    case 'w' << 24 | 'i' << 16 | 't' << 8 | 'h': return CL_WITH;
    case 'i' << 8 | 'd': return CL_ID;
    case 'f' << 16 | 'o' << 8 | 'r': return CL_FOR;
    default: return CL_NONE;
    }
}

static const char **clause_field(mailparse_received *r, clause_kind k)
{
    switch (k) {
    case CL_FROM: return &r->from;
    case CL_BY: return &r->by;
    case CL_VIA: return &r->via;
    case CL_WITH: return &r->with;
    case CL_ID: return &r->id;
    case CL_FOR: return &r->for_addr;
    default: return NULL;
    }
}

/* The protocol names of the IANA Mail Transmission Types registry (RFC 3848, RFC 6531),
 * and HTTP, HTTPS as webmail front ends write them. */
static int is_protocol(span w)
{
    static const struct {
        const char *name;
        size_t len;
    } names[] = {{"SMTP", 4},       {"ESMTP", 5},      {"ESMTPA", 6},      {"ESMTPS", 6},
                 {"ESMTPSA", 7},    {"LMTP", 4},       {"LMTPA", 5},       {"LMTPS", 5},
                 {"LMTPSA", 6},     {"UTF8SMTP", 8},   {"UTF8SMTPA", 9},   {"UTF8SMTPS", 9},
                 {"UTF8SMTPSA", 10}, {"UTF8LMTP", 8},  {"UTF8LMTPA", 9},   {"UTF8LMTPS", 9},
                 {"UTF8LMTPSA", 10}, {"MMS", 3},       {"HTTP", 4},        {"HTTPS", 5}};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (names[i].len == w.n && lm_strncasecmp(w.p, names[i].name, w.n) == 0)
            return 1;
    return 0;
}

/* The protocol name among the words of a "[XMail 1.20 ESMTP Server]" literal, or none. */
static span protocol_in_literal(span w)
{
    span words[RECEIVED_COMMENT_WORDS], none = {NULL, 0};
    size_t n = split_words(trim_word(w), words, RECEIVED_COMMENT_WORDS);
    for (size_t i = 0; i < n; i++)
        if (is_protocol(words[i]))
            return words[i];
    return none;
}

/* "with ESMTP/TLS/cipher": sets the cipher and returns the word without it. */
static span split_tls_cipher(rcv_state *st, span w)
{
    for (const char *sl = memchr(w.p, '/', w.n); sl && w.p + w.n - sl >= 5;
         sl = memchr(sl + 1, '/', (size_t)(w.p + w.n - sl - 1)))
        if (lm_strncasecmp(sl, "/TLS/", 5) == 0) {
            size_t i = (size_t)(sl - w.p);
            set_field(st, &st->r->tls_cipher, w.p + i + 5, w.n - i - 5);
            w.n = i;
            break;
        }
    return w;
}

/* The value word of the current clause. "with ESMTP/TLS/cipher" splits off the cipher;
 * "with Microsoft SMTPSVC" skips the vendor name; "with [XMail 1.20 ESMTP Server]" takes
 * the protocol name inside; any other with value that is no protocol name is tentative. */
static void on_value(rcv_state *st, span w)
{
    mailparse_received *r = st->r;
    if (st->clause == CL_WITH && span_is(w, "Microsoft"))
        return;
    if (st->clause == CL_WITH && w.p[0] == '[' && protocol_in_literal(w).n)
        w = protocol_in_literal(w);
    if (st->clause == CL_WITH)
        w = split_tls_cipher(st, w);
    span v = st->clause == CL_FROM ? w : trim_word(w);
    const char **field = clause_field(r, st->clause);
    if (field)
        set_field(st, field, v.p, v.n);
    st->with_tentative = st->clause == CL_WITH && !is_protocol(v);
    st->value_seen = 1;
}

/* The word after *pos when no comment comes first, moving *pos past it; empty (and *pos
 * kept) at a comment or the end. */
static span take_word(const char *in, size_t end, size_t *pos)
{
    size_t p = *pos;
    while (p < end && lm_is_space((unsigned char)in[p]))
        p++;
    span none = {in + p, 0};
    if (p >= end || in[p] == '(')
        return none;
    span w = next_word(in, end, &p);
    *pos = p;
    return w;
}

/* Phrases outside the clause grammar that start at `w`: "C encrypted" (MessageLabs) names
 * the cipher, "as user U" (webmail) the ident. Moves *pos past the words used and returns
 * 1, or returns 0 when `w` starts none of them. */
static int on_phrase(rcv_state *st, const char *in, size_t e, size_t *pos, span w)
{
    size_t p = *pos;
    while (p < e && cls(in[p]) & B_SPACE)
        p++;
    *pos = p; /* the spaces are skipped either way */
    if (word_at_is(in, e, p, "encrypted", 9)) {
        set_field(st, &st->r->tls_cipher, w.p, w.n);
        *pos = p + 9;
        return 1;
    }
    if (st->clause == CL_FROM && st->value_seen && span_is(w, "as") &&
        word_at_is(in, e, p, "user", 4)) {
        size_t q = p += 4;
        span user = trim_word(take_word(in, e, &q));
        if (user.n && keyword(user) == CL_NONE) {
            set_field(st, &st->r->ident, user.p, user.n);
            p = q;
        }
        *pos = p;
        return 1;
    }
    return 0;
}

/* One word of the clauses: a keyword (k) starts a clause, else it is a value or a literal. */
static void on_word(rcv_state *st, span w, clause_kind k)
{
    if (k != CL_NONE && !(k == CL_FROM && st->clause == CL_FOR)) {
        st->clause = k;
        st->value_seen = 0;
        st->with_tentative = 0;
    } else if (st->clause == CL_WITH && st->with_tentative && is_protocol(w)) {
        st->r->with = dup_span(st, w.p, w.n);
        st->with_tentative = 0;
    } else if (!st->value_seen && st->clause != CL_NONE) {
        on_value(st, w);
    } else if (st->clause == CL_FROM && w.p[0] == '[') {
        from_literal(st, (span){"", 0}, w);
    }
}

static void scan_clauses(rcv_state *st, const char *in, size_t s, size_t e, int depth)
{
    size_t pos = s;
    while (pos < e && !st->nomem) {
        unsigned k = cls(in[pos]);
        if (k & B_SPACE) {
            pos++;
        } else if (k & B_OPEN) {
            int tls;
            size_t c = skip_comment(in, e, pos, &tls);
            on_comment(st, in, pos, c, depth, tls);
            pos = c;
        } else {
            span w = next_word(in, e, &pos);
            clause_kind kw = keyword(w);
            if (kw != CL_NONE || !on_phrase(st, in, e, &pos, w))
                on_word(st, w, kw);
        }
    }
}

/* The text after the last ';': the date, with stray '_' before it skipped (";_ Tue, ..."),
 * and a for clause that some MTAs write after the date ("; 20 Mar 03 ... for <a@b>"). */
static void after_semicolon(rcv_state *st, const char *in, size_t s, size_t e)
{
    while (s < e && (lm_is_space((unsigned char)in[s]) || in[s] == '_'))
        s++;
    st->r->has_date = mp_parse_date(in + s, e - s, &st->r->date, NULL) == 0;
    size_t pos = s;
    while (pos < e && !st->r->for_addr && !st->nomem) {
        if (lm_is_space((unsigned char)in[pos])) {
            pos++;
        } else if (in[pos] == '(') {
            int closed;
            pos = mp_lex_skip_comment(in, e, pos, &closed);
        } else if (keyword(next_word(in, e, &pos)) == CL_FOR) {
            span v = trim_word(take_word(in, e, &pos));
            set_field(st, &st->r->for_addr, v.p, v.n);
        }
    }
}

int mp_parse_received(lm_arena *a, const char *in, size_t len, mailparse_received **out)
{
    if (!a || !out || (!in && len))
        return MAILPARSE_E_INVAL;
    mailparse_received *r = lm_arena_calloc(a, 1, sizeof *r);
    if (!r)
        return MAILPARSE_E_NOMEM;
    rcv_state st = {a, r, CL_NONE, 0, 0, 0};
    len = in ? mp_lex_field_end(in, len) : 0;
    size_t clauses_end = len; /* at the last ';' */
    for (const char *sc = len ? memchr(in, ';', len) : NULL; sc;
         sc = memchr(sc + 1, ';', (size_t)(in + len - sc - 1)))
        clauses_end = (size_t)(sc - in);
    scan_clauses(&st, in, 0, clauses_end, 0);
    if (clauses_end < len)
        after_semicolon(&st, in, clauses_end + 1, len);
    if (st.nomem)
        return MAILPARSE_E_NOMEM;
    span ip = r->from_ip == NULL && r->from ? ip_of((span){r->from, strlen(r->from)}) : (span){NULL, 0};
    if (ip.n)
        r->from_ip = dup_span(&st, ip.p, ip.n);
    *out = r;
    return st.nomem ? MAILPARSE_E_NOMEM : 0;
}
