/* mailparse.c — version, error strings, allocator hooks, anomaly names, option defaults. */
#include "mp_internal.h"

#include <string.h>

const char *mailparse_version(void) { return "0.1.0"; }

int mailparse_version_number(void) { return MAILPARSE_VERSION_NUMBER; }

const char *mailparse_strerror(int code)
{
    switch (code) {
    case MAILPARSE_OK: return "success";
    case MAILPARSE_E_NOMEM: return "out of memory";
    case MAILPARSE_E_INVAL: return "invalid argument";
    case MAILPARSE_E_LIMIT: return "limit exceeded";
    case MAILPARSE_E_UNSUPPORTED: return "not supported";
    case MAILPARSE_E_CHARSET: return "unknown charset";
    case MAILPARSE_E_SYNTAX: return "syntax error";
    case MAILPARSE_E_STATE: return "call out of sequence";
    case MAILPARSE_E_IO: return "input/output error";
    case MAILPARSE_E_EOF: return "end of input";
    default: return "unknown error";
    }
}

void mailparse_set_allocator(void *(*malloc_fn)(size_t), void *(*realloc_fn)(void *, size_t),
                             void (*free_fn)(void *))
{
    lm_set_allocator(malloc_fn, realloc_fn, free_fn);
}

void mailparse_free(void *p) { lm_free(p); }

int mp_hand_out(lm_buf *b, int rc, char **out, size_t *out_len)
{
    if (rc == 0)
        rc = mp_buf_status(b);
    if (rc == 0)
        lm_buf_append(b, "", 0); /* NUL-terminates an output that never grew */
    if (rc == 0 && (*out = lm_buf_take(b, out_len)) == NULL)
        rc = MAILPARSE_E_NOMEM;
    if (rc)
        lm_buf_free(b);
    return rc;
}

static const char *const anomaly_names[MAILPARSE_ANOMALY_KIND_COUNT] = {
    [MAILPARSE_ANOMALY_NUL_BYTE] = "nul_byte",
    [MAILPARSE_ANOMALY_BARE_CR] = "bare_cr",
    [MAILPARSE_ANOMALY_MIXED_LINE_ENDINGS] = "mixed_line_endings",
    [MAILPARSE_ANOMALY_HEADER_NO_COLON] = "header_no_colon",
    [MAILPARSE_ANOMALY_HEADER_BAD_NAME] = "header_bad_name",
    [MAILPARSE_ANOMALY_HEADER_SPACE_BEFORE_COLON] = "header_space_before_colon",
    [MAILPARSE_ANOMALY_HEADER_8BIT] = "header_8bit",
    [MAILPARSE_ANOMALY_HEADER_TOO_LONG] = "header_too_long",
    [MAILPARSE_ANOMALY_HEADER_LIMIT] = "header_limit",
    [MAILPARSE_ANOMALY_HEADER_DUPLICATE] = "header_duplicate",
    [MAILPARSE_ANOMALY_HEADERS_UNTERMINATED] = "headers_unterminated",
    [MAILPARSE_ANOMALY_LINE_TOO_LONG] = "line_too_long",
    [MAILPARSE_ANOMALY_BOUNDARY_MISSING] = "boundary_missing",
    [MAILPARSE_ANOMALY_BOUNDARY_NOT_FOUND] = "boundary_not_found",
    [MAILPARSE_ANOMALY_FINAL_BOUNDARY_MISSING] = "final_boundary_missing",
    [MAILPARSE_ANOMALY_BOUNDARY_OUTER] = "boundary_outer",
    [MAILPARSE_ANOMALY_DEPTH_LIMIT] = "depth_limit",
    [MAILPARSE_ANOMALY_PART_LIMIT] = "part_limit",
    [MAILPARSE_ANOMALY_CONTENT_TYPE_INVALID] = "content_type_invalid",
    [MAILPARSE_ANOMALY_ENCODING_UNKNOWN] = "encoding_unknown",
    [MAILPARSE_ANOMALY_ENCODING_ON_COMPOSITE] = "encoding_on_composite",
    [MAILPARSE_ANOMALY_BASE64_BAD_CHAR] = "base64_bad_char",
    [MAILPARSE_ANOMALY_BASE64_BAD_PADDING] = "base64_bad_padding",
    [MAILPARSE_ANOMALY_BASE64_TRUNCATED] = "base64_truncated",
    [MAILPARSE_ANOMALY_QP_BAD_ESCAPE] = "qp_bad_escape",
    [MAILPARSE_ANOMALY_QP_LINE_TOO_LONG] = "qp_line_too_long",
    [MAILPARSE_ANOMALY_CHARSET_UNKNOWN] = "charset_unknown",
    [MAILPARSE_ANOMALY_CHARSET_INVALID] = "charset_invalid",
    [MAILPARSE_ANOMALY_8BIT_UNDECLARED] = "8bit_undeclared",
    [MAILPARSE_ANOMALY_ENCODED_WORD_INVALID] = "encoded_word_invalid",
    [MAILPARSE_ANOMALY_ENCODED_WORD_IN_WORD] = "encoded_word_in_word",
    [MAILPARSE_ANOMALY_ENCODED_WORD_LIMIT] = "encoded_word_limit",
    [MAILPARSE_ANOMALY_RFC2231_MISSING_SEGMENT] = "rfc2231_missing_segment",
    [MAILPARSE_ANOMALY_RFC2231_OUT_OF_ORDER] = "rfc2231_out_of_order",
    [MAILPARSE_ANOMALY_PARAM_INVALID] = "param_invalid",
    [MAILPARSE_ANOMALY_ADDRESS_INVALID] = "address_invalid",
    [MAILPARSE_ANOMALY_DATE_INVALID] = "date_invalid",
    [MAILPARSE_ANOMALY_DATE_OBSOLETE] = "date_obsolete",
    [MAILPARSE_ANOMALY_MESSAGE_ID_INVALID] = "message_id_invalid",
    [MAILPARSE_ANOMALY_MBOX_FROM_LINE] = "mbox_from_line",
};

const char *mailparse_anomaly_name(int kind)
{
    if (kind <= 0 || kind >= MAILPARSE_ANOMALY_KIND_COUNT || !anomaly_names[kind])
        return "unknown";
    return anomaly_names[kind];
}

void mailparse_options_init(mailparse_options *opts)
{
    if (!opts)
        return;
    memset(opts, 0, sizeof *opts);
    opts->struct_size = sizeof *opts;
}
