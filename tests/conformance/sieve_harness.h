/* sieve_harness.h — what the Sieve suite runners share (sieve_suite.c for Pigeonhole's suite,
 * sieve_rs_suite.c for sieve-rs's) and the test-only extensions they run the files with
 * (sieve_testsuite.c, sieve_rs_testsuite.c): the case list of a suite's cases.tsv, the counts
 * and the test blocks a run reported, reading files, include resolution under included/ and
 * included-global/, what a failed compile reports; and on the extension side the message,
 * envelope and test block of a run, the first address of a header field, and the message as
 * editheader's edits leave it. Never part of the library.
 *
 * Two memory policies, said per function: the runner-side functions (case lists, files) end
 * the runner when memory runs out (exit 2), as the other C runners do; the functions the
 * test-only extensions call while a script runs allocate with lm_malloc and return
 * SIEVE_E_NOMEM. */
#ifndef SIEVE_HARNESS_H
#define SIEVE_HARNESS_H

#include "engine.h"

#include <stddef.h>

/* ---- runner side (out of memory ends the runner) ------------------------------------------- */

void *sh_xrealloc(void *p, size_t n);
char *sh_xstrdup(const char *s);

/* The file `dir`/`name`, NUL-terminated, its length in *len (may be NULL); NULL when it cannot
 * be read. Free with free(). */
char *sh_read_file(const char *dir, const char *name, size_t *len);

/* The test blocks of one .svtest file, in the order of the suite's cases.tsv. */
typedef struct sh_block {
    char *name;
} sh_block;

typedef struct sh_file_cases {
    char *path;               /* relative to the suite */
    sh_block *blocks;
    size_t n;
} sh_file_cases;

/* The entry for `path` in the list, added (without blocks) when it is not there yet. */
sh_file_cases *sh_file_for(sh_file_cases **files, size_t *nfiles, const char *path);
/* Reads `suite`/cases.tsv ("file<TAB>index<TAB>test name" after a header line; the names are
 * written as in the script, a backslash quoting the next character, and are unescaped here)
 * into the list. Leaves the list as it was when the file cannot be read. */
void sh_read_cases(const char *suite, sh_file_cases **files, size_t *nfiles);
void sh_cases_free(sh_file_cases *files, size_t nfiles);

/* Compiles `src` with `e`: the script, or NULL with the first error in `why` ("line N: text",
 * or "does not compile") and the extensions named in "unsupported extension" errors in
 * `missing` (space-separated, or ""; cut at `msize`). */
sieve_script *sh_compile(const sieve_engine *e, const char *src, size_t len, char *why,
                         size_t size, char *missing, size_t msize);

/* A test block a runner skips by name, and why (tests/conformance/README.md). */
typedef struct sh_named_skip {
    const char *path, *test, *reason;
} sh_named_skip;

/* The reason the list gives for block `test` of `path`, or NULL. */
const char *sh_named_reason(const sh_named_skip *list, size_t n, const char *path,
                            const char *test);

/* A test block as a run reported it. */
typedef struct sh_outcome {
    char *name;               /* NULL once sh_outcome_take() matched it to a block */
    char *reason;             /* why it failed ("failed" when the run said nothing) */
    char *missing, *log;      /* what a runner adds (sieve_suite.c), or NULL */
    int passed, relaxed;
} sh_outcome;

/* A runner: the suite and its case list, the counts, the folder of the file being run, and
 * the outcomes its run reported. Zero it before sh_runner_open(). */
typedef struct sh_runner {
    char suite[4096];         /* $LIBMAIL_CONFORMANCE_DIR/<suite> */
    sh_file_cases *files;     /* cases.tsv's */
    size_t nfiles;
    int verbose;              /* 1: each file's counts and each skip; 2: each pass too */
    const char *only;         /* --only: the files whose path holds it, or NULL for all */
    long passed, failed, skipped;
    long at_file[3];          /* the counts when the current file began */
    char dir[4096];           /* the folder of the file being run: include's base */
    sh_outcome *outcomes;
    size_t noutcomes;
} sh_runner;

/* Takes the option at argv[*i] when it is one every runner has: -v/--verbose (again: more),
 * --only TEXT (*i then moves past TEXT). 1 when it took it, else 0. */
int sh_runner_option(sh_runner *rn, int argc, char **argv, int *i);
/* 1 when the file at `path` is to be run (--only). */
int sh_runner_wants(const sh_runner *rn, const char *path);
/* Finds the suite `name` under $LIBMAIL_CONFORMANCE_DIR and reads its cases.tsv into
 * rn->files. 0, or 77 (the skip status) when the variable is unset or the suite is absent: a
 * "SKIP: …" line is printed then. */
int sh_runner_open(sh_runner *rn, const char *name);
/* Prints the totals, "N passed, N failed, N skipped", and frees the case list and the
 * outcomes. */
void sh_runner_close(sh_runner *rn);

/* Counts a case: a failure is printed as "<file>:<test>: reason", a skip with --verbose, a
 * pass with -v -v. */
void sh_pass(sh_runner *rn, const char *file, const char *test);
void sh_fail(sh_runner *rn, const char *file, const char *test, const char *reason);
void sh_skip(sh_runner *rn, const char *file, const char *test, const char *reason);

/* A file begins: the outcomes of the one before go, and its counts start. At its end, with
 * --verbose, its counts are printed as "<file>: N passed, N failed, N skipped". */
void sh_file_begin(sh_runner *rn);
void sh_file_end(sh_runner *rn, const char *file);
/* Points rn->dir at the folder of `file` (relative to the suite). 0, or -1 when too long. */
int sh_set_dir(sh_runner *rn, const char *file);

/* Keeps what a run reported of a test block (the report callback of the extensions). */
sh_outcome *sh_outcome_add(sh_runner *rn, const char *test, int passed, const char *reason);
/* The first outcome of block `name` not matched yet, now matched (so a later block of the
 * same name takes the next one); NULL when there is none. */
sh_outcome *sh_outcome_take(sh_runner *rn, const char *name);

/* sieve_options.include for the suites' tools: :personal "x" is <dir>/included/x.sieve and
 * :global "x" is <dir>/included-global/x.sieve, where `user` is the NUL-terminated folder
 * (a buffer the runner points at the folder of the file being run). A name with a "/" or
 * ".." is "not found". */
int sh_fetch_include(void *user, int location, const char *name, char **text, size_t *len);

/* ---- extension side (lm_malloc; SIEVE_E_NOMEM) ----------------------------------------------- */

/* Called once for each `test` block that ended: its name, 1 when it passed, and why not. */
typedef void (*sh_report_fn)(void *user, const char *test, int passed, const char *reason);

/* What both extensions keep of a run of a .svtest file: the current message, the envelope
 * (the strings, and the record naming them that the run sees), and the test block being run.
 * Zeroed to start; the strings are lm_malloc'd. */
typedef struct sh_host {
    char *text;
    size_t len;
    mailparse_message *msg;   /* `text` parsed */
    char *env_from, *env_to, *env_orig_to, *env_auth;
    sieve_envelope env;
    char *test_name;
    int in_test;
    sh_report_fn report;      /* may be NULL */
    void *user;               /* for `report` (and the extension's own callbacks) */
} sh_host;

/* Frees what the host holds (not the host itself). */
void sh_host_clear(sh_host *c);
/* Makes a copy of `text` the current message. 0, SIEVE_E_NOMEM, or SIEVE_E_INVAL when it does
 * not parse (the current message then stays). */
int sh_host_set_message(sh_host *c, const char *text, size_t len);
/* The envelope record from the envelope strings; the run `r` (may be NULL) sees it from now. */
void sh_host_env_refresh(sh_host *c, sv_run *r);
/* Ends the test block being run (nothing when none is) and reports it. */
void sh_host_test_end(sh_host *c, int passed, const char *reason);
/* The `test` command: at the end of its block the block passed (0); at its start the block
 * before ends, passed, and this one begins (1). Or a negative SIEVE_E_*. */
int sh_host_test_command(sh_host *c, sv_run *r, const sv_args *a);
/* test_fail: with `contain` and a test block open, the block fails with `reason` and the run
 * leaves `leave` blocks (that one and those inside it); else the whole run fails with it.
 * 0 or SIEVE_E_RUNTIME. */
int sh_host_fail(sh_host *c, sv_run *r, sv_pos pos, const char *reason, int contain,
                 int leave);
/* Runs `s` on the current message and envelope with the run options `opts` (`host` is the
 * extension's own state, sv_run.host). A test block still open at the end passes when the
 * run succeeded, else fails with the reason. Returns 0, or the run's error with its first
 * message (else its sieve_strerror) in `why`. */
int sh_host_run(sh_host *c, const sieve_script *s, void *host, const sieve_run_options *opts,
                char *why, size_t size);

/* Replaces the string in *slot by a copy of `n` octets of `s` (NULL: ""). 0 or SIEVE_E_NOMEM. */
int sh_set_string(char **slot, const char *s, size_t n);
/* The same for an envelope path as test_set gives it: brackets dropped, "<>" the null path. */
int sh_set_path(char **slot, const char *s, size_t n);
/* The run string of the i-th positional argument (one string). 0 or a negative SIEVE_E_*. */
int sh_arg_string(sv_run *r, const sv_args *a, size_t i, sv_str *out);
/* The strings of test_imap_metadata_set [:mailbox "box"] "entry" "value", the tag's id
 * `mailbox_tag` (box "" without it: a server annotation). 0 or a negative SIEVE_E_*. */
int sh_metadata_args(sv_run *r, const sv_args *a, int mailbox_tag, sv_str *box, sv_str *entry,
                     sv_str *value);
/* The key of a pair, "a\nb" (metadata "mailbox\nentry", a list member), or NULL. */
char *sh_pair_key(const char *a, const char *b);
/* A callback's string value (environment, metadata): copied into `buf` (cut at `size`, which
 * may be 0); its length, or -1 when `v` is NULL. */
long sh_copy_value(const char *v, char *buf, size_t size);

/* An action run of a test command that does nothing (the printing ones, reloads). */
int sh_run_nothing(sv_run *r, const sv_args *a);
/* Makes `res` the run's result (taking it; the old one is freed), no redirect counted. */
void sh_replace_result(sv_run *r, sieve_result *res);
/* The same with an empty result: the implicit keep in force again. 0 or SIEVE_E_NOMEM. */
int sh_empty_result(sv_run *r);

/* The first address of the top-level field `field` of `m` (lm_malloc'd), or NULL when there
 * is none (or memory ran out: *nomem is then set). */
char *sh_first_address(const mailparse_message *m, const char *field, int *nomem);

/* `text` as a delivery would write it: the header edits of `res` (sieve.h) from the
 * `first_edit`-th on applied in turn, and `extra` (a whole field with its CRLF, or NULL) put on
 * top, where the edits do not see it. *out is lm_malloc'd and NUL-terminated. 0 or
 * SIEVE_E_NOMEM. */
int sh_edited_message(const char *text, size_t len, const sieve_result *res, size_t first_edit,
                      const char *extra, char **out, size_t *out_len);

#endif
