/* test_ext_body.c — the body test (RFC 5173): :raw, :content types, :text (the default) with
 * HTML seen as text, match types and comparators, and bodies that are not there. Cases
 * from the RFC and Pigeonhole's tests/extensions/body. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "sieve_script_run.h"

/* "yes" when `test` is true for `msg`. */
static const char *body_on(const char *msg, const char *test)
{
    static char script[4096], out[1024];
    snprintf(script, sizeof script,
             "require [\"body\", \"relational\", \"comparator-i;ascii-numeric\", "
             "\"variables\"];\nif %s { discard; }",
             test);
    int rc = st_run_on(script, msg, out, sizeof out);
    if (rc)
        fprintf(stderr, "body_on: %s: %s\n", sieve_strerror(rc), st_error);
    assert_int_equal(rc, 0);
    return strstr(out, "discard;") ? "yes" : "no";
}

static const char simple[] =
    "From: stephan@example.org\r\n"
    "Subject: Test message.\r\n"
    "\r\n"
    "Test!\r\n"
    "\r\n";

static const char mixed[] =
    "From: justin@example.com\r\n"
    "Subject: Frop\r\n"
    "Content-Type: multipart/mixed; boundary=limit\r\n"
    "\r\n"
    "This is a multi-part message in MIME format.\r\n"
    "\r\n"
    "--limit\r\n"
    "Content-Type: text/plain\r\n"
    "\r\n"
    "This is a text message.\r\n"
    "\r\n"
    "--limit\r\n"
    "Content-Type: text/html\r\n"
    "\r\n"
    "<html><body>This is <b>HTML</b></body></html>\r\n"
    "\r\n"
    "--limit\r\n"
    "Content-Type: application/sieve\r\n"
    "\r\n"
    "keep;\r\n"
    "\r\n"
    "--limit--\r\n";

static const char nested[] =
    "From: Whomever <whoever@example.com>\r\n"
    "Subject: whatever\r\n"
    "Content-Type: multipart/mixed; boundary=outer\r\n"
    "\r\n"
    "This is a multi-part message in MIME format.\r\n"
    "\r\n"
    "--outer\r\n"
    "Content-Type: multipart/alternative; boundary=inner\r\n"
    "\r\n"
    "This is a nested multi-part message in MIME format.\r\n"
    "\r\n"
    "--inner\r\n"
    "Content-Type: text/plain; charset=\"us-ascii\"\r\n"
    "\r\n"
    "Hello\r\n"
    "\r\n"
    "--inner\r\n"
    "Content-Type: text/html; charset=\"us-ascii\"\r\n"
    "\r\n"
    "<html><body>HTML Hello</body></html>\r\n"
    "\r\n"
    "--inner\r\n"
    "Content-Type: application/xhtml+xml; charset=\"us-ascii\"\r\n"
    "\r\n"
    "<html><body>XHTML Hello</body></html>\r\n"
    "\r\n"
    "--inner--\r\n"
    "\r\n"
    "This is the end of the inner MIME multipart.\r\n"
    "\r\n"
    "--outer\r\n"
    "Content-Type: message/rfc822\r\n"
    "\r\n"
    "From: Someone Else\r\n"
    "Subject: Hello, this is an elaborate request for you to finally say hello\r\n"
    " already!\r\n"
    "\r\n"
    "Please say Hello\r\n"
    "\r\n"
    "--outer--\r\n"
    "\r\n"
    "This is the end of the outer MIME multipart.\r\n";

static void raw_is_the_body_after_the_empty_line(void **state)
{
    (void)state;
    assert_string_equal(body_on(simple, "body :raw :is \"Test!\r\n\r\n\""), "yes");
    assert_string_equal(body_on(simple, "body :raw :is \"\r\nTest!\r\n\r\n\""), "no");
    assert_string_equal(body_on(simple, "body :raw :is \"Test\""), "no");
}

static void defaults_are_is_and_ascii_casemap(void **state)
{
    (void)state;
    assert_string_equal(body_on(simple, "anyof (body :raw \"Test\", body :raw \"*Test*\")"), "no");
    assert_string_equal(body_on(simple, "body :raw :contains \"tesT\""), "yes");
    assert_string_equal(body_on(simple, "body :raw :comparator \"i;octet\" :contains \"tesT\""),
                        "no");
    /* :text is the default transform. */
    assert_string_equal(body_on(simple, "body :contains \"Test!\""), "yes");
}

static void a_message_without_a_body_matches_nothing(void **state)
{
    (void)state;
    static const char headers_only[] = "From: stephan@example.org\r\nSubject: No body\r\n";
    assert_string_equal(body_on(headers_only, "body :raw :contains \"\""), "no");
    assert_string_equal(body_on(headers_only, "body :raw :is \"\""), "no");
    assert_string_equal(body_on(headers_only, "body :raw :matches \"*\""), "no");
    assert_string_equal(body_on(headers_only, "body :text :contains \"\""), "no");
    /* An empty body after the empty line is "". */
    assert_string_equal(body_on("Subject: x\r\n\r\n", "body :raw :is \"\""), "yes");
}

static void raw_keeps_boundaries_and_part_headers(void **state)
{
    (void)state;
    assert_string_equal(body_on(nested, "body :raw :contains \"--inner\""), "yes");
    assert_string_equal(body_on(nested, "body :raw :contains \"boundary=inner\""), "yes");
    assert_string_equal(body_on(nested, "body :raw :contains \"<html><body>HTML\""), "yes");
}

static void content_matches_types_and_subtypes(void **state)
{
    (void)state;
    assert_string_equal(body_on(mixed, "body :content \"text/plain\" :matches "
                                       "\"This is a text message.*\""), "yes");
    assert_string_equal(body_on(mixed, "body :content \"text/plain\" :contains \"<html>\""),
                        "no");
    /* :content gives the HTML itself. */
    assert_string_equal(body_on(mixed, "body :content \"text/html\" :contains \"<b>HTML</b>\""),
                        "yes");
    assert_string_equal(body_on(mixed, "body :content \"text\" :matches \"keep;*\""), "no");
    assert_string_equal(body_on(mixed, "body :content \"\" :matches \"keep;*\""), "yes");
    assert_string_equal(body_on(mixed, "body :content \"application/sieve\" :contains \"keep\""),
                        "yes");
    assert_string_equal(body_on(mixed, "body :content [\"image\", \"text/plain\"] :contains "
                                       "\"text message\""), "yes");
    assert_string_equal(body_on(mixed, "body :content \"TEXT/PLAIN\" :contains \"text\""), "yes");
    assert_string_equal(body_on(mixed, "body :content \"\" :matches \"*blurdybloop*\""), "no");
}

static void content_with_bad_slashes_matches_nothing(void **state)
{
    (void)state;
    /* RFC 5173 §5.2: a type that starts or ends with "/" or has two matches no part. */
    assert_string_equal(body_on(mixed, "body :content \"/plain\" :contains \"\""), "no");
    assert_string_equal(body_on(mixed, "body :content \"text/\" :contains \"\""), "no");
    assert_string_equal(body_on(mixed, "body :content \"text/plain/x\" :contains \"\""), "no");
}

static void content_descends_into_nested_parts(void **state)
{
    (void)state;
    assert_string_equal(body_on(nested, "body :content \"text/plain\" :contains "
                                        "\"please say hello\""), "yes");
    assert_string_equal(body_on(nested, "body :content \"text/plain\" :matches \"Hello*\""),
                        "yes");
    assert_string_equal(body_on(nested, "body :content \"text\" :count \"eq\" :comparator "
                                        "\"i;ascii-numeric\" \"3\""), "yes");
}

static void content_of_a_multipart_is_its_prologue_and_epilogue(void **state)
{
    (void)state;
    assert_string_equal(body_on(nested, "body :content \"multipart\" :contains "
                                        "\"This is a multi-part message in MIME format\""), "yes");
    assert_string_equal(body_on(nested, "body :content \"multipart\" :contains "
                                        "\"This is the end of the inner MIME multipart\""), "yes");
    assert_string_equal(body_on(nested, "body :content \"multipart\" :contains "
                                        "\"This is the end of the outer MIME multipart.\""), "yes");
    assert_string_equal(body_on(nested, "body :content \"multipart\" :contains \"--inner\""),
                        "no");
    assert_string_equal(body_on(nested, "body :content \"multipart\" :contains \"Hello\""), "no");
    /* The prologue alone, without the line end before the first delimiter. */
    assert_string_equal(body_on(nested, "body :content \"multipart/alternative\" :is "
                                        "\"This is a nested multi-part message in MIME "
                                        "format.\r\n\""), "yes");
}

static void content_of_a_message_is_its_header(void **state)
{
    (void)state;
    assert_string_equal(body_on(nested, "body :content \"message/rfc822\" :is "
                                        "\"From: Someone Else\r\nSubject: Hello, this is an "
                                        "elaborate request for you to finally say hello\r\n "
                                        "already!\r\n\""), "yes");
    assert_string_equal(body_on(nested, "body :content \"message/rfc822\" :contains "
                                        "\"Please say\""), "no");
}

static void text_is_the_text_of_text_parts_with_html_as_text(void **state)
{
    (void)state;
    assert_string_equal(body_on(mixed, "body :text :contains \"This is a text message\""), "yes");
    assert_string_equal(body_on(mixed, "body :text :contains \"This is HTML\""), "yes");
    assert_string_equal(body_on(mixed, "body :text :contains \"<html>\""), "no");
    assert_string_equal(body_on(mixed, "body :text :contains \"keep;\""), "no");
    assert_string_equal(body_on(nested, "body :text :contains \"XHTML Hello\""), "yes");
    assert_string_equal(body_on(nested, "body :text :contains [\"<html>\", \"body\"]"), "no");
    assert_string_equal(body_on(nested, "body :text :contains \"Please say Hello\""), "yes");
    assert_string_equal(body_on(nested, "body :text :contains \"MIME\""), "no");
}

static void text_is_decoded_to_utf8(void **state)
{
    (void)state;
    static const char qp[] =
        "Subject: x\r\n"
        "Content-Type: text/plain; charset=iso-8859-1\r\n"
        "Content-Transfer-Encoding: quoted-printable\r\n"
        "\r\n"
        "Gr=FC=DFe aus K=F6ln\r\n";
    assert_string_equal(body_on(qp, "body :contains \"Grüße aus Köln\""), "yes");
    assert_string_equal(body_on(qp, "body :raw :contains \"=FC\""), "yes");
    assert_string_equal(body_on(qp, "body :content \"text/plain\" :contains \"Köln\""), "yes");
}

static void a_part_in_an_unknown_encoding_is_not_text(void **state)
{
    (void)state;
    static const char broken[] =
        "Subject: whatever\r\n"
        "Content-Type: multipart/mixed; boundary=outer\r\n"
        "\r\n"
        "--outer\r\n"
        "Content-Type: text/html\r\n"
        "\r\n"
        "--outer\r\n"
        "Content-Type: text/html; charset=utf-8\r\n"
        "Content-Transfer-Encoding: multipart/related\r\n"
        "\r\n"
        "<html><body>Please say Hello</body></html>\r\n"
        "\r\n"
        "--outer--\r\n";
    assert_string_equal(body_on(broken, "body :text :contains \"Hello\""), "no");
    assert_string_equal(body_on(broken, "body :content \"application/octet-stream\" "
                                        ":contains \"Hello\""), "yes");
}

static void text_skips_parts_of_an_invalid_type(void **state)
{
    (void)state;
    static const char donkey[] =
        "Subject: Frop\r\n"
        "Content-Type: multipart/mixed; boundary=donkey\r\n"
        "\r\n"
        "--donkey\r\n"
        "Content-Type: text/plain\r\n"
        "\r\n"
        "Plain Text\r\n"
        "--donkey\r\n"
        "Content-Type: text/stupid\r\n"
        "\r\n"
        "Stupid Text\r\n"
        "--donkey\r\n"
        "Content-Type: text/plain/stupid\r\n"
        "\r\n"
        "Plain Stupid Text\r\n"
        "--donkey--\r\n";
    assert_string_equal(body_on(donkey, "body :text :contains \"Plain Text\""), "yes");
    assert_string_equal(body_on(donkey, "body :text :contains \"Stupid Text\""), "yes");
    assert_string_equal(body_on(donkey, "body :text :contains \"Plain Stupid Text\""), "no");
    assert_string_equal(body_on(donkey, "body :content \"text/stupid\" :contains \"\""), "yes");
}

static void body_sets_no_match_variables(void **state)
{
    (void)state;
    static char out[1024];
    assert_int_equal(st_run_on("require [\"body\", \"variables\"];\n"
                               "if header :matches \"from\" \"*@*\" {}\n"
                               "if body :raw :matches \"T* *\" {}\n"
                               "if string :is \"${1}\" \"stephan\" { discard; }",
                               simple, out, sizeof out), 0);
    assert_string_equal(out, "discard;");
}

static void body_syntax_errors(void **state)
{
    (void)state;
    assert_int_equal(st_compile_errors("require \"body\"; if body \"frop\" { }"), 0);
    assert_true(st_compile_errors("if body \"frop\" { }") >= 1);
    assert_true(st_compile_errors("require \"body\"; if body { }") >= 1);
    assert_true(st_compile_errors("require \"body\"; if body 3 { }") >= 1);
    assert_true(st_compile_errors("require \"body\"; if body \"a\" \"b\" { }") >= 1);
    assert_true(st_compile_errors("require \"body\"; if body :frop \"a\" { }") >= 1);
    assert_true(st_compile_errors("require \"body\"; if body :content \"a\" { }") >= 1);
    assert_true(st_compile_errors("require \"body\"; if body :content 3 \"a\" { }") >= 1);
    assert_true(st_compile_errors("require \"body\"; if body :content \"a\" :raw \"b\" { }") >= 1);
    assert_true(st_compile_errors("require \"body\"; if body :raw :text \"b\" { }") >= 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(raw_is_the_body_after_the_empty_line),
        cmocka_unit_test(defaults_are_is_and_ascii_casemap),
        cmocka_unit_test(a_message_without_a_body_matches_nothing),
        cmocka_unit_test(raw_keeps_boundaries_and_part_headers),
        cmocka_unit_test(content_matches_types_and_subtypes),
        cmocka_unit_test(content_with_bad_slashes_matches_nothing),
        cmocka_unit_test(content_descends_into_nested_parts),
        cmocka_unit_test(content_of_a_multipart_is_its_prologue_and_epilogue),
        cmocka_unit_test(content_of_a_message_is_its_header),
        cmocka_unit_test(text_is_the_text_of_text_parts_with_html_as_text),
        cmocka_unit_test(text_is_decoded_to_utf8),
        cmocka_unit_test(a_part_in_an_unknown_encoding_is_not_text),
        cmocka_unit_test(text_skips_parts_of_an_invalid_type),
        cmocka_unit_test(body_sets_no_match_variables),
        cmocka_unit_test(body_syntax_errors),
    };
    return cmocka_run_group_tests(tests, st_setup, st_teardown);
}
