/* sieve.h — Sieve mail filtering (RFC 5228 and its extensions): compile a script to bytecode,
 * run it against a message, read the actions it decided.
 *
 * The library decides; the caller performs. A run yields an ordered list of actions (keep,
 * fileinto, redirect, reject, vacation, notify, …) with their arguments, the implicit-keep
 * state, and the header edits of editheader; nothing is delivered or sent here. Everything
 * outside the library (included scripts, mailbox and metadata lookups, duplicate tracking,
 * spam and virus scores, external lists, queries, the clock) is a callback with `void *user`.
 *
 * Conventions (the same in every libmail library):
 *  - Functions returning `int` give 0 on success or a negative SIEVE_E_* code;
 *    sieve_strerror() names it. Nothing here prints, aborts or exits.
 *  - A script that does not compile is not a call error either: sieve_compile() returns
 *    SIEVE_E_COMPILE and the diagnostics (line:column and text) say why.
 *  - Strings given to the library are UTF-8 and NUL-terminated unless a length is given; the
 *    library copies what it keeps. Returned pointers are borrowed from the object that
 *    returned them.
 *  - Every _new has a _free that accepts NULL. No global mutable state besides the allocator
 *    hooks, which are set once before anything else.
 */
#ifndef SIEVE_H
#define SIEVE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(_WIN32) && defined(SIEVE_BUILDING)
#define SIEVE_API __declspec(dllexport)
#elif defined(__GNUC__) && defined(SIEVE_BUILDING)
#define SIEVE_API __attribute__((visibility("default")))
#else
#define SIEVE_API
#endif

#define SIEVE_VERSION_MAJOR 0
#define SIEVE_VERSION_MINOR 1
#define SIEVE_VERSION_PATCH 0
#define SIEVE_VERSION_NUMBER \
    (SIEVE_VERSION_MAJOR * 10000 + SIEVE_VERSION_MINOR * 100 + SIEVE_VERSION_PATCH)

/* The version of the library actually linked, as "MAJOR.MINOR.PATCH". */
SIEVE_API const char *sieve_version(void);
/* The same as SIEVE_VERSION_NUMBER of the linked library. */
SIEVE_API int sieve_version_number(void);

/* ------------------------------------------------------------------------------------------ */
/* Errors                                                                                      */

enum {
    SIEVE_OK = 0,
    SIEVE_E_NOMEM = -1,       /* an allocation failed; nothing was changed */
    SIEVE_E_INVAL = -2,       /* a bad argument (NULL where not allowed, unknown enum value) */
    SIEVE_E_LIMIT = -3,       /* a documented limit was hit */
    SIEVE_E_UNSUPPORTED = -4, /* valid but not supported here (say, convert without a converter) */
    SIEVE_E_SYNTAX = -5,      /* malformed input that is not a script (saved bytecode, a value) */
    SIEVE_E_COMPILE = -6,     /* the script does not compile: see the diagnostics */
    SIEVE_E_RUNTIME = -7      /* the script failed while running: see the diagnostics */
};

/* A static English description of an error code; never NULL. */
SIEVE_API const char *sieve_strerror(int code);

/* ------------------------------------------------------------------------------------------ */
/* Memory                                                                                      */

/* Replaces the allocator for everything this library allocates. Call once, before any other
 * call (NULLs restore malloc/realloc/free). */
SIEVE_API void sieve_set_allocator(void *(*malloc_fn)(size_t), void *(*realloc_fn)(void *, size_t),
                                   void (*free_fn)(void *));

/* (section: engine) */

/* (section: compile) */

/* (section: run) */

/* (section: result) */

#ifdef __cplusplus
}
#endif

#endif
