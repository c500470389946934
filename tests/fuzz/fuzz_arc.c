/* fuzz_arc.c — libFuzzer harness for ARC (RFC 8617): the input is a message. It is verified
 * blocking and step by step (fed in pieces whose size the first octet picks), which must agree;
 * then sealed with a fixed Ed25519 key and verified again: a message that had no ARC fields
 * or a passing chain must pass once sealed. The key is published in an in-memory zone, so the
 * seeds (chains sealed with the same key) reach the signature checks. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mailauth.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A fixed Ed25519 seed (base64 of 32 octets), published at ed._domainkey.example.net. */
static const char seed[] = "nWGxne/9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A=";

static mailauth_dkim_key *key;
static mailauth_zone *zone;
static mailauth_resolver resolver;

static void init(void)
{
    if (key)
        return;
    char rec[256], text[512];
    size_t len;
    mailauth_zone_error err;
    if (mailauth_dkim_key_load(seed, strlen(seed), &key) ||
        mailauth_dkim_key_record(key, rec, sizeof rec, &len) || mailauth_zone_new(NULL, &zone))
        __builtin_trap();
    size_t n = 0;
    const char *head = "ed._domainkey.example.net. IN TXT \"";
    memcpy(text, head, strlen(head));
    n = strlen(head);
    memcpy(text + n, rec, len);
    n += len;
    memcpy(text + n, "\"\n", 2);
    n += 2;
    if (mailauth_zone_load(zone, text, n, NULL, &err))
        __builtin_trap();
    mailauth_zone_resolver(zone, &resolver);
}

static void check_verdict(const mailauth_arc_verifier *v)
{
    int r = mailauth_arc_verifier_result(v);
    if (r != MAILAUTH_RESULT_NONE && r != MAILAUTH_RESULT_PASS && r != MAILAUTH_RESULT_FAIL &&
        r != MAILAUTH_RESULT_TEMPERROR)
        __builtin_trap();
    unsigned n = mailauth_arc_verifier_count(v);
    if (r == MAILAUTH_RESULT_PASS && (n < 1 || n > MAILAUTH_ARC_MAX_INSTANCE))
        __builtin_trap();
    if ((r == MAILAUTH_RESULT_PASS) != (mailauth_arc_verifier_reason(v) == MAILAUTH_ARC_OK))
        __builtin_trap();
    for (unsigned i = 1; i <= n && i <= MAILAUTH_ARC_MAX_INSTANCE; i++) {
        mailauth_arc_set s = {.struct_size = sizeof s};
        if (mailauth_arc_verifier_set(v, i, &s) || !s.aar || !s.seal_domain || !s.ams_domain)
            __builtin_trap();
    }
}

/* Verifies step by step in pieces of `piece` octets; the verdict must equal `v`'s. */
static void step_mode(const uint8_t *data, size_t size, size_t piece,
                      const mailauth_arc_verifier *v)
{
    mailauth_arc_verifier *w = NULL;
    mailauth_dns_answer *a = NULL;
    if (mailauth_arc_verifier_new(NULL, &w) || mailauth_dns_answer_new(&a))
        goto out;
    for (size_t i = 0; i < size; i += piece)
        if (mailauth_arc_verifier_feed(w, data + i, size - i < piece ? size - i : piece))
            goto out;
    if (mailauth_arc_verifier_finish(w))
        goto out;
    mailauth_query q;
    int rc, rounds = 0;
    while ((rc = mailauth_arc_verifier_step(w, &q)) == MAILAUTH_NEED_DNS) {
        if (++rounds > 200 || mailauth_resolve(&resolver, q.name, q.type, a) ||
            mailauth_arc_verifier_answer(w, a))
            __builtin_trap();
    }
    if (rc || mailauth_arc_verifier_result(w) != mailauth_arc_verifier_result(v) ||
        mailauth_arc_verifier_reason(w) != mailauth_arc_verifier_reason(v) ||
        mailauth_arc_verifier_failed_instance(w) != mailauth_arc_verifier_failed_instance(v))
        __builtin_trap();
out:
    mailauth_dns_answer_free(a);
    mailauth_arc_verifier_free(w);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    init();
    mailauth_arc_verifier *v = NULL, *after = NULL;
    char *fields = NULL, *sealed = NULL;
    if (mailauth_arc_verify(NULL, &resolver, data, size, &v))
        return 0;
    check_verdict(v);
    step_mode(data, size, size ? (size_t)data[0] % 64 + 1 : 1, v);

    mailauth_arc_seal_options o;
    mailauth_arc_seal_options_init(&o);
    o.domain = "example.net";
    o.selector = "ed";
    o.authserv_id = "relay.example.net";
    o.chain = v;
    size_t flen = 0;
    if (mailauth_arc_seal(&o, key, data, size, &fields, &flen) || !fields)
        goto out;
    if (strlen(fields) != flen)
        __builtin_trap();
    sealed = malloc(flen + size + 1);
    if (!sealed)
        goto out;
    memcpy(sealed, fields, flen);
    if (size)
        memcpy(sealed + flen, data, size);
    if (mailauth_arc_verify(NULL, &resolver, sealed, flen + size, &after))
        goto out;
    check_verdict(after);
    /* A clean start (no ARC fields, and no continuation line that would join our last field)
     * or a passing chain stays passing once sealed. */
    int before = mailauth_arc_verifier_result(v);
    int clean = before == MAILAUTH_RESULT_NONE &&
                mailauth_arc_verifier_reason(v) == MAILAUTH_ARC_NO_CHAIN && size &&
                data[0] != ' ' && data[0] != '\t';
    if ((clean || before == MAILAUTH_RESULT_PASS) &&
        mailauth_arc_verifier_result(after) != MAILAUTH_RESULT_PASS)
        __builtin_trap();
out:
    mailauth_arc_verifier_free(after);
    mailauth_arc_verifier_free(v);
    mailauth_arc_free(fields);
    free(sealed);
    return 0;
}
