/* test_ext_enotify.c — enotify (RFC 5435) with the mailto method (RFC 5436): notify and its
 * arguments, valid_notify_method, notify_method_capability, duplicate notifications (§3.8),
 * :encodeurl, and :fcc (RFC 8580) on notify. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "sieve_script_run.h"

#include "mailparse.h"

#define N "require \"enotify\";\n"

static sieve_result *notify_run(const char *script)
{
    sieve_result *r = NULL;
    int rc = st_run_result(script, NULL, NULL, &r);
    if (rc)
        fprintf(stderr, "notify_run: %s: %s\n", sieve_strerror(rc), st_error);
    assert_int_equal(rc, 0);
    return r;
}

static void notify_adds_an_action_with_its_params(void **state)
{
    (void)state;
    assert_string_equal(st_run(N "notify \"mailto:alice@example.com\";"),
                        "notify mailto:alice@example.com;+keep");
    sieve_result *r = notify_run(N "notify :from \"bob@example.org\" :importance \"1\" "
                                 ":options [\"a=1\", \"b.c=x y\"] :message \"You've got mail\" "
                                 "\"mailto:Alice@Example.com?cc=carol@example.net&subject=Hi\";");
    assert_int_equal(sieve_result_count(r), 1);
    assert_string_equal(sieve_result_action_param(r, 0, "method"),
                        "mailto:Alice@Example.com?cc=carol@example.net&subject=Hi");
    assert_string_equal(sieve_result_action_param(r, 0, "from"), "bob@example.org");
    assert_string_equal(sieve_result_action_param(r, 0, "importance"), "1");
    assert_string_equal(sieve_result_action_param(r, 0, "options"), "a=1\nb.c=x y");
    assert_string_equal(sieve_result_action_param(r, 0, "message"), "You've got mail");
    assert_string_equal(sieve_result_action_param(r, 0, "recipients"),
                        "alice@example.com\ncarol@example.net");
    sieve_result_free(r);
    /* The defaults: importance 2, a message from the sender and subject. */
    r = notify_run(N "notify \"mailto:alice@example.com\";");
    assert_string_equal(sieve_result_action_param(r, 0, "importance"), "2");
    assert_string_equal(sieve_result_action_param(r, 0, "message"),
                        "alice@example.com: [acme-users] [fwd] version 1.0 is out");
    assert_null(sieve_result_action_param(r, 0, "from"));
    assert_null(sieve_result_action_param(r, 0, "options"));
    sieve_result_free(r);
}

static void constant_arguments_are_checked_at_compile_time(void **state)
{
    (void)state;
    assert_int_equal(st_compile_errors("notify \"mailto:a@b.c\";"), 1);
    assert_int_equal(st_compile_errors(N "notify \"tel:+14085551212\";"), 1);
    assert_int_equal(st_compile_errors(N "notify \"no scheme\";"), 1);
    assert_int_equal(st_compile_errors(N "notify :importance \"4\" \"mailto:a@b.c\";"), 1);
    assert_int_equal(st_compile_errors(N "notify :importance \"0\" \"mailto:a@b.c\";"), 1);
    assert_int_equal(st_compile_errors(N "notify :importance \"3\" \"mailto:a@b.c\";"), 0);
    assert_int_equal(st_compile_errors(N "notify :from \"not an address\" \"mailto:a@b.c\";"), 1);
    /* The :options of Pigeonhole's errors/options.sieve. */
    static const char *const bad_options[] = {"", "frop", "_frop=", "=frop", "frop=frml\nfrop"};
    char script[256];
    for (size_t i = 0; i < sizeof bad_options / sizeof bad_options[0]; i++) {
        snprintf(script, sizeof script, N "notify :options \"%s\" \"mailto:a@b.c\";", bad_options[i]);
        assert_int_equal(st_compile_errors(script), 1);
    }
    /* The mailto URIs of errors/uri-mailto.sieve. */
    static const char *const bad_uris[] = {
        "mailto:stephan@example.org;?header=frop", "mailto:stephan@example.org?header<=frop",
        "mailto:stephan@example.org?header=fr>op", "mailto:stephan@example.org?header:=frop",
        "mailto:stephan%23example.org", "mailto:stephan@example.org?to=nico%23frop.example.org",
        "mailto:", "mailto:?subject=x", "mailto:a@b.c?subject=%4", "mailto:a@b.c%00",
    };
    for (size_t i = 0; i < sizeof bad_uris / sizeof bad_uris[0]; i++) {
        snprintf(script, sizeof script, N "notify \"%s\";", bad_uris[i]);
        assert_int_equal(st_compile_errors(script), 1);
    }
}

static void variable_arguments_are_checked_at_run_time(void **state)
{
    (void)state;
    st_run_fails("require [\"enotify\", \"variables\"];\nset \"u\" \"mailto:nobody\";\n"
                 "notify \"${u}\";");
    st_run_fails("require [\"enotify\", \"variables\"];\nset \"i\" \"5\";\n"
                 "notify :importance \"${i}\" \"mailto:a@b.c\";");
    assert_string_equal(st_run("require [\"enotify\", \"variables\"];\nset \"u\" \"a@b.c\";\n"
                               "notify \"mailto:${u}\";"), "notify mailto:a@b.c;+keep");
}

static void valid_notify_method(void **state)
{
    (void)state;
    assert_string_equal(st_test(N, "valid_notify_method \"mailto:stephan@example.org\""), "yes");
    assert_string_equal(st_test(N, "valid_notify_method [\"mailto:a@b.c\", \"MAILTO:d@e.f\"]"), "yes");
    assert_string_equal(st_test(N, "valid_notify_method [\"mailto:a@b.c\", \"tel:+14085551212\"]"), "no");
    assert_string_equal(st_test(N, "valid_notify_method \"mailto:stephan@example.org?header:=frop\""), "no");
    assert_string_equal(st_test(N, "valid_notify_method \"mailto:stephan%23example.org\""), "no");
    assert_string_equal(st_test(N, "valid_notify_method \"mailto:a@b.c?to=nico%23frop.example.org\""), "no");
    assert_string_equal(st_test(N, "valid_notify_method \"mailto:?to=a%40b.c\""), "yes");
}

static void notify_method_capability(void **state)
{
    (void)state;
    assert_string_equal(st_test(N, "notify_method_capability :is \"mailto:stephan@example.org\" "
                                   "\"online\" \"maybe\""), "yes");
    assert_string_equal(st_test(N, "notify_method_capability :is \"mailto:stephan@example.org\" "
                                   "\"online\" \"yes\""), "no");
    assert_string_equal(st_test(N, "notify_method_capability \"mailto:a@b.c\" \"ONLINE\" "
                                   "[\"no\", \"MAYBE\"]"), "yes");
    assert_string_equal(st_test(N, "notify_method_capability \"tel:+14085551212\" \"online\" \"maybe\""), "no");
    assert_string_equal(st_test(N, "notify_method_capability \"mailto:a@b.c\" \"other\" \"maybe\""), "no");
    assert_string_equal(st_test(N, "notify_method_capability :matches \"mailto:a@b.c\" \"online\" \"m*\""), "yes");
}

static void duplicates_are_notified_once(void **state)
{
    (void)state;
    /* Pigeonhole's execute/duplicates.sieve: the second action keeps the recipients the
     * first did not have. */
    sieve_result *r = notify_run(N
        "notify :message \"1\" \"mailto:stephan@example.org%2cstephan@friep.example.com%2cidiot@example.org\";\n"
        "notify :message \"2\" \"mailto:tss@example.net%2cstephan@example.org%2cidiot@example.org"
        "%2cnico@frop.example.org%2cstephan@friep.example.com\";");
    assert_int_equal(sieve_result_count(r), 2);
    assert_string_equal(sieve_result_action_param(r, 1, "recipients"),
                        "nico@frop.example.org\ntss@example.net");
    sieve_result_free(r);
    /* All notified already: no second action. */
    assert_string_equal(st_run(N "notify \"mailto:a@b.c\"; notify \"mailto:A@B.C?subject=x\";"),
                        "notify mailto:a@b.c;+keep");
}

static void encodeurl_modifier(void **state)
{
    (void)state;
    assert_string_equal(st_test("require [\"enotify\", \"variables\"];\n"
                                "set :encodeurl \"v\" \"a b&c=d/é\";",
                                "string :is \"${v}\" \"a%20b%26c%3Dd%2F%C3%A9\""), "yes");
    assert_int_equal(st_compile_errors("require \"variables\";\nset :encodeurl \"v\" \"x\";"), 1);
}

static void fcc_on_notify(void **state)
{
    (void)state;
    sieve_result *r = notify_run("require [\"enotify\", \"fcc\"];\n"
                                 "notify :fcc \"Notified\" \"mailto:a@b.c\";");
    assert_string_equal(sieve_result_action_param(r, 0, "fcc"), "Notified");
    assert_null(sieve_result_action_param(r, 0, "fcc_flags"));
    sieve_result_free(r);
    assert_int_equal(st_compile_errors(N "notify :fcc \"Notified\" \"mailto:a@b.c\";"), 1);
}

/* The field `name` ("\r\nName: ") of a notification's "mail", up to its line end, or NULL. */
static const char *mail_field(const sieve_result *r, size_t i, const char *name)
{
    static char v[512];
    const char *m = sieve_result_action_param(r, i, "mail");
    assert_non_null(m);
    char key[64];
    snprintf(key, sizeof key, "\r\n%s: ", name);
    const char *p = strncmp(m, key + 2, strlen(key) - 2) == 0 ? m - 2 : strstr(m, key);
    if (!p)
        return NULL;
    p += strlen(key);
    snprintf(v, sizeof v, "%.*s", (int)strcspn(p, "\r"), p);
    return v;
}

static void mailto_notification_is_built(void **state)
{
    (void)state;
    sieve_result *r = notify_run(N "notify :from \"bob@example.org\" :importance \"1\" "
                                 "\"mailto:alice@example.com%2cdave@example.com?cc=carol@example.net"
                                 "&subject=Frop%20received&x-tag=42&from=evil@example.com"
                                 "&body=Line%201%0D%0ALine%202\";");
    assert_non_null(mail_field(r, 0, "X-Sieve"));
    assert_string_equal(mail_field(r, 0, "From"), "bob@example.org");
    assert_string_equal(mail_field(r, 0, "To"), "alice@example.com, dave@example.com");
    assert_string_equal(mail_field(r, 0, "Cc"), "carol@example.net");
    assert_string_equal(mail_field(r, 0, "Subject"), "Frop received");
    assert_string_equal(mail_field(r, 0, "Auto-Submitted"),
                        "auto-notified; owner-email=\"bob@example.org\"");
    assert_string_equal(mail_field(r, 0, "X-Priority"), "1 (Highest)");
    assert_string_equal(mail_field(r, 0, "Importance"), "High");
    assert_string_equal(mail_field(r, 0, "x-tag"), "42");
    /* The URI may not set the notification's own fields. */
    assert_null(strstr(sieve_result_action_param(r, 0, "mail"), "evil@"));
    assert_non_null(strstr(sieve_result_action_param(r, 0, "mail"), "\r\n\r\nLine 1\r\nLine 2"));
    assert_string_equal(sieve_result_action_param(r, 0, "recipients"),
                        "alice@example.com\ncarol@example.net\ndave@example.com");
    sieve_result_free(r);
    /* Without :message the URI's subject stays; with it, :message is the subject and text. */
    r = notify_run(N "notify :message \"New mail\" \"mailto:a@b.c?subject=ignored\";");
    assert_string_equal(mail_field(r, 0, "Subject"), "New mail");
    assert_string_equal(mail_field(r, 0, "X-Priority"), "3 (Normal)");
    assert_non_null(strstr(sieve_result_action_param(r, 0, "mail"), "\r\n\r\nNew mail"));
    sieve_result_free(r);
}

static void mailto_recipients_may_have_display_names(void **state)
{
    (void)state;
    /* Percent-encoded name-addr forms with RFC 2047 words, and a quoted comma. */
    sieve_result *r = notify_run(N
        "notify \"mailto:?to=%3D%3Futf-8%3Fq%3FG%3DC3%3DBCnther%3F%3D%20Karotte"
        "%20%3Cg.karotte%40example.com%3E&cc=%22Doe%2C%20J.%22%20%3Cj.doe%40example.com%3E\";");
    assert_string_equal(sieve_result_action_param(r, 0, "recipients"),
                        "g.karotte@example.com\nj.doe@example.com");
    const char *m = sieve_result_action_param(r, 0, "mail");
    mailparse_message *pm = NULL;
    assert_int_equal(mailparse_parse((const unsigned char *)m, strlen(m), NULL, &pm), 0);
    const mailparse_address_list *to = mailparse_message_addresses(pm, "to");
    assert_non_null(to);
    assert_int_equal(to->count, 1);
    assert_string_equal(to->items[0].name, "G\xc3\xbcnther Karotte");
    assert_string_equal(to->items[0].address, "g.karotte@example.com");
    const mailparse_address_list *cc = mailparse_message_addresses(pm, "cc");
    assert_non_null(cc);
    assert_string_equal(cc->items[0].name, "Doe, J.");
    mailparse_message_free(pm);
    sieve_result_free(r);
    /* A recipient named twice is notified once. */
    r = notify_run(N "notify \"mailto:a@b.c?cc=A@B.C&to=d@e.f\";");
    assert_string_equal(sieve_result_action_param(r, 0, "recipients"), "a@b.c\nd@e.f");
    assert_null(mail_field(r, 0, "Cc"));
    sieve_result_free(r);
    assert_string_equal(st_test(N, "valid_notify_method \"mailto:?to=Bob%20%3Cb%40c.d\""), "no");
}

/* RFC 5435 §3.3 :from is an address: a mailbox with a display name is one (as for redirect),
 * and the notification's From keeps the name. */
static void from_may_have_a_display_name(void **state)
{
    (void)state;
    assert_int_equal(st_compile_errors(N "notify :from \"Nico <nico@frop.example.org>\" "
                                         "\"mailto:a@b.c\";"), 0);
    assert_int_equal(st_compile_errors(N "notify :from \"Nico <nico@frop.example.org>, "
                                         "b@c.d\" \"mailto:a@b.c\";"), 1);
    sieve_result *r = notify_run("require [\"enotify\", \"variables\"];\n"
                                 "set \"f\" \"Nico <nico@frop.example.org>\";\n"
                                 "notify :from \"${f}\" \"mailto:a@b.c\";");
    assert_string_equal(sieve_result_action_param(r, 0, "from"), "Nico <nico@frop.example.org>");
    const char *m = sieve_result_action_param(r, 0, "mail");
    mailparse_message *pm = NULL;
    assert_int_equal(mailparse_parse((const unsigned char *)m, strlen(m), NULL, &pm), 0);
    const mailparse_address_list *from = mailparse_message_addresses(pm, "from");
    assert_non_null(from);
    assert_int_equal(from->count, 1);
    assert_string_equal(from->items[0].name, "Nico");
    assert_string_equal(from->items[0].address, "nico@frop.example.org");
    mailparse_message_free(pm);
    sieve_result_free(r);
    st_run_fails("require [\"enotify\", \"variables\"];\nset \"f\" \"Nico <nico>\";\n"
                 "notify :from \"${f}\" \"mailto:a@b.c\";");
}

/* Without :from the notification is from the user; a user known only by a name that is no
 * address (no envelope recipient) gives no From rather than no notification. */
static void notification_from_a_user_without_address(void **state)
{
    (void)state;
    static const sieve_envelope env = {.struct_size = sizeof(sieve_envelope)};
    static const char *const users[] = {"MAILER-DAEMON", NULL};
    st_opts.user_addresses = users;
    sieve_result *r = NULL;
    assert_int_equal(st_run_result(N "notify \"mailto:a@b.c\";", NULL, &env, &r), 0);
    assert_null(mail_field(r, 0, "From"));
    assert_string_equal(mail_field(r, 0, "Auto-Submitted"), "auto-notified");
    assert_string_equal(mail_field(r, 0, "To"), "a@b.c");
    sieve_result_free(r);
    static const char *const named[] = {"owner@example.net", NULL};
    st_opts.user_addresses = named;
    assert_int_equal(st_run_result(N "notify \"mailto:a@b.c\";", NULL, &env, &r), 0);
    assert_string_equal(mail_field(r, 0, "From"), "owner@example.net");
    sieve_result_free(r);
    st_opts.user_addresses = NULL;
}

static void no_notification_for_automatic_messages(void **state)
{
    (void)state;
    const char *auto_msg = "From: alice@example.com\r\nTo: bob@example.org\r\n"
                           "Auto-Submitted: auto-replied\r\nSubject: Away\r\n\r\nx\r\n";
    sieve_result *r = NULL;
    assert_int_equal(st_run_result(N "notify \"mailto:a@b.c\";", auto_msg, NULL, &r), 0);
    assert_int_equal(sieve_result_count(r), 1);
    assert_non_null(sieve_result_action_param(r, 0, "skipped"));
    assert_null(sieve_result_action_param(r, 0, "mail"));
    sieve_result_free(r);
    const char *no = "From: alice@example.com\r\nTo: bob@example.org\r\n"
                     "Auto-Submitted: no\r\nSubject: Hi\r\n\r\nx\r\n";
    assert_int_equal(st_run_result(N "notify \"mailto:a@b.c\";", no, NULL, &r), 0);
    assert_null(sieve_result_action_param(r, 0, "skipped"));
    assert_non_null(sieve_result_action_param(r, 0, "mail"));
    sieve_result_free(r);
}

static void long_message_is_cut_in_the_subject(void **state)
{
    (void)state;
    char script[2048] = N "notify :message \"";
    size_t n = strlen(script);
    for (int i = 0; i < 260; i++) {
        memcpy(script + n, "\xe7\xb5\xb5", 3);
        n += 3;
    }
    snprintf(script + n, sizeof script - n, "\" \"mailto:a@b.c\";");
    sieve_result *r = notify_run(script);
    const char *m = sieve_result_action_param(r, 0, "mail");
    mailparse_message *pm = NULL;
    assert_int_equal(mailparse_parse((const unsigned char *)m, strlen(m), NULL, &pm), 0);
    const char *subj = mailparse_message_subject(pm);
    assert_int_equal(strlen(subj), 255 * 3 + 3);
    assert_memory_equal(subj + 255 * 3, "\xe2\x80\xa6", 3);
    mailparse_message_free(pm);
    sieve_result_free(r);
}

static void notify_actions_are_bounded(void **state)
{
    (void)state;
    const char *three = N "notify \"mailto:a@b.c\"; notify \"mailto:d@e.f\"; notify \"mailto:g@h.i\";";
    st_opts.max_notify_actions = 3;
    assert_string_equal(st_run(three), "notify mailto:a@b.c;notify mailto:d@e.f;"
                                       "notify mailto:g@h.i;+keep");
    st_opts.max_notify_actions = 2;
    st_run_fails(three);
    assert_non_null(strstr(st_error, "exceeds policy limit"));
    /* A notification merged into an earlier one (RFC 5435 §3.8) does not count. */
    assert_string_equal(st_run(N "notify \"mailto:a@b.c\"; notify \"mailto:d@e.f\"; "
                               "notify \"mailto:A@B.C\";"),
                        "notify mailto:a@b.c;notify mailto:d@e.f;+keep");
    st_opts.max_notify_actions = SIEVE_NOTIFY_FORBIDDEN;
    st_run_fails(N "notify \"mailto:a@b.c\";");
    assert_non_null(strstr(st_error, "prohibits"));
    st_opts.max_notify_actions = 0;
    /* An engine that forbids notify refuses to compile it (its tests still work). */
    sieve_options o;
    sieve_options_init(&o);
    o.notify_forbidden = 1;
    sieve_engine *saved = st_engine;
    assert_int_equal(sieve_engine_new(&o, &st_engine), 0);
    assert_int_equal(st_compile_errors(N "notify \"mailto:a@b.c\";"), 1);
    assert_non_null(strstr(st_error, "prohibits"));
    assert_int_equal(st_compile_errors(N "if valid_notify_method \"mailto:a@b.c\" { keep; }"), 0);
    sieve_engine_free(st_engine);
    st_engine = saved;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(notify_adds_an_action_with_its_params),
        cmocka_unit_test(constant_arguments_are_checked_at_compile_time),
        cmocka_unit_test(variable_arguments_are_checked_at_run_time),
        cmocka_unit_test(valid_notify_method),
        cmocka_unit_test(notify_method_capability),
        cmocka_unit_test(duplicates_are_notified_once),
        cmocka_unit_test(encodeurl_modifier),
        cmocka_unit_test(fcc_on_notify),
        cmocka_unit_test(mailto_notification_is_built),
        cmocka_unit_test(mailto_recipients_may_have_display_names),
        cmocka_unit_test(from_may_have_a_display_name),
        cmocka_unit_test(notification_from_a_user_without_address),
        cmocka_unit_test(no_notification_for_automatic_messages),
        cmocka_unit_test(long_message_is_cut_in_the_subject),
        cmocka_unit_test(notify_actions_are_bounded),
    };
    return cmocka_run_group_tests(tests, st_setup, st_teardown);
}
