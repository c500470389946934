/* rfc2047.c — RFC 2047 encoded words both ways (§2-§6), with RFC 5322 §2.2.3 unfolding. */
#include "mp_internal.h"
#include "rfc5322_lex.h"

#include <stdint.h>
#include <string.h>

/* Longest charset name (with its "*language" suffix, RFC 2231 §5) accepted in an encoded word. */
#define MP_2047_MAX_CHARSET 64
/* Longest encoded word the encoder writes (RFC 2047 §2). */
#define MP_2047_WORD_MAX 75
/* Line length the encoder folds to (RFC 2047 §2). */
#define MP_2047_LINE_MAX 78
/* The line length no output may pass (RFC 5322 §2.1.1), line end not counted. */
#define MP_2047_LINE_HARD 998
/* An ASCII word longer than this is encoded so it can be split across lines. */
#define MP_2047_LONG_WORD 70

/* Span modes while decoding. */
enum {
    SPAN_ESCAPES = 1u << 0, /* backslash quotes the next byte (quoted strings, comments) */
    SPAN_QUOTED = 1u << 1   /* inside a quoted string: spaces are content, strict unfolding */
};

static int is_line_end(int c) { return c == '\r' || c == '\n'; }

/* ---- decoding ------------------------------------------------------------------------------ */

struct ew {                 /* one well-formed encoded word */
    size_t start, end;      /* "=?" up to one past "?=" */
    const char *cs;         /* charset, without any "*language" */
    size_t cs_len;
    int enc;                /* 'B' or 'Q' */
    size_t text, text_end;
};

struct dec {
    const char *in;
    unsigned flags;
    lm_buf *out;
    const mp_diag *d;
    size_t *budget;
    int status;
    int exhausted;          /* the budget ran out: the rest stays literal */
    lm_buf raw;             /* literal text not yet converted to UTF-8 */
    size_t raw_off;
    lm_buf bytes;           /* decoded bytes of adjacent words in one charset */
    const char *cs;
    size_t cs_len, word_off;
    int after_word;         /* the last token was an encoded word */
    int held;               /* whitespace after that word, not yet written */
    int held_nl, held_quoted;
    lm_buf ws;              /* the held whitespace, already unfolded */
    lm_buf text;            /* scratch: a word's text without folding */
    lm_buf word;            /* scratch: a word's decoded bytes */
};

/* Parses "=?charset[*lang]?B|Q?text?=" at `i`, not reaching past `end`. The text may hold
 * spaces and folding (seen in the wild) but no '?'. Returns non-zero when well formed. */
static int parse_word(const char *in, size_t i, size_t end, struct ew *w)
{
    size_t p = i + 2, cs = p;
    while (p < end && p - cs <= MP_2047_MAX_CHARSET && in[p] != '?' &&
           (unsigned char)in[p] > 0x20 && (unsigned char)in[p] < 0x7f)
        p++;
    if (p == cs || p + 3 >= end || in[p] != '?' || in[p + 2] != '?')
        return 0;
    int enc = lm_to_upper((unsigned char)in[p + 1]);
    if (enc != 'B' && enc != 'Q')
        return 0;
    w->cs = in + cs;
    w->cs_len = p - cs;
    const char *star = memchr(w->cs, '*', w->cs_len);
    if (star)
        w->cs_len = (size_t)(star - w->cs);
    if (w->cs_len == 0)
        return 0;
    w->enc = enc;
    w->start = i;
    w->text = p + 3;
    p = w->text;
    while (p < end && in[p] != '?')
        p++;
    if (p + 1 >= end || in[p + 1] != '=')
        return 0;
    w->text_end = p;
    w->end = p + 2;
    return 1;
}

/* Appends the word's text with folding (a line end and the blanks after it) removed. */
static void word_text_unfolded(struct dec *st, const struct ew *w)
{
    lm_buf_reset(&st->text);
    for (size_t p = w->text; p < w->text_end; p++) {
        if (is_line_end(st->in[p])) {
            while (p + 1 < w->text_end && lm_is_space((unsigned char)st->in[p + 1]))
                p++;
            continue;
        }
        lm_buf_putc(&st->text, st->in[p]);
    }
}

/* Q (RFC 2047 §4.2): '_' is a space, "=XX" a byte; a bad '=' is kept as is. */
static void decode_q(struct dec *st, const struct ew *w)
{
    const unsigned char *t = (const unsigned char *)st->text.data;
    size_t n = st->text.len;
    for (size_t k = 0; k < n; k++) {
        int hi, lo;
        if (t[k] == '_') {
            lm_buf_putc(&st->word, ' ');
        } else if (t[k] == '=' && k + 2 < n && (hi = lm_hex_value(t[k + 1])) >= 0 &&
                   (lo = lm_hex_value(t[k + 2])) >= 0) {
            lm_buf_putc(&st->word, hi << 4 | lo);
            k += 2;
        } else {
            if (t[k] == '=')
                mp_report(st->d, MAILPARSE_ANOMALY_QP_BAD_ESCAPE, w->text);
            lm_buf_putc(&st->word, t[k]);
        }
    }
}

/* Decodes the word's text into st->word. */
static int decode_word_bytes(struct dec *st, const struct ew *w)
{
    lm_buf_reset(&st->word);
    word_text_unfolded(st, w);
    if (st->text.len == 0)
        return mp_buf_status(&st->text);
    if (w->enc == 'Q') {
        decode_q(st, w);
        return mp_buf_status(&st->word);
    }
    mp_diag at = mp_diag_at(st->d, w->text);
    int rc = mp_base64_decode(st->text.data, st->text.len, &st->word, &at);
    return rc ? rc : mp_buf_status(&st->word);
}

/* Converts bytes of a declared charset to UTF-8; an unknown charset is guessed (reported). */
static int charset_bytes_to_utf8(const char *cs, size_t cs_len, const unsigned char *b, size_t n,
                                 lm_buf *out, const mp_diag *d)
{
    if (mp_charset_is_utf8(cs, cs_len) && mp_utf8_valid_prefix(b, n) == n)
        return lm_buf_append(out, b, n) ? MAILPARSE_E_NOMEM : 0;
    int rc = mp_charset_to_utf8(cs, cs_len, b, n, out, d);
    if (rc == MAILPARSE_E_CHARSET) {
        mp_report(d, MAILPARSE_ANOMALY_CHARSET_UNKNOWN, 0);
        rc = mp_text_guess_to_utf8(b, n, NULL, out, d);
    }
    return rc;
}

static void keep_status(struct dec *st, int rc)
{
    if (rc && !st->status)
        st->status = rc;
}

/* Writes the pending words' bytes, converted from their charset. */
static void flush_word(struct dec *st)
{
    if (!st->cs)
        return;
    mp_diag at = mp_diag_at(st->d, st->word_off);
    keep_status(st, charset_bytes_to_utf8(st->cs, st->cs_len, (const unsigned char *)st->bytes.data,
                                          st->bytes.len, st->out, &at));
    lm_buf_reset(&st->bytes);
    st->cs = NULL;
}

/* Writes the pending literal text: UTF-8 when valid, else guessed. */
static void flush_raw(struct dec *st)
{
    if (st->raw.len == 0)
        return;
    const unsigned char *r = (const unsigned char *)st->raw.data;
    if (mp_utf8_valid_prefix(r, st->raw.len) == st->raw.len) {
        lm_buf_append(st->out, r, st->raw.len);
    } else {
        mp_diag at = mp_diag_at(st->d, st->raw_off);
        keep_status(st, mp_text_guess_to_utf8(r, st->raw.len, NULL, st->out, &at));
    }
    lm_buf_reset(&st->raw);
}

static void raw_append(struct dec *st, size_t off, const char *p, size_t n)
{
    flush_word(st);
    if (st->raw.len == 0)
        st->raw_off = off;
    lm_buf_append(&st->raw, p, n);
}

/* Appends the whitespace run [i, r) unfolded to `b`: in a quoted string only line ends go;
 * elsewhere a run holding a line end becomes one space (none when it is only line ends). */
static int unfold_run(const char *in, size_t i, size_t r, unsigned mode, lm_buf *b)
{
    int nl = 0, blank = 0;
    for (size_t k = i; k < r; k++) {
        if (is_line_end(in[k]))
            nl = 1;
        else
            blank = 1;
    }
    if (!nl || (mode & SPAN_QUOTED)) {
        for (size_t k = i; k < r; k++)
            if (!is_line_end(in[k]))
                lm_buf_putc(b, in[k]);
    } else if (blank) {
        lm_buf_putc(b, ' ');
    }
    return nl;
}

static void emit_held(struct dec *st)
{
    if (!st->held)
        return;
    raw_append(st, st->word_off, st->ws.data ? st->ws.data : "", st->ws.len);
    lm_buf_reset(&st->ws);
    st->held = 0;
}

static void take_ws(struct dec *st, size_t i, size_t r, unsigned mode)
{
    if (!st->after_word) {
        flush_word(st);
        if (st->raw.len == 0)
            st->raw_off = i;
        unfold_run(st->in, i, r, mode, &st->raw);
        return;
    }
    int quoted = (mode & SPAN_QUOTED) != 0;
    st->held_quoted = st->held ? st->held_quoted && quoted : quoted;
    st->held_nl |= unfold_run(st->in, i, r, mode, &st->ws);
    st->held = 1;
}

/* A space set between an encoded word and text glued to it, in unstructured text. */
static int wants_space(const struct dec *st, int c, int before_word)
{
    if (st->flags & (MAILPARSE_2047_PHRASE | MP_2047_GLUED))
        return 0;
    if (before_word)
        return c != '(' && c != '"';
    return !strchr(",.;:!?)\"", c);
}

static void literal(struct dec *st, size_t off, char c)
{
    if (st->after_word) {
        if (st->held) {
            emit_held(st);
        } else {
            mp_report(st->d, MAILPARSE_ANOMALY_ENCODED_WORD_IN_WORD, off);
            if (wants_space(st, (unsigned char)c, 0))
                raw_append(st, off, " ", 1);
        }
        st->after_word = 0;
    }
    raw_append(st, off, &c, 1);
}

/* Decides what the whitespace held before word `w` becomes, reports gluing. */
static void before_word(struct dec *st, const struct ew *w, size_t span_start)
{
    const char *in = st->in;
    if (st->after_word && st->held) {
        if (!st->held_quoted || st->held_nl) {
            lm_buf_reset(&st->ws);
            st->held = 0;
        } else {
            emit_held(st);
        }
    } else if (st->after_word) {
        mp_report(st->d, MAILPARSE_ANOMALY_ENCODED_WORD_IN_WORD, w->start);
    } else if (w->start > span_start && !lm_is_space((unsigned char)in[w->start - 1])) {
        mp_report(st->d, MAILPARSE_ANOMALY_ENCODED_WORD_IN_WORD, w->start);
        if (wants_space(st, (unsigned char)in[w->start - 1], 1))
            raw_append(st, w->start, " ", 1);
    }
}

/* ISO-2022 words usually end back in ASCII ("ESC ( B"); when the next word opens with another
 * escape, that return is dropped before the bytes are joined, since converters reject an
 * escape right after an escape. A word cut inside a character joins as it is. */
static void join_iso2022(struct dec *st)
{
    lm_buf *b = &st->bytes;
    const char *w = st->word.data;
    if (st->cs_len >= 8 && lm_strncasecmp(st->cs, "iso-2022", 8) == 0 && b->len >= 3 && st->word.len >= 1 &&
        w[0] == '\x1b' && memcmp(b->data + b->len - 3, "\x1b(", 2) == 0 &&
        (b->data[b->len - 1] == 'B' || b->data[b->len - 1] == 'J'))
        b->len -= 3;
}

static void take_word(struct dec *st, const struct ew *w, size_t span_start)
{
    before_word(st, w, span_start);
    keep_status(st, decode_word_bytes(st, w));
    int same = st->after_word && !st->held && st->cs && st->cs_len == w->cs_len &&
               lm_strncasecmp(st->cs, w->cs, w->cs_len) == 0;
    if (!same) {
        flush_word(st);
        flush_raw(st);
        st->cs = w->cs;
        st->cs_len = w->cs_len;
        st->word_off = w->start;
    }
    if (same)
        join_iso2022(st);
    lm_buf_append(&st->bytes, st->word.data ? st->word.data : "", st->word.len);
    st->after_word = 1;
    st->held_nl = 0;
    if (st->budget)
        (*st->budget)--;
}

/* Tries an encoded word at `i`; returns its end, or 0 when the bytes stay literal. */
static size_t try_word(struct dec *st, size_t i, size_t end, size_t span_start)
{
    struct ew w;
    if (!parse_word(st->in, i, end, &w)) {
        mp_report(st->d, MAILPARSE_ANOMALY_ENCODED_WORD_INVALID, i);
        return 0;
    }
    if (st->budget && *st->budget == 0) {
        mp_report(st->d, MAILPARSE_ANOMALY_ENCODED_WORD_LIMIT, i);
        st->exhausted = 1;
        return 0;
    }
    take_word(st, &w, span_start);
    return w.end;
}

/* Decodes the bytes [s, e) in `mode`. */
static void decode_span(struct dec *st, size_t s, size_t e, unsigned mode)
{
    const char *in = st->in;
    size_t i = s;
    while (i < e && !st->status) {
        unsigned char c = (unsigned char)in[i];
        if (!st->after_word) { /* a run of plain text goes in one append */
            size_t r = i;
            while (r < e && !lm_is_space((unsigned char)in[r]) && in[r] != '=' &&
                   !((mode & SPAN_ESCAPES) && in[r] == '\\'))
                r++;
            if (r > i) {
                raw_append(st, i, in + i, r - i);
                i = r;
                continue;
            }
        }
        if (c == '=' && i + 1 < e && in[i + 1] == '?' && !st->exhausted) {
            size_t next = try_word(st, i, e, s);
            if (next) {
                i = next;
                continue;
            }
        }
        if (lm_is_space(c)) {
            size_t r = i;
            while (r < e && lm_is_space((unsigned char)in[r]))
                r++;
            take_ws(st, i, r, mode);
            i = r;
            continue;
        }
        if ((mode & SPAN_ESCAPES) && c == '\\' && i + 1 < e)
            i++;
        literal(st, i, in[i]);
        i++;
    }
}

/* The index of the closing quote of a quoted string whose content starts at `i`, or `len`. */
static size_t quoted_end(const char *in, size_t i, size_t len)
{
    for (; i < len; i++) {
        if (in[i] == '\\')
            i++;
        else if (in[i] == '"')
            return i;
    }
    return len;
}

/* The index of the ')' closing the comment opened at `i`, or `len` (nesting counted). */
static size_t comment_end(const char *in, size_t i, size_t len)
{
    int closed;
    size_t after = mp_lex_skip_comment(in, len, i, &closed);
    return closed ? after - 1 : len;
}

/* A phrase: quoted strings lose their quotes, comments are kept as "(...)" text. */
static void decode_phrase(struct dec *st, size_t len)
{
    const char *in = st->in;
    size_t i = 0;
    while (i < len && !st->status) {
        size_t e;
        if (in[i] == '"') {
            e = quoted_end(in, i + 1, len);
            decode_span(st, i + 1, e, SPAN_ESCAPES | SPAN_QUOTED);
        } else if (in[i] == '(') {
            e = comment_end(in, i, len);
            literal(st, i, '(');
            decode_span(st, i + 1, e, SPAN_ESCAPES);
            st->after_word &= st->held; /* a word may touch the closing parenthesis */
            if (e < len)
                literal(st, e, ')');
        } else {
            e = i;
            while (e < len && in[e] != '"' && in[e] != '(')
                e++;
            decode_span(st, i, e, 0);
            i = e;
            continue;
        }
        i = e < len ? e + 1 : len;
    }
}

/* Plain ASCII text without "=?" (most header values): only the whitespace runs change, by
 * the same rule as below, so it is copied run by run without the decoder's state. */
static int is_plain_ascii(const char *in, size_t len)
{
    size_t i = 0;
    for (; i + 8 <= len; i += 8) {
        uint64_t w;
        memcpy(&w, in + i, 8);
        if (w & 0x8080808080808080u)
            return 0;
    }
    for (; i < len; i++)
        if ((unsigned char)in[i] >= 0x80)
            return 0;
    for (const char *p = in; (p = memchr(p, '=', len - (size_t)(p - in))) != NULL; p++)
        if ((size_t)(p - in) + 1 < len && p[1] == '?')
            return 0;
    return memchr(in, '\0', len) == NULL;
}

static int copy_plain(const char *in, size_t len, lm_buf *out)
{
    if (!memchr(in, '\n', len) && !memchr(in, '\r', len))
        return lm_buf_append(out, in, len) ? MAILPARSE_E_NOMEM : 0; /* nothing to unfold */
    size_t i = 0;
    while (i < len) {
        size_t r = i;
        while (r < len && !lm_is_space((unsigned char)in[r]))
            r++;
        lm_buf_append(out, in + i, r - i);
        i = r;
        while (r < len && lm_is_space((unsigned char)in[r]))
            r++;
        if (r > i)
            unfold_run(in, i, r, 0, out);
        i = r;
    }
    return mp_buf_status(out);
}

int mp_rfc2047_decode(const char *in, size_t len, unsigned flags, lm_buf *out, const mp_diag *d,
                      size_t *budget)
{
    if ((!in && len) || !out)
        return MAILPARSE_E_INVAL;
    if (len == 0)
        return mp_buf_status(out);
    if (!(flags & MAILPARSE_2047_PHRASE) && is_plain_ascii(in, len))
        return copy_plain(in, len, out);
    struct dec st;
    memset(&st, 0, sizeof st);
    st.in = in;
    st.flags = flags;
    st.out = out;
    st.d = d;
    st.budget = budget;
    if (flags & MAILPARSE_2047_PHRASE)
        decode_phrase(&st, len);
    else
        decode_span(&st, 0, len, 0);
    emit_held(&st);
    flush_word(&st);
    flush_raw(&st);
    int rc = st.status;
    if (!rc && (st.raw.oom || st.bytes.oom || st.ws.oom || st.text.oom || st.word.oom))
        rc = MAILPARSE_E_NOMEM;
    lm_buf_free(&st.raw);
    lm_buf_free(&st.bytes);
    lm_buf_free(&st.ws);
    lm_buf_free(&st.text);
    lm_buf_free(&st.word);
    return rc ? rc : mp_buf_status(out);
}

int mailparse_rfc2047_decode(const char *in, size_t len, unsigned flags, char **out,
                             size_t *out_len, mailparse_anomaly_fn anomaly, void *user)
{
    if (!out)
        return MAILPARSE_E_INVAL;
    *out = NULL;
    mp_diag d = {anomaly, user, 0};
    lm_buf b = LM_BUF_INIT;
    return mp_hand_out(&b, mp_rfc2047_decode(in, len, flags, &b, &d, NULL), out, out_len);
}

/* ---- encoding ------------------------------------------------------------------------------ */

struct enc {
    const char *cs;
    size_t cs_len;
    int utf8;               /* the target charset is UTF-8: no conversion */
    unsigned flags;
    lm_buf *out;
    size_t col;             /* columns used on the current output line */
    lm_buf conv;            /* scratch: a chunk converted to the target charset */
    int redo_all;           /* a line would pass 998 where only a blank run (which readers
                             * collapse when folded) or nothing could fold: encode it all */
};

/* Characters Q may leave as they are in any context (RFC 2047 §5(3)). */
static int q_plain(unsigned char c) { return lm_is_alnum(c) || (c && strchr("!*+-/", c)); }

static size_t q_len(const unsigned char *b, size_t n)
{
    size_t l = 0;
    for (size_t k = 0; k < n; k++)
        l += q_plain(b[k]) || b[k] == ' ' ? 1 : 3;
    return l;
}

static size_t b_len(size_t n) { return (n + 2) / 3 * 4; }

/* Length of the UTF-8 sequence at `p` (1 for a byte that starts none). */
static size_t seq_len(const unsigned char *p, size_t n)
{
    size_t l = p[0] < 0x80 ? 1 : p[0] >= 0xF0 ? 4 : p[0] >= 0xE0 ? 3 : p[0] >= 0xC0 ? 2 : 1;
    if (l > n || mp_utf8_valid_prefix(p, l) != l)
        return 1;
    return l;
}

/* The chunk's bytes in the target charset (st->conv for a conversion). */
static int chunk_bytes(struct enc *st, const char *p, size_t n, const unsigned char **b, size_t *bn)
{
    if (st->utf8) {
        *b = (const unsigned char *)p;
        *bn = n;
        return 0;
    }
    lm_buf_reset(&st->conv);
    int rc = mp_charset_from_utf8(st->cs, st->cs_len, p, n, &st->conv);
    if (rc)
        return rc;
    *b = (const unsigned char *)(st->conv.data ? st->conv.data : "");
    *bn = st->conv.len;
    return mp_buf_status(&st->conv);
}

static size_t word_cost(const struct enc *st, const unsigned char *b, size_t n)
{
    size_t q = q_len(b, n), bl = b_len(n);
    return (q < bl ? q : bl) + st->cs_len + 7;
}

/* How many input bytes from `p` go into one word of at most `avail` characters: whole
 * code points, at least one. */
static int chunk_size(struct enc *st, const char *p, size_t n, size_t avail, size_t *take)
{
    size_t k = seq_len((const unsigned char *)p, n);
    for (;;) {
        if (k >= n)
            break;
        size_t next = k + seq_len((const unsigned char *)p + k, n - k);
        const unsigned char *b;
        size_t bn;
        int rc = chunk_bytes(st, p, next, &b, &bn);
        if (rc)
            return rc;
        if (word_cost(st, b, bn) > avail)
            break;
        k = next;
    }
    *take = k;
    return 0;
}

static void put_word(struct enc *st, const unsigned char *b, size_t n)
{
    static const char hex[] = "0123456789ABCDEF";
    int use_q = q_len(b, n) <= b_len(n);
    lm_buf *o = st->out;
    size_t before = o->len;
    lm_buf_append(o, "=?", 2);
    lm_buf_append(o, st->cs, st->cs_len);
    lm_buf_append(o, use_q ? "?Q?" : "?B?", 3);
    if (use_q) {
        for (size_t k = 0; k < n; k++) {
            if (b[k] == ' ') {
                lm_buf_putc(o, '_');
            } else if (q_plain(b[k])) {
                lm_buf_putc(o, b[k]);
            } else {
                char esc[3] = {'=', hex[b[k] >> 4], hex[b[k] & 15]};
                lm_buf_append(o, esc, 3);
            }
        }
    } else {
        mp_base64_encode(b, n, 0, o);
    }
    lm_buf_append(o, "?=", 2);
    st->col += o->len - before;
}

/* Encodes [p, p+n) as words separated by folding whitespace ("CRLF SP" when the next word
 * would not fit on the line, else one space; both vanish when decoded). */
static int encode_run(struct enc *st, const char *p, size_t n)
{
    size_t min_word = st->cs_len + 7 + 12;
    for (int first = 1; n > 0; first = 0) {
        if (!first && st->col + 1 + min_word > MP_2047_LINE_MAX) {
            lm_buf_append(st->out, "\r\n ", 3);
            st->col = 1;
        } else if (!first) {
            lm_buf_putc(st->out, ' ');
            st->col++;
        }
        size_t room = st->col < MP_2047_LINE_MAX ? MP_2047_LINE_MAX - st->col : 0;
        size_t avail = room < MP_2047_WORD_MAX ? room : MP_2047_WORD_MAX;
        size_t take;
        const unsigned char *b;
        size_t bn;
        int rc = chunk_size(st, p, n, avail, &take);
        if (!rc)
            rc = chunk_bytes(st, p, take, &b, &bn);
        if (rc)
            return rc;
        put_word(st, b, bn);
        p += take;
        n -= take;
    }
    return 0;
}

/* Writes the whitespace [p, p+n) before an item `next_width` columns wide. A single space
 * is where the line folds past 78 columns; a longer run or a tab is kept on its line (common
 * readers turn a folded run into one space). When the line would pass 998 that way, the whole
 * text is encoded instead (encoded words carry blanks exactly and fold anywhere). */
static void put_gap(struct enc *st, const char *p, size_t n, size_t next_width)
{
    if (n == 1 && p[0] == ' ' && st->col + 1 + next_width > MP_2047_LINE_MAX) {
        lm_buf_append(st->out, "\r\n ", 3);
        st->col = 1;
        return;
    }
    if (st->col + n + next_width > MP_2047_LINE_HARD)
        st->redo_all = 1;
    lm_buf_append(st->out, p, n);
    st->col += n;
}


/* Whether the token [p, p+n) must be encoded: 8-bit or control bytes, something the decoder
 * would take for an encoded word, a special in a phrase, or too long for a line. */
static int needs_encoding(const struct enc *st, const char *p, size_t n, size_t col)
{
    if (n > MP_2047_LONG_WORD || col + n > MP_2047_LINE_MAX)
        return 1;
    for (size_t k = 0; k < n; k++) {
        unsigned char c = (unsigned char)p[k];
        if (c < 0x20 || c >= 0x7f || (c == '=' && k + 1 < n && p[k + 1] == '?'))
            return 1;
        if ((st->flags & MAILPARSE_2047_PHRASE) && !lm_is_atext(c))
            return 1;
    }
    return 0;
}

static size_t skip_blanks(const char *in, size_t i, size_t len)
{
    while (i < len && lm_is_wsp((unsigned char)in[i]))
        i++;
    return i;
}

static size_t token_end(const char *in, size_t i, size_t len)
{
    while (i < len && !lm_is_wsp((unsigned char)in[i]))
        i++;
    return i;
}

/* The end of the run of tokens needing encoding that starts with the token [i, j): the
 * blanks between them are encoded too, since the decoder drops blanks between words. */
static size_t run_end(const struct enc *st, const char *in, size_t j, size_t len)
{
    for (;;) {
        size_t t = skip_blanks(in, j, len);
        size_t te = token_end(in, t, len);
        if (t == len || !needs_encoding(st, in + t, te - t, 1))
            return j;
        j = te;
    }
}

/* Text as atoms and encoded words. A first word that fits a continuation line but not what
 * is left of the first one goes on the next line (the output then starts with a fold). */
static int encode_tokens(struct enc *st, const char *in, size_t len)
{
    size_t i = skip_blanks(in, 0, len);
    lm_buf_append(st->out, in, i);
    st->col += i;
    size_t first_end = token_end(in, i, len);
    if (i == 0 && first_end > 0 && st->col > 1 && needs_encoding(st, in, first_end, st->col) &&
        !needs_encoding(st, in, first_end, 1)) {
        lm_buf_append(st->out, "\r\n ", 3);
        st->col = 1;
    }
    size_t min_word = st->cs_len + 7 + 12;
    while (i < len) {
        size_t j = token_end(in, i, len);
        if (needs_encoding(st, in + i, j - i, i ? 1 : st->col)) {
            j = run_end(st, in, j, len);
            int rc = encode_run(st, in + i, j - i);
            if (rc)
                return rc;
        } else {
            lm_buf_append(st->out, in + i, j - i);
            st->col += j - i;
        }
        i = skip_blanks(in, j, len);
        if (i == len) {
            lm_buf_append(st->out, in + j, i - j);
            break;
        }
        size_t te = token_end(in, i, len);
        int enc_next = needs_encoding(st, in + i, te - i, 1);
        put_gap(st, in + j, i - j, enc_next ? min_word : te - i);
    }
    return mp_buf_status(st->out);
}

/* A phrase of printable ASCII with specials: one quoted string, folded at spaces. */
static int quotable_phrase(const char *in, size_t len)
{
    int special = 0;
    for (size_t k = 0; k < len; k++) {
        unsigned char c = (unsigned char)in[k];
        if (c < 0x20 || c >= 0x7f || (c == '=' && k + 1 < len && in[k + 1] == '?'))
            return 0;
        if (c != ' ' && !lm_is_atext(c))
            special = 1;
    }
    return special;
}

static void encode_quoted(struct enc *st, const char *in, size_t len)
{
    lm_buf_putc(st->out, '"');
    st->col++;
    for (size_t k = 0; k < len; k++) {
        if (in[k] == ' ' && k > 0) {
            size_t w = token_end(in, k + 1, len) - (k + 1);
            put_gap(st, " ", 1, w + (k + 1 + w == len));
            continue;
        }
        if (in[k] == '"' || in[k] == '\\') {
            lm_buf_putc(st->out, '\\');
            st->col++;
        }
        lm_buf_putc(st->out, in[k]);
        if (++st->col > MP_2047_LINE_HARD - 1)
            st->redo_all = 1;
    }
    lm_buf_putc(st->out, '"');
}

int mp_rfc2047_encode(const char *in, size_t len, const char *charset, unsigned flags,
                      size_t first_line_used, lm_buf *out)
{
    if ((!in && len) || !out)
        return MAILPARSE_E_INVAL;
    struct enc st = {charset ? charset : "utf-8", 0, 0, flags, out, first_line_used, LM_BUF_INIT, 0};
    st.cs_len = strlen(st.cs);
    if (st.cs_len == 0 || st.cs_len > MP_2047_MAX_CHARSET || memchr(st.cs, '?', st.cs_len))
        return MAILPARSE_E_INVAL;
    st.utf8 = lm_eq_nocase(st.cs, st.cs_len, "utf-8") || lm_eq_nocase(st.cs, st.cs_len, "utf8");
    int rc = 0;
    size_t mark = out->len;
    if ((flags & MAILPARSE_2047_PHRASE) && !(flags & MAILPARSE_2047_ALL) && quotable_phrase(in, len)) {
        encode_quoted(&st, in, len);
        rc = mp_buf_status(out);
    } else if (!(flags & MAILPARSE_2047_ALL)) {
        rc = encode_tokens(&st, in, len);
    }
    if (!rc && ((flags & MAILPARSE_2047_ALL) || st.redo_all)) {
        out->len = mark;
        if (out->data)
            out->data[mark] = '\0';
        st.col = first_line_used;
        rc = len ? encode_run(&st, in, len) : 0;
        if (!rc)
            rc = mp_buf_status(out);
    }
    lm_buf_free(&st.conv);
    return rc;
}

int mailparse_rfc2047_encode(const char *in, size_t len, const char *charset, unsigned flags,
                             size_t first_line_used, char **out, size_t *out_len)
{
    if (!out)
        return MAILPARSE_E_INVAL;
    *out = NULL;
    lm_buf b = LM_BUF_INIT;
    return mp_hand_out(&b, mp_rfc2047_encode(in, len, charset, flags, first_line_used, &b), out, out_len);
}

/* ---- unfolding ----------------------------------------------------------------------------- */

int mp_unfold(const char *in, size_t len, lm_buf *out)
{
    if ((!in && len) || !out)
        return MAILPARSE_E_INVAL;
    size_t i = 0;
    while (i < len) {
        size_t j = i;
        while (j < len && !is_line_end(in[j]))
            j++;
        lm_buf_append(out, in + i, j - i);
        while (j < len && is_line_end(in[j]))
            j++;
        i = j;
    }
    return mp_buf_status(out);
}
