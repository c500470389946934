/* test_block_command.c — commands with a block of their own (SV_CTL_BLOCK, the test harness's
 * `test`): the command runs, then its block, then the command again at the block's end; a
 * command inside may leave the block early; the loader checks the construct in saved bytes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "engine.h"

/* A harness extension: `group "name" { … }` logs its begin and end, `leave` leaves the
 * innermost group, `note "x"` logs x. The log is the run's host. */
static int log_add(sv_run *r, const char *what, const sv_str *s)
{
    lm_buf *log = r->host;
    lm_buf_puts(log, what);
    if (s)
        lm_buf_append(log, s->s, s->len);
    lm_buf_putc(log, ',');
    return log->oom ? SIEVE_E_NOMEM : 0;
}

static int run_group(sv_run *r, const sv_args *a)
{
    return log_add(r, r->block_end ? "end:" : "begin:", &a->positional[0].strs[0]);
}

static int run_leave(sv_run *r, const sv_args *a)
{
    (void)a;
    r->leave_block = 1;
    return log_add(r, "leave", NULL);
}

static int run_note(sv_run *r, const sv_args *a)
{
    return log_add(r, "", &a->positional[0].strs[0]);
}

static const uint8_t no_tags[] = {SV_TAG_COUNT_};

static const sv_cmd_def group_commands[] = {
    {"group", SV_KIND_COMMAND, SV_CTL_BLOCK, 1, {SV_T_STRING}, no_tags, NULL, run_group},
    {"leave", SV_KIND_COMMAND, SV_CTL_NONE, 0, {0}, no_tags, NULL, run_leave},
    {"note", SV_KIND_COMMAND, SV_CTL_NONE, 1, {SV_T_STRING}, no_tags, NULL, run_note},
};
static const sv_ext_def ext_group = {"x-group", group_commands, 3};

static sieve_engine *engine;

static int setup(void **state)
{
    (void)state;
    const sv_ext_def *extra[] = {&ext_group};
    return sv_engine_new_with(NULL, extra, 1, NULL, 0, &engine);
}

static int teardown(void **state)
{
    (void)state;
    sieve_engine_free(engine);
    return 0;
}

static sieve_script *compile_ok(const char *src)
{
    sieve_script *s = NULL;
    assert_int_equal(sieve_compile(engine, src, strlen(src), &s, NULL), 0);
    return s;
}

/* Runs `s` and returns its log (a static buffer). */
static const char *run_log(const sieve_script *s)
{
    static char out[512];
    lm_buf log = LM_BUF_INIT;
    sv_diag d;
    sv_diag_init(&d, 0);
    sieve_result *res = NULL;
    int rc = sv_run_host(s, "", 0, NULL, NULL, &log, &d, &res);
    snprintf(out, sizeof out, "%s%s", rc ? "error:" : "", log.data ? log.data : "");
    sieve_result_free(res);
    sv_diag_free(&d);
    lm_buf_free(&log);
    return out;
}

static const char *compile_run(const char *src)
{
    sieve_script *s = compile_ok(src);
    const char *out = run_log(s);
    sieve_script_free(s);
    return out;
}

static void block_runs_between_begin_and_end(void **state)
{
    (void)state;
    assert_string_equal(compile_run("require \"x-group\";\n"
                                    "group \"a\" { note \"x\"; note \"y\"; }\nnote \"after\";"),
                        "begin:a,x,y,end:a,after,");
}

static void leave_skips_the_rest_of_the_block_and_still_ends_it(void **state)
{
    (void)state;
    assert_string_equal(compile_run("require \"x-group\";\n"
                                    "group \"a\" { note \"x\"; if true { leave; note \"no\"; }\n"
                                    "  note \"no either\"; }\n"
                                    "group \"b\" { note \"y\"; }"),
                        "begin:a,x,leave,end:a,begin:b,y,end:b,");
}

static void leave_ends_only_the_innermost_block(void **state)
{
    (void)state;
    assert_string_equal(compile_run("require \"x-group\";\n"
                                    "group \"out\" { group \"in\" { leave; note \"no\"; }\n"
                                    "  note \"yes\"; }"),
                        "begin:out,begin:in,leave,end:in,yes,end:out,");
}

static void leave_outside_any_block_does_nothing(void **state)
{
    (void)state;
    assert_string_equal(compile_run("require \"x-group\";\nleave; note \"x\";"), "leave,x,");
}

static void stop_inside_a_block_ends_the_script(void **state)
{
    (void)state;
    assert_string_equal(compile_run("require \"x-group\";\n"
                                    "group \"a\" { stop; note \"no\"; }\nnote \"no\";"),
                        "begin:a,");
}

static void block_needs_its_block_and_others_take_none(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "require \"x-group\";\ngroup \"a\";",
        "require \"x-group\";\nnote \"a\" { keep; }",
        "group \"a\" { keep; }", /* not required */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        sieve_script *s = NULL;
        assert_int_equal(sieve_compile(engine, bad[i], strlen(bad[i]), &s, NULL), SIEVE_E_COMPILE);
        assert_null(s);
    }
}

static void saved_bytecode_runs_the_same(void **state)
{
    (void)state;
    sieve_script *s = compile_ok("require \"x-group\";\n"
                                 "group \"a\" { if true { leave; } note \"no\"; } note \"z\";");
    unsigned char *bytes;
    size_t len;
    assert_int_equal(sieve_script_save(s, &bytes, &len), 0);
    sieve_script *loaded = NULL;
    assert_int_equal(sieve_script_load(engine, bytes, len, &loaded), 0);
    assert_string_equal(run_log(loaded), "begin:a,leave,end:a,z,");
    sieve_script_free(loaded);
    sieve_free(bytes);
    sieve_script_free(s);
}

/* Saved bytes of `group "a" { }`: SV_OP_BLOCK u32 end, SV_OP_COMMAND u16 index …,
 * SV_OP_BLOCK_END, SV_OP_END. `patch` changes them before loading. */
static int load_patched(void (*patch)(unsigned char *code, size_t len))
{
    sieve_script *s = compile_ok("require \"x-group\";\ngroup \"a\" { }");
    unsigned char *bytes;
    size_t len;
    assert_int_equal(sieve_script_save(s, &bytes, &len), 0);
    unsigned char *code = NULL; /* where the code is in the saved bytes */
    for (size_t at = 0; !code && at + s->code_len <= len; at++)
        if (!memcmp(bytes + at, s->code, s->code_len))
            code = bytes + at;
    assert_non_null(code);
    patch(code, s->code_len);
    sieve_script *loaded = NULL;
    int rc = sieve_script_load(engine, bytes, len, &loaded);
    sieve_script_free(loaded);
    sieve_free(bytes);
    sieve_script_free(s);
    return rc;
}

static void patch_nothing(unsigned char *code, size_t len)
{
    assert_int_equal(code[0], SV_OP_BLOCK);
    assert_int_equal(code[5], SV_OP_COMMAND);
    assert_int_equal(code[len - 2], SV_OP_BLOCK_END);
}

static void patch_command_to_note(unsigned char *code, size_t len)
{
    (void)len;
    int note = sv_command_index(engine, &group_commands[2]);
    code[6] = (unsigned char)note;
    code[7] = (unsigned char)(note >> 8);
}

static void patch_end_to_script_end(unsigned char *code, size_t len)
{
    code[1] = (unsigned char)(len - 1); /* the SV_OP_END, not the block's end */
}

static void loader_checks_block_structure(void **state)
{
    (void)state;
    assert_int_equal(load_patched(patch_nothing), 0);
    assert_int_equal(load_patched(patch_command_to_note), SIEVE_E_SYNTAX);
    assert_int_equal(load_patched(patch_end_to_script_end), SIEVE_E_SYNTAX);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(block_runs_between_begin_and_end),
        cmocka_unit_test(leave_skips_the_rest_of_the_block_and_still_ends_it),
        cmocka_unit_test(leave_ends_only_the_innermost_block),
        cmocka_unit_test(leave_outside_any_block_does_nothing),
        cmocka_unit_test(stop_inside_a_block_ends_the_script),
        cmocka_unit_test(block_needs_its_block_and_others_take_none),
        cmocka_unit_test(saved_bytecode_runs_the_same),
        cmocka_unit_test(loader_checks_block_structure),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
