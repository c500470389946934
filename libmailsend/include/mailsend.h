/* mailsend.h — an SMTP (RFC 5321) and LMTP (RFC 2033) client as a state machine the caller drives.
 *
 * The library owns no socket, no TLS session and no clock. A client session is a machine:
 *  - the caller writes what mailsend_client_output() shows to the connection, then tells how much
 *    it wrote with mailsend_client_consume();
 *  - the caller hands every byte it reads to mailsend_client_feed(), an end of stream to
 *    mailsend_client_eof(), and an expired deadline to mailsend_client_timeout();
 *  - the machine reports what happened as events (mailsend_client_next_event()): the greeting,
 *    the server's capabilities, "start TLS now", authentication done, every reply, each
 *    recipient's outcome, the end of each message, errors, and the end of the session.
 *
 * A blocking driver is a short loop around the same calls (connect with a timeout, wrap the
 * socket in OpenSSL for implicit TLS or when MAILSEND_EVENT_STARTTLS arrives, then):
 *
 *     for (;;) {
 *         while (mailsend_client_output(c, &p, &n) == 0 && n > 0)
 *             write p[0..n) (SSL_write or send), then mailsend_client_consume(c, written);
 *         while (mailsend_client_next_event(c, &ev) == 0 && ev.type != MAILSEND_EVENT_NONE)
 *             switch (ev.type): STARTTLS -> SSL_connect on the socket, mailsend_client_tls_started(c);
 *                               READY -> mailsend_client_mail/_rcpt/_data/_data_end, or _quit;
 *                               CLOSED -> close the socket and stop;
 *         if (mailsend_client_wants_read(c))
 *             poll for input for mailsend_client_timeout_ms(c) milliseconds: bytes ->
 *             mailsend_client_feed(); end of stream -> mailsend_client_eof(); nothing in time ->
 *             mailsend_client_timeout();
 *     }
 *
 * Message bytes go in with mailsend_client_data() in any number of pieces; it takes what its
 * bounded buffer holds and says how much (a 0 means: write the output and read replies first).
 *
 * Conventions (the same in every libmail library):
 *  - Functions returning `int` give 0 on success or a negative MAILSEND_E_* code;
 *    mailsend_strerror() names it. Nothing here prints, aborts or exits.
 *  - What a server answered (a refusal, a temporary failure) is not a call error: it is reported
 *    by events and by each recipient's outcome. The `int` says only whether the call worked.
 *  - Strings given to the library are UTF-8 and NUL-terminated; the library copies what it keeps.
 *    Returned pointers are borrowed from the client and live as long as their doc says.
 *  - Every _new has a _free that accepts NULL. A client belongs to one thread at a time. No
 *    global mutable state besides the allocator hooks, which are set once before anything else.
 *  - Everything a server sends is hostile: reply lines, reply line counts, capability lists and
 *    authentication challenges are bounded (see mailsend_options); any violation ends the
 *    session with a MAILSEND_EVENT_ERROR, never with a crash or a wait without end.
 */
#ifndef MAILSEND_H
#define MAILSEND_H

#include <stddef.h>
#include <stdint.h>

#include <mailauth.h> /* the DNS resolver and answers that MX routing reads */

#ifdef __cplusplus
extern "C" {
#endif

#if defined(_WIN32) && defined(MAILSEND_BUILDING)
#define MAILSEND_API __declspec(dllexport)
#elif defined(__GNUC__) && defined(MAILSEND_BUILDING)
#define MAILSEND_API __attribute__((visibility("default")))
#else
#define MAILSEND_API
#endif

#define MAILSEND_VERSION_MAJOR 0
#define MAILSEND_VERSION_MINOR 1
#define MAILSEND_VERSION_PATCH 0
#define MAILSEND_VERSION_NUMBER \
    (MAILSEND_VERSION_MAJOR * 10000 + MAILSEND_VERSION_MINOR * 100 + MAILSEND_VERSION_PATCH)

/* The version of the library actually linked, as "MAJOR.MINOR.PATCH". */
MAILSEND_API const char *mailsend_version(void);
/* The same as MAILSEND_VERSION_NUMBER of the linked library. */
MAILSEND_API int mailsend_version_number(void);

/* ------------------------------------------------------------------------------------------ */
/* Errors                                                                                      */

enum {
    MAILSEND_OK = 0,
    MAILSEND_E_NOMEM = -1,            /* an allocation failed (see mailsend_client_feed()) */
    MAILSEND_E_INVAL = -2,            /* a bad argument: NULL where not allowed, an address with
                                       * a control character or angle bracket, a bad option */
    MAILSEND_E_LIMIT = -3,            /* a documented limit was hit (a reply line too long, too
                                       * many reply lines, too many recipients) */
    MAILSEND_E_UNSUPPORTED = -4,      /* the message needs an extension the server lacks
                                       * (8BITMIME, SMTPUTF8, REQUIRETLS) */
    MAILSEND_E_STATE = -5,            /* the call does not fit the session's state (a message
                                       * call with no message open, a second mail()) */
    MAILSEND_E_PROTOCOL = -6,         /* the server broke the protocol: garbage, a reply with no
                                       * command waiting, a code the command cannot get, bytes
                                       * after the STARTTLS reply */
    MAILSEND_E_TIMEOUT = -7,          /* the caller reported an expired deadline */
    MAILSEND_E_DISCONNECTED = -8,     /* the server closed the connection before the session
                                       * ended */
    MAILSEND_E_REFUSED = -9,          /* the server refused the session (greeting, EHLO/HELO) */
    MAILSEND_E_TLS_REQUIRED = -10,    /* TLS is required and the server cannot start it */
    MAILSEND_E_AUTH = -11,            /* authentication failed (refused, or the exchange broke) */
    MAILSEND_E_AUTH_UNAVAILABLE = -12,/* no mechanism both sides allow */
    MAILSEND_E_AUTH_PLAINTEXT = -13,  /* authentication would happen without TLS and that is not
                                       * allowed (mailsend_options.auth_allow_plaintext) */
    MAILSEND_E_TOO_BIG = -14,         /* the message is larger than the server's SIZE */
    MAILSEND_E_SERVER_CLOSING = -15,  /* the server answered 421: it closes the connection */
    /* The blocking session (mailsend_session_*) only: */
    MAILSEND_E_CONNECT = -16,         /* no connection: the name did not resolve, or every
                                       * address refused or timed out */
    MAILSEND_E_TLS = -17,             /* the TLS handshake failed, or the certificate did not
                                       * verify for the server's name */
    MAILSEND_E_IO = -18,              /* reading or writing the connection failed */
    MAILSEND_E_DKIM = -19             /* signing the message failed (no From field, a header
                                       * block over the signer's limits) */
};

/* A static English description of an error code; never NULL. */
MAILSEND_API const char *mailsend_strerror(int code);

/* Replaces the allocator for everything this library allocates. Call once, before any other
 * call (NULLs restore malloc/realloc/free). */
MAILSEND_API void mailsend_set_allocator(void *(*malloc_fn)(size_t),
                                         void *(*realloc_fn)(void *, size_t),
                                         void (*free_fn)(void *));

/* Fills `buf` with `len` random octets; returns 0, or non-zero when it cannot. */
typedef int (*mailsend_random_fn)(void *user, unsigned char *buf, size_t len);

/* ------------------------------------------------------------------------------------------ */
/* Options                                                                                     */

/* How the session uses TLS. */
typedef enum {
    MAILSEND_TLS_OPPORTUNISTIC = 0, /* STARTTLS when offered; go on without TLS otherwise */
    MAILSEND_TLS_REQUIRED = 1,      /* STARTTLS or nothing: MAILSEND_E_TLS_REQUIRED */
    MAILSEND_TLS_OFF = 2,           /* never STARTTLS */
    MAILSEND_TLS_IMPLICIT = 3       /* the connection is TLS from its first byte (port 465) */
} mailsend_tls_policy;

/* The limits every session enforces on the server's bytes. */
#define MAILSEND_DEFAULT_MAX_LINE 4096          /* RFC 5321 §4.5.3.1.5 asks for 512 */
#define MAILSEND_MIN_MAX_LINE 512
#define MAILSEND_DEFAULT_MAX_REPLY_LINES 256
#define MAILSEND_DEFAULT_MAX_CAPABILITIES 64
#define MAILSEND_DEFAULT_MAX_RCPTS 1000
#define MAILSEND_DEFAULT_CHUNK_SIZE 65536       /* BDAT chunk */
#define MAILSEND_DEFAULT_MAX_BUFFER 262144      /* output + message bytes held back */
/* RFC 5321 §4.5.3.2 deadlines, in milliseconds. */
#define MAILSEND_DEFAULT_TIMEOUT_GREETING 300000
#define MAILSEND_DEFAULT_TIMEOUT_MAIL 300000
#define MAILSEND_DEFAULT_TIMEOUT_RCPT 300000
#define MAILSEND_DEFAULT_TIMEOUT_DATA_INIT 120000
#define MAILSEND_DEFAULT_TIMEOUT_DATA_BLOCK 180000
#define MAILSEND_DEFAULT_TIMEOUT_DATA_END 600000
#define MAILSEND_DEFAULT_TIMEOUT_OTHER 300000

/* A session's settings. Fill with mailsend_options_init() first; a 0 or NULL field means its
 * default. Strings are copied by mailsend_client_new(). */
typedef struct mailsend_options {
    size_t struct_size;          /* sizeof(mailsend_options); lets it grow */
    const char *ehlo_name;       /* the name sent with EHLO/HELO/LHLO; NULL = "localhost". A
                                  * domain or an address literal ("[192.0.2.1]") */
    int lmtp;                    /* non-zero: speak LMTP (LHLO, a reply per recipient after
                                  * the message; no HELO fallback) */
    int tls;                     /* mailsend_tls_policy */
    const char *server_name;     /* the server's host name, for DIGEST-MD5's digest-uri
                                  * ("smtp/NAME") and OAUTHBEARER's host; NULL = none */
    /* Authentication (RFC 4954): done when auth_user is set, after TLS. */
    const char *auth_user;
    const char *auth_password;   /* for PLAIN, LOGIN, CRAM-MD5, DIGEST-MD5 */
    const char *auth_token;      /* an OAuth 2.0 bearer token, for XOAUTH2 and OAUTHBEARER */
    const char *auth_authzid;    /* act as this identity (PLAIN, DIGEST-MD5, OAUTHBEARER);
                                  * NULL = none */
    const char *auth_mechanism;  /* use this mechanism (by name) whatever the ranking; NULL =
                                  * the best one the server offers (see "Authentication") */
    const char *auth_allowed;    /* space-separated names of the mechanisms that may be chosen;
                                  * NULL = every registered one */
    int auth_allow_plaintext;    /* non-zero: authenticate over a connection without TLS */
    /* Limits on what the server sends. */
    size_t max_line;             /* longest reply line without CRLF; 0 = 4096, at least 512 */
    size_t max_reply_lines;      /* lines of one reply; 0 = 256 */
    size_t max_capabilities;     /* EHLO keywords kept; more are ignored; 0 = 64 */
    /* Limits on what the caller asks. */
    size_t max_rcpts;            /* recipients of one message; 0 = 1000 */
    size_t chunk_size;           /* octets of one BDAT chunk; 0 = 65536 */
    size_t max_buffer;           /* output and message octets held at once; 0 = 262144; at
                                  * least chunk_size + 4096 */
    /* Use of extensions the server offers (non-zero turns one off). */
    int no_pipelining;
    int no_chunking;
    /* Deadlines (RFC 5321 §4.5.3.2) in milliseconds; 0 = the RFC's value. */
    unsigned timeout_greeting;   /* 5 min: the 220 greeting */
    unsigned timeout_mail;       /* 5 min: MAIL */
    unsigned timeout_rcpt;       /* 5 min: RCPT */
    unsigned timeout_data_init;  /* 2 min: the 354 to DATA */
    unsigned timeout_data_block; /* 3 min: each write of message data */
    unsigned timeout_data_end;   /* 10 min: the reply to the end of the message (and to BDAT) */
    unsigned timeout_other;      /* 5 min: EHLO, STARTTLS, AUTH, RSET, QUIT */
    /* Randomness (DIGEST-MD5's cnonce); NULL = OpenSSL's RAND_bytes. */
    mailsend_random_fn random;
    void *random_user;
} mailsend_options;

/* Fills `opts` with the defaults (all zero, struct_size set). */
MAILSEND_API void mailsend_options_init(mailsend_options *opts);

/* ------------------------------------------------------------------------------------------ */
/* Replies                                                                                     */

/* One server reply (RFC 5321 §4.2). Read-only; borrowed (see where it comes from). */
typedef struct mailsend_reply {
    int code;               /* 200..599 */
    /* The enhanced status code (RFC 3463, RFC 2034) at the start of the first line's text, when
     * it has one whose class matches the code's first digit; all 0 otherwise. */
    int enh_class, enh_subject, enh_detail;
    /* The text of every line after the code and its separator, lines joined with "\n";
     * NUL-terminated. A line holds no NUL, CR or LF. */
    const char *text;
    size_t text_len;
    size_t lines;           /* at least 1 */
} mailsend_reply;

/* ------------------------------------------------------------------------------------------ */
/* The client session                                                                          */

typedef struct mailsend_client mailsend_client;

/* Starts a session on a connection the caller has just opened (for MAILSEND_TLS_IMPLICIT: after
 * the TLS handshake). The machine waits for the greeting. `opts` may be NULL.
 * Returns 0, MAILSEND_E_INVAL (a bad option, an EHLO name with spaces or controls) or
 * MAILSEND_E_NOMEM. Free with mailsend_client_free(). */
MAILSEND_API int mailsend_client_new(const mailsend_options *opts, mailsend_client **out);
MAILSEND_API void mailsend_client_free(mailsend_client *c); /* NULL is fine */

/* Hands over `len` octets read from the server. Replies are parsed and acted on at once; what
 * they cause is queued as events and output. Returns 0 — also when the server broke the
 * protocol, which is an event — or MAILSEND_E_NOMEM, after which every call but _free fails
 * with it. Bytes fed after MAILSEND_EVENT_CLOSED are ignored. */
MAILSEND_API int mailsend_client_feed(mailsend_client *c, const unsigned char *data, size_t len);
/* The server closed its side. Ends the session: MAILSEND_EVENT_CLOSED (after QUIT), or
 * MAILSEND_EVENT_ERROR with MAILSEND_E_DISCONNECTED first. Returns 0 or MAILSEND_E_NOMEM. */
MAILSEND_API int mailsend_client_eof(mailsend_client *c);
/* The deadline of mailsend_client_timeout_ms() passed. Ends the session with
 * MAILSEND_E_TIMEOUT. Returns 0 or MAILSEND_E_NOMEM. */
MAILSEND_API int mailsend_client_timeout(mailsend_client *c);

/* The octets to write next: *data (borrowed, valid until the next call on the client) and
 * *len (0 when there is nothing to write). Returns 0 or MAILSEND_E_NOMEM. */
MAILSEND_API int mailsend_client_output(mailsend_client *c, const unsigned char **data,
                                        size_t *len);
/* `n` octets of the output were written. Returns 0, or MAILSEND_E_INVAL when n is more than
 * the output holds. */
MAILSEND_API int mailsend_client_consume(mailsend_client *c, size_t n);
/* Non-zero while the machine waits for the server (a reply is due): the caller should read. */
MAILSEND_API int mailsend_client_wants_read(const mailsend_client *c);
/* The deadline that applies now, in milliseconds from the caller's last progress on the
 * connection: the RFC 5321 §4.5.3.2 value of the oldest command waiting for its reply, or the
 * data-block deadline while message data waits to be written; 0 when nothing is waited for. */
MAILSEND_API unsigned mailsend_client_timeout_ms(const mailsend_client *c);

/* The caller finished the TLS handshake that MAILSEND_EVENT_STARTTLS asked for; the machine
 * forgets what it learnt before (RFC 3207 §4.2) and sends EHLO again. Returns 0,
 * MAILSEND_E_STATE (no STARTTLS pending) or MAILSEND_E_NOMEM. A failed handshake is the
 * caller's to handle: close the connection and free the client. */
MAILSEND_API int mailsend_client_tls_started(mailsend_client *c);

/* ------------------------------------------------------------------------------------------ */
/* Events                                                                                      */

typedef enum {
    MAILSEND_EVENT_NONE = 0,         /* no event waits */
    MAILSEND_EVENT_GREETING = 1,     /* the 220 greeting (reply) */
    MAILSEND_EVENT_REPLY = 2,        /* any reply to a command (command, reply; rcpt for RCPT
                                      * and for LMTP's replies after the message) */
    MAILSEND_EVENT_CAPABILITIES = 3, /* EHLO/LHLO (or HELO) answered: the capability accessors
                                      * hold the server's extensions (reply) */
    MAILSEND_EVENT_STARTTLS = 4,     /* the server agreed to STARTTLS (220): do the TLS handshake
                                      * now (the output is empty), then
                                      * mailsend_client_tls_started() — unless an ERROR and
                                      * CLOSED follow (bytes came after the 220) */
    MAILSEND_EVENT_AUTH = 5,         /* authentication succeeded (reply) */
    MAILSEND_EVENT_READY = 6,        /* no message is open: mailsend_client_mail() or _quit() */
    MAILSEND_EVENT_RECIPIENT = 7,    /* one recipient's outcome is final (rcpt, reply; may be
                                      * NULL when the connection failed) */
    MAILSEND_EVENT_MESSAGE = 8,      /* the message is finished: every recipient has its outcome
                                      * (accepted; reply = the reply that ended it, or NULL) */
    MAILSEND_EVENT_ERROR = 9,        /* the session cannot go on (error; reply when a reply
                                      * caused it). CLOSED follows, after a QUIT when the
                                      * server still follows the protocol */
    MAILSEND_EVENT_CLOSED = 10       /* the session is over: close the connection */
} mailsend_event_type;

/* The command a reply answers. */
typedef enum {
    MAILSEND_CMD_NONE = 0,
    MAILSEND_CMD_GREETING = 1,   /* the connection's greeting */
    MAILSEND_CMD_EHLO = 2,       /* EHLO, or LHLO in LMTP */
    MAILSEND_CMD_HELO = 3,
    MAILSEND_CMD_STARTTLS = 4,
    MAILSEND_CMD_AUTH = 5,       /* AUTH and each response of its exchange */
    MAILSEND_CMD_MAIL = 6,
    MAILSEND_CMD_RCPT = 7,
    MAILSEND_CMD_DATA = 8,       /* the DATA command (354) */
    MAILSEND_CMD_DATA_END = 9,   /* the message's final "." */
    MAILSEND_CMD_BDAT = 10,      /* a BDAT chunk */
    MAILSEND_CMD_BDAT_LAST = 11, /* the BDAT ... LAST chunk */
    MAILSEND_CMD_RSET = 12,
    MAILSEND_CMD_QUIT = 13
} mailsend_command;

/* One event. Filled by mailsend_client_next_event(); the reply is borrowed and lives until the
 * next call of mailsend_client_next_event() or mailsend_client_free(). */
typedef struct mailsend_event {
    size_t struct_size;           /* sizeof(mailsend_event); set it before the call */
    int type;                     /* mailsend_event_type */
    int command;                  /* mailsend_command (REPLY, GREETING); else NONE */
    const mailsend_reply *reply;  /* see the event type; NULL when none */
    size_t rcpt;                  /* RCPT replies and RECIPIENT: the recipient's index */
    int error;                    /* ERROR: a MAILSEND_E_* code; else 0 */
    size_t accepted;              /* MESSAGE: recipients that got the message */
} mailsend_event;

/* Takes the oldest waiting event into `ev` (type MAILSEND_EVENT_NONE when none waits). Returns
 * 0, MAILSEND_E_INVAL (NULL, or ev->struct_size too small) or MAILSEND_E_NOMEM. */
MAILSEND_API int mailsend_client_next_event(mailsend_client *c, mailsend_event *ev);

/* The lower-case name of an event type ("recipient") or a command ("bdat-last"); "unknown"
 * outside the enums. */
MAILSEND_API const char *mailsend_event_name(int type);
MAILSEND_API const char *mailsend_command_name(int command);

/* ------------------------------------------------------------------------------------------ */
/* Capabilities (valid from MAILSEND_EVENT_CAPABILITIES until the next EHLO)                  */

enum {
    MAILSEND_CAP_PIPELINING = 1u << 0,          /* RFC 2920 */
    MAILSEND_CAP_CHUNKING = 1u << 1,            /* RFC 3030 */
    MAILSEND_CAP_8BITMIME = 1u << 2,            /* RFC 6152 */
    MAILSEND_CAP_SMTPUTF8 = 1u << 3,            /* RFC 6531 */
    MAILSEND_CAP_SIZE = 1u << 4,                /* RFC 1870 */
    MAILSEND_CAP_DSN = 1u << 5,                 /* RFC 3461 */
    MAILSEND_CAP_ENHANCEDSTATUSCODES = 1u << 6, /* RFC 2034 */
    MAILSEND_CAP_REQUIRETLS = 1u << 7,          /* RFC 8689 */
    MAILSEND_CAP_AUTH = 1u << 8,                /* RFC 4954 */
    MAILSEND_CAP_STARTTLS = 1u << 9,            /* RFC 3207 */
    MAILSEND_CAP_BINARYMIME = 1u << 10          /* RFC 3030 */
};

/* The MAILSEND_CAP_* bits of the extensions the server announced (0 after HELO). */
MAILSEND_API unsigned mailsend_client_capabilities(const mailsend_client *c);
/* The SIZE the server announced (RFC 1870 §4), 0 when none or no limit. */
MAILSEND_API uint64_t mailsend_client_size_limit(const mailsend_client *c);
/* The number of EHLO keywords kept, and the i-th keyword (upper case, as sent) with its
 * parameters (the rest of the line, "" when none). NULL when i is out of range. Borrowed. */
MAILSEND_API size_t mailsend_client_extension_count(const mailsend_client *c);
MAILSEND_API const char *mailsend_client_extension(const mailsend_client *c, size_t i,
                                                   const char **params);
/* Non-zero when TLS is active (implicit, or after mailsend_client_tls_started()). */
MAILSEND_API int mailsend_client_tls_active(const mailsend_client *c);
/* The mechanism authentication used, or NULL before MAILSEND_EVENT_AUTH. */
MAILSEND_API const char *mailsend_client_auth_mechanism(const mailsend_client *c);

/* ------------------------------------------------------------------------------------------ */
/* Authentication                                                                              */

/* The registered client mechanisms, best first for a connection with TLS: OAUTHBEARER,
 * XOAUTH2 (given auth_token), PLAIN, LOGIN, CRAM-MD5, DIGEST-MD5 (given auth_password).
 * Without TLS (where allowed), the ones that do not send the password come first: CRAM-MD5,
 * DIGEST-MD5, then PLAIN, LOGIN. The chosen one is the first the server offers, that
 * auth_allowed names and whose credentials were given. */
MAILSEND_API size_t mailsend_auth_mechanism_count(void);
/* The name of the i-th mechanism ("CRAM-MD5"), or NULL. Static. */
MAILSEND_API const char *mailsend_auth_mechanism_name(size_t i);

/* ------------------------------------------------------------------------------------------ */
/* Messages                                                                                    */

typedef enum {
    MAILSEND_BODY_7BIT = 0,     /* no BODY parameter */
    MAILSEND_BODY_8BITMIME = 1  /* BODY=8BITMIME: needs the server's 8BITMIME */
} mailsend_body;

typedef enum {
    MAILSEND_DSN_RET_NONE = 0,
    MAILSEND_DSN_RET_FULL = 1,
    MAILSEND_DSN_RET_HDRS = 2
} mailsend_dsn_ret;

/* One message's envelope. Fill with mailsend_envelope_init() first. */
typedef struct mailsend_envelope {
    size_t struct_size;     /* sizeof(mailsend_envelope) */
    const char *from;       /* the reverse-path without angle brackets; "" or NULL = the null
                             * reverse-path <> (bounces) */
    uint64_t size;          /* the message's size as sent, for SIZE=; 0 = unknown */
    int body;               /* mailsend_body */
    int smtputf8;           /* non-zero: SMTPUTF8 (needed for non-ASCII addresses) */
    int requiretls;         /* non-zero: REQUIRETLS (RFC 8689): needs TLS and the extension */
    /* DSN (RFC 3461), sent only when the server offers DSN. */
    int dsn_ret;            /* mailsend_dsn_ret */
    const char *dsn_envid;  /* ENVID, any printable ASCII (sent as xtext); NULL = none */
} mailsend_envelope;

MAILSEND_API void mailsend_envelope_init(mailsend_envelope *env);

/* DSN notification wishes of one recipient (RFC 3461 §4.1). NEVER excludes the others. */
enum {
    MAILSEND_NOTIFY_SUCCESS = 1u << 0,
    MAILSEND_NOTIFY_FAILURE = 1u << 1,
    MAILSEND_NOTIFY_DELAY = 1u << 2,
    MAILSEND_NOTIFY_NEVER = 1u << 3
};

/* One recipient's extra parameters. Fill with mailsend_rcpt_options_init() first. */
typedef struct mailsend_rcpt_options {
    size_t struct_size;     /* sizeof(mailsend_rcpt_options) */
    unsigned notify;        /* MAILSEND_NOTIFY_* bits; 0 = no NOTIFY */
    const char *orcpt;      /* the original recipient (ASCII), sent as ORCPT=rfc822;xtext;
                             * NULL = none */
} mailsend_rcpt_options;

MAILSEND_API void mailsend_rcpt_options_init(mailsend_rcpt_options *o);

/* Opens a message (after MAILSEND_EVENT_READY). The MAIL command goes out at once when the
 * server pipelines (RFC 2920), otherwise when its turn comes. Returns 0;
 * MAILSEND_E_STATE (not ready, or a message open); MAILSEND_E_INVAL (a bad address or ENVID);
 * MAILSEND_E_UNSUPPORTED (8BITMIME, SMTPUTF8 or REQUIRETLS asked and not offered, REQUIRETLS
 * without TLS); MAILSEND_E_TOO_BIG (env->size above the server's SIZE); MAILSEND_E_NOMEM.
 * Nothing is sent when it fails. The previous message's results are dropped. */
MAILSEND_API int mailsend_client_mail(mailsend_client *c, const mailsend_envelope *env);
/* Adds a recipient (`address` without angle brackets); `o` may be NULL. Recipients are numbered
 * from 0 in the order added. Returns 0, MAILSEND_E_STATE (no message open, or its data has
 * begun), MAILSEND_E_INVAL, MAILSEND_E_LIMIT (max_rcpts) or MAILSEND_E_NOMEM. */
MAILSEND_API int mailsend_client_rcpt(mailsend_client *c, const char *address,
                                      const mailsend_rcpt_options *o);
/* Hands over message octets (RFC 5322 text, in any number of pieces, after at least one
 * recipient). Line ends are made CRLF (a bare CR or LF becomes CRLF); with DATA lines starting
 * with "." get another one (RFC 5321 §4.5.2), so only the machine's own CRLF.CRLF ends the
 * message; with BDAT (used when the server offers CHUNKING) the chunks carry the same bytes
 * without the dots. Takes as many octets as the buffer holds and sets *taken; 0 taken means:
 * write the output and read replies first. Returns 0, MAILSEND_E_STATE (no message open, or
 * it has already ended — the MAILSEND_EVENT_MESSAGE says how), MAILSEND_E_INVAL or
 * MAILSEND_E_NOMEM. */
MAILSEND_API int mailsend_client_data(mailsend_client *c, const unsigned char *data, size_t len,
                                      size_t *taken);
/* The message is complete (a last line without a line end gets CRLF). Returns 0,
 * MAILSEND_E_STATE or MAILSEND_E_NOMEM. */
MAILSEND_API int mailsend_client_data_end(mailsend_client *c);
/* Ends the session politely (QUIT) when no message is open. Returns 0, MAILSEND_E_STATE or
 * MAILSEND_E_NOMEM. */
MAILSEND_API int mailsend_client_quit(mailsend_client *c);

/* What became of a recipient. */
typedef enum {
    MAILSEND_RCPT_PENDING = 0,   /* not known yet */
    MAILSEND_RCPT_ACCEPTED = 1,  /* the server took responsibility for the message (2xx) */
    MAILSEND_RCPT_TEMPFAIL = 2,  /* 4xx, or the session broke before a final reply: retry */
    MAILSEND_RCPT_PERMFAIL = 3   /* 5xx: do not retry */
} mailsend_rcpt_status;

/* The recipients of the current (or last) message and their outcomes, until the next
 * mailsend_client_mail(). The address and the reply are borrowed; the reply is the one that
 * decided the outcome (the RCPT reply for a refused recipient, the reply to the message's end,
 * LMTP's own reply for that recipient), NULL while pending or when the session broke. */
MAILSEND_API size_t mailsend_client_rcpt_count(const mailsend_client *c);
MAILSEND_API const char *mailsend_client_rcpt_address(const mailsend_client *c, size_t i);
MAILSEND_API int mailsend_client_rcpt_status(const mailsend_client *c, size_t i);
MAILSEND_API const mailsend_reply *mailsend_client_rcpt_reply(const mailsend_client *c,
                                                              size_t i);

/* ------------------------------------------------------------------------------------------ */
/* Routing: where mail for a domain goes                                                      */

/* The hosts that receive mail for a domain, found in DNS as RFC 5321 §5.1 says, through a
 * libmailauth resolver (mailauth.h):
 *  - the domain's MX records, lowest preference first; hosts of equal preference come in a
 *    random order (the RFC's "MUST randomize"), drawn from `random` in the options;
 *  - no MX records (NODATA): the domain itself is the one host, "implicit" (§5.1);
 *  - a null MX (RFC 7505: one MX record whose exchange is "."): MAILSEND_MX_NULL_MX, the
 *    domain accepts no mail. A "." listed beside real exchanges is ignored;
 *  - the domain does not exist: MAILSEND_MX_NO_DOMAIN; a DNS failure: MAILSEND_MX_TEMPFAIL
 *    (retry later) or MAILSEND_MX_PERMFAIL;
 *  - each host's IPv6 and IPv4 addresses (AAAA and A; IPv6 first unless prefer_ipv4). When
 *    no host has an address: MAILSEND_MX_TEMPFAIL if a lookup failed temporarily, else
 *    MAILSEND_MX_NO_ADDRESS.
 * An address literal ("[192.0.2.1]", "[IPv6:2001:db8::1]", RFC 5321 §4.1.3) is its own one
 * host, with no DNS. A domain in U-labels is converted to A-labels (IDNA2008, libidn2).
 *
 * It runs like libmailauth's checks, either blocking (mailsend_mx_run() with a resolver) or
 * step by step for an event loop: mailsend_mx_step() returns MAILSEND_NEED_DNS with a query
 * (the name is borrowed from the lookup until the next call), the caller hands the answer to
 * mailsend_mx_answer(), until _step returns 0. The same DNS data gives the same hosts either
 * way. Trying the hosts in order, and their addresses in order, is the caller's part. */

#define MAILSEND_NEED_DNS 1

typedef enum {
    MAILSEND_MX_OK = 0,         /* at least one host has an address */
    MAILSEND_MX_NULL_MX = 1,    /* RFC 7505: the domain accepts no mail (permanent) */
    MAILSEND_MX_NO_DOMAIN = 2,  /* NXDOMAIN (permanent) */
    MAILSEND_MX_NO_ADDRESS = 3, /* hosts, but none has an A or AAAA record (permanent) */
    MAILSEND_MX_TEMPFAIL = 4,   /* a lookup failed for now: try again later */
    MAILSEND_MX_PERMFAIL = 5    /* the MX lookup failed for good (REFUSED, malformed answer) */
} mailsend_mx_outcome;

/* Which address families are looked up (mailsend_mx_options.families). */
#define MAILSEND_MX_IPV4 1
#define MAILSEND_MX_IPV6 2

typedef struct mailsend_mx_options {
    size_t struct_size;          /* sizeof(mailsend_mx_options) */
    int families;                /* MAILSEND_MX_IPV4 | MAILSEND_MX_IPV6; 0 = both */
    int prefer_ipv4;             /* list a host's IPv4 addresses before its IPv6 ones */
    size_t max_hosts;            /* exchanges kept, the best preferences first; 0 = 16 */
    size_t max_addresses;        /* addresses kept per host; 0 = 8 */
    mailsend_random_fn random;   /* NULL: OpenSSL's RAND_bytes */
    void *random_user;
} mailsend_mx_options;

/* Zeroes `o` and sets struct_size. */
MAILSEND_API void mailsend_mx_options_init(mailsend_mx_options *o);

typedef struct mailsend_mx_address {
    int family;                  /* 4 or 6 */
    unsigned char addr[16];      /* network order; the first 4 octets for IPv4 */
} mailsend_mx_address;

typedef struct mailsend_mx_host {
    const char *name;            /* the exchange (or the domain, or the literal), A-labels */
    unsigned preference;
    int implicit;                /* 1: the domain has no MX; this is the domain itself */
    int tempfail;                /* 1: one of its address lookups failed temporarily */
    const mailsend_mx_address *addresses;
    size_t address_count;
} mailsend_mx_host;

typedef struct mailsend_mx mailsend_mx; /* opaque; one thread at a time */

/* A lookup for `domain` (a domain name, or an address literal in brackets). `opts` may be
 * NULL. Returns 0, MAILSEND_E_INVAL (not a domain, a malformed literal, a bad option record)
 * or MAILSEND_E_NOMEM. Free with mailsend_mx_free(). */
MAILSEND_API int mailsend_mx_new(const char *domain, const mailsend_mx_options *opts,
                                 mailsend_mx **out);
MAILSEND_API void mailsend_mx_free(mailsend_mx *m); /* NULL is fine */
/* The next DNS question (MAILSEND_NEED_DNS) or 0 when the hosts are known. MAILSEND_E_STATE
 * when the previous question has not been answered. */
MAILSEND_API int mailsend_mx_step(mailsend_mx *m, mailauth_query *q);
/* The answer to the last question (read, not kept). 0, MAILSEND_E_STATE (no question out),
 * MAILSEND_E_NOMEM or MAILSEND_E_INVAL (the random callback failed). */
MAILSEND_API int mailsend_mx_answer(mailsend_mx *m, const mailauth_dns_answer *a);
/* Asks `r` every question in turn. A name that is not a valid DNS name counts as a
 * permanent DNS failure, a question the resolver cannot ask as a temporary one. Returns 0 or
 * what _answer returned. */
MAILSEND_API int mailsend_mx_run(mailsend_mx *m, const mailauth_resolver *r);
/* The verdict (mailsend_mx_outcome); MAILSEND_MX_TEMPFAIL while the lookup is not done. */
MAILSEND_API int mailsend_mx_result(const mailsend_mx *m);
/* "ok", "null-mx", "no-domain", "no-address", "tempfail", "permfail"; "unknown" otherwise. */
MAILSEND_API const char *mailsend_mx_result_name(int result);
/* The domain as looked up (A-labels, lower case), borrowed. */
MAILSEND_API const char *mailsend_mx_domain(const mailsend_mx *m);
/* The hosts in the order to try them, once done (0 / NULL before). Borrowed from `m`. */
MAILSEND_API size_t mailsend_mx_host_count(const mailsend_mx *m);
MAILSEND_API const mailsend_mx_host *mailsend_mx_host_at(const mailsend_mx *m, size_t i);

/* ------------------------------------------------------------------------------------------ */
/* The blocking session                                                                        */

/* For programs that can wait: a session connects (TCP over IPv4 or IPv6, or a Unix socket
 * for LMTP), does TLS with OpenSSL (implicit, or STARTTLS as the policy in mailsend_options
 * says), authenticates, and sends messages one after another over the same connection,
 * driving the machine above with its RFC 5321 §4.5.3.2 deadlines.
 *
 * TLS: TLS 1.2 or later; the certificate is verified against the system's trusted
 * certificates (or tls_ca_file / tls_ca_path) and must name the server (tls_server_name, else
 * host; an IP address is checked against the certificate's IP addresses). SNI carries the
 * name. tls_no_verify encrypts without checking who answers — what opportunistic TLS between
 * MTAs does (RFC 7435) when no DANE or MTA-STS policy applies.
 *
 * DKIM: given a key and sign options (mailauth.h), each message is signed as it will be sent:
 * its line ends are made CRLF first, so the signature covers exactly the transmitted octets,
 * and the DKIM-Signature field goes before the message's first line.
 *
 * A session is one connection; one thread at a time. */
typedef struct mailsend_session_options {
    size_t struct_size;          /* sizeof(mailsend_session_options) */
    const char *host;            /* the server: a DNS name or an IP address; also the name TLS
                                  * verifies unless tls_server_name is set */
    unsigned port;               /* 0 = 465 with MAILSEND_TLS_IMPLICIT, 24 for LMTP, else 25 */
    const char *unix_path;       /* connect to this Unix socket instead of host:port */
    const mailsend_mx_address *address; /* connect to this address (from MX routing) instead
                                  * of resolving host; host still names the server */
    unsigned connect_timeout_ms; /* each address tried; 0 = 30000 */
    const char *tls_ca_file;     /* PEM file of trusted certificates; NULL = the system's */
    const char *tls_ca_path;     /* a hashed directory of them; NULL = none */
    const char *tls_server_name; /* the name to send (SNI) and verify; NULL = host */
    int tls_no_verify;           /* non-zero: do not verify the certificate */
    const mailauth_dkim_key *dkim_key;          /* with dkim: sign every message */
    const mailauth_dkim_sign_options *dkim;     /* copied per message by the signer */
} mailsend_session_options;

/* Zeroes `o` and sets struct_size. */
MAILSEND_API void mailsend_session_options_init(mailsend_session_options *o);

typedef struct mailsend_session mailsend_session; /* opaque */

/* A session (not yet connected) with `opts` (host or unix_path required) and the protocol
 * options `proto` (NULL = defaults: opportunistic STARTTLS, no AUTH). Strings are copied;
 * the DKIM key must outlive the session. Returns 0, MAILSEND_E_INVAL or MAILSEND_E_NOMEM. */
MAILSEND_API int mailsend_session_new(const mailsend_session_options *opts,
                                      const mailsend_options *proto, mailsend_session **out);
/* Closes the connection without QUIT if still open, and frees. NULL is fine. */
MAILSEND_API void mailsend_session_free(mailsend_session *s);
/* Connects, reads the greeting, says EHLO (or HELO), starts TLS, authenticates: returns 0
 * when messages can be sent. Otherwise the error: MAILSEND_E_CONNECT, MAILSEND_E_TLS,
 * MAILSEND_E_TLS_REQUIRED, MAILSEND_E_REFUSED, MAILSEND_E_AUTH*, MAILSEND_E_TIMEOUT,
 * MAILSEND_E_DISCONNECTED, MAILSEND_E_PROTOCOL, MAILSEND_E_IO, MAILSEND_E_NOMEM;
 * mailsend_session_error_detail() says more. MAILSEND_E_STATE when called twice. */
MAILSEND_API int mailsend_session_open(mailsend_session *s);
/* Sends one message of `len` octets to `nrcpts` recipients (rcpt_opts may be NULL, or hold
 * NULLs). Returns 0 when the transaction ran to its end — each recipient's outcome (accepted,
 * temporary or permanent failure, with the reply) is then read with
 * mailsend_client_rcpt_status() / _reply() on mailsend_session_client() — and the session can
 * send the next message. Otherwise: MAILSEND_E_INVAL (a bad address; nothing was sent),
 * MAILSEND_E_UNSUPPORTED / MAILSEND_E_TOO_BIG (refused before sending, the session goes on),
 * MAILSEND_E_DKIM (signing failed, nothing sent, the session goes on), MAILSEND_E_STATE (not
 * open, or ended), or the error that ended the session (the recipients without an outcome
 * are then temporary failures). */
MAILSEND_API int mailsend_session_send(mailsend_session *s, const mailsend_envelope *env,
                                       const char *const *rcpts, size_t nrcpts,
                                       const mailsend_rcpt_options *const *rcpt_opts,
                                       const unsigned char *msg, size_t len);
/* Says QUIT, waits for the reply and closes the connection. Returns 0 or the error (the
 * connection is closed either way). */
MAILSEND_API int mailsend_session_quit(mailsend_session *s);
/* The protocol machine under the session, for the capability and recipient accessors
 * (borrowed; NULL before mailsend_session_open()). */
MAILSEND_API mailsend_client *mailsend_session_client(mailsend_session *s);
/* The first error that ended the session (0 while it is fine), and a line of text about it
 * (the server's reply, OpenSSL's reason, the system's): never NULL, "" when none. */
MAILSEND_API int mailsend_session_error(const mailsend_session *s);
MAILSEND_API const char *mailsend_session_error_detail(const mailsend_session *s);

#ifdef __cplusplus
}
#endif

#endif
