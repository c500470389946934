/* html.c — HTML to text (WHATWG HTML §13.2), text to HTML, previews, thread subjects (RFC 5256). */
#include "mp_internal.h"

#include "html_entities.h"

#include <stdio.h>
#include <string.h>

/* Limits. None of them makes a call fail: past each one the output is only less decorated. */
#define MP_HTML_MAX_URL 8192       /* an href longer than this is not written after its link text */
#define MP_HTML_MAX_LIST_DEPTH 16  /* list items nested deeper are indented as at this depth */
#define MP_HTML_MAX_QUOTE_DEPTH 16 /* blockquotes nested deeper get this many '>' */
#define MP_HTML_MAX_NEWLINES 2     /* line ends in a row: at most one blank line */
#define MP_HTML_MAX_OL_START 1000000000UL /* <ol start> values are clamped to this */
#define MP_TEXT_MAX_QUOTE_DEPTH 32 /* text to HTML: deeper quoting opens no more blockquotes */
#define MP_PREVIEW_WORD_WINDOW 5   /* a preview is cut at a space within the last 1/5 of it */

/* ---- UTF-8 ------------------------------------------------------------------------------ */

/* Decodes one UTF-8 sequence at p[0..n), n >= 1. Returns its length with the code point in
 * *cp; an invalid sequence gives the length of its maximal invalid subpart and U+FFFD. */
static size_t utf8_next(const unsigned char *p, size_t n, uint32_t *cp)
{
    unsigned b = p[0], need, lo = 0x80, hi = 0xBF;
    uint32_t v;
    *cp = 0xFFFD;
    if (b < 0x80) {
        *cp = b;
        return 1;
    }
    if (b >= 0xC2 && b <= 0xDF) {
        need = 1;
        v = b & 0x1F;
    } else if (b >= 0xE0 && b <= 0xEF) {
        need = 2;
        v = b & 0x0F;
        lo = b == 0xE0 ? 0xA0 : 0x80;
        hi = b == 0xED ? 0x9F : 0xBF;
    } else if (b >= 0xF0 && b <= 0xF4) {
        need = 3;
        v = b & 0x07;
        lo = b == 0xF0 ? 0x90 : 0x80;
        hi = b == 0xF4 ? 0x8F : 0xBF;
    } else {
        return 1;
    }
    for (size_t i = 1; i <= need; i++) {
        if (i >= n || p[i] < lo || p[i] > hi)
            return i;
        v = (v << 6) | (p[i] & 0x3F);
        lo = 0x80;
        hi = 0xBF;
    }
    *cp = v;
    return need + 1;
}

/* Appends `n` bytes of possibly invalid UTF-8, invalid sequences and NUL as U+FFFD. */
static void put_utf8_clean(lm_buf *out, const char *p, size_t n)
{
    const unsigned char *s = (const unsigned char *)p;
    size_t i = 0;
    while (i < n) {
        size_t r = i;
        while (r < n && s[r] != 0 && s[r] < 0x80) /* ASCII other than NUL goes in runs */
            r++;
        lm_buf_append(out, s + i, r - i);
        if ((i = r) == n)
            break;
        uint32_t cp;
        size_t k = utf8_next(s + i, n - i, &cp);
        if (cp == 0xFFFD || cp == 0)
            lm_buf_put_utf8(out, 0xFFFD);
        else
            lm_buf_append(out, s + i, k);
        i += k;
    }
}

/* ---- character references (WHATWG HTML §13.2.5.72-80) ---------------------------------- */

/* Numeric references to 0x80-0x9F mean windows-1252 (HTML §13.2.5.80); 0 keeps the value. */
static const uint16_t cp1252_c1[32] = {
    0x20AC, 0, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
    0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017D, 0,
    0, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
    0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0, 0x017E, 0x0178,
};

static uint32_t numeric_ref_value(uint32_t v)
{
    if (v == 0 || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
        return 0xFFFD;
    if (v >= 0x80 && v <= 0x9F && cp1252_c1[v - 0x80])
        return cp1252_c1[v - 0x80];
    return v;
}

/* "&#123;" / "&#x1F600;" at p[0..n) (p[0] == '&', p[1] == '#'); ';' is optional. */
static size_t decode_numeric_ref(const char *p, size_t n, uint32_t *cp)
{
    size_t i = 2;
    int hex = i < n && (p[i] == 'x' || p[i] == 'X');
    uint32_t v = 0;
    size_t digits = 0;
    if (hex)
        i++;
    for (; i < n; i++, digits++) {
        int d = hex ? lm_hex_value((unsigned char)p[i]) : (lm_is_digit(p[i]) ? p[i] - '0' : -1);
        if (d < 0)
            break;
        v = v > 0x10FFFF ? v : v * (hex ? 16u : 10u) + (uint32_t)d;
    }
    if (digits == 0)
        return 0;
    if (i < n && p[i] == ';')
        i++;
    *cp = numeric_ref_value(v);
    return i;
}

/* A named reference at p[0..n) (p[0] == '&'): the longest match, the ';' form first, then the
 * legacy names that stand without ';'. In attribute values a legacy match followed by '=' or
 * an alphanumeric is left alone ("?a=1&copy=2"), as browsers do. */
static size_t decode_named_ref(const char *p, size_t n, int in_attr, uint32_t cp[2], int *ncp)
{
    const char *name = p + 1;
    size_t run = 0;
    while (1 + run < n && run < MP_HTML_ENTITY_MAX_NAME && lm_is_alnum((unsigned char)name[run]))
        run++;
    if (1 + run < n && name[run] == ';' && (*ncp = mp_html_entity_lookup(name, run + 1, cp)) > 0)
        return run + 2;
    size_t longest = run < MP_HTML_ENTITY_MAX_LEGACY ? run : MP_HTML_ENTITY_MAX_LEGACY;
    for (size_t k = longest; k >= 2; k--) {
        if ((*ncp = mp_html_entity_lookup(name, k, cp)) == 0)
            continue;
        if (in_attr && 1 + k < n && (name[k] == '=' || lm_is_alnum((unsigned char)name[k]))) {
            *ncp = 0;
            return 0;
        }
        return k + 1;
    }
    *ncp = 0;
    return 0;
}

/* The character reference at p[0] == '&'. Returns the bytes it spans and its code points
 * (*ncp of them), or 0 when the '&' is a literal ampersand. */
static size_t decode_ref(const char *p, size_t n, int in_attr, uint32_t cp[2], int *ncp)
{
    if (n >= 2 && p[1] == '#') {
        size_t k = decode_numeric_ref(p, n, &cp[0]);
        *ncp = k ? 1 : 0;
        return k;
    }
    return decode_named_ref(p, n, in_attr, cp, ncp);
}

/* Appends an attribute value with its references decoded, ASCII whitespace dropped at both
 * ends and line breaks/tabs inside removed (as URL parsing does). */
static void decode_attr_url(lm_buf *out, const char *p, size_t n)
{
    while (n && lm_is_space((unsigned char)*p))
        p++, n--;
    while (n && lm_is_space((unsigned char)p[n - 1]))
        n--;
    for (size_t i = 0; i < n;) {
        size_t r = i;
        while (r < n && p[r] != '&' && p[r] != '\n' && p[r] != '\r' && p[r] != '\t')
            r++;
        lm_buf_append(out, p + i, r - i);
        if ((i = r) == n)
            break;
        uint32_t cp[2];
        int ncp;
        size_t k = p[i] == '&' ? decode_ref(p + i, n - i, 1, cp, &ncp) : 0;
        if (k) {
            for (int j = 0; j < ncp; j++)
                lm_buf_put_utf8(out, cp[j]);
            i += k;
        } else {
            if (p[i] == '&')
                lm_buf_putc(out, '&');
            i++; /* a line break or tab is dropped */
        }
    }
}

/* ---- the text writer: line breaks, collapsed spaces, quote prefixes, list markers --------- */

struct writer {
    lm_buf *out;
    unsigned newlines; /* line ends owed before the next text, at most MP_HTML_MAX_NEWLINES */
    int space;         /* a space owed before the next text on the same line */
    int started;       /* some text has been written */
    int at_bol;        /* a line end was written and nothing after it yet */
    size_t quote;      /* blockquote depth now */
    size_t line_quote; /* blockquote depth of the last line written */
    char marker[48];   /* a list marker waiting for the item's first text */
    size_t marker_len;
    int link_open;     /* an <a> waits for its first text to record where that text starts */
    size_t link_start; /* offset in out of the current link's text */
};

static void w_break(struct writer *w, unsigned n)
{
    if (w->started && w->newlines < n)
        w->newlines = n;
    w->space = 0;
}

/* <br>: one more line end, up to the blank-line limit. */
static void w_line_break(struct writer *w)
{
    if (w->started && w->newlines < MP_HTML_MAX_NEWLINES)
        w->newlines++;
    w->space = 0;
}

static void w_quote_prefix(struct writer *w, size_t depth, int trailing_space)
{
    if (depth > MP_HTML_MAX_QUOTE_DEPTH)
        depth = MP_HTML_MAX_QUOTE_DEPTH;
    for (size_t i = 0; i < depth; i++)
        lm_buf_putc(w->out, '>');
    if (depth && trailing_space)
        lm_buf_putc(w->out, ' ');
}

/* Writes the line ends owed; blank lines inside a quote get the '>' of the shallower side. */
static void w_flush_newlines(struct writer *w)
{
    if (!w->newlines)
        return;
    if (!w->at_bol)
        lm_buf_putc(w->out, '\n');
    for (w->newlines--; w->newlines; w->newlines--) {
        w_quote_prefix(w, w->line_quote < w->quote ? w->line_quote : w->quote, 0);
        lm_buf_putc(w->out, '\n');
    }
    w->at_bol = 1;
}

/* Everything owed before text: line ends, the quote prefix, the list marker or a space. */
static void w_begin_text(struct writer *w)
{
    if (!w->started) {
        w->started = 1;
        w->at_bol = 1;
        w->newlines = 0;
    }
    w_flush_newlines(w);
    if (w->at_bol) {
        w_quote_prefix(w, w->quote, 1);
        lm_buf_append(w->out, w->marker, w->marker_len);
        w->marker_len = 0;
        w->line_quote = w->quote;
        w->at_bol = 0;
    } else if (w->space) {
        lm_buf_putc(w->out, ' ');
    }
    w->space = 0;
    if (w->link_open) {
        w->link_start = w->out->len;
        w->link_open = 0;
    }
}

static void w_text(struct writer *w, const char *p, size_t n)
{
    w_begin_text(w);
    lm_buf_append(w->out, p, n);
}

/* A line end inside <pre>: written as is, not collapsed. */
static void w_pre_newline(struct writer *w)
{
    if (!w->started)
        return;
    w_flush_newlines(w);
    if (w->at_bol)
        w_quote_prefix(w, w->quote, 0);
    lm_buf_putc(w->out, '\n');
    w->at_bol = 1;
    w->space = 0;
}

/* ---- HTML to text ------------------------------------------------------------------------ */

enum elem_kind {
    EL_OTHER, EL_BLOCK, EL_PARA, EL_BR, EL_LI, EL_LIST, EL_QUOTE, EL_PRE, EL_HR, EL_A, EL_IMG,
    EL_CELL, EL_RAW, EL_HEAD, EL_BODY, EL_HEAD_CONTENT
};

#define TAG_NAME_MAX 16 /* longer names match no element below */

struct elem {
    char name[TAG_NAME_MAX]; /* zero-padded, so that names compare in one fixed-size memcmp */
    size_t len;
    enum elem_kind kind;
};

#define EL(name, kind) {name, sizeof name - 1, kind}
#define ELEM_PER_LETTER 10 /* the most elements sharing a first letter, plus the end mark */

/* The elements that change the text, by first letter. EL_RAW ones hold raw text that is
 * dropped (§13.1.2). */
static const struct elem elements[26][ELEM_PER_LETTER] = {
    ['a' - 'a'] = {EL("a", EL_A), EL("address", EL_BLOCK), EL("article", EL_BLOCK),
                   EL("aside", EL_BLOCK)},
    ['b' - 'a'] = {EL("base", EL_HEAD_CONTENT), EL("blockquote", EL_QUOTE), EL("body", EL_BODY),
                   EL("br", EL_BR)},
    ['c' - 'a'] = {EL("caption", EL_BLOCK), EL("center", EL_BLOCK)},
    ['d' - 'a'] = {EL("dd", EL_BLOCK), EL("details", EL_BLOCK), EL("dir", EL_LIST),
                   EL("div", EL_BLOCK), EL("dl", EL_PARA), EL("dt", EL_BLOCK)},
    ['f' - 'a'] = {EL("fieldset", EL_BLOCK), EL("figcaption", EL_BLOCK), EL("figure", EL_BLOCK),
                   EL("footer", EL_BLOCK), EL("form", EL_BLOCK)},
    ['h' - 'a'] = {EL("h1", EL_PARA), EL("h2", EL_PARA), EL("h3", EL_PARA), EL("h4", EL_PARA),
                   EL("h5", EL_PARA), EL("h6", EL_PARA), EL("head", EL_HEAD),
                   EL("header", EL_BLOCK), EL("hr", EL_HR)},
    ['i' - 'a'] = {EL("iframe", EL_RAW), EL("img", EL_IMG)},
    ['l' - 'a'] = {EL("legend", EL_BLOCK), EL("li", EL_LI), EL("link", EL_HEAD_CONTENT),
                   EL("listing", EL_PRE)},
    ['m' - 'a'] = {EL("main", EL_BLOCK), EL("menu", EL_LIST), EL("meta", EL_HEAD_CONTENT)},
    ['n' - 'a'] = {EL("nav", EL_BLOCK), EL("noembed", EL_RAW), EL("noframes", EL_RAW)},
    ['o' - 'a'] = {EL("ol", EL_LIST)},
    ['p' - 'a'] = {EL("p", EL_PARA), EL("pre", EL_PRE)},
    ['s' - 'a'] = {EL("script", EL_RAW), EL("section", EL_BLOCK), EL("style", EL_RAW),
                   EL("summary", EL_BLOCK)},
    ['t' - 'a'] = {EL("table", EL_BLOCK), EL("tbody", EL_BLOCK), EL("td", EL_CELL),
                   EL("template", EL_RAW), EL("tfoot", EL_BLOCK), EL("th", EL_CELL),
                   EL("thead", EL_BLOCK), EL("title", EL_RAW), EL("tr", EL_BLOCK)},
    ['u' - 'a'] = {EL("ul", EL_LIST)},
    ['x' - 'a'] = {EL("xmp", EL_RAW)},
};

struct tag {
    char name[TAG_NAME_MAX]; /* lowercased, zero-padded */
    size_t name_len; /* the real length, possibly over TAG_NAME_MAX */
    int is_end;
    enum elem_kind kind;
    const char *href, *alt, *start; /* raw attribute values (NULL when absent) */
    size_t href_len, alt_len, start_len;
};

struct list_level {
    int ordered;
    unsigned long next; /* the number of the next item of an ordered list */
};

struct html_state {
    struct writer w;
    const char *end;
    size_t pre;          /* <pre> depth */
    int pre_fresh;       /* just after <pre>: a first line end is dropped */
    int in_head;         /* text inside <head> is dropped */
    size_t list_depth;   /* may pass MP_HTML_MAX_LIST_DEPTH; levels past it are not stored */
    struct list_level lists[MP_HTML_MAX_LIST_DEPTH];
    const char *href;    /* the open link's raw href, or NULL */
    size_t href_len;
    lm_buf url;          /* scratch for the decoded href */
    const char *lt, *amp; /* the first '<' / '&' at or after where text was last scanned */
};

/* The kind of a tag's name (struct tag's name and name_len): a scan of the names with its
 * first letter. */
static enum elem_kind element_kind(const char name[TAG_NAME_MAX], size_t len)
{
    unsigned letter = (unsigned)(unsigned char)name[0] - 'a';
    if (len == 0 || len >= TAG_NAME_MAX || letter >= 26)
        return EL_OTHER;
    for (const struct elem *e = elements[letter]; e->len; e++)
        if (e->len == len && memcmp(e->name, name, TAG_NAME_MAX) == 0)
            return e->kind;
    return EL_OTHER;
}

/* ---- text content ---- */

/* Code points a reader never sees: soft hyphen, CGJ, zero-width space, word joiner, BOM. */
static int is_invisible(uint32_t cp)
{
    return cp == 0xAD || cp == 0x34F || cp == 0x200B || cp == 0x2060 || cp == 0xFEFF;
}

/* One character of text content; `bytes` is its UTF-8 form or NULL to encode `cp`. */
static void emit_char(struct html_state *st, uint32_t cp, const char *bytes, size_t n)
{
    struct writer *w = &st->w;
    int fresh = st->pre_fresh;
    st->pre_fresh = 0;
    if (st->in_head || is_invisible(cp))
        return;
    if (cp == 0)
        cp = 0xFFFD, bytes = NULL;
    if (st->pre) {
        if (cp == '\n' || cp == '\r') {
            if (!fresh)
                w_pre_newline(w);
            return;
        }
        if (cp == '\t' || cp == 0xA0 || cp == '\f')
            cp = cp == '\t' ? '\t' : ' ', bytes = NULL;
    } else if (lm_is_space((int)cp) || cp == '\f' || cp == 0xA0) {
        w->space = 1;
        return;
    }
    w_begin_text(w);
    if (bytes)
        lm_buf_append(w->out, bytes, n);
    else
        lm_buf_put_utf8(w->out, cp);
}

/* Whitespace outside <pre>: ASCII space, tab, line ends and form feed. */
static int is_collapsed_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

/* Length of the run of is_collapsed_space() bytes at s[0..n). */
static size_t space_run(const unsigned char *s, size_t n)
{
    size_t i = 0;
    while (i < n && is_collapsed_space(s[i]))
        i++;
    return i;
}

/* Length of the valid UTF-8 sequence at s[0..n) (s[0] >= 0x80) when text content copies it
 * unchanged, else 0: not invisible, not a no-break space. */
static size_t plain_utf8_len(const unsigned char *s, size_t n)
{
    uint32_t cp;
    size_t k = utf8_next(s, n, &cp);
    return cp == 0xFFFD || cp == 0xA0 || is_invisible(cp) ? 0 : k;
}

/* Length of the character at s[0..n) when text content copies its bytes unchanged, else 0:
 * printable ASCII, plain_utf8_len()'s characters and inside <pre> also space and tab.
 * Everything else goes through emit_char(). */
static size_t plain_char_len(const unsigned char *s, size_t n, int pre)
{
    if (s[0] >= 0x80)
        return plain_utf8_len(s, n);
    return (s[0] > 0x20 && s[0] < 0x7F) || (pre && (s[0] == ' ' || s[0] == '\t'));
}

/* Copies plain characters from s[0..n) after w_begin_text(); outside <pre> a whitespace run
 * between them is one space, as the writer would make it. Stops before any other character
 * and before whitespace that no plain character follows. Returns the bytes consumed. */
static size_t copy_plain(lm_buf *out, const unsigned char *s, size_t n, int pre)
{
    size_t i = 0, k = 0, c;
    if ((out->oom || out->cap - out->len <= n) && lm_buf_reserve(out, n))
        return n; /* out of memory; the output never outgrows the input */
    char *d = out->data + out->len;
    while (i < n) {
        if (s[i] > 0x20 && s[i] < 0x7F) {
            d[k++] = (char)s[i++];
        } else if (!pre && is_collapsed_space(s[i])) {
            c = 1 + space_run(s + i + 1, n - i - 1);
            if (i + c == n || !plain_char_len(s + i + c, n - i - c, pre))
                break;
            d[k++] = ' ';
            i += c;
        } else if ((c = plain_char_len(s + i, n - i, pre)) != 0) {
            memcpy(d + k, s + i, c);
            k += c, i += c;
        } else {
            break;
        }
    }
    out->len += k;
    out->data[out->len] = '\0';
    return i;
}

/* One character that copy_plain() does not take, with a CR LF inside <pre> as one line end.
 * Returns the bytes consumed. */
static size_t emit_other(struct html_state *st, const unsigned char *s, size_t n)
{
    uint32_t cp;
    size_t k = utf8_next(s, n, &cp);
    if (cp == '\r' && n > 1 && s[1] == '\n')
        return 1;
    emit_char(st, cp, cp == 0xFFFD ? NULL : (const char *)s, k);
    return k;
}

/* A run of text without markup or references. CR LF inside <pre> counts as one line end. */
static void emit_text(struct html_state *st, const char *p, size_t n)
{
    const unsigned char *s = (const unsigned char *)p;
    if (st->in_head) { /* dropped, as emit_char() drops each character */
        if (n)
            st->pre_fresh = 0;
        return;
    }
    for (size_t i = 0, r; i < n;) {
        int pre = st->pre != 0;
        if (!pre && (r = space_run(s + i, n - i)) != 0) {
            st->w.space = 1;
            st->pre_fresh = 0;
            i += r;
        } else if (plain_char_len(s + i, n - i, pre)) {
            st->pre_fresh = 0;
            w_begin_text(&st->w);
            i += copy_plain(st->w.out, s + i, n - i, pre);
        } else {
            i += emit_other(st, s + i, n - i);
        }
    }
}

/* The first `c` at or after p, or end. The answer is kept in *at, so that text cut into
 * many tokens is still scanned once. */
static const char *next_of(const char **at, const char *p, const char *end, int c)
{
    if (!*at || *at < p) {
        *at = memchr(p, c, (size_t)(end - p));
        if (!*at)
            *at = end;
    }
    return *at;
}

/* Text at p (not '<'): a reference or the run up to the next '<' or '&'. */
static const char *text_token(struct html_state *st, const char *p)
{
    size_t n = (size_t)(st->end - p);
    if (*p == '&') {
        uint32_t cp[2];
        int ncp;
        size_t k = decode_ref(p, n, 0, cp, &ncp);
        if (k == 0) {
            emit_char(st, '&', p, 1);
            return p + 1;
        }
        for (int j = 0; j < ncp; j++)
            emit_char(st, cp[j], NULL, 0);
        return p + k;
    }
    const char *lt = next_of(&st->lt, p, st->end, '<');
    const char *amp = next_of(&st->amp, p, st->end, '&');
    const char *stop = amp < lt ? amp : lt;
    emit_text(st, p, (size_t)(stop - p));
    return stop;
}

/* ---- links ---- */

static int has_prefix_nocase(const char *s, size_t n, const char *lit)
{
    size_t l = strlen(lit);
    return n >= l && lm_strncasecmp(s, lit, l) == 0;
}

/* A URL as a reader compares it: without "http(s)://" and a final '/'. */
static void url_core(const char **s, size_t *n)
{
    while (*n && lm_is_space((unsigned char)**s))
        (*s)++, (*n)--;
    while (*n && lm_is_space((unsigned char)(*s)[*n - 1]))
        (*n)--;
    if (has_prefix_nocase(*s, *n, "https://"))
        *s += 8, *n -= 8;
    else if (has_prefix_nocase(*s, *n, "http://"))
        *s += 7, *n -= 7;
    if (*n && (*s)[*n - 1] == '/')
        (*n)--;
}

static int same_url(const char *a, size_t an, const char *b, size_t bn)
{
    url_core(&a, &an);
    url_core(&b, &bn);
    return an == bn && lm_strncasecmp(a, b, an) == 0;
}

/* </a>: writes " <url>" after the link text unless the text already says it. Fragment-only,
 * javascript: and data: links are not shown; mailto: shows the address. */
static void close_link(struct html_state *st)
{
    struct writer *w = &st->w;
    const char *url;
    size_t url_len;
    int had_text = !w->link_open && st->href;
    w->link_open = 0;
    if (!had_text || st->href_len > MP_HTML_MAX_URL) {
        st->href = NULL;
        return;
    }
    lm_buf_reset(&st->url);
    decode_attr_url(&st->url, st->href, st->href_len);
    st->href = NULL;
    url = st->url.data ? st->url.data : "";
    url_len = st->url.len;
    if (url_len == 0 || url[0] == '#' || has_prefix_nocase(url, url_len, "javascript:") ||
        has_prefix_nocase(url, url_len, "data:"))
        return;
    if (has_prefix_nocase(url, url_len, "mailto:")) {
        const char *q = memchr(url, '?', url_len);
        url += 7;
        url_len = (q ? (size_t)(q - url) : url_len - 7);
        if (url_len == 0)
            return;
    }
    if (same_url(w->out->data + w->link_start, w->out->len - w->link_start, url, url_len))
        return;
    w->space = 1;
    w_text(w, "<", 1);
    put_utf8_clean(w->out, url, url_len);
    lm_buf_putc(w->out, '>');
}

static void open_link(struct html_state *st, const struct tag *t)
{
    if (st->href || st->w.link_open)
        close_link(st);
    if (!t->href)
        return;
    st->href = t->href;
    st->href_len = t->href_len;
    st->w.link_open = 1;
}

/* ---- lists ---- */

static unsigned long parse_ol_start(const struct tag *t)
{
    unsigned long v = 0;
    size_t i = 0;
    if (!t->start)
        return 1;
    while (i < t->start_len && lm_is_space((unsigned char)t->start[i]))
        i++;
    if (i == t->start_len || !lm_is_digit(t->start[i]))
        return 1;
    for (; i < t->start_len && lm_is_digit(t->start[i]); i++)
        v = v >= MP_HTML_MAX_OL_START ? v : v * 10 + (unsigned long)(t->start[i] - '0');
    return v > MP_HTML_MAX_OL_START ? MP_HTML_MAX_OL_START : v;
}

static void list_open(struct html_state *st, const struct tag *t)
{
    w_break(&st->w, st->list_depth ? 1 : 2);
    if (st->list_depth < MP_HTML_MAX_LIST_DEPTH) {
        struct list_level *l = &st->lists[st->list_depth];
        l->ordered = t->name[0] == 'o';
        l->next = l->ordered ? parse_ol_start(t) : 1;
    }
    st->list_depth++;
}

static void list_close(struct html_state *st)
{
    if (st->list_depth == 0)
        return;
    st->list_depth--;
    w_break(&st->w, st->list_depth ? 1 : 2);
}

/* <li>: the marker ("- " or "3. ", indented two spaces per level) waits for the item's text. */
static void list_item(struct html_state *st)
{
    struct writer *w = &st->w;
    size_t depth = st->list_depth ? st->list_depth : 1;
    size_t stored = depth > MP_HTML_MAX_LIST_DEPTH ? MP_HTML_MAX_LIST_DEPTH : depth;
    struct list_level *l = NULL;
    if (st->list_depth && depth <= MP_HTML_MAX_LIST_DEPTH)
        l = &st->lists[depth - 1];
    size_t indent = 2 * (stored - 1);
    w_break(w, 1);
    memset(w->marker, ' ', indent);
    if (l && l->ordered) {
        int k = snprintf(w->marker + indent, sizeof w->marker - indent, "%lu. ", l->next);
        w->marker_len = indent + (k > 0 ? (size_t)k : 0);
        if (l->next < MP_HTML_MAX_OL_START)
            l->next++;
    } else {
        memcpy(w->marker + indent, "- ", 2);
        w->marker_len = indent + 2;
    }
}

/* ---- tags ---- */

enum { TC_SPACE = 1, TC_SLASH = 2, TC_GT = 4, TC_EQ = 8 };

/* The bytes that end tag names, attribute names and unquoted values (§13.2.5.32-38). */
static const unsigned char tag_class[256] = {
    [' '] = TC_SPACE, ['\t'] = TC_SPACE, ['\n'] = TC_SPACE, ['\r'] = TC_SPACE, ['\f'] = TC_SPACE,
    ['/'] = TC_SLASH, ['>'] = TC_GT, ['='] = TC_EQ,
};

/* Where the run of bytes from p that are in none of the `stop` classes ends. */
static const char *tag_scan(const char *p, const char *end, unsigned stop)
{
    while (p < end && !(tag_class[(unsigned char)*p] & stop))
        p++;
    return p;
}

static int is_tag_space(int c) { return tag_class[(unsigned char)c] & TC_SPACE; }

static void keep_attr(struct tag *t, const char *name, size_t nlen, const char *v, size_t vlen)
{
    if (!t->href && lm_eq_nocase(name, nlen, "href"))
        t->href = v, t->href_len = vlen;
    else if (!t->alt && lm_eq_nocase(name, nlen, "alt"))
        t->alt = v, t->alt_len = vlen;
    else if (!t->start && lm_eq_nocase(name, nlen, "start"))
        t->start = v, t->start_len = vlen;
}

/* One attribute at p (not space, '/' or '>'). Returns the position after it, or NULL when
 * the input ends inside a quoted value. */
static const char *parse_attr(const char *p, const char *end, struct tag *t)
{
    const char *name = p, *v = p;
    size_t vlen = 0;
    p = tag_scan(p + 1, end, TC_SPACE | TC_SLASH | TC_GT | TC_EQ); /* a first '=' is name */
    size_t nlen = (size_t)(p - name);
    const char *q = p;
    while (q < end && is_tag_space((unsigned char)*q))
        q++;
    if (q < end && *q == '=') {
        for (q++; q < end && is_tag_space((unsigned char)*q); q++)
            ;
        if (q < end && (*q == '"' || *q == '\'')) {
            const char *close = memchr(q + 1, *q, (size_t)(end - q - 1));
            if (!close)
                return NULL;
            v = q + 1;
            vlen = (size_t)(close - v);
            p = close + 1;
        } else {
            v = q;
            p = tag_scan(q, end, TC_SPACE | TC_GT);
            vlen = (size_t)(p - v);
        }
    }
    keep_attr(t, name, nlen, v, vlen);
    return p;
}

/* A tag at p: "<name" or "</name" (name starting with a letter). Returns the position after
 * its '>', or NULL when the input ends inside it (the tag is then dropped, §13.2.5.32). */
static const char *parse_tag(const char *p, const char *end, struct tag *t)
{
    memset(t, 0, sizeof *t);
    t->is_end = p[1] == '/';
    p += t->is_end ? 2 : 1;
    const char *name = p;
    p = tag_scan(p, end, TC_SPACE | TC_SLASH | TC_GT);
    t->name_len = (size_t)(p - name);
    for (size_t i = 0; i < t->name_len && i < TAG_NAME_MAX; i++)
        t->name[i] = (char)lm_to_lower((unsigned char)name[i]);
    t->kind = element_kind(t->name, t->name_len);
    while (p && p < end) {
        unsigned c = tag_class[(unsigned char)*p];
        if (c & TC_GT)
            return p + 1;
        if (c & (TC_SPACE | TC_SLASH))
            p++;
        else
            p = parse_attr(p, end, t);
    }
    return NULL;
}

/* Skips the raw text of <script>, <style>, ...: up to "</name" followed by a tag delimiter. */
static const char *skip_raw_text(const char *p, const char *end, const struct tag *t)
{
    while (p < end) {
        const char *lt = memchr(p, '<', (size_t)(end - p));
        if (!lt)
            return end;
        p = lt + 1;
        size_t room = (size_t)(end - p);
        if (room > t->name_len + 1 && p[0] == '/' &&
            lm_strncasecmp(p + 1, t->name, t->name_len) == 0) {
            int c = (unsigned char)p[1 + t->name_len];
            if (is_tag_space(c) || c == '/' || c == '>')
                return lt;
        }
    }
    return end;
}

static void img_alt(struct html_state *st, const struct tag *t)
{
    if (!t->alt)
        return;
    for (size_t i = 0; i < t->alt_len;) {
        uint32_t cp[2];
        int ncp;
        size_t k = t->alt[i] == '&' ? decode_ref(t->alt + i, t->alt_len - i, 1, cp, &ncp) : 0;
        if (k) {
            for (int j = 0; j < ncp; j++)
                emit_char(st, cp[j], NULL, 0);
            i += k;
            continue;
        }
        k = 1;
        while (i + k < t->alt_len && t->alt[i + k] != '&')
            k++;
        emit_text(st, t->alt + i, k);
        i += k;
    }
}

static void start_block(struct html_state *st, const struct tag *t)
{
    struct writer *w = &st->w;
    switch (t->kind) {
    case EL_BLOCK: w_break(w, 1); break;
    case EL_PARA: w_break(w, 2); break;
    case EL_BR: w_line_break(w); break;
    case EL_LI: list_item(st); break;
    case EL_LIST: list_open(st, t); break;
    case EL_QUOTE: w_break(w, 2); w->quote++; break;
    case EL_PRE: w_break(w, 2); st->pre++; st->pre_fresh = 1; break;
    case EL_HR: w_break(w, 1); w_text(w, "---", 3); w_break(w, 1); break;
    case EL_A: open_link(st, t); break;
    case EL_IMG: img_alt(st, t); break;
    case EL_CELL: w->space = w->started; break;
    default: break;
    }
}

static void end_block(struct html_state *st, const struct tag *t)
{
    struct writer *w = &st->w;
    switch (t->kind) {
    case EL_BLOCK: case EL_LI: w_break(w, 1); break;
    case EL_PARA: w_break(w, 2); break;
    case EL_BR: w_line_break(w); break;
    case EL_LIST: list_close(st); break;
    case EL_QUOTE: w_break(w, 2); w->quote -= w->quote > 0; break;
    case EL_PRE: w_break(w, 2); st->pre -= st->pre > 0; st->pre_fresh = 0; break;
    case EL_A: close_link(st); break;
    case EL_CELL: w->space = w->started; break;
    default: break;
    }
}

/* Acts on a parsed tag; returns where scanning goes on (after raw text for EL_RAW). */
static const char *handle_tag(struct html_state *st, const struct tag *t, const char *next)
{
    if (t->kind == EL_HEAD) {
        st->in_head = !t->is_end;
        return next;
    }
    if (t->kind == EL_BODY) {
        st->in_head = 0;
        return next;
    }
    if (t->kind == EL_RAW)
        return t->is_end ? next : skip_raw_text(next, st->end, t);
    if (t->kind != EL_OTHER && t->kind != EL_HEAD_CONTENT)
        st->in_head = 0;
    if (t->is_end)
        end_block(st, t);
    else
        start_block(st, t);
    return next;
}

/* "<!--" ... "-->" (or "--!>"); "<!-->" and "<!--->" are empty; unclosed runs to the end. */
static const char *skip_comment(const char *p, const char *end)
{
    p += 4;
    if (p < end && *p == '>')
        return p + 1;
    if (end - p >= 2 && p[0] == '-' && p[1] == '>')
        return p + 2;
    while (p < end) {
        const char *dash = memchr(p, '-', (size_t)(end - p));
        if (!dash)
            return end;
        if (end - dash >= 3 && dash[1] == '-' && dash[2] == '>')
            return dash + 3;
        if (end - dash >= 4 && dash[1] == '-' && dash[2] == '!' && dash[3] == '>')
            return dash + 4;
        p = dash + 1;
    }
    return end;
}

static const char *skip_to_gt(const char *p, const char *end)
{
    const char *gt = memchr(p, '>', (size_t)(end - p));
    return gt ? gt + 1 : end;
}

/* "<![CDATA[ ... ]]>": the content is kept as text (unclosed: up to the end). */
static const char *cdata_section(struct html_state *st, const char *p)
{
    const char *body = p + 9, *q = body;
    while (q < st->end) {
        const char *br = memchr(q, ']', (size_t)(st->end - q));
        if (!br)
            break;
        if (st->end - br >= 3 && br[1] == ']' && br[2] == '>') {
            emit_text(st, body, (size_t)(br - body));
            return br + 3;
        }
        q = br + 1;
    }
    emit_text(st, body, (size_t)(st->end - body));
    return st->end;
}

/* Markup at p[0] == '<': a tag, comment, CDATA, doctype or processing instruction. A '<'
 * that starts none of these is text. Returns the position after it. */
static const char *markup_token(struct html_state *st, const char *p)
{
    const char *end = st->end;
    size_t n = (size_t)(end - p);
    if (n >= 2 && (lm_is_alpha((unsigned char)p[1]) ||
                   (n >= 3 && p[1] == '/' && lm_is_alpha((unsigned char)p[2])))) {
        struct tag t;
        const char *next = parse_tag(p, end, &t);
        return next ? handle_tag(st, &t, next) : end;
    }
    if (n >= 4 && memcmp(p, "<!--", 4) == 0)
        return skip_comment(p, end);
    if (n >= 9 && memcmp(p, "<![CDATA[", 9) == 0)
        return cdata_section(st, p);
    if (n >= 3 && p[1] == '/' && p[2] == '>')
        return p + 3;
    if (n >= 3 && (p[1] == '!' || p[1] == '?' || p[1] == '/'))
        return skip_to_gt(p + 2, end);
    emit_char(st, '<', p, 1);
    return p + 1;
}

/* Drops the spaces and line ends the writer left at the end of its output. */
static void trim_output(lm_buf *out, size_t base)
{
    while (out->len > base && (out->data[out->len - 1] == ' ' || out->data[out->len - 1] == '\n'))
        out->len--;
    if (out->data)
        out->data[out->len] = '\0';
}

int mp_html_to_text(const char *html, size_t len, lm_buf *out)
{
    struct html_state st;
    size_t base = out->len;
    memset(&st, 0, sizeof st);
    st.w.out = out;
    st.end = html + len;
    for (const char *p = html; p < st.end && !out->oom;)
        p = *p == '<' ? markup_token(&st, p) : text_token(&st, p);
    if (st.href)
        close_link(&st);
    int rc = mp_buf_status(&st.url);
    lm_buf_free(&st.url);
    trim_output(out, base);
    return rc ? rc : mp_buf_status(out);
}

/* ---- text to HTML ------------------------------------------------------------------------ */

static void put_escaped(lm_buf *out, const char *p, size_t n)
{
    const unsigned char *s = (const unsigned char *)p;
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        size_t k = utf8_next(s + i, n - i, &cp);
        switch (cp) {
        case '&': lm_buf_puts(out, "&amp;"); break;
        case '<': lm_buf_puts(out, "&lt;"); break;
        case '>': lm_buf_puts(out, "&gt;"); break;
        case '"': lm_buf_puts(out, "&quot;"); break;
        case 0: case 0xFFFD: lm_buf_put_utf8(out, 0xFFFD); break;
        default: lm_buf_append(out, s + i, k); break;
        }
        i += k;
    }
}

static int is_url_char(unsigned char c)
{
    return c > 0x20 && c != 0x7F && c != '<' && c != '>' && c != '"';
}

/* Length of a URL ("http://", "https://" or "mailto:" and more) starting at p[0..n), or 0.
 * Trailing punctuation and an unbalanced ')' are left out. */
static size_t url_length(const char *p, size_t n)
{
    size_t scheme, len, open = 0, close = 0;
    if (has_prefix_nocase(p, n, "http://"))
        scheme = 7;
    else if (has_prefix_nocase(p, n, "https://"))
        scheme = 8;
    else if (has_prefix_nocase(p, n, "mailto:"))
        scheme = 7;
    else
        return 0;
    for (len = scheme; len < n && is_url_char((unsigned char)p[len]); len++) {
        open += p[len] == '(';
        close += p[len] == ')';
    }
    while (len > scheme) {
        char c = p[len - 1];
        if (c == ')' && close > open)
            close--;
        else if (!strchr(".,;:!?'*", c))
            break;
        len--;
    }
    return len > scheme ? len : 0;
}

/* One line of text: escaped, links made, runs of spaces kept with &nbsp;. */
static void text_line_to_html(lm_buf *out, const char *p, size_t n)
{
    size_t i = 0, run = 0;
    int prev_space = 1;
    while (i < n) {
        unsigned char c = (unsigned char)p[i];
        size_t u = 0;
        if (c == ' ' || c == '\t') {
            lm_buf_puts(out, prev_space ? "&nbsp;" : " ");
            prev_space = 1;
            i++;
            continue;
        }
        if ((c == 'h' || c == 'H' || c == 'm' || c == 'M') &&
            (i == 0 || !lm_is_alnum((unsigned char)p[i - 1])))
            u = url_length(p + i, n - i);
        if (u) {
            lm_buf_puts(out, "<a href=\"");
            put_escaped(out, p + i, u);
            lm_buf_puts(out, "\">");
            put_escaped(out, p + i, u);
            lm_buf_puts(out, "</a>");
            i += u;
        } else {
            for (run = 1; i + run < n && p[i + run] != ' ' && p[i + run] != '\t' &&
                          !lm_is_alpha((unsigned char)p[i + run]); run++)
                ;
            put_escaped(out, p + i, run);
            i += run;
        }
        prev_space = 0;
    }
}

/* The quote depth of a line: leading '>' marks, "> > " spacing allowed; *skip gets the
 * length of the marks and the one space after them. */
static size_t quote_depth(const char *p, size_t n, size_t *skip)
{
    size_t depth = 0, i = 0;
    while (i < n && p[i] == '>') {
        depth++;
        i++;
        if (i + 1 < n && p[i] == ' ' && p[i + 1] == '>')
            i++;
    }
    if (depth && i < n && p[i] == ' ')
        i++;
    *skip = i;
    return depth;
}

static int is_blank(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!lm_is_space((unsigned char)p[i]))
            return 0;
    return 1;
}

struct html_doc {
    lm_buf *out;
    size_t depth;  /* blockquotes open */
    int in_para;   /* a <p> is open */
};

static void doc_close_para(struct html_doc *d)
{
    if (d->in_para)
        lm_buf_puts(d->out, "</p>\n");
    d->in_para = 0;
}

static void doc_set_depth(struct html_doc *d, size_t depth)
{
    if (depth > MP_TEXT_MAX_QUOTE_DEPTH)
        depth = MP_TEXT_MAX_QUOTE_DEPTH;
    if (depth != d->depth)
        doc_close_para(d);
    for (; d->depth < depth; d->depth++)
        lm_buf_puts(d->out, "<blockquote type=\"cite\">\n");
    for (; d->depth > depth; d->depth--)
        lm_buf_puts(d->out, "</blockquote>\n");
}

static void doc_line(struct html_doc *d, const char *p, size_t n)
{
    size_t skip;
    size_t depth = quote_depth(p, n, &skip);
    doc_set_depth(d, depth);
    p += skip;
    n -= skip;
    if (is_blank(p, n)) {
        doc_close_para(d);
        return;
    }
    lm_buf_puts(d->out, d->in_para ? "<br>\n" : "<p>");
    d->in_para = 1;
    text_line_to_html(d->out, p, n);
}

int mp_text_to_html(const char *text, size_t len, lm_buf *out)
{
    struct html_doc d = {out, 0, 0};
    size_t i = 0;
    while (i < len && !out->oom) {
        size_t e = i;
        while (e < len && text[e] != '\n' && text[e] != '\r')
            e++;
        doc_line(&d, text + i, e - i);
        if (e < len && text[e] == '\r' && e + 1 < len && text[e + 1] == '\n')
            e++;
        i = e + 1;
    }
    doc_close_para(&d);
    doc_set_depth(&d, 0);
    return mp_buf_status(out);
}

/* ---- previews ---------------------------------------------------------------------------- */

static int is_collapsible(uint32_t cp) { return lm_is_space((int)cp) || cp == '\f' || cp == 0xA0; }

struct preview {
    lm_buf *out;
    size_t base;
    size_t count;      /* code points written */
    size_t last_start; /* offset of the last code point written */
    size_t space_at;   /* offset of the last space written (0 = none), and its index */
    size_t space_index;
};

/* Cuts the preview to at most `max` code points including the "…" it appends. */
static void preview_cut(struct preview *pv, size_t max)
{
    lm_buf *out = pv->out;
    size_t keep = max - 1; /* code points of text: count == max now, drop the last */
    out->len = pv->last_start;
    size_t window = MP_PREVIEW_WORD_WINDOW;
    if (pv->space_at && pv->space_index * window >= keep * (window - 1))
        out->len = pv->space_at;
    while (out->len > pv->base && out->data[out->len - 1] == ' ')
        out->len--;
    out->data[out->len] = '\0';
    lm_buf_puts(out, "\xE2\x80\xA6");
}

int mp_preview(const char *text, size_t len, size_t max_chars, lm_buf *out)
{
    const unsigned char *s = (const unsigned char *)text;
    struct preview pv = {out, out->len, 0, out->len, 0, 0};
    int space = 0;
    for (size_t i = 0; i < len && max_chars && !out->oom;) {
        uint32_t cp;
        size_t k = utf8_next(s + i, len - i, &cp);
        const char *bytes = cp == 0xFFFD || cp == 0 ? "\xEF\xBF\xBD" : text + i;
        size_t blen = cp == 0xFFFD || cp == 0 ? 3 : k;
        i += k;
        if (is_collapsible(cp)) {
            space = pv.count > 0;
            continue;
        }
        for (int pass = space ? 0 : 1; pass < 2; pass++) {
            if (pv.count == max_chars) {
                preview_cut(&pv, max_chars);
                return mp_buf_status(out);
            }
            pv.last_start = out->len;
            if (pass == 0) {
                pv.space_at = out->len;
                pv.space_index = pv.count;
                lm_buf_putc(out, ' ');
            } else {
                lm_buf_append(out, bytes, blen);
            }
            pv.count++;
        }
        space = 0;
    }
    return mp_buf_status(out);
}

/* ---- thread base subject (RFC 5256 §2.1) ------------------------------------------------- */

/* Reply and forward prefixes: RFC 5256's re/fw/fwd plus the ones mail clients localize. */
static const char *const subject_prefixes[] = {
    "re", "fwd", "fw", "aw", "wg", "sv", "vs", "vb", "vl", "antw", "doorst", "tr", "rif", "r", "i",
    "odp", "pd", "ynt", "ilt", "res", "enc", "rv", "ref", "odg", "atb", "ats", "pārs", "vá",
    "továbbítás", "svar", "balas", "回复", "转发", "答复", "轉寄", "回覆", "轉發", "返信", "転送",
    "회신", "전달", "ответ", "отв", "пересл", "απ", "σχετ", "πρθ", "השב", "הועבר", "رد",
};

/* A simple case fold for the scripts the prefixes use (ASCII, Latin-1, Latin Extended-A
 * pairs, Greek, Cyrillic; 'İ' as 'i'). */
static uint32_t fold_case(uint32_t c)
{
    if (c < 0x80)
        return (uint32_t)lm_to_lower((int)c);
    if (c == 0x130)
        return 'i';
    if ((c >= 0xC0 && c <= 0xDE && c != 0xD7) || (c >= 0x391 && c <= 0x3A9) ||
        (c >= 0x410 && c <= 0x42F))
        return c + 0x20;
    if (c >= 0x400 && c <= 0x40F)
        return c + 0x50;
    if (c >= 0x100 && c <= 0x137)
        return c | 1;
    return c;
}

/* Length of `prefix` matched case-insensitively at s[0..n), or 0. */
static size_t match_folded(const char *s, size_t n, const char *prefix)
{
    const unsigned char *a = (const unsigned char *)s, *b = (const unsigned char *)prefix;
    size_t i = 0, j = 0, bn = strlen(prefix);
    while (j < bn) {
        uint32_t ca, cb;
        if (i >= n)
            return 0;
        i += utf8_next(a + i, n - i, &ca);
        j += utf8_next(b + j, bn - j, &cb);
        if (fold_case(ca) != fold_case(cb))
            return 0;
    }
    return i;
}

/* subj-blob: "[" *BLOBCHAR "]" *WSP at s[i]; returns the position after it, or 0. */
static size_t subject_blob(const char *s, size_t i, size_t n)
{
    if (i >= n || s[i] != '[')
        return 0;
    for (size_t j = i + 1; j < n; j++) {
        if (s[j] == '[')
            return 0;
        if (s[j] == ']') {
            for (j++; j < n && s[j] == ' '; j++)
                ;
            return j;
        }
    }
    return 0;
}

/* The rest of subj-refwd after a prefix: *WSP ["[n]" / "(n)"] *WSP (":" / "："). */
static size_t subject_refwd_tail(const char *s, size_t i, size_t n)
{
    size_t b;
    while (i < n && s[i] == ' ')
        i++;
    if ((b = subject_blob(s, i, n)) != 0) {
        i = b;
    } else if (i < n && s[i] == '(') {
        size_t j = i + 1;
        while (j < n && lm_is_digit(s[j]))
            j++;
        if (j > i + 1 && j < n && s[j] == ')')
            for (i = j + 1; i < n && s[i] == ' '; i++)
                ;
    }
    if (i < n && s[i] == ':')
        return i + 1;
    if (n - i >= 3 && memcmp(s + i, "\xEF\xBC\x9A", 3) == 0)
        return i + 3;
    return 0;
}

/* subj-refwd at s[i]: a known prefix and its tail; returns the position after it, or 0. */
static size_t subject_refwd(const char *s, size_t i, size_t n)
{
    for (size_t k = 0; k < sizeof subject_prefixes / sizeof subject_prefixes[0]; k++) {
        size_t m = match_folded(s + i, n - i, subject_prefixes[k]);
        size_t e = m ? subject_refwd_tail(s, i + m, n) : 0;
        if (e)
            return e;
    }
    return 0;
}

/* Steps 3-5: removes subj-leader and subj-blob prefixes while any match. A run of blobs not
 * followed by a subj-refwd is removed in one go, as repeating step 4 would, keeping the last
 * when nothing follows it. */
static size_t strip_leaders(const char *s, size_t a, size_t b)
{
    while (a < b) {
        if (s[a] == ' ') {
            a++;
            continue;
        }
        size_t q = a, last = a, e;
        while ((e = subject_blob(s, q, b)) != 0)
            last = q, q = e;
        if ((e = subject_refwd(s, q, b)) != 0) {
            a = e;
            continue;
        }
        if (q == a)
            break;
        if (q >= b)
            return last;
        a = q;
    }
    return a;
}

/* Step 2: removes subj-trailer ("(fwd)" or a space) from the end while any is left. */
static size_t strip_trailers(const char *s, size_t a, size_t b)
{
    while (b > a) {
        if (s[b - 1] == ' ')
            b--;
        else if (b - a >= 5 && lm_strncasecmp(s + b - 5, "(fwd)", 5) == 0)
            b -= 5;
        else
            break;
    }
    return b;
}

/* Step 1: whitespace (and invalid UTF-8, as U+FFFD) normalized, runs of spaces as one. */
static void subject_normalize(const char *in, size_t len, lm_buf *norm)
{
    const unsigned char *s = (const unsigned char *)in;
    for (size_t i = 0; i < len;) {
        uint32_t cp;
        size_t k = utf8_next(s + i, len - i, &cp);
        if (lm_is_space((int)cp) || cp == 0xA0 || cp == 0x3000) {
            if (norm->len && norm->data[norm->len - 1] != ' ')
                lm_buf_putc(norm, ' ');
        } else if (cp == 0xFFFD || cp == 0) {
            lm_buf_put_utf8(norm, 0xFFFD);
        } else {
            lm_buf_append(norm, s + i, k);
        }
        i += k;
    }
}

int mp_thread_subject(const char *subject, size_t len, lm_buf *out)
{
    lm_buf norm = LM_BUF_INIT;
    subject_normalize(subject, len, &norm);
    const char *s = norm.data ? norm.data : "";
    size_t a = 0, b = norm.len;
    for (;;) {
        b = strip_trailers(s, a, b);
        a = strip_leaders(s, a, b);
        if (b - a < 6 || lm_strncasecmp(s + a, "[fwd:", 5) != 0 || s[b - 1] != ']')
            break;
        a += 5; /* step 6: "[fwd:" ... "]" unwrapped, then from step 2 again */
        b--;
    }
    lm_buf_append(out, s + a, b - a);
    int rc = mp_buf_status(&norm);
    lm_buf_free(&norm);
    return rc ? rc : mp_buf_status(out);
}

/* ---- public wrappers --------------------------------------------------------------------- */

typedef int (*text_fn)(const char *in, size_t len, lm_buf *out);

static int run_to_caller(text_fn fn, const char *in, size_t len, char **out, size_t *out_len)
{
    lm_buf b = LM_BUF_INIT;
    if (!out || (!in && len))
        return MAILPARSE_E_INVAL;
    *out = NULL;
    if (out_len)
        *out_len = 0;
    return mp_hand_out(&b, fn(in ? in : "", len, &b), out, out_len);
}

int mailparse_html_to_text(const char *html, size_t len, char **out, size_t *out_len)
{
    return run_to_caller(mp_html_to_text, html, len, out, out_len);
}

int mailparse_text_to_html(const char *text, size_t len, char **out, size_t *out_len)
{
    return run_to_caller(mp_text_to_html, text, len, out, out_len);
}

int mailparse_thread_subject(const char *subject, size_t len, char **out, size_t *out_len)
{
    return run_to_caller(mp_thread_subject, subject, len, out, out_len);
}
