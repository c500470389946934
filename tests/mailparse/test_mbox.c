/* test_mbox.c — the mbox reader: separators, mboxrd/mboxo unquoting, mboxcl2 Content-Length, file mode. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "mailparse.h"
#include "mbox_msgs.h"
#include "mp_internal.h"
#include "test_files.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Tuning hook of mbox.c (not in the public header). */

/* Reads every message of `mb` into `r` (the reader is freed). LIMIT results are counted and skipped. */
static void drain(mailparse_mbox *mb, const unsigned char *buf, size_t buf_len, msgs *r)
{
    memset(r, 0, sizeof *r);
    for (;;) {
        const unsigned char *d;
        size_t len, off = (size_t)-1;
        const char *from = NULL;
        int rc = mailparse_mbox_next(mb, &d, &len, &from, &off);
        if (rc == MAILPARSE_E_LIMIT) {
            r->limit_hits++;
            r->limit_off = off;
            continue;
        }
        if (rc) {
            r->rc = rc;
            break;
        }
        assert_non_null(from);
        assert_int_equal(msgs_push(r, d, len, from, off), 0);
        r->m[r->n - 1].zero_copy = buf && d >= buf && d + len <= buf + buf_len;
    }
    mailparse_mbox_free(mb);
}

static void read_buffer(const char *s, size_t len, int format, msgs *r)
{
    mailparse_mbox *mb = NULL;
    assert_int_equal(mailparse_mbox_open_buffer((const unsigned char *)s, len, format, &mb), 0);
    drain(mb, (const unsigned char *)s, len, r);
    assert_int_equal(r->rc, MAILPARSE_E_EOF);
}

static void read_str(const char *s, int format, msgs *r) { read_buffer(s, strlen(s), format, r); }

static void read_file(const char *path, int format, size_t max, size_t block, msgs *r)
{
    mailparse_mbox *mb = NULL;
    assert_int_equal(mailparse_mbox_open_file(path, format, &mb), 0);
    assert_int_equal(mp_mbox_tune(mb, max, block), 0);
    drain(mb, NULL, 0, r);
}

static void expect_msg(const msgs *r, size_t i, const char *data, const char *from, size_t off)
{
    assert_true(i < r->n);
    assert_int_equal(r->m[i].len, strlen(data));
    assert_memory_equal(r->m[i].data, data, strlen(data));
    assert_string_equal(r->m[i].from, from);
    assert_int_equal(r->m[i].off, off);
}

static void expect_same(const msgs *a, const msgs *b)
{
    assert_int_equal(a->n, b->n);
    for (size_t i = 0; i < a->n; i++) {
        assert_int_equal(a->m[i].len, b->m[i].len);
        assert_memory_equal(a->m[i].data, b->m[i].data, a->m[i].len);
        assert_string_equal(a->m[i].from, b->m[i].from);
        assert_int_equal(a->m[i].off, b->m[i].off);
    }
}

static char *write_temp(const void *data, size_t len)
{
    const char *dir = getenv("TMPDIR");
    size_t n = strlen(dir ? dir : "/tmp") + 32;
    char *path = malloc(n);
    assert_non_null(path);
    snprintf(path, n, "%s/mbox-test-XXXXXX", dir ? dir : "/tmp");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, data, len), (ssize_t)len);
    close(fd);
    return path;
}

/* ---- separators ---------------------------------------------------------------------------- */

static void empty_mbox_is_eof(void **state)
{
    (void)state;
    msgs r;
    read_str("", MAILPARSE_MBOX_RD, &r);
    assert_int_equal(r.n, 0);
    msgs_free(&r);
    read_buffer(NULL, 0, MAILPARSE_MBOX_CL, &r);
    assert_int_equal(r.n, 0);
    msgs_free(&r);
}

static void eof_repeats_after_the_end(void **state)
{
    (void)state;
    mailparse_mbox *mb;
    const unsigned char *d;
    size_t len;
    assert_int_equal(mailparse_mbox_open_buffer((const unsigned char *)"From a\n\nx\n", 10, 0, &mb), 0);
    assert_int_equal(mailparse_mbox_next(mb, &d, &len, NULL, NULL), 0);
    assert_int_equal(len, 3);
    assert_int_equal(mailparse_mbox_next(mb, &d, &len, NULL, NULL), MAILPARSE_E_EOF);
    assert_int_equal(mailparse_mbox_next(mb, &d, &len, NULL, NULL), MAILPARSE_E_EOF);
    mailparse_mbox_free(mb);
}

static void single_message_loses_its_from_line(void **state)
{
    (void)state;
    msgs r;
    read_str("From alice@example.org Mon Jan  1 00:00:00 2024\nSubject: x\n\nbody\n", 0, &r);
    assert_int_equal(r.n, 1);
    expect_msg(&r, 0, "Subject: x\n\nbody\n", "From alice@example.org Mon Jan  1 00:00:00 2024", 0);
    assert_true(r.m[0].zero_copy);
    msgs_free(&r);
}

static void line_end_before_from_belongs_to_separator(void **state)
{
    (void)state;
    msgs r;
    read_str("From a\nS: 1\n\none\n\nFrom b\nS: 2\n\ntwo\n", 0, &r);
    assert_int_equal(r.n, 2);
    expect_msg(&r, 0, "S: 1\n\none\n", "From a", 0);
    expect_msg(&r, 1, "S: 2\n\ntwo\n", "From b", 18);
    msgs_free(&r);
}

static void crlf_separator_and_from_line(void **state)
{
    (void)state;
    msgs r;
    read_str("From a\r\nS: 1\r\n\r\none\r\n\r\nFrom b\r\nS: 2\r\n\r\ntwo\r\n", 0, &r);
    assert_int_equal(r.n, 2);
    expect_msg(&r, 0, "S: 1\r\n\r\none\r\n", "From a", 0);
    expect_msg(&r, 1, "S: 2\r\n\r\ntwo\r\n", "From b", 23);
    msgs_free(&r);
}

static void only_one_line_end_is_taken(void **state)
{
    (void)state;
    msgs r;
    read_str("From a\nx\n\n\nFrom b\ny", 0, &r);
    expect_msg(&r, 0, "x\n\n", "From a", 0);
    expect_msg(&r, 1, "y", "From b", 11);
    msgs_free(&r);
}

static void no_leading_from_line_starts_at_zero(void **state)
{
    (void)state;
    msgs r;
    read_str("Subject: bare\n\nbody\nFrom b\nS: 2\n", 0, &r);
    assert_int_equal(r.n, 2);
    expect_msg(&r, 0, "Subject: bare\n\nbody", "", 0);
    expect_msg(&r, 1, "S: 2\n", "From b", 20);
    msgs_free(&r);
}

static void whitespace_before_first_from_is_not_a_message(void **state)
{
    (void)state;
    msgs r;
    read_str("\n\r\n \t\nFrom a\nx\n", 0, &r);
    assert_int_equal(r.n, 1);
    expect_msg(&r, 0, "x\n", "From a", 6);
    msgs_free(&r);
    read_str("\n\n\n", 0, &r);
    assert_int_equal(r.n, 0);
    msgs_free(&r);
}

static void byte_order_mark_is_skipped(void **state)
{
    (void)state;
    msgs r;
    read_str("\xEF\xBB\xBF" "From -\nx\n", 0, &r);
    assert_int_equal(r.n, 1);
    expect_msg(&r, 0, "x\n", "From -", 3);
    msgs_free(&r);
    read_str("\xEF\xBB\xBF", 0, &r);
    assert_int_equal(r.n, 0);
    msgs_free(&r);
}

static void last_message_without_final_newline(void **state)
{
    (void)state;
    msgs r;
    read_str("From a\nS: 1\n\nno newline", 0, &r);
    expect_msg(&r, 0, "S: 1\n\nno newline", "From a", 0);
    msgs_free(&r);
}

static void from_line_at_end_of_input_gives_empty_message(void **state)
{
    (void)state;
    msgs r;
    read_str("From a\nx\nFrom last", 0, &r);
    assert_int_equal(r.n, 2);
    expect_msg(&r, 0, "x", "From a", 0);
    expect_msg(&r, 1, "", "From last", 9);
    msgs_free(&r);
    read_str("From a\r\n", 0, &r);
    expect_msg(&r, 0, "", "From a", 0);
    msgs_free(&r);
}

static void consecutive_from_lines_give_empty_messages(void **state)
{
    (void)state;
    msgs r;
    read_str("From a\nFrom b\n\nFrom c\nz\n", 0, &r);
    assert_int_equal(r.n, 3);
    expect_msg(&r, 0, "", "From a", 0);
    expect_msg(&r, 1, "", "From b", 7);
    expect_msg(&r, 2, "z\n", "From c", 15);
    msgs_free(&r);
}

static void only_from_space_at_line_start_separates(void **state)
{
    (void)state;
    static const char in[] = "From a\nFrom: x\nFromage\nfrom y\n From z\nx From w\n\rFrom v\nFROM u\nFrom\n";
    msgs r;
    read_str(in, 0, &r);
    assert_int_equal(r.n, 1);
    expect_msg(&r, 0, in + 7, "From a", 0);
    msgs_free(&r);
}

static void from_line_cr_is_stripped_only_before_lf(void **state)
{
    (void)state;
    msgs r;
    read_str("From a\r\r\nx\n", 0, &r);
    expect_msg(&r, 0, "x\n", "From a\r", 0);
    msgs_free(&r);
}

static void many_messages_keep_their_offsets(void **state)
{
    (void)state;
    char buf[4096];
    size_t n = 0, offs[50];
    for (int i = 0; i < 50; i++) {
        offs[i] = n;
        n += (size_t)snprintf(buf + n, sizeof buf - n, "From m%d\nS: %d\n\n%.*s\n", i, i, i % 7, "xxxxxxx");
    }
    msgs r;
    read_buffer(buf, n, 0, &r);
    assert_int_equal(r.n, 50);
    for (int i = 0; i < 50; i++) {
        char from[16];
        snprintf(from, sizeof from, "From m%d", i);
        assert_string_equal(r.m[i].from, from);
        assert_int_equal(r.m[i].off, offs[i]);
    }
    msgs_free(&r);
}

static void nul_bytes_pass_through(void **state)
{
    (void)state;
    static const char in[] = "From a\nx\0y\nFrom b\n\0";
    msgs r;
    read_buffer(in, sizeof in - 1, 0, &r);
    assert_int_equal(r.n, 2);
    assert_int_equal(r.m[0].len, 3);
    assert_memory_equal(r.m[0].data, "x\0y", 3);
    assert_int_equal(r.m[1].len, 1);
    msgs_free(&r);
}

/* ---- unquoting ------------------------------------------------------------------------------ */

typedef struct quote_case {
    const char *line, *rd, *o;
} quote_case;

static const quote_case quote_table[] = {
    {">From x", "From x", "From x"},
    {">>From x", ">From x", ">>From x"},
    {">>>From x", ">>From x", ">>>From x"},
    {">From ", "From ", "From "},
    {">From", ">From", ">From"},
    {"> From x", "> From x", "> From x"},
    {">Fromage", ">Fromage", ">Fromage"},
    {">from x", ">from x", ">from x"},
    {"x>From x", "x>From x", "x>From x"},
    {">>", ">>", ">>"},
    {">", ">", ">"},
    {">>From:", ">>From:", ">>From:"},
};

static void check_quote_line(int format, const char *line, const char *want, const char *eol)
{
    char in[128], expect[128];
    snprintf(in, sizeof in, "From a%sS: q%s%s%s%s%stail%s", eol, eol, eol, line, eol, line, eol);
    snprintf(expect, sizeof expect, "S: q%s%s%s%s%stail%s", eol, eol, want, eol, want, eol);
    msgs r;
    read_str(in, format, &r);
    assert_int_equal(r.n, 1);
    assert_string_equal(r.m[0].data, expect);
    assert_int_equal(r.m[0].zero_copy, strcmp(line, want) == 0);
    msgs_free(&r);
}

static void mboxrd_removes_one_quote_from_quoted_from_lines(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof quote_table / sizeof *quote_table; i++) {
        check_quote_line(MAILPARSE_MBOX_RD, quote_table[i].line, quote_table[i].rd, "\n");
        check_quote_line(MAILPARSE_MBOX_RD, quote_table[i].line, quote_table[i].rd, "\r\n");
    }
}

static void mboxo_unquotes_only_single_quote(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof quote_table / sizeof *quote_table; i++) {
        check_quote_line(MAILPARSE_MBOX_O, quote_table[i].line, quote_table[i].o, "\n");
        check_quote_line(MAILPARSE_MBOX_O, quote_table[i].line, quote_table[i].o, "\r\n");
    }
}

static void mboxcl_never_unquotes(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof quote_table / sizeof *quote_table; i++)
        check_quote_line(MAILPARSE_MBOX_CL, quote_table[i].line, quote_table[i].line, "\n");
}

static void quoted_first_and_last_lines(void **state)
{
    (void)state;
    msgs r;
    read_str("From a\n>From first\nmid\n>>From last", 0, &r);
    expect_msg(&r, 0, "From first\nmid\n>From last", "From a", 0);
    assert_false(r.m[0].zero_copy);
    msgs_free(&r);
    read_str(">From no envelope\nx\n", 0, &r);
    expect_msg(&r, 0, "From no envelope\nx\n", "", 0);
    msgs_free(&r);
}

static void unquoted_copy_is_per_message(void **state)
{
    (void)state;
    msgs r;
    read_str("From a\n>From 1\n\nFrom b\nplain\n\nFrom c\n>>From 3\n", 0, &r);
    assert_int_equal(r.n, 3);
    expect_msg(&r, 0, "From 1\n", "From a", 0);
    expect_msg(&r, 1, "plain\n", "From b", 16);
    assert_true(r.m[1].zero_copy);
    expect_msg(&r, 2, ">From 3\n", "From c", 30);
    msgs_free(&r);
}

/* ---- Content-Length (mboxcl2) ---------------------------------------------------------------- */

static void content_length_pointing_at_separator_line_end(void **state)
{
    (void)state;
    msgs r;
    read_str("From a\nContent-Length: 20\n\nFrom inside\n>From q\n\nFrom b\nx\n", MAILPARSE_MBOX_CL, &r);
    assert_int_equal(r.n, 2);
    expect_msg(&r, 0, "Content-Length: 20\n\nFrom inside\n>From q\n", "From a", 0);
    expect_msg(&r, 1, "x\n", "From b", 48);
    msgs_free(&r);
}

static void content_length_pointing_at_crlf_separator(void **state)
{
    (void)state;
    msgs r;
    read_str("From a\r\nContent-Length: 13\r\n\r\nFrom inside\r\n\r\nFrom b\r\nx", MAILPARSE_MBOX_CL, &r);
    assert_int_equal(r.n, 2);
    expect_msg(&r, 0, "Content-Length: 13\r\n\r\nFrom inside\r\n", "From a", 0);
    expect_msg(&r, 1, "x", "From b", 45);
    msgs_free(&r);
}

static void content_length_pointing_at_from_line_start(void **state)
{
    (void)state;
    msgs r;
    read_str("From a\nContent-Length: 13\n\nFrom inside\n\nFrom b\nx", MAILPARSE_MBOX_CL, &r);
    assert_int_equal(r.n, 2);
    expect_msg(&r, 0, "Content-Length: 13\n\nFrom inside\n", "From a", 0);
    expect_msg(&r, 1, "x", "From b", 40);
    msgs_free(&r);
}

static void content_length_pointing_at_end_of_input(void **state)
{
    (void)state;
    msgs r;
    read_str("From a\nContent-Length: 14\n\nFrom x\nFrom y\n", MAILPARSE_MBOX_CL, &r);
    assert_int_equal(r.n, 1);
    expect_msg(&r, 0, "Content-Length: 14\n\nFrom x\nFrom y\n", "From a", 0);
    msgs_free(&r);
    read_str("From a\nContent-Length: 0\n\n", MAILPARSE_MBOX_CL, &r);
    expect_msg(&r, 0, "Content-Length: 0\n\n", "From a", 0);
    msgs_free(&r);
}

static void content_length_that_misses_falls_back_to_separators(void **state)
{
    (void)state;
    static const char *const values[] = {"12", "21", "2", "200", "-20", "x", "", "20x", "99999999999999999999999",
                                         "1 2"};
    for (size_t i = 0; i < sizeof values / sizeof *values; i++) {
        char in[160];
        snprintf(in, sizeof in, "From a\nContent-Length: %s\n\nline\nFrom inside\nmore\n\nFrom b\nx\n", values[i]);
        msgs r;
        read_str(in, MAILPARSE_MBOX_CL, &r);
        assert_int_equal(r.n, 3);
        assert_string_equal(r.m[1].from, "From inside");
        assert_string_equal(r.m[1].data, "more\n");
        assert_string_equal(r.m[2].data, "x\n");
        msgs_free(&r);
    }
}

static void content_length_name_is_case_insensitive(void **state)
{
    (void)state;
    msgs r;
    read_str("From a\nS: x\ncontent-LENGTH:\t 7 \t\r\n\nFrom z\n\nFrom b\nx\n", MAILPARSE_MBOX_CL, &r);
    assert_int_equal(r.n, 2);
    assert_string_equal(r.m[0].data, "S: x\ncontent-LENGTH:\t 7 \t\r\n\nFrom z\n");
    msgs_free(&r);
}

static void content_length_first_field_decides(void **state)
{
    (void)state;
    msgs r;
    read_str("From a\nContent-Length: 7\nContent-Length: 1\n\nFrom z\n\nFrom b\n", MAILPARSE_MBOX_CL, &r);
    assert_int_equal(r.n, 2);
    assert_string_equal(r.m[0].data, "Content-Length: 7\nContent-Length: 1\n\nFrom z\n");
    msgs_free(&r);
}

static void content_length_without_header_end_is_ignored(void **state)
{
    (void)state;
    msgs r;
    read_str("From a\nContent-Length: 0\nFrom b\nx\n", MAILPARSE_MBOX_CL, &r);
    assert_int_equal(r.n, 2);
    expect_msg(&r, 0, "Content-Length: 0", "From a", 0);
    msgs_free(&r);
    read_str("From a\nContent-Length: 0\n", MAILPARSE_MBOX_CL, &r);
    expect_msg(&r, 0, "Content-Length: 0\n", "From a", 0);
    msgs_free(&r);
}

static void content_length_ignored_outside_cl_format(void **state)
{
    (void)state;
    msgs r;
    read_str("From a\nContent-Length: 14\n\nFrom x\nFrom y\n", MAILPARSE_MBOX_RD, &r);
    assert_int_equal(r.n, 3);
    msgs_free(&r);
}

/* ---- arguments ---------------------------------------------------------------------------- */

static void bad_arguments_are_rejected(void **state)
{
    (void)state;
    mailparse_mbox *mb = (mailparse_mbox *)&mb;
    const unsigned char *d;
    size_t len;
    assert_int_equal(mailparse_mbox_open_buffer((const unsigned char *)"x", 1, 0, NULL), MAILPARSE_E_INVAL);
    assert_int_equal(mailparse_mbox_open_buffer(NULL, 1, 0, &mb), MAILPARSE_E_INVAL);
    assert_null(mb);
    assert_int_equal(mailparse_mbox_open_buffer((const unsigned char *)"x", 1, 3, &mb), MAILPARSE_E_INVAL);
    assert_int_equal(mailparse_mbox_open_buffer((const unsigned char *)"x", 1, -1, &mb), MAILPARSE_E_INVAL);
    assert_int_equal(mailparse_mbox_open_file(NULL, 0, &mb), MAILPARSE_E_INVAL);
    assert_int_equal(mailparse_mbox_open_file(TEST_DATA_DIR "/mbox/simple.mbox", 7, &mb), MAILPARSE_E_INVAL);
    assert_int_equal(mailparse_mbox_open_file(TEST_DATA_DIR "/mbox/simple.mbox", 0, NULL), MAILPARSE_E_INVAL);
    assert_int_equal(mailparse_mbox_next(NULL, &d, &len, NULL, NULL), MAILPARSE_E_INVAL);
    assert_int_equal(mailparse_mbox_open_buffer((const unsigned char *)"x", 1, 0, &mb), 0);
    assert_int_equal(mailparse_mbox_next(mb, NULL, &len, NULL, NULL), MAILPARSE_E_INVAL);
    assert_int_equal(mailparse_mbox_next(mb, &d, NULL, NULL, NULL), MAILPARSE_E_INVAL);
    assert_int_equal(mailparse_mbox_next(mb, &d, &len, NULL, NULL), 0);
    assert_int_equal(mp_mbox_tune(mb, 10, 10), MAILPARSE_E_INVAL); /* too late */
    mailparse_mbox_free(mb);
    mailparse_mbox_free(NULL);
}

static void missing_file_is_io_error(void **state)
{
    (void)state;
    mailparse_mbox *mb = (mailparse_mbox *)&mb;
    assert_int_equal(mailparse_mbox_open_file(TEST_DATA_DIR "/mbox/does-not-exist", 0, &mb), MAILPARSE_E_IO);
    assert_null(mb);
}

/* ---- file mode ----------------------------------------------------------------------------- */

static void file_mode_matches_buffer_mode_at_every_block_size(void **state)
{
    (void)state;
    static const char *const files[] = {"mixed.mbox", "simple.mbox"};
    for (size_t f = 0; f < 2; f++) {
        char path[512];
        snprintf(path, sizeof path, "%s/mbox/%s", TEST_DATA_DIR, files[f]);
        size_t len;
        char *buf = test_file_read(path, &len);
        assert_non_null(buf);
        for (int format = 0; format <= 2; format++) {
            msgs want, got;
            read_buffer(buf, len, format, &want);
            for (size_t block = 1; block <= 80; block++) {
                read_file(path, format, 0, block, &got);
                assert_int_equal(got.rc, MAILPARSE_E_EOF);
                expect_same(&want, &got);
                msgs_free(&got);
            }
            msgs_free(&want);
        }
        free(buf);
    }
}

static void mixed_file_reads_as_expected(void **state)
{
    (void)state;
    msgs r;
    read_file(TEST_DATA_DIR "/mbox/mixed.mbox", MAILPARSE_MBOX_RD, 0, 0, &r);
    assert_int_equal(r.rc, MAILPARSE_E_EOF);
    assert_int_equal(r.n, 5);
    assert_string_equal(r.m[0].from, "From alice@example.org Mon Jan  1 00:00:00 2024");
    assert_non_null(strstr(r.m[0].data, "\nFrom the start\n>From twice\nFrom: not a separator\n> From spaced\n>Fromage"));
    assert_string_equal(r.m[1].data, "From: bob@example.org\r\nSubject: crlf\r\n\r\nbody\r\n");
    assert_string_equal(r.m[2].data, "From: carol@example.org\nContent-Length: 25\n");
    assert_string_equal(r.m[3].from, "From inside the body");
    assert_string_equal(r.m[3].data, "end\n");
    assert_string_equal(r.m[4].data, "Subject: no final newline\n\nlast line");
    msgs_free(&r);
    read_file(TEST_DATA_DIR "/mbox/mixed.mbox", MAILPARSE_MBOX_CL, 0, 0, &r);
    assert_int_equal(r.n, 4);
    assert_string_equal(r.m[2].data, "From: carol@example.org\nContent-Length: 25\n\nFrom inside the body\nend\n");
    assert_non_null(strstr(r.m[0].data, "\n>From the start\n>>From twice\n"));
    msgs_free(&r);
}

/* An mbox whose second separator sits `shift` bytes around the 64 KiB block boundary. */
static void messages_straddle_the_block_boundary(void **state)
{
    (void)state;
    const size_t block = 64 * 1024;
    for (int shift = -10; shift <= 10; shift++) {
        size_t len = 3 * block;
        char *buf = malloc(len);
        assert_non_null(buf);
        memset(buf, 'a', len);
        for (size_t i = 70; i < len; i += 71)
            buf[i] = '\n';
        memcpy(buf, "From one\n", 9);
        size_t sep = block + (size_t)(long)shift;
        memcpy(buf + sep - 2, "\r\nFrom two\n", 11);
        memcpy(buf + sep + 4000, "\n>From q\n", 9);
        memcpy(buf + 2 * block - 3, "\nFrom three\n", 12);
        char *path = write_temp(buf, len);
        msgs want, got;
        read_buffer(buf, len, MAILPARSE_MBOX_RD, &want);
        assert_int_equal(want.n, 3);
        assert_int_equal(want.m[1].off, sep);
        read_file(path, MAILPARSE_MBOX_RD, 0, 0, &got);
        expect_same(&want, &got);
        msgs_free(&got);
        read_file(path, MAILPARSE_MBOX_RD, 0, 4093, &got);
        expect_same(&want, &got);
        msgs_free(&got);
        msgs_free(&want);
        unlink(path);
        free(path);
        free(buf);
    }
}

static void file_mode_empty_file_is_eof(void **state)
{
    (void)state;
    char *path = write_temp("", 0);
    msgs r;
    read_file(path, 0, 0, 0, &r);
    assert_int_equal(r.rc, MAILPARSE_E_EOF);
    assert_int_equal(r.n, 0);
    unlink(path);
    free(path);
}

/* Message bodies of `a` and `c` bytes between three envelopes; limit 100. */
static void limit_case(size_t body_len, size_t limit, int format, size_t *n, size_t *hits, size_t *off)
{
    char buf[1024];
    size_t len = 0;
    len += (size_t)snprintf(buf, sizeof buf, "From a\nsmall\n\nFrom b\n");
    memset(buf + len, 'x', body_len);
    len += body_len;
    len += (size_t)snprintf(buf + len, sizeof buf - len, "\nFrom c\nafter\n");
    char *path = write_temp(buf, len);
    for (size_t block = 1; block <= 130; block += 43) {
        msgs r;
        read_file(path, format, limit, block, &r);
        assert_int_equal(r.rc, MAILPARSE_E_EOF);
        *n = r.n;
        *hits = r.limit_hits;
        *off = r.limit_off;
        if (r.n)
            assert_string_equal(r.m[r.n - 1].data, "after\n");
        msgs_free(&r);
    }
    unlink(path);
    free(path);
}

static void file_limit_accepts_message_at_the_limit(void **state)
{
    (void)state;
    size_t n, hits, off;
    for (int format = 0; format <= 2; format++) {
        limit_case(100, 100, format, &n, &hits, &off);
        assert_int_equal(n, 3);
        assert_int_equal(hits, 0);
    }
}

static void file_limit_skips_message_one_past_it(void **state)
{
    (void)state;
    size_t n, hits, off;
    for (int format = 0; format <= 2; format++) {
        limit_case(101, 100, format, &n, &hits, &off);
        assert_int_equal(n, 2);
        assert_int_equal(hits, 1);
        assert_int_equal(off, 14);
        limit_case(700, 100, format, &n, &hits, &off);
        assert_int_equal(n, 2);
        assert_int_equal(hits, 1);
        assert_int_equal(off, 14);
    }
}

static void file_limit_covers_the_from_line(void **state)
{
    (void)state;
    char buf[600];
    memcpy(buf, "From ", 5);
    memset(buf + 5, 'e', 300);
    memcpy(buf + 305, "\nbody\nFrom ok\nfine\n", 19);
    char *path = write_temp(buf, 324);
    msgs r;
    read_file(path, 0, 100, 7, &r);
    assert_int_equal(r.limit_hits, 1);
    assert_int_equal(r.limit_off, 0);
    assert_int_equal(r.n, 1);
    expect_msg(&r, 0, "fine\n", "From ok", 311);
    msgs_free(&r);
    unlink(path);
    free(path);
}

static void file_limit_last_message_to_eof(void **state)
{
    (void)state;
    char buf[400];
    memcpy(buf, "From a\n", 7);
    memset(buf + 7, 'z', 300);
    char *path = write_temp(buf, 307);
    msgs r;
    read_file(path, 0, 100, 16, &r);
    assert_int_equal(r.rc, MAILPARSE_E_EOF);
    assert_int_equal(r.limit_hits, 1);
    assert_int_equal(r.n, 0);
    msgs_free(&r);
    read_file(path, 0, 300, 16, &r);
    assert_int_equal(r.limit_hits, 0);
    assert_int_equal(r.n, 1);
    assert_int_equal(r.m[0].len, 300);
    msgs_free(&r);
    unlink(path);
    free(path);
}

/* ---- conformance: MimeKit and GMime mbox files ----------------------------------------------- */

static char *lf_to_crlf(const char *in, size_t len, size_t *out_len)
{
    char *out = malloc(2 * len + 1);
    assert_non_null(out);
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        if (in[i] == '\n' && (i == 0 || in[i - 1] != '\r'))
            out[n++] = '\r';
        out[n++] = in[i];
    }
    *out_len = n;
    return out;
}

/* The number after `"key": ` at or after *p; advances *p. */
static long json_number(const char **p, const char *key)
{
    char pat[64];
    snprintf(pat, sizeof pat, "\"%s\": ", key);
    const char *q = strstr(*p, pat);
    assert_non_null(q);
    *p = q + strlen(pat);
    return strtol(*p, NULL, 10);
}

/* mboxrd unquoting of [in, in + len) into a new string, for comparing with raw offsets. */
static char *rd_unquote(const char *in, size_t len, size_t *out_len)
{
    char *out = malloc(len + 1);
    assert_non_null(out);
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        int line_start = i == 0 || in[i - 1] == '\n';
        size_t q = i;
        while (line_start && q < len && in[q] == '>')
            q++;
        if (q > i && len - q >= 5 && memcmp(in + q, "From ", 5) == 0)
            continue; /* drop this '>' */
        out[n++] = in[i];
    }
    *out_len = n;
    return out;
}

/* Checks every message's marker offset, start and end against a MimeKit offsets map. */
static void check_offsets(const char *mbox_rel, const char *json_rel, int crlf, int format, size_t count)
{
    size_t len, jlen;
    char *raw = conformance_file(mbox_rel, &len);
    char *json = conformance_file(json_rel, &jlen);
    if (!raw || !json) {
        free(raw);
        free(json);
        skip();
    }
    char *data = raw;
    if (crlf)
        data = lf_to_crlf(raw, len, &len);
    msgs r;
    read_buffer(data, len, format, &r);
    assert_int_equal(r.n, count);
    const char *p = json;
    for (size_t i = 0; i < r.n; i++) {
        size_t marker = (size_t)json_number(&p, "mboxMarkerOffset");
        size_t begin = (size_t)json_number(&p, "beginOffset");
        size_t end = (size_t)json_number(&p, "endOffset");
        assert_int_equal(r.m[i].off, marker);
        size_t want_len = end - begin;
        char *want = format == MAILPARSE_MBOX_CL ? NULL : rd_unquote(data + begin, end - begin, &want_len);
        assert_int_equal(want_len, r.m[i].len);
        assert_memory_equal(want ? want : data + begin, r.m[i].data, r.m[i].len);
        free(want);
    }
    assert_null(strstr(p, "mboxMarkerOffset"));
    msgs_free(&r);
    if (crlf)
        free(data);
    free(raw);
    free(json);
}

static void mimekit_issue1189_offsets_lf(void **state)
{
    (void)state;
    check_offsets("mime/mimekit/mbox/issue1189.mbox.txt", "mime/mimekit/mbox/issue1189.unix-offsets.json", 0, 0, 4);
}

static void mimekit_issue1189_offsets_crlf(void **state)
{
    (void)state;
    check_offsets("mime/mimekit/mbox/issue1189.mbox.txt", "mime/mimekit/mbox/issue1189.dos-offsets.json", 1, 0, 4);
}

static void mimekit_content_length_offsets_lf(void **state)
{
    (void)state;
    check_offsets("mime/mimekit/mbox/content-length.mbox.txt", "mime/mimekit/mbox/content-length.unix-offsets.json",
                  0, MAILPARSE_MBOX_CL, 29);
    check_offsets("mime/mimekit/mbox/content-length.mbox.txt", "mime/mimekit/mbox/content-length.unix-offsets.json",
                  0, MAILPARSE_MBOX_RD, 29);
}

static void mimekit_content_length_offsets_crlf(void **state)
{
    (void)state;
    check_offsets("mime/mimekit/mbox/content-length.mbox.txt", "mime/mimekit/mbox/content-length.dos-offsets.json",
                  1, MAILPARSE_MBOX_CL, 29);
}

/* The "From " marker lines of a MimeKit/GMime summary, each the first line of a block. */
static void check_summary_markers(const char *mbox_rel, const char *summary_rel, int format)
{
    size_t len, slen;
    char *raw = conformance_file(mbox_rel, &len);
    char *sum = conformance_file(summary_rel, &slen);
    if (!raw || !sum) {
        free(raw);
        free(sum);
        skip();
    }
    msgs r;
    read_buffer(raw, len, format, &r);
    size_t k = 0;
    for (char *line = strtok(sum, "\n"); line; line = strtok(NULL, "\n")) {
        if (strncmp(line, "From ", 5) != 0)
            continue;
        assert_true(k < r.n);
        assert_string_equal(r.m[k].from, line);
        k++;
    }
    assert_int_equal(k, r.n);
    msgs_free(&r);
    free(raw);
    free(sum);
}

static void mimekit_summaries_list_every_marker(void **state)
{
    (void)state;
    check_summary_markers("mime/mimekit/mbox/content-length.mbox.txt", "mime/mimekit/mbox/content-length-summary.txt",
                          MAILPARSE_MBOX_CL);
    check_summary_markers("mime/mimekit/mbox/issue1189.mbox.txt", "mime/mimekit/mbox/issue1189-summary.txt", 0);
}

static void mimekit_unmunged_from_lines_split_messages(void **state)
{
    (void)state;
    size_t len;
    char *raw = conformance_file("mime/mimekit/mbox/unmunged.mbox.txt", &len);
    if (!raw)
        skip();
    msgs r;
    read_buffer(raw, len, 0, &r);
    assert_int_equal(r.n, 4);
    for (size_t i = 0; i < 4; i++)
        assert_string_equal(r.m[i].from, i % 2 ? "From Russia with love" : "From -");
    assert_int_equal(r.m[0].off, 3);
    assert_string_equal(r.m[1].data, "\nWhat does Thunderbird do?\n");
    msgs_free(&r);
    free(raw);
}

static void gmime_substring_message_offsets(void **state)
{
    (void)state;
    size_t len, slen;
    char *raw = conformance_file("mime/gmime/mbox/substring.mbox", &len);
    char *sum = conformance_file("mime/gmime/mbox/substring.summary.txt", &slen);
    if (!raw || !sum) {
        free(raw);
        free(sum);
        skip();
    }
    msgs r;
    read_buffer(raw, len, 0, &r);
    size_t k = 0;
    for (const char *p = strstr(sum, "message offsets: "); p; p = strstr(p + 1, "message offsets: "), k++) {
        unsigned long begin, end, hbegin;
        assert_int_equal(sscanf(p, "message offsets: %lu, %lu", &begin, &end), 2);
        assert_non_null(strstr(p, "header offsets: "));
        assert_int_equal(sscanf(strstr(p, "header offsets: "), "header offsets: %lu", &hbegin), 1);
        assert_true(k < r.n);
        assert_int_equal(r.m[k].off, begin);
        /* GMime's end is the next marker; the line end before it belongs to the separator */
        size_t want_end = end == len ? end : end - 1;
        assert_int_equal(r.m[k].len, want_end - hbegin);
        assert_memory_equal(r.m[k].data, raw + hbegin, r.m[k].len);
    }
    assert_int_equal(k, 3);
    assert_int_equal(r.n, 3);
    msgs_free(&r);
    size_t mlen;
    char *mk = conformance_file("mime/mimekit/mbox/simple.mbox.txt", &mlen);
    if (mk) {
        assert_int_equal(mlen, len);
        assert_memory_equal(mk, raw, len);
        free(mk);
    }
    free(raw);
    free(sum);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(empty_mbox_is_eof),
        cmocka_unit_test(eof_repeats_after_the_end),
        cmocka_unit_test(single_message_loses_its_from_line),
        cmocka_unit_test(line_end_before_from_belongs_to_separator),
        cmocka_unit_test(crlf_separator_and_from_line),
        cmocka_unit_test(only_one_line_end_is_taken),
        cmocka_unit_test(no_leading_from_line_starts_at_zero),
        cmocka_unit_test(whitespace_before_first_from_is_not_a_message),
        cmocka_unit_test(byte_order_mark_is_skipped),
        cmocka_unit_test(last_message_without_final_newline),
        cmocka_unit_test(from_line_at_end_of_input_gives_empty_message),
        cmocka_unit_test(consecutive_from_lines_give_empty_messages),
        cmocka_unit_test(only_from_space_at_line_start_separates),
        cmocka_unit_test(from_line_cr_is_stripped_only_before_lf),
        cmocka_unit_test(many_messages_keep_their_offsets),
        cmocka_unit_test(nul_bytes_pass_through),
        cmocka_unit_test(mboxrd_removes_one_quote_from_quoted_from_lines),
        cmocka_unit_test(mboxo_unquotes_only_single_quote),
        cmocka_unit_test(mboxcl_never_unquotes),
        cmocka_unit_test(quoted_first_and_last_lines),
        cmocka_unit_test(unquoted_copy_is_per_message),
        cmocka_unit_test(content_length_pointing_at_separator_line_end),
        cmocka_unit_test(content_length_pointing_at_crlf_separator),
        cmocka_unit_test(content_length_pointing_at_from_line_start),
        cmocka_unit_test(content_length_pointing_at_end_of_input),
        cmocka_unit_test(content_length_that_misses_falls_back_to_separators),
        cmocka_unit_test(content_length_name_is_case_insensitive),
        cmocka_unit_test(content_length_first_field_decides),
        cmocka_unit_test(content_length_without_header_end_is_ignored),
        cmocka_unit_test(content_length_ignored_outside_cl_format),
        cmocka_unit_test(bad_arguments_are_rejected),
        cmocka_unit_test(missing_file_is_io_error),
        cmocka_unit_test(file_mode_matches_buffer_mode_at_every_block_size),
        cmocka_unit_test(mixed_file_reads_as_expected),
        cmocka_unit_test(messages_straddle_the_block_boundary),
        cmocka_unit_test(file_mode_empty_file_is_eof),
        cmocka_unit_test(file_limit_accepts_message_at_the_limit),
        cmocka_unit_test(file_limit_skips_message_one_past_it),
        cmocka_unit_test(file_limit_covers_the_from_line),
        cmocka_unit_test(file_limit_last_message_to_eof),
        cmocka_unit_test(mimekit_issue1189_offsets_lf),
        cmocka_unit_test(mimekit_issue1189_offsets_crlf),
        cmocka_unit_test(mimekit_content_length_offsets_lf),
        cmocka_unit_test(mimekit_content_length_offsets_crlf),
        cmocka_unit_test(mimekit_summaries_list_every_marker),
        cmocka_unit_test(mimekit_unmunged_from_lines_split_messages),
        cmocka_unit_test(gmime_substring_message_offsets),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
