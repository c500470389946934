/* test_ext_vacation.c — vacation (RFC 5230) and vacation-seconds (RFC 6131): the response
 * period and its bounds, the rules on when not to reply, tracking through the duplicate
 * callback, the reply built with libmailbuild, and :fcc (RFC 8580) on it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "sieve_script_run.h"

#include "mailparse.h"

#define V "require \"vacation\";\n"
#define VS "require [\"vacation\", \"vacation-seconds\"];\n"

static const char personal[] =
    "From: \"Alice Example\" <alice@example.com>\r\n"
    "To: Bob <bob@example.org>\r\n"
    "Subject: Lunch?\r\n"
    "Message-ID: <1234@example.com>\r\n"
    "References: <1000@example.com> <1100@example.com>\r\n"
    "\r\n"
    "Shall we?\r\n";

static const sieve_envelope env_alice = {.struct_size = sizeof(sieve_envelope),
                                         .from = "alice@example.com", .to = "bob@example.org"};

/* The result of one vacation run on `msg` (the personal message when NULL) and `env`. */
static sieve_result *vac(const char *script, const char *msg, const sieve_envelope *env)
{
    sieve_result *r = NULL;
    int rc = st_run_result(script, msg ? msg : personal, env ? env : &env_alice, &r);
    if (rc)
        fprintf(stderr, "vac: %s: %s\n", sieve_strerror(rc), st_error);
    assert_int_equal(rc, 0);
    assert_int_equal(sieve_result_count(r), 1);
    int type;
    assert_int_equal(sieve_result_action(r, 0, &type, NULL, NULL, NULL), 0);
    assert_int_equal(type, SIEVE_ACTION_VACATION);
    return r;
}

/* The "skipped" param of a run (NULL when a reply is to go). */
static const char *skipped(const char *script, const char *msg, const sieve_envelope *env)
{
    static char why[256];
    sieve_result *r = vac(script, msg, env);
    const char *s = sieve_result_action_param(r, 0, "skipped");
    if (s) {
        assert_null(sieve_result_action_param(r, 0, "message"));
        snprintf(why, sizeof why, "%s", s);
    } else {
        assert_non_null(sieve_result_action_param(r, 0, "message"));
    }
    sieve_result_free(r);
    return s ? why : NULL;
}

static uint64_t period_of(const char *script)
{
    sieve_result *r = vac(script, NULL, NULL);
    const char *s = sieve_result_action_param(r, 0, "seconds");
    assert_non_null(s);
    uint64_t n = strtoull(s, NULL, 10);
    sieve_result_free(r);
    return n;
}

static void reply_is_built_for_a_personal_message(void **state)
{
    (void)state;
    sieve_result *r = vac(V "vacation \"I am away until Monday.\";", NULL, NULL);
    const char *target;
    assert_int_equal(sieve_result_action(r, 0, NULL, &target, NULL, NULL), 0);
    assert_string_equal(target, "alice@example.com");
    assert_string_equal(sieve_result_action_param(r, 0, "to"), "alice@example.com");
    assert_string_equal(sieve_result_action_param(r, 0, "subject"), "Auto: Lunch?");
    assert_string_equal(sieve_result_action_param(r, 0, "reason"), "I am away until Monday.");
    assert_string_equal(sieve_result_action_param(r, 0, "days"), "7");
    assert_string_equal(sieve_result_action_param(r, 0, "seconds"), "604800");
    assert_null(sieve_result_action_param(r, 0, "from"));
    assert_null(sieve_result_action_param(r, 0, "mime"));
    assert_non_null(strstr(sieve_result_action_param(r, 0, "handle"), "default-"));
    const char *m = sieve_result_action_param(r, 0, "message");
    assert_non_null(m);
    assert_non_null(strstr(m, "From: bob@example.org\r\n"));
    assert_non_null(strstr(m, "To: \"Alice Example\" <alice@example.com>\r\n"));
    assert_non_null(strstr(m, "Subject: Auto: Lunch?\r\n"));
    assert_non_null(strstr(m, "In-Reply-To: <1234@example.com>\r\n"));
    assert_non_null(strstr(m, "References: <1000@example.com> <1100@example.com>"));
    assert_non_null(strstr(m, "<1234@example.com>\r\n"));
    assert_non_null(strstr(m, "Auto-Submitted: auto-replied\r\n"));
    assert_non_null(strstr(m, "Message-ID: <"));
    assert_non_null(strstr(m, "\r\n\r\nI am away until Monday."));
    sieve_result_free(r);
    /* Vacation leaves the implicit keep. */
    assert_string_equal(st_run(V "vacation \"x\";"), "vacation alice@example.com;+keep");
}

static void reply_is_reproducible(void **state)
{
    (void)state;
    sieve_result *a = vac(V "vacation \"x\";", NULL, NULL);
    sieve_result *b = vac(V "vacation \"x\";", NULL, NULL);
    /* The same handle for the same reply (§4.2), and the same bytes when the clock agrees:
     * Date may tick between the runs, the rest may not. */
    assert_string_equal(sieve_result_action_param(a, 0, "handle"),
                        sieve_result_action_param(b, 0, "handle"));
    sieve_result *c = vac(V "vacation \"y\";", NULL, NULL);
    assert_string_not_equal(sieve_result_action_param(a, 0, "handle"),
                            sieve_result_action_param(c, 0, "handle"));
    sieve_result_free(a);
    sieve_result_free(b);
    sieve_result_free(c);
    sieve_result *h = vac(V "vacation :handle \"away\" \"x\";", NULL, NULL);
    assert_string_equal(sieve_result_action_param(h, 0, "handle"), "away");
    sieve_result_free(h);
}

static void subject_from_and_variables(void **state)
{
    (void)state;
    sieve_result *r = vac("require [\"vacation\", \"variables\"];\n"
                          "set \"who\" \"Bob\";\n"
                          "vacation :subject \"Away: ${who}\" :from \"Bob B <bob@example.org>\" "
                          "\"${who} is away\";", NULL, NULL);
    assert_string_equal(sieve_result_action_param(r, 0, "subject"), "Away: Bob");
    assert_string_equal(sieve_result_action_param(r, 0, "from"), "Bob B <bob@example.org>");
    const char *m = sieve_result_action_param(r, 0, "message");
    assert_non_null(strstr(m, "From: Bob B <bob@example.org>\r\n"));
    assert_non_null(strstr(m, "Subject: Away: Bob\r\n"));
    assert_non_null(strstr(m, "Bob is away"));
    sieve_result_free(r);
    /* A subject from a variable stays on one line. */
    r = vac("require [\"vacation\", \"variables\"];\n"
            "set \"s\" text:\nline one\nline two\n.\n;\nvacation :subject \"${s}\" \"x\";", NULL, NULL);
    assert_null(strchr(sieve_result_action_param(r, 0, "subject"), '\n'));
    sieve_result_free(r);
    /* No subject in the original: a plain one. */
    const char *nosubj = "From: alice@example.com\r\nTo: bob@example.org\r\n\r\nhi\r\n";
    r = vac(V "vacation \"x\";", nosubj, NULL);
    assert_string_equal(sieve_result_action_param(r, 0, "subject"), "Automated reply");
    sieve_result_free(r);
}

static void to_names_the_sender(void **state)
{
    (void)state;
    const char *with_sender = "From: \"Stephan Bosch\" <stephan@example.org>\r\n"
                              "Sender: \"Hendrik-Jan Tuinman\" <h.j.tuinman@example.org>\r\n"
                              "Subject: Reply to me\r\nTo: bob@example.org\r\n\r\nFrop\r\n";
    sieve_envelope e = env_alice;
    e.from = "h.j.tuinman@example.org";
    sieve_result *r = vac(V "vacation \"x\";", with_sender, &e);
    assert_non_null(strstr(sieve_result_action_param(r, 0, "message"),
                           "To: \"Hendrik-Jan Tuinman\" <h.j.tuinman@example.org>\r\n"));
    sieve_result_free(r);
    e.from = "arie.aardappel@example.org";
    r = vac(V "vacation \"x\";", with_sender, &e);
    assert_non_null(strstr(sieve_result_action_param(r, 0, "message"),
                           "To: <arie.aardappel@example.org>\r\n"));
    sieve_result_free(r);
    /* A name that needs encoding is encoded. */
    const char *utf8 = "From: \"J\xc3\xb6rg\" <j@example.net>\r\nTo: bob@example.org\r\n\r\nx\r\n";
    e.from = "j@example.net";
    r = vac(V "vacation \"x\";", utf8, &e);
    assert_non_null(strstr(sieve_result_action_param(r, 0, "message"), "=?utf-8?"));
    sieve_result_free(r);
    /* Without an envelope sender, the message's Return-Path, Sender or From. */
    e.from = NULL;
    r = vac(V "vacation \"x\";", with_sender, &e);
    assert_string_equal(sieve_result_action_param(r, 0, "to"), "h.j.tuinman@example.org");
    sieve_result_free(r);
    r = vac(V "vacation \"x\";", personal, &e);
    assert_string_equal(sieve_result_action_param(r, 0, "to"), "alice@example.com");
    sieve_result_free(r);
    /* A hostile envelope sender gets no reply, and nothing is injected. */
    e.from = "x@example.net\r\nBcc: victim@example.com";
    assert_non_null(strstr(skipped(V "vacation \"x\";", with_sender, &e), "not valid"));
    e.from = "nobody";
    assert_non_null(strstr(skipped(V "vacation \"x\";", with_sender, &e), "not valid"));
}

static void mime_reason_becomes_the_body(void **state)
{
    (void)state;
    sieve_result *r = vac(V "vacation :mime text:\n"
                          "Content-Type: text/plain; charset=utf-8\n"
                          "\n"
                          "Je suis absent.\n"
                          ".\n;", NULL, NULL);
    assert_string_equal(sieve_result_action_param(r, 0, "mime"), "yes");
    const char *m = sieve_result_action_param(r, 0, "message");
    assert_non_null(strstr(m, "Content-Type: text/plain"));
    assert_non_null(strstr(m, "Je suis absent."));
    assert_null(strstr(m, "\r\n\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nJe"));
    sieve_result_free(r);
    r = vac(V "vacation :mime text:\n"
            "Content-Type: multipart/alternative; boundary=b\n\n--b\n"
            "Content-Type: text/plain\n\nplain\n--b\nContent-Type: text/html\n\n<p>html</p>\n"
            "--b--\n.\n;", NULL, NULL);
    m = sieve_result_action_param(r, 0, "message");
    assert_non_null(strstr(m, "multipart/alternative"));
    assert_non_null(strstr(m, "plain"));
    assert_non_null(strstr(m, "<p>html</p>"));
    sieve_result_free(r);
}

static void days_are_bounded_as_rfc5230_says(void **state)
{
    (void)state;
    assert_int_equal(period_of(V "vacation :days 3 \"x\";"), 3 * 86400);
    /* At least one day, at most the maximum (60 days by default). */
    assert_int_equal(period_of(V "vacation :days 0 \"x\";"), 86400);
    assert_int_equal(period_of(V "vacation :days 60 \"x\";"), 60 * 86400);
    assert_int_equal(period_of(V "vacation :days 61 \"x\";"), 60 * 86400);
    assert_int_equal(period_of(V "vacation :days 99999999999 \"x\";"), 60 * 86400);
    /* The site's bounds; a minimum past 7 days counts as 7, a maximum under 30 as 30. */
    st_opts.vacation_min_period = 3 * 86400;
    assert_int_equal(period_of(V "vacation :days 2 \"x\";"), 3 * 86400);
    assert_int_equal(period_of(V "vacation :days 3 \"x\";"), 3 * 86400);
    st_opts.vacation_min_period = 8 * 86400;
    assert_int_equal(period_of(V "vacation :days 1 \"x\";"), 7 * 86400);
    st_opts.vacation_min_period = 0;
    st_opts.vacation_max_period = 40 * 86400;
    assert_int_equal(period_of(V "vacation :days 40 \"x\";"), 40 * 86400);
    assert_int_equal(period_of(V "vacation :days 41 \"x\";"), 40 * 86400);
    st_opts.vacation_max_period = 10 * 86400;
    assert_int_equal(period_of(V "vacation :days 31 \"x\";"), 30 * 86400);
    st_opts.vacation_max_period = 0;
    st_opts.vacation_default_period = 2 * 86400;
    assert_int_equal(period_of(V "vacation \"x\";"), 2 * 86400);
    st_opts.vacation_default_period = 0;
}

static void seconds_need_their_extension(void **state)
{
    (void)state;
    assert_int_equal(st_compile_errors(V "vacation :seconds 60 \"x\";"), 1);
    assert_int_equal(st_compile_errors(VS "vacation :seconds 60 \"x\";"), 0);
    assert_int_equal(st_compile_errors(VS "vacation :seconds 60 :days 1 \"x\";"), 1);
    assert_int_equal(period_of(VS "vacation :seconds 60 \"x\";"), 60);
    /* RFC 6131: 0 replies every time, unless the site has a minimum. */
    assert_int_equal(period_of(VS "vacation :seconds 0 \"x\";"), 0);
    st_opts.vacation_min_period = 3600;
    assert_int_equal(period_of(VS "vacation :seconds 3599 \"x\";"), 3600);
    assert_int_equal(period_of(VS "vacation :seconds 3601 \"x\";"), 3601);
    st_opts.vacation_min_period = 0;
    sieve_result *r = vac(VS "vacation :seconds 60 \"x\";", NULL, NULL);
    assert_null(sieve_result_action_param(r, 0, "days"));
    sieve_result_free(r);
}

static void no_reply_to_automated_or_list_mail(void **state)
{
    (void)state;
    const char *s = V "vacation \"x\";";
    assert_null(skipped(s, NULL, NULL));
    sieve_envelope e = env_alice;
    e.from = "";
    assert_non_null(strstr(skipped(s, NULL, &e), "null"));
    e.from = "MAILER-DAEMON@example.com";
    assert_non_null(skipped(s, NULL, &e));
    e.from = "owner-acme@example.com";
    assert_non_null(skipped(s, NULL, &e));
    e.from = "acme-request@example.com";
    assert_non_null(skipped(s, NULL, &e));
    e.from = "bob@example.org"; /* the user himself */
    assert_non_null(skipped(s, NULL, &e));
    /* st_message has a List-Id. */
    assert_non_null(strstr(skipped(s, st_message, NULL), "mailing list"));
    static const char *const headers[] = {
        "Auto-Submitted: auto-generated\r\n", "Auto-Submitted: auto-replied\r\n",
        "Precedence: bulk\r\n", "Precedence: junk\r\n", "List-Unsubscribe: <mailto:u@x.org>\r\n",
        "X-Auto-Response-Suppress: DR, OOF, RN\r\n", "X-Auto-Response-Suppress: All\r\n",
    };
    char msg[512];
    for (size_t i = 0; i < sizeof headers / sizeof headers[0]; i++) {
        snprintf(msg, sizeof msg, "%s%s", headers[i], personal);
        assert_non_null(skipped(s, msg, NULL));
    }
    snprintf(msg, sizeof msg, "Auto-Submitted: no\r\nPrecedence: first-class\r\n%s", personal);
    assert_null(skipped(s, msg, NULL));
}

static void reply_only_when_the_user_is_a_recipient(void **state)
{
    (void)state;
    const char *other = "From: alice@example.com\r\nTo: carol@example.net\r\n"
                        "Cc: Dave <dave@example.net>\r\nSubject: hi\r\n\r\nhi\r\n";
    assert_non_null(strstr(skipped(V "vacation \"x\";", other, NULL), "recipient"));
    assert_null(skipped(V "vacation :addresses [\"dave@example.net\"] \"x\";", other, NULL));
    assert_null(skipped(V "vacation :addresses \"CAROL@example.net\" \"x\";", other, NULL));
    const char *bcc = "From: alice@example.com\r\nTo: carol@example.net\r\n"
                      "Resent-To: bob@example.org\r\n\r\nhi\r\n";
    assert_null(skipped(V "vacation \"x\";", bcc, NULL));
    const char *const mine[] = {"b.builder@example.org", NULL};
    const char *alias = "From: alice@example.com\r\nTo: b.builder@example.org\r\n\r\nhi\r\n";
    assert_non_null(skipped(V "vacation \"x\";", alias, NULL));
    st_opts.user_addresses = mine;
    sieve_result *r = vac(V "vacation \"x\";", alias, NULL);
    /* From: the address of the user the message was sent to. */
    assert_non_null(strstr(sieve_result_action_param(r, 0, "message"), "From: b.builder@example.org"));
    sieve_result_free(r);
    st_opts.user_addresses = NULL;
    /* A reply to one of :addresses is not sent (the sender is the user). */
    sieve_envelope e = env_alice;
    e.from = "dave@example.net";
    assert_non_null(skipped(V "vacation :addresses \"dave@example.net\" \"x\";", other, &e));
}

typedef struct dup_log {
    char handle[128], id[128];
    uint64_t seconds;
    int mark, calls, answer;
} dup_log;

static int dup(void *user, const char *handle, const char *id, uint64_t seconds, int mark)
{
    dup_log *l = user;
    snprintf(l->handle, sizeof l->handle, "%s", handle);
    snprintf(l->id, sizeof l->id, "%s", id);
    l->seconds = seconds;
    l->mark = mark;
    l->calls++;
    return l->answer;
}

static void period_is_tracked_through_the_duplicate_callback(void **state)
{
    (void)state;
    dup_log l = {.answer = 0};
    sieve_callbacks cb = {.struct_size = sizeof cb, .user = &l, .duplicate = dup};
    st_opts.callbacks = &cb;
    assert_null(skipped(V "vacation :days 2 :handle \"h1\" \"x\";", NULL, NULL));
    assert_int_equal(l.calls, 1);
    assert_string_equal(l.handle, "vacation:h1");
    assert_string_equal(l.id, "alice@example.com");
    assert_int_equal(l.seconds, 2 * 86400);
    assert_int_equal(l.mark, 1);
    l.answer = 1;
    assert_non_null(strstr(skipped(V "vacation :handle \"h1\" \"x\";", NULL, NULL), "period"));
    /* A message that gets no reply anyway is not tracked. */
    l.calls = 0;
    skipped(V "vacation \"x\";", st_message, NULL);
    assert_int_equal(l.calls, 0);
    st_opts.callbacks = NULL;
}

static void arguments_are_checked(void **state)
{
    (void)state;
    assert_int_equal(st_compile_errors("vacation \"x\";"), 1);
    assert_int_equal(st_compile_errors(V "vacation;"), 1);
    assert_int_equal(st_compile_errors(V "vacation :from \"not an address\" \"x\";"), 1);
    assert_int_equal(st_compile_errors(V "vacation :addresses [\"a@b.c\", \"nope\"] \"x\";"), 1);
    assert_true(st_compile_errors(V "vacation :days \"3\" \"x\";") >= 1);
    assert_int_equal(st_compile_errors(V "vacation :mime :subject \"s\" :from \"a@b.c\" "
                                       ":addresses \"d@e.f\" :handle \"h\" :days 3 \"x\";"), 0);
    /* One vacation per run, and not with reject (RFC 5230 §4.7). */
    assert_string_equal(st_run_fails(V "vacation \"x\"; vacation \"y\";"), "vacation alice@example.com;+keep");
    st_run_fails("require [\"vacation\", \"reject\"];\nreject \"no\"; vacation \"x\";");
}

static void fcc_goes_with_the_reply(void **state)
{
    (void)state;
    assert_int_equal(st_compile_errors(V "vacation :fcc \"Sent\" \"x\";"), 1);
    const char *s = "require [\"vacation\", \"fcc\", \"imap4flags\", \"mailbox\", \"special-use\"];\n"
                    "vacation :fcc \"Sent\" :flags [\"\\\\Seen\", \"$Auto\"] :create "
                    ":specialuse \"\\\\Sent\" \"x\";";
    sieve_result *r = vac(s, NULL, NULL);
    assert_string_equal(sieve_result_action_param(r, 0, "fcc"), "Sent");
    assert_string_equal(sieve_result_action_param(r, 0, "fcc_flags"), "\\Seen $Auto");
    assert_string_equal(sieve_result_action_param(r, 0, "fcc_create"), "yes");
    assert_string_equal(sieve_result_action_param(r, 0, "fcc_specialuse"), "\\Sent");
    sieve_result_free(r);
    /* The options of :fcc need it. */
    assert_int_equal(st_compile_errors("require [\"vacation\", \"fcc\", \"mailbox\"];\n"
                                       "vacation :create \"x\";"), 1);
    assert_int_equal(st_compile_errors("require [\"vacation\", \"fcc\"];\n"
                                       "vacation :fcc \"\" \"x\";"), 1);
}

/* The Subject of the reply in the "message" of the i-th action, decoded by libmailparse. */
static char *reply_subject(const sieve_result *r)
{
    static char subj[2048];
    const char *m = sieve_result_action_param(r, 0, "message");
    assert_non_null(m);
    const char *p = strstr(m, "\r\nSubject: ");
    assert_non_null(p);
    p += 11;
    size_t n = 0;
    while (p[n] && !(p[n] == '\r' && p[n + 1] == '\n' && p[n + 2] != ' '))
        n++;
    char *dec = NULL;
    size_t dlen = 0;
    assert_int_equal(mailparse_rfc2047_decode(p, n, 0, &dec, &dlen, NULL, NULL), 0);
    snprintf(subj, sizeof subj, "%.*s", (int)dlen, dec);
    mailparse_free(dec);
    return subj;
}

static void vacation_seconds_implies_vacation(void **state)
{
    (void)state;
    /* RFC 6131: requiring "vacation-seconds" makes "vacation" available too. */
    assert_int_equal(period_of("require \"vacation-seconds\";\nvacation :seconds 120 \"x\";"), 120);
}

static void subject_defaults_come_from_the_options(void **state)
{
    (void)state;
    const char *nosubj = "From: alice@example.com\r\nTo: bob@example.org\r\n\r\nhi\r\n";
    st_opts.vacation_default_subject = "Something colorful";
    sieve_result *r = vac(V "vacation \"x\";", nosubj, NULL);
    assert_string_equal(sieve_result_action_param(r, 0, "subject"), "Something colorful");
    sieve_result_free(r);
    /* The template wins and names the original subject; %% is a percent sign. */
    st_opts.vacation_subject_template = "Away (100%%): %{subject}";
    r = vac(V "vacation \"x\";", NULL, NULL);
    assert_string_equal(sieve_result_action_param(r, 0, "subject"), "Away (100%): Lunch?");
    assert_string_equal(reply_subject(r), "Away (100%): Lunch?");
    sieve_result_free(r);
    /* :subject wins over both. */
    r = vac(V "vacation :subject \"Gone\" \"x\";", NULL, NULL);
    assert_string_equal(sieve_result_action_param(r, 0, "subject"), "Gone");
    sieve_result_free(r);
    st_opts.vacation_default_subject = NULL;
    st_opts.vacation_subject_template = NULL;
}

static void subject_is_bounded_on_a_character(void **state)
{
    (void)state;
    /* 300 three-octet characters: 255 of them and "…" remain. */
    char script[2048] = V "vacation :subject \"";
    size_t n = strlen(script);
    for (int i = 0; i < 300; i++) {
        memcpy(script + n, "\xe6\x97\xa5", 3);
        n += 3;
    }
    snprintf(script + n, sizeof script - n, "\" \"x\";");
    sieve_result *r = vac(script, NULL, NULL);
    const char *subj = sieve_result_action_param(r, 0, "subject");
    assert_int_equal(strlen(subj), 255 * 3 + 3);
    assert_memory_equal(subj + 255 * 3, "\xe2\x80\xa6", 3);
    assert_string_equal(reply_subject(r), subj);
    sieve_result_free(r);
    /* 256 characters exactly stay as they are. */
    char exact[400] = V "vacation :subject \"";
    n = strlen(exact);
    memset(exact + n, 'a', 256);
    snprintf(exact + n + 256, sizeof exact - n - 256, "\" \"x\";");
    r = vac(exact, NULL, NULL);
    assert_int_equal(strlen(sieve_result_action_param(r, 0, "subject")), 256);
    sieve_result_free(r);
}

static void encoded_words_in_subject_are_decoded(void **state)
{
    (void)state;
    sieve_result *r = vac(V "vacation :subject \"=?utf-8?b?w4TDlsOc?= sadasd\" \"x\";", NULL, NULL);
    assert_string_equal(sieve_result_action_param(r, 0, "subject"), "\xc3\x84\xc3\x96\xc3\x9c sadasd");
    assert_string_equal(reply_subject(r), "\xc3\x84\xc3\x96\xc3\x9c sadasd");
    sieve_result_free(r);
}

static void original_recipient_counts_only_when_asked(void **state)
{
    (void)state;
    const char *all = "From: alice@example.com\r\nTo: all@example.org\r\nSubject: x\r\n\r\nhi\r\n";
    sieve_envelope e = env_alice;
    e.orig_to = "all@example.org";
    assert_non_null(skipped(V "vacation \"x\";", all, &e));
    st_opts.vacation_use_orig_recipient = 1;
    assert_null(skipped(V "vacation \"x\";", all, &e));
    st_opts.vacation_use_orig_recipient = 0;
    /* A site may turn the recipient check off: a reply goes, from the envelope recipient. */
    st_opts.vacation_dont_check_recipient = 1;
    sieve_result *r = vac(V "vacation \"x\";", all, NULL);
    assert_non_null(strstr(sieve_result_action_param(r, 0, "message"), "From: bob@example.org\r\n"));
    sieve_result_free(r);
    st_opts.vacation_dont_check_recipient = 0;
}

static void reply_comes_from_the_address_the_message_named(void **state)
{
    (void)state;
    const char *msg = "From: alice@example.com\r\nTo: tss@example.net\r\n"
                      "Cc: bob@friep.example.com\r\nSubject: x\r\n\r\nhi\r\n";
    sieve_result *r = vac(V "vacation :addresses \"tss@example.net\" \"x\";", msg, NULL);
    assert_non_null(strstr(sieve_result_action_param(r, 0, "message"), "From: tss@example.net\r\n"));
    sieve_result_free(r);
}

static void to_may_name_the_author_instead_of_the_envelope(void **state)
{
    (void)state;
    const char *msg = "From: \"Alice Example\" <alice@example.com>\r\n"
                      "Sender: \"Hendrik Jan\" <hj@example.com>\r\nTo: bob@example.org\r\n"
                      "Subject: x\r\n\r\nhi\r\n";
    sieve_envelope e = env_alice;
    e.from = "bounces@lists.example.com";
    sieve_result *r = vac(V "vacation \"x\";", msg, &e);
    assert_non_null(strstr(sieve_result_action_param(r, 0, "message"),
                           "To: <bounces@lists.example.com>\r\n"));
    sieve_result_free(r);
    st_opts.vacation_to_header_ignore_envelope = 1;
    r = vac(V "vacation \"x\";", msg, &e);
    assert_non_null(strstr(sieve_result_action_param(r, 0, "message"),
                           "To: \"Hendrik Jan\" <hj@example.com>\r\n"));
    /* The reply still goes to the envelope sender. */
    assert_string_equal(sieve_result_action_param(r, 0, "to"), "bounces@lists.example.com");
    sieve_result_free(r);
    st_opts.vacation_to_header_ignore_envelope = 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(reply_is_built_for_a_personal_message),
        cmocka_unit_test(reply_is_reproducible),
        cmocka_unit_test(subject_from_and_variables),
        cmocka_unit_test(to_names_the_sender),
        cmocka_unit_test(mime_reason_becomes_the_body),
        cmocka_unit_test(days_are_bounded_as_rfc5230_says),
        cmocka_unit_test(seconds_need_their_extension),
        cmocka_unit_test(no_reply_to_automated_or_list_mail),
        cmocka_unit_test(reply_only_when_the_user_is_a_recipient),
        cmocka_unit_test(period_is_tracked_through_the_duplicate_callback),
        cmocka_unit_test(arguments_are_checked),
        cmocka_unit_test(fcc_goes_with_the_reply),
        cmocka_unit_test(vacation_seconds_implies_vacation),
        cmocka_unit_test(subject_defaults_come_from_the_options),
        cmocka_unit_test(subject_is_bounded_on_a_character),
        cmocka_unit_test(encoded_words_in_subject_are_decoded),
        cmocka_unit_test(original_recipient_counts_only_when_asked),
        cmocka_unit_test(reply_comes_from_the_address_the_message_named),
        cmocka_unit_test(to_may_name_the_author_instead_of_the_envelope),
    };
    return cmocka_run_group_tests(tests, st_setup, st_teardown);
}
