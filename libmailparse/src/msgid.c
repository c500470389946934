/* msgid.c — msg-id lists (Message-ID, In-Reply-To, References; RFC 5322 §3.6.4, obsolete
 * §4.5.4) and List-* URL lists (RFC 2369 §2). */
#include "rfc5322_lex.h"

#include <string.h>

/* Items are gathered as (pointer) in an lm_buf, then copied into the arena as one array. */
static int push_item(lm_arena *a, lm_buf *items, const char *p, size_t n, const mp_diag *d)
{
    char *s = mp_lex_dup_utf8(a, p, n, d);
    if (!s)
        return MAILPARSE_E_NOMEM;
    lm_buf_append(items, &s, sizeof s);
    return mp_buf_status(items);
}

static int finish_list(lm_arena *a, lm_buf *items, mailparse_string_list **out)
{
    int rc = mp_buf_status(items);
    mailparse_string_list *l = rc ? NULL : lm_arena_calloc(a, 1, sizeof *l);
    size_t count = items->len / sizeof(char *);
    const char **arr = l ? lm_arena_calloc(a, count + 1, sizeof *arr) : NULL;
    if (!arr) {
        lm_buf_free(items);
        return MAILPARSE_E_NOMEM;
    }
    if (count)
        memcpy(arr, items->data, count * sizeof *arr);
    l->count = count;
    l->items = arr;
    lm_buf_free(items);
    *out = l;
    return 0;
}

/* Appends the bytes of [p, p+n) without CR and LF (folding inside an id) and trimmed. */
static int push_unfolded(lm_arena *a, lm_buf *items, const char *p, size_t n, const mp_diag *d)
{
    lm_buf tmp = LM_BUF_INIT;
    for (size_t i = 0; i < n; i++)
        if (p[i] != '\r' && p[i] != '\n')
            lm_buf_putc(&tmp, p[i]);
    size_t s = 0, e = tmp.len;
    while (s < e && lm_is_wsp((unsigned char)tmp.data[s]))
        s++;
    while (e > s && lm_is_wsp((unsigned char)tmp.data[e - 1]))
        e--;
    int rc = mp_buf_status(&tmp);
    if (rc == 0 && e > s)
        rc = push_item(a, items, tmp.data + s, e - s, d);
    lm_buf_free(&tmp);
    return rc;
}

/* One "<...>" item starting at `pos` (the '<'). Returns the position after it. A '<' inside
 * restarts the item; an unterminated one runs to the end (both reported). */
static size_t read_bracketed(const char *in, size_t len, size_t pos, const mp_diag *d,
                             size_t *start, size_t *end)
{
    *start = pos + 1;
    for (size_t i = pos + 1; i < len; i++) {
        if (in[i] == '>') {
            *end = i;
            return i + 1;
        }
        if (in[i] == '<') {
            mp_report(d, MAILPARSE_ANOMALY_MESSAGE_ID_INVALID, i);
            *start = i + 1;
        }
    }
    mp_report(d, MAILPARSE_ANOMALY_MESSAGE_ID_INVALID, pos);
    *end = len;
    return len;
}

static int has_at(const char *p, size_t n)
{
    return memchr(p, '@', n) != NULL;
}

/* Without any '<', each whitespace-separated word is taken as an id (reported). */
static int parse_bare_ids(lm_arena *a, const char *in, size_t len, const mp_diag *d, lm_buf *items)
{
    size_t pos = mp_lex_skip_cfws(in, len, 0, NULL);
    while (pos < len) {
        size_t start = pos;
        while (pos < len && !lm_is_space((unsigned char)in[pos]) && in[pos] != '(' && in[pos] != ',')
            pos++;
        if (pos > start) {
            mp_report(d, MAILPARSE_ANOMALY_MESSAGE_ID_INVALID, start);
            int rc = push_item(a, items, in + start, pos - start, d);
            if (rc)
                return rc;
        }
        if (pos < len && in[pos] == ',')
            pos++;
        pos = mp_lex_skip_cfws(in, len, pos, NULL);
    }
    return 0;
}

int mp_parse_ids(lm_arena *a, const char *in, size_t len, const mp_diag *d, mailparse_string_list **out)
{
    if (!a || (!in && len) || !out)
        return MAILPARSE_E_INVAL;
    lm_buf items = LM_BUF_INIT;
    len = in ? mp_lex_field_end(in, len) : 0;
    int rc = 0;
    int bare = len && !memchr(in, '<', len);
    if (bare)
        rc = parse_bare_ids(a, in, len, d, &items);
    for (size_t pos = 0; rc == 0 && !bare && pos < len;) {
        pos = mp_lex_skip_cfws(in, len, pos, NULL);
        if (pos >= len)
            break;
        if (in[pos] != '<') {
            size_t junk = pos;
            while (pos < len && in[pos] != '<' && in[pos] != '(')
                pos++;
            if (in[junk] != ',')
                mp_report(d, MAILPARSE_ANOMALY_MESSAGE_ID_INVALID, junk);
            continue;
        }
        size_t s, e;
        pos = read_bracketed(in, len, pos, d, &s, &e);
        if (e == s || !has_at(in + s, e - s))
            mp_report(d, MAILPARSE_ANOMALY_MESSAGE_ID_INVALID, s - 1);
        rc = push_unfolded(a, &items, in + s, e - s, d);
    }
    if (rc) {
        lm_buf_free(&items);
        return rc;
    }
    return finish_list(a, &items, out);
}

/* One comma-separated List-* item: the "<url>" in it (whitespace inside removed, RFC 2369
 * §2), or, without brackets, its text outside comments ("NO" in List-Post). */
static int parse_url_item(lm_arena *a, const char *in, size_t len, lm_buf *items)
{
    size_t pos = mp_lex_skip_cfws(in, len, 0, NULL);
    const char *lt = memchr(in + pos, '<', len - pos);
    lm_buf tmp = LM_BUF_INIT;
    if (lt) {
        for (size_t i = (size_t)(lt - in) + 1; i < len && in[i] != '>'; i++)
            if (!lm_is_space((unsigned char)in[i]))
                lm_buf_putc(&tmp, in[i]);
    } else {
        while (pos < len) {
            size_t next = mp_lex_skip_cfws(in, len, pos, NULL);
            if (next != pos) {
                if (tmp.len && next < len)
                    lm_buf_putc(&tmp, ' ');
                pos = next;
                continue;
            }
            lm_buf_putc(&tmp, in[pos++]);
        }
    }
    int rc = mp_buf_status(&tmp);
    if (rc == 0 && tmp.len)
        rc = push_item(a, items, tmp.data, tmp.len, NULL);
    lm_buf_free(&tmp);
    return rc;
}

/* The end of the item starting at `pos`: the next ',' outside comments and brackets. */
static size_t url_item_end(const char *in, size_t len, size_t pos)
{
    int in_angle = 0;
    while (pos < len) {
        char c = in[pos];
        if (c == '(' && !in_angle) {
            int closed;
            pos = mp_lex_skip_comment(in, len, pos, &closed);
            continue;
        }
        if (c == '<')
            in_angle = 1;
        else if (c == '>')
            in_angle = 0;
        else if (c == ',' && !in_angle)
            break;
        pos++;
    }
    return pos;
}

int mp_parse_urls(lm_arena *a, const char *in, size_t len, mailparse_string_list **out)
{
    if (!a || (!in && len) || !out)
        return MAILPARSE_E_INVAL;
    lm_buf items = LM_BUF_INIT;
    len = in ? mp_lex_field_end(in, len) : 0;
    int rc = 0;
    for (size_t pos = 0; rc == 0 && pos < len;) {
        size_t end = url_item_end(in, len, pos);
        rc = parse_url_item(a, in + pos, end - pos, &items);
        pos = end + 1;
    }
    if (rc) {
        lm_buf_free(&items);
        return rc;
    }
    return finish_list(a, &items, out);
}
