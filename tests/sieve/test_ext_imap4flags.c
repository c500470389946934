/* test_ext_imap4flags.c — the imap4flags extension (RFC 5232): setflag, addflag and
 * removeflag on the internal and on named variables, hasflag, and the flags of keep and
 * fileinto. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "sieve_script_run.h"

#define F "require [\"imap4flags\", \"fileinto\", \"variables\", \"relational\", " \
          "\"comparator-i;ascii-numeric\"];\n"

static void flag_commands_on_the_internal_variable(void **state)
{
    (void)state;
    assert_string_equal(st_run(F "keep;"), "keep;");
    assert_string_equal(st_run(F "setflag \"\\\\Seen\"; keep;"), "keep{\\Seen};");
    assert_string_equal(st_run(F "setflag \"A\"; addflag [\"B\", \"C D\"]; keep;"),
                        "keep{A B C D};");
    assert_string_equal(st_run(F "setflag \"A B C\"; removeflag \"b\"; keep;"), "keep{A C};");
    assert_string_equal(st_run(F "setflag \"A B\"; setflag \"C\"; keep;"), "keep{C};");
    assert_string_equal(st_run(F "setflag \"A\"; removeflag \"A\"; keep;"), "keep;");
    assert_string_equal(st_run(F "addflag \"$Junk\"; fileinto \"Junk\";"), "fileinto Junk{$Junk};");
}

static void flags_are_kept_once(void **state)
{
    (void)state;
    /* Pigeonhole's flagstring: duplicates go, the first place stays, case ignored. */
    assert_string_equal(st_run(F "setflag \"\\\\seen \\\\seen\"; keep;"), "keep{\\seen};");
    assert_string_equal(st_run(F "setflag \"$frop \\\\seen \\\\seen $frop $frop \\\\seen\"; keep;"),
                        "keep{$frop \\seen};");
    assert_string_equal(st_run(F "setflag \"$frop \\\\seen\"; "
                                 "addflag \"\\\\SEEN \\\\seen $FROP\"; keep;"),
                        "keep{$frop \\seen};");
    assert_string_equal(st_run(F "setflag \"  A   B  \"; keep;"), "keep{A B};");
}

static void named_variables(void **state)
{
    (void)state;
    assert_string_equal(st_test(F "setflag \"flags\" \"\\\\seen $frop \\\\seen\";",
                                "string \"${flags}\" \"\\\\seen $frop\""), "yes");
    assert_string_equal(st_test(F "setflag \"f\" \"A\"; addflag \"f\" [\"B\", \"A\"];",
                                "string \"${f}\" \"A B\""), "yes");
    assert_string_equal(st_test(F "set \"f\" \"A B C\"; removeflag \"f\" \"B\";",
                                "string \"${f}\" \"A C\""), "yes");
    /* A named variable leaves the internal one alone. */
    assert_string_equal(st_run(F "setflag \"f\" \"A\"; keep;"), "keep;");
    /* Variable names need "variables" and must be valid. */
    assert_int_equal(st_compile_errors("require \"imap4flags\"; setflag \"f\" \"A\";"), 1);
    assert_int_equal(st_compile_errors(F "setflag \"bad name\" \"A\";"), 1);
    assert_int_equal(st_compile_errors(F "setflag [\"a\", \"b\"] \"A\";"), 1);
}

static void hasflag_test(void **state)
{
    (void)state;
    assert_string_equal(st_test(F, "hasflag \"\\\\Seen\""), "no");
    assert_string_equal(st_test(F "setflag \"\\\\seen\";", "hasflag \"\\\\Seen\""), "yes");
    assert_string_equal(st_test(F "setflag \"\";", "hasflag \"\""), "no");
    /* RFC 5232 §4 examples. */
    assert_string_equal(st_test(F "setflag \"A B\";", "hasflag [\"b\", \"A\"]"), "yes");
    assert_string_equal(st_test(F "setflag \"A B\";", "hasflag :is \"b A\""), "yes");
    static const char myvar[] = F "set \"MyVar\" \"NonJunk Junk gnus-forward $Forwarded NotJunk "
                                  "JunkRecorded $Junk $NotJunk\";";
    assert_string_equal(st_test(myvar, "hasflag :contains \"MyVar\" \"Junk\""), "yes");
    assert_string_equal(st_test(myvar, "hasflag :contains \"MyVar\" \"forward\""), "yes");
    assert_string_equal(st_test(myvar, "hasflag :contains \"MyVar\" [\"label\", \"forward\"]"),
                        "yes");
    assert_string_equal(st_test(myvar, "hasflag :contains \"MyVar\" \"junk forward\""), "yes");
    assert_string_equal(st_test(myvar, "hasflag :contains \"MyVar\" \"label\""), "no");
    assert_string_equal(st_test(myvar, "hasflag :contains \"MyVar\" [\"label1\", \"label2\"]"),
                        "no");
    assert_string_equal(st_test(F "set \"MyFlags\" \"A B\";",
                                "hasflag :count \"ge\" :comparator \"i;ascii-numeric\" "
                                "\"MyFlags\" \"2\""), "yes");
    /* Several variables. */
    assert_string_equal(st_test(F "setflag \"A\" \"Aflag\"; setflag \"B\" \"Bflag\";",
                                "hasflag [\"a\", \"b\", \"c\"] [\"Bflag\"]"), "yes");
    /* :count ignores duplicates. */
    assert_string_equal(st_test(F "set \"Flags\" \"A B C D E F A B C D E F\";",
                                "hasflag :count \"eq\" :comparator \"i;ascii-numeric\" "
                                "\"Flags\" \"6\""), "yes");
    assert_string_equal(st_test(F, "hasflag :count \"eq\" :comparator \"i;ascii-numeric\" \"0\""),
                        "yes");
    assert_string_equal(st_test(F "addflag [\"C\", \"D\", \"E F\"]; removeflag \"D\";",
                                "hasflag :count \"eq\" :comparator \"i;ascii-numeric\" \"3\""),
                        "yes");
    /* :matches sets match variables. */
    assert_string_equal(st_test(F "setflag \"$label1 \\\\seen\"; "
                                  "if hasflag :matches \"$label*\" {}",
                                "string \"${1}\" \"1\""), "yes");
}

static void keep_and_fileinto_flags(void **state)
{
    (void)state;
    assert_string_equal(st_run(F "fileinto :flags \"\\\\Seen \\\\Seen $a\" \"A\";"),
                        "fileinto A{\\Seen $a};");
    /* :flags wins over the internal variable, and leaves it unchanged. */
    assert_string_equal(st_run(F "setflag \"X\"; keep :flags [\"Y\", \"Z\"]; fileinto \"B\";"),
                        "keep{Y Z};fileinto B{X};");
    assert_string_equal(st_run(F "keep :flags \"\";"), "keep;");
    /* Pigeonhole's flags-side-effect: the last flags of a mailbox win. */
    assert_string_equal(st_run(F "setflag \"IMPLICIT\";\n"
                                 "fileinto :flags \"\\\\Seen \\\\Draft\" \"INBOX.Junk\";\n"
                                 "fileinto :flags \"NONSENSE\" \"INBOX.Junk\";\n"
                                 "keep;\nkeep :flags \"\\\\Seen\";\n"
                                 "fileinto :flags \"\\\\Seen\" \"Inbox.Nonsense\";\n"
                                 "fileinto \"Inbox.Nonsense\";"),
                        "fileinto INBOX.Junk{NONSENSE};keep{\\Seen};"
                        "fileinto Inbox.Nonsense{IMPLICIT};");
    /* Without imap4flags, no flags and no :flags. */
    assert_string_equal(st_run("require \"fileinto\"; fileinto \"A\";"), "fileinto A;");
    assert_int_equal(st_compile_errors("keep :flags \"A\";"), 1);
    assert_int_equal(st_compile_errors("require \"fileinto\"; fileinto :flags \"A\" \"B\";"), 1);
}

static void syntax_errors(void **state)
{
    (void)state;
    /* After Pigeonhole's imap4flags/errors/syntax.sieve. */
    static const char *const bad[] = {
        "if setflag {}", "setflag;", "addflag;", "removeflag;", "hasflag;",
        "if hasflag {}", "setflag 234234;", "if hasflag 234234 {}", "setflag :frop \"frop\";",
        "if hasflag :frop \"frop\" {}", "setflag \"a\" \"b\" \"c\";",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char script[256];
        snprintf(script, sizeof script, "require \"imap4flags\";\n%s", bad[i]);
        assert_int_not_equal(st_compile_errors(script), 0);
    }
    static const char *const good[] = {
        "setflag \"frop\";", "addflag \"frop\";", "removeflag \"frop\";",
        "if hasflag \"frop\" {}", "setflag [\"frop\"];", "if hasflag [\"frop\"] {}",
    };
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        char script[256];
        snprintf(script, sizeof script, "require \"imap4flags\";\n%s", good[i]);
        assert_int_equal(st_compile_errors(script), 0);
    }
}

static void flags_survive_save_and_load(void **state)
{
    (void)state;
    static const char script[] = F "addflag \"A\"; setflag \"v\" \"B\"; "
                                   "if hasflag \"v\" \"b\" { keep :flags \"${v} C\"; }";
    sieve_script *s, *l;
    assert_int_equal(sieve_compile(st_engine, script, strlen(script), &s, NULL), 0);
    unsigned char *bytes;
    size_t len;
    assert_int_equal(sieve_script_save(s, &bytes, &len), 0);
    assert_int_equal(sieve_script_load(st_engine, bytes, len, &l), 0);
    sieve_result *r;
    assert_int_equal(sieve_run(l, st_message, strlen(st_message), NULL, NULL, &r, NULL), 0);
    const char *flags;
    assert_int_equal(sieve_result_count(r), 1);
    sieve_result_action(r, 0, NULL, NULL, &flags, NULL);
    assert_string_equal(flags, "B C");
    sieve_result_free(r);
    sieve_free(bytes);
    sieve_script_free(l);
    sieve_script_free(s);
}

/* The flags of the implicit keep after running `script` ("-" for NULL). */
static const char *implicit_flags(const char *script)
{
    static char out[256];
    sieve_script *s;
    assert_int_equal(sieve_compile(st_engine, script, strlen(script), &s, NULL), 0);
    sieve_result *r;
    assert_int_equal(sieve_run(s, st_message, strlen(st_message), NULL, NULL, &r, NULL), 0);
    const char *f = sieve_result_implicit_keep_flags(r);
    snprintf(out, sizeof out, "%s", f ? f : "-");
    sieve_result_free(r);
    sieve_script_free(s);
    return out;
}

static void the_implicit_keep_uses_the_internal_flags(void **state)
{
    (void)state;
    assert_string_equal(implicit_flags(F ""), "-");
    assert_string_equal(implicit_flags(F "setflag \"A\"; addflag \"B a\";"), "A B");
    assert_string_equal(implicit_flags(F "setflag \"A\"; removeflag \"A\";"), "-");
    assert_string_equal(implicit_flags(F "setflag \"v\" \"A\";"), "-");
    assert_string_equal(implicit_flags(F "setflag \"A\"; keep :flags \"B\";"), "A");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(flag_commands_on_the_internal_variable),
        cmocka_unit_test(flags_are_kept_once),
        cmocka_unit_test(named_variables),
        cmocka_unit_test(hasflag_test),
        cmocka_unit_test(keep_and_fileinto_flags),
        cmocka_unit_test(syntax_errors),
        cmocka_unit_test(flags_survive_save_and_load),
        cmocka_unit_test(the_implicit_keep_uses_the_internal_flags),
    };
    return cmocka_run_group_tests(tests, st_setup, st_teardown);
}
