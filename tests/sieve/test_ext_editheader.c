/* test_ext_editheader.c — addheader and deleteheader (RFC 5293): what later tests of the run
 * see, the edits the result reports in order (sieve_result_edit_at), the fields that cannot
 * be deleted, the checks on names and values, and the limits. Cases from the RFC and
 * Pigeonhole's tests/extensions/editheader. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "sieve_script_run.h"

static const char msg[] =
    "Received: by example.com (Postfix, from userid 202)\r\n"
    "\tid 32A131WFW23QWE4; Mon, 21 Nov 2011 05:25:26 +0200 (EET)\r\n"
    "Auto-Submitted: yes\r\n"
    "X-A: one\r\n"
    "Subject: Frop!\r\n"
    "From: stephan@example.com\r\n"
    "X-A: two\r\n"
    "To: tss@example.com\r\n"
    "X-A: three\r\n"
    "Date: Mon, 21 Nov 2011 05:25:26 +0200\r\n"
    "\r\n"
    "Frop!\r\n";

#define REQ "require [\"editheader\", \"variables\", \"relational\", \"index\", \"date\", " \
            "\"body\", \"comparator-i;ascii-numeric\"];\n"

/* "yes" when the script (after REQ) ends with the discard its last test guards. */
static const char *yes_no(const char *script)
{
    static char s[8192], out[1024];
    snprintf(s, sizeof s, REQ "%s", script);
    int rc = st_run_on(s, msg, out, sizeof out);
    if (rc)
        fprintf(stderr, "yes_no: %s: %s\n", sieve_strerror(rc), st_error);
    assert_int_equal(rc, 0);
    return strstr(out, "discard;") ? "yes" : "no";
}

/* The edits of a run as "+name: value|" (":last" added after it) and "-name#index: value|". */
static const char *edits(const char *script)
{
    static char s[8192], out[2048];
    snprintf(s, sizeof s, REQ "%s", script);
    sieve_script *sc = NULL;
    assert_int_equal(sieve_compile(st_engine, s, strlen(s), &sc, NULL), 0);
    sieve_result *r = NULL;
    int rc = sieve_run(sc, msg, strlen(msg), NULL, &st_opts, &r, NULL);
    size_t n = 0;
    out[0] = '\0';
    for (size_t i = 0; i < sieve_result_edit_count(r); i++) {
        int kind, last;
        const char *name, *value;
        size_t index;
        assert_int_equal(sieve_result_edit_at(r, i, &kind, &name, &value, &index, &last), 0);
        if (kind == SIEVE_EDIT_ADD)
            n += (size_t)snprintf(out + n, sizeof out - n, "+%s: %s%s|", name, value,
                                  last ? " :last" : "");
        else
            n += (size_t)snprintf(out + n, sizeof out - n, "-%s#%zu: %s|", name, index, value);
    }
    if (rc)
        snprintf(out + n, sizeof out - n, "failed");
    assert_int_equal(sieve_result_edit_at(r, sieve_result_edit_count(r), NULL, NULL, NULL, NULL,
                                          NULL), SIEVE_E_INVAL);
    sieve_result_free(r);
    sieve_script_free(sc);
    return out;
}

static void addheader_goes_to_the_top_or_with_last_to_the_end(void **state)
{
    (void)state;
    assert_string_equal(yes_no("addheader \"X-Frop\" \"one\";\n"
                               "addheader \"X-Frop\" \"two\";\n"
                               "if allof (header :index 1 \"x-frop\" \"two\",\n"
                               "          header :index 2 \"x-frop\" \"one\") { discard; }"),
                        "yes");
    assert_string_equal(yes_no("addheader :last \"X-A\" \"four\";\n"
                               "if allof (header :index 1 :last \"x-a\" \"four\",\n"
                               "          header :index 1 \"x-a\" \"one\",\n"
                               "          header :count \"eq\" \"x-a\" \"4\") { discard; }"),
                        "yes");
    assert_string_equal(yes_no("addheader \"X-A\" \"zero\";\n"
                               "if header :index 1 \"x-a\" \"zero\" { discard; }"), "yes");
    assert_string_equal(edits("addheader \"X-Frop\" \"one\"; addheader :last \"X-Frop\" \"two\";"),
                        "+X-Frop: one|+X-Frop: two :last|");
}

static void added_fields_are_seen_by_every_test(void **state)
{
    (void)state;
    assert_string_equal(yes_no("addheader \"Reply-To\" \"Frop <frop@example.net>\";\n"
                               "if allof (exists \"reply-to\",\n"
                               "          address :domain \"reply-to\" \"example.net\",\n"
                               "          header :contains \"reply-to\" \"Frop\") { discard; }"),
                        "yes");
    assert_string_equal(yes_no("addheader \"Resent-Date\" \"Tue, 22 Nov 2011 05:25:26 +0200\";\n"
                               "if date :originalzone \"resent-date\" \"day\" \"22\" { discard; }"),
                        "yes");
    assert_string_equal(yes_no("addheader \"X-Frop\" \"frop\";\n"
                               "if body :raw :contains \"X-Frop\" { discard; }"), "no");
}

static void line_breaks_in_a_value_are_folded(void **state)
{
    (void)state;
    assert_string_equal(yes_no("addheader \"X-Long\" text:\nThis is long\n containing\nnewlines.\n"
                               ".\n;\n"
                               "if header :is \"x-long\" \"This is long containing newlines.\" "
                               "{ discard; }"),
                        "yes");
    assert_string_equal(edits("addheader \"X-Long\" text:\nThis is long\n containing\nnewlines.\n"
                              ".\n;"),
                        "+X-Long: This is long\r\n containing\r\n newlines.|");
}

static void deleteheader_removes_every_field_or_those_that_match(void **state)
{
    (void)state;
    assert_string_equal(yes_no("deleteheader \"x-a\";\nif not exists \"x-a\" { discard; }"),
                        "yes");
    assert_string_equal(edits("deleteheader \"x-a\";"),
                        "-X-A#1: one|-X-A#1: two|-X-A#1: three|");
    assert_string_equal(edits("deleteheader :is \"x-a\" [\"two\", \"three\"];"),
                        "-X-A#2: two|-X-A#2: three|");
    assert_string_equal(yes_no("deleteheader :matches \"x-a\" \"t*\";\n"
                               "if allof (header :count \"eq\" \"x-a\" \"1\", header \"x-a\" \"one\")"
                               " { discard; }"),
                        "yes");
    assert_string_equal(edits("deleteheader \"x-none\";"), "");
    /* Value patterns do not set match variables. */
    assert_string_equal(yes_no("if header :matches \"subject\" \"F*!\" {}\n"
                               "deleteheader :matches \"x-a\" \"t*o\";\n"
                               "if string \"${1}\" \"rop\" { discard; }"),
                        "yes");
}

static void deleteheader_with_index_and_last(void **state)
{
    (void)state;
    assert_string_equal(edits("deleteheader :index 2 \"x-a\";"), "-X-A#2: two|");
    assert_string_equal(edits("deleteheader :index 1 :last \"x-a\";"), "-X-A#3: three|");
    assert_string_equal(edits("deleteheader :index 3 :last \"x-a\" \"one\";"), "-X-A#1: one|");
    assert_string_equal(edits("deleteheader :index 3 :last \"x-a\" \"two\";"), "");
    assert_string_equal(edits("deleteheader :index 4 \"x-a\";"), "");
    /* editheader's :index needs no "index". */
    assert_int_equal(st_compile_errors("require \"editheader\"; deleteheader :index 1 \"x\";"), 0);
}

static void added_fields_can_be_deleted(void **state)
{
    (void)state;
    assert_string_equal(edits("addheader \"X-A\" \"new\"; deleteheader :index 1 \"x-a\";"),
                        "+X-A: new|-X-A#1: new|");
    assert_string_equal(edits("addheader :last \"X-A\" \"new\"; deleteheader :is \"x-a\" \"new\";"),
                        "+X-A: new :last|-X-A#4: new|");
    assert_string_equal(yes_no("deleteheader \"subject\"; addheader \"Subject\" \"Other\";\n"
                               "if header :count \"eq\" \"subject\" \"1\" { discard; }"),
                        "yes");
}

static void received_and_auto_submitted_are_not_deleted(void **state)
{
    (void)state;
    assert_string_equal(yes_no("deleteheader \"received\"; deleteheader \"Auto-Submitted\";\n"
                               "if allof (exists \"received\", exists \"auto-submitted\") "
                               "{ discard; }"),
                        "yes");
    assert_string_equal(edits("deleteheader \"received\"; deleteheader \"subject\";"),
                        "-Subject#1: Frop!|");
    /* Adding them is allowed. */
    assert_string_equal(yes_no("addheader \"Received\" \"by sieve.example.com; "
                               "Mon, 24 Aug 2015 04:11:54 -0600\";\n"
                               "if header :index 1 :contains \"received\" \"sieve.example.com\" "
                               "{ discard; }"),
                        "yes");
}

static void size_sees_the_edits(void **state)
{
    (void)state;
    char t[256];
    size_t len = strlen(msg);
    /* "X-Some-Header: Header content\r\n" is 31 octets. */
    snprintf(t, sizeof t, "addheader \"X-Some-Header\" \"Header content\";\n"
             "if allof (size :over %zu, size :under %zu) { discard; }", len + 30, len + 32);
    assert_string_equal(yes_no(t), "yes");
    /* "Subject: Frop!\r\n" is 16. */
    snprintf(t, sizeof t, "deleteheader \"subject\";\n"
             "if allof (size :over %zu, size :under %zu) { discard; }", len - 17, len - 15);
    assert_string_equal(yes_no(t), "yes");
    snprintf(t, sizeof t, "addheader \"X-B\" \"b\"; deleteheader \"x-b\";\n"
             "if allof (size :over %zu, size :under %zu) { discard; }", len - 1, len + 1);
    assert_string_equal(yes_no(t), "yes");
}

static void each_action_has_the_edits_made_before_it(void **state)
{
    (void)state;
    static const char script[] =
        "require [\"editheader\", \"fileinto\"];\n"
        "addheader \"X-Some-Header\" \"Header content\";\n"
        "redirect \"frop@example.com\";\n"
        "deleteheader \"X-Some-Header\";\n"
        "fileinto \"folder1\";\n";
    sieve_script *sc = NULL;
    assert_int_equal(sieve_compile(st_engine, script, strlen(script), &sc, NULL), 0);
    sieve_result *r = NULL;
    assert_int_equal(sieve_run(sc, msg, strlen(msg), NULL, &st_opts, &r, NULL), 0);
    assert_int_equal(sieve_result_edit_count(r), 2);
    assert_int_equal(sieve_result_count(r), 2);
    assert_int_equal(sieve_result_action_edits(r, 0), 1); /* the redirect: added */
    assert_int_equal(sieve_result_action_edits(r, 1), 2); /* fileinto: added and deleted */
    assert_int_equal(sieve_result_action_edits(r, 2), 0);
    sieve_result_free(r);
    sieve_script_free(sc);
}

static void the_site_protects_fields(void **state)
{
    (void)state;
    st_opts.editheader_no_add = "x-frop  Subject";
    st_opts.editheader_no_delete = "X-A";
    assert_string_equal(edits("addheader \"X-Frop\" \"a\"; addheader \"subject\" \"b\";\n"
                              "addheader \"X-Frop2\" \"c\"; deleteheader \"x-a\";\n"
                              "deleteheader \"subject\";"),
                        "+X-Frop2: c|-Subject#1: Frop!|");
    st_opts.editheader_no_add = st_opts.editheader_no_delete = NULL;
}

static void the_configured_field_size(void **state)
{
    (void)state;
    sieve_options o;
    sieve_options_init(&o);
    o.max_header_edit_size = 16;
    sieve_engine *e = NULL;
    assert_int_equal(sieve_engine_new(&o, &e), 0);
    static const char ok[] = "require \"editheader\"; addheader \"X-Big\" \"123456789\";";
    static const char big[] = "require \"editheader\"; addheader \"X-Big\" \"1234567890\";";
    static const char late[] = "require [\"editheader\", \"variables\"]; set \"v\" \"1234567890\";"
                               "addheader \"X-Big\" \"${v}\";";
    sieve_script *sc = NULL;
    assert_int_equal(sieve_compile(e, ok, strlen(ok), &sc, NULL), 0);
    sieve_script_free(sc);
    assert_int_equal(sieve_compile(e, big, strlen(big), &sc, NULL), SIEVE_E_COMPILE);
    assert_int_equal(sieve_compile(e, late, strlen(late), &sc, NULL), 0);
    sieve_result *r = NULL;
    assert_int_equal(sieve_run(sc, msg, strlen(msg), NULL, NULL, &r, NULL), SIEVE_E_RUNTIME);
    assert_int_equal(sieve_result_edit_count(r), 0);
    sieve_result_free(r);
    sieve_script_free(sc);
    sieve_engine_free(e);
}

static void a_failed_run_has_no_edits(void **state)
{
    (void)state;
    assert_string_equal(edits("addheader \"X-Frop\" \"x\";\n"
                              "redirect \"a@example.com\"; redirect \"b@example.com\";\n"
                              "redirect \"c@example.com\"; redirect \"d@example.com\";\n"
                              "redirect \"e@example.com\";"),
                        "failed");
}

static void names_and_values_are_checked(void **state)
{
    (void)state;
    assert_int_equal(st_compile_errors("require \"editheader\"; addheader \"X-field\" \"Frop\";"), 0);
    assert_int_equal(st_compile_errors("require \"editheader\"; addheader \"X-field:\" \"Frop\";"),
                     1);
    assert_int_equal(st_compile_errors("require \"editheader\"; addheader \"X field\" \"Frop\";"),
                     1);
    assert_int_equal(st_compile_errors("require \"editheader\"; addheader \"\" \"Frop\";"), 1);
    assert_int_equal(st_compile_errors("require \"editheader\"; deleteheader \"X-field:\";"), 1);
    assert_int_equal(st_compile_errors("require \"editheader\"; deleteheader \"X field\";"), 1);
    /* Another control character is obsolete unstructured text (RFC 5322 §4.1): a warning. */
    assert_int_equal(st_compile_errors("require [\"editheader\", \"encoded-character\"];\n"
                                       "addheader \"X-field\" \"Yeah${hex:07}!\";"), 0);
    assert_int_equal(st_compile_errors("require [\"editheader\", \"encoded-character\"];\n"
                                       "addheader \"X-field\" \"Woah${hex:00}!\";"), 1);
    /* Names made at run time are checked then. */
    char out[256];
    assert_int_equal(st_run_on("require [\"editheader\", \"variables\"];\n"
                               "set \"h\" \"X-field:\"; addheader \"${h}\" \"Frop\";",
                               msg, out, sizeof out), SIEVE_E_RUNTIME);
}

/* A constant value with a control character compiles with one warning on its line, and the
 * field is added with the character kept (Pigeonhole and sieve-rs keep it too). */
static void control_character_in_value_warns_and_is_kept(void **state)
{
    (void)state;
    const char *script = "require [\"editheader\", \"encoded-character\"];\n"
                         "addheader \"X-Bell\" \"Ring my ${hex:07}!\";";
    sieve_script *s = NULL;
    sieve_diagnostics *d = NULL;
    assert_int_equal(sieve_compile(st_engine, script, strlen(script), &s, &d), 0);
    assert_int_equal(sieve_diagnostics_count(d), 1);
    int sev;
    unsigned line;
    const char *text;
    assert_int_equal(sieve_diagnostic_at(d, 0, &sev, &line, NULL, &text), 0);
    assert_int_equal(sev, SIEVE_SEVERITY_WARNING);
    assert_int_equal(line, 2);
    assert_non_null(strstr(text, "control character"));
    sieve_diagnostics_free(d);
    sieve_script_free(s);
    assert_string_equal(edits("require \"encoded-character\";\n"
                              "addheader \"X-Bell\" \"Ring my ${hex:07}!\";"),
                        "+X-Bell: Ring my \a!|");
    assert_string_equal(yes_no("require \"encoded-character\";\n"
                               "addheader \"X-Bell\" \"Ring my ${hex:07}!\";\n"
                               "if header :is \"x-bell\" \"Ring my ${hex:07}!\" { discard; }"),
                        "yes");
    /* A value made at run time: the same, without the warning; a NUL fails the run. */
    assert_string_equal(edits("require \"encoded-character\";\nset \"v\" \"x${hex:07}\";\n"
                              "addheader \"X-V\" \"${v}\";"),
                        "+X-V: x\a|");
    assert_string_equal(edits("require \"encoded-character\";\nset \"v\" \"x${hex:00}y\";\n"
                              "addheader \"X-V\" \"${v}\";"),
                        "failed");
}

static void command_syntax(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "addheader;", "addheader \"x-frop\";", "addheader \"x-frop\" 2;",
        "addheader \"x-frop\" [\"frop\"];", "addheader :tag \"x-frop\" \"frop\";",
        "deleteheader;", "deleteheader :last \"x-frop\";", "deleteheader :index \"frop\" \"x\";",
        "deleteheader \"x-frop\" 1;", "deleteheader :index 0 \"x-frop\";",
        "deleteheader :count \"eq\" \"x-frop\" \"1\";",
    };
    char s[256];
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        snprintf(s, sizeof s, "require [\"editheader\", \"relational\"]; %s", bad[i]);
        if (st_compile_errors(s) == 0)
            fail_msg("compiled: %s", bad[i]);
    }
    assert_int_equal(st_compile_errors("require \"editheader\"; deleteheader :matches \"x-frop\";"),
                     0);
    assert_true(st_compile_errors("addheader \"x\" \"y\";") >= 1);
}

/* A field of exactly `total` octets ("X-Big: " and the value). */
static void big_field_script(char *s, size_t size, size_t total, int at_run_time)
{
    size_t vlen = total - strlen("X-Big: ");
    int n = snprintf(s, size, "require [\"editheader\", \"variables\"];\n%s",
                     at_run_time ? "set \"v\" \"" : "addheader \"X-Big\" \"");
    memset(s + n, 'A', vlen);
    snprintf(s + n + vlen, size - (size_t)n - vlen, "%s",
             at_run_time ? "\"; addheader \"X-Big\" \"${v}\";" : "\";");
}

static void the_field_size_limit(void **state)
{
    (void)state;
    static char s[8192], out[256];
    big_field_script(s, sizeof s, 2048, 0);
    assert_int_equal(st_compile_errors(s), 0);
    big_field_script(s, sizeof s, 2049, 0);
    assert_int_equal(st_compile_errors(s), 1);
    big_field_script(s, sizeof s, 2048, 1);
    assert_int_equal(st_run_on(s, msg, out, sizeof out), 0);
    big_field_script(s, sizeof s, 2049, 1);
    assert_int_equal(st_run_on(s, msg, out, sizeof out), SIEVE_E_RUNTIME);
}

static void the_edit_count_limit(void **state)
{
    (void)state;
    static char s[65536], out[256];
    size_t n = (size_t)snprintf(s, sizeof s, "require \"editheader\";\n");
    for (int i = 0; i < 1000; i++)
        n += (size_t)snprintf(s + n, sizeof s - n, "addheader \"X\" \"%d\";", i);
    st_opts.max_instructions = 100000;
    assert_int_equal(st_run_on(s, msg, out, sizeof out), 0);
    snprintf(s + n, sizeof s - n, "addheader \"X\" \"one too many\";");
    assert_int_equal(st_run_on(s, msg, out, sizeof out), SIEVE_E_RUNTIME);
    assert_non_null(strstr(st_error, "too many header edits"));
    st_opts.max_instructions = 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(addheader_goes_to_the_top_or_with_last_to_the_end),
        cmocka_unit_test(added_fields_are_seen_by_every_test),
        cmocka_unit_test(line_breaks_in_a_value_are_folded),
        cmocka_unit_test(deleteheader_removes_every_field_or_those_that_match),
        cmocka_unit_test(deleteheader_with_index_and_last),
        cmocka_unit_test(added_fields_can_be_deleted),
        cmocka_unit_test(received_and_auto_submitted_are_not_deleted),
        cmocka_unit_test(size_sees_the_edits),
        cmocka_unit_test(each_action_has_the_edits_made_before_it),
        cmocka_unit_test(the_site_protects_fields),
        cmocka_unit_test(the_configured_field_size),
        cmocka_unit_test(a_failed_run_has_no_edits),
        cmocka_unit_test(names_and_values_are_checked),
        cmocka_unit_test(control_character_in_value_warns_and_is_kept),
        cmocka_unit_test(command_syntax),
        cmocka_unit_test(the_field_size_limit),
        cmocka_unit_test(the_edit_count_limit),
    };
    return cmocka_run_group_tests(tests, st_setup, st_teardown);
}
