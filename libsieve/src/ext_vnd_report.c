/* ext_vnd_report.c — vnd.dovecot.report (Pigeonhole's vendor extension, after
 * draft-ietf-sieve-report): `report [:headers_only] <feedback-type> <message> <address>`
 * sends an abuse feedback report about the message (RFC 5965: multipart/report with a
 * message/feedback-report part) to <address>; the library builds it and the caller sends it
 * (sieve.h, SIEVE_ACTION_REPORT). */
#include "engine.h"
#include "outgoing.h"

#include "lm_alloc.h"

#include <string.h>

/* RFC 5965 §3.5: a feedback type is a MIME token (RFC 2045 §5.1): printable ASCII without
 * space and tspecials. */
static int feedback_type_ok(const char *s, size_t len)
{
    if (!len)
        return 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c <= 0x20 || c >= 0x7f || strchr("()<>@,;:\\\"/[]?=", c))
            return 0;
    }
    return 1;
}

static int validate_report(sv_vctx *v, const sv_args *a)
{
    const sv_str *type = &a->positional[0].strs[0], *to = &a->positional[2].strs[0];
    if (!sv_string_has_variables(type->s, type->len) && !feedback_type_ok(type->s, type->len))
        return sv_vctx_error(v, type->pos, "report: invalid feedback type \"%s\"", type->s);
    if (sv_string_has_variables(to->s, to->len))
        return 0;
    lm_buf addr = LM_BUF_INIT;
    int rc = sv_redirect_address(to->s, to->len, &addr);
    lm_buf_free(&addr);
    if (rc == SIEVE_E_SYNTAX)
        return sv_vctx_error(v, to->pos, "report: invalid address \"%s\"", to->s);
    return rc;
}

/* The address the report comes from: sieve_run_options.report_from, else the postmaster of
 * the user's domain (the envelope recipient's, else of the first of the user's addresses);
 * NULL when no domain is known. */
static const char *report_from(sv_run *r)
{
    if (r->opts->report_from && *r->opts->report_from)
        return r->opts->report_from;
    const char *user = sv_outgoing_user(r), *at = user ? strrchr(user, '@') : NULL;
    if (!at || !at[1])
        return NULL;
    size_t n = strlen(at);
    char *s = lm_arena_alloc(r->arena, n + 11);
    if (s) {
        memcpy(s, "postmaster", 10);
        memcpy(s + 10, at, n + 1);
    }
    return s;
}

/* The user the report is made for (Dovecot-Reporting-User): the first of the user's addresses,
 * else the envelope recipient; NULL when neither is known. */
static const char *reporting_user(const sv_run *r)
{
    const char *const *own = r->opts->user_addresses;
    if (own && own[0] && *own[0])
        return own[0];
    return r->env->to && *r->env->to ? r->env->to : NULL;
}

/* Appends "Name: <address>" CRLF of an envelope address to the feedback fields, when known. */
static void put_path_field(lm_buf *b, const char *name, const char *addr)
{
    if (!addr)
        return;
    lm_buf_puts(b, name);
    lm_buf_puts(b, ": <");
    for (const char *p = addr; *p; p++)
        if (*p != '\r' && *p != '\n')
            lm_buf_putc(b, *p);
    lm_buf_puts(b, ">\r\n");
}

/* The machine-readable part (RFC 5965 §3.1-3.2). */
static int feedback_fields(const sv_run *r, const char *type, lm_buf *b)
{
    lm_buf_puts(b, "Version: 1\r\nFeedback-Type: ");
    lm_buf_puts(b, type);
    lm_buf_puts(b, "\r\nUser-Agent: libmail-sieve/");
    lm_buf_puts(b, sieve_version());
    lm_buf_puts(b, "\r\n");
    put_path_field(b, "Original-Mail-From", r->env->from);
    put_path_field(b, "Original-Rcpt-To", r->env->orig_to ? r->env->orig_to : r->env->to);
    put_path_field(b, "Dovecot-Reporting-User", reporting_user(r));
    return b->oom ? SIEVE_E_NOMEM : 0;
}

/* What a report is made of. */
typedef struct report {
    const char *type, *text, *to, *from;
    int headers_only;
} report;

/* The parts: the text, the feedback fields, the message (or its header). A MAILBUILD_E_*. */
static int report_body(sv_run *r, mailbuild_message *mb, const report *rp, const lm_buf *fields)
{
    size_t len;
    const unsigned char *raw = mailparse_message_raw(r->msg, &len);
    const mailparse_part *top = mailparse_message_part(r->msg, 0);
    if (rp->headers_only && top && top->offset_body <= len)
        len = top->offset_body;
    mailbuild_part *root, *text, *fb, *orig;
    int rc = mailbuild_multipart_new(mb, "report", &root);
    if (!rc)
        rc = mailbuild_part_set_param(root, "report-type", "feedback-report");
    if (!rc && !(rc = mailbuild_part_new(mb, "text/plain", (const unsigned char *)rp->text,
                                         strlen(rp->text), &text)))
        rc = mailbuild_part_append(root, text);
    if (!rc && !(rc = mailbuild_part_new(mb, "message/feedback-report",
                                         (const unsigned char *)fields->data, fields->len, &fb)))
        rc = mailbuild_part_append(root, fb);
    if (!rc && !(rc = mailbuild_part_new(mb, rp->headers_only ? "text/rfc822-headers"
                                                              : "message/rfc822", raw, len, &orig)))
        rc = mailbuild_part_append(root, orig);
    return rc ? rc : mailbuild_set_body(mb, root);
}

/* The whole report message. A MAILBUILD_E_* code. */
static int build_report(sv_run *r, const report *rp, uint64_t seed, char **out, size_t *out_len)
{
    lm_buf fields = LM_BUF_INIT, subject = LM_BUF_INIT;
    if (feedback_fields(r, rp->type, &fields)) {
        lm_buf_free(&fields);
        return MAILBUILD_E_NOMEM;
    }
    mailbuild_message *mb = NULL;
    int rc = sv_outgoing_new(r, &seed, &mb);
    if (!rc)
        rc = mailbuild_add_address(mb, "From", NULL, rp->from);
    if (!rc)
        rc = mailbuild_add_address(mb, "To", NULL, rp->to);
    if (!rc) {
        const mailparse_header *h = mailparse_part_header(r->msg, 0, "Subject", 0);
        const char *orig = h && h->text ? h->text : "";
        lm_buf_puts(&subject, "Report: ");
        lm_buf_puts(&subject, orig);
        lm_buf text = LM_BUF_INIT;
        rc = subject.oom || sv_outgoing_subject(subject.data, subject.len, 0, &text)
             ? MAILBUILD_E_NOMEM : mailbuild_set_subject(mb, text.data ? text.data : "");
        lm_buf_free(&text);
    }
    if (!rc)
        rc = mailbuild_add_raw_header(mb, "Auto-Submitted", "auto-generated (report)");
    if (!rc)
        rc = report_body(r, mb, rp, &fields);
    if (!rc)
        rc = mailbuild_to_buffer(mb, out, out_len);
    mailbuild_message_free(mb);
    lm_buf_free(&fields);
    lm_buf_free(&subject);
    return rc;
}

static int run_report(sv_run *r, const sv_args *a)
{
    sv_str type, text, to;
    int rc = sv_run_string(r, &a->positional[0].strs[0], &type);
    if (!rc)
        rc = sv_run_string(r, &a->positional[1].strs[0], &text);
    if (!rc)
        rc = sv_run_string(r, &a->positional[2].strs[0], &to);
    if (rc)
        return rc;
    if (!feedback_type_ok(type.s, type.len))
        return sv_run_error(r, a->pos, "report: invalid feedback type \"%s\"", type.s);
    lm_buf addr = LM_BUF_INIT;
    rc = sv_redirect_address(to.s, to.len, &addr);
    char *target = rc ? NULL : lm_arena_strndup(r->arena, addr.data, addr.len);
    lm_buf_free(&addr);
    if (rc == SIEVE_E_SYNTAX)
        return sv_run_error(r, a->pos, "report: invalid address \"%s\"", to.s);
    if (rc || !target)
        return rc ? rc : SIEVE_E_NOMEM;
    report rp = {type.s, text.s, target, report_from(r), sv_args_tag(a, SV_TAG_HEADERS_ONLY) != 0};
    if (!rp.from)
        return sv_run_error(r, a->pos, "report: no sender address is known (no envelope "
                            "recipient, user address or report_from)");
    uint64_t seed = sv_outgoing_hash(sv_outgoing_hash((uint64_t)sv_run_now(r), type.s, type.len),
                                     target, strlen(target));
    char *mail = NULL;
    size_t len = 0;
    rc = build_report(r, &rp, seed, &mail, &len);
    if (rc == MAILBUILD_E_NOMEM)
        return SIEVE_E_NOMEM;
    if (rc)
        return sv_run_error(r, a->pos, "report: cannot build the report: %s",
                            mailbuild_strerror(rc));
    rc = sv_result_add(r, SIEVE_ACTION_REPORT, target, strlen(target), NULL, 0, a->pos);
    if (!rc)
        rc = sv_result_param(r, "feedback_type", type.s, type.len);
    if (!rc)
        rc = sv_result_param(r, "message", text.s, text.len);
    if (!rc)
        rc = sv_result_param(r, "from", rp.from, strlen(rp.from));
    if (!rc && rp.headers_only)
        rc = sv_result_param(r, "headers_only", "yes", 3);
    if (!rc)
        rc = sv_result_param(r, "mail", mail, len);
    mailbuild_free(mail);
    return rc;
}

static const uint8_t report_tags[] = {SV_TAG_HEADERS_ONLY, SV_TAG_COUNT_};

static const sv_cmd_def report_commands[] = {
    {"report", SV_KIND_COMMAND, SV_CTL_NONE, 3, {SV_T_STRING, SV_T_STRING, SV_T_STRING},
     report_tags, validate_report, run_report},
};
const sv_ext_def sv_ext_vnd_report = {"vnd.dovecot.report", report_commands, 1};
