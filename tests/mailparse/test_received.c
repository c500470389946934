/* test_received.c — Received field clauses, the comments MTAs write, and the trailing date. */
#include "test_util.h"

static mailparse_values *values;

static int setup(void **state)
{
    (void)state;
    return mailparse_values_new(&values);
}

static int teardown(void **state)
{
    (void)state;
    mailparse_values_free(values);
    return 0;
}

static const mailparse_received *parse(const char *s)
{
    const mailparse_received *r = NULL;
    assert_int_equal(mailparse_parse_received(values, s, strlen(s), &r), 0);
    assert_non_null(r);
    return r;
}

#define assert_field(value, expected)                                                      \
    do {                                                                                   \
        if (expected)                                                                      \
            assert_string_equal((value), (expected));                                      \
        else                                                                               \
            assert_null(value);                                                            \
    } while (0)

static void postfix_line_with_reverse_name_and_literal(void **state)
{
    (void)state;
    const mailparse_received *r = parse(
        "from github.com (hubbernetes-node-c032927.ash1-iad.github.net [10.56.145.42]) by "
        "smtp.github.com (Postfix) with ESMTPA id B4E173410F4 for <hello@stalw.art>; Tue, 29 "
        "Aug 2023 09:20:10 -0700 (PDT)\n");
    assert_field(r->from, "github.com");
    assert_field(r->from_ip, "10.56.145.42");
    assert_field(r->from_iprev, "hubbernetes-node-c032927.ash1-iad.github.net");
    assert_field(r->by, "smtp.github.com");
    assert_field(r->with, "ESMTPA");
    assert_field(r->id, "B4E173410F4");
    assert_field(r->for_addr, "hello@stalw.art");
    assert_field(r->helo, NULL);
    assert_int_equal(r->has_date, 1);
    assert_int_equal(r->date.year, 2023);
    assert_int_equal(r->date.offset_minutes, -420);
}

static void tls_using_with_cipher(void **state)
{
    (void)state;
    const mailparse_received *r = parse(
        "from out-25.smtp.github.com (out-25.smtp.github.com. [192.30.252.208]) (using TLSv1.3 "
        "with cipher TLS13_AES_256_GCM_SHA384)\r\n\t by mail.stalw.art (Stalwart SMTP) with ESMTPS "
        "id 41A2C80D73C;\r\n\tTue, 29 Aug 2023 16:20:12 +0000\n");
    assert_field(r->tls_version, "TLSv1.3");
    assert_field(r->tls_cipher, "TLS13_AES_256_GCM_SHA384");
    assert_field(r->from_iprev, "out-25.smtp.github.com.");
    assert_field(r->with, "ESMTPS");
    assert_int_equal(r->date.timestamp, 1693326012);
}

static void tls_forms_of_other_mtas(void **state)
{
    (void)state;
    const mailparse_received *r =
        parse("from a by b with Microsoft SMTP Server (version=TLS1_2, cipher=TLS_X) id 1; 1 Jan 2020 00:00:00 +0000");
    assert_field(r->tls_version, "TLS1_2");
    assert_field(r->tls_cipher, "TLS_X");
    assert_field(r->with, "SMTP");
    r = parse("from a by b with esmtp (Cipher TLSv1:DES-CBC3-SHA:168) id 1");
    assert_field(r->tls_version, "TLSv1");
    assert_field(r->tls_cipher, "DES-CBC3-SHA");
    r = parse("from a by b with esmtps (TLS-1.0:DHE_RSA_3DES_EDE_CBC_SHA:24) (Exim 4.50) id x");
    assert_field(r->tls_version, "TLS-1.0");
    assert_field(r->tls_cipher, "DHE_RSA_3DES_EDE_CBC_SHA");
    r = parse("from unknown (HELO X) () by p01 with ESMTP/TLS/DHE-RSA-AES256-GCM-SHA384; 02 Sep 2023 04:24:06 +0200");
    assert_field(r->with, "ESMTP");
    assert_field(r->tls_cipher, "DHE-RSA-AES256-GCM-SHA384");
    assert_field(r->helo, "X");
}

static void helo_forms(void **state)
{
    (void)state;
    assert_field(parse("from x (HELO niels) (69.96.3.15) by y with SMTP; 2 Jan 2004 19:26:52 -0800")->helo, "niels");
    assert_field(parse("from x (EHLO homepc) [82.83.45.64] by y with SMTP")->helo, "homepc");
    assert_field(parse("from x ([10.3.1.13] helo=a.b.net) by y")->helo, "a.b.net");
    const mailparse_received *r = parse("from x (LHLO m.d.com) (10.2.2.20) by y with LMTP");
    assert_field(r->helo, "m.d.com");
    assert_field(r->from_ip, "10.2.2.20");
    assert_field(parse("from x (HELO ) (1.2.3.4) by y")->helo, NULL);
}

static void address_literals(void **state)
{
    (void)state;
    const mailparse_received *r = parse("from [86.122.158.69] by mta2.example.com; Thu, 2 Aug 2007 21:50:04 -0200");
    assert_field(r->from, "[86.122.158.69]");
    assert_field(r->from_ip, "86.122.158.69");
    assert_field(parse("from a (localhost [IPv6:::1]) by b")->from_ip, "::1");
    assert_field(parse("from a ([10.225.209.19:33672]) by b")->from_ip, "10.225.209.19");
    assert_field(parse("from a ([80.237.130.48]:52313) by b")->from_ip, "80.237.130.48");
    assert_field(parse("from a (63.146.189.86:23198) by b")->from_ip, "63.146.189.86");
    assert_field(parse("from a ([fe80::1%6]) by b")->from_ip, "fe80::1");
    assert_field(parse("from a ([63.251.66.24.63559]) by b")->from_ip, NULL);
    r = parse("from a (unknown[211.94.164.65]) by b");
    assert_field(r->from_ip, "211.94.164.65");
    assert_field(r->from_iprev, NULL);
    r = parse("from 142.169.110.122 (SquirrelMail authenticated user synapse) by m with HTTP");
    assert_field(r->from_ip, "142.169.110.122");
}

static void ident_forms(void **state)
{
    (void)state;
    const mailparse_received *r = parse("from 4wtgRl (kgbxn@[211.244.147.115]) by d with SMTP id h8;");
    assert_field(r->ident, "kgbxn");
    assert_field(r->from_ip, "211.244.147.115");
    r = parse("from r (IDENT:qmailr@one.develooper.com [64.81.84.115]) by d");
    assert_field(r->ident, "qmailr@one.develooper.com");
    assert_field(r->from_ip, "64.81.84.115");
    assert_field(parse("from x ([1.2.3.4] helo=h ident=yiuhyotp) by y")->ident, "yiuhyotp");
    assert_field(parse("from x (foobar@213.228.0.169) by y")->ident, "foobar@213.228.0.169");
}

static void keywords_are_case_insensitive(void **state)
{
    (void)state;
    const mailparse_received *r =
        parse("FROM helo (1.2.3.4 [1.2.3.4]) BY xxx.com WITH SMTP ID <B00@xxx.com> FOR <foo@bar.net>; Tue, 6 Nov 2018 07:41:26 +0200");
    assert_field(r->from, "helo");
    assert_field(r->by, "xxx.com");
    assert_field(r->with, "SMTP");
    assert_field(r->id, "B00@xxx.com");
    assert_field(r->for_addr, "foo@bar.net");
    assert_field(r->from_iprev, NULL);
}

static void via_clause(void **state)
{
    (void)state;
    const mailparse_received *r = parse("from [93.48.39.139] by web.example.com via HTTP; Wed, 09 Mar 2011 11:19:45 GMT");
    assert_field(r->via, "HTTP");
    assert_field(r->with, NULL);
}

static void from_inside_a_leading_comment(void **state)
{
    (void)state;
    const mailparse_received *r = parse("(from localhost [24.180.47.240]) by host.name with SMTP id M2;");
    assert_field(r->from, "localhost");
    assert_field(r->from_ip, "24.180.47.240");
    assert_field(r->by, "host.name");
}

static void no_semicolon_no_date(void **state)
{
    (void)state;
    const mailparse_received *r = parse("from a by b with esmtp id 1GzVLs-0002Oz-7b\n");
    assert_int_equal(r->has_date, 0);
    assert_field(r->id, "1GzVLs-0002Oz-7b");
    r = parse("from a by b; not a date");
    assert_int_equal(r->has_date, 0);
    r = parse("; Tue, 23 May 2006 13:06:35 -0400");
    assert_int_equal(r->has_date, 1);
    assert_null(r->from);
}

static void comment_words_beyond_limit_are_ignored(void **state)
{
    (void)state;
    char buf[2048] = "from a (";
    for (int i = 0; i < 100; i++)
        strcat(buf, "w ");
    strcat(buf, "[1.2.3.4]) by b");
    const mailparse_received *r = parse(buf);
    assert_field(r->from, "a");
    assert_field(r->by, "b");
    assert_field(r->from_ip, NULL);
}

static void hostile_input_never_crashes(void **state)
{
    (void)state;
    static const char *const inputs[] = {"", "(", "[", "from", "from (", "from [", "(from (from (from",
                                         "from [1.2.3.4", "with /TLS/", "by ;;;;", "from a@[", ")))",
                                         "from x (HELO", "from x (ident=", "from x (a[)"};
    for (size_t i = 0; i < sizeof inputs / sizeof inputs[0]; i++)
        parse(inputs[i]);
    const mailparse_received *r = NULL;
    assert_int_equal(mailparse_parse_received(NULL, "x", 1, &r), MAILPARSE_E_INVAL);
    assert_int_equal(mailparse_parse_received(values, NULL, 1, &r), MAILPARSE_E_INVAL);
}

static void nul_byte_ends_the_field(void **state)
{
    (void)state;
    const char in[] = "from a by b (version=TLS1_2, cipher=\0\0TLS_X) id 1; 1 Jan 2020 00:00:00 +0000";
    const mailparse_received *r = NULL;
    assert_int_equal(mailparse_parse_received(values, in, sizeof in - 1, &r), 0);
    assert_field(r->tls_cipher, NULL);
    assert_field(r->tls_version, "TLS1_2");
    assert_int_equal(r->has_date, 0);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(postfix_line_with_reverse_name_and_literal),
        T(tls_using_with_cipher),
        T(tls_forms_of_other_mtas),
        T(helo_forms),
        T(address_literals),
        T(ident_forms),
        T(keywords_are_case_insensitive),
        T(via_clause),
        T(from_inside_a_leading_comment),
        T(no_semicolon_no_date),
        T(comment_words_beyond_limit_are_ignored),
        T(hostile_input_never_crashes),
        T(nul_byte_ends_the_field),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
