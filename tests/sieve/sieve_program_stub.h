/* sieve_program_stub.h — a sieve_callbacks.program for the extprograms tests: a few programs
 * and a record of the last call. Include after sieve_script_run.h.
 *   "echo"   writes its arguments joined by spaces
 *   "cat"    writes its input
 *   "tag"    writes its input with "X-Filtered: yes" on top
 *   "flood"  writes 4 KiB pieces until the library refuses more
 *   "fail"   and every other name fail */
#ifndef SIEVE_PROGRAM_STUB_H
#define SIEVE_PROGRAM_STUB_H

static struct {
    int calls, kind, had_output, had_input;
    char name[200], args[512], input[4096];
} stub;

static inline int stub_program(void *user, int kind, const char *name, const char *const *args,
                               size_t nargs, const unsigned char *input, size_t len,
                               sieve_program_output *out)
{
    (void)user;
    stub.calls++;
    stub.kind = kind;
    stub.had_output = out != NULL;
    stub.had_input = input != NULL;
    snprintf(stub.name, sizeof stub.name, "%s", name);
    size_t n = 0;
    stub.args[0] = '\0';
    for (size_t i = 0; i < nargs && n < sizeof stub.args; i++)
        n += (size_t)snprintf(stub.args + n, sizeof stub.args - n, "%s%s", i ? " " : "", args[i]);
    snprintf(stub.input, sizeof stub.input, "%.*s", input ? (int)len : 0,
             input ? (const char *)input : "");
    if (!strcmp(name, "echo"))
        return sieve_program_output_add(out, (const unsigned char *)stub.args,
                                        strlen(stub.args)) ? -1 : 0;
    if (!strcmp(name, "cat"))
        return sieve_program_output_add(out, input, len) ? -1 : 0;
    if (!strcmp(name, "tag")) {
        static const char field[] = "X-Filtered: yes\r\n";
        if (sieve_program_output_add(out, (const unsigned char *)field, sizeof field - 1))
            return -1;
        return sieve_program_output_add(out, input, len) ? -1 : 0;
    }
    if (!strcmp(name, "flood")) {
        static unsigned char piece[4096];
        while (sieve_program_output_add(out, piece, sizeof piece) == 0)
            ;
        return 0;
    }
    return -1;
}

static sieve_callbacks stub_cb;

/* st_setup() with the stub as the runs' program callback and its record cleared. */
static inline int stub_setup(void **state)
{
    int rc = st_setup(state);
    sieve_callbacks_init(&stub_cb);
    stub_cb.program = stub_program;
    st_opts.callbacks = &stub_cb;
    memset(&stub, 0, sizeof stub);
    return rc;
}

#endif
