/* part.c — body parts: leaves and multiparts, the tree the caller builds, the common shapes
 * (RFC 2046 §5.1: mixed, alternative, related RFC 2387), and their Content-* fields
 * (RFC 2045 §5-6, RFC 2183, RFC 2231, RFC 2392). */
#include "mb_internal.h"

#include "lm_ascii.h"
#include "lm_utf8.h"
#include "mailparse.h"

#include <string.h>

int mb_part_alloc(mailbuild_message *m, int multipart, mailbuild_part **out)
{
    if (m->parts >= m->opts.max_parts)
        return MAILBUILD_E_LIMIT;
    mailbuild_part *p = lm_arena_calloc(m->arena, 1, sizeof *p);
    if (!p)
        return MAILBUILD_E_NOMEM;
    p->msg = m;
    p->multipart = multipart;
    m->parts++;
    *out = p;
    return 0;
}

/* "type/subtype" into two tokens. */
static int split_type(mailbuild_message *m, const char *ct, const char **type, const char **subtype)
{
    const char *slash = ct ? strchr(ct, '/') : NULL;
    if (!slash || slash == ct || strlen(ct) > 2 * MB_NAME_MAX)
        return MAILBUILD_E_INVAL;
    char *t = lm_arena_strndup(m->arena, ct, (size_t)(slash - ct));
    char *s = mb_strdup(m, slash + 1);
    if (!t || !s)
        return MAILBUILD_E_NOMEM;
    int rc = mb_check_token(t);
    if (!rc)
        rc = mb_check_token(s);
    if (rc)
        return rc;
    *type = t;
    *subtype = s;
    return 0;
}

int mailbuild_part_new(mailbuild_message *m, const char *content_type, const unsigned char *data,
                       size_t len, mailbuild_part **out)
{
    if (!m || !out || (!data && len))
        return MAILBUILD_E_INVAL;
    const char *type, *subtype;
    int rc = split_type(m, content_type, &type, &subtype);
    if (rc)
        return rc;
    if (lm_eq_nocase(type, strlen(type), "multipart"))
        return MAILBUILD_E_INVAL;
    if (lm_eq_nocase(type, strlen(type), "text") && !lm_utf8_valid(data, len))
        return MAILBUILD_E_INVAL; /* text is given as UTF-8 */
    const unsigned char *copy = data;
    if (!(m->opts.flags & MAILBUILD_F_BORROW_DATA)) {
        unsigned char *c = lm_arena_alloc(m->arena, len);
        if (!c)
            return MAILBUILD_E_NOMEM;
        if (len)
            memcpy(c, data, len);
        copy = c;
    }
    mailbuild_part *p;
    if ((rc = mb_part_alloc(m, 0, &p)))
        return rc;
    p->type = type;
    p->subtype = subtype;
    p->data = copy;
    p->len = len;
    *out = p;
    return 0;
}

int mailbuild_multipart_new(mailbuild_message *m, const char *subtype, mailbuild_part **out)
{
    if (!m || !out || mb_check_token(subtype))
        return MAILBUILD_E_INVAL;
    mailbuild_part *p;
    int rc = mb_part_alloc(m, 1, &p);
    if (rc)
        return rc;
    p->type = "multipart";
    if (!(p->subtype = mb_strdup(m, subtype)))
        return MAILBUILD_E_NOMEM;
    *out = p;
    return 0;
}

static size_t depth_of(const mailbuild_part *p)
{
    size_t d = 1;
    for (; p->parent; p = p->parent)
        d++;
    return d;
}

static size_t height_of(const mailbuild_part *p)
{
    size_t h = 0;
    for (const mailbuild_part *c = p->first; c; c = c->next) {
        size_t ch = height_of(c);
        if (ch > h)
            h = ch;
    }
    return h + 1;
}

int mailbuild_part_append(mailbuild_part *parent, mailbuild_part *child)
{
    if (!parent || !child || parent->msg != child->msg)
        return MAILBUILD_E_INVAL;
    if (!parent->multipart)
        return MAILBUILD_E_INVAL;
    if (child->placed || child == parent)
        return MAILBUILD_E_STATE;
    for (const mailbuild_part *a = parent; a; a = a->parent)
        if (a == child)
            return MAILBUILD_E_STATE;
    if (depth_of(parent) + height_of(child) > parent->msg->opts.max_depth)
        return MAILBUILD_E_LIMIT;
    child->parent = parent;
    child->placed = 1;
    if (parent->last)
        parent->last->next = child;
    else
        parent->first = child;
    parent->last = child;
    return 0;
}

int mailbuild_set_body(mailbuild_message *m, mailbuild_part *root)
{
    if (!m || !root || root->msg != m)
        return MAILBUILD_E_INVAL;
    if (root->placed)
        return MAILBUILD_E_STATE;
    if (height_of(root) > m->opts.max_depth)
        return MAILBUILD_E_LIMIT;
    if (m->body)
        m->body->placed = 0;
    root->placed = 1;
    m->body = root;
    return 0;
}

/* ---- settings on a part ------------------------------------------------------------------ */

int mailbuild_part_set_param(mailbuild_part *p, const char *name, const char *value)
{
    if (!p || !value || mb_check_token(name) || lm_eq_nocase(name, strlen(name), "charset") ||
        lm_eq_nocase(name, strlen(name), "boundary"))
        return MAILBUILD_E_INVAL;
    int rc = mb_check_utf8_line(value, strlen(value));
    if (rc)
        return rc;
    mailbuild_message *m = p->msg;
    const char *v = mb_strdup(m, value);
    if (!v)
        return MAILBUILD_E_NOMEM;
    for (struct mb_param *q = p->params; q; q = q->next)
        if (lm_eq_nocase(name, strlen(name), q->name)) {
            q->value = v;
            return 0;
        }
    struct mb_param *q = lm_arena_calloc(m->arena, 1, sizeof *q);
    if (!q || !(q->name = mb_strdup(m, name)))
        return MAILBUILD_E_NOMEM;
    q->value = v;
    struct mb_param **pp = &p->params;
    while (*pp)
        pp = &(*pp)->next;
    *pp = q;
    return 0;
}

int mailbuild_part_set_filename(mailbuild_part *p, const char *filename)
{
    if (!p || !filename || !*filename || p->multipart)
        return MAILBUILD_E_INVAL;
    int rc = mb_check_utf8_line(filename, strlen(filename));
    if (rc)
        return rc;
    const char *f = mb_strdup(p->msg, filename);
    if (!f)
        return MAILBUILD_E_NOMEM;
    p->filename = f;
    return 0;
}

int mailbuild_part_set_disposition(mailbuild_part *p, const char *disposition)
{
    if (!p)
        return MAILBUILD_E_INVAL;
    int rc = mb_check_token(disposition);
    if (rc)
        return rc;
    const char *d = mb_strdup(p->msg, disposition);
    if (!d)
        return MAILBUILD_E_NOMEM;
    p->disposition = d;
    return 0;
}

int mailbuild_part_set_content_id(mailbuild_part *p, const char *content_id)
{
    const char *s;
    size_t n;
    if (!p)
        return MAILBUILD_E_INVAL;
    int rc = mb_check_msg_id(content_id, &s, &n);
    if (rc)
        return rc;
    const char *c = lm_arena_strndup(p->msg->arena, s, n);
    if (!c)
        return MAILBUILD_E_NOMEM;
    p->content_id = c;
    return 0;
}

int mailbuild_part_set_charset(mailbuild_part *p, const char *charset)
{
    if (!p || !charset || p->multipart || mb_check_token(charset))
        return MAILBUILD_E_INVAL;
    if (!mailparse_charset_canonical(charset))
        return MAILBUILD_E_CHARSET;
    /* RFC 2046 §4.1.1: text breaks lines with the octets CR LF, so the charset must write
     * ASCII as ASCII (UTF-16 and UTF-32 cannot carry text/... in mail). */
    unsigned char *probe = NULL;
    size_t probe_len = 0;
    int rc = mailparse_charset_from_utf8(charset, "a=\r\n", 4, &probe, &probe_len);
    int ascii = rc == 0 && probe_len == 4 && memcmp(probe, "a=\r\n", 4) == 0;
    mailparse_free(probe);
    if (rc == MAILPARSE_E_NOMEM)
        return MAILBUILD_E_NOMEM;
    if (!ascii)
        return MAILBUILD_E_UNSUPPORTED;
    const char *c = mb_strdup(p->msg, charset);
    if (!c)
        return MAILBUILD_E_NOMEM;
    const char *old = p->charset;
    p->charset = c;
    rc = mb_part_revalidate(p);
    if (rc) {
        p->charset = old;
        mb_part_revalidate(p);
    }
    return rc;
}

/* ---- the common shapes ------------------------------------------------------------------- */

static int new_leaf(mailbuild_message *m, const char *type, const unsigned char *data, size_t len,
                    mailbuild_part **out)
{
    if (!m || (!data && len))
        return MAILBUILD_E_INVAL;
    int rc = mailbuild_part_new(m, type, data, len, out);
    if (!rc)
        (*out)->placed = 1;
    return rc;
}

/* The text or HTML slot of the common shapes: a new part replaces the one there. */
static int set_slot(mailbuild_message *m, mailbuild_part **slot, const char *type, const char *s,
                    size_t len, mailbuild_part **part)
{
    mailbuild_part *p;
    int rc = new_leaf(m, type, (const unsigned char *)s, len, &p);
    if (rc)
        return rc;
    *slot = p;
    if (part)
        *part = p;
    return 0;
}

int mailbuild_set_text(mailbuild_message *m, const char *text, size_t len, mailbuild_part **part)
{
    return m ? set_slot(m, &m->text, "text/plain", text, len, part) : MAILBUILD_E_INVAL;
}

int mailbuild_set_html(mailbuild_message *m, const char *html, size_t len, mailbuild_part **part)
{
    return m ? set_slot(m, &m->html, "text/html", html, len, part) : MAILBUILD_E_INVAL;
}

static void chain(mailbuild_part **first, mailbuild_part **last, mailbuild_part *p)
{
    if (*last)
        (*last)->next = p;
    else
        *first = p;
    *last = p;
}

/* A leaf with a disposition and, when given, a filename: the shared part of the two below. */
static int file_leaf(mailbuild_message *m, const unsigned char *data, size_t len,
                     const char *content_type, const char *filename, const char *disposition,
                     mailbuild_part **out)
{
    if (filename) {
        int bad = *filename ? mb_check_utf8_line(filename, strlen(filename)) : MAILBUILD_E_INVAL;
        if (bad)
            return bad;
    }
    const char *type = content_type ? content_type : mailbuild_guess_type(filename ? filename : "");
    /* A file whose name says text but whose bytes are not UTF-8 goes as the bytes it is. */
    if (!content_type && lm_eq_nocase(type, 4, "text") && type[4] == '/' && data &&
        !lm_utf8_valid(data, len))
        type = "application/octet-stream";
    int rc = new_leaf(m, type, data, len, out);
    if (!rc && filename)
        rc = mailbuild_part_set_filename(*out, filename);
    if (!rc)
        rc = mailbuild_part_set_disposition(*out, disposition);
    return rc;
}

int mailbuild_add_attachment(mailbuild_message *m, const unsigned char *data, size_t len,
                             const char *content_type, const char *filename, mailbuild_part **part)
{
    mailbuild_part *p;
    int rc = file_leaf(m, data, len, content_type, filename, "attachment", &p);
    if (rc)
        return rc;
    chain(&m->attachments, &m->attachments_last, p);
    if (part)
        *part = p;
    return 0;
}

int mailbuild_add_inline(mailbuild_message *m, const unsigned char *data, size_t len,
                         const char *content_type, const char *content_id, const char *filename,
                         mailbuild_part **part)
{
    const char *s;
    size_t n;
    if (!m)
        return MAILBUILD_E_INVAL;
    int rc = mb_check_msg_id(content_id, &s, &n);
    mailbuild_part *p;
    if (!rc)
        rc = file_leaf(m, data, len, content_type, filename, "inline", &p);
    if (!rc)
        rc = mailbuild_part_set_content_id(p, content_id);
    if (rc)
        return rc;
    chain(&m->inlines, &m->inlines_last, p);
    if (part)
        *part = p;
    return 0;
}

/* ---- Content-* fields -------------------------------------------------------------------- */

static int from_mailparse(int rc)
{
    return rc == MAILPARSE_E_NOMEM ? MAILBUILD_E_NOMEM : rc ? MAILBUILD_E_INVAL : 0;
}

static int has_high(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s >= 0x80)
            return 1;
    return 0;
}

/* Raw UTF-8 can carry a value in a quoted string (SMTPUTF8): printable, and the whole
 * `name="value"` fits a line of its own. */
static int raw_value_ok(const mailbuild_message *m, const char *name, const char *v)
{
    if (!(m->opts.flags & MAILBUILD_F_SMTPUTF8))
        return 0;
    size_t width = strlen(name) + 3;
    for (const char *c = v; *c; c++) {
        if ((unsigned char)*c < 0x20 || *c == 0x7f || (c[0] == '=' && c[1] == '?'))
            return 0;
        width += (*c == '"' || *c == '\\') + (((unsigned char)*c & 0xC0) != 0x80);
    }
    return width <= MB_LINE_SOFT - 1;
}

/* One parameter as `name=value`: a quoted string, raw UTF-8 with SMTPUTF8, or RFC 2231. */
static int param_item(const mailbuild_message *m, const char *name, const char *value, lm_buf *out)
{
    if (has_high(value) && raw_value_ok(m, name, value)) {
        lm_buf_puts(out, name);
        lm_buf_putc(out, '=');
        mb_put_quoted(out, value, strlen(value));
        return out->oom ? MAILBUILD_E_NOMEM : 0;
    }
    char *enc = NULL;
    size_t n = 0;
    int rc = from_mailparse(mailparse_rfc2231_encode(name, value, strlen(value), NULL, &enc, &n));
    if (!rc && lm_buf_append(out, enc, n))
        rc = MAILBUILD_E_NOMEM;
    mailparse_free(enc);
    return rc;
}

/* Content-Type's name= for readers that predate RFC 2231: the filename quoted, split into
 * RFC 2047 words where it is not ASCII or too long for a line (what the common clients send;
 * the folds fall between words, which readers join again). Left out when it would be long. */
static int legacy_name(const mailbuild_message *m, const char *filename, size_t col, lm_buf *out)
{
    size_t mark = out->len, n = strlen(filename);
    lm_buf_puts(out, "name=");
    int plain = n + 8 <= MB_LINE_SOFT - 1; /* printable ASCII a quoted string can carry */
    for (const char *c = filename; *c && plain; c++)
        plain = (unsigned char)*c >= 0x20 && (unsigned char)*c < 0x7f && !(c[0] == '=' && c[1] == '?');
    if (raw_value_ok(m, "name", filename) || plain) {
        mb_put_quoted(out, filename, n);
    } else {
        char *enc = NULL;
        size_t elen = 0;
        int rc = from_mailparse(mailparse_rfc2047_encode(filename, n, "utf-8", 0, col + 6, &enc, &elen));
        if (rc)
            return rc;
        mb_put_quoted(out, enc, elen);
        mailparse_free(enc);
    }
    if (out->len - mark > 900)
        out->len = mark;
    return out->oom ? MAILBUILD_E_NOMEM : 0;
}

/* Content-Type, with charset, boundary, name and the caller's parameters, folded. */
static int write_content_type(const mailbuild_message *m, const mailbuild_part *p, lm_buf *out)
{
    struct mb_fold f;
    lm_buf item = LM_BUF_INIT;
    int rc = 0;
    mb_fold_begin(&f, out, "Content-Type");
    lm_buf_puts(&item, p->type);
    lm_buf_putc(&item, '/');
    lm_buf_puts(&item, p->subtype);
    int text = mb_is_text(p);
    size_t more = p->filename || p->params; /* a ';' follows the item on its line */
    mb_fold_item(&f, "", item.data, item.len, more || p->multipart || text);
    if (p->multipart) {
        lm_buf_reset(&item);
        lm_buf_puts(&item, "boundary=\"");
        lm_buf_puts(&item, p->boundary);
        lm_buf_putc(&item, '"');
        mb_fold_item(&f, ";", item.data, item.len, more);
    } else if (text) {
        lm_buf_reset(&item);
        lm_buf_puts(&item, "charset=");
        lm_buf_puts(&item, p->charset ? p->charset : p->scan.high ? "utf-8" : "us-ascii");
        mb_fold_item(&f, ";", item.data, item.len, more);
    }
    int own_name = 0; /* a name parameter the caller set replaces the one from the filename */
    for (const struct mb_param *q = p->params; q; q = q->next)
        own_name |= lm_eq_nocase(q->name, strlen(q->name), "name");
    if (p->filename && !own_name) {
        lm_buf_reset(&item);
        rc = legacy_name(m, p->filename, f.col + 1, &item);
        if (!rc && item.len)
            mb_fold_item(&f, ";", item.data, item.len, p->params != NULL);
    }
    for (const struct mb_param *q = p->params; q && !rc; q = q->next) {
        lm_buf_reset(&item);
        rc = param_item(m, q->name, q->value, &item);
        if (!rc)
            mb_fold_item(&f, ";", item.data, item.len, q->next != NULL);
    }
    if (!rc && item.oom)
        rc = MAILBUILD_E_NOMEM;
    lm_buf_free(&item);
    return rc ? rc : mb_fold_end(&f);
}

static int write_disposition(const mailbuild_message *m, const mailbuild_part *p, lm_buf *out)
{
    struct mb_fold f;
    mb_fold_begin(&f, out, "Content-Disposition");
    const char *d = p->disposition ? p->disposition : "attachment";
    mb_fold_item(&f, "", d, strlen(d), p->filename != NULL);
    if (p->filename) {
        lm_buf item = LM_BUF_INIT;
        int rc = param_item(m, "filename", p->filename, &item);
        if (!rc && item.oom)
            rc = MAILBUILD_E_NOMEM;
        if (!rc)
            mb_fold_item(&f, ";", item.data, item.len, 0);
        lm_buf_free(&item);
        if (rc)
            return rc;
    }
    return mb_fold_end(&f);
}

int mb_write_part_headers(const mailbuild_message *m, const mailbuild_part *p, lm_buf *out)
{
    int rc = write_content_type(m, p, out);
    if (rc)
        return rc;
    mailbuild_encoding enc = p->multipart ? mailbuild_part_encoding((mailbuild_part *)p) : p->enc;
    if (!p->multipart || enc != MAILBUILD_ENC_7BIT) {
        lm_buf_puts(out, "Content-Transfer-Encoding: ");
        lm_buf_puts(out, mailbuild_encoding_name(enc));
        lm_buf_append(out, "\r\n", 2);
    }
    if (p->disposition || p->filename)
        rc = write_disposition(m, p, out);
    if (!rc && p->content_id) {
        lm_buf_puts(out, "Content-ID: <");
        lm_buf_puts(out, p->content_id);
        lm_buf_append(out, ">\r\n", 3);
    }
    if (!rc && out->oom)
        rc = MAILBUILD_E_NOMEM;
    return rc;
}
