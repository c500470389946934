/* message.c — the message object and its header fields: adding, replacing, removing and
 * writing them in order (RFC 5322 §3.6). */
#include "mb_internal.h"

#include "lm_alloc.h"
#include "lm_ascii.h"
#include "mailparse.h"

#include <string.h>

int mailbuild_message_new(const mailbuild_options *opts, mailbuild_message **out)
{
    if (!out)
        return MAILBUILD_E_INVAL;
    *out = NULL;
    mailbuild_options o;
    mailbuild_options_init(&o);
    if (opts) {
        if (opts->struct_size < offsetof(mailbuild_options, flags) + sizeof opts->flags)
            return MAILBUILD_E_INVAL;
        memcpy(&o, opts, opts->struct_size < sizeof o ? opts->struct_size : sizeof o);
        o.struct_size = sizeof o;
    }
    if (!o.max_depth)
        o.max_depth = MAILBUILD_DEFAULT_MAX_DEPTH;
    if (!o.max_parts)
        o.max_parts = MAILBUILD_DEFAULT_MAX_PARTS;
    if (o.max_depth > MB_DEPTH_CEILING || o.utc_offset_minutes < -1439 || o.utc_offset_minutes > 1439)
        return MAILBUILD_E_INVAL;
    mailbuild_message *m = lm_calloc(1, sizeof *m);
    if (!m)
        return MAILBUILD_E_NOMEM;
    m->arena = lm_arena_new(8192);
    if (!m->arena) {
        lm_free(m);
        return MAILBUILD_E_NOMEM;
    }
    m->opts = o;
    if (o.message_id_domain) {
        const char *d = o.message_id_domain;
        if (mb_check_id_domain(d))
            return mailbuild_message_free(m), MAILBUILD_E_INVAL;
        m->opts.message_id_domain = mb_strdup(m, d);
        if (!m->opts.message_id_domain)
            return mailbuild_message_free(m), MAILBUILD_E_NOMEM;
    }
    *out = m;
    return 0;
}

void mailbuild_message_free(mailbuild_message *m)
{
    if (!m)
        return;
    lm_arena_free(m->arena);
    lm_free(m);
}

char *mb_strdup(mailbuild_message *m, const char *s)
{
    return lm_arena_strndup(m->arena, s, strlen(s));
}

struct mb_field *mb_fields_find(const struct mb_fields *fs, const char *name)
{
    size_t n = strlen(name);
    for (struct mb_field *f = fs->first; f; f = f->next)
        if (lm_eq_nocase(name, n, f->name))
            return f;
    return NULL;
}

int mb_fields_add(mailbuild_message *m, struct mb_fields *fs, const char *name,
                  enum mb_field_kind kind, const char *value, struct mb_field **out)
{
    struct mb_field *f = lm_arena_calloc(m->arena, 1, sizeof *f);
    if (!f || !(f->name = mb_strdup(m, name)) || (value && !(f->value = mb_strdup(m, value))))
        return MAILBUILD_E_NOMEM;
    f->kind = kind;
    if (fs->last)
        fs->last->next = f;
    else
        fs->first = f;
    fs->last = f;
    if (out)
        *out = f;
    return 0;
}

/* The field `name` of `kind` to append items to: the existing one, or a new one. A field of
 * the same name but another kind (a raw "To" added before) is a conflict. */
static int list_field(mailbuild_message *m, const char *name, enum mb_field_kind kind,
                      struct mb_field **out)
{
    int rc = mb_check_field_name(name);
    if (rc)
        return rc;
    struct mb_field *f = mb_fields_find(&m->fields, name);
    if (f) {
        *out = f;
        return f->kind == kind ? 0 : MAILBUILD_E_STATE;
    }
    return mb_fields_add(m, &m->fields, name, kind, NULL, out);
}

/* An item is made before its field is touched, so a failed allocation changes nothing. */
static int new_item(mailbuild_message *m, enum mb_item_kind kind, const char *name,
                    const char *value, size_t value_len, struct mb_item **out)
{
    struct mb_item *it = lm_arena_calloc(m->arena, 1, sizeof *it);
    if (!it || (name && !(it->name = mb_strdup(m, name))) ||
        (value && !(it->value = lm_arena_strndup(m->arena, value, value_len))))
        return MAILBUILD_E_NOMEM;
    it->kind = kind;
    *out = it;
    return 0;
}

static void link_item(struct mb_field *f, struct mb_item *it)
{
    if (f->last)
        f->last->next = it;
    else
        f->items = it;
    f->last = it;
}

/* Appends a new item to the list field `name` of `kind`. */
static int add_to_list(mailbuild_message *m, const char *name, enum mb_field_kind kind,
                       enum mb_item_kind item_kind, const char *item_name, const char *value,
                       size_t value_len, struct mb_field **field)
{
    struct mb_item *it;
    struct mb_field *f;
    int rc = new_item(m, item_kind, item_name, value, value_len, &it);
    if (!rc)
        rc = list_field(m, name, kind, &f);
    if (rc)
        return rc;
    link_item(f, it);
    if (field)
        *field = f;
    return 0;
}

/* Display names and group names: UTF-8 on one line. */
static int check_phrase(const char *s)
{
    return s ? mb_check_utf8_line(s, strlen(s)) : 0;
}

int mailbuild_add_address(mailbuild_message *m, const char *field, const char *name, const char *address)
{
    if (!m || !field || !address)
        return MAILBUILD_E_INVAL;
    int rc = check_phrase(name);
    if (!rc)
        rc = mb_check_addr_spec(m, address); /* CR, LF, NUL and UTF-8 checked on what was given */
    if (!rc)
        rc = mb_unquote_local(m, address, &address);
    if (!rc)
        rc = mb_check_addr_spec(m, address);
    if (!rc)
        rc = add_to_list(m, field, MB_FIELD_ADDRESS, MB_ITEM_MAILBOX, name, address,
                         strlen(address), NULL);
    return rc;
}

int mailbuild_group_open(mailbuild_message *m, const char *field, const char *name)
{
    if (!m || !field || !name || !*name)
        return MAILBUILD_E_INVAL;
    int rc = check_phrase(name);
    if (rc)
        return rc;
    const struct mb_field *open = mb_fields_find(&m->fields, field);
    if (open && open->kind == MB_FIELD_ADDRESS && open->open_group)
        return MAILBUILD_E_STATE; /* groups do not nest (RFC 5322 §3.4) */
    struct mb_field *f;
    rc = add_to_list(m, field, MB_FIELD_ADDRESS, MB_ITEM_GROUP_OPEN, name, NULL, 0, &f);
    if (!rc)
        f->open_group = 1;
    return rc;
}

int mailbuild_group_close(mailbuild_message *m, const char *field)
{
    if (!m || !field)
        return MAILBUILD_E_INVAL;
    struct mb_field *f = mb_fields_find(&m->fields, field);
    if (!f || f->kind != MB_FIELD_ADDRESS || !f->open_group)
        return MAILBUILD_E_STATE;
    struct mb_item *it;
    int rc = new_item(m, MB_ITEM_GROUP_CLOSE, NULL, NULL, 0, &it);
    if (rc)
        return rc;
    link_item(f, it);
    f->open_group = 0;
    return 0;
}

/* Replaces (or adds) a single-instance field holding `value` or the one item `it`. Everything
 * is allocated before the field changes. */
static int set_single(mailbuild_message *m, const char *name, enum mb_field_kind kind,
                      const char *value, struct mb_item *it, struct mb_field **out)
{
    struct mb_field *f = mb_fields_find(&m->fields, name);
    if (!f) {
        int rc = mb_fields_add(m, &m->fields, name, kind, value, out);
        if (!rc && it)
            link_item(*out, it);
        return rc;
    }
    const char *v = value ? mb_strdup(m, value) : NULL;
    if (value && !v)
        return MAILBUILD_E_NOMEM;
    f->kind = kind;
    f->value = v;
    f->items = f->last = it;
    *out = f;
    return 0;
}

int mailbuild_set_subject(mailbuild_message *m, const char *subject)
{
    if (!m || !subject)
        return MAILBUILD_E_INVAL;
    int rc = mb_check_utf8_line(subject, strlen(subject));
    struct mb_field *f;
    return rc ? rc : set_single(m, "Subject", MB_FIELD_TEXT, subject, NULL, &f);
}

int mb_date_ok(int64_t timestamp, int offset_minutes)
{
    char probe[64];
    /* RFC 5322 §3.3: a four-digit year from 1900 (local time of the zone written) */
    int64_t local = timestamp + (int64_t)offset_minutes * 60;
    return offset_minutes >= -1439 && offset_minutes <= 1439 && local >= INT64_C(-2208988800) &&
           local <= INT64_C(253402300799) &&
           mailparse_format_date(timestamp, offset_minutes, probe, sizeof probe) == 0;
}

int mailbuild_set_date(mailbuild_message *m, int64_t timestamp, int offset_minutes)
{
    if (!m || timestamp < INT64_C(-2208988800) - 86400 || timestamp > INT64_C(253402300799) + 86400 ||
        !mb_date_ok(timestamp, offset_minutes))
        return MAILBUILD_E_INVAL;
    struct mb_field *f;
    int rc = set_single(m, "Date", MB_FIELD_DATE, NULL, NULL, &f);
    if (!rc) {
        f->date = timestamp;
        f->date_offset = offset_minutes;
    }
    return rc;
}

int mailbuild_set_message_id(mailbuild_message *m, const char *id)
{
    const char *s;
    size_t n;
    if (!m)
        return MAILBUILD_E_INVAL;
    int rc = mb_check_msg_id(id, &s, &n);
    struct mb_item *it;
    struct mb_field *f;
    if (!rc)
        rc = new_item(m, MB_ITEM_WORD, NULL, s, n, &it);
    return rc ? rc : set_single(m, "Message-ID", MB_FIELD_IDS, NULL, it, &f);
}

int mailbuild_add_message_id(mailbuild_message *m, const char *field, const char *id)
{
    const char *s;
    size_t n;
    if (!m || !field)
        return MAILBUILD_E_INVAL;
    int rc = mb_check_msg_id(id, &s, &n);
    return rc ? rc : add_to_list(m, field, MB_FIELD_IDS, MB_ITEM_WORD, NULL, s, n, NULL);
}

int mailbuild_add_url(mailbuild_message *m, const char *field, const char *url)
{
    if (!m || !field)
        return MAILBUILD_E_INVAL;
    int rc = mb_check_url(url);
    return rc ? rc : add_to_list(m, field, MB_FIELD_URLS, MB_ITEM_WORD, NULL, url, strlen(url), NULL);
}

int mailbuild_add_keyword(mailbuild_message *m, const char *keyword)
{
    if (!m || !keyword || !*keyword)
        return MAILBUILD_E_INVAL;
    int rc = check_phrase(keyword);
    return rc ? rc : add_to_list(m, "Keywords", MB_FIELD_KEYWORDS, MB_ITEM_WORD, keyword, NULL, 0, NULL);
}

static int add_text(mailbuild_message *m, struct mb_fields *fs, const char *name, const char *value)
{
    if (!m || !name || !value)
        return MAILBUILD_E_INVAL;
    int rc = mb_check_field_name(name);
    if (!rc)
        rc = mb_check_utf8_line(value, strlen(value));
    return rc ? rc : mb_fields_add(m, fs, name, MB_FIELD_TEXT, value, NULL);
}

static int add_raw(mailbuild_message *m, struct mb_fields *fs, const char *name, const char *value)
{
    if (!m || !name || !value)
        return MAILBUILD_E_INVAL;
    int rc = mb_check_field_name(name);
    if (!rc)
        rc = mb_check_raw_value(m, name, value);
    return rc ? rc : mb_fields_add(m, fs, name, MB_FIELD_RAW, value, NULL);
}

int mailbuild_add_text_header(mailbuild_message *m, const char *name, const char *value)
{
    return add_text(m, m ? &m->fields : NULL, name, value);
}

int mailbuild_add_raw_header(mailbuild_message *m, const char *name, const char *value)
{
    return add_raw(m, m ? &m->fields : NULL, name, value);
}

int mailbuild_part_add_text_header(mailbuild_part *p, const char *name, const char *value)
{
    return add_text(p ? p->msg : NULL, p ? &p->headers : NULL, name, value);
}

int mailbuild_part_add_raw_header(mailbuild_part *p, const char *name, const char *value)
{
    return add_raw(p ? p->msg : NULL, p ? &p->headers : NULL, name, value);
}

int mailbuild_remove_header(mailbuild_message *m, const char *name)
{
    if (!m || !name)
        return MAILBUILD_E_INVAL;
    size_t n = strlen(name);
    int removed = 0;
    struct mb_field **pp = &m->fields.first, *last = NULL;
    while (*pp) {
        if (lm_eq_nocase(name, n, (*pp)->name)) {
            *pp = (*pp)->next;
            removed++;
        } else {
            last = *pp;
            pp = &(*pp)->next;
        }
    }
    m->fields.last = last;
    return removed;
}

/* ---- writing ----------------------------------------------------------------------------- */

/* A caller's raw value: kept as given, folded at spaces when a line would pass 78. */
static int write_raw(const struct mb_field *f, lm_buf *out)
{
    struct mb_fold fo;
    mb_fold_begin(&fo, out, f->name);
    const char *v = f->value;
    size_t n = strlen(v);
    if (memchr(v, '\n', n) || fo.col + 1 + n <= MB_LINE_SOFT) {
        lm_buf_putc(out, ' ');
        lm_buf_append(out, v, n);
        return mb_fold_end(&fo);
    }
    size_t i = 0;
    while (i < n) {
        size_t j = i;
        while (j < n && v[j] == ' ')
            j++;
        while (j < n && v[j] != ' ')
            j++;
        /* [i, j) is a gap and a word; the fold replaces nothing: it goes before the gap's
         * last space, which stays as the continuation line's first character. */
        int word = j > i && v[j - 1] != ' '; /* trailing blanks never start a line */
        if (fo.items > 0 && v[i] == ' ' && word && fo.col + (j - i) > MB_LINE_SOFT) {
            lm_buf_append(out, "\r\n", 2);
            fo.col = 0;
        } else if (fo.items == 0) {
            lm_buf_putc(out, ' ');
            fo.col++;
        }
        lm_buf_append(out, v + i, j - i);
        fo.col += j - i;
        fo.items++;
        i = j;
    }
    return mb_fold_end(&fo);
}

static int write_text(const mailbuild_message *m, const struct mb_field *f, lm_buf *out)
{
    struct mb_fold fo;
    mb_fold_begin(&fo, out, f->name);
    lm_buf text = LM_BUF_INIT;
    int rc = mb_encode_text(m, f->value, fo.col + 1, &text);
    if (!rc && text.oom)
        rc = MAILBUILD_E_NOMEM;
    if (!rc) { /* the text may start with a fold when its first word is long */
        if (text.len < 2 || text.data[0] != '\r')
            lm_buf_putc(out, ' ');
        lm_buf_append(out, text.data ? text.data : "", text.len);
    }
    lm_buf_free(&text);
    return rc ? rc : mb_fold_end(&fo);
}

static int write_words(const mailbuild_message *m, const struct mb_field *f, lm_buf *out)
{
    struct mb_fold fo;
    mb_fold_begin(&fo, out, f->name);
    lm_buf tmp = LM_BUF_INIT;
    int rc = 0;
    for (const struct mb_item *it = f->items; it && !rc; it = it->next) {
        lm_buf_reset(&tmp);
        const char *punct = it == f->items ? "" : ",";
        if (f->kind == MB_FIELD_KEYWORDS) {
            rc = mb_encode_phrase(m, it->name, fo.col + 2, &tmp);
            if (it->next)
                mb_space_after_encoded(&tmp);
        } else {
            lm_buf_putc(&tmp, '<');
            lm_buf_puts(&tmp, it->value);
            lm_buf_putc(&tmp, '>');
            if (f->kind == MB_FIELD_IDS)
                punct = "";
        }
        if (!rc && tmp.oom)
            rc = MAILBUILD_E_NOMEM;
        if (!rc)
            mb_fold_item(&fo, punct, tmp.data, tmp.len, it->next && f->kind != MB_FIELD_IDS);
    }
    lm_buf_free(&tmp);
    return rc ? rc : mb_fold_end(&fo);
}

static int write_date(const struct mb_field *f, lm_buf *out)
{
    char buf[64];
    if (mailparse_format_date(f->date, f->date_offset, buf, sizeof buf))
        return MAILBUILD_E_INVAL;
    lm_buf_puts(out, f->name);
    lm_buf_puts(out, ": ");
    lm_buf_puts(out, buf);
    lm_buf_append(out, "\r\n", 2);
    return out->oom ? MAILBUILD_E_NOMEM : 0;
}

int mb_write_fields(const mailbuild_message *m, const struct mb_fields *fs, lm_buf *out)
{
    for (const struct mb_field *f = fs->first; f; f = f->next) {
        int rc;
        switch (f->kind) {
        case MB_FIELD_ADDRESS: rc = f->items ? mb_write_address_field(m, f, out) : 0; break;
        case MB_FIELD_TEXT: rc = write_text(m, f, out); break;
        case MB_FIELD_RAW: rc = write_raw(f, out); break;
        case MB_FIELD_DATE: rc = write_date(f, out); break;
        default: rc = f->items ? write_words(m, f, out) : 0; break;
        }
        if (rc)
            return rc;
    }
    return out->oom ? MAILBUILD_E_NOMEM : 0;
}
