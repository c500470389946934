/* test_ext_duplicate.c — the duplicate test (RFC 7352) through sieve_callbacks.duplicate: the
 * id (Message-ID, :header, :uniqueid), :handle, :seconds, :last, and no callback. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "sieve_script_run.h"

static const char msg[] =
    "From: alice@example.com\r\n"
    "Message-ID: <1234@example.com>\r\n"
    "X-Frop: frop-id\r\n"
    "Subject: x\r\n"
    "\r\n"
    "Body\r\n";

/* A tracking store of one entry per (handle, id), and a log of the calls. */
typedef struct store {
    char seen[8][128];
    size_t nseen;
    char log[1024];
} store;

static int dup_cb(void *user, const char *handle, const char *id, uint64_t seconds, int mark)
{
    store *s = user;
    char key[128];
    snprintf(key, sizeof key, "%s|%s", handle, id);
    size_t n = strlen(s->log);
    snprintf(s->log + n, sizeof s->log - n, "%s %s %llu %d;", handle, id,
             (unsigned long long)seconds, mark);
    for (size_t i = 0; i < s->nseen; i++)
        if (strcmp(s->seen[i], key) == 0)
            return 1;
    if (mark && s->nseen < 8)
        snprintf(s->seen[s->nseen++], sizeof s->seen[0], "%s", key);
    return 0;
}

static const char *run_dup(store *s, const char *test)
{
    static char script[1024], out[256];
    snprintf(script, sizeof script, "require \"duplicate\";\nif %s { discard; }", test);
    sieve_callbacks cb;
    sieve_callbacks_init(&cb);
    cb.user = s;
    cb.duplicate = dup_cb;
    st_opts.callbacks = s ? &cb : NULL;
    int rc = st_run_on(script, msg, out, sizeof out);
    st_opts.callbacks = NULL;
    assert_int_equal(rc, 0);
    return strstr(out, "discard;") ? "yes" : "no";
}

static void the_message_id_is_tracked(void **state)
{
    (void)state;
    store s = {0};
    assert_string_equal(run_dup(&s, "duplicate"), "no");
    assert_string_equal(s.log, " <1234@example.com> 43200 0; <1234@example.com> 43200 1;");
    assert_string_equal(run_dup(&s, "duplicate"), "yes");
    /* Seen: not marked again (the period runs from the first time). */
    assert_string_equal(strstr(s.log, "1;") + 2, " <1234@example.com> 43200 0;");
}

static void handle_header_uniqueid_and_seconds(void **state)
{
    (void)state;
    store s = {0};
    assert_string_equal(run_dup(&s, "duplicate :handle \"h\" :header \"x-frop\" :seconds 90"),
                        "no");
    assert_string_equal(s.log, "h frop-id 90 0;h frop-id 90 1;");
    assert_string_equal(run_dup(&s, "duplicate :handle \"h\" :uniqueid \"frop-id\""), "yes");
    assert_string_equal(run_dup(&s, "duplicate :handle \"other\" :uniqueid \"frop-id\""), "no");
    /* A missing field gives no id: no duplicate, nothing asked. */
    store t = {0};
    assert_string_equal(run_dup(&t, "duplicate :header \"x-none\""), "no");
    assert_string_equal(t.log, "");
}

static void last_marks_every_time(void **state)
{
    (void)state;
    store s = {0};
    assert_string_equal(run_dup(&s, "duplicate :last :uniqueid \"u\""), "no");
    assert_string_equal(run_dup(&s, "duplicate :last :uniqueid \"u\""), "yes");
    assert_string_equal(s.log, " u 43200 0; u 43200 1; u 43200 0; u 43200 1;");
}

static void without_a_callback_it_is_never_a_duplicate(void **state)
{
    (void)state;
    assert_string_equal(run_dup(NULL, "duplicate"), "no");
    assert_string_equal(run_dup(NULL, "duplicate :handle \"handle\" :seconds 90 :last"), "no");
}

static void syntax(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "duplicate;", "if duplicate \"frop\" { }", "if duplicate 23423 { }",
        "if duplicate [\"frop\"] { }", "if duplicate :test \"frop\" { }",
        "if duplicate :header 23 {}", "if duplicate :uniqueid 23 {}",
        "if duplicate :handle [\"a\", \"b\", \"c\"] {}", "if duplicate :seconds \"a\" {}",
        "if duplicate :header {}", "if duplicate :uniqueid {}", "if duplicate :handle {}",
        "if duplicate :seconds {}", "if duplicate :last \"frop\" {}",
        "if duplicate :seconds :last {}", "if duplicate :header \"X-Frop\" :uniqueid \"FROP!\" { }",
    };
    char s[256];
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        snprintf(s, sizeof s, "require \"duplicate\";\n%s", bad[i]);
        if (st_compile_errors(s) == 0)
            fail_msg("compiled: %s", bad[i]);
    }
    assert_int_equal(st_compile_errors("require \"duplicate\"; if duplicate {}"), 0);
    assert_true(st_compile_errors("if duplicate {}") >= 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(the_message_id_is_tracked),
        cmocka_unit_test(handle_header_uniqueid_and_seconds),
        cmocka_unit_test(last_marks_every_time),
        cmocka_unit_test(without_a_callback_it_is_never_a_duplicate),
        cmocka_unit_test(syntax),
    };
    return cmocka_run_group_tests(tests, st_setup, st_teardown);
}
