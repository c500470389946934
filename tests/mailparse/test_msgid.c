/* test_msgid.c — msg-id lists (RFC 5322 §3.6.4) and List-* URL lists (RFC 2369). */
#include "test_util.h"

#include "arena_fixture.h"
#include "mp_internal.h"

typedef struct {
    int count;
    size_t first;
} anomalies;

static void record(void *user, mailparse_anomaly_kind kind, size_t offset)
{
    anomalies *a = user;
    assert_int_equal(kind, MAILPARSE_ANOMALY_MESSAGE_ID_INVALID);
    if (a->count++ == 0)
        a->first = offset;
}

static anomalies seen;

static int setup(void **state)
{
    memset(&seen, 0, sizeof seen);
    return arena_setup(state);
}

static mailparse_string_list *ids(const char *s)
{
    mp_diag d = {record, &seen, 0};
    mailparse_string_list *l = NULL;
    assert_int_equal(mp_parse_ids(arena, s, strlen(s), &d, &l), 0);
    assert_non_null(l);
    return l;
}

static mailparse_string_list *urls(const char *s)
{
    mailparse_string_list *l = NULL;
    assert_int_equal(mp_parse_urls(arena, s, strlen(s), &l), 0);
    assert_non_null(l);
    return l;
}

static void single_id_loses_its_brackets(void **state)
{
    (void)state;
    mailparse_string_list *l = ids("<1234@local.machine.example>\r\n");
    assert_int_equal(l->count, 1);
    assert_string_equal(l->items[0], "1234@local.machine.example");
    assert_int_equal(seen.count, 0);
}

static void references_list_with_folding_and_comments(void **state)
{
    (void)state;
    mailparse_string_list *l = ids("<a@b>\r\n <c@d> (comment) <e@f>,<g@h>");
    assert_int_equal(l->count, 4);
    assert_string_equal(l->items[1], "c@d");
    assert_string_equal(l->items[3], "g@h");
    assert_int_equal(seen.count, 0);
}

static void id_is_kept_as_written_inside_brackets(void **state)
{
    (void)state;
    mailparse_string_list *l = ids("<1234   @   local(blah)  .machine .example>");
    assert_string_equal(l->items[0], "1234   @   local(blah)  .machine .example");
}

static void line_end_without_fold_ends_the_list(void **state)
{
    (void)state;
    mailparse_string_list *l = ids("<1234@x>\n\n <3456@y>\n");
    assert_int_equal(l->count, 1);
}

static void empty_brackets_give_nothing(void **state)
{
    (void)state;
    mailparse_string_list *l = ids("<>");
    assert_int_equal(l->count, 0);
    assert_int_equal(seen.count, 1);
}

static void lone_id_without_brackets_is_repaired(void **state)
{
    (void)state;
    mailparse_string_list *l = ids("   malformed2@id.machine.example \t  \n");
    assert_int_equal(l->count, 1);
    assert_string_equal(l->items[0], "malformed2@id.machine.example");
    assert_int_equal(seen.count, 1);
    assert_int_equal(seen.first, 3);
}

static void bare_ids_split_at_whitespace(void **state)
{
    (void)state;
    mailparse_string_list *l = ids("a@b c@d");
    assert_int_equal(l->count, 2);
    assert_string_equal(l->items[1], "c@d");
}

static void garbage_between_ids_is_skipped(void **state)
{
    (void)state;
    mailparse_string_list *l = ids("<a@b> junk here <c@d>");
    assert_int_equal(l->count, 2);
    assert_string_equal(l->items[1], "c@d");
    assert_int_equal(seen.count, 1);
    assert_int_equal(seen.first, 6);
}

static void id_without_at_is_reported_but_kept(void **state)
{
    (void)state;
    mailparse_string_list *l = ids("<local-only>");
    assert_string_equal(l->items[0], "local-only");
    assert_int_equal(seen.count, 1);
}

static void unterminated_and_nested_brackets(void **state)
{
    (void)state;
    mailparse_string_list *l = ids("<a@b");
    assert_string_equal(l->items[0], "a@b");
    assert_int_equal(seen.count, 1);
    seen.count = 0;
    l = ids("<x<y@z>");
    assert_int_equal(l->count, 1);
    assert_string_equal(l->items[0], "y@z");
    assert_int_equal(seen.count, 1);
}

static void many_ids_are_all_kept(void **state)
{
    (void)state;
    size_t n = 5000;
    char *s = malloc(n * 12 + 1), *p = s;
    assert_non_null(s);
    for (size_t i = 0; i < n; i++)
        p += sprintf(p, "<%05zu@x.t> ", i);
    mp_diag d = {record, &seen, 0};
    mailparse_string_list *l = NULL;
    assert_int_equal(mp_parse_ids(arena, s, (size_t)(p - s), &d, &l), 0);
    assert_int_equal(l->count, n);
    assert_string_equal(l->items[n - 1], "04999@x.t");
    free(s);
}

static void urls_in_brackets_with_comments(void **state)
{
    (void)state;
    mailparse_string_list *l =
        urls("<ftp://ftp.host.com/list.txt> (FTP),\r\n   <mailto:list@host.com?subject=help>");
    assert_int_equal(l->count, 2);
    assert_string_equal(l->items[0], "ftp://ftp.host.com/list.txt");
    assert_string_equal(l->items[1], "mailto:list@host.com?subject=help");
}

static void url_whitespace_inside_brackets_is_removed(void **state)
{
    (void)state;
    mailparse_string_list *l = urls("<http://www.host.com/list/\r\n archive/>");
    assert_string_equal(l->items[0], "http://www.host.com/list/archive/");
}

static void comment_before_url(void **state)
{
    (void)state;
    mailparse_string_list *l =
        urls("(Use this command to join the list)\r\n   <mailto:list-manager@host.com?body=subscribe%20list>");
    assert_int_equal(l->count, 1);
    assert_string_equal(l->items[0], "mailto:list-manager@host.com?body=subscribe%20list");
}

static void list_post_no_is_kept(void **state)
{
    (void)state;
    mailparse_string_list *l = urls("NO (posting not allowed on this list)");
    assert_int_equal(l->count, 1);
    assert_string_equal(l->items[0], "NO");
}

static void commas_inside_brackets_do_not_split(void **state)
{
    (void)state;
    mailparse_string_list *l = urls("<http://x/?a=1,2>, <mailto:y@z>");
    assert_int_equal(l->count, 2);
    assert_string_equal(l->items[0], "http://x/?a=1,2");
}

static void empty_url_items_are_dropped(void **state)
{
    (void)state;
    mailparse_string_list *l = urls(" , ,<>, ");
    assert_int_equal(l->count, 0);
}

static void public_wrappers_check_arguments(void **state)
{
    (void)state;
    mailparse_values *v = NULL;
    const mailparse_string_list *l = NULL;
    assert_int_equal(mailparse_values_new(&v), 0);
    assert_int_equal(mailparse_parse_ids(v, "<a@b>", 5, &l), 0);
    assert_string_equal(l->items[0], "a@b");
    assert_int_equal(mailparse_parse_urls(v, "<u:x>", 5, &l), 0);
    assert_string_equal(l->items[0], "u:x");
    assert_int_equal(mailparse_parse_ids(NULL, "<a@b>", 5, &l), MAILPARSE_E_INVAL);
    assert_int_equal(mailparse_parse_urls(v, NULL, 5, &l), MAILPARSE_E_INVAL);
    assert_int_equal(mailparse_parse_ids(v, "<a@b>", 5, NULL), MAILPARSE_E_INVAL);
    mailparse_values_free(v);
}

static void nul_byte_ends_the_list(void **state)
{
    (void)state;
    const char in[] = "<a@b> <\0\0e@f>, <g@h>";
    mp_diag d = {record, &seen, 0};
    mailparse_string_list *l = NULL;
    assert_int_equal(mp_parse_ids(arena, in, sizeof in - 1, &d, &l), 0);
    assert_int_equal(l->count, 1);
    assert_string_equal(l->items[0], "a@b");
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, arena_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(single_id_loses_its_brackets),
        T(references_list_with_folding_and_comments),
        T(id_is_kept_as_written_inside_brackets),
        T(line_end_without_fold_ends_the_list),
        T(empty_brackets_give_nothing),
        T(lone_id_without_brackets_is_repaired),
        T(bare_ids_split_at_whitespace),
        T(garbage_between_ids_is_skipped),
        T(id_without_at_is_reported_but_kept),
        T(unterminated_and_nested_brackets),
        T(many_ids_are_all_kept),
        T(urls_in_brackets_with_comments),
        T(url_whitespace_inside_brackets_is_removed),
        T(comment_before_url),
        T(list_post_no_is_kept),
        T(commas_inside_brackets_do_not_split),
        T(empty_url_items_are_dropped),
        T(public_wrappers_check_arguments),
        T(nul_byte_ends_the_list),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
