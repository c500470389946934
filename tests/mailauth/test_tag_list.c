/* test_tag_list.c — tag=value lists (RFC 6376 §3.2) and the client-address helpers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "ma_internal.h"

static void expect_tag(const ma_tag *t, const char *name, const char *value)
{
    assert_int_equal(t->name_len, strlen(name));
    assert_memory_equal(t->name, name, t->name_len);
    assert_int_equal(t->value_len, strlen(value));
    assert_memory_equal(t->value, value, t->value_len);
}

static int parse(const char *s, ma_tag *tags, size_t max, size_t *count, size_t *off)
{
    return ma_tag_list_parse(s, strlen(s), tags, max, count, off);
}

static void rfc6376_signature_tags(void **state)
{
    (void)state;
    /* The folded tag list of RFC 6376 Appendix A.2, as it reaches the parser. */
    const char *s = "v=1; a=rsa-sha256; s=brisbane; d=example.com;\r\n"
                    "      c=simple/simple; q=dns/txt; i=joe@football.example.com;\r\n"
                    "      h=Received : From : To : Subject : Date : Message-ID;\r\n"
                    "      bh=2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=;\r\n"
                    "      b=AuUoFEfDxTDkHlLXSZEpZj79LICEps6eda7W3deTVFOk4yAUoqOB\r\n"
                    "        4nujc7YopdG5dWLSdNg6xNAZpOPr+kHxt1IrE+NahM6L/LbvaHut\r\n"
                    "        KVdkLLkpVaVVQPzeRDI009SO2Il5Lu7rDNH6mZckBdrIx0orEtZV\r\n"
                    "        4bmp/YzhwvcubU4=;";
    ma_tag tags[16];
    size_t n;
    assert_int_equal(parse(s, tags, 16, &n, NULL), 0);
    assert_int_equal(n, 10);
    expect_tag(&tags[0], "v", "1");
    expect_tag(&tags[1], "a", "rsa-sha256");
    expect_tag(&tags[6], "i", "joe@football.example.com");
    expect_tag(&tags[7], "h", "Received : From : To : Subject : Date : Message-ID");
    assert_int_equal(tags[9].value_len, strlen("AuUoFEfDxTDkHlLXSZEpZj79LICEps6eda7W3deTVFOk4yAUoqOB\r\n"
                                              "        4nujc7YopdG5dWLSdNg6xNAZpOPr+kHxt1IrE+NahM6L/LbvaHut\r\n"
                                              "        KVdkLLkpVaVVQPzeRDI009SO2Il5Lu7rDNH6mZckBdrIx0orEtZV\r\n"
                                              "        4bmp/YzhwvcubU4="));
    assert_non_null(ma_tag_find(tags, n, "bh"));
    assert_null(ma_tag_find(tags, n, "B"));  /* names are case-sensitive */
    assert_null(ma_tag_find(tags, n, "x"));
}

static void spaces_empty_values_and_trailing_semicolon(void **state)
{
    (void)state;
    ma_tag tags[4];
    size_t n;
    assert_int_equal(parse("  v = DKIM1 ;p=;  ", tags, 4, &n, NULL), 0);
    assert_int_equal(n, 2);
    expect_tag(&tags[0], "v", "DKIM1");
    expect_tag(&tags[1], "p", "");
    assert_int_equal(parse("", tags, 4, &n, NULL), 0);
    assert_int_equal(n, 0);
    assert_int_equal(parse(" ; ", tags, 4, &n, NULL), MAILAUTH_E_SYNTAX); /* an empty tag-spec */
    assert_int_equal(parse("k_1=a b", tags, 4, &n, NULL), 0);
    expect_tag(&tags[0], "k_1", "a b");
}

static void malformed_lists_give_the_offset(void **state)
{
    (void)state;
    ma_tag tags[4];
    size_t n = 99, off = 0;
    assert_int_equal(parse("v=1; 1a=2", tags, 4, &n, &off), MAILAUTH_E_SYNTAX);
    assert_int_equal(off, 5);
    assert_int_equal(n, 0);
    assert_int_equal(parse("v=1; a", tags, 4, &n, &off), MAILAUTH_E_SYNTAX);
    assert_int_equal(off, 6);
    assert_int_equal(parse("v:DKIM1", tags, 4, &n, &off), MAILAUTH_E_SYNTAX);
    assert_int_equal(off, 1);
    assert_int_equal(parse("v=1;v=2", tags, 4, &n, &off), MAILAUTH_E_SYNTAX); /* duplicate */
    assert_int_equal(off, 4);
    assert_int_equal(parse("v=a\x01" "b", tags, 4, &n, &off), MAILAUTH_E_SYNTAX);
    assert_int_equal(off, 3);
    assert_int_equal(parse("a=1;b=2;c=3", tags, 2, &n, &off), MAILAUTH_E_LIMIT);
    assert_int_equal(off, 8);
    /* A value may hold "=" and non-ASCII octets; the caller judges them. */
    assert_int_equal(parse("p=ab==;d=\xc3\xa9t\xc3\xa9.example", tags, 4, &n, NULL), 0);
    expect_tag(&tags[0], "p", "ab==");
}

static void addresses(void **state)
{
    (void)state;
    ma_ip ip, net;
    char buf[46];
    assert_int_equal(ma_ip_parse("192.0.2.77", &ip), 0);
    assert_false(ip.v6);
    assert_memory_equal(ip.b, "\xc0\x00\x02\x4d", 4);
    assert_int_equal(ma_ip_parse("::ffff:192.0.2.77", &net), 0); /* mapped: the IPv4 client */
    assert_false(net.v6);
    assert_memory_equal(net.b, ip.b, 16);
    assert_int_equal(ma_ip_parse("2001:DB8::1", &ip), 0);
    assert_true(ip.v6);
    assert_int_equal(ma_ip_format(&ip, buf, sizeof buf), strlen("2001:db8::1"));
    assert_string_equal(buf, "2001:db8::1");
    assert_int_equal(ma_ip_format(&ip, buf, 5), 0);
    assert_string_equal(buf, "");
    assert_int_equal(ma_ip_parse("192.0.2", &ip), MAILAUTH_E_INVAL);
    assert_int_equal(ma_ip_parse("1.2.3.4 ", &ip), MAILAUTH_E_INVAL);
    assert_int_equal(ma_ip_parse(NULL, &ip), MAILAUTH_E_INVAL);

    assert_int_equal(ma_ip_parse("192.0.2.130", &ip), 0);
    assert_int_equal(ma_ip_parse("192.0.2.128", &net), 0);
    assert_true(ma_ip_in_prefix(&ip, &net, 25));
    assert_false(ma_ip_in_prefix(&ip, &net, 31));
    assert_true(ma_ip_in_prefix(&ip, &net, 0));
    assert_false(ma_ip_in_prefix(&ip, &net, 33));
    assert_int_equal(ma_ip_parse("2001:db8:ffff::", &net), 0);
    assert_false(ma_ip_in_prefix(&ip, &net, 0)); /* families never match */
    assert_int_equal(ma_ip_parse("2001:db8:f0ff::5", &ip), 0);
    assert_true(ma_ip_in_prefix(&ip, &net, 36));
    assert_false(ma_ip_in_prefix(&ip, &net, 37));
    assert_true(ma_ip_in_prefix(&ip, &ip, 128));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(rfc6376_signature_tags),
        cmocka_unit_test(spaces_empty_values_and_trailing_semicolon),
        cmocka_unit_test(malformed_lists_give_the_offset),
        cmocka_unit_test(addresses),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
