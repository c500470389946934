/* test_variables.c — the variable store, names, "${…}" expansion and the "set" modifiers
 * (RFC 5229, RFC 5435 §4.6 :encodeurl, the regex draft's :quoteregex). Vectors from the RFCs
 * and from what Pigeonhole's variables tests expect. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "sieve_internal.h"

/* ---- helpers ------------------------------------------------------------------------------ */

static void set(sv_vars *v, const char *name, const char *value)
{
    assert_int_equal(sv_vars_set(v, name, strlen(name), value, strlen(value)), 0);
}

static void expect_var(const sv_vars *v, const char *name, const char *value)
{
    size_t len = 99;
    const char *got = sv_vars_get(v, name, strlen(name), &len);
    assert_non_null(got);
    assert_int_equal(len, strlen(value));
    assert_memory_equal(got, value, len);
}

/* Expands `s` with `v` and `caps`, no namespaces, no bound. */
static void expect_expand(const sv_vars *v, const sv_captures *caps, const char *s,
                          const char *want)
{
    lm_buf out = LM_BUF_INIT;
    assert_int_equal(sv_expand(s, strlen(s), v, caps, NULL, NULL, 0, &out), 0);
    assert_int_equal(out.len, strlen(want));
    assert_memory_equal(out.len ? out.data : "", want, out.len);
    lm_buf_free(&out);
}

static void expect_modified(unsigned mods, const char *s, size_t max, const char *want)
{
    lm_buf out = LM_BUF_INIT;
    assert_int_equal(sv_apply_modifiers(mods, s, strlen(s), max, &out), 0);
    assert_int_equal(out.len, strlen(want));
    assert_memory_equal(out.len ? out.data : "", want, out.len);
    lm_buf_free(&out);
}

/* The length of `s` after `mods` within `max`. */
static size_t modified_len(unsigned mods, const char *s, size_t len, size_t max)
{
    lm_buf out = LM_BUF_INIT;
    assert_int_equal(sv_apply_modifiers(mods, s, len, max, &out), 0);
    size_t n = out.len;
    lm_buf_free(&out);
    return n;
}

static void repeat(char *buf, const char *unit, size_t times)
{
    size_t n = strlen(unit);
    for (size_t i = 0; i < times; i++)
        memcpy(buf + i * n, unit, n);
    buf[times * n] = '\0';
}

/* ---- the store ---------------------------------------------------------------------------- */

static void names_compare_case_insensitively(void **state)
{
    (void)state;
    sv_vars *v;
    assert_int_equal(sv_vars_new(0, 0, &v), 0);
    set(v, "VeRyElAboRATeVaRIABLeName", "interesting value");
    expect_var(v, "veryelaboratevariablename", "interesting value");
    expect_var(v, "VERYELABORATEVARIABLENAME", "interesting value");
    sv_vars_free(v);
}

static void setting_again_overwrites(void **state)
{
    (void)state;
    sv_vars *v;
    assert_int_equal(sv_vars_new(0, 0, &v), 0);
    set(v, "test", "Value");
    set(v, "test2", "More");
    set(v, "TEST", "Other");
    expect_var(v, "test", "Other");
    expect_var(v, "test2", "More");
    set(v, "test", "");
    expect_var(v, "test", "");
    sv_vars_free(v);
}

static void unset_variable_reads_as_null(void **state)
{
    (void)state;
    sv_vars *v;
    assert_int_equal(sv_vars_new(0, 0, &v), 0);
    size_t len = 7;
    assert_null(sv_vars_get(v, "full", 4, &len));
    assert_int_equal(len, 0);
    assert_null(sv_vars_get(NULL, "full", 4, &len));
    sv_vars_free(v);
    sv_vars_free(NULL);
}

static void variable_count_limit(void **state)
{
    (void)state;
    sv_vars *v;
    assert_int_equal(sv_vars_new(3, 0, &v), 0);
    set(v, "a", "1");
    set(v, "b", "2");
    set(v, "c", "3");                                               /* on the limit */
    assert_int_equal(sv_vars_set(v, "d", 1, "4", 1), SIEVE_E_LIMIT); /* one past */
    set(v, "A", "overwrite is fine");
    expect_var(v, "a", "overwrite is fine");
    assert_null(sv_vars_get(v, "d", 1, NULL));
    sv_vars_free(v);
}

static void default_limit_is_255_variables(void **state)
{
    (void)state;
    sv_vars *v;
    assert_int_equal(sv_vars_new(0, 0, &v), 0);
    char name[16];
    for (int i = 1; i <= 255; i++) {
        snprintf(name, sizeof name, "var%03d", i);
        set(v, name, "value");
    }
    assert_int_equal(sv_vars_set(v, "var256", 6, "value", 5), SIEVE_E_LIMIT);
    sv_vars_free(v);
}

static void long_values_are_cut_at_the_size_limit(void **state)
{
    (void)state;
    sv_vars *v;
    assert_int_equal(sv_vars_new(0, 10, &v), 0);
    set(v, "a", "0123456789");                          /* on the limit */
    expect_var(v, "a", "0123456789");
    set(v, "a", "0123456789b");                         /* one past */
    expect_var(v, "a", "0123456789");
    /* A character that would not fit whole is left out (limits.svtest: 3999 + U+4E03). */
    set(v, "b", "012345678\xe4\xb8\x83");
    expect_var(v, "b", "012345678");
    set(v, "b", "0123456\xe4\xb8\x83");
    expect_var(v, "b", "0123456\xe4\xb8\x83");
    sv_vars_free(v);
}

static void size_limit_can_change_during_a_run(void **state)
{
    (void)state;
    sv_vars *v;
    assert_int_equal(sv_vars_new(0, 8, &v), 0);
    set(v, "a", "0123456789");
    expect_var(v, "a", "01234567");
    sv_vars_set_max_value(v, 4);
    expect_var(v, "a", "01234567"); /* set values stay */
    set(v, "b", "0123456789");
    expect_var(v, "b", "0123");
    sv_vars_set_max_value(v, 0);
    set(v, "a", "0123456789");
    expect_var(v, "a", "0123456789");
    sv_vars_set_max_value(NULL, 1);
    sv_vars_free(v);
}

static void default_size_limit_is_4096(void **state)
{
    (void)state;
    sv_vars *v;
    assert_int_equal(sv_vars_new(0, 0, &v), 0);
    static char big[5000];
    memset(big, 'x', sizeof big);
    assert_int_equal(sv_vars_set(v, "a", 1, big, 4097), 0);
    size_t len;
    assert_non_null(sv_vars_get(v, "a", 1, &len));
    assert_int_equal(len, 4096);
    sv_vars_free(v);
}

static void value_may_come_from_the_variable_itself(void **state)
{
    (void)state;
    sv_vars *v;
    assert_int_equal(sv_vars_new(0, 4, &v), 0);
    set(v, "a", "abcd");
    size_t len;
    const char *cur = sv_vars_get(v, "a", 1, &len);
    assert_int_equal(sv_vars_set(v, "a", 1, cur + 1, 3), 0);
    expect_var(v, "a", "bcd");
    cur = sv_vars_get(v, "a", 1, &len);
    assert_int_equal(sv_vars_set(v, "a", 1, cur, len), 0);
    expect_var(v, "a", "bcd");
    sv_vars_free(v);
}

/* ---- names -------------------------------------------------------------------------------- */

static void identifiers_are_valid_names(void **state)
{
    (void)state;
    assert_true(sv_var_name_valid("company", 7, 0));
    assert_true(sv_var_name_valid("_x1", 3, 0));
    assert_true(sv_var_name_valid("first_name", 10, 0));
    assert_true(sv_var_name_valid("name", 4, 0)); /* "\n\a\m\e" once unescaped */
}

static void malformed_names_are_invalid(void **state)
{
    (void)state;
    /* errors/set.sieve of Pigeonhole's variables tests. */
    static const char *const bad[] = {"${frop}", "....", "name.", ".name", "0", "12",
                                      "1abc", "a-b", "a b", "", "a..b", "ä"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_false(sv_var_name_valid(bad[i], strlen(bad[i]), 0));
        assert_false(sv_var_name_valid(bad[i], strlen(bad[i]), 1));
    }
    assert_false(sv_var_name_valid(NULL, 0, 1));
}

static void namespaced_names_need_allow_namespace(void **state)
{
    (void)state;
    assert_false(sv_var_name_valid("namespace.frop", 14, 0));
    assert_true(sv_var_name_valid("namespace.frop", 14, 1));
    assert_true(sv_var_name_valid("env.1", 5, 1)); /* later parts may be numbers */
    assert_false(sv_var_name_valid("0.s", 3, 1));  /* the first may not */
}

static void name_part_length_limit(void **state)
{
    (void)state;
    char name[SV_MAX_VAR_NAME + 8];
    memset(name, 'v', sizeof name);
    assert_true(sv_var_name_valid(name, SV_MAX_VAR_NAME, 0));
    assert_false(sv_var_name_valid(name, SV_MAX_VAR_NAME + 1, 0));
    assert_true(sv_var_name_valid("var123456789012345678901234567890", 33, 0));
}

static void namespace_element_limit(void **state)
{
    (void)state;
    const char *four = "namespace.sub.sub.variable", *five = "namespace.sub.sub.sub.variable";
    assert_true(sv_var_name_valid(four, strlen(four), 1));
    assert_false(sv_var_name_valid(five, strlen(five), 1));
}

static void strings_with_references_are_not_constant(void **state)
{
    (void)state;
    static const char *const yes[] = {"${a}", "x${0}y", "${env.x}", "${0000002}", "$${a}",
                                      "${BAD${Company}"};
    static const char *const no[] = {"", "plain", "$", "${", "${}", "${a", "${$}", "${0.s}",
                                     "${doh!}", "${name.}", "$ {a}", "${ a}"};
    for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++)
        assert_true(sv_string_has_variables(yes[i], strlen(yes[i])));
    for (size_t i = 0; i < sizeof no / sizeof no[0]; i++)
        assert_false(sv_string_has_variables(no[i], strlen(no[i])));
}

/* ---- expansion ---------------------------------------------------------------------------- */

static void rfc5229_expansion_examples(void **state)
{
    (void)state;
    sv_vars *v;
    assert_int_equal(sv_vars_new(0, 0, &v), 0);
    set(v, "company", "ACME");
    expect_expand(v, NULL, "${full}", "");
    expect_expand(v, NULL, "${company}", "ACME");
    expect_expand(v, NULL, "${BAD${Company}", "${BADACME");
    expect_expand(v, NULL, "${President, ${Company} Inc.}", "${President, ACME Inc.}");
    sv_vars_free(v);
}

static void unknown_references_are_empty(void **state)
{
    (void)state;
    sv_vars *v;
    assert_int_equal(sv_vars_new(0, 0, &v), 0);
    set(v, "q", "a");
    set(v, "qwert", "ccc");
    expect_expand(v, NULL, "[${qwerty}]", "[]");
    expect_expand(v, NULL, "[${20}]", "[]");
    expect_expand(NULL, NULL, "[${x}]", "[]");
    sv_vars_free(v);
}

static void malformed_references_stay_as_written(void **state)
{
    (void)state;
    sv_vars *v;
    assert_int_equal(sv_vars_new(0, 0, &v), 0);
    set(v, "variable", "nonsense");
    static const char *const same[] = {"$",       "${",     "${a",     "${$}",   "${%%%%}",
                                       "${0.s}",  "&%${}!", "${doh!}", "${ a}",  "${a }",
                                       "${a.}",   "${.a}",  "${a..b}", "$$",     "}${"};
    for (size_t i = 0; i < sizeof same / sizeof same[0]; i++)
        expect_expand(v, NULL, same[i], same[i]);
    sv_vars_free(v);
}

static void expansion_is_one_pass(void **state)
{
    (void)state;
    sv_vars *v;
    assert_int_equal(sv_vars_new(0, 0, &v), 0);
    set(v, "something", "value");
    set(v, "s", "$");
    set(v, "r", "${something}");
    expect_expand(v, NULL, "${s}{something}", "${something}");
    expect_expand(v, NULL, "${r}", "${something}");
    set(v, "a", "the monkey");
    set(v, "e", "eats");
    set(v, "b", "a nut");
    expect_expand(v, NULL, "${a} ${e} ${b}", "the monkey eats a nut");
    sv_vars_free(v);
}

static void match_variables_with_leading_zeros(void **state)
{
    (void)state;
    sv_captures caps;
    memset(&caps, 0, sizeof caps); /* filled by hand: match.c is not under test here */
    static const char *const values[] = {"frop:frup:frop", "frop", "frup", "frop"};
    for (size_t i = 0; i < 4; i++)
        assert_int_equal(lm_buf_puts(&caps.value[i], values[i]), 0);
    caps.count = 4;
    expect_expand(NULL, &caps, "${0000002}", "frup");
    expect_expand(NULL, &caps, "${0}", "frop:frup:frop");
    expect_expand(NULL, &caps, "${1}:${2}:${3}", "frop:frup:frop");
    expect_expand(NULL, &caps, "[${4}]", "[]");                      /* out of range */
    expect_expand(NULL, &caps, "[${99999999999999999999999}]", "[]"); /* huge */
    expect_expand(NULL, &caps, "[${000000000000000000000001}]", "[frop]");
    expect_expand(NULL, NULL, "[${1}]", "[]");
    for (size_t i = 0; i < 4; i++)
        lm_buf_free(&caps.value[i]);
}

static int test_ns(void *user, const char *name, size_t len, lm_buf *out)
{
    int *calls = user;
    (*calls)++;
    if (len == 5 && !memcmp(name, "env.x", 5))
        return lm_buf_puts(out, "X-VALUE") ? SIEVE_E_NOMEM : 1;
    if (len == 8 && !memcmp(name, "env.fail", 8))
        return SIEVE_E_RUNTIME;
    if (len >= 4 && !memcmp(name, "env.", 4))
        return 1; /* known namespace, empty value */
    lm_buf_puts(out, "junk that must be dropped");
    return 0;
}

static void namespaced_references_go_to_the_callback(void **state)
{
    (void)state;
    int calls = 0;
    lm_buf out = LM_BUF_INIT;
    const char *s = "a${env.x}b${env.other}c${tst.path}d${complex.struct.frop}";
    assert_int_equal(sv_expand(s, strlen(s), NULL, NULL, test_ns, &calls, 0, &out), 0);
    assert_string_equal(out.data, "aX-VALUEbc${tst.path}d${complex.struct.frop}");
    assert_int_equal(calls, 4);
    lm_buf_reset(&out);
    assert_int_equal(sv_expand("${env.x}", 8, NULL, NULL, NULL, NULL, 0, &out), 0);
    assert_string_equal(out.data, "${env.x}"); /* no callback: stays as written */
    lm_buf_reset(&out);
    lm_buf_puts(&out, "keep:");
    assert_int_equal(sv_expand("1${env.fail}2", 13, NULL, NULL, test_ns, &calls, 0, &out),
                     SIEVE_E_RUNTIME);
    assert_string_equal(out.data, "keep:"); /* a failure leaves `out` as it was */
    lm_buf_free(&out);
}

static void expansion_appends_to_out(void **state)
{
    (void)state;
    sv_vars *v;
    assert_int_equal(sv_vars_new(0, 0, &v), 0);
    set(v, "x", "42");
    lm_buf out = LM_BUF_INIT;
    lm_buf_puts(&out, "pre:");
    assert_int_equal(sv_expand("${x}!", 5, v, NULL, NULL, NULL, 0, &out), 0);
    assert_string_equal(out.data, "pre:42!");
    lm_buf_free(&out);
    sv_vars_free(v);
}

static void expansion_size_limit(void **state)
{
    (void)state;
    sv_vars *v;
    assert_int_equal(sv_vars_new(0, 0, &v), 0);
    set(v, "a", "12345");
    lm_buf out = LM_BUF_INIT;
    lm_buf_puts(&out, "prefix");
    /* 10 octets on a limit of 10; the prefix already in `out` does not count. */
    assert_int_equal(sv_expand("${a}${a}", 8, v, NULL, NULL, NULL, 10, &out), 0);
    assert_string_equal(out.data, "prefix1234512345");
    lm_buf_reset(&out);
    assert_int_equal(sv_expand("${a}${a}!", 9, v, NULL, NULL, NULL, 10, &out), SIEVE_E_LIMIT);
    assert_int_equal(out.len, 0);
    assert_int_equal(sv_expand("12345678901", 11, v, NULL, NULL, NULL, 10, &out), SIEVE_E_LIMIT);
    int calls = 0;
    assert_int_equal(sv_expand("1234${env.x}", 12, NULL, NULL, test_ns, &calls, 10, &out),
                     SIEVE_E_LIMIT);
    assert_int_equal(sv_expand("123${env.x}", 11, NULL, NULL, test_ns, &calls, 10, &out), 0);
    assert_string_equal(out.data, "123X-VALUE");
    lm_buf_free(&out);
    sv_vars_free(v);
}

static void multiline_text_expands(void **state)
{
    (void)state;
    sv_vars *v;
    assert_int_equal(sv_vars_new(0, 0, &v), 0);
    set(v, "honorific", "Mr");
    set(v, "last_name", "Coyote");
    expect_expand(v, NULL, "Dear ${HONORIFIC} ${last_name},\r\nI'm out.\r\n",
                  "Dear Mr Coyote,\r\nI'm out.\r\n");
    sv_vars_free(v);
}

/* ---- modifiers ---------------------------------------------------------------------------- */

static void modifier_names_and_precedence(void **state)
{
    (void)state;
    assert_int_equal(sv_modifier_from_name("lower", 5), SV_MOD_LOWER);
    assert_int_equal(sv_modifier_from_name("UPPER", 5), SV_MOD_UPPER);
    assert_int_equal(sv_modifier_from_name("lowerfirst", 10), SV_MOD_LOWERFIRST);
    assert_int_equal(sv_modifier_from_name("upperfirst", 10), SV_MOD_UPPERFIRST);
    assert_int_equal(sv_modifier_from_name("quotewildcard", 13), SV_MOD_QUOTEWILDCARD);
    assert_int_equal(sv_modifier_from_name("quoteregex", 10), SV_MOD_QUOTEREGEX);
    assert_int_equal(sv_modifier_from_name("encodeurl", 9), SV_MOD_ENCODEURL);
    assert_int_equal(sv_modifier_from_name("length", 6), SV_MOD_LENGTH);
    assert_int_equal(sv_modifier_from_name("inner", 5), 0);
    assert_int_equal(sv_modifier_from_name("low", 3), 0);
    assert_int_equal(sv_modifier_precedence(SV_MOD_LOWER), 40);
    assert_int_equal(sv_modifier_precedence(SV_MOD_UPPER), 40);
    assert_int_equal(sv_modifier_precedence(SV_MOD_LOWERFIRST), 30);
    assert_int_equal(sv_modifier_precedence(SV_MOD_UPPERFIRST), 30);
    assert_int_equal(sv_modifier_precedence(SV_MOD_QUOTEWILDCARD), 20);
    assert_int_equal(sv_modifier_precedence(SV_MOD_QUOTEREGEX), 20);
    assert_int_equal(sv_modifier_precedence(SV_MOD_ENCODEURL), 15);
    assert_int_equal(sv_modifier_precedence(SV_MOD_LENGTH), 10);
    assert_int_equal(sv_modifier_precedence(SV_MOD_LOWER | SV_MOD_LENGTH), 0);
}

static void rfc5229_modifier_examples(void **state)
{
    (void)state;
    const char *a = "juMBlEd lETteRS";
    expect_modified(0, a, 0, "juMBlEd lETteRS");
    expect_modified(SV_MOD_LENGTH, a, 0, "15");
    expect_modified(SV_MOD_LOWER, a, 0, "jumbled letters");
    expect_modified(SV_MOD_UPPERFIRST, a, 0, "JuMBlEd lETteRS");
    expect_modified(SV_MOD_UPPERFIRST | SV_MOD_LOWER, a, 0, "Jumbled letters");
    expect_modified(SV_MOD_QUOTEWILDCARD, "Rock*", 0, "Rock\\*");
}

static void higher_precedence_applies_first(void **state)
{
    (void)state;
    expect_modified(SV_MOD_LOWER | SV_MOD_UPPERFIRST, "vAlUe", 0, "Value");
    expect_modified(SV_MOD_UPPER | SV_MOD_LOWERFIRST, "VaLuE", 0, "vALUE");
    expect_modified(SV_MOD_UPPER, "vAlUe", 0, "VALUE");
    /* :length last: of the quoted string. */
    expect_modified(SV_MOD_LENGTH | SV_MOD_QUOTEWILDCARD, "^^***??**^^", 0, "18");
    expect_modified(SV_MOD_LENGTH | SV_MOD_ENCODEURL, "a b", 0, "5");
    expect_modified(SV_MOD_ENCODEURL | SV_MOD_QUOTEWILDCARD, "a*", 0, "a%5C%2A");
}

static void length_counts_characters(void **state)
{
    (void)state;
    expect_modified(SV_MOD_LENGTH, "", 0, "0");
    expect_modified(SV_MOD_LENGTH, "VaLuE", 0, "5");
    expect_modified(SV_MOD_LENGTH, " abcdefghijklmnopqrstuvwxyz:1234567890  ", 0, "40");
    /* modifiers.svtest "Modifier :length utf8": 32 characters, 34 octets. */
    expect_modified(SV_MOD_LENGTH, "Das ist \xc3\xbc" "berhaupt nicht m\xc3\xb6glich.", 0, "32");
    expect_modified(SV_MOD_LENGTH, "\xf0\x9f\x98\x80", 0, "1");
    expect_modified(SV_MOD_LENGTH, "\xff\xfe" "a\xe4\xb8", 0, "5"); /* stray octets count one each */
}

static void quotewildcard_escapes_wildcards_and_backslash(void **state)
{
    (void)state;
    expect_modified(SV_MOD_QUOTEWILDCARD, "^^***??**^^", 0, "^^\\*\\*\\*\\?\\?\\*\\*^^");
    expect_modified(SV_MOD_QUOTEWILDCARD, "a\\b", 0, "a\\\\b");
    expect_modified(SV_MOD_QUOTEWILDCARD, "", 0, "");
}

static void quoteregex_escapes_regex_specials(void **state)
{
    (void)state;
    expect_modified(SV_MOD_QUOTEREGEX, "a.b*c", 0, "a\\.b\\*c");
    expect_modified(SV_MOD_QUOTEREGEX, "\\^$.[]|()*+?{}", 0,
                    "\\\\\\^\\$\\.\\[\\]\\|\\(\\)\\*\\+\\?\\{\\}");
    expect_modified(SV_MOD_QUOTEREGEX, "plain-text_1", 0, "plain-text_1");
}

static void encodeurl_percent_encodes_all_but_unreserved(void **state)
{
    (void)state;
    /* enotify/encodeurl.svtest ":encodeurl simple". */
    expect_modified(SV_MOD_ENCODEURL, "\\frop\\&fruts/^@", 0, "%5Cfrop%5C%26fruts%2F%5E%40");
    expect_modified(SV_MOD_ENCODEURL, "AZaz09-._~", 0, "AZaz09-._~");
    expect_modified(SV_MOD_ENCODEURL, "Safe body&evil=evilbody", 0,
                    "Safe%20body%26evil%3Devilbody");
    expect_modified(SV_MOD_ENCODEURL, "\xe4\xb8\x83\r\n", 0, "%E4%B8%83%0D%0A");
}

static void case_modifiers_map_unicode(void **state)
{
    (void)state;
    expect_modified(SV_MOD_LOWER, "\xc3\x84RGER \xce\xa3", 0, "\xc3\xa4rger \xcf\x83");
    expect_modified(SV_MOD_UPPER, "\xc3\xa4rger", 0, "\xc3\x84RGER");
    expect_modified(SV_MOD_UPPERFIRST, "\xc3\xa9lan", 0, "\xc3\x89lan");
    expect_modified(SV_MOD_LOWERFIRST, "\xc3\x89LAN", 0, "\xc3\xa9LAN");
    expect_modified(SV_MOD_UPPER, "a\xffz", 0, "A\xffZ"); /* stray octets pass through */
    expect_modified(SV_MOD_UPPERFIRST, "", 0, "");
}

static void modifiers_without_room_keep_escapes_whole(void **state)
{
    (void)state;
    /* limits.svtest ":quotewildcard variable size limit", scaled: 4000 → 10. */
    expect_modified(SV_MOD_QUOTEWILDCARD, "**********", 10, "\\*\\*\\*\\*\\*");
    expect_modified(SV_MOD_QUOTEWILDCARD, "0**********", 10, "0\\*\\*\\*\\*"); /* 9 */
    expect_modified(SV_MOD_ENCODEURL, "@@@@", 10, "%40%40%40"); /* 9: a fourth would not fit */
    expect_modified(SV_MOD_ENCODEURL, "0@@@@", 10, "0%40%40%40");
    expect_modified(SV_MOD_ENCODEURL, "\xe4\xb8\x83\xe4\xb8\x83", 10, "%E4%B8%83");
    /* The input is held to the limit first, at a character boundary. */
    expect_modified(0, "0123456789ab", 10, "0123456789");
    expect_modified(SV_MOD_UPPER, "012345678\xc3\xa4", 10, "012345678");
    expect_modified(SV_MOD_UPPERFIRST, "abcdefghijkl", 10, "Abcdefghij");
    expect_modified(SV_MOD_LENGTH, "abcdefghijkl", 10, "10");
}

static void pigeonhole_encodeurl_size_limits(void **state)
{
    (void)state;
    /* enotify/encodeurl.svtest with a 4000-octet limit: 160 lines of 23 "@" + CRLF. */
    static char a[4100], in[4200];
    a[0] = '\0';
    for (int i = 0; i < 160; i++)
        strcat(a, "@@@@@@@@@@@@@@@@@@@@@@@\r\n");
    assert_int_equal(strlen(a), 4000);
    assert_int_equal(modified_len(SV_MOD_ENCODEURL, a, 4000, 4000), 3999);
    snprintf(in, sizeof in, "0%s", a);
    assert_int_equal(modified_len(SV_MOD_ENCODEURL, in, strlen(in), 4000), 4000);
    snprintf(in, sizeof in, "00%s", a);
    assert_int_equal(modified_len(SV_MOD_ENCODEURL, in, strlen(in), 4000), 3998);

    /* The UTF-8 part: 78 lines of five U+4E03 + CRLF, then U+4E00s. */
    static char b[2000];
    b[0] = '\0';
    for (int i = 0; i < 78; i++) {
        char line[32];
        repeat(line, "\xe4\xb8\x83", 5);
        strcat(line, "\r\n");
        strcat(b, line);
    }
    const char *u4e00 = "\xe4\xb8\x80";
    assert_int_equal(modified_len(SV_MOD_ENCODEURL, b, strlen(b), 4000), 3978);
    snprintf(in, sizeof in, "%s%s%s", b, u4e00, u4e00);
    assert_int_equal(modified_len(SV_MOD_ENCODEURL, in, strlen(in), 4000), 3996);
    snprintf(in, sizeof in, "%s%s%s%s", b, u4e00, u4e00, u4e00);
    assert_int_equal(modified_len(SV_MOD_ENCODEURL, in, strlen(in), 4000), 3996);
    snprintf(in, sizeof in, "0000%s%s%s", b, u4e00, u4e00);
    assert_int_equal(modified_len(SV_MOD_ENCODEURL, in, strlen(in), 4000), 4000);
    snprintf(in, sizeof in, "00000%s%s%s", b, u4e00, u4e00);
    assert_int_equal(modified_len(SV_MOD_ENCODEURL, in, strlen(in), 4000), 3992);
}

static void pigeonhole_quotewildcard_size_limit(void **state)
{
    (void)state;
    static char c[4100], d[4100];
    memset(c, '*', 4000);
    c[4000] = '\0';
    assert_int_equal(modified_len(SV_MOD_QUOTEWILDCARD, c, 4000, 4000), 4000);
    d[0] = '0';
    memcpy(d + 1, c, 3999); /* "0${c}" cut to 4000 */
    assert_int_equal(modified_len(SV_MOD_QUOTEWILDCARD, d, 4000, 4000), 3999);
}

static void unknown_modifier_bits_are_refused(void **state)
{
    (void)state;
    lm_buf out = LM_BUF_INIT;
    assert_int_equal(sv_apply_modifiers(1u << 8, "x", 1, 0, &out), SIEVE_E_INVAL);
    assert_int_equal(out.len, 0);
    lm_buf_puts(&out, "keep:");
    assert_int_equal(sv_apply_modifiers(SV_MOD_UPPER, "x", 1, 0, &out), 0);
    assert_string_equal(out.data, "keep:X");
    lm_buf_free(&out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(names_compare_case_insensitively),
        cmocka_unit_test(setting_again_overwrites),
        cmocka_unit_test(unset_variable_reads_as_null),
        cmocka_unit_test(variable_count_limit),
        cmocka_unit_test(default_limit_is_255_variables),
        cmocka_unit_test(long_values_are_cut_at_the_size_limit),
        cmocka_unit_test(size_limit_can_change_during_a_run),
        cmocka_unit_test(default_size_limit_is_4096),
        cmocka_unit_test(value_may_come_from_the_variable_itself),
        cmocka_unit_test(identifiers_are_valid_names),
        cmocka_unit_test(malformed_names_are_invalid),
        cmocka_unit_test(namespaced_names_need_allow_namespace),
        cmocka_unit_test(name_part_length_limit),
        cmocka_unit_test(namespace_element_limit),
        cmocka_unit_test(strings_with_references_are_not_constant),
        cmocka_unit_test(rfc5229_expansion_examples),
        cmocka_unit_test(unknown_references_are_empty),
        cmocka_unit_test(malformed_references_stay_as_written),
        cmocka_unit_test(expansion_is_one_pass),
        cmocka_unit_test(match_variables_with_leading_zeros),
        cmocka_unit_test(namespaced_references_go_to_the_callback),
        cmocka_unit_test(expansion_appends_to_out),
        cmocka_unit_test(expansion_size_limit),
        cmocka_unit_test(multiline_text_expands),
        cmocka_unit_test(modifier_names_and_precedence),
        cmocka_unit_test(rfc5229_modifier_examples),
        cmocka_unit_test(higher_precedence_applies_first),
        cmocka_unit_test(length_counts_characters),
        cmocka_unit_test(quotewildcard_escapes_wildcards_and_backslash),
        cmocka_unit_test(quoteregex_escapes_regex_specials),
        cmocka_unit_test(encodeurl_percent_encodes_all_but_unreserved),
        cmocka_unit_test(case_modifiers_map_unicode),
        cmocka_unit_test(modifiers_without_room_keep_escapes_whole),
        cmocka_unit_test(pigeonhole_encodeurl_size_limits),
        cmocka_unit_test(pigeonhole_quotewildcard_size_limit),
        cmocka_unit_test(unknown_modifier_bits_are_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
