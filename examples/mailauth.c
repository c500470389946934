/* mailauth.c — the mail authentication checks of libmailauth from the command line.
 *
 *   mailauth dkim-sign --key PEM --selector S --domain D [--algo rsa|ed25519] FILE
 *   mailauth dkim-verify FILE
 *   mailauth arc-seal --key PEM --selector S --domain D --authserv-id ID FILE
 *   mailauth arc-verify FILE
 *   mailauth spf --ip IP --helo H --sender ADDR
 *   mailauth dmarc FILE --ip IP --helo H --sender ADDR
 *   mailauth auth FILE --ip IP --helo H --sender ADDR
 *
 * DNS comes from `--zone FILE` (an RFC 1035 master file loaded into the in-memory zone) or,
 * without it, from libunbound. Verdicts are printed one per line in the style of
 * Authentication-Results ("dkim=pass header.d=example.com ..."); `auth` prints the whole
 * Authentication-Results field. The exit status says only whether the tool worked: 0 whatever
 * the verdicts, 1 when a file, key or DNS setup failed, 2 for a malformed command line.
 * FILE may be "-" for stdin. */
#include "mailauth.h"
#include "mailparse.h"
#include "tool_io.h"

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define PROG "mailauth"

enum { EXIT_FAILED = 1, EXIT_USAGE = 2 };

/* ---- the command line ---------------------------------------------------------------------- */

typedef struct {
    const char *command;
    const char *file;
    const char *zone;
    const char *key;
    const char *selector;
    const char *domain;
    const char *algo;
    const char *canon;
    const char *headers;
    const char *identity;
    const char *authserv_id;
    const char *ip;
    const char *helo;
    const char *sender;
    const char *psl;
    const char *receiver;
    int64_t now;
    int has_now;
    int body_length;
    int allow_sha1;
    int tree_walk;
} options;

static void usage(FILE *out)
{
    fputs("usage: " PROG " COMMAND [options] [FILE]\n"
          "\n"
          "commands:\n"
          "  dkim-sign --key PEM --selector S --domain D [--algo rsa|ed25519] FILE\n"
          "            prints the message with a DKIM-Signature field on top\n"
          "            [--canon relaxed/relaxed] [--headers From:To:Subject] [--identity I]\n"
          "            [--body-length]\n"
          "  dkim-verify FILE              one line per DKIM-Signature [--allow-sha1]\n"
          "  arc-seal --key PEM --selector S --domain D --authserv-id ID FILE\n"
          "            prints the message with a new ARC set on top\n"
          "  arc-verify FILE               the ARC chain's verdict\n"
          "  spf --ip IP --helo H --sender ADDR   the SPF verdicts of MAIL FROM and HELO\n"
          "  dmarc FILE --ip IP --helo H --sender ADDR   SPF, DKIM and the DMARC verdict\n"
          "            [--psl FILE] [--tree-walk]\n"
          "  auth FILE --ip IP --helo H --sender ADDR [--authserv-id ID]\n"
          "            iprev, SPF, DKIM, ARC and DMARC as one Authentication-Results field\n"
          "\n"
          "options for every command:\n"
          "  --zone FILE   answer DNS from this RFC 1035 master file (default: libunbound)\n"
          "  --now UNIX    the time to check or sign at (default: now)\n"
          "  --receiver D  this host's name (SPF %{r}; the authserv-id by default)\n"
          "FILE may be \"-\" for stdin. Exit status: 0 whatever the verdicts, 1 when the tool\n"
          "failed (a file, a key, DNS setup), 2 for a malformed command line.\n",
          out);
}

static int bad_usage(const char *what, const char *arg)
{
    fprintf(stderr, PROG ": %s%s%s\n", what, arg ? ": " : "", arg ? arg : "");
    fputs("try '" PROG " --help'\n", stderr);
    return EXIT_USAGE;
}

/* An option with a value, and the field of `options` it sets. */
typedef struct {
    const char *name;
    size_t offset;
} opt_def;

#define OPT(name, field) {name, offsetof(options, field)}

static const opt_def value_opts[] = {
    OPT("zone", zone),       OPT("key", key),           OPT("selector", selector),
    OPT("domain", domain),   OPT("algo", algo),         OPT("canon", canon),
    OPT("headers", headers), OPT("identity", identity), OPT("authserv-id", authserv_id),
    OPT("ip", ip),           OPT("helo", helo),         OPT("sender", sender),
    OPT("psl", psl),         OPT("receiver", receiver),
};

static int parse_args(int argc, char **argv, options *o)
{
    memset(o, 0, sizeof *o);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            exit(0);
        }
        if (strcmp(a, "--version") == 0) {
            printf(PROG " (libmailauth %s)\n", mailauth_version());
            exit(0);
        }
        if (a[0] != '-' || strcmp(a, "-") == 0) {
            if (!o->command)
                o->command = a;
            else if (!o->file)
                o->file = a;
            else
                return bad_usage("unexpected argument", a);
            continue;
        }
        if (strncmp(a, "--", 2) != 0)
            return bad_usage("unknown option", a);
        const char *name = a + 2;
        if (strcmp(name, "body-length") == 0) {
            o->body_length = 1;
            continue;
        }
        if (strcmp(name, "allow-sha1") == 0) {
            o->allow_sha1 = 1;
            continue;
        }
        if (strcmp(name, "tree-walk") == 0) {
            o->tree_walk = 1;
            continue;
        }
        if (i + 1 >= argc)
            return bad_usage("missing value for", a);
        const char *value = argv[++i];
        if (strcmp(name, "now") == 0) {
            char *end;
            errno = 0;
            long long t = strtoll(value, &end, 10);
            if (errno || *end || end == value || t < 0)
                return bad_usage("--now needs seconds since 1970", value);
            o->now = t;
            o->has_now = 1;
            continue;
        }
        size_t k;
        for (k = 0; k < sizeof value_opts / sizeof *value_opts; k++)
            if (strcmp(name, value_opts[k].name) == 0)
                break;
        if (k == sizeof value_opts / sizeof *value_opts)
            return bad_usage("unknown option", a);
        *(const char **)((char *)o + value_opts[k].offset) = value;
    }
    if (!o->command)
        return bad_usage("no command", NULL);
    return 0;
}

/* ---- files --------------------------------------------------------------------------------- */

static int read_file(const char *path, unsigned char **out, size_t *len)
{
    *out = tool_read_file(path, len);
    if (!*out) {
        fprintf(stderr, PROG ": %s: %s\n", path, strerror(errno));
        return EXIT_FAILED;
    }
    return 0;
}

/* ---- DNS and time --------------------------------------------------------------------------- */

typedef struct {
    mailauth_zone *zone;
    mailauth_unbound *unbound;
    mailauth_resolver resolver;
} dns;

static int dns_open(const options *o, dns *d)
{
    memset(d, 0, sizeof *d);
    int rc;
    if (o->zone) {
        unsigned char *text;
        size_t len;
        if (read_file(o->zone, &text, &len))
            return EXIT_FAILED;
        mailauth_zone_error err = {0, NULL};
        rc = mailauth_zone_new(NULL, &d->zone);
        if (!rc)
            rc = mailauth_zone_load(d->zone, (const char *)text, len, NULL, &err);
        free(text);
        if (rc) {
            fprintf(stderr, PROG ": %s:%zu: %s\n", o->zone, err.line,
                    err.message ? err.message : mailauth_strerror(rc));
            return EXIT_FAILED;
        }
        mailauth_zone_resolver(d->zone, &d->resolver);
        return 0;
    }
    rc = mailauth_unbound_new(NULL, &d->unbound);
    if (rc) {
        fprintf(stderr, PROG ": cannot start the DNS resolver: %s\n", mailauth_strerror(rc));
        return EXIT_FAILED;
    }
    mailauth_unbound_resolver(d->unbound, &d->resolver);
    return 0;
}

static void dns_close(dns *d)
{
    mailauth_zone_free(d->zone);
    mailauth_unbound_free(d->unbound);
}

/* The --now clock: the time given on the command line. */
static int64_t fixed_clock(void *user)
{
    return ((const options *)user)->now;
}

/* Sets a check's clock to --now when given. */
#define SET_CLOCK(opts, o)                         \
    do {                                           \
        if ((o)->has_now) {                        \
            (opts).clock = fixed_clock;            \
            (opts).clock_user = (void *)(uintptr_t)(o); \
        }                                          \
    } while (0)

static int failed(const char *what, int rc)
{
    fprintf(stderr, PROG ": %s: %s\n", what, mailauth_strerror(rc));
    return EXIT_FAILED;
}

/* What a command works on: the command line, the resolver, and the message FILE (read by
 * main() for the commands that take one). */
typedef struct {
    const options *o;
    const dns *d;
    const unsigned char *msg;
    size_t len;
} job;

/* ---- verdict lines --------------------------------------------------------------------------- */

/* Prints `value` as an RFC 8601 pvalue: as is when it is a token-like string, else quoted. */
static void print_pvalue(const char *value)
{
    int plain = value[0] != '\0';
    for (const char *p = value; *p; p++)
        if ((unsigned char)*p <= ' ' || strchr("()<>,;:\\\"[]?=", *p))
            plain = 0;
    if (plain) {
        fputs(value, stdout);
        return;
    }
    putchar('"');
    for (const char *p = value; *p; p++) {
        if (*p == '"' || *p == '\\')
            putchar('\\');
        putchar(*p);
    }
    putchar('"');
}

static void print_prop(const char *name, const char *value)
{
    if (!value || !*value)
        return;
    printf(" %s=", name);
    print_pvalue(value);
}

static void print_comment(const char *text)
{
    if (text && *text)
        printf(" (%s)", text);
}

/* ---- DKIM ------------------------------------------------------------------------------------ */

static int load_key(const char *path, mailauth_dkim_key **key)
{
    unsigned char *text;
    size_t len;
    if (read_file(path, &text, &len))
        return EXIT_FAILED;
    int rc = mailauth_dkim_key_load(text, len, key);
    free(text);
    if (rc) {
        fprintf(stderr, PROG ": %s: not a usable private key (%s)\n", path, mailauth_strerror(rc));
        return EXIT_FAILED;
    }
    return 0;
}

static int parse_canon(const char *text, int *header, int *body)
{
    const char *slash = strchr(text, '/');
    size_t hl = slash ? (size_t)(slash - text) : strlen(text);
    const char *b = slash ? slash + 1 : "simple";
    int h = hl == 6 && !strncmp(text, "simple", 6)    ? MAILAUTH_DKIM_CANON_SIMPLE
            : hl == 7 && !strncmp(text, "relaxed", 7) ? MAILAUTH_DKIM_CANON_RELAXED
                                                      : 0;
    int bb = !strcmp(b, "simple")    ? MAILAUTH_DKIM_CANON_SIMPLE
             : !strcmp(b, "relaxed") ? MAILAUTH_DKIM_CANON_RELAXED
                                     : 0;
    if (!h || !bb)
        return -1;
    *header = h;
    *body = bb;
    return 0;
}

/* Splits "a:b:c" into at most `max` names in place. */
static size_t split_names(char *list, const char **names, size_t max)
{
    size_t n = 0;
    for (char *save = NULL, *t = strtok_r(list, ":", &save); t && n < max;
         t = strtok_r(NULL, ":", &save))
        names[n++] = t;
    return n;
}

static int cmd_dkim_sign(const job *j)
{
    const options *o = j->o;
    if (!o->key || !o->selector || !o->domain)
        return bad_usage("dkim-sign needs --key, --selector and --domain", NULL);
    mailauth_dkim_sign_options so;
    mailauth_dkim_sign_options_init(&so);
    so.domain = o->domain;
    so.selector = o->selector;
    so.identity = o->identity;
    so.body_length = o->body_length;
    SET_CLOCK(so, o);
    if (o->canon && parse_canon(o->canon, &so.header_canon, &so.body_canon))
        return bad_usage("--canon is simple|relaxed[/simple|relaxed]", o->canon);
    char *header_list = o->headers ? strdup(o->headers) : NULL;
    const char *names[256];
    if (header_list) {
        so.headers = names;
        so.header_count = split_names(header_list, names, 256);
    }
    mailauth_dkim_key *key = NULL;
    int status = load_key(o->key, &key);
    if (!status && o->algo) {
        int want = !strcmp(o->algo, "rsa")       ? MAILAUTH_DKIM_RSA_SHA256
                   : !strcmp(o->algo, "ed25519") ? MAILAUTH_DKIM_ED25519_SHA256
                                                 : 0;
        if (!want)
            status = bad_usage("--algo is rsa or ed25519", o->algo);
        else if (want != mailauth_dkim_key_algorithm(key)) {
            fprintf(stderr, PROG ": %s is not an %s key\n", o->key, o->algo);
            status = EXIT_FAILED;
        }
    }
    if (!status) {
        char *field;
        size_t field_len;
        int rc = mailauth_dkim_sign(&so, key, j->msg, j->len, &field, &field_len);
        if (rc)
            status = failed("cannot sign", rc);
        else {
            fwrite(field, 1, field_len, stdout);
            fwrite(j->msg, 1, j->len, stdout);
            mailauth_dkim_free(field);
        }
    }
    free(header_list);
    mailauth_dkim_key_free(key);
    return status;
}

/* Runs the DKIM verifier over the message; *out holds the results. */
static int run_dkim(const job *j, mailauth_dkim_verifier **out)
{
    mailauth_dkim_verify_options vo;
    mailauth_dkim_verify_options_init(&vo);
    vo.allow_sha1 = j->o->allow_sha1;
    SET_CLOCK(vo, j->o);
    int rc = mailauth_dkim_verify(&vo, &j->d->resolver, j->msg, j->len, out);
    return rc ? failed("DKIM verification", rc) : 0;
}

/* The header.* properties of a signature's result (RFC 8601 §2.7.1): d, i, s, a, and the
 * first 8 characters of b (enough to tell signatures apart, RFC 6008). */
typedef struct {
    char b[9];
    const char *props[5][2];
} dkim_props;

static void dkim_props_of(const mailauth_dkim_signature *s, dkim_props *p)
{
    snprintf(p->b, sizeof p->b, "%s", s->signature);
    const char *props[5][2] = {{"d", s->domain}, {"i", s->identity}, {"s", s->selector},
                               {"a", s->algorithm}, {"b", p->b}};
    memcpy(p->props, props, sizeof props);
}

static void print_dkim(const mailauth_dkim_verifier *v)
{
    size_t n = mailauth_dkim_verifier_count(v);
    if (n == 0)
        puts("dkim=none (no signatures)");
    for (size_t i = 0; i < n; i++) {
        mailauth_dkim_signature s = {.struct_size = sizeof s};
        if (mailauth_dkim_verifier_result(v, i, &s))
            continue;
        printf("dkim=%s", mailauth_result_name(s.result));
        if (s.result != MAILAUTH_RESULT_PASS)
            print_comment(s.reason_text);
        dkim_props p;
        dkim_props_of(&s, &p);
        for (size_t k = 0; k < 5; k++) {
            char name[16];
            snprintf(name, sizeof name, "header.%s", p.props[k][0]);
            print_prop(name, p.props[k][1]);
        }
        putchar('\n');
    }
}

static int cmd_dkim_verify(const job *j)
{
    mailauth_dkim_verifier *v = NULL;
    int status = run_dkim(j, &v);
    if (!status)
        print_dkim(v);
    mailauth_dkim_verifier_free(v);
    return status;
}

/* ---- ARC ------------------------------------------------------------------------------------- */

static int run_arc(const job *j, mailauth_arc_verifier **out)
{
    mailauth_arc_verify_options ao;
    mailauth_arc_verify_options_init(&ao);
    int rc = mailauth_arc_verify(&ao, &j->d->resolver, j->msg, j->len, out);
    return rc ? failed("ARC verification", rc) : 0;
}

static int cmd_arc_verify(const job *j)
{
    mailauth_arc_verifier *v = NULL;
    int status = run_arc(j, &v);
    if (!status) {
        int r = mailauth_arc_verifier_result(v);
        printf("arc=%s", mailauth_result_name(r));
        if (r != MAILAUTH_RESULT_PASS && r != MAILAUTH_RESULT_NONE)
            print_comment(mailauth_arc_reason_text(mailauth_arc_verifier_reason(v)));
        putchar('\n');
        for (unsigned i = mailauth_arc_verifier_count(v); i >= 1; i--) {
            mailauth_arc_set set = {.struct_size = sizeof set};
            if (mailauth_arc_verifier_set(v, i, &set))
                continue;
            printf("  i=%u seal=%s", i, mailauth_result_name(set.seal_result));
            print_prop("d", set.seal_domain);
            print_prop("s", set.seal_selector);
            printf(" message-signature=%s", mailauth_result_name(set.ams_result));
            print_prop("d", set.ams_domain);
            print_prop("s", set.ams_selector);
            putchar('\n');
        }
    }
    mailauth_arc_verifier_free(v);
    return status;
}

static int cmd_arc_seal(const job *j)
{
    const options *o = j->o;
    if (!o->key || !o->selector || !o->domain || !o->authserv_id)
        return bad_usage("arc-seal needs --key, --selector, --domain and --authserv-id", NULL);
    mailauth_dkim_key *key = NULL;
    mailauth_arc_verifier *chain = NULL;
    int status = load_key(o->key, &key);
    if (!status)
        status = run_arc(j, &chain);
    if (!status) {
        mailauth_arc_seal_options so;
        mailauth_arc_seal_options_init(&so);
        so.domain = o->domain;
        so.selector = o->selector;
        so.authserv_id = o->authserv_id;
        so.chain = chain;
        SET_CLOCK(so, o);
        char *fields;
        size_t fields_len;
        int rc = mailauth_arc_seal(&so, key, j->msg, j->len, &fields, &fields_len);
        if (rc)
            status = failed("cannot seal", rc);
        else {
            if (!fields)
                fprintf(stderr, PROG ": no ARC set added: the incoming chain already failed or is full\n");
            else
                fwrite(fields, 1, fields_len, stdout);
            fwrite(j->msg, 1, j->len, stdout);
            mailauth_arc_free(fields);
        }
    }
    mailauth_arc_verifier_free(chain);
    mailauth_dkim_key_free(key);
    return status;
}

/* ---- SPF ------------------------------------------------------------------------------------- */

/* Runs one SPF identity check into `spf`. */
static int run_spf(const options *o, const dns *d, mailauth_spf *spf, int identity)
{
    int rc = mailauth_spf_begin(spf, identity, o->ip, o->helo, o->sender);
    if (rc == MAILAUTH_E_INVAL) {
        fprintf(stderr, PROG ": --ip is not an IP address: %s\n", o->ip);
        return EXIT_USAGE;
    }
    if (!rc)
        rc = mailauth_spf_run(spf, &d->resolver);
    return rc ? failed("SPF", rc) : 0;
}

static int new_spf(const options *o, mailauth_spf **spf)
{
    mailauth_spf_options so;
    mailauth_spf_options_init(&so);
    so.receiver = o->receiver;
    SET_CLOCK(so, o);
    int rc = mailauth_spf_new(&so, spf);
    return rc ? failed("SPF", rc) : 0;
}

static void print_spf(const mailauth_spf *spf, int identity)
{
    int r = mailauth_spf_result(spf);
    printf("spf=%s", mailauth_result_name(r));
    print_comment(r == MAILAUTH_RESULT_FAIL ? mailauth_spf_explanation(spf) : mailauth_spf_problem(spf));
    if (identity == MAILAUTH_SPF_HELO)
        print_prop("smtp.helo", mailauth_spf_domain(spf));
    else
        print_prop("smtp.mailfrom", mailauth_spf_sender(spf));
    putchar('\n');
}

static int cmd_spf(const job *j)
{
    mailauth_spf *spf = NULL;
    int status = new_spf(j->o, &spf);
    for (int identity = MAILAUTH_SPF_MAILFROM; !status && identity <= MAILAUTH_SPF_HELO; identity++) {
        status = run_spf(j->o, j->d, spf, identity);
        if (!status)
            print_spf(spf, identity);
    }
    mailauth_spf_free(spf);
    return status;
}

/* ---- DMARC ----------------------------------------------------------------------------------- */

/* The one From field's value of the message, or NULL with a note on stderr. */
static const mailparse_header *find_from(const mailparse_message *m)
{
    const mailparse_header *first = mailparse_part_header(m, 0, "From", 0);
    if (!first || mailparse_part_header(m, 0, "From", 1))
        return NULL;
    return first;
}

/* The verdicts of one message, gathered for dmarc and auth. */
typedef struct {
    mailauth_spf *spf;
    int spf_identity;           /* the identity DMARC takes: MAIL FROM, or HELO for <> */
    mailauth_dkim_verifier *dkim;
    mailauth_dmarc *dmarc;
    mailparse_message *parsed;
} verdicts;

static void verdicts_free(verdicts *v)
{
    mailauth_spf_free(v->spf);
    mailauth_dkim_verifier_free(v->dkim);
    mailauth_dmarc_free(v->dmarc);
    mailparse_message_free(v->parsed);
}

static int run_dmarc(const job *j, verdicts *v)
{
    const options *o = j->o;
    v->spf_identity = o->sender[0] ? MAILAUTH_SPF_MAILFROM : MAILAUTH_SPF_HELO;
    int status = new_spf(o, &v->spf);
    if (!status)
        status = run_spf(o, j->d, v->spf, v->spf_identity);
    if (!status)
        status = run_dkim(j, &v->dkim);
    if (status)
        return status;

    mailauth_dmarc_options dopts;
    mailauth_dmarc_options_init(&dopts);
    dopts.mode = o->tree_walk ? MAILAUTH_DMARC_MODE_RFC9989 : MAILAUTH_DMARC_MODE_RFC7489;
    dopts.psl_file = o->psl;
    int rc = mailauth_dmarc_new(&dopts, &v->dmarc);
    if (!rc)
        rc = mailparse_parse(j->msg, j->len, NULL, &v->parsed) ? MAILAUTH_E_NOMEM : 0;
    if (rc)
        return failed("DMARC", rc);
    const mailparse_header *from = find_from(v->parsed);
    if (from)
        rc = mailauth_dmarc_set_from(v->dmarc, from->raw_value, from->raw_value_len);
    else
        rc = mailauth_dmarc_set_from(v->dmarc, "", 0); /* none or several: no Author Domain */
    if (!rc)
        rc = mailauth_dmarc_set_spf(v->dmarc, mailauth_spf_domain(v->spf), mailauth_spf_result(v->spf));
    for (size_t i = 0; !rc && i < mailauth_dkim_verifier_count(v->dkim); i++) {
        mailauth_dkim_signature s = {.struct_size = sizeof s};
        rc = mailauth_dkim_verifier_result(v->dkim, i, &s);
        if (!rc && s.domain[0])
            rc = mailauth_dmarc_add_dkim(v->dmarc, s.domain, s.result);
        if (rc == MAILAUTH_E_LIMIT)
            rc = 0; /* the signatures past max_dkim do not count */
    }
    if (!rc)
        rc = mailauth_dmarc_run(v->dmarc, &j->d->resolver);
    return rc ? failed("DMARC", rc) : 0;
}

static void print_dmarc(const mailauth_dmarc *dm)
{
    int r = mailauth_dmarc_result(dm);
    printf("dmarc=%s", mailauth_result_name(r));
    print_comment(mailauth_dmarc_reason(dm));
    print_prop("header.from", mailauth_dmarc_from_domain(dm));
    if (mailauth_dmarc_get_record(dm)) {
        print_prop("policy.dmarc", mailauth_dmarc_policy_name(mailauth_dmarc_policy(dm)));
        print_prop("policy.disposition", mailauth_dmarc_policy_name(mailauth_dmarc_disposition(dm)));
    }
    putchar('\n');
}

static int cmd_dmarc(const job *j)
{
    verdicts v = {0};
    int status = run_dmarc(j, &v);
    if (!status) {
        print_spf(v.spf, v.spf_identity);
        print_dkim(v.dkim);
        print_dmarc(v.dmarc);
    }
    verdicts_free(&v);
    return status;
}

/* ---- auth: every check as one Authentication-Results field --------------------------------- */

/* The A-R result of each DKIM signature. */
static int ar_dkim(mailauth_ar *ar, const mailauth_dkim_verifier *v)
{
    size_t n = mailauth_dkim_verifier_count(v);
    if (n == 0)
        return mailauth_ar_add(ar, "dkim", MAILAUTH_RESULT_NONE, NULL);
    for (size_t i = 0; i < n; i++) {
        mailauth_dkim_signature s = {.struct_size = sizeof s};
        int rc = mailauth_dkim_verifier_result(v, i, &s);
        if (!rc)
            rc = mailauth_ar_add(ar, "dkim", s.result,
                                 s.result == MAILAUTH_RESULT_PASS ? NULL : s.reason_text);
        dkim_props p;
        dkim_props_of(&s, &p);
        for (size_t k = 0; !rc && k < 5; k++)
            if (p.props[k][1][0])
                rc = mailauth_ar_add_prop(ar, "header", p.props[k][0], p.props[k][1]);
        if (rc)
            return rc;
    }
    return 0;
}

static int ar_spf(mailauth_ar *ar, const mailauth_spf *spf, int identity)
{
    int r = mailauth_spf_result(spf);
    int rc = mailauth_ar_add(ar, "spf", r, NULL);
    const char *why = r == MAILAUTH_RESULT_FAIL ? mailauth_spf_explanation(spf) : mailauth_spf_problem(spf);
    if (!rc && why)
        rc = mailauth_ar_set_comment(ar, why);
    if (!rc)
        rc = identity == MAILAUTH_SPF_HELO
                 ? mailauth_ar_add_prop(ar, "smtp", "helo", mailauth_spf_domain(spf))
                 : mailauth_ar_add_prop(ar, "smtp", "mailfrom", mailauth_spf_sender(spf));
    return rc;
}

static int ar_dmarc(mailauth_ar *ar, const mailauth_dmarc *dm)
{
    int rc = mailauth_ar_add(ar, "dmarc", mailauth_dmarc_result(dm), NULL);
    if (!rc && mailauth_dmarc_get_record(dm)) {
        char comment[96];
        snprintf(comment, sizeof comment, "p=%s dis=%s",
                 mailauth_dmarc_policy_name(mailauth_dmarc_policy(dm)),
                 mailauth_dmarc_policy_name(mailauth_dmarc_disposition(dm)));
        rc = mailauth_ar_set_comment(ar, comment);
    } else if (!rc)
        rc = mailauth_ar_set_comment(ar, mailauth_dmarc_reason(dm));
    if (!rc && mailauth_dmarc_from_domain(dm))
        rc = mailauth_ar_add_prop(ar, "header", "from", mailauth_dmarc_from_domain(dm));
    return rc;
}

static int cmd_auth(const job *j)
{
    const options *o = j->o;
    verdicts v = {0};
    mailauth_iprev *iprev = NULL;
    mailauth_arc_verifier *arc = NULL;
    mailauth_spf *helo = NULL;
    mailauth_ar *ar = NULL;
    int status = run_dmarc(j, &v);
    int rc = 0;
    if (!status) {
        rc = mailauth_iprev_new(o->ip, NULL, &iprev);
        if (!rc)
            rc = mailauth_iprev_run(iprev, &j->d->resolver);
        if (rc)
            status = failed("iprev", rc);
    }
    if (!status)
        status = run_arc(j, &arc);
    if (!status && v.spf_identity == MAILAUTH_SPF_MAILFROM) {
        status = new_spf(o, &helo);
        if (!status)
            status = run_spf(o, j->d, helo, MAILAUTH_SPF_HELO);
    }
    if (!status) {
        const char *id = o->authserv_id ? o->authserv_id : o->receiver ? o->receiver : "localhost";
        rc = mailauth_ar_new(id, &ar);
        if (!rc)
            rc = mailauth_iprev_to_ar(iprev, ar);
        if (!rc)
            rc = ar_spf(ar, v.spf, v.spf_identity);
        if (!rc && helo)
            rc = ar_spf(ar, helo, MAILAUTH_SPF_HELO);
        if (!rc)
            rc = ar_dkim(ar, v.dkim);
        if (!rc)
            rc = mailauth_arc_to_ar(arc, ar);
        if (!rc)
            rc = ar_dmarc(ar, v.dmarc);
        const char *field;
        size_t field_len;
        if (!rc)
            rc = mailauth_ar_write(ar, MAILAUTH_AR_WRITE_CRLF, &field, &field_len);
        if (rc)
            status = failed("Authentication-Results", rc);
        else
            fwrite(field, 1, field_len, stdout);
    }
    mailauth_ar_free(ar);
    mailauth_spf_free(helo);
    mailauth_arc_verifier_free(arc);
    mailauth_iprev_free(iprev);
    verdicts_free(&v);
    return status;
}

/* ---- main ------------------------------------------------------------------------------------ */

/* What each command needs before it runs. */
enum { NEEDS_DNS = 1, NEEDS_FILE = 2, NEEDS_SESSION = 4 };

typedef struct {
    const char *name;
    int (*run)(const job *j);
    unsigned needs;
} command;

static const command commands[] = {
    {"dkim-sign", cmd_dkim_sign, NEEDS_FILE},
    {"dkim-verify", cmd_dkim_verify, NEEDS_DNS | NEEDS_FILE},
    {"arc-verify", cmd_arc_verify, NEEDS_DNS | NEEDS_FILE},
    {"arc-seal", cmd_arc_seal, NEEDS_DNS | NEEDS_FILE},
    {"spf", cmd_spf, NEEDS_DNS | NEEDS_SESSION},
    {"dmarc", cmd_dmarc, NEEDS_DNS | NEEDS_FILE | NEEDS_SESSION},
    {"auth", cmd_auth, NEEDS_DNS | NEEDS_FILE | NEEDS_SESSION},
};

int main(int argc, char **argv)
{
    options o;
    int status = parse_args(argc, argv, &o);
    if (status)
        return status;
    const command *c = NULL;
    for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
        if (strcmp(o.command, commands[i].name) == 0)
            c = &commands[i];
    if (!c)
        return bad_usage("unknown command", o.command);
    if ((c->needs & NEEDS_FILE) && !o.file) {
        fprintf(stderr, PROG ": %s needs FILE (\"-\" for stdin)\n", c->name);
        return EXIT_USAGE;
    }
    if ((c->needs & NEEDS_SESSION) && (!o.ip || !o.helo || !o.sender)) {
        fprintf(stderr, PROG ": %s needs --ip, --helo and --sender (\"\" for the null sender)\n",
                c->name);
        return EXIT_USAGE;
    }
    unsigned char *msg = NULL;
    size_t len = 0;
    if ((c->needs & NEEDS_FILE) && read_file(o.file, &msg, &len))
        return EXIT_FAILED;
    dns d;
    memset(&d, 0, sizeof d);
    if ((c->needs & NEEDS_DNS) && dns_open(&o, &d)) {
        free(msg);
        return EXIT_FAILED;
    }
    job j = {&o, &d, msg, len};
    status = c->run(&j);
    dns_close(&d);
    free(msg);
    return status;
}
