/* lm_buf.c — growable byte buffer. */
#include "lm_buf.h"

#include "lm_alloc.h"

#include <stdint.h>
#include <string.h>

int lm_buf_reserve(lm_buf *b, size_t extra)
{
    if (b->oom)
        return -1;
    if (extra >= SIZE_MAX - b->len) {
        b->oom = 1;
        return -1;
    }
    size_t need = b->len + extra + 1;
    if (need <= b->cap)
        return 0;
    /* Doubling keeps many small appends amortised; a larger request gets exactly what it asks
     * (a decoder reserving its whole output must not get twice that). */
    size_t cap = b->cap ? (b->cap > SIZE_MAX / 2 ? need : b->cap * 2) : 64;
    if (cap < need)
        cap = need;
    char *d = lm_realloc(b->data, cap);
    if (!d) {
        b->oom = 1;
        return -1;
    }
    b->data = d;
    b->cap = cap;
    b->data[b->len] = '\0';
    return 0;
}

int lm_buf_append_slow(lm_buf *b, const void *p, size_t n)
{
    if (lm_buf_reserve(b, n))
        return -1;
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
    return 0;
}

int lm_buf_putc_slow(lm_buf *b, int c)
{
    if (lm_buf_reserve(b, 1))
        return -1;
    b->data[b->len++] = (char)c;
    b->data[b->len] = '\0';
    return 0;
}

int lm_buf_puts(lm_buf *b, const char *s) { return lm_buf_append(b, s, strlen(s)); }

int lm_buf_put_quoted(lm_buf *b, const char *s)
{
    lm_buf_putc(b, '"');
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            lm_buf_putc(b, '\\');
        lm_buf_putc(b, *s);
    }
    return lm_buf_putc(b, '"');
}

int lm_buf_put_utf8(lm_buf *b, unsigned long cp)
{
    unsigned char u[4];
    size_t n;
    if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        cp = 0xFFFD;
    if (cp < 0x80) {
        u[0] = (unsigned char)cp;
        n = 1;
    } else if (cp < 0x800) {
        u[0] = (unsigned char)(0xC0 | (cp >> 6));
        u[1] = (unsigned char)(0x80 | (cp & 0x3F));
        n = 2;
    } else if (cp < 0x10000) {
        u[0] = (unsigned char)(0xE0 | (cp >> 12));
        u[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        u[2] = (unsigned char)(0x80 | (cp & 0x3F));
        n = 3;
    } else {
        u[0] = (unsigned char)(0xF0 | (cp >> 18));
        u[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
        u[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        u[3] = (unsigned char)(0x80 | (cp & 0x3F));
        n = 4;
    }
    return lm_buf_append(b, u, n);
}

void lm_buf_reset(lm_buf *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
}

void lm_buf_free(lm_buf *b)
{
    lm_free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
    b->oom = 0;
}

char *lm_buf_take(lm_buf *b, size_t *len)
{
    if (b->oom || lm_buf_reserve(b, 0)) {
        lm_buf_free(b);
        return NULL;
    }
    char *d = b->data;
    if (len)
        *len = b->len;
    b->data = NULL;
    b->len = b->cap = 0;
    return d;
}
