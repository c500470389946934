/* test_match.c — :is, :contains, :matches with match variables (RFC 5228 §2.7, RFC 5229
 * §3.2), :value and :count (RFC 5231). Vectors from Pigeonhole's match-types, relational and
 * variables/match tests. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "sieve_internal.h"

static int match(int cmp, int type, const char *v, const char *k)
{
    sv_matcher m = {cmp, type, 0, 0, 0};
    return sv_match(&m, v, strlen(v), k, strlen(k), NULL);
}

static int matches(const char *v, const char *k)
{
    return match(SV_CMP_ASCII_CASEMAP, SV_MATCH_MATCHES, v, k);
}

static int value(int cmp, int rel, const char *v, const char *k)
{
    sv_matcher m = {cmp, SV_MATCH_VALUE, rel, 0, 0};
    return sv_match(&m, v, strlen(v), k, strlen(k), NULL);
}

static int count(int rel, size_t n, const char *k)
{
    sv_matcher m = {SV_CMP_ASCII_NUMERIC, SV_MATCH_COUNT, rel, 0, 0};
    return sv_match_count(&m, n, k, strlen(k));
}

/* Matches `v` against `k` (i;ascii-casemap) and checks ${0}.. against the NULL-ended list. */
static void expect_caps_cmp(int cmp, const char *v, const char *k, const char *const *want)
{
    sv_captures c;
    sv_captures_init(&c);
    sv_matcher m = {cmp, SV_MATCH_MATCHES, 0, 0, 0};
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

static void expect_caps(const char *v, const char *k, const char *const *want)
{
    expect_caps_cmp(SV_CMP_ASCII_CASEMAP, v, k, want);
}

#define CAPS(...) ((const char *const[]){__VA_ARGS__, NULL})

static void is_compares_whole_values(void **state)
{
    (void)state;
    assert_int_equal(match(SV_CMP_ASCII_CASEMAP, SV_MATCH_IS, "Stephan Bosch", ""), 0);
    assert_int_equal(match(SV_CMP_ASCII_CASEMAP, SV_MATCH_IS, "", ""), 1);
    assert_int_equal(match(SV_CMP_ASCII_CASEMAP, SV_MATCH_IS, "Frop", "fROP"), 1);
    assert_int_equal(match(SV_CMP_OCTET, SV_MATCH_IS, "Frop", "fROP"), 0);
    assert_int_equal(match(SV_CMP_ASCII_NUMERIC, SV_MATCH_IS, "007", "7"), 1);
    assert_int_equal(match(SV_CMP_ASCII_NUMERIC, SV_MATCH_IS, "x", "y"), 1);
    assert_int_equal(match(SV_CMP_UNICODE_CASEMAP, SV_MATCH_IS, "T\xc3\x88ST", "t\xc3\xa8st"), 1);
}

static void contains_finds_substrings(void **state)
{
    (void)state;
    assert_int_equal(match(SV_CMP_ASCII_CASEMAP, SV_MATCH_CONTAINS, "", ""), 1);
    assert_int_equal(match(SV_CMP_ASCII_CASEMAP, SV_MATCH_CONTAINS, "stephan@example.org", "@"), 1);
    assert_int_equal(match(SV_CMP_ASCII_CASEMAP, SV_MATCH_CONTAINS, "frob@example.com", "frop"), 0);
}

static void bad_matchers_are_refused(void **state)
{
    (void)state;
    assert_int_equal(match(SV_CMP_ASCII_NUMERIC, SV_MATCH_CONTAINS, "1", "1"), SIEVE_E_INVAL);
    assert_int_equal(match(SV_CMP_ASCII_NUMERIC, SV_MATCH_MATCHES, "1", "1"), SIEVE_E_INVAL);
    assert_int_equal(match(7, SV_MATCH_IS, "1", "1"), SIEVE_E_INVAL);
    assert_int_equal(match(SV_CMP_OCTET, SV_MATCH_COUNT, "1", "1"), SIEVE_E_INVAL);
    assert_int_equal(match(SV_CMP_OCTET, 99, "1", "1"), SIEVE_E_INVAL);
    assert_int_equal(value(SV_CMP_OCTET, 17, "1", "1"), SIEVE_E_INVAL);
    assert_int_equal(sv_match(NULL, "a", 1, "a", 1, NULL), SIEVE_E_INVAL);
    sv_matcher m = {SV_CMP_OCTET, SV_MATCH_IS, 0, 0, 0};
    assert_int_equal(sv_match(&m, NULL, 0, NULL, 0, NULL), 1);
    assert_int_equal(sv_match(&m, NULL, 3, "a", 1, NULL), SIEVE_E_INVAL);
}

/* Pigeonhole match-types/matches.svtest. */
static void matches_wildcards(void **state)
{
    (void)state;
    assert_int_equal(matches("", ""), 1);
    assert_int_equal(matches("", "*"), 1);
    assert_int_equal(matches("", "?"), 0);
    const char *from = "stephan+sieve@friep.example.com";
    assert_int_equal(matches(from, "*@fri*p*examp*.com"), 1);
    assert_int_equal(matches(from, "*@f*pex*mple.com"), 0);
    assert_int_equal(matches(from, "stephan+sieve@friep.*"), 1);
    assert_int_equal(matches(from, "stepan+sieve@friep.*"), 0);
    assert_int_equal(matches(from, "*+sieve@friep.example.com"), 1);
    assert_int_equal(matches(from, "*+sieve@friep.example.om"), 0);
    assert_int_equal(matches(from, "stephan+sieve?friep.example.com"), 1);
    assert_int_equal(matches(from, "stephan+sieve?fiep.example.com"), 0);
    assert_int_equal(matches(from, "?tephan+sieve@friep.example.com"), 1);
    assert_int_equal(matches(from, "?tephan+sievefriep.example.com"), 0);
    assert_int_equal(matches(from, "stephan+sieve@friep.example.co?"), 1);
    assert_int_equal(matches(from, "sephan+sieve@friep.example.co?"), 0);
    assert_int_equal(matches(from, "?t?phan?sieve?fri?p.exampl?.co?"), 1);
    assert_int_equal(matches(from, "?t?phan?sieve?fiep.exam?le.co?"), 0);
    const char *subject = "make your money very fast!!!";
    assert_int_equal(matches(subject, "make your *"), 1);
    assert_int_equal(matches(subject, "* very fast!!!"), 1);
    assert_int_equal(matches(subject, "* very fast!!"), 0);
    assert_int_equal(matches("sirius@example.org", "sirius@example.org"), 1);
    assert_int_equal(matches("sirius@example.org", "example.org"), 0);
    assert_int_equal(matches("sirius@example.org", "sirius"), 0);
    assert_int_equal(matches("X", "*?X"), 0);
    assert_int_equal(matches("Dovecot Mailing List <dovecot.dovecot.org>",
                             "*<dovecot*.dovecot.org>"), 1);
    assert_int_equal(matches("sirius@example.org", "g?*"), 0);
    assert_int_equal(matches("a", "*a?"), 0);
    assert_int_equal(matches("a", "*a??????????"), 0);
    const char *xs = "Log for successful build of Dovecot.";
    assert_int_equal(matches(xs, "Log for *??????????? build of *"), 0);
    assert_int_equal(matches(xs, "Log for *?????????? build of *"), 1);
    assert_int_equal(matches(xs, "Log for *? build of *"), 1);
    assert_int_equal(matches(xs, "Log for ???????????* build of *"), 0);
    assert_int_equal(matches(xs, "Log for ??????????* build of *"), 1);
    assert_int_equal(matches(xs, "Log for ?* build of *"), 1);
}

static void matches_escapes(void **state)
{
    (void)state;
    const char *bs = "33333???a", *score = "**********";
    assert_int_equal(matches(bs, "33333\\?\\?\\??"), 1);
    assert_int_equal(matches(bs, "33333\\?\\?\\?"), 0);
    assert_int_equal(matches(bs, "33333*\\?\\??"), 1);
    assert_int_equal(matches(bs, "*\\?\\?\\?a"), 1);
    assert_int_equal(matches(bs, "*3333\\?\\?\\?a"), 1);
    assert_int_equal(matches(score, "\\*\\*\\*\\*\\**"), 1);
    assert_int_equal(matches(score, "\\*\\*\\*\\*\\*\\*\\*\\*\\*\\*"), 1);
    assert_int_equal(matches(score, "\\*\\*\\*\\*\\*\\*\\*\\*\\*\\*\\*"), 0);
    assert_int_equal(matches(score, "\\*\\*\\***\\*\\*"), 1);
    assert_int_equal(matches(score, "\\*?\\*?\\*?\\*?\\*?"), 1);
    assert_int_equal(matches(score, "\\*?\\*?\\*?\\*?\\*??"), 0);
    assert_int_equal(matches(bs, "\\*3333\\?\\?\\?a"), 0);
    assert_int_equal(matches(bs, "33333\\?\\?\\?aa"), 0);
    assert_int_equal(matches(bs, "\\f3333\\?\\?\\?a"), 0);
    assert_int_equal(matches("f3333", "\\f3333"), 1);        /* "\" quotes any character */
    assert_int_equal(matches("Slashy slash\\", "*slash\\"), 1);   /* a final "\" is itself */
    assert_int_equal(matches("a\\b", "a\\\\b"), 1);
}

static void matches_follows_the_comparator(void **state)
{
    (void)state;
    const char *xa = "This is a TEST header";
    assert_int_equal(match(SV_CMP_OCTET, SV_MATCH_MATCHES, xa, "This*TEST*r"), 1);
    assert_int_equal(match(SV_CMP_OCTET, SV_MATCH_MATCHES, xa, "ThIs*tEsT*R"), 0);
    assert_int_equal(match(SV_CMP_ASCII_CASEMAP, SV_MATCH_MATCHES, xa, "ThIs*tEsT*R"), 1);
    const char *ux = "This is a header with T\xc3\x88ST";
    int u = SV_CMP_UNICODE_CASEMAP;
    assert_int_equal(match(u, SV_MATCH_MATCHES, ux, "This*with*T\xc3\x88ST"), 1);
    assert_int_equal(match(u, SV_MATCH_MATCHES, ux, "ThIs*with*t\xc3\xa8sT"), 1);
    assert_int_equal(match(SV_CMP_UNICODE_CASEMAP, SV_MATCH_MATCHES, ux, "t\xffst"), 0);
    assert_int_equal(match(SV_CMP_UNICODE_CASEMAP, SV_MATCH_MATCHES, ux, "*t\xffst"), 0);
    /* A precomposed key letter matches a decomposed value letter, and "?" takes whole
     * characters. */
    assert_int_equal(match(SV_CMP_UNICODE_CASEMAP, SV_MATCH_MATCHES, "e\xcc\x80", "\xc3\x88"), 1);
    assert_int_equal(match(SV_CMP_UNICODE_CASEMAP, SV_MATCH_MATCHES, "\xc3\xa8x", "?X"), 1);
    assert_int_equal(match(SV_CMP_UNICODE_CASEMAP, SV_MATCH_MATCHES, "\xc3\xa8", "E"), 0);
    assert_int_equal(match(SV_CMP_UNICODE_CASEMAP, SV_MATCH_MATCHES, "\xc3\xa8", "E*"), 0);
    /* "?" is one UTF-8 character under every comparator; one octet where it is not UTF-8. */
    assert_int_equal(match(SV_CMP_OCTET, SV_MATCH_MATCHES, "\xc3\xa8", "?"), 1);
    assert_int_equal(match(SV_CMP_OCTET, SV_MATCH_MATCHES, "\xc3\xa8", "??"), 0);
    assert_int_equal(match(SV_CMP_OCTET, SV_MATCH_MATCHES, "\xff\xfe", "??"), 1);
    assert_int_equal(match(SV_CMP_OCTET, SV_MATCH_MATCHES, "\xf0\x9f\x98\x80!", "?!"), 1);
}

/* A run after a '*' that starts with an ASCII octet is looked for only where that octet is
 * (either case when the comparator folds), and only at the start of a character. */
static void matches_finds_runs_where_they_can_start(void **state)
{
    (void)state;
    int a = SV_CMP_ASCII_CASEMAP, o = SV_CMP_OCTET, u = SV_CMP_UNICODE_CASEMAP;
    assert_int_equal(match(a, SV_MATCH_MATCHES, "aaaAAAbbb", "*Ab*"), 1);
    assert_int_equal(match(a, SV_MATCH_MATCHES, "aaaAAAbbb", "*aB*"), 1);
    assert_int_equal(match(o, SV_MATCH_MATCHES, "aaaAAAbbb", "*ab*"), 0);
    assert_int_equal(match(o, SV_MATCH_MATCHES, "aaaAAAbbb", "*Ab*"), 1);
    assert_int_equal(match(a, SV_MATCH_MATCHES, "[SAtalk] re: [ILUG]", "*[ilug]*"), 1);
    assert_int_equal(match(a, SV_MATCH_MATCHES, "[SAtalk] re: [ILUG", "*[ilug]*"), 0);
    /* An octet that starts no UTF-8 sequence is a character by itself. */
    assert_int_equal(match(o, SV_MATCH_MATCHES, "\xc3x", "*x"), 1);
    assert_int_equal(match(o, SV_MATCH_MATCHES, "\xc3x", "?x"), 1);
    /* U+00BD decomposes to "1", U+2044, "2": neither digit starts a character there. */
    assert_int_equal(match(u, SV_MATCH_MATCHES, "x\xc2\xbd", "*2*"), 0);
    assert_int_equal(match(u, SV_MATCH_MATCHES, "x\xc2\xbd", "*1*"), 0);
    assert_int_equal(match(u, SV_MATCH_MATCHES, "x\xc2\xbd" "2", "*2*"), 1);
    assert_int_equal(match(u, SV_MATCH_MATCHES, "x\xc2\xbd" "2", "x*2"), 1);
    expect_caps_cmp(a, "aXbXc", "*x*", CAPS("aXbXc", "a", "bXc"));
    expect_caps_cmp(a, "one;Two;three", "*;t*;*", CAPS("one;Two;three", "one", "wo", "three"));
}

/* Pigeonhole variables/match.svtest: the leftmost '*' takes as little as it can. */
static void match_variables_follow_rfc5229(void **state)
{
    (void)state;
    expect_caps("frop:frup:frop", "*:*:*", CAPS("frop:frup:frop", "frop", "frup", "frop"));
    expect_caps("frop.......frop.........frop....", "?*frop*",
                CAPS("frop.......frop.........frop....", "f", "rop.......", ".........frop...."));
    expect_caps("test", "*", CAPS("test", "test"));
    expect_caps("a b c d e f g", "? ? ? ? ? ? ?",
                CAPS("a b c d e f g", "a", "b", "c", "d", "e", "f", "g"));
    expect_caps("puk pok puk pok", "pu*ok", CAPS("puk pok puk pok", "k pok puk p"));
    expect_caps("the cat jumps off the table", "the * jumps off the *",
                CAPS("the cat jumps off the table", "cat", "table"));
    expect_caps("Dovecot Mailing List <dovecot@dovecot.example.net>", "*<*@*",
                CAPS("Dovecot Mailing List <dovecot@dovecot.example.net>", "Dovecot Mailing List ",
                     "dovecot", "dovecot.example.net>"));
    expect_caps("[acme-users] [fwd] version 1.0 is out", "[*] *",
                CAPS("[acme-users] [fwd] version 1.0 is out", "acme-users",
                     "[fwd] version 1.0 is out"));
    expect_caps("coyote@ACME.Example.COM", "coyote@**.com",
                CAPS("coyote@ACME.Example.COM", "", "ACME.Example"));
    expect_caps("Test of general stupidity", "Test of *",
                CAPS("Test of general stupidity", "general stupidity"));
    expect_caps("toptoptop", "*top", CAPS("toptoptop", "toptop"));
    expect_caps("ik ben een tukker met grote oren en een lelijke broek.", "ik ben * met * en *.",
                CAPS("ik ben een tukker met grote oren en een lelijke broek.", "een tukker",
                     "grote oren", "een lelijke broek"));
    expect_caps("beter van niet?", "*\\?", CAPS("beter van niet?", "beter van niet"));
    expect_caps("zero:one:zero|three;one;zero/five", "*one?zero?five",
                CAPS("zero:one:zero|three;one;zero/five", "zero:one:zero|three;", ";", "/"));
    expect_caps("frop", "??op", CAPS("frop", "f", "r"));
    expect_caps("frop", "fr??", CAPS("frop", "o", "p"));
    expect_caps("klopfropstroptop", "*fr??*top",
                CAPS("klopfropstroptop", "klop", "o", "p", "strop"));
    expect_caps("klopfropstroptop", "?*fr??*top",
                CAPS("klopfropstroptop", "k", "lop", "o", "p", "strop"));
    expect_caps("klopfropstroptop", "*?op", CAPS("klopfropstroptop", "klopfropstrop", "t"));
    expect_caps("klopfropstroptop", "*?op*", CAPS("klopfropstroptop", "k", "l", "fropstroptop"));
    expect_caps("Log for failed build of dovecot_2:1.2.alpha5-0~auto+159 (dist=hardy)",
                "Log for ?* build of *",
                CAPS("Log for failed build of dovecot_2:1.2.alpha5-0~auto+159 (dist=hardy)", "f",
                     "ailed", "dovecot_2:1.2.alpha5-0~auto+159 (dist=hardy)"));
    expect_caps("foo1234@foobar.example.com", "*??@foobar.example.com",
                CAPS("foo1234@foobar.example.com", "foo12", "3", "4"));
    expect_caps("d@example.com", "*?@example.com", CAPS("d@example.com", "", "d"));
    assert_int_equal(matches("foo1234@example.com", "*??@foobar.example.com"), 0);
    assert_int_equal(matches("d@example.jp", "*?@example.com"), 0);
}

static void match_variables_reach_past_nine(void **state)
{
    (void)state;
    const char *fox = "The quick brown fox jumps over the lazy dog.";
    sv_captures c;
    sv_captures_init(&c);
    sv_matcher m = {SV_CMP_ASCII_CASEMAP, SV_MATCH_MATCHES, 0, 0, 0};
    const char *k = "T?? ????? ????? ?o? ?u??? o?er ?he ???? ?o?.";
    assert_int_equal(sv_match(&m, fox, strlen(fox), k, strlen(k), &c), 1);
    assert_int_equal(c.count, 27);
    static const int order[] = {22, 8, 6, 25, 2, 13, 26, 1, 5, 15, 7, 21, 16,
                                12, 10, 17, 3, 9, 18, 20, 4, 19, 11, 14, 24, 23};
    char alphabet[27];
    for (size_t i = 0; i < 26; i++) {
        assert_int_equal(c.value[order[i]].len, 1);
        alphabet[i] = c.value[order[i]].data[0];
    }
    alphabet[26] = '\0';
    assert_string_equal(alphabet, "abcdefghijklmnopqrstuvwxyz");
    /* No match leaves the variables alone. */
    const char *k2 = "T?? ????? ?w??? ?o? ?u??? o?er ?he ???? ?o?.";
    assert_int_equal(sv_match(&m, fox, strlen(fox), k2, strlen(k2), &c), 0);
    assert_int_equal(c.count, 27);
    assert_memory_equal(c.value[22].data, "a", 1);
    /* More wildcards than variables: the rest still match, unrecorded. */
    char v[80], key[80];
    memset(v, 'x', 40);
    v[40] = '\0';
    memset(key, '?', 40);
    key[40] = '\0';
    assert_int_equal(sv_match(&m, v, 40, key, 40, &c), 1);
    assert_int_equal(c.count, SV_MAX_CAPTURES);
    key[39] = '\0';
    assert_int_equal(sv_match(&m, v, 40, key, 39, &c), 0);
    sv_captures_free(&c);
    sv_captures_free(NULL);
}

static void match_variables_are_original_text(void **state)
{
    (void)state;
    /* Captures are cut from the value as written, not from its canonical form. */
    expect_caps_cmp(SV_CMP_UNICODE_CASEMAP, "Caf\xc3\xa9 \xc3\xa8t\xc3\xa9", "CAF? *T?",
                    CAPS("Caf\xc3\xa9 \xc3\xa8t\xc3\xa9", "\xc3\xa9", "\xc3\xa8", "\xc3\xa9"));
    expect_caps_cmp(SV_CMP_UNICODE_CASEMAP, "\xef\xac\x81x", "?X",
                    CAPS("\xef\xac\x81x", "\xef\xac\x81"));
    expect_caps_cmp(SV_CMP_OCTET, "\xe2\x82\xac\xe2\x82\xac", "?*",
                    CAPS("\xe2\x82\xac\xe2\x82\xac", "\xe2\x82\xac", "\xe2\x82\xac"));
}

/* No exponential backtracking: many stars over a long value that almost matches. */
static void matches_hostile_patterns_stay_bounded(void **state)
{
    (void)state;
    static char v[1 << 16], k[4096];
    memset(v, 'a', sizeof v - 1);
    for (size_t i = 0; i < sizeof k - 2; i += 2)
        k[i] = '*', k[i + 1] = 'a';
    k[sizeof k - 2] = 'b';
    assert_int_equal(matches(v, k), 0);
    /* A middle segment that almost matches everywhere: bounded work, then SIEVE_E_LIMIT. */
    static char big[1 << 20], key2[1 << 12];
    memset(big, 'a', sizeof big - 1);
    key2[0] = '*';
    memset(key2 + 1, 'a', sizeof key2 - 4);
    key2[sizeof key2 - 3] = 'b';
    key2[sizeof key2 - 2] = '*';
    assert_int_equal(matches(big, key2), SIEVE_E_LIMIT);
    /* The same over a short value completes. */
    big[5000] = '\0';
    assert_int_equal(matches(big, key2), 0);
}

/* Pigeonhole relational/basic.svtest and rfc.svtest. */
static void value_relations(void **state)
{
    (void)state;
    int n = SV_CMP_ASCII_NUMERIC;
    assert_int_equal(value(n, SV_REL_EQ, "", "40"), 0);
    assert_int_equal(value(n, SV_REL_GT, "300", ""), 0);
    assert_int_equal(value(n, SV_REL_EQ, "300", "2"), 0);
    assert_int_equal(value(n, SV_REL_LT, "300", "2"), 0);
    assert_int_equal(value(n, SV_REL_LE, "300", "300"), 1);
    assert_int_equal(value(n, SV_REL_LE, "300", "302"), 1);
    assert_int_equal(value(n, SV_REL_LE, "302", "00302"), 1);
    assert_int_equal(value(n, SV_REL_LE, "20", "300"), 1);
    assert_int_equal(value(n, SV_REL_LT, "1000", "3"), 0);
    assert_int_equal(value(n, SV_REL_GT, "1000", "30"), 1);
    assert_int_equal(value(n, SV_REL_GT, "1000", "1001"), 0);
    assert_int_equal(value(n, SV_REL_NE, "a", "0"), 1);
    assert_int_equal(value(n, SV_REL_GE, "a", "0"), 1);
    assert_int_equal(value(n, SV_REL_LE, "0", "a"), 1);
    assert_int_equal(value(SV_CMP_OCTET, SV_REL_GT, "abcdzyx", "aaaaaaa"), 1);
    assert_int_equal(value(SV_CMP_ASCII_CASEMAP, SV_REL_GT, "Z", "b"), 1);
    assert_int_equal(value(SV_CMP_OCTET, SV_REL_LT, "Z", "b"), 1);
    assert_int_equal(value(SV_CMP_ASCII_CASEMAP, SV_REL_EQ, "ABC", "abc"), 1);
    assert_int_equal(
        value(SV_CMP_UNICODE_CASEMAP, SV_REL_EQ, "\xc3\x89t\xc3\xa9", "\xc3\xa9T\xc3\x89"), 1);
}

static void count_compares_a_number(void **state)
{
    (void)state;
    assert_int_equal(count(SV_REL_NE, 2, "2"), 0);
    assert_int_equal(count(SV_REL_GE, 2, "2"), 1);
    assert_int_equal(count(SV_REL_GE, 2, "002"), 1);
    assert_int_equal(count(SV_REL_LT, 26, "20"), 0);
    assert_int_equal(count(SV_REL_LT, 26, "100"), 1);
    assert_int_equal(count(SV_REL_GE, 3, "3"), 1);
    assert_int_equal(count(SV_REL_GE, 1, "3"), 0);
    assert_int_equal(count(SV_REL_LT, 0, ""), 1);   /* "" is infinity */
    assert_int_equal(count(SV_REL_EQ, SIZE_MAX, "18446744073709551615"), SIZE_MAX == UINT64_MAX);
    sv_matcher m = {SV_CMP_OCTET, SV_MATCH_COUNT, SV_REL_EQ, 0, 0};
    assert_int_equal(sv_match_count(&m, 10, "10", 2), 1);
    assert_int_equal(sv_match_count(NULL, 1, "1", 1), SIEVE_E_INVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(is_compares_whole_values),
        cmocka_unit_test(contains_finds_substrings),
        cmocka_unit_test(bad_matchers_are_refused),
        cmocka_unit_test(matches_wildcards),
        cmocka_unit_test(matches_escapes),
        cmocka_unit_test(matches_follows_the_comparator),
        cmocka_unit_test(matches_finds_runs_where_they_can_start),
        cmocka_unit_test(match_variables_follow_rfc5229),
        cmocka_unit_test(match_variables_reach_past_nine),
        cmocka_unit_test(match_variables_are_original_text),
        cmocka_unit_test(matches_hostile_patterns_stay_bounded),
        cmocka_unit_test(value_relations),
        cmocka_unit_test(count_compares_a_number),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
