/* sieve_rs_testsuite.h — vnd.stalwart.testsuite for libsieve, a test-only extension: the
 * commands and tests sieve-rs's .svtest files are written in, with the semantics of sieve-rs's
 * own test harness (see the suite's README.md): a `test` block names the current test, the
 * first test_fail ends the whole file, test_set "message" starts the message and the site
 * settings afresh, and the result checks look at the actions decided so far. Used by
 * sieve_rs_suite.c; never part of the library. */
#ifndef SIEVE_RS_TESTSUITE_H
#define SIEVE_RS_TESTSUITE_H

#include "engine.h"

/* The extension and its tags, to give to sv_engine_new_with() as the only extra extension
 * (the tags' ids are SV_TAG_EXTRA + their index). */
extern const sv_ext_def srs_ext_testsuite;
extern const sv_tag_def srs_tags[];
extern const size_t srs_tag_count;

/* The host functions sieve-rs's harness gives expressions (vnd.stalwart.expressions) beyond the
 * built-in ones, for sieve_options.functions: is_uppercase, is_ascii, eq_lowercase,
 * concat_three, and the "external" ext_zero … ext_false. */
extern const sieve_function srs_functions[];
extern const size_t srs_function_count;

/* The state of one .svtest run: message, envelope, site settings, mailboxes, lists. */
typedef struct srs_host srs_host;

/* Called once for each `test` block that ended: its name, 1 when it passed, and why not. */
typedef void (*srs_report_fn)(void *user, const char *test, int passed, const char *reason);

/* Called when a test block starts: non-zero when a test_fail in it is to end only that block
 * (where sieve-rs ends the whole file): a block the runner skips for a named divergence, or
 * every block in a diagnostic mode. */
typedef int (*srs_contain_fn)(void *user, const char *test);

/* A host for the .svtest files of folder `dir` (test_script_compile's paths and include's
 * included/ and included-global/ are relative to it), compiling fixtures with an engine of
 * options `eo` (which must stay valid while the host lives) and this extension. `contain` may
 * be NULL; `report` and `contain` get `user`. 0 or SIEVE_E_NOMEM. */
int srs_host_new(const sieve_options *eo, const char *dir,
                 srs_contain_fn contain, srs_report_fn report, void *user, srs_host **out);
void srs_host_free(srs_host *h);   /* NULL is fine */

/* Runs a compiled .svtest against the empty message. A test block still open when the script
 * ends passes; one open when the run fails (a test_fail, or an error) fails with the reason.
 * Returns 0, or the run's error with its first message in `why`. */
int srs_host_run(srs_host *h, const sieve_script *s, char *why, size_t size);

/* The source of a sieve-rs .svtest or fixture as libsieve reads it, in a malloc'd copy: LF
 * made CRLF (as sieve-rs's harness does), every `require` that is not at the top moved to the
 * end of the first line (sieve-rs accepts require anywhere and it means the same there; RFC
 * 5228 §3.2 wants it first), and `test_set "message" :smtp N` written with its tag first
 * (sieve-rs passes tags of its test commands as plain arguments; RFC 5228 §2.6.2 puts tagged
 * arguments before positional ones). *moved counts the requires moved. Line numbers stay. */
char *srs_prepare_source(const char *src, size_t len, size_t *out_len, size_t *moved);

#endif
