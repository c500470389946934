/* fuzz_build.c — libFuzzer harness for libmailbuild: the input is a small script of API calls
 * (addresses, groups, header fields, bodies, attachments, part trees, parameters, encodings).
 * Calls may fail — hostile values must be refused — and whatever succeeded is the expectation.
 * The message is then written three ways (size, callback, buffer) that must agree, checked on
 * the wire (CRLF, 998 octets, 7-bit, no NUL, no stray field) and parsed back with libmailparse:
 * subject, addresses, ids, URLs, keywords, header values, the part tree, decoded bodies,
 * filenames, parameters and transfer encodings must be what was set.
 *
 * Input: a 12-byte prologue (flags, limits, clock, zone, random seed), then records of one
 * operation byte and its arguments; a string is a length byte (255: a 16-bit length follows)
 * and its bytes. */
#include "mailbuild.h"
#include "mailparse.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* FUZZ_BUILD_VERBOSE=1 prints the calls that succeeded and the message (for a reproducer). */
static int verbose = -1;

static void trace(const char *call, const char *a, const char *b)
{
    if (verbose <= 0)
        return;
    fprintf(stderr, "%s(", call);
    for (int i = 0; i < 2; i++) {
        const char *s = i ? b : a;
        if (i)
            fputs(", ", stderr);
        if (!s) {
            fputs("NULL", stderr);
            continue;
        }
        fputc('"', stderr);
        for (; *s; s++)
            if ((unsigned char)*s < 0x20 || *s == '"' || *s == '\\' || *s == 0x7F)
                fprintf(stderr, "\\x%02x", (unsigned char)*s);
            else
                fputc(*s, stderr);
        fputc('"', stderr);
    }
    fputs(")\n", stderr);
}

static void fail_at(int line, const char *why)
{
    fprintf(stderr, "fuzz_build.c:%d: %s\n", line, why);
    __builtin_trap();
}
#define FAIL(why) fail_at(__LINE__, why)
#define CHECK(cond, why) \
    do { \
        if (!(cond)) \
            FAIL(why); \
    } while (0)

/* ---- small utilities ------------------------------------------------------------------------ */

/* Everything the script allocates lives until the message is freed (MAILBUILD_F_BORROW_DATA). */
typedef struct {
    void **items;
    size_t count, cap;
} keep_list;

static void *keep(keep_list *k, void *p)
{
    if (!p)
        return NULL;
    if (k->count == k->cap) {
        size_t cap = k->cap ? k->cap * 2 : 64;
        void **n = realloc(k->items, cap * sizeof *n);
        if (!n) {
            free(p);
            return NULL;
        }
        k->items = n;
        k->cap = cap;
    }
    k->items[k->count++] = p;
    return p;
}

static void keep_free(keep_list *k)
{
    for (size_t i = 0; i < k->count; i++)
        free(k->items[i]);
    free(k->items);
}

static int eq_nocase(const char *a, const char *b)
{
    if (!a || !b)
        return a == b;
    for (; *a && *b; a++, b++) {
        int x = (unsigned char)*a, y = (unsigned char)*b;
        if (x >= 'A' && x <= 'Z')
            x += 32;
        if (y >= 'A' && y <= 'Z')
            y += 32;
        if (x != y)
            return 0;
    }
    return *a == *b;
}

static int eq_nocase_n(const char *a, size_t n, const char *b)
{
    return strlen(b) == n && strncasecmp(a, b, n) == 0;
}

static int starts_nocase(const char *s, const char *prefix)
{
    return s && strncasecmp(s, prefix, strlen(prefix)) == 0;
}

/* Strict UTF-8 (no overlongs, surrogates or code points past U+10FFFF). */
static int utf8_valid(const unsigned char *s, size_t n)
{
    for (size_t i = 0; i < n;) {
        unsigned c = s[i], len, cp;
        if (c < 0x80) {
            i++;
            continue;
        }
        if (c >= 0xC2 && c <= 0xDF)
            len = 2, cp = c & 0x1F;
        else if (c >= 0xE0 && c <= 0xEF)
            len = 3, cp = c & 0x0F;
        else if (c >= 0xF0 && c <= 0xF4)
            len = 4, cp = c & 0x07;
        else
            return 0;
        if (n - i < len)
            return 0;
        for (unsigned k = 1; k < len; k++) {
            if ((s[i + k] & 0xC0) != 0x80)
                return 0;
            cp = (cp << 6) | (s[i + k] & 0x3F);
        }
        if ((len == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
            (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
            return 0;
        i += len;
    }
    return 1;
}

static int str_utf8(const char *s)
{
    return !s || utf8_valid((const unsigned char *)s, strlen(s));
}

static int is_ascii(const unsigned char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] >= 0x80)
            return 0;
    return 1;
}

/* Printable ASCII and line ends: the same bytes in every charset ICU writes them in (control
 * characters are not: IBM code pages swap some). */
static int plain_ascii(const unsigned char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if ((s[i] < 0x20 && s[i] != '\t' && s[i] != '\r' && s[i] != '\n') || s[i] >= 0x7F)
            return 0;
    return 1;
}

/* A copy with leading/trailing blanks gone and inner runs of blanks made one space: unfolding
 * and the phrase rules of RFC 5322 §3.2.5 keep no more than that. NULL counts as "". */
static char *norm_ws(keep_list *k, const char *s, size_t n)
{
    char *o = keep(k, malloc(n + 1));
    if (!o)
        return NULL;
    size_t j = 0;
    int space = 0;
    for (size_t i = 0; s && i < n; i++) {
        char c = s[i];
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
            space = j > 0;
            continue;
        }
        if (space)
            o[j++] = ' ';
        space = 0;
        o[j++] = c;
    }
    o[j] = '\0';
    return o;
}

static int same_text(keep_list *k, const char *a, size_t an, const char *b, size_t bn)
{
    char *x = norm_ws(k, a, an), *y = norm_ws(k, b, bn);
    return !x || !y || strcmp(x, y) == 0; /* out of memory proves nothing */
}

/* A raw value as the parser hands it back: line ends of folds removed, blanks at the ends cut. */
static char *unfold_trim(keep_list *k, const char *s, size_t n)
{
    char *o = keep(k, malloc(n + 1));
    if (!o)
        return NULL;
    size_t j = 0;
    for (size_t i = 0; i < n; i++)
        if (s[i] != '\r' && s[i] != '\n')
            o[j++] = s[i];
    size_t b = 0;
    while (b < j && (o[b] == ' ' || o[b] == '\t'))
        b++;
    while (j > b && (o[j - 1] == ' ' || o[j - 1] == '\t'))
        j--;
    memmove(o, o + b, j - b);
    o[j - b] = '\0';
    return o;
}

/* Text line ends of any kind made CRLF. */
static unsigned char *to_crlf(keep_list *k, const unsigned char *s, size_t n, size_t *out_len)
{
    unsigned char *o = keep(k, malloc(2 * n + 1));
    if (!o)
        return NULL;
    size_t j = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\r') {
            if (i + 1 < n && s[i + 1] == '\n')
                i++;
            o[j++] = '\r';
            o[j++] = '\n';
        } else if (s[i] == '\n') {
            o[j++] = '\r';
            o[j++] = '\n';
        } else
            o[j++] = s[i];
    }
    *out_len = j;
    return o;
}

/* An id or Content-ID as the parser returns it: blanks and one pair of angle brackets gone. */
static const char *strip_id(keep_list *k, const char *id)
{
    size_t n = strlen(id);
    while (n && (id[0] == ' ' || id[0] == '\t'))
        id++, n--;
    while (n && (id[n - 1] == ' ' || id[n - 1] == '\t'))
        n--;
    if (n >= 2 && id[0] == '<' && id[n - 1] == '>')
        id++, n -= 2;
    char *o = keep(k, malloc(n + 1));
    if (o) {
        memcpy(o, id, n);
        o[n] = '\0';
    }
    return o;
}

/* An addr-spec with a quoted local part unquoted ("a b"@x -> a b@x). */
static const char *unquote_addr(keep_list *k, const char *a)
{
    size_t n = strlen(a);
    const char *at = strrchr(a, '@');
    if (n < 2 || a[0] != '"' || !at || at == a || at[-1] != '"')
        return a;
    char *o = keep(k, malloc(n + 1));
    if (!o)
        return a;
    size_t j = 0;
    for (const char *p = a + 1; p < at - 1; p++) {
        if (*p == '\\' && p + 1 < at - 1)
            p++;
        o[j++] = *p;
    }
    strcpy(o + j, at);
    return o;
}

static int same_addr(keep_list *k, const char *parsed, const char *given)
{
    if (!parsed)
        return 0;
    const char *u = unquote_addr(k, parsed);
    return strcmp(u, given) == 0 || strcmp(u, unquote_addr(k, given)) == 0;
}

/* ---- the script reader ------------------------------------------------------------------------ */

typedef struct {
    const uint8_t *p;
    size_t n, pos;
} reader;

static unsigned rd_u8(reader *r)
{
    return r->pos < r->n ? r->p[r->pos++] : 0;
}

static unsigned rd_u16(reader *r)
{
    unsigned lo = rd_u8(r);
    return lo | (rd_u8(r) << 8);
}

static size_t rd_len(reader *r)
{
    size_t len = rd_u8(r);
    if (len == 255)
        len = rd_u16(r);
    return len < r->n - r->pos ? len : r->n - r->pos;
}

/* The next string as a NUL-terminated copy (it ends at an embedded NUL, as the API sees it). */
static char *rd_str(reader *r, keep_list *k)
{
    size_t len = rd_len(r);
    char *s = keep(k, malloc(len + 1));
    if (!s)
        return NULL;
    memcpy(s, r->p + r->pos, len);
    s[len] = '\0';
    r->pos += len;
    return s;
}

/* The next byte string in an allocation of its exact size, so reads past it are caught. */
static unsigned char *rd_bytes(reader *r, keep_list *k, size_t *len)
{
    *len = rd_len(r);
    unsigned char *s = keep(k, malloc(*len ? *len : 1));
    if (!s)
        return NULL;
    memcpy(s, r->p + r->pos, *len);
    r->pos += *len;
    return s;
}

/* One of `n` fixed choices, or (for the index past them) a string from the input. */
static const char *rd_pick(reader *r, keep_list *k, const char *const *choices, size_t n)
{
    unsigned i = rd_u8(r) % (n + 1);
    return i < n ? choices[i] : rd_str(r, k);
}

/* A charset that writes "A\r\n" as those three bytes (or one ICU does not know). */
static int ascii_line_ends(const char *charset)
{
    unsigned char *out = NULL;
    size_t n = 0;
    if (mailparse_charset_from_utf8(charset, "A\r\n", 3, &out, &n) != 0)
        return 1;
    int same = n == 3 && memcmp(out, "A\r\n", 3) == 0;
    mailparse_free(out);
    return same;
}

static const char *const addr_fields[] = {"From", "To", "Cc", "Bcc", "Reply-To", "Sender",
                                          "Resent-To", "Disposition-Notification-To",
                                          "X-Fuzz-Addr", "to"};
static const char *const text_fields[] = {"Comments", "X-Fuzz", "Organization", "X-Mailer",
                                          "Content-Type", "MIME-Version", "Bad Name", "", "X:colon"};
static const char *const id_fields[] = {"In-Reply-To", "References", "Resent-Message-ID", "X-Fuzz-Ids"};
static const char *const url_fields[] = {"List-Help", "List-Unsubscribe", "List-Post",
                                         "List-Archive", "List-Owner", "List-Subscribe"};
static const char *const leaf_types[] = {NULL, "application/octet-stream", "image/png",
                                         "text/plain", "text/html", "text/csv", "application/pdf",
                                         "message/rfc822", "multipart/mixed", "TEXT/Plain"};
static const char *const multipart_subtypes[] = {"mixed", "alternative", "related", "digest", "signed"};
static const char *const charsets[] = {NULL, "utf-8", "us-ascii", "iso-8859-1", "windows-1252",
                                       "koi8-r", "shift_jis", "utf-16", "x-no-such-charset"};
static const char *const param_names[] = {"format", "name", "charset", "boundary", "x-fuzz",
                                          "delsp", "micalg"};
static const char *const dispositions[] = {"inline", "attachment", "form-data"};
static const char *const filenames[] = {"a.txt", "b.png", "c.eml", "d.html", "e.pdf", "f",
                                        "dir/g.bin", "Grüße.txt"};

/* ---- what the script set ------------------------------------------------------------------------ */

enum { MAX_OPS = 512, MAX_PARTS = 64, MAX_KIDS = 64, MAX_ITEMS = MAX_OPS, MAX_PART_FIELDS = 8 };

/* What the model cannot follow: a part the table had no room for (the body is not checked),
 * a group state the API does not define (groups are not checked). */
enum { AMBIGUOUS_BODY = 1, AMBIGUOUS_GROUPS = 2 };

/* What kind of call used a field name. */
enum { K_ADDR = 1, K_SUBJECT, K_TEXT, K_RAW, K_ID, K_URL, K_KEYWORD, K_DATE, K_MSGID };

typedef struct {
    const char *field, *name, *value; /* value: address, id, url, keyword, header value */
    const char *group;                /* addresses: the group it went into, or NULL */
    int dead;                         /* its field was removed (names: used by two kinds) */
    int kind;                         /* names: K_* */
} item;

typedef struct {
    item items[MAX_ITEMS];
    size_t count;
} item_list;

enum { ORIGIN_TEXT, ORIGIN_HTML, ORIGIN_INLINE, ORIGIN_ATTACH, ORIGIN_TREE };

typedef struct {
    mailbuild_part *p;
    int origin, multipart;
    const char *type;            /* expected "type/subtype" as given or guessed */
    const unsigned char *data;
    size_t len;
    const char *filename, *disposition, *content_id, *charset;
    int charset_set, forced;     /* forced: a mailbuild_encoding, or -1 */
    int placed, parent;          /* tree parts: appended or made the body */
    int kids[MAX_KIDS];
    size_t kid_count;
    item params[MAX_PART_FIELDS], text_fields[MAX_PART_FIELDS], raw_fields[MAX_PART_FIELDS];
    size_t param_count, text_count, raw_count;
} part_model;

typedef struct {
    keep_list k;
    unsigned flags;
    int64_t clock;
    int zone;
    uint64_t rng;
    const char *subject;
    int subject_set, date_set, msgid_set;
    int64_t date;
    int date_zone;
    const char *msgid;
    item_list addrs, groups, open_groups, texts, raws, ids, urls, keywords;
    item_list removed;           /* names given to mailbuild_remove_header() that removed some */
    item_list names;             /* every field name a successful call used */
    item_list part_names;        /* field names added to parts */
    part_model parts[MAX_PARTS];
    size_t part_count;
    int text, html, inlines[MAX_PARTS], attachments[MAX_PARTS];
    size_t inline_count, attachment_count;
    int body;                    /* the part made the body, or -1 */
    int ambiguous;               /* AMBIGUOUS_*: what is not known exactly */
} model;

static void add_item(item_list *l, const char *field, const char *name, const char *value,
                     const char *group)
{
    if (l->count < MAX_ITEMS)
        l->items[l->count++] = (item){field, name, value, group, 0, 0};
}

static int has_name(const item_list *l, const char *name)
{
    for (size_t i = 0; i < l->count; i++)
        if (eq_nocase(l->items[i].field, name))
            return 1;
    return 0;
}

static item *find_name(model *md, const char *name)
{
    for (size_t i = 0; i < md->names.count; i++)
        if (eq_nocase(md->names.items[i].field, name))
            return &md->names.items[i];
    return NULL;
}

static void note_name(model *md, const char *name, int kind)
{
    item *it = find_name(md, name);
    if (it)
        it->dead |= it->kind != kind;
    else if (md->names.count < MAX_ITEMS)
        md->names.items[md->names.count++] = (item){name, NULL, NULL, NULL, 0, kind};
}

/* A name some call other than the one of `kind` used too. */
static int foreign(model *md, const char *name, int kind)
{
    item *it = find_name(md, name);
    return it && (it->dead || it->kind != kind);
}

/* A name the caller wrote itself (text or raw field), removed, or used in two kinds of calls:
 * its count and shape are the caller's business. */
static int caller_owned(model *md, const char *name)
{
    item *it = find_name(md, name);
    return has_name(&md->texts, name) || has_name(&md->raws, name) ||
           has_name(&md->removed, name) || (it && it->dead);
}

/* Names the library writes from the parts, never from a header call (RFC 2045 §4-§7,
 * RFC 2183). */
static int reserved(const char *name)
{
    return eq_nocase(name, "mime-version") || eq_nocase(name, "content-type") ||
           eq_nocase(name, "content-transfer-encoding") ||
           eq_nocase(name, "content-disposition") || eq_nocase(name, "content-id");
}

static const char *open_group(const model *md, const char *field)
{
    for (size_t i = md->open_groups.count; i-- > 0;)
        if (eq_nocase(md->open_groups.items[i].field, field))
            return md->open_groups.items[i].dead ? NULL : md->open_groups.items[i].name;
    return NULL;
}

static void mark_dead(item_list *l, const char *name)
{
    for (size_t i = 0; i < l->count; i++)
        if (eq_nocase(l->items[i].field, name))
            l->items[i].dead = 1;
}

static void set_part_item(item *arr, size_t *count, const char *name, const char *value, int replace)
{
    for (size_t i = 0; replace && i < *count; i++)
        if (eq_nocase(arr[i].field, name)) {
            arr[i].value = value;
            return;
        }
    if (*count < MAX_PART_FIELDS)
        arr[(*count)++] = (item){name, NULL, value, NULL, 0, 0};
}

static uint64_t next_random(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15u);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    return z ^ (z >> 31);
}

static void fuzz_random(void *user, unsigned char *buf, size_t len)
{
    uint64_t *s = user;
    for (size_t i = 0; i < len; i++)
        buf[i] = (unsigned char)next_random(s);
}

static int64_t fuzz_clock(void *user)
{
    return ((const model *)user)->clock;
}

/* ---- running the script ------------------------------------------------------------------------ */

static part_model *new_part(model *md, mailbuild_part *p, int origin)
{
    if (!p || md->part_count == MAX_PARTS)
        return NULL;
    part_model *pm = &md->parts[md->part_count++];
    memset(pm, 0, sizeof *pm);
    pm->p = p;
    pm->origin = origin;
    pm->forced = -1;
    pm->parent = -1;
    pm->placed = origin != ORIGIN_TREE; /* the common shapes place their parts */
    return pm;
}

static part_model *pick_part(model *md, reader *r)
{
    unsigned i = rd_u8(r);
    return md->part_count ? &md->parts[i % md->part_count] : NULL;
}

static int is_ancestor(const model *md, int maybe, int of)
{
    for (int i = of; i >= 0; i = md->parts[i].parent)
        if (i == maybe)
            return 1;
    return 0;
}

/* The type a leaf is written with: the given one, else the guess from the filename (a text
 * type only for UTF-8 data). */
static const char *leaf_type(model *md, const char *type, const char *filename,
                             const unsigned char *data, size_t len)
{
    if (!type) {
        type = filename ? mailbuild_guess_type(filename) : "application/octet-stream";
        if (starts_nocase(type, "text/") && !utf8_valid(data, len))
            type = "application/octet-stream";
    }
    size_t n = strlen(type);
    char *t = keep(&md->k, malloc(n + 1));
    if (!t)
        return NULL;
    for (size_t i = 0; i <= n; i++)
        t[i] = (char)(type[i] >= 'A' && type[i] <= 'Z' ? type[i] + 32 : type[i]);
    return t;
}

static void run_op(model *md, mailbuild_message *m, reader *r)
{
    keep_list *k = &md->k;
    unsigned op = rd_u8(r) % 26;
    mailbuild_part *p = NULL;
    part_model *pm;
    const char *a, *b, *c;
    unsigned char *data;
    size_t len;
    int rc;

    switch (op) {
    case 0: /* a mailbox */
        a = rd_pick(r, k, addr_fields, 10);
        b = (rd_u8(r) & 1) ? rd_str(r, k) : NULL;
        c = rd_str(r, k);
        if (!a || !c)
            return;
        if (mailbuild_add_address(m, a, b, c) == 0) {
            trace("add_address", b, c);
            CHECK(!reserved(a), "an address went into a reserved field");
            add_item(&md->addrs, a, b, c, open_group(md, a));
            note_name(md, a, K_ADDR);
        }
        return;
    case 1: /* a group opens */
        a = rd_pick(r, k, addr_fields, 10);
        b = rd_str(r, k);
        if (a && b && mailbuild_group_open(m, a, b) == 0) {
            trace("group_open", a, b);
            CHECK(!reserved(a), "a group went into a reserved field");
            if (open_group(md, a))
                md->ambiguous |= AMBIGUOUS_GROUPS; /* a group inside a group: not in RFC 5322 */
            add_item(&md->groups, a, b, NULL, NULL);
            add_item(&md->open_groups, a, b, NULL, NULL);
            note_name(md, a, K_ADDR);
        }
        return;
    case 2: /* a group closes */
        a = rd_pick(r, k, addr_fields, 10);
        if (!a)
            return;
        rc = mailbuild_group_close(m, a);
        if (md->ambiguous & AMBIGUOUS_GROUPS)
            return;
        if (rc == 0 && !open_group(md, a))
            FAIL("a group closed that was not open (MAILBUILD_E_STATE expected)");
        if (rc == MAILBUILD_E_STATE && open_group(md, a))
            FAIL("closing an open group failed");
        if (rc == 0 && md->open_groups.count < MAX_ITEMS) /* a closing entry */
            md->open_groups.items[md->open_groups.count++] = (item){a, NULL, NULL, NULL, 1, 0};
        return;
    case 3:
        a = rd_str(r, k);
        if (a && mailbuild_set_subject(m, a) == 0) {
            trace("set_subject", a, NULL);
            md->subject = a;
            md->subject_set = 1;
            note_name(md, "Subject", K_SUBJECT);
        }
        return;
    case 4:
    case 5: /* a text or raw field */
        a = rd_pick(r, k, text_fields, 9);
        b = rd_str(r, k);
        if (!a || !b)
            return;
        rc = op == 4 ? mailbuild_add_text_header(m, a, b) : mailbuild_add_raw_header(m, a, b);
        if (rc == 0) {
            trace(op == 4 ? "add_text_header" : "add_raw_header", a, b);
            CHECK(!reserved(a), "a reserved field name was accepted");
            add_item(op == 4 ? &md->texts : &md->raws, a, NULL, b, NULL);
            note_name(md, a, op == 4 ? K_TEXT : K_RAW);
        }
        return;
    case 6:
        a = rd_str(r, k);
        if (a && mailbuild_set_message_id(m, a) == 0) {
            md->msgid = strip_id(k, a);
            md->msgid_set = 1;
            note_name(md, "Message-ID", K_MSGID);
        }
        return;
    case 7:
        a = rd_pick(r, k, id_fields, 4);
        b = rd_str(r, k);
        if (a && b && mailbuild_add_message_id(m, a, b) == 0) {
            CHECK(!reserved(a), "ids went into a reserved field");
            add_item(&md->ids, a, NULL, strip_id(k, b), NULL);
            note_name(md, a, K_ID);
        }
        return;
    case 8:
        a = rd_pick(r, k, url_fields, 6);
        b = rd_str(r, k);
        if (a && b && mailbuild_add_url(m, a, b) == 0) {
            add_item(&md->urls, a, NULL, b, NULL);
            note_name(md, a, K_URL);
        }
        return;
    case 9:
        a = rd_str(r, k);
        if (a && mailbuild_add_keyword(m, a) == 0) {
            trace("add_keyword", a, NULL);
            add_item(&md->keywords, "Keywords", NULL, a, NULL);
            note_name(md, "Keywords", K_KEYWORD);
        }
        return;
    case 10:
    case 11: /* text or HTML */
        data = rd_bytes(r, k, &len);
        if (!data)
            return;
        rc = op == 10 ? mailbuild_set_text(m, (const char *)data, len, &p)
                      : mailbuild_set_html(m, (const char *)data, len, &p);
        if (rc == 0 && (pm = new_part(md, p, op == 10 ? ORIGIN_TEXT : ORIGIN_HTML)) != NULL) {
            pm->type = op == 10 ? "text/plain" : "text/html";
            pm->data = data;
            pm->len = len;
            if (op == 10)
                md->text = (int)(pm - md->parts);
            else
                md->html = (int)(pm - md->parts);
        } else if (rc == 0)
            md->ambiguous |= AMBIGUOUS_BODY;
        return;
    case 12:
    case 13: { /* an attachment or an inline part */
        const char *type = rd_pick(r, k, leaf_types, 10);
        const char *cid = op == 13 ? rd_str(r, k) : NULL;
        const char *fn = (rd_u8(r) & 1) ? rd_pick(r, k, filenames, 8) : NULL;
        data = rd_bytes(r, k, &len);
        if (!data || (op == 13 && !cid))
            return;
        rc = op == 12 ? mailbuild_add_attachment(m, data, len, type, fn, &p)
                      : mailbuild_add_inline(m, data, len, type, cid, fn, &p);
        if (rc == 0 && (pm = new_part(md, p, op == 12 ? ORIGIN_ATTACH : ORIGIN_INLINE)) != NULL) {
            pm->type = leaf_type(md, type, fn, data, len);
            if (starts_nocase(pm->type, "multipart/"))
                FAIL("a multipart type was accepted for a leaf");
            pm->data = data;
            pm->len = len;
            pm->filename = fn;
            pm->disposition = op == 12 ? "attachment" : "inline";
            pm->content_id = cid ? strip_id(k, cid) : NULL;
            if (op == 12)
                md->attachments[md->attachment_count++] = (int)(pm - md->parts);
            else
                md->inlines[md->inline_count++] = (int)(pm - md->parts);
        } else if (rc == 0)
            md->ambiguous |= AMBIGUOUS_BODY;
        return;
    }
    case 14: { /* a tree leaf */
        const char *type = rd_pick(r, k, leaf_types, 10);
        data = rd_bytes(r, k, &len);
        if (!data)
            return;
        rc = mailbuild_part_new(m, type, data, len, &p);
        if (rc == 0 && !type)
            FAIL("a leaf without a type was accepted");
        if (rc == 0 && starts_nocase(type, "multipart/"))
            FAIL("mailbuild_part_new accepted a multipart type");
        if (rc == 0 && (pm = new_part(md, p, ORIGIN_TREE)) != NULL) {
            pm->type = leaf_type(md, type, NULL, data, len);
            pm->data = data;
            pm->len = len;
        }
        return;
    }
    case 15: /* a multipart */
        a = rd_pick(r, k, multipart_subtypes, 5);
        if (a && mailbuild_multipart_new(m, a, &p) == 0 && (pm = new_part(md, p, ORIGIN_TREE)) != NULL) {
            pm->multipart = 1;
            char *t = keep(k, malloc(strlen(a) + 11));
            if (t) {
                strcpy(t, "multipart/");
                for (size_t i = 0; a[i]; i++)
                    t[10 + i] = (char)(a[i] >= 'A' && a[i] <= 'Z' ? a[i] + 32 : a[i]);
                t[10 + strlen(a)] = '\0';
            }
            pm->type = t;
        }
        return;
    case 16: { /* append */
        part_model *parent = pick_part(md, r), *child = pick_part(md, r);
        if (!parent || !child)
            return;
        int pi = (int)(parent - md->parts), ci = (int)(child - md->parts);
        rc = mailbuild_part_append(parent->p, child->p);
        if (rc != 0)
            return;
        if (!parent->multipart)
            FAIL("a part was appended to a leaf (MAILBUILD_E_INVAL expected)");
        if (child->placed)
            FAIL("a placed part was appended again (MAILBUILD_E_STATE expected)");
        if (is_ancestor(md, ci, pi))
            FAIL("a part was appended into itself (MAILBUILD_E_STATE expected)");
        if (parent->kid_count == MAX_KIDS) {
            md->ambiguous |= AMBIGUOUS_BODY;
            return;
        }
        parent->kids[parent->kid_count++] = ci;
        child->parent = pi;
        child->placed = 1;
        return;
    }
    case 17: { /* the body */
        part_model *root = pick_part(md, r);
        if (!root)
            return;
        rc = mailbuild_set_body(m, root->p);
        if (rc != 0)
            return;
        if (root->placed)
            FAIL("a placed part was made the body (MAILBUILD_E_STATE expected)");
        if (md->body >= 0) /* the body it replaces can be placed again */
            md->parts[md->body].placed = 0;
        md->body = (int)(root - md->parts);
        root->placed = 1;
        return;
    }
    case 18: /* a Content-Type parameter */
        pm = pick_part(md, r);
        a = rd_pick(r, k, param_names, 7);
        b = rd_str(r, k);
        if (pm && a && b && mailbuild_part_set_param(pm->p, a, b) == 0) {
            if (eq_nocase(a, "charset") || eq_nocase(a, "boundary"))
                FAIL("the charset or boundary parameter was set directly");
            set_part_item(pm->params, &pm->param_count, a, b, 1);
        }
        return;
    case 19:
        pm = pick_part(md, r);
        a = rd_pick(r, k, filenames, 8);
        if (pm && a && mailbuild_part_set_filename(pm->p, a) == 0) {
            pm->filename = a;
            if (!pm->disposition && !pm->multipart)
                pm->disposition = "attachment";
        }
        return;
    case 20:
        pm = pick_part(md, r);
        a = rd_pick(r, k, dispositions, 3);
        if (pm && a && mailbuild_part_set_disposition(pm->p, a) == 0)
            pm->disposition = a;
        return;
    case 21:
        pm = pick_part(md, r);
        a = rd_str(r, k);
        if (pm && a && mailbuild_part_set_content_id(pm->p, a) == 0)
            pm->content_id = strip_id(k, a);
        return;
    case 22:
        pm = pick_part(md, r);
        a = rd_pick(r, k, charsets, 9);
        if (pm && mailbuild_part_set_charset(pm->p, a) == 0) {
            /* RFC 2046 §4.1.1: text lines end in the octets CR LF */
            CHECK(!a || ascii_line_ends(a), "a charset that does not write ASCII as ASCII");
            pm->charset = a;
            pm->charset_set = 1;
        }
        return;
    case 23:
    case 24: /* a field on a part */
        pm = pick_part(md, r);
        a = rd_pick(r, k, text_fields, 9);
        b = rd_str(r, k);
        if (!pm || !a || !b)
            return;
        rc = op == 23 ? mailbuild_part_add_text_header(pm->p, a, b)
                      : mailbuild_part_add_raw_header(pm->p, a, b);
        if (rc == 0) {
            CHECK(!reserved(a), "a reserved field name was accepted on a part");
            if (op == 23)
                set_part_item(pm->text_fields, &pm->text_count, a, b, 0);
            else
                set_part_item(pm->raw_fields, &pm->raw_count, a, b, 0);
            if (!has_name(&md->part_names, a))
                add_item(&md->part_names, a, NULL, NULL, NULL);
        }
        return;
    case 25: {
        unsigned sel = rd_u8(r);
        pm = pick_part(md, r);
        if (sel & 0x80) { /* a removal */
            const char *const names[] = {"To", "Subject", "Comments", "X-Fuzz", "Date", "From",
                                         "Keywords", "References", "Message-ID"};
            a = names[sel % 9];
            rc = mailbuild_remove_header(m, a);
            if (rc > 0) {
                if (open_group(md, a))
                    md->ambiguous |= AMBIGUOUS_GROUPS; /* whether the group stays open is not said */
                add_item(&md->removed, a, NULL, NULL, NULL);
                mark_dead(&md->addrs, a);
                mark_dead(&md->texts, a);
                mark_dead(&md->raws, a);
                mark_dead(&md->ids, a);
                mark_dead(&md->keywords, a);
                if (eq_nocase(a, "subject"))
                    md->subject_set = 0;
            }
            return;
        }
        if (!pm)
            return;
        mailbuild_encoding enc = (mailbuild_encoding)(sel % 7); /* 6 is no encoding */
        rc = mailbuild_part_set_encoding(pm->p, enc);
        if (rc == 0 && sel % 7 == 6)
            FAIL("an unknown encoding was accepted");
        if (rc == 0 && pm->multipart && enc != MAILBUILD_ENC_AUTO)
            FAIL("an encoding was forced on a multipart");
        if (rc == 0 && pm->type && strcmp(pm->type, "message/rfc822") == 0 &&
            (enc == MAILBUILD_ENC_QP || enc == MAILBUILD_ENC_BASE64))
            FAIL("message/rfc822 was given quoted-printable or base64 (RFC 2046 5.2.1)");
        if (rc == 0)
            pm->forced = enc == MAILBUILD_ENC_AUTO ? -1 : (int)enc;
        return;
    }
    default:
        return;
    }
}

/* A multipart without parts in the tree under `i`. */
static int empty_multipart(const model *md, int i)
{
    if (i < 0)
        return 0;
    const part_model *pm = &md->parts[i];
    if (pm->multipart && pm->kid_count == 0)
        return 1;
    for (size_t c = 0; c < pm->kid_count; c++)
        if (empty_multipart(md, pm->kids[c]))
            return 1;
    return 0;
}

/* ---- writing ------------------------------------------------------------------------------------ */

typedef struct {
    char *data;
    size_t len, cap;
    size_t fail_after; /* SIZE_MAX: never */
    int failed, calls_after_failure;
} sink;

static int sink_write(void *user, const char *data, size_t len)
{
    sink *s = user;
    if (s->failed)
        s->calls_after_failure++;
    if (len > 65536)
        FAIL("a write piece over 64 KiB");
    if (s->len + len > s->fail_after) {
        s->failed = 1;
        return -1;
    }
    if (s->len + len > s->cap) {
        size_t cap = (s->len + len) * 2 + 1024;
        char *n = realloc(s->data, cap);
        if (!n)
            return -1;
        s->data = n;
        s->cap = cap;
    }
    memcpy(s->data + s->len, data, len);
    s->len += len;
    return 0;
}

/* ---- checking the wire -------------------------------------------------------------------------- */

/* RFC 5322 §2.1.1 and §2.2.3, RFC 2045 §2.7-2.8 over [s, e): CRLF line ends only, at most 998
 * octets a line, no NUL; `header` adds: no line of blanks only (obs-FWS), 7-bit unless
 * `eight_bit`, and valid UTF-8 (RFC 6532) when 8-bit. */
static void check_lines(const char *s, size_t n, int header, int eight_bit)
{
    size_t line = 0;
    int blank_only = 1;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '\r') {
            CHECK(i + 1 < n && s[i + 1] == '\n', "a bare CR");
            if (header && line > 0 && blank_only)
                FAIL("a header line of blanks only");
            i++;
            line = 0;
            blank_only = 1;
            continue;
        }
        CHECK(c != '\n', "a bare LF");
        CHECK(c != '\0', "a NUL byte");
        if (header && !eight_bit)
            CHECK(c < 0x80, "an 8-bit byte in a header without SMTPUTF8");
        if (c != ' ' && c != '\t')
            blank_only = 0;
        CHECK(++line <= 998, "a line over 998 octets");
    }
    if (header && eight_bit)
        CHECK(utf8_valid((const unsigned char *)s, n), "a header that is not UTF-8");
}

/* ---- checking the parse ------------------------------------------------------------------------- */

/* Whether part `pt` is inside a message/rfc822 part (the caller's message, not ours). */
static int in_message(const mailparse_message *pm, const mailparse_part *pt)
{
    for (long q = pt->parent; q >= 0; q = mailparse_message_part(pm, (size_t)q)->parent)
        if (mailparse_message_part(pm, (size_t)q)->kind == MAILPARSE_PART_MESSAGE)
            return 1;
    return 0;
}

static int parsed_leaf_like(const mailparse_part *pt)
{
    return pt->kind != MAILPARSE_PART_MULTIPART;
}

static int enc_equal(mailbuild_encoding b, mailparse_encoding p)
{
    switch (b) {
    case MAILBUILD_ENC_7BIT: return p == MAILPARSE_ENC_7BIT;
    case MAILBUILD_ENC_8BIT: return p == MAILPARSE_ENC_8BIT;
    case MAILBUILD_ENC_BINARY: return p == MAILPARSE_ENC_BINARY;
    case MAILBUILD_ENC_QP: return p == MAILPARSE_ENC_QUOTED_PRINTABLE;
    case MAILBUILD_ENC_BASE64: return p == MAILPARSE_ENC_BASE64;
    default: return 0;
    }
}

static int is_utf8_charset(const char *cs)
{
    return !cs || eq_nocase(cs, "utf-8");
}

static void check_text_fields(model *md, const mailparse_message *pm, size_t part, const item *arr,
                              size_t count, int raw)
{
    for (size_t i = 0; i < count; i++) {
        const item *it = &arr[i];
        if (it->dead || !str_utf8(it->value))
            continue;
        int found = 0, typed = 0;
        for (long nth = 0;; nth++) {
            const mailparse_header *h = mailparse_part_header(pm, part, it->field, nth);
            if (!h)
                break;
            if (h->kind != MAILPARSE_VALUE_TEXT)
                typed = 1;
            if (raw) {
                char *x = unfold_trim(&md->k, h->raw_value, h->raw_value_len);
                char *y = unfold_trim(&md->k, it->value, strlen(it->value));
                found |= !x || !y || strcmp(x, y) == 0;
            } else
                found |= same_text(&md->k, h->text, h->text_len, it->value, strlen(it->value));
        }
        if (!found && !(typed && !raw))
            FAIL(raw ? "a raw field is missing or changed" : "a text field is missing or changed");
    }
}

static const mailparse_address_list *parse_list(mailparse_values *v, const mailparse_header *h)
{
    const mailparse_address_list *l = NULL;
    if (mailparse_parse_addresses(v, h->raw_value, h->raw_value_len, NULL, NULL, &l) != 0)
        return NULL;
    return l;
}

static void check_addresses(model *md, const mailparse_message *pm, mailparse_values *v)
{
    for (size_t i = 0; i < md->addrs.count; i++) {
        const item *it = &md->addrs.items[i];
        if (it->dead)
            continue;
        int found = 0;
        int names_ok = str_utf8(it->name) && str_utf8(it->group);
        for (long nth = 0; !found; nth++) {
            const mailparse_header *h = mailparse_part_header(pm, 0, it->field, nth);
            if (!h)
                break;
            const mailparse_address_list *l = parse_list(v, h);
            for (size_t j = 0; l && j < l->count && !found; j++) {
                const mailparse_address *a = &l->items[j];
                if (!same_addr(&md->k, a->address, it->value))
                    continue;
                if (!names_ok) {
                    found = 1;
                    break;
                }
                const char *name = a->name ? a->name : "";
                const char *given = it->name ? it->name : "";
                if (!same_text(&md->k, name, strlen(name), given, strlen(given)))
                    continue;
                const char *g = a->group >= 0 ? l->group_names[a->group] : NULL;
                if (!(md->ambiguous & AMBIGUOUS_GROUPS) &&
                    (!it->group != !g ||
                     (g && !same_text(&md->k, g, strlen(g), it->group, strlen(it->group)))))
                    continue;
                found = 1;
            }
        }
        if (!found)
            FAIL("an address is missing or changed");
    }
    /* Each address field holds as many mailboxes and groups as were added: a display name or
     * group name must not split into more, nor two fields of one name appear. */
    for (size_t i = 0; i < md->names.count; i++) {
        const char *field = md->names.items[i].field;
        if (md->names.items[i].kind != K_ADDR || caller_owned(md, field) ||
            (md->ambiguous & AMBIGUOUS_GROUPS))
            continue;
        size_t want = 0, want_groups = 0, got = 0, got_groups = 0, fields = 0;
        for (size_t j = 0; j < md->addrs.count; j++)
            want += eq_nocase(md->addrs.items[j].field, field);
        for (size_t j = 0; j < md->groups.count; j++)
            want_groups += eq_nocase(md->groups.items[j].field, field);
        if (!want && !want_groups)
            continue;
        for (long nth = 0;; nth++) {
            const mailparse_header *h = mailparse_part_header(pm, 0, field, nth);
            if (!h)
                break;
            const mailparse_address_list *l = parse_list(v, h);
            fields++;
            got += l ? l->count : 0;
            got_groups += l ? l->group_count : 0;
        }
        CHECK(fields == 1, "an address field written more or less than once");
        CHECK(got == want, "an address field holds another number of mailboxes");
        CHECK(got_groups == want_groups, "an address field holds another number of groups");
    }
}

static void check_lists(model *md, const mailparse_message *pm, mailparse_values *v)
{
    for (size_t i = 0; i < md->ids.count + md->urls.count; i++) {
        int is_id = i < md->ids.count;
        const item *it = is_id ? &md->ids.items[i] : &md->urls.items[i - md->ids.count];
        if (it->dead)
            continue;
        int found = 0;
        for (long nth = 0; !found; nth++) {
            const mailparse_header *h = mailparse_part_header(pm, 0, it->field, nth);
            if (!h)
                break;
            const mailparse_string_list *l = NULL;
            int rc = is_id ? mailparse_parse_ids(v, h->raw_value, h->raw_value_len, &l)
                           : mailparse_parse_urls(v, h->raw_value, h->raw_value_len, &l);
            for (size_t j = 0; rc == 0 && l && j < l->count; j++)
                found |= strcmp(l->items[j], it->value) == 0;
        }
        if (!found)
            FAIL(is_id ? "a message id is missing or changed" : "a URL is missing or changed");
    }
    size_t want = 0, got = 0;
    int countable = !caller_owned(md, "Keywords");
    for (size_t i = 0; i < md->keywords.count; i++) {
        const item *it = &md->keywords.items[i];
        if (it->dead)
            continue;
        char *norm = norm_ws(&md->k, it->value, strlen(it->value));
        if (!norm || !*norm || !str_utf8(it->value)) {
            countable = 0;
            continue;
        }
        want++;
        int found = 0;
        for (long nth = 0; !found; nth++) {
            const mailparse_header *h = mailparse_part_header(pm, 0, "Keywords", nth);
            if (!h)
                break;
            for (size_t j = 0; h->list && j < h->list->count && !found; j++) {
                const char *phrase = h->list->items[j];
                found = same_text(&md->k, phrase, strlen(phrase), norm, strlen(norm));
            }
        }
        CHECK(found, "a keyword is missing or changed");
    }
    for (long nth = 0;; nth++) {
        const mailparse_header *h = mailparse_part_header(pm, 0, "Keywords", nth);
        if (!h)
            break;
        got += h->list ? h->list->count : 0;
    }
    if (countable && want == md->keywords.count)
        CHECK(got == want, "Keywords holds another number of phrases");
}

static void check_header_fields(model *md, const mailparse_message *pm, mailparse_values *v,
                                const mailparse_part *top)
{
    /* every top-level field is one the script added, or one the library writes */
    for (size_t i = 0; i < top->header_count; i++) {
        const mailparse_header *h = mailparse_message_header_at(pm, top->header_first + i);
        int known = eq_nocase_n(h->name, h->name_len, "Date") ||
                    eq_nocase_n(h->name, h->name_len, "Message-ID") ||
                    eq_nocase_n(h->name, h->name_len, "MIME-Version") ||
                    (h->name_len >= 8 && strncasecmp(h->name, "Content-", 8) == 0);
        for (size_t j = 0; !known && j < md->names.count; j++)
            known = eq_nocase_n(h->name, h->name_len, md->names.items[j].field);
        for (size_t j = 0; !known && j < md->part_names.count; j++) /* a one-part body's */
            known = eq_nocase_n(h->name, h->name_len, md->part_names.items[j].field);
        CHECK(known, "a field nobody added (header injection?)");
    }
    /* Subject: once, with the text given */
    size_t subjects = 0;
    while (mailparse_part_header(pm, 0, "Subject", (long)subjects))
        subjects++;
    if (!caller_owned(md, "Subject") && !foreign(md, "Subject", K_SUBJECT)) {
        CHECK(subjects == (md->subject_set ? 1u : 0u), "Subject written another number of times");
        if (md->subject_set && str_utf8(md->subject)) {
            const char *s = mailparse_message_subject(pm);
            CHECK(same_text(&md->k, s ? s : "", s ? strlen(s) : 0, md->subject, strlen(md->subject)),
                  "the subject changed");
        }
    }
    size_t mv = 0;
    while (mailparse_part_header(pm, 0, "MIME-Version", (long)mv))
        mv++;
    CHECK(mv == 1, "MIME-Version is not there once");
    /* Date: the one set, the clock's, or none */
    if (!caller_owned(md, "Date") && !foreign(md, "Date", K_DATE)) {
        size_t n = 0;
        while (mailparse_part_header(pm, 0, "Date", (long)n))
            n++;
        const mailparse_date *d = mailparse_message_date(pm);
        if (md->date_set) {
            CHECK(n == 1 && d, "the Date set is missing");
            CHECK(d->timestamp == md->date && d->offset_minutes == md->date_zone, "the Date changed");
        } else if (md->flags & MAILBUILD_F_NO_DATE) {
            CHECK(n == 0, "a Date with MAILBUILD_F_NO_DATE");
        } else {
            CHECK(n == 1 && d, "no default Date");
            CHECK(d->timestamp == md->clock && d->offset_minutes == md->zone,
                  "the default Date is not the clock's time in the zone of the options");
        }
    }
    if (!caller_owned(md, "Message-ID") && !foreign(md, "Message-ID", K_MSGID)) {
        size_t n = 0;
        while (mailparse_part_header(pm, 0, "Message-ID", (long)n))
            n++;
        const char *id = mailparse_message_id(pm);
        if (md->msgid_set) {
            CHECK(n == 1 && id && strcmp(id, md->msgid) == 0, "the Message-ID changed");
        } else if (md->flags & MAILBUILD_F_NO_MESSAGE_ID) {
            CHECK(n == 0, "a Message-ID with MAILBUILD_F_NO_MESSAGE_ID");
        } else {
            CHECK(n == 1 && id && strchr(id, '@'), "no generated Message-ID");
        }
    }
    check_addresses(md, pm, v);
    check_lists(md, pm, v);
    check_text_fields(md, pm, 0, md->texts.items, md->texts.count, 0);
    check_text_fields(md, pm, 0, md->raws.items, md->raws.count, 1);
}

/* The shape mailbuild_set_text/_html/_add_inline/_add_attachment document, as a tree of nodes
 * that are either a part of the model or a multipart the library adds. */
typedef struct {
    int part;             /* index in the model, or -1 for an added multipart */
    const char *subtype;  /* of an added multipart */
    int kids[MAX_PARTS + 4];
    size_t kid_count;
} shape_node;

typedef struct {
    shape_node nodes[8];
    size_t count;
} shape;

static int shape_add(shape *s, const char *subtype, const int *members, size_t n)
{
    /* a level that would hold one part is left out */
    if (n == 1)
        return members[0];
    shape_node *node = &s->nodes[s->count];
    node->part = -1;
    node->subtype = subtype;
    node->kid_count = n;
    memcpy(node->kids, members, n * sizeof *members);
    return -2 - (int)s->count++; /* negative: a node of the shape */
}

static size_t part_index_of(const mailparse_message *pm, size_t id, size_t nth_child)
{
    return mailparse_message_part(pm, id)->children[nth_child];
}

static void check_leaf(model *md, const mailparse_message *pm, part_model *e, const mailparse_part *pt);

static void check_tree(model *md, const mailparse_message *pm, const shape *s, int node, size_t id)
{
    const mailparse_part *pt = mailparse_message_part(pm, id);
    CHECK(pt, "a part is missing");
    if (node <= -2) {
        const shape_node *sn = &s->nodes[-2 - node];
        CHECK(pt->kind == MAILPARSE_PART_MULTIPART && pt->content_type->subtype &&
                  strcmp(pt->content_type->subtype, sn->subtype) == 0,
              "the multipart of a common shape is another type");
        CHECK(pt->child_count == sn->kid_count, "a common shape holds another number of parts");
        for (size_t i = 0; i < sn->kid_count; i++)
            check_tree(md, pm, s, sn->kids[i], part_index_of(pm, id, i));
        return;
    }
    part_model *e = &md->parts[node];
    if (e->multipart) {
        CHECK(pt->kind == MAILPARSE_PART_MULTIPART, "a multipart came back as a leaf");
        char type[300];
        snprintf(type, sizeof type, "%s/%s", pt->content_type->type,
                 pt->content_type->subtype ? pt->content_type->subtype : "");
        CHECK(strcmp(type, e->type) == 0, "a multipart came back with another subtype");
        if (e->kid_count == 0)
            return; /* RFC 2046 wants one part at least: what the library does is its choice */
        CHECK(pt->child_count == e->kid_count, "a multipart holds another number of parts");
        for (size_t i = 0; i < e->kid_count; i++)
            check_tree(md, pm, s, e->kids[i], part_index_of(pm, id, i));
        check_leaf(md, pm, e, pt);
        return;
    }
    CHECK(parsed_leaf_like(pt), "a leaf came back as a multipart");
    check_leaf(md, pm, e, pt);
}

static void check_leaf(model *md, const mailparse_message *pm, part_model *e, const mailparse_part *pt)
{
    keep_list *k = &md->k;
    check_text_fields(md, pm, pt->id, e->text_fields, e->text_count, 0);
    check_text_fields(md, pm, pt->id, e->raw_fields, e->raw_count, 1);
    for (size_t i = 0; i < e->param_count; i++) {
        const item *it = &e->params[i];
        if (!str_utf8(it->value))
            continue;
        int found = 0;
        for (size_t j = 0; j < pt->content_type->param_count && !found; j++) {
            const mailparse_param *prm = &pt->content_type->params[j];
            found = eq_nocase(prm->name, it->field) && prm->value_len == strlen(it->value) &&
                    memcmp(prm->value, it->value, prm->value_len) == 0;
        }
        CHECK(found, "a Content-Type parameter is missing or changed");
    }
    if (e->multipart)
        return;

    char type[300];
    snprintf(type, sizeof type, "%s/%s", pt->content_type->type,
             pt->content_type->subtype ? pt->content_type->subtype : "");
    CHECK(e->type && strcmp(type, e->type) == 0, "a leaf came back with another type");
    const char *fn = e->filename;
    if (!fn)
        for (size_t i = 0; i < e->param_count; i++)
            if (eq_nocase(e->params[i].field, "name"))
                fn = e->params[i].value;
    if (str_utf8(fn)) {
        const char *got = pt->filename ? pt->filename : "";
        CHECK(strcmp(got, fn ? fn : "") == 0, "a filename is missing or changed");
    }
    if (e->disposition)
        CHECK(pt->disposition && eq_nocase(pt->disposition->type, e->disposition),
              "a disposition is missing or changed");
    if (e->content_id)
        CHECK(pt->content_id && strcmp(pt->content_id, e->content_id) == 0,
              "a Content-ID is missing or changed");

    mailbuild_encoding enc = mailbuild_part_encoding(e->p);
    CHECK(enc_equal(enc, pt->encoding), "the part is not written with the encoding the library reports");
    int is_message = starts_nocase(e->type, "message/");
    if (e->forced >= 0)
        CHECK((int)enc == e->forced, "a forced encoding was not used");
    else if (!is_message)
        CHECK(enc != MAILBUILD_ENC_BINARY, "binary chosen where base64 fits");
    if (e->forced < 0 && !is_message && !(md->flags & (MAILBUILD_F_8BIT | MAILBUILD_F_SMTPUTF8)))
        CHECK(enc != MAILBUILD_ENC_8BIT, "8bit chosen without MAILBUILD_F_8BIT or SMTPUTF8");
    if (is_message)
        return; /* the part holds a message of its own: parsed, not compared */

    int is_text = starts_nocase(e->type, "text/");
    const unsigned char *want = e->data;
    size_t want_len = e->len;
    const unsigned char *got = pt->body;
    size_t got_len = pt->body_len;
    /* text keeps its bytes through the charset when it is UTF-8, or ASCII in an ASCII one */
    int same_bytes = !e->charset_set || is_utf8_charset(e->charset) || plain_ascii(e->data, e->len);
    if (!is_text || (enc == MAILBUILD_ENC_BINARY && same_bytes)) {
        CHECK(got_len == want_len && (!want_len || memcmp(got, want, want_len) == 0),
              "a body came back with other bytes");
        return;
    }
    if (enc == MAILBUILD_ENC_BINARY)
        return; /* converted to its charset and not made CRLF: nothing simple to compare */
    int utf8 = utf8_valid(e->data, e->len);
    if (!utf8 && (e->origin == ORIGIN_TEXT || e->origin == ORIGIN_HTML || e->origin == ORIGIN_TREE))
        return; /* not the UTF-8 text the API takes */
    size_t crlf_len = 0;
    const unsigned char *crlf = to_crlf(k, e->data, e->len, &crlf_len);
    if (!crlf)
        return;
    if (same_bytes) {
        int same_crlf = got_len == crlf_len && (!got_len || memcmp(got, crlf, got_len) == 0);
        int same_raw = got_len == want_len && (!got_len || memcmp(got, want, got_len) == 0);
        if (e->origin == ORIGIN_ATTACH || e->origin == ORIGIN_INLINE)
            CHECK(same_crlf || same_raw, "an attached text came back with other bytes");
        else
            CHECK(same_crlf, "a text body came back other than its text with CRLF line ends");
    } else if (plain_ascii(e->data, e->len) && pt->text) {
        CHECK(pt->text_len == crlf_len && (!crlf_len || memcmp(pt->text, crlf, crlf_len) == 0),
              "an ASCII text in another charset came back changed");
    }
}

static void check_body(model *md, const mailparse_message *pm)
{
    if (md->ambiguous & AMBIGUOUS_BODY)
        return;
    shape s;
    s.count = 0;
    int root;
    if (md->body >= 0) {
        root = md->body;
    } else {
        int alt[2], rel[MAX_PARTS + 1], mix[MAX_PARTS + 1];
        size_t na = 0, nr = 0, nm = 0;
        if (md->text >= 0)
            alt[na++] = md->text;
        if (md->html >= 0)
            alt[na++] = md->html;
        if (na)
            rel[nr++] = shape_add(&s, "alternative", alt, na);
        for (size_t i = 0; i < md->inline_count; i++)
            rel[nr++] = md->inlines[i];
        if (nr)
            mix[nm++] = shape_add(&s, "related", rel, nr);
        for (size_t i = 0; i < md->attachment_count; i++)
            mix[nm++] = md->attachments[i];
        if (!nm) { /* an empty text/plain */
            const mailparse_part *pt = mailparse_message_part(pm, 0);
            CHECK(pt->kind == MAILPARSE_PART_TEXT && strcmp(pt->content_type->subtype, "plain") == 0 &&
                      pt->body_len == 0,
                  "a message without a body is not an empty text/plain");
            return;
        }
        root = shape_add(&s, "mixed", mix, nm);
    }
    check_tree(md, pm, &s, root, 0);
}

/* Anomalies in what the library wrote. Fields the caller formatted, a text field given a
 * structured name, and the content of message/rfc822 parts are the caller's. */
static void check_anomalies(model *md, const mailparse_message *pm, size_t out_len)
{
    size_t n = mailparse_message_anomaly_count(pm);
    for (size_t i = 0; i < n; i++) {
        mailparse_anomaly_kind kind;
        size_t off;
        mailparse_message_anomaly_at(pm, i, &kind, &off);
        if (kind == MAILPARSE_ANOMALY_HEADER_8BIT && (md->flags & MAILBUILD_F_SMTPUTF8))
            continue;
        if (kind == MAILPARSE_ANOMALY_NUL_BYTE || kind == MAILPARSE_ANOMALY_CHARSET_INVALID ||
            kind == MAILPARSE_ANOMALY_8BIT_UNDECLARED || kind == MAILPARSE_ANOMALY_DEPTH_LIMIT ||
            kind == MAILPARSE_ANOMALY_PART_LIMIT)
            continue; /* bodies the caller gave; limits are checked by the tree */
        int excused = 0;
        /* inside a message part's content? */
        for (size_t p = 0; p < mailparse_message_part_count(pm) && !excused; p++) {
            const mailparse_part *pt = mailparse_message_part(pm, p);
            excused = in_message(pm, pt);
            if (!excused && pt->kind == MAILPARSE_PART_MESSAGE)
                excused = off >= pt->offset_body && off <= pt->offset_end;
            if (excused)
                break;
        }
        if (excused)
            continue;
        /* line structure inside a binary body is the point of binary */
        for (size_t p = 0; p < mailparse_message_part_count(pm) && !excused; p++) {
            const mailparse_part *pt = mailparse_message_part(pm, p);
            excused = pt->encoding == MAILPARSE_ENC_BINARY && pt->kind != MAILPARSE_PART_MULTIPART &&
                      off >= pt->offset_body && off <= pt->offset_end &&
                      (kind == MAILPARSE_ANOMALY_LINE_TOO_LONG || kind == MAILPARSE_ANOMALY_BARE_CR ||
                       kind == MAILPARSE_ANOMALY_MIXED_LINE_ENDINGS);
        }
        if (excused)
            continue;
        /* inside a field the caller wrote? */
        for (size_t h = 0; h < mailparse_message_header_count(pm) && !excused; h++) {
            const mailparse_header *hd = mailparse_message_header_at(pm, h);
            if (off < hd->offset_field || off >= hd->offset_end)
                continue;
            for (size_t j = 0; j < md->raws.count && !excused; j++)
                excused = eq_nocase_n(hd->name, hd->name_len, md->raws.items[j].field);
            for (size_t j = 0; j < md->texts.count && !excused; j++)
                excused = hd->kind != MAILPARSE_VALUE_TEXT &&
                          eq_nocase_n(hd->name, hd->name_len, md->texts.items[j].field);
            for (size_t pi = 0; pi < md->part_names.count && !excused; pi++)
                excused = eq_nocase_n(hd->name, hd->name_len, md->part_names.items[pi].field);
            if (kind == MAILPARSE_ANOMALY_HEADER_DUPLICATE)
                excused |= caller_owned(md, hd->name);
        }
        if (!excused && off <= out_len) {
            fprintf(stderr, "anomaly %s at %zu\n", mailparse_anomaly_name(kind), off);
            FAIL("the parser had to repair what the library wrote");
        }
    }
}

static void check_parts_wire(model *md, const mailparse_message *pm, const char *out, size_t len)
{
    int eight = (md->flags & MAILBUILD_F_SMTPUTF8) != 0;
    for (size_t p = 0; p < mailparse_message_part_count(pm); p++) {
        const mailparse_part *pt = mailparse_message_part(pm, p);
        if (in_message(pm, pt) || pt->offset_body > len)
            continue;
        check_lines(out + pt->offset_header, pt->offset_body - pt->offset_header, 1, eight);
        if (pt->kind != MAILPARSE_PART_MULTIPART && pt->encoding == MAILPARSE_ENC_7BIT &&
            pt->offset_end <= len) {
            const unsigned char *b = (const unsigned char *)out + pt->offset_body;
            size_t n = pt->offset_end - pt->offset_body;
            CHECK(is_ascii(b, n) && !memchr(b, 0, n), "a 7bit body holds 8-bit bytes or a NUL");
        }
        if (p == 0)
            continue;
        for (size_t i = 0; i < pt->header_count; i++) {
            const mailparse_header *h = mailparse_message_header_at(pm, pt->header_first + i);
            int known = h->name_len >= 8 && strncasecmp(h->name, "Content-", 8) == 0;
            for (size_t j = 0; !known && j < md->part_names.count; j++)
                known = eq_nocase_n(h->name, h->name_len, md->part_names.items[j].field);
            CHECK(known, "a part field nobody added (header injection?)");
        }
    }
}

static void check_output(model *md, const char *out, size_t len)
{
    /* the top-level header block is always strict */
    const char *end = NULL;
    for (size_t i = 0; i + 3 < len && !end; i++)
        if (memcmp(out + i, "\r\n\r\n", 4) == 0)
            end = out + i + 2;
    CHECK(end, "no empty line after the header");
    int eight = (md->flags & MAILBUILD_F_SMTPUTF8) != 0;
    check_lines(out, (size_t)(end - out), 1, eight);

    mailparse_options po;
    mailparse_options_init(&po);
    po.max_header_size = (size_t)1 << 30;
    po.max_encoded_words = (size_t)1 << 30;
    po.max_parts = (size_t)1 << 30;
    mailparse_message *pm = NULL;
    if (mailparse_parse((const unsigned char *)out, len, &po, &pm) != 0)
        return;

    /* the body: line rules unless a part is binary, 7-bit unless one is 8bit (as the library
     * reports it and as the message says) */
    int binary = 0, eight_bit_body = 0;
    for (size_t i = 0; i < md->part_count; i++) {
        mailbuild_encoding e = mailbuild_part_encoding(md->parts[i].p);
        binary |= e == MAILBUILD_ENC_BINARY;
        eight_bit_body |= e == MAILBUILD_ENC_8BIT || e == MAILBUILD_ENC_BINARY;
    }
    for (size_t i = 0; i < mailparse_message_part_count(pm); i++) {
        const mailparse_part *pt = mailparse_message_part(pm, i);
        if (pt->kind == MAILPARSE_PART_MULTIPART || in_message(pm, pt))
            continue;
        binary |= pt->encoding == MAILPARSE_ENC_BINARY;
        eight_bit_body |= pt->encoding == MAILPARSE_ENC_8BIT || pt->encoding == MAILPARSE_ENC_BINARY;
    }
    if (!binary)
        check_lines(out, len, 0, 1);
    if (!(md->flags & (MAILBUILD_F_8BIT | MAILBUILD_F_SMTPUTF8)) && !eight_bit_body)
        CHECK(is_ascii((const unsigned char *)out, len), "an 8-bit byte without 8BIT or SMTPUTF8");

    mailparse_values *v = NULL;
    if (mailparse_values_new(&v) == 0) {
        check_parts_wire(md, pm, out, len);
        check_header_fields(md, pm, v, mailparse_message_part(pm, 0));
        check_body(md, pm);
        check_anomalies(md, pm, len);
    }
    mailparse_values_free(v);
    mailparse_message_free(pm);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (verbose < 0)
        verbose = getenv("FUZZ_BUILD_VERBOSE") != NULL;
    reader r = {data, size, 0};
    model *md = calloc(1, sizeof *md);
    if (!md)
        return 0;
    md->text = md->html = md->body = -1;
    unsigned flags = rd_u8(&r);
    unsigned limits = rd_u8(&r);
    md->flags = flags & 0x1F;
    md->clock = (int64_t)(rd_u16(&r) | ((uint32_t)rd_u16(&r) << 16)); /* 1970 to 2106 */
    md->zone = (int)(rd_u16(&r) % 2879) - 1439;
    md->rng = rd_u16(&r) | ((uint64_t)rd_u16(&r) << 16);

    mailbuild_options o;
    mailbuild_options_init(&o);
    o.flags = md->flags;
    o.clock = fuzz_clock;
    o.clock_user = md;
    o.utc_offset_minutes = md->zone;
    o.random = fuzz_random;
    o.random_user = &md->rng;
    o.max_depth = limits & 0x0F;
    o.max_parts = (limits >> 4) * 3;
    if (flags & 0x20)
        o.message_id_domain = rd_str(&r, &md->k);
    mailbuild_message *m = NULL;
    if (mailbuild_message_new(&o, &m) != 0)
        goto done;

    for (unsigned ops = 0; r.pos < r.n && ops < MAX_OPS; ops++) {
        if (rd_u8(&r) == 0xFE) { /* a Date */
            int64_t ts = 0;
            for (int i = 0; i < 8; i++)
                ts = (int64_t)((uint64_t)ts << 8 | rd_u8(&r));
            int zone = (int)(int16_t)rd_u16(&r);
            if (mailbuild_set_date(m, ts, zone) == 0) {
                CHECK(zone >= -1439 && zone <= 1439, "a zone past ±23:59 was accepted");
                md->date_set = 1;
                md->date = ts;
                md->date_zone = zone;
                note_name(md, "Date", K_DATE);
            }
            continue;
        }
        r.pos--;
        run_op(md, m, &r);
    }

    /* three ways to the same bytes */
    size_t measured = 0;
    sink w = {NULL, 0, 0, SIZE_MAX, 0, 0};
    char *buf = NULL;
    size_t buf_len = 0;
    int rc_size, rc_write, rc_buf;
    if (flags & 0x80) {
        rc_size = mailbuild_size(m, &measured);
        rc_write = mailbuild_write(m, sink_write, &w);
    } else {
        rc_write = mailbuild_write(m, sink_write, &w);
        rc_size = mailbuild_size(m, &measured);
    }
    rc_buf = mailbuild_to_buffer(m, &buf, &buf_len);
    CHECK(rc_size == rc_write && rc_write == rc_buf, "size, write and buffer disagree on success");
    if (rc_write == 0) {
        CHECK(measured == w.len && w.len == buf_len, "size, write and buffer disagree on the length");
        CHECK(memcmp(w.data, buf, buf_len) == 0, "write and buffer disagree on the bytes");
        CHECK(buf[buf_len] == '\0', "the buffer is not NUL-terminated");
        if (flags & 0x40) { /* a writer that fails part way */
            sink f = {NULL, 0, 0, measured ? (size_t)(md->rng % measured) : 0, 0, 0};
            int rc = mailbuild_write(m, sink_write, &f);
            CHECK(rc == MAILBUILD_E_WRITE, "a failed write was not reported");
            CHECK(f.calls_after_failure == 0, "the writer was called after it failed");
            free(f.data);
            sink again = {NULL, 0, 0, SIZE_MAX, 0, 0};
            CHECK(mailbuild_write(m, sink_write, &again) == 0 && again.len == buf_len &&
                      memcmp(again.data, buf, buf_len) == 0,
                  "a write after a failed one gives other bytes");
            free(again.data);
        }
        if (verbose > 0)
            fwrite(buf, 1, buf_len, stderr);
        check_output(md, buf, buf_len);
    } else {
        if (verbose > 0)
            fprintf(stderr, "write: %s\n", mailbuild_strerror(rc_write));
        /* RFC 2046 §5.1.1: a multipart needs a part (the random source never repeats here) */
        if (rc_write == MAILBUILD_E_STATE)
            CHECK((md->ambiguous & AMBIGUOUS_BODY) || empty_multipart(md, md->body),
                  "MAILBUILD_E_STATE without an empty multipart");
        else /* E_LIMIT: a header line past 998, or max_parts with the writer's multiparts */
            CHECK(rc_write == MAILBUILD_E_NOMEM || rc_write == MAILBUILD_E_CHARSET ||
                      rc_write == MAILBUILD_E_LIMIT,
                  "mailbuild_write failed with an undocumented error");
    }
    mailbuild_free(buf);
    free(w.data);
done:
    mailbuild_message_free(m);
    keep_free(&md->k);
    free(md);
    return 0;
}
