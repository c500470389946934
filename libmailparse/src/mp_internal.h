/* mp_internal.h — the contracts between libmailparse's source files. Never installed.
 *
 * Internal codecs append to an lm_buf (growable, sticky out-of-memory flag) and report repairs
 * through an mp_diag; values that live in a message are allocated in its lm_arena. Every
 * function returns 0 or a negative MAILPARSE_E_* code, like the public API. */
#ifndef MP_INTERNAL_H
#define MP_INTERNAL_H

#include "mailparse.h"

#include "lm_alloc.h"
#include "lm_arena.h"
#include "lm_ascii.h"
#include "lm_buf.h"

#include <stddef.h>
#include <stdint.h>

/* Where repairs are reported: the caller's callback plus the offset of the input's first byte
 * in the message, so a codec reports offsets relative to its own input. `diag` may be NULL. */
typedef struct mp_diag {
    mailparse_anomaly_fn fn;
    void *user;
    size_t base;
} mp_diag;

static inline void mp_report(const mp_diag *d, mailparse_anomaly_kind kind, size_t off)
{
    if (d && d->fn)
        d->fn(d->user, kind, d->base + off);
}

/* A diag for the same sink with its base moved `delta` bytes further. */
static inline mp_diag mp_diag_at(const mp_diag *d, size_t delta)
{
    mp_diag r = {0, 0, 0};
    if (d) {
        r = *d;
        r.base += delta;
    }
    return r;
}

/* Hands an internal codec's output to a public caller: with rc 0 the bytes go to *out
 * (NUL-terminated, even when empty; free with mailparse_free), else the buffer is freed and rc
 * returned. Turns an out-of-memory buffer into MAILPARSE_E_NOMEM. */
int mp_hand_out(lm_buf *b, int rc, char **out, size_t *out_len);

/* Maps an lm_buf's sticky failure to the error code. */
static inline int mp_buf_status(const lm_buf *b) { return b->oom ? MAILPARSE_E_NOMEM : 0; }

/* ---- base64.c, qp.c, uuencode.c (RFC 2045 §6.7-6.8) ------------------------------------- */

/* Decode, appending to `out`. Never fail on input: repairs are reported (see mailparse.h). */
int mp_base64_decode(const char *in, size_t len, lm_buf *out, const mp_diag *d);
int mp_base64_encode(const unsigned char *in, size_t len, size_t line_len, lm_buf *out);
int mp_qp_decode(const char *in, size_t len, lm_buf *out, const mp_diag *d);
int mp_qp_encode(const unsigned char *in, size_t len, unsigned flags, lm_buf *out);
/* uuencode body ("begin MODE NAME" ... "end"); lines before "begin" are skipped. */
int mp_uu_decode(const char *in, size_t len, lm_buf *out, const mp_diag *d);

/* ---- charset.c (ICU) ---------------------------------------------------------------------- */

/* Converts `in` from `charset` (`cs_len` bytes, not NUL-terminated) to UTF-8, appending to
 * `out`. Invalid bytes become U+FFFD (CHARSET_INVALID reported at their offset). Returns
 * MAILPARSE_E_CHARSET, appending nothing, when the charset is unknown. */
int mp_charset_to_utf8(const char *charset, size_t cs_len, const unsigned char *in, size_t len,
                       lm_buf *out, const mp_diag *d);
int mp_charset_from_utf8(const char *charset, size_t cs_len, const char *in, size_t len, lm_buf *out);
/* Non-zero when `charset` names UTF-8 or US-ASCII (no conversion needed for valid input). */
int mp_charset_is_utf8(const char *charset, size_t cs_len);
/* Length of the longest valid UTF-8 prefix of `in`; equal to `len` when all of it is valid. */
size_t mp_utf8_valid_prefix(const unsigned char *in, size_t len);
/* Appends `in` as UTF-8: valid UTF-8 is copied, invalid sequences become U+FFFD (reported). */
int mp_utf8_sanitize(const unsigned char *in, size_t len, lm_buf *out, const mp_diag *d);
/* Text of unknown charset (8-bit header bytes, undeclared bodies): UTF-8 when it is valid
 * UTF-8, else `fallback` (NULL = windows-1252). */
int mp_text_guess_to_utf8(const unsigned char *in, size_t len, const char *fallback, lm_buf *out,
                          const mp_diag *d);

/* ---- rfc2047.c ---------------------------------------------------------------------------- */

/* Decodes encoded words (see mailparse_rfc2047_decode), appending UTF-8 to `out`. Text outside
 * encoded words is taken as UTF-8 when valid, else via mp_text_guess_to_utf8(). Folding (CRLF/LF
 * followed by WSP) is removed. `budget` (may be NULL) is the number of encoded words still
 * allowed; each decoded word takes one, and at 0 the rest stay literal (ENCODED_WORD_LIMIT). */
int mp_rfc2047_decode(const char *in, size_t len, unsigned flags, lm_buf *out, const mp_diag *d,
                      size_t *budget);
/* Internal decode flag: never add a space between an encoded word and text glued to it (for
 * display names already unquoted by the address parser: "H=?..?=hn" is one word). */
#define MP_2047_GLUED (1u << 8)
int mp_rfc2047_encode(const char *in, size_t len, const char *charset, unsigned flags,
                      size_t first_line_used, lm_buf *out);
int mp_rfc2231_encode(const char *name, const char *value, size_t len, const char *language,
                      lm_buf *out);

/* ---- header_text.c ----------------------------------------------------------------------- */

/* Unstructured text: unfolded, leading/trailing whitespace trimmed, RFC 2047 decoded. */
int mp_parse_unstructured(lm_arena *a, const char *in, size_t len, const mp_diag *d, size_t *budget,
                          const char **out, size_t *out_len);
/* Comma-separated phrases (Keywords, Content-Language), each decoded and trimmed; empty items
 * dropped. */
int mp_parse_text_list(lm_arena *a, const char *in, size_t len, const mp_diag *d, size_t *budget,
                       mailparse_string_list **out);

/* ---- content_type.c (RFC 2045 §5, RFC 2183, RFC 2231) ------------------------------------ */

/* Parses Content-Type (type "/" subtype) or Content-Disposition (a single token; subtype NULL)
 * with parameters. Parameters are joined per RFC 2231 (any order), decoded from their charset,
 * and RFC 2047 words in quoted values decoded. Returns MAILPARSE_E_SYNTAX when no type token is
 * found; for Content-Type without '/' returns MAILPARSE_E_SYNTAX too unless `disposition`. */
int mp_parse_content_type(lm_arena *a, const char *in, size_t len, int disposition,
                          const mp_diag *d, size_t *budget, mailparse_content_type **out);
/* The value of parameter `name` (lowercase), or NULL. */
const char *mp_param(const mailparse_content_type *ct, const char *name);

/* ---- address.c (RFC 5322 §3.4, §4.4 obsolete forms, RFC 6532) --------------------------- */

int mp_parse_addresses(lm_arena *a, const char *in, size_t len, const mp_diag *d, size_t *budget,
                       mailparse_address_list **out);

/* ---- date.c (RFC 5322 §3.3, §4.3) ---------------------------------------------------------- */

/* Returns 0 and fills *out, or MAILPARSE_E_SYNTAX. Obsolete forms reported as DATE_OBSOLETE. */
int mp_parse_date(const char *in, size_t len, mailparse_date *out, const mp_diag *d);
/* Days since 1970-01-01 of a proleptic Gregorian date. */
int64_t mp_days_from_civil(int64_t y, unsigned m, unsigned d);

/* ---- msgid.c (RFC 5322 §3.6.4, RFC 2369 List-* URLs) ------------------------------------ */

int mp_parse_ids(lm_arena *a, const char *in, size_t len, const mp_diag *d, mailparse_string_list **out);
int mp_parse_urls(lm_arena *a, const char *in, size_t len, mailparse_string_list **out);

/* ---- received.c ---------------------------------------------------------------------------- */

int mp_parse_received(lm_arena *a, const char *in, size_t len, mailparse_received **out);

/* ---- mbox.c ------------------------------------------------------------------------------ */

/* Sets the file-mode message cap and read block size (0 keeps each default); before the first
 * mailparse_mbox_next() only. Tests use small values to reach the edge cases. */
int mp_mbox_tune(mailparse_mbox *mb, size_t max_message_size, size_t block_size);

/* ---- html.c ---------------------------------------------------------------------------------- */

int mp_html_to_text(const char *html, size_t len, lm_buf *out);
int mp_text_to_html(const char *text, size_t len, lm_buf *out);
int mp_thread_subject(const char *subject, size_t len, lm_buf *out);
/* Collapsed-whitespace preview of at most `max_chars` code points (see mailparse.h). */
int mp_preview(const char *text, size_t len, size_t max_chars, lm_buf *out);

/* ---- rfc2047 / charset helpers shared by header parsers ------------------------------------ */

/* Appends `in` unfolded (line end + WSP becomes the WSP; lone line ends dropped). */
int mp_unfold(const char *in, size_t len, lm_buf *out);

#endif
