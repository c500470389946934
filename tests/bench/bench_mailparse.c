/* bench_mailparse.c — "parse and extract" with libmailparse through its public API only:
 * parse each message zero-copy, touch every header's decoded text and every part's decoded
 * body/text, free. With --count-heap the library's allocator hooks count the peak heap. */
#include "bench_corpus.h"
#include "mailparse.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The counting allocator keeps each block's size in a header this big (keeps alignment). */
#define HEAP_HEADER_SIZE 16

static size_t heap_in_use, heap_peak;

static void *counting_malloc(size_t n)
{
    unsigned char *block = malloc(n + HEAP_HEADER_SIZE);
    if (!block)
        return NULL;
    memcpy(block, &n, sizeof n);
    heap_in_use += n;
    if (heap_in_use > heap_peak)
        heap_peak = heap_in_use;
    return block + HEAP_HEADER_SIZE;
}

static void counting_free(void *p)
{
    if (!p)
        return;
    unsigned char *block = (unsigned char *)p - HEAP_HEADER_SIZE;
    size_t n;
    memcpy(&n, block, sizeof n);
    heap_in_use -= n;
    free(block);
}

static void *counting_realloc(void *p, size_t n)
{
    if (!p)
        return counting_malloc(n);
    unsigned char *block = (unsigned char *)p - HEAP_HEADER_SIZE;
    size_t old;
    memcpy(&old, block, sizeof old);
    unsigned char *grown = realloc(block, n + HEAP_HEADER_SIZE);
    if (!grown)
        return NULL;
    memcpy(grown, &n, sizeof n);
    heap_in_use = heap_in_use - old + n;
    if (heap_in_use > heap_peak)
        heap_peak = heap_in_use;
    return grown + HEAP_HEADER_SIZE;
}

/* Reads the first and last byte of `len` bytes so the values are really fetched. */
static long long touch(const void *p, size_t len)
{
    if (!p || len == 0)
        return 0;
    const unsigned char *bytes = p;
    return (long long)len + bytes[0] + bytes[len - 1];
}

static long long touch_headers(const mailparse_message *m)
{
    long long sum = 0;
    size_t count = mailparse_message_header_count(m);
    for (size_t i = 0; i < count; i++) {
        const mailparse_header *h = mailparse_message_header_at(m, i);
        if (h)
            sum += touch(h->text, h->text_len);
    }
    return sum;
}

static long long touch_parts(const mailparse_message *m)
{
    long long sum = 0;
    size_t count = mailparse_message_part_count(m);
    for (size_t i = 0; i < count; i++) {
        const mailparse_part *part = mailparse_message_part(m, i);
        if (!part)
            continue;
        sum += touch(part->body, part->body_len);
        sum += touch(part->text, part->text_len);
    }
    return sum;
}

static long long parse_and_extract(const unsigned char *data, size_t len)
{
    mailparse_options opts;
    mailparse_options_init(&opts);
    opts.flags = MAILPARSE_F_ZERO_COPY;
    mailparse_message *m = NULL;
    if (mailparse_parse(data, len, &opts, &m) != 0)
        return -1;
    size_t text_len = 0;
    const char *text = mailparse_message_text(m, &text_len);
    long long sum = touch_headers(m) + touch_parts(m) + touch(text, text_len);
    mailparse_message_free(m);
    return sum;
}

static const char *version_json(void)
{
    static char json[64];
    snprintf(json, sizeof json, ",\"version\":\"%s\"", mailparse_version());
    return json;
}

static const char *heap_json(void)
{
    static char json[128];
    snprintf(json, sizeof json, ",\"version\":\"%s\",\"peak_heap_bytes\":%zu",
             mailparse_version(), heap_peak);
    return json;
}

/* Removes "--count-heap" from argv (it is this program's own option); returns whether seen. */
static int take_count_heap(int *argc, char **argv)
{
    int seen = 0, kept = 1;
    for (int i = 1; i < *argc; i++) {
        if (strcmp(argv[i], "--count-heap") == 0)
            seen = 1;
        else
            argv[kept++] = argv[i];
    }
    *argc = kept;
    return seen;
}

int main(int argc, char **argv)
{
    int count_heap = take_count_heap(&argc, argv);
    bench_args args;
    bench_corpus corpus;
    if (bench_parse_args(argc, argv, &args) != 0 || bench_corpus_load(args.list_path, &corpus) != 0)
        return 2;
    if (count_heap)
        mailparse_set_allocator(counting_malloc, counting_realloc, counting_free);
    int rc = bench_run("libmailparse", &args, &corpus, parse_and_extract,
                       count_heap ? heap_json : version_json);
    bench_corpus_free(&corpus);
    return rc;
}
