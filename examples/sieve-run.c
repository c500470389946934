/* sieve-run.c — compile a Sieve script and run it against a message.
 *
 *   sieve-run SCRIPT MESSAGE [--from ADDR] [--to ADDR] [--orig-to ADDR] [--auth USER] [--trace]
 *             [--message-out FILE]
 *   sieve-run SCRIPT --compile-only
 *
 * Prints one action per line: `keep`, `fileinto "Folder" [:copy] [:create] [:flags "…"]`,
 * `redirect "addr" [:copy]`, `discard`, `reject "reason"`, `ereject "reason"`; the implicit
 * keep, when it is still in force, is printed as `keep (implicit)`. editheader's edits
 * (RFC 5293) are printed where the script made them, among the actions: `addheader [:last]
 * "Name" "value"`, and `deleteheader :index N "Name" "value"` for each field removed (the N-th
 * of that name as the edits before left the header). --message-out FILE writes the message the
 * implicit keep stores: as replace and enclose (RFC 5703) rebuilt it, else as received, with
 * the header edits made (sieve_result_apply_edits). A compile error is
 * printed as `SCRIPT:LINE:COLUMN: error: TEXT` with exit status 1; a run-time error likewise
 * (the implicit keep then applies). Exit status 2 for a malformed command line, 1 when a file
 * cannot be read. MESSAGE may be "-" for stdin.
 *
 * --trace prints to stderr, as the script runs, each command and test it executed with its
 * line, and what each did: `SCRIPT:LINE: header: true`, `SCRIPT:LINE: fileinto`, then
 * `SCRIPT:LINE:   -> fileinto "Junk"` for the action it added (sieve_run_options.trace). */
#include "sieve.h"
#include "tool_io.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PROG "sieve-run"

enum { EXIT_FAILED = 1, EXIT_USAGE = 2 };

static void usage(FILE *out)
{
    fputs("usage: " PROG " SCRIPT MESSAGE [--from ADDR] [--to ADDR] [--orig-to ADDR] "
          "[--auth USER] [--trace] [--message-out FILE]\n"
          "       " PROG " SCRIPT --compile-only\n", out);
}

static void print_diagnostics(const char *name, const sieve_diagnostics *d)
{
    for (size_t i = 0; i < sieve_diagnostics_count(d); i++) {
        int sev;
        unsigned line, col;
        const char *text;
        sieve_diagnostic_at(d, i, &sev, &line, &col, &text);
        fprintf(stderr, "%s:%u:%u: %s: %s\n", name, line, col,
                sev == SIEVE_SEVERITY_ERROR ? "error" : "warning", text);
    }
}

/* A string argument in Sieve's quoted form. */
static void print_quoted(FILE *out, const char *s)
{
    putc('"', out);
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            putc('\\', out);
        putc(*s, out);
    }
    putc('"', out);
}

/* vnd.dovecot.debug's debug_log: the message on stderr with the script's name and line. */
static void print_debug_log(void *user, unsigned line, const char *message, size_t len)
{
    fprintf(stderr, "%s:%u: debug: %.*s\n", (const char *)user, line, (int)len, message);
}

/* sieve_run_options.trace: one line on stderr per command, test and action added. */
static void print_trace(void *user, int kind, unsigned line, const char *name, int outcome,
                        const char *detail)
{
    fprintf(stderr, "%s:%u: ", (const char *)user, line);
    if (kind == SIEVE_TRACE_ACTION) {
        fprintf(stderr, "  -> %s", name);
        if (*detail) {
            putc(' ', stderr);
            print_quoted(stderr, detail);
        }
    } else if (outcome < 0) {
        fprintf(stderr, "%s: failed (%s)", name, sieve_strerror(outcome));
    } else if (kind == SIEVE_TRACE_TEST) {
        fprintf(stderr, "%s: %s", name, outcome ? "true" : "false");
    } else {
        fputs(name, stderr);
    }
    putc('\n', stderr);
}

/* The edits from the `from`-th up to the `to`-th, one a line. */
static void print_edits(const sieve_result *r, size_t from, size_t to)
{
    for (size_t i = from; i < to; i++) {
        int kind, last;
        const char *name, *value;
        size_t index;
        if (sieve_result_edit_at(r, i, &kind, &name, &value, &index, &last))
            continue;
        if (kind == SIEVE_EDIT_ADD) {
            fputs(last ? "addheader :last " : "addheader ", stdout);
        } else {
            printf("deleteheader :index %zu ", index);
        }
        print_quoted(stdout, name);
        putchar(' ');
        print_quoted(stdout, value);
        putchar('\n');
    }
}

static void print_result(const sieve_result *r)
{
    size_t edits = 0; /* printed so far */
    for (size_t i = 0; i < sieve_result_count(r); i++) {
        size_t before = sieve_result_action_edits(r, i);
        if (before > edits) {
            print_edits(r, edits, before);
            edits = before;
        }
        int type;
        const char *target, *flags;
        unsigned opt;
        sieve_result_action(r, i, &type, &target, &flags, &opt);
        fputs(sieve_action_name(type), stdout);
        if (type != SIEVE_ACTION_KEEP && type != SIEVE_ACTION_DISCARD) {
            putchar(' ');
            print_quoted(stdout, target);
        }
        if (opt & SIEVE_ACTION_COPY)
            fputs(" :copy", stdout);
        if (opt & SIEVE_ACTION_CREATE)
            fputs(" :create", stdout);
        if (flags) {
            fputs(" :flags ", stdout);
            print_quoted(stdout, flags);
        }
        putchar('\n');
    }
    print_edits(r, edits, sieve_result_edit_count(r));
    if (sieve_result_implicit_keep(r))
        puts("keep (implicit)");
}

/* Writes the message the implicit keep stores to `path`; 0, or -1 (reported). */
static int write_message(const char *path, const sieve_result *r, const unsigned char *msg,
                         size_t msg_len)
{
    size_t len, first;
    const unsigned char *built = sieve_result_action_message(r, sieve_result_count(r), &len,
                                                             &first);
    if (!built) {
        built = msg;
        len = msg_len;
    }
    unsigned char *out = NULL;
    size_t out_len = 0;
    int rc = sieve_result_apply_edits(r, first, sieve_result_edit_count(r), built, len, &out,
                                      &out_len);
    if (rc) {
        fprintf(stderr, PROG ": %s: %s\n", path, sieve_strerror(rc));
        return -1;
    }
    FILE *f = fopen(path, "wb");
    int ok = f && fwrite(out, 1, out_len, f) == out_len;
    if (f && fclose(f))
        ok = 0;
    if (!ok)
        fprintf(stderr, PROG ": %s: %s\n", path, strerror(errno));
    sieve_free(out);
    return ok ? 0 : -1;
}

int main(int argc, char **argv)
{
    const char *script_path = NULL, *msg_path = NULL, *message_out = NULL;
    sieve_envelope env;
    sieve_envelope_init(&env);
    int compile_only = 0, trace = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char **slot = strcmp(a, "--from") == 0      ? &env.from
                            : strcmp(a, "--to") == 0      ? &env.to
                            : strcmp(a, "--orig-to") == 0 ? &env.orig_to
                            : strcmp(a, "--auth") == 0    ? &env.auth
                            : strcmp(a, "--message-out") == 0 ? &message_out
                                                          : NULL;
        if (slot) {
            if (i + 1 >= argc) {
                usage(stderr);
                return EXIT_USAGE;
            }
            *slot = argv[++i];
        } else if (strcmp(a, "--compile-only") == 0) {
            compile_only = 1;
        } else if (strcmp(a, "--trace") == 0) {
            trace = 1;
        } else if (strcmp(a, "--help") == 0) {
            usage(stdout);
            return 0;
        } else if (a[0] == '-' && a[1] == '-') {
            fprintf(stderr, PROG ": unknown option %s\n", a);
            usage(stderr);
            return EXIT_USAGE;
        } else if (!script_path) {
            script_path = a;
        } else if (!msg_path) {
            msg_path = a;
        } else {
            usage(stderr);
            return EXIT_USAGE;
        }
    }
    if (!script_path || (!msg_path && !compile_only)) {
        usage(stderr);
        return EXIT_USAGE;
    }

    size_t script_len, msg_len = 0;
    unsigned char *script_text = tool_read_file(script_path, &script_len);
    if (!script_text) {
        fprintf(stderr, PROG ": %s: %s\n", script_path, strerror(errno));
        return EXIT_FAILED;
    }
    unsigned char *msg = NULL;
    if (!compile_only && !(msg = tool_read_file(msg_path, &msg_len))) {
        fprintf(stderr, PROG ": %s: %s\n", msg_path, strerror(errno));
        free(script_text);
        return EXIT_FAILED;
    }

    int status = EXIT_FAILED;
    sieve_engine *engine = NULL;
    sieve_script *script = NULL;
    sieve_diagnostics *diag = NULL;
    sieve_result *result = NULL;
    int rc = sieve_engine_new(NULL, &engine);
    if (rc) {
        fprintf(stderr, PROG ": %s\n", sieve_strerror(rc));
        goto out;
    }
    rc = sieve_compile(engine, (const char *)script_text, script_len, &script, &diag);
    print_diagnostics(script_path, diag);
    sieve_diagnostics_free(diag);
    diag = NULL;
    if (rc) {
        if (rc != SIEVE_E_COMPILE)
            fprintf(stderr, PROG ": %s: %s\n", script_path, sieve_strerror(rc));
        goto out;
    }
    if (compile_only) {
        status = 0;
        goto out;
    }
    sieve_run_options opts;
    sieve_run_options_init(&opts);
    sieve_callbacks callbacks;
    sieve_callbacks_init(&callbacks);
    callbacks.user = (void *)script_path;
    callbacks.debug_log = print_debug_log;
    opts.callbacks = &callbacks;
    if (trace) {
        opts.trace = print_trace;
        opts.trace_user = (void *)script_path;
    }
    rc = sieve_run(script, msg, msg_len, &env, &opts, &result, &diag);
    print_diagnostics(script_path, diag);
    if (rc && rc != SIEVE_E_RUNTIME) {
        fprintf(stderr, PROG ": %s\n", sieve_strerror(rc));
        goto out;
    }
    print_result(result);
    status = rc ? EXIT_FAILED : 0;
    if (message_out && write_message(message_out, result, msg, msg_len))
        status = EXIT_FAILED;
out:
    sieve_diagnostics_free(diag);
    sieve_result_free(result);
    sieve_script_free(script);
    sieve_engine_free(engine);
    free(script_text);
    free(msg);
    return status;
}
