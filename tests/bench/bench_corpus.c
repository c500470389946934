/* bench_corpus.c — corpus loading, the timed pass loop and the JSON result line shared by the
 * C benchmark programs. */
#include "bench_corpus.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

static void usage(const char *prog)
{
    fprintf(stderr, "usage: %s [--min-seconds S] [--max-iterations N] [--warmup N] LISTFILE\n",
            prog);
}

int bench_parse_args(int argc, char **argv, bench_args *args)
{
    args->list_path = NULL;
    args->min_seconds = 2.0;
    args->max_iterations = 1000;
    args->warmup = 1;
    for (int i = 1; i < argc; i++) {
        const char *value = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(argv[i], "--min-seconds") == 0 && value) {
            args->min_seconds = atof(value);
            i++;
        } else if (strcmp(argv[i], "--max-iterations") == 0 && value) {
            args->max_iterations = (unsigned)strtoul(value, NULL, 10);
            i++;
        } else if (strcmp(argv[i], "--warmup") == 0 && value) {
            args->warmup = (unsigned)strtoul(value, NULL, 10);
            i++;
        } else if (argv[i][0] != '-' && !args->list_path) {
            args->list_path = argv[i];
        } else {
            usage(argv[0]);
            return -1;
        }
    }
    if (!args->list_path || args->max_iterations == 0) {
        usage(argv[0]);
        return -1;
    }
    return 0;
}

unsigned char *bench_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 65536, n = 0;
    unsigned char *data = malloc(cap + 1);
    while (data) {
        n += fread(data + n, 1, cap - n, f);
        if (n < cap)
            break;
        unsigned char *grown = realloc(data, cap * 2 + 1);
        if (!grown) {
            free(data);
            data = NULL;
            break;
        }
        data = grown;
        cap *= 2;
    }
    int failed = !data || ferror(f);
    fclose(f);
    if (failed) {
        free(data);
        return NULL;
    }
    data[n] = '\0';
    *len = n;
    return data;
}

static int read_file(const char *path, bench_message *msg)
{
    size_t len;
    unsigned char *data = bench_read_file(path, &len);
    if (!data)
        return -1;
    msg->data = data;
    msg->len = len;
    return 0;
}

static int append_message(bench_corpus *corpus, size_t *cap, const char *path)
{
    if (corpus->count == *cap) {
        size_t new_cap = *cap ? *cap * 2 : 1024;
        bench_message *grown = realloc(corpus->items, new_cap * sizeof *grown);
        if (!grown)
            return -1;
        corpus->items = grown;
        *cap = new_cap;
    }
    bench_message *msg = &corpus->items[corpus->count];
    msg->path = strdup(path);
    if (!msg->path || read_file(path, msg) != 0) {
        fprintf(stderr, "bench: cannot read %s\n", path);
        free((char *)msg->path);
        return -1;
    }
    corpus->count++;
    corpus->total_bytes += msg->len;
    return 0;
}

int bench_corpus_load(const char *list_path, bench_corpus *corpus)
{
    memset(corpus, 0, sizeof *corpus);
    FILE *list = fopen(list_path, "r");
    if (!list) {
        fprintf(stderr, "bench: cannot open %s\n", list_path);
        return -1;
    }
    char line[4096];
    size_t cap = 0;
    int rc = 0;
    while (rc == 0 && fgets(line, sizeof line, list)) {
        line[strcspn(line, "\r\n")] = '\0';
        if (line[0] != '\0')
            rc = append_message(corpus, &cap, line);
    }
    fclose(list);
    if (rc != 0)
        bench_corpus_free(corpus);
    return rc;
}

void bench_corpus_free(bench_corpus *corpus)
{
    for (size_t i = 0; i < corpus->count; i++) {
        free((char *)corpus->items[i].path);
        free(corpus->items[i].data);
    }
    free(corpus->items);
    memset(corpus, 0, sizeof *corpus);
}

/* VmHWM from /proc/self/status, or -1. Unlike ru_maxrss it starts anew at execve(), so a
 * large parent (the Python runner) does not leak its peak into ours. */
static long proc_peak_rss_kb(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    if (!f)
        return -1;
    char line[256];
    long kb = -1;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "VmHWM: %ld kB", &kb) == 1)
            break;
    fclose(f);
    return kb;
}

long bench_max_rss_kb(void)
{
    long kb = proc_peak_rss_kb();
    if (kb >= 0)
        return kb;
    struct rusage usage;
    if (getrusage(RUSAGE_SELF, &usage) != 0)
        return -1;
    return usage.ru_maxrss;
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* One pass over the corpus; adds to *checksum, returns the number of failed parses. */
static size_t run_pass(const bench_corpus *corpus, bench_work_fn work, long long *checksum)
{
    size_t errors = 0;
    for (size_t i = 0; i < corpus->count; i++) {
        long long got = work(corpus->items[i].data, corpus->items[i].len);
        if (got < 0)
            errors++;
        else
            *checksum += got;
    }
    return errors;
}

int bench_run(const char *impl, const bench_args *args, const bench_corpus *corpus,
              bench_work_fn work, bench_extra_fn extra_json)
{
    long long checksum = 0;
    size_t errors = 0;
    for (unsigned i = 0; i < args->warmup; i++)
        run_pass(corpus, work, &checksum);
    unsigned iterations = 0;
    double start = now_seconds(), elapsed = 0;
    do {
        checksum = 0;
        errors = run_pass(corpus, work, &checksum);
        iterations++;
        elapsed = now_seconds() - start;
    } while (elapsed < args->min_seconds && iterations < args->max_iterations);
    printf("{\"impl\":\"%s\",\"messages\":%zu,\"bytes\":%zu,\"iterations\":%u,"
           "\"seconds\":%.6f,\"errors\":%zu,\"max_rss_kb\":%ld,\"checksum\":%lld%s}\n",
           impl, corpus->count, corpus->total_bytes, iterations, elapsed, errors,
           bench_max_rss_kb(), checksum, extra_json ? extra_json() : "");
    fflush(stdout);
    return 0;
}
