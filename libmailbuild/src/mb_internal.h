/* mb_internal.h — libmailbuild's private structures and the contracts between its files. */
#ifndef MB_INTERNAL_H
#define MB_INTERNAL_H

#include "mailbuild.h"

#include "lm_arena.h"
#include "lm_buf.h"

#include <stddef.h>
#include <stdint.h>

/* RFC 5322 §2.1.1: lines SHOULD stay within 78 characters and MUST within 998. */
#define MB_LINE_SOFT 78
#define MB_LINE_HARD 998
/* Longest field name accepted (so "Name: " plus a word fits a line). */
#define MB_NAME_MAX 76
/* Longest addr-spec (RFC 5321 §4.5.3.1.3: a path of 256 octets with its brackets). */
#define MB_ADDRESS_MAX 254
/* The deepest nesting an option may ask for (the writer recurses once per level). */
#define MB_DEPTH_CEILING 1000

/* ---- header fields ----------------------------------------------------------------------- */

enum mb_field_kind {
    MB_FIELD_ADDRESS,  /* mailboxes and groups */
    MB_FIELD_TEXT,     /* unstructured text, encoded when written */
    MB_FIELD_RAW,      /* the caller's bytes, checked */
    MB_FIELD_IDS,      /* msg-id list */
    MB_FIELD_URLS,     /* RFC 2369 "<url>, <url>" */
    MB_FIELD_KEYWORDS, /* phrase list */
    MB_FIELD_DATE
};

enum mb_item_kind { MB_ITEM_MAILBOX, MB_ITEM_GROUP_OPEN, MB_ITEM_GROUP_CLOSE, MB_ITEM_WORD };

struct mb_item {
    struct mb_item *next;
    enum mb_item_kind kind;
    const char *name;  /* display name, group name; may be NULL */
    const char *value; /* addr-spec, msg-id (no brackets), URL, keyword */
};

struct mb_field {
    struct mb_field *next;
    enum mb_field_kind kind;
    const char *name;
    const char *value; /* TEXT / RAW */
    struct mb_item *items, *last;
    int open_group;    /* ADDRESS: a group is open */
    int64_t date;      /* DATE */
    int date_offset;
};

struct mb_fields {
    struct mb_field *first, *last;
};

/* ---- parts ------------------------------------------------------------------------------- */

struct mb_param {
    struct mb_param *next;
    const char *name, *value;
};

/* What the writer needs to know about a leaf's bytes, measured once. */
struct mb_scan {
    size_t high;         /* bytes >= 0x80 */
    size_t escapes;      /* bytes quoted-printable must escape */
    size_t max_line;     /* longest line, line end not counted */
    int nul;             /* a NUL byte */
    int bare_eol;        /* a CR or LF that is not part of CRLF */
    int ends_crlf;       /* ends with CRLF (or is empty) */
    int utf8;            /* valid UTF-8 */
};

struct mailbuild_part {
    mailbuild_message *msg;
    mailbuild_part *parent, *first, *last, *next;
    int multipart;
    int placed;              /* appended, the body, or in a common-shape slot */
    int internal;            /* made by the writer for the common shapes */
    const char *type, *subtype;
    const unsigned char *data; /* as given (UTF-8 for text) */
    size_t len;
    struct mb_param *params;
    const char *filename, *disposition, *content_id, *charset;
    struct mb_fields headers;
    mailbuild_encoding forced;
    /* Resolved by mb_part_prepare(): the bytes written (converted, CRLF-normalised) and how. */
    int prepared;
    const unsigned char *out;
    size_t out_len;
    struct mb_scan scan;
    mailbuild_encoding enc;
    char boundary[40];
};

/* ---- the message ------------------------------------------------------------------------- */

struct mailbuild_message {
    lm_arena *arena;
    mailbuild_options opts;
    struct mb_fields fields;
    size_t parts;
    mailbuild_part *body;                 /* mailbuild_set_body() */
    mailbuild_part *text, *html;          /* the common shapes */
    mailbuild_part *inlines, *inlines_last, *attachments, *attachments_last;
    mailbuild_part *shape_alt, *shape_related, *shape_mixed, *shape_empty;
    int date_fixed;                       /* the generated Date is chosen */
    int64_t date;
    int date_offset;
    char message_id[300];                 /* 32 hex digits, '@', a domain of up to 253 */
};


/* header_check.c — validation of what callers give. Each returns 0 or a MAILBUILD_E_* code. */
int mb_check_field_name(const char *name);
int mb_check_utf8_line(const char *s, size_t len);        /* UTF-8, no CR/LF/NUL */
int mb_check_token(const char *s);                        /* RFC 2045 token */
int mb_check_addr_spec(const mailbuild_message *m, const char *addr);
/* An addr-spec whose local part is given as a quoted string ("a b"@x), unquoted (a b@x) into
 * the arena; any other address as it is. */
int mb_unquote_local(mailbuild_message *m, const char *addr, const char **out);
int mb_check_msg_id(const char *id, const char **start, size_t *len);
int mb_check_id_domain(const char *domain);
int mb_check_url(const char *url);
int mb_check_raw_value(const mailbuild_message *m, const char *name, const char *value);
int mb_is_dot_atom(const char *s, size_t len);

/* header_fold.c — a structured field being written: items with fold points between them. */
struct mb_fold {
    lm_buf *out;
    size_t col;        /* columns used on the current line */
    size_t items;      /* items written so far */
    size_t start;      /* where the field begins in `out` */
    int force;         /* fold before the next item whatever its width */
};
void mb_fold_begin(struct mb_fold *f, lm_buf *out, const char *name);
/* Appends `punct` (may be "") right after the previous item, then a space or a fold, then the
 * item (which may itself hold folds, "CRLF SP"). `trail` is the width of what will follow the
 * item on its line (the next item's ',' or ';'), counted when deciding to fold. */
void mb_fold_item(struct mb_fold *f, const char *punct, const char *item, size_t len, size_t trail);
/* The width of the first line of an item. */
size_t mb_first_line(const char *item, size_t len);
/* Ends the field with CRLF; MAILBUILD_E_LIMIT when a line passed 998 octets. */
int mb_fold_end(struct mb_fold *f);
/* Unstructured text as a field value (RFC 2047 or raw UTF-8) starting at column `col`. */
int mb_encode_text(const mailbuild_message *m, const char *text, size_t col, lm_buf *out);
/* A phrase (display name, keyword) in the cheapest form its content allows. */
int mb_encode_phrase(const mailbuild_message *m, const char *phrase, size_t col, lm_buf *out);
/* RFC 2047 §5(3): an encoded word in a phrase is separated from a special after it (the ':'
 * of a group, the ',' of a list) by white space: appends a space when `out` ends with one. */
void mb_space_after_encoded(lm_buf *out);
/* Appends a quoted string of `s` (escaping '"' and '\'). */
void mb_put_quoted(lm_buf *out, const char *s, size_t len);

/* address.c */
/* A mailbox for column `col`; `trail` columns (a ',') will follow it on its last line. */
int mb_format_mailbox(const mailbuild_message *m, const struct mb_item *it, size_t col, size_t trail,
                      lm_buf *out);
int mb_write_address_field(const mailbuild_message *m, const struct mb_field *f, lm_buf *out);

/* message.c */
int mb_fields_add(mailbuild_message *m, struct mb_fields *fs, const char *name,
                  enum mb_field_kind kind, const char *value, struct mb_field **out);
struct mb_field *mb_fields_find(const struct mb_fields *fs, const char *name);
int mb_write_fields(const mailbuild_message *m, const struct mb_fields *fs, lm_buf *out);
char *mb_strdup(mailbuild_message *m, const char *s);
/* Whether a Date can be written: years 1900-9999 in the zone, a zone within ±23:59. */
int mb_date_ok(int64_t timestamp, int offset_minutes);

/* part.c */
int mb_part_alloc(mailbuild_message *m, int multipart, mailbuild_part **out);
int mb_write_part_headers(const mailbuild_message *m, const mailbuild_part *p, lm_buf *out);

/* encoding.c — scanning a leaf and choosing its transfer encoding. */
/* Measures [p, p+n); with `stop_at_8bit` it stops at the first 8-bit byte or NUL. */
void mb_scan_bytes(const unsigned char *p, size_t n, int stop_at_8bit, struct mb_scan *s);
int mb_part_prepare(mailbuild_part *p);
/* Prepares again after a change; MAILBUILD_E_INVAL when a forced encoding no longer fits. */
int mb_part_revalidate(mailbuild_part *p);
int mb_is_text(const mailbuild_part *p);
int mb_is_message(const mailbuild_part *p);

/* random.c */
void mb_random(const mailbuild_message *m, unsigned char *buf, size_t len);
void mb_random_hex(const mailbuild_message *m, char *out, size_t bytes); /* 2*bytes chars + NUL */
int64_t mb_now(const mailbuild_message *m);

/* write.c */
int mb_fix_generated(mailbuild_message *m);

#endif
