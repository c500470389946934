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

static void reverse_name_loses_angle_brackets(void **state)
{
    (void)state;
    const mailparse_received *r = parse("from 12-211-5-69.client.attbi.com (<unknown.domain>[12.211.5.69]) by "
                                        "rwcrmhc53.attbi.com with SMTP id <2002112823351305300akl1ue>;");
    assert_field(r->from_iprev, "unknown.domain");
    assert_field(r->from_ip, "12.211.5.69");
    assert_field(parse("from a (<b.example.net>) by c")->from_iprev, "b.example.net");
}

static void version_number_is_no_reverse_name(void **state)
{
    (void)state;
    const mailparse_received *r = parse("from 127.0.0.1 (AVG SMTP 7.0.299 [265.6.8]); Wed, 05 Jan 2005 15:06:48 -0800");
    assert_field(r->from_iprev, NULL);
    assert_field(r->from_ip, "127.0.0.1");
    assert_field(parse("from a (1.2.3 [10.0.0.1]) by b")->from_iprev, NULL);
    assert_field(parse("from a (a..b [10.0.0.1]) by b")->from_iprev, NULL);
    assert_field(parse("from a (mx1.example.com [10.0.0.1]) by b")->from_iprev, "mx1.example.com");
    assert_field(parse("from a (1-2-3-4.dsl.example.net [1.2.3.4]) by b")->from_iprev, "1-2-3-4.dsl.example.net");
}

static void helo_address_literal_is_the_bare_address(void **state)
{
    (void)state;
    const mailparse_received *r = parse("from [192.168.1.104] (account nazgul HELO [192.168.1.104]) by "
                                        "somewhere.com with ESMTP-TLS id 2088434;");
    assert_field(r->helo, "192.168.1.104");
    assert_field(parse("from a (helo=[IPv6:2001:db8::1]) by b")->helo, "2001:db8::1");
    assert_field(parse("from a (EHLO [unix]) by b")->helo, "[unix]");
    assert_field(parse("from a (HELO mx.example.com) by b")->helo, "mx.example.com");
}

static void with_takes_the_protocol_name_after_a_vendor(void **state)
{
    (void)state;
    const mailparse_received *r = parse("from list.brainbuzz.com (63.146.189.86:23198) by mx1.yourtech.net with "
                                        "[XMail 1.20 ESMTP Server] id <S72E> for <jason@example.org>;");
    assert_field(r->with, "ESMTP");
    assert_field(r->id, "S72E");
    assert_field(r->for_addr, "jason@example.org");
    assert_field(parse("from ([127.0.0.1]) with MailEnable ESMTP; Wed, 10 Jul 2019 10:29:59 +0300")->with, "ESMTP");
    assert_field(parse("from a by b with [Vendor Mail] id 1")->with, "Vendor Mail");
    assert_field(parse("from a by b with ECSTREAM id 1")->with, "ECSTREAM");
    assert_field(parse("from a by b with Microsoft SMTPSVC(6.0.3790.1830)")->with, "SMTPSVC");
    assert_field(parse("from a by b with LMTPA id 1 for SMTP")->with, "LMTPA");
    assert_field(parse("from a by b with local id 1 SMTP")->with, "local");
}

static void as_user_gives_ident(void **state)
{
    (void)state;
    const mailparse_received *r = parse("from 192.168.5.158 ( [192.168.5.158]) as user jason@localhost by "
                                        "mail.reusch.net with HTTP; Mon, 8 Jul 2002 23:24:56 -0400");
    assert_field(r->ident, "jason@localhost");
    assert_field(r->by, "mail.reusch.net");
    assert_field(r->with, "HTTP");
    r = parse("from a as user by b");
    assert_field(r->ident, NULL);
    assert_field(r->by, "b");
    assert_field(parse("from a by b as user c")->ident, NULL);
}

static void encrypted_names_the_cipher(void **state)
{
    (void)state;
    const mailparse_received *r = parse("from mail-eopbgr60122.outbound.protection.outlook.com (HELO EUR04-DB3-obe.outb) "
                                        "server-7.tower-with AES256-GCM-SHA384 encrypted SMTP; 13 Sep 2018 14:47:44 -0000");
    assert_field(r->tls_cipher, "AES256-GCM-SHA384");
    assert_field(r->helo, "EUR04-DB3-obe.outb");
    assert_int_equal(r->has_date, 1);
    r = parse("from a (HELO a) by server-7.tower-1.messagelabs.com with DHE-RSA-AES256-SHA encrypted SMTP; "
              "1 Jan 2020 00:00:00 +0000");
    assert_field(r->tls_cipher, "DHE-RSA-AES256-SHA");
    assert_field(r->with, "SMTP");
    assert_field(r->by, "server-7.tower-1.messagelabs.com");
}

static void date_after_semicolon_and_underscore(void **state)
{
    (void)state;
    const mailparse_received *r = parse("from testintranator.net.vm ([unix socket])_ by testintranator.net.vm "
                                        "(Cyrus v2.3.14) with LMTPA;_ Tue, 21 Jul 2009 14:34:14 +0200");
    assert_int_equal(r->has_date, 1);
    assert_int_equal(r->date.year, 2009);
    assert_int_equal(r->date.offset_minutes, 120);
    assert_field(r->with, "LMTPA");
    assert_int_equal(parse("from a by b;_")->has_date, 0);
}

static void for_clause_after_the_date(void **state)
{
    (void)state;
    const mailparse_received *r = parse("from olgisoft.com (127.0.0.1) by 127.0.0.1 (EzMTS MTSSmtp 1.55d5) ; "
                                        "Thu, 20 Mar 03 10:06:43 +0100 for <asrg@ietf.org>");
    assert_field(r->for_addr, "asrg@ietf.org");
    assert_int_equal(r->has_date, 1);
    assert_int_equal(r->date.year, 2003);
    r = parse("from a by b for <x@y.z>; Thu, 20 Mar 2003 10:06:43 +0100 for <other@y.z>");
    assert_field(r->for_addr, "x@y.z");
    assert_field(parse("from a by b; 1 Jan 2020 00:00:00 +0000 (for <c@d.e>)")->for_addr, NULL);
    assert_field(parse("from a by b; 1 Jan 2020 00:00:00 +0000 for")->for_addr, NULL);
}

static void status_comments_name_no_from_host(void **state)
{
    (void)state;
    const mailparse_received *r = parse("(qmail 84907 invoked from network); 13 Feb 2003 20:59:28 -0000");
    assert_field(r->from, NULL);
    assert_int_equal(r->has_date, 1);
    r = parse("by oak.ein.cz (Postfix, from userid 1002) id DABBD1BED3; Thu, 13 Feb 2003 14:02:21 +0100 (CET)");
    assert_field(r->from, NULL);
    assert_field(r->by, "oak.ein.cz");
    assert_field(r->id, "DABBD1BED3");
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
        T(reverse_name_loses_angle_brackets),
        T(version_number_is_no_reverse_name),
        T(helo_address_literal_is_the_bare_address),
        T(with_takes_the_protocol_name_after_a_vendor),
        T(as_user_gives_ident),
        T(encrypted_names_the_cipher),
        T(date_after_semicolon_and_underscore),
        T(for_clause_after_the_date),
        T(status_comments_name_no_from_host),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
