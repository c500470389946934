/* mailsend.c — send a message with libmailsend from the command line.
 *
 *   mailsend --server HOST[:PORT] [--lmtp] [--starttls|--tls|--plain]
 *            [--user U (--password P | --token T) [--mech M]]
 *            [--dkim-key PEM --dkim-selector S --dkim-domain D]
 *            --from ADDR --to ADDR [--to ADDR ...] FILE|-
 *   mailsend --mx [--zone FILE] ... --from ADDR --to ADDR ... FILE|-
 *
 * --server names the host and port (an IPv6 address in brackets: [::1]:2525) or, starting
 * with "/", a Unix socket (LMTP). --mx routes each recipient domain through its MX hosts
 * (RFC 5321 §5.1), trying the hosts and their addresses in order. It prints one line per
 * recipient: its outcome (accepted, tempfail, permfail), the address and the server's reply.
 * The exit status is 0 when every recipient was accepted, 1 when one was not or the session
 * failed, 2 for a malformed command line. */
#include "mailsend.h"
#include "tool_io.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PROG "mailsend"
#define MAX_RCPTS 1000

enum { EXIT_NOT_ALL = 1, EXIT_USAGE = 2 };

typedef struct {
    const char *server, *from, *file, *ehlo, *zone, *ca, *sni;
    const char *user, *password, *token, *mech, *authzid;
    const char *dkim_key, *dkim_selector, *dkim_domain;
    const char *rcpts[MAX_RCPTS];
    size_t nrcpts;
    unsigned port;                /* for --mx: 25 unless given */
    int lmtp, tls, mx, no_verify, verify, allow_plaintext, smtputf8, eightbit, quiet;
    unsigned timeout_ms;
} options;

static void usage(FILE *out)
{
    fputs("usage: " PROG " (--server HOST[:PORT] | --server /UNIX/SOCKET | --mx) [options]\n"
          "                --from ADDR --to ADDR [--to ADDR ...] FILE|-\n"
          "\n"
          "  --lmtp               speak LMTP (RFC 2033): a reply per recipient\n"
          "  --starttls           require STARTTLS      --tls   implicit TLS (port 465)\n"
          "  --plain              no TLS                (default: STARTTLS when offered)\n"
          "  --ca FILE            trusted certificates (default: the system's)\n"
          "  --tls-name NAME      the name to verify and send as SNI (default: the host)\n"
          "  --no-verify          encrypt without verifying the certificate\n"
          "  --verify             verify it with --mx too (where STARTTLS is opportunistic\n"
          "                       and unverified by default, RFC 7435)\n"
          "  --user U --password P | --token T [--mech M] [--authzid Z]\n"
          "                       authenticate (best mechanism offered unless --mech)\n"
          "  --allow-plaintext-auth   authenticate even without TLS\n"
          "  --dkim-key PEM --dkim-selector S --dkim-domain D   DKIM-sign the message\n"
          "  --ehlo NAME          the name to greet with (default: localhost)\n"
          "  --8bitmime --smtputf8    declare the message's body and addresses\n"
          "  --mx [--port N] [--zone FILE]   route by the recipients' domains (DNS from the\n"
          "                       RFC 1035 master FILE, or libunbound)\n"
          "  --timeout MS         connect timeout\n"
          "  --quiet              print nothing; the exit status says it all\n",
          out);
}

static int bad_usage(const char *what, const char *arg)
{
    fprintf(stderr, PROG ": %s%s%s\n", what, arg ? ": " : "", arg ? arg : "");
    usage(stderr);
    return EXIT_USAGE;
}

static int parse_args(int argc, char **argv, options *o)
{
    static const struct {
        const char *name;
        size_t offset;
    } strs[] = {
#define S(n, f) {n, offsetof(options, f)}
        S("--server", server),   S("--from", from),     S("--ehlo", ehlo),
        S("--zone", zone),       S("--ca", ca),         S("--tls-name", sni),
        S("--user", user),       S("--password", password), S("--token", token),
        S("--mech", mech),       S("--authzid", authzid),   S("--dkim-key", dkim_key),
        S("--dkim-selector", dkim_selector), S("--dkim-domain", dkim_domain),
#undef S
    };
    static const struct {
        const char *name;
        size_t offset;
        int value;
    } flags[] = {
#define F(n, f, v) {n, offsetof(options, f), v}
        F("--lmtp", lmtp, 1),          F("--starttls", tls, MAILSEND_TLS_REQUIRED),
        F("--tls", tls, MAILSEND_TLS_IMPLICIT), F("--plain", tls, MAILSEND_TLS_OFF),
        F("--mx", mx, 1),              F("--no-verify", no_verify, 1),
        F("--verify", verify, 1),
        F("--allow-plaintext-auth", allow_plaintext, 1), F("--smtputf8", smtputf8, 1),
        F("--8bitmime", eightbit, 1),  F("--quiet", quiet, 1),
#undef F
    };
    o->tls = MAILSEND_TLS_OPPORTUNISTIC;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int done = 0;
        for (size_t k = 0; k < sizeof strs / sizeof *strs && !done; k++)
            if (!strcmp(a, strs[k].name)) {
                if (++i == argc)
                    return bad_usage("missing value for", a);
                *(const char **)((char *)o + strs[k].offset) = argv[i];
                done = 1;
            }
        for (size_t k = 0; k < sizeof flags / sizeof *flags && !done; k++)
            if (!strcmp(a, flags[k].name)) {
                *(int *)((char *)o + flags[k].offset) = flags[k].value;
                done = 1;
            }
        if (done)
            continue;
        if (!strcmp(a, "--to") || !strcmp(a, "--port") || !strcmp(a, "--timeout")) {
            if (++i == argc)
                return bad_usage("missing value for", a);
            if (!strcmp(a, "--to")) {
                if (o->nrcpts == MAX_RCPTS)
                    return bad_usage("too many recipients", NULL);
                o->rcpts[o->nrcpts++] = argv[i];
            } else {
                char *end;
                unsigned long v = strtoul(argv[i], &end, 10);
                if (*end || v == 0 || (a[2] == 'p' && v > 65535))
                    return bad_usage("not a number", argv[i]);
                *(a[2] == 'p' ? &o->port : &o->timeout_ms) = (unsigned)v;
            }
        } else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(stdout);
            exit(0);
        } else if (a[0] == '-' && a[1]) {
            return bad_usage("unknown option", a);
        } else if (!o->file) {
            o->file = a;
        } else {
            return bad_usage("more than one message file", a);
        }
    }
    if (!o->file)
        return bad_usage("no message file", NULL);
    if (!o->from || !o->nrcpts)
        return bad_usage("--from and at least one --to are required", NULL);
    if (!o->server == !o->mx)
        return bad_usage("give either --server or --mx", NULL);
    if ((o->password || o->token) && !o->user)
        return bad_usage("--password and --token need --user", NULL);
    if (!o->dkim_key != !o->dkim_selector || !o->dkim_key != !o->dkim_domain)
        return bad_usage("--dkim-key, --dkim-selector and --dkim-domain go together", NULL);
    return 0;
}

/* "host", "host:port", "[v6]", "[v6]:port" or "/unix/path" into the session options. */
static int parse_server(const char *spec, char *host, size_t size, mailsend_session_options *so)
{
    if (spec[0] == '/') {
        so->unix_path = spec;
        return 0;
    }
    const char *colon, *end;
    if (spec[0] == '[') {
        end = strchr(spec, ']');
        if (!end)
            return -1;
        colon = end[1] == ':' ? end + 1 : NULL;
        if (end[1] && !colon)
            return -1;
        spec++;
    } else {
        colon = strrchr(spec, ':');
        end = colon ? colon : spec + strlen(spec);
    }
    size_t n = (size_t)(end - spec);
    if (n == 0 || n >= size)
        return -1;
    memcpy(host, spec, n);
    host[n] = '\0';
    so->host = host;
    if (colon) {
        char *stop;
        unsigned long port = strtoul(colon + 1, &stop, 10);
        if (*stop || port == 0 || port > 65535)
            return -1;
        so->port = (unsigned)port;
    }
    return 0;
}

static void protocol_options(const options *o, mailsend_options *p)
{
    mailsend_options_init(p);
    p->lmtp = o->lmtp;
    p->tls = o->tls;
    p->ehlo_name = o->ehlo;
    p->auth_user = o->user;
    p->auth_password = o->password;
    p->auth_token = o->token;
    p->auth_mechanism = o->mech;
    p->auth_authzid = o->authzid;
    p->auth_allow_plaintext = o->allow_plaintext;
}

static const char *status_name(int st)
{
    switch (st) {
    case MAILSEND_RCPT_ACCEPTED: return "accepted";
    case MAILSEND_RCPT_PERMFAIL: return "permfail";
    default: return "tempfail";
    }
}

/* Prints one recipient's outcome; returns 1 when it was not accepted. */
static int report(const options *o, const char *rcpt, int status, const mailsend_reply *r,
                  const char *why)
{
    if (!o->quiet) {
        printf("%s %s", status_name(status), rcpt);
        if (r) {
            printf(" %d", r->code);
            /* the reply's text (which starts with its enhanced status code) on one line */
            fputc(' ', stdout);
            for (const char *p = r->text; *p; p++)
                fputc(*p == '\n' ? ' ' : *p, stdout);
        } else if (why) {
            printf(" (%s)", why);
        }
        fputc('\n', stdout);
    }
    return status != MAILSEND_RCPT_ACCEPTED;
}

typedef struct {
    mailauth_dkim_key *key;
    mailauth_dkim_sign_options opts;
} dkim;

/* Sends the message to `rcpts` through one session. `reached` (may be NULL) is set when the
 * session opened, so a router knows whether to try the next host. Returns the number of
 * recipients not accepted. */
static size_t send_once(const options *o, mailsend_session_options *so, const dkim *d,
                        const unsigned char *msg, size_t len, const char *const *rcpts,
                        size_t n, int *reached, int last_try)
{
    mailsend_options p;
    protocol_options(o, &p);
    if (d->key) {
        so->dkim_key = d->key;
        so->dkim = &d->opts;
    }
    so->tls_ca_file = o->ca;
    so->tls_server_name = o->sni;
    /* MX relaying with opportunistic STARTTLS encrypts without checking who answers, as MTAs
     * do when no DANE or MTA-STS policy applies (RFC 7435, RFC 3207 §4.1); --verify asks for
     * the check anyway. Everywhere else the certificate is verified unless --no-verify. */
    so->tls_no_verify = o->no_verify ||
                        (o->mx && o->tls == MAILSEND_TLS_OPPORTUNISTIC && !o->verify);
    so->connect_timeout_ms = o->timeout_ms;
    mailsend_session *s = NULL;
    size_t failed = 0;
    int rc = mailsend_session_new(so, &p, &s);
    if (rc == 0)
        rc = mailsend_session_open(s);
    if (reached)
        *reached = rc == 0;
    if (rc) {
        if (!o->quiet)
            fprintf(stderr, PROG ": %s: %s\n", so->host ? so->host : so->unix_path,
                    s ? mailsend_session_error_detail(s) : mailsend_strerror(rc));
        if (last_try)
            for (size_t i = 0; i < n; i++)
                failed += report(o, rcpts[i], MAILSEND_RCPT_TEMPFAIL, NULL,
                                 mailsend_strerror(rc));
        else
            failed = n;
        mailsend_session_free(s);
        return failed;
    }
    mailsend_envelope env;
    mailsend_envelope_init(&env);
    env.from = o->from;
    env.smtputf8 = o->smtputf8;
    env.body = o->eightbit ? MAILSEND_BODY_8BITMIME : MAILSEND_BODY_7BIT;
    rc = mailsend_session_send(s, &env, rcpts, n, NULL, msg, len);
    mailsend_client *c = mailsend_session_client(s);
    if (rc && rc != MAILSEND_E_INVAL && rc != MAILSEND_E_UNSUPPORTED &&
        rc != MAILSEND_E_TOO_BIG && rc != MAILSEND_E_DKIM && !o->quiet)
        fprintf(stderr, PROG ": %s\n", mailsend_session_error_detail(s));
    for (size_t i = 0; i < n; i++) {
        int st = MAILSEND_RCPT_TEMPFAIL;
        const mailsend_reply *r = NULL;
        if (i < mailsend_client_rcpt_count(c)) {
            st = mailsend_client_rcpt_status(c, i);
            r = mailsend_client_rcpt_reply(c, i);
        }
        if (rc == MAILSEND_E_INVAL || rc == MAILSEND_E_UNSUPPORTED || rc == MAILSEND_E_TOO_BIG ||
            rc == MAILSEND_E_DKIM)
            st = MAILSEND_RCPT_PERMFAIL, r = NULL;
        failed += report(o, rcpts[i], st, r, rc ? mailsend_strerror(rc) : NULL);
    }
    mailsend_session_quit(s);
    mailsend_session_free(s);
    return failed;
}

/* The domain of an address: after the last '@'. */
static const char *domain_of(const char *addr)
{
    const char *at = strrchr(addr, '@');
    return at ? at + 1 : NULL;
}

static int open_resolver(const options *o, mailauth_zone **zone, mailauth_unbound **ub,
                         mailauth_resolver *r)
{
    mailauth_resolver_init(r);
    if (o->zone) {
        size_t len;
        unsigned char *text = tool_read_file(o->zone, &len);
        if (!text) {
            fprintf(stderr, PROG ": %s: %s\n", o->zone, strerror(errno));
            return -1;
        }
        mailauth_zone_error err = {0, NULL};
        int rc = mailauth_zone_new(NULL, zone);
        if (!rc)
            rc = mailauth_zone_load(*zone, (const char *)text, len, NULL, &err);
        free(text);
        if (rc) {
            fprintf(stderr, PROG ": %s:%zu: %s\n", o->zone, err.line,
                    err.message ? err.message : mailauth_strerror(rc));
            return -1;
        }
        mailauth_zone_resolver(*zone, r);
        return 0;
    }
    int rc = mailauth_unbound_new(NULL, ub);
    if (rc) {
        fprintf(stderr, PROG ": cannot start the DNS resolver: %s\n", mailauth_strerror(rc));
        return -1;
    }
    mailauth_unbound_resolver(*ub, r);
    return 0;
}

/* --mx: each domain's recipients go to the first of its hosts (and addresses) that answers. */
static size_t send_routed(const options *o, const dkim *d, const unsigned char *msg,
                          size_t len, const mailauth_resolver *r)
{
    size_t failed = 0;
    int *done = calloc(o->nrcpts, sizeof *done);
    const char **group = calloc(o->nrcpts, sizeof *group);
    if (!done || !group) {
        free(done);
        free(group);
        return o->nrcpts;
    }
    for (size_t i = 0; i < o->nrcpts; i++) {
        if (done[i])
            continue;
        const char *dom = domain_of(o->rcpts[i]);
        size_t n = 0;
        for (size_t j = i; j < o->nrcpts; j++) {
            const char *dj = domain_of(o->rcpts[j]);
            if (!done[j] && dom && dj && !strcasecmp(dom, dj)) {
                group[n++] = o->rcpts[j];
                done[j] = 1;
            }
        }
        if (!dom) {
            done[i] = 1;
            failed += report(o, o->rcpts[i], MAILSEND_RCPT_PERMFAIL, NULL, "no domain");
            continue;
        }
        mailsend_mx *mx = NULL;
        int rc = mailsend_mx_new(dom, NULL, &mx);
        if (rc == 0)
            rc = mailsend_mx_run(mx, r);
        int verdict = rc ? MAILSEND_MX_PERMFAIL : mailsend_mx_result(mx);
        if (verdict != MAILSEND_MX_OK) {
            int st = verdict == MAILSEND_MX_TEMPFAIL ? MAILSEND_RCPT_TEMPFAIL
                                                     : MAILSEND_RCPT_PERMFAIL;
            for (size_t k = 0; k < n; k++)
                failed += report(o, group[k], st, NULL, mailsend_mx_result_name(verdict));
            mailsend_mx_free(mx);
            continue;
        }
        int sent = 0;
        size_t hosts = mailsend_mx_host_count(mx), total = 0, tried = 0;
        for (size_t h = 0; h < hosts; h++)
            total += mailsend_mx_host_at(mx, h)->address_count;
        for (size_t h = 0; h < hosts && !sent; h++) {
            const mailsend_mx_host *host = mailsend_mx_host_at(mx, h);
            for (size_t a = 0; a < host->address_count && !sent; a++) {
                mailsend_session_options so;
                mailsend_session_options_init(&so);
                so.host = host->name;
                so.address = &host->addresses[a];
                so.port = o->port ? o->port : 25;
                int reached = 0;
                size_t f = send_once(o, &so, d, msg, len, group, n, &reached, ++tried == total);
                if (reached || tried == total) {
                    failed += f;
                    sent = 1;
                }
            }
        }
        mailsend_mx_free(mx);
    }
    free(done);
    free(group);
    return failed;
}

static int load_dkim(const options *o, dkim *d)
{
    memset(d, 0, sizeof *d);
    if (!o->dkim_key)
        return 0;
    size_t len;
    unsigned char *text = tool_read_file(o->dkim_key, &len);
    if (!text) {
        fprintf(stderr, PROG ": %s: %s\n", o->dkim_key, strerror(errno));
        return -1;
    }
    int rc = mailauth_dkim_key_load(text, len, &d->key);
    free(text);
    if (rc) {
        fprintf(stderr, PROG ": %s: %s\n", o->dkim_key, mailauth_strerror(rc));
        return -1;
    }
    mailauth_dkim_sign_options_init(&d->opts);
    d->opts.domain = o->dkim_domain;
    d->opts.selector = o->dkim_selector;
    return 0;
}

int main(int argc, char **argv)
{
    options o;
    memset(&o, 0, sizeof o);
    int rc = parse_args(argc, argv, &o);
    if (rc)
        return rc;
    size_t len;
    unsigned char *msg = tool_read_file(o.file, &len);
    if (!msg) {
        fprintf(stderr, PROG ": %s: %s\n", o.file, strerror(errno));
        return EXIT_NOT_ALL;
    }
    dkim d;
    if (load_dkim(&o, &d)) {
        free(msg);
        return EXIT_NOT_ALL;
    }
    size_t failed;
    if (o.mx) {
        mailauth_zone *zone = NULL;
        mailauth_unbound *ub = NULL;
        mailauth_resolver r;
        if (open_resolver(&o, &zone, &ub, &r)) {
            failed = 1;
        } else {
            failed = send_routed(&o, &d, msg, len, &r);
        }
        mailauth_zone_free(zone);
        mailauth_unbound_free(ub);
    } else {
        char host[512];
        mailsend_session_options so;
        mailsend_session_options_init(&so);
        if (parse_server(o.server, host, sizeof host, &so)) {
            free(msg);
            mailauth_dkim_key_free(d.key);
            return bad_usage("not HOST[:PORT] or /SOCKET", o.server);
        }
        failed = send_once(&o, &so, &d, msg, len, o.rcpts, o.nrcpts, NULL, 1);
    }
    mailauth_dkim_key_free(d.key);
    free(msg);
    return failed ? EXIT_NOT_ALL : 0;
}
