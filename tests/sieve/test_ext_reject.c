/* test_ext_reject.c — reject and ereject (RFC 5429): the actions, the implicit keep they
 * cancel, and the actions they cannot go with. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "sieve_script_run.h"

static void reject_refuses_and_cancels_the_implicit_keep(void **state)
{
    (void)state;
    assert_string_equal(st_run("require \"reject\"; reject \"Not wanted.\";"),
                        "reject Not wanted.;");
    assert_string_equal(st_run("require \"ereject\"; ereject \"No.\";"), "ereject No.;");
    /* Pigeonhole's reject/execute: reject then stop leaves one action. */
    assert_string_equal(st_run("require \"reject\";\n"
                               "if address :contains \"to\" \"example.org\" {\n"
                               "  reject \"Don't send unrequested messages.\"; stop;\n}\n"
                               "keep;"),
                        "reject Don't send unrequested messages.;");
    /* A multi-line reason, with variables expanded. */
    assert_string_equal(st_run("require [\"reject\", \"variables\"];\n"
                               "set \"who\" \"Bob\";\n"
                               "reject text:\n${who} is away.\n.\n;"),
                        "reject Bob is away.\r\n;");
}

static void reject_needs_its_extension(void **state)
{
    (void)state;
    assert_int_equal(st_compile_errors("reject \"x\";"), 1);
    assert_int_equal(st_compile_errors("require \"reject\"; ereject \"x\";"), 1);
    assert_int_equal(st_compile_errors("require \"reject\"; reject;"), 1);
    assert_int_equal(st_compile_errors("require \"reject\"; reject [\"a\", \"b\"];"), 1);
}

static void reject_conflicts_with_delivery_in_either_order(void **state)
{
    (void)state;
    static const char *const conflicts[] = {
        "require \"reject\"; reject \"x\"; keep;",
        "require \"reject\"; keep; reject \"x\";",
        "require [\"reject\", \"fileinto\"]; reject \"x\"; fileinto \"Spam\";",
        "require [\"reject\", \"fileinto\"]; fileinto \"Spam\"; reject \"x\";",
        "require \"reject\"; reject \"x\"; redirect \"frop@example.com\";",
        "require \"reject\"; redirect \"frop@example.com\"; reject \"x\";",
        "require [\"reject\", \"copy\"]; redirect :copy \"frop@example.com\"; reject \"x\";",
        "require [\"ereject\", \"fileinto\"]; ereject \"x\"; fileinto \"Spam\";",
        "require \"ereject\"; keep; ereject \"x\";",
        "require [\"reject\", \"vacation\"]; vacation \"Away.\"; reject \"x\";",
        "require [\"reject\", \"vacation\"]; reject \"x\"; vacation \"Away.\";",
    };
    for (size_t i = 0; i < sizeof conflicts / sizeof conflicts[0]; i++) {
        /* A failed run keeps the message (RFC 5228 §2.10.6). */
        const char *out = st_run_fails(conflicts[i]);
        assert_non_null(strstr(out, "+keep"));
        /* (vacation says so itself when it comes second) */
        assert_true(strstr(st_error, "conflicts") || strstr(st_error, "combined with reject"));
    }
}

static void a_message_is_refused_once(void **state)
{
    (void)state;
    st_run_fails("require \"reject\"; reject \"a\"; reject \"b\";");
    assert_non_null(strstr(st_error, "only once"));
    st_run_fails("require \"reject\"; reject \"a\"; reject \"a\";");
    st_run_fails("require [\"reject\", \"ereject\"]; reject \"a\"; ereject \"b\";");
    st_run_fails("require [\"reject\", \"ereject\"]; ereject \"a\"; reject \"b\";");
}

static void reject_goes_with_discard(void **state)
{
    (void)state;
    assert_string_equal(st_run("require \"reject\"; discard; reject \"x\";"),
                        "discard;reject x;");
    /* Only a refusal that runs counts. */
    assert_string_equal(st_run("require \"reject\"; if false { reject \"x\"; } keep;"), "keep;");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(reject_refuses_and_cancels_the_implicit_keep),
        cmocka_unit_test(reject_needs_its_extension),
        cmocka_unit_test(reject_conflicts_with_delivery_in_either_order),
        cmocka_unit_test(a_message_is_refused_once),
        cmocka_unit_test(reject_goes_with_discard),
    };
    return cmocka_run_group_tests(tests, st_setup, st_teardown);
}
