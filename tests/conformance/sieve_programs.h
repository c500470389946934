/* sieve_programs.h — the helper programs of Pigeonhole's extprograms tests
 * (tests/plugins/extprograms/bin, not part of the suite's data), emulated from what the
 * .svtest files expect of them, for the test harness's sieve_callbacks.program and its pipe
 * actions. */
#ifndef SIEVE_PROGRAMS_H
#define SIEVE_PROGRAMS_H

#include "lm_buf.h"

#include <stddef.h>

/* What the site's settings and the delivery say about one program run. */
typedef struct sp_context {
    int bin_dir_set;           /* sieve_<kind>_bin_dir is set: else no program exists */
    long long timeout;         /* sieve_<kind>_exec_timeout in seconds; 0: none */
    int input_crlf;            /* sieve_<kind>_input_eol: 1 crlf (the default), 0 lf */
    const char *sender, *recipient, *orig_recipient, *host; /* the environment, or NULL */
} sp_context;

/* Runs the emulated program `name` with its arguments and `len` octets of input (line ends made
 * as `ctx` says first), appending what it writes to `out`. Returns 0 when it succeeded, -1
 * when it is unknown or failed (*why says which, a static string), or -2 when out of memory. */
int sp_program_run(const sp_context *ctx, const char *name, const char *const *args,
                   size_t nargs, const unsigned char *input, size_t len, lm_buf *out,
                   const char **why);

#endif
