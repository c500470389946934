/* mailbuild.h — building RFC 5322 / MIME messages, byte-exact and round-trip safe.
 *
 * A mailbuild_message collects header fields and a tree of body parts, then serialises them:
 * to a write callback (streamed, bodies encoded a block at a time), to a buffer, or just
 * measured (the exact size before writing). Values go in as UTF-8 and come out encoded the way
 * RFC 5322, RFC 2045-2049, RFC 2047, RFC 2231 and (with MAILBUILD_F_SMTPUTF8) RFC 6532 say:
 * display names and text encoded only where needed, headers folded at 78 columns and never
 * over 998, each body given the transfer encoding its content calls for, CRLF everywhere.
 *
 * Conventions (the same in every libmail library):
 *  - Functions returning `int` give 0 on success or a negative MAILBUILD_E_* code;
 *    mailbuild_strerror() names it. Nothing here prints, aborts or exits.
 *  - A call that fails changes nothing: a rejected value (an address with a line break, a
 *    header name with a space, ...) is never stored, so it can never be written.
 *  - Strings given to the library are UTF-8, NUL-terminated unless a length is passed; the
 *    library copies them. Body data is copied too, unless MAILBUILD_F_BORROW_DATA is set.
 *  - Parts belong to the message that made them and are freed with it.
 *  - The codecs are libmailparse's (base64, quoted-printable, RFC 2047, RFC 2231, charsets).
 *  - Time and randomness come from the options, so a test can compare bytes.
 */
#ifndef MAILBUILD_H
#define MAILBUILD_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(_WIN32) && defined(MAILBUILD_BUILDING)
#define MAILBUILD_API __declspec(dllexport)
#elif defined(__GNUC__) && defined(MAILBUILD_BUILDING)
#define MAILBUILD_API __attribute__((visibility("default")))
#else
#define MAILBUILD_API
#endif

#define MAILBUILD_VERSION_MAJOR 0
#define MAILBUILD_VERSION_MINOR 1
#define MAILBUILD_VERSION_PATCH 0
#define MAILBUILD_VERSION_NUMBER \
    (MAILBUILD_VERSION_MAJOR * 10000 + MAILBUILD_VERSION_MINOR * 100 + MAILBUILD_VERSION_PATCH)

/* The version of the library actually linked, as "MAJOR.MINOR.PATCH". */
MAILBUILD_API const char *mailbuild_version(void);
/* The same as MAILBUILD_VERSION_NUMBER of the linked library. */
MAILBUILD_API int mailbuild_version_number(void);

/* ------------------------------------------------------------------------------------------ */
/* Errors                                                                                      */

enum {
    MAILBUILD_OK = 0,
    MAILBUILD_E_NOMEM = -1,       /* an allocation failed; nothing was changed */
    MAILBUILD_E_INVAL = -2,       /* a bad argument (NULL where not allowed, unknown enum value) */
    MAILBUILD_E_LIMIT = -3,       /* a limit was hit (nesting depth, parts, a line over 998) */
    MAILBUILD_E_UNSUPPORTED = -4, /* valid but not supported (non-ASCII address without SMTPUTF8) */
    MAILBUILD_E_CHARSET = -5,     /* a charset unknown to ICU */
    MAILBUILD_E_HEADER_NAME = -6, /* a field name outside RFC 5322 ftext, empty, or one the
                                   * library writes itself (MIME-Version, Content-*) */
    MAILBUILD_E_INJECTION = -7,   /* a CR, LF or NUL where a value must stay on its line: a
                                   * header injection attempt */
    MAILBUILD_E_ADDRESS = -8,     /* an address that is not a valid addr-spec */
    MAILBUILD_E_MESSAGE_ID = -9,  /* a msg-id / Content-ID that is not "id-left@id-right" */
    MAILBUILD_E_STATE = -10,      /* the call does not fit the state (a part already placed,
                                   * closing a group that is not open, ...) */
    MAILBUILD_E_WRITE = -11       /* the write callback reported a failure; output is partial */
};

/* A static English description of an error code; never NULL. */
MAILBUILD_API const char *mailbuild_strerror(int code);

/* ------------------------------------------------------------------------------------------ */
/* Memory                                                                                      */

/* Replaces the allocator for what this library allocates (call once, first; NULLs restore
 * malloc/realloc/free). The codecs run in libmailparse, which has its own hooks:
 * mailparse_set_allocator(). */
MAILBUILD_API void mailbuild_set_allocator(void *(*malloc_fn)(size_t),
                                           void *(*realloc_fn)(void *, size_t),
                                           void (*free_fn)(void *));

/* Frees memory the library handed to the caller (mailbuild_to_buffer()). NULL is fine. */
MAILBUILD_API void mailbuild_free(void *p);

/* ------------------------------------------------------------------------------------------ */
/* Options                                                                                     */

enum {
    /* RFC 6532: raw UTF-8 in display names, text fields, addresses and filenames instead of
     * RFC 2047/2231 encodings, and 8bit bodies where they fit. For SMTPUTF8 transports. */
    MAILBUILD_F_SMTPUTF8 = 1u << 0,
    /* The transport takes 8BITMIME: UTF-8 text bodies go as 8bit when their lines fit. */
    MAILBUILD_F_8BIT = 1u << 1,
    /* Body data passed to the library is not copied: it must outlive the message. */
    MAILBUILD_F_BORROW_DATA = 1u << 2,
    /* Do not add Date / Message-ID when the caller set none. */
    MAILBUILD_F_NO_DATE = 1u << 3,
    MAILBUILD_F_NO_MESSAGE_ID = 1u << 4
};

/* Fills `buf` with `len` random bytes (boundaries, Message-IDs). */
typedef void (*mailbuild_random_fn)(void *user, unsigned char *buf, size_t len);
/* The current time in seconds since the epoch (the default Date). */
typedef int64_t (*mailbuild_clock_fn)(void *user);

/* Limits (0 = the default in the comment):
 *  max_depth   levels of parts, the body being level 1 (a leaf inside one multipart is at
 *              level 2); an append that goes deeper fails with MAILBUILD_E_LIMIT. A message
 *              built within N levels is read whole by libmailparse with its max_depth N.
 *  max_parts   parts made for the message, counting replaced ones and the multiparts the
 *              writer adds for the common shapes; one more fails with MAILBUILD_E_LIMIT (at
 *              the first output, for the writer's own). */
typedef struct mailbuild_options {
    size_t struct_size;          /* sizeof(mailbuild_options); lets the record grow */
    unsigned flags;              /* MAILBUILD_F_* */
    mailbuild_clock_fn clock;    /* NULL = time() */
    void *clock_user;
    int utc_offset_minutes;      /* the zone written in the default Date (+0000 when 0) */
    mailbuild_random_fn random;  /* NULL = the operating system's generator (getrandom) */
    void *random_user;
    const char *message_id_domain; /* right side of generated Message-IDs; NULL = the domain
                                    * of the first From address when it is an ASCII name (not
                                    * a literal, not UTF-8), else "localhost" */
    size_t max_depth;            /* 0 = 50 (libmailparse reads 50 by default) */
    size_t max_parts;            /* 0 = 10000 */
} mailbuild_options;

#define MAILBUILD_DEFAULT_MAX_DEPTH 50
#define MAILBUILD_DEFAULT_MAX_PARTS 10000

/* Fills `opts` with the defaults (all zero, struct_size set). */
MAILBUILD_API void mailbuild_options_init(mailbuild_options *opts);

/* ------------------------------------------------------------------------------------------ */
/* The message and its header fields                                                           */

typedef struct mailbuild_message mailbuild_message; /* opaque; one thread at a time */
typedef struct mailbuild_part mailbuild_part;       /* opaque; owned by its message */

/* A new empty message. `opts` may be NULL; it is copied (and message_id_domain with it).
 * Free with mailbuild_message_free(). Returns 0, MAILBUILD_E_NOMEM or MAILBUILD_E_INVAL. */
MAILBUILD_API int mailbuild_message_new(const mailbuild_options *opts, mailbuild_message **out);
MAILBUILD_API void mailbuild_message_free(mailbuild_message *m); /* NULL is fine */

/* Header fields are written in the order they were first added; Date, Message-ID (when not
 * set and not disabled) and MIME-Version follow them, then the body's Content-* fields.
 * A field name is 1-76 characters of RFC 5322 ftext (printable ASCII but ':'); MIME-Version,
 * Content-Type, Content-Transfer-Encoding, Content-Disposition and Content-ID are reserved
 * (the library writes them from the parts) and give MAILBUILD_E_HEADER_NAME, as does an
 * invalid name. Names compare case-insensitively. Values are folded at a single space before
 * a word that would pass column 78; a run of blanks stays on its line unless the line would
 * pass 998 (common readers turn a folded run into one space). */

/* Adds one mailbox to an address field: From, Sender, Reply-To, To, Cc, Bcc, Resent-*,
 * Disposition-Notification-To or any other. `name` (may be NULL or "") is the display name:
 * written as an atom, a quoted string, or RFC 2047 words (raw UTF-8 with SMTPUTF8) —
 * whichever its content needs. `address` is an addr-spec "local@domain", the local part as
 * it is or already quoted ("\"john doe\"@example.com", as parsers return it): a local part
 * that is not a dot-atom is written quoted; non-ASCII needs MAILBUILD_F_SMTPUTF8 (else
 * MAILBUILD_E_UNSUPPORTED); a CR, LF or NUL anywhere gives MAILBUILD_E_INJECTION; no '@', an
 * empty side, a control character, a local part over 64 octets, a bad domain or over 254
 * octets in all gives MAILBUILD_E_ADDRESS (the RFC 5321 limits: what SMTP can carry). While a group of the
 * field is open the mailbox goes into it. Bcc is written like the others: leave it out of a
 * message you submit if the recipients must not see it. */
MAILBUILD_API int mailbuild_add_address(mailbuild_message *m, const char *field, const char *name,
                                        const char *address);
/* Opens a group ("name:" ... ";", RFC 5322 §3.4) in an address field; mailboxes added to the
 * field go into it until mailbuild_group_close(). A group closed at once is an empty group
 * ("Undisclosed recipients:;"). Closing with no open group gives MAILBUILD_E_STATE; a group
 * still open when the message is written is closed there. */
MAILBUILD_API int mailbuild_group_open(mailbuild_message *m, const char *field, const char *name);
MAILBUILD_API int mailbuild_group_close(mailbuild_message *m, const char *field);

/* Subject (replaces an earlier one): unstructured text, RFC 2047-encoded where needed (raw
 * UTF-8 with SMTPUTF8). Leading and trailing whitespace is not written: readers drop it. */
MAILBUILD_API int mailbuild_set_subject(mailbuild_message *m, const char *subject);
/* Date (replaces the default): `timestamp` in seconds since the epoch, written in the zone
 * `offset_minutes` east of UTC (-1439..1439). RFC 5322 §3.3 years run 1900-9999 in that zone:
 * a time outside gives MAILBUILD_E_INVAL. */
MAILBUILD_API int mailbuild_set_date(mailbuild_message *m, int64_t timestamp, int offset_minutes);
/* Message-ID (replaces the generated one), with or without the angle brackets. */
MAILBUILD_API int mailbuild_set_message_id(mailbuild_message *m, const char *id);
/* Appends a msg-id to a list field: In-Reply-To, References, or another of the same syntax.
 * Validation as mailbuild_set_message_id(). */
MAILBUILD_API int mailbuild_add_message_id(mailbuild_message *m, const char *field, const char *id);
/* Appends "<url>" to a URL-list field: List-Help, List-Unsubscribe, List-Subscribe,
 * List-Post, List-Owner, List-Archive (RFC 2369). The URL must be printable ASCII without
 * '<', '>' or spaces (MAILBUILD_E_INJECTION for a line break, MAILBUILD_E_INVAL otherwise). */
MAILBUILD_API int mailbuild_add_url(mailbuild_message *m, const char *field, const char *url);
/* Appends a phrase to Keywords (comma-separated; each encoded like a display name). */
MAILBUILD_API int mailbuild_add_keyword(mailbuild_message *m, const char *keyword);
/* Adds a field holding unstructured text (Comments, X-*, ...): encoded and folded as the
 * Subject is. A CR or LF in `value` gives MAILBUILD_E_INJECTION. */
MAILBUILD_API int mailbuild_add_text_header(mailbuild_message *m, const char *name, const char *value);
/* Adds a field whose value the caller formatted. It may be folded (CRLF followed by a space or
 * tab); any other CR or LF, a NUL, or an empty line gives MAILBUILD_E_INJECTION; a line over
 * 998 octets (the first counted with "Name: ") gives MAILBUILD_E_LIMIT; 8-bit bytes need
 * MAILBUILD_F_SMTPUTF8 and valid UTF-8 (else MAILBUILD_E_UNSUPPORTED). Long unfolded values
 * are folded at spaces. */
MAILBUILD_API int mailbuild_add_raw_header(mailbuild_message *m, const char *name, const char *value);
/* Removes every field named `name` the caller added (not a generated one). Returns how many
 * were removed, or MAILBUILD_E_INVAL. */
MAILBUILD_API int mailbuild_remove_header(mailbuild_message *m, const char *name);

/* ------------------------------------------------------------------------------------------ */
/* The body: the common shapes                                                                 */

/* These build the usual structure, whatever the order of the calls:
 *   multipart/mixed            when there are attachments
 *     multipart/related        when there are inline parts
 *       multipart/alternative  when there are both text and HTML
 *         text/plain
 *         text/html
 *       inline parts (Content-ID)
 *     attachments
 * Each level is left out when it would hold one part. Text is UTF-8 (converted to the part's
 * charset when one is set); line ends of any kind become CRLF. Each returns the new part in
 * *part when `part` is not NULL, for further settings. mailbuild_set_body() replaces all this
 * with a tree of the caller's. */
MAILBUILD_API int mailbuild_set_text(mailbuild_message *m, const char *text, size_t len,
                                     mailbuild_part **part);
MAILBUILD_API int mailbuild_set_html(mailbuild_message *m, const char *html, size_t len,
                                     mailbuild_part **part);
/* An attachment (Content-Disposition: attachment). `content_type` may be NULL: guessed from
 * the filename's extension, else application/octet-stream; a guessed text type whose data
 * is not UTF-8 becomes application/octet-stream (the bytes go as they are). A given text
 * type needs UTF-8 data (MAILBUILD_E_INVAL). `filename` may be NULL. A
 * message/rfc822 attachment is written as the message it holds (line ends made CRLF), 7bit
 * or 8bit; one that cannot travel so (a NUL, a line over 998) is base64-encoded, which
 * RFC 2046 §5.2.1 does not allow but readers accept; force MAILBUILD_ENC_BINARY to keep it. */
MAILBUILD_API int mailbuild_add_attachment(mailbuild_message *m, const unsigned char *data,
                                           size_t len, const char *content_type,
                                           const char *filename, mailbuild_part **part);
/* An inline part referenced from the HTML as "cid:<content_id>" (Content-Disposition: inline,
 * Content-ID: <content_id>). `content_type` and `filename` as for attachments. */
MAILBUILD_API int mailbuild_add_inline(mailbuild_message *m, const unsigned char *data, size_t len,
                                       const char *content_type, const char *content_id,
                                       const char *filename, mailbuild_part **part);

/* ------------------------------------------------------------------------------------------ */
/* The body: any tree                                                                          */

/* A leaf part: `content_type` is "type/subtype" (parameters are set separately); for a text type
 * the data is UTF-8 (MAILBUILD_E_INVAL otherwise; mailbuild_part_set_charset() picks the
 * charset it is written in). message/rfc822 and message/global
 * data is a whole message. Returns MAILBUILD_E_INVAL for a malformed type or a multipart/
 * one. The part is unplaced until appended or made the body. */
MAILBUILD_API int mailbuild_part_new(mailbuild_message *m, const char *content_type,
                                     const unsigned char *data, size_t len, mailbuild_part **out);
/* A multipart part ("mixed", "alternative", "related", "digest", "signed", any token). */
MAILBUILD_API int mailbuild_multipart_new(mailbuild_message *m, const char *subtype,
                                          mailbuild_part **out);
/* Appends an unplaced `child` to a multipart `parent` (MAILBUILD_E_STATE when the child is
 * already placed or would contain its parent, MAILBUILD_E_INVAL when the parent is a leaf,
 * MAILBUILD_E_LIMIT past max_depth). */
MAILBUILD_API int mailbuild_part_append(mailbuild_part *parent, mailbuild_part *child);
/* Makes an unplaced part the message body, replacing the common shapes above. */
MAILBUILD_API int mailbuild_set_body(mailbuild_message *m, mailbuild_part *root);

/* Sets a Content-Type parameter (replacing one of the same name). Values that are not short
 * printable ASCII are written in RFC 2231 form (raw UTF-8 with SMTPUTF8 when they fit).
 * "charset" and "boundary" are the library's: use mailbuild_part_set_charset(). */
MAILBUILD_API int mailbuild_part_set_param(mailbuild_part *p, const char *name, const char *value);
/* The filename: Content-Disposition's filename (RFC 2231 when needed) and, for old clients,
 * Content-Type's name (RFC 2047 words when needed). A leaf without a disposition gets
 * "attachment". Path separators are kept: strip directories before if they are private. */
MAILBUILD_API int mailbuild_part_set_filename(mailbuild_part *p, const char *filename);
/* Content-Disposition type: "inline", "attachment" or another token. */
MAILBUILD_API int mailbuild_part_set_disposition(mailbuild_part *p, const char *disposition);
/* Content-ID, with or without angle brackets (validated like a Message-ID). */
MAILBUILD_API int mailbuild_part_set_content_id(mailbuild_part *p, const char *content_id);
/* The charset text data is written in: the UTF-8 given is converted through ICU (characters
 * the charset lacks become its substitution character). NULL = "utf-8", or "us-ascii" when
 * the text is ASCII. MAILBUILD_E_CHARSET when ICU does not know it; MAILBUILD_E_UNSUPPORTED
 * when it does not write ASCII as ASCII (UTF-16, UTF-32: RFC 2046 §4.1.1 breaks text lines
 * with the octets CR LF); MAILBUILD_E_INVAL when a forced encoding no longer fits. */
MAILBUILD_API int mailbuild_part_set_charset(mailbuild_part *p, const char *charset);
/* A header field on the part (Content-Description, Content-Language, Content-Location,
 * X-*, ...); text headers are encoded as for the message, raw ones checked the same way. */
MAILBUILD_API int mailbuild_part_add_text_header(mailbuild_part *p, const char *name, const char *value);
MAILBUILD_API int mailbuild_part_add_raw_header(mailbuild_part *p, const char *name, const char *value);

typedef enum {
    MAILBUILD_ENC_AUTO = 0, /* chosen from the content (the default) */
    MAILBUILD_ENC_7BIT,
    MAILBUILD_ENC_8BIT,
    MAILBUILD_ENC_BINARY,
    MAILBUILD_ENC_QP,
    MAILBUILD_ENC_BASE64
} mailbuild_encoding;

/* Forces a leaf's transfer encoding. One the content does not fit gives MAILBUILD_E_INVAL:
 * 7bit with 8-bit bytes, 7bit/8bit with a NUL or a line over 998, quoted-printable or base64
 * on message/rfc822 (RFC 2046 §5.2.1), anything on a multipart. Text parts with 7bit/8bit
 * have their line ends made CRLF; binary keeps the bytes as they are. */
MAILBUILD_API int mailbuild_part_set_encoding(mailbuild_part *p, mailbuild_encoding enc);
/* The encoding the part is written with (AUTO resolved; multiparts: 7bit, or 8bit/binary
 * when a child needs it). */
MAILBUILD_API mailbuild_encoding mailbuild_part_encoding(mailbuild_part *p);
/* "7bit", "8bit", "binary", "quoted-printable", "base64"; NULL for an unknown value. */
MAILBUILD_API const char *mailbuild_encoding_name(mailbuild_encoding enc);

/* The MIME type guessed from a filename's extension (about 90 common ones, case-insensitive),
 * or "application/octet-stream". Static string. */
MAILBUILD_API const char *mailbuild_guess_type(const char *filename);

/* ------------------------------------------------------------------------------------------ */
/* Output                                                                                      */

/* Receives the next `len` bytes of the message; returns 0, or non-zero to stop writing. */
typedef int (*mailbuild_write_fn)(void *user, const char *data, size_t len);

/* Writes the message through `fn`, in pieces of at most 64 KiB: headers, then each body
 * encoded a block at a time (no whole encoded copy is made). The first of mailbuild_write(),
 * mailbuild_size() and mailbuild_to_buffer() fixes the generated values (Date, Message-ID,
 * boundaries), so later calls give the same bytes. A message without a body gets an empty
 * text/plain one. The output ends with CRLF, except when the body is one text part written
 * as 7bit or 8bit that does not end with a line end (adding one would change the text;
 * quoted-printable ends such text with a soft line break instead). Returns 0, MAILBUILD_E_WRITE when `fn` failed (the output is then partial),
 * MAILBUILD_E_NOMEM, MAILBUILD_E_CHARSET, MAILBUILD_E_STATE for a multipart without parts
 * (or a random source that repeats itself until no boundary is unique), MAILBUILD_E_LIMIT
 * when a header line cannot be kept within 998 octets, or MAILBUILD_E_INVAL when the clock
 * gives a time that cannot be written as a date. */
MAILBUILD_API int mailbuild_write(mailbuild_message *m, mailbuild_write_fn fn, void *user);
/* The exact number of bytes mailbuild_write() produces. */
MAILBUILD_API int mailbuild_size(mailbuild_message *m, size_t *size);
/* The whole message in one allocation (NUL-terminated; free with mailbuild_free()). Errors
 * as mailbuild_write(). */
MAILBUILD_API int mailbuild_to_buffer(mailbuild_message *m, char **out, size_t *len);

#ifdef __cplusplus
}
#endif
#endif /* MAILBUILD_H */
