/* dkim_test_util.h — helpers shared by the DKIM signer and verifier unit tests
 * (test_dkim_sign.c, test_dkim_verify.c): a fixed clock for the options' clock hook and a
 * bare-LF copy of a CRLF message. */
#ifndef DKIM_TEST_UTIL_H
#define DKIM_TEST_UTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

/* A clock for mailauth_dkim_*_options.clock: the int64_t `user` points to. */
static int64_t fixed_clock(void *user) { return *(const int64_t *)user; }

/* `msg` with every CR removed (CRLF line ends made bare LF), NUL-terminated; its length in
 * *len when `len` is not NULL. The caller frees it with free(). */
static char *without_cr(const char *msg, size_t *len)
{
    char *lf = malloc(strlen(msg) + 1);
    assert_non_null(lf);
    size_t n = 0;
    for (const char *p = msg; *p; p++)
        if (*p != '\r')
            lf[n++] = *p;
    lf[n] = '\0';
    if (len)
        *len = n;
    return lf;
}

#endif
