/* dkim_canon.c — header and body canonicalisation (RFC 6376 §3.4), the incremental body hash
 * with the l= cap (§3.4.5, §3.7), header field selection (§5.4.2) and b= removal (§3.7). */
#include "dkim_internal.h"

#include "lm_alloc.h"
#include "lm_ascii.h"

#include <openssl/evp.h>

#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/* ---- header fields --------------------------------------------------------------------- */

/* WSP and the CR and LF of folding: what relaxed header canonicalisation turns into one SP
 * between words (a lone CR or LF, not part of a fold, is taken as folding too). */
static const unsigned char fws[256] = {[' '] = 1, ['\t'] = 1, ['\r'] = 1, ['\n'] = 1};

/* Relaxed (§3.4.2): lowercase name, no WSP around the colon, unfolded value with WSP runs as one
 * SP and no WSP at its ends. */
static void header_relaxed(const char *f, size_t n, lm_buf *out)
{
    const unsigned char *u = (const unsigned char *)f;
    const char *colon = memchr(f, ':', n);
    size_t name_end = colon ? (size_t)(colon - f) : n;
    size_t ne = name_end;
    while (ne > 0 && fws[u[ne - 1]])
        ne--;
    for (size_t i = 0; i < ne; i++)
        lm_buf_putc(out, lm_to_lower(u[i]));
    lm_buf_putc(out, ':');
    if (!colon)
        return;
    size_t i = name_end + 1;
    while (i < n && fws[u[i]])
        i++;
    while (i < n) { /* a word, then the blanks after it: one SP unless the value ends */
        size_t j = i;
        while (j < n && !fws[u[j]])
            j++;
        lm_buf_append(out, f + i, j - i);
        while (j < n && fws[u[j]])
            j++;
        if (j < n)
            lm_buf_putc(out, ' ');
        i = j;
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
/* Counts `n` canonical octets at `p` in `length`, cuts them at the l= cap, copies what is left
 * when copying; returns how many of them are to be hashed (0 when not hashing). */
static size_t produced(ma_dkim_body *b, const unsigned char *p, size_t n)
{
    b->length += n;
    uint64_t room = b->limit - b->hashed;
    if ((uint64_t)n > room)
        n = (size_t)room;
    b->hashed += n;
    if (b->copy && n)
        lm_buf_append(b->copy, p, n);
    return b->md ? n : 0;
}

static void emit(ma_dkim_body *b, const void *data, size_t n)
{
    const unsigned char *p = data;
    if (!(n = produced(b, p, n)))
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

/* Relaxed canonicalisation of `n` octets of line content, one at a time: each HTAB becomes SP
 * and a blank after a blank goes (*blank: the octet before was a blank). Returns the octets
 * written to `dst`. */
static size_t relaxed_octets(unsigned char *dst, const unsigned char *src, size_t n, int *blank)
{
    size_t m = 0;
    int prev = *blank;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = src[i];
        int w = c == ' ' || c == '\t';
        dst[m] = w ? ' ' : c;
        m += !(w && prev);
        prev = w;
    }
    *blank = prev;
    return m;
}

/* Writes `n` octets of line content (no line end, no blank at its end) to `dst` as relaxed
 * canonicalisation has them: each HTAB an SP, each run of blanks one SP. `dst` has room for
 * n + 16 octets (whole vectors are stored). Returns the octets written. Sixteen octets at a
 * time where SSE2 is there; the rest one at a time. */
static size_t relaxed_compact(unsigned char *dst, const unsigned char *src, size_t n)
{
    size_t i = 0, m = 0;
    int blank = 0;
#if defined(__SSE2__)
    const __m128i sp = _mm_set1_epi8(' '), ht = _mm_set1_epi8('\t');
    for (; i + 16 <= n; i += 16) {
        __m128i x = _mm_loadu_si128((const __m128i *)(const void *)(src + i));
        __m128i tab = _mm_cmpeq_epi8(x, ht);
        unsigned wsp = (unsigned)_mm_movemask_epi8(_mm_or_si128(tab, _mm_cmpeq_epi8(x, sp)));
        unsigned drop = wsp & ((wsp << 1) | (unsigned)blank);
        blank = (wsp >> 15) & 1;
        x = _mm_or_si128(_mm_andnot_si128(tab, x), _mm_and_si128(tab, sp));
        if (!drop) {
            _mm_storeu_si128((__m128i *)(void *)(dst + m), x);
            m += 16;
            continue;
        }
        /* Blanks after blanks go: the pieces between them are stored one after another,
         * each as a whole vector of which only the piece counts. */
        unsigned char t[32];
        _mm_storeu_si128((__m128i *)(void *)t, x);
        unsigned from = 0;
        for (; drop; drop &= drop - 1) {
            unsigned at = (unsigned)__builtin_ctz(drop);
            _mm_storeu_si128((__m128i *)(void *)(dst + m),
                             _mm_loadu_si128((const __m128i *)(const void *)(t + from)));
            m += at - from;
            from = at + 1;
        }
        _mm_storeu_si128((__m128i *)(void *)(dst + m),
                         _mm_loadu_si128((const __m128i *)(const void *)(t + from)));
        m += 16 - from;
    }
#endif
    return m + relaxed_octets(dst + m, src + i, n - i, &blank);
}

/* Relaxed canonicalisation of the whole line at p[i] when its LF is inside the buffer and no
 * part of it was read before: the line's content, blanks at its end dropped, is compacted
 * straight into the hash buffer. Returns the offset just past the LF, or 0 when the line is
 * not whole here or too long for the buffer (the octet-at-a-time path takes it). */
static size_t relaxed_line(ma_dkim_body *b, const unsigned char *p, size_t i, size_t n)
{
    const unsigned char *lf = memchr(p + i, '\n', n - i);
    if (!lf)
        return 0;
    size_t end = (size_t)(lf - p), len = end - i;
    if (len && p[end - 1] == '\r')
        len--;
    while (len && (p[i + len - 1] == ' ' || p[i + len - 1] == '\t'))
        len--;
    b->any = 1;
    if (!len) { /* nothing but blanks: an empty line, held until text follows */
        b->empty_lines++;
        return end + 1;
    }
    if (len + 18 > sizeof b->out)
        return 0;
    line_text(b);
    if (b->out_len + len + 18 > sizeof b->out)
        out_flush(b);
    unsigned char *d = b->out + b->out_len;
    size_t m = relaxed_compact(d, p + i, len);
    d[m++] = '\r';
    d[m++] = '\n';
    b->line_text = 0;
    b->out_len += produced(b, d, m); /* already in place in the hash buffer */
    return end + 1;
}

void ma_dkim_body_feed(ma_dkim_body *b, const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (b->canon == MA_DKIM_RELAXED && !b->line_text && !b->wsp && !b->cr) {
            size_t next = relaxed_line(b, p, i, n);
            if (next) {
                i = next - 1;
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
