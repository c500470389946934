/* test_roundtrip.c — every generated message (roundtrip_gen.h) is built, written, and parsed
 * back with libmailparse; each header field, the part tree and every decoded body must equal
 * what was put in. Also checks the wire form (CRLF only, no line over 998 octets, 7-bit unless
 * 8BITMIME or SMTPUTF8 was allowed) and that size, write and buffer agree.
 *
 * ROUNDTRIP_COUNT sets the number of messages (default 2000); ROUNDTRIP_FIRST the first seed.
 * A mismatch prints the seed, the field and both values; `mailbuild_corpus` writes the same
 * seeds as files for a closer look. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cmocka.h>

#include "mailbuild.h"
#include "mailparse.h"
#include "roundtrip_gen.h"

#define DEFAULT_COUNT 2000
#define MAX_REPORTS_PER_SEED 12
#define SHOW 100 /* bytes of a value shown around a difference */

/* ------------------------------------------------------------------------------------------ */
/* Mismatch reporting                                                                          */

#define MAX_FIELDS 64

typedef struct tally {
    char field[64];
    size_t count;
    uint64_t first_seed;
} tally;

typedef struct checker {
    uint64_t seed;
    size_t mismatches;          /* in the current message */
    size_t failed_messages;
    tally fields[MAX_FIELDS];
    size_t field_count;
} checker;

/* The field name without part numbers ("body.1.2.text" -> "body.text"), for the tally. */
static void field_key(const char *path, char *out, size_t size)
{
    size_t n = 0;
    for (const char *p = path; *p && n + 1 < size; p++) {
        if (*p == '.' && p[1] >= '0' && p[1] <= '9') {
            while (p[1] >= '0' && p[1] <= '9')
                p++;
            continue;
        }
        out[n++] = *p;
    }
    out[n] = '\0';
}

static void count_field(checker *ck, const char *path)
{
    char key[64];
    field_key(path, key, sizeof key);
    for (size_t i = 0; i < ck->field_count; i++) {
        if (strcmp(ck->fields[i].field, key) == 0) {
            ck->fields[i].count++;
            return;
        }
    }
    if (ck->field_count == MAX_FIELDS)
        return;
    tally *t = &ck->fields[ck->field_count++];
    snprintf(t->field, sizeof t->field, "%s", key);
    t->count = 1;
    t->first_seed = ck->seed;
}

/* Bytes [at - SHOW/2, ...) of `s` with C escapes, in `out`. */
static const char *show(const void *data, size_t len, size_t at, char *out, size_t size)
{
    const unsigned char *s = data;
    if (!s) {
        snprintf(out, size, "(none)");
        return out;
    }
    size_t start = at > SHOW / 2 ? at - SHOW / 2 : 0;
    size_t end = start + SHOW < len ? start + SHOW : len;
    /* cut between UTF-8 characters, not inside one */
    while (start > 0 && (s[start] & 0xC0) == 0x80)
        start--;
    while (end < len && end > start && (s[end] & 0xC0) == 0x80)
        end--;
    size_t n = 0;
    n += (size_t)snprintf(out + n, size - n, "%s\"", start ? "..." : "");
    for (size_t i = start; i < end && n + 8 < size; i++) {
        unsigned char c = s[i];
        if (c == '"' || c == '\\')
            n += (size_t)snprintf(out + n, size - n, "\\%c", c);
        else if (c == '\r')
            n += (size_t)snprintf(out + n, size - n, "\\r");
        else if (c == '\n')
            n += (size_t)snprintf(out + n, size - n, "\\n");
        else if (c == '\t')
            n += (size_t)snprintf(out + n, size - n, "\\t");
        else if (c < 0x20 || c == 0x7f)
            n += (size_t)snprintf(out + n, size - n, "\\x%02x", c);
        else
            out[n++] = (char)c;
    }
    snprintf(out + n, size - n, "\"%s (%zu bytes)", end < len ? "..." : "", len);
    return out;
}

#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static void mismatch(checker *ck, const char *path, const char *fmt, ...)
{
    ck->mismatches++;
    count_field(ck, path);
    if (ck->mismatches > MAX_REPORTS_PER_SEED)
        return;
    char text[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    fprintf(stderr, "seed %llu: %s: %s\n", (unsigned long long)ck->seed, path, text);
}

/* Compares bytes; reports where they first differ. */
static void same_bytes(checker *ck, const char *path, const void *want, size_t want_len,
                       const void *got, size_t got_len)
{
    if (got && want_len == got_len && (want_len == 0 || memcmp(want, got, want_len) == 0))
        return;
    size_t at = 0;
    if (got)
        while (at < want_len && at < got_len && ((const char *)want)[at] == ((const char *)got)[at])
            at++;
    char a[SHOW * 4 + 64], b[SHOW * 4 + 64];
    mismatch(ck, path, "differs at byte %zu: expected %s, got %s", at,
             show(want, want_len, at, a, sizeof a), show(got, got_len, at, b, sizeof b));
}

/* Compares strings; NULL expected means absent, "" and NULL got compare equal when
 * `empty_is_none`. */
static void same_string(checker *ck, const char *path, const char *want, const char *got,
                        int empty_is_none)
{
    if (empty_is_none) {
        if (want && !*want)
            want = NULL;
        if (got && !*got)
            got = NULL;
    }
    if (!want && !got)
        return;
    if (!want) {
        char b[SHOW * 4 + 64];
        mismatch(ck, path, "expected none, got %s", show(got, strlen(got), 0, b, sizeof b));
        return;
    }
    same_bytes(ck, path, want, strlen(want), got, got ? strlen(got) : 0);
}

/* out = base "." leaf (or leaf when base is ""), cut to fit. */
static void path_join(char *out, size_t size, const char *base, const char *leaf)
{
    size_t n = 0;
    for (const char *s = base; *s && n + 1 < size; s++)
        out[n++] = *s;
    if (*base && n + 1 < size)
        out[n++] = '.';
    for (const char *s = leaf; *s && n + 1 < size; s++)
        out[n++] = *s;
    out[n] = '\0';
}

/* ------------------------------------------------------------------------------------------ */
/* Header fields                                                                               */

/* A written addr-spec with its local part unquoted: "\"a b\"@x" -> "a b@x". */
static char *unquote_address(const char *a)
{
    size_t n = strlen(a);
    char *out = malloc(n + 1);
    assert_non_null(out);
    size_t o = 0, i = 0;
    if (a[0] == '"') {
        for (i = 1; i < n && a[i] != '"'; i++) {
            if (a[i] == '\\' && i + 1 < n)
                i++;
            out[o++] = a[i];
        }
        if (i < n)
            i++;
    }
    memcpy(out + o, a + i, n - i);
    out[o + n - i] = '\0';
    return out;
}

static void check_addresses(checker *ck, const char *path, const rt_addrs *want,
                            const mailparse_message *m, size_t part, const char *field)
{
    char p[256], q[300];
    const mailparse_header *h = mailparse_part_header(m, part, field, 0);
    if (!want->present) {
        if (h)
            mismatch(ck, path, "expected no %s field, got one", field);
        return;
    }
    if (!h || !h->addresses) {
        mismatch(ck, path, "expected a %s field, got none", field);
        return;
    }
    if (mailparse_part_header(m, part, field, 1))
        mismatch(ck, path, "the %s field is written twice", field);
    const mailparse_address_list *l = h->addresses;
    if (l->count != want->count) {
        char b[SHOW * 4 + 64];
        mismatch(ck, path, "expected %zu mailboxes, got %zu in %s", want->count, l->count,
                 show(h->raw_value, h->raw_value_len, 0, b, sizeof b));
    }
    for (size_t i = 0; i < want->count && i < l->count; i++) {
        snprintf(q, sizeof q, "%s.%zu", path, i);
        path_join(p, sizeof p, q, "name");
        same_string(ck, p, want->items[i].name, l->items[i].name, 1);
        path_join(p, sizeof p, q, "address");
        char *addr = l->items[i].address ? unquote_address(l->items[i].address) : NULL;
        same_string(ck, p, want->items[i].address, addr, 0);
        free(addr);
        if (l->items[i].group != want->items[i].group) {
            path_join(p, sizeof p, q, "group");
            mismatch(ck, p, "expected group %d, got %d", want->items[i].group, l->items[i].group);
        }
    }
    if (l->group_count != want->group_count) {
        path_join(p, sizeof p, path, "groups");
        mismatch(ck, p, "expected %zu groups, got %zu", want->group_count, l->group_count);
    }
    for (size_t i = 0; i < want->group_count && i < l->group_count; i++) {
        snprintf(q, sizeof q, "%s.group.%zu", path, i);
        same_string(ck, q, want->groups[i], l->group_names[i], 0);
    }
}

/* A field that must appear at most once; returns it or NULL. */
static const mailparse_header *single(checker *ck, const char *path, const mailparse_message *m,
                                      size_t part, const char *name)
{
    const mailparse_header *h = mailparse_part_header(m, part, name, 0);
    if (h && mailparse_part_header(m, part, name, 1))
        mismatch(ck, path, "the %s field is written twice", name);
    return h;
}

static void check_ids(checker *ck, const char *path, const char *const *want, size_t count,
                      const mailparse_message *m, size_t part, const char *name)
{
    const mailparse_header *h = single(ck, path, m, part, name);
    if (!count) {
        if (h)
            mismatch(ck, path, "expected no %s field, got one", name);
        return;
    }
    if (!h || !h->list) {
        mismatch(ck, path, "expected %zu ids, got no field", count);
        return;
    }
    if (h->list->count != count)
        mismatch(ck, path, "expected %zu items, got %zu", count, h->list->count);
    for (size_t i = 0; i < count && i < h->list->count; i++) {
        char p[256];
        snprintf(p, sizeof p, "%s.%zu", path, i);
        same_string(ck, p, want[i], h->list->items[i], 0);
    }
}

static void check_text_field(checker *ck, const char *path, const char *want,
                             const mailparse_message *m, size_t part, const char *name)
{
    const mailparse_header *h = single(ck, path, m, part, name);
    if (!want) {
        if (h)
            mismatch(ck, path, "expected no %s field, got one", name);
        return;
    }
    if (!h) {
        mismatch(ck, path, "expected a %s field, got none", name);
        return;
    }
    same_bytes(ck, path, want, strlen(want), h->text, h->text_len);
}

/* ------------------------------------------------------------------------------------------ */
/* The message and its parts                                                                   */

static void check_message(checker *ck, const char *path, const rt_message *want,
                          const mailparse_message *m, size_t part);

static int param_index(const mailparse_content_type *ct, const char *name)
{
    for (size_t i = 0; i < ct->param_count; i++)
        if (strcasecmp(ct->params[i].name, name) == 0)
            return (int)i;
    return -1;
}

static void check_part(checker *ck, const char *path, const rt_part *want,
                       const mailparse_message *m, size_t id)
{
    char p[256];
    const mailparse_part *got = mailparse_message_part(m, id);
    if (!got) {
        mismatch(ck, path, "part %zu missing", id);
        return;
    }
    const mailparse_content_type *ct = got->content_type;
    path_join(p, sizeof p, path, "type");
    if (strcasecmp(ct->type, want->type) != 0 || !ct->subtype ||
        strcasecmp(ct->subtype, want->subtype) != 0)
        mismatch(ck, p, "expected %s/%s, got %s/%s", want->type, want->subtype, ct->type,
                 ct->subtype ? ct->subtype : "");

    static const char *const kinds[] = { "text", "html", "binary", "message", "multipart" };
    mailparse_part_kind kind = want->kind == RT_MULTIPART ? MAILPARSE_PART_MULTIPART
                             : want->kind == RT_MESSAGE   ? MAILPARSE_PART_MESSAGE
                             : want->kind == RT_BINARY    ? MAILPARSE_PART_BINARY
                             : strcmp(want->subtype, "html") == 0 ? MAILPARSE_PART_HTML
                                                                  : MAILPARSE_PART_TEXT;
    if (got->kind != kind) {
        path_join(p, sizeof p, path, "kind");
        mismatch(ck, p, "expected %s, got %s", kinds[kind], kinds[got->kind]);
        return;
    }
    if (got->flags & (MAILPARSE_PART_ENCODING_PROBLEM | MAILPARSE_PART_TRUNCATED)) {
        path_join(p, sizeof p, path, "flags");
        mismatch(ck, p, "the part is marked %s", (got->flags & MAILPARSE_PART_TRUNCATED)
                                                     ? "truncated" : "badly encoded");
    }

    for (size_t i = 0; i < want->param_count; i++) {
        path_join(p, sizeof p, path, "param");
        int k = param_index(ct, want->params[i].name);
        if (k < 0) {
            mismatch(ck, p, "%s missing", want->params[i].name);
            continue;
        }
        const mailparse_param *got_param = &ct->params[k];
        if (got_param->value_len != strlen(want->params[i].value) ||
            memcmp(got_param->value, want->params[i].value, got_param->value_len) != 0) {
            char a[SHOW * 4 + 64], b[SHOW * 4 + 64];
            mismatch(ck, p, "%s: expected %s, got %s", want->params[i].name,
                     show(want->params[i].value, strlen(want->params[i].value), 0, a, sizeof a),
                     show(got_param->value, got_param->value_len, 0, b, sizeof b));
        }
    }
    path_join(p, sizeof p, path, "filename");
    same_string(ck, p, want->filename, got->filename, 0);
    if (want->disposition) {
        path_join(p, sizeof p, path, "disposition");
        if (!got->disposition)
            mismatch(ck, p, "expected %s, got none", want->disposition);
        else if (strcasecmp(got->disposition->type, want->disposition) != 0)
            mismatch(ck, p, "expected %s, got %s", want->disposition, got->disposition->type);
    }
    path_join(p, sizeof p, path, "content_id");
    same_string(ck, p, want->content_id, got->content_id, 0);
    path_join(p, sizeof p, path, "description");
    same_string(ck, p, want->description, got->description, 0);

    switch (want->kind) {
    case RT_MULTIPART:
        if (got->child_count != want->child_count) {
            path_join(p, sizeof p, path, "children");
            mismatch(ck, p, "expected %zu parts, got %zu", want->child_count, got->child_count);
        }
        for (size_t i = 0; i < want->child_count && i < got->child_count; i++) {
            snprintf(p, sizeof p, "%s.%zu", path, i);
            check_part(ck, p, want->children[i], m, got->children[i]);
        }
        break;
    case RT_TEXT:
        path_join(p, sizeof p, path, "text");
        same_bytes(ck, p, want->body, want->body_len, got->text, got->text_len);
        path_join(p, sizeof p, path, "charset");
        if (!got->charset || strcasecmp(got->charset, want->charset) != 0)
            mismatch(ck, p, "expected %s, got %s", want->charset,
                     got->charset ? got->charset : "(none)");
        break;
    case RT_BINARY:
        path_join(p, sizeof p, path, "body");
        same_bytes(ck, p, want->body, want->body_len, got->body, got->body_len);
        break;
    case RT_MESSAGE:
        path_join(p, sizeof p, path, "message");
        if (got->body) {
            char b[256];
            path_join(b, sizeof b, path, "body");
            same_bytes(ck, b, want->body, want->body_len, got->body, got->body_len);
        }
        if (got->nested)
            check_message(ck, p, want->nested, got->nested, 0);
        else if (got->child_count == 1)
            check_message(ck, p, want->nested, m, got->children[0]);
        else
            mismatch(ck, p, "not parsed as a message (%zu children)", got->child_count);
        break;
    }
}

static void check_message(checker *ck, const char *path, const rt_message *want,
                          const mailparse_message *m, size_t part)
{
    char p[256];
    path_join(p, sizeof p, path, "from");
    check_addresses(ck, p, &want->from, m, part, "From");
    path_join(p, sizeof p, path, "to");
    check_addresses(ck, p, &want->to, m, part, "To");
    path_join(p, sizeof p, path, "cc");
    check_addresses(ck, p, &want->cc, m, part, "Cc");
    path_join(p, sizeof p, path, "subject");
    check_text_field(ck, p, want->subject, m, part, "Subject");

    path_join(p, sizeof p, path, "date");
    const mailparse_header *h = single(ck, p, m, part, "Date");
    if (!want->has_date && h) {
        mismatch(ck, p, "expected no Date field, got one");
    } else if (want->has_date && (!h || !h->date)) {
        mismatch(ck, p, "expected %lld %+d, got %s", (long long)want->date, want->date_offset,
                 h ? "an unreadable date" : "no Date field");
    } else if (want->has_date && (h->date->timestamp != want->date ||
                                  h->date->offset_minutes != want->date_offset)) {
        mismatch(ck, p, "expected %lld %+d, got %lld %+d (%.*s)", (long long)want->date,
                 want->date_offset, (long long)h->date->timestamp, h->date->offset_minutes,
                 (int)h->raw_value_len, h->raw_value);
    }

    path_join(p, sizeof p, path, "message_id");
    h = single(ck, p, m, part, "Message-ID");
    if (want->message_id) {
        if (!h || !h->list || h->list->count != 1)
            mismatch(ck, p, "expected <%s>, got %s", want->message_id, h ? "no single id" : "none");
        else
            same_string(ck, p, want->message_id, h->list->items[0], 0);
    } else if (want->message_id_suffix) {
        size_t n = strlen(want->message_id_suffix);
        const char *id = h && h->list && h->list->count == 1 ? h->list->items[0] : NULL;
        if (!id || strlen(id) <= n || strcmp(id + strlen(id) - n, want->message_id_suffix) != 0)
            mismatch(ck, p, "expected a generated id ending in %s, got %s", want->message_id_suffix,
                     id ? id : "none");
    } else if (h) {
        mismatch(ck, p, "expected no Message-ID field, got one");
    }
    path_join(p, sizeof p, path, "in_reply_to");
    check_ids(ck, p, want->in_reply_to, want->in_reply_to_count, m, part, "In-Reply-To");
    path_join(p, sizeof p, path, "references");
    check_ids(ck, p, want->references, want->references_count, m, part, "References");
    path_join(p, sizeof p, path, "keywords");
    check_ids(ck, p, want->keywords, want->keyword_count, m, part, "Keywords");
    if (want->text_header_name) {
        path_join(p, sizeof p, path, "text_header");
        check_text_field(ck, p, want->text_header_value, m, part, want->text_header_name);
    }
    path_join(p, sizeof p, path, "mime_version");
    h = single(ck, p, m, part, "MIME-Version");
    if (!h || h->text_len != 3 || memcmp(h->text, "1.0", 3) != 0)
        mismatch(ck, p, "expected 1.0, got %s", h ? h->text : "none");

    path_join(p, sizeof p, path, "body");
    check_part(ck, p, want->root, m, part);
}

/* ------------------------------------------------------------------------------------------ */
/* The wire form                                                                               */

static int uses_smtputf8(const rt_message *msg)
{
    return (msg->flags & MAILBUILD_F_SMTPUTF8) != 0;
}

/* RFC 5322 §2.1 and §2.1.1: CRLF only, no NUL, lines of at most 998 octets; RFC 2045 §2.7 and
 * RFC 6152: 8-bit bytes only when 8BITMIME or SMTPUTF8 was allowed; RFC 6532 §3: 8-bit bytes
 * in the header only with SMTPUTF8. */
static void check_wire(checker *ck, const rt_case *c)
{
    const unsigned char *s = (const unsigned char *)c->raw;
    size_t n = c->raw_len, line_start = 0, header_end = n;
    int eight_bit_ok = (c->msg->flags & (MAILBUILD_F_8BIT | MAILBUILD_F_SMTPUTF8)) != 0;
    int reported_long = 0, reported_8bit = 0, reported_ends = 0;
    for (size_t i = 0; i < n; i++) {
        if (header_end == n && i >= 3 && memcmp(s + i - 3, "\r\n\r\n", 4) == 0)
            header_end = i;
        if (s[i] == '\n' && (i == 0 || s[i - 1] != '\r') && !reported_ends++)
            mismatch(ck, "wire.line_end", "bare LF at byte %zu", i);
        if (s[i] == '\r' && (i + 1 == n || s[i + 1] != '\n') && !reported_ends++)
            mismatch(ck, "wire.line_end", "bare CR at byte %zu", i);
        if (s[i] == 0 && !reported_ends++)
            mismatch(ck, "wire.nul", "NUL at byte %zu", i);
        if (s[i] >= 0x80 && !reported_8bit) {
            if (!eight_bit_ok) {
                reported_8bit = 1;
                mismatch(ck, "wire.8bit", "8-bit byte at %zu without 8BIT or SMTPUTF8", i);
            } else if (i < header_end && !uses_smtputf8(c->msg)) {
                reported_8bit = 1;
                mismatch(ck, "wire.8bit_header", "8-bit byte at %zu in the header without SMTPUTF8", i);
            }
        }
        if (s[i] == '\n' || i + 1 == n) {
            size_t end = s[i] == '\n' ? i - (i > line_start && s[i - 1] == '\r') : i + 1;
            if (end - line_start > 998 && !reported_long++)
                mismatch(ck, "wire.line_length", "line of %zu octets at byte %zu",
                         end - line_start, line_start);
            line_start = i + 1;
        }
    }
}

/* RFC 5322 §3.2.2 and §4.2: a header line made only of white space is obs-FWS, which must not
 * be generated (and ends the header block for some readers). Checks every header block the
 * parser found in the message bytes. */
static void check_header_lines(checker *ck, const rt_case *c, const mailparse_message *m)
{
    const unsigned char *s = (const unsigned char *)c->raw;
    for (size_t i = 0; i < mailparse_message_part_count(m); i++) {
        const mailparse_part *p = mailparse_message_part(m, i);
        size_t end = p->offset_body < c->raw_len ? p->offset_body : c->raw_len;
        size_t line = p->offset_header;
        for (size_t k = p->offset_header; k < end; k++) {
            if (s[k] != '\n')
                continue;
            size_t stop = k > line && s[k - 1] == '\r' ? k - 1 : k;
            int blank = stop > line;
            for (size_t j = line; j < stop && blank; j++)
                blank = s[j] == ' ' || s[j] == '\t';
            if (blank) {
                char b[SHOW * 4 + 64];
                mismatch(ck, "wire.whitespace_line", "a header line of white space only at byte %zu: %s",
                         line, show(s, c->raw_len, line, b, sizeof b));
                return;
            }
            line = k + 1;
        }
    }
}

typedef struct collected {
    rt_buf buf;
    size_t calls, largest;
} collected;

static int collect(void *user, const char *data, size_t len)
{
    collected *c = user;
    rt_buf_add(&c->buf, data, len);
    c->calls++;
    if (len > c->largest)
        c->largest = len;
    return 0;
}

/* size, write and a second to_buffer give what the first to_buffer gave. */
static void check_output_calls(checker *ck, rt_case *c)
{
    if (c->size_first != SIZE_MAX && c->size_first != c->raw_len)
        mismatch(ck, "output.size_first", "mailbuild_size() said %zu before writing, wrote %zu",
                 c->size_first, c->raw_len);
    size_t size = 0;
    int rc = mailbuild_size(c->built, &size);
    if (rc != 0 || size != c->raw_len)
        mismatch(ck, "output.size", "mailbuild_size() = %d, %zu; the buffer holds %zu", rc, size,
                 c->raw_len);
    collected got = { { 0 }, 0, 0 };
    rc = mailbuild_write(c->built, collect, &got);
    if (rc != 0)
        mismatch(ck, "output.write", "mailbuild_write() = %d (%s)", rc, mailbuild_strerror(rc));
    else
        same_bytes(ck, "output.write", c->raw, c->raw_len, got.buf.p ? got.buf.p : "", got.buf.len);
    if (got.largest > 65536)
        mismatch(ck, "output.write_piece", "a piece of %zu bytes (at most 64 KiB)", got.largest);
    free(got.buf.p);
    char *again = NULL;
    size_t again_len = 0;
    rc = mailbuild_to_buffer(c->built, &again, &again_len);
    if (rc != 0)
        mismatch(ck, "output.to_buffer", "second mailbuild_to_buffer() = %d", rc);
    else
        same_bytes(ck, "output.to_buffer", c->raw, c->raw_len, again, again_len);
    mailbuild_free(again);
}

static int any_smtputf8(const rt_message *msg);

static int part_smtputf8(const rt_part *p)
{
    if (p->kind == RT_MESSAGE)
        return any_smtputf8(p->nested);
    for (size_t i = 0; i < p->child_count; i++)
        if (part_smtputf8(p->children[i]))
            return 1;
    return 0;
}

static int any_smtputf8(const rt_message *msg)
{
    return uses_smtputf8(msg) || part_smtputf8(msg->root);
}

/* A message the library wrote needs no repair: every anomaly is a finding, but raw UTF-8 in
 * header fields under SMTPUTF8 (HEADER_8BIT), which is what RFC 6532 §3 allows. */
static void check_anomalies(checker *ck, const rt_case *c, const mailparse_message *m)
{
    int smtputf8 = any_smtputf8(c->msg);
    for (size_t i = 0; i < mailparse_message_anomaly_count(m); i++) {
        mailparse_anomaly_kind kind;
        size_t offset;
        mailparse_message_anomaly_at(m, i, &kind, &offset);
        if (kind == MAILPARSE_ANOMALY_HEADER_8BIT && smtputf8)
            continue;
        char path[96], b[SHOW * 4 + 64];
        snprintf(path, sizeof path, "anomaly.%s", mailparse_anomaly_name((int)kind));
        mismatch(ck, path, "at byte %zu: %s", offset,
                 show(c->raw, c->raw_len, offset, b, sizeof b));
    }
}

/* ------------------------------------------------------------------------------------------ */
/* Tests                                                                                       */

static size_t env_size(const char *name, size_t fallback)
{
    const char *v = getenv(name);
    if (!v || !*v)
        return fallback;
    char *end;
    unsigned long long n = strtoull(v, &end, 10);
    return *end ? fallback : (size_t)n;
}

static void check_case(checker *ck, rt_case *c)
{
    if (c->build_error[0])
        mismatch(ck, "build", "a valid value was refused: %s", c->build_error);
    if (!c->raw) {
        mismatch(ck, "build", "nothing was written");
        return;
    }
    check_wire(ck, c);
    check_output_calls(ck, c);
    mailparse_message *m = NULL;
    int rc = mailparse_parse((const unsigned char *)c->raw, c->raw_len, NULL, &m);
    if (rc != 0) {
        mismatch(ck, "parse", "mailparse_parse() = %d (%s)", rc, mailparse_strerror(rc));
        return;
    }
    check_anomalies(ck, c, m);
    check_header_lines(ck, c, m);
    check_message(ck, "", c->msg, m, 0);
    mailparse_message_free(m);
}

static void generated_messages_parse_back_equal(void **state)
{
    (void)state;
    size_t count = env_size("ROUNDTRIP_COUNT", DEFAULT_COUNT);
    size_t first = env_size("ROUNDTRIP_FIRST", 0);
    checker *ck = calloc(1, sizeof *ck);
    assert_non_null(ck);
    size_t equal = 0;
    for (size_t i = 0; i < count; i++) {
        rt_case c;
        rt_generate(first + i, &c);
        ck->seed = first + i;
        ck->mismatches = 0;
        check_case(ck, &c);
        if (ck->mismatches == 0)
            equal++;
        else
            ck->failed_messages++;
        rt_case_free(&c);
    }
    printf("roundtrip libmailparse: %zu messages, %zu equal\n", count, equal);
    for (size_t i = 0; i < ck->field_count; i++)
        printf("  %-28s %zu mismatches (first: seed %llu)\n", ck->fields[i].field,
               ck->fields[i].count, (unsigned long long)ck->fields[i].first_seed);
    fflush(stdout);
    size_t failed = ck->failed_messages;
    free(ck);
    assert_int_equal(failed, 0);
}

/* The same seed gives the same bytes: the injected clock and random source are all the
 * builder reads (DESIGN.md §3), so output can be compared across runs. */
static void same_seed_gives_same_bytes(void **state)
{
    (void)state;
    for (uint64_t seed = 0; seed < 50; seed++) {
        rt_case a, b;
        rt_generate(seed, &a);
        rt_generate(seed, &b);
        assert_non_null(a.raw);
        assert_non_null(b.raw);
        assert_int_equal(a.raw_len, b.raw_len);
        assert_memory_equal(a.raw, b.raw, a.raw_len);
        rt_case_free(&a);
        rt_case_free(&b);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(same_seed_gives_same_bytes),
        cmocka_unit_test(generated_messages_parse_back_equal),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
