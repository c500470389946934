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
    /* include (RFC 6609): fetches the script `name` of `location` (SIEVE_INCLUDE_PERSONAL or
     * SIEVE_INCLUDE_GLOBAL) while a script that includes it compiles. The included scripts are
     * compiled into the including one, so a run (or a load of saved bytes) never calls this.
     * On success return 0 with *text (allocated with sieve_set_allocator's malloc, or malloc
     * by default; the library frees it) holding *len octets of Sieve; return 1 when there is
     * no such script (an error unless the include is :optional), or a negative SIEVE_E_* to
     * fail the compile. NULL: every include is "not found". */
    int (*include)(void *user, int location, const char *name, char **text, size_t *len);
    void *include_user;
    unsigned max_include_depth;  /* scripts including each other; 0 = 10, at most 100 */
    unsigned max_includes;       /* distinct scripts included by one script in all; 0 = 255 */
    /* editheader (RFC 5293): the octets of a field addheader may add (name, ": " and the
     * folded value); 0 = 2048. A constant one longer is a compile error, a longer one made
     * at run time a run-time error. */
    size_t max_header_edit_size;
    /* vnd.stalwart.expressions: the host's own functions expressions may call besides the
     * built-in ones (see "Expressions" below), `nfunctions` of them; the engine copies the
     * table. A call at run time goes to sieve_callbacks.function. A script calling a name
     * neither built in nor here, or with another number of arguments, does not compile. */
    const struct sieve_function *functions;
    size_t nfunctions;
    /* enotify (RFC 5435): 1 when the site allows no notify action: a script using the notify
     * command does not compile (it may still require "enotify" for its tests). */
    int notify_forbidden;
    /* variables (RFC 5229): the distinct variables one script may declare (name with set or
     * extracttext); 0 = 255. A script declaring more does not compile. */
    size_t max_variables;
    /* foreverypart (RFC 5703 §3): loops inside each other, counted across included scripts;
     * 0 = 4, at least 2 (the RFC requires one loop inside another), at most 16. Deeper
     * nesting in one script does not compile; through includes it is a run-time error. */
    unsigned max_foreverypart_depth;
} sieve_options;

/* A host function of expressions: its name (letters, digits and "_", at most 64 octets; not
 * one of the built-in names) and how many arguments it takes (at most 16). */
typedef struct sieve_function {
    const char *name;
    unsigned args;
} sieve_function;

/* The locations of included scripts (RFC 6609 §3.2). */
enum { SIEVE_INCLUDE_PERSONAL = 0, SIEVE_INCLUDE_GLOBAL = 1 };

/* Fills `opts` with the defaults (all zero but struct_size). */
SIEVE_API void sieve_options_init(sieve_options *opts);

/* Makes an engine. `opts` may be NULL for the defaults. Returns 0, SIEVE_E_NOMEM, or
 * SIEVE_E_INVAL (an unknown name in disabled_extensions, a malformed function table). Free
 * with sieve_engine_free(). */
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
 * null reverse-path. NULL members are unknown (an envelope test on them does not match).
 * Fill it with sieve_envelope_init() first. */
typedef struct sieve_envelope {
    size_t struct_size;          /* sizeof(sieve_envelope): lets the record grow */
    const char *from;            /* MAIL FROM */
    const char *to;              /* RCPT TO of this delivery */
    const char *orig_to;         /* the original recipient (ORCPT), or NULL */
    const char *auth;            /* the authenticated user, or NULL */
    /* RFC 6009 envelope-dsn: the DSN parameters of RFC 3461 given with this message. NULL:
     * not given (the envelope part then does not match). */
    const char *dsn_notify;      /* NOTIFY of this recipient: "NEVER" or a comma-separated list
                                  * of SUCCESS, FAILURE, DELAY */
    const char *dsn_ret;         /* RET: "FULL" or "HDRS" */
    const char *dsn_envid;       /* ENVID, xtext-decoded */
    /* RFC 6009 envelope-deliverby: the RFC 2852 BY parameter. by_deadline 0: none given. The
     * "bytimeabsolute" part shows it in UTC ("…Z"), or under envelope :zone "+hhmm" in that
     * zone ("…+hh:mm"). */
    int64_t by_deadline;         /* the deliver-by time, seconds since the epoch */
    const char *by_mode;         /* "notify" or "return" (N / R), or NULL */
    int by_trace;                /* the T modifier was given */
} sieve_envelope;

/* Fills `env` with an envelope of which nothing is known (all NULL and zero but
 * struct_size). */
SIEVE_API void sieve_envelope_init(sieve_envelope *env);

struct sieve_value;
struct sieve_query_rows;
struct sieve_program_output;

/* What the library asks the caller while a script runs. Fill it with sieve_callbacks_init()
 * first. Every callback may be NULL: the library then behaves as documented for each (a test
 * that needs an absent callback is false; the clock is the system clock). `user` is passed to
 * each. The record grows at its end: a caller built against an older header has a smaller
 * struct_size, and the library takes the callbacks it does not have as NULL. */
typedef struct sieve_callbacks {
    size_t struct_size;          /* sizeof(sieve_callbacks): lets the record grow */
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
     * or -1 when the item is unknown. Values are read up to 1023 octets. When the callback is
     * absent or does not know them, the library answers "name" ("libmail-sieve") and
     * "version" (sieve_version()) itself; every other item is then unknown (the environment
     * test is false).
     * vnd.dovecot.environment (Pigeonhole's vendor extension): a script that requires it
     * may use the environment test (as if it required "environment") and read any item as
     * the variable "${env.<item>}" ("" when unknown; "_" in the name stands for "-", which a
     * variable name cannot hold: "${env.vnd.dovecot.default_mailbox}"). Its items are asked
     * here too: "vnd.dovecot.username" (the user), "vnd.dovecot.config.<name>" (a setting of
     * the site's) and "vnd.dovecot.default-mailbox", which the library answers "INBOX" itself
     * when the callback does not. Items "vnd.dovecot.*" are unknown to a script that does
     * not require the extension (the callback is not asked). */
    long (*environment)(void *user, const char *name, char *buf, size_t size);
    /* RFC 8579 special-use: 1 when `mailbox` (NULL: any mailbox of the user) carries the
     * special-use attribute `use` ("\\Junk", "\\Sent" …), else 0. Absent: specialuse_exists is
     * false. */
    int (*specialuse_exists)(void *user, const char *mailbox, const char *use);
    /* RFC 6134 externally stored lists: 1 when `value` is a member of the list named by the
     * URI `list` (":addrbook:default", "tag:example.com,2011:x" …), 0 when not, -1 when the
     * list is unknown. `value` NULL asks only whether the list is known (1 or -1: the
     * valid_ext_list test). For redirect :list the caller expands the list when it sends.
     * Absent: every list is unknown. */
    int (*list_contains)(void *user, const char *list, const char *value);
    /* vnd.stalwart.expressions: calls the host function `name` (one of
     * sieve_options.functions) with its `argc` arguments, and sets *result (the library
     * zeroes it first: the integer 0). What *result points to (strings, items) must stay
     * valid until the callback is called again or the run ends; the library copies it at
     * once. Returns 0, or a negative SIEVE_E_* that ends the run (SIEVE_E_RUNTIME: a run-time
     * error naming the function). Absent: calling a host function is a run-time error. */
    int (*function)(void *user, const char *name, const struct sieve_value *args, size_t argc,
                    struct sieve_value *result);
    /* vnd.libmail.query: runs the lookup named `name` (an SQL statement, an LDAP search, a
     * map — whatever the caller wires to the name) with `nargs` NUL-terminated arguments, and
     * hands each value found to sieve_query_add(rows, …). Returns the number of values found
     * (0: none), or -1 when the lookup failed or `name` is unknown (the query test is false
     * and a warning is reported). Absent: every query finds nothing. */
    long (*query)(void *user, const char *name, const char *const *args, size_t nargs,
                  struct sieve_query_rows *rows);
    /* RFC 9042 mailboxidexists: 1 when the mailbox whose object id (RFC 8474) is `id` exists
     * and the user may deliver to it, else 0. Absent: every mailboxidexists is false. */
    int (*mailboxid_exists)(void *user, const char *id);
    /* vnd.dovecot.debug: the message of a `debug_log <message>` command (variables expanded;
     * `len` octets, NUL-terminated, valid during the call only) and the line of the command,
     * for the caller's log. Absent: the message goes nowhere. */
    void (*debug_log)(void *user, unsigned line, const char *message, size_t len);
    /* vnd.dovecot.filter and vnd.dovecot.execute (Pigeonhole's vendor extensions, grammar
     * below): runs the site's program `name` now (SIEVE_PROGRAM_FILTER, SIEVE_PROGRAM_EXECUTE;
     * SIEVE_PROGRAM_PIPE is never asked here: a pipe is an action of the result, which the
     * caller performs after the run, with whatever program runner it has) with `nargs`
     * NUL-terminated arguments, `len` octets of `input` on its standard input (NULL, 0: none;
     * the message as the run sees it, header edits and rebuilds in it, for filter and
     * execute :pipe), and hands what the program writes to sieve_program_output_add(output,
     * …) — `output` is NULL when the script does not read it. The name is checked as the
     * grammar below says (never a path), but which names exist, where the programs are, the
     * time limit and the line ends the programs get are the caller's. Returns 0 when the
     * program ran and succeeded, -1 when it is unknown, failed or timed out. Absent: every
     * program is unknown. */
    int (*program)(void *user, int kind, const char *name, const char *const *args,
                   size_t nargs, const unsigned char *input, size_t len,
                   struct sieve_program_output *output);
} sieve_callbacks;

/* The kinds of sieve_callbacks.program calls, and of a pipe action's program. */
enum { SIEVE_PROGRAM_PIPE = 0, SIEVE_PROGRAM_FILTER = 1, SIEVE_PROGRAM_EXECUTE = 2 };

/* Fills `cb` with a table of no callbacks (all NULL but struct_size). */
SIEVE_API void sieve_callbacks_init(sieve_callbacks *cb);

typedef struct sieve_run_options {
    size_t struct_size;          /* sizeof(sieve_run_options) */
    const sieve_callbacks *callbacks; /* NULL: none; read during sieve_run() only */
    uint64_t max_instructions;   /* the CPU bound of one run; 0 = 1,000,000 */
    size_t max_actions;          /* 0 = 32 (RFC 5228 §2.10.6 leaves it to the site) */
    size_t max_redirects;        /* 0 = 4 */
    const char *subaddress_separators; /* RFC 5233 :user/:detail separators; NULL = "+" */
    /* The vacation response period (RFC 5230 §4.1, RFC 6131), in seconds:
     *  vacation_default_period  without :days or :seconds; 0 = 7 days
     *  vacation_min_period      shorter periods are raised to it; 0 = one day for :days and
     *                           none for :seconds (:seconds 0 replies every time); RFC 5230
     *                           caps the minimum at 7 days, so larger values count as 7 days
     *  vacation_max_period      longer periods are lowered to it; 0 = 60 days; RFC 5230 says
     *                           no less than 30 days, so smaller values count as 30 days */
    uint64_t vacation_default_period;
    uint64_t vacation_min_period;
    uint64_t vacation_max_period;
    /* The user's own addresses besides the envelope recipient (RFC 5230 §4.5: a reply is sent
     * only when one of them, or of :addresses, is in To/Cc/Bcc/Resent-*), NULL-terminated, or
     * NULL. The From of a vacation reply is the :from given, else that one of the user's
     * addresses (the envelope recipient's included) the message names, else the envelope
     * recipient. */
    const char *const *user_addresses;
    /* RFC 5229 variables: how many distinct variables a run may set (the internal flags of
     * imap4flags are one), 0 = 255 — one more is a run-time error; and the octets of one
     * value, 0 = 4096 — a longer value is cut at a UTF-8 boundary (RFC 5229 §3 allows it). */
    size_t max_variables;
    size_t max_variable_size;
    /* RFC 5235 spamtest and virustest read the verdicts of scanners that ran before Sieve.
     * The caller reads them from wherever its scanner leaves them — typically a header the
     * trusted scanner added, as Pigeonhole's sieve_spamtest_status_header does: for
     * SpamAssassin's "X-Spam-Status: Yes, score=7.6 required=5.0" set spam_score 7.6 and
     * spam_max 5.0; for a scanner that gives a level 1..10 (or a yes/no text), set spam_score
     * to level - 1 and spam_max to 9.
     *  spam_score   the score (may be negative: below 0 counts as 0);
     *  spam_max     the score from which the message is surely spam; 0 or less (-1, 0): the
     *               message was not tested — spamtest yields "0". spamtest gives
     *               1 + floor(9 * score / max), at most 10; spamtest :percent (spamtestplus)
     *               gives round(100 * score / max), 0 to 100;
     *  virus_score  virustest's value itself, 1 (clean) to 5 (surely infected) (RFC 5235
     *               §3.3); anything else (-1, 0): not tested — virustest yields "0". */
    double spam_score;
    double spam_max;
    int virus_score;
    /* The zone date and currentdate show times in without :zone (RFC 5260 §4.1's "local
     * time zone"), as "+hhmm" or "-hhmm"; NULL or not of that form: the system's local zone
     * at that time. */
    const char *local_zone;
    /* Fields the site protects from editheader (RFC 5293 §6 lets it): space-separated names
     * (case ignored) that addheader, or deleteheader, quietly leaves alone; NULL: none beyond
     * Received and Auto-Submitted, which are never deleted. */
    const char *editheader_no_add;
    const char *editheader_no_delete;
    /* vnd.libmail.query: the queries one run may make, 0 = 100 (one more is a run-time
     * error), and the values one query may return, 0 = 256 (the rest are dropped). */
    size_t max_queries;
    size_t max_query_values;
    /* vacation (RFC 5230) as the site sets it up:
     *  vacation_default_subject   the Subject of a reply when the script gives no :subject;
     *                             NULL or "": "Auto: " and the message's subject, or
     *                             "Automated reply" when it has none (§4.3)
     *  vacation_subject_template  the same made from the message's subject, which
     *                             "%{subject}" (or "%s") stands for ("%%" is "%"); wins over
     *                             vacation_default_subject; NULL or "": none
     *  vacation_dont_check_recipient  1: reply even when none of the user's addresses is in
     *                             the message's To, Cc, Bcc or Resent-* fields (§4.5 says to
     *                             check: turn it off knowingly)
     *  vacation_use_orig_recipient    1: the original recipient (sieve_envelope.orig_to)
     *                             counts as one of the user's addresses
     *  vacation_to_header_ignore_envelope  1: the To of the reply names the message's Sender,
     *                             Resent-From or From (the first there is) instead of the
     *                             envelope sender; the reply is still sent to the latter
     * A reply's Subject is at most 256 characters: a longer one is cut and ends with "…". */
    const char *vacation_default_subject;
    const char *vacation_subject_template;
    int vacation_dont_check_recipient;
    int vacation_use_orig_recipient;
    int vacation_to_header_ignore_envelope;
    /* enotify (RFC 5435): the notify actions one run may take, 0 = 10 (one more is a run-time
     * error); SIEVE_NOTIFY_FORBIDDEN: none (a notify is a run-time error; see also
     * sieve_options.notify_forbidden). */
    size_t max_notify_actions;
    /* Tracing (a debugging aid, as sieve-run --trace prints it): when `trace` is not NULL it
     * is called, with `trace_user`, after each command and test the run executed, in order:
     *  SIEVE_TRACE_TEST     a test (one of those of anyof/allof each): `name` is the test,
     *                       `outcome` 1 (true) or 0 (false), `detail` NULL;
     *  SIEVE_TRACE_COMMAND  a command: `name` is the command, `outcome` 0, `detail` NULL;
     *  SIEVE_TRACE_ACTION   an action the command before added to the result: `name` is
     *                       sieve_action_name() of it, `detail` its target ("" for keep and
     *                       discard), `outcome` 0. None when it was merged into an earlier
     *                       one (RFC 5228 §4: the same fileinto twice is one).
     * A test or command that failed has the negative SIEVE_E_* as `outcome`. `line` is the
     * line of the command in its script (an included script's own lines). Control structures
     * (if, elsif, else, not, stop) are not reported: their tests and jumps show in the
     * commands that run. `name` and `detail` are valid during the call only. NULL: no
     * tracing, and no cost. */
    void (*trace)(void *user, int kind, unsigned line, const char *name, int outcome,
                  const char *detail);
    void *trace_user;
    /* vnd.dovecot.report: the address abuse reports come from (their From field; "addr", no
     * display name); NULL or "": "postmaster@" the user's domain (SIEVE_ACTION_REPORT). */
    const char *report_from;
    /* vnd.dovecot.filter and vnd.dovecot.execute: the octets one program may hand back
     * (sieve_program_output_add), 0 = 10 MiB — more fails the program (filter: the message
     * is not replaced; execute :output stores at most the variable size limit anyway); and
     * the programs one run may run, 0 = 100 — one more is a run-time error. */
    size_t max_program_output;
    size_t max_programs;
} sieve_run_options;

/* The kinds of sieve_run_options.trace calls. */
enum { SIEVE_TRACE_TEST = 0, SIEVE_TRACE_COMMAND = 1, SIEVE_TRACE_ACTION = 2 };

/* sieve_run_options.max_notify_actions: the notify action is not allowed. */
#define SIEVE_NOTIFY_FORBIDDEN ((size_t)-1)

SIEVE_API void sieve_run_options_init(sieve_run_options *opts);

/* The actions a run decided (see below). */
typedef struct sieve_result sieve_result;

/* Runs `s` against a message (`len` octets, the raw RFC 5322 text) and its envelope
 * (`env` may be NULL). Returns 0 with *out set; SIEVE_E_RUNTIME when the script failed (a
 * limit of the run, an action conflict, a run-time error: *out is still set, and RFC 5228
 * §2.10.6 says the implicit keep then applies — sieve_result_implicit_keep() is 1);
 * SIEVE_E_NOMEM or SIEVE_E_INVAL (also when the struct_size of `env`, `opts` or
 * opts->callbacks is smaller than sizeof(size_t) or larger than this version's record).
 * `opts` may be NULL. `diag` (may be NULL) receives the run-time errors; free it with
 * sieve_diagnostics_free(). */
SIEVE_API int sieve_run(const sieve_script *s, const void *msg, size_t len,
                        const sieve_envelope *env, const sieve_run_options *opts,
                        sieve_result **out, sieve_diagnostics **diag);

/* ------------------------------------------------------------------------------------------ */
/* The result                                                                                  */

typedef enum {
    SIEVE_ACTION_KEEP = 0,       /* store in the default mailbox (an explicit keep) */
    /* Store in `target` (a mailbox name). Param "specialuse" (RFC 8579 :specialuse): store in
     * the mailbox with that special-use attribute when there is one, else in `target`. Param
     * "mailboxid" (RFC 9042 :mailboxid): store in the mailbox with that object id when it
     * exists, else in `target` (made under :create; it does not get the id). */
    SIEVE_ACTION_FILEINTO,
    /* Send on to `target` (an address). Params:
     *   "list"        "yes": `target` names a list (RFC 6134 redirect :list) to expand
     *   "dsn_notify", "dsn_ret"  RFC 6009 :notify / :ret for the DSN parameters of RFC 3461
     *                 (NOTIFY as written; RET "full" or "hdrs")
     *   "by_time"     RFC 6009 deliver-by deadline, seconds since the epoch (RFC 2852 BY is
     *                 it minus the time of sending); "by_mode" "notify" or "return" (the
     *                 default); "by_trace" "yes" when :bytrace was given */
    SIEVE_ACTION_REDIRECT,
    SIEVE_ACTION_DISCARD,        /* drop silently (cancels the implicit keep) */
    SIEVE_ACTION_REJECT,         /* refuse with the reason in `target` (RFC 5429) */
    SIEVE_ACTION_EREJECT,        /* refuse in the SMTP dialogue when possible (RFC 5429) */
    /* An auto-reply (RFC 5230, RFC 6131). `target` is the address replied to. Params:
     *   "to"       the address replied to (as `target`)
     *   "from"     the From the script gave (:from), or absent
     *   "subject"  the subject of the reply: :subject (RFC 2047 words in it decoded), or
     *              the run options' default, or "Auto: " + the original's; at most 256
     *              characters (a longer one is cut and ends with "…")
     *   "reason"   the reason as the script wrote it (a MIME entity when "mime" is "yes")
     *   "mime"     "yes" when :mime was given
     *   "handle"   the tracking handle (:handle, or one derived from the arguments)
     *   "seconds"  the response period in seconds, after the run options' bounds; with
     *   "days"     the same in days (rounded down) when the script used :days or no period
     *   "message"  the whole reply (RFC 5322 text, CRLF line ends, In-Reply-To/References
     *              and Auto-Submitted: auto-replied as RFC 3834 says): present only when the
     *              reply is to be sent; send it to "to" with a null reverse-path
     *   "skipped"  present instead of "message" when RFC 5230 §4.5-§4.6/§5 say not to reply
     *              (English text naming the rule: null sender, list mail, auto-submitted …)
     *   "fcc", "fcc_flags", "fcc_specialuse", "fcc_create"  RFC 8580 :fcc and its options;
     *   "fcc_mailboxid"  RFC 9042: file the copy into the mailbox of that id when it exists
     * The period is tracked through sieve_callbacks.duplicate with handle "vacation:" +
     * "handle" and id "to", marking: the caller records it once the reply was sent. */
    SIEVE_ACTION_VACATION,
    /* A notification (RFC 5435; mailto: RFC 5436, xmpp: RFC 5437; other methods are not
     * supported). `target` is the method URI. Params:
     *   "method"      the URI (as `target`)
     *   "from"        :from as given ("Name <addr>" or "addr"), or absent
     *   "importance"  "1", "2" (the default) or "3"
     *   "options"     the :options strings joined with a LF, or absent
     *   "message"     :message, or the default "<From>: <Subject>" (RFC 5435 §3.6)
     *   "recipients"  mailto: the recipients to notify, decoded, lowercased, sorted, one a
     *                 line (LF-separated): those of the URI that no earlier notify action
     *                 has (RFC 5435 §3.8; a notify whose recipients all had one is dropped)
     *   "mail"        mailto: the whole notification (RFC 5436 §2.7; RFC 5322 text, CRLF line
     *                 ends): From :from (one mailbox, its display name kept), else the
     *                 envelope recipient, else the first of sieve_run_options.user_addresses
     *                 (none when that is no address), To and Cc as the URI
     *                 names them (display names kept), Subject :message, else the URI's
     *                 subject, else "message" (at most 256 characters, a longer one cut and
     *                 ended with "…"), Auto-Submitted: auto-notified with owner-email, the
     *                 URI's other fields, and its body or else "message" as the text. Present
     *                 only when it is to be sent: send it to each of "recipients"
     *   "skipped"     mailto: present instead of "mail" when RFC 5436 §2.7 says not to notify
     *                 (the message is auto-submitted), as English text
     *   "jid"         xmpp: the address to send an XMPP message to (node@domain[/resource],
     *                 decoded); "subject" and "body": those of the URI's "message" query, or
     *                 absent
     *   "fcc", "fcc_flags", "fcc_specialuse", "fcc_create"  RFC 8580 :fcc and its options;
     *   "fcc_mailboxid"  RFC 9042: file the copy into the mailbox of that id when it exists
     * Two notify actions with the same method and the same recipients are one (§3.8). More
     * notify actions than sieve_run_options.max_notify_actions is a run-time error. */
    SIEVE_ACTION_NOTIFY,
    /* An abuse feedback report (vnd.dovecot.report, Pigeonhole's vendor extension):
     *   report [:headers_only] <feedback-type> <message> <address>
     * `target` is the address to send the report to (an addr-spec). The feedback type must be
     * a MIME token (RFC 5965 §3.5: "abuse", "fraud", "virus", "other", …); a constant that is
     * not does not compile, a computed one is a run-time error, as is an <address> that is not
     * one mailbox. Params:
     *   "feedback_type"  as given
     *   "message"        the script's text for the human reader
     *   "headers_only"   "yes" under :headers_only
     *   "from"           the report's From: sieve_run_options.report_from, else
     *                    "postmaster@" the domain of the envelope recipient (else of the
     *                    first of sieve_run_options.user_addresses); without either of them
     *                    the report is a run-time error
     *   "mail"           the whole report (RFC 5322 text, CRLF line ends): From "from", To
     *                    `target`, Subject "Report: " and the message's subject,
     *                    Auto-Submitted: auto-generated (report), a multipart/report;
     *                    report-type=feedback-report (RFC 5965 §2) of the text, a
     *                    message/feedback-report part (Version, Feedback-Type, User-Agent,
     *                    Original-Mail-From, Original-Rcpt-To (the original recipient, else
     *                    the recipient) and Dovecot-Reporting-User (the first of the user's
     *                    addresses, else the envelope recipient), those not known left out)
     *                    and the message as received (message/rfc822), or only its header
     *                    (text/rfc822-headers) under :headers_only. Send it to `target`.
     * A report leaves the implicit keep in force. */
    SIEVE_ACTION_REPORT,
    /* vnd.dovecot.pipe: hand the message (as the action delivers it: the edits before it
     * applied) to the site's program `target` on its standard input, with the arguments:
     *   "nargs"  how many ("0" … "16"); "arg1", "arg2" … each of them (no CR or LF in them)
     *   "try"    "yes" under :try: the program's failure is not an error (the implicit keep
     *            is not forced by it)
     * Without :copy (SIEVE_ACTION_COPY: "copy" required) it cancels the implicit keep. Run
     * the program with kind SIEVE_PROGRAM_PIPE (sieve_callbacks.program's contract suits it). */
    SIEVE_ACTION_PIPE
} sieve_action_type;

/* Action options. */
enum {
    SIEVE_ACTION_COPY = 1u << 0,     /* :copy (RFC 3894): does not cancel the implicit keep */
    SIEVE_ACTION_CREATE = 1u << 1    /* :create (RFC 5490): make the mailbox if absent */
};

/* The actions, in the order the script decided them (duplicates already merged as RFC 5228
 * §4 says; a keep after fileinto "INBOX" makes that action the keep). */
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
/* The flags the implicit keep stores the message with (RFC 5232 §3: imap4flags' internal
 * variable as the script left it), space-separated; NULL when none. Borrowed. */
SIEVE_API const char *sieve_result_implicit_keep_flags(const sieve_result *r);
/* The action type's name ("keep", "fileinto", …); never NULL. */
SIEVE_API const char *sieve_action_name(int type);
SIEVE_API void sieve_result_free(sieve_result *r);   /* NULL is fine */

/* The header edits of editheader (RFC 5293), in the order the script made them. The message
 * an action delivers is the received one with the edits made before the action applied in
 * turn (sieve_result_action_edits(); the implicit keep: all of them) — the tests of the run
 * saw them too (header, address, exists, date, size). A failed run has none (the implicit
 * keep stores the message as received).
 *  SIEVE_EDIT_ADD     add the field `name`: `value` (UTF-8, folded with CRLF SP where the
 *                     script broke lines; encode non-ASCII as RFC 2047 words when the
 *                     destination needs 7-bit headers) at the top of the header, or at its
 *                     end when `last` is 1. `index` is 0.
 *  SIEVE_EDIT_DELETE  remove the `index`-th field named `name` (case ignored; 1 = the
 *                     topmost) of the header as the edits before this one left it. `value`
 *                     is that field's value, unfolded and decoded, for reference; `last` 0.
 * A deleteheader that removes several fields is one DELETE per field. Received and
 * Auto-Submitted fields are never deleted (RFC 5293 §§6-7: trace fields stay; deleting one
 * is quietly not done), nor the fields sieve_run_options protects. At most 1000 edits
 * per run and sieve_options.max_header_edit_size octets per added field; more is a run-time
 * error. */
typedef enum { SIEVE_EDIT_ADD = 0, SIEVE_EDIT_DELETE = 1 } sieve_edit_kind;

SIEVE_API size_t sieve_result_edit_count(const sieve_result *r);   /* NULL: 0 */
/* The i-th edit. Strings are borrowed from the result; out pointers may be NULL. Returns 0
 * or SIEVE_E_INVAL (i out of range). */
SIEVE_API int sieve_result_edit_at(const sieve_result *r, size_t i, int *kind, const char **name,
                                   const char **value, size_t *index, int *last);
/* How many of the edits (the first ones) apply to the message of the i-th action: those the
 * script made before it — a redirect before a deleteheader sends the field along. The
 * implicit keep has them all. 0 when i is out of range. */
SIEVE_API size_t sieve_result_action_edits(const sieve_result *r, size_t i);

/* The message rebuilt by replace and enclose (RFC 5703 §5-6). Each of them makes a new
 * message that the rest of the run reads (its tests, its foreverypart loops) and that the
 * actions after it deliver:
 *  replace [:mime] [:subject s] [:from s] <text>  replaces the current MIME part (of the
 *      innermost foreverypart; the whole message outside one) with a text/plain part in UTF-8
 *      holding <text>, or with <text> as a MIME entity (its header fields, an empty line,
 *      its body) under :mime. Replacing the whole message keeps its header fields but the
 *      Content-* ones; :subject then sets the Subject and :from the From (a mailbox list,
 *      checked), the previous ones kept as Original-Subject and Original-From. Inside a
 *      multipart the rest of the message stays byte for byte.
 *  enclose [:subject s] [:headers list] <text>  makes a new multipart/mixed message: a
 *      text/plain part with <text>, then the message so far as message/rfc822. Its Subject
 *      is :subject, else the enclosed message's; each :headers item is a whole field
 *      ("Name: value") to add, or a field name whose fields are copied from the enclosed
 *      message; From (the envelope recipient, else the first of
 *      sieve_run_options.user_addresses; none when neither is known), Date (the run's clock)
 *      and a Message-ID are added unless :headers gave them, and X-Sieve as on the vacation
 *      replies. The Message-ID and the boundaries come from the clock and the content (no
 *      other randomness). A redirect sends the message as it was before the first enclose
 *      (§6).
 * The header edits made before a rebuild are in it; the later ones apply on top.
 *
 * sieve_result_action_message() gives the message the i-th action delivers when replace or
 * enclose rebuilt it (i = sieve_result_count(): the implicit keep's): its `*len` octets
 * (CRLF line ends, borrowed from the result), to which the caller applies the edits from
 * *first_edit up to sieve_result_action_edits() (the implicit keep: up to
 * sieve_result_edit_count()). NULL (*len and *first_edit 0) when the action delivers the
 * received message (the edits then apply from 0). `len` and `first_edit` may be NULL. At
 * most 100 rebuilds per run: one more is a run-time error. */
SIEVE_API const unsigned char *sieve_result_action_message(const sieve_result *r, size_t i,
                                                           size_t *len, size_t *first_edit);

/* Writes a message as a delivery stores it: `msg` (`len` octets of RFC 5322 text) with the
 * header edits from the `first`-th up to the `end`-th (not included) made in turn — an added
 * field as "Name: value" CRLF at the top of the header (at its end for `last`), a deleted one
 * removed with its continuation lines; the body as it is. For the i-th action pass the message
 * sieve_result_action_message() gives (else the received one, first 0) and end
 * sieve_result_action_edits(r, i); for the implicit keep end sieve_result_edit_count(r).
 * *out (NUL-terminated, *out_len octets; `out_len` may be NULL) is freed with sieve_free().
 * Returns 0, SIEVE_E_INVAL (first > end, end past the edits) or SIEVE_E_NOMEM. */
SIEVE_API int sieve_result_apply_edits(const sieve_result *r, size_t first, size_t end,
                                       const void *msg, size_t len, unsigned char **out,
                                       size_t *out_len);

/* ------------------------------------------------------------------------------------------ */
/* Expressions (vnd.stalwart.expressions), while loops (vnd.stalwart.while), queries           */
/* (vnd.libmail.query)                                                                          */

/* Commands and tests, once the script requires the extension:
 *   let "<variable>" "<expression>";     sets the variable to the expression's value
 *   set :local …                         as set, the variable the script's (block scopes below)
 *   eval "<expression>"                  a test: true when the value is true (below)
 *   address :name …                      an address part: the display name (RFC 2047 decoded,
 *                                        unquoted); a mailbox without one is not compared
 *   body :subject …                      the first Subject field (decoded; as written under
 *                                        :raw) is compared too, before the body; it is not
 *                                        counted by :count
 *   :regex keys may name groups: "(?<name>re)" or "(?P<name>re)" (the name a letter or "_",
 *                                        then letters, digits, "_") is the group as numbered
 *                                        without its name ("${1}"…)
 *   while "<expression>" { … }           runs the block while the value is true; "break;"
 *                                        leaves the innermost loop (a while or a foreverypart;
 *                                        "break :name" leaves the foreverypart named and every
 *                                        loop inside it), "continue;" starts the next round
 *                                        of the innermost while. Every round counts against
 *                                        sieve_run_options.max_instructions.
 *   query [:set "<variable>"] "<name>" [<arguments: string-list>]
 *                                        a command and a test (vnd.libmail.query): runs the
 *                                        caller's lookup `name` (sieve_callbacks.query) with
 *                                        the arguments (variables expanded); the test is true
 *                                        when it found a value. :set stores what it found: one
 *                                        value as a string, several as a list (below); nothing
 *                                        found sets "".
 *
 * Block scopes (as sieve-rs has them): in a script that requires vnd.stalwart.expressions a
 * variable that set, let or extracttext first sets inside a block (of if, elsif, else, while,
 * foreverypart, …) belongs to that block and is "" again each time the run reaches the end
 * of the block (every round of a loop; a "break" or "continue" does not). One first set at
 * the top of the script, one set with "set :local" (wherever it is), one declared by "global"
 * and a "global." one belong to the script. "First" is in the order the script is written.
 * Without the extension a script's variables are its own throughout (RFC 5229).
 *
 * Grammar of an expression (at most 4096 octets, nested at most 32 deep, at most 256 values
 * pending at once; more is a compile error):
 *   expr     = or / ""                           (nothing at all: the empty string)
 *   or       = and *( ("||" / "|") and )         (lowest precedence; short-circuit)
 *   and      = xor *( ("&&" / "&") xor )         (short-circuit)
 *   xor      = equal *( "^" equal )
 *   equal    = compare *( ("==" / "=" / "!=") compare )
 *   compare  = sum *( ("<" / "<=" / "=<" / ">" / ">=" / "=>") sum )
 *   sum      = product *( ("+" / "-") product )
 *   product  = unary *( ("*" / "/") unary )
 *   unary    = ("!" / "-") unary / postfix
 *   postfix  = primary *( "[" expr "]" )         (an item of a list, 0-based; out of range: "")
 *   primary  = number / string / "true" / "false" / "(" expr ")" / "[" [expr *("," expr)] "]"
 *              / name "(" [expr *("," expr)] ")" / variable
 *   number   = 1*DIGIT ["." 1*DIGIT]             (an integer or a float)
 *   string   = "'" … "'" / DQUOTE … DQUOTE       (backslash n, r, t: LF, CR, tab; a backslash
 *                                                 before anything else quotes it — in a Sieve
 *                                                 quoted string, written as two backslashes)
 *   variable = name                              (a variable of the script)
 *            / "global." name                    (a global variable, RFC 6609)
 *            / "header." header-path / "body." ("text" / "html")
 *   header-path = fields ["[" index "]"] ["." part] ["[" index "]"]
 *   fields   = field-name *(":" field-name)      (any of them, in the message's order)
 *            / "*"                               (every field: all of them unless indexed)
 *   index    = ["-"] 1*DIGIT / "*"               (1 the first, -1 the last (the default),
 *                                                 "*" all of them, as a list); the first
 *                                                 picks fields, the second the part's items
 *   part     = "raw"        the value as written ("*": "Name: value", white space made one)
 *            / "raw_name"   the field name as written
 *            / "text"       "Name: value" decoded, white space made one
 *            / "name" / "addr"   display names / addresses (items; any field's value is
 *                                parsed as an address list)
 *            / "id"         message ids (items) / "date" seconds since the epoch
 *            / "date.raw"   the date as written / "exists" 1 (0 when no field)
 *            / "type" / "subtype" / "attr." param   of a Content-Type or Content-Disposition
 *            / "rcvd." ("from" / "from.name" / "from.ip" / "ip" / "iprev" / "helo" / "by" /
 *                       "with" / "id" / "for" / "ident" / "via" / "tls" / "cipher" / "date" /
 *                       "date.raw")  the clauses of a Received field
 *   Without a part: addresses "Name <addr>" of an address field (items), message ids of an
 *   id field, "type/subtype" of a Content-Type, else the decoded value. The same paths work
 *   in strings: "${header.to[*].addr[*]}" (a list shows as its text). A field that is not
 *   there gives "".
 * Values are integers (64-bit, saturating), floats, strings and lists. A variable whose
 * value reads as a number is that number; an unset variable is "". "+" adds numbers, joins a
 * string with anything (a number shown as text), and joins lists; "-" on a list drops the
 * items equal to the other side; "*", "-" and "/" read strings as numbers (not a number: 0);
 * "/" always gives a float, and dividing by zero gives 0. Comparisons give 1 or 0: a string
 * and a number compare as numbers, two strings by octets, lists item by item. True is a
 * non-zero number, a non-empty string or a non-empty list. A list shown as text is its items
 * joined by CRLF (a Sieve string's line end); a float is shown in the fewest digits that
 * read back as the same number.
 * A list stored in a variable is kept as a list for later expressions ("${name}" shows its
 * text); at most 4096 items. Limits of a run: one evaluation allocates at most 16 MiB and a
 * string value is at most 1 MiB (more is a run-time error); every operation costs one
 * instruction of sieve_run_options.max_instructions, a function one more per KiB of its
 * arguments, a header variable one per 16 fields it looks at.
 *
 * In strings (once the script requires the extension), "${…}" holding an expression rather
 * than a variable name shows its value: "${len(header.subject) * 2}", "${trim(x)}"; what does
 * not compile as an expression stays as written. (sieve-rs's bare "{…}" is not one: it
 * would change every string with braces.)
 *
 * Built-in functions (`s` a string, a list taken as its text):
 *   len(v)            octets of a string; items of a list
 *   count(v)          items of a list; 1 for any other value
 *   char_count(s)     characters (UTF-8)
 *   trim(s) trim_start(s) trim_end(s)   white space removed
 *   to_lowercase(s) to_uppercase(s)     Unicode simple case mapping
 *   lines(s)          the lines of s as a list (CRLF or LF ends a line; no last empty line)
 *   split(s, sep)     s cut at each sep, as a list
 *   contains(v, x)    a list: it has an item equal to x; else s contains the text of x
 *   in_array(list, x) the list has an item equal to x
 *   starts_with(s, p) ends_with(s, p) is_empty(v) is_number(v)
 * A host function (sieve_options.functions) takes and gives sieve_value records. */

typedef enum {
    SIEVE_VALUE_INTEGER = 0,
    SIEVE_VALUE_FLOAT = 1,
    SIEVE_VALUE_STRING = 2,
    SIEVE_VALUE_ARRAY = 3
} sieve_value_type;

/* A value of an expression handed to or from a host function. The text of every value given
 * to a host is in `string`/`length` too (a number as shown, a list as its items joined by
 * CRLF). What the library hands a host lives until the callback returns. */
typedef struct sieve_value {
    int type;                        /* sieve_value_type */
    int64_t integer;                 /* INTEGER */
    double number;                   /* FLOAT */
    const char *string;              /* NUL-terminated UTF-8; `length` octets */
    size_t length;
    const struct sieve_value *items; /* ARRAY: `count` items (nested at most 4 deep) */
    size_t count;
} sieve_value;

/* What a query hands its values to (sieve_callbacks.query). */
typedef struct sieve_query_rows sieve_query_rows;

/* Adds one value found by a query (copied; cut at the variable size limit). Returns 0,
 * SIEVE_E_LIMIT when the query already has sieve_run_options.max_query_values values (the
 * rest are dropped; the caller may stop), SIEVE_E_INVAL or SIEVE_E_NOMEM. */
SIEVE_API int sieve_query_add(sieve_query_rows *rows, const char *value, size_t len);

/* ------------------------------------------------------------------------------------------ */
/* External programs (vnd.dovecot.pipe, vnd.dovecot.filter, vnd.dovecot.execute)               */

/* Pigeonhole's vendor extensions, once the script requires each:
 *   pipe [:copy] [:try] <program-name: string> [<arguments: string-list>]
 *       an action (SIEVE_ACTION_PIPE): the caller hands the message to the program after the
 *       run. :copy needs "copy" as well.
 *   filter <program-name: string> [<arguments: string-list>]
 *       a command and a test: runs the program now with the message as its input; what it
 *       writes becomes the message the rest of the run reads and the later actions deliver
 *       (as a replace does: sieve_result_action_message()). As a command a failure is a
 *       run-time error; as a test it is false (and the message stays).
 *   execute [:input <string> / :pipe] [:output <variable>] <program-name: string>
 *           [<arguments: string-list>]
 *       a command and a test: runs the program now, with <string> (:input), the message
 *       (:pipe) or nothing as its input; :output (needs "variables") stores what it wrote,
 *       cut at the variable size limit. A failure: as filter's.
 * A program name is 1 to 128 octets of UTF-8 with no "/" and none of the control characters
 * U+0000-001F, U+007F-009F, U+2028, U+2029; an argument at most 1024 octets without CR, LF
 * or NUL; at most 16 arguments. A constant that breaks this does not compile; a computed one
 * is a run-time error. The programs themselves run through sieve_callbacks.program; a site
 * that runs none leaves it NULL or lists the extensions in sieve_options.disabled_extensions.
 * A filter counts as a rebuild of the message (at most 100 per run, with replace and
 * enclose). */

/* What a program's output goes to (sieve_callbacks.program). */
typedef struct sieve_program_output sieve_program_output;

/* Appends `len` octets the program wrote (copied). `out` NULL (the script does not read the
 * output) takes and drops everything. Returns 0, SIEVE_E_LIMIT when the output would pass
 * sieve_run_options.max_program_output (the program then counts as failed), SIEVE_E_INVAL
 * (data NULL with len > 0) or SIEVE_E_NOMEM. */
SIEVE_API int sieve_program_output_add(sieve_program_output *out, const unsigned char *data,
                                       size_t len);

#ifdef __cplusplus
}
#endif

#endif
