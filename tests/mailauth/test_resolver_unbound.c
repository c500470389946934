/* test_resolver_unbound.c — the libunbound resolver, offline: local data of every type parsed
 * (A, AAAA, MX, multi-string TXT with a 255-octet string, PTR, TLSA), NXDOMAIN under a static
 * local zone, NODATA, TTLs, DNSSEC status with a trust anchor, the cache in front of it, bad
 * options, hostile RDATA and RCODE mapping, the asynchronous path with cancel, and
 * mailauth_reverse_name(). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <unistd.h>

#include <cmocka.h>
#include <unbound.h>

#include "ma_internal.h"
#include "mailauth.h"

static char long_txt[400];

static const char *const zones[] = {"example.test static"};

static const char *data[] = {
    "a.example.test. 300 IN A 192.0.2.1",
    "a.example.test. 300 IN A 192.0.2.2",
    "a.example.test. 300 IN AAAA 2001:db8::1",
    "example.test. 3600 IN MX 10 mail.example.test.",
    "example.test. 3600 IN MX 20 backup.example.test.",
    "txt.example.test. 120 IN TXT \"v=spf1\" \" -all\"",
    "_25._tcp.mail.example.test. 600 IN TLSA 3 1 1 "
    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
    "1.2.0.192.in-addr.arpa. 900 IN PTR mail.example.test.",
    NULL, /* long_txt */
};
#define NDATA (sizeof data / sizeof data[0])

static mailauth_unbound *offline(const char *ta)
{
    memset(long_txt, 0, sizeof long_txt);
    strcpy(long_txt, "long.example.test. 60 IN TXT \"");
    size_t n = strlen(long_txt);
    memset(long_txt + n, 'x', 255);
    strcpy(long_txt + n + 255, "\" \"end\"");
    data[NDATA - 1] = long_txt;
    mailauth_unbound_options o;
    mailauth_unbound_options_init(&o);
    o.resolv_conf = "";
    o.trust_anchor_file = ta;
    o.local_zones = zones;
    o.local_zone_count = 1;
    o.local_data = data;
    o.local_data_count = NDATA;
    mailauth_unbound *u = NULL;
    assert_int_equal(mailauth_unbound_new(&o, &u), 0);
    assert_non_null(u);
    return u;
}

struct fx {
    mailauth_unbound *u;
    mailauth_resolver r;
    mailauth_dns_answer *a;
};

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);
    if (!f)
        return -1;
    f->u = offline(NULL);
    mailauth_unbound_resolver(f->u, &f->r);
    if (mailauth_dns_answer_new(&f->a))
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    mailauth_dns_answer_free(f->a);
    mailauth_unbound_free(f->u);
    free(f);
    return 0;
}

static void test_a_records_with_ttl(void **state)
{
    struct fx *f = *state;
    assert_int_equal(mailauth_resolve(&f->r, "a.example.test", MAILAUTH_RR_A, f->a), 0);
    assert_int_equal(mailauth_dns_answer_result(f->a), MAILAUTH_DNS_FOUND);
    assert_int_equal(mailauth_dns_answer_count(f->a), 2);
    assert_int_equal(mailauth_dns_answer_ttl(f->a), 300);
    assert_int_equal(mailauth_dns_answer_dnssec(f->a), MAILAUTH_DNSSEC_INDETERMINATE);
    int seen1 = 0, seen2 = 0;
    for (size_t i = 0; i < 2; i++) {
        const mailauth_dns_record *r = mailauth_dns_answer_record(f->a, i);
        assert_int_equal(r->type, MAILAUTH_RR_A);
        assert_int_equal(r->addr_len, 4);
        assert_memory_equal(r->addr, "\xc0\x00\x02", 3);
        seen1 |= r->addr[3] == 1;
        seen2 |= r->addr[3] == 2;
    }
    assert_true(seen1 && seen2);
}

static void test_aaaa_record(void **state)
{
    struct fx *f = *state;
    assert_int_equal(mailauth_resolve(&f->r, "A.Example.Test.", MAILAUTH_RR_AAAA, f->a), 0);
    assert_int_equal(mailauth_dns_answer_result(f->a), MAILAUTH_DNS_FOUND);
    assert_int_equal(mailauth_dns_answer_count(f->a), 1);
    const mailauth_dns_record *r = mailauth_dns_answer_record(f->a, 0);
    assert_int_equal(r->type, MAILAUTH_RR_AAAA);
    assert_int_equal(r->addr_len, 16);
    assert_memory_equal(r->addr, "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x01", 16);
}

static void test_mx_records(void **state)
{
    struct fx *f = *state;
    assert_int_equal(mailauth_resolve(&f->r, "example.test", MAILAUTH_RR_MX, f->a), 0);
    assert_int_equal(mailauth_dns_answer_result(f->a), MAILAUTH_DNS_FOUND);
    assert_int_equal(mailauth_dns_answer_count(f->a), 2);
    assert_int_equal(mailauth_dns_answer_ttl(f->a), 3600);
    int seen = 0;
    for (size_t i = 0; i < 2; i++) {
        const mailauth_dns_record *r = mailauth_dns_answer_record(f->a, i);
        assert_int_equal(r->type, MAILAUTH_RR_MX);
        if (r->preference == 10) {
            assert_string_equal(r->name, "mail.example.test");
            seen |= 1;
        } else {
            assert_int_equal(r->preference, 20);
            assert_string_equal(r->name, "backup.example.test");
            seen |= 2;
        }
    }
    assert_int_equal(seen, 3);
}

static void test_txt_multi_string(void **state)
{
    struct fx *f = *state;
    assert_int_equal(mailauth_resolve(&f->r, "txt.example.test", MAILAUTH_RR_TXT, f->a), 0);
    assert_int_equal(mailauth_dns_answer_result(f->a), MAILAUTH_DNS_FOUND);
    assert_int_equal(mailauth_dns_answer_ttl(f->a), 120);
    const mailauth_dns_record *r = mailauth_dns_answer_record(f->a, 0);
    assert_int_equal(r->type, MAILAUTH_RR_TXT);
    assert_string_equal(r->text, "v=spf1 -all");
    assert_int_equal(r->text_len, 11);
    assert_int_equal(r->string_count, 2);
    assert_int_equal(r->string_lens[0], 6);
    assert_int_equal(r->string_lens[1], 5);
}

static void test_txt_255_octet_string(void **state)
{
    struct fx *f = *state;
    assert_int_equal(mailauth_resolve(&f->r, "long.example.test", MAILAUTH_RR_TXT, f->a), 0);
    assert_int_equal(mailauth_dns_answer_result(f->a), MAILAUTH_DNS_FOUND);
    assert_int_equal(mailauth_dns_answer_ttl(f->a), 60);
    const mailauth_dns_record *r = mailauth_dns_answer_record(f->a, 0);
    assert_int_equal(r->string_count, 2);
    assert_int_equal(r->string_lens[0], 255);
    assert_int_equal(r->string_lens[1], 3);
    assert_int_equal(r->text_len, 258);
    assert_int_equal(r->text[0], 'x');
    assert_int_equal(r->text[254], 'x');
    assert_string_equal(r->text + 255, "end");
}

static void test_ptr_record(void **state)
{
    struct fx *f = *state;
    char rev[80];
    assert_int_equal(mailauth_reverse_name("192.0.2.1", rev, sizeof rev), 0);
    assert_int_equal(mailauth_resolve(&f->r, rev, MAILAUTH_RR_PTR, f->a), 0);
    assert_int_equal(mailauth_dns_answer_result(f->a), MAILAUTH_DNS_FOUND);
    assert_int_equal(mailauth_dns_answer_ttl(f->a), 900);
    const mailauth_dns_record *r = mailauth_dns_answer_record(f->a, 0);
    assert_int_equal(r->type, MAILAUTH_RR_PTR);
    assert_string_equal(r->name, "mail.example.test");
}

static void test_tlsa_record(void **state)
{
    struct fx *f = *state;
    assert_int_equal(
        mailauth_resolve(&f->r, "_25._tcp.mail.example.test", MAILAUTH_RR_TLSA, f->a), 0);
    assert_int_equal(mailauth_dns_answer_result(f->a), MAILAUTH_DNS_FOUND);
    const mailauth_dns_record *r = mailauth_dns_answer_record(f->a, 0);
    assert_int_equal(r->type, MAILAUTH_RR_TLSA);
    assert_int_equal(r->usage, 3);
    assert_int_equal(r->selector, 1);
    assert_int_equal(r->mtype, 1);
    assert_int_equal(r->data_len, 32);
    assert_int_equal(r->data[0], 0x01);
    assert_int_equal(r->data[31], 0xef);
}

static void test_nxdomain_under_static_zone(void **state)
{
    struct fx *f = *state;
    assert_int_equal(mailauth_resolve(&f->r, "nope.example.test", MAILAUTH_RR_A, f->a), 0);
    assert_int_equal(mailauth_dns_answer_result(f->a), MAILAUTH_DNS_NXDOMAIN);
    assert_int_equal(mailauth_dns_answer_count(f->a), 0);
}

static void test_nodata_for_other_type(void **state)
{
    struct fx *f = *state;
    assert_int_equal(mailauth_resolve(&f->r, "txt.example.test", MAILAUTH_RR_A, f->a), 0);
    assert_int_equal(mailauth_dns_answer_result(f->a), MAILAUTH_DNS_NODATA);
    assert_int_equal(mailauth_dns_answer_count(f->a), 0);
}

static void test_bad_lookup_arguments(void **state)
{
    struct fx *f = *state;
    assert_int_equal(mailauth_resolve(&f->r, "a.example.test", 99, f->a), MAILAUTH_E_INVAL);
    assert_int_equal(mailauth_unbound_lookup(f->u, "a..example.test", MAILAUTH_RR_A, f->a),
                     MAILAUTH_E_INVAL);
    assert_int_equal(mailauth_unbound_lookup(NULL, "a.example.test", MAILAUTH_RR_A, f->a),
                     MAILAUTH_E_INVAL);
    assert_int_equal(mailauth_unbound_lookup(f->u, "a.example.test", MAILAUTH_RR_A, NULL),
                     MAILAUTH_E_INVAL);
}

static void test_cache_in_front(void **state)
{
    struct fx *f = *state;
    mailauth_cache *c = NULL;
    assert_int_equal(mailauth_cache_new(&f->r, NULL, &c), 0);
    mailauth_resolver cr;
    mailauth_cache_resolver(c, &cr);
    for (int i = 0; i < 2; i++) {
        assert_int_equal(mailauth_resolve(&cr, "example.test", MAILAUTH_RR_MX, f->a), 0);
        assert_int_equal(mailauth_dns_answer_result(f->a), MAILAUTH_DNS_FOUND);
        assert_int_equal(mailauth_dns_answer_count(f->a), 2);
    }
    mailauth_cache_stats st = {.struct_size = sizeof st};
    assert_int_equal(mailauth_cache_get_stats(c, &st), 0);
    assert_int_equal(st.misses, 1);
    assert_int_equal(st.hits, 1);
    mailauth_cache_free(c);
}

/* With a trust anchor, local data (never validated) is INSECURE; no network is needed. */
static void test_trust_anchor_gives_dnssec_status(void **state)
{
    (void)state;
    char path[] = "/tmp/mailauth-ta-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    static const char ta[] =
        ". IN DS 20326 8 2 "
        "E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBB683457104237C7F8EC8D\n";
    assert_int_equal(write(fd, ta, sizeof ta - 1), (ssize_t)(sizeof ta - 1));
    close(fd);
    mailauth_unbound *u = offline(path);
    mailauth_dns_answer *a = NULL;
    assert_int_equal(mailauth_dns_answer_new(&a), 0);
    assert_int_equal(mailauth_unbound_lookup(u, "a.example.test", MAILAUTH_RR_A, a), 0);
    assert_int_equal(mailauth_dns_answer_result(a), MAILAUTH_DNS_FOUND);
    assert_int_equal(mailauth_dns_answer_dnssec(a), MAILAUTH_DNSSEC_INSECURE);
    mailauth_dns_answer_free(a);
    mailauth_unbound_free(u);
    unlink(path);
}

static int new_with(const mailauth_unbound_options *o)
{
    mailauth_unbound *u = (mailauth_unbound *)(uintptr_t)1;
    int rc = mailauth_unbound_new(o, &u);
    if (rc)
        assert_null(u);
    mailauth_unbound_free(u);
    return rc;
}

static void test_bad_options(void **state)
{
    (void)state;
    mailauth_unbound_options o;
    assert_int_equal(mailauth_unbound_new(NULL, NULL), MAILAUTH_E_INVAL);
    mailauth_unbound_options_init(&o);
    o.struct_size = 0;
    assert_int_equal(new_with(&o), MAILAUTH_E_INVAL);

    mailauth_unbound_options_init(&o);
    o.resolv_conf = "/nonexistent/resolv.conf";
    assert_int_equal(new_with(&o), MAILAUTH_E_INVAL);

    mailauth_unbound_options_init(&o);
    o.resolv_conf = "";
    o.forward = "not an address";
    assert_int_equal(new_with(&o), MAILAUTH_E_INVAL);
    o.forward = "";
    assert_int_equal(new_with(&o), MAILAUTH_E_INVAL);
    o.forward = "192.0.2.53@5353";
    assert_int_equal(new_with(&o), 0);
    o.forward = NULL;

    o.trust_anchor_file = "/nonexistent/root.key";
    assert_int_equal(new_with(&o), MAILAUTH_E_INVAL);
    o.trust_anchor_file = "";
    assert_int_equal(new_with(&o), MAILAUTH_E_INVAL);
    o.trust_anchor_file = NULL;

    const char *bad_data[] = {"this is not a record"};
    o.local_data = bad_data;
    o.local_data_count = 1;
    assert_int_equal(new_with(&o), MAILAUTH_E_INVAL);
    o.local_data = NULL;
    assert_int_equal(new_with(&o), MAILAUTH_E_INVAL);
    o.local_data_count = 0;

    const char *bad_zone[] = {"example.test nosuchtype"};
    o.local_zones = bad_zone;
    o.local_zone_count = 1;
    assert_int_equal(new_with(&o), MAILAUTH_E_INVAL);
    const char *no_type[] = {"example.test"};
    o.local_zones = no_type;
    assert_int_equal(new_with(&o), MAILAUTH_E_INVAL);
    const char *null_zone[] = {NULL};
    o.local_zones = null_zone;
    assert_int_equal(new_with(&o), MAILAUTH_E_INVAL);
}

/* ---- ub_result mapping, with hostile RDATA -------------------------------------------- */

static int map(int validating, int type, int err, int rcode, int nx, char **rdata, int *lens,
               mailauth_dns_answer *a)
{
    struct ub_result res;
    memset(&res, 0, sizeof res);
    res.rcode = rcode;
    res.nxdomain = nx;
    res.ttl = 77;
    res.data = rdata;
    res.len = lens;
    res.havedata = rdata && rdata[0];
    mailauth_dns_answer_reset(a);
    assert_int_equal(ma_unbound_answer(validating, type, err, &res, a), 0);
    return mailauth_dns_answer_result(a);
}

static void test_rcode_mapping(void **state)
{
    struct fx *f = *state;
    char *none[] = {NULL};
    int nolen[] = {0};
    assert_int_equal(map(0, MAILAUTH_RR_A, 0, 2, 0, none, nolen, f->a), MAILAUTH_DNS_TEMPFAIL);
    assert_int_equal(mailauth_dns_answer_ttl(f->a), 0);
    assert_int_equal(map(0, MAILAUTH_RR_A, 0, 5, 0, none, nolen, f->a), MAILAUTH_DNS_PERMFAIL);
    assert_int_equal(map(0, MAILAUTH_RR_A, 0, 1, 0, none, nolen, f->a), MAILAUTH_DNS_PERMFAIL);
    assert_int_equal(map(0, MAILAUTH_RR_A, 0, 4, 0, none, nolen, f->a), MAILAUTH_DNS_PERMFAIL);
    assert_int_equal(map(0, MAILAUTH_RR_A, 0, 3, 1, none, nolen, f->a), MAILAUTH_DNS_NXDOMAIN);
    assert_int_equal(mailauth_dns_answer_ttl(f->a), 77);
    assert_int_equal(map(0, MAILAUTH_RR_A, 0, 0, 0, none, nolen, f->a), MAILAUTH_DNS_NODATA);
    assert_int_equal(map(0, MAILAUTH_RR_A, UB_SERVFAIL, 0, 0, none, nolen, f->a),
                     MAILAUTH_DNS_TEMPFAIL);
    mailauth_dns_answer_reset(f->a);
    assert_int_equal(ma_unbound_answer(0, MAILAUTH_RR_A, UB_NOMEM, NULL, f->a),
                     MAILAUTH_E_NOMEM);
}

static void test_dnssec_mapping(void **state)
{
    struct fx *f = *state;
    char a4[] = "\xc0\x00\x02\x01";
    char *rd[] = {a4, NULL};
    int lens[] = {4, 0};
    struct ub_result res;
    memset(&res, 0, sizeof res);
    res.data = rd;
    res.len = lens;
    res.havedata = 1;
    res.secure = 1;
    assert_int_equal(ma_unbound_answer(1, MAILAUTH_RR_A, 0, &res, f->a), 0);
    assert_int_equal(mailauth_dns_answer_dnssec(f->a), MAILAUTH_DNSSEC_SECURE);
    mailauth_dns_answer_reset(f->a);
    res.secure = 0;
    res.bogus = 1;
    res.rcode = 2;
    res.havedata = 0;
    assert_int_equal(ma_unbound_answer(1, MAILAUTH_RR_A, 0, &res, f->a), 0);
    assert_int_equal(mailauth_dns_answer_result(f->a), MAILAUTH_DNS_TEMPFAIL);
    assert_int_equal(mailauth_dns_answer_dnssec(f->a), MAILAUTH_DNSSEC_BOGUS);
    mailauth_dns_answer_reset(f->a);
    res.bogus = 1;
    assert_int_equal(ma_unbound_answer(0, MAILAUTH_RR_A, 0, &res, f->a), 0);
    assert_int_equal(mailauth_dns_answer_dnssec(f->a), MAILAUTH_DNSSEC_INDETERMINATE);
}

/* Each RDATA is copied to a buffer of exactly its length so that ASan sees any overread. */
static int one(int type, const char *rdata, int len, mailauth_dns_answer *a)
{
    char *copy = malloc(len ? (size_t)len : 1);
    assert_non_null(copy);
    memcpy(copy, rdata, (size_t)len);
    char *rd[] = {copy, NULL};
    int lens[] = {len, 0};
    int r = map(0, type, 0, 0, 0, rd, lens, a);
    free(copy);
    return r;
}

static void test_hostile_rdata(void **state)
{
    struct fx *f = *state;
    mailauth_dns_answer *a = f->a;
    assert_int_equal(one(MAILAUTH_RR_A, "\1\2\3", 3, a), MAILAUTH_DNS_PERMFAIL);
    assert_int_equal(one(MAILAUTH_RR_A, "\1\2\3\4\5", 5, a), MAILAUTH_DNS_PERMFAIL);
    assert_int_equal(one(MAILAUTH_RR_AAAA, "\1\2\3\4", 4, a), MAILAUTH_DNS_PERMFAIL);
    /* names: a compression pointer, a label past the end, no root label, bytes after it */
    assert_int_equal(one(MAILAUTH_RR_PTR, "\xc0\x0c", 2, a), MAILAUTH_DNS_PERMFAIL);
    assert_int_equal(one(MAILAUTH_RR_PTR, "\5ab", 3, a), MAILAUTH_DNS_PERMFAIL);
    assert_int_equal(one(MAILAUTH_RR_PTR, "\2ab", 3, a), MAILAUTH_DNS_PERMFAIL);
    assert_int_equal(one(MAILAUTH_RR_PTR, "\2ab\0x", 5, a), MAILAUTH_DNS_PERMFAIL);
    assert_int_equal(one(MAILAUTH_RR_PTR, "", 0, a), MAILAUTH_DNS_PERMFAIL);
    assert_int_equal(one(MAILAUTH_RR_PTR, "\2ab\0", 4, a), MAILAUTH_DNS_FOUND);
    assert_string_equal(mailauth_dns_answer_record(a, 0)->name, "ab");
    assert_int_equal(one(MAILAUTH_RR_PTR, "\0", 1, a), MAILAUTH_DNS_FOUND);
    assert_string_equal(mailauth_dns_answer_record(a, 0)->name, ".");
    /* a name longer than 255 octets: 5 labels of 63 */
    char longname[5 * 64 + 1];
    for (int i = 0; i < 5; i++) {
        longname[i * 64] = 63;
        memset(longname + i * 64 + 1, 'a', 63);
    }
    longname[5 * 64] = 0;
    assert_int_equal(one(MAILAUTH_RR_CNAME, longname, (int)sizeof longname, a),
                     MAILAUTH_DNS_PERMFAIL);
    /* a name of exactly 255 octets: 3 labels of 63, one of 61, the root */
    char maxname[255];
    for (int i = 0; i < 3; i++) {
        maxname[i * 64] = 63;
        memset(maxname + i * 64 + 1, 'b', 63);
    }
    maxname[192] = 61;
    memset(maxname + 193, 'c', 61);
    maxname[254] = 0;
    assert_int_equal(one(MAILAUTH_RR_NS, maxname, 255, a), MAILAUTH_DNS_FOUND);
    assert_int_equal(mailauth_dns_answer_record(a, 0)->name_len, 253);
    /* MX */
    assert_int_equal(one(MAILAUTH_RR_MX, "\0\1", 2, a), MAILAUTH_DNS_PERMFAIL);
    assert_int_equal(one(MAILAUTH_RR_MX, "\0\5\4mail", 7, a), MAILAUTH_DNS_PERMFAIL);
    assert_int_equal(one(MAILAUTH_RR_MX, "\1\0\4mail\0", 8, a), MAILAUTH_DNS_FOUND);
    assert_int_equal(mailauth_dns_answer_record(a, 0)->preference, 256);
    /* TXT: a string past the end, an empty RDATA; an empty string is fine */
    assert_int_equal(one(MAILAUTH_RR_TXT, "\3ab", 3, a), MAILAUTH_DNS_PERMFAIL);
    assert_int_equal(one(MAILAUTH_RR_TXT, "\2ab\4c", 5, a), MAILAUTH_DNS_PERMFAIL);
    assert_int_equal(one(MAILAUTH_RR_TXT, "", 0, a), MAILAUTH_DNS_PERMFAIL);
    assert_int_equal(one(MAILAUTH_RR_TXT, "\0", 1, a), MAILAUTH_DNS_FOUND);
    assert_int_equal(mailauth_dns_answer_record(a, 0)->string_count, 1);
    /* TLSA */
    assert_int_equal(one(MAILAUTH_RR_TLSA, "\3\1", 2, a), MAILAUTH_DNS_PERMFAIL);
    assert_int_equal(one(MAILAUTH_RR_TLSA, "\3\1\1", 3, a), MAILAUTH_DNS_FOUND);
    assert_int_equal(mailauth_dns_answer_record(a, 0)->data_len, 0);
    /* a negative length from a broken result */
    char x[4] = {0};
    char *rd[] = {x, NULL};
    int lens[] = {-1, 0};
    assert_int_equal(map(0, MAILAUTH_RR_A, 0, 0, 0, rd, lens, a), MAILAUTH_DNS_PERMFAIL);
    /* one good and one bad record: the whole answer fails, without records */
    char good[] = "\xc0\x00\x02\x01";
    char *two[] = {good, x, NULL};
    int twolen[] = {4, 3, 0};
    assert_int_equal(map(0, MAILAUTH_RR_A, 0, 0, 0, two, twolen, a), MAILAUTH_DNS_PERMFAIL);
    assert_int_equal(mailauth_dns_answer_count(a), 0);
}

/* ---- asynchronous ------------------------------------------------------------------------ */

struct got {
    int calls;
    int id;
    int status;
    int result;
    size_t count;
};

static void on_answer(void *user, int id, int status, const mailauth_dns_answer *a)
{
    struct got *g = user;
    g->calls++;
    g->id = id;
    g->status = status;
    g->result = a ? mailauth_dns_answer_result(a) : -1;
    g->count = mailauth_dns_answer_count(a);
}

static void test_async_with_fd(void **state)
{
    struct fx *f = *state;
    int fd = mailauth_unbound_fd(f->u);
    assert_true(fd >= 0);
    struct got g1 = {0}, g2 = {0}, g3 = {0};
    int id1, id2, id3;
    assert_int_equal(
        mailauth_unbound_submit(f->u, "a.example.test", MAILAUTH_RR_A, on_answer, &g1, &id1), 0);
    assert_int_equal(
        mailauth_unbound_submit(f->u, "nope.example.test", MAILAUTH_RR_TXT, on_answer, &g2, &id2),
        0);
    assert_int_equal(
        mailauth_unbound_submit(f->u, "example.test", MAILAUTH_RR_MX, on_answer, &g3, &id3), 0);
    assert_int_equal(mailauth_unbound_pending(f->u), 3);
    for (int rounds = 0; mailauth_unbound_pending(f->u) && rounds < 100; rounds++) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        assert_true(poll(&p, 1, 5000) >= 0);
        assert_int_equal(mailauth_unbound_process(f->u), 0);
    }
    assert_int_equal(mailauth_unbound_pending(f->u), 0);
    assert_int_equal(g1.calls, 1);
    assert_int_equal(g1.id, id1);
    assert_int_equal(g1.status, 0);
    assert_int_equal(g1.result, MAILAUTH_DNS_FOUND);
    assert_int_equal(g1.count, 2);
    assert_int_equal(g2.calls, 1);
    assert_int_equal(g2.id, id2);
    assert_int_equal(g2.result, MAILAUTH_DNS_NXDOMAIN);
    assert_int_equal(g3.calls, 1);
    assert_int_equal(g3.id, id3);
    assert_int_equal(g3.result, MAILAUTH_DNS_FOUND);
    assert_int_equal(g3.count, 2);
}

static void test_async_cancel(void **state)
{
    struct fx *f = *state;
    struct got g1 = {0}, g2 = {0};
    int id1, id2;
    assert_int_equal(
        mailauth_unbound_submit(f->u, "a.example.test", MAILAUTH_RR_A, on_answer, &g1, &id1), 0);
    assert_int_equal(
        mailauth_unbound_submit(f->u, "txt.example.test", MAILAUTH_RR_TXT, on_answer, &g2, &id2),
        0);
    assert_int_equal(mailauth_unbound_cancel(f->u, id1), 0);
    assert_int_equal(mailauth_unbound_cancel(f->u, id1), MAILAUTH_E_INVAL);
    assert_int_equal(mailauth_unbound_pending(f->u), 1);
    assert_int_equal(mailauth_unbound_wait(f->u), 0);
    assert_int_equal(mailauth_unbound_pending(f->u), 0);
    assert_int_equal(g1.calls, 0);
    assert_int_equal(g2.calls, 1);
    assert_int_equal(g2.result, MAILAUTH_DNS_FOUND);
    assert_int_equal(mailauth_unbound_wait(f->u), 0);
}

static void test_async_bad_arguments_and_free_with_pending(void **state)
{
    (void)state;
    mailauth_unbound *u = offline(NULL);
    struct got g = {0};
    assert_int_equal(mailauth_unbound_submit(u, "a.example.test", 99, on_answer, &g, NULL),
                     MAILAUTH_E_INVAL);
    assert_int_equal(mailauth_unbound_submit(u, "a.example.test", MAILAUTH_RR_A, NULL, &g, NULL),
                     MAILAUTH_E_INVAL);
    assert_int_equal(mailauth_unbound_submit(u, "", MAILAUTH_RR_A, on_answer, &g, NULL),
                     MAILAUTH_E_INVAL);
    assert_int_equal(mailauth_unbound_cancel(u, 12345), MAILAUTH_E_INVAL);
    assert_int_equal(mailauth_unbound_fd(NULL), -1);
    assert_int_equal(mailauth_unbound_process(NULL), MAILAUTH_E_INVAL);
    assert_int_equal(
        mailauth_unbound_submit(u, "a.example.test", MAILAUTH_RR_A, on_answer, &g, NULL), 0);
    mailauth_unbound_free(u);  /* dropped without its callback */
    assert_int_equal(g.calls, 0);
    mailauth_unbound_free(NULL);
}

/* ---- reverse names ----------------------------------------------------------------------- */

static void test_reverse_name(void **state)
{
    (void)state;
    char buf[80];
    assert_int_equal(mailauth_reverse_name("192.0.2.1", buf, sizeof buf), 0);
    assert_string_equal(buf, "1.2.0.192.in-addr.arpa");
    assert_int_equal(mailauth_reverse_name("2001:db8::567:89ab", buf, sizeof buf), 0);
    assert_string_equal(buf, "b.a.9.8.7.6.5.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2."
                             "ip6.arpa");
    assert_int_equal(strlen(buf), 72);
    assert_int_equal(mailauth_reverse_name("2001:db8::1", buf, 73), 0);
    assert_int_equal(mailauth_reverse_name("2001:db8::1", buf, 72), MAILAUTH_E_LIMIT);
    assert_string_equal(buf, "");
    assert_int_equal(mailauth_reverse_name("255.255.255.255", buf, 29), 0);
    assert_int_equal(mailauth_reverse_name("255.255.255.255", buf, 28), MAILAUTH_E_LIMIT);
    assert_int_equal(mailauth_reverse_name("192.0.2", buf, sizeof buf), MAILAUTH_E_INVAL);
    assert_int_equal(mailauth_reverse_name("example.com", buf, sizeof buf), MAILAUTH_E_INVAL);
    assert_int_equal(mailauth_reverse_name(NULL, buf, sizeof buf), MAILAUTH_E_INVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_a_records_with_ttl, setup, teardown),
        cmocka_unit_test_setup_teardown(test_aaaa_record, setup, teardown),
        cmocka_unit_test_setup_teardown(test_mx_records, setup, teardown),
        cmocka_unit_test_setup_teardown(test_txt_multi_string, setup, teardown),
        cmocka_unit_test_setup_teardown(test_txt_255_octet_string, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ptr_record, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tlsa_record, setup, teardown),
        cmocka_unit_test_setup_teardown(test_nxdomain_under_static_zone, setup, teardown),
        cmocka_unit_test_setup_teardown(test_nodata_for_other_type, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_lookup_arguments, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cache_in_front, setup, teardown),
        cmocka_unit_test(test_trust_anchor_gives_dnssec_status),
        cmocka_unit_test(test_bad_options),
        cmocka_unit_test_setup_teardown(test_rcode_mapping, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dnssec_mapping, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hostile_rdata, setup, teardown),
        cmocka_unit_test_setup_teardown(test_async_with_fd, setup, teardown),
        cmocka_unit_test_setup_teardown(test_async_cancel, setup, teardown),
        cmocka_unit_test(test_async_bad_arguments_and_free_with_pending),
        cmocka_unit_test(test_reverse_name),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
