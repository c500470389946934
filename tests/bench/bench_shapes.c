/* bench_shapes.c — the message content, command line, timed loop and result lines of the
 * "build and serialise" benchmark programs in C. */
#include "bench_shapes.h"
#include "bench_corpus.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Four lines, 256 bytes, 35 of them non-ASCII; the small text is this four times (1 KiB):
 *   Grüße aus Köln — Привет, Γειά, 日本: the new numbers.
 *   The quarterly numbers are in: revenue grew in every region we
 *   sell in and costs stayed flat. The tables are in the attached
 *   report; questions to finance, please. Kind regards, Alice M. */
#define TEXT_BLOCK                                                                              \
    "Gr\xc3\xbc\xc3\x9f" "e aus K\xc3\xb6ln \xe2\x80\x94 \xd0\x9f\xd1\x80\xd0\xb8\xd0\xb2\xd0"  \
    "\xb5\xd1\x82, \xce\x93\xce\xb5\xce\xb9\xce\xac, \xe6\x97\xa5\xe6\x9c\xac: the new "        \
    "numbers.\n"                                                                                \
    "The quarterly numbers are in: revenue grew in every region we\n"                           \
    "sell in and costs stayed flat. The tables are in the attached\n"                           \
    "report; questions to finance, please. Kind regards, Alice M.\n"

static const char small_text[] = TEXT_BLOCK TEXT_BLOCK TEXT_BLOCK TEXT_BLOCK;
static const char large_text[] = "Hello Bob,\n\nthe data for the report is attached.\n\nAlice\n";

const char *bench_shape_name(bench_shape shape)
{
    return shape == BENCH_SHAPE_SMALL ? "small" : "large";
}

const char *bench_shape_text(bench_shape shape, size_t *len)
{
    if (shape == BENCH_SHAPE_SMALL) {
        *len = sizeof small_text - 1;
        return small_text;
    }
    *len = sizeof large_text - 1;
    return large_text;
}

const unsigned char *bench_shape_attachment(void)
{
    static unsigned char *data;
    if (data)
        return data;
    data = malloc(BENCH_ATTACHMENT_SIZE);
    if (!data)
        return NULL;
    uint32_t x = 0x2545f491u;
    for (size_t i = 0; i < BENCH_ATTACHMENT_SIZE; i += 4) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        data[i] = (unsigned char)x;
        data[i + 1] = (unsigned char)(x >> 8);
        data[i + 2] = (unsigned char)(x >> 16);
        data[i + 3] = (unsigned char)(x >> 24);
    }
    return data;
}

static void usage(const char *prog)
{
    fprintf(stderr,
            "usage: %s [--min-seconds S] [--warmup-seconds S] [--shape small|large|all]"
            " [--dump small|large]\n",
            prog);
}

/* The shape named `name`, or -1. */
static int shape_by_name(const char *name)
{
    for (int s = 0; s < BENCH_SHAPE_COUNT; s++)
        if (strcmp(name, bench_shape_name((bench_shape)s)) == 0)
            return s;
    return -1;
}

int bench_shape_parse_args(int argc, char **argv, bench_shape_args *args)
{
    args->min_seconds = 3.0;
    args->warmup_seconds = 0.5;
    for (int s = 0; s < BENCH_SHAPE_COUNT; s++)
        args->shapes[s] = 1;
    args->dump = -1;
    for (int i = 1; i < argc; i += 2) { /* options come in pairs: --name value */
        const char *value = i + 1 < argc ? argv[i + 1] : NULL;
        int ok = value != NULL;
        if (ok && strcmp(argv[i], "--min-seconds") == 0) {
            args->min_seconds = atof(value);
        } else if (ok && strcmp(argv[i], "--warmup-seconds") == 0) {
            args->warmup_seconds = atof(value);
        } else if (ok && strcmp(argv[i], "--shape") == 0) {
            int shape = shape_by_name(value);
            if (shape < 0 && strcmp(value, "all") != 0)
                ok = 0;
            for (int s = 0; s < BENCH_SHAPE_COUNT; s++)
                args->shapes[s] = shape < 0 || s == shape;
        } else if (ok && strcmp(argv[i], "--dump") == 0) {
            args->dump = shape_by_name(value);
            ok = args->dump >= 0;
        } else {
            ok = 0;
        }
        if (!ok) {
            usage(argv[0]);
            return -1;
        }
    }
    return 0;
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Builds messages of `shape` until `seconds` have passed (at least one). Sets the count, the
 * time taken, the bytes written and the size of the last message; returns the failures. */
static unsigned long run_for(bench_build_fn build, bench_shape shape, double seconds,
                             unsigned long *iterations, double *elapsed, long long *bytes,
                             long long *message_bytes)
{
    unsigned long errors = 0, n = 0;
    long long total = 0, last = 0;
    double start = now_seconds(), spent;
    do {
        last = build(shape);
        if (last < 0)
            errors++;
        else
            total += last;
        n++;
        spent = now_seconds() - start;
    } while (spent < seconds);
    *iterations = n;
    *elapsed = spent;
    *bytes = total;
    *message_bytes = last;
    return errors;
}

int bench_shape_run(const char *impl, const char *version, const bench_shape_args *args,
                    bench_build_fn build)
{
    int rc = 0;
    for (int s = 0; s < BENCH_SHAPE_COUNT; s++) {
        if (!args->shapes[s])
            continue;
        unsigned long iterations;
        double seconds;
        long long bytes, message_bytes;
        unsigned long errors = 0;
        if (args->warmup_seconds > 0)
            errors += run_for(build, (bench_shape)s, args->warmup_seconds, &iterations, &seconds,
                              &bytes, &message_bytes);
        errors += run_for(build, (bench_shape)s, args->min_seconds, &iterations, &seconds, &bytes,
                          &message_bytes);
        printf("{\"impl\":\"%s\",\"version\":\"%s\",\"shape\":\"%s\",\"iterations\":%lu,"
               "\"seconds\":%.6f,\"bytes\":%lld,\"message_bytes\":%lld,\"errors\":%lu,"
               "\"max_rss_kb\":%ld}\n",
               impl, version, bench_shape_name((bench_shape)s), iterations, seconds, bytes,
               message_bytes, errors, bench_max_rss_kb());
        fflush(stdout);
        if (errors)
            rc = 1;
    }
    return rc;
}
