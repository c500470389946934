/* mailbuild.c — builds a message from command-line options and writes it to stdout.
 *
 *   mailbuild --from ADDR --to ADDR [--subject TEXT] [--text FILE|-] [--html FILE|-]
 *             [--attach FILE[:TYPE]]... [--inline FILE:CID[:TYPE]]... [more options] > out.eml
 *
 * An example of the libmailbuild API: address fields filled from lists the libmailparse address
 * parser reads ("Name <addr>, addr, Group: a, b;"), the common body shapes (text, HTML, inline
 * parts, attachments) and the streamed writer. Exit status: 0, 1 when a value or a file is
 * refused, 2 for a malformed command line. */
#include "mailbuild.h"
#include "tool_io.h"
#include "mailparse.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#define PROG "mailbuild"

enum { EXIT_BAD_INPUT = 1, EXIT_USAGE = 2 };

/* ---- the command line ---------------------------------------------------------------------- */

typedef enum {
    OPT_FROM, OPT_TO, OPT_CC, OPT_BCC, OPT_REPLY_TO, OPT_SUBJECT, OPT_TEXT, OPT_HTML, OPT_ATTACH,
    OPT_INLINE, OPT_HEADER, OPT_DATE, OPT_MESSAGE_ID, OPT_IN_REPLY_TO, OPT_REFERENCES,
    OPT_SMTPUTF8, OPT_8BIT, OPT_HELP, OPT_VERSION
} opt_id;

typedef struct {
    const char *name;  /* without the leading "--" */
    opt_id id;
    int has_value;
    const char *field; /* the header field an address or id option fills */
} opt_def;

static const opt_def opt_defs[] = {
    {"from", OPT_FROM, 1, "From"},
    {"to", OPT_TO, 1, "To"},
    {"cc", OPT_CC, 1, "Cc"},
    {"bcc", OPT_BCC, 1, "Bcc"},
    {"reply-to", OPT_REPLY_TO, 1, "Reply-To"},
    {"subject", OPT_SUBJECT, 1, NULL},
    {"text", OPT_TEXT, 1, NULL},
    {"html", OPT_HTML, 1, NULL},
    {"attach", OPT_ATTACH, 1, NULL},
    {"inline", OPT_INLINE, 1, NULL},
    {"header", OPT_HEADER, 1, NULL},
    {"date", OPT_DATE, 1, NULL},
    {"message-id", OPT_MESSAGE_ID, 1, NULL},
    {"in-reply-to", OPT_IN_REPLY_TO, 1, "In-Reply-To"},
    {"references", OPT_REFERENCES, 1, "References"},
    {"smtputf8", OPT_SMTPUTF8, 0, NULL},
    {"8bit", OPT_8BIT, 0, NULL},
    {"help", OPT_HELP, 0, NULL},
    {"version", OPT_VERSION, 0, NULL},
};

/* One option of the command line with its value, kept in the order given. */
typedef struct {
    const opt_def *def;
    const char *value;
} action;

static void usage(FILE *out)
{
    fputs("usage: " PROG " [options] > message.eml\n"
          "Builds an RFC 5322 / MIME message and writes it to stdout.\n"
          "\n"
          "  --from ADDR              From (repeatable); ADDR is \"Name <addr>\", \"addr\", a\n"
          "                           comma-separated list of them, or a group \"Team: a, b;\"\n"
          "  --to ADDR, --cc ADDR, --bcc ADDR, --reply-to ADDR   the same, repeatable\n"
          "  --subject TEXT           Subject (UTF-8)\n"
          "  --text FILE              the plain-text body (UTF-8; \"-\" reads stdin)\n"
          "  --html FILE              the HTML body (UTF-8; \"-\" reads stdin)\n"
          "  --attach FILE[:TYPE]     an attachment (repeatable); the type is guessed from the\n"
          "                           extension unless given\n"
          "  --inline FILE:CID[:TYPE] a part the HTML shows as \"cid:CID\" (repeatable)\n"
          "  --header 'Name: value'   a text header field (repeatable)\n"
          "  --date DATE              an RFC 5322 date, or @SECONDS since the epoch (default: now)\n"
          "  --message-id ID          the Message-ID (default: generated)\n"
          "  --in-reply-to IDS        In-Reply-To message ids, separated by spaces (repeatable)\n"
          "  --references IDS         References message ids, separated by spaces (repeatable)\n"
          "  --8bit                   the transport takes 8BITMIME: UTF-8 text bodies go as 8bit\n"
          "  --smtputf8               the transport takes SMTPUTF8: UTF-8 headers and addresses\n"
          "  --help, --version\n"
          "\n"
          "Files are attached under their names without the directories. Exit status: 0, 1 when\n"
          "a value or a file is refused, 2 for a malformed command line.\n",
          out);
}

/* Says what is wrong with the command line: `what`, then `arg` quoted when not NULL. */
static int usage_error(const char *what, const char *arg)
{
    if (arg)
        fprintf(stderr, PROG ": %s '%s'\nTry '" PROG " --help'.\n", what, arg);
    else
        fprintf(stderr, PROG ": %s\nTry '" PROG " --help'.\n", what);
    return EXIT_USAGE;
}

static const opt_def *find_opt(const char *name, size_t len)
{
    for (size_t i = 0; i < sizeof opt_defs / sizeof opt_defs[0]; i++)
        if (strlen(opt_defs[i].name) == len && memcmp(opt_defs[i].name, name, len) == 0)
            return &opt_defs[i];
    return NULL;
}

/* ---- files ----------------------------------------------------------------------------------- */

static int is_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* The name a file is attached under: the path without its directories. */
static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

/* "type/subtype": two non-empty parts without spaces, slashes or colons beyond the one '/'. */
static int looks_like_type(const char *s)
{
    const char *slash = strchr(s, '/');
    if (!slash || slash == s || !slash[1] || strchr(slash + 1, '/'))
        return 0;
    for (const char *p = s; *p; p++)
        if (*p <= ' ' || *p == ':' || *p == 0x7F)
            return 0;
    return 1;
}

/* ---- building ---------------------------------------------------------------------------------- */

static int refused(const char *opt, const char *value, int rc)
{
    fprintf(stderr, PROG ": --%s '%s': %s\n", opt, value, mailbuild_strerror(rc));
    return EXIT_BAD_INPUT;
}

static void count_anomaly(void *user, mailparse_anomaly_kind kind, size_t offset)
{
    (void)kind;
    (void)offset;
    (*(size_t *)user)++;
}

/* Writes the groups [*next, upto) of the list, which hold no mailbox: "Undisclosed:;". */
static int empty_groups(mailbuild_message *m, const char *field, const mailparse_address_list *l,
                        size_t *next, size_t upto)
{
    for (; *next < upto; (*next)++) {
        int rc = mailbuild_group_open(m, field, l->group_names[*next]);
        if (rc == 0)
            rc = mailbuild_group_close(m, field);
        if (rc)
            return rc;
    }
    return 0;
}

/* Adds the mailboxes and groups of one --from/--to/... value to `field`. */
static int add_addresses(mailbuild_message *m, const opt_def *def, const char *value)
{
    /* The address parser reads a line break followed by a blank as folding and drops the rest
     * of a broken one; the library must see any line break so it can refuse it. */
    if (strpbrk(value, "\r\n")) {
        int rc = mailbuild_add_address(m, def->field, NULL, value);
        return rc ? refused(def->name, value, rc) : 0;
    }
    mailparse_values *v = NULL;
    if (mailparse_values_new(&v) != 0)
        return refused(def->name, value, MAILBUILD_E_NOMEM);
    const mailparse_address_list *l = NULL;
    size_t anomalies = 0;
    int status = 0, rc = 0;
    if (mailparse_parse_addresses(v, value, strlen(value), count_anomaly, &anomalies, &l) != 0) {
        status = refused(def->name, value, MAILBUILD_E_NOMEM);
        goto done;
    }
    if (anomalies || (l->count == 0 && l->group_count == 0)) {
        fprintf(stderr, PROG ": --%s '%s': %s\n", def->name, value,
                anomalies ? "malformed address list" : "no address");
        status = EXIT_BAD_INPUT;
        goto done;
    }
    size_t next_group = 0; /* groups are numbered in the order they appear */
    int open = -1;
    for (size_t i = 0; i < l->count && rc == 0; i++) {
        const mailparse_address *a = &l->items[i];
        if (!a->address) {
            fprintf(stderr, PROG ": --%s '%s': '%s' has no address\n", def->name, value,
                    a->name ? a->name : "");
            status = EXIT_BAD_INPUT;
            goto done;
        }
        if (a->group != open) {
            if (open >= 0)
                rc = mailbuild_group_close(m, def->field);
            open = -1;
            if (rc == 0 && a->group >= 0) {
                rc = empty_groups(m, def->field, l, &next_group, (size_t)a->group);
                if (rc == 0)
                    rc = mailbuild_group_open(m, def->field, l->group_names[a->group]);
                next_group = (size_t)a->group + 1;
                open = a->group;
            }
        }
        if (rc == 0)
            rc = mailbuild_add_address(m, def->field, a->name, a->address);
    }
    if (rc == 0 && open >= 0)
        rc = mailbuild_group_close(m, def->field);
    if (rc == 0)
        rc = empty_groups(m, def->field, l, &next_group, l->group_count);
    if (rc)
        status = refused(def->name, value, rc);
done:
    mailparse_values_free(v);
    return status;
}

/* Adds each whitespace-separated message id of `value` to the list field. */
static int add_ids(mailbuild_message *m, const opt_def *def, const char *value)
{
    const char *p = value;
    int any = 0;
    for (;;) {
        p += strspn(p, " \t");
        size_t n = strcspn(p, " \t");
        if (!n)
            break;
        char *id = malloc(n + 1);
        if (!id)
            return refused(def->name, value, MAILBUILD_E_NOMEM);
        memcpy(id, p, n);
        id[n] = '\0';
        int rc = mailbuild_add_message_id(m, def->field, id);
        free(id);
        if (rc)
            return refused(def->name, value, rc);
        any = 1;
        p += n;
    }
    /* nothing but blanks: the library says why that is no id */
    int rc = any ? 0 : mailbuild_add_message_id(m, def->field, value);
    return rc ? refused(def->name, value, rc) : 0;
}

static int set_date(mailbuild_message *m, const char *value)
{
    int64_t ts;
    int offset = 0;
    if (value[0] == '@') {
        char *end = NULL;
        errno = 0;
        long long n = strtoll(value + 1, &end, 10);
        if (errno || end == value + 1 || *end) {
            fprintf(stderr, PROG ": --date '%s': not a number of seconds\n", value);
            return EXIT_BAD_INPUT;
        }
        ts = (int64_t)n;
    } else {
        mailparse_date d;
        if (mailparse_parse_date(value, strlen(value), &d) != 0) {
            fprintf(stderr, PROG ": --date '%s': not an RFC 5322 date\n", value);
            return EXIT_BAD_INPUT;
        }
        ts = d.timestamp;
        offset = d.offset_minutes;
    }
    int rc = mailbuild_set_date(m, ts, offset);
    return rc ? refused("date", value, rc) : 0;
}

static int add_header(mailbuild_message *m, const char *value)
{
    const char *colon = strchr(value, ':');
    size_t n = (size_t)(colon - value);
    char *name = malloc(n + 1);
    if (!name)
        return refused("header", value, MAILBUILD_E_NOMEM);
    memcpy(name, value, n);
    name[n] = '\0';
    const char *text = colon + 1;
    text += strspn(text, " \t");
    int rc = mailbuild_add_text_header(m, name, text);
    free(name);
    return rc ? refused("header", value, rc) : 0;
}

/* --text and --html */
static int set_body_text(mailbuild_message *m, const opt_def *def, const char *path)
{
    size_t len = 0;
    unsigned char *data = tool_read_file(path, &len);
    if (!data) {
        fprintf(stderr, PROG ": --%s: cannot read %s: %s\n", def->name, path, strerror(errno));
        return EXIT_BAD_INPUT;
    }
    int rc = def->id == OPT_TEXT ? mailbuild_set_text(m, (const char *)data, len, NULL)
                                 : mailbuild_set_html(m, (const char *)data, len, NULL);
    free(data);
    if (rc == MAILBUILD_E_INVAL) { /* the one thing wrong with a text the library is given */
        fprintf(stderr, PROG ": --%s '%s': not UTF-8 text\n", def->name, path);
        return EXIT_BAD_INPUT;
    }
    return rc ? refused(def->name, path, rc) : 0;
}

/* --attach FILE[:TYPE] and --inline FILE:CID[:TYPE]. A name that is an existing file is taken
 * whole, so file names with colons work. */
static int add_file(mailbuild_message *m, const opt_def *def, const char *value)
{
    size_t vlen = strlen(value);
    char *spec = malloc(vlen + 1);
    if (!spec)
        return refused(def->name, value, MAILBUILD_E_NOMEM);
    memcpy(spec, value, vlen + 1);
    char *path = spec, *cid = NULL, *type = NULL;
    if (def->id == OPT_ATTACH) {
        char *colon = strrchr(spec, ':');
        if (!is_file(spec) && colon && looks_like_type(colon + 1)) {
            *colon = '\0';
            type = colon + 1;
        }
    } else {
        /* the shortest prefix that is a file ends the path; else the first colon does */
        char *colon = strchr(spec, ':');
        for (char *c = colon; c; c = strchr(c + 1, ':')) {
            *c = '\0';
            int found = is_file(spec);
            *c = ':';
            if (found) {
                colon = c;
                break;
            }
        }
        *colon = '\0'; /* the command line check made sure there is one */
        cid = colon + 1;
        char *last = strrchr(cid, ':');
        if (last) {
            *last = '\0';
            type = last + 1;
        }
    }
    int status = 0;
    size_t len = 0;
    unsigned char *data = tool_read_file(path, &len);
    if (!data) {
        fprintf(stderr, PROG ": --%s: cannot read %s: %s\n", def->name, path, strerror(errno));
        status = EXIT_BAD_INPUT;
    } else {
        const char *name = base_name(path);
        int rc = def->id == OPT_ATTACH ? mailbuild_add_attachment(m, data, len, type, name, NULL)
                                       : mailbuild_add_inline(m, data, len, type, cid, name, NULL);
        if (rc == MAILBUILD_E_INVAL && type && strncasecmp(type, "text/", 5) == 0) {
            /* a text type takes UTF-8 (a guessed one falls back to the bytes by itself) */
            fprintf(stderr, PROG ": --%s '%s': %s needs UTF-8 text; give another type, as in "
                    "%s%s%s:application/octet-stream\n", def->name, value, type, path,
                    cid ? ":" : "", cid ? cid : "");
            status = EXIT_BAD_INPUT;
        } else if (rc)
            status = refused(def->name, value, rc);
    }
    free(data);
    free(spec);
    return status;
}

static int run_action(mailbuild_message *m, const action *a)
{
    int rc;
    switch (a->def->id) {
    case OPT_FROM: case OPT_TO: case OPT_CC: case OPT_BCC: case OPT_REPLY_TO:
        return add_addresses(m, a->def, a->value);
    case OPT_SUBJECT:
        rc = mailbuild_set_subject(m, a->value);
        return rc ? refused(a->def->name, a->value, rc) : 0;
    case OPT_TEXT: case OPT_HTML:
        return set_body_text(m, a->def, a->value);
    case OPT_ATTACH: case OPT_INLINE:
        return add_file(m, a->def, a->value);
    case OPT_HEADER:
        return add_header(m, a->value);
    case OPT_DATE:
        return set_date(m, a->value);
    case OPT_MESSAGE_ID:
        rc = mailbuild_set_message_id(m, a->value);
        return rc ? refused(a->def->name, a->value, rc) : 0;
    case OPT_IN_REPLY_TO: case OPT_REFERENCES:
        return add_ids(m, a->def, a->value);
    default:
        return 0; /* flags were read with the command line */
    }
}

/* ---- output ------------------------------------------------------------------------------------ */

static int write_stdout(void *user, const char *data, size_t len)
{
    return fwrite(data, 1, len, (FILE *)user) == len ? 0 : -1;
}

int main(int argc, char **argv)
{
    action *actions = calloc((size_t)(argc > 1 ? argc : 1), sizeof *actions);
    if (!actions) {
        fputs(PROG ": out of memory\n", stderr);
        return EXIT_BAD_INPUT;
    }
    size_t n_actions = 0;
    unsigned flags = 0;
    int stdin_users = 0, status = 0;

    /* First the whole command line, so flags apply whatever their position. */
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (strncmp(arg, "--", 2) != 0) {
            status = usage_error(arg[0] == '-' ? "unknown option" : "unexpected argument", arg);
            goto out;
        }
        const char *eq = strchr(arg + 2, '=');
        size_t name_len = eq ? (size_t)(eq - arg - 2) : strlen(arg + 2);
        const opt_def *def = find_opt(arg + 2, name_len);
        if (!def) {
            status = usage_error("unknown option", arg);
            goto out;
        }
        const char *value = NULL;
        if (def->has_value) {
            if (eq)
                value = eq + 1;
            else if (i + 1 < argc)
                value = argv[++i];
            else {
                status = usage_error("a value is needed after", arg);
                goto out;
            }
        } else if (eq) {
            status = usage_error("no value is taken by", arg);
            goto out;
        }
        switch (def->id) {
        case OPT_HELP:
            usage(stdout);
            goto out;
        case OPT_VERSION:
            printf(PROG " (libmailbuild %s)\n", mailbuild_version());
            goto out;
        case OPT_SMTPUTF8:
            flags |= MAILBUILD_F_SMTPUTF8;
            break;
        case OPT_8BIT:
            flags |= MAILBUILD_F_8BIT;
            break;
        case OPT_HEADER:
            if (!strchr(value, ':')) {
                status = usage_error("--header needs 'Name: value', not", value);
                goto out;
            }
            break;
        case OPT_INLINE:
            if (!strchr(value, ':')) {
                status = usage_error("--inline needs FILE:CID, not", value);
                goto out;
            }
            break;
        case OPT_TEXT: case OPT_HTML:
            if (strcmp(value, "-") == 0 && stdin_users++) {
                status = usage_error("only one of --text and --html can read stdin", NULL);
                goto out;
            }
            break;
        default:
            break;
        }
        if (def->id != OPT_SMTPUTF8 && def->id != OPT_8BIT)
            actions[n_actions++] = (action){def, value};
    }

    mailbuild_options opts;
    mailbuild_options_init(&opts);
    opts.flags = flags;
    mailbuild_message *m = NULL;
    int rc = mailbuild_message_new(&opts, &m);
    if (rc) {
        fprintf(stderr, PROG ": %s\n", mailbuild_strerror(rc));
        status = EXIT_BAD_INPUT;
        goto out;
    }
    for (size_t i = 0; i < n_actions && status == 0; i++)
        status = run_action(m, &actions[i]);
    if (status == 0) {
        rc = mailbuild_write(m, write_stdout, stdout);
        if (rc == 0 && fflush(stdout) != 0)
            rc = MAILBUILD_E_WRITE;
        if (rc) {
            fprintf(stderr, PROG ": writing the message: %s\n", mailbuild_strerror(rc));
            status = EXIT_BAD_INPUT;
        }
    }
    mailbuild_message_free(m);
out:
    free(actions);
    return status;
}
