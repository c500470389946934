/* edit_apply.c — editheader's edits (RFC 5293 §§4-5) written into a message's text, as a
 * delivery stores it: sieve_result_apply_edits(). The message is split into its header fields
 * (each with its continuation lines and line end) and its body; the edits add and remove whole
 * fields in turn; the body is copied as it is. */
#include "engine.h"

#include "lm_alloc.h"
#include "lm_ascii.h"
#include "lm_buf.h"

#include <string.h>

/* A field of the header being edited: its text with its line end, in the message or (an
 * added one) in `own`. */
typedef struct field {
    const char *text;
    size_t len;
    char *own;
} field;

typedef struct header {
    field *f;
    size_t n, cap;
} header;

static int header_insert(header *h, size_t at, const char *text, size_t len, char *own)
{
    if (h->n == h->cap) {
        size_t cap = h->cap ? h->cap * 2 : 16;
        field *f = lm_realloc(h->f, cap * sizeof *f);
        if (!f)
            return SIEVE_E_NOMEM;
        h->f = f;
        h->cap = cap;
    }
    memmove(h->f + at + 1, h->f + at, (h->n - at) * sizeof *h->f);
    h->f[at] = (field){text, len, own};
    h->n++;
    return 0;
}

static void header_free(header *h)
{
    for (size_t i = 0; i < h->n; i++)
        lm_free(h->f[i].own);
    lm_free(h->f);
}

/* The fields of `text` up to the empty line (or the end); returns where the body starts. */
static int header_split(const char *text, size_t len, header *h, size_t *body)
{
    size_t at = 0;
    while (at < len && text[at] != '\r' && text[at] != '\n') {
        size_t end = at;
        do { /* a field with its continuation lines */
            const char *nl = memchr(text + end, '\n', len - end);
            end = nl ? (size_t)(nl - text) + 1 : len;
        } while (end < len && (text[end] == ' ' || text[end] == '\t'));
        if (header_insert(h, h->n, text + at, end - at, NULL))
            return SIEVE_E_NOMEM;
        at = end;
    }
    *body = at;
    return 0;
}

/* 1 when field `f` is named `name` (case ignored). */
static int field_named(const field *f, const char *name)
{
    size_t n = strlen(name);
    return f->len > n && !lm_strncasecmp(f->text, name, n) &&
           (f->text[n] == ':' || f->text[n] == ' ' || f->text[n] == '\t');
}

static int add_field(header *h, const char *name, const char *value, int last)
{
    lm_buf b = LM_BUF_INIT;
    lm_buf_puts(&b, name);
    lm_buf_puts(&b, ": ");
    lm_buf_puts(&b, value);
    lm_buf_puts(&b, "\r\n");
    size_t len;
    char *own = lm_buf_take(&b, &len);
    if (!own || header_insert(h, last ? h->n : 0, own, len, own)) {
        lm_free(own);
        return SIEVE_E_NOMEM;
    }
    return 0;
}

/* Removes the index-th field named `name` (1 = the topmost), when there is one. */
static void delete_field(header *h, const char *name, size_t index)
{
    for (size_t k = 0, seen = 0; k < h->n; k++)
        if (field_named(&h->f[k], name) && ++seen == index) {
            lm_free(h->f[k].own);
            memmove(h->f + k, h->f + k + 1, (h->n - k - 1) * sizeof *h->f);
            h->n--;
            return;
        }
}

int sieve_result_apply_edits(const sieve_result *r, size_t first, size_t end, const void *msg,
                             size_t len, unsigned char **out, size_t *out_len)
{
    if (!out || (!msg && len))
        return SIEVE_E_INVAL;
    *out = NULL;
    if (out_len)
        *out_len = 0;
    if (first > end || end > sieve_result_edit_count(r))
        return SIEVE_E_INVAL;
    const char *text = msg ? msg : "";
    header h = {0};
    size_t body;
    int rc = header_split(text, len, &h, &body);
    for (size_t i = first; !rc && i < end; i++) {
        int kind, last;
        const char *name, *value;
        size_t index;
        if (sieve_result_edit_at(r, i, &kind, &name, &value, &index, &last))
            continue;
        if (kind == SIEVE_EDIT_ADD)
            rc = add_field(&h, name, value, last);
        else
            delete_field(&h, name, index);
    }
    lm_buf b = LM_BUF_INIT;
    for (size_t k = 0; !rc && k < h.n; k++)
        lm_buf_append(&b, h.f[k].text, h.f[k].len);
    if (!rc)
        lm_buf_append(&b, text + body, len - body);
    header_free(&h);
    size_t n = 0;
    char *s = rc ? NULL : lm_buf_take(&b, &n);
    if (!s) {
        lm_buf_free(&b);
        return rc ? rc : SIEVE_E_NOMEM;
    }
    *out = (unsigned char *)s;
    if (out_len)
        *out_len = n;
    return 0;
}
