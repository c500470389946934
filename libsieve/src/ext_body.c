/* ext_body.c — the body test (RFC 5173) over libmailparse's parts: :raw (the undecoded body
 * as one value), :content (the decoded parts whose type is listed; multipart prologues and
 * epilogues, the header of a message/rfc822), and :text, the default: the decoded text of
 * the text/ * parts, with HTML (text/html, application/xhtml+xml) converted to plain text as
 * §5.3 allows, so that markup is never matched. */
#include "engine.h"

#include "lm_ascii.h"

#include <string.h>

enum { BODY_TEXT = 0, BODY_RAW, BODY_CONTENT };

/* Where the body of the top-level part starts, or 0 when the header is not followed by an
 * empty line (RFC 5173 §4: a message without a body has no value to match, not ""). */
static int has_body(const unsigned char *raw, size_t len, size_t off)
{
    if (off == 0 || off > len || raw[off - 1] != '\n')
        return 0;
    /* The line that ends at off - 1 must be empty: "\n\n", "\n\r\n", or the message starts
     * with the empty line. */
    size_t k = off - 1;
    if (k > 0 && raw[k - 1] == '\r')
        k--;
    return k == 0 || raw[k - 1] == '\n';
}

/* ---- content types (RFC 5173 §5.2) -------------------------------------------------------- */

/* Non-zero when a :content entry names the part's type: "" every type, "type" any of its
 * subtypes, "type/subtype" exactly; an entry starting or ending with "/" or with two slashes
 * names none. */
static int type_matches(const char *want, size_t n, const char *type, const char *subtype)
{
    if (!n)
        return 1;
    const char *slash = memchr(want, '/', n);
    if (!slash)
        return lm_eq_nocase(want, n, type);
    size_t tn = (size_t)(slash - want), sn = n - tn - 1;
    if (!tn || !sn || memchr(slash + 1, '/', sn))
        return 0;
    return lm_eq_nocase(want, tn, type) && lm_eq_nocase(slash + 1, sn, subtype ? subtype : "");
}

/* Non-zero when the part's Content-Type field is not a valid one. */
static int type_invalid(const mailparse_message *m, const mailparse_part *p)
{
    const mailparse_content_type *ct = p->content_type;
    if (ct && ((ct->type && strchr(ct->type, '/')) || (ct->subtype && strchr(ct->subtype, '/'))))
        return 1; /* "text/plain/x": a token holds no "/" (RFC 2045 §5.1) */
    if (!(p->flags & MAILPARSE_PART_DEFAULT_TYPE))
        return 0;
    for (size_t i = 0; i < p->header_count; i++) {
        const mailparse_header *h = mailparse_message_header_at(m, p->header_first + i);
        if (h && lm_eq_nocase(h->name, h->name_len, "content-type"))
            return 1;
    }
    return 0;
}

/* The part's type, as the body test sees it: a leaf in an unknown transfer encoding is
 * application/octet-stream (RFC 2045 §6.4), since its content cannot be decoded; a part
 * whose Content-Type cannot be read has no type ("" and ""), so that only :content ""
 * finds it — RFC 2045 §5.2 would make it text/plain, but a sender that wrote a broken type
 * did not say it was text (Pigeonhole does the same). */
static void part_type(const mailparse_message *m, const mailparse_part *p, const char **type,
                      const char **subtype)
{
    if (type_invalid(m, p)) {
        *type = *subtype = "";
        return;
    }
    if (p->kind != MAILPARSE_PART_MULTIPART && p->kind != MAILPARSE_PART_MESSAGE &&
        p->encoding == MAILPARSE_ENC_UNKNOWN) {
        *type = "application";
        *subtype = "octet-stream";
        return;
    }
    *type = p->content_type && p->content_type->type ? p->content_type->type : "text";
    *subtype = p->content_type && p->content_type->subtype ? p->content_type->subtype : "plain";
}

static const char *param_of(const mailparse_part *p, const char *name)
{
    const mailparse_content_type *ct = p->content_type;
    for (size_t i = 0; ct && i < ct->param_count; i++)
        if (ct->params[i].name && strcmp(ct->params[i].name, name) == 0)
            return ct->params[i].value;
    return NULL;
}

/* ---- the values of one part ------------------------------------------------------------ */

typedef struct body_ctx {
    sv_run *r;
    const sv_args *a;
    sv_matching *mt;
    const unsigned char *raw;
    size_t raw_len;
} body_ctx;

static int feed(body_ctx *c, const void *s, size_t n)
{
    return sv_matching_value(c->r, c->mt, s ? s : "", s ? n : 0);
}

/* Non-zero when the line [p, e) is "--boundary" or, with `close`, "--boundary--" (white
 * space after it allowed, RFC 2046 §5.1.1). */
static int is_delimiter(const unsigned char *p, const unsigned char *e, const char *b, size_t bn,
                        int close)
{
    if ((size_t)(e - p) < bn + 2 || p[0] != '-' || p[1] != '-' || memcmp(p + 2, b, bn) != 0)
        return 0;
    p += bn + 2;
    if (close) {
        if (e - p < 2 || p[0] != '-' || p[1] != '-')
            return 0;
        p += 2;
    }
    while (p < e && (*p == ' ' || *p == '\t' || *p == '\r'))
        p++;
    return p == e;
}

/* RFC 5173 §5.2: a multipart part matched by :content shows its prologue and its epilogue
 * (the text before the first delimiter and after the close delimiter), each a value. */
static int multipart_values(body_ctx *c, const mailparse_part *p)
{
    const char *b = param_of(p, "boundary");
    if (!b || !*b || p->offset_body > p->offset_end || p->offset_end > c->raw_len)
        return 0;
    size_t bn = strlen(b);
    const unsigned char *s = c->raw + p->offset_body, *end = c->raw + p->offset_end;
    const unsigned char *first = NULL, *epilogue = NULL;
    for (const unsigned char *line = s; line < end;) {
        const unsigned char *nl = memchr(line, '\n', (size_t)(end - line));
        const unsigned char *le = nl ? nl : end;
        if (!first && is_delimiter(line, le, b, bn, 0))
            first = line;
        if (is_delimiter(line, le, b, bn, 1))
            epilogue = nl ? nl + 1 : end;
        line = nl ? nl + 1 : end;
    }
    const unsigned char *pe = first ? first : end;
    /* The line end before a delimiter belongs to the delimiter (RFC 2046 §5.1.1). */
    if (first && pe > s && pe[-1] == '\n')
        pe -= pe - 1 > s && pe[-2] == '\r' ? 2 : 1;
    int rc = feed(c, s, (size_t)(pe - s));
    if (!rc && epilogue)
        rc = feed(c, epilogue, (size_t)(end - epilogue));
    return rc;
}

/* RFC 5173 §5.2: a message/rfc822 part matched by :content shows the header of the message
 * it holds, as one value (the fields with their line ends, not the empty line). */
static int message_header_value(body_ctx *c, const mailparse_part *p)
{
    const mailparse_message *m = NULL;
    size_t first = 0;
    if (p->nested) {
        m = p->nested;
    } else if (p->child_count) {
        m = c->r->msg;
        first = p->children[0];
    }
    const mailparse_part *root = m ? mailparse_message_part(m, first) : NULL;
    size_t len;
    const unsigned char *raw = m ? mailparse_message_raw(m, &len) : NULL;
    if (!root || !raw || root->offset_header > root->offset_body || root->offset_body > len)
        return 0;
    size_t e = root->offset_body;
    if (has_body(raw, len, e)) { /* drop the empty line */
        e--;
        if (e > root->offset_header && raw[e - 1] == '\r')
            e--;
    }
    return feed(c, raw + root->offset_header, e - root->offset_header);
}

/* Feeds a leaf part's decoded content: the text of a text part in UTF-8, else the bytes. */
static int leaf_content(body_ctx *c, const mailparse_part *p)
{
    if (p->kind == MAILPARSE_PART_TEXT || p->kind == MAILPARSE_PART_HTML)
        return feed(c, p->text, p->text_len);
    return feed(c, p->body, p->body_len);
}

static int is_html(const char *type, const char *subtype)
{
    return (lm_eq_nocase(type, strlen(type), "text") &&
            lm_eq_nocase(subtype, strlen(subtype), "html")) ||
           (lm_eq_nocase(type, strlen(type), "application") &&
            lm_eq_nocase(subtype, strlen(subtype), "xhtml+xml"));
}

/* :text — a text/ * leaf (or XHTML) as plain UTF-8 text; other parts give no value. */
static int leaf_text(body_ctx *c, const mailparse_part *p, const char *type, const char *subtype)
{
    int html = is_html(type, subtype);
    if (!html && !lm_eq_nocase(type, strlen(type), "text"))
        return 0;
    const char *s = p->text;
    size_t n = p->text_len;
    char *conv = NULL, *plain = NULL;
    int rc = 0;
    if (!s && p->body) { /* XHTML is not a text part to the parser: convert it here */
        const char *cs = param_of(p, "charset");
        size_t cn;
        if (mailparse_charset_to_utf8(cs ? cs : "utf-8", p->body, p->body_len, &conv, &cn, NULL,
                                      NULL) == MAILPARSE_E_NOMEM)
            return SIEVE_E_NOMEM;
        s = conv;
        n = conv ? cn : 0;
    }
    if (html) {
        size_t pn;
        int mrc = mailparse_html_to_text(s ? s : "", s ? n : 0, &plain, &pn);
        if (mrc)
            rc = mrc == MAILPARSE_E_NOMEM ? SIEVE_E_NOMEM : 0;
        else
            rc = feed(c, plain, pn);
    } else {
        rc = feed(c, s, n);
    }
    mailparse_free(plain);
    mailparse_free(conv);
    return rc;
}

/* ---- the test ---------------------------------------------------------------------------- */

static int validate_body(sv_vctx *v, const sv_args *a)
{
    return sv_check_matching(v, a, &a->positional[0]);
}

/* body :subject (vnd.stalwart.expressions, as sieve-rs has it): the first Subject field is
 * one more value, before the body's; decoded, or as written under :raw. */
static int subject_value(sv_run *r, void *user, const mailparse_header *h)
{
    (void)r;
    body_ctx *c = user;
    if (!sv_args_tag(c->a, SV_TAG_RAW))
        return feed(c, h->text, h->text ? h->text_len : 0);
    size_t b = 0, n = h->raw_value ? h->raw_value_len : 0;
    while (b < n && lm_is_space((unsigned char)h->raw_value[b]))
        b++;
    return feed(c, h->raw_value ? h->raw_value + b : NULL, n - b);
}

/* Each part in document order (parts nested in message/rfc822 included, RFC 5173 §5.2). */
static int each_part(body_ctx *c, int mode, const sv_str *types, size_t ntypes)
{
    size_t nparts = mailparse_message_part_count(c->r->msg);
    for (size_t i = 0; i < nparts; i++) {
        const mailparse_part *p = mailparse_message_part(c->r->msg, i);
        if (!p)
            continue;
        const char *type, *subtype;
        part_type(c->r->msg, p, &type, &subtype);
        int rc = 0;
        if (mode == BODY_TEXT) {
            if (p->kind != MAILPARSE_PART_MULTIPART && p->kind != MAILPARSE_PART_MESSAGE)
                rc = leaf_text(c, p, type, subtype);
        } else {
            size_t k = 0;
            while (k < ntypes && !type_matches(types[k].s, types[k].len, type, subtype))
                k++;
            if (k == ntypes)
                continue;
            if (p->kind == MAILPARSE_PART_MULTIPART)
                rc = multipart_values(c, p);
            else if (p->kind == MAILPARSE_PART_MESSAGE)
                rc = message_header_value(c, p);
            else
                rc = leaf_content(c, p);
        }
        if (rc)
            return rc;
    }
    return 0;
}

static int run_body(sv_run *r, const sv_args *a)
{
    sv_matching mt;
    int rc = sv_matching_init(r, a, &a->positional[0], &mt);
    if (rc)
        return rc;
    mt.no_captures = 1; /* RFC 5173 §6: the body test sets no match variables */
    body_ctx c = {r, a, &mt, NULL, 0};
    /* :count counts the body's values only, as in sieve-rs */
    if (sv_args_tag(a, SV_TAG_BODY_SUBJECT) && !mt.count_mode &&
        (rc = sv_fields_each(r, "subject", 7, 1, 0, subject_value, &c)))
        return rc < 0 ? rc : sv_matching_end(&mt, rc);
    c.raw = mailparse_message_raw(r->msg, &c.raw_len);
    const mailparse_part *top = mailparse_message_part(r->msg, 0);
    if (!c.raw || !top || !has_body(c.raw, c.raw_len, top->offset_body))
        return sv_matching_end(&mt, 0);
    const sv_value *content = sv_args_tag(a, SV_TAG_CONTENT);
    if (sv_args_tag(a, SV_TAG_RAW)) {
        rc = feed(&c, c.raw + top->offset_body, c.raw_len - top->offset_body);
    } else if (content) {
        sv_str *types = lm_arena_calloc(r->arena, content->count ? content->count : 1,
                                        sizeof *types);
        if (!types)
            return SIEVE_E_NOMEM;
        for (size_t i = 0; i < content->count; i++)
            if ((rc = sv_run_string(r, &content->strs[i], &types[i])))
                return rc;
        rc = each_part(&c, BODY_CONTENT, types, content->count);
    } else {
        rc = each_part(&c, BODY_TEXT, NULL, 0);
    }
    return rc < 0 ? rc : sv_matching_end(&mt, rc);
}

#define MATCH_TAGS SV_TAG_IS, SV_TAG_CONTAINS, SV_TAG_MATCHES, SV_TAG_REGEX, SV_TAG_VALUE, \
                   SV_TAG_COUNT, SV_TAG_LIST, SV_TAG_COMPARATOR

/* :subject is vnd.stalwart.expressions' (the subject matched too, sieve.h) */
static const uint8_t body_tags[] = {MATCH_TAGS, SV_TAG_RAW, SV_TAG_CONTENT, SV_TAG_TEXT,
                                    SV_TAG_BODY_SUBJECT, SV_TAG_COUNT_};

static const sv_cmd_def body_commands[] = {
    {"body", SV_KIND_TEST, SV_CTL_NONE, 1, {SV_T_STRLIST}, body_tags, validate_body, run_body},
};
const sv_ext_def sv_ext_body = {"body", body_commands, 1};
