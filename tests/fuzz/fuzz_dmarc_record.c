/* fuzz_dmarc_record.c — libFuzzer harness for the DMARC record parser (RFC 7489 §6.3-6.4,
 * RFC 9989 §4.7). Parses the input and checks what a record promises (values in range, URIs
 * NUL-terminated with their lengths, a usable record starts with v=DMARC1); then publishes
 * the input as every _dmarc record of a step-by-step check, in both modes, which must end
 * with a verdict; and reads the input as a From field. */
#include <stdint.h>
#include <string.h>

#include "dmarc_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_uris(const mailauth_dmarc_record *r, int ruf)
{
    size_t n = ruf ? mailauth_dmarc_record_ruf_count(r) : mailauth_dmarc_record_rua_count(r);
    if (n > MAILAUTH_DMARC_MAX_URIS)
        __builtin_trap();
    for (size_t i = 0; i < n; i++) {
        const mailauth_dmarc_uri *u = ruf ? mailauth_dmarc_record_ruf(r, i)
                                          : mailauth_dmarc_record_rua(r, i);
        if (!u || !u->uri || strlen(u->uri) != u->uri_len || !u->uri_len)
            __builtin_trap();
        if (u->domain && (!u->address || !strchr(u->address, '@')))
            __builtin_trap();
    }
    if ((ruf ? mailauth_dmarc_record_ruf(r, n) : mailauth_dmarc_record_rua(r, n)) != NULL)
        __builtin_trap();
}

static void check_record(const uint8_t *data, size_t size)
{
    mailauth_dmarc_record *r = NULL;
    mailauth_dmarc_record_error err;
    int rc = mailauth_dmarc_record_parse((const char *)data, size, &r, &err);
    if (rc == MAILAUTH_E_NOMEM)
        return;
    if (rc) {
        if (rc != MAILAUTH_E_SYNTAX || r || !err.message || err.offset > size)
            __builtin_trap();
        return;
    }
    if (!ma_dmarc_is_record((const char *)data, size))
        __builtin_trap();
    int p[3] = {mailauth_dmarc_record_p(r), mailauth_dmarc_record_sp(r),
                mailauth_dmarc_record_np(r)};
    for (int i = 0; i < 3; i++)
        if (p[i] < MAILAUTH_DMARC_POLICY_NONE || p[i] > MAILAUTH_DMARC_POLICY_REJECT)
            __builtin_trap();
    if (mailauth_dmarc_record_pct(r) > 100 || !mailauth_dmarc_record_fo(r) ||
        (mailauth_dmarc_record_invalid(r) & ~(mailauth_dmarc_record_tags(r) |
                                              MAILAUTH_DMARC_TAG_MALFORMED)))
        __builtin_trap();
    check_uris(r, 0);
    check_uris(r, 1);
    mailauth_dmarc_record_free(r);
}

static mailauth_psl *psl;

static void check_eval(const uint8_t *data, size_t size, int mode)
{
    mailauth_dmarc_options o;
    mailauth_dmarc_options_init(&o);
    o.mode = mode;
    o.psl = psl;
    mailauth_dmarc *dm = NULL;
    mailauth_dns_answer *a = NULL;
    if (mailauth_dmarc_new(&o, &dm) || mailauth_dns_answer_new(&a))
        goto out;
    if (mailauth_dmarc_set_from(dm, "x <x@a.b.c.d.e.f.g.h.i.example.org>", 35) ||
        mailauth_dmarc_set_spf(dm, "mail.example.org", MAILAUTH_RESULT_PASS) ||
        mailauth_dmarc_add_dkim(dm, "b.c.d.e.f.g.h.i.example.org", MAILAUTH_RESULT_PASS))
        goto out;
    /* The input as one TXT record of 255-octet strings. */
    const unsigned char *strings[300];
    size_t lens[300], count = 0;
    for (size_t off = 0; off < size && count < 300; off += 255, count++) {
        strings[count] = data + off;
        lens[count] = size - off < 255 ? size - off : 255;
    }
    mailauth_query q;
    int rc, steps = 0;
    while ((rc = mailauth_dmarc_step(dm, &q)) == MAILAUTH_NEED_DNS) {
        mailauth_dns_answer_reset(a);
        if (q.type == MAILAUTH_RR_TXT && !strncmp(q.name, "_dmarc.", 7)) {
            mailauth_dns_answer_set_result(a, MAILAUTH_DNS_FOUND);
            if (mailauth_dns_answer_add_txt(a, strings, lens, count))
                goto out;
        } else {
            mailauth_dns_answer_set_result(a, MAILAUTH_DNS_NXDOMAIN);
        }
        if (mailauth_dmarc_answer(dm, a))
            goto out;
        if (++steps > 64)
            __builtin_trap();
    }
    if (rc == 0) {
        int r = mailauth_dmarc_result(dm);
        if (r != MAILAUTH_RESULT_PASS && r != MAILAUTH_RESULT_FAIL && r != MAILAUTH_RESULT_NONE &&
            r != MAILAUTH_RESULT_PERMERROR && r != MAILAUTH_RESULT_TEMPERROR)
            __builtin_trap();
        if ((mailauth_dmarc_get_record(dm) != NULL) != (mailauth_dmarc_record_domain(dm) != NULL))
            __builtin_trap();
    }
out:
    mailauth_dns_answer_free(a);
    mailauth_dmarc_free(dm);
}

/* The input as a From field value: an Author Domain, when there is one, is a lower-case
 * name of at most 253 octets without a trailing dot. */
static void check_from(const uint8_t *data, size_t size)
{
    mailauth_dmarc_options o;
    mailauth_dmarc_options_init(&o);
    o.mode = MAILAUTH_DMARC_MODE_RFC9989;
    mailauth_dmarc *dm = NULL;
    if (mailauth_dmarc_new(&o, &dm))
        return;
    if (!mailauth_dmarc_set_from(dm, (const char *)data, size)) {
        const char *d = mailauth_dmarc_from_domain(dm);
        size_t n = d ? strlen(d) : 0;
        if (d && (!n || n > 253 || d[n - 1] == '.' || d[0] == '.'))
            __builtin_trap();
        for (size_t i = 0; i < n; i++)
            if ((d[i] >= 'A' && d[i] <= 'Z') || (unsigned char)d[i] >= 0x80)
                __builtin_trap();
    }
    mailauth_dmarc_free(dm);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    check_record(data, size);
    check_from(data, size);
    if (size > 8192)
        return 0;
    if (!psl && mailauth_psl_new(NULL, &psl))
        return 0;
    check_eval(data, size, MAILAUTH_DMARC_MODE_RFC7489);
    check_eval(data, size, MAILAUTH_DMARC_MODE_RFC9989);
    return 0;
}
