/* write.c — serialising a message: the common shapes assembled, generated values fixed,
 * header blocks and bodies streamed through a sink (RFC 5322 §2-3, RFC 2046 §5.1.1), and
 * the exact size counted without encoding what arithmetic can count. */
#include "mb_internal.h"

#include "lm_alloc.h"
#include "lm_ascii.h"
#include "lm_utf8.h"
#include "mailparse.h"

#include <string.h>

/* The writer hands the callback at most this much at a time. */
#define SINK_PIECE 65536
/* base64 input per encoder call: 800 lines of 57 bytes, about 62 KiB encoded. */
#define B64_CHUNK (57 * 800)
/* quoted-printable input per encoder call, cut after a line end. */
#define QP_CHUNK 16384

struct sink {
    mailbuild_write_fn fn;
    void *user;
    lm_buf buf;
    size_t total;
    int counting;
    int rc;
};

static void sink_flush(struct sink *s)
{
    if (s->buf.oom && !s->rc)
        s->rc = MAILBUILD_E_NOMEM;
    if (!s->rc && s->buf.len && s->fn(s->user, s->buf.data, s->buf.len))
        s->rc = MAILBUILD_E_WRITE;
    lm_buf_reset(&s->buf);
}

static void emit(struct sink *s, const char *p, size_t n)
{
    if (s->rc)
        return;
    s->total += n;
    if (s->counting)
        return;
    if (n < SINK_PIECE / 4) {
        lm_buf_append(&s->buf, p, n);
        if (s->buf.len >= SINK_PIECE - SINK_PIECE / 4)
            sink_flush(s);
        return;
    }
    sink_flush(s);
    while (n && !s->rc) {
        size_t k = n < SINK_PIECE ? n : SINK_PIECE;
        if (s->fn(s->user, p, k))
            s->rc = MAILBUILD_E_WRITE;
        p += k;
        n -= k;
    }
}

static void emit_str(struct sink *s, const char *str) { emit(s, str, strlen(str)); }

/* ---- generated values -------------------------------------------------------------------- */

/* The domain of the first From mailbox when it is plain ASCII, for the Message-ID. */
static const char *from_domain(const mailbuild_message *m)
{
    const struct mb_field *f = mb_fields_find(&m->fields, "From");
    if (!f || f->kind != MB_FIELD_ADDRESS)
        return NULL;
    for (const struct mb_item *it = f->items; it; it = it->next) {
        if (it->kind != MB_ITEM_MAILBOX)
            continue;
        const char *d = strrchr(it->value, '@') + 1;
        return d[0] != '[' && lm_ascii_prefix((const unsigned char *)d, strlen(d)) == strlen(d) &&
                       !mb_check_id_domain(d)
                   ? d
                   : NULL;
    }
    return NULL;
}

/* Whether the writer adds a Date (resp. Message-ID) of its own: none set, none refused. */
static int generates_date(const mailbuild_message *m)
{
    return !mb_fields_find(&m->fields, "Date") && !(m->opts.flags & MAILBUILD_F_NO_DATE);
}

static int generates_message_id(const mailbuild_message *m)
{
    return !mb_fields_find(&m->fields, "Message-ID") && !(m->opts.flags & MAILBUILD_F_NO_MESSAGE_ID);
}

/* Date and Message-ID when the message will carry generated ones: chosen at the first output
 * that needs them, then kept. */
int mb_fix_generated(mailbuild_message *m)
{
    int need_date = generates_date(m);
    if (need_date && !m->date_fixed) {
        m->date = mb_now(m);
        m->date_offset = m->opts.utc_offset_minutes;
        if (!mb_date_ok(m->date, m->date_offset))
            return MAILBUILD_E_INVAL;
        m->date_fixed = 1;
    }
    int need_id = generates_message_id(m);
    if (need_id && !m->message_id[0]) {
        const char *domain = m->opts.message_id_domain ? m->opts.message_id_domain : from_domain(m);
        if (!domain || strlen(domain) + 34 >= sizeof m->message_id)
            domain = "localhost";
        char hex[33];
        mb_random_hex(m, hex, 16);
        strcpy(m->message_id, hex);
        strcat(m->message_id, "@");
        strcat(m->message_id, domain);
    }
    return 0;
}

/* ---- the common shapes ------------------------------------------------------------------- */

static int shape(mailbuild_message *m, mailbuild_part **slot, const char *subtype, mailbuild_part **out)
{
    if (!*slot) {
        int rc = mailbuild_multipart_new(m, subtype, slot);
        if (rc)
            return rc;
        (*slot)->internal = 1;
        (*slot)->placed = 1;
    }
    *out = *slot;
    return 0;
}

static int set_related_type(mailbuild_part *related, const mailbuild_part *root)
{
    char type[2 * MB_NAME_MAX + 2];
    if (strlen(root->type) + strlen(root->subtype) + 2 > sizeof type)
        return MAILBUILD_E_INVAL;
    strcpy(type, root->type);
    strcat(type, "/");
    strcat(type, root->subtype);
    return mailbuild_part_set_param(related, "type", type);
}

/* The body to write: the caller's tree, or the common shapes put together (RFC 2046 §5.1.4,
 * RFC 2387). Each level holding one part is left out. */
static int body_root(mailbuild_message *m, mailbuild_part **out)
{
    if (m->body) {
        *out = m->body;
        return 0;
    }
    mailbuild_part *core = NULL;
    int rc = 0;
    if (m->text && m->html) {
        if ((rc = shape(m, &m->shape_alt, "alternative", &core)))
            return rc;
        core->first = m->text;
        m->text->next = m->html;
        m->html->next = NULL;
        core->last = m->html;
    } else {
        core = m->text ? m->text : m->html;
    }
    if (m->inlines && (core || m->inlines != m->inlines_last)) {
        mailbuild_part *rel;
        if ((rc = shape(m, &m->shape_related, "related", &rel)))
            return rc;
        rel->first = core ? core : m->inlines;
        if (core)
            core->next = m->inlines;
        rel->last = m->inlines_last;
        /* RFC 2387 §3.1: type names the root, the first part */
        if ((rc = set_related_type(rel, rel->first)))
            return rc;
        core = rel;
    } else if (m->inlines) {
        core = m->inlines; /* one inline part and nothing else: it is the body */
    }
    if (m->attachments && (core || m->attachments != m->attachments_last)) {
        mailbuild_part *mixed;
        if ((rc = shape(m, &m->shape_mixed, "mixed", &mixed)))
            return rc;
        mixed->first = core ? core : m->attachments;
        if (core)
            core->next = m->attachments;
        mixed->last = m->attachments_last;
        core = mixed;
    } else if (m->attachments) {
        core = m->attachments;
    }
    if (!core) {
        if (!m->shape_empty) {
            if ((rc = mailbuild_part_new(m, "text/plain", (const unsigned char *)"", 0, &m->shape_empty)))
                return rc;
            m->shape_empty->internal = 1;
            m->shape_empty->placed = 1;
        }
        core = m->shape_empty;
    }
    core->next = NULL;
    *out = core;
    return 0;
}

/* ---- boundaries -------------------------------------------------------------------------- */

/* Whether a field the caller added to `p` has a name that starts with `b` (a header line
 * begins with its name; continuation lines begin with a blank). */
static int boundary_in_fields(const mailbuild_part *p, const char *b)
{
    for (const struct mb_field *f = p->headers.first; f; f = f->next)
        if (strncmp(f->name, b, strlen(b)) == 0)
            return 1;
    return 0;
}

/* Whether "--boundary" can start a line inside `p`: in a field name of a part below, or in a
 * body written as it is (7bit/8bit/binary); quoted-printable and base64 cannot produce "=_". */
static int boundary_in(const mailbuild_part *p, const char *b)
{
    for (const mailbuild_part *c = p->first; c; c = c->next) {
        if (boundary_in_fields(c, b))
            return 1;
        if (c->multipart) {
            if (boundary_in(c, b) || strstr(c->boundary, b + 2))
                return 1;
            continue;
        }
        if (c->enc == MAILBUILD_ENC_QP || c->enc == MAILBUILD_ENC_BASE64)
            continue;
        size_t bl = strlen(b);
        for (size_t i = 0; i + bl <= c->out_len; i++) {
            const void *hit = memchr(c->out + i, '-', c->out_len - i - bl + 1);
            if (!hit)
                break;
            i = (size_t)((const unsigned char *)hit - c->out);
            if (memcmp(c->out + i, b, bl) == 0)
                return 1;
        }
    }
    return 0;
}

/* Prepares every leaf and gives every multipart a boundary no part inside it contains. */
static int prepare_tree(mailbuild_part *p)
{
    if (!p->multipart)
        return mb_part_prepare(p);
    if (!p->first)
        return MAILBUILD_E_STATE; /* RFC 2046 §5.1.1: at least one body part */
    for (mailbuild_part *c = p->first; c; c = c->next) {
        int rc = prepare_tree(c);
        if (rc)
            return rc;
    }
    for (int tries = 0; tries < 16; tries++) {
        if (!p->boundary[0]) {
            char hex[33];
            mb_random_hex(p->msg, hex, 12);
            strcpy(p->boundary, "=_");
            strcat(p->boundary, hex);
        }
        char probe[sizeof p->boundary + 2] = "--";
        strcat(probe, p->boundary);
        if (!boundary_in(p, probe))
            return 0;
        p->boundary[0] = '\0';
    }
    return MAILBUILD_E_STATE; /* the random source keeps repeating itself */
}

/* ---- bodies ------------------------------------------------------------------------------ */

static size_t base64_size(size_t n)
{
    if (n == 0)
        return 0;
    size_t chars = (n + 2) / 3 * 4;
    return chars + 2 * ((chars + 75) / 76) - 2;
}

static void write_base64(struct sink *s, const unsigned char *p, size_t n)
{
    if (s->counting) {
        s->total += base64_size(n);
        return;
    }
    for (size_t i = 0; i < n && !s->rc; i += B64_CHUNK) {
        size_t k = n - i < B64_CHUNK ? n - i : B64_CHUNK;
        char *enc = NULL;
        size_t len = 0;
        if (mailparse_base64_encode(p + i, k, 76, &enc, &len)) {
            s->rc = MAILBUILD_E_NOMEM;
            break;
        }
        emit(s, enc, i + k == n ? len - 2 : len); /* the last line end is the delimiter's */
        mailparse_free(enc);
    }
}

/* The encoded text's last line, then a soft line break so the message ends with a line end
 * while the text does not. A last line already 76 long is cut before its last unit first. */
static void emit_qp_soft_end(struct sink *s, const char *enc, size_t len)
{
    size_t start = len;
    while (start > 0 && enc[start - 1] != '\n')
        start--;
    size_t k = start;
    for (size_t col = 0; k < len;) {
        size_t unit = enc[k] == '=' ? 3 : 1;
        if (col + unit > 75)
            break;
        col += unit;
        k += unit;
    }
    emit(s, enc, k);
    if (k < len) {
        emit(s, "=\r\n", 3);
        emit(s, enc + k, len - k);
    }
    emit(s, "=\r\n", 3);
}

/* Quoted-printable a chunk at a time; `soft_end` ends a text without a line end with a soft
 * line break (the body of a whole message). */
static void write_qp(struct sink *s, const mailbuild_part *p, int soft_end)
{
    const unsigned char *d = p->out;
    size_t n = p->out_len;
    unsigned flags = mb_is_text(p) || mb_is_message(p) ? 0 : MAILPARSE_QP_BINARY;
    for (size_t i = 0; i < n && !s->rc;) {
        size_t k = n - i;
        if (!flags && k > QP_CHUNK) { /* text: cut after a line end so lines encode alike */
            const unsigned char *lf = memchr(d + i + QP_CHUNK / 2, '\n', QP_CHUNK / 2);
            if (!lf)
                lf = memchr(d + i + QP_CHUNK, '\n', n - i - QP_CHUNK);
            if (lf)
                k = (size_t)(lf - (d + i)) + 1;
        }
        char *enc = NULL;
        size_t len = 0;
        if (mailparse_qp_encode(d + i, k, flags, &enc, &len)) {
            s->rc = MAILBUILD_E_NOMEM;
            break;
        }
        i += k;
        if (soft_end && i == n && len && enc[len - 1] != '\n')
            emit_qp_soft_end(s, enc, len);
        else
            emit(s, enc, len);
        mailparse_free(enc);
    }
}

static int write_entity(struct sink *s, mailbuild_message *m, mailbuild_part *p, int top);

static void write_body(struct sink *s, mailbuild_message *m, mailbuild_part *p, int top)
{
    if (p->multipart) {
        for (mailbuild_part *c = p->first; c && !s->rc; c = c->next) {
            emit_str(s, c == p->first ? "--" : "\r\n--");
            emit_str(s, p->boundary);
            emit(s, "\r\n", 2);
            int rc = write_entity(s, m, c, 0);
            if (rc && !s->rc)
                s->rc = rc;
        }
        emit_str(s, "\r\n--");
        emit_str(s, p->boundary);
        emit(s, "--", 2);
        return;
    }
    switch (p->enc) {
    case MAILBUILD_ENC_BASE64: write_base64(s, p->out, p->out_len); break;
    case MAILBUILD_ENC_QP: write_qp(s, p, top); break;
    default: emit(s, (const char *)p->out, p->out_len); break;
    }
}

static int write_entity(struct sink *s, mailbuild_message *m, mailbuild_part *p, int top)
{
    lm_buf h = LM_BUF_INIT;
    int rc = 0;
    if (top) {
        rc = mb_write_fields(m, &m->fields, &h);
        char date[64];
        if (!rc && generates_date(m)) {
            mailparse_format_date(m->date, m->date_offset, date, sizeof date);
            lm_buf_puts(&h, "Date: ");
            lm_buf_puts(&h, date);
            lm_buf_append(&h, "\r\n", 2);
        }
        if (!rc && generates_message_id(m)) {
            lm_buf_puts(&h, "Message-ID: <");
            lm_buf_puts(&h, m->message_id);
            lm_buf_append(&h, ">\r\n", 3);
        }
        lm_buf_puts(&h, "MIME-Version: 1.0\r\n");
    }
    if (!rc)
        rc = mb_write_part_headers(m, p, &h);
    if (!rc)
        rc = mb_write_fields(m, &p->headers, &h);
    lm_buf_append(&h, "\r\n", 2);
    if (!rc && h.oom)
        rc = MAILBUILD_E_NOMEM;
    if (!rc)
        emit(s, h.data, h.len);
    lm_buf_free(&h);
    if (!rc)
        write_body(s, m, p, top);
    return rc;
}

/* Runs the whole writer into `s`. */
static int run(mailbuild_message *m, struct sink *s)
{
    mailbuild_part *root;
    int rc = mb_fix_generated(m);
    if (!rc)
        rc = body_root(m, &root);
    if (!rc)
        rc = prepare_tree(root);
    if (!rc)
        rc = write_entity(s, m, root, 1);
    if (!rc && !s->rc && (root->multipart || root->enc == MAILBUILD_ENC_BASE64))
        emit(s, "\r\n", 2); /* the last line's end */

    if (!rc && !s->counting)
        sink_flush(s);
    if (!rc)
        rc = s->rc;
    lm_buf_free(&s->buf);
    return rc;
}

int mailbuild_write(mailbuild_message *m, mailbuild_write_fn fn, void *user)
{
    if (!m || !fn)
        return MAILBUILD_E_INVAL;
    struct sink s = {fn, user, LM_BUF_INIT, 0, 0, 0};
    return run(m, &s);
}

int mailbuild_size(mailbuild_message *m, size_t *size)
{
    if (!m || !size)
        return MAILBUILD_E_INVAL;
    struct sink s = {NULL, NULL, LM_BUF_INIT, 0, 1, 0};
    int rc = run(m, &s);
    *size = rc ? 0 : s.total;
    return rc;
}

struct mem {
    char *p;
    size_t len, cap;
};

static int mem_write(void *user, const char *data, size_t len)
{
    struct mem *mm = user;
    if (len > mm->cap - mm->len)
        return -1;
    memcpy(mm->p + mm->len, data, len);
    mm->len += len;
    return 0;
}

int mailbuild_to_buffer(mailbuild_message *m, char **out, size_t *len)
{
    if (!m || !out)
        return MAILBUILD_E_INVAL;
    *out = NULL;
    size_t size;
    int rc = mailbuild_size(m, &size);
    if (rc)
        return rc;
    struct mem mm = {lm_malloc(size + 1), 0, size};
    if (!mm.p)
        return MAILBUILD_E_NOMEM;
    rc = mailbuild_write(m, mem_write, &mm);
    if (!rc && mm.len != size)
        rc = MAILBUILD_E_STATE;
    if (rc) {
        lm_free(mm.p);
        return rc == MAILBUILD_E_WRITE ? MAILBUILD_E_STATE : rc;
    }
    mm.p[size] = '\0';
    *out = mm.p;
    if (len)
        *len = size;
    return 0;
}
