/* sieve_rs_suite.c — runs sieve-rs's (Stalwart's) Sieve test suite
 * ($LIBMAIL_CONFORMANCE_DIR/sieve-rs) against libsieve: each .svtest file that cases.tsv lists
 * is compiled with an engine that has vnd.stalwart.testsuite (sieve_rs_testsuite.c) and run
 * once; every `test` block is a case. With --rfcs it compiles the RFC example scripts
 * (every .sieve file of tests/rfcs) instead, one case each.
 *
 *   conformance_sieve_rs_suite [--verbose|-v] [--continue] [--only TEXT] [--rfcs]
 *
 * Prints one line per failed case ("<file>:<test name>: reason"), with --verbose also each
 * file's counts and each skipped case, then "N passed, N failed, N skipped". As in sieve-rs,
 * the first test_fail ends its file: the blocks after it fail as not run. --continue lets the
 * file go on after a failed block instead (to see every failure; the counts then differ from
 * sieve-rs's). Exits 77 when the suite is absent, else 0: the pass count is the measure while
 * extensions are being written. A case is skipped only for a named reason (README.md here). */
#include "sieve_harness.h"
#include "sieve_rs_testsuite.h"

#include "lm_alloc.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SUITE "sieve-rs"
#define RFCS "tests/rfcs"

typedef struct runner {
    sh_runner sh;
    int keep_going;
    size_t moved_requires, files_moved;
    const char *file;         /* the file being run */
} runner;

/* The real extensions (IANA's registry and the vendor ones the suite uses) a file may require
 * that this libsieve may not have yet: its blocks are skipped with the name. */
static const char *const known_extensions[] = {
    "body", "comparator-i;ascii-numeric", "comparator-i;unicode-casemap", "convert", "copy",
    "date", "duplicate", "editheader", "encoded-character", "enclose", "enotify", "envelope",
    "envelope-deliverby", "envelope-dsn", "environment", "ereject", "extlists", "extracttext",
    "fcc", "fileinto", "foreverypart", "ihave", "imap4flags", "include", "index", "mailbox",
    "mailboxid", "mboxmetadata", "mime", "regex", "redirect-deliverby", "redirect-dsn",
    "reject", "relational", "replace", "servermetadata", "spamtest", "spamtestplus",
    "special-use", "subaddress", "vacation", "vacation-seconds", "variables", "virustest",
    "vnd.stalwart.expressions", "vnd.stalwart.while",
};

/* Files whose blocks are skipped, and why: what they test is sieve-rs's own. */
static const struct {
    const char *path, *reason;
} skipped_files[] = {
    {"tests/extensions/environment/variables.svtest",
     "the \"env.\" variable namespace is sieve-rs's own (environment items as variables "
     "without requiring an extension that declares the namespace; RFC 5229 §3 makes an "
     "undeclared namespace an error)"},
};

/* A constant notify method libsieve does not support (tel:) is a compile error. */
#define UNSUPPORTED_METHOD                                                                      \
    "the file notifies \"tel:+14085551212\" (RFC 5435's examples); libsieve supports mailto "  \
    "and xmpp, and a constant unsupported method is a compile error as in Pigeonhole (RFC 5435 " \
    "§3.1: the method must be supported, and valid_notify_method tells a script which are)"

/* Test blocks skipped, and why: sieve-rs's own behaviour where libsieve follows the RFCs and
 * Pigeonhole (whose suite expects the same), or a setting libsieve does not have. */
static const sh_named_skip skipped_blocks[] = {
    {"tests/extensions/enotify/execute.svtest", "RFC Example 1", UNSUPPORTED_METHOD},
    {"tests/extensions/enotify/execute.svtest", "RFC Example 2", UNSUPPORTED_METHOD},
    {"tests/extensions/enotify/execute.svtest", "RFC Example 3", UNSUPPORTED_METHOD},
    {"tests/extensions/enotify/execute.svtest", "RFC Example 5", UNSUPPORTED_METHOD},
    {"tests/extensions/enotify/execute.svtest", "RFC Example 6", UNSUPPORTED_METHOD},
    {"tests/extensions/enotify/execute.svtest", "Duplicate recipients", UNSUPPORTED_METHOD},
    {"tests/extensions/environment/basic.svtest", "Name",
     "expects the implementation's name to contain \"stalwart\""},
    {"tests/extensions/date/currentdate.svtest", "ISO8601",
     "expects UTC written \"Z\"; libsieve writes \"+00:00\" as Pigeonhole does (both are RFC "
     "3339 forms, RFC 5260 §4.2)"},
    {"tests/extensions/editheader/errors.svtest", "Invalid field value",
     "expects a constant field value holding NUL to compile; libsieve refuses it at compile "
     "time as Pigeonhole does (RFC 5293 §4; Pigeonhole's suite expects the error)"},
    {"tests/extensions/redirect/basic.svtest", "Mail address normalization - redirect",
     "expects the quotes of a quoted local part dropped (\"S[r]us\"@example.net as "
     "S[r]us@example.net, which is no addr-spec); libsieve keeps the quotes RFC 5322 §3.4.1 "
     "needs, as Pigeonhole's address-normalize test expects"},
    {"tests/extensions/redirect/address-normalize.svtest", "Mail address normalization - redirect",
     "expects the quotes of a quoted local part dropped (\"S[r]us\"@example.net as "
     "S[r]us@example.net, which is no addr-spec); libsieve keeps the quotes RFC 5322 §3.4.1 "
     "needs, as Pigeonhole's address-normalize test expects"},
    {"tests/test-address.svtest", "Invalid addresses",
     "expects :all of an invalid address (\"<jürgen@example.com>\") to be the address inside; "
     "libsieve gives the value as written, as Pigeonhole's suite expects"},
    {"tests/extensions/body/content.svtest", "Content-Type: message/rfc822",
     "expects the header of a message/rfc822 part searched with its ending empty line; "
     "libsieve searches the header without it, as Pigeonhole's suite expects (RFC 5173 §5.2)"},
    {"tests/extensions/body/text.svtest", "Nested Search",
     "the second block of this name expects a part with the unknown Content-Transfer-Encoding "
     "\"multipart/related\" read as text; RFC 2045 §6.4 makes it application/octet-stream, as "
     "Pigeonhole's suite expects"},
    {"tests/extensions/mime/enclose.svtest", "Enclose",
     "compares the message enclose built byte for byte with sieve-rs's own (its boundaries "
     "\"boundary_N\", \"Message-ID: <auto-generated@message-id>\", a fixed Date, its field "
     "order); RFC 5703 §6 leaves those to the implementation"},
    {"tests/extensions/mime/replace.svtest", "Replace",
     "compares the messages replace built byte for byte with sieve-rs's own (\"Message-ID: "
     "<auto-generated@message-id>\", \"From: MAILER-DAEMON\", its field order); RFC 5703 §5 "
     "leaves those to the implementation"},
    {"tests/extensions/mime/calendar-example.svtest", "Multipart message",
     "expects addheader inside foreverypart to add the field to the current part; RFC 5293 §4 "
     "adds to the message header and RFC 5703 gives editheader no part scope (unlike the "
     ":mime tests, §4), and Pigeonhole's version of this test expects the field at the top"},
    {"tests/extensions/convert/basic.svtest", "text/plain to text/html conversion",
     "libsieve has no converter: convert compiles, and running it is a run-time error (RFC "
     "6558 §3 allows refusing a conversion); the test compares sieve-rs's HTML byte for byte"},
    {"tests/extensions/convert/basic.svtest", "text/html to text/plain conversion",
     "libsieve has no converter: convert compiles, and running it is a run-time error (RFC "
     "6558 §3 allows refusing a conversion); the test compares sieve-rs's text byte for byte"},
    {"tests/extensions/vacation/message.svtest", "Reply to unknown",
     "expects the reply's To written as a bare address; libsieve writes \"<addr>\" as "
     "Pigeonhole's suite expects (both RFC 5322)"},
    {"tests/extensions/vacation/reply.svtest", "Reply if not duplicated",
     "marks sieve-rs's own vacation tracking id (\"_v\" + sender + reason) as seen"},
    {"tests/stalwart/variables.svtest", "Header Variables - Content-Type",
     "expects name*2*=utf-8''%e2%98%95 (a charset on a continuation segment after the first) "
     "read as a charset; RFC 2231 §4.1 allows one only on the first segment, so the segment "
     "is its percent-decoded text \"utf-8''☕\", as GMime reads it"},
};

/* RFC example scripts that are not valid Sieve as written, and why. */
static const struct {
    const char *path, *reason;
} skipped_scripts[] = {
    {"tests/rfcs/rfc3894.sieve", "redirect :copy \"test\": \"test\" is no address (RFC 5228 "
     "§4.2 makes a constant invalid address a compile error)"},
    {"tests/rfcs/rfc5232.sieve", "uses the comparator \"i;ascii-numeric\" without requiring "
     "\"comparator-i;ascii-numeric\" (RFC 5228 §2.7.3)"},
    {"tests/rfcs/rfc5435.sieve", UNSUPPORTED_METHOD},
    {"tests/rfcs/rfc6558.sieve", "\"if (convert ...)\": a test in parentheses is not Sieve "
     "(RFC 5228 §8.2)"},
    {"tests/rfcs/rfc6609.sieve", "set \"envelope.from\" :replace ...: neither the :replace "
     "modifier nor a variable name with a \".\" is in RFC 5229 (sieve-rs's own)"},
};

/* The reason a block is skipped, or NULL. */
static const char *skipped_block(const char *path, const char *test)
{
    return sh_named_reason(skipped_blocks, sizeof skipped_blocks / sizeof skipped_blocks[0],
                           path, test);
}

/* ---- counting ---------------------------------------------------------------------------- */

static void on_report(void *user, const char *test, int passed, const char *reason)
{
    sh_outcome_add(&((runner *)user)->sh, test, passed, reason);
}

/* A test_fail ends only its block with --continue, and in a block skipped by name (its
 * failure is the divergence named: it does not end the file). */
static int contain_block(void *user, const char *test)
{
    const runner *rn = user;
    return rn->keep_going || skipped_block(rn->file, test) != NULL;
}

/* The first of the space-separated names that is a real extension, or NULL. */
static const char *known_missing(const char *names, char *buf, size_t size)
{
    for (const char *p = names; *p;) {
        size_t n = strcspn(p, " ");
        for (size_t i = 0; i < sizeof known_extensions / sizeof known_extensions[0]; i++)
            if (strlen(known_extensions[i]) == n && !memcmp(known_extensions[i], p, n)) {
                snprintf(buf, size, "%.*s", (int)n, p);
                return buf;
            }
        p += n + (p[n] == ' ');
    }
    return NULL;
}

/* Reads `file` of the suite and compiles it as libsieve reads sieve-rs files
 * (srs_prepare_source); a .svtest that does not require vnd.stalwart.testsuite gets it on its
 * first line (sieve-rs's harness knows the test commands without it). Returns the script, or
 * NULL with the reason in `why` and the real extension it lacks in `missing` ("" when none). */
static sieve_script *compile_file(runner *rn, const sieve_engine *e, const char *file,
                                  char *why, size_t size, char *missing, size_t msize)
{
    size_t len = 0, moved = 0;
    missing[0] = '\0';
    char *raw = sh_read_file(rn->sh.suite, file, &len);
    if (!raw) {
        snprintf(why, size, "cannot read the file");
        return NULL;
    }
    char *src = srs_prepare_source(raw, len, &len, &moved);
    free(raw);
    if (!src) {
        fprintf(stderr, "out of memory\n");
        exit(2);
    }
    rn->moved_requires += moved;
    rn->files_moved += moved > 0;
    static const char req[] = "require \"vnd.stalwart.testsuite\"; ";
    if (strstr(file, ".svtest") && !strstr(src, "\"vnd.stalwart.testsuite\"")) {
        char *with = sh_xrealloc(NULL, len + sizeof req);
        memcpy(with, req, sizeof req - 1);
        memcpy(with + sizeof req - 1, src, len + 1);
        free(src);
        src = with;
        len += sizeof req - 1;
    }
    char names[256];
    sieve_script *s = sh_compile(e, src, len, why, size, names, sizeof names);
    free(src);
    if (!s && !known_missing(names, missing, msize))
        missing[0] = '\0';
    return s;
}

/* ---- one .svtest file ------------------------------------------------------------------- */

static void judge_file(runner *rn, const sieve_engine *e, const sieve_options *eo,
                       sh_file_cases *f)
{
    sh_runner *sh = &rn->sh;
    char why[512], missing[80], reason[800];
    sh_file_begin(sh);
    for (size_t i = 0; i < sizeof skipped_files / sizeof skipped_files[0]; i++)
        if (!strcmp(f->path, skipped_files[i].path)) {
            for (size_t k = 0; k < f->n; k++)
                sh_skip(sh, f->path, f->blocks[k].name, skipped_files[i].reason);
            goto done;
        }
    sieve_script *s = sh_set_dir(sh, f->path) ? NULL
                      : compile_file(rn, e, f->path, why, sizeof why, missing, sizeof missing);
    if (!s) {
        snprintf(reason, sizeof reason, "needs extension %s", missing);
        for (size_t i = 0; i < f->n; i++) {
            const char *named = skipped_block(f->path, f->blocks[i].name);
            if (*missing || named)
                sh_skip(sh, f->path, f->blocks[i].name, named ? named : reason);
            else
                sh_fail(sh, f->path, f->blocks[i].name, why);
        }
        goto done;
    }
    srs_host *h = NULL;
    rn->file = f->path;
    if (srs_host_new(eo, sh->dir, contain_block, on_report, rn, &h)) {
        fprintf(stderr, "out of memory\n");
        exit(2);
    }
    int ok_run = srs_host_run(h, s, why, sizeof why) == 0;
    srs_host_free(h);
    sieve_script_free(s);
    char stopped_at[300] = ""; /* the block whose failure ended the file */
    for (size_t k = 0; k < sh->noutcomes; k++)
        if (!sh->outcomes[k].passed)
            snprintf(stopped_at, sizeof stopped_at, "%s", sh->outcomes[k].name);
    for (size_t i = 0; i < f->n; i++) {
        sh_block *b = &f->blocks[i];
        sh_outcome *r = sh_outcome_take(sh, b->name); /* a later block of the name: the next */
        const char *named = skipped_block(f->path, b->name);
        if (r && r->passed) {
            sh_pass(sh, f->path, b->name);
        } else if (named) {
            sh_skip(sh, f->path, b->name, named);
        } else if (r) {
            sh_fail(sh, f->path, b->name, r->reason);
        } else if (!ok_run) {
            snprintf(reason, sizeof reason, "not run: the file stopped %s%s%s: %s",
                     *stopped_at ? "at \"" : "before any test", stopped_at,
                     *stopped_at ? "\"" : "", why);
            sh_fail(sh, f->path, b->name, reason);
        } else {
            sh_skip(sh, f->path, b->name,
                    "never reached: the file's own control flow passes it by");
        }
    }
done:
    sh_file_end(sh, f->path);
}

/* ---- the RFC example scripts --------------------------------------------------------------- */

/* The scripts the RFC examples include are not part of the suite: any name is an empty
 * script, so only the including script is judged. */
static int empty_include(void *user, int location, const char *name, char **text, size_t *len)
{
    (void)user;
    (void)location;
    (void)name;
    *text = lm_malloc(1);
    if (*text)
        **text = '\0';
    *len = 0;
    return *text ? 0 : SIEVE_E_NOMEM;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void judge_rfcs(runner *rn, const sieve_engine *e)
{
    char dir[4200];
    snprintf(dir, sizeof dir, "%s/%s", rn->sh.suite, RFCS);
    DIR *d = opendir(dir);
    if (!d)
        return;
    char **names = NULL;
    size_t n = 0;
    struct dirent *ent;
    while ((ent = readdir(d))) {
        size_t k = strlen(ent->d_name);
        if (k > 6 && !strcmp(ent->d_name + k - 6, ".sieve")) {
            names = sh_xrealloc(names, (n + 1) * sizeof *names);
            names[n++] = sh_xstrdup(ent->d_name);
        }
    }
    closedir(d);
    qsort(names, n, sizeof *names, by_name);
    for (size_t i = 0; i < n; i++) {
        char file[600], why[512], missing[80], reason[600];
        snprintf(file, sizeof file, "%s/%s", RFCS, names[i]);
        free(names[i]);
        if (!sh_runner_wants(&rn->sh, file))
            continue;
        const char *named = NULL;
        for (size_t k = 0; k < sizeof skipped_scripts / sizeof skipped_scripts[0]; k++)
            if (!strcmp(file, skipped_scripts[k].path))
                named = skipped_scripts[k].reason;
        sieve_script *s = compile_file(rn, e, file, why, sizeof why, missing, sizeof missing);
        if (named && !s)
            sh_skip(&rn->sh, file, "compiles", named);
        else if (s)
            sh_pass(&rn->sh, file, "compiles");
        else if (*missing) {
            snprintf(reason, sizeof reason, "needs extension %s", missing);
            sh_skip(&rn->sh, file, "compiles", reason);
        } else
            sh_fail(&rn->sh, file, "compiles", why);
        sieve_script_free(s);
    }
    free(names);
}

int main(int argc, char **argv)
{
    runner rn;
    memset(&rn, 0, sizeof rn);
    int rfcs = 0;
    for (int i = 1; i < argc; i++) {
        if (sh_runner_option(&rn.sh, argc, argv, &i))
            continue;
        if (!strcmp(argv[i], "--continue"))
            rn.keep_going = 1;
        else if (!strcmp(argv[i], "--rfcs"))
            rfcs = 1;
        else {
            fprintf(stderr, "usage: %s [--verbose|-v] [--continue] [--only TEXT] [--rfcs]\n",
                    argv[0]);
            return 2;
        }
    }
    int rc = sh_runner_open(&rn.sh, SUITE);
    if (rc)
        return rc;

    const sv_ext_def *extra[] = {&srs_ext_testsuite};
    sieve_options eo;
    sieve_options_init(&eo);
    eo.include = rfcs ? empty_include : sh_fetch_include;
    eo.include_user = rn.sh.dir;
    eo.functions = srs_functions;
    eo.nfunctions = srs_function_count;
    /* rfc5703.sieve adds loops of its own around the RFC's examples, 5 deep: sieve-rs's
     * harness compiles it, so this site allows deeper loops than the default 4. */
    if (rfcs)
        eo.max_foreverypart_depth = 8;
    sieve_engine *e = NULL;
    if (sv_engine_new_with(&eo, extra, 1, srs_tags, srs_tag_count, &e)) {
        fprintf(stderr, "cannot make the engine\n");
        return 2;
    }
    if (rfcs)
        judge_rfcs(&rn, e);
    else
        for (size_t i = 0; i < rn.sh.nfiles; i++)
            if (sh_runner_wants(&rn.sh, rn.sh.files[i].path))
                judge_file(&rn, e, &eo, &rn.sh.files[i]);
    sieve_engine_free(e);
    if (rn.moved_requires)
        printf("(%zu require commands in %zu files moved to the top: sieve-rs accepts require "
               "anywhere, RFC 5228 §3.2 only first)\n", rn.moved_requires, rn.files_moved);
    sh_runner_close(&rn.sh);
    return 0;
}
