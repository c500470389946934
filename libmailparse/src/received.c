/* received.c — Received trace fields: the from/by/via/with/id/for clauses (RFC 5321 §4.4,
 * RFC 5322 §3.6.7) and what common MTAs write in comments (HELO name, address literal,
 * reverse name, ident, TLS version and cipher); the date after the last ';' and a for
 * clause written after it. */
#include "rfc5322_lex.h"

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

static int is_ipv6(span w)
{
    int colons = 0;
    for (size_t i = 0; i < w.n; i++) {
        char c = w.p[i];
        if (c == ':')
            colons++;
        else if (lm_hex_value((unsigned char)c) < 0 && c != '.')
            return 0;
    }
    return colons >= 2;
}

/* The IP address in a word such as "[1.2.3.4]", "[IPv6:::1]", "1.2.3.4:25", "(1.2.3.4)". */
static span ip_of(span w)
{
    span none = {NULL, 0};
    const char *rb = w.n && w.p[0] == '[' ? memchr(w.p, ']', w.n) : NULL;
    if (rb)
        w.n = (size_t)(rb - w.p); /* "[1.2.3.4]:port" */
    while (w.n && (w.p[0] == '[' || w.p[0] == '('))
        w.p++, w.n--;
    while (w.n && w.p[w.n - 1] && strchr("]),;", w.p[w.n - 1]))
        w.n--;
    if (w.n > 5 && lm_strncasecmp(w.p, "IPv6:", 5) == 0)
        w.p += 5, w.n -= 5;
    const char *pct = memchr(w.p, '%', w.n);
    if (pct)
        w.n = (size_t)(pct - w.p);
    if (is_ipv6(w))
        return w;
    const char *colon = memchr(w.p, ':', w.n);
    if (colon)
        w.n = (size_t)(colon - w.p); /* IPv4 with a port */
    return is_ipv4(w) ? w : none;
}

/* The next word of [*pos, end): a run up to whitespace or a comment; a "[...]" literal is
 * one word even with spaces inside. */
static span next_word(const char *in, size_t end, size_t *pos)
{
    size_t s = *pos, p = s;
    if (p < end && in[p] == '[') {
        const char *close = memchr(in + p, ']', end - p);
        p = close ? (size_t)(close - in) + 1 : end;
    }
    while (p < end && !lm_is_space((unsigned char)in[p]) && in[p] != '(')
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
        while (i < text.n && (lm_is_space((unsigned char)text.p[i]) || text.p[i] == ','))
            i++;
        size_t s = i;
        while (i < text.n && !lm_is_space((unsigned char)text.p[i]) && text.p[i] != ',')
            i++;
        if (i > s) {
            words[n].p = text.p + s;
            words[n].n = i - s;
            n++;
        }
    }
    return n;
}

/* The most words of one comment that are looked at. */
#define RECEIVED_COMMENT_WORDS 24

/* TLS details in a comment: "using V with cipher C", "version=V cipher=C", "TLS: V, .., C",
 * "Cipher V:C:bits", "tls_cipher V:C:bits", or a bare "TLS-1.0:C:bits". */
static void comment_tls(rcv_state *st, const span *w, size_t n)
{
    mailparse_received *r = st->r;
    for (size_t i = 0; i < n; i++) {
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

/* The from clause's comment: "HELO x", "helo=x", "ident=x", "name [ip]", "ip", "user@[ip]". */
static void comment_from(rcv_state *st, const span *w, size_t n)
{
    mailparse_received *r = st->r;
    span none = {"", 0};
    for (size_t i = 0; i < n; i++) {
        span v = w[i];
        const char *lb = v.n > 1 ? memchr(v.p + 1, '[', v.n - 1) : NULL;
        if ((span_is(v, "HELO") || span_is(v, "EHLO") || span_is(v, "LHLO")) && i + 1 < n) {
            set_helo(st, w[i + 1]);
            i++;
        } else if (v.n > 5 && lm_strncasecmp(v.p, "helo=", 5) == 0) {
            set_helo(st, (span){v.p + 5, v.n - 5});
        } else if (v.n > 6 && lm_strncasecmp(v.p, "ident", 5) == 0) {
            from_ident(st, v);
        } else if (v.p[0] == '[') {
            from_literal(st, i > 0 ? w[i - 1] : none, v);
        } else if (lb && lb[-1] != '@' && lb[-1] != '[') {
            span name = {v.p, (size_t)(lb - v.p)}, lit = {lb, (size_t)(v.p + v.n - lb)};
            from_literal(st, name, lit);
        } else if (ip_of(v).n) {
            span ip = ip_of(v);
            set_field(st, &r->from_ip, ip.p, ip.n);
        } else {
            from_ident(st, v);
        }
    }
    span name = n == 1 ? trim_word(w[0]) : none;
    if (is_host_name(name))
        set_field(st, &r->from_iprev, name.p, name.n);
}

static void scan_clauses(rcv_state *st, const char *in, size_t s, size_t e, int depth);

static void on_comment(rcv_state *st, const char *in, size_t s, size_t e, int depth)
{
    span text = {in + s + 1, e - s - (e > s + 1 && in[e - 1] == ')' ? 2 : 1)};
    span w[RECEIVED_COMMENT_WORDS];
    size_t n = split_words(text, w, RECEIVED_COMMENT_WORDS);
    if (n && span_is(w[0], "from") && depth < RECEIVED_MAX_CLAUSE_DEPTH && !st->r->from) {
        scan_clauses(st, text.p, 0, text.n, depth + 1);
        return;
    }
    comment_tls(st, w, n);
    if (st->clause == CL_FROM && n)
        comment_from(st, w, n);
}

static clause_kind keyword(span w)
{
    static const struct {
        const char *word;
        clause_kind kind;
    } words[] = {{"from", CL_FROM}, {"by", CL_BY}, {"via", CL_VIA},
                 {"with", CL_WITH}, {"id", CL_ID}, {"for", CL_FOR}};
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (span_is(w, words[i].word))
            return words[i].kind;
    return CL_NONE;
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
    static const char *const names[] = {
        "SMTP",     "ESMTP",     "ESMTPA",     "ESMTPS",   "ESMTPSA",   "LMTP",      "LMTPA",
        "LMTPS",    "LMTPSA",    "UTF8SMTP",   "UTF8SMTPA", "UTF8SMTPS", "UTF8SMTPSA", "UTF8LMTP",
        "UTF8LMTPA", "UTF8LMTPS", "UTF8LMTPSA", "MMS",      "HTTP",      "HTTPS"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (span_is(w, names[i]))
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
    for (size_t i = 0; st->clause == CL_WITH && i + 5 <= w.n; i++)
        if (lm_strncasecmp(w.p + i, "/TLS/", 5) == 0) {
            set_field(st, &r->tls_cipher, w.p + i + 5, w.n - i - 5);
            w.n = i;
            break;
        }
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
    span next = take_word(in, e, &p);
    if (span_is(next, "encrypted")) {
        set_field(st, &st->r->tls_cipher, w.p, w.n);
        *pos = p;
        return 1;
    }
    if (st->clause == CL_FROM && st->value_seen && span_is(w, "as") && span_is(next, "user")) {
        size_t q = p;
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

static void scan_clauses(rcv_state *st, const char *in, size_t s, size_t e, int depth)
{
    size_t pos = s;
    while (pos < e && !st->nomem) {
        if (lm_is_space((unsigned char)in[pos])) {
            pos++;
            continue;
        }
        if (in[pos] == '(') {
            int closed;
            size_t c = mp_lex_skip_comment(in, e, pos, &closed);
            on_comment(st, in, pos, c, depth);
            pos = c;
            continue;
        }
        span w = next_word(in, e, &pos);
        clause_kind k = keyword(w);
        if (k == CL_NONE && on_phrase(st, in, e, &pos, w))
            continue;
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
    size_t clauses_end = len;
    for (size_t i = len; i > 0; i--)
        if (in[i - 1] == ';') {
            clauses_end = i - 1;
            break;
        }
    scan_clauses(&st, in, 0, clauses_end, 0);
    if (clauses_end < len)
        after_semicolon(&st, in, clauses_end + 1, len);
    if (st.nomem)
        return MAILPARSE_E_NOMEM;
    if (r->from_ip == NULL && r->from && ip_of((span){r->from, strlen(r->from)}).n) {
        span ip = ip_of((span){r->from, strlen(r->from)});
        r->from_ip = dup_span(&st, ip.p, ip.n);
    }
    *out = r;
    return st.nomem ? MAILPARSE_E_NOMEM : 0;
}
