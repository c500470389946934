/* sieve.h — Sieve mail filtering (RFC 5228 and its extensions): compile a script to bytecode,
 * run it against a message, read the actions it decided.
 *
 * The library decides; the caller performs. A run yields an ordered list of actions (keep,
 * fileinto, redirect, reject, vacation, notify, …) with their arguments, the implicit-keep
 * state, and the header edits of editheader; nothing is delivered or sent here. Everything
 * outside the library (included scripts, mailbox and metadata lookups, duplicate tracking,
 * spam and virus scores, external lists, queries, the clock) is a callback with `void *user`.
 *
 * Conventions (the same in every libmail library):
 *  - Functions returning `int` give 0 on success or a negative SIEVE_E_* code;
 *    sieve_strerror() names it. Nothing here prints, aborts or exits.
 *  - A script that does not compile is not a call error either: sieve_compile() returns
 *    SIEVE_E_COMPILE and the diagnostics (line:column and text) say why.
 *  - Strings given to the library are UTF-8 and NUL-terminated unless a length is given; the
 *    library copies what it keeps. Returned pointers are borrowed from the object that
 *    returned them.
 *  - Every _new has a _free that accepts NULL. No global mutable state besides the allocator
 *    hooks, which are set once before anything else.
 */
#ifndef SIEVE_H
#define SIEVE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(_WIN32) && defined(SIEVE_BUILDING)
#define SIEVE_API __declspec(dllexport)
#elif defined(__GNUC__) && defined(SIEVE_BUILDING)
#define SIEVE_API __attribute__((visibility("default")))
#else
#define SIEVE_API
#endif

#define SIEVE_VERSION_MAJOR 0
#define SIEVE_VERSION_MINOR 1
#define SIEVE_VERSION_PATCH 0
#define SIEVE_VERSION_NUMBER \
    (SIEVE_VERSION_MAJOR * 10000 + SIEVE_VERSION_MINOR * 100 + SIEVE_VERSION_PATCH)

/* The version of the library actually linked, as "MAJOR.MINOR.PATCH". */
SIEVE_API const char *sieve_version(void);
/* The same as SIEVE_VERSION_NUMBER of the linked library. */
SIEVE_API int sieve_version_number(void);

/* ------------------------------------------------------------------------------------------ */
/* Errors                                                                                      */

enum {
    SIEVE_OK = 0,
    SIEVE_E_NOMEM = -1,       /* an allocation failed; nothing was changed */
    SIEVE_E_INVAL = -2,       /* a bad argument (NULL where not allowed, unknown enum value) */
    SIEVE_E_LIMIT = -3,       /* a documented limit was hit */
    SIEVE_E_UNSUPPORTED = -4, /* valid but not supported here (say, convert without a converter) */
    SIEVE_E_SYNTAX = -5,      /* malformed input that is not a script (saved bytecode, a value) */
    SIEVE_E_COMPILE = -6,     /* the script does not compile: see the diagnostics */
    SIEVE_E_RUNTIME = -7      /* the script failed while running: see the diagnostics */
};

/* A static English description of an error code; never NULL. */
SIEVE_API const char *sieve_strerror(int code);

/* ------------------------------------------------------------------------------------------ */
/* Memory                                                                                      */

/* Replaces the allocator for everything this library allocates. Call once, before any other
 * call (NULLs restore malloc/realloc/free). */
SIEVE_API void sieve_set_allocator(void *(*malloc_fn)(size_t), void *(*realloc_fn)(void *, size_t),
                                   void (*free_fn)(void *));

/* ------------------------------------------------------------------------------------------ */
/* The engine                                                                                  */

/* An engine knows the extensions a script may require and the limits of compiling and
 * running. It does not change after sieve_engine_new(), so threads may share it. */
typedef struct sieve_engine sieve_engine;

typedef struct sieve_options {
    size_t struct_size;          /* sizeof(sieve_options): lets the record grow */
    /* Extensions scripts may not require, space-separated names (NULL: every extension the
     * library has may be required). */
    const char *disabled_extensions;
    size_t max_script_size;      /* octets of a script; 0 = 1 MiB */
    unsigned max_nesting;        /* blocks and tests inside each other; 0 = 64 */
    size_t max_errors;           /* compile errors kept before stopping; 0 = 100 */
} sieve_options;

/* Fills `opts` with the defaults (all zero but struct_size). */
SIEVE_API void sieve_options_init(sieve_options *opts);

/* Makes an engine. `opts` may be NULL for the defaults. Returns 0, SIEVE_E_NOMEM, or
 * SIEVE_E_INVAL (an unknown name in disabled_extensions). Free with sieve_engine_free(). */
SIEVE_API int sieve_engine_new(const sieve_options *opts, sieve_engine **out);
SIEVE_API void sieve_engine_free(sieve_engine *e);   /* NULL is fine */

/* The extensions scripts may require, space-separated, in the form ManageSieve's SIEVE
 * capability lists them (RFC 5804 §1.7). Borrowed from the engine. */
SIEVE_API const char *sieve_engine_extensions(const sieve_engine *e);

/* ------------------------------------------------------------------------------------------ */
/* Compiling                                                                                   */

/* A compiled script: immutable, shareable between threads and runs. It refers to the engine
 * that compiled or loaded it, which must outlive it. */
typedef struct sieve_script sieve_script;

/* The errors and warnings of a compile or a run, each with its line and column (1-based; 0
 * when there is no place). */
typedef struct sieve_diagnostics sieve_diagnostics;

enum { SIEVE_SEVERITY_ERROR = 0, SIEVE_SEVERITY_WARNING = 1 };

SIEVE_API size_t sieve_diagnostics_count(const sieve_diagnostics *d);   /* NULL: 0 */
/* The i-th message: its severity, place and English text (borrowed). Returns 0, or
 * SIEVE_E_INVAL when i is out of range. Any of the out pointers may be NULL. */
SIEVE_API int sieve_diagnostic_at(const sieve_diagnostics *d, size_t i, int *severity,
                                  unsigned *line, unsigned *column, const char **text);
SIEVE_API void sieve_diagnostics_free(sieve_diagnostics *d);   /* NULL is fine */

/* Compiles `len` octets of Sieve (UTF-8). Returns 0 with *out set, SIEVE_E_COMPILE when the
 * script has errors (*out NULL), SIEVE_E_LIMIT (a limit of the engine: also reported),
 * SIEVE_E_NOMEM or SIEVE_E_INVAL. When `diag` is not NULL it receives the errors and warnings
 * (also on success: warnings); free it with sieve_diagnostics_free(). */
SIEVE_API int sieve_compile(const sieve_engine *e, const char *src, size_t len,
                            sieve_script **out, sieve_diagnostics **diag);
SIEVE_API void sieve_script_free(sieve_script *s);   /* NULL is fine */

/* The script as bytes to keep (a file, a database row) and load again without compiling:
 * *bytes is allocated (free with sieve_free()). The format has a magic and a version; bytes
 * of another version are refused by sieve_script_load(). */
SIEVE_API int sieve_script_save(const sieve_script *s, unsigned char **bytes, size_t *len);
/* Loads saved bytes. Hostile bytes are checked, never trusted: every instruction, string and
 * jump is verified. Returns 0, SIEVE_E_SYNTAX (not valid saved bytes, or another version),
 * SIEVE_E_UNSUPPORTED (an extension the engine does not allow) or SIEVE_E_NOMEM. */
SIEVE_API int sieve_script_load(const sieve_engine *e, const void *bytes, size_t len,
                                sieve_script **out);
/* Frees what the library allocated for the caller (saved bytes). NULL is fine. */
SIEVE_API void sieve_free(void *p);

/* ------------------------------------------------------------------------------------------ */
/* Running                                                                                     */

/* The SMTP envelope (RFC 5228 §5.4, RFC 5233): addresses without angle brackets; "" is the
 * null reverse-path. NULL members are unknown (an envelope test on them does not match). */
typedef struct sieve_envelope {
    const char *from;            /* MAIL FROM */
    const char *to;              /* RCPT TO of this delivery */
    const char *orig_to;         /* the original recipient (ORCPT), or NULL */
    const char *auth;            /* the authenticated user, or NULL */
} sieve_envelope;

/* What the library asks the caller while a script runs. Every member may be NULL: the
 * library then behaves as documented for each (a test that needs an absent callback is
 * false; the clock is the system clock). `user` is passed to each. */
typedef struct sieve_callbacks {
    void *user;
    /* The current time, seconds since the epoch (date's currentdate, vacation, duplicate). */
    int64_t (*now)(void *user);
    /* 1 when the mailbox exists (RFC 5490 mailboxexists; fileinto :create), 0 when not. */
    int (*mailbox_exists)(void *user, const char *mailbox);
    /* RFC 5490 metadata: the value of `entry` of `mailbox` (NULL: a server annotation) copied
     * into `buf` (NUL-terminated, cut at `size`); returns its length, or -1 when absent. */
    long (*metadata)(void *user, const char *mailbox, const char *entry, char *buf, size_t size);
    /* RFC 7352 duplicate: 1 when `id` (under tracking `handle`) was seen within `seconds`,
     * else 0; when `mark` is set the id is recorded as seen now (the caller records it once
     * the message was delivered, as the RFC says). */
    int (*duplicate)(void *user, const char *handle, const char *id, uint64_t seconds, int mark);
    /* RFC 5183 environment items ("domain", "host", "location", "phase", "remote-host",
     * "remote-ip", "version", vnd.* …): copies the value into `buf` and returns its length,
     * or -1 when the item is unknown. */
    long (*environment)(void *user, const char *name, char *buf, size_t size);
} sieve_callbacks;

typedef struct sieve_run_options {
    size_t struct_size;          /* sizeof(sieve_run_options) */
    const sieve_callbacks *callbacks; /* NULL: none */
    uint64_t max_instructions;   /* the CPU bound of one run; 0 = 1,000,000 */
    size_t max_actions;          /* 0 = 32 (RFC 5228 §2.10.6 leaves it to the site) */
    size_t max_redirects;        /* 0 = 4 */
    const char *subaddress_separators; /* RFC 5233 :user/:detail separators; NULL = "+" */
} sieve_run_options;

SIEVE_API void sieve_run_options_init(sieve_run_options *opts);

/* The actions a run decided (see below). */
typedef struct sieve_result sieve_result;

/* Runs `s` against a message (`len` octets, the raw RFC 5322 text) and its envelope
 * (`env` may be NULL). Returns 0 with *out set; SIEVE_E_RUNTIME when the script failed (a
 * limit of the run, an action conflict, a run-time error: *out is still set, and RFC 5228
 * §2.10.6 says the implicit keep then applies — sieve_result_implicit_keep() is 1);
 * SIEVE_E_NOMEM or SIEVE_E_INVAL. `opts` may be NULL. `diag` (may be NULL) receives the
 * run-time errors; free it with sieve_diagnostics_free(). */
SIEVE_API int sieve_run(const sieve_script *s, const void *msg, size_t len,
                        const sieve_envelope *env, const sieve_run_options *opts,
                        sieve_result **out, sieve_diagnostics **diag);

/* ------------------------------------------------------------------------------------------ */
/* The result                                                                                  */

typedef enum {
    SIEVE_ACTION_KEEP = 0,       /* store in the default mailbox (an explicit keep) */
    SIEVE_ACTION_FILEINTO,       /* store in `target` (a mailbox name) */
    SIEVE_ACTION_REDIRECT,       /* send on to `target` (an address) */
    SIEVE_ACTION_DISCARD,        /* drop silently (cancels the implicit keep) */
    SIEVE_ACTION_REJECT,         /* refuse with the reason in `target` (RFC 5429) */
    SIEVE_ACTION_EREJECT         /* refuse in the SMTP dialogue when possible (RFC 5429) */
} sieve_action_type;

/* Action options. */
enum {
    SIEVE_ACTION_COPY = 1u << 0,     /* :copy (RFC 3894): does not cancel the implicit keep */
    SIEVE_ACTION_CREATE = 1u << 1    /* :create (RFC 5490): make the mailbox if absent */
};

/* The actions, in the order the script decided them (duplicates already merged as RFC 5228
 * §4 says). */
SIEVE_API size_t sieve_result_count(const sieve_result *r);
/* The i-th action: its type, its target (mailbox, address or reason; "" for keep and
 * discard), its flags (space-separated, NULL when none) and option bits. Returns 0 or
 * SIEVE_E_INVAL. Strings are borrowed from the result. Out pointers may be NULL. */
SIEVE_API int sieve_result_action(const sieve_result *r, size_t i, int *type,
                                  const char **target, const char **flags, unsigned *options);
/* A named value of the i-th action beyond its target (vacation's "subject", "from", "days";
 * notify's "method", "importance" …, as each action type documents), or NULL when it has
 * none. Borrowed from the result. */
SIEVE_API const char *sieve_result_action_param(const sieve_result *r, size_t i,
                                                const char *name);
/* 1 when the implicit keep is still in force (no action cancelled it), else 0. */
SIEVE_API int sieve_result_implicit_keep(const sieve_result *r);
/* The action type's name ("keep", "fileinto", …); never NULL. */
SIEVE_API const char *sieve_action_name(int type);
SIEVE_API void sieve_result_free(sieve_result *r);   /* NULL is fine */

#ifdef __cplusplus
}
#endif

#endif
