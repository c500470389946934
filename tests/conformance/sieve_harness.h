/* sieve_harness.h — what the Sieve suite runners share (sieve_suite.c for Pigeonhole's suite,
 * sieve_rs_suite.c for sieve-rs's): the case list of a suite's cases.tsv, reading files,
 * include resolution under included/ and included-global/, what a failed compile reports, the
 * first address of a header field, and the message as editheader's edits leave it. Never part
 * of the library.
 *
 * Two memory policies, said per function: the runner-side functions (case lists, files) end
 * the runner when memory runs out (exit 2), as the other C runners do; the functions the
 * test-only extensions call while a script runs allocate with lm_malloc and return
 * SIEVE_E_NOMEM. */
#ifndef SIEVE_HARNESS_H
#define SIEVE_HARNESS_H

#include "engine.h"

#include <stddef.h>

/* ---- runner side (out of memory ends the runner) ------------------------------------------- */

void *sh_xrealloc(void *p, size_t n);
char *sh_xstrdup(const char *s);

/* The file `dir`/`name`, NUL-terminated, its length in *len (may be NULL); NULL when it cannot
 * be read. Free with free(). */
char *sh_read_file(const char *dir, const char *name, size_t *len);

/* The test blocks of one .svtest file, in the order of the suite's cases.tsv. */
typedef struct sh_block {
    char *name;
} sh_block;

typedef struct sh_file_cases {
    char *path;               /* relative to the suite */
    sh_block *blocks;
    size_t n;
} sh_file_cases;

/* The entry for `path` in the list, added (without blocks) when it is not there yet. */
sh_file_cases *sh_file_for(sh_file_cases **files, size_t *nfiles, const char *path);
/* Reads `suite`/cases.tsv ("file<TAB>index<TAB>test name" after a header line; the names are
 * written as in the script, a backslash quoting the next character, and are unescaped here)
 * into the list. Leaves the list as it was when the file cannot be read. */
void sh_read_cases(const char *suite, sh_file_cases **files, size_t *nfiles);
void sh_cases_free(sh_file_cases *files, size_t nfiles);

/* The text of the first error of a compile, as "line N: text" (or "does not compile"). */
const char *sh_first_error(const sieve_diagnostics *d, char *buf, size_t size);
/* The extensions named in the compile's "unsupported extension" errors, space-separated, or
 * "" (cut at `size`). */
void sh_missing_extensions(const sieve_diagnostics *d, char *out, size_t size);

/* sieve_options.include for the suites' tools: :personal "x" is <dir>/included/x.sieve and
 * :global "x" is <dir>/included-global/x.sieve, where `user` is the NUL-terminated folder
 * (a buffer the runner points at the folder of the file being run). A name with a "/" or
 * ".." is "not found". */
int sh_fetch_include(void *user, int location, const char *name, char **text, size_t *len);

/* ---- extension side (lm_malloc; SIEVE_E_NOMEM) ----------------------------------------------- */

/* The first address of the top-level field `field` of `m` (lm_malloc'd), or NULL when there
 * is none (or memory ran out: *nomem is then set). */
char *sh_first_address(const mailparse_message *m, const char *field, int *nomem);

/* `text` as a delivery would write it: the header edits of `res` (sieve.h) from the
 * `first_edit`-th on applied in turn, and `extra` (a whole field with its CRLF, or NULL) put on
 * top, where the edits do not see it. *out is lm_malloc'd and NUL-terminated. 0 or
 * SIEVE_E_NOMEM. */
int sh_edited_message(const char *text, size_t len, const sieve_result *res, size_t first_edit,
                      const char *extra, char **out, size_t *out_len);

#endif
