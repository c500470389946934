/* fuzz_dkim_signature.c — libFuzzer harness for DKIM-Signature parsing (RFC 6376 §3.5) and the
 * field handling around it: the tag list as a DKIM signature and as an ARC-Message-Signature,
 * b= removal, both header canonicalisations, and a whole verification of the input as the
 * field of a small message (no DNS: the key lookup is answered NXDOMAIN). Checks: a parse that
 * succeeds has d=, s=, h= with From, and decoded b= / bh=; b= removal never grows the field. */
#include <stdint.h>
#include <string.h>

#include "dkim_internal.h"
#include "lm_alloc.h"
#include "lm_ascii.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int nx_lookup(void *user, const char *name, int type, mailauth_dns_answer *answer)
{
    (void)user;
    (void)name;
    (void)type;
    return mailauth_dns_answer_set_result(answer, MAILAUTH_DNS_NXDOMAIN);
}

static void check_sig(const ma_dkim_sig *s)
{
    if (!s->d || !s->s || !s->h_count || !s->b_len || !s->bh_len || !s->alg)
        __builtin_trap();
    int from = 0;
    for (size_t i = 0; i < s->h_count; i++) {
        if (strlen(s->h[i]) != s->h_lens[i] || !s->h_lens[i])
            __builtin_trap();
        if (lm_eq_nocase(s->h[i], s->h_lens[i], "from"))
            from = 1;
    }
    if (!from)
        __builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    ma_dkim_sig s;
    int rc = ma_dkim_sig_parse(text, size, 0, 0, &s);
    if (rc == 0)
        check_sig(&s);
    ma_dkim_sig_free(&s);
    rc = ma_dkim_sig_parse(text, size, MA_DKIM_SIG_AMS, 8, &s);
    if (rc == 0 && (s.instance < 1 || s.instance > 50 || s.h_count > 8))
        __builtin_trap();
    ma_dkim_sig_free(&s);

    /* As a field: "DKIM-Signature:" + input. */
    lm_buf field = LM_BUF_INIT, out = LM_BUF_INIT;
    lm_buf_puts(&field, "DKIM-Signature:");
    lm_buf_append(&field, data, size);
    if (field.oom)
        goto done;
    rc = ma_dkim_strip_b(field.data, field.len, &out);
    if (rc == 0 && out.len > field.len)
        __builtin_trap();
    for (int c = 0; c < 2; c++) {
        lm_buf_reset(&out);
        ma_dkim_canon_header(c, field.data, field.len, 0, &out);
    }

    /* A message with the input as its signature field. */
    lm_buf_reset(&out);
    lm_buf_append(&out, field.data, field.len);
    lm_buf_puts(&out, "\r\nFrom: a@example.com\r\nSubject: x\r\n\r\nbody\r\n");
    if (out.oom)
        goto done;
    mailauth_resolver r;
    mailauth_resolver_init(&r);
    r.lookup = nx_lookup;
    mailauth_dkim_verifier *v = NULL;
    if (mailauth_dkim_verify(NULL, &r, out.data, out.len, &v) == 0) {
        size_t n = mailauth_dkim_verifier_count(v);
        for (size_t i = 0; i < n; i++) {
            mailauth_dkim_signature res;
            res.struct_size = sizeof res;
            if (mailauth_dkim_verifier_result(v, i, &res) || res.result == MAILAUTH_RESULT_PASS ||
                !res.reason_text || !res.domain)
                __builtin_trap();
        }
    }
    mailauth_dkim_verifier_free(v);
done:
    lm_buf_free(&field);
    lm_buf_free(&out);
    return 0;
}
