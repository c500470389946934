/* address.c — address lists: mailboxes, groups and display names, RFC 5322 §3.4, the
 * obsolete forms of §4.4 (routes, CFWS anywhere, missing commas), RFC 6532 UTF-8. */
#include "rfc5322_lex.h"

#include <string.h>

/* Where parsed mailboxes and groups go. */
typedef struct {
    lm_arena *a;
    const mp_diag *d;
    size_t *budget;
    lm_buf items;  /* mailparse_address records */
    lm_buf groups; /* const char * group names */
    int group;     /* the open group, or -1 */
} addr_out;

/* A word of a phrase or of a bare addr-spec: its span in the input. */
typedef struct {
    size_t start, end;
    int has_at;
} addr_word;

/* What one comma-separated item holds while it is read. */
typedef struct {
    lm_buf phrase;   /* display words, unquoted, joined by one space */
    lm_buf comments; /* comment texts joined by one space */
    lm_buf words;    /* addr_word records */
    int angle;       /* an angle-addr was seen */
    size_t angle_start, angle_end; /* its content */
    size_t item_start;
} mailbox_acc;

static void acc_free(mailbox_acc *m)
{
    lm_buf_free(&m->phrase);
    lm_buf_free(&m->comments);
    lm_buf_free(&m->words);
}

static void acc_reset(mailbox_acc *m, size_t start)
{
    lm_buf_reset(&m->phrase);
    lm_buf_reset(&m->comments);
    lm_buf_reset(&m->words);
    m->angle = 0;
    m->item_start = start;
}

/* The length of a line end at `pos` followed by WSP (a fold), or 0. */
static size_t fold_len(const char *in, size_t end, size_t pos)
{
    size_t n = 0;
    if (pos < end && in[pos] == '\r')
        n++;
    if (pos + n < end && in[pos + n] == '\n')
        n++;
    return n && pos + n < end && lm_is_wsp((unsigned char)in[pos + n]) ? n : 0;
}

/* Reads the comment at `pos` into `out` (space-separated from what is there): quoted pairs
 * unescaped (also one split by a fold), nested parentheses kept, whitespace runs as one
 * space. Returns the position after it. */
static size_t read_comment(const char *in, size_t end, size_t pos, lm_buf *out, const mp_diag *d)
{
    size_t depth = 0, mark;
    int space = 0;
    if (out->len)
        lm_buf_putc(out, ' ');
    mark = out->len;
    for (; pos < end; pos++) {
        char c = in[pos];
        if (c == '\\' && pos + 1 < end) {
            size_t f = fold_len(in, end, ++pos);
            for (pos += f; f && pos < end && lm_is_wsp((unsigned char)in[pos]); pos++)
                ;
            if (pos >= end)
                break;
            c = in[pos];
        } else if (c == '(') {
            if (depth++ == 0)
                continue;
        } else if (c == ')') {
            if (--depth == 0)
                break;
        } else if (lm_is_space((unsigned char)c)) {
            space = out->len > mark;
            continue;
        }
        if (space)
            lm_buf_putc(out, ' ');
        space = 0;
        lm_buf_putc(out, c);
    }
    if (pos >= end)
        mp_report(d, MAILPARSE_ANOMALY_ADDRESS_INVALID, end);
    if (out->len == mark && mark > 0 && !out->oom) {
        out->len = mark - 1;
        out->data[out->len] = '\0';
    }
    return pos < end ? pos + 1 : end;
}

/* Reads the quoted string at `pos`, appending its unescaped content (line ends of folds
 * dropped, the WSP kept). Returns the position after the closing quote. */
static size_t read_quoted(const char *in, size_t end, size_t pos, lm_buf *out, const mp_diag *d)
{
    for (pos++; pos < end; pos++) {
        char c = in[pos];
        if (c == '"')
            return pos + 1;
        if (c == '\r' || c == '\n')
            continue;
        if (c == '\\' && pos + 1 < end) {
            pos += 1 + fold_len(in, end, pos + 1);
            c = in[pos];
        }
        lm_buf_putc(out, c);
    }
    mp_report(d, MAILPARSE_ANOMALY_ADDRESS_INVALID, end);
    return end;
}

/* The addr-spec text of [s, e): comments and quoted strings skipped or kept as written,
 * folds (line end + WSP) removed, trimmed, an obsolete route ("@a,@b:") stripped. */
static int clean_addr(const char *in, size_t s, size_t e, lm_buf *out)
{
    lm_buf_reset(out);
    for (size_t pos = s; pos < e;) {
        size_t f = fold_len(in, e, pos);
        if (f) {
            for (pos += f; pos < e && lm_is_wsp((unsigned char)in[pos]); pos++)
                ;
        } else if (in[pos] == '(') {
            int closed;
            pos = mp_lex_skip_comment(in, e, pos, &closed);
        } else if (in[pos] == '"') {
            /* a quoted local part as written, less the line ends of folds; a lone quote as is */
            int closed;
            size_t q = mp_lex_skip_quoted(in, e, pos, &closed);
            for (q = closed ? q : pos + 1; pos < q; pos++)
                if (in[pos] != '\r' && in[pos] != '\n')
                    lm_buf_putc(out, in[pos]);
        } else if (in[pos] == '\r' || in[pos] == '\n') {
            pos++;
        } else {
            lm_buf_putc(out, in[pos++]);
        }
    }
    size_t a = 0, b = out->len;
    while (a < b && lm_is_wsp((unsigned char)out->data[a]))
        a++;
    while (b > a && lm_is_wsp((unsigned char)out->data[b - 1]))
        b--;
    if (a < b && out->data[a] == '@') {
        const char *colon = memchr(out->data + a, ':', b - a);
        if (colon)
            a = (size_t)(colon - out->data) + 1;
    }
    if (out->oom)
        return MAILPARSE_E_NOMEM;
    if (!out->data)
        return 0; /* nothing was written */
    memmove(out->data, out->data + a, b - a);
    out->len = b - a;
    out->data[out->len] = '\0';
    return 0;
}

/* RFC 2047-decodes `text` into `out` (appending). Without a decoder the bytes are kept. */
static int decode_words(const char *text, size_t len, lm_buf *out, addr_out *o, size_t at)
{
    mp_diag dd = mp_diag_at(o->d, at);
    size_t keep = out->len;
    int rc = mp_rfc2047_decode(text, len, MP_2047_GLUED, out, &dd, o->budget);
    if (rc == MAILPARSE_E_NOMEM || out->oom)
        return MAILPARSE_E_NOMEM;
    if (rc != 0) {
        out->len = keep;
        lm_buf_append(out, text, len);
    }
    return mp_buf_status(out);
}

/* The display name: the decoded phrase, then the comments in parentheses; or the comments
 * alone. NULL (in *name) when both are empty. */
static int make_name(addr_out *o, const char *phrase, size_t plen, const lm_buf *comments,
                     size_t at, const char **name)
{
    lm_buf b = LM_BUF_INIT;
    int rc = plen ? decode_words(phrase, plen, &b, o, at) : 0;
    if (rc == 0 && comments->len) {
        int both = b.len > 0;
        if (both)
            lm_buf_puts(&b, " (");
        rc = decode_words(comments->data, comments->len, &b, o, at);
        if (both)
            lm_buf_putc(&b, ')');
    }
    *name = NULL;
    if (rc == 0 && b.len && !(*name = mp_lex_dup_utf8(o->a, b.data, b.len, o->d)))
        rc = MAILPARSE_E_NOMEM;
    if (rc == 0)
        rc = mp_buf_status(&b);
    lm_buf_free(&b);
    return rc;
}

static int emit(addr_out *o, const char *name, const char *addr, size_t addr_len)
{
    mailparse_address rec = {name, NULL, o->group};
    if (!name && !addr_len)
        return 0; /* nothing left of the item, e.g. a lone "<" */
    if (addr_len && !(rec.address = mp_lex_dup_utf8(o->a, addr, addr_len, o->d)))
        return MAILPARSE_E_NOMEM;
    lm_buf_append(&o->items, &rec, sizeof rec);
    return mp_buf_status(&o->items);
}

/* A mailbox with an angle-addr; the phrase words before it (or, when none, after it) and the
 * comments make the name. */
static int emit_angle(addr_out *o, const char *in, mailbox_acc *m, size_t phrase_len)
{
    lm_buf addr = LM_BUF_INIT;
    const char *name;
    int rc = clean_addr(in, m->angle_start, m->angle_end, &addr);
    if (rc == 0)
        rc = make_name(o, m->phrase.data, phrase_len, &m->comments, m->item_start, &name);
    if (rc == 0)
        rc = emit(o, name, addr.data, addr.len);
    lm_buf_free(&addr);
    return rc;
}

/* Bare addr-specs: a word with '@' after whitespace starts a new address when the current
 * one already has an '@' (a missing comma, reported). Comments name a single address. */
static int emit_bare(addr_out *o, const char *in, mailbox_acc *m)
{
    const addr_word *w = (const addr_word *)(const void *)m->words.data;
    size_t n = m->words.len / sizeof *w, first = 0;
    int rc = 0, seen_at = 0;
    lm_buf addr = LM_BUF_INIT;
    for (size_t i = 0; i <= n && rc == 0; i++) {
        int split = i == n || (seen_at && w[i].has_at && w[i].start > w[i - 1].end);
        if (!split) {
            seen_at |= w[i].has_at;
            continue;
        }
        if (i < n)
            mp_report(o->d, MAILPARSE_ANOMALY_ADDRESS_INVALID, w[i].start);
        const char *name = NULL;
        rc = clean_addr(in, w[first].start, w[i - 1].end, &addr);
        int has_at = rc == 0 && addr.len && memchr(addr.data, '@', addr.len);
        if (rc == 0 && !has_at)
            mp_report(o->d, MAILPARSE_ANOMALY_ADDRESS_INVALID, w[first].start);
        if (rc == 0 && first == 0 && i == n && !has_at && !m->comments.len) {
            /* "From: Whomever": a lone word without '@' is a name, not an address. */
            rc = make_name(o, addr.data, addr.len, &m->comments, m->item_start, &name);
            lm_buf_reset(&addr);
        } else if (rc == 0 && first == 0 && i == n)
            rc = make_name(o, NULL, 0, &m->comments, m->item_start, &name);
        if (rc == 0)
            rc = emit(o, name, addr.data, addr.len);
        first = i;
        seen_at = i < n && w[i].has_at;
    }
    lm_buf_free(&addr);
    return rc;
}

/* Emits what the item holds: a mailbox, bare addresses, or only a comment (name, no address). */
static int emit_item(addr_out *o, const char *in, mailbox_acc *m)
{
    if (m->angle)
        return emit_angle(o, in, m, m->phrase.len);
    if (m->words.len)
        return emit_bare(o, in, m);
    if (m->comments.len) {
        const char *name;
        int rc = make_name(o, NULL, 0, &m->comments, m->item_start, &name);
        return rc ? rc : emit(o, name, NULL, 0);
    }
    return 0;
}

/* The angle-addr at `pos`: its content span (comments inside go to the name). A second one
 * in the same item means a missing comma: the first mailbox is emitted, and the words after
 * it start the next one. */
static int read_angle(addr_out *o, const char *in, size_t end, size_t *pos, mailbox_acc *m,
                      size_t *phrase_at_angle)
{
    if (m->angle) {
        mp_report(o->d, MAILPARSE_ANOMALY_ADDRESS_INVALID, *pos);
        int rc = emit_angle(o, in, m, *phrase_at_angle);
        size_t tail = m->phrase.len - *phrase_at_angle;
        size_t sep = *phrase_at_angle > 0 && tail > 0; /* the space before the first tail word */
        if (tail)
            memmove(m->phrase.data, m->phrase.data + *phrase_at_angle + sep, tail - sep);
        m->phrase.len = tail - sep;
        if (m->phrase.data)
            m->phrase.data[m->phrase.len] = '\0';
        lm_buf_reset(&m->comments);
        lm_buf_reset(&m->words);
        if (rc)
            return rc;
    }
    size_t p = *pos + 1;
    m->angle = 1;
    m->angle_start = p;
    while (p < end && in[p] != '>') {
        int closed;
        if (in[p] == '(')
            p = read_comment(in, end, p, &m->comments, o->d);
        else if (in[p] == '"')
            p = mp_lex_skip_quoted(in, end, p, &closed);
        else
            p++;
    }
    if (p >= end)
        mp_report(o->d, MAILPARSE_ANOMALY_ADDRESS_INVALID, *pos);
    m->angle_end = p < end ? p : end;
    *pos = p < end ? p + 1 : end;
    *phrase_at_angle = m->phrase.len;
    return 0;
}

/* A character that starts or ends another token. */
static int is_special(char c)
{
    return c == '(' || c == ')' || c == '"' || c == '<' || c == '>';
}

/* An unquoted word: up to whitespace or a character that starts another token. */
static size_t read_word(const char *in, size_t end, size_t pos, mailbox_acc *m)
{
    size_t start = pos;
    while (pos < end && !lm_is_space((unsigned char)in[pos]) && !is_special(in[pos]))
        pos++;
    addr_word w = {start, pos, memchr(in + start, '@', pos - start) != NULL};
    lm_buf_append(&m->words, &w, sizeof w);
    if (m->phrase.len)
        lm_buf_putc(&m->phrase, ' ');
    lm_buf_append(&m->phrase, in + start, pos - start);
    return pos;
}

/* Reads the tokens of one item [s, e) into `m` (emitting early on a missing comma). */
static int scan_item(addr_out *o, const char *in, size_t s, size_t e, mailbox_acc *m)
{
    size_t pos = s, phrase_at_angle = 0;
    int rc = 0, closed;
    acc_reset(m, s);
    while (pos < e && rc == 0) {
        char c = in[pos];
        if (lm_is_space((unsigned char)c)) {
            pos++;
        } else if (c == '(') {
            pos = read_comment(in, e, pos, &m->comments, o->d);
        } else if (c == '"' && (mp_lex_skip_quoted(in, e, pos, &closed), !closed)) {
            mp_report(o->d, MAILPARSE_ANOMALY_ADDRESS_INVALID, pos++); /* a lone quote: dropped */
        } else if (c == '"') {
            addr_word w = {pos, 0, 0};
            if (m->phrase.len)
                lm_buf_putc(&m->phrase, ' ');
            pos = read_quoted(in, e, pos, &m->phrase, o->d);
            w.end = pos;
            lm_buf_append(&m->words, &w, sizeof w);
        } else if (c == '<') {
            rc = read_angle(o, in, e, &pos, m, &phrase_at_angle);
        } else if (c == '>' || c == ')') {
            mp_report(o->d, MAILPARSE_ANOMALY_ADDRESS_INVALID, pos++); /* stray: dropped */
        } else {
            pos = read_word(in, e, pos, m);
        }
    }
    if (rc == 0 && (m->phrase.oom || m->comments.oom || m->words.oom))
        rc = MAILPARSE_E_NOMEM;
    return rc;
}

/* The end of the item starting at `pos`: the next ',', ';' or ':' outside quoted strings,
 * comments, angle brackets and domain literals ("@[IPv6:...]", RFC 5322 §3.4.1). */
static size_t find_delim(const char *in, size_t len, size_t pos)
{
    while (pos < len) {
        char c = in[pos];
        int closed;
        if (c == ',' || c == ';' || c == ':')
            return pos;
        if (c == '"') {
            size_t q = mp_lex_skip_quoted(in, len, pos, &closed);
            pos = closed ? q : pos + 1;
        } else if (c == '(') {
            pos = mp_lex_skip_comment(in, len, pos, &closed);
        } else if (c == '<') { /* to the '>', past quoted local parts: <"a>b"@c> */
            size_t q = pos + 1;
            while (q < len && in[q] != '>') {
                size_t e = in[q] == '"' ? mp_lex_skip_quoted(in, len, q, &closed) : q + 1;
                q = in[q] == '"' && !closed ? q + 1 : e;
            }
            pos = q < len ? q + 1 : pos + 1;
        } else if (c == '[' && pos > 0 && in[pos - 1] == '@') {
            const char *rb = memchr(in + pos, ']', len - pos);
            pos = rb ? (size_t)(rb - in) + 1 : pos + 1;
        } else {
            pos++;
        }
    }
    return len;
}

static int open_group(addr_out *o, const char *in, size_t s, size_t e, mailbox_acc *m)
{
    if (o->group >= 0)
        mp_report(o->d, MAILPARSE_ANOMALY_ADDRESS_INVALID, e);
    int rc = scan_item(o, in, s, e, m);
    const char *name = NULL;
    if (rc == 0)
        rc = make_name(o, m->phrase.data, m->phrase.len, &m->comments, s, &name);
    if (rc)
        return rc;
    o->group = (int)(o->groups.len / sizeof name);
    lm_buf_append(&o->groups, &name, sizeof name);
    return mp_buf_status(&o->groups);
}

static int parse_list(addr_out *o, const char *in, size_t len)
{
    mailbox_acc m = {LM_BUF_INIT, LM_BUF_INIT, LM_BUF_INIT, 0, 0, 0, 0};
    int rc = 0;
    for (size_t pos = 0; pos < len && rc == 0;) {
        size_t end = find_delim(in, len, pos);
        char delim = end < len ? in[end] : 0;
        if (delim == ':') {
            rc = open_group(o, in, pos, end, &m);
        } else {
            rc = scan_item(o, in, pos, end, &m);
            if (rc == 0)
                rc = emit_item(o, in, &m);
            if (delim == ';' && o->group < 0)
                mp_report(o->d, MAILPARSE_ANOMALY_ADDRESS_INVALID, end);
            if (delim == ';')
                o->group = -1;
        }
        pos = end + 1;
    }
    if (rc == 0 && o->group >= 0)
        mp_report(o->d, MAILPARSE_ANOMALY_ADDRESS_INVALID, len);
    acc_free(&m);
    return rc;
}

/* Copies the gathered records into one arena block. */
static int finish(addr_out *o, mailparse_address_list **out)
{
    mailparse_address_list *l = lm_arena_calloc(o->a, 1, sizeof *l);
    size_t n = o->items.len / sizeof(mailparse_address);
    size_t g = o->groups.len / sizeof(const char *);
    mailparse_address *items = l ? lm_arena_calloc(o->a, n + 1, sizeof *items) : NULL;
    const char **groups = items ? lm_arena_calloc(o->a, g + 1, sizeof *groups) : NULL;
    if (!groups)
        return MAILPARSE_E_NOMEM;
    if (n)
        memcpy(items, o->items.data, n * sizeof *items);
    if (g)
        memcpy(groups, o->groups.data, g * sizeof *groups);
    l->count = n;
    l->items = items;
    l->group_count = g;
    l->group_names = groups;
    *out = l;
    return 0;
}

int mp_parse_addresses(lm_arena *a, const char *in, size_t len, const mp_diag *d, size_t *budget,
                       mailparse_address_list **out)
{
    if (!a || !out || (!in && len))
        return MAILPARSE_E_INVAL;
    addr_out o = {a, d, budget, LM_BUF_INIT, LM_BUF_INIT, -1};
    size_t end = in ? mp_lex_field_end(in, len) : 0;
    if (mp_lex_has_more(in, end, len))
        mp_report(d, MAILPARSE_ANOMALY_ADDRESS_INVALID, end);
    len = end;
    int rc = parse_list(&o, in, len);
    if (rc == 0 && (o.items.oom || o.groups.oom))
        rc = MAILPARSE_E_NOMEM;
    if (rc == 0)
        rc = finish(&o, out);
    lm_buf_free(&o.items);
    lm_buf_free(&o.groups);
    return rc;
}
