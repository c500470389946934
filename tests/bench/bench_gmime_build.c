/* bench_gmime_build.c — "build and serialise" with GMime 3, the peer of bench_mailbuild.c:
 * each iteration makes a new GMimeMessage with the same header fields, a GMimeTextPart
 * (quoted-printable) and, for the large shape, a GMimePart attachment (base64) in a
 * multipart/mixed, writes it whole with CRLF line ends into a null stream and frees it. */
#include "bench_shapes.h"

#include <gmime/gmime.h>
#include <stdio.h>

/* CRLF line ends, as libmailbuild and nodemailer write (GMime's default is LF). */
static GMimeFormatOptions *format;

static GMimeObject *text_part(bench_shape shape)
{
    size_t len;
    const char *text = bench_shape_text(shape, &len);
    GMimeTextPart *part = g_mime_text_part_new_with_subtype("plain");
    /* Picks the charset from the text (UTF-8 here) and keeps a copy of it. */
    g_mime_text_part_set_text(part, text);
    g_mime_part_set_content_encoding((GMimePart *)part, GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE);
    return (GMimeObject *)part;
}

static GMimeObject *attachment_part(void)
{
    const unsigned char *data = bench_shape_attachment();
    if (!data)
        return NULL;
    GMimePart *part = g_mime_part_new_with_type("application", "octet-stream");
    g_mime_object_set_disposition((GMimeObject *)part, GMIME_DISPOSITION_ATTACHMENT);
    g_mime_part_set_filename(part, BENCH_ATTACHMENT_NAME);
    /* A copy of the data, as libmailbuild makes by default. */
    GMimeStream *stream = g_mime_stream_mem_new_with_buffer((const char *)data,
                                                            BENCH_ATTACHMENT_SIZE);
    GMimeDataWrapper *content = g_mime_data_wrapper_new_with_stream(stream,
                                                                    GMIME_CONTENT_ENCODING_DEFAULT);
    g_mime_part_set_content(part, content);
    g_object_unref(content);
    g_object_unref(stream);
    g_mime_part_set_content_encoding(part, GMIME_CONTENT_ENCODING_BASE64);
    return (GMimeObject *)part;
}

static GMimeObject *body(bench_shape shape)
{
    GMimeObject *text = text_part(shape);
    if (shape == BENCH_SHAPE_SMALL)
        return text;
    GMimeObject *attachment = attachment_part();
    if (!attachment) {
        g_object_unref(text);
        return NULL;
    }
    GMimeMultipart *mixed = g_mime_multipart_new_with_subtype("mixed");
    g_mime_multipart_add(mixed, text);
    g_mime_multipart_add(mixed, attachment);
    g_object_unref(text);
    g_object_unref(attachment);
    return (GMimeObject *)mixed;
}

/* A new message of `shape`, or NULL. */
static GMimeMessage *build(bench_shape shape)
{
    GMimeObject *root = body(shape);
    if (!root)
        return NULL;
    GMimeMessage *message = g_mime_message_new(TRUE);
    g_mime_message_add_mailbox(message, GMIME_ADDRESS_TYPE_FROM, BENCH_FROM_NAME,
                               BENCH_FROM_ADDRESS);
    g_mime_message_add_mailbox(message, GMIME_ADDRESS_TYPE_TO, BENCH_TO_NAME, BENCH_TO_ADDRESS);
    g_mime_message_set_subject(message, BENCH_SUBJECT, "utf-8");
    GDateTime *date = g_date_time_new_from_unix_utc(BENCH_DATE);
    g_mime_message_set_date(message, date);
    g_date_time_unref(date);
    g_mime_message_set_message_id(message, BENCH_MESSAGE_ID);
    g_mime_message_set_mime_part(message, root);
    g_object_unref(root);
    return message;
}

static long long build_message(bench_shape shape)
{
    GMimeMessage *message = build(shape);
    if (!message)
        return -1;
    GMimeStream *sink = g_mime_stream_null_new();
    ssize_t n = g_mime_object_write_to_stream((GMimeObject *)message, format, sink);
    long long written = n < 0 ? -1 : (long long)((GMimeStreamNull *)sink)->written;
    g_object_unref(sink);
    g_object_unref(message);
    return written;
}

/* Writes one message of `shape` to standard output. */
static int dump(bench_shape shape)
{
    GMimeMessage *message = build(shape);
    if (!message)
        return 1;
    GMimeStream *mem = g_mime_stream_mem_new();
    ssize_t n = g_mime_object_write_to_stream((GMimeObject *)message, format, mem);
    GByteArray *bytes = g_mime_stream_mem_get_byte_array((GMimeStreamMem *)mem);
    int rc = n < 0 || fwrite(bytes->data, 1, bytes->len, stdout) != bytes->len;
    g_object_unref(mem);
    g_object_unref(message);
    return rc;
}

int main(int argc, char **argv)
{
    bench_shape_args args;
    if (bench_shape_parse_args(argc, argv, &args) != 0)
        return 2;
    g_mime_init();
    format = g_mime_format_options_new();
    g_mime_format_options_set_newline_format(format, GMIME_NEWLINE_FORMAT_DOS);
    char version[32];
    snprintf(version, sizeof version, "%u.%u.%u", gmime_major_version, gmime_minor_version,
             gmime_micro_version);
    int rc = args.dump >= 0 ? dump((bench_shape)args.dump)
                            : bench_shape_run("gmime", version, &args, build_message);
    g_mime_format_options_free(format);
    g_mime_shutdown();
    return rc;
}
