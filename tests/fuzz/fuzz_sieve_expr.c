/* fuzz_sieve_expr.c — libFuzzer harness for the expressions of vnd.stalwart.expressions. The
 * first octet picks the mode: even, the rest is an expression's text, compiled on its own
 * (what compiles must pass the verifier) and inside a script (let, eval, while and a string
 * "${…}" with it, host functions wired), which is saved, loaded back and run on a fixed message within a small
 * instruction budget, from both copies with the same answer; odd, the rest is taken as
 * compiled code and checked by the verifier. Nothing may crash, leak or hang. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "expr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char msg[] =
    "From: \"A\" <a@example.com>, b@example.org\r\n"
    "To: \"G\": c@example.net, =?utf-8?q?D=C3=A9?= <d@example.net>;\r\n"
    "Subject: =?utf-8?q?caf=C3=A9?= money\r\n"
    "Received: from x.example (y.example [192.0.2.1]) by z; Tue, 3 Nov 2026 10:00:00 +0100\r\n"
    "Message-ID: <id@example>\r\n"
    "Content-Type: text/plain; charset=utf-8; name=\"a.txt\"\r\n"
    "\r\nline one\r\n\r\nline three\r\n";

static const sieve_function functions[] = {{"host_zero", 0}, {"host_echo", 1}, {"host_list", 2}};

static int call(void *user, const char *name, const sieve_value *args, size_t argc,
                sieve_value *result)
{
    static sieve_value items[2];
    (void)user;
    if (!strcmp(name, "host_echo") && argc == 1) {
        *result = args[0];
        result->items = NULL; /* a list comes back as its text */
        if (result->type == SIEVE_VALUE_ARRAY)
            result->type = SIEVE_VALUE_STRING;
        return 0;
    }
    if (!strcmp(name, "host_list") && argc == 2) {
        items[0] = args[0];
        items[1] = args[1];
        items[0].items = items[1].items = NULL;
        items[0].type = items[1].type = SIEVE_VALUE_STRING;
        *result = (sieve_value){.type = SIEVE_VALUE_ARRAY, .items = items, .count = 2};
        return 0;
    }
    result->type = SIEVE_VALUE_FLOAT;
    result->number = 0.5;
    return 0;
}

static int run_once(const sieve_script *s)
{
    static const sieve_callbacks cb = {.struct_size = sizeof(sieve_callbacks), .function = call};
    sieve_run_options ro;
    sieve_run_options_init(&ro);
    ro.max_instructions = 3000;
    ro.callbacks = &cb;
    sieve_result *r = NULL;
    int rc = sieve_run(s, msg, sizeof msg - 1, NULL, &ro, &r, NULL);
    if (rc != 0 && rc != SIEVE_E_RUNTIME && rc != SIEVE_E_NOMEM)
        __builtin_trap();
    rc = rc * 2 + sieve_result_implicit_keep(r);
    sieve_result_free(r);
    return rc;
}

static sieve_engine *engine(void)
{
    static sieve_engine *e;
    if (!e) {
        sieve_options o;
        sieve_options_init(&o);
        o.functions = functions;
        o.nfunctions = sizeof functions / sizeof functions[0];
        if (sieve_engine_new(&o, &e))
            abort();
    }
    return e;
}

/* The expression as a Sieve quoted string's content: '"' and '\' escaped. */
static char *quoted(const char *s, size_t n)
{
    char *q = malloc(2 * n + 1);
    size_t k = 0;
    for (size_t i = 0; q && i < n; i++) {
        if (s[i] == '"' || s[i] == '\\')
            q[k++] = '\\';
        q[k++] = s[i];
    }
    if (q)
        q[k] = '\0';
    return q;
}

static void in_script(const char *text, size_t n)
{
    char *q = quoted(text, n);
    if (!q)
        return;
    size_t cap = 4 * strlen(q) + 512;
    char *src = malloc(cap);
    if (!src) {
        free(q);
        return;
    }
    int len = snprintf(src, cap,
                       "require [\"variables\", \"vnd.stalwart.expressions\", "
                       "\"vnd.stalwart.while\", \"fileinto\"];\n"
                       "set \"a\" \"1\"; let \"l\" \"['x', 2, 3.5]\";\n"
                       "let \"r\" \"%s\";\nif eval \"%s\" { fileinto \"${r}\"; }\n"
                       "let \"i\" \"0\"; while \"i < 3 && (%s)\" { let \"i\" \"i + 1\"; }\n"
                       "fileinto \"<${%s}>${a}\";\n",
                       q, q, q, q);
    free(q);
    sieve_script *s = NULL;
    if (len > 0 && sieve_compile(engine(), src, (size_t)len, &s, NULL) == 0) {
        unsigned char *bytes = NULL;
        size_t blen = 0;
        sieve_script *loaded = NULL;
        if (!sieve_script_save(s, &bytes, &blen)) {
            if (sieve_script_load(engine(), bytes, blen, &loaded))
                __builtin_trap(); /* what we saved must load */
            if (run_once(s) != run_once(loaded))
                __builtin_trap();
        }
        sieve_script_free(loaded);
        sieve_free(bytes);
    }
    sieve_script_free(s);
    free(src);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > 4096)
        return 0;
    const char *text = (const char *)data + 1;
    size_t n = size - 1;
    if (data[0] & 1) {
        int rc = sv_expr_verify(engine(), text, n);
        if (rc != 0 && rc != SIEVE_E_SYNTAX && rc != SIEVE_E_NOMEM)
            __builtin_trap();
        return 0;
    }
    lm_buf code = LM_BUF_INIT;
    char err[200];
    int rc = sv_expr_compile(engine(), text, n, &code, err, sizeof err);
    if (rc == 0 && sv_expr_verify(engine(), code.data, code.len))
        __builtin_trap(); /* compiled code always verifies */
    if (rc == SIEVE_E_SYNTAX && !err[0])
        __builtin_trap(); /* an error always says why */
    lm_buf_free(&code);
    if (memchr(text, '\0', n) == NULL)
        in_script(text, n);
    return 0;
}
