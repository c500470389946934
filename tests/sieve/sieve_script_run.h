/* sieve_script_run.h — what the extension tests share: compile a script with one engine, run
 * it against a message, and write the result as one line to compare,
 *   "action target{flags} :copy :create;…" and "+keep" when the implicit keep stands.
 * Include after <cmocka.h>. Each test program has its own copy of the state below. */
#ifndef SIEVE_SCRIPT_RUN_H
#define SIEVE_SCRIPT_RUN_H

#include <stdio.h>
#include <string.h>

#include "sieve.h"

static sieve_engine *st_engine;
static sieve_run_options st_opts;   /* the options of every run; reset by st_setup */
static char st_error[512];          /* the first diagnostic of the last compile or run */

static const char st_message[] =
    "From: \"Alice Example\" <alice@example.com>\r\n"
    "To: bob@example.org\r\n"
    "Subject: [acme-users] [fwd] version 1.0 is out\r\n"
    "List-Id: Acme users <acme-users.lists.example.net>\r\n"
    "\r\n"
    "Hello there.\r\n";

static inline int st_setup(void **state)
{
    (void)state;
    sieve_run_options_init(&st_opts);
    return sieve_engine_new(NULL, &st_engine);
}

static inline int st_teardown(void **state)
{
    (void)state;
    sieve_engine_free(st_engine);
    st_engine = NULL;
    return 0;
}

static inline void st_keep_first(sieve_diagnostics *d)
{
    const char *text = "";
    st_error[0] = '\0';
    if (sieve_diagnostics_count(d) && !sieve_diagnostic_at(d, 0, NULL, NULL, NULL, &text))
        snprintf(st_error, sizeof st_error, "%s", text);
}

/* The number of compile errors of `script` (0: it compiles). */
static inline size_t st_compile_errors(const char *script)
{
    sieve_script *s = NULL;
    sieve_diagnostics *d = NULL;
    int rc = sieve_compile(st_engine, script, strlen(script), &s, &d);
    size_t n = 0;
    for (size_t i = 0; i < sieve_diagnostics_count(d); i++) {
        int sev;
        if (!sieve_diagnostic_at(d, i, &sev, NULL, NULL, NULL) && sev == SIEVE_SEVERITY_ERROR)
            n++;
    }
    st_keep_first(d);
    sieve_diagnostics_free(d);
    sieve_script_free(s);
    if (rc && !n)
        n = 1;
    return n;
}

/* Compiles and runs `script` on `msg`, writing the result to `out`. Returns sieve_run's code
 * (or the compile's). */
static inline int st_run_on(const char *script, const char *msg, char *out, size_t size)
{
    sieve_script *s = NULL;
    sieve_diagnostics *d = NULL;
    out[0] = '\0';
    int rc = sieve_compile(st_engine, script, strlen(script), &s, &d);
    st_keep_first(d);
    sieve_diagnostics_free(d);
    if (rc)
        return rc;
    static const sieve_envelope env = {.struct_size = sizeof(sieve_envelope),
                                       .from = "alice@example.com", .to = "bob@example.org"};
    sieve_result *r = NULL;
    d = NULL;
    rc = sieve_run(s, msg, strlen(msg), &env, &st_opts, &r, &d);
    st_keep_first(d);
    sieve_diagnostics_free(d);
    size_t n = 0;
    for (size_t i = 0; i < sieve_result_count(r) && n < size; i++) {
        int type;
        const char *target, *flags;
        unsigned opt;
        sieve_result_action(r, i, &type, &target, &flags, &opt);
        n += (size_t)snprintf(out + n, size - n, "%s%s%s%s%s%s%s%s;", sieve_action_name(type),
                              *target ? " " : "", target, flags ? "{" : "", flags ? flags : "",
                              flags ? "}" : "", opt & SIEVE_ACTION_COPY ? " :copy" : "",
                              opt & SIEVE_ACTION_CREATE ? " :create" : "");
    }
    if (n < size && sieve_result_implicit_keep(r))
        snprintf(out + n, size - n, "+keep");
    sieve_result_free(r);
    sieve_script_free(s);
    return rc;
}

/* The result of a script that must compile and run without error. */
static inline const char *st_run(const char *script)
{
    static char out[2048];
    int rc = st_run_on(script, st_message, out, sizeof out);
    if (rc)
        fprintf(stderr, "st_run: %s: %s\n", sieve_strerror(rc), st_error);
    assert_int_equal(rc, 0);
    return out;
}

/* A script that must compile and fail at run time: its result (the implicit keep). */
static inline const char *st_run_fails(const char *script)
{
    static char out[2048];
    assert_int_equal(st_run_on(script, st_message, out, sizeof out), SIEVE_E_RUNTIME);
    return out;
}

/* Compiles and runs `script` on `msg` with `env` (NULL: the default one above), handing
 * the result to the caller (free with sieve_result_free()) for its params. Returns
 * sieve_run's code, or the compile's (*out NULL). */
static inline int st_run_result(const char *script, const char *msg, const sieve_envelope *env,
                                sieve_result **out)
{
    static const sieve_envelope def = {.struct_size = sizeof(sieve_envelope),
                                       .from = "alice@example.com", .to = "bob@example.org"};
    sieve_script *s = NULL;
    sieve_diagnostics *d = NULL;
    *out = NULL;
    int rc = sieve_compile(st_engine, script, strlen(script), &s, &d);
    st_keep_first(d);
    sieve_diagnostics_free(d);
    if (rc)
        return rc;
    d = NULL;
    rc = sieve_run(s, msg ? msg : st_message, strlen(msg ? msg : st_message), env ? env : &def,
                   &st_opts, out, &d);
    st_keep_first(d);
    sieve_diagnostics_free(d);
    sieve_script_free(s);
    return rc;
}

/* What the script `head` + `body` (+ a final `reject "[${r}]"`: head must require variables and
 * reject) left in the variable "r", run on `msg`, read back through the reject's reason. The
 * run must succeed. Static storage: valid until the next call. */
static inline const char *st_variable_r(const char *head, const char *body, const char *msg)
{
    static char script[8192], out[8192], value[4096];
    snprintf(script, sizeof script, "%s%s\nreject \"[${r}]\";", head, body);
    int rc = st_run_on(script, msg, out, sizeof out);
    if (rc)
        fprintf(stderr, "st_variable_r(%s): %s: %s\n", body, sieve_strerror(rc), st_error);
    assert_int_equal(rc, 0);
    const char *p = strchr(out, '[');
    const char *q = strrchr(out, ']');
    snprintf(value, sizeof value, "%.*s", p && q ? (int)(q - p - 1) : 0, p ? p + 1 : "");
    return value;
}

/* "yes" when `test` is true in `prelude` (commands before it), "no" when not. */
static inline const char *st_test(const char *prelude, const char *test)
{
    static char script[8192];
    snprintf(script, sizeof script, "%s\nif %s { discard; }", prelude, test);
    return strstr(st_run(script), "discard;") ? "yes" : "no";
}

#endif
