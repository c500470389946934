/* sieve_harness.c — what the Sieve suite runners share: case lists, files, include resolution,
 * compile reports, a field's first address, and editheader's edits applied to a message
 * (see sieve_harness.h). */
#include "sieve_harness.h"

#include "lm_alloc.h"
#include "lm_ascii.h"
#include "lm_buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- runner side --------------------------------------------------------------------------- */

void *sh_xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q) {
        fprintf(stderr, "out of memory\n");
        exit(2);
    }
    return q;
}

char *sh_xstrdup(const char *s)
{
    size_t n = strlen(s);
    char *c = sh_xrealloc(NULL, n + 1);
    memcpy(c, s, n + 1);
    return c;
}

char *sh_read_file(const char *dir, const char *name, size_t *len)
{
    char path[4096];
    if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, name) >= sizeof path)
        return NULL;
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = NULL;
    size_t n = 0, cap = 0;
    for (;;) {
        if (cap - n < 65536) {
            cap = cap ? cap * 2 : 65536;
            buf = sh_xrealloc(buf, cap + 1);
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (!got)
            break;
    }
    fclose(f);
    buf[n] = '\0';
    if (len)
        *len = n;
    return buf;
}

sh_file_cases *sh_file_for(sh_file_cases **files, size_t *nfiles, const char *path)
{
    for (size_t i = 0; i < *nfiles; i++)
        if (!strcmp((*files)[i].path, path))
            return &(*files)[i];
    *files = sh_xrealloc(*files, (*nfiles + 1) * sizeof **files);
    sh_file_cases *f = &(*files)[(*nfiles)++];
    f->path = sh_xstrdup(path);
    f->blocks = NULL;
    f->n = 0;
    return f;
}

/* A backslash quotes the next character (RFC 5228 §2.4.2). */
static void unescape(char *s)
{
    char *w = s;
    for (; *s; s++) {
        if (*s == '\\' && s[1])
            s++;
        *w++ = *s;
    }
    *w = '\0';
}

void sh_read_cases(const char *suite, sh_file_cases **files, size_t *nfiles)
{
    char *text = sh_read_file(suite, "cases.tsv", NULL);
    if (!text)
        return;
    char *line = text, *next;
    for (int first = 1; line && *line; line = next, first = 0) {
        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        char *tab1 = strchr(line, '\t'), *tab2 = tab1 ? strchr(tab1 + 1, '\t') : NULL;
        if (first || !tab2)
            continue;
        *tab1 = '\0';
        char *name = tab2 + 1;
        name[strcspn(name, "\r")] = '\0';
        unescape(name);
        sh_file_cases *f = sh_file_for(files, nfiles, line);
        f->blocks = sh_xrealloc(f->blocks, (f->n + 1) * sizeof *f->blocks);
        f->blocks[f->n++].name = sh_xstrdup(name);
    }
    free(text);
}

void sh_cases_free(sh_file_cases *files, size_t nfiles)
{
    for (size_t i = 0; i < nfiles; i++) {
        for (size_t k = 0; k < files[i].n; k++)
            free(files[i].blocks[k].name);
        free(files[i].blocks);
        free(files[i].path);
    }
    free(files);
}

const char *sh_first_error(const sieve_diagnostics *d, char *buf, size_t size)
{
    for (size_t i = 0; i < sieve_diagnostics_count(d); i++) {
        int sev;
        unsigned line;
        const char *text;
        if (!sieve_diagnostic_at(d, i, &sev, &line, NULL, &text) && sev == SIEVE_SEVERITY_ERROR) {
            snprintf(buf, size, "line %u: %s", line, text);
            return buf;
        }
    }
    snprintf(buf, size, "does not compile");
    return buf;
}

void sh_missing_extensions(const sieve_diagnostics *d, char *out, size_t size)
{
    static const char marker[] = "unsupported extension \"";
    out[0] = '\0';
    for (size_t i = 0; i < sieve_diagnostics_count(d); i++) {
        const char *text;
        if (sieve_diagnostic_at(d, i, NULL, NULL, NULL, &text))
            continue;
        const char *p = strstr(text, marker);
        if (!p)
            continue;
        p += sizeof marker - 1;
        int n = (int)strcspn(p, "\"");
        size_t used = strlen(out);
        snprintf(out + used, size - used, "%s%.*s", used ? " " : "", n, p);
    }
}

int sh_fetch_include(void *user, int location, const char *name, char **text, size_t *len)
{
    const char *dir = user;
    if (strchr(name, '/') || !strcmp(name, ".."))
        return 1;
    char rel[600];
    if ((size_t)snprintf(rel, sizeof rel, "%s/%s.sieve", location == SIEVE_INCLUDE_GLOBAL
                         ? "included-global" : "included", name) >= sizeof rel)
        return 1;
    size_t n;
    char *src = sh_read_file(dir, rel, &n);
    if (!src)
        return 1;
    *text = lm_malloc(n + 1);
    if (*text)
        memcpy(*text, src, n + 1);
    *len = n;
    free(src);
    return *text ? 0 : SIEVE_E_NOMEM;
}

/* ---- extension side ------------------------------------------------------------------------ */

struct first_addr {
    char *out;
    int nomem;
};

static int take_first(void *user, const char *addr, size_t len, const char *name)
{
    struct first_addr *f = user;
    (void)name;
    if (!len)
        return 0;
    f->out = lm_strndup(addr, len);
    f->nomem = !f->out;
    return 1;
}

char *sh_first_address(const mailparse_message *m, const char *field, int *nomem)
{
    const mailparse_header *hd = mailparse_part_header(m, 0, field, 0);
    struct first_addr f = {NULL, 0};
    if (hd && sv_header_addresses(hd->raw_value, hd->raw_value_len, take_first, &f) ==
                  SIEVE_E_NOMEM)
        f.nomem = 1;
    *nomem |= f.nomem;
    return f.out;
}

int sh_edited_message(const char *text, size_t len, const sieve_result *res, size_t first_edit,
                      const char *extra, char **out, size_t *out_len)
{
    *out = NULL;
    unsigned char *edited = NULL;
    size_t n = 0;
    size_t end = sieve_result_edit_count(res);
    int rc = sieve_result_apply_edits(res, first_edit < end ? first_edit : end, end, text, len,
                                      &edited, &n);
    if (rc)
        return rc;
    /* `extra` goes on top afterwards: the edits do not see it. */
    lm_buf b = LM_BUF_INIT;
    if (extra)
        lm_buf_puts(&b, extra);
    lm_buf_append(&b, edited, n);
    sieve_free(edited);
    *out = lm_buf_take(&b, out_len);
    return *out ? 0 : SIEVE_E_NOMEM;
}
