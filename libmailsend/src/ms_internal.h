/* ms_internal.h — libmailsend's private types and helpers shared between its files. */
#ifndef MS_INTERNAL_H
#define MS_INTERNAL_H

#include "mailsend.h"

#include "lm_buf.h"

#include <stddef.h>
#include <stdint.h>

/* ---- replies (reply.c) --------------------------------------------------------------------- */

/* A parsed reply, shared by the events and the recipient outcomes that point at it. */
typedef struct ms_reply {
    mailsend_reply pub;
    unsigned refs;
    char text[];              /* pub.text points here */
} ms_reply;

ms_reply *ms_reply_ref(ms_reply *r);   /* NULL is fine */
void ms_reply_unref(ms_reply *r);      /* NULL is fine */

/* Assembles replies from the bytes of a stream (RFC 5321 §4.2): lines end with CRLF (a bare LF
 * is taken too); each is a three-digit code 2xx..5xx, then "-" (more lines follow), " " or the
 * line end; every line repeats the first one's code. */
typedef struct ms_reply_parser {
    size_t max_line, max_lines;
    lm_buf line;              /* the line being read */
    lm_buf text;              /* the reply's text so far */
    int code;                 /* of the first line; 0 before it */
    size_t lines;
    const char *why;          /* after an error: what was wrong (static) */
} ms_reply_parser;

void ms_reply_parser_init(ms_reply_parser *p, size_t max_line, size_t max_lines);
void ms_reply_parser_free(ms_reply_parser *p);
/* Forgets a partly read reply (after TLS starts). */
void ms_reply_parser_reset(ms_reply_parser *p);
/* Non-zero while part of a reply has been read. */
int ms_reply_parser_busy(const ms_reply_parser *p);
/* Reads `len` octets up to the end of the first complete reply. Returns 1 with *out (a new
 * reference) and *used the octets read; 0 with *used = len when no reply is complete yet;
 * MAILSEND_E_PROTOCOL (bad syntax) or MAILSEND_E_LIMIT (a line or line count over the limits)
 * with p->why set; MAILSEND_E_NOMEM. */
int ms_reply_parser_feed(ms_reply_parser *p, const unsigned char *data, size_t len,
                         size_t *used, ms_reply **out);

/* ---- EHLO capabilities (capabilities.c) ----------------------------------------------------- */

/* SASL mechanism bits: bit i is the i-th registered mechanism (sasl.c). */
typedef struct ms_caps {
    unsigned flags;           /* MAILSEND_CAP_* */
    uint64_t size_limit;
    unsigned auth_mechs;      /* registered mechanisms the server offers */
    size_t count;
    char **keywords;          /* `count` keyword strings, each followed by its parameters */
    char **params;
} ms_caps;

void ms_caps_clear(ms_caps *caps);
/* Reads an EHLO reply's text (lines joined by "\n"; the first is the greeting line) into
 * `caps`, keeping at most `max` keywords. 0 or MAILSEND_E_NOMEM. */
int ms_caps_parse(ms_caps *caps, const char *text, size_t len, size_t max);

/* ---- envelope commands (envelope.c) --------------------------------------------------------- */

/* Non-zero when `s` may stand inside <> of a MAIL or RCPT command: no controls, no <, >, at most
 * 254 octets (RFC 5321 §4.5.3.1.3), non-ASCII only with `utf8`; empty only with `empty_ok`. */
int ms_path_ok(const char *s, int utf8, int empty_ok);
/* Appends the RFC 3461 §4 xtext of `n` octets: "!".."~" but "+" and "=" as they are, the rest
 * as "+HH". */
int ms_xtext_append(lm_buf *b, const char *s, size_t n);
/* The MAIL FROM command line (with CRLF) for `env` and the server's `caps`; `tls` says whether
 * TLS is active. Returns 0, MAILSEND_E_INVAL, MAILSEND_E_UNSUPPORTED, MAILSEND_E_TOO_BIG or
 * MAILSEND_E_NOMEM. */
int ms_mail_command(lm_buf *b, const mailsend_envelope *env, const ms_caps *caps, int tls);
/* The RCPT TO command line for `address` with `o` (may be NULL); `utf8` as for MAIL. Returns 0,
 * MAILSEND_E_INVAL or MAILSEND_E_NOMEM. */
int ms_rcpt_command(lm_buf *b, const char *address, const mailsend_rcpt_options *o,
                    const ms_caps *caps, int utf8);

/* ---- message data (data_encode.c) ----------------------------------------------------------- */

/* Streaming line-end normalisation (bare CR, bare LF and CRLF all become CRLF) with optional
 * dot-stuffing (RFC 5321 §4.5.2). Each input octet gives at most two output octets. */
typedef struct ms_encoder {
    int dot_stuff;
    int line_start;           /* the next octet starts a line */
    int after_cr;             /* the last octet was a CR (already written as CRLF) */
    uint64_t octets;          /* written so far */
} ms_encoder;

void ms_encoder_init(ms_encoder *e, int dot_stuff);
int ms_encoder_feed(ms_encoder *e, const unsigned char *p, size_t n, lm_buf *out);
/* Ends the last line with CRLF when it has none; with dot-stuffing adds the ".\r\n". */
int ms_encoder_finish(ms_encoder *e, lm_buf *out);

/* ---- SASL client mechanisms (sasl.c and sasl_*.c) ------------------------------------------- */

typedef struct ms_sasl ms_sasl;

/* What a mechanism needs. */
enum {
    MS_SASL_PASSWORD = 1u << 0,   /* auth_user + auth_password */
    MS_SASL_TOKEN = 1u << 1,      /* auth_user + auth_token */
    MS_SASL_INITIAL = 1u << 2,    /* it speaks first (an initial response, RFC 4954 §4) */
    MS_SASL_MUTUAL = 1u << 3      /* the server proves itself; success without that fails */
};

/* A mechanism's step returned this: answer "*" and give up (RFC 4954 §4). */
#define MS_SASL_CANCEL 1

/* A client mechanism: a const definition registered in sasl.c's table. */
typedef struct ms_sasl_mech {
    const char *name;
    unsigned flags;
    /* Rank among the mechanisms with TLS and without (lower is better). */
    unsigned rank_tls, rank_plain;
    /* Answers the decoded challenge `chal` (NULL for the initial response) in `resp`. s->step
     * counts the previous calls. Returns 0, MS_SASL_CANCEL or MAILSEND_E_NOMEM. */
    int (*step)(ms_sasl *s, const unsigned char *chal, size_t n, lm_buf *resp);
} ms_sasl_mech;

typedef struct ms_sasl_creds {
    const char *user, *password, *token, *authzid, *server_name;
    mailsend_random_fn random;
    void *random_user;
} ms_sasl_creds;

struct ms_sasl {
    const ms_sasl_mech *mech;
    const ms_sasl_creds *cr;
    unsigned step;
    char expect[33];              /* DIGEST-MD5: the rspauth the server must send */
    int verified;                 /* MS_SASL_MUTUAL: the server's proof was right */
};

extern const ms_sasl_mech ms_sasl_plain, ms_sasl_login, ms_sasl_cram_md5, ms_sasl_digest_md5,
    ms_sasl_xoauth2, ms_sasl_oauthbearer;

size_t ms_sasl_count(void);
const ms_sasl_mech *ms_sasl_at(size_t i);
/* The registered mechanism named by `n` octets (case ignored), or -1. */
int ms_sasl_find(const char *name, size_t n);
/* The mechanism to use: `forced` (a name) when given, else the best of `offered` (bits) that
 * `allowed` (a space-separated list, NULL = all) names and `cr` has credentials for. NULL when
 * none. */
const ms_sasl_mech *ms_sasl_choose(unsigned offered, const char *forced, const char *allowed,
                                   const ms_sasl_creds *cr, int tls);
/* Runs one step of `s` and counts it. */
int ms_sasl_step(ms_sasl *s, const unsigned char *chal, size_t n, lm_buf *resp);

/* base64 (RFC 4648 §4) through OpenSSL: appends the encoding of `n` octets. */
int ms_base64_append(lm_buf *b, const unsigned char *p, size_t n);
/* Strict decoding (the alphabet, "=" padding only at the end, length a multiple of 4) into
 * `out`. 0, MAILSEND_E_PROTOCOL or MAILSEND_E_NOMEM. */
int ms_base64_decode(const char *s, size_t n, lm_buf *out);
/* Lower-case hex of `n` octets into `out` (2n + 1 octets). */
void ms_hex(const unsigned char *p, size_t n, char *out);

/* DIGEST-MD5 (RFC 2831 §2.1.2): the 32 hex digits of the response value and of the rspauth the
 * server will send, for qop=auth. 0, or MAILSEND_E_AUTH when the digest is unavailable. */
int ms_digest_md5_values(const char *user, const char *realm, const char *password,
                         const char *nonce, const char *cnonce, const char *digest_uri,
                         const char *authzid, char response[33], char rspauth[33]);

/* ---- records (mailsend.c) ---------------------------------------------------------------- */

/* As lm_record_in, with the library's error code. */
int ms_record_in(void *o, size_t size, const void *given);

#endif
