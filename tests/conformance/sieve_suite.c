/* sieve_suite.c — runs Pigeonhole's Sieve test suite ($LIBMAIL_CONFORMANCE_DIR/pigeonhole-sieve)
 * against libsieve: each .svtest file that cases.tsv lists is compiled with an engine that has
 * vnd.dovecot.testsuite (sieve_testsuite.c) and run once; every `test` block is a case.
 *
 *   conformance_sieve_suite [--verbose|-v] [--only TEXT]
 *
 * Prints one line per failed case ("<file>:<test name>: reason"), with --verbose also each
 * file's counts and each skipped case, then "N passed, N failed, N skipped". Exits 77 when the
 * suite is absent, else 0: the pass count is the measure while extensions are being written.
 * A case is skipped only for a named reason (see tests/conformance/README.md). */
#include "sieve_harness.h"
#include "sieve_testsuite.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SUITE "pigeonhole-sieve"
#define FAILURES "tests/failures/"
/* Uses i;unicode-casemap without requiring "comparator-i;unicode-casemap" (Pigeonhole lets it). */
#define UNICODE_CASEMAP "tests/comparators/i-unicode-casemap.svtest"

/* Blocks skipped when they fail, and why: the suite expects what libsieve deliberately does
 * otherwise (tests/conformance/README.md). */
static const sh_named_skip divergences[] = {
    {"tests/extensions/editheader/errors.svtest", "Invalid field value",
     "expects a BEL in a constant addheader value to be a compile error (3 errors); libsieve "
     "warns and adds the field as Pigeonhole 2.3 and sieve-rs do (RFC 5322 §4.1 obs-utext), "
     "and test_error counts errors only, as Pigeonhole's testsuite log does"},
    {"tests/extensions/extlists/errors.svtest", "Compile errors",
     "expects 3 errors, one of them for `redirect :list`, which Pigeonhole does not implement; "
     "libsieve implements redirect :list as RFC 6134 defines it, so it reports the other 2"},
};

static const char *divergence(const char *path, const char *test)
{
    return sh_named_reason(divergences, sizeof divergences / sizeof divergences[0], path, test);
}

typedef struct runner {
    sh_runner sh;             /* outcomes: `log` holds the first errors of the block's last
                               * compile, run or execute */
    long relaxed;
    ts_host *host;
} runner;

/* ---- the case list ------------------------------------------------------------------------ */

/* The expected-to-fail files that have no test block (so cases.tsv does not list them). */
static void add_failure_files(const char *suite, sh_file_cases **files, size_t *nfiles)
{
    char dir[4096];
    DIR *d = (size_t)snprintf(dir, sizeof dir, "%s/%s", suite, FAILURES) < sizeof dir
             ? opendir(dir) : NULL;
    if (!d)
        return;
    struct dirent *e;
    char path[600];
    while ((e = readdir(d))) {
        size_t n = strlen(e->d_name);
        if (n > 7 && !strcmp(e->d_name + n - 7, ".svtest") &&
            (size_t)snprintf(path, sizeof path, "%s%s", FAILURES, e->d_name) < sizeof path)
            sh_file_for(files, nfiles, path);
    }
    closedir(d);
}

/* ---- counting ---------------------------------------------------------------------------- */

static void on_report(void *user, const char *test, int passed, const char *reason)
{
    runner *rn = user;
    sh_outcome *r = sh_outcome_add(&rn->sh, test, passed, reason);
    r->missing = sh_xstrdup(ts_host_missing_extension(rn->host));
    r->relaxed = ts_host_relaxed(rn->host);
    char log[600] = "";
    for (size_t i = 0; i < ts_host_error_count(rn->host) && i < 3; i++) {
        size_t used = strlen(log);
        snprintf(log + used, sizeof log - used, "%s%s", used ? " | " : "",
                 ts_host_error_at(rn->host, i));
    }
    r->log = sh_xstrdup(log);
}

/* ---- one file -------------------------------------------------------------------------------- */

/* Runs one .svtest file; `*ok_run` says the run ended without an error. Returns 0, or -1 when
 * it did not compile (the reason in `why`, the extensions it lacks in `missing`). */
static int run_file(runner *rn, const sieve_engine *e, const char *file, char *why, size_t size,
                    char *missing, size_t msize, int *ok_run)
{
    size_t len = 0;
    missing[0] = '\0';
    *ok_run = 0;
    if (sh_set_dir(&rn->sh, file)) {
        snprintf(why, size, "the path is too long");
        return -1;
    }
    char *src = sh_read_file(rn->sh.suite, file, &len);
    if (!src) {
        snprintf(why, size, "cannot read the file");
        return -1;
    }
    sieve_script *s = sh_compile(e, src, len, why, size, missing, msize);
    free(src);
    if (!s)
        return -1;
    /* Every file runs from its saved bytecode, so the loader's checks see each construct
     * the suite uses (test blocks included). */
    unsigned char *bytes = NULL;
    size_t nbytes = 0;
    sieve_script *loaded = NULL;
    int rc = sieve_script_save(s, &bytes, &nbytes);
    if (!rc)
        rc = sieve_script_load(e, bytes, nbytes, &loaded);
    sieve_free(bytes);
    sieve_script_free(s);
    if (rc) {
        snprintf(why, size, "the bytecode does not load again: %s", sieve_strerror(rc));
        return -1;
    }
    s = loaded;
    if (ts_host_new(e, rn->sh.dir, on_report, rn, &rn->host)) {
        fprintf(stderr, "out of memory\n");
        exit(2);
    }
    rc = ts_host_run(rn->host, s, why, size);
    *ok_run = rc == 0;
    ts_host_free(rn->host);
    rn->host = NULL;
    sieve_script_free(s);
    return 0;
}

/* The real extension (of a known list) among the space-separated names, for the skip reason;
 * a bogus name of a deliberately broken fixture does not count. */
static int any_known(const char *names)
{
    static const char *const not_real[] = {"frop", "frop-ext", "vnd.dovecot.testsuite"};
    if (!*names)
        return 0;
    for (size_t i = 0; i < sizeof not_real / sizeof not_real[0]; i++)
        if (!strcmp(names, not_real[i]))
            return 0;
    return 1;
}

static void judge_failure_file(runner *rn, const sieve_engine *e, const sh_file_cases *f)
{
    char why[512], missing[256];
    int ok_run;
    size_t before = rn->sh.noutcomes;
    int rc = run_file(rn, e, f->path, why, sizeof why, missing, sizeof missing, &ok_run);
    int all_failed = 1;
    for (size_t i = before; i < rn->sh.noutcomes; i++)
        all_failed &= !rn->sh.outcomes[i].passed;
    if (rc || !ok_run || (rn->sh.noutcomes && all_failed))
        sh_pass(&rn->sh, f->path, "(expected failure)");
    else
        sh_fail(&rn->sh, f->path, "(expected failure)",
                "compiled and ran with a test block passing");
}

static void judge_file(runner *rn, const sieve_engine *e, sh_file_cases *f)
{
    sh_runner *sh = &rn->sh;
    char why[512], missing[256], reason[800];
    int ok_run;
    sh_file_begin(sh);
    if (!strncmp(f->path, FAILURES, strlen(FAILURES))) {
        judge_failure_file(rn, e, f);
    } else if (!strcmp(f->path, UNICODE_CASEMAP)) {
        for (size_t i = 0; i < f->n; i++)
            sh_skip(sh, f->path, f->blocks[i].name, "uses the comparator i;unicode-casemap without "
                 "requiring \"comparator-i;unicode-casemap\" (RFC 5228 §2.7.3: an error here)");
    } else if (run_file(rn, e, f->path, why, sizeof why, missing, sizeof missing, &ok_run)) {
        snprintf(reason, sizeof reason, "needs extension %s", missing);
        for (size_t i = 0; i < f->n; i++) {
            if (any_known(missing))
                sh_skip(sh, f->path, f->blocks[i].name, reason);
            else
                sh_fail(sh, f->path, f->blocks[i].name, why);
        }
    } else {
        for (size_t i = 0; i < f->n; i++) {
            sh_block *b = &f->blocks[i];
            sh_outcome *r = sh_outcome_take(sh, b->name); /* a later block of the name: the next */
            if (!r && !ok_run) {
                snprintf(reason, sizeof reason, "did not run: %s", why);
                sh_fail(sh, f->path, b->name, reason);
                continue;
            }
            if (!r) {
                sh_skip(sh, f->path, b->name, "never reached: the file's own control flow passes "
                     "it by (an `if false` around it)");
                continue;
            }
            if (r->passed) {
                sh_pass(sh, f->path, b->name);
                rn->relaxed += r->relaxed;
            } else if (*r->missing) {
                snprintf(reason, sizeof reason, "a fixture needs extension %s", r->missing);
                sh_skip(sh, f->path, b->name, reason);
            } else if (divergence(f->path, b->name)) {
                sh_skip(sh, f->path, b->name, divergence(f->path, b->name));
            } else {
                sh_fail(sh, f->path, b->name, r->reason);
                if (sh->verbose && *r->log)
                    printf("    error log: %s\n", r->log);
            }
        }
    }
    sh_file_end(sh, f->path);
}

int main(int argc, char **argv)
{
    runner rn;
    memset(&rn, 0, sizeof rn);
    for (int i = 1; i < argc; i++)
        if (!sh_runner_option(&rn.sh, argc, argv, &i)) {
            fprintf(stderr, "usage: %s [--verbose|-v] [--only TEXT]\n", argv[0]);
            return 2;
        }
    int rc = sh_runner_open(&rn.sh, SUITE);
    if (rc)
        return rc;
    add_failure_files(rn.sh.suite, &rn.sh.files, &rn.sh.nfiles);

    const sv_ext_def *extra[] = {&ts_ext_testsuite};
    sieve_options eo;
    sieve_options_init(&eo);
    eo.include = sh_fetch_include;
    eo.include_user = rn.sh.dir;
    sieve_engine *e = NULL;
    if (sv_engine_new_with(&eo, extra, 1, ts_tags, ts_tag_count, &e)) {
        fprintf(stderr, "cannot make the engine\n");
        return 2;
    }
    for (size_t i = 0; i < rn.sh.nfiles; i++)
        if (sh_runner_wants(&rn.sh, rn.sh.files[i].path))
            judge_file(&rn, e, &rn.sh.files[i]);
    sieve_engine_free(e);
    if (rn.relaxed)
        printf("(%ld of the passes relaxed a test_error check of Pigeonhole's English error "
               "text to \"an error was reported there\")\n", rn.relaxed);
    sh_runner_close(&rn.sh);
    return 0;
}
