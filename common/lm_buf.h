/* lm_buf.h — a growable byte buffer with a sticky out-of-memory flag.
 * After a failed append the buffer keeps its old contents and `oom` is set; later appends do
 * nothing, so a caller can append many times and check once. The data is always kept
 * NUL-terminated (when non-empty capacity exists). */
#ifndef LM_BUF_H
#define LM_BUF_H

#include <stddef.h>
#include <string.h>

typedef struct lm_buf {
    char *data;
    size_t len, cap;
    int oom;
} lm_buf;

#define LM_BUF_INIT {NULL, 0, 0, 0}

int lm_buf_reserve(lm_buf *b, size_t extra); /* room for `extra` more bytes + NUL; 0 or -1 */
int lm_buf_append_slow(lm_buf *b, const void *p, size_t n);
/* Appends `n` bytes; inline while they fit. */
static inline int lm_buf_append(lm_buf *b, const void *p, size_t n)
{
    if (n < b->cap - b->len && !b->oom) {
        memcpy(b->data + b->len, p, n);
        b->len += n;
        b->data[b->len] = '\0';
        return 0;
    }
    return lm_buf_append_slow(b, p, n);
}
int lm_buf_putc_slow(lm_buf *b, int c);
/* One byte; inline while the buffer has room, as it is called per byte in the codecs. */
static inline int lm_buf_putc(lm_buf *b, int c)
{
    if (b->len + 1 < b->cap && !b->oom) {
        b->data[b->len++] = (char)c;
        b->data[b->len] = '\0';
        return 0;
    }
    return lm_buf_putc_slow(b, c);
}
int lm_buf_puts(lm_buf *b, const char *s);
int lm_buf_put_utf8(lm_buf *b, unsigned long cp); /* one code point (invalid ones as U+FFFD) */
/* `s` as a quoted-string (RFC 5322 §3.2.4, the same in RFC 2831 §7.2): in double quotes, each
 * double quote and backslash escaped by a backslash. */
int lm_buf_put_quoted(lm_buf *b, const char *s);
void lm_buf_reset(lm_buf *b);                     /* length 0, memory kept */
void lm_buf_free(lm_buf *b);
/* Hands the bytes to the caller (free with lm_free), NUL-terminated; the buffer becomes empty.
 * Returns NULL when out of memory (also when `oom` is set). */
char *lm_buf_take(lm_buf *b, size_t *len);

#endif
