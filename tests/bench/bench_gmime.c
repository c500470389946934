/* bench_gmime.c — "parse and extract" with GMime 3: parse each message from memory, decode
 * every header value (RFC 2047), transfer-decode every leaf part and convert text parts to
 * UTF-8; the peer of bench_mailparse.c. */
#include "bench_corpus.h"

#include <gmime/gmime.h>
#include <stdio.h>
#include <string.h>

/* How deep message/rfc822 and multipart nesting is followed. */
#define BENCH_GMIME_MAX_DEPTH 64

static GMimeParserOptions *parser_options;

/* Decodes every header of `object`; returns the decoded bytes. */
static long long decode_headers(GMimeObject *object)
{
    GMimeHeaderList *headers = g_mime_object_get_header_list(object);
    int count = g_mime_header_list_get_count(headers);
    long long sum = 0;
    for (int i = 0; i < count; i++) {
        GMimeHeader *header = g_mime_header_list_get_header_at(headers, i);
        const char *value = g_mime_header_get_value(header);
        if (!value)
            continue;
        char *text = g_mime_utils_header_decode_text(parser_options, value);
        sum += (long long)strlen(text);
        g_free(text);
    }
    return sum;
}

/* Transfer-decodes a leaf part's content and, for text parts, converts it to UTF-8. */
static long long decode_leaf(GMimePart *part)
{
    long long sum = 0;
    GMimeDataWrapper *content = g_mime_part_get_content(part);
    if (content) {
        GMimeStream *sink = g_mime_stream_mem_new();
        ssize_t n = g_mime_data_wrapper_write_to_stream(content, sink);
        if (n > 0)
            sum += n;
        g_object_unref(sink);
    }
    if (GMIME_IS_TEXT_PART(part)) {
        char *text = g_mime_text_part_get_text((GMimeTextPart *)part);
        if (text) {
            sum += (long long)strlen(text);
            g_free(text);
        }
    }
    return sum;
}

static long long walk_message(GMimeMessage *message, int depth);

/* Walks one MIME object: its headers unless it is a message's root (whose fields are in the
 * message's own list), then its content. */
static long long walk_object(GMimeObject *object, int is_root, int depth)
{
    long long sum = is_root ? 0 : decode_headers(object);
    if (depth > BENCH_GMIME_MAX_DEPTH)
        return sum;
    if (GMIME_IS_MULTIPART(object)) {
        GMimeMultipart *multipart = (GMimeMultipart *)object;
        int count = g_mime_multipart_get_count(multipart);
        for (int i = 0; i < count; i++)
            sum += walk_object(g_mime_multipart_get_part(multipart, i), 0, depth + 1);
    } else if (GMIME_IS_MESSAGE_PART(object)) {
        GMimeMessage *inner = g_mime_message_part_get_message((GMimeMessagePart *)object);
        if (inner)
            sum += walk_message(inner, depth + 1);
    } else if (GMIME_IS_PART(object)) {
        sum += decode_leaf((GMimePart *)object);
    }
    return sum;
}

static long long walk_message(GMimeMessage *message, int depth)
{
    long long sum = decode_headers((GMimeObject *)message);
    GMimeObject *root = g_mime_message_get_mime_part(message);
    if (root)
        sum += walk_object(root, 1, depth);
    return sum;
}

/* GMime's message parser does not skip an mbox envelope line: step over it. */
static size_t skip_from_line(const unsigned char *data, size_t len)
{
    if (len < 5 || memcmp(data, "From ", 5) != 0)
        return 0;
    const unsigned char *eol = memchr(data, '\n', len);
    return eol ? (size_t)(eol - data) + 1 : len;
}

static long long parse_and_extract(const unsigned char *data, size_t len)
{
    size_t skip = skip_from_line(data, len);
    /* A stream over the caller's bytes without copying them: the array only borrows. */
    GByteArray *bytes = g_byte_array_new_take((guint8 *)(data + skip), len - skip);
    GMimeStream *stream = g_mime_stream_mem_new_with_byte_array(bytes);
    g_mime_stream_mem_set_owner((GMimeStreamMem *)stream, FALSE);
    GMimeParser *parser = g_mime_parser_new_with_stream(stream);
    GMimeMessage *message = g_mime_parser_construct_message(parser, parser_options);
    long long sum = message ? walk_message(message, 0) : -1;
    if (message)
        g_object_unref(message);
    g_object_unref(parser);
    g_object_unref(stream);
    g_byte_array_free(bytes, FALSE);
    return sum;
}

static const char *version_json(void)
{
    static char json[64];
    snprintf(json, sizeof json, ",\"version\":\"%u.%u.%u\"", gmime_major_version,
             gmime_minor_version, gmime_micro_version);
    return json;
}

int main(int argc, char **argv)
{
    bench_args args;
    bench_corpus corpus;
    if (bench_parse_args(argc, argv, &args) != 0 || bench_corpus_load(args.list_path, &corpus) != 0)
        return 2;
    g_mime_init();
    parser_options = g_mime_parser_options_new();
    int rc = bench_run("gmime", &args, &corpus, parse_and_extract, version_json);
    g_mime_parser_options_free(parser_options);
    g_mime_shutdown();
    bench_corpus_free(&corpus);
    return rc;
}
