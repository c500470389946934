/* test_ext_convert.c — convert (RFC 6558): the action and the test compile with their
 * arguments checked, and running either reports that conversion is not supported. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "sieve_script_run.h"

#define C "require \"convert\";\n"

static void convert_compiles(void **state)
{
    (void)state;
    assert_int_equal(st_compile_errors(C "convert \"image/tiff\" \"image/jpeg\" [\"pix-x=320\"];"), 0);
    assert_int_equal(st_compile_errors(C "if convert \"image/tiff\" \"image/jpeg\" [\"a=b\"] {}"), 0);
    assert_int_equal(st_compile_errors("convert \"image/tiff\" \"image/jpeg\" [\"a=b\"];"), 1);
    assert_int_equal(st_compile_errors(C "convert \"image\" \"image/jpeg\" [\"a=b\"];"), 1);
    assert_int_equal(st_compile_errors(C "convert \"image/tiff\" \"image/jp eg\" [\"a=b\"];"), 1);
    assert_true(st_compile_errors(C "convert \"image/tiff\" \"image/jpeg\";") >= 1);
}

static void running_convert_reports_it_is_not_supported(void **state)
{
    (void)state;
    assert_string_equal(st_run_fails(C "convert \"image/tiff\" \"image/jpeg\" [\"a=b\"];"), "+keep");
    assert_non_null(strstr(st_error, "convert"));
    assert_non_null(strstr(st_error, "not supported"));
    assert_non_null(strstr(st_error, "image/tiff"));
    assert_string_equal(st_run_fails(C "if convert \"image/tiff\" \"image/jpeg\" [\"a=b\"] { discard; }"),
                        "+keep");
    assert_non_null(strstr(st_error, "not supported"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(convert_compiles),
        cmocka_unit_test(running_convert_reports_it_is_not_supported),
    };
    return cmocka_run_group_tests(tests, st_setup, st_teardown);
}
