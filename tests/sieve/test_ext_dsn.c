/* test_ext_dsn.c — RFC 6009: envelope-dsn and envelope-deliverby envelope parts, and the
 * redirect-dsn and redirect-deliverby tags of redirect. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "sieve_script_run.h"

#define E "require [\"envelope\", \"envelope-dsn\", \"envelope-deliverby\", \"relational\", " \
          "\"comparator-i;ascii-numeric\"];\n"
#define R "require [\"redirect-dsn\", \"redirect-deliverby\", \"variables\"];\n"

static int64_t fixed_now(void *user)
{
    (void)user;
    return 1700000000; /* 2023-11-14T22:13:20Z */
}

static const sieve_callbacks clock_cb = {.struct_size = sizeof(sieve_callbacks),
                                         .now = fixed_now};

/* "yes" when `test` is true with the envelope `env`. */
static const char *env_test(const char *test, const sieve_envelope *env)
{
    char script[1024];
    snprintf(script, sizeof script, E "if %s { discard; }", test);
    sieve_result *r = NULL;
    int rc = st_run_result(script, NULL, env, &r);
    if (rc)
        fprintf(stderr, "env_test: %s: %s\n", sieve_strerror(rc), st_error);
    assert_int_equal(rc, 0);
    const char *v = sieve_result_implicit_keep(r) ? "no" : "yes";
    sieve_result_free(r);
    return v;
}

static void dsn_envelope_parts(void **state)
{
    (void)state;
    sieve_envelope e = {.struct_size = sizeof(sieve_envelope),
                        .from = "alice@example.com", .to = "bob@example.org",
                        .orig_to = "Bob@Example.org", .dsn_notify = "SUCCESS,FAILURE",
                        .dsn_ret = "HDRS", .dsn_envid = "QQ314159"};
    assert_string_equal(env_test("envelope \"notify\" \"failure\"", &e), "yes");
    assert_string_equal(env_test("envelope \"notify\" \"delay\"", &e), "no");
    assert_string_equal(env_test("envelope :count \"eq\" :comparator \"i;ascii-numeric\" "
                                 "\"notify\" \"2\"", &e), "yes");
    assert_string_equal(env_test("envelope \"ret\" \"hdrs\"", &e), "yes");
    assert_string_equal(env_test("envelope \"envid\" \"QQ314159\"", &e), "yes");
    assert_string_equal(env_test("envelope :domain \"orcpt\" \"example.org\"", &e), "yes");
    assert_string_equal(env_test("envelope :localpart \"orcpt\" \"bob\"", &e), "yes");
    sieve_envelope none = {.struct_size = sizeof(sieve_envelope),
                           .from = "alice@example.com", .to = "bob@example.org"};
    assert_string_equal(env_test("envelope :matches \"notify\" \"*\"", &none), "no");
    assert_string_equal(env_test("envelope :matches \"ret\" \"*\"", &none), "no");
    assert_string_equal(env_test("envelope :matches \"orcpt\" \"*\"", &none), "no");
}

static void deliverby_envelope_parts(void **state)
{
    (void)state;
    st_opts.callbacks = &clock_cb;
    sieve_envelope e = {.struct_size = sizeof(sieve_envelope),
                        .from = "alice@example.com", .to = "bob@example.org",
                        .by_deadline = 1700000000 + 3600, .by_mode = "notify", .by_trace = 1};
    assert_string_equal(env_test("envelope \"bytimeabsolute\" \"2023-11-14T23:13:20Z\"", &e), "yes");
    assert_string_equal(env_test("envelope \"bytimerelative\" \"3600\"", &e), "yes");
    assert_string_equal(env_test("envelope :value \"gt\" :comparator \"i;ascii-numeric\" "
                                 "\"bytimerelative\" \"3599\"", &e), "yes");
    assert_string_equal(env_test("envelope \"bymode\" \"notify\"", &e), "yes");
    assert_string_equal(env_test("envelope \"bytrace\" \"on\"", &e), "yes");
    e.by_trace = 0;
    assert_string_equal(env_test("envelope \"bytrace\" \"off\"", &e), "yes");
    e.by_deadline = 0;
    assert_string_equal(env_test("envelope :matches \"bytimeabsolute\" \"*\"", &e), "no");
    assert_string_equal(env_test("envelope :matches \"bymode\" \"*\"", &e), "no");
    st_opts.callbacks = NULL;
}

/* RFC 6009 §4: envelope :zone shows "bytimeabsolute" in that zone; without it, in UTC. */
static void envelope_zone_shows_bytimeabsolute_in_that_zone(void **state)
{
    (void)state;
    st_opts.callbacks = &clock_cb;
    sieve_envelope e = {.struct_size = sizeof(sieve_envelope),
                        .from = "alice@example.com", .to = "bob@example.org",
                        .by_deadline = 1700000000 + 3600};
    assert_string_equal(env_test("envelope :zone \"+0000\" \"bytimeabsolute\" "
                                 "\"2023-11-14T23:13:20+00:00\"", &e), "yes");
    assert_string_equal(env_test("envelope :zone \"-0830\" \"bytimeabsolute\" "
                                 "\"2023-11-14T14:43:20-08:30\"", &e), "yes");
    assert_string_equal(env_test("envelope :matches :zone \"+0100\" \"bytimeabsolute\" "
                                 "\"*T00:*:*\"", &e), "yes");
    /* The zone touches no other part. */
    assert_string_equal(env_test("envelope :zone \"+0100\" \"bytimerelative\" \"3600\"", &e),
                        "yes");
    assert_int_equal(st_compile_errors(E "if envelope :zone \"CET\" \"bytimeabsolute\" \"x\" {}"), 1);
    assert_int_equal(st_compile_errors("require [\"envelope\", \"envelope-dsn\"];\n"
                                       "if envelope :zone \"+0100\" \"ret\" \"x\" {}"), 1);
    st_opts.callbacks = NULL;
}

static void parts_need_their_extension(void **state)
{
    (void)state;
    assert_int_equal(st_compile_errors("require \"envelope\";\nif envelope \"notify\" \"x\" {}"), 1);
    assert_int_equal(st_compile_errors("require [\"envelope\", \"envelope-dsn\"];\n"
                                       "if envelope \"bymode\" \"x\" {}"), 1);
    assert_int_equal(st_compile_errors("require [\"envelope\", \"envelope-deliverby\"];\n"
                                       "if envelope \"bymode\" \"x\" {}"), 0);
    assert_int_equal(st_compile_errors(E "if envelope \"frop\" \"x\" {}"), 1);
}

static sieve_result *redirect_run(const char *script)
{
    sieve_result *r = NULL;
    int rc = st_run_result(script, NULL, NULL, &r);
    if (rc)
        fprintf(stderr, "redirect_run: %s: %s\n", sieve_strerror(rc), st_error);
    assert_int_equal(rc, 0);
    assert_int_equal(sieve_result_count(r), 1);
    return r;
}

static void redirect_dsn_tags(void **state)
{
    (void)state;
    sieve_result *r = redirect_run(R "redirect :notify \"SUCCESS,DELAY\" :ret \"FULL\" \"c@d.e\";");
    assert_string_equal(sieve_result_action_param(r, 0, "dsn_notify"), "SUCCESS,DELAY");
    assert_string_equal(sieve_result_action_param(r, 0, "dsn_ret"), "full");
    assert_null(sieve_result_action_param(r, 0, "by_time"));
    sieve_result_free(r);
    r = redirect_run(R "redirect :notify \"never\" \"c@d.e\";");
    assert_string_equal(sieve_result_action_param(r, 0, "dsn_notify"), "never");
    sieve_result_free(r);
    assert_int_equal(st_compile_errors(R "redirect :notify \"NEVER,SUCCESS\" \"c@d.e\";"), 1);
    assert_int_equal(st_compile_errors(R "redirect :notify \"SOMETIMES\" \"c@d.e\";"), 1);
    assert_int_equal(st_compile_errors(R "redirect :ret \"ALL\" \"c@d.e\";"), 1);
    assert_int_equal(st_compile_errors("redirect :ret \"FULL\" \"c@d.e\";"), 1);
    st_run_fails(R "set \"n\" \"frop\";\nredirect :notify \"${n}\" \"c@d.e\";");
}

static void redirect_deliverby_tags(void **state)
{
    (void)state;
    st_opts.callbacks = &clock_cb;
    sieve_result *r = redirect_run(R "redirect :bytimerelative 600 :bymode \"notify\" :bytrace \"c@d.e\";");
    assert_string_equal(sieve_result_action_param(r, 0, "by_time"), "1700000600");
    assert_string_equal(sieve_result_action_param(r, 0, "by_mode"), "notify");
    assert_string_equal(sieve_result_action_param(r, 0, "by_trace"), "yes");
    sieve_result_free(r);
    r = redirect_run(R "redirect :bytimeabsolute \"2023-11-14T23:13:20+01:00\" \"c@d.e\";");
    assert_string_equal(sieve_result_action_param(r, 0, "by_time"), "1700000000");
    assert_string_equal(sieve_result_action_param(r, 0, "by_mode"), "return");
    assert_null(sieve_result_action_param(r, 0, "by_trace"));
    sieve_result_free(r);
    r = redirect_run(R "redirect :bytimeabsolute \"2023-11-14T22:13:20.5Z\" \"c@d.e\";");
    assert_string_equal(sieve_result_action_param(r, 0, "by_time"), "1700000000");
    sieve_result_free(r);
    assert_int_equal(st_compile_errors(R "redirect :bymode \"notify\" \"c@d.e\";"), 1);
    assert_int_equal(st_compile_errors(R "redirect :bytrace \"c@d.e\";"), 1);
    assert_int_equal(st_compile_errors(R "redirect :bytimerelative 1 :bytimeabsolute "
                                       "\"2023-11-14T22:13:20Z\" \"c@d.e\";"), 1);
    assert_int_equal(st_compile_errors(R "redirect :bytimeabsolute \"2023-13-14T22:13:20Z\" \"c@d.e\";"), 1);
    assert_int_equal(st_compile_errors(R "redirect :bytimeabsolute \"yesterday\" \"c@d.e\";"), 1);
    assert_int_equal(st_compile_errors(R "redirect :bytimerelative 1 :bymode \"later\" \"c@d.e\";"), 1);
    assert_int_equal(st_compile_errors("require \"redirect-dsn\";\n"
                                       "redirect :bytimerelative 1 \"c@d.e\";"), 1);
    st_opts.callbacks = NULL;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(dsn_envelope_parts),
        cmocka_unit_test(deliverby_envelope_parts),
        cmocka_unit_test(parts_need_their_extension),
        cmocka_unit_test(envelope_zone_shows_bytimeabsolute_in_that_zone),
        cmocka_unit_test(redirect_dsn_tags),
        cmocka_unit_test(redirect_deliverby_tags),
    };
    return cmocka_run_group_tests(tests, st_setup, st_teardown);
}
