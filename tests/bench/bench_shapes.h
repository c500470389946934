/* bench_shapes.h — what the C programs of the "build and serialise" benchmark share: the two
 * message shapes (the same content bench_nodemailer.js builds), the command line, the timed
 * loop and the one-line JSON result per shape (see README.md for the protocol). */
#ifndef BENCH_SHAPES_H
#define BENCH_SHAPES_H

#include <stddef.h>
#include <stdint.h>

/* The header fields both shapes carry. The subject and the text are UTF-8 with characters
 * that no single 8-bit charset holds, so every implementation writes them as UTF-8. */
#define BENCH_FROM_NAME "Alice Example"
#define BENCH_FROM_ADDRESS "alice@example.com"
#define BENCH_TO_NAME "Bob Example"
#define BENCH_TO_ADDRESS "bob@example.net"
#define BENCH_SUBJECT "Quarterly numbers \xe2\x80\x94 Gr\xc3\xbc\xc3\x9f" "e aus K\xc3\xb6ln"
#define BENCH_DATE 1764417600 /* 2025-11-29 12:00:00, written as +0000 */
#define BENCH_MESSAGE_ID "20251129120000.4242@example.com" /* without the angle brackets */
/* The attachment of the large shape. */
#define BENCH_ATTACHMENT_TYPE "application/octet-stream"
#define BENCH_ATTACHMENT_NAME "report-data.bin"
#define BENCH_ATTACHMENT_SIZE (1024 * 1024)

typedef enum {
    BENCH_SHAPE_SMALL, /* the header fields and a 1 KiB UTF-8 text/plain body */
    BENCH_SHAPE_LARGE, /* the header fields, a short text and the 1 MiB binary attachment */
    BENCH_SHAPE_COUNT
} bench_shape;

/* "small" or "large". */
const char *bench_shape_name(bench_shape shape);

/* The text body of `shape`, NUL-terminated, LF line ends; a static string. */
const char *bench_shape_text(bench_shape shape, size_t *len);

/* The attachment's bytes: BENCH_ATTACHMENT_SIZE bytes of xorshift32 output (seed 0x2545f491,
 * each 32-bit state written little-endian), made on the first call. NULL when out of memory. */
const unsigned char *bench_shape_attachment(void);

/* The command line of every program of this benchmark:
 *   PROGRAM [--min-seconds S] [--warmup-seconds S] [--shape small|large|all] [--dump SHAPE]
 * --dump writes one message of that shape to standard output instead of timing. */
typedef struct bench_shape_args {
    double min_seconds;    /* timed iterations of each shape until this long (default 3) */
    double warmup_seconds; /* untimed iterations first (default 0.5) */
    int shapes[BENCH_SHAPE_COUNT]; /* which shapes run (default both) */
    int dump;              /* the shape to write, or -1 */
} bench_shape_args;

/* Fills `args` from argv; prints usage and returns -1 when it does not parse. */
int bench_shape_parse_args(int argc, char **argv, bench_shape_args *args);

/* Builds one message of `shape` from scratch, serialises it whole and frees it; returns the
 * number of bytes written, or -1 when a call failed. */
typedef long long (*bench_build_fn)(bench_shape shape);

/* Runs each selected shape: warm-up, then iterations until min_seconds, and prints one line
 * {"impl":..., "version":..., "shape":..., "iterations":..., "seconds":..., "bytes":...,
 *  "message_bytes":..., "errors":..., "max_rss_kb":...} per shape. "bytes" is the total written
 * in the timed iterations; "message_bytes" the size of one message. Returns 0, or 1 when a
 * build failed (the shape's line then has "errors" > 0). */
int bench_shape_run(const char *impl, const char *version, const bench_shape_args *args,
                    bench_build_fn build);

#endif
