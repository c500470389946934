/* test_resolver_zone.c — the in-memory zone: every master-file construct it reads, the errors
 * it reports with their line, its limits exactly at and one past, NXDOMAIN against no data,
 * CNAME chains and loops, failure injection, the answer record and allocation failure. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mailauth.h"

static mailauth_dns_answer *ans;

static int setup(void **state)
{
    (void)state;
    return mailauth_dns_answer_new(&ans);
}

static int teardown(void **state)
{
    (void)state;
    mailauth_dns_answer_free(ans);
    ans = NULL;
    return 0;
}

static mailauth_zone *zone_with(const mailauth_zone_options *o, const char *text, const char *origin)
{
    mailauth_zone *z = NULL;
    mailauth_zone_error err;
    assert_int_equal(mailauth_zone_new(o, &z), 0);
    int rc = mailauth_zone_load(z, text, strlen(text), origin, &err);
    if (rc)
        fail_msg("load failed (%s) at line %zu: %s", mailauth_strerror(rc), err.line, err.message);
    return z;
}

static mailauth_zone *zone(const char *text) { return zone_with(NULL, text, "example.com"); }

/* Loads `text` into a fresh zone expecting failure; returns the code, fills `err`. */
static int load_error(const mailauth_zone_options *o, const char *text, mailauth_zone_error *err)
{
    mailauth_zone *z = NULL;
    assert_int_equal(mailauth_zone_new(o, &z), 0);
    int rc = mailauth_zone_load(z, text, strlen(text), "example.com", err);
    if (rc)
        assert_int_equal(mailauth_zone_record_count(z), 0);
    mailauth_zone_free(z);
    return rc;
}

static int ask(const mailauth_zone *z, const char *name, int type)
{
    assert_int_equal(mailauth_zone_lookup(z, name, type, ans), 0);
    return mailauth_dns_answer_result(ans);
}

static const mailauth_dns_record *rec(size_t i)
{
    const mailauth_dns_record *r = mailauth_dns_answer_record(ans, i);
    assert_non_null(r);
    return r;
}

static void assert_a(size_t i, const char *dotted)
{
    unsigned char want[4];
    unsigned a, b, c, d;
    assert_int_equal(sscanf(dotted, "%u.%u.%u.%u", &a, &b, &c, &d), 4);
    want[0] = (unsigned char)a, want[1] = (unsigned char)b, want[2] = (unsigned char)c,
    want[3] = (unsigned char)d;
    assert_int_equal(rec(i)->type, MAILAUTH_RR_A);
    assert_int_equal(rec(i)->addr_len, 4);
    assert_memory_equal(rec(i)->addr, want, 4);
}

/* ---- master-file constructs -------------------------------------------------------------- */

static void at_sign_is_the_origin(void **state)
{
    (void)state;
    mailauth_zone *z = zone("@ IN A 192.0.2.1\n");
    assert_int_equal(ask(z, "example.com", MAILAUTH_RR_A), MAILAUTH_DNS_FOUND);
    assert_int_equal(mailauth_dns_answer_count(ans), 1);
    assert_a(0, "192.0.2.1");
    assert_int_equal(mailauth_dns_answer_dnssec(ans), MAILAUTH_DNSSEC_INDETERMINATE);
    mailauth_zone_free(z);
}

static void relative_names_take_the_origin_and_absolute_ones_do_not(void **state)
{
    (void)state;
    mailauth_zone *z = zone("www A 192.0.2.2\nhost.example.org. A 192.0.2.3\n");
    assert_int_equal(ask(z, "www.example.com", MAILAUTH_RR_A), MAILAUTH_DNS_FOUND);
    assert_int_equal(ask(z, "host.example.org", MAILAUTH_RR_A), MAILAUTH_DNS_FOUND);
    assert_int_equal(ask(z, "host.example.org.example.com", MAILAUTH_RR_A), MAILAUTH_DNS_NXDOMAIN);
    mailauth_zone_free(z);
}

static void origin_directive_changes_relative_names(void **state)
{
    (void)state;
    mailauth_zone *z = zone("a A 192.0.2.1\n$ORIGIN example.net.\nb A 192.0.2.2\n"
                            "$ORIGIN sub\nc A 192.0.2.3\n@ A 192.0.2.4\n");
    assert_int_equal(ask(z, "a.example.com", MAILAUTH_RR_A), MAILAUTH_DNS_FOUND);
    assert_int_equal(ask(z, "b.example.net", MAILAUTH_RR_A), MAILAUTH_DNS_FOUND);
    assert_int_equal(ask(z, "c.sub.example.net", MAILAUTH_RR_A), MAILAUTH_DNS_FOUND);
    assert_int_equal(ask(z, "sub.example.net", MAILAUTH_RR_A), MAILAUTH_DNS_FOUND);
    assert_a(0, "192.0.2.4");
    mailauth_zone_free(z);
}

static void root_origin_when_none_is_given(void **state)
{
    (void)state;
    mailauth_zone *z = zone_with(NULL, "host.test A 192.0.2.1\n", NULL);
    assert_int_equal(ask(z, "host.test.", MAILAUTH_RR_A), MAILAUTH_DNS_FOUND);
    mailauth_zone_free(z);
}

static void ttl_directive_explicit_ttl_and_units(void **state)
{
    (void)state;
    mailauth_zone_options o;
    mailauth_zone_options_init(&o);
    o.default_ttl = 77;
    mailauth_zone *z = zone_with(&o, "a A 192.0.2.1\n$TTL 1h30m\nb A 192.0.2.2\n"
                                     "c 2d A 192.0.2.3\nd 1W A 192.0.2.4\ne 45s A 192.0.2.5\n"
                                     "f 0 A 192.0.2.6\n", "example.com");
    static const struct { const char *name; uint32_t ttl; } want[] = {
        {"a.example.com", 77}, {"b.example.com", 5400}, {"c.example.com", 172800},
        {"d.example.com", 604800}, {"e.example.com", 45}, {"f.example.com", 0},
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        assert_int_equal(ask(z, want[i].name, MAILAUTH_RR_A), MAILAUTH_DNS_FOUND);
        assert_int_equal(mailauth_dns_answer_ttl(ans), want[i].ttl);
    }
    mailauth_zone_free(z);
}

static void ttl_and_class_come_in_either_order(void **state)
{
    (void)state;
    mailauth_zone *z = zone("a 60 IN A 192.0.2.1\nb IN 61 A 192.0.2.2\nc in a 192.0.2.3\n"
                            "d 62 A 192.0.2.4\n");
    assert_int_equal(ask(z, "a.example.com", MAILAUTH_RR_A), MAILAUTH_DNS_FOUND);
    assert_int_equal(mailauth_dns_answer_ttl(ans), 60);
    assert_int_equal(ask(z, "b.example.com", MAILAUTH_RR_A), MAILAUTH_DNS_FOUND);
    assert_int_equal(mailauth_dns_answer_ttl(ans), 61);
    assert_int_equal(ask(z, "c.example.com", MAILAUTH_RR_A), MAILAUTH_DNS_FOUND);
    assert_int_equal(mailauth_dns_answer_ttl(ans), MAILAUTH_ZONE_DEFAULT_TTL);
    assert_int_equal(ask(z, "d.example.com", MAILAUTH_RR_A), MAILAUTH_DNS_FOUND);
    assert_int_equal(mailauth_dns_answer_ttl(ans), 62);
    mailauth_zone_free(z);
}

static void blank_owner_repeats_the_previous_owner(void **state)
{
    (void)state;
    mailauth_zone *z = zone("mail A 192.0.2.1\n  A 192.0.2.2\n\tMX 5 mail\n\n   ; note\n"
                            "\tTXT x\n");
    assert_int_equal(ask(z, "mail.example.com", MAILAUTH_RR_A), MAILAUTH_DNS_FOUND);
    assert_int_equal(mailauth_dns_answer_count(ans), 2);
    assert_a(0, "192.0.2.1");
    assert_a(1, "192.0.2.2");
    assert_int_equal(ask(z, "mail.example.com", MAILAUTH_RR_MX), MAILAUTH_DNS_FOUND);
    assert_int_equal(ask(z, "mail.example.com", MAILAUTH_RR_TXT), MAILAUTH_DNS_FOUND);
    mailauth_zone_free(z);
}

static void comments_are_ignored_but_not_inside_quotes(void **state)
{
    (void)state;
    mailauth_zone *z = zone("; header comment\n"
                            "a A 192.0.2.1 ; trailing\n"
                            "a TXT \"semi;colon\" ; and a comment\n");
    assert_int_equal(ask(z, "a.example.com", MAILAUTH_RR_TXT), MAILAUTH_DNS_FOUND);
    assert_string_equal(rec(0)->text, "semi;colon");
    assert_int_equal(mailauth_zone_record_count(z), 2);
    mailauth_zone_free(z);
}

static void parentheses_join_lines(void **state)
{
    (void)state;
    mailauth_zone *z = zone("k TXT ( \"one\" ; first\n"
                            "        \"two\"\n"
                            "      )\n"
                            "m ( MX\n 10\n mx ) \n");
    assert_int_equal(ask(z, "k.example.com", MAILAUTH_RR_TXT), MAILAUTH_DNS_FOUND);
    assert_int_equal(rec(0)->string_count, 2);
    assert_string_equal(rec(0)->text, "onetwo");
    assert_int_equal(ask(z, "m.example.com", MAILAUTH_RR_MX), MAILAUTH_DNS_FOUND);
    assert_int_equal(rec(0)->preference, 10);
    assert_string_equal(rec(0)->name, "mx.example.com");
    mailauth_zone_free(z);
}

static void txt_keeps_character_string_boundaries(void **state)
{
    (void)state;
    mailauth_zone *z = zone("t TXT \"v=spf1 \" \"include:a\" \"\" \" -all\"\n");
    assert_int_equal(ask(z, "t.example.com", MAILAUTH_RR_TXT), MAILAUTH_DNS_FOUND);
    const mailauth_dns_record *r = rec(0);
    assert_int_equal(r->string_count, 4);
    assert_int_equal(r->string_lens[0], 7);
    assert_int_equal(r->string_lens[1], 9);
    assert_int_equal(r->string_lens[2], 0);
    assert_int_equal(r->string_lens[3], 5);
    assert_int_equal(r->text_len, 21);
    assert_string_equal(r->text, "v=spf1 include:a -all");
    mailauth_zone_free(z);
}

static void txt_escapes_quote_backslash_and_decimal(void **state)
{
    (void)state;
    mailauth_zone *z = zone("t TXT \"say \\\"hi\\\" \\\\ \\065\\066\\000z\"\n");
    assert_int_equal(ask(z, "t.example.com", MAILAUTH_RR_TXT), MAILAUTH_DNS_FOUND);
    static const char want[] = "say \"hi\" \\ AB\0z";
    assert_int_equal(rec(0)->text_len, sizeof want - 1);
    assert_memory_equal(rec(0)->text, want, sizeof want - 1);
    mailauth_zone_free(z);
}

static void txt_unquoted_words_are_strings_each(void **state)
{
    (void)state;
    mailauth_zone *z = zone("t TXT one two\\ three\n");
    assert_int_equal(ask(z, "t.example.com", MAILAUTH_RR_TXT), MAILAUTH_DNS_FOUND);
    assert_int_equal(rec(0)->string_count, 2);
    assert_string_equal(rec(0)->text, "onetwo three");
    mailauth_zone_free(z);
}

static void several_txt_records_are_one_set_in_file_order(void **state)
{
    (void)state;
    mailauth_zone *z = zone("t TXT first\nu TXT other\nt TXT second\nt A 192.0.2.1\nt TXT third\n");
    assert_int_equal(ask(z, "t.example.com", MAILAUTH_RR_TXT), MAILAUTH_DNS_FOUND);
    assert_int_equal(mailauth_dns_answer_count(ans), 3);
    assert_string_equal(rec(0)->text, "first");
    assert_string_equal(rec(1)->text, "second");
    assert_string_equal(rec(2)->text, "third");
    mailauth_zone_free(z);
}

static void aaaa_accepts_every_textual_form(void **state)
{
    (void)state;
    mailauth_zone *z = zone("a AAAA 2001:db8::1\n"
                            "a AAAA 2001:0DB8:0000:0000:0000:0000:0000:0002\n"
                            "a AAAA ::ffff:192.0.2.3\n"
                            "a AAAA ::\n");
    assert_int_equal(ask(z, "a.example.com", MAILAUTH_RR_AAAA), MAILAUTH_DNS_FOUND);
    assert_int_equal(mailauth_dns_answer_count(ans), 4);
    static const unsigned char w0[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};
    static const unsigned char w1[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 2};
    static const unsigned char w2[16] = {[10] = 0xff, [11] = 0xff, 192, 0, 2, 3};
    static const unsigned char w3[16] = {0};
    assert_int_equal(rec(0)->addr_len, 16);
    assert_memory_equal(rec(0)->addr, w0, 16);
    assert_memory_equal(rec(1)->addr, w1, 16);
    assert_memory_equal(rec(2)->addr, w2, 16);
    assert_memory_equal(rec(3)->addr, w3, 16);
    mailauth_zone_free(z);
}

static void mx_ptr_and_ns_carry_their_names(void **state)
{
    (void)state;
    mailauth_zone *z = zone("@ MX 10 mx1\n@ MX 20 mx2.example.net.\n"
                            "$ORIGIN 2.0.192.in-addr.arpa.\n1 PTR host.example.com.\n"
                            "@ NS ns1.example.com.\n");
    assert_int_equal(ask(z, "example.com", MAILAUTH_RR_MX), MAILAUTH_DNS_FOUND);
    assert_int_equal(mailauth_dns_answer_count(ans), 2);
    assert_int_equal(rec(0)->preference, 10);
    assert_string_equal(rec(0)->name, "mx1.example.com");
    assert_int_equal(rec(0)->name_len, 15);
    assert_int_equal(rec(1)->preference, 20);
    assert_string_equal(rec(1)->name, "mx2.example.net");
    assert_int_equal(ask(z, "1.2.0.192.in-addr.arpa", MAILAUTH_RR_PTR), MAILAUTH_DNS_FOUND);
    assert_int_equal(rec(0)->type, MAILAUTH_RR_PTR);
    assert_string_equal(rec(0)->name, "host.example.com");
    assert_int_equal(ask(z, "2.0.192.in-addr.arpa", MAILAUTH_RR_NS), MAILAUTH_DNS_FOUND);
    assert_string_equal(rec(0)->name, "ns1.example.com");
    mailauth_zone_free(z);
}

static void tlsa_reads_fields_and_split_hex(void **state)
{
    (void)state;
    mailauth_zone *z = zone("_25._tcp.mail TLSA ( 3 1 1\n  0aFF 10\n  2b )\n");
    assert_int_equal(ask(z, "_25._tcp.mail.example.com", MAILAUTH_RR_TLSA), MAILAUTH_DNS_FOUND);
    const mailauth_dns_record *r = rec(0);
    assert_int_equal(r->usage, 3);
    assert_int_equal(r->selector, 1);
    assert_int_equal(r->mtype, 1);
    static const unsigned char want[] = {0x0a, 0xff, 0x10, 0x2b};
    assert_int_equal(r->data_len, 4);
    assert_memory_equal(r->data, want, 4);
    mailauth_zone_free(z);
}

static void names_compare_without_case_and_trailing_dot(void **state)
{
    (void)state;
    mailauth_zone *z = zone("WWW.Example.COM. A 192.0.2.1\nmx MX 1 Mail.EXAMPLE.com.\n");
    assert_int_equal(ask(z, "www.example.com", MAILAUTH_RR_A), MAILAUTH_DNS_FOUND);
    assert_int_equal(ask(z, "WwW.eXaMpLe.CoM.", MAILAUTH_RR_A), MAILAUTH_DNS_FOUND);
    assert_int_equal(ask(z, "mx.example.com", MAILAUTH_RR_MX), MAILAUTH_DNS_FOUND);
    assert_string_equal(rec(0)->name, "Mail.EXAMPLE.com"); /* rdata keeps its case */
    mailauth_zone_free(z);
}

static void crlf_line_ends_are_accepted(void **state)
{
    (void)state;
    mailauth_zone *z = zone("a A 192.0.2.1\r\n  TXT \"x\"\r\nb TXT (\r\n y )\r\n");
    assert_int_equal(ask(z, "a.example.com", MAILAUTH_RR_TXT), MAILAUTH_DNS_FOUND);
    assert_string_equal(rec(0)->text, "x");
    assert_int_equal(ask(z, "b.example.com", MAILAUTH_RR_TXT), MAILAUTH_DNS_FOUND);
    assert_string_equal(rec(0)->text, "y");
    mailauth_zone_free(z);
}

static void escaped_dot_stays_inside_a_label(void **state)
{
    (void)state;
    mailauth_zone *z = zone("a\\.b A 192.0.2.1\nc\\046d A 192.0.2.2\n");
    assert_int_equal(ask(z, "a\\.b.example.com", MAILAUTH_RR_A), MAILAUTH_DNS_FOUND);
    assert_int_equal(ask(z, "b.example.com", MAILAUTH_RR_A), MAILAUTH_DNS_NXDOMAIN);
    assert_int_equal(ask(z, "c\\.d.example.com", MAILAUTH_RR_A), MAILAUTH_DNS_FOUND);
    mailauth_zone_free(z);
}

static void several_loads_add_up(void **state)
{
    (void)state;
    mailauth_zone *z = zone("a A 192.0.2.1\n");
    assert_int_equal(mailauth_zone_load(z, "b A 192.0.2.2\n", 14, "example.org", NULL), 0);
    assert_int_equal(mailauth_zone_record_count(z), 2);
    assert_int_equal(ask(z, "a.example.com", MAILAUTH_RR_A), MAILAUTH_DNS_FOUND);
    assert_int_equal(ask(z, "b.example.org", MAILAUTH_RR_A), MAILAUTH_DNS_FOUND);
    mailauth_zone_free(z);
}

/* ---- errors ------------------------------------------------------------------------------ */

static void bad_input_reports_code_and_line(void **state)
{
    (void)state;
    static const struct { const char *text; int rc; size_t line; } cases[] = {
        {"a A 192.0.2.1\n\nb A 192.0.2.300\n", MAILAUTH_E_SYNTAX, 3},
        {"a A 192.0.2.1 extra\n", MAILAUTH_E_SYNTAX, 1},
        {"a A\n", MAILAUTH_E_SYNTAX, 1},
        {"a AAAA 2001:db8:::1\n", MAILAUTH_E_SYNTAX, 1},
        {"a\n", MAILAUTH_E_SYNTAX, 1},
        {"a 60 IN\n", MAILAUTH_E_SYNTAX, 1},
        {"x A 192.0.2.1\na FOO bar\n", MAILAUTH_E_UNSUPPORTED, 2},
        {"@ SOA ns hostmaster 1 2 3 4 5\n", MAILAUTH_E_UNSUPPORTED, 1},
        {"a CH TXT x\n", MAILAUTH_E_UNSUPPORTED, 1},
        {"$INCLUDE other.zone\n", MAILAUTH_E_UNSUPPORTED, 1},
        {"$GENERATE 1-2 a$ A 192.0.2.$\n", MAILAUTH_E_UNSUPPORTED, 1},
        {"a TXT \"open\n", MAILAUTH_E_SYNTAX, 1},
        {"a TXT x )\n", MAILAUTH_E_SYNTAX, 1},
        {"a A 192.0.2.1\nb TXT ( x\n y\n", MAILAUTH_E_SYNTAX, 2},
        {"a MX 65536 mx\n", MAILAUTH_E_SYNTAX, 1},
        {"a MX ten mx\n", MAILAUTH_E_SYNTAX, 1},
        {"a 2147483648 A 192.0.2.1\n", MAILAUTH_E_SYNTAX, 1},
        {"$TTL 1x\n", MAILAUTH_E_SYNTAX, 1},
        {"  A 192.0.2.1\n", MAILAUTH_E_SYNTAX, 1},
        {"t TLSA 3 1 1 abc\n", MAILAUTH_E_SYNTAX, 1},
        {"t TLSA 3 1 1 zz\n", MAILAUTH_E_SYNTAX, 1},
        {"t TLSA 256 1 1 ab\n", MAILAUTH_E_SYNTAX, 1},
        {"a..b A 192.0.2.1\n", MAILAUTH_E_SYNTAX, 1},
        {"a\\256 A 192.0.2.1\n", MAILAUTH_E_SYNTAX, 1},
        {"a TXT \"\\25\"\n", MAILAUTH_E_SYNTAX, 1},
        {"a CNAME \"quoted\"\n", MAILAUTH_E_SYNTAX, 1},
        {"a 60 70 A 192.0.2.1\n", MAILAUTH_E_SYNTAX, 1},
        {"$ORIGIN\n", MAILAUTH_E_SYNTAX, 1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        mailauth_zone_error err = {0, NULL};
        int rc = load_error(NULL, cases[i].text, &err);
        if (rc != cases[i].rc || err.line != cases[i].line || !err.message)
            fail_msg("case %zu: got %d at line %zu (%s), want %d at line %zu", i, rc, err.line,
                     err.message ? err.message : "no message", cases[i].rc, cases[i].line);
    }
}

static void nul_byte_in_the_text_is_refused(void **state)
{
    (void)state;
    static const char text[] = "a A 192.0.2.1\nb TXT x\0y\n";
    mailauth_zone *z = NULL;
    mailauth_zone_error err;
    assert_int_equal(mailauth_zone_new(NULL, &z), 0);
    assert_int_equal(mailauth_zone_load(z, text, sizeof text - 1, NULL, &err), MAILAUTH_E_SYNTAX);
    assert_int_equal(err.line, 2);
    mailauth_zone_free(z);
}

static void failed_load_adds_nothing(void **state)
{
    (void)state;
    mailauth_zone *z = zone("a A 192.0.2.1\n");
    static const char bad[] = "b A 192.0.2.2\nc A 192.0.2.3\nd A nonsense\n";
    mailauth_zone_error err;
    assert_int_equal(mailauth_zone_load(z, bad, sizeof bad - 1, "example.com", &err),
                     MAILAUTH_E_SYNTAX);
    assert_int_equal(err.line, 3);
    assert_int_equal(mailauth_zone_record_count(z), 1);
    assert_int_equal(ask(z, "b.example.com", MAILAUTH_RR_A), MAILAUTH_DNS_NXDOMAIN);
    assert_int_equal(ask(z, "a.example.com", MAILAUTH_RR_A), MAILAUTH_DNS_FOUND);
    mailauth_zone_free(z);
}

static void bad_arguments_are_inval(void **state)
{
    (void)state;
    mailauth_zone *z = zone("a A 192.0.2.1\n");
    assert_int_equal(mailauth_zone_lookup(z, "", MAILAUTH_RR_A, ans), MAILAUTH_E_INVAL);
    assert_int_equal(mailauth_zone_lookup(z, NULL, MAILAUTH_RR_A, ans), MAILAUTH_E_INVAL);
    assert_int_equal(mailauth_zone_lookup(z, "a..example.com", MAILAUTH_RR_A, ans), MAILAUTH_E_INVAL);
    assert_int_equal(mailauth_zone_lookup(z, "a.example.com", 6 /* SOA */, ans), MAILAUTH_E_INVAL);
    assert_int_equal(mailauth_zone_lookup(z, "a.example.com", MAILAUTH_RR_A, NULL), MAILAUTH_E_INVAL);
    assert_int_equal(mailauth_zone_load(z, NULL, 1, NULL, NULL), MAILAUTH_E_INVAL);
    assert_int_equal(mailauth_zone_load(z, "x", 1, "bad..origin", NULL), MAILAUTH_E_INVAL);
    assert_int_equal(mailauth_zone_fail(z, "a.example.com", 0, MAILAUTH_DNS_FOUND), MAILAUTH_E_INVAL);
    assert_int_equal(mailauth_zone_fail(z, "a.example.com", 999, MAILAUTH_DNS_TEMPFAIL), MAILAUTH_E_INVAL);
    assert_int_equal(mailauth_zone_new(NULL, NULL), MAILAUTH_E_INVAL);
    mailauth_zone_free(z);
    mailauth_zone_free(NULL);
}

/* ---- limits ------------------------------------------------------------------------------ */

static char *repeat(char c, size_t n)
{
    char *s = malloc(n + 1);
    assert_non_null(s);
    memset(s, c, n);
    s[n] = '\0';
    return s;
}

static void label_of_63_is_accepted_and_64_refused(void **state)
{
    (void)state;
    char text[200];
    char *l63 = repeat('a', 63), *l64 = repeat('b', 64);
    snprintf(text, sizeof text, "%s A 192.0.2.1\n", l63);
    mailauth_zone *z = zone(text);
    char q[100];
    snprintf(q, sizeof q, "%s.example.com", l63);
    assert_int_equal(ask(z, q, MAILAUTH_RR_A), MAILAUTH_DNS_FOUND);
    mailauth_zone_free(z);
    snprintf(text, sizeof text, "x A 192.0.2.1\n%s A 192.0.2.1\n", l64);
    mailauth_zone_error err;
    assert_int_equal(load_error(NULL, text, &err), MAILAUTH_E_LIMIT);
    assert_int_equal(err.line, 2);
    free(l63);
    free(l64);
}

/* 255 octets in wire form: three labels of 63 and one of 61 (4 * 1 + 63 * 3 + 61 + 1). */
static void name_of_255_octets_is_accepted_and_256_refused(void **state)
{
    (void)state;
    char *l63 = repeat('a', 63), *l61 = repeat('c', 61), *l62 = repeat('d', 62);
    char name[300], text[400];
    snprintf(name, sizeof name, "%s.%s.%s.%s.", l61, l63, l63, l63);
    snprintf(text, sizeof text, "%s A 192.0.2.1\n", name);
    mailauth_zone *z = zone(text);
    assert_int_equal(ask(z, name, MAILAUTH_RR_A), MAILAUTH_DNS_FOUND);
    mailauth_zone_free(z);
    snprintf(text, sizeof text, "%s.%s.%s.%s. A 192.0.2.1\n", l62, l63, l63, l63);
    mailauth_zone_error err;
    assert_int_equal(load_error(NULL, text, &err), MAILAUTH_E_LIMIT);
    assert_int_equal(err.line, 1);
    /* A relative name completed with the origin (13 octets): 49 + 3 * 63 fits, 50 does not. */
    char *l49 = repeat('e', 49), *l50 = repeat('f', 50);
    snprintf(text, sizeof text, "%s.%s.%s.%s A 192.0.2.1\n", l49, l63, l63, l63);
    z = zone(text);
    assert_int_equal(mailauth_zone_record_count(z), 1);
    mailauth_zone_free(z);
    snprintf(text, sizeof text, "%s.%s.%s.%s A 192.0.2.1\n", l50, l63, l63, l63);
    assert_int_equal(load_error(NULL, text, &err), MAILAUTH_E_LIMIT);
    free(l49);
    free(l50);
    free(l63);
    free(l61);
    free(l62);
}

static void txt_string_of_255_is_accepted_and_256_refused(void **state)
{
    (void)state;
    char *s255 = repeat('x', 255), *s256 = repeat('y', 256);
    char text[600];
    snprintf(text, sizeof text, "t TXT \"%s\"\n", s255);
    mailauth_zone *z = zone(text);
    assert_int_equal(ask(z, "t.example.com", MAILAUTH_RR_TXT), MAILAUTH_DNS_FOUND);
    assert_int_equal(rec(0)->text_len, 255);
    mailauth_zone_free(z);
    snprintf(text, sizeof text, "t TXT ok\nt TXT \"%s\"\n", s256);
    mailauth_zone_error err;
    assert_int_equal(load_error(NULL, text, &err), MAILAUTH_E_LIMIT);
    assert_int_equal(err.line, 2);
    /* escapes count as one octet each: 255 of "\065" is 255 octets */
    char *esc = malloc(255 * 4 + 32);
    assert_non_null(esc);
    strcpy(esc, "t TXT ");
    for (int i = 0; i < 255; i++)
        strcat(esc, "\\065");
    strcat(esc, "\n");
    z = zone(esc);
    assert_int_equal(ask(z, "t.example.com", MAILAUTH_RR_TXT), MAILAUTH_DNS_FOUND);
    assert_int_equal(rec(0)->text_len, 255);
    assert_int_equal(rec(0)->text[254], 'A');
    mailauth_zone_free(z);
    free(esc);
    free(s255);
    free(s256);
}

static void txt_record_data_over_65535_is_refused(void **state)
{
    (void)state;
    /* 254 strings of 255 octets = 65278 octets of RDATA; 255 = 65535 exactly; 256 is over. */
    for (int n = 254; n <= 256; n++) {
        size_t cap = (size_t)n * 260 + 64;
        char *text = malloc(cap);
        assert_non_null(text);
        char *s = repeat('z', 255);
        strcpy(text, "t TXT (\n");
        for (int i = 0; i < n; i++) {
            strcat(text, "\"");
            strcat(text, s);
            strcat(text, "\"\n");
        }
        strcat(text, ")\n");
        mailauth_zone_error err;
        int rc = load_error(NULL, text, &err);
        if (n <= 255) {
            assert_int_equal(rc, 0);
        } else {
            assert_int_equal(rc, MAILAUTH_E_LIMIT);
            assert_int_equal(err.line, 1);
        }
        free(s);
        free(text);
    }
}

/* 65535 empty character-strings are 65535 octets of RDATA in 65539 fields: the most an
 * entry can hold. One more string is refused. */
static void entry_fields_at_the_limit_and_one_past(void **state)
{
    (void)state;
    for (size_t n = 65535; n <= 65536; n++) {
        char *text = malloc(n * 3 + n / 1000 + 64);
        assert_non_null(text);
        size_t k = (size_t)sprintf(text, "t 60 IN TXT (");
        for (size_t i = 0; i < n; i++) {
            memcpy(text + k, " \"\"", 3);
            k += 3;
            if (i % 1000 == 999)
                text[k++] = '\n';
        }
        strcpy(text + k, " )\n");
        mailauth_zone_error err;
        int rc = load_error(NULL, text, &err);
        if (n == 65535) {
            assert_int_equal(rc, 0);
        } else {
            assert_int_equal(rc, MAILAUTH_E_LIMIT);
            assert_int_equal(err.line, 1);
        }
        free(text);
    }
}

static void record_count_at_the_limit_and_one_past(void **state)
{
    (void)state;
    mailauth_zone_options o;
    mailauth_zone_options_init(&o);
    o.max_records = 3;
    mailauth_zone *z = zone_with(&o, "a A 192.0.2.1\nb A 192.0.2.2\nc A 192.0.2.3\n", "example.com");
    assert_int_equal(mailauth_zone_record_count(z), 3);
    mailauth_zone_error err;
    assert_int_equal(mailauth_zone_load(z, "d A 192.0.2.4\n", 14, NULL, &err), MAILAUTH_E_LIMIT);
    assert_int_equal(err.line, 1);
    assert_int_equal(mailauth_zone_record_count(z), 3);
    mailauth_zone_free(z);
    assert_int_equal(load_error(&o, "a A 192.0.2.1\nb A 192.0.2.2\nc A 192.0.2.3\n\nd A 192.0.2.4\n",
                                &err), MAILAUTH_E_LIMIT);
    assert_int_equal(err.line, 5);
}

static void line_length_at_the_limit_and_one_past(void **state)
{
    (void)state;
    mailauth_zone_options o;
    mailauth_zone_options_init(&o);
    o.max_line_length = 20;
    /* "t TXT " is 6 octets, then 14 more: 20 exactly (CR LF not counted). */
    mailauth_zone *z = zone_with(&o, "t TXT abcdefghijklmn\r\n", "example.com");
    assert_int_equal(ask(z, "t.example.com", MAILAUTH_RR_TXT), MAILAUTH_DNS_FOUND);
    mailauth_zone_free(z);
    mailauth_zone_error err;
    assert_int_equal(load_error(&o, "a A 192.0.2.1\nt TXT abcdefghijklmno\n", &err), MAILAUTH_E_LIMIT);
    assert_int_equal(err.line, 2);
}

static void ttl_of_2147483647_is_the_largest(void **state)
{
    (void)state;
    mailauth_zone *z = zone("a 2147483647 A 192.0.2.1\n");
    assert_int_equal(ask(z, "a.example.com", MAILAUTH_RR_A), MAILAUTH_DNS_FOUND);
    assert_int_equal(mailauth_dns_answer_ttl(ans), 2147483647u);
    mailauth_zone_free(z);
}

/* ---- answers ----------------------------------------------------------------------------- */

static void unknown_name_is_nxdomain(void **state)
{
    (void)state;
    mailauth_zone *z = zone("a A 192.0.2.1\n");
    assert_int_equal(ask(z, "b.example.com", MAILAUTH_RR_A), MAILAUTH_DNS_NXDOMAIN);
    assert_int_equal(mailauth_dns_answer_count(ans), 0);
    assert_int_equal(mailauth_dns_answer_ttl(ans), MAILAUTH_ZONE_DEFAULT_NEGATIVE_TTL);
    mailauth_zone_free(z);
}

static void existing_name_without_the_type_is_nodata(void **state)
{
    (void)state;
    mailauth_zone_options o;
    mailauth_zone_options_init(&o);
    o.negative_ttl = 42;
    mailauth_zone *z = zone_with(&o, "a A 192.0.2.1\n", "example.com");
    assert_int_equal(ask(z, "a.example.com", MAILAUTH_RR_TXT), MAILAUTH_DNS_NODATA);
    assert_int_equal(mailauth_dns_answer_count(ans), 0);
    assert_int_equal(mailauth_dns_answer_ttl(ans), 42);
    mailauth_zone_free(z);
}

static void empty_non_terminal_is_nodata_and_a_sibling_suffix_is_not(void **state)
{
    (void)state;
    mailauth_zone *z = zone("x.y.z A 192.0.2.1\nab A 192.0.2.2\n");
    assert_int_equal(ask(z, "y.z.example.com", MAILAUTH_RR_A), MAILAUTH_DNS_NODATA);
    assert_int_equal(ask(z, "z.example.com", MAILAUTH_RR_TXT), MAILAUTH_DNS_NODATA);
    assert_int_equal(ask(z, "example.com", MAILAUTH_RR_A), MAILAUTH_DNS_NODATA);
    assert_int_equal(ask(z, "b.example.com", MAILAUTH_RR_A), MAILAUTH_DNS_NXDOMAIN);
    assert_int_equal(ask(z, "w.x.y.z.example.com", MAILAUTH_RR_A), MAILAUTH_DNS_NXDOMAIN);
    assert_int_equal(ask(z, "y.example.com", MAILAUTH_RR_A), MAILAUTH_DNS_NXDOMAIN);
    mailauth_zone_free(z);
}

static void empty_zone_answers_nxdomain(void **state)
{
    (void)state;
    mailauth_zone *z = zone("; nothing\n\n");
    assert_int_equal(mailauth_zone_record_count(z), 0);
    assert_int_equal(ask(z, "example.com", MAILAUTH_RR_A), MAILAUTH_DNS_NXDOMAIN);
    assert_int_equal(ask(z, ".", MAILAUTH_RR_A), MAILAUTH_DNS_NXDOMAIN);
    mailauth_zone_free(z);
}

static void answer_ttl_is_the_smallest_of_the_set(void **state)
{
    (void)state;
    mailauth_zone *z = zone("a 300 A 192.0.2.1\na 100 A 192.0.2.2\na 200 A 192.0.2.3\n");
    assert_int_equal(ask(z, "a.example.com", MAILAUTH_RR_A), MAILAUTH_DNS_FOUND);
    assert_int_equal(mailauth_dns_answer_ttl(ans), 100);
    mailauth_zone_free(z);
}

static void cname_is_followed_to_the_target_records(void **state)
{
    (void)state;
    mailauth_zone *z = zone("www 50 CNAME web\nweb 70 CNAME host.example.net.\n"
                            "host.example.net. 90 A 192.0.2.7\n");
    assert_int_equal(ask(z, "www.example.com", MAILAUTH_RR_A), MAILAUTH_DNS_FOUND);
    assert_int_equal(mailauth_dns_answer_count(ans), 1);
    assert_a(0, "192.0.2.7");
    assert_int_equal(mailauth_dns_answer_ttl(ans), 50);
    assert_int_equal(ask(z, "www.example.com", MAILAUTH_RR_CNAME), MAILAUTH_DNS_FOUND);
    assert_string_equal(rec(0)->name, "web.example.com");
    /* the target has no TXT: no data; a CNAME to a missing name: NXDOMAIN */
    assert_int_equal(ask(z, "www.example.com", MAILAUTH_RR_TXT), MAILAUTH_DNS_NODATA);
    mailauth_zone_free(z);
    z = zone("dangling CNAME nowhere\n");
    assert_int_equal(ask(z, "dangling.example.com", MAILAUTH_RR_A), MAILAUTH_DNS_NXDOMAIN);
    mailauth_zone_free(z);
}

static void cname_loop_is_permfail(void **state)
{
    (void)state;
    mailauth_zone *z = zone("a CNAME b\nb CNAME a\nself CNAME self\n");
    assert_int_equal(ask(z, "a.example.com", MAILAUTH_RR_A), MAILAUTH_DNS_PERMFAIL);
    assert_int_equal(mailauth_dns_answer_count(ans), 0);
    assert_int_equal(mailauth_dns_answer_ttl(ans), 0);
    assert_int_equal(ask(z, "self.example.com", MAILAUTH_RR_TXT), MAILAUTH_DNS_PERMFAIL);
    mailauth_zone_free(z);
}

static void cname_chain_of_the_depth_is_followed_and_one_more_is_not(void **state)
{
    (void)state;
    mailauth_zone_options o;
    mailauth_zone_options_init(&o);
    o.max_cname_depth = 3;
    mailauth_zone *z = zone_with(&o, "c0 CNAME c1\nc1 CNAME c2\nc2 CNAME c3\nc3 A 192.0.2.3\n"
                                     "d0 CNAME d1\nd1 CNAME d2\nd2 CNAME d3\nd3 CNAME d4\n"
                                     "d4 A 192.0.2.4\n", "example.com");
    assert_int_equal(ask(z, "c0.example.com", MAILAUTH_RR_A), MAILAUTH_DNS_FOUND);
    assert_a(0, "192.0.2.3");
    assert_int_equal(ask(z, "d0.example.com", MAILAUTH_RR_A), MAILAUTH_DNS_PERMFAIL);
    assert_int_equal(ask(z, "d1.example.com", MAILAUTH_RR_A), MAILAUTH_DNS_FOUND);
    mailauth_zone_free(z);
}

static void injected_failures_answer_instead(void **state)
{
    (void)state;
    mailauth_zone *z = zone("a A 192.0.2.1\na TXT t\nb TXT u\nalias CNAME b\n");
    assert_int_equal(mailauth_zone_fail(z, "a.example.com", MAILAUTH_RR_TXT, MAILAUTH_DNS_TEMPFAIL), 0);
    assert_int_equal(mailauth_zone_fail(z, "B.example.com.", 0, MAILAUTH_DNS_PERMFAIL), 0);
    assert_int_equal(mailauth_zone_fail(z, "gone.example.com", MAILAUTH_RR_MX, MAILAUTH_DNS_NODATA), 0);
    assert_int_equal(ask(z, "a.example.com", MAILAUTH_RR_TXT), MAILAUTH_DNS_TEMPFAIL);
    assert_int_equal(mailauth_dns_answer_ttl(ans), 0);
    assert_int_equal(ask(z, "a.example.com", MAILAUTH_RR_A), MAILAUTH_DNS_FOUND);
    assert_int_equal(ask(z, "b.example.com", MAILAUTH_RR_A), MAILAUTH_DNS_PERMFAIL);
    assert_int_equal(ask(z, "alias.example.com", MAILAUTH_RR_TXT), MAILAUTH_DNS_PERMFAIL);
    assert_int_equal(ask(z, "gone.example.com", MAILAUTH_RR_MX), MAILAUTH_DNS_NODATA);
    assert_int_equal(ask(z, "gone.example.com", MAILAUTH_RR_A), MAILAUTH_DNS_NXDOMAIN);
    mailauth_zone_free(z);
}

static void zone_resolver_works_through_mailauth_resolve(void **state)
{
    (void)state;
    mailauth_zone *z = zone("a A 192.0.2.1\n");
    mailauth_resolver r;
    mailauth_zone_resolver(z, &r);
    assert_int_equal(r.struct_size, sizeof r);
    assert_int_equal(mailauth_resolve(&r, "a.example.com.", MAILAUTH_RR_A, ans), 0);
    assert_int_equal(mailauth_dns_answer_result(ans), MAILAUTH_DNS_FOUND);
    assert_int_equal(mailauth_resolve(&r, "a.example.com", 99, ans), MAILAUTH_E_INVAL);
    assert_int_equal(mailauth_resolve(&r, "a b..c", MAILAUTH_RR_A, ans), MAILAUTH_E_INVAL);
    r.struct_size = 0;
    assert_int_equal(mailauth_resolve(&r, "a.example.com", MAILAUTH_RR_A, ans), MAILAUTH_E_INVAL);
    mailauth_zone_free(z);
}

/* A callback that says FOUND without records, or NXDOMAIN with records. */
static int sloppy_lookup(void *user, const char *name, int type, mailauth_dns_answer *a)
{
    (void)name;
    (void)type;
    static const unsigned char ip[4] = {192, 0, 2, 9};
    mailauth_dns_answer_set_ttl(a, 60);
    if (*(int *)user == 0)
        return mailauth_dns_answer_set_result(a, MAILAUTH_DNS_FOUND);
    if (*(int *)user == 1) {
        mailauth_dns_answer_add_a(a, ip);
        return mailauth_dns_answer_set_result(a, MAILAUTH_DNS_NXDOMAIN);
    }
    mailauth_dns_answer_add_a(a, ip);
    mailauth_dns_answer_set_result(a, MAILAUTH_DNS_TEMPFAIL);
    return 0;
}

static void resolve_makes_answers_consistent(void **state)
{
    (void)state;
    int mode = 0;
    mailauth_resolver r;
    mailauth_resolver_init(&r);
    r.lookup = sloppy_lookup;
    r.user = &mode;
    assert_int_equal(mailauth_resolve(&r, "x.test", MAILAUTH_RR_A, ans), 0);
    assert_int_equal(mailauth_dns_answer_result(ans), MAILAUTH_DNS_NODATA);
    mode = 1;
    assert_int_equal(mailauth_resolve(&r, "x.test", MAILAUTH_RR_A, ans), 0);
    assert_int_equal(mailauth_dns_answer_result(ans), MAILAUTH_DNS_NXDOMAIN);
    assert_int_equal(mailauth_dns_answer_count(ans), 0);
    assert_int_equal(mailauth_dns_answer_ttl(ans), 60);
    mode = 2;
    assert_int_equal(mailauth_resolve(&r, "x.test", MAILAUTH_RR_A, ans), 0);
    assert_int_equal(mailauth_dns_answer_result(ans), MAILAUTH_DNS_TEMPFAIL);
    assert_int_equal(mailauth_dns_answer_count(ans), 0);
    assert_int_equal(mailauth_dns_answer_ttl(ans), 0);
}

static void answer_builder_copies_and_checks(void **state)
{
    (void)state;
    const unsigned char *strs[2] = {(const unsigned char *)"ab", (const unsigned char *)"c"};
    size_t lens[2] = {2, 1};
    assert_int_equal(mailauth_dns_answer_add_txt(ans, strs, lens, 2), 0);
    assert_int_equal(mailauth_dns_answer_add_mx(ans, 5, "MX.example.com."), 0);
    assert_int_equal(mailauth_dns_answer_add_tlsa(ans, 3, 1, 1, (const unsigned char *)"\x01\x02", 2), 0);
    assert_int_equal(mailauth_dns_answer_set_dnssec(ans, MAILAUTH_DNSSEC_SECURE), 0);
    assert_int_equal(mailauth_dns_answer_set_result(ans, MAILAUTH_DNS_FOUND), 0);
    mailauth_dns_answer_set_ttl(ans, 10);
    size_t big = 256;
    assert_int_equal(mailauth_dns_answer_add_txt(ans, strs, &big, 1), MAILAUTH_E_INVAL);
    assert_int_equal(mailauth_dns_answer_add_mx(ans, 70000, "mx"), MAILAUTH_E_INVAL);
    assert_int_equal(mailauth_dns_answer_add_name(ans, MAILAUTH_RR_A, "x"), MAILAUTH_E_INVAL);
    assert_int_equal(mailauth_dns_answer_add_name(ans, MAILAUTH_RR_PTR, "a..b"), MAILAUTH_E_INVAL);
    assert_int_equal(mailauth_dns_answer_set_result(ans, 9), MAILAUTH_E_INVAL);
    assert_int_equal(mailauth_dns_answer_set_dnssec(ans, 9), MAILAUTH_E_INVAL);
    assert_int_equal(mailauth_dns_answer_count(ans), 3);
    mailauth_dns_answer *copy = NULL;
    assert_int_equal(mailauth_dns_answer_new(&copy), 0);
    assert_int_equal(mailauth_dns_answer_copy(copy, ans), 0);
    mailauth_dns_answer_reset(ans);
    assert_int_equal(mailauth_dns_answer_count(ans), 0);
    assert_int_equal(mailauth_dns_answer_count(copy), 3);
    assert_int_equal(mailauth_dns_answer_ttl(copy), 10);
    assert_int_equal(mailauth_dns_answer_dnssec(copy), MAILAUTH_DNSSEC_SECURE);
    const mailauth_dns_record *r = mailauth_dns_answer_record(copy, 0);
    assert_string_equal(r->text, "abc");
    assert_int_equal(r->string_count, 2);
    assert_int_equal(r->string_lens[1], 1);
    r = mailauth_dns_answer_record(copy, 1);
    assert_string_equal(r->name, "MX.example.com");
    r = mailauth_dns_answer_record(copy, 2);
    assert_int_equal(r->data_len, 2);
    assert_int_equal(r->data[1], 2);
    assert_null(mailauth_dns_answer_record(copy, 3));
    mailauth_dns_answer_free(copy);
}

static void version_and_error_strings(void **state)
{
    (void)state;
    assert_string_equal(mailauth_version(), "0.1.0");
    assert_int_equal(mailauth_version_number(), MAILAUTH_VERSION_NUMBER);
    assert_string_equal(mailauth_strerror(MAILAUTH_E_SYNTAX), "syntax error");
    assert_string_equal(mailauth_strerror(12345), "unknown error");
}

/* ---- allocation failure ------------------------------------------------------------------ */

#include "alloc_budget.h"

/* Every allocation of a load and of the lookups after it fails in turn: each call gives
 * MAILAUTH_E_NOMEM or works fully; with enough memory the answers are the right ones. */
static void allocation_failure_anywhere_is_nomem(void **state)
{
    (void)state;
    static const char text[] = "$TTL 60\n@ A 192.0.2.1\n@ MX 10 mx\nmx AAAA ::1\n"
                               "www CNAME @\nk TXT \"a\" \"b\"\nt TLSA 3 1 1 00ff\n";
    mailauth_set_allocator(budget_malloc, budget_realloc, free);
    int completed = 0;
    for (size_t limit = 0; limit < 400 && !completed; limit++) {
        alloc_budget = limit;
        alloc_limited = 1;
        mailauth_zone *z = NULL;
        mailauth_dns_answer *a = NULL;
        int rc = mailauth_dns_answer_new(&a);
        if (!rc)
            rc = mailauth_zone_new(NULL, &z);
        if (!rc)
            rc = mailauth_zone_load(z, text, sizeof text - 1, "example.com", NULL);
        if (rc == MAILAUTH_E_NOMEM && z)
            assert_int_equal(mailauth_zone_record_count(z), 0);
        if (!rc)
            rc = mailauth_zone_lookup(z, "www.example.com", MAILAUTH_RR_MX, a);
        if (!rc) {
            assert_int_equal(mailauth_dns_answer_result(a), MAILAUTH_DNS_FOUND);
            assert_string_equal(mailauth_dns_answer_record(a, 0)->name, "mx.example.com");
            rc = mailauth_zone_lookup(z, "k.example.com", MAILAUTH_RR_TXT, a);
        }
        if (!rc) {
            assert_string_equal(mailauth_dns_answer_record(a, 0)->text, "ab");
            mailauth_dns_answer_reset(a);
            rc = mailauth_zone_fail(z, "k.example.com", 0, MAILAUTH_DNS_TEMPFAIL);
        }
        alloc_limited = 0;
        if (rc && rc != MAILAUTH_E_NOMEM)
            fail_msg("with %zu allocations allowed: %d", limit, rc);
        if (rc == MAILAUTH_E_NOMEM && a)
            assert_int_equal(mailauth_dns_answer_count(a), 0);
        completed = rc == 0;
        mailauth_zone_free(z);
        mailauth_dns_answer_free(a);
    }
    mailauth_set_allocator(NULL, NULL, NULL);
    assert_true(completed);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(at_sign_is_the_origin),
        cmocka_unit_test(relative_names_take_the_origin_and_absolute_ones_do_not),
        cmocka_unit_test(origin_directive_changes_relative_names),
        cmocka_unit_test(root_origin_when_none_is_given),
        cmocka_unit_test(ttl_directive_explicit_ttl_and_units),
        cmocka_unit_test(ttl_and_class_come_in_either_order),
        cmocka_unit_test(blank_owner_repeats_the_previous_owner),
        cmocka_unit_test(comments_are_ignored_but_not_inside_quotes),
        cmocka_unit_test(parentheses_join_lines),
        cmocka_unit_test(txt_keeps_character_string_boundaries),
        cmocka_unit_test(txt_escapes_quote_backslash_and_decimal),
        cmocka_unit_test(txt_unquoted_words_are_strings_each),
        cmocka_unit_test(several_txt_records_are_one_set_in_file_order),
        cmocka_unit_test(aaaa_accepts_every_textual_form),
        cmocka_unit_test(mx_ptr_and_ns_carry_their_names),
        cmocka_unit_test(tlsa_reads_fields_and_split_hex),
        cmocka_unit_test(names_compare_without_case_and_trailing_dot),
        cmocka_unit_test(crlf_line_ends_are_accepted),
        cmocka_unit_test(escaped_dot_stays_inside_a_label),
        cmocka_unit_test(several_loads_add_up),
        cmocka_unit_test(bad_input_reports_code_and_line),
        cmocka_unit_test(nul_byte_in_the_text_is_refused),
        cmocka_unit_test(failed_load_adds_nothing),
        cmocka_unit_test(bad_arguments_are_inval),
        cmocka_unit_test(label_of_63_is_accepted_and_64_refused),
        cmocka_unit_test(name_of_255_octets_is_accepted_and_256_refused),
        cmocka_unit_test(txt_string_of_255_is_accepted_and_256_refused),
        cmocka_unit_test(txt_record_data_over_65535_is_refused),
        cmocka_unit_test(entry_fields_at_the_limit_and_one_past),
        cmocka_unit_test(record_count_at_the_limit_and_one_past),
        cmocka_unit_test(line_length_at_the_limit_and_one_past),
        cmocka_unit_test(ttl_of_2147483647_is_the_largest),
        cmocka_unit_test(unknown_name_is_nxdomain),
        cmocka_unit_test(existing_name_without_the_type_is_nodata),
        cmocka_unit_test(empty_non_terminal_is_nodata_and_a_sibling_suffix_is_not),
        cmocka_unit_test(empty_zone_answers_nxdomain),
        cmocka_unit_test(answer_ttl_is_the_smallest_of_the_set),
        cmocka_unit_test(cname_is_followed_to_the_target_records),
        cmocka_unit_test(cname_loop_is_permfail),
        cmocka_unit_test(cname_chain_of_the_depth_is_followed_and_one_more_is_not),
        cmocka_unit_test(injected_failures_answer_instead),
        cmocka_unit_test(zone_resolver_works_through_mailauth_resolve),
        cmocka_unit_test(resolve_makes_answers_consistent),
        cmocka_unit_test(answer_builder_copies_and_checks),
        cmocka_unit_test(version_and_error_strings),
        cmocka_unit_test(allocation_failure_anywhere_is_nomem),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
