/* fuzz_mbox.c — libFuzzer harness for the mbox reader: buffer vs file mode, limits, mboxrd round trip.
 * Input: byte 0 = format (mod 3) and limit choice, byte 1 = file block size, the rest = the mbox. */
#include "mailparse.h"
#include "mp_internal.h"
#include "../mailparse/mbox_msgs.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c)                 \
    do {                         \
        if (!(c))                \
            __builtin_trap();    \
    } while (0)

static void drain(mailparse_mbox *mb, msgs *r)
{
    memset(r, 0, sizeof *r);
    for (;;) {
        const unsigned char *d;
        size_t len, off;
        const char *from;
        int rc = mailparse_mbox_next(mb, &d, &len, &from, &off);
        if (rc == MAILPARSE_E_LIMIT) {
            r->limit_hits++;
            continue;
        }
        if (rc) {
            r->rc = rc;
            break;
        }
        if (msgs_push(r, d, len, from, off)) {
            r->rc = MAILPARSE_E_NOMEM;
            break;
        }
    }
    mailparse_mbox_free(mb);
}

static const char *temp_path(void)
{
    static char path[64];
    if (!path[0]) {
        snprintf(path, sizeof path, "/tmp/fuzz-mbox-%ld", (long)getpid());
    }
    return path;
}

static void read_file(const uint8_t *data, size_t size, int format, size_t max, size_t block, msgs *r)
{
    memset(r, 0, sizeof *r);
    FILE *f = fopen(temp_path(), "wb");
    if (!f)
        return;
    size_t w = fwrite(data, 1, size, f);
    fclose(f);
    mailparse_mbox *mb;
    if (w != size || mailparse_mbox_open_file(temp_path(), format, &mb) != 0)
        return;
    CHECK(mp_mbox_tune(mb, max, block) == 0);
    drain(mb, r);
    unlink(temp_path());
}

static int same_msg(const msg *a, const msg *b)
{
    return a->len == b->len && a->off == b->off && memcmp(a->data, b->data, a->len) == 0 &&
           strcmp(a->from, b->from) == 0;
}

/* What every reading must satisfy. */
static void check_shape(const msgs *r, const uint8_t *data, size_t size, int format)
{
    for (size_t i = 0; i < r->n; i++) {
        const msg *m = &r->m[i];
        CHECK(m->len <= size);
        CHECK(m->off < size || (size == 0 && m->off == 0));
        CHECK(i == 0 || m->off > r->m[i - 1].off);
        CHECK(strncmp(m->from, "From ", 5) == 0 || (i == 0 && m->from[0] == '\0'));
        CHECK(m->off + strlen(m->from) <= size);
        if (m->from[0])
            CHECK(memcmp(data + m->off, m->from, strlen(m->from)) == 0);
        if (format == MAILPARSE_MBOX_CL && m->from[0])
            CHECK(m->len <= size - m->off);
    }
}

/* Adds one '>' to every ">*From " line, the mboxrd way. */
static size_t quote(const unsigned char *in, size_t len, unsigned char *out)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        if (i == 0 || in[i - 1] == '\n') {
            size_t q = i;
            while (q < len && in[q] == '>')
                q++;
            if (len - q >= 5 && memcmp(in + q, "From ", 5) == 0)
                out[n++] = '>';
        }
        out[n++] = in[i];
    }
    return n;
}

/* Writes the messages back as an mboxrd and reads them again: the bytes must come back. */
static void check_round_trip(const msgs *r)
{
    size_t total = 0;
    for (size_t i = 0; i < r->n; i++) {
        if (i + 1 < r->n && r->m[i].len && r->m[i].data[r->m[i].len - 1] == '\r')
            return; /* a CR before the separator's LF is taken by the separator */
        total += 2 * r->m[i].len + 16;
    }
    unsigned char *buf = malloc(total + 1);
    if (!buf)
        return;
    size_t n = 0;
    for (size_t i = 0; i < r->n; i++) {
        memcpy(buf + n, "From x\n", 7);
        n += 7;
        n += quote((const unsigned char *)r->m[i].data, r->m[i].len, buf + n);
        if (i + 1 < r->n)
            buf[n++] = '\n';
    }
    mailparse_mbox *mb;
    CHECK(mailparse_mbox_open_buffer(buf, n, MAILPARSE_MBOX_RD, &mb) == 0);
    msgs back;
    drain(mb, &back);
    if (back.rc == MAILPARSE_E_EOF) {
        CHECK(back.n == r->n);
        for (size_t i = 0; i < r->n; i++)
            CHECK(back.m[i].len == r->m[i].len && memcmp(back.m[i].data, r->m[i].data, r->m[i].len) == 0);
    }
    msgs_free(&back);
    free(buf);
}

/* With a small limit, what is read is the buffer reading minus the skipped messages. */
static void check_limited(const msgs *full, const msgs *lim, size_t max)
{
    size_t j = 0;
    for (size_t i = 0; i < lim->n; i++) {
        CHECK(lim->m[i].len <= max);
        while (j < full->n && full->m[j].off < lim->m[i].off)
            j++;
        CHECK(j < full->n && same_msg(&full->m[j], &lim->m[i]));
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    int format = data[0] % 3;
    size_t max = (size_t)(data[0] >> 2) * 4 + 1;
    size_t block = (size_t)data[1] % 64 + 1;
    data += 2;
    size -= 2;

    mailparse_mbox *mb;
    CHECK(mailparse_mbox_open_buffer(size ? data : NULL, size, format, &mb) == 0);
    msgs full;
    drain(mb, &full);
    if (full.rc != MAILPARSE_E_EOF) {
        msgs_free(&full);
        return 0;
    }
    CHECK(full.limit_hits == 0);
    check_shape(&full, data, size, format);
    if (format == MAILPARSE_MBOX_RD)
        check_round_trip(&full);

    msgs file;
    read_file(data, size, format, 0, block, &file);
    if (file.rc == MAILPARSE_E_EOF) {
        CHECK(file.n == full.n && file.limit_hits == 0);
        for (size_t i = 0; i < full.n; i++)
            CHECK(same_msg(&full.m[i], &file.m[i]));
    }
    msgs_free(&file);

    if (format != MAILPARSE_MBOX_CL) {
        read_file(data, size, format, max, block, &file);
        if (file.rc == MAILPARSE_E_EOF)
            check_limited(&full, &file, max);
        msgs_free(&file);
    }
    msgs_free(&full);
    return 0;
}
