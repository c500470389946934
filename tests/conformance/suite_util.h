/* suite_util.h — what the C conformance runners share: the suite folder and the -v flag, whole
 * files, LF line ends made CRLF, YAML access (libyaml), and a resolver serving TXT records by
 * name. Out of memory ends the runner (exit 2). */
#ifndef SUITE_UTIL_H
#define SUITE_UTIL_H

#include <stddef.h>

#include <yaml.h>

#include "mailauth.h"

/* Sets *verbose when an argument is "-v" and writes $LIBMAIL_CONFORMANCE_DIR/<suite> into
 * `dir`. Returns 0, or 77 (the skip status, with a line saying why) when the variable is unset,
 * the path is too long, the folder is absent or the file `probe` in it (when not NULL) is. */
int su_suite_dir(int argc, char **argv, const char *suite, const char *probe, char *dir,
                 size_t size, int *verbose);

/* Prints "N passed, N failed, N skipped" and returns the runner's exit status (1 when a test
 * failed, else 0). */
int su_summary(long passed, long failed, long skipped);

void *su_xmalloc(size_t n);
/* A NUL-terminated copy of `n` octets (of "" when `s` is NULL and n is 0). */
char *su_dupn(const char *s, size_t n);
char *su_xstrdup(const char *s); /* NULL copies as "" */

/* The file `dir`/`name`, NUL-terminated, its length in *len (may be NULL); NULL when it cannot
 * be read. Free with free(). */
char *su_read_file(const char *dir, const char *name, size_t *len);

/* Every LF not after a CR made CRLF (the suites store messages with LF). Free with free(). */
char *su_crlf(const char *s, size_t n, size_t *out_len);

/* ---- YAML ---------------------------------------------------------------------------------- */

/* The text of a scalar node, or NULL. */
const char *su_scalar(yaml_node_t *n);
/* The value of `key` in mapping `m` (the last one when the key repeats, as Python's reader
 * does), or NULL. */
yaml_node_t *su_map_get(yaml_document_t *d, yaml_node_t *m, const char *key);

/* Calls `fn` for each document of the YAML file at `path`. Returns -1 when the file cannot be
 * opened; 1 after a YAML error (printed as "FAIL <name>: YAML error: ..."); else 0. */
int su_yaml_each(const char *path, const char *name,
                 void (*fn)(yaml_document_t *d, yaml_node_t *root, void *user), void *user);

/* ---- DNS: TXT records by name -------------------------------------------------------------- */

typedef struct su_txt {
    char *name, *text;
} su_txt;

typedef struct su_zone {
    su_txt *r;
    size_t n;
} su_zone;

/* Adds a TXT record (trailing dots of `name` dropped). */
void su_zone_add(su_zone *z, const char *name, const char *text);
void su_zone_clear(su_zone *z);

/* A mailauth_resolver lookup over a su_zone (`user`): names are compared without case and
 * without trailing dots; every name not listed is NXDOMAIN, a listed name without TXT records
 * NODATA; a record's text goes out in strings of 255 octets (at most 64: MAILAUTH_E_LIMIT past
 * that); TTL 300. */
int su_zone_lookup(void *user, const char *name, int type, mailauth_dns_answer *a);

#endif
