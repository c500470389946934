/* test_api.c — the API contract: versions, error strings, options records of other sizes,
 * NULL arguments, the allocator hooks, determinism under injected clock and randomness, the
 * three outputs agreeing byte for byte, the writer's piece size, and the type guesser. */
#include "build_util.h"

#include <time.h>

/* The library's extension table, compiled here under another name so its order can be read. */
#define mailbuild_guess_type table_guess_type
const char *mailbuild_guess_type(const char *filename);
#include "mime_types.c"
#undef mailbuild_guess_type

/* ---- versions and errors ----------------------------------------------------------------- */

static void version_matches_the_header(void **state)
{
    (void)state;
    assert_int_equal(mailbuild_version_number(), MAILBUILD_VERSION_NUMBER);
    char buf[32];
    snprintf(buf, sizeof buf, "%d.%d.%d", MAILBUILD_VERSION_MAJOR, MAILBUILD_VERSION_MINOR,
             MAILBUILD_VERSION_PATCH);
    assert_string_equal(mailbuild_version(), buf);
}

static void every_error_has_a_distinct_message(void **state)
{
    (void)state;
    static const int codes[] = {MAILBUILD_OK,          MAILBUILD_E_NOMEM,       MAILBUILD_E_INVAL,
                                MAILBUILD_E_LIMIT,     MAILBUILD_E_UNSUPPORTED, MAILBUILD_E_CHARSET,
                                MAILBUILD_E_HEADER_NAME, MAILBUILD_E_INJECTION, MAILBUILD_E_ADDRESS,
                                MAILBUILD_E_MESSAGE_ID, MAILBUILD_E_STATE,      MAILBUILD_E_WRITE};
    size_t n = sizeof codes / sizeof codes[0];
    for (size_t i = 0; i < n; i++) {
        const char *s = mailbuild_strerror(codes[i]);
        assert_non_null(s);
        assert_true(strlen(s) > 0);
        assert_string_not_equal(s, "unknown error");
        for (size_t j = 0; j < i; j++)
            assert_string_not_equal(s, mailbuild_strerror(codes[j]));
    }
    assert_string_equal(mailbuild_strerror(-12), "unknown error");
    assert_string_equal(mailbuild_strerror(1), "unknown error");
    assert_string_equal(mailbuild_strerror(-1000000), "unknown error");
}

/* ---- options ----------------------------------------------------------------------------- */

static void options_init_sets_the_size_and_zeroes_the_rest(void **state)
{
    (void)state;
    mailbuild_options o;
    memset(&o, 0xAB, sizeof o);
    mailbuild_options_init(&o);
    assert_int_equal(o.struct_size, sizeof o);
    assert_int_equal(o.flags, 0);
    assert_null(o.clock);
    assert_null(o.clock_user);
    assert_int_equal(o.utc_offset_minutes, 0);
    assert_null(o.random);
    assert_null(o.random_user);
    assert_null(o.message_id_domain);
    assert_int_equal(o.max_depth, 0);
    assert_int_equal(o.max_parts, 0);
    mailbuild_options_init(NULL);
}

/* An options record as an older caller compiled it: struct_size says where it ends, and
 * nothing past it is read (the garbage there would crash a reader). */
static void older_smaller_options_record_is_accepted(void **state)
{
    (void)state;
    struct {
        mailbuild_options o;
        unsigned char guard[64];
    } big;
    memset(&big, 0xAB, sizeof big);
    big.o.struct_size = offsetof(mailbuild_options, flags) + sizeof big.o.flags;
    big.o.flags = MAILBUILD_F_NO_DATE | MAILBUILD_F_NO_MESSAGE_ID;
    mailbuild_message *m = NULL;
    assert_int_equal(mailbuild_message_new(&big.o, &m), 0);
    mailparse_message *p = expect_message(m, EMPTY_BODY_FIELDS);
    mailparse_message_free(p);
    mailbuild_message_free(m);

    /* up to the clock: the clock is used, the random source and the rest are defaults */
    memset(&big, 0xAB, sizeof big);
    big.o.struct_size = offsetof(mailbuild_options, utc_offset_minutes);
    big.o.flags = 0;
    big.o.clock = fixed_clock;
    big.o.clock_user = NULL;
    assert_int_equal(mailbuild_message_new(&big.o, &m), 0);
    char *out = build_string(m, NULL);
    assert_true(contains(out, "Date: " FIXED_DATE "\r\n"));
    assert_true(contains(out, "@localhost>\r\n"));
    mailbuild_free(out);
    mailbuild_message_free(m);
}

/* The smallest record holds struct_size and flags; one octet less is refused. */
static void options_record_smaller_than_its_flags_is_inval(void **state)
{
    (void)state;
    mailbuild_options o;
    mailbuild_options_init(&o);
    mailbuild_message *m = NULL;
    o.struct_size = offsetof(mailbuild_options, flags) + sizeof o.flags - 1;
    assert_int_equal(mailbuild_message_new(&o, &m), MAILBUILD_E_INVAL);
    assert_null(m);
    o.struct_size = 0;
    assert_int_equal(mailbuild_message_new(&o, &m), MAILBUILD_E_INVAL);
    assert_null(m);
}

/* A newer caller's larger record: the fields this library knows are used, the rest ignored. */
static void newer_larger_options_record_is_accepted(void **state)
{
    (void)state;
    struct {
        mailbuild_options o;
        unsigned char later[64];
    } big;
    unsigned counter = 0;
    memset(&big, 0, sizeof big);
    deterministic_options(&big.o, &counter, MAILBUILD_F_NO_DATE);
    big.o.struct_size = sizeof big;
    memset(big.later, 0xAB, sizeof big.later);
    mailbuild_message *m = NULL;
    assert_int_equal(mailbuild_message_new(&big.o, &m), 0);
    mailparse_message *p = expect_message(m, "Message-ID: <000102030405060708090a0b0c0d0e0f@localhost>\r\n"
                                             EMPTY_BODY_FIELDS);
    mailparse_message_free(p);
    mailbuild_message_free(m);
}

/* The writer recurses once a level: nesting options above 1000 are refused. */
static void max_depth_above_1000_is_inval(void **state)
{
    (void)state;
    mailbuild_options o;
    mailbuild_options_init(&o);
    mailbuild_message *m = NULL;
    o.max_depth = 1001;
    assert_int_equal(mailbuild_message_new(&o, &m), MAILBUILD_E_INVAL);
    assert_null(m);
    o.max_depth = SIZE_MAX;
    assert_int_equal(mailbuild_message_new(&o, &m), MAILBUILD_E_INVAL);
    o.max_depth = 1000;
    assert_int_equal(mailbuild_message_new(&o, &m), 0);
    assert_non_null(m);
    mailbuild_message_free(m);
}

/* ---- NULL arguments ---------------------------------------------------------------------- */

static void null_arguments_are_refused(void **state)
{
    (void)state;
    const unsigned char data[] = "x";
    mailbuild_message *m = new_message(0);
    mailbuild_part *part = NULL, *leaf = NULL;
    assert_int_equal(mailbuild_part_new(m, "text/plain", data, 1, &leaf), 0);

    assert_int_equal(mailbuild_message_new(NULL, NULL), MAILBUILD_E_INVAL);
    assert_int_equal(mailbuild_add_address(NULL, "To", NULL, "a@example.com"), MAILBUILD_E_INVAL);
    assert_int_equal(mailbuild_add_address(m, NULL, NULL, "a@example.com"), MAILBUILD_E_INVAL);
    assert_int_equal(mailbuild_add_address(m, "To", NULL, NULL), MAILBUILD_E_INVAL);
    assert_int_equal(mailbuild_group_open(NULL, "To", "G"), MAILBUILD_E_INVAL);
    assert_int_equal(mailbuild_group_open(m, NULL, "G"), MAILBUILD_E_INVAL);
    assert_int_equal(mailbuild_group_open(m, "To", NULL), MAILBUILD_E_INVAL);
    assert_int_equal(mailbuild_group_close(NULL, "To"), MAILBUILD_E_INVAL);
    assert_int_equal(mailbuild_group_close(m, NULL), MAILBUILD_E_INVAL);
    assert_int_equal(mailbuild_set_subject(NULL, "s"), MAILBUILD_E_INVAL);
    assert_int_equal(mailbuild_set_subject(m, NULL), MAILBUILD_E_INVAL);
    assert_int_equal(mailbuild_set_date(NULL, 0, 0), MAILBUILD_E_INVAL);
    assert_int_equal(mailbuild_set_message_id(NULL, "a@example.com"), MAILBUILD_E_INVAL);
    assert_int_equal(mailbuild_set_message_id(m, NULL), MAILBUILD_E_INVAL);
    assert_int_equal(mailbuild_add_message_id(NULL, "References", "a@example.com"), MAILBUILD_E_INVAL);
    assert_int_equal(mailbuild_add_message_id(m, NULL, "a@example.com"), MAILBUILD_E_INVAL);
    assert_int_equal(mailbuild_add_message_id(m, "References", NULL), MAILBUILD_E_INVAL);
    assert_int_equal(mailbuild_add_url(NULL, "List-Help", "https://example.com"), MAILBUILD_E_INVAL);
    assert_int_equal(mailbuild_add_url(m, NULL, "https://example.com"), MAILBUILD_E_INVAL);
    assert_int_equal(mailbuild_add_url(m, "List-Help", NULL), MAILBUILD_E_INVAL);
    assert_int_equal(mailbuild_add_keyword(NULL, "k"), MAILBUILD_E_INVAL);
    assert_int_equal(mailbuild_add_keyword(m, NULL), MAILBUILD_E_INVAL);
    assert_int_equal(mailbuild_add_text_header(NULL, "X-A", "v"), MAILBUILD_E_INVAL);
    assert_int_equal(mailbuild_add_text_header(m, NULL, "v"), MAILBUILD_E_INVAL);
    assert_int_equal(mailbuild_add_text_header(m, "X-A", NULL), MAILBUILD_E_INVAL);
    assert_int_equal(mailbuild_add_raw_header(NULL, "X-A", "v"), MAILBUILD_E_INVAL);
    assert_int_equal(mailbuild_add_raw_header(m, NULL, "v"), MAILBUILD_E_INVAL);
    assert_int_equal(mailbuild_add_raw_header(m, "X-A", NULL), MAILBUILD_E_INVAL);
    assert_int_equal(mailbuild_remove_header(NULL, "X-A"), MAILBUILD_E_INVAL);
    assert_int_equal(mailbuild_remove_header(m, NULL), MAILBUILD_E_INVAL);

    assert_int_equal(mailbuild_set_text(NULL, "t", 1, NULL), MAILBUILD_E_INVAL);
    assert_int_equal(mailbuild_set_text(m, NULL, 1, NULL), MAILBUILD_E_INVAL);
    assert_int_equal(mailbuild_set_html(NULL, "h", 1, NULL), MAILBUILD_E_INVAL);
    assert_int_equal(mailbuild_set_html(m, NULL, 1, NULL), MAILBUILD_E_INVAL);
    assert_int_equal(mailbuild_add_attachment(NULL, data, 1, NULL, "a.txt", NULL), MAILBUILD_E_INVAL);
    assert_int_equal(mailbuild_add_attachment(m, NULL, 1, NULL, "a.txt", NULL), MAILBUILD_E_INVAL);
    assert_int_equal(mailbuild_add_inline(NULL, data, 1, "image/png", "c@example.com", NULL, NULL),
                     MAILBUILD_E_INVAL);
    assert_int_equal(mailbuild_add_inline(m, NULL, 1, "image/png", "c@example.com", NULL, NULL),
                     MAILBUILD_E_INVAL);
    assert_int_equal(mailbuild_add_inline(m, data, 1, "image/png", NULL, NULL, NULL), MAILBUILD_E_INVAL);

    assert_int_equal(mailbuild_part_new(NULL, "text/plain", data, 1, &part), MAILBUILD_E_INVAL);
    assert_int_equal(mailbuild_part_new(m, NULL, data, 1, &part), MAILBUILD_E_INVAL);
    assert_int_equal(mailbuild_part_new(m, "text/plain", NULL, 1, &part), MAILBUILD_E_INVAL);
    assert_int_equal(mailbuild_part_new(m, "text/plain", data, 1, NULL), MAILBUILD_E_INVAL);
    assert_int_equal(mailbuild_multipart_new(NULL, "mixed", &part), MAILBUILD_E_INVAL);
    assert_int_equal(mailbuild_multipart_new(m, NULL, &part), MAILBUILD_E_INVAL);
    assert_int_equal(mailbuild_multipart_new(m, "mixed", NULL), MAILBUILD_E_INVAL);
    assert_int_equal(mailbuild_part_append(NULL, leaf), MAILBUILD_E_INVAL);
    assert_int_equal(mailbuild_part_append(leaf, NULL), MAILBUILD_E_INVAL);
    assert_int_equal(mailbuild_set_body(NULL, leaf), MAILBUILD_E_INVAL);
    assert_int_equal(mailbuild_set_body(m, NULL), MAILBUILD_E_INVAL);
    assert_int_equal(mailbuild_part_set_param(NULL, "x", "v"), MAILBUILD_E_INVAL);
    assert_int_equal(mailbuild_part_set_param(leaf, NULL, "v"), MAILBUILD_E_INVAL);
    assert_int_equal(mailbuild_part_set_param(leaf, "x", NULL), MAILBUILD_E_INVAL);
    assert_int_equal(mailbuild_part_set_filename(NULL, "a.txt"), MAILBUILD_E_INVAL);
    assert_int_equal(mailbuild_part_set_filename(leaf, NULL), MAILBUILD_E_INVAL);
    assert_int_equal(mailbuild_part_set_disposition(NULL, "inline"), MAILBUILD_E_INVAL);
    assert_int_equal(mailbuild_part_set_disposition(leaf, NULL), MAILBUILD_E_INVAL);
    assert_int_equal(mailbuild_part_set_content_id(NULL, "c@example.com"), MAILBUILD_E_INVAL);
    assert_int_equal(mailbuild_part_set_content_id(leaf, NULL), MAILBUILD_E_INVAL);
    assert_int_equal(mailbuild_part_set_charset(NULL, "utf-8"), MAILBUILD_E_INVAL);
    assert_int_equal(mailbuild_part_set_charset(leaf, NULL), MAILBUILD_E_INVAL);
    assert_int_equal(mailbuild_part_add_text_header(NULL, "X-A", "v"), MAILBUILD_E_INVAL);
    assert_int_equal(mailbuild_part_add_text_header(leaf, NULL, "v"), MAILBUILD_E_INVAL);
    assert_int_equal(mailbuild_part_add_text_header(leaf, "X-A", NULL), MAILBUILD_E_INVAL);
    assert_int_equal(mailbuild_part_add_raw_header(NULL, "X-A", "v"), MAILBUILD_E_INVAL);
    assert_int_equal(mailbuild_part_add_raw_header(leaf, NULL, "v"), MAILBUILD_E_INVAL);
    assert_int_equal(mailbuild_part_add_raw_header(leaf, "X-A", NULL), MAILBUILD_E_INVAL);
    assert_int_equal(mailbuild_part_set_encoding(NULL, MAILBUILD_ENC_BASE64), MAILBUILD_E_INVAL);
    assert_int_equal(mailbuild_part_encoding(NULL), MAILBUILD_ENC_AUTO);

    char *out = NULL;
    size_t len = 0;
    assert_int_equal(mailbuild_write(NULL, collect_piece, NULL), MAILBUILD_E_INVAL);
    assert_int_equal(mailbuild_write(m, NULL, NULL), MAILBUILD_E_INVAL);
    assert_int_equal(mailbuild_size(NULL, &len), MAILBUILD_E_INVAL);
    assert_int_equal(mailbuild_size(m, NULL), MAILBUILD_E_INVAL);
    assert_int_equal(mailbuild_to_buffer(NULL, &out, &len), MAILBUILD_E_INVAL);
    assert_int_equal(mailbuild_to_buffer(m, NULL, &len), MAILBUILD_E_INVAL);
    assert_null(out);

    /* none of it reached the message */
    mailparse_message *p = expect_message(m, "Date: " FIXED_DATE "\r\n"
                                             "Message-ID: <000102030405060708090a0b0c0d0e0f@localhost>\r\n"
                                             EMPTY_BODY_FIELDS);
    mailparse_message_free(p);
    mailbuild_message_free(m);
}

static void free_functions_accept_null(void **state)
{
    (void)state;
    mailbuild_message_free(NULL);
    mailbuild_free(NULL);
    assert_string_equal(mailbuild_guess_type(NULL), "application/octet-stream");
    assert_null(mailbuild_encoding_name((mailbuild_encoding)99));
    assert_null(mailbuild_encoding_name(MAILBUILD_ENC_AUTO));
}

/* to_buffer's length pointer is optional: the buffer is NUL-terminated. */
static void buffer_length_may_be_left_out(void **state)
{
    (void)state;
    mailbuild_message *m = new_message(MAILBUILD_F_NO_DATE | MAILBUILD_F_NO_MESSAGE_ID);
    char *out = NULL;
    assert_int_equal(mailbuild_to_buffer(m, &out, NULL), 0);
    assert_string_equal(out, EMPTY_BODY_FIELDS);
    mailbuild_free(out);
    mailbuild_message_free(m);
}

static void encoding_names_are_the_mime_tokens(void **state)
{
    (void)state;
    assert_string_equal(mailbuild_encoding_name(MAILBUILD_ENC_7BIT), "7bit");
    assert_string_equal(mailbuild_encoding_name(MAILBUILD_ENC_8BIT), "8bit");
    assert_string_equal(mailbuild_encoding_name(MAILBUILD_ENC_BINARY), "binary");
    assert_string_equal(mailbuild_encoding_name(MAILBUILD_ENC_QP), "quoted-printable");
    assert_string_equal(mailbuild_encoding_name(MAILBUILD_ENC_BASE64), "base64");
}

/* ---- the allocator hooks ----------------------------------------------------------------- */

static long live_blocks;
static size_t hook_calls;

static void *count_malloc(size_t n)
{
    live_blocks++;
    hook_calls++;
    return malloc(n);
}

static void *count_realloc(void *p, size_t n)
{
    if (!p)
        live_blocks++;
    hook_calls++;
    return realloc(p, n);
}

static void count_free(void *p)
{
    if (p)
        live_blocks--;
    free(p);
}

/* Everything the library allocates goes through the hooks and comes back. */
static void allocator_hooks_see_every_allocation(void **state)
{
    (void)state;
    mailbuild_set_allocator(count_malloc, count_realloc, count_free);
    mailparse_set_allocator(count_malloc, count_realloc, count_free);
    live_blocks = 0;
    hook_calls = 0;
    mailbuild_message *m = new_message(0);
    assert_int_equal(mailbuild_add_address(m, "From", "Jörg Müller", "joerg@example.com"), 0);
    assert_int_equal(mailbuild_set_subject(m, "Grüße aus München"), 0);
    assert_int_equal(mailbuild_set_text(m, "Grüße\n", strlen("Grüße\n"), NULL), 0);
    assert_int_equal(mailbuild_add_attachment(m, (const unsigned char *)"\x01\x02\x03", 3, NULL, "März.bin", NULL), 0);
    char *out = build_string(m, NULL);
    assert_true(live_blocks > 0);
    mailbuild_free(out);
    mailbuild_message_free(m);
    assert_int_equal(live_blocks, 0);
    assert_true(hook_calls > 0);
    mailbuild_set_allocator(NULL, NULL, NULL);
    mailparse_set_allocator(NULL, NULL, NULL);
}

/* ---- determinism and the three outputs --------------------------------------------------- */

/* A message with every generated value (Date, Message-ID, three boundaries) and bodies in
 * each transfer encoding. */
static mailbuild_message *full_message(unsigned *counter, size_t big)
{
    mailbuild_options o;
    deterministic_options(&o, counter, 0);
    mailbuild_message *m = NULL;
    assert_int_equal(mailbuild_message_new(&o, &m), 0);
    assert_int_equal(mailbuild_add_address(m, "From", "Jörg Müller", "joerg@example.com"), 0);
    assert_int_equal(mailbuild_add_address(m, "To", "Smith, Alice", "alice@example.org"), 0);
    assert_int_equal(mailbuild_set_subject(m, "Grüße aus München"), 0);
    const char *text = "Grüße,\nthe report is attached.\n";
    assert_int_equal(mailbuild_set_text(m, text, strlen(text), NULL), 0);
    const char *html = "<p>Grüße, the report is attached: <img src=\"cid:logo@example.com\"></p>";
    assert_int_equal(mailbuild_set_html(m, html, strlen(html), NULL), 0);
    static const unsigned char png[] = "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR";
    assert_int_equal(mailbuild_add_inline(m, png, sizeof png - 1, NULL, "logo@example.com", "logo.png", NULL), 0);
    unsigned char *bin = malloc(big ? big : 1);
    assert_non_null(bin);
    for (size_t i = 0; i < big; i++)
        bin[i] = (unsigned char)((i * 2654435761u) >> 13);
    assert_int_equal(mailbuild_add_attachment(m, bin, big, NULL, "Übersicht März.pdf", NULL), 0);
    free(bin);
    return m;
}

/* Same options (random source, clock), same calls: the same bytes. */
static void same_options_give_byte_identical_messages(void **state)
{
    (void)state;
    unsigned c1 = 0, c2 = 0, c3 = 100;
    mailbuild_message *a = full_message(&c1, 5000);
    mailbuild_message *b = full_message(&c2, 5000);
    mailbuild_message *c = full_message(&c3, 5000);
    size_t la, lb, lc;
    char *sa = build_string(a, &la);
    char *sb = build_string(b, &lb);
    char *sc = build_string(c, &lc);
    assert_int_equal(la, lb);
    assert_memory_equal(sa, sb, la);
    /* another random stream: other Message-ID and boundaries, same length */
    assert_int_equal(la, lc);
    assert_memory_not_equal(sa, sc, la);
    assert_true(contains(sa, "Message-ID: <000102030405060708090a0b0c0d0e0f@example.com>\r\n"));
    assert_true(contains(sa, "boundary=\"=_101112131415161718191a1b\""));
    assert_true(contains(sc, "Message-ID: <6465666768696a6b6c6d6e6f70717273@example.com>\r\n"));
    mailbuild_free(sa);
    mailbuild_free(sb);
    mailbuild_free(sc);
    mailbuild_message_free(a);
    mailbuild_message_free(b);
    mailbuild_message_free(c);
}

/* The first output fixes Date, Message-ID and boundaries: a later one gives the same bytes
 * even when the clock has moved on. */
static void first_output_fixes_the_generated_values(void **state)
{
    (void)state;
    unsigned counter = 0;
    int64_t now = FIXED_NOW;
    mailbuild_options o;
    deterministic_options(&o, &counter, 0);
    o.clock_user = &now;
    mailbuild_message *m = NULL;
    assert_int_equal(mailbuild_message_new(&o, &m), 0);
    assert_int_equal(mailbuild_set_text(m, "t", 1, NULL), 0);
    assert_int_equal(mailbuild_set_html(m, "h", 1, NULL), 0);
    size_t size = 0;
    assert_int_equal(mailbuild_size(m, &size), 0);
    now += 3600;
    size_t len;
    char *first = build_string(m, &len);
    assert_int_equal(len, size);
    now += 3600;
    char *second = build_string(m, NULL);
    assert_string_equal(first, second);
    assert_true(contains(first, "Date: " FIXED_DATE "\r\n"));
    mailparse_message *p = parse_built(first);
    assert_int_equal(mailparse_message_date(p)->timestamp, FIXED_NOW);
    mailparse_message_free(p);
    mailbuild_free(first);
    mailbuild_free(second);
    mailbuild_message_free(m);
}

/* mailbuild_size() is exact: the same count as mailbuild_write() gives, and as
 * mailbuild_to_buffer()'s length, with the same bytes, for bodies of every encoding. */
static void size_write_and_buffer_agree(void **state)
{
    (void)state;
    static const size_t bigs[] = {0, 1, 2, 3, 57, 58, 45600, 45601, 200000};
    for (size_t i = 0; i < sizeof bigs / sizeof bigs[0]; i++) {
        for (int size_first = 0; size_first < 2; size_first++) {
            unsigned counter = 0;
            mailbuild_message *m = full_message(&counter, bigs[i]);
            size_t size = 0;
            char *buf = NULL;
            size_t len = 0;
            if (size_first) {
                assert_int_equal(mailbuild_size(m, &size), 0);
                assert_int_equal(mailbuild_to_buffer(m, &buf, &len), 0);
            } else {
                assert_int_equal(mailbuild_to_buffer(m, &buf, &len), 0);
                assert_int_equal(mailbuild_size(m, &size), 0);
            }
            collector c = {0};
            assert_int_equal(mailbuild_write(m, collect_piece, &c), 0);
            assert_int_equal(size, len);
            assert_int_equal(c.len, len);
            assert_memory_equal(c.data, buf, len);
            assert_int_equal(buf[len], '\0');
            free(c.data);
            mailbuild_free(buf);
            mailbuild_message_free(m);
        }
    }
}

/* The default random source (the system's) gives every message its own Message-ID, and the
 * default clock is now. */
static void default_clock_and_random_source_are_the_systems(void **state)
{
    (void)state;
    mailbuild_message *a = NULL, *b = NULL;
    assert_int_equal(mailbuild_message_new(NULL, &a), 0);
    assert_int_equal(mailbuild_message_new(NULL, &b), 0);
    int64_t before = (int64_t)time(NULL);
    char *sa = build_string(a, NULL);
    char *sb = build_string(b, NULL);
    int64_t after = (int64_t)time(NULL);
    mailparse_message *pa = parse_built(sa), *pb = parse_built(sb);
    assert_non_null(mailparse_message_id(pa));
    assert_non_null(mailparse_message_id(pb));
    assert_string_not_equal(mailparse_message_id(pa), mailparse_message_id(pb));
    assert_int_equal(strlen(mailparse_message_id(pa)), 32 + strlen("@localhost"));
    const mailparse_date *d = mailparse_message_date(pa);
    assert_non_null(d);
    assert_true(d->timestamp >= before && d->timestamp <= after);
    assert_int_equal(d->offset_minutes, 0);
    mailparse_message_free(pa);
    mailparse_message_free(pb);
    mailbuild_free(sa);
    mailbuild_free(sb);
    mailbuild_message_free(a);
    mailbuild_message_free(b);
}

/* ---- the writer's pieces ----------------------------------------------------------------- */

/* Large bodies of every kind reach the callback in pieces of at most 64 KiB. */
static void write_pieces_are_never_over_64_kib(void **state)
{
    (void)state;
    unsigned counter = 0;
    mailbuild_options o;
    deterministic_options(&o, &counter, 0);
    mailbuild_message *m = NULL;
    assert_int_equal(mailbuild_message_new(&o, &m), 0);
    size_t n = 400000;
    char *text = malloc(n + 1);
    assert_non_null(text);
    for (size_t i = 0; i < n; i++)
        text[i] = i % 70 == 69 ? '\n' : (char)('a' + i % 26);
    text[n] = '\0';
    assert_int_equal(mailbuild_set_text(m, text, n, NULL), 0);           /* 7bit */
    for (size_t i = 0; i < n; i += 3)
        text[i] = '=';
    assert_int_equal(mailbuild_set_html(m, text, n, NULL), 0);           /* quoted-printable */
    unsigned char *bin = malloc(1500000);
    assert_non_null(bin);
    for (size_t i = 0; i < 1500000; i++)
        bin[i] = (unsigned char)(i * 31 + (i >> 8));
    assert_int_equal(mailbuild_add_attachment(m, bin, 1500000, NULL, "big.bin", NULL), 0); /* base64 */
    mailbuild_part *raw = NULL;
    assert_int_equal(mailbuild_add_attachment(m, bin, 1500000, "application/octet-stream", "raw.bin", &raw), 0);
    assert_int_equal(mailbuild_part_set_encoding(raw, MAILBUILD_ENC_BINARY), 0);           /* as it is */
    free(bin);
    free(text);

    size_t size = 0;
    assert_int_equal(mailbuild_size(m, &size), 0);
    collector c = {0};
    assert_int_equal(mailbuild_write(m, collect_piece, &c), 0);
    assert_int_equal(c.len, size);
    assert_true(c.largest <= 65536);
    assert_true(c.calls >= size / 65536);
    free(c.data);
    mailbuild_message_free(m);
}

/* ---- type guessing ----------------------------------------------------------------------- */

static void guess_type_knows_the_common_extensions(void **state)
{
    (void)state;
    static const struct {
        const char *name, *type;
    } cases[] = {
        {"report.pdf", "application/pdf"},
        {"photo.jpg", "image/jpeg"},
        {"photo.jpeg", "image/jpeg"},
        {"image.png", "image/png"},
        {"anim.gif", "image/gif"},
        {"notes.txt", "text/plain"},
        {"page.html", "text/html"},
        {"page.htm", "text/html"},
        {"data.csv", "text/csv"},
        {"archive.zip", "application/zip"},
        {"archive.tar.gz", "application/gzip"},
        {"letter.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
        {"sheet.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
        {"invite.ics", "text/calendar"},
        {"forwarded.eml", "message/rfc822"},
        {"song.mp3", "audio/mpeg"},
        {"clip.mp4", "video/mp4"},
        {"drawing.svg", "image/svg+xml"},
        {"font.woff2", "font/woff2"},
        {"Übersicht März.pdf", "application/pdf"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        assert_string_equal(mailbuild_guess_type(cases[i].name), cases[i].type);
}

static void guess_type_ignores_the_case_of_the_extension(void **state)
{
    (void)state;
    assert_string_equal(mailbuild_guess_type("REPORT.PDF"), "application/pdf");
    assert_string_equal(mailbuild_guess_type("Photo.JpG"), "image/jpeg");
    assert_string_equal(mailbuild_guess_type("x.Docx"), "application/vnd.openxmlformats-officedocument.wordprocessingml.document");
    assert_string_equal(mailbuild_guess_type("a.7Z"), "application/x-7z-compressed");
}

static void guess_type_falls_back_to_octet_stream(void **state)
{
    (void)state;
    static const char *const names[] = {
        "",            "noextension", "file.",        "file.unknownext", "dir.pdf/file",
        "dir.pdf\\file", "file.pd",   "file.pdff",    "file.p",          "file. pdf",
        "file.pdf ",   "a.",          "x.zzzzzzzzzzzz",
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        assert_string_equal(mailbuild_guess_type(names[i]), "application/octet-stream");
}

/* The lookup is a binary search: the table must be sorted, case-insensitively, without
 * duplicates, and every extension in it must be found through the API. */
static void guess_type_table_is_sorted_and_every_entry_is_found(void **state)
{
    (void)state;
    size_t n = sizeof types / sizeof types[0];
    assert_true(n >= 85);
    for (size_t i = 0; i < n; i++) {
        if (i > 0 && lm_strncasecmp(types[i - 1].ext, types[i].ext, SIZE_MAX) >= 0)
            fail_msg("\"%s\" is not after \"%s\"", types[i].ext, types[i - 1].ext);
        char name[64], upper[64];
        snprintf(name, sizeof name, "file.%s", types[i].ext);
        for (size_t k = 0; k <= strlen(name); k++)
            upper[k] = (char)(name[k] >= 'a' && name[k] <= 'z' ? name[k] - 32 : name[k]);
        assert_string_equal(mailbuild_guess_type(name), types[i].type);
        assert_string_equal(mailbuild_guess_type(upper), types[i].type);
        assert_string_equal(table_guess_type(name), types[i].type);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(version_matches_the_header),
        cmocka_unit_test(every_error_has_a_distinct_message),
        cmocka_unit_test(options_init_sets_the_size_and_zeroes_the_rest),
        cmocka_unit_test(older_smaller_options_record_is_accepted),
        cmocka_unit_test(options_record_smaller_than_its_flags_is_inval),
        cmocka_unit_test(newer_larger_options_record_is_accepted),
        cmocka_unit_test(max_depth_above_1000_is_inval),
        cmocka_unit_test(null_arguments_are_refused),
        cmocka_unit_test(free_functions_accept_null),
        cmocka_unit_test(buffer_length_may_be_left_out),
        cmocka_unit_test(encoding_names_are_the_mime_tokens),
        cmocka_unit_test(allocator_hooks_see_every_allocation),
        cmocka_unit_test(same_options_give_byte_identical_messages),
        cmocka_unit_test(first_output_fixes_the_generated_values),
        cmocka_unit_test(size_write_and_buffer_agree),
        cmocka_unit_test(default_clock_and_random_source_are_the_systems),
        cmocka_unit_test(write_pieces_are_never_over_64_kib),
        cmocka_unit_test(guess_type_knows_the_common_extensions),
        cmocka_unit_test(guess_type_ignores_the_case_of_the_extension),
        cmocka_unit_test(guess_type_falls_back_to_octet_stream),
        cmocka_unit_test(guess_type_table_is_sorted_and_every_entry_is_found),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
