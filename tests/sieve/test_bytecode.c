/* test_bytecode.c — a compiled script saved as bytes and loaded back runs the same; hostile
 * bytes (cut short, any octet changed, another version, an extension the st_engine does not
 * allow) are refused or, when they still form a valid script, run within its limits. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sieve.h"
#include "sieve_script_run.h"

static const char script[] =
    "require [\"fileinto\", \"envelope\", \"copy\", \"relational\", "
    "\"comparator-i;ascii-numeric\"];\n"
    "if allof (header :contains \"subject\" [\"money\", \"cash\"],\n"
    "          not envelope :is \"from\" \"\") {\n"
    "    fileinto :copy \"Junk\";\n"
    "} elsif header :count \"gt\" :comparator \"i;ascii-numeric\" \"received\" \"5\" {\n"
    "    discard; stop;\n"
    "} else {\n"
    "    redirect \"archive@example.org\";\n"
    "}\n";

static const char msg[] = "From: a@example.com\r\nSubject: easy money\r\n\r\nbody\r\n";


static void compile_and_save(unsigned char **bytes, size_t *len)
{
    sieve_script *s;
    assert_int_equal(sieve_compile(st_engine, script, strlen(script), &s, NULL), 0);
    assert_int_equal(sieve_script_save(s, bytes, len), 0);
    sieve_script_free(s);
}

/* The result of running `s` as text ("fileinto Junk :copy;+keep"). */
static void describe(const sieve_script *s, char *out, size_t size)
{
    static const sieve_envelope env = {.struct_size = sizeof(sieve_envelope),
                                       .from = "a@example.com", .to = "b@example.org"};
    sieve_result *r;
    int rc = sieve_run(s, msg, strlen(msg), &env, NULL, &r, NULL);
    snprintf(out, size, "rc=%d:", rc);
    for (size_t i = 0; r && i < sieve_result_count(r); i++) {
        int type;
        const char *target;
        unsigned opt;
        sieve_result_action(r, i, &type, &target, NULL, &opt);
        size_t n = strlen(out);
        snprintf(out + n, size - n, "%s %s%s;", sieve_action_name(type), target,
                 opt & SIEVE_ACTION_COPY ? " :copy" : "");
    }
    if (sieve_result_implicit_keep(r))
        strncat(out, "+keep", size - strlen(out) - 1);
    sieve_result_free(r);
}

static void saved_bytes_load_and_run_the_same(void **state)
{
    (void)state;
    unsigned char *bytes;
    size_t len;
    compile_and_save(&bytes, &len);
    assert_memory_equal(bytes, "SVBC", 4);
    sieve_script *a, *b;
    assert_int_equal(sieve_compile(st_engine, script, strlen(script), &a, NULL), 0);
    assert_int_equal(sieve_script_load(st_engine, bytes, len, &b), 0);
    char ra[256], rb[256];
    describe(a, ra, sizeof ra);
    describe(b, rb, sizeof rb);
    assert_string_equal(ra, "rc=0:fileinto Junk :copy;+keep");
    assert_string_equal(ra, rb);
    /* Saving the loaded script gives the same bytes. */
    unsigned char *again;
    size_t again_len;
    assert_int_equal(sieve_script_save(b, &again, &again_len), 0);
    assert_int_equal(again_len, len);
    assert_memory_equal(again, bytes, len);
    sieve_free(again);
    sieve_script_free(a);
    sieve_script_free(b);
    sieve_free(bytes);
}

static void cut_short_is_refused(void **state)
{
    (void)state;
    unsigned char *bytes;
    size_t len;
    compile_and_save(&bytes, &len);
    for (size_t n = 0; n < len; n++) {
        sieve_script *s = NULL;
        assert_int_equal(sieve_script_load(st_engine, bytes, n, &s), SIEVE_E_SYNTAX);
        assert_null(s);
    }
    sieve_free(bytes);
}

/* Every single-octet change either is refused or loads a script that runs to an answer. */
static void any_changed_octet_is_refused_or_runs(void **state)
{
    (void)state;
    unsigned char *bytes;
    size_t len;
    compile_and_save(&bytes, &len);
    unsigned char *copy = malloc(len);
    assert_non_null(copy);
    size_t refused = 0, loaded = 0;
    static const unsigned char deltas[] = {0x01, 0x80, 0xff, 0x10};
    for (size_t i = 0; i < len; i++)
        for (size_t k = 0; k < sizeof deltas; k++) {
            memcpy(copy, bytes, len);
            copy[i] ^= deltas[k];
            sieve_script *s = NULL;
            int rc = sieve_script_load(st_engine, copy, len, &s);
            if (rc) {
                assert_true(rc == SIEVE_E_SYNTAX || rc == SIEVE_E_UNSUPPORTED);
                refused++;
                continue;
            }
            loaded++;
            char out[512];
            describe(s, out, sizeof out);
            sieve_script_free(s);
        }
    assert_true(refused > 0);
    assert_true(loaded > 0); /* a changed string octet is still a valid script */
    free(copy);
    sieve_free(bytes);
}

static void other_versions_and_disabled_extensions_are_refused(void **state)
{
    (void)state;
    unsigned char *bytes;
    size_t len;
    compile_and_save(&bytes, &len);
    sieve_script *s = NULL;
    bytes[4] ^= 0x7f; /* the version */
    assert_int_equal(sieve_script_load(st_engine, bytes, len, &s), SIEVE_E_SYNTAX);
    bytes[4] ^= 0x7f;
    sieve_options o;
    sieve_options_init(&o);
    o.disabled_extensions = "copy";
    sieve_engine *e;
    assert_int_equal(sieve_engine_new(&o, &e), 0);
    assert_int_equal(sieve_script_load(e, bytes, len, &s), SIEVE_E_UNSUPPORTED);
    sieve_engine_free(e);
    assert_int_equal(sieve_script_load(st_engine, "not bytecode", 12, &s), SIEVE_E_SYNTAX);
    assert_int_equal(sieve_script_load(st_engine, NULL, 0, &s), SIEVE_E_SYNTAX);
    assert_int_equal(sieve_script_load(NULL, bytes, len, &s), SIEVE_E_INVAL);
    sieve_free(bytes);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(saved_bytes_load_and_run_the_same),
        cmocka_unit_test(cut_short_is_refused),
        cmocka_unit_test(any_changed_octet_is_refused_or_runs),
        cmocka_unit_test(other_versions_and_disabled_extensions_are_refused),
    };
    return cmocka_run_group_tests(tests, st_setup, st_teardown);
}
