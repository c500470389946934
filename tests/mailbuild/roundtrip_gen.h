/* roundtrip_gen.h — a deterministic random message generator for the round-trip tests.
 *
 * rt_generate(seed) picks, from a splitmix64 stream seeded with `seed` (no libc rand), the
 * header fields (From, To/Cc with groups and empty groups, Subject, Date, Message-ID,
 * In-Reply-To, References, Keywords, a text field) and a tree of parts (at most 4 levels and
 * RT_MAX_PARTS parts), builds the message with libmailbuild — through the common shapes
 * (mailbuild_set_text/_html/_add_attachment/_add_inline) or the tree API — and serialises it.
 * Next to the bytes it records what was put in (rt_message), in the form a parser should give
 * it back: text bodies with every line end made CRLF, addresses as "local@domain" with the
 * local part unquoted, message ids without angle brackets.
 *
 * Whitespace in unstructured fields (Subject, the text field, Content-Description) is
 * expected back exactly: RFC 5322 §2.2.3 unfolding removes only the CRLF, so runs of spaces,
 * tabs and spaces at either end are content; a builder keeps them by folding only before
 * existing whitespace and by using RFC 2047 words (§5 (1)) where plain text cannot carry them.
 * Phrases (display names, group names, keywords) are expected back exactly too: RFC 5322
 * §3.2.4 keeps the whitespace inside a quoted-string, so a builder that needs it quotes.
 *
 * Everything the generator allocates lives in one rt_case and goes with rt_case_free().
 * The users of this header are test programs: allocation failure ends the program.
 */
#ifndef ROUNDTRIP_GEN_H
#define ROUNDTRIP_GEN_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mailbuild.h"

#define RT_MAX_ADDRS 16
#define RT_MAX_GROUPS 8
#define RT_MAX_IDS 8
#define RT_MAX_KEYWORDS 6
#define RT_MAX_PARAMS 4
#define RT_MAX_CHILDREN 12
#define RT_MAX_PARTS 12   /* parts in one message, nested messages' parts included */
#define RT_MAX_DEPTH 4    /* levels of parts below the message, the root being level 1 */

/* ------------------------------------------------------------------------------------------ */
/* Expected values                                                                             */

typedef struct rt_mailbox {
    const char *name;    /* "" when the mailbox has no display name */
    const char *address; /* "local@domain", the local part unquoted */
    int group;           /* index into rt_addrs.groups, or -1 */
} rt_mailbox;

typedef struct rt_addrs {
    int present;         /* the field was written */
    size_t count;
    rt_mailbox items[RT_MAX_ADDRS];
    size_t group_count;
    const char *groups[RT_MAX_GROUPS];
} rt_addrs;

typedef enum { RT_MULTIPART, RT_TEXT, RT_BINARY, RT_MESSAGE } rt_kind;

typedef struct rt_param {
    const char *name;    /* lowercase */
    const char *value;
} rt_param;

struct rt_message;

typedef struct rt_part {
    rt_kind kind;
    const char *type, *subtype;     /* lowercase */
    const char *charset;            /* RT_TEXT: the charset expected in Content-Type */
    size_t param_count;             /* the caller's own Content-Type parameters */
    rt_param params[RT_MAX_PARAMS];
    const char *filename;           /* NULL: none */
    const char *disposition;        /* NULL: none was asked for (then not compared) */
    const char *content_id;         /* NULL: none */
    const char *description;        /* NULL: none */
    const unsigned char *body;      /* RT_TEXT: UTF-8 text with CRLF line ends; RT_BINARY:
                                     * the bytes; RT_MESSAGE: the nested message's bytes */
    size_t body_len;
    struct rt_message *nested;      /* RT_MESSAGE */
    size_t child_count;             /* RT_MULTIPART */
    struct rt_part *children[RT_MAX_CHILDREN];
} rt_part;

enum {
    RT_SHAPE_COMMON = 0,  /* body from the common shapes */
    RT_SHAPE_TREE = 1     /* body from the tree API */
};

typedef struct rt_message {
    unsigned flags;                 /* MAILBUILD_F_* the message was built with */
    int shape;                      /* RT_SHAPE_* */
    rt_addrs from, to, cc;
    const char *subject;            /* NULL: no Subject */
    int has_date;
    int64_t date;
    int date_offset;
    const char *message_id;         /* set by the caller, without <>; NULL: generated or none */
    const char *message_id_suffix;  /* generated: "@" + the expected right side; NULL: none */
    size_t in_reply_to_count;
    const char *in_reply_to[RT_MAX_IDS];
    size_t references_count;
    const char *references[RT_MAX_IDS];
    size_t keyword_count;
    const char *keywords[RT_MAX_KEYWORDS];
    const char *text_header_name;   /* NULL: none */
    const char *text_header_value;
    rt_part *root;
} rt_message;

typedef struct rt_pool {
    void **ptrs;
    size_t count, cap;
} rt_pool;

/* One generated case: the expected values, the message bytes, and the builder's state. */
typedef struct rt_case {
    uint64_t seed;
    rt_message *msg;
    char *raw;                      /* mailbuild_to_buffer() of the message (mailbuild_free) */
    size_t raw_len;
    size_t size_first;              /* mailbuild_size() before mailbuild_to_buffer(), or
                                     * SIZE_MAX when the buffer was made first */
    mailbuild_message *built;       /* the message object, still alive */
    char build_error[512];          /* "" or the first builder call that failed */
    rt_pool pool;
} rt_case;

/* ------------------------------------------------------------------------------------------ */
/* Random numbers: splitmix64                                                                  */

typedef struct rt_rng {
    uint64_t state;
    unsigned repeat;    /* rt_random_fn(): draws still to fill with RT_REPEAT_BYTE */
} rt_rng;

/* With a random source that repeats this byte, libmailbuild's boundary is "=_" followed by
 * its hex digits; text bodies then hold that delimiter line, which the builder must notice
 * (RFC 2046 §5.1.1) and draw again. */
#define RT_REPEAT_BYTE 0x07
#define RT_REPEAT_DELIMITER "--=_070707070707070707070707"

static inline uint64_t rt_next(rt_rng *r)
{
    uint64_t z = (r->state += UINT64_C(0x9E3779B97F4A7C15));
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

/* A number in [0, n); 0 when n is 0. */
static inline size_t rt_below(rt_rng *r, size_t n)
{
    return n ? (size_t)(rt_next(r) % n) : 0;
}

static inline size_t rt_range(rt_rng *r, size_t lo, size_t hi)
{
    return lo + rt_below(r, hi - lo + 1);
}

static inline int rt_chance(rt_rng *r, unsigned percent)
{
    return rt_below(r, 100) < percent;
}

#define RT_PICK(r, arr) ((arr)[rt_below((r), sizeof(arr) / sizeof((arr)[0]))])

/* The builder's randomness and clock (mailbuild_options.random / .clock). */
static inline void rt_random_fn(void *user, unsigned char *buf, size_t len)
{
    rt_rng *r = user;
    if (r->repeat) {
        r->repeat--;
        memset(buf, RT_REPEAT_BYTE, len);
        return;
    }
    for (size_t i = 0; i < len; i++)
        buf[i] = (unsigned char)rt_next(r);
}

static inline int64_t rt_clock_fn(void *user)
{
    return *(const int64_t *)user;
}

/* ------------------------------------------------------------------------------------------ */
/* Memory                                                                                      */

static inline void *rt_xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q) {
        fprintf(stderr, "roundtrip: out of memory\n");
        exit(1);
    }
    return q;
}

static inline void *rt_alloc(rt_pool *pool, size_t n)
{
    if (pool->count == pool->cap) {
        pool->cap = pool->cap ? pool->cap * 2 : 64;
        pool->ptrs = rt_xrealloc(pool->ptrs, pool->cap * sizeof *pool->ptrs);
    }
    void *p = rt_xrealloc(NULL, n);
    memset(p, 0, n);
    pool->ptrs[pool->count++] = p;
    return p;
}

static inline char *rt_strndup(rt_pool *pool, const char *s, size_t n)
{
    char *p = rt_alloc(pool, n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

static inline char *rt_strdup(rt_pool *pool, const char *s)
{
    return rt_strndup(pool, s, strlen(s));
}

/* A growing byte string. */
typedef struct rt_buf {
    char *p;
    size_t len, cap;
} rt_buf;

static inline void rt_buf_add(rt_buf *b, const void *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 64;
        while (cap < b->len + n + 1)
            cap *= 2;
        b->p = rt_xrealloc(b->p, cap);
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static inline void rt_buf_puts(rt_buf *b, const char *s)
{
    rt_buf_add(b, s, strlen(s));
}

static inline void rt_buf_putc(rt_buf *b, char c)
{
    rt_buf_add(b, &c, 1);
}

/* Moves the buffer's bytes into the pool (NUL-terminated) and empties it. */
static inline char *rt_buf_take(rt_pool *pool, rt_buf *b, size_t *len)
{
    char *s = rt_strndup(pool, b->p ? b->p : "", b->len);
    if (len)
        *len = b->len;
    free(b->p);
    b->p = NULL;
    b->len = b->cap = 0;
    return s;
}

/* ------------------------------------------------------------------------------------------ */
/* Word pools                                                                                  */

static const char *const rt_ascii_words[] = {
    "hello", "world", "Meeting", "notes", "for", "the", "quarterly", "review", "a", "I",
    "Re:", "Fwd:", "RE:", "[list]", "x", "mail", "test", "foo", "bar", "baz", "Invoice",
    "#42", "100%", "50$", "don't", "it's", "e-mail", "C++", "a.b", "1.2.3", "v2", "OK!",
    "what?", "yes/no", "key=value", "_under_", "~tilde", "^caret", "{brace}", "|pipe|",
    "Subject:", "From", "To", "wrap", "78", "998", "=", "==", "=3D", "=20", "=?", "?=",
};

/* Words a naive builder would write unquoted into a phrase although they need quoting. */
static const char *const rt_special_words[] = {
    "Doe,", "O'Brien", "a.b.", "x@y", "(comment)", "<angle>", "semi;colon", "back\\slash",
    "quote\"d", "\"", "\\", "[bracket]", "colon:", "a,b", ".", "..", "@", "<", ">", "(", ")",
    ",", ";", ":", "'", "\"\"", "a\\\"b",
};

/* Text that looks like an RFC 2047 encoded word and must come back as typed. */
static const char *const rt_encoded_lookalikes[] = {
    "=?utf-8?q?hello?=", "=?x?", "=?UTF-8?B?SGVsbG8=?=", "=?iso-8859-1?q?caf=E9?=", "?=",
    "=?utf-8?q?a_b?==?utf-8?q?c?=", "=?=", "=?\?=", "=?utf-8?Q?", "a=?b?c?d?=e",
};

static const char *const rt_unicode_words[] = {
    "café", "Ünïcödé", "Straße", "naïve", "Ωμέγα", "Привет", "мир", "中文字符", "日本語のテキスト",
    "テスト", "한국어", "😀", "🎉🎉", "👨‍👩‍👧", "🇫🇷", "עברית", "שלום", "العربية", "مرحبا",
    "e\xcc\x81", "Zoë", "Ñandú", "ﬁ", "€100", "½", "™", "‘quotes’", "“dq”", "…", "—",
    "ไทย", "हिन्दी", "Ελληνικά", "ÅÄÖ", "Łódź", "İstanbul", "𝔘𝔫𝔦", "𠜎𠜱",
};

/* Latin-1 words (no C1 controls) for parts written in iso-8859-1. */
static const char *const rt_latin1_words[] = {
    "café", "naïve", "Straße", "garçon", "señor", "Ålborg", "Ærø", "über", "©2024", "«quote»",
    "±5", "µs", "¿qué?", "½", "plain", "text", "déjà", "vu", "fiancée", "Müller",
};

static const char *const rt_domains[] = {
    "example.com", "example.org", "mail.example.net", "sub.domain.example", "x.example",
    "xn--bcher-kva.example", "a-b.example.co.uk", "123.example", "e.x.a.m.p.l.e.com",
};

static const char *const rt_unicode_domains[] = {
    "bücher.example", "例え.テスト", "пример.испытание", "münchen.example.de", "παράδειγμα.δοκιμή",
};

static const char *const rt_unicode_locals[] = {
    "用户", "josé", "Ωμέγα", "пользователь", "ユーザー", "müller.hans", "δοκιμή",
};

/* Local parts that are not dot-atoms, so the builder has to quote them. */
static const char *const rt_quoted_locals[] = {
    "john doe", "a..b", ".leading", "trailing.", "x@y", "quote\"d", "back\\slash", "(paren)",
    "comma,here", "semi;colon", "a  b", "\"", "<lt>", "[x]", "colon:x",
};

static const char *const rt_atext = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
                                    "!#$%&'*+/=?^_`{|}~-";
static const char *const rt_alnum = "abcdefghijklmnopqrstuvwxyz0123456789";

/* ------------------------------------------------------------------------------------------ */
/* Generator state                                                                             */

typedef struct rt_gen {
    rt_rng rng;
    rt_case *c;
    size_t parts_left;  /* parts the message (with nested ones) may still get */
    int nest_level;     /* 0 for the top-level message */
    int level_base;     /* levels above the root part of the message being built */
    int collide;        /* bodies of this message hold RT_REPEAT_DELIMITER lines */
} rt_gen;

static inline void rt_note_error(rt_gen *g, const char *call, const char *arg, int rc)
{
    if (rc == 0 || g->c->build_error[0])
        return;
    snprintf(g->c->build_error, sizeof g->c->build_error, "%s(%.200s) = %d (%s)%s", call,
             arg ? arg : "", rc, mailbuild_strerror(rc), g->nest_level ? " [nested message]" : "");
}

static inline char *rt_take(rt_gen *g, rt_buf *b)
{
    return rt_buf_take(&g->c->pool, b, NULL);
}

static inline void rt_add_chars(rt_gen *g, rt_buf *b, const char *set, size_t n)
{
    size_t k = strlen(set);
    for (size_t i = 0; i < n; i++)
        rt_buf_putc(b, set[rt_below(&g->rng, k)]);
}

/* ------------------------------------------------------------------------------------------ */
/* Header text                                                                                 */

enum {
    RT_TX_ASCII = 1u << 0,     /* only ASCII words */
    RT_TX_EDGES = 1u << 1,     /* spaces at either end now and then */
    RT_TX_RUNS = 1u << 2,      /* runs of spaces and tabs between words now and then */
    RT_TX_SPECIALS = 1u << 3   /* phrase specials and encoded-word look-alikes */
};

static inline void rt_add_word(rt_gen *g, rt_buf *b, unsigned opts)
{
    rt_rng *r = &g->rng;
    size_t kind = rt_below(r, 100);
    if (kind < 30 && !(opts & RT_TX_ASCII)) {
        rt_buf_puts(b, RT_PICK(r, rt_unicode_words));
    } else if (kind >= 30 && kind < 42 && (opts & RT_TX_SPECIALS)) {
        rt_buf_puts(b, RT_PICK(r, rt_special_words));
    } else if (kind >= 42 && kind < 48 && (opts & RT_TX_SPECIALS)) {
        rt_buf_puts(b, RT_PICK(r, rt_encoded_lookalikes));
    } else if (kind >= 48 && kind < 51) {
        /* one long word: nowhere to fold without encoding */
        rt_add_chars(g, b, rt_alnum, rt_range(r, 60, 140));
    } else {
        rt_buf_puts(b, RT_PICK(r, rt_ascii_words));
    }
}

static inline void rt_add_space(rt_gen *g, rt_buf *b, unsigned opts)
{
    rt_rng *r = &g->rng;
    if ((opts & RT_TX_RUNS) && rt_chance(r, 6)) {
        static const char *const runs[] = { "  ", "   ", "\t", " \t ", "    " };
        rt_buf_puts(b, RT_PICK(r, runs));
    } else {
        rt_buf_putc(b, ' ');
    }
}

/* Words between `lo` and `hi`; every so often a long text (over 200 characters). */
static inline char *rt_text(rt_gen *g, size_t lo, size_t hi, unsigned opts)
{
    rt_rng *r = &g->rng;
    rt_buf b = { 0 };
    size_t words = rt_chance(r, 8) ? rt_range(r, 30, 60) : rt_range(r, lo, hi);
    if ((opts & RT_TX_EDGES) && rt_chance(r, 4))
        rt_buf_puts(&b, rt_chance(r, 50) ? " " : "  ");
    for (size_t i = 0; i < words; i++) {
        if (i)
            rt_add_space(g, &b, opts);
        rt_add_word(g, &b, opts);
    }
    if ((opts & RT_TX_EDGES) && rt_chance(r, 4))
        rt_buf_puts(&b, rt_chance(r, 50) ? " " : " \t");
    return rt_take(g, &b);
}

static inline unsigned rt_text_opts(rt_gen *g)
{
    /* a third of the values stay ASCII, so plain atoms and quoted strings get written too */
    return rt_chance(&g->rng, 33) ? RT_TX_ASCII : 0;
}

static inline char *rt_display_name(rt_gen *g)
{
    rt_rng *r = &g->rng;
    size_t kind = rt_below(r, 100);
    if (kind < 15)
        return "";
    if (kind < 30)
        return rt_text(g, 1, 3, RT_TX_ASCII);
    return rt_text(g, 1, 4, rt_text_opts(g) | RT_TX_EDGES | RT_TX_RUNS | RT_TX_SPECIALS);
}

/* "local@domain", the local part as the builder gets it (unquoted). */
static inline char *rt_address(rt_gen *g, int unicode)
{
    rt_rng *r = &g->rng;
    rt_buf b = { 0 };
    size_t kind = rt_below(r, 100);
    if (unicode && kind < 35) {
        rt_buf_puts(&b, RT_PICK(r, rt_unicode_locals));
    } else if (kind < 50) {
        rt_buf_puts(&b, RT_PICK(r, rt_quoted_locals));
    } else {
        size_t atoms = rt_range(r, 1, 3);
        for (size_t i = 0; i < atoms; i++) {
            if (i)
                rt_buf_putc(&b, '.');
            rt_add_chars(g, &b, kind < 75 ? rt_alnum : rt_atext, rt_range(r, 1, 12));
        }
    }
    rt_buf_putc(&b, '@');
    if (unicode && rt_chance(r, 35))
        rt_buf_puts(&b, RT_PICK(r, rt_unicode_domains));
    else if (rt_chance(r, 3))
        rt_buf_puts(&b, "[192.0.2.1]");
    else
        rt_buf_puts(&b, RT_PICK(r, rt_domains));
    return rt_take(g, &b);
}

/* A field name in a random letter case. */
static inline const char *rt_field_case(rt_gen *g, const char *name)
{
    size_t k = rt_below(&g->rng, 4);
    if (k < 2)
        return name;
    char *s = rt_strdup(&g->c->pool, name);
    for (char *p = s; *p; p++) {
        if (*p >= 'a' && *p <= 'z' && k == 2)
            *p = (char)(*p - 'a' + 'A');
        else if (*p >= 'A' && *p <= 'Z' && k == 3)
            *p = (char)(*p - 'A' + 'a');
    }
    return s;
}

/* A msg-id without brackets: a dot-atom on the left, a domain or a dot-atom on the right. */
static inline char *rt_msgid(rt_gen *g)
{
    rt_rng *r = &g->rng;
    rt_buf b = { 0 };
    size_t atoms = rt_range(r, 1, 4);
    size_t each = rt_chance(r, 10) ? 40 : 12;
    for (size_t i = 0; i < atoms; i++) {
        if (i)
            rt_buf_putc(&b, '.');
        rt_add_chars(g, &b, rt_chance(r, 70) ? rt_alnum : rt_atext, rt_range(r, 1, each));
    }
    rt_buf_putc(&b, '@');
    rt_buf_puts(&b, RT_PICK(r, rt_domains));
    return rt_take(g, &b);
}

/* The id as given to the builder: with or without the angle brackets. */
static inline const char *rt_msgid_arg(rt_gen *g, const char *id)
{
    if (rt_chance(&g->rng, 50))
        return id;
    size_t n = strlen(id);
    char *s = rt_alloc(&g->c->pool, n + 3);
    s[0] = '<';
    memcpy(s + 1, id, n);
    s[n + 1] = '>';
    return s;
}

/* ------------------------------------------------------------------------------------------ */
/* Bodies                                                                                      */

/* Line ends of any kind (CRLF, LF, lone CR) become CRLF: the form a text part decodes to. */
static inline char *rt_crlf(rt_pool *pool, const char *s, size_t n, size_t *out_len)
{
    rt_buf b = { 0 };
    rt_buf_add(&b, "", 0);
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\r') {
            rt_buf_add(&b, "\r\n", 2);
            if (i + 1 < n && s[i + 1] == '\n')
                i++;
        } else if (s[i] == '\n') {
            rt_buf_add(&b, "\r\n", 2);
        } else {
            rt_buf_putc(&b, s[i]);
        }
    }
    return rt_buf_take(pool, &b, out_len);
}

enum { RT_BODY_ASCII = 0, RT_BODY_UTF8 = 1, RT_BODY_LATIN1 = 2 };

static inline void rt_body_word(rt_gen *g, rt_buf *b, int repertoire)
{
    rt_rng *r = &g->rng;
    if (repertoire == RT_BODY_LATIN1 && rt_chance(r, 40))
        rt_buf_puts(b, RT_PICK(r, rt_latin1_words));
    else if (repertoire == RT_BODY_UTF8 && rt_chance(r, 30))
        rt_buf_puts(b, RT_PICK(r, rt_unicode_words));
    else if (rt_chance(r, 5))
        rt_buf_puts(b, RT_PICK(r, rt_encoded_lookalikes));
    else
        rt_buf_puts(b, RT_PICK(r, rt_ascii_words));
}

/* One line of text (without its end). */
static inline void rt_body_line(rt_gen *g, rt_buf *b, int repertoire, int html)
{
    rt_rng *r = &g->rng;
    size_t kind = rt_below(r, 100);
    if (kind < 8) {
        return; /* empty line */
    } else if (kind < 13) {
        rt_buf_puts(b, "From ");
    } else if (kind < 18) {
        rt_buf_puts(b, rt_chance(r, 50) ? "." : "..");
        if (rt_chance(r, 50))
            return;
    } else if (kind < 21) {
        rt_buf_puts(b, "--");
        if (g->collide) {
            rt_buf_puts(b, &RT_REPEAT_DELIMITER[2]);
            if (rt_chance(r, 30))
                rt_buf_puts(b, "--");
            return;
        }
    } else if (kind < 24) {
        /* just around the quoted-printable line length */
        rt_add_chars(g, b, rt_alnum, rt_range(r, 74, 78));
        if (rt_chance(r, 50))
            rt_buf_putc(b, rt_chance(r, 50) ? '=' : ' ');
        return;
    } else if (kind < 28) {
        /* over 998 octets: needs an encoding that can break it */
        size_t n = rt_range(r, 999, 2600);
        while (b->len < n) {
            rt_body_word(g, b, repertoire);
            rt_buf_putc(b, ' ');
        }
        return;
    } else if (kind < 31) {
        rt_buf_puts(b, "   ");
        return; /* a line of spaces only */
    }
    if (html && rt_chance(r, 40)) {
        static const char *const tags[] = { "<p>", "<b>bold</b>", "<img src=\"cid:img1@x\">",
                                            "<a href=\"https://example.com/?a=1&amp;b=2\">x</a>",
                                            "<br>", "&nbsp;", "<!-- c -->", "</p>" };
        rt_buf_puts(b, RT_PICK(r, tags));
    }
    size_t words = rt_range(r, 1, 14);
    for (size_t i = 0; i < words; i++) {
        if (i)
            rt_buf_puts(b, rt_chance(r, 5) ? "  " : " ");
        rt_body_word(g, b, repertoire);
    }
    if (rt_chance(r, 12)) {
        static const char *const trail[] = { " ", "  ", "\t", " \t", "=" };
        rt_buf_puts(b, RT_PICK(r, trail)); /* trailing whitespace is content */
    }
}

/* Text with the given repertoire and a random mix of line ends; *len gets its length. */
static inline char *rt_body_text(rt_gen *g, int repertoire, int html, size_t *len)
{
    rt_rng *r = &g->rng;
    rt_buf b = { 0 };
    rt_buf_add(&b, "", 0);
    static const char *const ends[] = { "\r\n", "\n", "\r" };
    size_t style = rt_below(r, 100); /* <40 CRLF, <70 LF, <75 CR, else mixed */
    size_t lines = rt_chance(r, 4) ? 0 : rt_chance(r, 4) ? rt_range(r, 300, 900) : rt_range(r, 1, 30);
    if (html)
        rt_buf_puts(&b, "<html><body>");
    for (size_t i = 0; i < lines; i++) {
        if (i || html) {
            const char *e = style < 40 ? "\r\n" : style < 70 ? "\n" : style < 75 ? "\r"
                                                                  : RT_PICK(r, ends);
            rt_buf_puts(&b, e);
        }
        rt_body_line(g, &b, repertoire, html);
    }
    if (html)
        rt_buf_puts(&b, "</body></html>");
    if (lines && rt_chance(r, 70))
        rt_buf_puts(&b, style < 40 ? "\r\n" : "\n");
    return rt_buf_take(&g->c->pool, &b, len);
}

static inline unsigned char *rt_body_binary(rt_gen *g, size_t *len)
{
    rt_rng *r = &g->rng;
    size_t kind = rt_below(r, 100);
    size_t n = kind < 3 ? 0 : kind < 30 ? rt_range(r, 1, 64) : kind < 95 ? rt_range(r, 65, 4096)
                                                                       : rt_range(r, 60000, 140000);
    unsigned char *p = rt_alloc(&g->c->pool, n + 1);
    size_t fill = rt_below(r, 6);
    for (size_t i = 0; i < n; i++) {
        uint64_t x = rt_next(r);
        switch (fill) {
        case 0: /* text-like ASCII with bare LF and CR: must not be taken for text */
            p[i] = (x % 17 == 0) ? '\n' : (x % 31 == 0) ? '\r' : (unsigned char)(' ' + x % 95);
            break;
        case 1: /* CRLF-ended ASCII lines */
            p[i] = (unsigned char)('a' + x % 26);
            if (i % 40 == 38 && i + 1 < n) {
                p[i] = '\r';
                p[++i] = '\n';
            }
            break;
        case 2: /* mostly NUL */
            p[i] = (x % 5 == 0) ? (unsigned char)(x >> 8) : 0;
            break;
        case 3: /* high bytes only */
            p[i] = (unsigned char)(0x80 | (x & 0x7f));
            break;
        default:
            p[i] = (unsigned char)x;
            break;
        }
    }
    *len = n;
    return p;
}

/* ------------------------------------------------------------------------------------------ */
/* Part settings                                                                               */

static const char *const rt_binary_types[] = {
    "application/octet-stream", "image/png", "application/pdf", "application/x-roundtrip-data",
    "audio/x-wav", "video/mp4", "application/vnd.example.thing+json", "image/svg+xml",
};

/* Extensions whose guessed type is certain, with that type. */
static const char *const rt_guessable[][2] = {
    { ".pdf", "application/pdf" }, { ".png", "image/png" }, { ".jpg", "image/jpeg" },
    { ".gif", "image/gif" }, { ".zip", "application/zip" },
};

/* A file name: short ASCII, Unicode, with specials, or long (over 100 characters). */
static inline char *rt_filename(rt_gen *g, const char *ext)
{
    rt_rng *r = &g->rng;
    rt_buf b = { 0 };
    size_t kind = rt_below(r, 100);
    if (kind < 25) {
        rt_add_chars(g, &b, rt_alnum, rt_range(r, 1, 20));
    } else if (kind < 50) {
        size_t words = rt_range(r, 1, 4);
        for (size_t i = 0; i < words; i++) {
            if (i)
                rt_buf_putc(&b, rt_chance(r, 70) ? ' ' : '_');
            rt_buf_puts(&b, RT_PICK(r, rt_unicode_words));
        }
    } else if (kind < 65) {
        static const char *const odd[] = { "a;b", "quote\"d", "back\\slash", "100%", "a*b",
                                           "it's", "x=y", "(1)", "[2]", "a,b", "dir/file",
                                           "tab\tname", "two  spaces", "=?utf-8?q?x?=", "%41" };
        rt_buf_puts(&b, RT_PICK(r, odd));
        rt_buf_puts(&b, RT_PICK(r, odd));
    } else {
        size_t n = rt_range(r, 101, 260);
        while (b.len < n) {
            if (rt_chance(r, 40))
                rt_buf_puts(&b, RT_PICK(r, rt_unicode_words));
            else
                rt_add_chars(g, &b, rt_alnum, rt_range(r, 1, 12));
            if (rt_chance(r, 50))
                rt_buf_putc(&b, rt_chance(r, 50) ? ' ' : '-');
        }
    }
    if (ext)
        rt_buf_puts(&b, ext);
    return rt_take(g, &b);
}

static inline char *rt_content_id(rt_gen *g)
{
    rt_buf b = { 0 };
    rt_buf_puts(&b, "part");
    rt_add_chars(g, &b, rt_alnum, rt_range(&g->rng, 1, 16));
    rt_buf_putc(&b, '.');
    rt_add_chars(g, &b, rt_atext, rt_range(&g->rng, 1, 10));
    rt_buf_putc(&b, '@');
    rt_buf_puts(&b, RT_PICK(&g->rng, rt_domains));
    return rt_take(g, &b);
}

/* The caller's own Content-Type parameters: short tokens, values needing quotes, long values,
 * Unicode values. Names start with "x-" so none is one the library or a parser owns. */
static inline void rt_add_params(rt_gen *g, rt_part *e, mailbuild_part *p)
{
    rt_rng *r = &g->rng;
    size_t n = rt_range(r, 1, 3);
    for (size_t i = 0; i < n && e->param_count < RT_MAX_PARAMS; i++) {
        rt_buf nb = { 0 };
        rt_buf_puts(&nb, "x-");
        rt_add_chars(g, &nb, rt_alnum, rt_range(r, 1, 10));
        char *name = rt_take(g, &nb);
        int dup = 0;
        for (size_t k = 0; k < e->param_count; k++)
            dup |= strcmp(e->params[k].name, name) == 0;
        if (dup)
            continue;
        const char *value;
        size_t kind = rt_below(r, 100);
        if (kind < 25) {
            rt_buf vb = { 0 };
            rt_add_chars(g, &vb, rt_alnum, rt_range(r, 1, 20));
            value = rt_take(g, &vb);
        } else if (kind < 45) {
            value = rt_text(g, 1, 4, RT_TX_ASCII | RT_TX_SPECIALS);
        } else if (kind < 60) {
            rt_buf vb = { 0 };
            rt_add_chars(g, &vb, rt_atext, rt_range(r, 80, 300));
            value = rt_take(g, &vb);
        } else {
            value = rt_text(g, 1, 6, RT_TX_SPECIALS);
        }
        int rc = mailbuild_part_set_param(p, name, value);
        rt_note_error(g, "mailbuild_part_set_param", name, rc);
        if (rc == 0) {
            e->params[e->param_count].name = name;
            e->params[e->param_count].value = value;
            e->param_count++;
        }
    }
}

static inline void rt_set_filename(rt_gen *g, rt_part *e, mailbuild_part *p, const char *name)
{
    int rc = mailbuild_part_set_filename(p, name);
    rt_note_error(g, "mailbuild_part_set_filename", name, rc);
    e->filename = name;
    if (!e->disposition)
        e->disposition = "attachment";
}

static inline void rt_set_disposition(rt_gen *g, rt_part *e, mailbuild_part *p, const char *d)
{
    rt_note_error(g, "mailbuild_part_set_disposition", d, mailbuild_part_set_disposition(p, d));
    e->disposition = d;
}

static inline void rt_set_content_id(rt_gen *g, rt_part *e, mailbuild_part *p)
{
    const char *id = rt_content_id(g);
    rt_note_error(g, "mailbuild_part_set_content_id", id,
                  mailbuild_part_set_content_id(p, rt_msgid_arg(g, id)));
    e->content_id = id;
}

static inline void rt_set_description(rt_gen *g, rt_part *e, mailbuild_part *p)
{
    const char *d = rt_text(g, 1, 6, rt_text_opts(g) | RT_TX_RUNS | RT_TX_SPECIALS);
    const char *name = rt_field_case(g, "Content-Description");
    rt_note_error(g, "mailbuild_part_add_text_header", name,
                  mailbuild_part_add_text_header(p, name, d));
    e->description = d;
}

/* Now and then forces a transfer encoding the content allows. */
static inline void rt_maybe_encoding(rt_gen *g, mailbuild_part *p)
{
    rt_rng *r = &g->rng;
    if (!rt_chance(r, 15))
        return;
    mailbuild_encoding enc = rt_chance(r, 50) ? MAILBUILD_ENC_QP : MAILBUILD_ENC_BASE64;
    rt_note_error(g, "mailbuild_part_set_encoding", mailbuild_encoding_name(enc),
                  mailbuild_part_set_encoding(p, enc));
}

static inline int rt_is_ascii(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] >= 0x80)
            return 0;
    return 1;
}

static inline rt_part *rt_new_part(rt_gen *g, rt_kind kind, const char *type, const char *subtype)
{
    rt_part *e = rt_alloc(&g->c->pool, sizeof *e);
    e->kind = kind;
    e->type = type;
    e->subtype = subtype;
    if (g->parts_left)
        g->parts_left--;
    return e;
}

/* Splits "type/subtype" into the pool. */
static inline rt_part *rt_new_typed(rt_gen *g, rt_kind kind, const char *content_type)
{
    const char *slash = strchr(content_type, '/');
    return rt_new_part(g, kind, rt_strndup(&g->c->pool, content_type, (size_t)(slash - content_type)),
                       rt_strdup(&g->c->pool, slash + 1));
}

/* Text for a text part: the data given to the builder and the expected decoded text. */
static inline const char *rt_text_data(rt_gen *g, rt_part *e, int html, size_t *len,
                                       const char **charset_to_set)
{
    rt_rng *r = &g->rng;
    size_t k = rt_below(r, 100);
    int repertoire = k < 35 ? RT_BODY_ASCII : k < 90 ? RT_BODY_UTF8 : RT_BODY_LATIN1;
    const char *data = rt_body_text(g, repertoire, html, len);
    e->body = (const unsigned char *)rt_crlf(&g->c->pool, data, *len, &e->body_len);
    *charset_to_set = NULL;
    if (repertoire == RT_BODY_LATIN1) {
        *charset_to_set = "iso-8859-1";
        e->charset = "iso-8859-1";
    } else {
        e->charset = rt_is_ascii(data, *len) ? "us-ascii" : "utf-8";
    }
    return data;
}

static inline void rt_set_charset(rt_gen *g, mailbuild_part *p, const char *charset)
{
    if (charset)
        rt_note_error(g, "mailbuild_part_set_charset", charset, mailbuild_part_set_charset(p, charset));
}

/* ------------------------------------------------------------------------------------------ */
/* Messages                                                                                    */

static inline rt_message *rt_build_message(rt_gen *g, unsigned flags, char **raw, size_t *raw_len);

/* A nested message for a message/rfc822 (or message/global) part at `level`: built with the
 * same API into a buffer, with at most `budget` parts. Returns its bytes; *nested gets its
 * expected values, *type the part's type. */
static inline char *rt_nested(rt_gen *g, int level, size_t budget, size_t *len, rt_message **nested,
                              const char **type)
{
    rt_rng *r = &g->rng;
    unsigned flags = 0;
    *type = "message/rfc822";
    if ((g->c->msg->flags & MAILBUILD_F_SMTPUTF8) && rt_chance(r, 50)) {
        flags = MAILBUILD_F_SMTPUTF8 | MAILBUILD_F_8BIT;
        *type = "message/global"; /* RFC 6532 §3.7 */
    } else if (g->c->msg->flags & MAILBUILD_F_8BIT) {
        flags = MAILBUILD_F_8BIT;
    }
    size_t saved = g->parts_left;
    g->parts_left = budget;
    g->nest_level++;
    g->level_base = level;
    char *bytes = NULL;
    *nested = rt_build_message(g, flags, &bytes, len);
    g->level_base = 0;
    g->nest_level--;
    size_t used = budget - g->parts_left;
    g->parts_left = saved > used ? saved - used : 0;
    return bytes;
}

/* A leaf made with mailbuild_part_new(). */
static inline rt_part *rt_tree_leaf(rt_gen *g, mailbuild_message *m, int level,
                                    mailbuild_part **out)
{
    rt_rng *r = &g->rng;
    rt_part *e;
    mailbuild_part *p = NULL;
    size_t kind = rt_below(r, 100);
    if (g->nest_level == 0 && g->parts_left >= 3 && level < RT_MAX_DEPTH && kind < 10) {
        size_t len;
        rt_message *nested;
        const char *type;
        g->parts_left--; /* the message part itself */
        size_t budget = g->parts_left - 1 < 4 ? g->parts_left - 1 : 4;
        char *bytes = rt_nested(g, level, budget, &len, &nested, &type);
        g->parts_left++;
        e = rt_new_typed(g, RT_MESSAGE, type);
        e->nested = nested;
        e->body = (const unsigned char *)bytes;
        e->body_len = len;
        rt_note_error(g, "mailbuild_part_new", type,
                      mailbuild_part_new(m, type, (const unsigned char *)bytes, len, &p));
        if (p && rt_chance(r, 40))
            rt_set_filename(g, e, p, rt_filename(g, ".eml"));
        if (p && rt_chance(r, 20))
            rt_set_disposition(g, e, p, "attachment");
        *out = p;
        return e;
    }
    if (kind < 55) {
        static const char *const text_types[] = { "text/plain", "text/plain", "text/html",
                                                  "text/csv", "text/x-roundtrip", "text/calendar" };
        const char *type = RT_PICK(r, text_types);
        e = rt_new_typed(g, RT_TEXT, type);
        size_t len;
        const char *charset;
        const char *data = rt_text_data(g, e, strcmp(type, "text/html") == 0, &len, &charset);
        rt_note_error(g, "mailbuild_part_new", type,
                      mailbuild_part_new(m, type, (const unsigned char *)data, len, &p));
        if (p) {
            rt_set_charset(g, p, charset);
            if (rt_chance(r, 15))
                rt_set_disposition(g, e, p, rt_chance(r, 50) ? "inline" : "attachment");
            if (rt_chance(r, 15))
                rt_set_filename(g, e, p, rt_filename(g, ".txt"));
        }
    } else {
        const char *type = RT_PICK(r, rt_binary_types);
        e = rt_new_typed(g, RT_BINARY, type);
        size_t len;
        e->body = rt_body_binary(g, &len);
        e->body_len = len;
        rt_note_error(g, "mailbuild_part_new", type, mailbuild_part_new(m, type, e->body, len, &p));
        if (p) {
            if (rt_chance(r, 20))
                rt_set_disposition(g, e, p, rt_chance(r, 50) ? "inline" : "attachment");
            if (rt_chance(r, 55))
                rt_set_filename(g, e, p, rt_filename(g, rt_chance(r, 50) ? ".bin" : NULL));
        }
    }
    if (p) {
        if (rt_chance(r, 20))
            rt_set_content_id(g, e, p);
        if (rt_chance(r, 30))
            rt_add_params(g, e, p);
        if (rt_chance(r, 15))
            rt_set_description(g, e, p);
        rt_maybe_encoding(g, p);
    }
    *out = p;
    return e;
}

/* A random tree through mailbuild_multipart_new()/mailbuild_part_append(). `level` is 1 for
 * the root. */
static inline rt_part *rt_tree(rt_gen *g, mailbuild_message *m, int level, mailbuild_part **out)
{
    rt_rng *r = &g->rng;
    if (g->level_base + level >= RT_MAX_DEPTH || g->parts_left < 2 ||
        !rt_chance(r, level == 1 ? 80 : 35))
        return rt_tree_leaf(g, m, g->level_base + level, out);
    static const char *const subtypes[] = { "mixed", "mixed", "alternative", "related", "digest",
                                            "parallel", "x-roundtrip" };
    const char *subtype = RT_PICK(r, subtypes);
    rt_part *e = rt_new_part(g, RT_MULTIPART, "multipart", subtype);
    mailbuild_part *p = NULL;
    int rc = mailbuild_multipart_new(m, subtype, &p);
    rt_note_error(g, "mailbuild_multipart_new", subtype, rc);
    *out = p;
    if (!p)
        return e;
    size_t want = rt_range(r, 1, 4);
    while (e->child_count < want && g->parts_left > 0 && e->child_count < RT_MAX_CHILDREN) {
        mailbuild_part *cp = NULL;
        rt_part *child = rt_tree(g, m, level + 1, &cp);
        if (!cp)
            break;
        rc = mailbuild_part_append(p, cp);
        rt_note_error(g, "mailbuild_part_append", subtype, rc);
        e->children[e->child_count++] = child;
    }
    if (rt_chance(r, 10))
        rt_add_params(g, e, p);
    return e;
}

/* The common shapes, the calls in a random order; the expected tree follows the rules of
 * mailbuild.h (a level holding one part is left out). */
static inline rt_part *rt_common(rt_gen *g, mailbuild_message *m)
{
    rt_rng *r = &g->rng;
    enum { A_TEXT, A_HTML, A_INLINE, A_ATTACH };
    int actions[8];
    size_t n = 0;
    if (rt_chance(r, 80))
        actions[n++] = A_TEXT;
    if (rt_chance(r, 50))
        actions[n++] = A_HTML;
    size_t inlines = rt_chance(r, 30) ? rt_range(r, 1, 2) : 0;
    size_t attach = rt_chance(r, 55) ? rt_range(r, 1, 3) : 0;
    for (size_t i = 0; i < inlines; i++)
        actions[n++] = A_INLINE;
    for (size_t i = 0; i < attach; i++)
        actions[n++] = A_ATTACH;
    /* room for the containers (alternative, related, mixed) */
    size_t cap = g->parts_left > 4 ? g->parts_left - 3 : 1;
    if (n > cap)
        n = cap;
    for (size_t i = n; i > 1; i--) {
        size_t j = rt_below(r, i);
        int t = actions[i - 1];
        actions[i - 1] = actions[j];
        actions[j] = t;
    }
    rt_part *text = NULL, *html = NULL, *inl[2], *att[3];
    size_t n_inl = 0, n_att = 0;
    for (size_t i = 0; i < n; i++) {
        mailbuild_part *p = NULL;
        size_t len;
        const char *charset;
        if (actions[i] == A_TEXT || actions[i] == A_HTML) {
            int is_html = actions[i] == A_HTML;
            rt_part *e = rt_new_part(g, RT_TEXT, "text", is_html ? "html" : "plain");
            const char *data = rt_text_data(g, e, is_html, &len, &charset);
            int rc = is_html ? mailbuild_set_html(m, data, len, &p) : mailbuild_set_text(m, data, len, &p);
            rt_note_error(g, is_html ? "mailbuild_set_html" : "mailbuild_set_text", NULL, rc);
            if (p)
                rt_set_charset(g, p, charset);
            if (is_html)
                html = e;
            else
                text = e;
            continue;
        }
        int is_inline = actions[i] == A_INLINE;
        size_t kind = rt_below(r, 100);
        rt_part *e;
        const char *ctype = NULL, *fname = NULL;
        const unsigned char *data;
        size_t reserve = (n - i) + 3; /* this part, the ones to come, the containers */
        if (!is_inline && g->nest_level == 0 && g->parts_left >= reserve + 1 && kind < 15) {
            rt_message *nested;
            size_t budget = g->parts_left - reserve < 4 ? g->parts_left - reserve : 4;
            char *bytes = rt_nested(g, 2, budget, &len, &nested, &ctype);
            e = rt_new_typed(g, RT_MESSAGE, ctype);
            e->nested = nested;
            data = (const unsigned char *)bytes;
            if (rt_chance(r, 60))
                fname = rt_filename(g, ".eml");
        } else if (!is_inline && kind < 30) {
            ctype = "text/plain";
            e = rt_new_typed(g, RT_TEXT, ctype);
            data = (const unsigned char *)rt_text_data(g, e, 0, &len, &charset);
            e->charset = rt_is_ascii((const char *)data, len) ? "us-ascii" : "utf-8";
            fname = rt_filename(g, ".txt");
        } else if (kind < 60) {
            /* no type given: guessed from the extension */
            size_t k = rt_below(r, sizeof rt_guessable / sizeof rt_guessable[0]);
            fname = rt_filename(g, rt_guessable[k][0]);
            e = rt_new_typed(g, RT_BINARY, rt_guessable[k][1]);
            data = rt_body_binary(g, &len);
        } else {
            ctype = RT_PICK(r, rt_binary_types);
            e = rt_new_typed(g, RT_BINARY, ctype);
            data = rt_body_binary(g, &len);
            if (rt_chance(r, 70))
                fname = rt_filename(g, NULL);
        }
        if (e->kind != RT_TEXT) { /* a text part holds its CRLF form already */
            e->body = data;
            e->body_len = len;
        }
        e->filename = fname;
        int rc;
        if (is_inline) {
            e->content_id = rt_content_id(g);
            e->disposition = "inline";
            rc = mailbuild_add_inline(m, data, len, ctype, rt_msgid_arg(g, e->content_id), fname, &p);
            rt_note_error(g, "mailbuild_add_inline", fname, rc);
            inl[n_inl++] = e;
        } else {
            e->disposition = "attachment";
            rc = mailbuild_add_attachment(m, data, len, ctype, fname, &p);
            rt_note_error(g, "mailbuild_add_attachment", fname, rc);
            att[n_att++] = e;
        }
        if (p && e->kind != RT_MESSAGE && rt_chance(r, 25))
            rt_add_params(g, e, p);
        if (p && rt_chance(r, 15))
            rt_set_description(g, e, p);
        if (p && e->kind != RT_MESSAGE)
            rt_maybe_encoding(g, p);
    }
    /* multipart/alternative: text/plain then text/html */
    rt_part *top = NULL;
    if (text && html) {
        top = rt_new_part(g, RT_MULTIPART, "multipart", "alternative");
        top->children[top->child_count++] = text;
        top->children[top->child_count++] = html;
    } else {
        top = text ? text : html;
    }
    if (n_inl) {
        rt_part *rel = top;
        if (top || n_inl > 1) {
            rel = rt_new_part(g, RT_MULTIPART, "multipart", "related");
            if (top)
                rel->children[rel->child_count++] = top;
            for (size_t i = 0; i < n_inl; i++)
                rel->children[rel->child_count++] = inl[i];
        } else {
            rel = inl[0];
        }
        top = rel;
    }
    if (n_att) {
        if (top || n_att > 1) {
            rt_part *mix = rt_new_part(g, RT_MULTIPART, "multipart", "mixed");
            if (top)
                mix->children[mix->child_count++] = top;
            for (size_t i = 0; i < n_att; i++)
                mix->children[mix->child_count++] = att[i];
            top = mix;
        } else {
            top = att[0];
        }
    }
    if (!top) {
        /* no body at all: the library writes an empty text/plain one */
        top = rt_new_part(g, RT_TEXT, "text", "plain");
        top->charset = "us-ascii";
        top->body = (const unsigned char *)"";
    }
    return top;
}

static inline void rt_address_field(rt_gen *g, mailbuild_message *m, rt_addrs *a, const char *field,
                                    unsigned flags)
{
    rt_rng *r = &g->rng;
    int unicode = (flags & MAILBUILD_F_SMTPUTF8) != 0;
    size_t items = rt_range(r, 1, 4);
    a->present = 1;
    for (size_t i = 0; i < items; i++) {
        if (rt_chance(r, 25) && a->group_count < RT_MAX_GROUPS) {
            const char *gname = rt_text(g, 1, 3, rt_text_opts(g) | RT_TX_SPECIALS | RT_TX_RUNS);
            int gi = (int)a->group_count;
            a->groups[a->group_count++] = gname;
            rt_note_error(g, "mailbuild_group_open", gname,
                          mailbuild_group_open(m, rt_field_case(g, field), gname));
            size_t members = rt_below(r, 4); /* 0: an empty group */
            for (size_t k = 0; k < members && a->count < RT_MAX_ADDRS; k++) {
                rt_mailbox *mb = &a->items[a->count++];
                mb->name = rt_display_name(g);
                mb->address = rt_address(g, unicode);
                mb->group = gi;
                rt_note_error(g, "mailbuild_add_address", mb->address,
                              mailbuild_add_address(m, rt_field_case(g, field), mb->name, mb->address));
            }
            /* the last group may stay open: the library closes it when writing */
            if (i + 1 < items || rt_chance(r, 80))
                rt_note_error(g, "mailbuild_group_close", field,
                              mailbuild_group_close(m, rt_field_case(g, field)));
        } else if (a->count < RT_MAX_ADDRS) {
            rt_mailbox *mb = &a->items[a->count++];
            mb->name = rt_display_name(g);
            mb->address = rt_address(g, unicode);
            mb->group = -1;
            const char *name = mb->name;
            if (!*name && rt_chance(r, 50))
                name = NULL;
            rt_note_error(g, "mailbuild_add_address", mb->address,
                          mailbuild_add_address(m, rt_field_case(g, field), name, mb->address));
        }
    }
}

static inline unsigned rt_flags(rt_gen *g)
{
    size_t k = rt_below(&g->rng, 100);
    if (k < 45)
        return 0;
    if (k < 70)
        return MAILBUILD_F_8BIT;
    if (k < 85)
        return MAILBUILD_F_SMTPUTF8;
    return MAILBUILD_F_SMTPUTF8 | MAILBUILD_F_8BIT;
}

/* The right side of a generated Message-ID as mailbuild.h documents it: the From domain when
 * it is an ASCII name, else "localhost" (a UTF-8 name or a literal cannot be one). */
static inline const char *rt_domain_of(const char *address)
{
    const char *at = strrchr(address, '@');
    if (!at || at[1] == '[')
        return "localhost";
    for (const char *c = at + 1; *c; c++)
        if ((unsigned char)*c >= 0x80)
            return "localhost";
    return at + 1;
}

/* Unstructured text as the reader gets it back: mailbuild.h documents that leading and
 * trailing blanks are not written (a reader cannot tell them from the space after the colon). */
static inline const char *rt_trimmed(rt_gen *g, const char *s)
{
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    while (n && (*s == ' ' || *s == '\t')) {
        s++;
        n--;
    }
    return rt_strndup(&g->c->pool, s, n);
}

static inline rt_message *rt_build_message(rt_gen *g, unsigned flags, char **raw, size_t *raw_len)
{
    rt_rng *r = &g->rng;
    rt_pool *pool = &g->c->pool;
    rt_message *e = rt_alloc(pool, sizeof *e);
    if (!g->c->msg)
        g->c->msg = e;
    e->flags = flags;

    /* the builder's own randomness and clock, from this seed */
    rt_rng *brng = rt_alloc(pool, sizeof *brng);
    brng->state = rt_next(r);
    int outer_collide = g->collide;
    g->collide = rt_chance(r, 10);
    if (g->collide)
        brng->repeat = 3;
    int64_t *now = rt_alloc(pool, sizeof *now);
    *now = (int64_t)rt_below(r, UINT64_C(4102444800));
    mailbuild_options o;
    mailbuild_options_init(&o);
    o.flags = flags;
    o.random = rt_random_fn;
    o.random_user = brng;
    o.clock = rt_clock_fn;
    o.clock_user = now;
    o.utc_offset_minutes = (int)rt_below(r, 2 * 1439 + 1) - 1439;
    if (rt_chance(r, 20))
        o.message_id_domain = "ids.example.net";
    if (rt_chance(r, 4))
        o.flags |= MAILBUILD_F_NO_DATE;
    if (rt_chance(r, 4))
        o.flags |= MAILBUILD_F_NO_MESSAGE_ID;
    mailbuild_message *m = NULL;
    int rc = mailbuild_message_new(&o, &m);
    rt_note_error(g, "mailbuild_message_new", NULL, rc);
    if (!m) {
        g->collide = outer_collide;
        *raw = NULL;
        *raw_len = 0;
        return e;
    }
    if (e == g->c->msg)
        g->c->built = m;

    /* From: one mailbox (RFC 5322 §3.6.2 wants a Sender with more); To and Cc */
    rt_mailbox *from = &e->from.items[e->from.count++];
    e->from.present = 1;
    from->name = rt_display_name(g);
    from->address = rt_address(g, (flags & MAILBUILD_F_SMTPUTF8) != 0);
    from->group = -1;
    rt_note_error(g, "mailbuild_add_address", from->address,
                  mailbuild_add_address(m, rt_field_case(g, "From"), from->name, from->address));
    if (rt_chance(r, 85))
        rt_address_field(g, m, &e->to, "To", flags);
    if (rt_chance(r, 35))
        rt_address_field(g, m, &e->cc, "Cc", flags);

    if (rt_chance(r, 92)) {
        unsigned opts = rt_text_opts(g) | RT_TX_EDGES | RT_TX_RUNS | RT_TX_SPECIALS;
        e->subject = rt_chance(r, 3) ? "" : rt_text(g, 1, 10, opts);
        rt_note_error(g, "mailbuild_set_subject", e->subject, mailbuild_set_subject(m, e->subject));
        e->subject = rt_trimmed(g, e->subject);
    }
    if (rt_chance(r, 80)) {
        static const int offsets[] = { 0, 60, 120, -300, -420, 330, 345, 570, -150, 1439, -1439, 840 };
        e->has_date = 1;
        e->date = (int64_t)rt_below(r, UINT64_C(4102444800));
        e->date_offset = rt_chance(r, 50) ? RT_PICK(r, offsets) : (int)rt_below(r, 2879) - 1439;
        rt_note_error(g, "mailbuild_set_date", NULL, mailbuild_set_date(m, e->date, e->date_offset));
    } else if (!(o.flags & MAILBUILD_F_NO_DATE)) {
        e->has_date = 1;
        e->date = *now;
        e->date_offset = o.utc_offset_minutes;
    }
    if (rt_chance(r, 75)) {
        e->message_id = rt_msgid(g);
        rt_note_error(g, "mailbuild_set_message_id", e->message_id,
                      mailbuild_set_message_id(m, rt_msgid_arg(g, e->message_id)));
    } else if (!(o.flags & MAILBUILD_F_NO_MESSAGE_ID)) {
        rt_buf b = { 0 };
        rt_buf_putc(&b, '@');
        rt_buf_puts(&b, o.message_id_domain ? o.message_id_domain : rt_domain_of(e->from.items[0].address));
        e->message_id_suffix = rt_take(g, &b);
    }
    if (rt_chance(r, 30)) {
        e->in_reply_to_count = rt_range(r, 1, 2);
        for (size_t i = 0; i < e->in_reply_to_count; i++) {
            e->in_reply_to[i] = rt_msgid(g);
            rt_note_error(g, "mailbuild_add_message_id", "In-Reply-To",
                          mailbuild_add_message_id(m, rt_field_case(g, "In-Reply-To"),
                                                   rt_msgid_arg(g, e->in_reply_to[i])));
        }
    }
    if (rt_chance(r, 30)) {
        e->references_count = rt_range(r, 1, RT_MAX_IDS);
        for (size_t i = 0; i < e->references_count; i++) {
            e->references[i] = rt_msgid(g);
            rt_note_error(g, "mailbuild_add_message_id", "References",
                          mailbuild_add_message_id(m, rt_field_case(g, "References"),
                                                   rt_msgid_arg(g, e->references[i])));
        }
    }
    if (rt_chance(r, 25)) {
        e->keyword_count = rt_range(r, 1, RT_MAX_KEYWORDS);
        for (size_t i = 0; i < e->keyword_count; i++) {
            e->keywords[i] = rt_text(g, 1, 3, rt_text_opts(g) | RT_TX_SPECIALS | RT_TX_RUNS);
            rt_note_error(g, "mailbuild_add_keyword", e->keywords[i],
                          mailbuild_add_keyword(m, e->keywords[i]));
        }
    }
    if (rt_chance(r, 40)) {
        e->text_header_name = rt_chance(r, 50) ? "X-Roundtrip-Note" : "Comments";
        e->text_header_value = rt_text(g, 1, 12, rt_text_opts(g) | RT_TX_EDGES | RT_TX_RUNS |
                                                     RT_TX_SPECIALS);
        rt_note_error(g, "mailbuild_add_text_header", e->text_header_name,
                      mailbuild_add_text_header(m, rt_field_case(g, e->text_header_name),
                                                e->text_header_value));
        e->text_header_value = rt_trimmed(g, e->text_header_value);
    }

    if (rt_chance(r, 50)) {
        e->shape = RT_SHAPE_COMMON;
        e->root = rt_common(g, m);
    } else {
        e->shape = RT_SHAPE_TREE;
        mailbuild_part *root = NULL;
        e->root = rt_tree(g, m, 1, &root);
        if (root)
            rt_note_error(g, "mailbuild_set_body", NULL, mailbuild_set_body(m, root));
    }

    int size_first = e == g->c->msg && rt_chance(r, 50);
    size_t measured = 0;
    if (size_first)
        rt_note_error(g, "mailbuild_size", NULL, mailbuild_size(m, &measured));
    char *out = NULL;
    size_t len = 0;
    rt_note_error(g, "mailbuild_to_buffer", NULL, mailbuild_to_buffer(m, &out, &len));
    g->collide = outer_collide;
    if (e == g->c->msg) {
        g->c->size_first = size_first ? measured : SIZE_MAX;
        *raw = out;
        *raw_len = len;
        return e;
    }
    /* a nested message: its bytes move into the pool, its builder goes */
    *raw = rt_strndup(pool, out ? out : "", out ? len : 0);
    *raw_len = out ? len : 0;
    mailbuild_free(out);
    mailbuild_message_free(m);
    return e;
}

/* Generates case `seed`. Always fills *c (free it with rt_case_free()); c->build_error says
 * when a builder call rejected a valid value, c->raw is NULL when nothing could be written. */
static inline void rt_generate(uint64_t seed, rt_case *c)
{
    memset(c, 0, sizeof *c);
    c->seed = seed;
    rt_gen g;
    memset(&g, 0, sizeof g);
    g.rng.state = seed * UINT64_C(0xD1B54A32D192ED03) + UINT64_C(0x2545F4914F6CDD1D);
    g.c = c;
    g.parts_left = RT_MAX_PARTS;
    unsigned flags = rt_flags(&g);
    rt_build_message(&g, flags, &c->raw, &c->raw_len);
}

static inline void rt_case_free(rt_case *c)
{
    mailbuild_free(c->raw);
    mailbuild_message_free(c->built);
    for (size_t i = 0; i < c->pool.count; i++)
        free(c->pool.ptrs[i]);
    free(c->pool.ptrs);
    memset(c, 0, sizeof *c);
}

#endif /* ROUNDTRIP_GEN_H */
