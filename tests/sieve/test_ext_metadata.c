/* test_ext_metadata.c — mboxmetadata and servermetadata (RFC 5490 §3, §4): metadata,
 * metadataexists, servermetadata and servermetadataexists through the metadata callback. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "sieve_script_run.h"

#define M "require [\"mboxmetadata\", \"servermetadata\", \"relational\", " \
          "\"comparator-i;ascii-numeric\", \"variables\"];\n"

/* INBOX has /private/frop = "FROP!" and /private/friep = "FRIEP!"; the server has
 * /shared/admin = "admin@example.org" and /private/big, a value of 5000 "x". */
static long metadata(void *user, const char *mailbox, const char *entry, char *buf, size_t size)
{
    (void)user;
    static char big[5001];
    const char *v = NULL;
    if (mailbox && strcmp(mailbox, "INBOX") == 0) {
        if (strcmp(entry, "/private/frop") == 0)
            v = "FROP!";
        else if (strcmp(entry, "/private/friep") == 0)
            v = "FRIEP!";
    } else if (!mailbox) {
        if (strcmp(entry, "/shared/admin") == 0)
            v = "admin@example.org";
        else if (strcmp(entry, "/private/big") == 0) {
            memset(big, 'x', 5000);
            v = big;
        }
    }
    if (!v)
        return -1;
    size_t n = strlen(v);
    if (size) {
        size_t c = n < size ? n : size - 1;
        memcpy(buf, v, c);
        buf[c] = '\0';
    }
    return (long)n;
}

static void metadataexists(void **state)
{
    (void)state;
    sieve_callbacks cb = {.struct_size = sizeof cb, .metadata = metadata};
    st_opts.callbacks = &cb;
    assert_string_equal(st_test(M, "metadataexists \"INBOX\" \"/private/frop\""), "yes");
    assert_string_equal(st_test(M, "metadataexists \"INBOX\" [\"/private/frop\", \"/private/friep\"]"), "yes");
    assert_string_equal(st_test(M, "metadataexists \"INBOX\" [\"/private/frop\", \"/private/frml\"]"), "no");
    assert_string_equal(st_test(M, "metadataexists \"Other\" \"/private/frop\""), "no");
    /* Invalid entry names make it false (Pigeonhole's "MetadataExists - Invalid"). */
    assert_string_equal(st_test(M, "metadataexists \"INBOX\" [\"/private/frop\", \"/friep\"]"), "no");
    assert_string_equal(st_test(M, "metadataexists \"INBOX\" \"/private/\""), "no");
    assert_string_equal(st_test(M, "metadataexists \"INBOX\" \"/private//frop\""), "no");
    assert_string_equal(st_test(M, "servermetadataexists \"/shared/admin\""), "yes");
    assert_string_equal(st_test(M, "servermetadataexists [\"/shared/admin\", \"/private/frop\"]"), "no");
    st_opts.callbacks = NULL;
    assert_string_equal(st_test(M, "metadataexists \"INBOX\" \"/private/frop\""), "no");
    assert_string_equal(st_test(M, "servermetadataexists \"/shared/admin\""), "no");
}

static void metadata_compares_the_value(void **state)
{
    (void)state;
    sieve_callbacks cb = {.struct_size = sizeof cb, .metadata = metadata};
    st_opts.callbacks = &cb;
    assert_string_equal(st_test(M, "metadata :is \"INBOX\" \"/private/frop\" \"FROP!\""), "yes");
    assert_string_equal(st_test(M, "metadata :is \"INBOX\" \"/private/frop\" \"Hutsefluts\""), "no");
    assert_string_equal(st_test(M, "metadata \"INBOX\" \"/private/friep\" \"friep!\""), "yes");
    assert_string_equal(st_test(M, "metadata :matches \"INBOX\" \"/private/friep\" \"FR*!\""), "yes");
    assert_string_equal(st_test(M, "metadata :contains \"INBOX\" \"/frop\" \"\""), "no");
    assert_string_equal(st_test(M, "metadata :contains \"INBOX\" \"/private/none\" \"\""), "no");
    assert_string_equal(st_test(M, "metadata :count \"eq\" :comparator \"i;ascii-numeric\" "
                                   "\"INBOX\" \"/private/frop\" \"1\""), "yes");
    assert_string_equal(st_test(M, "metadata :count \"eq\" :comparator \"i;ascii-numeric\" "
                                   "\"INBOX\" \"/private/none\" \"0\""), "yes");
    assert_string_equal(st_test(M, "servermetadata :matches \"/shared/admin\" \"*@example.org\""), "yes");
    assert_string_equal(st_test(M "set \"e\" \"admin\";",
                                "servermetadata :is \"/shared/${e}\" \"admin@example.org\""), "yes");
    /* A value longer than the first buffer is read whole. */
    assert_string_equal(st_test(M "set \"x\" \"x\";",
                                "servermetadata :matches \"/private/big\" \"xxxxxxxxxx*x\""), "yes");
    assert_string_equal(st_test(M, "servermetadata :value \"eq\" :comparator \"i;octet\" "
                                   "\"/private/big\" \"x\""), "no");
    st_opts.callbacks = NULL;
}

static void arguments_are_checked(void **state)
{
    (void)state;
    /* Pigeonhole's errors/syntax.sieve, in parts. */
    assert_int_equal(st_compile_errors(M "metadata;"), 1);
    assert_true(st_compile_errors(M "if metadata {}") >= 1);
    assert_true(st_compile_errors(M "if metadata \"frop\" {}") >= 1);
    assert_true(st_compile_errors(M "if servermetadataexists 123123 {}") >= 1);
    assert_true(st_compile_errors(M "if metadataexists :frop \"frop\" {}") >= 1);
    assert_true(st_compile_errors(M "if metadata \"/private/frop\" \"friep\" {}") >= 1);
    assert_int_equal(st_compile_errors(M "if metadata \"INBOX\" \"/private/frop\" \"friep\" {}"), 0);
    assert_int_equal(st_compile_errors("if metadata \"INBOX\" \"/private/frop\" \"x\" {}"), 1);
    assert_int_equal(st_compile_errors("require \"mboxmetadata\";\n"
                                       "if servermetadataexists \"/private/frop\" {}"), 1);
    assert_int_equal(st_compile_errors(M "if metadataexists \"\" \"/private/frop\" {}"), 1);
    assert_int_equal(st_compile_errors(M "if metadataexists \"\xff\" \"/private/frop\" {}"), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(metadataexists),
        cmocka_unit_test(metadata_compares_the_value),
        cmocka_unit_test(arguments_are_checked),
    };
    return cmocka_run_group_tests(tests, st_setup, st_teardown);
}
