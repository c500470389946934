/* test_files.h — reading whole files for unit tests: any path, and the external conformance data. */
#ifndef TEST_FILES_H
#define TEST_FILES_H

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

/* The bytes of the file at `path`, NUL-terminated (free() them), or NULL when it cannot be read. */
static inline void *test_file_read(const char *path, size_t *len)
{
    *len = 0;
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *p = malloc((size_t)n + 1);
    if (p && fread(p, 1, (size_t)n, f) != (size_t)n) {
        free(p);
        p = NULL;
    }
    fclose(f);
    if (p)
        p[n] = 0;
    *len = (size_t)n;
    return p;
}

/* The file `rel` under $LIBMAIL_CONFORMANCE_DIR as test_file_read() gives it, or NULL (the
 * caller then skips the test). */
static inline void *conformance_file(const char *rel, size_t *len)
{
    const char *dir = getenv("LIBMAIL_CONFORMANCE_DIR");
    *len = 0;
    if (!dir || !*dir)
        return NULL;
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, rel);
    return test_file_read(path, len);
}

#endif
