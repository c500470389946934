/* test_regex.c — :regex (draft-ietf-sieve-regex): POSIX extended syntax on ICU, groups as
 * match variables, comparators, errors and limits. Vectors from Pigeonhole's
 * extensions/regex tests. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "sieve_internal.h"

static int rx_cmp(int cmp, const char *v, const char *k)
{
    sv_matcher m = {cmp, SV_MATCH_REGEX, 0, 0, 0};
    return sv_match(&m, v, strlen(v), k, strlen(k), NULL);
}

static int rx(const char *v, const char *k)
{
    return rx_cmp(SV_CMP_ASCII_CASEMAP, v, k);
}

static int valid(const char *k)
{
    return sv_regex_valid(k, strlen(k), SV_CMP_ASCII_CASEMAP, 0);
}

static void expect_groups(const char *v, const char *k, const char *const *want)
{
    sv_captures c;
    sv_captures_init(&c);
    sv_matcher m = {SV_CMP_ASCII_CASEMAP, SV_MATCH_REGEX, 0, 0, 0};
    assert_int_equal(sv_match(&m, v, strlen(v), k, strlen(k), &c), 1);
    size_t n = 0;
    while (want[n])
        n++;
    assert_int_equal(c.count, n);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(c.value[i].len, strlen(want[i]));
        if (c.value[i].len)
            assert_memory_equal(c.value[i].data, want[i], c.value[i].len);
    }
    sv_captures_free(&c);
}

#define CAPS(...) ((const char *const[]){__VA_ARGS__, NULL})

/* Pigeonhole extensions/regex/basic.svtest. */
static void regex_basic_examples(void **state)
{
    (void)state;
    const char *from = "stephan+sieve@friep.example.com";
    assert_int_equal(rx(from, "stephan(\\+.*)?@it\\.example\\.com"), 0);
    assert_int_equal(rx(from, "stephan(\\+.*)?@friep\\.example\\.com"), 1);
    assert_int_equal(rx("nico@nl.example.com", ".*\\.uk"), 0);
    assert_int_equal(rx("sirius@fi.example.com", ".*fi\\..*"), 1);
    expect_groups(from, "stephan[+](sieve)@friep.example.com", CAPS(from, "sieve"));
    /* Unanchored: a match anywhere counts; ^ and $ anchor. */
    assert_int_equal(rx("xxabcxx", "abc"), 1);
    assert_int_equal(rx("xxabcxx", "^abc"), 0);
    assert_int_equal(rx("xxabc", "abc$"), 1);
    assert_int_equal(rx("abc\n", "abc$"), 0);   /* POSIX $ is the very end */
    assert_int_equal(rx("a\nb", "a.b"), 1);     /* and . matches a line end */
}

/* Pigeonhole extensions/regex/match-values.svtest. */
static void regex_groups_are_match_variables(void **state)
{
    (void)state;
    const char *sender = "antlr-interest-bounces@ant.example.com";
    expect_groups(sender, "([^-@]*)-([^-@]*)(-bounces)?@ant.example.com",
                  CAPS(sender, "antlr", "interest", "-bounces"));
    expect_groups(sender, "(.*>[ \\t]*,?[ \\t]*)?([^-@]*)-([^-@]*)(-bounces)?@ant.example.com",
                  CAPS(sender, "", "antlr", "interest", "-bounces"));
    const char *abc = "abcdefghijklmnopqrstuvwxyz";
    sv_captures c;
    sv_captures_init(&c);
    sv_matcher m = {SV_CMP_ASCII_CASEMAP, SV_MATCH_REGEX, 0, 0, 0};
    const char *k = "(.)(.)(.)(.)(.)(.)(.)(.)(.)(.)(.)(.)(.)"
                    "(.)(.)(.)(.)(.)(.)(.)(.)(.)(.)(.)(.)(.)";
    assert_int_equal(sv_match(&m, abc, 26, k, strlen(k), &c), 1);
    assert_int_equal(c.count, 27);
    for (size_t i = 1; i <= 26; i++) {
        assert_int_equal(c.value[i].len, 1);
        assert_int_equal(c.value[i].data[0], 'a' + (int)i - 1);
    }
    /* ${0} is what the whole expression matched. */
    assert_int_equal(sv_match(&m, "xx42yy", 6, "[0-9]+", 6, &c), 1);
    assert_int_equal(c.count, 1);
    assert_string_equal(c.value[0].data, "42");
    /* Groups past the last variable are dropped. */
    char many[200] = "";
    for (int i = 0; i < 40; i++)
        strcat(many, "(a)");
    char as[41];
    memset(as, 'a', 40);
    as[40] = '\0';
    assert_int_equal(sv_match(&m, as, 40, many, strlen(many), &c), 1);
    assert_int_equal(c.count, SV_MAX_CAPTURES);
    sv_captures_free(&c);
}

static void regex_groups_map_back_to_utf8(void **state)
{
    (void)state;
    expect_groups("caf\xc3\xa9 \xf0\x9f\x98\x80!", "(.) (.)!",
                  CAPS("\xc3\xa9 \xf0\x9f\x98\x80!", "\xc3\xa9", "\xf0\x9f\x98\x80"));
    /* Octets that are not UTF-8 are characters too and come back as they were. */
    expect_groups("a\xff" "b", "a(.)b", CAPS("a\xff" "b", "\xff"));
}

static void regex_comparators(void **state)
{
    (void)state;
    assert_int_equal(rx_cmp(SV_CMP_ASCII_CASEMAP, "FROP", "frop"), 1);
    assert_int_equal(rx_cmp(SV_CMP_OCTET, "FROP", "frop"), 0);
    assert_int_equal(rx_cmp(SV_CMP_OCTET, "frop", "frop"), 1);
    /* i;ascii-casemap folds ASCII letters only (RFC 4790 §9.2). */
    assert_int_equal(rx_cmp(SV_CMP_ASCII_CASEMAP, "\xe2\x84\xaa", "k"), 0);   /* KELVIN SIGN */
    assert_int_equal(rx_cmp(SV_CMP_ASCII_CASEMAP, "\xc3\x89", "\xc3\xa9"), 0);   /* É vs é */
    assert_int_equal(rx_cmp(SV_CMP_ASCII_CASEMAP, "A", "^[^a]$"), 0);
    assert_int_equal(rx_cmp(SV_CMP_ASCII_CASEMAP, "B", "^[a-c]$"), 1);
    assert_int_equal(rx_cmp(SV_CMP_ASCII_CASEMAP, "b", "^[[:upper:]]$"), 1);
    assert_int_equal(rx_cmp(SV_CMP_OCTET, "b", "^[[:upper:]]$"), 0);
    assert_int_equal(rx_cmp(SV_CMP_ASCII_CASEMAP, "_", "^[Z-a]$"), 1);
    assert_int_equal(rx_cmp(SV_CMP_ASCII_CASEMAP, "z", "^[Z-a]$"), 1);
    assert_int_equal(rx_cmp(SV_CMP_ASCII_CASEMAP, "Q", "^\\q$"), 1);
    assert_int_equal(rx_cmp(SV_CMP_ASCII_NUMERIC, "1", "1"), SIEVE_E_INVAL);
    assert_int_equal(rx_cmp(SV_CMP_UNICODE_CASEMAP, "a", "a"), SIEVE_E_INVAL);
    assert_false(sv_regex_valid("a", 1, SV_CMP_ASCII_NUMERIC, 0));
    assert_false(sv_regex_valid("a", 1, SV_CMP_UNICODE_CASEMAP, 0));
    assert_true(sv_regex_valid("a", 1, SV_CMP_OCTET, 0));
}

/* Pigeonhole extensions/regex/errors: "(+", "[]ample", a lone "[". */
static void regex_errors_are_syntax(void **state)
{
    (void)state;
    assert_false(valid("sirius(+\\+.*)?@friep\\.example\\.com"));
    assert_false(valid("sirius(\\+.*)?@friep\\.ex[]ample.com"));
    assert_false(valid("["));
    assert_int_equal(rx("to@example.com", "["), SIEVE_E_SYNTAX);
    assert_false(valid("*a"));
    assert_false(valid("a|*b"));
    assert_false(valid("(a"));
    assert_false(valid("a)"));
    assert_false(valid("a\\"));
    assert_false(valid("a{2,1}"));
    assert_false(valid("a{1,256}"));
    assert_false(valid("a{1"));
    assert_false(valid("[[:nonsense:]]"));
    assert_false(valid("[z-a]"));
    assert_false(valid("\xff"));
    assert_false(valid("[[:ALPHA:]]"));              /* class names are case-sensitive */
    assert_int_equal(sv_regex_valid("a\\\0", 3, SV_CMP_OCTET, 0), 1);   /* "\" + NUL: a NUL */
    assert_true(valid(""));
    assert_true(valid("sirius(\\+.*)?@friep\\.example\\.com"));
    assert_true(valid("a{1,255}"));
    assert_true(valid("()"));
}

/* What POSIX reads differently from ICU's own syntax. */
static void regex_posix_syntax(void **state)
{
    (void)state;
    assert_int_equal(rx("a]b", "[]]"), 1);               /* "]" first is a member */
    assert_int_equal(rx("x", "[^]]"), 1);
    assert_int_equal(rx("]", "[^]]"), 0);
    assert_int_equal(rx("a\\b", "a[\\]b"), 1);          /* "\" in brackets is itself */
    assert_int_equal(rx("a-b", "a[x-]b"), 1);
    assert_int_equal(rx("a&b", "a[&&]b"), 1);           /* no ICU set operators */
    assert_int_equal(rx("a b", "a[ ]b"), 1);
    assert_int_equal(rx("z9", "[[:alpha:]][[:digit:]]"), 1);
    assert_int_equal(rx("\xc3\xa9", "^[[:alpha:]]$"), 0);   /* C-locale classes */
    assert_int_equal(rx(" \t", "^[[:space:]]+$"), 1);
    assert_int_equal(rx("x.y", "x[[.period.]]y"), SIEVE_E_SYNTAX);
    assert_int_equal(rx("x.y", "x[[...]]y"), 1);
    assert_int_equal(rx("a{", "a{"), 1);                 /* not an interval: literal */
    assert_int_equal(rx("aaa", "^a{3}$"), 1);
    assert_int_equal(rx("aaaa", "^a{3}$"), 0);
    assert_int_equal(rx("aa", "^a{2,}$"), 1);
    assert_int_equal(rx("#x", "#x"), 1);                 /* ICU comment syntax is off */
    assert_int_equal(rx("aaa", "^a*?$"), 1);             /* (a*)? in POSIX, not lazy */
    assert_int_equal(rx("ab", "^a+?b$"), 1);
    assert_int_equal(rx("abab", "^(ab)\\1$"), 1);        /* back-reference */
    assert_int_equal(rx("foo bar", "\\<bar\\>"), 1);
    assert_int_equal(rx("foobar", "\\<bar"), 0);
    assert_int_equal(rx("(?i)", "\\(\\?i\\)"), 1);
    assert_false(valid("(?i)a"));                        /* not POSIX */
    assert_int_equal(rx("x\xe2\x82\xac", "x\xe2\x82\xac$"), 1);
}

/* Catastrophic backtracking stops at the time limit; long keys are refused. */
static void regex_limits(void **state)
{
    (void)state;
    static char v[4096];
    memset(v, 'a', sizeof v - 1);
    sv_matcher m = {SV_CMP_OCTET, SV_MATCH_REGEX, 0, 1, 0};
    const char *k = "^(a|aa)+(a|aa)+(a|aa)+$b";
    assert_int_equal(sv_match(&m, v, sizeof v - 1, k, strlen(k), NULL), SIEVE_E_LIMIT);
    static char key[8194];
    memset(key, 'a', sizeof key);
    assert_true(sv_regex_valid(key, 8192, SV_CMP_OCTET, 0));
    assert_false(sv_regex_valid(key, 8193, SV_CMP_OCTET, 0));
    m.regex_time_limit = 0;
    assert_int_equal(sv_match(&m, "a", 1, key, 8193, NULL), SIEVE_E_LIMIT);
    assert_int_equal(sv_match(&m, v, sizeof v - 1, key, 8192, NULL), 0);   /* 8 KiB of "a" */
}

/* SV_REGEX_NAMED_GROUPS (vnd.stalwart.expressions): "(?<name>…)" and "(?P<name>…)" are the
 * groups they would be without the name; without the flag they stay POSIX errors. */
static void regex_named_groups(void **state)
{
    (void)state;
    const char *k = "^(?<user>[a-z]+)@(?P<dom_1>[a-z.]+)$";
    assert_false(sv_regex_valid(k, strlen(k), SV_CMP_OCTET, 0));
    assert_true(sv_regex_valid(k, strlen(k), SV_CMP_OCTET, SV_REGEX_NAMED_GROUPS));
    sv_captures c;
    sv_captures_init(&c);
    sv_matcher m = {SV_CMP_OCTET, SV_MATCH_REGEX, 0, 0, SV_REGEX_NAMED_GROUPS};
    const char *v = "bill@example.net";
    assert_int_equal(sv_match(&m, v, strlen(v), k, strlen(k), &c), 1);
    assert_int_equal(c.count, 3);
    assert_int_equal(c.value[1].len, 4);
    assert_memory_equal(c.value[1].data, "bill", 4);
    assert_int_equal(c.value[2].len, 11);
    assert_memory_equal(c.value[2].data, "example.net", 11);
    sv_captures_free(&c);
    /* what is no name: a digit first, an empty name, lookbehind, no ">", a quantified group */
    static const char *const bad[] = {"(?<1a>x)", "(?<>x)", "(?<=x)", "(?<!x)", "(?<a",
                                      "(?<a>x", "(?<a>*x)", "(?Q<a>x)", "(?:x)"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_false(sv_regex_valid(bad[i], strlen(bad[i]), SV_CMP_OCTET, SV_REGEX_NAMED_GROUPS));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(regex_basic_examples),
        cmocka_unit_test(regex_groups_are_match_variables),
        cmocka_unit_test(regex_groups_map_back_to_utf8),
        cmocka_unit_test(regex_comparators),
        cmocka_unit_test(regex_errors_are_syntax),
        cmocka_unit_test(regex_posix_syntax),
        cmocka_unit_test(regex_limits),
        cmocka_unit_test(regex_named_groups),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
