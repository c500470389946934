/* message_body.c — body decoding (transfer encoding, then charset to UTF-8), the RFC 8621
 * §4.1.4 body lists (textBody, htmlBody, attachments), and the message's text and HTML views. */
#include "message.h"

#include <string.h>

/* ---- decoding one part ------------------------------------------------------------------- */

/* Copies `n` bytes into the arena with a NUL after them. */
static const char *arena_copy(lm_arena *a, const void *p, size_t n)
{
    char *d = lm_arena_alloc(a, n + 1);
    if (d) {
        if (n)
            memcpy(d, p, n);
        d[n] = '\0';
    }
    return d;
}

/* Bodies from this size on keep the decoder's own buffer instead of being copied into the arena,
 * so a large attachment is held once, not twice (peak memory stays near message + decoded). */
#define MP_BLOB_MIN 65536

/* The decoded bytes in `tmp` as a NUL-terminated string owned by the message: copied into the
 * arena when small, else the buffer itself is taken (tmp is left empty). NULL: out of memory. */
static const char *keep_decoded(mailparse_message *m, lm_buf *tmp)
{
    if (tmp->len < MP_BLOB_MIN || tmp->oom)
        return tmp->oom ? NULL : arena_copy(m->arena, tmp->data ? tmp->data : "", tmp->len);
    if (m->blob_count == m->blob_cap) {
        size_t cap = m->blob_cap ? m->blob_cap * 2 : 4;
        void **nb = lm_realloc(m->blobs, cap * sizeof *nb);
        if (!nb)
            return NULL;
        m->blobs = nb;
        m->blob_cap = cap;
    }
    size_t len = tmp->len;
    char *data = lm_buf_take(tmp, &len);
    char *fit = data ? lm_realloc(data, len + 1) : NULL; /* give back the growth slack */
    if (!fit) {
        lm_free(data);
        return NULL;
    }
    m->blobs[m->blob_count++] = fit;
    return fit;
}

/* Undoes the transfer encoding of part `pt`. Identity encodings point into the raw message. */
static int decode_transfer(mailparse_message *m, mailparse_part *pt, lm_buf *tmp, const mp_diag *d)
{
    const char *in = (const char *)m->raw + pt->offset_body;
    size_t len = pt->offset_end - pt->offset_body;
    int rc;
    switch (pt->encoding) {
    case MAILPARSE_ENC_BASE64:
        rc = lm_buf_reserve(tmp, len / 4 * 3 + 3) ? MAILPARSE_E_NOMEM : mp_base64_decode(in, len, tmp, d);
        break;
    case MAILPARSE_ENC_QUOTED_PRINTABLE:
        rc = lm_buf_reserve(tmp, len) ? MAILPARSE_E_NOMEM : mp_qp_decode(in, len, tmp, d);
        break;
    case MAILPARSE_ENC_UUENCODE:
        rc = mp_uu_decode(in, len, tmp, d);
        break;
    default:
        pt->body = (const unsigned char *)in;
        pt->body_len = len;
        return 0;
    }
    if (rc)
        return rc;
    size_t decoded = tmp->len;
    const char *body = keep_decoded(m, tmp);
    if (!body)
        return MAILPARSE_E_NOMEM;
    pt->body = (const unsigned char *)body;
    pt->body_len = decoded;
    return 0;
}

/* Converts a text part's decoded body to UTF-8. */
static int decode_text(mailparse_message *m, mailparse_part *pt, lm_buf *tmp, const mp_diag *d)
{
    const unsigned char *in = pt->body;
    size_t len = pt->body_len;
    const char *cs = pt->charset;
    size_t cs_len = cs ? strlen(cs) : 0;
    int rc;
    lm_buf_reset(tmp);
    if (!cs || mp_charset_is_utf8(cs, cs_len)) {
        /* Undeclared, UTF-8 or US-ASCII: valid UTF-8 needs no conversion (mislabelled US-ASCII
         * is usually UTF-8); anything else is guessed. */
        if (mp_utf8_valid_prefix(in, len) == len) {
            const char *text = (const char *)in;
            if (pt->encoding == MAILPARSE_ENC_7BIT || pt->encoding == MAILPARSE_ENC_8BIT ||
                pt->encoding == MAILPARSE_ENC_BINARY || pt->encoding == MAILPARSE_ENC_UNKNOWN)
                text = arena_copy(m->arena, in, len); /* raw bytes are not NUL-terminated */
            if (!text)
                return MAILPARSE_E_NOMEM;
            pt->text = text;
            pt->text_len = len;
            return 0;
        }
        if (cs && !lm_eq_nocase(cs, cs_len, "us-ascii") && !lm_eq_nocase(cs, cs_len, "ascii"))
            rc = mp_utf8_sanitize(in, len, tmp, d); /* declared UTF-8: repair, do not guess */
        else
            rc = mp_text_guess_to_utf8(in, len, m->opts.default_charset, tmp, d);
    } else {
        rc = mp_charset_to_utf8(cs, cs_len, in, len, tmp, d);
        if (rc == MAILPARSE_E_CHARSET) {
            mp_report(d, MAILPARSE_ANOMALY_CHARSET_UNKNOWN, 0);
            pt->flags |= MAILPARSE_PART_CHARSET_UNKNOWN;
            lm_buf_reset(tmp);
            rc = mp_text_guess_to_utf8(in, len, m->opts.default_charset, tmp, d);
        }
    }
    if (rc)
        return rc;
    pt->text_len = tmp->len;
    pt->text = keep_decoded(m, tmp);
    return pt->text ? 0 : MAILPARSE_E_NOMEM;
}

/* The repairs that lose content set MAILPARSE_PART_ENCODING_PROBLEM: bytes outside the base64
 * alphabet, a cut base64 group, a charset or transfer encoding nobody knows. The others (long QP
 * lines, bad padding, '=' kept literally, a byte replaced by U+FFFD in a known charset, a guessed
 * charset for undeclared 8-bit text) are reported as anomalies only. */
static int is_content_problem(mailparse_anomaly_kind kind)
{
    switch (kind) {
    case MAILPARSE_ANOMALY_BASE64_BAD_CHAR:
    case MAILPARSE_ANOMALY_BASE64_TRUNCATED:
    case MAILPARSE_ANOMALY_CHARSET_UNKNOWN:
    case MAILPARSE_ANOMALY_ENCODING_UNKNOWN:
        return 1;
    default:
        return 0;
    }
}

/* The anomaly sink while one part is decoded: records, and flags the part. */
struct part_sink {
    mp_anomalies *anomalies;
    mailparse_part *part;
};

static void part_sink_record(void *user, mailparse_anomaly_kind kind, size_t offset)
{
    struct part_sink *s = user;
    if (is_content_problem(kind))
        s->part->flags |= MAILPARSE_PART_ENCODING_PROBLEM;
    mp_anomalies_record(s->anomalies, kind, offset);
}

static int decode_part(mailparse_message *m, mailparse_part *pt, lm_buf *tmp)
{
    struct part_sink sink = {&m->anomalies, pt};
    mp_diag d = {part_sink_record, &sink, pt->offset_body};
    lm_buf_reset(tmp);
    int rc = decode_transfer(m, pt, tmp, &d);
    if (rc == 0 && (pt->kind == MAILPARSE_PART_TEXT || pt->kind == MAILPARSE_PART_HTML))
        rc = decode_text(m, pt, tmp, &d);
    return rc;
}

/* A transfer-encoded message part (message/global in base64, RFC 6532 §3.5): its decoded bytes
 * are parsed as a message of their own, with the depth left under max_depth and the parts left
 * under max_parts; that message keeps its own anomalies (their offsets are into its bytes).
 * Recursion is bounded: each level has a smaller max_depth. */
static int parse_nested(mailparse_message *m, mailparse_part *pt, lm_buf *tmp)
{
    int rc = decode_part(m, pt, tmp);
    size_t depth = 1;
    for (long p = pt->parent; p >= 0; p = m->parts[p].parent)
        depth++;
    if (rc || depth >= m->opts.max_depth || m->part_count >= m->opts.max_parts)
        return rc;
    mailparse_options o = m->opts;
    o.flags |= MAILPARSE_F_ZERO_COPY;
    o.max_depth = m->opts.max_depth - depth;
    o.max_parts = m->opts.max_parts - m->part_count;
    o.anomaly = NULL;
    o.anomaly_user = NULL;
    mailparse_message *nested = NULL;
    rc = mailparse_parse(pt->body, pt->body_len, &o, &nested);
    pt->nested = nested;
    return rc;
}

/* ---- RFC 8621 §4.1.4 body lists ------------------------------------------------------------ */

struct id_list {
    size_t *ids;
    size_t count;
};

struct body_lists {
    struct id_list text, html, attachments;
};

static int is_type(const mailparse_part *pt, const char *type, const char *subtype)
{
    const mailparse_content_type *ct = pt->content_type;
    return strcmp(ct->type, type) == 0 && (!subtype || (ct->subtype && strcmp(ct->subtype, subtype) == 0));
}

static int is_inline_media(const mailparse_part *pt)
{
    return is_type(pt, "image", NULL) || is_type(pt, "audio", NULL) || is_type(pt, "video", NULL);
}

/* Appends to a list still in use in this branch (the walk passes NULL for an abandoned one). */
static void push(struct id_list *l, size_t id)
{
    if (l)
        l->ids[l->count++] = id;
}

/* The walk of RFC 8621 §4.1.4 over the children of `parent`. `text`/`html` are NULL once that
 * view has been abandoned in this branch. Recursion is bounded by max_depth (the parse never
 * nests multiparts deeper). */
static void walk(const mailparse_message *m, const mailparse_part *parent, const char *multipart_type,
                 int in_alternative, struct id_list *text, struct id_list *html, struct id_list *attachments)
{
    size_t text_len = text ? text->count : (size_t)-1;
    size_t html_len = html ? html->count : (size_t)-1;
    for (size_t i = 0; i < parent->child_count; i++) {
        const mailparse_part *pt = &m->parts[parent->children[i]];
        if (pt->kind == MAILPARSE_PART_MULTIPART) {
            const char *sub = pt->content_type->subtype ? pt->content_type->subtype : "mixed";
            walk(m, pt, sub, in_alternative || strcmp(sub, "alternative") == 0, text, html, attachments);
            continue;
        }
        int is_text = is_type(pt, "text", "plain") && pt->kind == MAILPARSE_PART_TEXT;
        int is_html = pt->kind == MAILPARSE_PART_HTML;
        int is_attachment = pt->disposition && strcmp(pt->disposition->type, "attachment") == 0;
        int is_inline = !is_attachment && (is_text || is_html || is_inline_media(pt)) &&
                        (i == 0 || (strcmp(multipart_type, "related") != 0 &&
                                    (is_inline_media(pt) || !pt->filename)));
        if (!is_inline) {
            push(attachments, pt->id);
            continue;
        }
        if (strcmp(multipart_type, "alternative") == 0) {
            if (is_text)
                push(text, pt->id);
            else if (is_html)
                push(html, pt->id);
            else
                push(attachments, pt->id);
            continue;
        }
        if (in_alternative) {
            if (is_text)
                html = NULL;
            if (is_html)
                text = NULL;
        }
        if (text)
            push(text, pt->id);
        if (html)
            push(html, pt->id);
        if ((!text || !html) && is_inline_media(pt))
            push(attachments, pt->id);
    }
    if (strcmp(multipart_type, "alternative") == 0 && text && html) {
        if (text_len == text->count && html_len != html->count)
            for (size_t i = html_len; i < html->count; i++)
                push(text, html->ids[i]);
        if (html_len == html->count && text_len != text->count)
            for (size_t i = text_len; i < text->count; i++)
                push(html, text->ids[i]);
    }
}

/* Runs the walk from the message itself, as the RFC's parseStructure([message], "mixed", ...). */
static int body_lists(mailparse_message *m)
{
    /* Each list holds a part at most twice (the alternative fix-up copies), so 2n is enough. */
    size_t n = m->part_count * 2 + 1;
    struct id_list text = {lm_arena_alloc(m->arena, n * sizeof(size_t)), 0};
    struct id_list html = {lm_arena_alloc(m->arena, n * sizeof(size_t)), 0};
    struct id_list att = {lm_arena_alloc(m->arena, n * sizeof(size_t)), 0};
    if (!text.ids || !html.ids || !att.ids)
        return MAILPARSE_E_NOMEM;
    mailparse_part root = {0};
    size_t root_child = 0;
    root.child_count = 1;
    root.children = &root_child;
    walk(m, &root, "mixed", 0, &text, &html, &att);
    m->text_body = text.ids;
    m->text_body_count = text.count;
    m->html_body = html.ids;
    m->html_body_count = html.count;
    m->attachments = att.ids;
    m->attachment_count = att.count;
    return 0;
}

/* ---- the text and HTML views ----------------------------------------------------------------- */

/* Joins the parts of `ids` into one view in `b`: parts of the wanted kind as they are, the
 * other text kind converted (HTML to text or text to HTML); non-text parts are skipped.
 * Returns 0 with *any set when at least one part contributed. */
static int join_view(const mailparse_message *m, const size_t *ids, size_t count, int want_html, lm_buf *b,
                     int *any)
{
    int rc = 0;
    *any = 0;
    for (size_t i = 0; i < count && rc == 0; i++) {
        const mailparse_part *pt = &m->parts[ids[i]];
        if ((pt->kind != MAILPARSE_PART_TEXT && pt->kind != MAILPARSE_PART_HTML) || !pt->text)
            continue;
        int is_html = pt->kind == MAILPARSE_PART_HTML;
        if (!want_html && is_html && (m->opts.flags & MAILPARSE_F_NO_HTML_TO_TEXT))
            continue;
        if (*any && b->len && b->data[b->len - 1] != '\n')
            lm_buf_putc(b, '\n');
        *any = 1;
        if (is_html == want_html)
            lm_buf_append(b, pt->text, pt->text_len);
        else if (want_html)
            rc = mp_text_to_html(pt->text, pt->text_len, b);
        else
            rc = mp_html_to_text(pt->text, pt->text_len, b);
    }
    return rc ? rc : mp_buf_status(b);
}

static int text_view(mailparse_message *m)
{
    if (m->text_body_count == 1) { /* the usual case: one text part is the view, no copy */
        const mailparse_part *pt = &m->parts[m->text_body[0]];
        if (pt->kind == MAILPARSE_PART_TEXT && pt->text) {
            m->text = pt->text;
            m->text_len = pt->text_len;
            return 0;
        }
    }
    lm_buf b = LM_BUF_INIT;
    int any;
    int rc = join_view(m, m->text_body, m->text_body_count, 0, &b, &any);
    if (rc == 0 && any) {
        m->text = arena_copy(m->arena, b.data ? b.data : "", b.len);
        m->text_len = b.len;
        if (!m->text)
            rc = MAILPARSE_E_NOMEM;
    }
    lm_buf_free(&b);
    return rc;
}

int mp_message_finish_bodies(mailparse_message *m)
{
    int rc = 0;
    if (!(m->opts.flags & MAILPARSE_F_NO_BODY_DECODE)) {
        lm_buf tmp = LM_BUF_INIT;
        for (size_t i = 0; i < m->part_count && rc == 0; i++) {
            mailparse_part *pt = &m->parts[i];
            if (pt->kind == MAILPARSE_PART_TEXT || pt->kind == MAILPARSE_PART_HTML ||
                pt->kind == MAILPARSE_PART_BINARY)
                rc = decode_part(m, pt, &tmp);
            else if (pt->kind == MAILPARSE_PART_MESSAGE && pt->child_count == 0)
                rc = parse_nested(m, pt, &tmp);
        }
        lm_buf_free(&tmp);
    }
    if (rc == 0)
        rc = body_lists(m);
    if (rc == 0 && !(m->opts.flags & MAILPARSE_F_NO_BODY_DECODE))
        rc = text_view(m);
    return rc;
}

/* ---- public accessors -------------------------------------------------------------------------- */

const size_t *mailparse_message_text_body(const mailparse_message *m, size_t *count)
{
    if (count)
        *count = m ? m->text_body_count : 0;
    return m ? m->text_body : NULL;
}

const size_t *mailparse_message_html_body(const mailparse_message *m, size_t *count)
{
    if (count)
        *count = m ? m->html_body_count : 0;
    return m ? m->html_body : NULL;
}

const size_t *mailparse_message_attachments(const mailparse_message *m, size_t *count)
{
    if (count)
        *count = m ? m->attachment_count : 0;
    return m ? m->attachments : NULL;
}

const char *mailparse_message_text(const mailparse_message *m, size_t *len)
{
    if (len)
        *len = m && m->text ? m->text_len : 0;
    return m ? m->text : NULL;
}

int mailparse_message_html_dup(const mailparse_message *m, char **out, size_t *out_len)
{
    if (!m || !out)
        return MAILPARSE_E_INVAL;
    *out = NULL;
    lm_buf b = LM_BUF_INIT;
    int any;
    int rc = join_view(m, m->html_body, m->html_body_count, 1, &b, &any);
    if (rc || !any) {
        lm_buf_free(&b);
        return rc;
    }
    *out = lm_buf_take(&b, out_len);
    return *out ? 0 : MAILPARSE_E_NOMEM;
}

int mailparse_message_preview(const mailparse_message *m, size_t max_chars, char **out, size_t *out_len)
{
    if (!m || !out)
        return MAILPARSE_E_INVAL;
    lm_buf b = LM_BUF_INIT;
    int rc = m->text ? mp_preview(m->text, m->text_len, max_chars, &b) : 0;
    if (rc == 0)
        rc = mp_buf_status(&b);
    if (rc) {
        lm_buf_free(&b);
        return rc;
    }
    size_t n = 0;
    *out = lm_buf_take(&b, &n);
    if (!*out)
        return MAILPARSE_E_NOMEM;
    if (out_len)
        *out_len = n;
    return 0;
}
