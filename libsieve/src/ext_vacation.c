/* ext_vacation.c — the vacation action (RFC 5230) and its :seconds parameter (RFC 6131): the
 * response period and its bounds (§4.1), response tracking through the caller's duplicate
 * store (§4.2), the rules on when not to reply (§4.5, §4.6, §5; RFC 3834 §2), and the reply
 * itself (§4.3, §4.4; RFC 3834 §3, §5) built with libmailbuild. */
#include "outgoing.h"

#include "lm_alloc.h"
#include "lm_ascii.h"
#include "lm_buf.h"
#include "lm_utf8.h"

#include <stdio.h>
#include <string.h>

#define DAY 86400u
#define DEFAULT_PERIOD (7u * DAY)   /* RFC 5230 §4.1: :days defaults to 7 */
#define MAX_MIN_PERIOD (7u * DAY)   /* a site's minimum is at most 7 days */
#define DEFAULT_MAX_PERIOD (60u * DAY)
#define MIN_MAX_PERIOD (30u * DAY)  /* a site's maximum is at least 30 days */
#define MAX_MIME_DEPTH 16           /* multipart levels of a :mime reason */

/* ---- the response period ---------------------------------------------------------------- */

/* RFC 5230 §4.1 and RFC 6131 §2: the script's period within the site's bounds. */
static uint64_t vacation_period(const sieve_run_options *o, const sv_args *a)
{
    uint64_t min = o->vacation_min_period < MAX_MIN_PERIOD ? o->vacation_min_period : MAX_MIN_PERIOD;
    uint64_t max = o->vacation_max_period ? o->vacation_max_period : DEFAULT_MAX_PERIOD;
    if (max < MIN_MAX_PERIOD)
        max = MIN_MAX_PERIOD;
    uint64_t p = o->vacation_default_period ? o->vacation_default_period : DEFAULT_PERIOD;
    const sv_value *v;
    if ((v = sv_args_tag(a, SV_TAG_VACATION_SECONDS))) {
        p = v->number;
    } else if ((v = sv_args_tag(a, SV_TAG_DAYS))) {
        p = v->number > max / DAY ? max : v->number * DAY;
        if (min < DAY)
            min = DAY; /* :days counts whole days: at least one */
    }
    if (p < min)
        p = min;
    return p > max ? max : p;
}

/* ---- addresses ---------------------------------------------------------------------------- */

static int addr_eq(const char *a, const char *b)
{
    size_t n = strlen(b);
    return a && strlen(a) == n && lm_strncasecmp(a, b, n) == 0;
}

typedef struct vacation {
    sv_run *r;
    const sv_args *a;
    sv_str *addresses;         /* :addresses, expanded */
    size_t naddresses;
    const char *sender;        /* the address replied to */
    const char *to, *to_name;  /* the address the To of the reply names (NULL: the sender),
                                * and its display name in the message, or NULL */
    const char *recipient;     /* the user's address the message was sent to, or NULL */
} vacation;

/* Non-zero when `addr` is one of the user's: the envelope recipient, the configured
 * addresses, :addresses, and the original recipient when the site says so. */
static int is_user_address(const vacation *va, const char *addr)
{
    const sv_run *r = va->r;
    if (addr_eq(addr, r->env->to ? r->env->to : ""))
        return 1;
    if (r->opts->vacation_use_orig_recipient && addr_eq(addr, r->env->orig_to ? r->env->orig_to : ""))
        return 1;
    for (const char *const *u = r->opts->user_addresses; u && *u; u++)
        if (addr_eq(addr, *u))
            return 1;
    for (size_t i = 0; i < va->naddresses; i++)
        if (addr_eq(addr, va->addresses[i].s))
            return 1;
    return 0;
}

/* Calls back for each address of each top-level field named `name`; stops at non-zero. */
typedef int (*each_addr_fn)(vacation *va, const mailparse_address *ad);

static int each_address(vacation *va, const char *name, each_addr_fn fn)
{
    const mailparse_header *h;
    for (long nth = 0; (h = mailparse_part_header(va->r->msg, 0, name, nth)); nth++) {
        if (!h->addresses)
            continue;
        for (size_t i = 0; i < h->addresses->count; i++) {
            const mailparse_address *ad = &h->addresses->items[i];
            if (ad->address) {
                int rc = fn(va, ad);
                if (rc)
                    return rc;
            }
        }
    }
    return 0;
}

static int find_recipient(vacation *va, const mailparse_address *ad)
{
    if (!is_user_address(va, ad->address))
        return 0;
    va->recipient = ad->address;
    return 1;
}

static int find_sender_name(vacation *va, const mailparse_address *ad)
{
    if (!addr_eq(ad->address, va->sender) || !ad->name || !*ad->name)
        return 0;
    va->to_name = ad->name;
    return 1;
}

static int first_named(vacation *va, const mailparse_address *ad)
{
    va->to = ad->address;
    va->to_name = ad->name && *ad->name ? ad->name : NULL;
    return 1;
}

static int first_address(vacation *va, const mailparse_address *ad)
{
    va->sender = ad->address;
    return 1;
}

/* RFC 5230 §4.6 and §5: addresses of automated processes and list managers. */
static int is_system_sender(const char *addr)
{
    const char *at = strrchr(addr, '@');
    size_t n = at ? (size_t)(at - addr) : strlen(addr);
    static const char *const names[] = {"mailer-daemon", "listserv", "majordomo", "postmaster"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (lm_eq_nocase(addr, n, names[i]))
            return 1;
    return (n >= 6 && lm_strncasecmp(addr, "owner-", 6) == 0) ||
           (n >= 8 && lm_strncasecmp(addr + n - 8, "-request", 8) == 0);
}

/* Non-zero when the value of the top-level field `name` holds `word` (a comma- or
 * space-separated token, case ignored). */
static int field_has_token(const sv_run *r, const char *name, const char *word)
{
    const mailparse_header *h = mailparse_part_header(r->msg, 0, name, 0);
    if (!h || !h->text)
        return 0;
    size_t wl = strlen(word);
    const char *p = h->text, *end = h->text + h->text_len;
    while (p < end) {
        while (p < end && (*p == ',' || lm_is_space((unsigned char)*p)))
            p++;
        const char *s = p;
        while (p < end && *p != ',' && *p != ';' && !lm_is_space((unsigned char)*p))
            p++;
        if ((size_t)(p - s) == wl && lm_strncasecmp(s, word, wl) == 0)
            return 1;
        while (p < end && *p == ';')  /* parameters of the value */
            while (p < end && *p != ',')
                p++;
    }
    return 0;
}

/* Why no reply may go (RFC 5230 §4.5, §4.6, §5; RFC 3834 §2), or NULL to reply. */
static const char *reason_not_to_reply(vacation *va)
{
    sv_run *r = va->r;
    if (!va->sender)
        return "the message has no sender address";
    if (!*va->sender)
        return "the sender is the null reverse-path";
    const char *at = strrchr(va->sender, '@');
    if (!at || at == va->sender || !at[1] || !lm_utf8_valid(va->sender, strlen(va->sender)))
        return "the sender address is not valid";
    for (const char *p = va->sender; *p; p++)
        if ((unsigned char)*p <= ' ' || *p == 0x7f || *p == '<' || *p == '>')
            return "the sender address is not valid";
    if (is_user_address(va, va->sender))
        return "the sender is the user";
    if (is_system_sender(va->sender))
        return "the sender is a system address (MAILER-DAEMON, owner-, -request …)";
    if (sv_outgoing_auto_submitted(r->msg))
        return "the message is auto-submitted";
    static const char *const list_fields[] = {"list-id", "list-help", "list-subscribe",
                                              "list-unsubscribe", "list-post", "list-owner",
                                              "list-archive"};
    for (size_t i = 0; i < sizeof list_fields / sizeof list_fields[0]; i++)
        if (mailparse_part_header(r->msg, 0, list_fields[i], 0))
            return "the message comes from a mailing list";
    if (field_has_token(r, "precedence", "bulk") || field_has_token(r, "precedence", "list") ||
        field_has_token(r, "precedence", "junk"))
        return "the message is bulk mail";
    if (field_has_token(r, "x-auto-response-suppress", "all") ||
        field_has_token(r, "x-auto-response-suppress", "oof"))
        return "the sender asked for no automatic replies";
    static const char *const rcpt_fields[] = {"to", "cc", "bcc", "resent-to", "resent-cc",
                                              "resent-bcc"};
    for (size_t i = 0; i < sizeof rcpt_fields / sizeof rcpt_fields[0] && !va->recipient; i++)
        each_address(va, rcpt_fields[i], find_recipient);
    if (!va->recipient && !r->opts->vacation_dont_check_recipient)
        return "none of the user's addresses is a recipient in the message";
    return NULL;
}

/* ---- the reply ---------------------------------------------------------------------------- */

/* A part of a :mime reason copied into the reply (RFC 5230 §4.4). */
static int mime_part(mailbuild_message *mb, const mailparse_message *pm, size_t id, int depth,
                     mailbuild_part **out)
{
    const mailparse_part *p = mailparse_message_part(pm, id);
    if (!p || depth > MAX_MIME_DEPTH)
        return MAILBUILD_E_LIMIT;
    const mailparse_content_type *ct = p->content_type;
    char type[160];
    snprintf(type, sizeof type, "%s/%s", ct->type ? ct->type : "text",
             ct->subtype ? ct->subtype : "plain");
    int rc;
    if (p->kind == MAILPARSE_PART_MULTIPART) {
        if ((rc = mailbuild_multipart_new(mb, ct->subtype ? ct->subtype : "mixed", out)))
            return rc;
        for (size_t i = 0; i < p->child_count; i++) {
            mailbuild_part *c;
            if ((rc = mime_part(mb, pm, p->children[i], depth + 1, &c)) ||
                (rc = mailbuild_part_append(*out, c)))
                return rc;
        }
        return 0;
    }
    if (p->kind == MAILPARSE_PART_TEXT || p->kind == MAILPARSE_PART_HTML)
        rc = mailbuild_part_new(mb, type, (const unsigned char *)(p->text ? p->text : ""),
                                p->text_len, out);
    else if (p->kind == MAILPARSE_PART_MESSAGE) {
        size_t len;
        const unsigned char *raw = mailparse_message_raw(pm, &len);
        size_t b = p->offset_body < len ? p->offset_body : len;
        size_t e = p->offset_end < len && p->offset_end > b ? p->offset_end : len;
        rc = mailbuild_part_new(mb, type, raw + b, e - b, out);
    } else
        rc = mailbuild_part_new(mb, type, p->body, p->body_len, out);
    for (size_t i = 0; !rc && i < ct->param_count; i++)
        if (strcmp(ct->params[i].name, "charset") && strcmp(ct->params[i].name, "boundary"))
            rc = mailbuild_part_set_param(*out, ct->params[i].name, ct->params[i].value);
    if (!rc && p->disposition && p->disposition->type)
        rc = mailbuild_part_set_disposition(*out, p->disposition->type);
    return rc;
}

static int set_mime_body(mailbuild_message *mb, const sv_str *reason)
{
    mailparse_message *pm = NULL;
    int rc = mailparse_parse((const unsigned char *)reason->s, reason->len, NULL, &pm);
    if (rc)
        return rc == MAILPARSE_E_NOMEM ? MAILBUILD_E_NOMEM : MAILBUILD_E_INVAL;
    mailbuild_part *root;
    rc = mime_part(mb, pm, 0, 0, &root);
    if (!rc)
        rc = mailbuild_set_body(mb, root);
    mailparse_message_free(pm);
    return rc;
}

typedef struct reply_parts {
    const sv_str *from;        /* :from, or NULL */
    const char *subject;
    const sv_str *reason;
    int mime;
    uint64_t seed;
} reply_parts;

/* Printable ASCII without the characters `bad` (and without spaces when `no_space`). */
static int plain_ascii(const char *s, const char *bad, int no_space)
{
    for (; *s; s++)
        if ((unsigned char)*s < ' ' || (unsigned char)*s >= 0x7f || (no_space && *s == ' ') ||
            strchr(bad, *s))
            return 0;
    return 1;
}

/* To: the name quoted and the address in angle brackets, the way common auto-responders
 * (and Pigeonhole's tests) write it; names or addresses that need encoding go through
 * mailbuild_add_address(). */
static int add_to(mailbuild_message *mb, const char *name, const char *addr)
{
    if (!plain_ascii(addr, "<>\"(),;:\\[]", 1) || (name && !plain_ascii(name, "", 0)))
        return mailbuild_add_address(mb, "To", name, addr);
    lm_buf b = LM_BUF_INIT;
    if (name) {
        lm_buf_put_quoted(&b, name);
        lm_buf_putc(&b, ' ');
    }
    lm_buf_putc(&b, '<');
    lm_buf_puts(&b, addr);
    lm_buf_putc(&b, '>');
    int rc = b.oom ? MAILBUILD_E_NOMEM : mailbuild_add_raw_header(mb, "To", b.data);
    lm_buf_free(&b);
    return rc;
}

static int build_reply(vacation *va, const reply_parts *rp, char **out, size_t *out_len)
{
    sv_run *r = va->r;
    uint64_t seed = rp->seed;
    mailbuild_message *mb = NULL;
    int rc = sv_outgoing_new(r, &seed, &mb);
    if (rc)
        return rc;
    /* From: the user's address the message was sent to (RFC 5230 §4.5 found it), else the
     * envelope recipient. */
    const char *me = va->recipient ? va->recipient : r->env->to && *r->env->to ? r->env->to : NULL;
    if (rp->from)
        rc = sv_outgoing_address(mb, "From", rp->from->s, rp->from->len);
    else if (me)
        rc = mailbuild_add_address(mb, "From", NULL, me);
    if (!rc)
        rc = add_to(mb, va->to_name, va->to ? va->to : va->sender);
    if (!rc)
        rc = mailbuild_set_subject(mb, rp->subject);
    const char *id = mailparse_message_id(r->msg);
    if (!rc && id && *id) {
        /* RFC 3834 §3.1.5 / RFC 5322 §3.6.4: the thread of the original. Ids that do not
         * parse as msg-ids are left out rather than fail the reply. */
        mailbuild_add_message_id(mb, "In-Reply-To", id);
        const mailparse_header *h = mailparse_part_header(r->msg, 0, "references", 0);
        if (!h)
            h = mailparse_part_header(r->msg, 0, "in-reply-to", 0);
        for (size_t i = 0; h && h->list && i < h->list->count; i++)
            mailbuild_add_message_id(mb, "References", h->list->items[i]);
        mailbuild_add_message_id(mb, "References", id);
    }
    if (!rc)
        rc = mailbuild_add_raw_header(mb, "Auto-Submitted", "auto-replied");
    if (!rc)
        rc = rp->mime ? set_mime_body(mb, rp->reason)
                      : mailbuild_set_text(mb, rp->reason->s, rp->reason->len, NULL);
    if (!rc)
        rc = mailbuild_to_buffer(mb, out, out_len);
    mailbuild_message_free(mb);
    return rc;
}

/* ---- the command ------------------------------------------------------------------------- */

static int check_address(sv_vctx *v, const sv_str *s, const char *what)
{
    if (sv_string_has_variables(s->s, s->len))
        return 0;
    mailparse_values *vals = NULL;
    const mailparse_address_list *l = NULL;
    if (mailparse_values_new(&vals))
        return SIEVE_E_NOMEM;
    int rc = mailparse_parse_addresses(vals, s->s, s->len, NULL, NULL, &l);
    int ok = !rc && l && l->count == 1 && l->items[0].address &&
             strchr(l->items[0].address, '@') && l->items[0].address[0] != '@';
    mailparse_values_free(vals);
    if (rc == MAILPARSE_E_NOMEM)
        return SIEVE_E_NOMEM;
    if (!ok)
        return sv_vctx_error(v, s->pos, "invalid %s address \"%s\"", what, s->s);
    return 0;
}

static int validate_vacation(sv_vctx *v, const sv_args *a)
{
    const sv_value *x;
    int rc;
    if ((x = sv_args_tag(a, SV_TAG_FROM)) && (rc = check_address(v, &x->strs[0], ":from")))
        return rc;
    if ((x = sv_args_tag(a, SV_TAG_ADDRESSES)))
        for (size_t i = 0; i < x->count; i++)
            if ((rc = check_address(v, &x->strs[i], ":addresses")))
                return rc;
    return sv_fcc_validate(v, a);
}

/* Expands the string of tag `t` into *out; *out->s is NULL when the tag is absent. */
static int tag_string(sv_run *r, const sv_args *a, int t, sv_str *out)
{
    const sv_value *x = sv_args_tag(a, t);
    memset(out, 0, sizeof *out);
    return x ? sv_run_string(r, &x->strs[0], out) : 0;
}

/* The site's subject template with "%{subject}" or "%s" made `subject` and "%%" a "%"; any
 * other "%" stays as written. */
static void subject_template(const char *t, const char *subject, lm_buf *out)
{
    while (*t) {
        if (t[0] == '%' && t[1] == '%') {
            lm_buf_putc(out, '%');
            t += 2;
        } else if (t[0] == '%' && t[1] == 's') {
            lm_buf_puts(out, subject);
            t += 2;
        } else if (strncmp(t, "%{subject}", 10) == 0) {
            lm_buf_puts(out, subject);
            t += 10;
        } else {
            lm_buf_putc(out, *t++);
        }
    }
}

/* The subject of a reply without :subject: the site's template or subject, else RFC 5230
 * §4.3's "Auto: " and the original subject (not twice), or a plain one when it has none. */
static void default_subject(sv_run *r, lm_buf *out)
{
    const char *orig = mailparse_message_subject(r->msg);
    const sieve_run_options *o = r->opts;
    if (o->vacation_subject_template && *o->vacation_subject_template)
        subject_template(o->vacation_subject_template, orig ? orig : "", out);
    else if (o->vacation_default_subject && *o->vacation_default_subject)
        lm_buf_puts(out, o->vacation_default_subject);
    else if (!orig || !*orig)
        lm_buf_puts(out, "Automated reply");
    else if (lm_strncasecmp(orig, "Auto:", 5) == 0)
        lm_buf_puts(out, orig);
    else {
        lm_buf_puts(out, "Auto: ");
        lm_buf_puts(out, orig);
    }
}

static int add_number_param(sv_run *r, const char *name, uint64_t n)
{
    char buf[24];
    int len = snprintf(buf, sizeof buf, "%llu", (unsigned long long)n);
    return sv_result_param(r, name, buf, (size_t)len);
}

/* The tracking handle (RFC 5230 §4.2): :handle, or one derived from the arguments that make
 * the reply, so that a different reply is tracked apart. */
static const char *handle_of(sv_run *r, const sv_str *handle, const sv_str *subject,
                             const sv_str *from, const sv_str *reason, int mime, uint64_t *hash)
{
    uint64_t h = 0xcbf29ce484222325ull;
    h = sv_outgoing_hash(h, subject->s ? subject->s : "", subject->len);
    h = sv_outgoing_hash(h, from->s ? from->s : "", from->len);
    h = sv_outgoing_hash(h, mime ? "mime" : "", mime ? 4 : 0);
    h = sv_outgoing_hash(h, reason->s, reason->len);
    *hash = h;
    if (handle->s)
        return handle->s;
    char buf[32];
    snprintf(buf, sizeof buf, "default-%016llx", (unsigned long long)h);
    return lm_arena_strndup(r->arena, buf, strlen(buf));
}

static int run_vacation(sv_run *r, const sv_args *a)
{
    for (size_t i = 0; i < r->result->count; i++) {
        int t = r->result->actions[i].type;
        if (t == SIEVE_ACTION_VACATION)
            return sv_run_error(r, a->pos, "only one vacation action is allowed");
        if (t == SIEVE_ACTION_REJECT || t == SIEVE_ACTION_EREJECT)
            return sv_run_error(r, a->pos, "vacation cannot be combined with reject");
    }
    sv_str reason, subject, from, handle;
    int rc;
    if ((rc = sv_run_string(r, &a->positional[0].strs[0], &reason)) ||
        (rc = tag_string(r, a, SV_TAG_SUBJECT, &subject)) ||
        (rc = tag_string(r, a, SV_TAG_FROM, &from)) ||
        (rc = tag_string(r, a, SV_TAG_VACATION_HANDLE, &handle)))
        return rc;
    int mime = sv_args_tag(a, SV_TAG_VACATION_MIME) != NULL;
    vacation va = {.r = r, .a = a};
    const sv_value *addrs = sv_args_tag(a, SV_TAG_ADDRESSES);
    if (addrs) {
        va.naddresses = addrs->count;
        if (!(va.addresses = lm_arena_calloc(r->arena, addrs->count + 1, sizeof *va.addresses)))
            return SIEVE_E_NOMEM;
        for (size_t i = 0; i < addrs->count; i++)
            if ((rc = sv_run_string(r, &addrs->strs[i], &va.addresses[i])))
                return rc;
    }
    if (from.s && !from.len)
        from.s = NULL; /* an empty :from is no :from */
    /* The Subject: the script's (encoded words it wrote decoded), or the default; on one
     * line and bounded. */
    lm_buf sb = LM_BUF_INIT, raw = LM_BUF_INIT;
    if (subject.s && subject.len)
        rc = sv_outgoing_subject(subject.s, subject.len, 1, &sb);
    else {
        default_subject(r, &raw);
        rc = raw.oom ? SIEVE_E_NOMEM : sv_outgoing_subject(raw.data ? raw.data : "", raw.len, 0, &sb);
    }
    char *subj = rc ? NULL : lm_arena_strndup(r->arena, sb.data ? sb.data : "", sb.len);
    lm_buf_free(&sb);
    lm_buf_free(&raw);
    if (!subj)
        return rc ? rc : SIEVE_E_NOMEM;
    uint64_t period = vacation_period(r->opts, a);
    uint64_t hash;
    const char *hd = handle_of(r, &handle, &subject, &from, &reason, mime, &hash);
    if (!hd)
        return SIEVE_E_NOMEM;

    /* The reply goes to the envelope sender (RFC 5230 §4.5); without an envelope, to the
     * message's Return-Path, Sender or From. */
    va.sender = r->env->from;
    static const char *const sender_fields[] = {"return-path", "sender", "from"};
    for (size_t i = 0; !va.sender && i < sizeof sender_fields / sizeof sender_fields[0]; i++)
        each_address(&va, sender_fields[i], first_address);
    const char *skip = reason_not_to_reply(&va);
    if (!skip && r->cb->duplicate) {
        lm_buf key = LM_BUF_INIT;
        lm_buf_puts(&key, "vacation:");
        lm_buf_puts(&key, hd);
        if (key.oom) {
            lm_buf_free(&key);
            return SIEVE_E_NOMEM;
        }
        int seen = r->cb->duplicate(r->cb->user, key.data, va.sender, period, 1);
        lm_buf_free(&key);
        if (seen > 0)
            skip = "a reply was sent to this sender within the response period";
    }
    if (r->opts->vacation_to_header_ignore_envelope) {
        /* The To names who the message says sent it (RFC 5322 §3.6.2), whatever the
         * envelope says. */
        static const char *const author_fields[] = {"sender", "resent-from", "from"};
        for (size_t i = 0; !va.to && i < sizeof author_fields / sizeof author_fields[0]; i++)
            each_address(&va, author_fields[i], first_named);
    }
    if (va.sender && !va.to) {
        static const char *const name_fields[] = {"reply-to", "from", "sender"};
        for (size_t i = 0; !va.to_name && i < sizeof name_fields / sizeof name_fields[0]; i++)
            each_address(&va, name_fields[i], find_sender_name);
    }

    char *message = NULL;
    size_t message_len = 0;
    if (!skip) {
        reply_parts rp = {from.s ? &from : NULL, subj, &reason, mime,
                          hash ^ (uint64_t)sv_run_now(r) ^
                              sv_outgoing_hash(0, va.sender, strlen(va.sender))};
        rc = build_reply(&va, &rp, &message, &message_len);
        if (rc == MAILBUILD_E_NOMEM)
            return SIEVE_E_NOMEM;
        if (rc)
            return sv_run_error(r, a->pos, "cannot build the vacation reply: %s",
                                mailbuild_strerror(rc));
    }
    const char *to = va.sender ? va.sender : "";
    rc = sv_result_add(r, SIEVE_ACTION_VACATION, to, strlen(to), NULL, 0, a->pos);
    if (!rc)
        rc = sv_result_param(r, "to", to, strlen(to));
    if (!rc && from.s)
        rc = sv_result_param(r, "from", from.s, from.len);
    if (!rc)
        rc = sv_result_param(r, "subject", subj, strlen(subj));
    if (!rc)
        rc = sv_result_param(r, "reason", reason.s, reason.len);
    if (!rc && mime)
        rc = sv_result_param(r, "mime", "yes", 3);
    if (!rc)
        rc = sv_result_param(r, "handle", hd, strlen(hd));
    if (!rc)
        rc = add_number_param(r, "seconds", period);
    if (!rc && !sv_args_tag(a, SV_TAG_VACATION_SECONDS))
        rc = add_number_param(r, "days", period / DAY);
    if (!rc)
        rc = message ? sv_result_param(r, "message", message, message_len)
                     : sv_result_param(r, "skipped", skip, strlen(skip));
    if (!rc)
        rc = sv_fcc_params(r, a);
    mailbuild_free(message);
    return rc;
}

static const uint8_t vacation_tags[] = {
    SV_TAG_DAYS, SV_TAG_VACATION_SECONDS, SV_TAG_SUBJECT, SV_TAG_FROM, SV_TAG_ADDRESSES,
    SV_TAG_VACATION_MIME, SV_TAG_VACATION_HANDLE, SV_TAG_FCC, SV_TAG_FLAGS, SV_TAG_CREATE,
    SV_TAG_SPECIALUSE, SV_TAG_MAILBOXID, SV_TAG_COUNT_};

static const sv_cmd_def vacation_commands[] = {
    {"vacation", SV_KIND_COMMAND, SV_CTL_NONE, 1, {SV_T_STRING}, vacation_tags,
     validate_vacation, run_vacation},
};
const sv_ext_def sv_ext_vacation = {"vacation", vacation_commands, 1};
/* RFC 6131: allows :seconds on vacation (the tag names the extension). */
const sv_ext_def sv_ext_vacation_seconds = {"vacation-seconds", NULL, 0};
