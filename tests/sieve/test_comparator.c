/* test_comparator.c — comparator names, i;octet, i;ascii-casemap, i;ascii-numeric (RFC 4790)
 * and i;unicode-casemap (RFC 5051): equality, ordering and substring. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "comparator.h"

static int order(int cmp, const char *a, const char *b)
{
    int o = 99;
    assert_int_equal(sv_comparator_order(cmp, a, strlen(a), b, strlen(b), &o), 0);
    return o;
}

static int contains(int cmp, const char *v, const char *k)
{
    int found = -1;
    assert_int_equal(sv_comparator_contains(cmp, v, strlen(v), k, strlen(k), &found), 0);
    return found;
}

static void names_round_trip_and_unknown_ones_fail(void **state)
{
    (void)state;
    assert_int_equal(sv_comparator_from_name("i;octet", 7), SV_CMP_OCTET);
    assert_int_equal(sv_comparator_from_name("i;ascii-casemap", 15), SV_CMP_ASCII_CASEMAP);
    assert_int_equal(sv_comparator_from_name("i;ascii-numeric", 15), SV_CMP_ASCII_NUMERIC);
    assert_int_equal(sv_comparator_from_name("i;unicode-casemap", 17), SV_CMP_UNICODE_CASEMAP);
    assert_int_equal(sv_comparator_from_name("i;octe", 6), -1);
    assert_int_equal(sv_comparator_from_name("i;octets", 8), -1);
    assert_int_equal(sv_comparator_from_name("", 0), -1);
    assert_int_equal(sv_comparator_from_name("i;basic", 7), -1);
    for (int c = SV_CMP_OCTET; c <= SV_CMP_UNICODE_CASEMAP; c++) {
        const char *n = sv_comparator_name(c);
        assert_non_null(n);
        assert_int_equal(sv_comparator_from_name(n, strlen(n)), c);
    }
    assert_null(sv_comparator_name(-1));
    assert_null(sv_comparator_name(4));
}

static void relations_are_named_ignoring_case(void **state)
{
    (void)state;
    assert_int_equal(sv_relation_from_name("gt", 2), SV_REL_GT);
    assert_int_equal(sv_relation_from_name("GE", 2), SV_REL_GE);
    assert_int_equal(sv_relation_from_name("lt", 2), SV_REL_LT);
    assert_int_equal(sv_relation_from_name("Le", 2), SV_REL_LE);
    assert_int_equal(sv_relation_from_name("eq", 2), SV_REL_EQ);
    assert_int_equal(sv_relation_from_name("ne", 2), SV_REL_NE);
    assert_int_equal(sv_relation_from_name("equal", 5), -1);
    assert_int_equal(sv_relation_from_name("g", 1), -1);
    assert_int_equal(sv_relation_from_name("", 0), -1);
}

static void ascii_numeric_has_no_substring_match(void **state)
{
    (void)state;
    assert_true(sv_comparator_supports(SV_CMP_ASCII_NUMERIC, SV_MATCH_IS));
    assert_true(sv_comparator_supports(SV_CMP_ASCII_NUMERIC, SV_MATCH_VALUE));
    assert_true(sv_comparator_supports(SV_CMP_ASCII_NUMERIC, SV_MATCH_COUNT));
    assert_false(sv_comparator_supports(SV_CMP_ASCII_NUMERIC, SV_MATCH_CONTAINS));
    assert_false(sv_comparator_supports(SV_CMP_ASCII_NUMERIC, SV_MATCH_MATCHES));
    assert_false(sv_comparator_supports(SV_CMP_ASCII_NUMERIC, SV_MATCH_REGEX));
    assert_true(sv_comparator_supports(SV_CMP_OCTET, SV_MATCH_REGEX));
    assert_true(sv_comparator_supports(SV_CMP_ASCII_CASEMAP, SV_MATCH_REGEX));
    assert_false(sv_comparator_supports(SV_CMP_UNICODE_CASEMAP, SV_MATCH_REGEX));
    assert_true(sv_comparator_supports(SV_CMP_UNICODE_CASEMAP, SV_MATCH_MATCHES));
    assert_false(sv_comparator_supports(9, SV_MATCH_IS));
    assert_false(sv_comparator_supports(SV_CMP_OCTET, 42));
    int found;
    assert_int_equal(sv_comparator_contains(SV_CMP_ASCII_NUMERIC, "1", 1, "1", 1, &found),
                     SIEVE_E_UNSUPPORTED);
}

/* Pigeonhole relational/comparators.svtest, i;octet block. */
static void octet_orders_by_octets(void **state)
{
    (void)state;
    assert_int_equal(order(SV_CMP_OCTET, "", ""), 0);
    assert_true(order(SV_CMP_OCTET, "a", "") > 0);
    assert_true(order(SV_CMP_OCTET, "", "a") < 0);
    assert_true(order(SV_CMP_OCTET, "ab", "a") > 0);
    assert_true(order(SV_CMP_OCTET, "ba", "ab") > 0);
    assert_int_equal(order(SV_CMP_OCTET, "abcd", "abcd"), 0);
    assert_true(order(SV_CMP_OCTET, "abcce", "abcde") < 0);
    assert_true(order(SV_CMP_OCTET, "abcce", "abcd") < 0);
    assert_true(order(SV_CMP_OCTET, "abcd", "abcce") > 0);
    assert_true(order(SV_CMP_OCTET, "Z", "b") < 0);
    assert_true(order(SV_CMP_OCTET, "abcdzyx", "aaaaaaa") > 0);
    assert_true(order(SV_CMP_OCTET, "\xff", "a") > 0);   /* octets are unsigned */
    assert_true(order(SV_CMP_OCTET, "A", "a") != 0);
}

/* RFC 4790 §9.2: a-z map to A-Z first, so letters sort after "_" either way. */
static void ascii_casemap_orders_uppercased(void **state)
{
    (void)state;
    assert_int_equal(order(SV_CMP_ASCII_CASEMAP, "", ""), 0);
    assert_int_equal(order(SV_CMP_ASCII_CASEMAP, "HeLLo", "hello"), 0);
    assert_true(order(SV_CMP_ASCII_CASEMAP, "Z", "b") > 0);
    assert_true(order(SV_CMP_ASCII_CASEMAP, "abcce", "abcd") < 0);
    assert_true(order(SV_CMP_ASCII_CASEMAP, "ba", "ab") > 0);
    assert_true(order(SV_CMP_ASCII_CASEMAP, "_", "a") > 0);
    assert_true(order(SV_CMP_ASCII_CASEMAP, "_", "A") > 0);
    assert_true(order(SV_CMP_ASCII_CASEMAP, "\xc3\xa9", "\xc3\x89") != 0);   /* é vs É */
}

/* Pigeonhole relational/comparators.svtest, i;ascii-numeric block. */
static void ascii_numeric_reads_leading_digits_and_infinity(void **state)
{
    (void)state;
    int c = SV_CMP_ASCII_NUMERIC;
    assert_int_equal(order(c, "", ""), 0);
    assert_int_equal(order(c, "a", ""), 0);
    assert_int_equal(order(c, "a", "b"), 0);
    assert_true(order(c, "a", "0") > 0);
    assert_true(order(c, "0", "a") < 0);
    assert_int_equal(order(c, "0", "0"), 0);
    assert_true(order(c, "2", "1") > 0);
    assert_true(order(c, "65535", "65635") < 0);
    assert_int_equal(order(c, "0", "000"), 0);
    assert_int_equal(order(c, "0002", "02"), 0);
    assert_true(order(c, "2", "001") > 0);
    assert_true(order(c, "1", "002") < 0);
    assert_int_equal(order(c, "300", "00300"), 0);
    assert_int_equal(order(c, "12abc", "12"), 0);          /* only the leading digits */
    assert_true(order(c, "300", "") < 0);                 /* "" is infinity */
    /* Far past 64 bits. */
    assert_true(order(c, "123456789012345678901234567890", "123456789012345678901234567891") < 0);
    assert_true(order(c, "99999999999999999999999", "100000000000000000000000") < 0);
    assert_true(order(c, "-1", "5") > 0);                 /* a sign is not a digit */
}

/* RFC 5051 §2: titlecase, then decomposition; compared as octets. */
static void unicode_casemap_folds_case_and_decomposes(void **state)
{
    (void)state;
    int c = SV_CMP_UNICODE_CASEMAP;
    assert_int_equal(order(c, "T\xc3\x88ST", "t\xc3\xa8st"), 0);           /* TÈST / tèst */
    assert_int_equal(order(c, "\xc3\xa8", "e\xcc\x80"), 0);                 /* è / e + U+0300 */
    assert_int_equal(order(c, "\xce\xa3\xce\xb1", "\xcf\x83\xce\x91"), 0);  /* Σα / σΑ */
    assert_int_equal(order(c, "\xef\xbd\x81", "A"), 0);                     /* fullwidth a */
    assert_int_equal(order(c, "\xc7\x86", "\xc7\x84"), 0);                  /* ǆ / Ǆ */
    assert_int_equal(order(c, "hello", "HELLO"), 0);
    assert_true(order(c, "a", "b") < 0);
    assert_true(order(c, "\xc3\x9f", "ss") != 0);   /* ß has no simple titlecase mapping */
    /* Not UTF-8: the octets as they are (RFC 5051 §2 step 1b). */
    assert_true(order(c, "t\xffst", "T\xffST") != 0);
    assert_int_equal(order(c, "t\xffst", "t\xffst"), 0);
}

/* Pigeonhole comparators/i-*.svtest and match-types/contains.svtest. */
static void contains_under_each_comparator(void **state)
{
    (void)state;
    const char *xa = "This is a TEST header";
    assert_true(contains(SV_CMP_OCTET, xa, "TEST"));
    assert_false(contains(SV_CMP_OCTET, xa, "test"));
    assert_true(contains(SV_CMP_ASCII_CASEMAP, xa, "TEST"));
    assert_true(contains(SV_CMP_ASCII_CASEMAP, xa, "test"));
    assert_true(contains(SV_CMP_ASCII_CASEMAP, "", ""));
    assert_true(contains(SV_CMP_OCTET, "f fr fro frop frob frobn frobnitzn", ""));
    assert_true(contains(SV_CMP_ASCII_CASEMAP, "f fr fro frop frob frobn frobnitzn", "frobnitzn"));
    assert_false(contains(SV_CMP_ASCII_CASEMAP, "f fr fro frop frob frobn frobnitzn", "frobnitzm"));
    assert_true(contains(SV_CMP_ASCII_CASEMAP, "stephan@example.org", "EXAMPLE"));
    assert_false(contains(SV_CMP_OCTET, "ab", "abc"));
    assert_true(contains(SV_CMP_OCTET, "aaaaaaab", "aaab"));   /* KMP fallback path */
    assert_true(contains(SV_CMP_OCTET, "abababc", "ababc"));
    const char *ux = "This is a header with T\xc3\x88ST";
    assert_true(contains(SV_CMP_UNICODE_CASEMAP, ux, "T\xc3\x88ST"));
    assert_true(contains(SV_CMP_UNICODE_CASEMAP, ux, "t\xc3\xa8st"));
    assert_false(contains(SV_CMP_UNICODE_CASEMAP, ux, "t\xffst"));
    assert_false(contains(SV_CMP_OCTET, ux, "t\xc3\xa8st"));
}

/* A long key (heap failure table) over a long value stays linear. */
static void contains_long_key_is_linear(void **state)
{
    (void)state;
    static char v[1 << 20], k[1 << 16];
    memset(v, 'a', sizeof v - 1);
    memset(k, 'a', sizeof k - 1);
    k[sizeof k - 2] = 'b';
    assert_false(contains(SV_CMP_ASCII_CASEMAP, v, k));
    v[sizeof v - 2] = 'B';
    assert_true(contains(SV_CMP_ASCII_CASEMAP, v, k));
}

static void prepared_unicode_maps_back_to_characters(void **state)
{
    (void)state;
    sv_prepared p;
    /* "aè" → "AE\u0300": A at 0, E at 1, the combining mark inside è. */
    assert_int_equal(sv_prepare(SV_CMP_UNICODE_CASEMAP, "a\xc3\xa8", 3, 1, &p), 0);
    assert_int_equal(p.len, 4);
    assert_memory_equal(p.s, "AE\xcc\x80", 4);
    assert_non_null(p.map);
    assert_int_equal(p.map[0], 0);
    assert_int_equal(p.map[1], 1);
    assert_int_equal(p.map[2], SV_PREP_MID);
    assert_int_equal(p.map[3], SV_PREP_MID);
    assert_int_equal(p.map[4], 3);
    sv_prepared_free(&p);
    assert_int_equal(sv_prepare(SV_CMP_OCTET, "abc", 3, 1, &p), 0);
    assert_null(p.map);
    assert_false(p.fold);
    sv_prepared_free(&p);
    assert_int_equal(sv_prepare(SV_CMP_ASCII_CASEMAP, "abc", 3, 1, &p), 0);
    assert_true(p.fold);
    sv_prepared_free(&p);
    sv_prepared_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(names_round_trip_and_unknown_ones_fail),
        cmocka_unit_test(relations_are_named_ignoring_case),
        cmocka_unit_test(ascii_numeric_has_no_substring_match),
        cmocka_unit_test(octet_orders_by_octets),
        cmocka_unit_test(ascii_casemap_orders_uppercased),
        cmocka_unit_test(ascii_numeric_reads_leading_digits_and_infinity),
        cmocka_unit_test(unicode_casemap_folds_case_and_decomposes),
        cmocka_unit_test(contains_under_each_comparator),
        cmocka_unit_test(contains_long_key_is_linear),
        cmocka_unit_test(prepared_unicode_maps_back_to_characters),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
