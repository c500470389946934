/* sieve_harness.c — what the Sieve suite runners and their test-only extensions share: case
 * lists, counts and outcomes, files, include resolution, compile reports; a run's message,
 * envelope and test block, a field's first address, and editheader's edits applied to a
 * message (see sieve_harness.h). */
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

static void first_error(const sieve_diagnostics *d, char *buf, size_t size)
{
    for (size_t i = 0; i < sieve_diagnostics_count(d); i++) {
        int sev;
        unsigned line;
        const char *text;
        if (!sieve_diagnostic_at(d, i, &sev, &line, NULL, &text) && sev == SIEVE_SEVERITY_ERROR) {
            snprintf(buf, size, "line %u: %s", line, text);
            return;
        }
    }
    snprintf(buf, size, "does not compile");
}

static void missing_extensions(const sieve_diagnostics *d, char *out, size_t size)
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

sieve_script *sh_compile(const sieve_engine *e, const char *src, size_t len, char *why,
                         size_t size, char *missing, size_t msize)
{
    sieve_script *s = NULL;
    sieve_diagnostics *d = NULL;
    missing[0] = '\0';
    if (sieve_compile(e, src, len, &s, &d)) {
        first_error(d, why, size);
        missing_extensions(d, missing, msize);
        s = NULL;
    }
    sieve_diagnostics_free(d);
    return s;
}

int sh_runner_option(sh_runner *rn, int argc, char **argv, int *i)
{
    if (!strcmp(argv[*i], "-v") || !strcmp(argv[*i], "--verbose")) {
        rn->verbose++;
        return 1;
    }
    if (!strcmp(argv[*i], "--only") && *i + 1 < argc) {
        rn->only = argv[++*i];
        return 1;
    }
    return 0;
}

int sh_runner_wants(const sh_runner *rn, const char *path)
{
    return !rn->only || strstr(path, rn->only) != NULL;
}

int sh_runner_open(sh_runner *rn, const char *name)
{
    const char *base = getenv("LIBMAIL_CONFORMANCE_DIR");
    if (!base || !*base) {
        printf("SKIP: LIBMAIL_CONFORMANCE_DIR is not set\n");
        return 77;
    }
    if ((size_t)snprintf(rn->suite, sizeof rn->suite, "%s/%s", base, name) >= sizeof rn->suite) {
        printf("SKIP: the suite path is too long\n");
        return 77;
    }
    sh_read_cases(rn->suite, &rn->files, &rn->nfiles);
    if (!rn->nfiles) {
        printf("SKIP: %s/cases.tsv is absent\n", rn->suite);
        return 77;
    }
    return 0;
}

static void outcomes_clear(sh_runner *rn)
{
    for (size_t i = 0; i < rn->noutcomes; i++) {
        free(rn->outcomes[i].name);
        free(rn->outcomes[i].reason);
        free(rn->outcomes[i].missing);
        free(rn->outcomes[i].log);
    }
    rn->noutcomes = 0;
}

void sh_runner_close(sh_runner *rn)
{
    outcomes_clear(rn);
    free(rn->outcomes);
    rn->outcomes = NULL;
    sh_cases_free(rn->files, rn->nfiles);
    rn->files = NULL;
    rn->nfiles = 0;
    printf("%ld passed, %ld failed, %ld skipped\n", rn->passed, rn->failed, rn->skipped);
}

void sh_pass(sh_runner *rn, const char *file, const char *test)
{
    rn->passed++;
    if (rn->verbose > 1)
        printf("PASS %s:%s\n", file, test);
}

void sh_fail(sh_runner *rn, const char *file, const char *test, const char *reason)
{
    rn->failed++;
    printf("%s:%s: %s\n", file, test, reason);
}

void sh_skip(sh_runner *rn, const char *file, const char *test, const char *reason)
{
    rn->skipped++;
    if (rn->verbose)
        printf("SKIP %s:%s: %s\n", file, test, reason);
}

void sh_file_begin(sh_runner *rn)
{
    outcomes_clear(rn);
    rn->at_file[0] = rn->passed;
    rn->at_file[1] = rn->failed;
    rn->at_file[2] = rn->skipped;
}

void sh_file_end(sh_runner *rn, const char *file)
{
    if (rn->verbose)
        printf("%s: %ld passed, %ld failed, %ld skipped\n", file, rn->passed - rn->at_file[0],
               rn->failed - rn->at_file[1], rn->skipped - rn->at_file[2]);
}

int sh_set_dir(sh_runner *rn, const char *file)
{
    if ((size_t)snprintf(rn->dir, sizeof rn->dir, "%s/%s", rn->suite, file) >= sizeof rn->dir)
        return -1;
    *strrchr(rn->dir, '/') = '\0';
    return 0;
}

const char *sh_named_reason(const sh_named_skip *list, size_t n, const char *path,
                            const char *test)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(path, list[i].path) && !strcmp(test, list[i].test))
            return list[i].reason;
    return NULL;
}

sh_outcome *sh_outcome_add(sh_runner *rn, const char *test, int passed, const char *reason)
{
    rn->outcomes = sh_xrealloc(rn->outcomes, (rn->noutcomes + 1) * sizeof *rn->outcomes);
    sh_outcome *o = &rn->outcomes[rn->noutcomes++];
    memset(o, 0, sizeof *o);
    o->name = sh_xstrdup(test);
    o->reason = sh_xstrdup(reason && *reason ? reason : "failed");
    o->passed = passed;
    return o;
}

sh_outcome *sh_outcome_take(sh_runner *rn, const char *name)
{
    for (size_t i = 0; i < rn->noutcomes; i++)
        if (rn->outcomes[i].name && !strcmp(rn->outcomes[i].name, name)) {
            free(rn->outcomes[i].name);
            rn->outcomes[i].name = NULL;
            return &rn->outcomes[i];
        }
    return NULL;
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

int sh_set_string(char **slot, const char *s, size_t n)
{
    char *c = lm_strndup(s ? s : "", s ? n : 0);
    if (!c)
        return SIEVE_E_NOMEM;
    lm_free(*slot);
    *slot = c;
    return 0;
}

int sh_set_path(char **slot, const char *s, size_t n)
{
    if (n >= 2 && s[0] == '<' && s[n - 1] == '>') {
        s++;
        n -= 2;
    }
    return sh_set_string(slot, s, n);
}

int sh_arg_string(sv_run *r, const sv_args *a, size_t i, sv_str *out)
{
    return sv_run_string(r, &a->positional[i].strs[0], out);
}

int sh_metadata_args(sv_run *r, const sv_args *a, int mailbox_tag, sv_str *box, sv_str *entry,
                     sv_str *value)
{
    const sv_value *mv = sv_args_tag(a, mailbox_tag);
    *box = (sv_str){.s = "", .len = 0};
    int rc = mv ? sv_run_string(r, &mv->strs[0], box) : 0;
    if (!rc)
        rc = sh_arg_string(r, a, 0, entry);
    if (!rc)
        rc = sh_arg_string(r, a, 1, value);
    return rc;
}

char *sh_pair_key(const char *a, const char *b)
{
    size_t na = strlen(a), nb = strlen(b);
    char *k = lm_malloc(na + nb + 2);
    if (k) {
        memcpy(k, a, na);
        k[na] = '\n';
        memcpy(k + na + 1, b, nb + 1);
    }
    return k;
}

long sh_copy_value(const char *v, char *buf, size_t size)
{
    if (!v)
        return -1;
    if (size)
        snprintf(buf, size, "%s", v);
    return (long)strlen(v);
}

int sh_run_nothing(sv_run *r, const sv_args *a)
{
    (void)r;
    (void)a;
    return 0;
}

void sh_replace_result(sv_run *r, sieve_result *res)
{
    sieve_result_free(r->result);
    r->result = res;
    r->redirects = 0;
}

int sh_empty_result(sv_run *r)
{
    sieve_result *n = lm_calloc(1, sizeof *n);
    if (!n)
        return SIEVE_E_NOMEM;
    n->implicit_keep = 1;
    sh_replace_result(r, n);
    return 0;
}

void sh_host_clear(sh_host *c)
{
    mailparse_message_free(c->msg);
    lm_free(c->text);
    lm_free(c->env_from);
    lm_free(c->env_to);
    lm_free(c->env_orig_to);
    lm_free(c->env_auth);
    lm_free(c->test_name);
    c->msg = NULL;
    c->text = c->env_from = c->env_to = c->env_orig_to = c->env_auth = c->test_name = NULL;
}

int sh_host_set_message(sh_host *c, const char *text, size_t len)
{
    char *copy = lm_strndup(text, len);
    if (!copy)
        return SIEVE_E_NOMEM;
    mailparse_message *m = NULL;
    if (mailparse_parse((const unsigned char *)copy, len, NULL, &m)) {
        lm_free(copy);
        return SIEVE_E_INVAL;
    }
    mailparse_message_free(c->msg);
    lm_free(c->text);
    c->msg = m;
    c->text = copy;
    c->len = len;
    return 0;
}

void sh_host_env_refresh(sh_host *c, sv_run *r)
{
    sieve_envelope_init(&c->env);
    c->env.from = c->env_from;
    c->env.to = c->env_to;
    c->env.orig_to = c->env_orig_to;
    c->env.auth = c->env_auth;
    if (r)
        r->env = &c->env;
}

void sh_host_test_end(sh_host *c, int passed, const char *reason)
{
    if (!c->in_test)
        return;
    c->in_test = 0;
    if (c->report)
        c->report(c->user, c->test_name ? c->test_name : "", passed, reason);
}

int sh_host_test_command(sh_host *c, sv_run *r, const sv_args *a)
{
    if (r->block_end) {
        sh_host_test_end(c, 1, NULL);
        return 0;
    }
    sv_str name;
    int rc = sh_arg_string(r, a, 0, &name);
    if (rc)
        return rc;
    sh_host_test_end(c, 1, NULL);
    if ((rc = sh_set_string(&c->test_name, name.s, name.len)))
        return rc;
    c->in_test = 1;
    return 1;
}

int sh_host_fail(sh_host *c, sv_run *r, sv_pos pos, const char *reason, int contain,
                 int leave)
{
    if (!contain || !c->in_test)
        return sv_run_error(r, pos, "test_fail: %s", reason);
    sh_host_test_end(c, 0, reason);
    r->leave_block = leave;
    return 0;
}

int sh_host_run(sh_host *c, const sieve_script *s, void *host, const sieve_run_options *opts,
                char *why, size_t size)
{
    sv_diag d;
    sv_diag_init(&d, 0);
    sieve_result *res = NULL;
    why[0] = '\0';
    int rc = sv_run_host(s, c->text, c->len, &c->env, opts, host, &d, &res);
    for (size_t i = 0; i < d.count; i++)
        if (d.items[i].severity == SV_SEV_ERROR) {
            snprintf(why, size, "line %u: %s", (unsigned)d.items[i].pos.line, d.items[i].text);
            break;
        }
    if (rc && !why[0])
        snprintf(why, size, "%s", sieve_strerror(rc));
    sh_host_test_end(c, rc == 0, why);
    sieve_result_free(res);
    sv_diag_free(&d);
    return rc;
}

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
