/* mbox.c — mbox reader: "From " separated messages (RFC 4155), mboxrd/mboxo unquoting, mboxcl2 Content-Length. */
#include "mp_internal.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

/* Limits and conventions of this reader:
 *  - A message starts after a line beginning "From " (at the start of the input or after LF).
 *    The line end (LF or CRLF) just before that line belongs to the separator and is not part
 *    of the message before it; the last message keeps its final line end.
 *  - A UTF-8 byte order mark before the first line is skipped. Bytes before the first "From "
 *    line are a message of their own (offset 0, empty envelope line) unless they are only
 *    whitespace.
 *  - File mode reads MP_MBOX_BLOCK bytes at a time and holds only the current message. A message
 *    (the bytes after its "From " line) or an envelope line longer than MP_MBOX_MAX_MESSAGE makes
 *    mailparse_mbox_next() return MAILPARSE_E_LIMIT with `offset` set to that entry; the next call
 *    continues with the following message. Buffer mode has no cap: the caller holds the bytes.
 *  - Content-Length (MAILPARSE_MBOX_CL) is honoured only when the body it delimits ends exactly
 *    at the line end before the next "From " line, at the start of that line, or at the end of
 *    the input; otherwise the separator scan decides. */
#define MP_MBOX_BLOCK ((size_t)64 * 1024)
#define MP_MBOX_MAX_MESSAGE MAILPARSE_DEFAULT_MAX_MESSAGE_SIZE
#define MP_MBOX_LOOKAHEAD 8 /* bytes past a message end needed to see "\r\nFrom " */

#define MP_MORE_END 1 /* more(): nothing left to read */

/* Test and tuning hook (see the file comment); 0 keeps a default. Proposed for mp_internal.h. */

struct mailparse_mbox {
    int format;                /* MAILPARSE_MBOX_* */
    const unsigned char *win;  /* visible bytes: the caller's buffer, or file bytes in `fbuf` */
    size_t win_len;
    size_t win_base;           /* mbox offset of win[0] */
    size_t pos;                /* start of the next entry in `win` */
    int at_eof;                /* nothing exists past win_len */
    int started;               /* the byte order mark and a missing first From line were handled */
    int skipping;              /* the last entry was over the limit: skip it before the next */
    int io_error;              /* sticky: a read failed */
    FILE *fp;                  /* file mode only */
    lm_buf fbuf;
    size_t block, max_message;
    lm_buf from;               /* the current envelope line */
    lm_buf out;                /* the current message when unquoting changed it */
};

/* Where one entry lies, relative to the entry start (mb->pos). */
typedef struct mbox_entry {
    size_t from_end;           /* end of the envelope line text (0 without one) */
    size_t msg, end;           /* the message bytes */
    size_t next;               /* start of the following entry */
} mbox_entry;

static const unsigned char *cur(const mailparse_mbox *mb) { return mb->win + mb->pos; }
static size_t avail(const mailparse_mbox *mb) { return mb->win_len - mb->pos; }

/* Index of the first LF in [i, n) of the current entry, or n. */
static size_t find_lf(const mailparse_mbox *mb, size_t i, size_t n)
{
    if (i >= n)
        return n;
    const unsigned char *p = memchr(cur(mb) + i, '\n', n - i);
    return p ? (size_t)(p - cur(mb)) : n;
}

static int starts_from(const mailparse_mbox *mb, size_t i)
{
    return avail(mb) >= i + 5 && memcmp(cur(mb) + i, "From ", 5) == 0;
}

/* Reads the next block of the file behind the held bytes, first dropping the bytes before the
 * current entry. `counted` (relative to the entry) is where the size limit starts counting.
 * Returns 0, MP_MORE_END when nothing is left, or MAILPARSE_E_LIMIT / _IO / _NOMEM. */
static int more(mailparse_mbox *mb, size_t counted)
{
    if (mb->at_eof)
        return MP_MORE_END;
    if (avail(mb) > counted && avail(mb) - counted > mb->max_message + MP_MBOX_LOOKAHEAD)
        return MAILPARSE_E_LIMIT;
    if (mb->pos > 0) {
        memmove(mb->fbuf.data, mb->fbuf.data + mb->pos, mb->fbuf.len - mb->pos);
        mb->fbuf.len -= mb->pos;
        mb->win_base += mb->pos;
        mb->pos = 0;
    }
    if (lm_buf_reserve(&mb->fbuf, mb->block))
        return MAILPARSE_E_NOMEM;
    size_t n = fread(mb->fbuf.data + mb->fbuf.len, 1, mb->block, mb->fp);
    mb->fbuf.len += n;
    mb->win = (const unsigned char *)mb->fbuf.data;
    mb->win_len = mb->fbuf.len;
    if (n > 0)
        return 0;
    if (ferror(mb->fp)) {
        mb->io_error = 1;
        return MAILPARSE_E_IO;
    }
    mb->at_eof = 1;
    return MP_MORE_END;
}

/* Makes `need` bytes of the entry visible, or all that exist. */
static int ensure(mailparse_mbox *mb, size_t need, size_t counted)
{
    while (avail(mb) < need) {
        int rc = more(mb, counted);
        if (rc == MP_MORE_END)
            return 0;
        if (rc < 0)
            return rc;
    }
    return 0;
}

/* Sets *lf to the LF ending the line that starts at `i`, or to the end of the input. */
static int line_end(mailparse_mbox *mb, size_t i, size_t counted, size_t *lf)
{
    for (;;) {
        *lf = find_lf(mb, i, avail(mb));
        if (*lf < avail(mb))
            return 0;
        i = avail(mb);
        int rc = more(mb, counted);
        if (rc == MP_MORE_END)
            return 0;
        if (rc < 0)
            return rc;
    }
}

/* Sets *sep to the first line at or after line start `i` that begins "From ", or to the end. */
static int find_separator(mailparse_mbox *mb, size_t i, size_t counted, size_t *sep)
{
    for (;;) {
        int rc = ensure(mb, i + 5, counted);
        if (rc)
            return rc;
        if (i >= avail(mb) || starts_from(mb, i)) {
            *sep = i < avail(mb) ? i : avail(mb);
            return 0;
        }
        size_t lf;
        rc = line_end(mb, i, counted, &lf);
        if (rc)
            return rc;
        i = lf + 1;
    }
}

/* The message end for a separator line at `sep`: the line end before it is dropped. */
static size_t end_before(const mailparse_mbox *mb, size_t sep, size_t msg)
{
    size_t end = sep;
    if (end > msg && cur(mb)[end - 1] == '\n') {
        end--;
        if (end > msg && cur(mb)[end - 1] == '\r')
            end--;
    }
    return end;
}

/* The value of a "Content-Length:" field spanning [i, lf), or -1 when the line is not one. */
static long long content_length_value(const mailparse_mbox *mb, size_t i, size_t lf)
{
    static const char name[] = "content-length:";
    const size_t nlen = sizeof name - 1;
    const unsigned char *p = cur(mb);
    if (lf - i < nlen || lm_strncasecmp((const char *)p + i, name, nlen) != 0)
        return -1;
    i += nlen;
    while (i < lf && lm_is_wsp(p[i]))
        i++;
    long long v = 0;
    size_t digits = 0;
    for (; i < lf && lm_is_digit(p[i]); i++, digits++) {
        if (v > (LLONG_MAX - 9) / 10)
            return -1;
        v = v * 10 + (p[i] - '0');
    }
    while (i < lf && (lm_is_wsp(p[i]) || p[i] == '\r'))
        i++;
    return digits > 0 && i == lf ? v : -1;
}

/* Sets *body to the start of the body after the header block at `msg` and *cl to its first
 * Content-Length (-1 when none). *body stays 0 when the headers have no end before a separator. */
static int scan_headers(mailparse_mbox *mb, size_t msg, size_t *body, long long *cl)
{
    size_t i = msg;
    *body = 0;
    *cl = -1;
    for (;;) {
        int rc = ensure(mb, i + 5, msg);
        if (rc)
            return rc;
        if (i >= avail(mb) || (i > msg && starts_from(mb, i)))
            return 0;
        size_t lf;
        if ((rc = line_end(mb, i, msg, &lf)) != 0)
            return rc;
        if (lf >= avail(mb))
            return 0;
        if (lf == i || (lf == i + 1 && cur(mb)[i] == '\r')) {
            *body = lf + 1;
            return 0;
        }
        if (*cl < 0)
            *cl = content_length_value(mb, i, lf);
        i = lf + 1;
    }
}

/* mboxcl2: fills e->end/next when Content-Length delimits the message exactly; *found says so. */
static int content_length_end(mailparse_mbox *mb, mbox_entry *e, int *found)
{
    size_t body;
    long long cl;
    *found = 0;
    int rc = scan_headers(mb, e->msg, &body, &cl);
    if (rc || body == 0 || cl < 0 || (unsigned long long)cl > mb->max_message ||
        body - e->msg > mb->max_message - (size_t)cl || (mb->at_eof && (size_t)cl > avail(mb) - body))
        return rc;
    size_t t = body + (size_t)cl;
    if ((rc = ensure(mb, t + 7, e->msg)) != 0)
        return rc;
    const unsigned char *p = cur(mb);
    size_t n = avail(mb);
    if (t == n && mb->at_eof) {
        e->next = t;
    } else if (t < n && p[t] == '\n' && starts_from(mb, t + 1)) {
        e->next = t + 1;
    } else if (t + 1 < n && p[t] == '\r' && p[t + 1] == '\n' && starts_from(mb, t + 2)) {
        e->next = t + 2;
    } else if (starts_from(mb, t) && p[t - 1] == '\n') {
        e->end = end_before(mb, t, e->msg);
        e->next = t;
        *found = 1;
        return 0;
    } else {
        return 0;
    }
    e->end = t;
    *found = 1;
    return 0;
}

/* Finds the entry at mb->pos: its envelope line (when `has_from`) and its message. */
static int read_entry(mailparse_mbox *mb, int has_from, mbox_entry *e)
{
    int rc;
    memset(e, 0, sizeof *e);
    if (has_from) {
        size_t lf;
        if ((rc = line_end(mb, 0, 0, &lf)) != 0)
            return rc;
        e->from_end = lf;
        if (lf < avail(mb)) {
            e->msg = lf + 1;
            if (lf > 0 && cur(mb)[lf - 1] == '\r')
                e->from_end--;
        } else {
            e->msg = lf;
        }
    }
    int found = 0;
    if (mb->format == MAILPARSE_MBOX_CL && (rc = content_length_end(mb, e, &found)) != 0)
        return rc;
    if (!found) {
        size_t sep;
        if ((rc = find_separator(mb, e->msg, e->msg, &sep)) != 0)
            return rc;
        e->end = sep < avail(mb) ? end_before(mb, sep, e->msg) : sep;
        e->next = sep;
    }
    return e->end - e->msg > mb->max_message ? MAILPARSE_E_LIMIT : 0;
}

/* Skips the entry at mb->pos (one over the limit) up to the next "From " line, holding only a
 * few bytes at a time. */
static int skip_entry(mailparse_mbox *mb)
{
    size_t i = 0;
    for (;;) {
        size_t lf = find_lf(mb, i, avail(mb));
        if (lf < avail(mb) && (avail(mb) - lf > 5 || mb->at_eof)) {
            if (starts_from(mb, lf + 1)) {
                mb->pos += lf + 1;
                break;
            }
            i = lf + 1;
            continue;
        }
        if (mb->at_eof) {
            mb->pos = mb->win_len;
            break;
        }
        mb->pos += lf; /* keep a final LF whose next line is not complete yet */
        i = 0;
        int rc = more(mb, 0);
        if (rc < 0)
            return rc;
    }
    mb->skipping = 0;
    return 0;
}

/* How many '>' to drop from the line at p[0..n): 1 for a quoted From line, else 0. */
static int is_quoted_from(const unsigned char *p, size_t n, int format)
{
    size_t q = 0;
    while (q < n && p[q] == '>') {
        q++;
        if (format == MAILPARSE_MBOX_O)
            break;
    }
    return q > 0 && n - q >= 5 && memcmp(p + q, "From ", 5) == 0;
}

/* Undoes ">From " quoting in [msg, end). Points *data and *len at the bytes in place when nothing was
 * quoted, else to the unquoted copy in mb->out. */
static int unquote(mailparse_mbox *mb, size_t msg, size_t end, const unsigned char **data, size_t *len)
{
    const unsigned char *p = cur(mb);
    size_t copied = msg;
    lm_buf_reset(&mb->out);
    for (size_t s = msg; s < end && mb->format != MAILPARSE_MBOX_CL;) {
        size_t lf = find_lf(mb, s, end);
        if (is_quoted_from(p + s, end - s, mb->format)) {
            lm_buf_append(&mb->out, p + copied, s - copied);
            copied = s + 1;
        }
        s = lf + 1;
    }
    if (copied == msg) {
        *data = p + msg;
        *len = end - msg;
        return 0;
    }
    lm_buf_append(&mb->out, p + copied, end - copied);
    if (mb->out.oom)
        return MAILPARSE_E_NOMEM;
    *data = (const unsigned char *)mb->out.data;
    *len = mb->out.len;
    return 0;
}

static int only_whitespace(const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!lm_is_space(p[i]))
            return 0;
    return 1;
}

/* First call: skips a byte order mark; bytes before a first "From " line that are only
 * whitespace are dropped. Sets *has_from for the first entry. */
static int start(mailparse_mbox *mb, int *has_from)
{
    int rc = ensure(mb, 5, 0);
    if (rc)
        return rc;
    if (avail(mb) >= 3 && memcmp(cur(mb), "\xEF\xBB\xBF", 3) == 0)
        mb->pos += 3;
    if ((rc = ensure(mb, 5, 0)) != 0)
        return rc;
    *has_from = starts_from(mb, 0);
    mb->started = 1;
    return 0;
}

static const unsigned char no_bytes[1] = {0}; /* the window of an empty reader */

static mailparse_mbox *mbox_new(int format)
{
    mailparse_mbox *mb = lm_calloc(1, sizeof *mb);
    if (!mb)
        return NULL;
    mb->format = format;
    mb->win = no_bytes;
    mb->block = MP_MBOX_BLOCK;
    mb->max_message = MP_MBOX_MAX_MESSAGE;
    return mb;
}

int mailparse_mbox_open_buffer(const unsigned char *data, size_t len, int format, mailparse_mbox **out)
{
    if (!out)
        return MAILPARSE_E_INVAL;
    *out = NULL;
    if ((!data && len) || format < MAILPARSE_MBOX_RD || format > MAILPARSE_MBOX_CL)
        return MAILPARSE_E_INVAL;
    mailparse_mbox *mb = mbox_new(format);
    if (!mb)
        return MAILPARSE_E_NOMEM;
    mb->win = data ? data : no_bytes;
    mb->win_len = len;
    mb->at_eof = 1;
    mb->max_message = SIZE_MAX - MP_MBOX_LOOKAHEAD;
    *out = mb;
    return 0;
}

int mailparse_mbox_open_file(const char *path, int format, mailparse_mbox **out)
{
    if (!out)
        return MAILPARSE_E_INVAL;
    *out = NULL;
    if (!path || format < MAILPARSE_MBOX_RD || format > MAILPARSE_MBOX_CL)
        return MAILPARSE_E_INVAL;
    mailparse_mbox *mb = mbox_new(format);
    if (!mb)
        return MAILPARSE_E_NOMEM;
    mb->fp = fopen(path, "rb");
    if (!mb->fp) {
        lm_free(mb);
        return MAILPARSE_E_IO;
    }
    *out = mb;
    return 0;
}

int mp_mbox_tune(mailparse_mbox *mb, size_t max_message_size, size_t block_size)
{
    if (!mb || mb->started || max_message_size > SIZE_MAX / 2)
        return MAILPARSE_E_INVAL;
    if (mb->fp && max_message_size)
        mb->max_message = max_message_size;
    if (block_size)
        mb->block = block_size;
    return 0;
}

/* Finds the next entry that is not a whitespace-only preamble. */
static int next_entry(mailparse_mbox *mb, mbox_entry *e)
{
    int has_from = 1;
    int rc = mb->started ? ensure(mb, 1, 0) : start(mb, &has_from);
    if (rc)
        return rc;
    if (avail(mb) == 0)
        return MAILPARSE_E_EOF;
    if ((rc = read_entry(mb, has_from, e)) != 0 || has_from)
        return rc;
    if (!only_whitespace(cur(mb) + e->msg, e->end - e->msg))
        return 0;
    mb->pos += e->next;
    if ((rc = ensure(mb, 1, 0)) != 0)
        return rc;
    return avail(mb) == 0 ? MAILPARSE_E_EOF : read_entry(mb, 1, e);
}

int mailparse_mbox_next(mailparse_mbox *mb, const unsigned char **data, size_t *len,
                        const char **from_line, size_t *offset)
{
    if (!mb || !data || !len)
        return MAILPARSE_E_INVAL;
    if (mb->io_error)
        return MAILPARSE_E_IO;
    int rc = mb->skipping ? skip_entry(mb) : 0;
    mbox_entry e;
    if (rc == 0)
        rc = next_entry(mb, &e);
    if (offset && (rc == 0 || rc == MAILPARSE_E_LIMIT))
        *offset = mb->win_base + mb->pos;
    if (rc == MAILPARSE_E_LIMIT)
        mb->skipping = 1;
    if (rc)
        return rc;
    lm_buf_reset(&mb->from);
    lm_buf_append(&mb->from, cur(mb), e.from_end);
    if (mb->from.oom)
        return MAILPARSE_E_NOMEM;
    if ((rc = unquote(mb, e.msg, e.end, data, len)) != 0)
        return rc;
    if (from_line)
        *from_line = mb->from.data;
    mb->pos += e.next;
    return 0;
}

void mailparse_mbox_free(mailparse_mbox *mb)
{
    if (!mb)
        return;
    if (mb->fp)
        fclose(mb->fp);
    lm_buf_free(&mb->fbuf);
    lm_buf_free(&mb->from);
    lm_buf_free(&mb->out);
    lm_free(mb);
}

int mailparse_mbox_set_max_message_size(mailparse_mbox *mb, size_t max) { return mp_mbox_tune(mb, max, 0); }
