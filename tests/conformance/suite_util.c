/* suite_util.c — the helpers every C conformance runner uses (see suite_util.h). */
#include "suite_util.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int su_suite_dir(int argc, char **argv, const char *suite, const char *probe, char *dir,
                 size_t size, int *verbose)
{
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "-v"))
            *verbose = 1;
    const char *base = getenv("LIBMAIL_CONFORMANCE_DIR");
    if (!base || !*base) {
        printf("LIBMAIL_CONFORMANCE_DIR is not set: skipped\n");
        return 77;
    }
    if (snprintf(dir, size, "%s/%s", base, suite) >= (int)size) {
        printf("LIBMAIL_CONFORMANCE_DIR is too long: skipped\n");
        return 77;
    }
    DIR *dd = opendir(dir);
    if (!dd) {
        printf("%s is absent: skipped\n", dir);
        return 77;
    }
    closedir(dd);
    char path[8400];
    snprintf(path, sizeof path, "%s/%s", dir, probe ? probe : "");
    FILE *f = probe ? fopen(path, "rb") : NULL;
    if (probe && !f) {
        printf("%s is absent: skipped\n", path);
        return 77;
    }
    if (f)
        fclose(f);
    return 0;
}

int su_summary(long passed, long failed, long skipped)
{
    printf("%ld passed, %ld failed, %ld skipped\n", passed, failed, skipped);
    return failed ? 1 : 0;
}

void *su_xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p) {
        fprintf(stderr, "out of memory\n");
        exit(2);
    }
    return p;
}

char *su_dupn(const char *s, size_t n)
{
    char *d = su_xmalloc(n + 1);
    if (n)
        memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

char *su_xstrdup(const char *s) { return s ? su_dupn(s, strlen(s)) : su_dupn("", 0); }

char *su_read_file(const char *dir, const char *name, size_t *len)
{
    char path[8400];
    FILE *f = NULL;
    if (snprintf(path, sizeof path, "%s/%s", dir, name) >= (int)sizeof path ||
        !(f = fopen(path, "rb")))
        return NULL;
    size_t cap = 65536, n = 0, k;
    char *buf = su_xmalloc(cap);
    while ((k = fread(buf + n, 1, cap - n - 1, f)) > 0) {
        n += k;
        if (n + 1 == cap) {
            cap *= 2;
            char *b = realloc(buf, cap);
            if (!b) {
                fprintf(stderr, "out of memory\n");
                exit(2);
            }
            buf = b;
        }
    }
    fclose(f);
    buf[n] = '\0';
    if (len)
        *len = n;
    return buf;
}

char *su_crlf(const char *s, size_t n, size_t *out_len)
{
    char *o = su_xmalloc(2 * n + 1);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\n' && (i == 0 || s[i - 1] != '\r'))
            o[k++] = '\r';
        o[k++] = s[i];
    }
    o[k] = '\0';
    *out_len = k;
    return o;
}

/* ---- YAML ---------------------------------------------------------------------------------- */

const char *su_scalar(yaml_node_t *n)
{
    return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

yaml_node_t *su_map_get(yaml_document_t *d, yaml_node_t *m, const char *key)
{
    if (!m || m->type != YAML_MAPPING_NODE)
        return NULL;
    yaml_node_t *found = NULL;
    for (yaml_node_pair_t *p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top; p++) {
        const char *k = su_scalar(yaml_document_get_node(d, p->key));
        if (k && !strcmp(k, key))
            found = yaml_document_get_node(d, p->value);
    }
    return found;
}

int su_yaml_each(const char *path, const char *name,
                 void (*fn)(yaml_document_t *d, yaml_node_t *root, void *user), void *user)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    yaml_parser_t parser;
    yaml_parser_initialize(&parser);
    yaml_parser_set_input_file(&parser, f);
    int rc = 0;
    for (;;) {
        yaml_document_t doc;
        if (!yaml_parser_load(&parser, &doc)) {
            printf("FAIL %s: YAML error: %s at line %zu\n", name,
                   parser.problem ? parser.problem : "?", parser.problem_mark.line + 1);
            rc = 1;
            break;
        }
        yaml_node_t *root = yaml_document_get_root_node(&doc);
        if (!root) {
            yaml_document_delete(&doc);
            break;
        }
        fn(&doc, root, user);
        yaml_document_delete(&doc);
    }
    yaml_parser_delete(&parser);
    fclose(f);
    return rc;
}

/* ---- DNS: TXT records by name -------------------------------------------------------------- */

/* The length of `name` without its trailing dots. */
static size_t undotted(const char *name)
{
    size_t n = strlen(name);
    while (n && name[n - 1] == '.')
        n--;
    return n;
}

void su_zone_add(su_zone *z, const char *name, const char *text)
{
    su_txt *r = realloc(z->r, (z->n + 1) * sizeof *r);
    if (!r)
        exit(2);
    z->r = r;
    z->r[z->n].name = su_dupn(name, undotted(name));
    z->r[z->n].text = su_xstrdup(text);
    z->n++;
}

void su_zone_clear(su_zone *z)
{
    for (size_t i = 0; i < z->n; i++) {
        free(z->r[i].name);
        free(z->r[i].text);
    }
    free(z->r);
    z->r = NULL;
    z->n = 0;
}

int su_zone_lookup(void *user, const char *name, int type, mailauth_dns_answer *a)
{
    const su_zone *z = user;
    size_t nl = undotted(name);
    int found = 0;
    for (size_t i = 0; i < z->n; i++) {
        if (strlen(z->r[i].name) != nl || strncasecmp(z->r[i].name, name, nl))
            continue;
        found = 1;
        if (type != MAILAUTH_RR_TXT)
            continue;
        const char *t = z->r[i].text;
        size_t len = strlen(t), count = (len + 254) / 255;
        const unsigned char *strs[64];
        size_t lens[64];
        if (count > 64)
            return MAILAUTH_E_LIMIT;
        for (size_t k = 0; k < count; k++) {
            strs[k] = (const unsigned char *)t + k * 255;
            lens[k] = len - k * 255 < 255 ? len - k * 255 : 255;
        }
        int rc = mailauth_dns_answer_add_txt(a, strs, lens, count);
        if (rc)
            return rc;
        mailauth_dns_answer_set_result(a, MAILAUTH_DNS_FOUND);
    }
    if (!found)
        mailauth_dns_answer_set_result(a, MAILAUTH_DNS_NXDOMAIN);
    else if (!mailauth_dns_answer_count(a))
        mailauth_dns_answer_set_result(a, MAILAUTH_DNS_NODATA);
    mailauth_dns_answer_set_ttl(a, 300);
    return 0;
}
