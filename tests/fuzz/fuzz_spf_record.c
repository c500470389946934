/* fuzz_spf_record.c — libFuzzer harness for SPF records and macros (RFC 7208 §7, §12): parses
 * the input as a record, expands every domain-spec and the input as an explanation, and
 * checks that the syntax check and the expansion agree; then runs a whole check in which every
 * TXT lookup answers the input, so include/redirect recursion, limits and explanations run on
 * fuzzed records. */
#include <stdint.h>
#include <string.h>

#include "spf_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int ptr_name(void *user, const char *domain, const char **name)
{
    (void)user;
    *name = domain;
    return 0;
}

static void expand_checked(const spf_macro_ctx *c, const char *s, size_t n, int explain)
{
    lm_buf b = LM_BUF_INIT;
    int checked = spf_macro_check(s, n, explain, NULL);
    int rc = spf_macro_expand(c, s, n, explain, &b);
    if (checked == 0 && rc == MAILAUTH_E_SYNTAX)
        __builtin_trap();
    if (rc == 0 && b.len > MAILAUTH_SPF_EXPAND_MAX)
        __builtin_trap();
    if (rc == 0 && b.data && strlen(b.data) > b.len)
        __builtin_trap();
    lm_buf_free(&b);
}

/* Every TXT lookup answers the fuzzed text; names starting with 'a' have an address. */
struct input {
    const uint8_t *data;
    size_t size;
};

static int lookup(void *user, const char *name, int type, mailauth_dns_answer *a)
{
    const struct input *in = user;
    static const unsigned char addr4[4] = {192, 0, 2, 1};
    static const unsigned char addr6[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};
    switch (type) {
    case MAILAUTH_RR_TXT: {
        const unsigned char *parts[300];
        size_t lens[300], n = 0;
        for (size_t off = 0; off < in->size && n < 300; off += 255) {
            parts[n] = in->data + off;
            lens[n++] = in->size - off > 255 ? 255 : in->size - off;
        }
        mailauth_dns_answer_add_txt(a, parts, lens, n);
        break;
    }
    case MAILAUTH_RR_A:
        if (name[0] == 'a')
            mailauth_dns_answer_add_a(a, addr4);
        break;
    case MAILAUTH_RR_AAAA:
        if (name[0] == 'a')
            mailauth_dns_answer_add_aaaa(a, addr6);
        break;
    case MAILAUTH_RR_MX:
        mailauth_dns_answer_add_mx(a, 10, "a.mx.example.org");
        mailauth_dns_answer_add_mx(a, 20, "b.mx.example.org");
        break;
    case MAILAUTH_RR_PTR:
        mailauth_dns_answer_add_name(a, MAILAUTH_RR_PTR, "a.host.example.org");
        break;
    default:
        break;
    }
    mailauth_dns_answer_set_result(a, mailauth_dns_answer_count(a) ? MAILAUTH_DNS_FOUND
                                                                   : MAILAUTH_DNS_NXDOMAIN);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 65535)
        return 0;
    const char *s = (const char *)data;
    ma_ip ip;
    ma_ip_parse(size && (data[0] & 1) ? "2001:db8::1" : "192.0.2.1", &ip);
    spf_macro_ctx c = {
        .sender = "strong-bad@email.example.com", .local = "strong-bad",
        .sender_domain = "email.example.com", .domain = "email.example.com", .ip = &ip,
        .helo = "mx.example.org", .receiver = "receiver.example", .now = 1,
        .ptr_name = ptr_name, .user = NULL,
    };
    expand_checked(&c, s, size, 1);
    expand_checked(&c, s, size, 0);

    lm_arena *arena = lm_arena_new(0);
    if (!arena)
        return 0;
    if (spf_record_is_spf(s, size)) {
        spf_record rec;
        size_t off;
        const char *msg;
        int rc = spf_record_parse(s, size, arena, &rec, &off, &msg);
        if (rc == MAILAUTH_E_SYNTAX && (off > size || !msg))
            __builtin_trap();
        for (size_t i = 0; rc == 0 && i < rec.count; i++) {
            const spf_term *t = &rec.terms[i];
            if (t->text < s || t->text + t->text_len > s + size)
                __builtin_trap();
            if (t->spec && spf_macro_check(t->spec, t->spec_len, 0, NULL))
                __builtin_trap();
            if (t->spec)
                expand_checked(&c, t->spec, t->spec_len, 0);
        }
    }
    lm_arena_free(arena);

    /* A whole check against the fuzzed record. */
    struct input in = {data, size};
    mailauth_resolver r;
    mailauth_resolver_init(&r);
    r.lookup = lookup;
    r.user = &in;
    mailauth_spf *spf = NULL;
    if (mailauth_spf_new(NULL, &spf))
        return 0;
    if (!mailauth_spf_begin(spf, MAILAUTH_SPF_MAILFROM, size && (data[0] & 1) ? "2001:db8::1"
                                                                             : "192.0.2.1",
                            "mx.example.org", "user@example.org") &&
        !mailauth_spf_run(spf, &r)) {
        int result = mailauth_spf_result(spf);
        if (result < MAILAUTH_RESULT_NONE || result > MAILAUTH_RESULT_PERMERROR)
            __builtin_trap();
        if ((result == MAILAUTH_RESULT_FAIL) != (mailauth_spf_explanation(spf) != NULL))
            __builtin_trap();
        const char *h;
        if (mailauth_spf_received_spf(spf, &h) == 0 && strchr(h, '\n'))
            __builtin_trap();
    }
    mailauth_spf_free(spf);
    return 0;
}
