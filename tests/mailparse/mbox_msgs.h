/* mbox_msgs.h — the messages an mbox reading gave, kept for comparison by unit tests and fuzz harnesses. */
#ifndef MBOX_MSGS_H
#define MBOX_MSGS_H

#include <stdlib.h>
#include <string.h>

#include "mailparse.h"

typedef struct msg {
    char *data, *from;  /* owned copies; data is NUL-terminated */
    size_t len, off;
    int zero_copy;      /* data pointed into the caller's buffer */
} msg;

typedef struct msgs {
    msg *m;
    size_t n;
    int rc;             /* the code that ended the reading (MAILPARSE_E_EOF when all went well) */
    size_t limit_hits;  /* MAILPARSE_E_LIMIT results skipped over */
    size_t limit_off;   /* offset reported with the last one */
} msgs;

/* Appends a copy of one message; -1 (and `r` unchanged) when an allocation fails. */
static inline int msgs_push(msgs *r, const unsigned char *d, size_t len, const char *from, size_t off)
{
    msg *m = realloc(r->m, (r->n + 1) * sizeof *m);
    if (!m)
        return -1;
    r->m = m;
    m = &r->m[r->n];
    m->data = malloc(len + 1);
    m->from = strdup(from);
    if (!m->data || !m->from) {
        free(m->data);
        free(m->from);
        return -1;
    }
    if (len)
        memcpy(m->data, d, len);
    m->data[len] = '\0';
    m->len = len;
    m->off = off;
    m->zero_copy = 0;
    r->n++;
    return 0;
}

/* Frees every message and zeroes `r`. */
static inline void msgs_free(msgs *r)
{
    for (size_t i = 0; i < r->n; i++) {
        free(r->m[i].data);
        free(r->m[i].from);
    }
    free(r->m);
    memset(r, 0, sizeof *r);
}

#endif
