/* sieve_testsuite.h — vnd.dovecot.testsuite for libsieve, a test-only extension: the commands
 * and tests Pigeonhole's .svtest files are written in, over a simulated mail store, an SMTP
 * capture and an error log. Used by sieve_suite.c; never part of the library. */
#ifndef SIEVE_TESTSUITE_H
#define SIEVE_TESTSUITE_H

#include "engine.h"

/* The extension and its tags, to give to sv_engine_new_with() as the only extra extension
 * (the tags' ids are SV_TAG_EXTRA + their index, as the engine numbers them). */
extern const sv_ext_def ts_ext_testsuite;
extern const sv_tag_def ts_tags[];
extern const size_t ts_tag_count;

/* The state of one .svtest run: message, envelope, result, mail store, SMTP capture, the
 * compiled fixture script, the error log, settings. */
typedef struct ts_host ts_host;

/* Called once for each `test` block that ended: its name, 1 when it passed, and why not. */
typedef void (*ts_report_fn)(void *user, const char *test, int passed, const char *reason);

/* A host for the .svtest files of folder `dir` (fixture paths are relative to it), compiling
 * fixtures with `engine` (which must have ts_ext_testsuite). 0 or SIEVE_E_NOMEM. */
int ts_host_new(const sieve_engine *engine, const char *dir, ts_report_fn report, void *user,
                ts_host **out);
void ts_host_free(ts_host *h);   /* NULL is fine */

/* Runs a compiled .svtest against the default message. A test block still open when the
 * script ends (a `stop` in it) passes; one open when the run fails fails with the error.
 * Returns 0, or the run's error with its first message in `why`. */
int ts_host_run(ts_host *h, const sieve_script *s, char *why, size_t size);

/* The extension libsieve lacks that a fixture compile of the last test block could not
 * require ("" when none): the runner skips such a block rather than failing it. */
const char *ts_host_missing_extension(const ts_host *h);
/* The error log (test_error's) as it stands: of the last fixture compile, run or execute. */
size_t ts_host_error_count(const ts_host *h);
const char *ts_host_error_at(const ts_host *h, size_t i);

/* Non-zero when the last test block passed only because a test_error text check was relaxed
 * to "an error was reported there" (Pigeonhole's English error texts are its own). */
int ts_host_relaxed(const ts_host *h);

#endif
