/* message.c — message structure: header blocks, MIME boundaries, nested messages and limits.
 * One line-driven state machine serves both mailparse_parse() and the incremental parser, so
 * the two always agree. RFC 5322 §2.2, §3.5; RFC 2045 §5-6; RFC 2046 §5.1-5.2; RFC 6532. */
#include "message.h"

#include <string.h>

/* ---- anomalies --------------------------------------------------------------------------- */

void mp_anomalies_record(void *user, mailparse_anomaly_kind kind, size_t offset)
{
    mp_anomalies *a = user;
    /* The same repair seen twice (a header decoded as text and as its typed value) counts once. */
    for (size_t i = a->count, seen = 0; i-- > 0 && seen < 4; seen++)
        if (a->kinds[i] == kind && a->offsets[i] == offset)
            return;
    a->total++;
    if (a->count < MP_MAX_STORED_ANOMALIES) {
        if (a->count == a->cap) {
            size_t cap = a->cap ? a->cap * 2 : 16;
            mailparse_anomaly_kind *k = lm_realloc(a->kinds, cap * sizeof *k);
            if (k)
                a->kinds = k;
            size_t *o = k ? lm_realloc(a->offsets, cap * sizeof *o) : NULL;
            if (o)
                a->offsets = o;
            if (k && o)
                a->cap = cap;
        }
        if (a->count < a->cap) {
            a->kinds[a->count] = kind;
            a->offsets[a->count] = offset;
            a->count++;
        }
    }
    if (a->user_fn)
        a->user_fn(a->user, kind, offset);
}

void mp_anomalies_free(mp_anomalies *a)
{
    lm_free(a->kinds);
    lm_free(a->offsets);
    a->kinds = NULL;
    a->offsets = NULL;
    a->count = a->cap = 0;
}

/* ---- the parser state -------------------------------------------------------------------- */

/* An open multipart (boundary set) or nested message (boundary NULL). */
struct container {
    size_t part;
    const char *boundary;
    size_t blen;
    int closed; /* the close delimiter was seen: the rest is epilogue */
};

enum mode { MODE_HEADERS, MODE_BODY };

struct mailparse_parser {
    mailparse_message *m;
    lm_buf copy;                  /* the input, when the parser copies it */
    const unsigned char *data;    /* the input seen so far */
    size_t len;
    size_t pos;                   /* start of the first line not processed yet */
    int finished, failed;
    int top_headers_done;

    enum mode mode;
    size_t cur;                   /* the part lines currently belong to */
    int have_field;
    size_t field_start, field_value;
    size_t part_fields;           /* fields stored for `cur` */
    int part_reported_long;       /* LINE_TOO_LONG reported for `cur` */
    int part_reported_limit;      /* HEADER_LIMIT reported for `cur` */
    size_t last_eol;              /* length of the previous line's line end (0, 1 or 2) */

    struct container *stack;
    size_t depth, stack_cap;
    int frozen;                   /* max_parts reached: no more structure */
    int seen_crlf, seen_lf, reported_mixed;
};

static const mailparse_content_type default_text_plain = {"text", "plain", 0, NULL};
static const mailparse_content_type default_message_rfc822 = {"message", "rfc822", 0, NULL};

static void report(struct mailparse_parser *p, mailparse_anomaly_kind kind, size_t off)
{
    mp_anomalies_record(&p->m->anomalies, kind, off);
}

static mp_diag parser_diag(struct mailparse_parser *p, size_t base)
{
    return mp_message_diag(p->m, base);
}

/* ---- parts and fields -------------------------------------------------------------------- */

/* Appends a part; returns its id, or (size_t)-1 past max_parts (reported) or out of memory. */
static size_t new_part(struct mailparse_parser *p, long parent, size_t offset_header)
{
    mailparse_message *m = p->m;
    if (m->part_count >= m->opts.max_parts) {
        if (!p->frozen)
            report(p, MAILPARSE_ANOMALY_PART_LIMIT, offset_header);
        p->frozen = 1;
        return (size_t)-1;
    }
    if ((m->part_count & (m->part_count - 1)) == 0) { /* grow at powers of two */
        size_t cap = m->part_count ? m->part_count * 2 : 4;
        mailparse_part *np = lm_realloc(m->parts, cap * sizeof *np);
        if (!np) {
            p->failed = MAILPARSE_E_NOMEM;
            return (size_t)-1;
        }
        m->parts = np;
    }
    size_t id = m->part_count++;
    mailparse_part *pt = &m->parts[id];
    memset(pt, 0, sizeof *pt);
    pt->id = id;
    pt->parent = parent;
    pt->offset_header = pt->offset_body = pt->offset_end = offset_header;
    pt->header_first = m->header_count;
    p->cur = id;
    p->mode = MODE_HEADERS;
    p->have_field = 0;
    p->part_fields = 0;
    p->part_reported_long = 0;
    p->part_reported_limit = 0;
    return id;
}

static int valid_name_char(unsigned char c) { return c > 32 && c < 127 && c != ':'; }

/* Checks a field's bytes for NUL, bare CR and 8-bit data, reporting each kind once. */
/* Non-zero when one of the 8 bytes is a control byte (< 0x20) or 8-bit (>= 0x80). */
static int word_has_special(const unsigned char *s)
{
    uint64_t w;
    memcpy(&w, s, 8);
    const uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u;
    return ((w | ((w - ones * 0x20) & ~w)) & highs) != 0;
}

static void scan_field_bytes(struct mailparse_parser *p, size_t from, size_t to)
{
    int nul = 0, high = 0, cr = 0;
    for (size_t i = from; i < to; i++) {
        if (i + 8 <= to && !word_has_special(p->data + i)) {
            i += 7; /* eight plain bytes at once */
            continue;
        }
        unsigned char c = p->data[i];
        if (c >= 0x20 && c < 0x80)
            continue;
        if (c >= 0x80 && !high) {
            high = 1;
            report(p, MAILPARSE_ANOMALY_HEADER_8BIT, i);
        } else if (c == 0 && !nul) {
            nul = 1;
            report(p, MAILPARSE_ANOMALY_NUL_BYTE, i);
        } else if (c == '\r' && !cr && i + 1 < to && p->data[i + 1] != '\n') {
            cr = 1;
            report(p, MAILPARSE_ANOMALY_BARE_CR, i);
        }
    }
}

/* Length of the line end that finishes at `end` (the byte before `end` is '\n'), or 0. */
static size_t eol_len_before(const unsigned char *d, size_t start, size_t end)
{
    if (end > start && d[end - 1] == '\n')
        return (end - 1 > start && d[end - 2] == '\r') ? 2 : 1;
    return 0;
}

/* Stores the field that started at p->field_start and ends where the line at `end` begins. */
static void finish_field(struct mailparse_parser *p, size_t end)
{
    if (!p->have_field)
        return;
    p->have_field = 0;
    mailparse_message *m = p->m;
    if (p->part_fields >= m->opts.max_header_count) {
        if (!p->part_reported_limit)
            report(p, MAILPARSE_ANOMALY_HEADER_LIMIT, p->field_start);
        p->part_reported_limit = 1;
        return;
    }
    size_t value_end = end - eol_len_before(p->data, p->field_value, end);
    if (value_end - p->field_start > m->opts.max_header_size) {
        report(p, MAILPARSE_ANOMALY_HEADER_TOO_LONG, p->field_start);
        size_t cap = p->field_start + m->opts.max_header_size;
        value_end = cap > p->field_value ? cap : p->field_value;
    }
    scan_field_bytes(p, p->field_start, value_end);
    if ((m->header_count & (m->header_count - 1)) == 0) {
        size_t cap = m->header_count ? m->header_count * 2 : 16;
        mailparse_header *nh = lm_realloc(m->headers, cap * sizeof *nh);
        if (!nh) {
            p->failed = MAILPARSE_E_NOMEM;
            return;
        }
        m->headers = nh;
    }
    mailparse_header *h = &m->headers[m->header_count++];
    memset(h, 0, sizeof *h);
    size_t name_end = p->field_value - 1; /* the colon */
    while (name_end > p->field_start && lm_is_wsp(p->data[name_end - 1]))
        name_end--;
    h->name_len = name_end - p->field_start;
    h->offset_field = p->field_start;
    h->offset_value = p->field_value;
    h->offset_end = end;
    h->raw_value_len = value_end - p->field_value;
    p->part_fields++;
    m->parts[p->cur].header_count = p->part_fields;
}

/* Is [s, e) a field line "name:"? Returns the colon's offset or 0. A name may be followed by
 * whitespace before the colon (obsolete syntax, reported). */
static size_t field_colon(struct mailparse_parser *p, size_t s, size_t e)
{
    size_t i = s;
    while (i < e && valid_name_char(p->data[i]))
        i++;
    if (i == s || i >= e)
        return 0;
    if (p->data[i] == ':')
        return i;
    size_t j = i;
    while (j < e && lm_is_wsp(p->data[j]))
        j++;
    if (j < e && p->data[j] == ':') {
        report(p, MAILPARSE_ANOMALY_HEADER_SPACE_BEFORE_COLON, i);
        return j;
    }
    return 0;
}

/* ---- the decisions taken when a header block ends ----------------------------------------- */

/* The field `name` of part `part` during the parse (names are not copied yet). When it appears
 * more than once the last one wins, as in GMime and mail-parser, and the repeat is reported. */
static const mailparse_header *find_field(struct mailparse_parser *p, size_t part, const char *name)
{
    mailparse_message *m = p->m;
    const mailparse_part *pt = &m->parts[part];
    size_t n = strlen(name);
    const mailparse_header *found = NULL;
    for (size_t i = 0; i < pt->header_count; i++) {
        const mailparse_header *h = &m->headers[pt->header_first + i];
        if (h->name_len == n && lm_strncasecmp((const char *)p->data + h->offset_field, name, n) == 0) {
            if (found)
                report(p, MAILPARSE_ANOMALY_HEADER_DUPLICATE, h->offset_field);
            found = h;
        }
    }
    return found;
}

static mailparse_encoding parse_encoding(struct mailparse_parser *p, const mailparse_header *h)
{
    if (!h)
        return MAILPARSE_ENC_7BIT;
    const char *s = (const char *)p->data + h->offset_value;
    size_t n = h->raw_value_len;
    while (n && lm_is_space((unsigned char)*s)) {
        s++;
        n--;
    }
    size_t t = 0;
    while (t < n && !lm_is_space((unsigned char)s[t]) && s[t] != ';' && s[t] != '(')
        t++;
    static const struct {
        const char *name;
        mailparse_encoding enc;
    } names[] = {
        {"7bit", MAILPARSE_ENC_7BIT}, {"8bit", MAILPARSE_ENC_8BIT}, {"binary", MAILPARSE_ENC_BINARY},
        {"base64", MAILPARSE_ENC_BASE64}, {"quoted-printable", MAILPARSE_ENC_QUOTED_PRINTABLE},
        {"x-uuencode", MAILPARSE_ENC_UUENCODE}, {"uuencode", MAILPARSE_ENC_UUENCODE},
        {"x-uue", MAILPARSE_ENC_UUENCODE}, {"8-bit", MAILPARSE_ENC_8BIT}, {"7-bit", MAILPARSE_ENC_7BIT},
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (lm_eq_nocase(s, t, names[i].name))
            return names[i].enc;
    if (t == 0)
        return MAILPARSE_ENC_7BIT;
    report(p, MAILPARSE_ANOMALY_ENCODING_UNKNOWN, h->offset_value);
    return MAILPARSE_ENC_UNKNOWN;
}

/* Parses a Content-Type or Content-Disposition field and keeps the value on the header, so the
 * typed-value pass at the end does not parse it again. */
static const mailparse_content_type *parse_ct_field(struct mailparse_parser *p, const mailparse_header *h,
                                                    int disposition)
{
    mailparse_message *m = p->m;
    mailparse_content_type *ct = NULL;
    mp_diag d = parser_diag(p, h->offset_value);
    int rc = mp_parse_content_type(m->arena, (const char *)p->data + h->offset_value, h->raw_value_len,
                                   disposition, &d, &m->encoded_word_budget, &ct);
    mailparse_header *mh = &m->headers[h - m->headers];
    if (rc == MAILPARSE_E_NOMEM)
        p->failed = rc;
    if (rc == MAILPARSE_E_SYNTAX && !disposition) {
        /* "Content-Type: binary; name=x": RFC 2045 §5.2 says text/plain, but keep the parameters. */
        report(p, MAILPARSE_ANOMALY_CONTENT_TYPE_INVALID, h->offset_value);
        rc = mp_parse_content_type(m->arena, (const char *)p->data + h->offset_value, h->raw_value_len, 1,
                                   NULL, &m->encoded_word_budget, &ct);
        if (rc == 0 && ct && ct->param_count) {
            ct->type = "text";
            ct->subtype = "plain";
            return ct; /* used for the part, not stored as the header's typed value */
        }
        return NULL;
    }
    if (rc != 0 || !ct)
        return NULL;
    mh->content_type = ct;
    return ct;
}

static int parent_is_digest(struct mailparse_parser *p, size_t part)
{
    long parent = p->m->parts[part].parent;
    if (parent < 0)
        return 0;
    const mailparse_content_type *ct = p->m->parts[parent].content_type;
    return ct && ct->subtype && strcmp(ct->type, "multipart") == 0 && strcmp(ct->subtype, "digest") == 0;
}

static int push_container(struct mailparse_parser *p, size_t part, const char *boundary, size_t blen)
{
    if (p->depth == p->stack_cap) {
        size_t cap = p->stack_cap ? p->stack_cap * 2 : 8;
        struct container *ns = lm_realloc(p->stack, cap * sizeof *ns);
        if (!ns) {
            p->failed = MAILPARSE_E_NOMEM;
            return -1;
        }
        p->stack = ns;
        p->stack_cap = cap;
    }
    struct container *c = &p->stack[p->depth++];
    c->part = part;
    c->boundary = boundary;
    c->blen = blen;
    c->closed = 0;
    return 0;
}

/* The header block of p->cur ended; the body starts at `body`. Decides the part's kind and
 * what the lines after it are. */
static void headers_end(struct mailparse_parser *p, size_t body)
{
    mailparse_message *m = p->m;
    size_t id = p->cur;
    mailparse_part *pt = &m->parts[id];
    pt->offset_body = pt->offset_end = body;
    pt->header_count = p->part_fields;
    p->mode = MODE_BODY;
    if (id == 0)
        p->top_headers_done = 1;

    const mailparse_header *cth = find_field(p, id, "content-type");
    const mailparse_header *cdh = find_field(p, id, "content-disposition");
    const mailparse_header *cte = find_field(p, id, "content-transfer-encoding");
    const mailparse_content_type *ct = cth ? parse_ct_field(p, cth, 0) : NULL;
    if (cdh)
        pt->disposition = parse_ct_field(p, cdh, 1);
    if (!ct) {
        ct = parent_is_digest(p, id) ? &default_message_rfc822 : &default_text_plain;
        pt->flags |= MAILPARSE_PART_DEFAULT_TYPE;
    }
    pt->content_type = ct;
    pt->encoding = parse_encoding(p, cte);
    int identity = pt->encoding == MAILPARSE_ENC_7BIT || pt->encoding == MAILPARSE_ENC_8BIT ||
                   pt->encoding == MAILPARSE_ENC_BINARY;

    if (strcmp(ct->type, "multipart") == 0) {
        const char *b = mp_param(ct, "boundary");
        if (!b || !*b) {
            report(p, MAILPARSE_ANOMALY_BOUNDARY_MISSING, cth ? cth->offset_value : body);
            pt->kind = MAILPARSE_PART_TEXT;
            return;
        }
        if (!identity)
            report(p, MAILPARSE_ANOMALY_ENCODING_ON_COMPOSITE, cte->offset_value);
        if (p->depth >= m->opts.max_depth || p->frozen) {
            if (!p->frozen)
                report(p, MAILPARSE_ANOMALY_DEPTH_LIMIT, body);
            pt->kind = MAILPARSE_PART_BINARY;
            return;
        }
        pt->kind = MAILPARSE_PART_MULTIPART;
        pt->encoding = MAILPARSE_ENC_7BIT;
        push_container(p, id, b, strlen(b));
        return;
    }
    int is_message = strcmp(ct->type, "message") == 0 && ct->subtype &&
                     (strcmp(ct->subtype, "rfc822") == 0 || strcmp(ct->subtype, "global") == 0);
    if (is_message && !identity && pt->encoding != MAILPARSE_ENC_UNKNOWN) {
        /* Encoded (RFC 6532 §3.5 allows it for message/global): the body is decoded and parsed
         * as a message of its own when the parse ends (message_body.c). */
        pt->kind = p->depth >= m->opts.max_depth ? MAILPARSE_PART_BINARY : MAILPARSE_PART_MESSAGE;
        return;
    }
    if (is_message && identity) {
        if (p->depth >= m->opts.max_depth || p->frozen) {
            if (!p->frozen)
                report(p, MAILPARSE_ANOMALY_DEPTH_LIMIT, body);
            pt->kind = MAILPARSE_PART_BINARY;
            return;
        }
        pt->kind = MAILPARSE_PART_MESSAGE;
        if (push_container(p, id, NULL, 0) == 0 && new_part(p, (long)id, body) == (size_t)-1) {
            p->depth--; /* no room for the nested message: keep it opaque */
            p->cur = id;
            p->mode = MODE_BODY;
            m->parts[id].kind = MAILPARSE_PART_BINARY;
        }
        return;
    }
    if (strcmp(ct->type, "text") == 0)
        pt->kind = ct->subtype && strcmp(ct->subtype, "html") == 0 ? MAILPARSE_PART_HTML : MAILPARSE_PART_TEXT;
    else
        pt->kind = MAILPARSE_PART_BINARY;
}

/* ---- boundaries ---------------------------------------------------------------------------- */

/* If the line [s, ce) is a delimiter of an open multipart, returns its stack index + 1 and
 * sets *close for a close delimiter; else 0. The innermost match wins; only whitespace may
 * follow the boundary (RFC 2046 §5.1.1). */
static size_t match_boundary(const struct mailparse_parser *p, size_t s, size_t ce, int *close)
{
    const unsigned char *d = p->data;
    if (ce - s < 2 || d[s] != '-' || d[s + 1] != '-')
        return 0;
    for (size_t k = p->depth; k-- > 0;) {
        const struct container *c = &p->stack[k];
        /* A closed multipart is in its epilogue: only enclosing boundaries end it. */
        if (!c->boundary || c->closed || ce - s - 2 < c->blen || memcmp(d + s + 2, c->boundary, c->blen) != 0)
            continue;
        size_t i = s + 2 + c->blen;
        int is_close = 0;
        if (ce - i >= 2 && d[i] == '-' && d[i + 1] == '-') {
            is_close = 1;
            i += 2;
        }
        while (i < ce && lm_is_space(d[i]))
            i++;
        if (i == ce) {
            *close = is_close;
            return k + 1;
        }
    }
    return 0;
}

/* Ends part `id` at the line end before the delimiter line that starts at `line`. */
static void end_part_before(struct mailparse_parser *p, size_t id, size_t line)
{
    mailparse_part *pt = &p->m->parts[id];
    size_t end = line >= p->last_eol ? line - p->last_eol : line;
    if (pt->offset_body > line)
        pt->offset_body = line;
    pt->offset_end = end > pt->offset_body ? end : pt->offset_body;
}

/* A delimiter of container `k` (stack index) was found on the line [s, e). */
static void on_boundary(struct mailparse_parser *p, size_t k, int close, size_t s, size_t e)
{
    mailparse_message *m = p->m;
    /* A header block cut by the delimiter. Ending it may open a container (an empty multipart,
     * or a nested message whose own header block is empty): those close below like any inner
     * container. Each round pushes a container, so max_depth bounds the loop. */
    while (p->mode == MODE_HEADERS && !p->failed) {
        finish_field(p, s);
        headers_end(p, s);
    }
    if (p->failed)
        return;
    if (p->cur != p->stack[p->depth - 1].part)
        end_part_before(p, p->cur, s);
    for (size_t j = k + 1; j < p->depth; j++)
        if (p->stack[j].boundary && !p->stack[j].closed) {
            report(p, MAILPARSE_ANOMALY_BOUNDARY_OUTER, s);
            break;
        }
    while (p->depth > k + 1) {
        struct container *c = &p->stack[--p->depth];
        end_part_before(p, c->part, s);
        if (c->boundary && !c->closed) {
            int has_children = c->part + 1 < m->part_count;
            report(p, has_children ? MAILPARSE_ANOMALY_FINAL_BOUNDARY_MISSING : MAILPARSE_ANOMALY_BOUNDARY_NOT_FOUND, s);
            if (!has_children)
                m->parts[c->part].kind = MAILPARSE_PART_TEXT;
        }
    }
    struct container *c = &p->stack[k];
    p->cur = c->part;
    p->mode = MODE_BODY;
    if (close) {
        c->closed = 1;
        return;
    }
    if (new_part(p, (long)c->part, e) == (size_t)-1) {
        p->cur = c->part;
        p->mode = MODE_BODY;
    }
}

/* ---- lines --------------------------------------------------------------------------------- */

/* Returns 1 when the line was not a header line and must be looked at again as body (it may be
 * the first delimiter of the multipart the header block just declared). */
static int header_line(struct mailparse_parser *p, size_t s, size_t ce, size_t e)
{
    const unsigned char *d = p->data;
    if (ce == s) { /* the empty line */
        finish_field(p, s);
        headers_end(p, e);
        return 0;
    }
    if (lm_is_wsp(d[s])) {
        if (p->have_field)
            return 0; /* a continuation line */
        report(p, MAILPARSE_ANOMALY_HEADER_NO_COLON, s);
        return 0;
    }
    size_t colon = field_colon(p, s, ce);
    if (colon) {
        finish_field(p, s);
        p->have_field = 1;
        p->field_start = s;
        p->field_value = colon + 1;
        return 0;
    }
    if (p->cur == 0 && s == 0 && ce - s >= 5 && memcmp(d, "From ", 5) == 0) {
        report(p, MAILPARSE_ANOMALY_MBOX_FROM_LINE, s);
        p->m->parts[0].offset_header = e;
        p->m->parts[0].header_first = p->m->header_count;
        return 0;
    }
    /* Not a field: the header block ends without its empty line and this line is body. */
    report(p, MAILPARSE_ANOMALY_HEADER_NO_COLON, s);
    finish_field(p, s);
    headers_end(p, s);
    return 1;
}

static void body_line(struct mailparse_parser *p, size_t s, size_t ce)
{
    if (ce - s > 998 && !p->part_reported_long) {
        p->part_reported_long = 1;
        report(p, MAILPARSE_ANOMALY_LINE_TOO_LONG, s);
    }
}

/* Processes one line [s, e); ce is where its content ends (before CRLF or LF). */
static void process_line(struct mailparse_parser *p, size_t s, size_t ce, size_t e)
{
    if (e - ce == 2)
        p->seen_crlf = 1;
    else if (e - ce == 1)
        p->seen_lf = 1;
    if (p->seen_crlf && p->seen_lf && !p->reported_mixed) {
        p->reported_mixed = 1;
        report(p, MAILPARSE_ANOMALY_MIXED_LINE_ENDINGS, s);
    }
    /* A line that ended a header block without its empty line is looked at once more: it may
     * be the first delimiter of the multipart that header block declared. */
    for (int again = 1; again;) {
        again = 0;
        if (!p->frozen && p->depth) {
            int close = 0;
            size_t k = match_boundary(p, s, ce, &close);
            if (k) {
                on_boundary(p, k - 1, close, s, e);
                break;
            }
        }
        if (p->mode == MODE_HEADERS)
            again = header_line(p, s, ce, e) && !p->failed;
        else
            body_line(p, s, ce);
    }
    p->last_eol = e - ce;
}

/* Runs every complete line; with `final` also the last, unterminated one. */
static void run_lines(struct mailparse_parser *p, int final)
{
    const unsigned char *d = p->data;
    while (p->pos < p->len && !p->failed) {
        size_t s = p->pos;
        const unsigned char *nl = memchr(d + s, '\n', p->len - s);
        size_t e, ce;
        if (nl) {
            e = (size_t)(nl - d) + 1;
            ce = e - 1;
            if (ce > s && d[ce - 1] == '\r')
                ce--;
        } else {
            if (!final)
                return;
            e = ce = p->len;
        }
        /* A header line (or a possible field being continued) is only complete once the next
         * line's first byte is known; body lines never need that. */
        process_line(p, s, ce, e);
        p->pos = e;
    }
}

/* End of input: every open part and container ends at the end of the data. */
static void close_all(struct mailparse_parser *p)
{
    mailparse_message *m = p->m;
    size_t end = p->len;
    if (p->mode == MODE_HEADERS && m->parts[p->cur].parent >= 0 && m->parts[p->cur].offset_header < end)
        report(p, MAILPARSE_ANOMALY_HEADERS_UNTERMINATED, end);
    while (p->mode == MODE_HEADERS && !p->failed) { /* bounded by max_depth, as in on_boundary */
        finish_field(p, end);
        headers_end(p, end);
    }
    if (p->failed)
        return;
    if (m->parts[p->cur].offset_end < end)
        m->parts[p->cur].offset_end = end;
    for (size_t j = 0; j < p->depth; j++)
        if (p->stack[j].boundary && !p->stack[j].closed && p->cur != p->stack[j].part) {
            m->parts[p->cur].flags |= MAILPARSE_PART_TRUNCATED; /* its multipart never closed */
            break;
        }
    while (p->depth > 0) {
        struct container *c = &p->stack[--p->depth];
        m->parts[c->part].offset_end = end;
        if (c->boundary && !c->closed) {
            int has_children = c->part + 1 < m->part_count;
            report(p, has_children ? MAILPARSE_ANOMALY_FINAL_BOUNDARY_MISSING : MAILPARSE_ANOMALY_BOUNDARY_NOT_FOUND, end);
            if (!has_children)
                m->parts[c->part].kind = MAILPARSE_PART_TEXT;
        }
    }
    if (p->frozen)
        m->parts[m->part_count - 1].flags |= MAILPARSE_PART_TRUNCATED;
}

/* ---- typed header values -------------------------------------------------------------------- */

#define FIELD(name, kind) {name, sizeof name - 1, MAILPARSE_VALUE_##kind}
static const struct {
    const char *name;
    size_t len;
    mailparse_value_kind kind;
} field_kinds[] = {
    FIELD("from", ADDRESSES), FIELD("to", ADDRESSES),
    FIELD("cc", ADDRESSES), FIELD("bcc", ADDRESSES),
    FIELD("sender", ADDRESSES), FIELD("reply-to", ADDRESSES),
    FIELD("resent-from", ADDRESSES), FIELD("resent-sender", ADDRESSES),
    FIELD("resent-to", ADDRESSES), FIELD("resent-cc", ADDRESSES),
    FIELD("resent-bcc", ADDRESSES), FIELD("return-path", ADDRESSES),
    FIELD("disposition-notification-to", ADDRESSES),
    FIELD("mail-followup-to", ADDRESSES), FIELD("mail-reply-to", ADDRESSES),
    FIELD("date", DATE), FIELD("resent-date", DATE),
    FIELD("message-id", IDS), FIELD("in-reply-to", IDS),
    FIELD("references", IDS), FIELD("resent-message-id", IDS),
    FIELD("content-id", IDS),
    FIELD("content-type", CONTENT_TYPE), FIELD("content-disposition", CONTENT_TYPE),
    FIELD("received", RECEIVED),
    FIELD("list-archive", URLS), FIELD("list-help", URLS),
    FIELD("list-owner", URLS), FIELD("list-post", URLS),
    FIELD("list-subscribe", URLS), FIELD("list-unsubscribe", URLS),
    FIELD("keywords", TEXT_LIST), FIELD("content-language", TEXT_LIST),
};

#undef FIELD

static mailparse_value_kind kind_of(const char *name, size_t len)
{
    for (size_t i = 0; i < sizeof field_kinds / sizeof field_kinds[0]; i++)
        if (field_kinds[i].len == len && lm_strncasecmp(name, field_kinds[i].name, len) == 0)
            return field_kinds[i].kind;
    return MAILPARSE_VALUE_TEXT;
}

static const mailparse_string_list empty_list = {0, NULL};
static const mailparse_address_list empty_addresses = {0, NULL, 0, NULL};

/* Most values are ASCII on one line with no "=?": their decoded text is the value without its
 * leading blanks (what the decoder would produce), so it points into the copy of the raw
 * value. Returns 1 then. */
static int plain_text(mailparse_header *h)
{
    const char *v = h->raw_value;
    size_t n = h->raw_value_len, lead = 0;
    while (lead < n && lm_is_wsp((unsigned char)v[lead]))
        lead++;
    if (lead < n && lm_is_wsp((unsigned char)v[n - 1]))
        return 0; /* trailing blanks: the decoder trims them */
    for (size_t i = lead; i < n; i++) {
        if (i + 8 <= n && !word_has_special((const unsigned char *)v + i)) {
            i += 7; /* eight bytes with no control or 8-bit byte */
            continue;
        }
        unsigned char c = (unsigned char)v[i];
        if (c == '\r' || c == '\n' || c == 0 || c >= 0x80)
            return 0; /* folding, NUL or 8-bit: the decoder's job */
    }
    for (const char *q = v + lead; (q = memchr(q, '=', n - (size_t)(q - v))) != NULL; q++)
        if ((size_t)(q - v) + 1 < n && q[1] == '?')
            return 0;
    h->text = v + lead;
    h->text_len = n - lead;
    return 1;
}

/* Fills the pointers, the decoded text and the typed value of one header. */
static int type_header(mailparse_message *m, mailparse_header *h)
{
    lm_arena *a = m->arena;
    h->name = lm_arena_strndup(a, (const char *)m->raw + h->offset_field, h->name_len);
    h->raw_value = lm_arena_strndup(a, (const char *)m->raw + h->offset_value, h->raw_value_len);
    if (!h->name || !h->raw_value)
        return MAILPARSE_E_NOMEM;
    mp_diag d = mp_message_diag(m, h->offset_value);
    size_t *budget = &m->encoded_word_budget;
    h->kind = kind_of(h->name, h->name_len);
    /* The text view of a structured field is a convenience: its own parser below reports what
     * it repairs, and RFC 2047 rules for unstructured text do not apply to it (no encoded
     * words in an addr-spec or a msg-id, quoted parameter values, ...). */
    mp_diag silent = {0, 0, 0};
    const mp_diag *text_diag = h->kind == MAILPARSE_VALUE_TEXT ? &d : &silent;
    int rc = plain_text(h) ? 0 : mp_parse_unstructured(a, h->raw_value, h->raw_value_len, text_diag,
                                                         budget, &h->text, &h->text_len);
    if (rc == MAILPARSE_E_NOMEM)
        return rc;
    if (rc != 0 || !h->text) {
        h->text = "";
        h->text_len = 0;
    }
    switch (h->kind) {
    case MAILPARSE_VALUE_ADDRESSES: {
        mailparse_address_list *al = NULL;
        rc = mp_parse_addresses(a, h->raw_value, h->raw_value_len, &d, budget, &al);
        h->addresses = al ? al : &empty_addresses;
        break;
    }
    case MAILPARSE_VALUE_DATE: {
        mailparse_date *dt = lm_arena_alloc(a, sizeof *dt);
        if (!dt)
            return MAILPARSE_E_NOMEM;
        rc = mp_parse_date(h->raw_value, h->raw_value_len, dt, &d);
        if (rc == 0)
            h->date = dt;
        else
            mp_report(&d, MAILPARSE_ANOMALY_DATE_INVALID, 0);
        rc = 0;
        break;
    }
    case MAILPARSE_VALUE_IDS: {
        mailparse_string_list *l = NULL;
        rc = mp_parse_ids(a, h->raw_value, h->raw_value_len, &d, &l);
        h->list = l ? l : &empty_list;
        break;
    }
    case MAILPARSE_VALUE_URLS: {
        mailparse_string_list *l = NULL;
        rc = mp_parse_urls(a, h->raw_value, h->raw_value_len, &l);
        h->list = l ? l : &empty_list;
        break;
    }
    case MAILPARSE_VALUE_TEXT_LIST: {
        mailparse_string_list *l = NULL;
        rc = mp_parse_text_list(a, h->raw_value, h->raw_value_len, &d, budget, &l);
        h->list = l ? l : &empty_list;
        break;
    }
    case MAILPARSE_VALUE_CONTENT_TYPE:
        if (!h->content_type) { /* a duplicate field, not parsed while structuring */
            mailparse_content_type *ct = NULL;
            int disp = lm_eq_nocase(h->name, h->name_len, "content-disposition");
            rc = mp_parse_content_type(a, h->raw_value, h->raw_value_len, disp, &d, budget, &ct);
            h->content_type = ct;
        }
        break;
    case MAILPARSE_VALUE_RECEIVED: {
        mailparse_received *r = NULL;
        rc = mp_parse_received(a, h->raw_value, h->raw_value_len, &r);
        h->received = r;
        break;
    }
    case MAILPARSE_VALUE_TEXT:
        break;
    }
    return rc == MAILPARSE_E_NOMEM ? rc : 0;
}

static const mailparse_header *header_in(const mailparse_message *m, size_t part, const char *name, long nth);

/* Per-part fields taken from the headers: filename, Content-ID, description, location, language. */
static void describe_part(mailparse_message *m, mailparse_part *pt)
{
    const char *fn = pt->disposition ? mp_param(pt->disposition, "filename") : NULL;
    if (!fn || !*fn)
        fn = mp_param(pt->content_type, "name");
    pt->filename = fn && *fn ? fn : NULL;
    const char *cs = mp_param(pt->content_type, "charset");
    if (cs && *cs && (pt->kind == MAILPARSE_PART_TEXT || pt->kind == MAILPARSE_PART_HTML)) {
        char *lower = lm_arena_strndup(m->arena, cs, strlen(cs));
        if (lower)
            lm_lower(lower, strlen(lower));
        pt->charset = lower ? lower : cs;
    }
    const mailparse_header *h = header_in(m, pt->id, "content-id", 0);
    if (h && h->list && h->list->count)
        pt->content_id = h->list->items[0];
    h = header_in(m, pt->id, "content-description", 0);
    if (h && h->text_len)
        pt->description = h->text;
    h = header_in(m, pt->id, "content-location", 0);
    if (h && h->text_len)
        pt->location = h->text;
    h = header_in(m, pt->id, "content-language", 0);
    pt->language = h && h->list ? h->list : &empty_list;
}

/* The children arrays, built once all parts are known. */
static int link_children(mailparse_message *m)
{
    size_t *counts = lm_calloc(m->part_count, sizeof *counts);
    if (!counts)
        return MAILPARSE_E_NOMEM;
    for (size_t i = 1; i < m->part_count; i++)
        counts[m->parts[i].parent]++;
    int rc = 0;
    for (size_t i = 0; i < m->part_count; i++) {
        size_t *ch = counts[i] ? lm_arena_alloc(m->arena, counts[i] * sizeof *ch) : NULL;
        if (counts[i] && !ch) {
            rc = MAILPARSE_E_NOMEM;
            break;
        }
        m->parts[i].children = ch;
        m->parts[i].child_count = 0;
    }
    for (size_t i = 1; rc == 0 && i < m->part_count; i++) {
        mailparse_part *parent = &m->parts[m->parts[i].parent];
        ((size_t *)parent->children)[parent->child_count++] = i;
    }
    lm_free(counts);
    return rc;
}

static int build_message(mailparse_message *m)
{
    int rc = link_children(m);
    for (size_t i = 0; rc == 0 && i < m->header_count; i++)
        rc = type_header(m, &m->headers[i]);
    for (size_t i = 0; rc == 0 && i < m->part_count; i++)
        describe_part(m, &m->parts[i]);
    if (rc == 0)
        rc = mp_message_finish_bodies(m);
    return rc;
}

/* ---- public: parser lifecycle ---------------------------------------------------------------- */

static void fill_defaults(mailparse_options *o, const mailparse_options *given)
{
    memset(o, 0, sizeof *o);
    if (given) {
        size_t n = given->struct_size && given->struct_size < sizeof *o ? given->struct_size : sizeof *o;
        memcpy(o, given, n);
    }
    o->struct_size = sizeof *o;
    if (!o->max_message_size)
        o->max_message_size = MAILPARSE_DEFAULT_MAX_MESSAGE_SIZE;
    if (!o->max_header_count)
        o->max_header_count = MAILPARSE_DEFAULT_MAX_HEADER_COUNT;
    if (!o->max_header_size)
        o->max_header_size = MAILPARSE_DEFAULT_MAX_HEADER_SIZE;
    if (!o->max_depth)
        o->max_depth = MAILPARSE_DEFAULT_MAX_DEPTH;
    if (!o->max_parts)
        o->max_parts = MAILPARSE_DEFAULT_MAX_PARTS;
    if (!o->max_encoded_words)
        o->max_encoded_words = MAILPARSE_DEFAULT_MAX_ENCODED_WORDS;
}

void mailparse_message_free(mailparse_message *m)
{
    if (!m)
        return;
    lm_arena_free(m->arena);
    for (size_t i = 0; i < m->blob_count; i++)
        lm_free(m->blobs[i]);
    lm_free(m->blobs);
    for (size_t i = 0; i < m->part_count; i++)
        mailparse_message_free((mailparse_message *)m->parts[i].nested);
    lm_free(m->owned_raw);
    lm_free(m->parts);
    lm_free(m->headers);
    mp_anomalies_free(&m->anomalies);
    lm_free(m);
}

int mailparse_parser_new(const mailparse_options *opts, mailparse_parser **out)
{
    if (!out)
        return MAILPARSE_E_INVAL;
    *out = NULL;
    struct mailparse_parser *p = lm_calloc(1, sizeof *p);
    mailparse_message *m = lm_calloc(1, sizeof *m);
    lm_arena *a = lm_arena_new(8192);
    if (!p || !m || !a) {
        lm_free(p);
        lm_free(m);
        lm_arena_free(a);
        return MAILPARSE_E_NOMEM;
    }
    fill_defaults(&m->opts, opts);
    m->arena = a;
    m->anomalies.user_fn = m->opts.anomaly;
    m->anomalies.user = m->opts.anomaly_user;
    m->encoded_word_budget = m->opts.max_encoded_words;
    p->m = m;
    if (new_part(p, -1, 0) != 0) {
        mailparse_message_free(m);
        lm_free(p);
        return MAILPARSE_E_NOMEM;
    }
    *out = p;
    return 0;
}

int mailparse_parser_feed(mailparse_parser *p, const unsigned char *data, size_t len)
{
    if (!p || (!data && len))
        return MAILPARSE_E_INVAL;
    if (p->finished)
        return MAILPARSE_E_STATE;
    if (p->failed)
        return p->failed;
    if (len > p->m->opts.max_message_size - p->copy.len) {
        p->failed = MAILPARSE_E_LIMIT;
        return p->failed;
    }
    if (lm_buf_append(&p->copy, data, len)) {
        p->failed = MAILPARSE_E_NOMEM;
        return p->failed;
    }
    p->data = (const unsigned char *)p->copy.data;
    p->len = p->copy.len;
    run_lines(p, 0);
    return p->failed;
}

int mailparse_parser_headers_done(const mailparse_parser *p) { return p && p->top_headers_done; }

/* Runs the last line and builds the message from `data` (the parser's copy or the caller's). */
static int finish(mailparse_parser *p, mailparse_message **out)
{
    run_lines(p, 1);
    if (!p->failed)
        close_all(p);
    if (p->failed)
        return p->failed;
    mailparse_message *m = p->m;
    m->raw = p->data;
    m->raw_len = p->len;
    int rc = build_message(m);
    if (rc != 0)
        return rc;
    p->m = NULL;
    *out = m;
    return 0;
}

int mailparse_parser_finish(mailparse_parser *p, mailparse_message **out)
{
    if (!p || !out)
        return MAILPARSE_E_INVAL;
    *out = NULL;
    if (p->finished)
        return MAILPARSE_E_STATE;
    p->finished = 1;
    if (p->failed)
        return p->failed;
    if (!p->copy.data && lm_buf_reserve(&p->copy, 0))
        return MAILPARSE_E_NOMEM;
    p->data = (const unsigned char *)p->copy.data;
    p->len = p->copy.len;
    int rc = finish(p, out);
    if (rc == 0) {
        (*out)->owned_raw = (unsigned char *)p->copy.data;
        p->copy.data = NULL;
        p->copy.len = p->copy.cap = 0;
    }
    return rc;
}

void mailparse_parser_free(mailparse_parser *p)
{
    if (!p)
        return;
    mailparse_message_free(p->m);
    lm_buf_free(&p->copy);
    lm_free(p->stack);
    lm_free(p);
}

int mailparse_parse(const unsigned char *data, size_t len, const mailparse_options *opts,
                    mailparse_message **out)
{
    if (!out || (!data && len))
        return MAILPARSE_E_INVAL;
    *out = NULL;
    mailparse_parser *p = NULL;
    int rc = mailparse_parser_new(opts, &p);
    if (rc)
        return rc;
    if (len > p->m->opts.max_message_size) {
        mailparse_parser_free(p);
        return MAILPARSE_E_LIMIT;
    }
    unsigned char *copy = NULL;
    if (!(p->m->opts.flags & MAILPARSE_F_ZERO_COPY)) {
        copy = lm_malloc(len + 1);
        if (!copy) {
            mailparse_parser_free(p);
            return MAILPARSE_E_NOMEM;
        }
        if (len)
            memcpy(copy, data, len);
        copy[len] = 0;
        data = copy;
    }
    static const unsigned char empty[1] = {0};
    p->data = data ? data : empty;
    p->len = len;
    p->finished = 1;
    rc = finish(p, out);
    if (rc == 0)
        (*out)->owned_raw = copy;
    else
        lm_free(copy);
    mailparse_parser_free(p);
    return rc;
}

/* ---- public: accessors ----------------------------------------------------------------------- */

const unsigned char *mailparse_message_raw(const mailparse_message *m, size_t *len)
{
    if (!m)
        return NULL;
    if (len)
        *len = m->raw_len;
    return m->raw;
}

size_t mailparse_message_anomaly_count(const mailparse_message *m) { return m ? m->anomalies.count : 0; }

int mailparse_message_anomaly_at(const mailparse_message *m, size_t i, mailparse_anomaly_kind *kind,
                                 size_t *offset)
{
    if (!m || i >= m->anomalies.count)
        return MAILPARSE_E_INVAL;
    if (kind)
        *kind = m->anomalies.kinds[i];
    if (offset)
        *offset = m->anomalies.offsets[i];
    return 0;
}

size_t mailparse_message_part_count(const mailparse_message *m) { return m ? m->part_count : 0; }

const mailparse_part *mailparse_message_part(const mailparse_message *m, size_t i)
{
    return m && i < m->part_count ? &m->parts[i] : NULL;
}

size_t mailparse_message_header_count(const mailparse_message *m) { return m ? m->header_count : 0; }

const mailparse_header *mailparse_message_header_at(const mailparse_message *m, size_t i)
{
    return m && i < m->header_count ? &m->headers[i] : NULL;
}

static const mailparse_header *header_in(const mailparse_message *m, size_t part, const char *name, long nth)
{
    const mailparse_part *pt = &m->parts[part];
    size_t n = strlen(name);
    long seen = 0;
    if (nth >= 0) {
        for (size_t i = 0; i < pt->header_count; i++) {
            const mailparse_header *h = &m->headers[pt->header_first + i];
            if (h->name_len == n && lm_strncasecmp(h->name, name, n) == 0 && seen++ == nth)
                return h;
        }
    } else {
        for (size_t i = pt->header_count; i-- > 0;) {
            const mailparse_header *h = &m->headers[pt->header_first + i];
            if (h->name_len == n && lm_strncasecmp(h->name, name, n) == 0 && --seen == nth)
                return h;
        }
    }
    return NULL;
}

const mailparse_header *mailparse_part_header(const mailparse_message *m, size_t part, const char *name,
                                              long nth)
{
    if (!m || !name || part >= m->part_count)
        return NULL;
    return header_in(m, part, name, nth);
}

const char *mailparse_message_subject(const mailparse_message *m)
{
    const mailparse_header *h = mailparse_part_header(m, 0, "subject", 0);
    return h ? h->text : NULL;
}

const mailparse_address_list *mailparse_message_addresses(const mailparse_message *m, const char *field)
{
    const mailparse_header *h = mailparse_part_header(m, 0, field, 0);
    return h ? h->addresses : NULL;
}

const mailparse_date *mailparse_message_date(const mailparse_message *m)
{
    const mailparse_header *h = mailparse_part_header(m, 0, "date", 0);
    return h ? h->date : NULL;
}

const char *mailparse_message_id(const mailparse_message *m)
{
    const mailparse_header *h = mailparse_part_header(m, 0, "message-id", 0);
    return h && h->list && h->list->count ? h->list->items[0] : NULL;
}
