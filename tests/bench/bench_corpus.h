/* bench_corpus.h — what every C benchmark program shares: the corpus loaded into memory,
 * the timed loop and the one-line JSON result (see README.md for the protocol). */
#ifndef BENCH_CORPUS_H
#define BENCH_CORPUS_H

#include <stddef.h>
#include <stdint.h>

/* One message, read into memory before any timing starts. */
typedef struct bench_message {
    const char *path;
    unsigned char *data;
    size_t len;
} bench_message;

typedef struct bench_corpus {
    bench_message *items;
    size_t count;
    size_t total_bytes;
} bench_corpus;

/* Parses and extracts one message; returns a value derived from what it extracted (the
 * programs sum these so the compiler cannot drop the work) or -1 when the parse failed. */
typedef long long (*bench_work_fn)(const unsigned char *data, size_t len);

/* The command line every benchmark program takes:
 *   PROGRAM [--min-seconds S] [--max-iterations N] [--warmup N] LISTFILE
 * LISTFILE names one message file per line. */
typedef struct bench_args {
    const char *list_path;
    double min_seconds;        /* run whole passes until at least this long (default 2) */
    unsigned max_iterations;   /* but at most this many passes (default 1000) */
    unsigned warmup;           /* untimed passes first (default 1) */
} bench_args;

/* Fills `args` from argv; prints usage and returns -1 when it does not parse. */
int bench_parse_args(int argc, char **argv, bench_args *args);

/* Reads a whole file into a malloc'd buffer with a NUL after the data (its length in *len).
 * NULL when it cannot be read. */
unsigned char *bench_read_file(const char *path, size_t *len);

/* Reads every file named in `list_path`. Returns 0, or -1 after printing why. */
int bench_corpus_load(const char *list_path, bench_corpus *corpus);
void bench_corpus_free(bench_corpus *corpus);

/* Runs the warm-up and timed passes of `work` over the corpus and prints the result line:
 * {"impl":..., "messages":..., "bytes":..., "iterations":..., "seconds":..., "errors":...,
 *  "max_rss_kb":..., "checksum":...}. `extra_json` (may be NULL) is called after the passes;
 * the text it returns (starting with a comma) is appended inside the object. "errors" and
 * "checksum" are those of the last pass; a failed parse is counted, not fatal: returns 0. */
typedef const char *(*bench_extra_fn)(void);
int bench_run(const char *impl, const bench_args *args, const bench_corpus *corpus,
              bench_work_fn work, bench_extra_fn extra_json);

/* The peak resident set size of this process image so far, in KiB. */
long bench_max_rss_kb(void);

#endif
