/* test_ext_mailboxid.c — RFC 9042: fileinto :mailboxid, :fcc's :mailboxid on notify and
 * vacation, and the mailboxidexists test through the caller's callback. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "sieve_script_run.h"

#define REQ "require [\"fileinto\", \"mailboxid\", \"mailbox\", \"enotify\", \"fcc\", " \
            "\"variables\"];\n"

/* The mailboxes of the store: two ids. */
static int id_exists(void *user, const char *id)
{
    (void)user;
    return !strcmp(id, "F6352ae03-b7f5-463c-896f-d8b48ee3") || !strcmp(id, "Fjunk");
}

static const sieve_callbacks store = {.struct_size = sizeof(sieve_callbacks),
                                      .mailboxid_exists = id_exists};

static sieve_result *run_ok(const char *script)
{
    sieve_result *r = NULL;
    int rc = st_run_result(script, NULL, NULL, &r);
    if (rc)
        fprintf(stderr, "run_ok: %s: %s\n", sieve_strerror(rc), st_error);
    assert_int_equal(rc, 0);
    return r;
}

static void fileinto_mailboxid_is_a_param(void **state)
{
    (void)state;
    sieve_result *r = run_ok(REQ "fileinto :mailboxid \"F6352ae03-b7f5-463c-896f-d8b48ee3\" "
                             "\"INBOX.harassment\";");
    const char *target;
    sieve_result_action(r, 0, NULL, &target, NULL, NULL);
    assert_string_equal(target, "INBOX.harassment");
    assert_string_equal(sieve_result_action_param(r, 0, "mailboxid"),
                        "F6352ae03-b7f5-463c-896f-d8b48ee3");
    sieve_result_free(r);
    /* With :create the name is made; the id still goes to the caller, which tries it first. */
    r = run_ok(REQ "fileinto :mailboxid \"Fnosuch\" :create \"INBOX.no-such-folder\";");
    unsigned opt;
    sieve_result_action(r, 0, NULL, NULL, NULL, &opt);
    assert_true(opt & SIEVE_ACTION_CREATE);
    assert_string_equal(sieve_result_action_param(r, 0, "mailboxid"), "Fnosuch");
    sieve_result_free(r);
    /* An id made at run time that is no objectid names no mailbox: the name is used. */
    r = run_ok(REQ "set \"id\" \"not an id\"; fileinto :mailboxid \"${id}\" \"Box\";");
    assert_null(sieve_result_action_param(r, 0, "mailboxid"));
    sieve_result_free(r);
    r = run_ok(REQ "fileinto \"Box\";");
    assert_null(sieve_result_action_param(r, 0, "mailboxid"));
    sieve_result_free(r);
}

static void mailboxid_syntax_and_requirements(void **state)
{
    (void)state;
    assert_int_equal(st_compile_errors(REQ "fileinto :mailboxid \"has space\" \"Box\";"), 1);
    assert_int_equal(st_compile_errors(REQ "fileinto :mailboxid \"\" \"Box\";"), 1);
    assert_int_equal(st_compile_errors("require \"fileinto\";\n"
                                       "fileinto :mailboxid \"F1\" \"Box\";"), 1);
    assert_int_equal(st_compile_errors(REQ "if mailboxidexists [\"F1\", \"a/b\"] { keep; }"), 1);
    assert_int_equal(st_compile_errors(REQ "notify :mailboxid \"F1\" \"mailto:a@b.c\";"), 1);
}

static void fcc_mailboxid(void **state)
{
    (void)state;
    sieve_result *r = run_ok(REQ "notify :fcc \"INBOX.Sent\" :mailboxid \"Fsent\" "
                             ":message \"You got mail!\" \"mailto:ken@example.com\";");
    assert_string_equal(sieve_result_action_param(r, 0, "fcc"), "INBOX.Sent");
    assert_string_equal(sieve_result_action_param(r, 0, "fcc_mailboxid"), "Fsent");
    sieve_result_free(r);
}

static void mailboxidexists_asks_the_caller(void **state)
{
    (void)state;
    const char *t = REQ "if mailboxidexists \"F6352ae03-b7f5-463c-896f-d8b48ee3\" { keep; }";
    assert_string_equal(st_run(t), "+keep");      /* no callback: false */
    st_opts.callbacks = &store;
    assert_string_equal(st_run(REQ "if mailboxidexists \"F6352ae03-b7f5-463c-896f-d8b48ee3\" "
                               "{ fileinto \"yes\"; }"), "fileinto yes;");
    assert_string_equal(st_run(REQ "if mailboxidexists [\"Fjunk\", \"F6352ae03-b7f5-463c-896f-"
                               "d8b48ee3\"] { fileinto \"yes\"; }"), "fileinto yes;");
    /* Every id must exist (§4.4). */
    assert_string_equal(st_run(REQ "if mailboxidexists [\"Fjunk\", \"Fgone\"] "
                               "{ fileinto \"yes\"; }"), "+keep");
    st_opts.callbacks = NULL;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(fileinto_mailboxid_is_a_param),
        cmocka_unit_test(mailboxid_syntax_and_requirements),
        cmocka_unit_test(fcc_mailboxid),
        cmocka_unit_test(mailboxidexists_asks_the_caller),
    };
    return cmocka_run_group_tests(tests, st_setup, st_teardown);
}
