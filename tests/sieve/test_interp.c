/* test_interp.c — scripts compiled and run against messages: the actions and the implicit
 * keep of RFC 5228 §2.10 and §4, each core test (§5), control (§3), fileinto, envelope,
 * subaddress, relational, copy, and the limits of a run. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sieve.h"
#include "sieve_script_run.h"

static const char msg[] =
    "Return-Path: <bounce@lists.example.org>\r\n"
    "From: \"Alice Example\" <alice+news@Example.COM>\r\n"
    "To: bob@example.org, Carol <carol@example.net>\r\n"
    "Cc: undisclosed-recipients:;\r\n"
    "Subject: Make money fast\r\n"
    "X-Spam-Score: 7\r\n"
    "X-Spam-Score: 12\r\n"
    "\r\n"
    "Hello there.\r\n";


/* Runs `script` on `m` and writes the result as "action target;…" with "+keep" at the end
 * when the implicit keep stands. Returns sieve_run's code. */
static int run_with(const char *script, const char *m, const sieve_envelope *env,
                    const sieve_run_options *ro, char *out, size_t size)
{
    sieve_script *s;
    sieve_diagnostics *d;
    int rc = sieve_compile(st_engine, script, strlen(script), &s, &d);
    if (rc) {
        const char *text = "";
        sieve_diagnostic_at(d, 0, NULL, NULL, NULL, &text);
        fprintf(stderr, "compile failed: %s\n", text);
        sieve_diagnostics_free(d);
        return rc;
    }
    sieve_diagnostics_free(d);
    sieve_result *r;
    rc = sieve_run(s, m, strlen(m), env, ro, &r, NULL);
    size_t n = 0;
    out[0] = '\0';
    for (size_t i = 0; i < sieve_result_count(r); i++) {
        int type;
        const char *target;
        unsigned opt;
        sieve_result_action(r, i, &type, &target, NULL, &opt);
        n += (size_t)snprintf(out + n, size - n, "%s%s%s%s;", sieve_action_name(type),
                              *target ? " " : "", target, opt & SIEVE_ACTION_COPY ? " :copy" : "");
    }
    if (sieve_result_implicit_keep(r))
        snprintf(out + n, size - n, "+keep");
    sieve_result_free(r);
    sieve_script_free(s);
    return rc;
}

static const char *run(const char *script)
{
    static char out[1024];
    static const sieve_envelope env = {.struct_size = sizeof(sieve_envelope),
                                       .from = "bounce@lists.example.org",
                                       .to = "bob+sieve@example.org"};
    assert_int_equal(run_with(script, msg, &env, NULL, out, sizeof out), 0);
    return out;
}

static void empty_script_keeps(void **state)
{
    (void)state;
    assert_string_equal(run(""), "+keep");
    assert_string_equal(run("# nothing but a comment\n"), "+keep");
}

static void actions_and_the_implicit_keep(void **state)
{
    (void)state;
    assert_string_equal(run("keep;"), "keep;");
    assert_string_equal(run("discard;"), "discard;");
    assert_string_equal(run("redirect \"x@example.net\";"), "redirect x@example.net;");
    assert_string_equal(run("require \"fileinto\"; fileinto \"Junk\";"), "fileinto Junk;");
    /* §4.2: the same action twice is done once. */
    assert_string_equal(run("require \"fileinto\"; fileinto \"A\"; fileinto \"A\"; keep; keep;"),
                        "fileinto A;keep;");
    assert_string_equal(run("redirect \"x@example.net\"; redirect \"x@example.net\";"),
                        "redirect x@example.net;");
    /* A redirect address is one RFC 5322 mailbox; its addr-spec is the target, quotes that
     * are not needed dropped, obsolete white space gone. */
    assert_string_equal(run("redirect \"Some One <x@example.net>\";"), "redirect x@example.net;");
    assert_string_equal(run("redirect \"\\\"Sirius\\\"@example.net\";"),
                        "redirect Sirius@example.net;");
    assert_string_equal(run("redirect \"\\\"S[r]us\\\"@example.net\";"),
                        "redirect \"S[r]us\"@example.net;");
    assert_string_equal(run("redirect \" a . b @ example.net \";"), "redirect a.b@example.net;");
    /* keep is fileinto the default mailbox (§4.3): after fileinto "INBOX" the one action is
     * the keep; before it, it stays the keep. */
    assert_string_equal(run("require \"fileinto\"; fileinto \"INBOX\"; keep;"), "keep;");
    assert_string_equal(run("require \"fileinto\"; keep; fileinto \"INBOX\";"), "keep;");
    assert_string_equal(run("require \"fileinto\"; fileinto \"INBOX\";"), "fileinto INBOX;");
}

static void copy_keeps_the_implicit_keep(void **state)
{
    (void)state;
    assert_string_equal(run("require [\"copy\", \"fileinto\"]; fileinto :copy \"A\";"),
                        "fileinto A :copy;+keep");
    assert_string_equal(run("require \"copy\"; redirect :copy \"x@example.net\";"),
                        "redirect x@example.net :copy;+keep");
    /* One without :copy cancels it after all. */
    assert_string_equal(run("require \"copy\"; redirect :copy \"x@example.net\"; "
                            "redirect \"x@example.net\";"),
                        "redirect x@example.net;");
}

static void if_elsif_else_and_stop(void **state)
{
    (void)state;
    static const char chain[] =
        "require \"fileinto\";\n"
        "if header :contains \"subject\" \"nothing\" { fileinto \"A\"; }\n"
        "elsif header :contains \"subject\" \"MONEY\" { fileinto \"B\"; }\n"
        "elsif true { fileinto \"C\"; }\n"
        "else { fileinto \"D\"; }\n";
    assert_string_equal(run(chain), "fileinto B;");
    assert_string_equal(run("if false { keep; } else { discard; }"), "discard;");
    assert_string_equal(run("if true { discard; stop; } keep;"), "discard;");
    assert_string_equal(run("if false { discard; } stop; keep;"), "+keep");
    assert_string_equal(run("if true { if false { keep; } else { discard; } }"), "discard;");
}

static void allof_anyof_not(void **state)
{
    (void)state;
    assert_string_equal(run("if allof (true, true) { discard; }"), "discard;");
    assert_string_equal(run("if allof (true, false) { discard; }"), "+keep");
    assert_string_equal(run("if anyof (false, false) { discard; }"), "+keep");
    assert_string_equal(run("if anyof (false, true) { discard; }"), "discard;");
    assert_string_equal(run("if not anyof (false, false) { discard; }"), "discard;");
    assert_string_equal(run("if not not true { discard; }"), "discard;");
    assert_string_equal(run("if allof (anyof (false, true), not false, exists \"subject\") "
                            "{ discard; }"),
                        "discard;");
}

static void header_test_match_types(void **state)
{
    (void)state;
    assert_string_equal(run("if header :is \"Subject\" \"make money fast\" { discard; }"),
                        "discard;");
    assert_string_equal(run("if header :is :comparator \"i;octet\" \"Subject\" "
                            "\"make money fast\" { discard; }"),
                        "+keep");
    assert_string_equal(run("if header :matches \"subject\" \"Make * fast\" { discard; }"),
                        "discard;");
    assert_string_equal(run("if header :contains [\"to\", \"cc\"] \"carol\" { discard; }"),
                        "discard;");
    assert_string_equal(run("if header :is \"x-absent\" \"\" { discard; }"), "+keep");
}

static void address_test_parts(void **state)
{
    (void)state;
    assert_string_equal(run("if address :is :all \"from\" \"alice+news@example.com\" "
                            "{ discard; }"),
                        "discard;");
    assert_string_equal(run("if address :is :domain \"to\" \"EXAMPLE.NET\" { discard; }"),
                        "discard;");
    assert_string_equal(run("if address :is :localpart \"from\" \"alice+news\" { discard; }"),
                        "discard;");
    assert_string_equal(run("require \"subaddress\"; if address :is :user \"from\" \"alice\" "
                            "{ discard; }"),
                        "discard;");
    assert_string_equal(run("require \"subaddress\"; if address :is :detail \"from\" \"news\" "
                            "{ discard; }"),
                        "discard;");
    assert_string_equal(run("require \"subaddress\"; if address :is :detail \"to\" \"\" "
                            "{ discard; }"),
                        "+keep"); /* no separator: no detail, not an empty one */
}

static void envelope_test(void **state)
{
    (void)state;
    assert_string_equal(run("require \"envelope\"; if envelope :is \"from\" "
                            "\"bounce@lists.example.org\" { discard; }"),
                        "discard;");
    assert_string_equal(run("require [\"envelope\", \"subaddress\"]; "
                            "if envelope :is :detail \"to\" \"sieve\" { discard; }"),
                        "discard;");
    char out[256];
    static const sieve_envelope null_sender = {.struct_size = sizeof(sieve_envelope),
                                               .from = "", .to = "bob@example.org"};
    assert_int_equal(run_with("require \"envelope\"; if envelope :is \"from\" \"\" { discard; }",
                              msg, &null_sender, NULL, out, sizeof out), 0);
    assert_string_equal(out, "discard;");
}

/* RFC 5321 paths: the source route is not part of the address, and a path that is not valid
 * matches nothing, not even with :all. */
static void envelope_paths(void **state)
{
    (void)state;
    char out[256];
    static const sieve_envelope routed = {.struct_size = sizeof(sieve_envelope),
                                          .from = "<@relay.example.org,@mx.example.net:"
                                                  "stephan@example.org>",
                                          .to = "bob@example.org"};
    assert_int_equal(run_with("require \"envelope\"; if envelope :all :is \"from\" "
                              "\"stephan@example.org\" { discard; }", msg, &routed, NULL, out,
                              sizeof out), 0);
    assert_string_equal(out, "discard;");
    static const sieve_envelope broken = {.struct_size = sizeof(sieve_envelope),
                                          .from = "stephan@", .to = "<@relay.example.org>"};
    assert_int_equal(run_with("require \"envelope\"; if anyof (envelope :all :is \"from\" "
                              "\"stephan@\", envelope :all :contains \"to\" \"\") { discard; }",
                              msg, &broken, NULL, out, sizeof out), 0);
    assert_string_equal(out, "+keep");
}

/* A mailbox name made at run time must be UTF-8. */
static void fileinto_needs_a_utf8_name(void **state)
{
    (void)state;
    char out[256];
    assert_int_equal(run_with("require [\"fileinto\", \"variables\", \"encoded-character\"]; "
                              "set \"box\" \"${hex:ff}rop\"; fileinto \"${box}\";", msg, NULL,
                              NULL, out, sizeof out), SIEVE_E_RUNTIME);
    assert_string_equal(out, "+keep");
}

static void exists_and_size(void **state)
{
    (void)state;
    assert_string_equal(run("if exists [\"from\", \"subject\"] { discard; }"), "discard;");
    assert_string_equal(run("if exists [\"from\", \"x-nope\"] { discard; }"), "+keep");
    assert_string_equal(run("if size :over 100 { discard; }"), "discard;");
    assert_string_equal(run("if size :under 1K { discard; }"), "discard;");
    assert_string_equal(run("if size :over 1M { discard; }"), "+keep");
}

static void relational_value_and_count(void **state)
{
    (void)state;
    assert_string_equal(run("require [\"relational\", \"comparator-i;ascii-numeric\"]; "
                            "if header :value \"gt\" :comparator \"i;ascii-numeric\" "
                            "\"x-spam-score\" \"10\" { discard; }"),
                        "discard;");
    assert_string_equal(run("require [\"relational\", \"comparator-i;ascii-numeric\"]; "
                            "if header :count \"eq\" :comparator \"i;ascii-numeric\" "
                            "\"x-spam-score\" \"2\" { discard; }"),
                        "discard;");
    assert_string_equal(run("require [\"relational\", \"comparator-i;ascii-numeric\"]; "
                            "if address :count \"ge\" :comparator \"i;ascii-numeric\" "
                            "[\"to\", \"cc\"] \"3\" { discard; }"),
                        "+keep"); /* two addresses; the empty group has none */
}

/* Fields are found by name whatever their case, every one of a name in the message's order
 * (match variables show which one matched), however many tests ask. */
static void fields_by_name(void **state)
{
    (void)state;
    static const char many[] =
        "X-Tag: one\r\nSubject: s\r\nx-tag: two\r\nX-Other: o\r\nX-TAG: three\r\n\r\nbody\r\n";
    char out[256];
    assert_int_equal(run_with("require [\"variables\", \"fileinto\", \"relational\", "
                              "\"comparator-i;ascii-numeric\"];\n"
                              "if header :matches \"x-TAG\" \"t*\" { fileinto \"${0}\"; }\n"
                              "if header :count \"eq\" :comparator \"i;ascii-numeric\" "
                              "\"X-Tag\" \"3\" { fileinto \"three\"; }\n"
                              "if not exists \"x-ta\" { fileinto \"no-prefix\"; }\n"
                              "if header :is \"x-other\" \"o\" { fileinto \"other\"; }",
                              many, NULL, NULL, out, sizeof out), 0);
    assert_string_equal(out, "fileinto two;fileinto three;fileinto no-prefix;fileinto other;");
}

/* sieve_envelope is a versioned record: struct_size must be set, and may be that of an older
 * version (the fields it lacks are unknown). */
static void envelope_record_versions(void **state)
{
    (void)state;
    char out[256];
    const char *script = "require \"envelope\"; if envelope :is \"from\" \"bounce@x.example\" "
                         "{ discard; }";
    sieve_envelope env;
    sieve_envelope_init(&env);
    assert_int_equal(env.struct_size, sizeof env);
    assert_null(env.from);
    env.from = "bounce@x.example";
    assert_int_equal(run_with(script, msg, &env, NULL, out, sizeof out), 0);
    assert_string_equal(out, "discard;");
    env.struct_size = offsetof(sieve_envelope, orig_to); /* from and to only */
    assert_int_equal(run_with(script, msg, &env, NULL, out, sizeof out), 0);
    assert_string_equal(out, "discard;");
    env.struct_size = 0;
    assert_int_equal(run_with(script, msg, &env, NULL, out, sizeof out), SIEVE_E_INVAL);
    env.struct_size = sizeof env + 8;
    assert_int_equal(run_with(script, msg, &env, NULL, out, sizeof out), SIEVE_E_INVAL);
}

/* The callbacks of callbacks_record_versions count their calls. */
struct asked {
    int mailbox;
    int mailboxid;
};

static int any_mailbox(void *user, const char *mailbox)
{
    (void)mailbox;
    ((struct asked *)user)->mailbox++;
    return 1;
}

static int any_mailboxid(void *user, const char *id)
{
    (void)id;
    ((struct asked *)user)->mailboxid++;
    return 1;
}

/* sieve_callbacks is a versioned record too: a table of an older version (a smaller
 * struct_size) is read only as far as it goes, and the callbacks it lacks count as absent. */
static void callbacks_record_versions(void **state)
{
    (void)state;
    char out[256];
    const char *script = "require [\"fileinto\", \"mailbox\", \"mailboxid\"];\n"
                         "if mailboxexists \"INBOX\" { fileinto \"old\"; }\n"
                         "if mailboxidexists \"Fid1\" { fileinto \"new\"; }";
    sieve_callbacks cb;
    sieve_callbacks_init(&cb);
    assert_int_equal(cb.struct_size, sizeof cb);
    assert_null(cb.user);
    assert_null(cb.mailbox_exists);
    assert_null(cb.debug_log);
    struct asked asked = {0, 0};
    cb.user = &asked;
    cb.mailbox_exists = any_mailbox;
    cb.mailboxid_exists = any_mailboxid;
    sieve_run_options ro;
    sieve_run_options_init(&ro);
    ro.callbacks = &cb;
    assert_int_equal(run_with(script, msg, NULL, &ro, out, sizeof out), 0);
    assert_string_equal(out, "fileinto old;fileinto new;");
    assert_int_equal(asked.mailbox, 1);
    assert_int_equal(asked.mailboxid, 1);

    /* A caller built before mailboxid_exists: its table ends there, and nothing past it is
     * read (the copy below is exactly that long). */
    size_t old_size = offsetof(sieve_callbacks, mailboxid_exists);
    cb.struct_size = old_size;
    void *old_table = malloc(old_size);
    assert_non_null(old_table);
    memcpy(old_table, &cb, old_size);
    ro.callbacks = old_table;
    asked = (struct asked){0, 0};
    assert_int_equal(run_with(script, msg, NULL, &ro, out, sizeof out), 0);
    assert_string_equal(out, "fileinto old;");
    assert_int_equal(asked.mailbox, 1);
    assert_int_equal(asked.mailboxid, 0);
    free(old_table);

    /* A table larger than this version's, or whose struct_size cannot even hold itself, is
     * refused before any callback is called. */
    ro.callbacks = &cb;
    asked = (struct asked){0, 0};
    cb.struct_size = sizeof cb + sizeof(void *);
    assert_int_equal(run_with(script, msg, NULL, &ro, out, sizeof out), SIEVE_E_INVAL);
    cb.struct_size = sizeof(size_t) - 1;
    assert_int_equal(run_with(script, msg, NULL, &ro, out, sizeof out), SIEVE_E_INVAL);
    cb.struct_size = 0;
    assert_int_equal(run_with(script, msg, NULL, &ro, out, sizeof out), SIEVE_E_INVAL);
    assert_int_equal(asked.mailbox + asked.mailboxid, 0);
    /* The smallest table there is: struct_size alone, no callbacks. */
    cb.struct_size = sizeof(size_t);
    assert_int_equal(run_with(script, msg, NULL, &ro, out, sizeof out), 0);
    assert_string_equal(out, "+keep");
    assert_int_equal(asked.mailbox + asked.mailboxid, 0);
}

static void a_failed_run_keeps(void **state)
{
    (void)state;
    char out[512];
    sieve_run_options ro;
    sieve_run_options_init(&ro);
    ro.max_redirects = 2;
    assert_int_equal(run_with("redirect \"a@x.example\"; redirect \"b@x.example\"; "
                              "redirect \"c@x.example\";", msg, NULL, &ro, out, sizeof out),
                     SIEVE_E_RUNTIME);
    assert_string_equal(out, "redirect a@x.example;redirect b@x.example;+keep");
    /* The instruction budget. */
    sieve_run_options_init(&ro);
    ro.max_instructions = 3;
    assert_int_equal(run_with("keep; keep; keep; keep; discard;", msg, NULL, &ro, out, sizeof out),
                     SIEVE_E_RUNTIME);
    assert_string_equal(out, "keep;+keep");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(empty_script_keeps),
        cmocka_unit_test(actions_and_the_implicit_keep),
        cmocka_unit_test(copy_keeps_the_implicit_keep),
        cmocka_unit_test(if_elsif_else_and_stop),
        cmocka_unit_test(allof_anyof_not),
        cmocka_unit_test(header_test_match_types),
        cmocka_unit_test(address_test_parts),
        cmocka_unit_test(envelope_test),
        cmocka_unit_test(envelope_paths),
        cmocka_unit_test(fileinto_needs_a_utf8_name),
        cmocka_unit_test(exists_and_size),
        cmocka_unit_test(relational_value_and_count),
        cmocka_unit_test(a_failed_run_keeps),
        cmocka_unit_test(fields_by_name),
        cmocka_unit_test(envelope_record_versions),
        cmocka_unit_test(callbacks_record_versions),
    };
    return cmocka_run_group_tests(tests, st_setup, st_teardown);
}
