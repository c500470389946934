/* bench_mailbuild.c — "build and serialise" with libmailbuild through its public API only:
 * each iteration makes a new message, sets its header fields and body (and the attachment of
 * the large shape), writes it whole through a counting callback and frees it. */
#include "bench_corpus.h"
#include "bench_shapes.h"
#include "mailbuild.h"

#include <stdio.h>

/* What the write callback saw: the bytes, and a sum over them so the output is really read. */
typedef struct sink {
    long long bytes;
    unsigned long sum;
    FILE *copy; /* --dump: the bytes also go here */
} sink;

static int count_write(void *user, const char *data, size_t len)
{
    sink *s = user;
    s->bytes += (long long)len;
    if (len)
        s->sum += (unsigned char)data[0] + (unsigned char)data[len - 1];
    if (s->copy && fwrite(data, 1, len, s->copy) != len)
        return -1;
    return 0;
}

static int set_fields(mailbuild_message *m)
{
    int rc = mailbuild_add_address(m, "From", BENCH_FROM_NAME, BENCH_FROM_ADDRESS);
    if (rc == 0)
        rc = mailbuild_add_address(m, "To", BENCH_TO_NAME, BENCH_TO_ADDRESS);
    if (rc == 0)
        rc = mailbuild_set_subject(m, BENCH_SUBJECT);
    if (rc == 0)
        rc = mailbuild_set_date(m, BENCH_DATE, 0);
    if (rc == 0)
        rc = mailbuild_set_message_id(m, BENCH_MESSAGE_ID);
    return rc;
}

static int set_body(mailbuild_message *m, bench_shape shape)
{
    size_t len;
    const char *text = bench_shape_text(shape, &len);
    int rc = mailbuild_set_text(m, text, len, NULL);
    if (rc == 0 && shape == BENCH_SHAPE_LARGE) {
        const unsigned char *data = bench_shape_attachment();
        rc = data ? mailbuild_add_attachment(m, data, BENCH_ATTACHMENT_SIZE, BENCH_ATTACHMENT_TYPE,
                                             BENCH_ATTACHMENT_NAME, NULL)
                  : MAILBUILD_E_NOMEM;
    }
    return rc;
}

/* Builds and writes one message into `s`; returns 0 or the failing call's error code. */
static int build_into(bench_shape shape, sink *s)
{
    mailbuild_message *m = NULL;
    int rc = mailbuild_message_new(NULL, &m);
    if (rc == 0)
        rc = set_fields(m);
    if (rc == 0)
        rc = set_body(m, shape);
    if (rc == 0)
        rc = mailbuild_write(m, count_write, s);
    mailbuild_message_free(m);
    return rc;
}

static unsigned long checksum;
static int error_reported;

static long long build_message(bench_shape shape)
{
    sink s = {0, 0, NULL};
    int rc = build_into(shape, &s);
    if (rc != 0) {
        if (!error_reported++)
            fprintf(stderr, "bench_mailbuild: %s message: %s\n", bench_shape_name(shape),
                    mailbuild_strerror(rc));
        return -1;
    }
    checksum += s.sum;
    return s.bytes;
}

int main(int argc, char **argv)
{
    bench_shape_args args;
    if (bench_shape_parse_args(argc, argv, &args) != 0)
        return 2;
    if (args.dump >= 0) {
        sink s = {0, 0, stdout};
        int rc = build_into((bench_shape)args.dump, &s);
        if (rc != 0)
            fprintf(stderr, "bench_mailbuild: %s\n", mailbuild_strerror(rc));
        return rc != 0;
    }
    int rc = bench_shape_run("libmailbuild", mailbuild_version(), &args, build_message);
    /* The sum keeps the reads of the output from being optimised away. */
    fprintf(stderr, "bench_mailbuild: output checksum %lu\n", checksum);
    return rc;
}
