/* sieve-run.c — compile a Sieve script and run it against a message.
 *
 *   sieve-run SCRIPT MESSAGE [--from ADDR] [--to ADDR] [--orig-to ADDR] [--auth USER]
 *   sieve-run SCRIPT --compile-only
 *
 * Prints one action per line: `keep`, `fileinto "Folder" [:copy] [:create] [:flags "…"]`,
 * `redirect "addr" [:copy]`, `discard`, `reject "reason"`, `ereject "reason"`; the implicit
 * keep, when it is still in force, is printed as `keep (implicit)`. A compile error is
 * printed as `SCRIPT:LINE:COLUMN: error: TEXT` with exit status 1; a run-time error likewise
 * (the implicit keep then applies). Exit status 2 for a malformed command line, 1 when a file
 * cannot be read. MESSAGE may be "-" for stdin. */
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
          "[--auth USER]\n"
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
static void print_quoted(const char *s)
{
    putchar('"');
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            putchar('\\');
        putchar(*s);
    }
    putchar('"');
}

static void print_result(const sieve_result *r)
{
    for (size_t i = 0; i < sieve_result_count(r); i++) {
        int type;
        const char *target, *flags;
        unsigned opt;
        sieve_result_action(r, i, &type, &target, &flags, &opt);
        fputs(sieve_action_name(type), stdout);
        if (type != SIEVE_ACTION_KEEP && type != SIEVE_ACTION_DISCARD) {
            putchar(' ');
            print_quoted(target);
        }
        if (opt & SIEVE_ACTION_COPY)
            fputs(" :copy", stdout);
        if (opt & SIEVE_ACTION_CREATE)
            fputs(" :create", stdout);
        if (flags) {
            fputs(" :flags ", stdout);
            print_quoted(flags);
        }
        putchar('\n');
    }
    if (sieve_result_implicit_keep(r))
        puts("keep (implicit)");
}

int main(int argc, char **argv)
{
    const char *script_path = NULL, *msg_path = NULL;
    sieve_envelope env = {.from = NULL};
    int compile_only = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char **slot = strcmp(a, "--from") == 0      ? &env.from
                            : strcmp(a, "--to") == 0      ? &env.to
                            : strcmp(a, "--orig-to") == 0 ? &env.orig_to
                            : strcmp(a, "--auth") == 0    ? &env.auth
                                                          : NULL;
        if (slot) {
            if (i + 1 >= argc) {
                usage(stderr);
                return EXIT_USAGE;
            }
            *slot = argv[++i];
        } else if (strcmp(a, "--compile-only") == 0) {
            compile_only = 1;
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
    rc = sieve_run(script, msg, msg_len, &env, NULL, &result, &diag);
    print_diagnostics(script_path, diag);
    if (rc && rc != SIEVE_E_RUNTIME) {
        fprintf(stderr, PROG ": %s\n", sieve_strerror(rc));
        goto out;
    }
    print_result(result);
    status = rc ? EXIT_FAILED : 0;
out:
    sieve_diagnostics_free(diag);
    sieve_result_free(result);
    sieve_script_free(script);
    sieve_engine_free(engine);
    free(script_text);
    free(msg);
    return status;
}
