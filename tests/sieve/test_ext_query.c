/* test_ext_query.c — vnd.libmail.query: the query test and command, their arguments, :set
 * with none, one and several values, failures, and the limits on queries and values. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "sieve_script_run.h"

#define Q "require [\"variables\", \"reject\", \"vnd.stalwart.expressions\", " \
          "\"vnd.libmail.query\"];\n"

static char last_call[512];   /* the last query: its name and arguments joined by "|" */
static int calls;

/* A directory: "is_local" answers for example.org users, "aliases" gives several values,
 * "broken" fails, "many" gives 1000 values. */
static long lookup(void *user, const char *name, const char *const *args, size_t nargs,
                   sieve_query_rows *rows)
{
    (void)user;
    calls++;
    size_t n = (size_t)snprintf(last_call, sizeof last_call, "%s", name);
    for (size_t i = 0; i < nargs && n < sizeof last_call; i++)
        n += (size_t)snprintf(last_call + n, sizeof last_call - n, "|%s", args[i]);
    if (!strcmp(name, "is_local")) {
        if (nargs != 1 || !strstr(args[0], "@example.org"))
            return 0;
        sieve_query_add(rows, "1", 1);
        return 1;
    }
    if (!strcmp(name, "aliases")) {
        sieve_query_add(rows, "a@example.org", 13);
        sieve_query_add(rows, "b@example.org", 13);
        return 2;
    }
    if (!strcmp(name, "many")) {
        long k = 0;
        while (sieve_query_add(rows, "v", 1) == 0)
            k++;
        return k;
    }
    return -1;
}

static sieve_callbacks cb;

static int setup(void **state)
{
    int rc = st_setup(state);
    sieve_callbacks_init(&cb);
    cb.query = lookup;
    st_opts.callbacks = &cb;
    calls = 0;
    return rc;
}

static const char *result_of(const char *body)
{
    return st_variable_r(Q, body, st_message);
}

static void test_and_arguments(void **state)
{
    (void)state;
    assert_string_equal(result_of("set \"u\" \"bob@example.org\"; set \"r\" \"no\";\n"
                                  "if query \"is_local\" \"${u}\" { set \"r\" \"yes\"; }"),
                        "yes");
    assert_string_equal(last_call, "is_local|bob@example.org");
    assert_string_equal(result_of("set \"r\" \"no\";\n"
                                  "if query \"is_local\" [\"x@example.net\"] {\n"
                                  "  set \"r\" \"yes\"; }"),
                        "no");
    /* no arguments */
    assert_string_equal(result_of("query :set \"r\" \"aliases\";"),
                        "a@example.org\r\nb@example.org");
    assert_string_equal(last_call, "aliases");
}

static void set_keeps_values(void **state)
{
    (void)state;
    /* several values: a list for expressions */
    assert_string_equal(result_of("query :set \"l\" \"aliases\";\n"
                                  "let \"r\" \"count(l) + ':' + l[1]\";"),
                        "2:b@example.org");
    /* one value: a string; none: "" */
    assert_string_equal(result_of("query :set \"r\" \"is_local\" \"bob@example.org\";"), "1");
    assert_string_equal(result_of("set \"r\" \"old\"; query :set \"r\" \"is_local\" \"x\";"), "");
}

static void failures_and_absent_callback(void **state)
{
    (void)state;
    /* a failed lookup is false, with a warning, and the run goes on */
    assert_string_equal(result_of("set \"r\" \"no\"; if query :set \"v\" \"broken\" { "
                                  "set \"r\" \"yes\"; } set \"r\" \"${r}/${v}\";"),
                        "no/");
    st_opts.callbacks = NULL;
    assert_string_equal(result_of("set \"r\" \"no\"; if query \"aliases\" { set \"r\" \"yes\"; }"),
                        "no");
}

static void limits(void **state)
{
    (void)state;
    /* values: the default 256, then sieve_query_add says SIEVE_E_LIMIT */
    assert_string_equal(result_of("query :set \"l\" \"many\"; let \"r\" \"count(l)\";"), "256");
    st_opts.max_query_values = 3;
    assert_string_equal(result_of("query :set \"l\" \"many\"; let \"r\" \"count(l)\";"), "3");
    /* queries per run: exactly the limit works, one more fails the run */
    st_opts.max_queries = 2;
    assert_string_equal(result_of("query \"aliases\"; query \"aliases\"; set \"r\" \"ok\";"), "ok");
    char out[256];
    assert_int_equal(st_run_on(Q "query \"aliases\"; query \"aliases\"; query \"aliases\";",
                               st_message, out, sizeof out), SIEVE_E_RUNTIME);
    assert_non_null(strstr(st_error, "too many queries"));
    assert_int_equal(sieve_query_add(NULL, "x", 1), SIEVE_E_INVAL);
}

static void compile_checks(void **state)
{
    (void)state;
    assert_int_equal(st_compile_errors(Q "query :set \"1bad\" \"x\";"), 1);
    assert_int_equal(st_compile_errors(Q "query;"), 1);
    assert_int_equal(st_compile_errors("require \"variables\"; query \"x\";"), 1);
    assert_int_equal(st_compile_errors(Q "if anyof(query \"a\", query :set \"v\" \"b\" [\"c\"]) "
                                         "{ stop; }"), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_and_arguments, setup, st_teardown),
        cmocka_unit_test_setup_teardown(set_keeps_values, setup, st_teardown),
        cmocka_unit_test_setup_teardown(failures_and_absent_callback, setup, st_teardown),
        cmocka_unit_test_setup_teardown(limits, setup, st_teardown),
        cmocka_unit_test_setup_teardown(compile_checks, setup, st_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
