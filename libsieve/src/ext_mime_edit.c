/* ext_mime_edit.c — RFC 5703 replace (§5) and enclose (§6): the message rebuilt, the new parts
 * made with libmailbuild, the rest kept byte for byte, and the result made the run's message
 * from then on (sv_result_rebuilt). */
#include "outgoing.h"

#include "lm_alloc.h"
#include "lm_ascii.h"

#include <stdio.h>
#include <string.h>

/* ---- the message as the run sees it ------------------------------------------------------ */

/* Appends `n` octets of text with every line end (CRLF, bare LF, bare CR) made CRLF. */
static void put_crlf(lm_buf *b, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\r' || s[i] == '\n') {
            if (s[i] == '\r' && i + 1 < n && s[i + 1] == '\n')
                i++;
            lm_buf_append(b, "\r\n", 2);
        } else {
            lm_buf_putc(b, s[i]);
        }
    }
}

static int is_named(const mailparse_header *h, const char *name)
{
    return lm_eq_nocase(h->name, h->name_len, name);
}

/* How the header is written out: every field, or (replace of the whole message) without the
 * fields of the MIME structure, with From and Subject renamed Original-From and
 * Original-Subject when the script gives new ones. */
typedef struct header_out {
    lm_buf *b;
    const unsigned char *raw;    /* the run's message: its own fields are copied as written */
    size_t raw_len;
    int drop_content;
    int rename_from, rename_subject;
    int has_mime_version;
} header_out;

static int write_field(sv_run *r, void *user, const mailparse_header *h)
{
    (void)r;
    header_out *o = user;
    if (o->drop_content && h->name_len >= 8 && lm_strncasecmp(h->name, "content-", 8) == 0)
        return 0;
    o->has_mime_version |= is_named(h, "mime-version");
    const char *rename = o->rename_from && is_named(h, "from") ? "Original-From"
                         : o->rename_subject && is_named(h, "subject") ? "Original-Subject"
                         : NULL;
    const char *raw = (const char *)o->raw;
    if (h->offset_end <= o->raw_len && h->offset_field + h->name_len < h->offset_end &&
        !memcmp(raw + h->offset_field, h->name, h->name_len)) {
        /* A field of the message: as written, after its name. */
        lm_buf_puts(o->b, rename ? rename : "");
        size_t from = h->offset_field + (rename ? h->name_len : 0);
        put_crlf(o->b, raw + from, h->offset_end - from);
        if (h->offset_end == from || (raw[h->offset_end - 1] != '\n' &&
                                      raw[h->offset_end - 1] != '\r'))
            lm_buf_append(o->b, "\r\n", 2);
        return 0;
    }
    /* A field addheader added: its value is already folded with CRLF. */
    if (rename)
        lm_buf_puts(o->b, rename);
    else
        lm_buf_append(o->b, h->name, h->name_len);
    lm_buf_append(o->b, ": ", 2);
    lm_buf_append(o->b, h->raw_value, h->raw_value_len);
    lm_buf_append(o->b, "\r\n", 2);
    return 0;
}

/* Writes the top-level header as the run sees it (editheader's edits in it) to o->b. */
static int write_header(sv_run *r, header_out *o)
{
    o->raw = mailparse_message_raw(r->msg, &o->raw_len);
    int rc = sv_fields_all(r, write_field, o);
    return rc ? rc : o->b->oom ? SIEVE_E_NOMEM : 0;
}

/* The octets of the run's message from `from` to `to` (offsets into its raw text). */
static void put_raw(sv_run *r, lm_buf *b, size_t from, size_t to)
{
    size_t len;
    const unsigned char *raw = mailparse_message_raw(r->msg, &len);
    if (to > len)
        to = len;
    if (from < to)
        lm_buf_append(b, raw + from, to - from);
}

/* The whole message as the run sees it: the header as edited, then the body as received. */
int sv_message_write(sv_run *r, lm_buf *b)
{
    header_out o = {.b = b};
    int rc = write_header(r, &o);
    if (rc)
        return rc;
    const mailparse_part *top = mailparse_message_part(r->msg, 0);
    lm_buf_append(b, "\r\n", 2);
    if (top)
        put_raw(r, b, top->offset_body, o.raw_len);
    return b->oom ? SIEVE_E_NOMEM : 0;
}

/* Hands `b` over as the run's new message (sv_result_rebuilt takes the bytes). */
static int rebuilt(sv_run *r, lm_buf *b, sv_pos pos)
{
    size_t len;
    char *bytes = lm_buf_take(b, &len);
    if (!bytes)
        return SIEVE_E_NOMEM;
    return sv_result_rebuilt(r, (unsigned char *)bytes, len, pos);
}

/* ---- what libmailbuild writes ------------------------------------------------------------ */

static int mb_error(sv_run *r, sv_pos pos, const char *what, int rc)
{
    if (rc == MAILBUILD_E_NOMEM)
        return SIEVE_E_NOMEM;
    return sv_run_error(r, pos, "%s: %s", what, mailbuild_strerror(rc));
}

/* The octets after the first line `line` (with its CRLF) of `s` and the length of what comes
 * before it: libmailbuild writes whole messages, and a part takes the lines after its
 * MIME-Version. */
static const char *after_line(const char *s, size_t len, const char *line, size_t *before)
{
    size_t n = strlen(line);
    for (size_t at = 0; at + n <= len;) {
        if (!memcmp(s + at, line, n)) {
            *before = at;
            return s + at + n;
        }
        const char *nl = memchr(s + at, '\n', len - at);
        if (!nl)
            break;
        at = (size_t)(nl - s) + 1;
    }
    *before = len;
    return NULL;
}

static const char MIME_VERSION_LINE[] = "MIME-Version: 1.0\r\n";

/* Adds the mailboxes of `list` (an RFC 5322 mailbox-list) to From. */
static int add_from(sv_run *r, mailbuild_message *m, const sv_str *list, sv_pos pos)
{
    mailparse_values *vals = NULL;
    const mailparse_address_list *l = NULL;
    int rc = mailparse_values_new(&vals);
    if (!rc)
        rc = mailparse_parse_addresses(vals, list->s, list->len, NULL, NULL, &l);
    if (rc) {
        mailparse_values_free(vals);
        return rc == MAILPARSE_E_NOMEM ? SIEVE_E_NOMEM
               : sv_run_error(r, pos, "replace :from \"%s\": not a mailbox list", list->s);
    }
    size_t added = 0;
    for (size_t i = 0; !rc && i < l->count; i++) {
        const mailparse_address *a = &l->items[i];
        if (!a->address || a->group >= 0)
            continue;
        rc = mailbuild_add_address(m, "From", a->name, a->address);
        added += !rc;
    }
    mailparse_values_free(vals);
    if (rc)
        return mb_error(r, pos, "replace :from", rc);
    if (!added)
        return sv_run_error(r, pos, "replace :from \"%s\": not a mailbox list", list->s);
    return 0;
}

/* The replacement's new From and Subject lines (either may be NULL), as libmailbuild writes
 * them, appended to `b`. */
static int new_from_subject(sv_run *r, const sv_str *from, const sv_str *subject, lm_buf *b,
                            sv_pos pos)
{
    if (!from && !subject)
        return 0;
    mailbuild_options mo;
    mailbuild_options_init(&mo);
    mo.flags = MAILBUILD_F_NO_DATE | MAILBUILD_F_NO_MESSAGE_ID;
    mailbuild_message *m = NULL;
    char *out = NULL;
    size_t len = 0, before;
    int rc = mailbuild_message_new(&mo, &m);
    if (!rc && from && (rc = add_from(r, m, from, pos)))
        goto done;
    if (!rc && subject)
        rc = mailbuild_set_subject(m, subject->s);
    if (!rc)
        rc = mailbuild_to_buffer(m, &out, &len);
    if (rc) {
        rc = mb_error(r, pos, "replace", rc);
        goto done;
    }
    after_line(out, len, MIME_VERSION_LINE, &before);
    lm_buf_append(b, out, before);
done:
    mailbuild_free(out);
    mailbuild_message_free(m);
    return rc;
}

/* A text/plain part in UTF-8 holding `text` (RFC 5703 §5: replace without :mime): its fields
 * (with MIME-Version when `top`), an empty line and the body, appended to `b`. 7bit is the
 * default encoding (RFC 2045 §6.1), so its Content-Transfer-Encoding is left out. */
static int text_entity(sv_run *r, const sv_str *text, int top, lm_buf *b, sv_pos pos)
{
    static const char seven_bit[] = "Content-Transfer-Encoding: 7bit\r\n";
    mailbuild_options mo;
    mailbuild_options_init(&mo);
    mo.flags = MAILBUILD_F_NO_DATE | MAILBUILD_F_NO_MESSAGE_ID;
    mailbuild_message *m = NULL;
    mailbuild_part *p = NULL;
    char *out = NULL;
    size_t len = 0, before;
    int rc = mailbuild_message_new(&mo, &m);
    if (!rc)
        rc = mailbuild_set_text(m, text->s, text->len, &p);
    if (!rc)
        rc = mailbuild_part_set_charset(p, "utf-8");
    if (!rc)
        rc = mailbuild_to_buffer(m, &out, &len);
    if (rc) {
        rc = mb_error(r, pos, "replace", rc);
        goto done;
    }
    const char *rest = after_line(out, len, MIME_VERSION_LINE, &before);
    if (!rest) {
        rc = sv_run_error(r, pos, "replace: the part could not be built");
        goto done;
    }
    if (top)
        lm_buf_puts(b, MIME_VERSION_LINE);
    /* The part's fields end at the first empty line; only there is the 7bit line looked for. */
    size_t rest_len = len - (size_t)(rest - out), fields = 0, cte_at;
    while (fields + 1 < rest_len && !(rest[fields] == '\r' && rest[fields + 1] == '\n' &&
                                      (fields == 0 || rest[fields - 1] == '\n')))
        fields++;
    const char *tail = after_line(rest, fields, seven_bit, &cte_at);
    if (tail) {
        lm_buf_append(b, rest, cte_at);
        lm_buf_append(b, tail, len - (size_t)(tail - out));
    } else {
        lm_buf_append(b, rest, rest_len);
    }
done:
    mailbuild_free(out);
    mailbuild_message_free(m);
    return rc;
}

/* ---- replace (§5) ------------------------------------------------------------------------ */

static int expand_tag(sv_run *r, const sv_args *a, int tag, sv_str *out, const sv_str **ptr)
{
    const sv_value *v = sv_args_tag(a, tag);
    *ptr = NULL;
    if (!v)
        return 0;
    int rc = sv_run_string(r, &v->strs[0], out);
    if (!rc)
        *ptr = out;
    return rc;
}

/* The whole message replaced: its header fields but those of the MIME structure, From and
 * Subject kept as Original-* when new ones are given, then the new ones and the new body. */
static int replace_message(sv_run *r, const sv_args *a, const sv_str *text, lm_buf *b)
{
    sv_str from_s, subject_s;
    const sv_str *from, *subject;
    int rc = expand_tag(r, a, SV_TAG_FROM, &from_s, &from);
    if (!rc)
        rc = expand_tag(r, a, SV_TAG_SUBJECT, &subject_s, &subject);
    if (rc)
        return rc;
    header_out o = {.b = b, .drop_content = 1, .rename_from = from != NULL,
                    .rename_subject = subject != NULL};
    if ((rc = write_header(r, &o)) || (rc = new_from_subject(r, from, subject, b, a->pos)))
        return rc;
    if (!sv_args_tag(a, SV_TAG_VACATION_MIME))
        return text_entity(r, text, !o.has_mime_version, b, a->pos);
    if (!o.has_mime_version)
        lm_buf_puts(b, MIME_VERSION_LINE);
    put_crlf(b, text->s, text->len);
    return 0;
}

/* One part replaced: everything around it stays as it is. */
static int replace_part(sv_run *r, const sv_args *a, const mailparse_part *top,
                        const mailparse_part *p, const sv_str *text, lm_buf *b)
{
    header_out o = {.b = b};
    int rc = write_header(r, &o);
    if (rc)
        return rc;
    lm_buf_append(b, "\r\n", 2);
    put_raw(r, b, top->offset_body, p->offset_header);
    if (sv_args_tag(a, SV_TAG_VACATION_MIME))
        put_crlf(b, text->s, text->len);
    else if ((rc = text_entity(r, text, 0, b, a->pos)))
        return rc;
    put_raw(r, b, p->offset_end, o.raw_len);
    return 0;
}

static int run_replace(sv_run *r, const sv_args *a)
{
    sv_str text;
    int rc = sv_run_string(r, &a->positional[0].strs[0], &text);
    if (rc)
        return rc;
    size_t cur = sv_mime_current_part(r);
    const mailparse_part *p = mailparse_message_part(r->msg, cur);
    const mailparse_part *top = mailparse_message_part(r->msg, 0);
    lm_buf b = LM_BUF_INIT;
    /* §5: outside a loop (or on the message itself) the whole message is replaced; :from
     * and :subject count only then. */
    if (!cur || !p || !top || p->offset_header < top->offset_body)
        rc = replace_message(r, a, &text, &b);
    else
        rc = replace_part(r, a, top, p, &text, &b);
    if (!rc && b.oom)
        rc = SIEVE_E_NOMEM;
    if (rc) {
        lm_buf_free(&b);
        return rc;
    }
    return rebuilt(r, &b, a->pos);
}

/* :from must be a mailbox list (§5: "SHOULD check the syntax"): a constant is checked here. */
static int validate_replace(sv_vctx *v, const sv_args *a)
{
    const sv_value *from = sv_args_tag(a, SV_TAG_FROM);
    if (!from || memchr(from->strs[0].s, '$', from->strs[0].len))
        return 0;
    mailparse_values *vals = NULL;
    const mailparse_address_list *l = NULL;
    int rc = mailparse_values_new(&vals);
    if (!rc)
        rc = mailparse_parse_addresses(vals, from->strs[0].s, from->strs[0].len, NULL, NULL, &l);
    size_t ok = 0;
    for (size_t i = 0; !rc && i < l->count; i++)
        ok += l->items[i].address && l->items[i].group < 0 && strchr(l->items[i].address, '@');
    mailparse_values_free(vals);
    if (rc == MAILPARSE_E_NOMEM)
        return SIEVE_E_NOMEM;
    if (rc || !ok)
        return sv_vctx_error(v, from->strs[0].pos, "replace :from \"%s\": not a mailbox list",
                             from->strs[0].s);
    return 0;
}

/* ---- enclose (§6) ------------------------------------------------------------------------ */

/* Copies the fields named `name` of the enclosed message into the new one. */
typedef struct copy_ctx {
    mailbuild_message *m;
    int rc;
} copy_ctx;

static int copy_field(sv_run *r, void *user, const mailparse_header *h)
{
    (void)r;
    copy_ctx *c = user;
    char name[80];
    if (h->name_len >= sizeof name)
        return 0;
    memcpy(name, h->name, h->name_len);
    name[h->name_len] = '\0';
    char *value = lm_strndup(h->raw_value ? h->raw_value : "", h->raw_value_len);
    if (!value)
        return c->rc = SIEVE_E_NOMEM;
    const char *v = value;
    while (*v == ' ' || *v == '\t')
        v++;
    int rc = mailbuild_add_raw_header(c->m, name, v);
    if (rc && rc != MAILBUILD_E_NOMEM && h->text) /* 8-bit or odd: its decoded text */
        rc = mailbuild_add_text_header(c->m, name, h->text);
    lm_free(value);
    if (rc == MAILBUILD_E_NOMEM)
        return c->rc = SIEVE_E_NOMEM;
    return 0; /* a field that cannot be carried over is left out */
}

/* A :headers item: a whole field ("Name: value") to add, or a name whose fields are copied.
 * Sets the bits of *given for From, Subject and Date. */
enum { GIVEN_FROM = 1, GIVEN_SUBJECT = 2, GIVEN_DATE = 4 };

static int add_header_item(sv_run *r, mailbuild_message *m, const sv_str *item, unsigned *given,
                           sv_pos pos)
{
    const char *colon = memchr(item->s, ':', item->len);
    size_t nlen = colon ? (size_t)(colon - item->s) : item->len;
    while (nlen && (item->s[nlen - 1] == ' ' || item->s[nlen - 1] == '\t'))
        nlen--;
    char name[80];
    if (!nlen || nlen >= sizeof name)
        return sv_run_error(r, pos, "enclose :headers \"%s\": not a header field", item->s);
    memcpy(name, item->s, nlen);
    name[nlen] = '\0';
    /* The new message's own MIME fields are not the script's to give. */
    if (lm_eq_nocase(name, nlen, "mime-version") ||
        (nlen >= 8 && lm_strncasecmp(name, "content-", 8) == 0))
        return 0;
    *given |= lm_eq_nocase(name, nlen, "from") ? GIVEN_FROM
              : lm_eq_nocase(name, nlen, "subject") ? GIVEN_SUBJECT
              : lm_eq_nocase(name, nlen, "date") ? GIVEN_DATE : 0;
    if (!colon) {
        copy_ctx c = {m, 0};
        int rc = sv_fields_each(r, name, nlen, 0, 0, copy_field, &c);
        return rc ? rc : c.rc;
    }
    const char *v = colon + 1;
    while (*v == ' ' || *v == '\t')
        v++;
    int rc = mailbuild_add_raw_header(m, name, v);
    if (rc == MAILBUILD_E_UNSUPPORTED) /* 8-bit text: written as RFC 2047 words */
        rc = mailbuild_add_text_header(m, name, v);
    return rc ? mb_error(r, pos, "enclose :headers", rc) : 0;
}

/* The Subject of the enclosed message (its first, decoded), to carry over. */
static int first_subject(sv_run *r, void *user, const mailparse_header *h)
{
    (void)r;
    *(const mailparse_header **)user = h;
    return 1;
}

static int build_enclosure(sv_run *r, const sv_args *a, const lm_buf *inner, const sv_str *text,
                           char **out, size_t *out_len)
{
    /* A message the library writes (outgoing.c): Date from the run's clock, a Message-ID
     * and boundaries from a generator seeded with what makes this one its own. */
    char count[32];
    snprintf(count, sizeof count, "enclose %zu", r->result->nversions);
    uint64_t seed = sv_outgoing_hash(sv_outgoing_hash((uint64_t)sv_run_now(r), count,
                                                      strlen(count)), inner->data, inner->len);
    mailbuild_message *m = NULL;
    mailbuild_part *mixed, *note, *orig;
    unsigned given = 0;
    int rc = sv_outgoing_new(r, &seed, &m);
    if (rc)
        return rc == MAILBUILD_E_NOMEM ? SIEVE_E_NOMEM : mb_error(r, a->pos, "enclose", rc);
    const sv_value *subject = sv_args_tag(a, SV_TAG_SUBJECT);
    if (subject) {
        sv_str s;
        if ((rc = sv_run_string(r, &subject->strs[0], &s)))
            goto done;
        if ((rc = mailbuild_set_subject(m, s.s))) {
            rc = mb_error(r, a->pos, "enclose :subject", rc);
            goto done;
        }
        given |= GIVEN_SUBJECT;
    }
    const sv_value *headers = sv_args_tag(a, SV_TAG_HEADERS);
    for (size_t i = 0; headers && i < headers->count; i++) {
        sv_str item;
        if ((rc = sv_run_string(r, &headers->strs[i], &item)) ||
            (rc = add_header_item(r, m, &item, &given, a->pos)))
            goto done;
    }
    const mailparse_header *old = NULL;
    if (!(given & GIVEN_SUBJECT) && sv_fields_each(r, "subject", 7, 0, 0, first_subject, &old) >= 0 &&
        old && old->text && (rc = mailbuild_set_subject(m, old->text)) == MAILBUILD_E_NOMEM) {
        rc = SIEVE_E_NOMEM;
        goto done;
    }
    rc = 0;
    const char *user = sv_outgoing_user(r); /* the From of the new message */
    if (!(given & GIVEN_FROM) && user &&
        (rc = mailbuild_add_address(m, "From", NULL, user)) == MAILBUILD_E_NOMEM) {
        rc = SIEVE_E_NOMEM;
        goto done;
    }
    rc = 0; /* an address that cannot be written is left out */
    if ((rc = mailbuild_multipart_new(m, "mixed", &mixed)) ||
        (rc = mailbuild_part_new(m, "text/plain", (const unsigned char *)text->s, text->len,
                                 &note)) ||
        (rc = mailbuild_part_set_charset(note, "utf-8")) ||
        (rc = mailbuild_part_new(m, "message/rfc822", (const unsigned char *)inner->data,
                                 inner->len, &orig)) ||
        (rc = mailbuild_part_append(mixed, note)) || (rc = mailbuild_part_append(mixed, orig)) ||
        (rc = mailbuild_set_body(m, mixed)) || (rc = mailbuild_to_buffer(m, out, out_len)))
        rc = mb_error(r, a->pos, "enclose", rc);
done:
    mailbuild_message_free(m);
    return rc;
}

/* The foreverypart loops go on over the enclosed message: its parts follow the new root,
 * the text part and the message/rfc822 part (libmailparse lists a nested message's parts
 * right after its message part). When it could not be read so, the loops end. */
static void loops_follow_enclosure(sv_run *r)
{
    const mailparse_part *holder = mailparse_message_part(r->msg, 2);
    int nested = holder && holder->child_count == 1 && holder->children[0] == 3;
    for (size_t k = 0; k < r->nloops; k++) {
        struct sv_loop *l = &r->loops[k];
        if (!nested) {
            l->leaving = 1;
            continue;
        }
        l->part += 3;
        if (l->parent != SIZE_MAX)
            l->parent += 3;
    }
}

static int run_enclose(sv_run *r, const sv_args *a)
{
    sv_str text;
    int rc = sv_run_string(r, &a->positional[0].strs[0], &text);
    if (rc)
        return rc;
    lm_buf inner = LM_BUF_INIT;
    char *out = NULL;
    size_t len = 0;
    if ((rc = sv_message_write(r, &inner)) ||
        (rc = build_enclosure(r, a, &inner, &text, &out, &len)))
        goto done;
    sieve_result *res = r->result;
    if (!res->enclosed) { /* §6: redirect is not affected */
        res->enclosed = 1;
        res->redirect_version = res->nversions;
        res->redirect_edits = res->nedits;
    }
    lm_buf b = LM_BUF_INIT;
    lm_buf_append(&b, out, len);
    if (b.oom) {
        rc = SIEVE_E_NOMEM;
        goto done;
    }
    if (!(rc = rebuilt(r, &b, a->pos)))
        loops_follow_enclosure(r);
done:
    mailbuild_free(out);
    lm_buf_free(&inner);
    return rc;
}

/* ---- the definitions --------------------------------------------------------------------- */

static const uint8_t replace_tags[] = {SV_TAG_VACATION_MIME, SV_TAG_SUBJECT, SV_TAG_FROM,
                                       SV_TAG_COUNT_};
static const uint8_t enclose_tags[] = {SV_TAG_SUBJECT, SV_TAG_HEADERS, SV_TAG_COUNT_};

static const sv_cmd_def replace_commands[] = {
    {"replace", SV_KIND_COMMAND, SV_CTL_NONE, 1, {SV_T_STRING}, replace_tags, validate_replace,
     run_replace},
};
/* Both read the message as received, bodies included. */
const sv_ext_def sv_ext_replace = {"replace", replace_commands, 1};

static const sv_cmd_def enclose_commands[] = {
    {"enclose", SV_KIND_COMMAND, SV_CTL_NONE, 1, {SV_T_STRING}, enclose_tags, NULL,
     run_enclose},
};
const sv_ext_def sv_ext_enclose = {"enclose", enclose_commands, 1};
