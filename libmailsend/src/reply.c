/* reply.c — SMTP reply assembly from a byte stream, RFC 5321 §4.2 (and enhanced status codes,
 * RFC 3463 §2 / RFC 2034). */
#include "ms_internal.h"

#include "lm_alloc.h"
#include "lm_ascii.h"

#include <string.h>

ms_reply *ms_reply_ref(ms_reply *r)
{
    if (r)
        r->refs++;
    return r;
}

void ms_reply_unref(ms_reply *r)
{
    if (r && --r->refs == 0)
        lm_free(r);
}

void ms_reply_parser_init(ms_reply_parser *p, size_t max_line, size_t max_lines)
{
    memset(p, 0, sizeof *p);
    p->max_line = max_line;
    p->max_lines = max_lines;
}

void ms_reply_parser_free(ms_reply_parser *p)
{
    lm_buf_free(&p->line);
    lm_buf_free(&p->text);
}

void ms_reply_parser_reset(ms_reply_parser *p)
{
    lm_buf_reset(&p->line);
    lm_buf_reset(&p->text);
    p->code = 0;
    p->lines = 0;
}

int ms_reply_parser_busy(const ms_reply_parser *p) { return p->line.len > 0 || p->lines > 0; }

/* Reads up to three digits at s[*i]; -1 when there is none. */
static int small_number(const char *s, size_t n, size_t *i)
{
    size_t start = *i;
    int v = 0;
    while (*i < n && *i - start < 3 && lm_is_digit((unsigned char)s[*i]))
        v = v * 10 + (s[(*i)++] - '0');
    return *i > start ? v : -1;
}

/* The enhanced status code at the start of `s` (RFC 3463 §2: class "." subject "." detail,
 * then a space or the end), when its class is the reply's first digit. */
static void enhanced_code(mailsend_reply *r, const char *s, size_t n)
{
    size_t i = 0;
    int cls = small_number(s, n, &i);
    if (cls != r->code / 100 || i != 1 || i >= n || s[i++] != '.')
        return;
    int sub = small_number(s, n, &i);
    if (sub < 0 || i >= n || s[i++] != '.')
        return;
    int det = small_number(s, n, &i);
    if (det < 0 || (i < n && s[i] != ' ' && s[i] != '\t'))
        return;
    r->enh_class = cls;
    r->enh_subject = sub;
    r->enh_detail = det;
}

static int fail(ms_reply_parser *p, int err, const char *why)
{
    p->why = why;
    return err;
}

/* Takes one complete line (without its line end); 1 when it was the reply's last. */
static int take_line(ms_reply_parser *p, const char *s, size_t n)
{
    if (n < 3 || !lm_is_digit((unsigned char)s[0]) || !lm_is_digit((unsigned char)s[1]) ||
        !lm_is_digit((unsigned char)s[2]))
        return fail(p, MAILSEND_E_PROTOCOL, "a reply line does not start with a code");
    int code = (s[0] - '0') * 100 + (s[1] - '0') * 10 + (s[2] - '0');
    if (code < 200 || code > 599)
        return fail(p, MAILSEND_E_PROTOCOL, "a reply code outside 2xx..5xx");
    if (p->lines && code != p->code)
        return fail(p, MAILSEND_E_PROTOCOL, "the lines of a reply have different codes");
    if (n > 3 && s[3] != ' ' && s[3] != '-')
        return fail(p, MAILSEND_E_PROTOCOL, "no space or hyphen after a reply code");
    if (memchr(s, '\0', n) || memchr(s, '\r', n))
        return fail(p, MAILSEND_E_PROTOCOL, "a control character in a reply line");
    if (p->lines == p->max_lines)
        return fail(p, MAILSEND_E_LIMIT, "too many lines in one reply");
    p->code = code;
    if (p->lines++)
        lm_buf_putc(&p->text, '\n');
    if (n > 4)
        lm_buf_append(&p->text, s + 4, n - 4);
    if (p->text.oom)
        return MAILSEND_E_NOMEM;
    return n > 3 && s[3] == '-' ? 0 : 1;
}

static int finish_reply(ms_reply_parser *p, ms_reply **out)
{
    size_t n = p->text.len;
    ms_reply *r = lm_malloc(sizeof *r + n + 1);
    if (!r)
        return MAILSEND_E_NOMEM;
    memset(&r->pub, 0, sizeof r->pub);
    r->refs = 1;
    if (n)
        memcpy(r->text, p->text.data, n);
    r->text[n] = '\0';
    r->pub.code = p->code;
    r->pub.text = r->text;
    r->pub.text_len = n;
    r->pub.lines = p->lines;
    const char *nl = memchr(r->text, '\n', n);
    enhanced_code(&r->pub, r->text, nl ? (size_t)(nl - r->text) : n);
    *out = r;
    ms_reply_parser_reset(p);
    return 1;
}

int ms_reply_parser_feed(ms_reply_parser *p, const unsigned char *data, size_t len,
                         size_t *used, ms_reply **out)
{
    size_t i = 0;
    *out = NULL;
    while (i < len) {
        const unsigned char *lf = memchr(data + i, '\n', len - i);
        size_t take = lf ? (size_t)(lf - (data + i)) : len - i;
        /* The line's length without its CR, bounded before anything is kept. */
        size_t have = p->line.len + take;
        size_t content = have;
        if (lf && content && (take ? data[i + take - 1] == '\r' : p->line.data[p->line.len - 1] == '\r'))
            content--;
        if ((lf && content > p->max_line) || (!lf && have > p->max_line + 1)) {
            *used = i;
            return fail(p, MAILSEND_E_LIMIT, "a reply line is too long");
        }
        if (!lf) {
            if (lm_buf_append(&p->line, data + i, take))
                return MAILSEND_E_NOMEM;
            i = len;
            break;
        }
        const char *s;
        if (p->line.len) {
            if (lm_buf_append(&p->line, data + i, take))
                return MAILSEND_E_NOMEM;
            s = p->line.data;
        } else {
            s = (const char *)data + i;
        }
        i += take + 1;
        int rc = take_line(p, s, content);
        lm_buf_reset(&p->line);
        if (rc < 0) {
            *used = i;
            return rc;
        }
        if (rc == 1) {
            *used = i;
            return finish_reply(p, out);
        }
    }
    *used = i;
    return 0;
}
