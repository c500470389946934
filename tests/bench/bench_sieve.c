/* bench_sieve.c — libsieve's side of the "filter" benchmark.
 *
 *   bench_sieve --script FILE [--min-seconds S] [--only CASE] LISTFILE
 *
 * LISTFILE names one message file per line (bench_corpus.h).
 *
 * Times, each for at least S seconds after a warm-up of a tenth of that:
 *   compile       sieve_compile() of the script;
 *   run-cached    sieve_run() of the script compiled once, over the messages in turn (one
 *                 operation = one message), as a server with a compiled script cache does;
 *   compile+run   compile and run for each message, as a server without a cache does.
 * Prints one JSON line per case: {"impl", "case", "ops", "seconds", "actions"} where
 * "actions" is the number of actions the last pass over the messages decided (a check that
 * the script does something). */
#include "sieve.h"
#include "bench_corpus.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

typedef struct {
    const sieve_engine *engine;
    const char *script;
    size_t script_len;
    sieve_script *compiled;
    bench_corpus corpus;
    size_t next;
    size_t actions;
} bench;

static const sieve_envelope env = {.struct_size = sizeof(sieve_envelope),
                                   .from = "owner-list@lists.example.org",
                                   .to = "bob+folder@example.org"};

static int run_message(bench *b, const sieve_script *s)
{
    const bench_message *m = &b->corpus.items[b->next++ % b->corpus.count];
    sieve_result *r;
    int rc = sieve_run(s, m->data, m->len, &env, NULL, &r, NULL);
    if (rc && rc != SIEVE_E_RUNTIME)
        return rc;
    b->actions += sieve_result_count(r);
    sieve_result_free(r);
    return 0;
}

static int op_compile(bench *b)
{
    sieve_script *s;
    int rc = sieve_compile(b->engine, b->script, b->script_len, &s, NULL);
    sieve_script_free(s);
    return rc;
}

static int op_run_cached(bench *b) { return run_message(b, b->compiled); }

static int op_compile_run(bench *b)
{
    sieve_script *s;
    int rc = sieve_compile(b->engine, b->script, b->script_len, &s, NULL);
    if (!rc)
        rc = run_message(b, s);
    sieve_script_free(s);
    return rc;
}

static const char *only; /* --only CASE: time that case alone (for profiling) */

static void timed(const char *name, double min_seconds, int (*fn)(bench *), bench *b)
{
    if (only && strcmp(only, name) != 0)
        return;
    double end = now_seconds() + min_seconds / 10;
    while (now_seconds() < end)
        if (fn(b)) {
            fprintf(stderr, "bench_sieve: %s failed\n", name);
            exit(1);
        }
    b->actions = 0;
    b->next = 0;
    long long ops = 0;
    double start = now_seconds(), t;
    do {
        for (int i = 0; i < 16; i++)
            if (fn(b)) {
                fprintf(stderr, "bench_sieve: %s failed\n", name);
                exit(1);
            }
        ops += 16;
        t = now_seconds() - start;
    } while (t < min_seconds);
    printf("{\"impl\": \"libsieve\", \"case\": \"%s\", \"ops\": %lld, \"seconds\": %.6f, "
           "\"actions\": %zu}\n", name, ops, t, b->actions);
    fflush(stdout);
}

int main(int argc, char **argv)
{
    const char *script_path = NULL, *list_path = NULL;
    double min_seconds = 3;
    bench b = {0};
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--script") == 0 && i + 1 < argc)
            script_path = argv[++i];
        else if (strcmp(argv[i], "--min-seconds") == 0 && i + 1 < argc)
            min_seconds = atof(argv[++i]);
        else if (strcmp(argv[i], "--only") == 0 && i + 1 < argc)
            only = argv[++i];
        else
            list_path = argv[i];
    }
    size_t script_len;
    unsigned char *script = script_path ? bench_read_file(script_path, &script_len) : NULL;
    if (!script || !list_path || bench_corpus_load(list_path, &b.corpus) || !b.corpus.count) {
        fprintf(stderr, "usage: bench_sieve --script FILE [--min-seconds S] [--only CASE] "
                        "LISTFILE\n");
        return 2;
    }
    sieve_engine *e;
    sieve_diagnostics *d = NULL;
    if (sieve_engine_new(NULL, &e) ||
        sieve_compile(e, (const char *)script, script_len, &b.compiled, &d)) {
        const char *text = "";
        sieve_diagnostic_at(d, 0, NULL, NULL, NULL, &text);
        fprintf(stderr, "bench_sieve: the script does not compile: %s\n", text);
        return 1;
    }
    b.engine = e;
    b.script = (const char *)script;
    b.script_len = script_len;
    timed("compile", min_seconds, op_compile, &b);
    timed("run-cached", min_seconds, op_run_cached, &b);
    timed("compile+run", min_seconds, op_compile_run, &b);
    sieve_script_free(b.compiled);
    sieve_engine_free(e);
    bench_corpus_free(&b.corpus);
    free(script);
    return 0;
}
