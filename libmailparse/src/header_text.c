/* header_text.c — unstructured field bodies (RFC 5322 §3.2.5 unstructured, §2.2.3 unfolding,
 * RFC 2047 §5(1)) and comma-separated phrase lists (Keywords §3.6.5, Content-Language). */
#include "mp_internal.h"

#include <string.h>

/* Narrows [*s, *e) past leading and trailing whitespace (line ends included). */
static void trim(const char *in, size_t *s, size_t *e)
{
    while (*s < *e && lm_is_space((unsigned char)in[*s]))
        (*s)++;
    while (*e > *s && lm_is_space((unsigned char)in[*e - 1]))
        (*e)--;
}

/* Decodes in[s, e) trimmed into `b` (reset first). */
static int decode_trimmed(const char *in, size_t s, size_t e, unsigned flags, const mp_diag *d,
                          size_t *budget, lm_buf *b)
{
    trim(in, &s, &e);
    lm_buf_reset(b);
    mp_diag at = mp_diag_at(d, s);
    return mp_rfc2047_decode(in + s, e - s, flags, b, &at, budget);
}

int mp_parse_unstructured(lm_arena *a, const char *in, size_t len, const mp_diag *d, size_t *budget,
                          const char **out, size_t *out_len)
{
    if (!a || (!in && len) || !out)
        return MAILPARSE_E_INVAL;
    lm_buf b = LM_BUF_INIT;
    int rc = decode_trimmed(in ? in : "", 0, len, 0, d, budget, &b);
    char *s = NULL;
    if (!rc) {
        s = lm_arena_strndup(a, b.data ? b.data : "", b.len);
        if (!s)
            rc = MAILPARSE_E_NOMEM;
    }
    if (!rc) {
        *out = s;
        if (out_len)
            *out_len = b.len;
    }
    lm_buf_free(&b);
    return rc;
}

/* The end of the list item starting at `i`: the next ',' outside quoted strings and comments. */
static size_t item_end(const char *in, size_t i, size_t len)
{
    int quoted = 0;
    size_t depth = 0;
    for (; i < len; i++) {
        char c = in[i];
        if (c == '\\' && (quoted || depth)) {
            i++;
        } else if (c == '"' && !depth) {
            quoted = !quoted;
        } else if (!quoted && c == '(') {
            depth++;
        } else if (!quoted && c == ')' && depth) {
            depth--;
        } else if (!quoted && !depth && c == ',') {
            return i;
        }
    }
    return len;
}

/* Appends one item (a copy in the arena) to the growing array in `items`. */
static int add_item(lm_arena *a, lm_buf *items, const lm_buf *text)
{
    const char *s = lm_arena_strndup(a, text->data ? text->data : "", text->len);
    if (!s)
        return MAILPARSE_E_NOMEM;
    return lm_buf_append(items, &s, sizeof s) ? MAILPARSE_E_NOMEM : 0;
}

int mp_parse_text_list(lm_arena *a, const char *in, size_t len, const mp_diag *d, size_t *budget,
                       mailparse_string_list **out)
{
    if (!a || (!in && len) || !out)
        return MAILPARSE_E_INVAL;
    in = in ? in : "";
    lm_buf items = LM_BUF_INIT, text = LM_BUF_INIT;
    int rc = 0;
    for (size_t i = 0; i <= len && !rc;) {
        size_t e = item_end(in, i, len);
        rc = decode_trimmed(in, i, e, MAILPARSE_2047_PHRASE, d, budget, &text);
        size_t s = 0, te = text.len;
        trim(text.data ? text.data : "", &s, &te);
        if (!rc && te > s) {
            memmove(text.data, text.data + s, te - s);
            text.len = te - s;
            rc = add_item(a, &items, &text);
        }
        i = e + 1;
    }
    mailparse_string_list *l = rc ? NULL : lm_arena_calloc(a, 1, sizeof *l);
    size_t n = items.len / sizeof(const char *);
    const char **arr = rc ? NULL : lm_arena_calloc(a, n ? n : 1, sizeof *arr);
    if (!rc && (!l || !arr))
        rc = MAILPARSE_E_NOMEM;
    if (!rc) {
        if (n)
            memcpy(arr, items.data, n * sizeof *arr);
        l->count = n;
        l->items = arr;
        *out = l;
    }
    lm_buf_free(&items);
    lm_buf_free(&text);
    return rc;
}
