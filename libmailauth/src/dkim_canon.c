/* dkim_canon.c — header and body canonicalisation (RFC 6376 §3.4), the incremental body hash
 * with the l= cap (§3.4.5, §3.7), header field selection (§5.4.2) and b= removal (§3.7). */
#include "dkim_internal.h"

#include "lm_alloc.h"
#include "lm_ascii.h"

#include <openssl/evp.h>

#include <string.h>

/* ---- header fields --------------------------------------------------------------------- */

static int is_wsp_or_eol(unsigned char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

/* Relaxed (§3.4.2): lowercase name, no WSP around the colon, unfolded value with WSP runs as one
 * SP and no WSP at its ends. */
static void header_relaxed(const char *f, size_t n, lm_buf *out)
{
    const char *colon = memchr(f, ':', n);
    size_t name_end = colon ? (size_t)(colon - f) : n;
    size_t ne = name_end;
    while (ne > 0 && is_wsp_or_eol((unsigned char)f[ne - 1]))
        ne--;
    for (size_t i = 0; i < ne; i++)
        lm_buf_putc(out, lm_to_lower((unsigned char)f[i]));
    lm_buf_putc(out, ':');
    if (!colon)
        return;
    int space = 0, started = 0;
    for (size_t i = name_end + 1; i < n; i++) {
        unsigned char c = (unsigned char)f[i];
        if (is_wsp_or_eol(c)) {
            /* CR and LF of a fold vanish; WSP becomes one SP between words. A lone CR or LF
             * (not part of a fold) is taken as folding too: both are whitespace here. */
            space = 1;
            continue;
        }
        if (space && started)
            lm_buf_putc(out, ' ');
        space = 0;
        started = 1;
        lm_buf_putc(out, c);
    }
}

int ma_dkim_canon_header(int canon, const char *field, size_t len, int no_crlf, lm_buf *out)
{
    if (canon == MA_DKIM_RELAXED)
        header_relaxed(field, len, out);
    else
        lm_buf_append(out, field, len);
    if (!no_crlf)
        lm_buf_append(out, "\r\n", 2);
    return out->oom ? MAILAUTH_E_NOMEM : 0;
}

int ma_dkim_split_fields(const char *text, size_t len, size_t max, ma_dkim_field **out,
                         size_t *count)
{
    ma_dkim_field *f = NULL;
    size_t n = 0, cap = 0, i = 0;
    *out = NULL;
    *count = 0;
    while (i < len) {
        /* One physical line: [i, e) without its CRLF; `next` starts the next line. */
        const char *lf = memchr(text + i, '\n', len - i);
        size_t next = lf ? (size_t)(lf - text) + 1 : len;
        size_t e = lf ? next - 1 : len;
        if (e > i && text[e - 1] == '\r')
            e--;
        unsigned char c = (unsigned char)text[i];
        if (c == ' ' || c == '\t') {
            if (n > 0)
                f[n - 1].len = e - f[n - 1].off;
            i = next;
            continue;
        }
        if (n == max) {
            lm_free(f);
            return MAILAUTH_E_LIMIT;
        }
        if (n == cap) {
            size_t nc = cap ? cap * 2 : 32;
            if (nc > max)
                nc = max;
            ma_dkim_field *g = lm_realloc(f, nc * sizeof *g);
            if (!g) {
                lm_free(f);
                return MAILAUTH_E_NOMEM;
            }
            f = g;
            cap = nc;
        }
        const char *colon = memchr(text + i, ':', e - i);
        size_t ne = colon ? (size_t)(colon - text) : e;
        while (ne > i && (text[ne - 1] == ' ' || text[ne - 1] == '\t'))
            ne--;
        f[n].off = i;
        f[n].len = e - i;
        f[n].name_len = ne - i;
        n++;
        i = next;
    }
    *out = f;
    *count = n;
    return 0;
}

int ma_dkim_index_fields(const char *text, size_t len, size_t max, ma_dkim_field **out,
                         size_t *count, unsigned char **used)
{
    int rc = ma_dkim_split_fields(text, len, max, out, count);
    if (rc)
        return rc;
    *used = lm_calloc(*count ? *count : 1, 1);
    return *used ? 0 : MAILAUTH_E_NOMEM;
}

int ma_dkim_sig_body_start(ma_dkim_sig_body *b, const ma_dkim_sig *sig)
{
    int rc = ma_dkim_body_init(&b->body, sig->bcanon, sig->alg, sig->has_l ? sig->l : UINT64_MAX,
                               NULL);
    if (!rc)
        b->hashing = 1;
    return rc;
}

void ma_dkim_sig_body_feed(ma_dkim_sig_body *b, const unsigned char *p, size_t n)
{
    if (b->hashing && n)
        ma_dkim_body_feed(&b->body, p, n);
}

int ma_dkim_sig_body_end(ma_dkim_sig_body *b)
{
    if (!b->hashing)
        return 0;
    int rc = ma_dkim_body_finish(&b->body, b->bh, &b->bh_len);
    b->total = b->body.length;
    ma_dkim_body_free(&b->body);
    b->hashing = 0;
    return rc;
}

int ma_dkim_sig_body_matches(const ma_dkim_sig_body *b, const ma_dkim_sig *sig)
{
    return b->bh_len == sig->bh_len && !memcmp(b->bh, sig->bh, b->bh_len);
}

int ma_dkim_reader_feed(ma_dkim_reader *r, const unsigned char *p, size_t n,
                        const unsigned char **body, size_t *body_len)
{
    *body = NULL;
    *body_len = 0;
    if (r->in_body) {
        *body = p;
        *body_len = n;
        return 0;
    }
    size_t i = 0;
    while (i < n) {
        const unsigned char *lf = memchr(p + i, '\n', n - i);
        size_t e = lf ? (size_t)(lf - p) : n, seg = e - i, add = seg;
        if (lf) {
            /* The line ends here: empty (perhaps a CR alone) ends the block. */
            size_t line = r->head.len - r->line_start + seg;
            int cr = seg ? p[e - 1] == '\r'
                         : r->head.len > r->line_start && r->head.data[r->head.len - 1] == '\r';
            if (line == (size_t)cr) {
                r->head.len = r->line_start;
                if (r->head.data)
                    r->head.data[r->head.len] = '\0';
                r->in_body = 1;
                *body = p + e + 1;
                *body_len = n - e - 1;
                return 0;
            }
            add += cr ? 1 : 2;
        } else if (seg && p[e - 1] == '\r') {
            add--; /* a CR that may yet be the start of the empty line */
        }
        if (r->head.len + add > r->max)
            return MAILAUTH_E_LIMIT;
        if (lm_buf_append(&r->head, p + i, seg))
            return MAILAUTH_E_NOMEM;
        if (!lf)
            break;
        /* The line is not empty, so the block holds at least one octet of it. */
        if (r->head.data[r->head.len - 1] != '\r' && lm_buf_putc(&r->head, '\r'))
            return MAILAUTH_E_NOMEM;
        if (lm_buf_putc(&r->head, '\n'))
            return MAILAUTH_E_NOMEM;
        r->line_start = r->head.len;
        i = e + 1;
    }
    return 0;
}

int ma_dkim_reader_pass(ma_dkim_reader *r, int *broken, const void *data, size_t n,
                        int (*headers_done)(void *user),
                        void (*body)(void *user, const unsigned char *p, size_t n), void *user)
{
    if (*broken)
        return *broken;
    int was_body = r->in_body;
    const unsigned char *rest;
    size_t rest_len;
    int rc = ma_dkim_reader_feed(r, data, n, &rest, &rest_len);
    if (!rc && !was_body && r->in_body && headers_done)
        rc = headers_done(user);
    if (rc) {
        *broken = rc;
        return rc;
    }
    if (rest_len)
        body(user, rest, rest_len);
    return 0;
}

int ma_dkim_reader_end(ma_dkim_reader *r, int *broken, int (*headers_done)(void *user),
                       void *user)
{
    if (*broken || r->in_body)
        return *broken;
    r->in_body = 1;
    int rc = headers_done ? headers_done(user) : 0;
    if (rc)
        *broken = rc;
    return rc;
}

int ma_dkim_canon_selected(int canon, const char *text, const ma_dkim_field *fields,
                           size_t count, unsigned char *used, const char *const *names,
                           const size_t *name_lens, size_t name_count, lm_buf *out)
{
    return ma_dkim_canon_selected_except(canon, text, fields, count, SIZE_MAX, used, names,
                                         name_lens, name_count, out);
}

int ma_dkim_canon_selected_except(int canon, const char *text, const ma_dkim_field *fields,
                                  size_t count, size_t skip, unsigned char *used,
                                  const char *const *names, const size_t *name_lens,
                                  size_t name_count, lm_buf *out)
{
    if (count)
        memset(used, 0, count);
    if (skip < count)
        used[skip] = 1;
    for (size_t k = 0; k < name_count; k++) {
        for (size_t j = count; j-- > 0;) {
            if (used[j] || fields[j].name_len != name_lens[k] ||
                lm_strncasecmp(text + fields[j].off, names[k], name_lens[k]))
                continue;
            used[j] = 1;
            int rc = ma_dkim_canon_header(canon, text + fields[j].off, fields[j].len, 0, out);
            if (rc)
                return rc;
            break;
        }
    }
    return out->oom ? MAILAUTH_E_NOMEM : 0;
}

int ma_dkim_strip_b(const char *field, size_t len, lm_buf *out)
{
    const char *colon = memchr(field, ':', len);
    if (!colon)
        return MAILAUTH_E_SYNTAX;
    size_t vo = (size_t)(colon - field) + 1;
    ma_tag tags[MA_DKIM_MAX_TAGS];
    size_t n;
    if (ma_tag_list_parse(field + vo, len - vo, tags, MA_DKIM_MAX_TAGS, &n, NULL))
        return MAILAUTH_E_SYNTAX;
    const ma_tag *b = ma_tag_find(tags, n, "b");
    if (!b) {
        lm_buf_append(out, field, len);
        return out->oom ? MAILAUTH_E_NOMEM : 0;
    }
    /* From just after "b=" to the ";" that ends the value (or the end): the value with the
     * whitespace around it. */
    const char *eq = memchr(b->name, '=', (size_t)(field + len - b->name));
    size_t start = (size_t)(eq - field) + 1;
    size_t end = (size_t)(b->value + b->value_len - field);
    while (end < len && field[end] != ';')
        end++;
    lm_buf_append(out, field, start);
    lm_buf_append(out, field + end, len - end);
    return out->oom ? MAILAUTH_E_NOMEM : 0;
}

/* ---- the body ---------------------------------------------------------------------------- */

static void out_flush(ma_dkim_body *b)
{
    if (b->out_len && b->md && !b->failed && EVP_DigestUpdate(b->md, b->out, b->out_len) != 1)
        b->failed = 1;
    b->out_len = 0;
}

/* Emits canonical octets: counted in `length`, hashed and copied up to the l= cap. */
static void emit(ma_dkim_body *b, const void *data, size_t n)
{
    const unsigned char *p = data;
    b->length += n;
    uint64_t room = b->limit - b->hashed;
    if ((uint64_t)n > room)
        n = (size_t)room;
    if (!n)
        return;
    b->hashed += n;
    if (b->copy)
        lm_buf_append(b->copy, p, n);
    if (!b->md)
        return;
    if (n >= sizeof b->out / 2) { /* a large piece is hashed where it lies */
        out_flush(b);
        if (!b->failed && EVP_DigestUpdate(b->md, p, n) != 1)
            b->failed = 1;
        return;
    }
    while (n) {
        size_t k = sizeof b->out - b->out_len;
        if (k > n)
            k = n;
        memcpy(b->out + b->out_len, p, k);
        b->out_len += k;
        p += k;
        n -= k;
        if (b->out_len == sizeof b->out)
            out_flush(b);
    }
}

/* Text arrives on the current line: held empty lines are placed first. */
static void line_text(ma_dkim_body *b)
{
    if (!b->line_text) {
        for (; b->empty_lines; b->empty_lines--)
            emit(b, "\r\n", 2);
        b->line_text = 1;
    }
}

static void line_end(ma_dkim_body *b)
{
    b->wsp = 0;
    b->any = 1;
    if (b->line_text)
        emit(b, "\r\n", 2);
    else
        b->empty_lines++;
    b->line_text = 0;
}

/* One octet of line content (not a line end). */
static void content(ma_dkim_body *b, unsigned char c)
{
    b->any = 1;
    if (b->canon == MA_DKIM_RELAXED) {
        if (c == ' ' || c == '\t') {
            b->wsp = 1;
            return;
        }
        line_text(b);
        if (b->wsp)
            emit(b, " ", 1);
        b->wsp = 0;
    } else {
        line_text(b);
    }
    emit(b, &c, 1);
}

int ma_dkim_body_init(ma_dkim_body *b, int canon, int alg, uint64_t limit, lm_buf *copy)
{
    memset(b, 0, sizeof *b);
    b->canon = canon;
    b->limit = limit;
    b->copy = copy;
    if (alg) {
        const EVP_MD *md = ma_dkim_alg_hash(alg) == 1 ? EVP_sha1() : EVP_sha256();
        b->md = EVP_MD_CTX_new();
        if (!b->md || EVP_DigestInit_ex(b->md, md, NULL) != 1) {
            EVP_MD_CTX_free(b->md);
            b->md = NULL;
            return MAILAUTH_E_NOMEM;
        }
    }
    return 0;
}

/* The octets that end a run of line content passed on as it is, under relaxed
 * canonicalisation: a line end, or a blank (runs of blanks become one SP, or nothing at the end
 * of a line). Under simple canonicalisation only a line end does. */
static const unsigned char relaxed_stop[256] = {['\r'] = 1, ['\n'] = 1, [' '] = 1, ['\t'] = 1};

/* The end of the run that starts at p[i] (content that is not a blank): under simple
 * canonicalisation the next line end; under relaxed the next blank or line end, a single SP
 * between two other octets passing unchanged. */
static size_t run_end(int canon, const unsigned char *p, size_t i, size_t n)
{
    if (canon != MA_DKIM_RELAXED) {
        const unsigned char *lf = memchr(p + i, '\n', n - i);
        size_t end = lf ? (size_t)(lf - p) : n;
        const unsigned char *cr = memchr(p + i, '\r', end - i);
        return cr ? (size_t)(cr - p) : end;
    }
    size_t j = i + 1;
    for (;;) {
        while (j < n && !relaxed_stop[p[j]])
            j++;
        if (j + 1 >= n || p[j] != ' ' || relaxed_stop[p[j + 1]])
            return j;
        j += 2;
    }
}

/* The high bit of each octet of `x` that equals `c`, exactly (no borrow between octets). */
static uint64_t octets_equal(uint64_t x, unsigned char c)
{
    const uint64_t low7 = 0x7f7f7f7f7f7f7f7full;
    uint64_t t = x ^ (0x0101010101010101ull * c);
    return ~(((t & low7) + low7) | t | low7);
}

/* Non-zero when `n` octets hold an HTAB, a CR or two SPs in a row: what relaxed
 * canonicalisation would change inside a line. Eight octets at a time. */
static int relaxed_changes(const unsigned char *s, size_t n)
{
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t x;
        memcpy(&x, s + i, 8);
        uint64_t sp = octets_equal(x, ' ');
        if (octets_equal(x, '\t') | octets_equal(x, '\r') | (sp & (sp << 8)) | (sp & (sp >> 8)))
            return 1;
        if (i && s[i] == ' ' && s[i - 1] == ' ')
            return 1;
    }
    for (; i < n; i++)
        if (s[i] == '\t' || s[i] == '\r' || (s[i] == ' ' && i && s[i - 1] == ' '))
            return 1;
    return 0;
}

/* Relaxed canonicalisation leaves a whole line unchanged when it has no HTAB, no CR, no two
 * blanks in a row and no blank at its end: the common case. If the line at p[i] (its LF
 * inside the buffer) is one, emits it and returns the offset of its LF; otherwise returns 0
 * and nothing is emitted. */
static size_t relaxed_plain_line(ma_dkim_body *b, const unsigned char *p, size_t i, size_t n)
{
    const unsigned char *lf = memchr(p + i, '\n', n - i);
    if (!lf)
        return 0;
    size_t end = (size_t)(lf - p), len = end - i;
    int crlf = len > 0 && p[end - 1] == '\r';
    size_t clen = len - (size_t)crlf;
    const unsigned char *line = p + i;
    if (clen == 0 || line[clen - 1] == ' ' || relaxed_changes(line, clen))
        return 0;
    line_text(b);
    b->any = 1;
    if (crlf)
        emit(b, line, clen + 2); /* the line and its CRLF as they stand */
    else {
        emit(b, line, clen);
        emit(b, "\r\n", 2);
    }
    b->line_text = 0;
    return end;
}

void ma_dkim_body_feed(ma_dkim_body *b, const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (b->canon == MA_DKIM_RELAXED && !b->line_text && !b->wsp && !b->cr) {
            size_t end = relaxed_plain_line(b, p, i, n);
            if (end) {
                i = end;
                continue;
            }
        }
        unsigned char c = p[i];
        if (b->cr) {
            b->cr = 0;
            if (c == '\n') {
                line_end(b);
                continue;
            }
            content(b, '\r');
        }
        if (c == '\r')
            b->cr = 1;
        else if (c == '\n')
            line_end(b);
        else if (b->canon == MA_DKIM_RELAXED && relaxed_stop[c])
            content(b, c); /* a blank under relaxed */
        else {
            /* A run of octets that pass unchanged goes out at once. */
            size_t j = run_end(b->canon, p, i, n);
            content(b, c);
            if (j > i + 1)
                emit(b, p + i + 1, j - i - 1);
            i = j - 1;
        }
    }
}

void ma_dkim_body_sink(void *b, const unsigned char *p, size_t n) { ma_dkim_body_feed(b, p, n); }

int ma_dkim_body_finish(ma_dkim_body *b, unsigned char *hash, size_t *hash_len)
{
    if (b->cr) {
        b->cr = 0;
        content(b, '\r');
    }
    /* A last line without its line end gets one (§3.4.3, §3.4.4); empty lines at the end go.
     * Simple canonicalisation of an empty body is one CRLF. */
    if (b->line_text)
        line_end(b);
    if (b->canon == MA_DKIM_SIMPLE && b->length == 0)
        emit(b, "\r\n", 2);
    if (b->copy && b->copy->oom)
        b->failed = 1;
    if (!b->md)
        return b->failed ? MAILAUTH_E_NOMEM : 0;
    out_flush(b);
    unsigned len = 0;
    if (b->failed || EVP_DigestFinal_ex(b->md, hash, &len) != 1)
        return MAILAUTH_E_NOMEM;
    *hash_len = len;
    return 0;
}

void ma_dkim_body_free(ma_dkim_body *b)
{
    if (!b)
        return;
    EVP_MD_CTX_free(b->md);
    b->md = NULL;
}
