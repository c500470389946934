/* dkim_suite.c — runs the DKIM vectors of $LIBMAIL_CONFORMANCE_DIR/dkim (see
 * ../shared/conformance/dkim/README.md and this folder's README.md):
 *   cases.yaml    17 messages, 23 signatures: each verified (blocking, and again step by step,
 *                 which must agree) at the case's `now` against its DNS records; the verdict
 *                 of every signature must be the expected one, with the expected d= and s=.
 *   dkimpy/       sign-then-verify round trips: test.private, ed25519test.key and
 *                 rfc8032_7_1.key with every canonicalisation pair against the published
 *                 records (pass; an altered body fails); badversion.txt, badk.txt, test_bad.txt
 *                 and test_tlsrpt.txt must not pass; test2.txt (implicit k=) must;
 *                 test_nofrom.message must be refused; test_extra.message signed with all its
 *                 fields must pass.
 * Prints one line per failure, then "N passed, N failed, N skipped"; exits 77 when the data is
 * absent, 1 when a test failed. `-v` lists every test. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <yaml.h>

#include "mailauth.h"
#include "suite_util.h"

static int verbose;
static unsigned passed, failed, skipped;

static void outcome(int ok, const char *id, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void outcome(int ok, const char *id, const char *fmt, ...)
{
    if (ok)
        passed++;
    else
        failed++;
    if (ok && !verbose)
        return;
    va_list ap;
    va_start(ap, fmt);
    printf("%s %s: ", ok ? "ok  " : "FAIL", id);
    vprintf(fmt, ap);
    printf("\n");
    va_end(ap);
}

/* ---- verifying -------------------------------------------------------------------------- */

static int64_t fixed_clock(void *user) { return *(const int64_t *)user; }

/* Verifies `msg` blocking and step by step; returns the blocking verifier (NULL on a call
 * error, with *why set), and whether the two ways agreed in *agree. */
static mailauth_dkim_verifier *verify_both(const char *msg, size_t len, su_zone *d, int64_t now,
                                           int *agree, const char **why)
{
    mailauth_dkim_verify_options o;
    mailauth_dkim_verify_options_init(&o);
    if (now) {
        o.clock = fixed_clock;
        o.clock_user = &now;
    }
    mailauth_resolver r;
    mailauth_resolver_init(&r);
    r.lookup = su_zone_lookup;
    r.user = d;
    mailauth_dkim_verifier *v = NULL, *s = NULL;
    int rc = mailauth_dkim_verify(&o, &r, msg, len, &v);
    if (rc) {
        *why = mailauth_strerror(rc);
        return NULL;
    }
    *agree = 0;
    if (mailauth_dkim_verifier_new(&o, &s) || mailauth_dkim_verifier_feed(s, msg, len) ||
        mailauth_dkim_verifier_finish(s))
        goto out;
    mailauth_dns_answer *a;
    if (mailauth_dns_answer_new(&a))
        goto out;
    mailauth_query q;
    while ((rc = mailauth_dkim_verifier_step(s, &q)) == MAILAUTH_NEED_DNS) {
        if (mailauth_resolve(&r, q.name, q.type, a) || mailauth_dkim_verifier_answer(s, a))
            break;
    }
    mailauth_dns_answer_free(a);
    if (rc || mailauth_dkim_verifier_count(s) != mailauth_dkim_verifier_count(v))
        goto out;
    *agree = 1;
    for (size_t i = 0; i < mailauth_dkim_verifier_count(v); i++) {
        mailauth_dkim_signature x, y;
        x.struct_size = y.struct_size = sizeof x;
        mailauth_dkim_verifier_result(v, i, &x);
        mailauth_dkim_verifier_result(s, i, &y);
        if (x.result != y.result || x.reason != y.reason)
            *agree = 0;
    }
out:
    mailauth_dkim_verifier_free(s);
    return v;
}

static void run_case(const char *dir, yaml_document_t *doc, yaml_node_t *c)
{
    const char *id = su_scalar(su_map_get(doc, c, "id")),
               *file = su_scalar(su_map_get(doc, c, "file")),
               *format = su_scalar(su_map_get(doc, c, "format")),
               *now_s = su_scalar(su_map_get(doc, c, "now"));
    yaml_node_t *sigs = su_map_get(doc, c, "signatures");
    if (!id || !file || !format || !sigs || sigs->type != YAML_SEQUENCE_NODE) {
        outcome(0, id ? id : "?", "malformed case");
        return;
    }
    size_t raw_len;
    char *raw = su_read_file(dir, file, &raw_len);
    if (!raw) {
        outcome(0, id, "cannot read %s", file);
        return;
    }
    su_zone d = {NULL, 0};
    const char *msg = raw;
    if (!strcmp(format, "dns+message")) {
        /* "<name> <value>" lines, an empty line, the message */
        char *p = raw;
        while (*p && *p != '\n' && *p != '\r') {
            char *e = strchr(p, '\n');
            if (!e)
                e = p + strlen(p);
            char *line = strndup(p, (size_t)(e - p));
            size_t ll = strlen(line);
            if (ll && line[ll - 1] == '\r')
                line[--ll] = '\0';
            char *sp = strchr(line, ' ');
            if (sp) {
                *sp = '\0';
                su_zone_add(&d, line, sp + 1);
            }
            free(line);
            p = *e ? e + 1 : e;
        }
        if (*p == '\r')
            p++;
        if (*p == '\n')
            p++;
        msg = p;
    }
    yaml_node_t *recs = su_map_get(doc, c, "dns");
    if (recs && recs->type == YAML_MAPPING_NODE)
        for (yaml_node_pair_t *pr = recs->data.mapping.pairs.start; pr < recs->data.mapping.pairs.top;
             pr++) {
            const char *k = su_scalar(yaml_document_get_node(doc, pr->key));
            const char *v = su_scalar(yaml_document_get_node(doc, pr->value));
            if (k && v)
                su_zone_add(&d, k, v);
        }
    size_t len;
    char *crlf = su_crlf(msg, strlen(msg), &len);
    int64_t now = now_s ? strtoll(now_s, NULL, 10) : 0;
    int agree = 0;
    const char *why = NULL;
    mailauth_dkim_verifier *v = verify_both(crlf, len, &d, now, &agree, &why);
    size_t expected = (size_t)(sigs->data.sequence.items.top - sigs->data.sequence.items.start);
    if (!v) {
        for (size_t i = 0; i < expected; i++)
            outcome(0, id, "verification failed: %s", why);
        goto out;
    }
    if (!agree)
        outcome(0, id, "step-by-step results differ from blocking ones");
    if (mailauth_dkim_verifier_count(v) != expected)
        outcome(0, id, "%zu signatures found, %zu expected", mailauth_dkim_verifier_count(v),
                expected);
    for (yaml_node_item_t *it = sigs->data.sequence.items.start; it < sigs->data.sequence.items.top;
         it++) {
        yaml_node_t *s = yaml_document_get_node(doc, *it);
        const char *idx = su_scalar(su_map_get(doc, s, "index")),
                   *expect = su_scalar(su_map_get(doc, s, "expect")),
                   *dd = su_scalar(su_map_get(doc, s, "d")), *ss = su_scalar(su_map_get(doc, s, "s"));
        char name[512];
        snprintf(name, sizeof name, "%s#%s", id, idx ? idx : "?");
        mailauth_dkim_signature r;
        r.struct_size = sizeof r;
        if (!idx || !expect || mailauth_dkim_verifier_result(v, (size_t)atoi(idx), &r)) {
            outcome(0, name, "no such signature");
            continue;
        }
        int ok = !strcmp(mailauth_result_name(r.result), expect) && (!dd || !strcmp(dd, r.domain)) &&
                 (!ss || !strcmp(ss, r.selector));
        outcome(ok, name, "got %s (%s) d=%s s=%s, expected %s d=%s s=%s",
                mailauth_result_name(r.result), r.reason_text, r.domain, r.selector, expect,
                dd ? dd : "?", ss ? ss : "?");
    }
    mailauth_dkim_verifier_free(v);
    /* mail-auth/005 has x=: at the current time it has expired (README) */
    if (!strcmp(id, "mail-auth/005")) {
        v = verify_both(crlf, len, &d, 0, &agree, &why);
        mailauth_dkim_signature r;
        r.struct_size = sizeof r;
        int ok = v && mailauth_dkim_verifier_result(v, 0, &r) == 0 &&
                 r.result == MAILAUTH_RESULT_PERMERROR && r.reason == MAILAUTH_DKIM_SIG_EXPIRED;
        outcome(ok, "mail-auth/005#0 (at the current time)", "got %s, expected permerror (expired)",
                v ? mailauth_result_name(r.result) : "error");
        mailauth_dkim_verifier_free(v);
    }
out:
    free(crlf);
    free(raw);
    su_zone_clear(&d);
}

static void run_cases(yaml_document_t *doc, yaml_node_t *root, void *dir)
{
    if (root->type == YAML_SEQUENCE_NODE)
        for (yaml_node_item_t *it = root->data.sequence.items.start; it < root->data.sequence.items.top;
             it++)
            run_case(dir, doc, yaml_document_get_node(doc, *it));
}

/* ---- dkimpy round trips ----------------------------------------------------------------- */

static char *trimmed_file(const char *dir, const char *name)
{
    char *s = su_read_file(dir, name, NULL);
    if (!s)
        return NULL;
    size_t n = strlen(s);
    while (n && (s[n - 1] == '\n' || s[n - 1] == '\r' || s[n - 1] == ' '))
        s[--n] = '\0';
    return s;
}

static mailauth_dkim_key *load_key(const char *dir, const char *name)
{
    size_t n;
    char *text = su_read_file(dir, name, &n);
    mailauth_dkim_key *k = NULL;
    if (text)
        mailauth_dkim_key_load(text, n, &k);
    free(text);
    return k;
}

/* Signs `msg` and verifies the result against `record` at sel._domainkey.example.com (as
 * dkimpy's tests publish it). Returns the verdict, or -1 when signing failed (rc in *sign_rc). */
static int sign_verify(const mailauth_dkim_key *k, const char *msg, size_t len, int hc, int bc,
                       const char *record, const char *const *headers, size_t nheaders,
                       int alter, int *sign_rc)
{
    mailauth_dkim_sign_options o;
    mailauth_dkim_sign_options_init(&o);
    o.domain = "example.com";
    o.selector = "sel";
    o.header_canon = hc;
    o.body_canon = bc;
    o.headers = headers;
    o.header_count = nheaders;
    char *field = NULL;
    size_t flen;
    *sign_rc = mailauth_dkim_sign(&o, k, msg, len, &field, &flen);
    if (*sign_rc)
        return -1;
    char *all = su_xmalloc(flen + len + 16);
    memcpy(all, field, flen);
    memcpy(all + flen, msg, len);
    size_t n = flen + len;
    if (alter) { /* one more body line */
        memcpy(all + n, "altered\r\n", 9);
        n += 9;
    }
    mailauth_dkim_free(field);
    su_zone d = {NULL, 0};
    su_zone_add(&d, "sel._domainkey.example.com", record);
    int agree = 0;
    const char *why;
    mailauth_dkim_verifier *v = verify_both(all, n, &d, 0, &agree, &why);
    int result = -1;
    mailauth_dkim_signature r;
    r.struct_size = sizeof r;
    if (v && agree && mailauth_dkim_verifier_result(v, 0, &r) == 0)
        result = r.result;
    mailauth_dkim_verifier_free(v);
    su_zone_clear(&d);
    free(all);
    return result;
}

static void run_dkimpy(const char *dir)
{
    static const char *const canon[] = {"", "simple", "relaxed"};
    /* RFC 8463's published key for RFC 8032 §7.1 test 1 (brisbane._domainkey.football.example.com) */
    static const char rfc8032_record[] = "v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=";
    struct {
        const char *key, *msg, *record_file, *record;
    } pairs[] = {
        {"test.private", "test.message", "test.txt", NULL},
        {"ed25519test.key", "ed25519test.msg", "ed25519test.dns", NULL},
        {"rfc8032_7_1.key", "rfc6376.msg", NULL, rfc8032_record},
    };
    for (size_t p = 0; p < sizeof pairs / sizeof pairs[0]; p++) {
        mailauth_dkim_key *k = load_key(dir, pairs[p].key);
        size_t raw_len, len;
        char *raw = su_read_file(dir, pairs[p].msg, &raw_len);
        char *rec = pairs[p].record_file ? trimmed_file(dir, pairs[p].record_file)
                                         : su_xstrdup(pairs[p].record);
        char name[256];
        if (!k || !raw || !rec) {
            snprintf(name, sizeof name, "dkimpy/%s", pairs[p].key);
            outcome(0, name, "cannot load key, message or record");
            mailauth_dkim_key_free(k);
            free(raw);
            free(rec);
            continue;
        }
        char *msg = su_crlf(raw, raw_len, &len);
        for (int hc = 1; hc <= 2; hc++)
            for (int bc = 1; bc <= 2; bc++) {
                int rc;
                snprintf(name, sizeof name, "dkimpy/%s %s/%s", pairs[p].key, canon[hc], canon[bc]);
                int got = sign_verify(k, msg, len, hc, bc, rec, NULL, 0, 0, &rc);
                outcome(got == MAILAUTH_RESULT_PASS, name, "got %s (sign: %s), expected pass",
                        got < 0 ? "error" : mailauth_result_name(got), mailauth_strerror(rc));
                snprintf(name, sizeof name, "dkimpy/%s %s/%s altered body", pairs[p].key,
                         canon[hc], canon[bc]);
                got = sign_verify(k, msg, len, hc, bc, rec, NULL, 0, 1, &rc);
                outcome(got == MAILAUTH_RESULT_FAIL, name, "got %s, expected fail",
                        got < 0 ? "error" : mailauth_result_name(got));
            }
        mailauth_dkim_key_free(k);
        free(raw);
        free(msg);
        free(rec);
    }

    /* Key records against a signature made with test.private. */
    mailauth_dkim_key *k = load_key(dir, "test.private");
    size_t raw_len, len;
    char *raw = su_read_file(dir, "test.message", &raw_len);
    if (!k || !raw) {
        outcome(0, "dkimpy/test.private", "cannot load");
        mailauth_dkim_key_free(k);
        free(raw);
        return;
    }
    char *msg = su_crlf(raw, raw_len, &len);
    free(raw);
    struct {
        const char *file;
        int must_pass;
    } recs[] = {{"badversion.txt", 0}, {"badk.txt", 0}, {"test_bad.txt", 0},
                {"test_tlsrpt.txt", 0}, {"test2.txt", 1}};
    for (size_t i = 0; i < sizeof recs / sizeof recs[0]; i++) {
        char name[256];
        snprintf(name, sizeof name, "dkimpy/%s", recs[i].file);
        char *rec = trimmed_file(dir, recs[i].file);
        if (!rec) {
            outcome(0, name, "cannot read");
            continue;
        }
        int rc;
        int got = sign_verify(k, msg, len, 2, 2, rec, NULL, 0, 0, &rc);
        outcome(recs[i].must_pass ? got == MAILAUTH_RESULT_PASS
                                  : got >= 0 && got != MAILAUTH_RESULT_PASS,
                name, "got %s, expected %s", got < 0 ? "error" : mailauth_result_name(got),
                recs[i].must_pass ? "pass" : "not pass");
        free(rec);
    }
    free(msg);

    /* No From: signing refused. */
    raw = su_read_file(dir, "test_nofrom.message", &raw_len);
    if (raw) {
        msg = su_crlf(raw, raw_len, &len);
        int rc;
        char *rec = trimmed_file(dir, "test.txt");
        int got = sign_verify(k, msg, len, 2, 2, rec ? rec : "", NULL, 0, 0, &rc);
        outcome(got == -1 && rc == MAILAUTH_E_INVAL, "dkimpy/test_nofrom.message",
                "signing returned %s, expected refusal", mailauth_strerror(rc));
        free(rec);
        free(msg);
        free(raw);
    } else {
        outcome(0, "dkimpy/test_nofrom.message", "cannot read");
    }

    /* Extra fields above From, every field signed. */
    raw = su_read_file(dir, "test_extra.message", &raw_len);
    if (raw) {
        msg = su_crlf(raw, raw_len, &len);
        const char *names[64];
        char *copies[64];
        size_t n = 0;
        for (const char *p = msg; *p && !(p[0] == '\r' && p[1] == '\n') && n < 64;) {
            const char *colon = strchr(p, ':');
            if (!colon)
                break;
            copies[n] = strndup(p, (size_t)(colon - p));
            names[n] = copies[n];
            n++;
            p = strstr(p, "\r\n");
            if (!p)
                break;
            p += 2;
        }
        char *rec = trimmed_file(dir, "test.txt");
        int rc;
        int got = sign_verify(k, msg, len, 2, 2, rec ? rec : "", names, n, 0, &rc);
        outcome(got == MAILAUTH_RESULT_PASS, "dkimpy/test_extra.message",
                "got %s (sign: %s), expected pass", got < 0 ? "error" : mailauth_result_name(got),
                mailauth_strerror(rc));
        for (size_t i = 0; i < n; i++)
            free(copies[i]);
        free(rec);
        free(msg);
        free(raw);
    } else {
        outcome(0, "dkimpy/test_extra.message", "cannot read");
    }
    mailauth_dkim_key_free(k);
}

int main(int argc, char **argv)
{
    char dir[4096], path[4200], py[4200];
    int rc = su_suite_dir(argc, argv, "dkim", "cases.yaml", dir, sizeof dir, &verbose);
    if (rc)
        return rc;
    snprintf(path, sizeof path, "%s/cases.yaml", dir);
    snprintf(py, sizeof py, "%s/dkimpy", dir);
    failed += su_yaml_each(path, path, run_cases, dir) != 0;
    run_dkimpy(py);
    return su_summary(passed, failed, skipped);
}
