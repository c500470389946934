/* fuzz_sieve_run.c — libFuzzer harness for the whole Sieve pipeline. The first octet picks
 * the mode: even, the rest is a script, compiled with every extension, and when it compiles
 * it is saved, loaded back and run (twice, from both, with the same answer) on a fixed message
 * within a small instruction budget; odd, the rest is taken as saved bytecode, loaded and, when
 * accepted, run. Nothing may crash, leak or hang, and a loaded script must save to the same
 * bytes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sieve.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char msg[] =
    "Return-Path: <s@example.org>\r\n"
    "From: \"A\" <a+tag@example.com>\r\n"
    "To: b@example.org, c@example.net\r\n"
    "Subject: =?utf-8?q?caf=C3=A9?= money\r\n"
    "Date: Tue, 3 Nov 2026 10:00:00 +0100\r\n"
    "Content-Type: multipart/mixed; boundary=x\r\n"
    "\r\n--x\r\nContent-Type: text/plain\r\n\r\nhello  world\r\n"
    "--x\r\nContent-Type: text/html\r\n\r\n<p>hi</p>\r\n--x--\r\n";

/* The programs of filter and execute: "cat" writes its input back, every other one fails. */
static int program(void *user, int kind, const char *name, const char *const *args,
                   size_t nargs, const unsigned char *input, size_t len,
                   sieve_program_output *out)
{
    (void)user;
    (void)kind;
    (void)args;
    (void)nargs;
    return strcmp(name, "cat") || sieve_program_output_add(out, input, len) ? -1 : 0;
}

static int run_once(const sieve_script *s, int *keep, size_t *count)
{
    static const sieve_envelope env = {.struct_size = sizeof(sieve_envelope),
                                       .from = "s@example.org", .to = "b+x@example.org"};
    sieve_run_options ro;
    sieve_run_options_init(&ro);
    ro.max_instructions = 5000;
    sieve_callbacks cb;
    sieve_callbacks_init(&cb);
    cb.program = program;
    ro.callbacks = &cb;
    sieve_result *r = NULL;
    int rc = sieve_run(s, msg, sizeof msg - 1, &env, &ro, &r, NULL);
    *keep = sieve_result_implicit_keep(r);
    *count = sieve_result_count(r);
    sieve_result_free(r);
    return rc;
}

static void round_trip(sieve_engine *e, const sieve_script *s)
{
    unsigned char *bytes = NULL, *again = NULL;
    size_t len = 0, again_len = 0;
    sieve_script *loaded = NULL;
    if (sieve_script_save(s, &bytes, &len))
        return;
    if (sieve_script_load(e, bytes, len, &loaded))
        __builtin_trap(); /* what we saved must load */
    if (sieve_script_save(loaded, &again, &again_len) || again_len != len ||
        memcmp(again, bytes, len))
        __builtin_trap();
    int k1, k2;
    size_t c1, c2;
    int r1 = run_once(s, &k1, &c1), r2 = run_once(loaded, &k2, &c2);
    if (r1 != r2 || k1 != k2 || c1 != c2)
        __builtin_trap();
    sieve_free(again);
    sieve_free(bytes);
    sieve_script_free(loaded);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > 65536)
        return 0;
    sieve_engine *e;
    if (sieve_engine_new(NULL, &e))
        return 0;
    sieve_script *s = NULL;
    if (data[0] % 2 == 0) {
        sieve_diagnostics *d = NULL;
        if (sieve_compile(e, (const char *)data + 1, size - 1, &s, &d) == 0)
            round_trip(e, s);
        sieve_diagnostics_free(d);
    } else if (sieve_script_load(e, data + 1, size - 1, &s) == 0) {
        int keep;
        size_t count;
        run_once(s, &keep, &count);
    }
    sieve_script_free(s);
    sieve_engine_free(e);
    return 0;
}
