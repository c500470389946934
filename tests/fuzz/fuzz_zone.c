/* fuzz_zone.c — libFuzzer harness for the master-file zone loader (RFC 1035 §5). Loads the
 * input, then asks a few names every type and checks each answer is consistent: a FOUND
 * answer has records of the asked type, the others have none, a failed load adds nothing. */
#include <stdint.h>
#include <string.h>

#include "ma_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const int types[] = {MAILAUTH_RR_A,   MAILAUTH_RR_AAAA, MAILAUTH_RR_MX,
                            MAILAUTH_RR_TXT, MAILAUTH_RR_PTR,  MAILAUTH_RR_TLSA,
                            MAILAUTH_RR_CNAME, MAILAUTH_RR_NS};

static void check(const mailauth_dns_answer *a, int type)
{
    int result = mailauth_dns_answer_result(a);
    size_t n = mailauth_dns_answer_count(a);
    if ((result == MAILAUTH_DNS_FOUND) != (n > 0))
        __builtin_trap();
    for (size_t i = 0; i < n; i++) {
        const mailauth_dns_record *r = mailauth_dns_answer_record(a, i);
        if (!r || r->type != type)
            __builtin_trap();
        if (r->type == MAILAUTH_RR_TXT) {
            size_t sum = 0;
            for (size_t j = 0; j < r->string_count; j++) {
                if (r->string_lens[j] > 255)
                    __builtin_trap();
                sum += r->string_lens[j];
            }
            if (sum != r->text_len || r->text[r->text_len] != '\0')
                __builtin_trap();
        }
        if ((r->type == MAILAUTH_RR_MX || r->type == MAILAUTH_RR_PTR) &&
            (!r->name || strlen(r->name) != r->name_len))
            __builtin_trap();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    mailauth_zone_options o;
    mailauth_zone_options_init(&o);
    o.max_records = 1000;
    mailauth_zone *z = NULL;
    mailauth_dns_answer *a = NULL;
    if (mailauth_zone_new(&o, &z) || mailauth_dns_answer_new(&a))
        goto out;
    mailauth_zone_error err;
    int rc = mailauth_zone_load(z, (const char *)data, size, "example.com", &err);
    if (rc != 0 && (mailauth_zone_record_count(z) != 0 || !err.message))
        __builtin_trap();
    if (rc == 0 && size && data[0] == 'x')
        mailauth_zone_fail(z, "fail.example.com", 0, MAILAUTH_DNS_TEMPFAIL);
    static const char *const names[] = {"example.com", "www.example.com", "EXAMPLE.COM.",
                                        "a.b.example.com", "com", "fail.example.com", "."};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        for (size_t t = 0; t < sizeof types / sizeof types[0]; t++)
            if (mailauth_zone_lookup(z, names[i], types[t], a) == 0)
                check(a, types[t]);
    /* The first owner-looking word of the input as a query name too. */
    char q[300];
    size_t k = 0;
    while (k < size && k < sizeof q - 1 && data[k] > ' ' && data[k] != ';' && data[k] != '(')
        q[k] = (char)data[k], k++;
    q[k] = '\0';
    if (k && mailauth_zone_lookup(z, q, MAILAUTH_RR_TXT, a) == 0)
        check(a, MAILAUTH_RR_TXT);
out:
    mailauth_dns_answer_free(a);
    mailauth_zone_free(z);
    return 0;
}
