/* mailparse.h — RFC 5322 / MIME message parsing and the mail codecs.
 *
 * libmailparse reads an Internet message (RFC 5322, MIME RFC 2045-2049, RFC 6532 UTF-8 headers)
 * into an immutable tree of parts held in one arena, and exposes the codecs the rest of the
 * libmail family builds on: base64, quoted-printable, RFC 2047 encoded words, RFC 2231
 * parameters and charset conversion through ICU.
 *
 * Conventions (the same in every libmail library):
 *  - Functions returning `int` give 0 on success or a negative MAILPARSE_E_* code;
 *    mailparse_strerror() names it. Nothing here prints, aborts or exits.
 *  - Strings are UTF-8 and NUL-terminated; where a length matters it is given too.
 *  - Pointers returned by accessors are borrowed from the message and live until
 *    mailparse_message_free(). Functions whose output the caller owns say so; that memory
 *    is released with mailparse_free().
 *  - A parsed message is immutable: it may be read from several threads at once.
 *  - Hostile input never makes a call fail except where a hard limit says so: malformed
 *    input is repaired the way the common peers do, and each repair is reported as an
 *    anomaly (kind + byte offset) through the optional callback and in the message.
 */
#ifndef MAILPARSE_H
#define MAILPARSE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(_WIN32) && defined(MAILPARSE_BUILDING)
#define MAILPARSE_API __declspec(dllexport)
#elif defined(__GNUC__) && defined(MAILPARSE_BUILDING)
#define MAILPARSE_API __attribute__((visibility("default")))
#else
#define MAILPARSE_API
#endif

#define MAILPARSE_VERSION_MAJOR 0
#define MAILPARSE_VERSION_MINOR 1
#define MAILPARSE_VERSION_PATCH 0
#define MAILPARSE_VERSION_NUMBER \
    (MAILPARSE_VERSION_MAJOR * 10000 + MAILPARSE_VERSION_MINOR * 100 + MAILPARSE_VERSION_PATCH)

/* The version of the library actually linked, as "MAJOR.MINOR.PATCH". */
MAILPARSE_API const char *mailparse_version(void);
/* The same as MAILPARSE_VERSION_NUMBER of the linked library. */
MAILPARSE_API int mailparse_version_number(void);

/* ------------------------------------------------------------------------------------------ */
/* Errors                                                                                      */

enum {
    MAILPARSE_OK = 0,
    MAILPARSE_E_NOMEM = -1,       /* an allocation failed; nothing was half-done */
    MAILPARSE_E_INVAL = -2,       /* a bad argument (NULL where not allowed, bad index) */
    MAILPARSE_E_LIMIT = -3,       /* a hard limit was hit (message size) */
    MAILPARSE_E_UNSUPPORTED = -4, /* the request is valid but not supported */
    MAILPARSE_E_CHARSET = -5,     /* the charset is unknown to ICU */
    MAILPARSE_E_SYNTAX = -6,      /* the input could not be parsed at all */
    MAILPARSE_E_STATE = -7,       /* the call does not fit the object's state (feed after finish) */
    MAILPARSE_E_IO = -8,          /* a read failed (mbox / Maildir readers) */
    MAILPARSE_E_EOF = -9          /* no more messages (mbox reader) */
};

/* A static English description of an error code; never NULL. */
MAILPARSE_API const char *mailparse_strerror(int code);

/* ------------------------------------------------------------------------------------------ */
/* Memory                                                                                      */

/* Replaces the allocator used for everything the library allocates. Call it once, before any
 * other call, or not at all (default: malloc/realloc/free). Passing NULLs restores the default. */
MAILPARSE_API void mailparse_set_allocator(void *(*malloc_fn)(size_t),
                                           void *(*realloc_fn)(void *, size_t),
                                           void (*free_fn)(void *));

/* Frees memory the library handed to the caller (codec outputs, previews, ...). NULL is fine. */
MAILPARSE_API void mailparse_free(void *p);

/* ------------------------------------------------------------------------------------------ */
/* Anomalies: what the parser repaired                                                         */

typedef enum {
    MAILPARSE_ANOMALY_NUL_BYTE = 1,            /* a NUL byte in headers or a text body */
    MAILPARSE_ANOMALY_BARE_CR,                 /* a CR not followed by LF */
    MAILPARSE_ANOMALY_MIXED_LINE_ENDINGS,      /* both CRLF and bare LF line ends */
    MAILPARSE_ANOMALY_HEADER_NO_COLON,         /* a header-block line with no field name/colon */
    MAILPARSE_ANOMALY_HEADER_BAD_NAME,         /* a field name with characters outside RFC 5322 ftext */
    MAILPARSE_ANOMALY_HEADER_SPACE_BEFORE_COLON,/* "Subject :" (obsolete syntax) */
    MAILPARSE_ANOMALY_HEADER_8BIT,             /* raw 8-bit bytes in a header (RFC 6532 or legacy) */
    MAILPARSE_ANOMALY_HEADER_TOO_LONG,         /* a header field over max_header_size: truncated */
    MAILPARSE_ANOMALY_HEADER_LIMIT,            /* more than max_header_count fields: the rest ignored */
    MAILPARSE_ANOMALY_HEADER_DUPLICATE,        /* a field that must appear once appears again */
    MAILPARSE_ANOMALY_HEADERS_UNTERMINATED,    /* the input ended inside a header block */
    MAILPARSE_ANOMALY_LINE_TOO_LONG,           /* a line over 998 octets (RFC 5322 §2.1.1) */
    MAILPARSE_ANOMALY_BOUNDARY_MISSING,        /* multipart without a boundary parameter: treated as text */
    MAILPARSE_ANOMALY_BOUNDARY_NOT_FOUND,      /* no delimiter line at all in a multipart body */
    MAILPARSE_ANOMALY_FINAL_BOUNDARY_MISSING,  /* a multipart ended without its close delimiter */
    MAILPARSE_ANOMALY_BOUNDARY_OUTER,          /* an enclosing part's boundary closed an inner part */
    MAILPARSE_ANOMALY_DEPTH_LIMIT,             /* nesting deeper than max_depth: kept as an opaque part */
    MAILPARSE_ANOMALY_PART_LIMIT,              /* more than max_parts: the rest kept as body bytes */
    MAILPARSE_ANOMALY_CONTENT_TYPE_INVALID,    /* unparsable Content-Type: the default was used */
    MAILPARSE_ANOMALY_ENCODING_UNKNOWN,        /* unknown Content-Transfer-Encoding: body kept as is */
    MAILPARSE_ANOMALY_ENCODING_ON_COMPOSITE,   /* a transfer encoding other than 7bit/8bit/binary on multipart */
    MAILPARSE_ANOMALY_BASE64_BAD_CHAR,         /* characters outside the base64 alphabet skipped */
    MAILPARSE_ANOMALY_BASE64_BAD_PADDING,      /* missing, misplaced or excess '=' padding */
    MAILPARSE_ANOMALY_BASE64_TRUNCATED,        /* a final group of 1 character: dropped */
    MAILPARSE_ANOMALY_QP_BAD_ESCAPE,           /* '=' not followed by two hex digits: kept literally */
    MAILPARSE_ANOMALY_QP_LINE_TOO_LONG,        /* an encoded line over 76 characters */
    MAILPARSE_ANOMALY_CHARSET_UNKNOWN,         /* a charset ICU does not know: decoded as a fallback */
    MAILPARSE_ANOMALY_CHARSET_INVALID,         /* bytes invalid in their charset: replaced with U+FFFD */
    MAILPARSE_ANOMALY_8BIT_UNDECLARED,         /* 8-bit text without a charset: UTF-8 or windows-1252 guessed */
    MAILPARSE_ANOMALY_ENCODED_WORD_INVALID,    /* a malformed RFC 2047 word: kept as literal text */
    MAILPARSE_ANOMALY_ENCODED_WORD_IN_WORD,    /* an encoded word not delimited by whitespace: decoded anyway */
    MAILPARSE_ANOMALY_ENCODED_WORD_LIMIT,      /* more than max_encoded_words: the rest kept literal */
    MAILPARSE_ANOMALY_RFC2231_MISSING_SEGMENT, /* continuation segments with a gap */
    MAILPARSE_ANOMALY_RFC2231_OUT_OF_ORDER,    /* continuation segments out of order: sorted */
    MAILPARSE_ANOMALY_PARAM_INVALID,           /* a parameter without '=', unterminated quote, ... */
    MAILPARSE_ANOMALY_ADDRESS_INVALID,         /* an address list needed repair */
    MAILPARSE_ANOMALY_DATE_INVALID,            /* a date that could not be parsed */
    MAILPARSE_ANOMALY_DATE_OBSOLETE,           /* an obsolete date form (two-digit year, zone name) */
    MAILPARSE_ANOMALY_MESSAGE_ID_INVALID,      /* a msg-id without angle brackets or '@' */
    MAILPARSE_ANOMALY_MBOX_FROM_LINE,          /* an mbox "From " line before the headers: skipped */
    MAILPARSE_ANOMALY_KIND_COUNT
} mailparse_anomaly_kind;

/* Called for each repair, in input order. `offset` is a byte offset in the message. */
typedef void (*mailparse_anomaly_fn)(void *user, mailparse_anomaly_kind kind, size_t offset);

/* A short static name of an anomaly kind, e.g. "base64_bad_char"; never NULL. */
MAILPARSE_API const char *mailparse_anomaly_name(int kind);

/* ------------------------------------------------------------------------------------------ */
/* Parse options and limits                                                                    */

enum {
    /* The input buffer outlives the message: keep pointers into it instead of copying it.
     * Only for mailparse_parse(); the incremental parser always copies. */
    MAILPARSE_F_ZERO_COPY = 1u << 0,
    /* Skip charset conversion and transfer decoding of bodies (headers are still decoded).
     * mailparse_part.body/text are then NULL; for scanning structure only. */
    MAILPARSE_F_NO_BODY_DECODE = 1u << 1,
    /* Do not convert HTML-only messages to text in mailparse_message_text(). */
    MAILPARSE_F_NO_HTML_TO_TEXT = 1u << 2
};

/* Limits. Each 0 means the default given in the comment. What happens past each one:
 *  max_message_size   hard: mailparse_parse()/feed() return MAILPARSE_E_LIMIT.
 *  max_header_count   per part; the fields past it are ignored, HEADER_LIMIT is reported.
 *  max_header_size    per field (name, colon and all folded lines, not the final line end);
 *                     the value is cut there (offset_end stays true), HEADER_TOO_LONG.
 *  max_depth          multipart/message nesting; deeper content is one opaque part, DEPTH_LIMIT.
 *  max_parts          in the whole message; the rest stays in the last part's body, PART_LIMIT.
 *  max_encoded_words  per message; the rest stay as literal text, ENCODED_WORD_LIMIT. */
typedef struct mailparse_options {
    size_t struct_size;          /* sizeof(mailparse_options); lets the record grow */
    unsigned flags;              /* MAILPARSE_F_* */
    size_t max_message_size;     /* 0 = 256 MiB */
    size_t max_header_count;     /* 0 = 1000 */
    size_t max_header_size;      /* 0 = 65536 bytes */
    size_t max_depth;            /* 0 = 50 */
    size_t max_parts;            /* 0 = 10000 */
    size_t max_encoded_words;    /* 0 = 10000 */
    mailparse_anomaly_fn anomaly; /* may be NULL */
    void *anomaly_user;
    const char *default_charset; /* charset of undeclared 8-bit text; NULL = UTF-8 if valid, else windows-1252 */
} mailparse_options;

#define MAILPARSE_DEFAULT_MAX_MESSAGE_SIZE ((size_t)256 * 1024 * 1024)
#define MAILPARSE_DEFAULT_MAX_HEADER_COUNT 1000
#define MAILPARSE_DEFAULT_MAX_HEADER_SIZE 65536
#define MAILPARSE_DEFAULT_MAX_DEPTH 50
#define MAILPARSE_DEFAULT_MAX_PARTS 10000
#define MAILPARSE_DEFAULT_MAX_ENCODED_WORDS 10000

/* Fills `opts` with the defaults (all zero, struct_size set). */
MAILPARSE_API void mailparse_options_init(mailparse_options *opts);

/* ------------------------------------------------------------------------------------------ */
/* Parsing                                                                                     */

typedef struct mailparse_message mailparse_message; /* opaque, immutable once returned */
typedef struct mailparse_parser mailparse_parser;   /* opaque incremental parser */

/* Parses a whole message held in memory. `opts` may be NULL. An mbox "From " line before the
 * headers is skipped (reported). Bare LF and CRLF are both accepted.
 * Returns 0 and *out, or MAILPARSE_E_NOMEM / MAILPARSE_E_INVAL / MAILPARSE_E_LIMIT.
 * Free with mailparse_message_free(). */
MAILPARSE_API int mailparse_parse(const unsigned char *data, size_t len,
                                  const mailparse_options *opts, mailparse_message **out);

/* Starts an incremental parse. `opts` may be NULL; it is copied. */
MAILPARSE_API int mailparse_parser_new(const mailparse_options *opts, mailparse_parser **out);

/* Feeds the next `len` bytes (any split, even one byte at a time). The structure (headers,
 * part boundaries) is found as the bytes arrive. Returns 0, MAILPARSE_E_LIMIT when the
 * message grows past max_message_size, MAILPARSE_E_NOMEM, or MAILPARSE_E_STATE after finish. */
MAILPARSE_API int mailparse_parser_feed(mailparse_parser *p, const unsigned char *data, size_t len);

/* Non-zero once the top-level header block is complete (the empty line was seen), so a server
 * can act on the headers while the body still streams in. */
MAILPARSE_API int mailparse_parser_headers_done(const mailparse_parser *p);

/* Ends the input and yields the message, identical to mailparse_parse() of the same bytes.
 * The parser cannot be fed after this; free it with mailparse_parser_free(). */
MAILPARSE_API int mailparse_parser_finish(mailparse_parser *p, mailparse_message **out);

MAILPARSE_API void mailparse_parser_free(mailparse_parser *p);    /* NULL is fine */
MAILPARSE_API void mailparse_message_free(mailparse_message *m);  /* NULL is fine */

/* The raw message bytes (the caller's buffer under MAILPARSE_F_ZERO_COPY, else the copy). */
MAILPARSE_API const unsigned char *mailparse_message_raw(const mailparse_message *m, size_t *len);

/* Anomalies recorded while parsing, in input order. */
MAILPARSE_API size_t mailparse_message_anomaly_count(const mailparse_message *m);
MAILPARSE_API int mailparse_message_anomaly_at(const mailparse_message *m, size_t i,
                                               mailparse_anomaly_kind *kind, size_t *offset);

/* ------------------------------------------------------------------------------------------ */
/* Typed header values                                                                         */

/* A date. `timestamp` is UTC seconds since the epoch; the fields are as written, in the
 * zone `offset_minutes` east of UTC. */
typedef struct mailparse_date {
    int64_t timestamp;
    int year, month, day, hour, minute, second;
    int offset_minutes;
} mailparse_date;

/* One mailbox. `group` is the index of its group in the list, or -1 outside any group. */
typedef struct mailparse_address {
    const char *name;    /* display name, RFC 2047 decoded and unquoted; NULL when absent */
    const char *address; /* addr-spec (local@domain) as written; NULL when absent */
    int group;
} mailparse_address;

/* An address list with its groups. Group names are decoded; a group may be empty. */
typedef struct mailparse_address_list {
    size_t count;
    const mailparse_address *items;
    size_t group_count;
    const char *const *group_names;
} mailparse_address_list;

typedef struct mailparse_param {
    const char *name;    /* lowercased attribute name, without RFC 2231 "*N*" suffixes */
    const char *value;   /* value unquoted, RFC 2231 (or RFC 2047) decoded to UTF-8 */
    const char *language;/* RFC 2231 language tag, or NULL */
    size_t value_len;    /* bytes in value (a percent-encoded %00 makes it differ from strlen) */
} mailparse_param;

/* Content-Type (type + subtype) or Content-Disposition (type only, subtype NULL).
 * Type and subtype are lowercased. */
typedef struct mailparse_content_type {
    const char *type;
    const char *subtype;
    size_t param_count;
    const mailparse_param *params;
} mailparse_content_type;

/* A Received field split into its clauses (RFC 5321 §4.4 and common practice). Absent clauses
 * are NULL. `has_date` says whether `date` holds the date after the ';'. */
typedef struct mailparse_received {
    const char *from;       /* the host name or address literal after "from" */
    const char *from_ip;    /* an IP address given in the from clause's comment or literal */
    const char *from_iprev; /* the reverse name in the from clause's comment */
    const char *helo;       /* the HELO/EHLO name when the comment gives one (an address literal
                             * "[192.0.2.1]" as the bare address) */
    const char *by;
    const char *via;
    const char *with;       /* protocol: SMTP, ESMTP, ESMTPS, ESMTPSA, LMTP, HTTP, ... */
    const char *id;
    const char *for_addr;   /* the address of the for clause, without angle brackets */
    const char *ident;
    const char *tls_version;/* e.g. "TLSv1.3" */
    const char *tls_cipher;
    int has_date;
    mailparse_date date;
} mailparse_received;

/* A list of strings (message ids without <>, List-* URLs without <>, Keywords, languages). */
typedef struct mailparse_string_list {
    size_t count;
    const char *const *items;
} mailparse_string_list;

/* ------------------------------------------------------------------------------------------ */
/* Headers                                                                                     */

/* How a field's value is typed; chosen by the field name. */
typedef enum {
    MAILPARSE_VALUE_TEXT = 0,     /* unstructured text: unfolded and RFC 2047 decoded */
    MAILPARSE_VALUE_ADDRESSES,    /* From, Sender, Reply-To, To, Cc, Bcc, Resent-*, ... */
    MAILPARSE_VALUE_DATE,         /* Date, Resent-Date */
    MAILPARSE_VALUE_IDS,          /* Message-ID, In-Reply-To, References, Content-ID, Resent-Message-ID */
    MAILPARSE_VALUE_CONTENT_TYPE, /* Content-Type, Content-Disposition */
    MAILPARSE_VALUE_RECEIVED,     /* Received */
    MAILPARSE_VALUE_URLS,         /* List-Archive/Help/Owner/Post/Subscribe/Unsubscribe */
    MAILPARSE_VALUE_TEXT_LIST     /* Keywords, Content-Language: comma-separated, decoded */
} mailparse_value_kind;

/* One header field. Offsets are byte offsets in the raw message:
 *   offset_field  the first byte of the field name;
 *   offset_value  the first byte after the colon;
 *   offset_end    one past the field's final line end.
 * `raw_value` is the bytes from offset_value up to (not including) the final line end,
 * folding kept. `text` is the value unfolded, trimmed and RFC 2047 decoded (for every kind). */
typedef struct mailparse_header {
    const char *name;  size_t name_len;     /* as written */
    const char *raw_value; size_t raw_value_len;
    const char *text;  size_t text_len;
    size_t offset_field, offset_value, offset_end;
    mailparse_value_kind kind;
    /* Exactly one of these is set, per `kind` (none for TEXT). A value that does not parse
     * leaves the pointer NULL (DATE) or an empty list. */
    const mailparse_address_list *addresses;
    const mailparse_date *date;
    const mailparse_string_list *list;        /* IDS, URLS, TEXT_LIST */
    const mailparse_content_type *content_type;
    const mailparse_received *received;
} mailparse_header;

/* ------------------------------------------------------------------------------------------ */
/* Parts                                                                                       */

typedef enum {
    MAILPARSE_PART_TEXT = 0,  /* text/plain and other text/ *: `text` holds UTF-8 */
    MAILPARSE_PART_HTML,      /* text/html: `text` holds the HTML as UTF-8 */
    MAILPARSE_PART_BINARY,    /* anything else: `body` holds the decoded bytes */
    MAILPARSE_PART_MESSAGE,   /* message/rfc822 or message/global: the child is the nested message
                               * (a transfer-encoded one: see mailparse_part.nested instead) */
    MAILPARSE_PART_MULTIPART  /* multipart/ *: `children` are the parts */
} mailparse_part_kind;

typedef enum {
    MAILPARSE_ENC_7BIT = 0, MAILPARSE_ENC_8BIT, MAILPARSE_ENC_BINARY,
    MAILPARSE_ENC_BASE64, MAILPARSE_ENC_QUOTED_PRINTABLE,
    MAILPARSE_ENC_UUENCODE,   /* x-uuencode and friends: decoded */
    MAILPARSE_ENC_UNKNOWN     /* kept as is, ENCODING_UNKNOWN reported */
} mailparse_encoding;

enum {
    MAILPARSE_PART_ENCODING_PROBLEM = 1u << 0, /* decoding lost content: bytes outside base64, an unknown charset or encoding */
    MAILPARSE_PART_CHARSET_UNKNOWN = 1u << 1,  /* the declared charset is unknown to ICU */
    MAILPARSE_PART_TRUNCATED = 1u << 2,        /* cut by max_parts, or by the end of input inside an unclosed multipart */
    MAILPARSE_PART_DEFAULT_TYPE = 1u << 3      /* no Content-Type: the default (text/plain or digest's message/rfc822) */
};

/* Part 0 is the message itself. Parts are in document order; a part's parent has a lower id.
 * The parts of a nested message (message/rfc822) follow its MESSAGE part, whose single child
 * is the nested message's root part. Offsets:
 *   offset_header  first byte of the part's header block;
 *   offset_body    first byte of the body (after the empty line);
 *   offset_end     one past the body (before the line end that precedes a boundary). */
typedef struct mailparse_part {
    size_t id;
    long parent;                              /* -1 for part 0 */
    size_t child_count;
    const size_t *children;
    mailparse_part_kind kind;
    unsigned flags;                           /* MAILPARSE_PART_* */
    const mailparse_content_type *content_type;       /* never NULL (defaults applied) */
    const mailparse_content_type *disposition;        /* NULL when absent */
    const char *charset;      /* the effective charset of a text part (lowercased), or NULL */
    const char *filename;     /* Content-Disposition filename, else Content-Type name; decoded; or NULL */
    const char *content_id;   /* without angle brackets, or NULL */
    const char *description;  /* Content-Description decoded, or NULL */
    const char *location;     /* Content-Location, or NULL */
    const mailparse_string_list *language; /* Content-Language; never NULL (may be empty) */
    mailparse_encoding encoding;
    size_t offset_header, offset_body, offset_end;
    size_t header_first, header_count;        /* this part's fields: mailparse_header_at(m, header_first + k) */
    const unsigned char *body; size_t body_len; /* transfer-decoded bytes (all leaf kinds) */
    const char *text; size_t text_len;        /* TEXT/HTML: the body converted to UTF-8 */
    /* A MESSAGE part whose content was transfer-encoded (message/global in base64 or
     * quoted-printable, RFC 6532 §3.5): the message parsed from the decoded `body`, with
     * offsets into those bytes; it has no child in this list. NULL for every other part. */
    const struct mailparse_message *nested;
} mailparse_part;

MAILPARSE_API size_t mailparse_message_part_count(const mailparse_message *m);
/* Part `i` or NULL when out of range. */
MAILPARSE_API const mailparse_part *mailparse_message_part(const mailparse_message *m, size_t i);

/* All header fields of all parts in input order; a part's fields are a contiguous run. */
MAILPARSE_API size_t mailparse_message_header_count(const mailparse_message *m);
MAILPARSE_API const mailparse_header *mailparse_message_header_at(const mailparse_message *m, size_t i);

/* The `nth` (0 = first) field named `name` (case-insensitive) of part `part`, or NULL.
 * A negative `nth` counts from the last one (-1 = the last). */
MAILPARSE_API const mailparse_header *mailparse_part_header(const mailparse_message *m, size_t part,
                                                            const char *name, long nth);

/* Shortcuts for the top-level message (part 0); NULL when the field is absent. */
MAILPARSE_API const char *mailparse_message_subject(const mailparse_message *m);
MAILPARSE_API const mailparse_address_list *mailparse_message_addresses(const mailparse_message *m,
                                                                         const char *field);
MAILPARSE_API const mailparse_date *mailparse_message_date(const mailparse_message *m);
MAILPARSE_API const char *mailparse_message_id(const mailparse_message *m);

/* The RFC 8621 §4.1.4 body lists: ids of the parts that make up the text view, the HTML view
 * and the attachments. `*count` receives the length; the arrays are borrowed. */
MAILPARSE_API const size_t *mailparse_message_text_body(const mailparse_message *m, size_t *count);
MAILPARSE_API const size_t *mailparse_message_html_body(const mailparse_message *m, size_t *count);
MAILPARSE_API const size_t *mailparse_message_attachments(const mailparse_message *m, size_t *count);

/* The message's text: the text_body parts joined (an HTML part in it converted to text), or
 * NULL when there is none. Borrowed; computed once at parse time. */
MAILPARSE_API const char *mailparse_message_text(const mailparse_message *m, size_t *len);
/* The message's HTML: the html_body parts joined, a text part in it converted to HTML. Built
 * on request (most callers never need it); the caller owns *out (mailparse_free()). *out is
 * NULL when there is no body. Returns 0, MAILPARSE_E_INVAL or MAILPARSE_E_NOMEM. */
MAILPARSE_API int mailparse_message_html_dup(const mailparse_message *m, char **out, size_t *out_len);

/* A preview of the message text: whitespace collapsed, at most `max_chars` characters (code
 * points), cut at a word boundary when one is near, with "…" when cut.
 * The caller owns *out (mailparse_free()). Returns 0 or MAILPARSE_E_NOMEM. */
MAILPARSE_API int mailparse_message_preview(const mailparse_message *m, size_t max_chars,
                                            char **out, size_t *out_len);

/* ------------------------------------------------------------------------------------------ */
/* Header value parsers, usable on their own (same rules as inside the message parser).      */
/* Each fills a value owned by a mailparse_values object, freed with mailparse_values_free(). */

typedef struct mailparse_values mailparse_values; /* an arena holding parsed values */

MAILPARSE_API int mailparse_values_new(mailparse_values **out);
MAILPARSE_API void mailparse_values_free(mailparse_values *v); /* NULL is fine */

/* Each takes a raw field value (folding allowed) and returns 0 with *out set, or
 * MAILPARSE_E_SYNTAX (date, content type) / MAILPARSE_E_NOMEM. Lists never fail on syntax:
 * they keep what parses. `anomaly` may be NULL; offsets it gets are relative to `in`. */
MAILPARSE_API int mailparse_parse_addresses(mailparse_values *v, const char *in, size_t len,
                                            mailparse_anomaly_fn anomaly, void *user,
                                            const mailparse_address_list **out);
MAILPARSE_API int mailparse_parse_date(const char *in, size_t len, mailparse_date *out);
MAILPARSE_API int mailparse_parse_ids(mailparse_values *v, const char *in, size_t len,
                                      const mailparse_string_list **out);
MAILPARSE_API int mailparse_parse_urls(mailparse_values *v, const char *in, size_t len,
                                       const mailparse_string_list **out);
/* mailparse_parse_content_type() reads Content-Type ("type/subtype; params") and
 * Content-Disposition ("type; params": subtype NULL) alike. */
MAILPARSE_API int mailparse_parse_content_type(mailparse_values *v, const char *in, size_t len,
                                               mailparse_anomaly_fn anomaly, void *user,
                                               const mailparse_content_type **out);
MAILPARSE_API int mailparse_parse_received(mailparse_values *v, const char *in, size_t len,
                                           const mailparse_received **out);

/* Formats a timestamp + offset as an RFC 5322 date ("Tue, 1 Jul 2003 10:52:37 +0200") into
 * `buf` (at least 32 bytes). Returns 0 or MAILPARSE_E_INVAL. */
MAILPARSE_API int mailparse_format_date(int64_t timestamp, int offset_minutes, char *buf, size_t size);

/* ------------------------------------------------------------------------------------------ */
/* Codecs. Outputs are allocated and owned by the caller (mailparse_free()). Each `anomaly`     */
/* callback may be NULL; offsets it gets are relative to the input.                            */

/* base64 (RFC 2045 §6.8). Decoding skips characters outside the alphabet and tolerates
 * missing or excess padding (reported). Encoding wraps at `line_len` characters with CRLF
 * (0 = no wrapping; MIME uses 76). */
MAILPARSE_API int mailparse_base64_decode(const char *in, size_t len, unsigned char **out,
                                          size_t *out_len, mailparse_anomaly_fn anomaly, void *user);
MAILPARSE_API int mailparse_base64_encode(const unsigned char *in, size_t len, size_t line_len,
                                          char **out, size_t *out_len);

/* quoted-printable (RFC 2045 §6.7). Decoding keeps bad '=' escapes literally (reported),
 * removes soft line breaks and trailing whitespace before line ends. Encoding emits lines of
 * at most 76 characters with CRLF line ends; with MAILPARSE_QP_BINARY line ends in the input
 * are data (=0D=0A) instead of text line ends. */
enum { MAILPARSE_QP_BINARY = 1u << 0 };
MAILPARSE_API int mailparse_qp_decode(const char *in, size_t len, unsigned char **out,
                                      size_t *out_len, mailparse_anomaly_fn anomaly, void *user);
MAILPARSE_API int mailparse_qp_encode(const unsigned char *in, size_t len, unsigned flags,
                                      char **out, size_t *out_len);

/* Charset conversion through ICU. `charset` is any name or alias ICU knows plus the common
 * mail aliases; iso-8859-1/us-ascii decode as windows-1252 (WHATWG), UTF-7 and UTF-16/32 with
 * BOMs are handled. Undecodable bytes become U+FFFD and are reported (CHARSET_INVALID).
 * Returns MAILPARSE_E_CHARSET for an unknown charset (nothing is output). */
MAILPARSE_API int mailparse_charset_to_utf8(const char *charset, const unsigned char *in, size_t len,
                                            char **out, size_t *out_len,
                                            mailparse_anomaly_fn anomaly, void *user);
/* UTF-8 to `charset`. Characters the charset cannot hold become its substitution character;
 * returns MAILPARSE_E_CHARSET for an unknown charset. */
MAILPARSE_API int mailparse_charset_from_utf8(const char *charset, const char *in, size_t len,
                                              unsigned char **out, size_t *out_len);
/* The canonical (IANA/MIME preferred) name of a charset, or NULL when unknown. Static string. */
MAILPARSE_API const char *mailparse_charset_canonical(const char *charset);

/* RFC 2047. Decoding: encoded words anywhere in the input are decoded; whitespace between
 * adjacent encoded words is dropped, multibyte sequences split across words are joined, words
 * glued to other text are decoded too (reported). With MAILPARSE_2047_PHRASE the input is a
 * phrase (quoted strings unquoted, comments kept). Output is UTF-8 with folding removed. */
enum {
    MAILPARSE_2047_PHRASE = 1u << 0,
    /* Encoder only: the whole input as encoded words, blanks included, so its exact spacing
     * (leading, trailing, runs, tabs) survives readers that would normalise it. */
    MAILPARSE_2047_ALL = 1u << 1
};
MAILPARSE_API int mailparse_rfc2047_decode(const char *in, size_t len, unsigned flags, char **out,
                                           size_t *out_len, mailparse_anomaly_fn anomaly, void *user);
/* Encodes UTF-8 text as encoded words where needed (only words with non-ASCII or that would
 * be misread), choosing Q or B per word by size, `charset` "utf-8" when NULL. Words are at
 * most 75 characters and separated by folding whitespace (CRLF SP) so a header stays under
 * 78 columns when `first_line_used` columns are already taken; when the first word does not
 * fit there but fits a line of its own, the output starts with the fold. Runs of blanks are
 * kept on their line (readers collapse a folded run); when a line would pass 998 that way,
 * the whole text is written as encoded words. With MAILPARSE_2047_PHRASE the output is safe
 * as a display name (otherwise as unstructured text); with MAILPARSE_2047_ALL every byte
 * goes into encoded words. */
MAILPARSE_API int mailparse_rfc2047_encode(const char *in, size_t len, const char *charset,
                                           unsigned flags, size_t first_line_used,
                                           char **out, size_t *out_len);

/* RFC 2231. Encoding one parameter: returns the text to place after "; " — either
 * `name="value"` when the value is printable ASCII, short, and holds no "=?" (readers would
 * decode it as an RFC 2047 word), or the `name*0*=utf-8''...; name*1*=...`
 * form, split so no segment line exceeds 78 columns. `language` may be NULL. */
MAILPARSE_API int mailparse_rfc2231_encode(const char *name, const char *value, size_t len,
                                           const char *language, char **out, size_t *out_len);
/* Decoding is part of mailparse_parse_content_type(), which joins continuations (in any order),
 * decodes the charset'language'percent-encoded form, and RFC 2047 words in values. */

/* ------------------------------------------------------------------------------------------ */
/* HTML and text helpers                                                                       */

/* Converts HTML to plain text: tags dropped, block elements become line breaks, list items
 * get "- ", entities decoded (all HTML5 named entities), <script>/<style>/<head> dropped,
 * links written as "text <url>" when the URL differs from the text, whitespace collapsed. */
MAILPARSE_API int mailparse_html_to_text(const char *html, size_t len, char **out, size_t *out_len);

/* Converts plain text to HTML: escapes <>&", keeps line breaks as <br>, paragraphs as <p>,
 * links URLs, and renders format=flowed quoting (">") as blockquotes. */
MAILPARSE_API int mailparse_text_to_html(const char *text, size_t len, char **out, size_t *out_len);

/* The thread base subject (RFC 5256 §2.1 plus the common localized prefixes: Re, Fwd, Fw,
 * AW, WG, SV, VS, Antw, Doorst, RE, TR, RIF, R, I, Odp, YNT, ...; "[list]" tags, "(fwd)").
 * The caller owns *out. */
MAILPARSE_API int mailparse_thread_subject(const char *subject, size_t len, char **out, size_t *out_len);

/* ------------------------------------------------------------------------------------------ */
/* mbox and Maildir                                                                            */

typedef struct mailparse_mbox mailparse_mbox; /* opaque mbox reader */

enum {
    MAILPARSE_MBOX_RD = 0, /* mboxrd: one '>' is removed from every ">+From " line (default) */
    MAILPARSE_MBOX_O = 1,  /* mboxo: only ">From " lines lose their '>' */
    MAILPARSE_MBOX_CL = 2  /* honour Content-Length: headers (mboxcl2); no unquoting */
};

/* Reads an mbox held in memory (`data` must outlive the reader). `format` is MAILPARSE_MBOX_*. */
MAILPARSE_API int mailparse_mbox_open_buffer(const unsigned char *data, size_t len, int format,
                                             mailparse_mbox **out);
/* Reads an mbox from a file, a message at a time (the file is read in blocks). */
MAILPARSE_API int mailparse_mbox_open_file(const char *path, int format, mailparse_mbox **out);
/* Next message's bytes, unquoted, without the "From " line. *data stays valid until the next
 * call or mailparse_mbox_free(). `from_line` (may be NULL) receives the envelope line without
 * its line end ("" for a first message without one), `offset` (may be NULL) the byte offset
 * of the "From " line in the mbox. Returns 0, MAILPARSE_E_EOF at the end, MAILPARSE_E_IO,
 * MAILPARSE_E_NOMEM, or MAILPARSE_E_LIMIT when a message in file mode exceeds the size cap
 * (`offset` set; the next call continues after it). */
MAILPARSE_API int mailparse_mbox_next(mailparse_mbox *mb, const unsigned char **data, size_t *len,
                                      const char **from_line, size_t *offset);
/* File mode: the largest message kept (0 = 256 MiB). Call before the first mailparse_mbox_next();
 * returns 0 or MAILPARSE_E_INVAL. */
MAILPARSE_API int mailparse_mbox_set_max_message_size(mailparse_mbox *mb, size_t max);
MAILPARSE_API void mailparse_mbox_free(mailparse_mbox *mb); /* NULL is fine */

/* Maildir flags from a file name ("1234.host:2,FRS"): a bitmask of MAILPARSE_MAILDIR_*. */
enum {
    MAILPARSE_MAILDIR_DRAFT = 1u << 0,   /* D */
    MAILPARSE_MAILDIR_FLAGGED = 1u << 1, /* F */
    MAILPARSE_MAILDIR_PASSED = 1u << 2,  /* P */
    MAILPARSE_MAILDIR_REPLIED = 1u << 3, /* R */
    MAILPARSE_MAILDIR_SEEN = 1u << 4,    /* S */
    MAILPARSE_MAILDIR_TRASHED = 1u << 5  /* T */
};
/* Returns the flags of `filename` (0 when it has no ":2," info); lowercase letters are
 * Dovecot keywords and are returned in `keywords` (may be NULL): a bitmask a=bit0 .. z=bit25. */
MAILPARSE_API unsigned mailparse_maildir_flags(const char *filename, unsigned *keywords);

typedef struct mailparse_maildir mailparse_maildir; /* opaque Maildir lister */
/* Lists the messages of a Maildir (its new/ and cur/ folders), sorted by name. */
MAILPARSE_API int mailparse_maildir_open(const char *path, mailparse_maildir **out);
MAILPARSE_API size_t mailparse_maildir_count(const mailparse_maildir *md);
/* The path of message `i` (borrowed), whether it is in new/, and its flags. */
MAILPARSE_API const char *mailparse_maildir_path(const mailparse_maildir *md, size_t i,
                                                 int *is_new, unsigned *flags);
MAILPARSE_API void mailparse_maildir_free(mailparse_maildir *md); /* NULL is fine */

#ifdef __cplusplus
}
#endif
#endif /* MAILPARSE_H */
