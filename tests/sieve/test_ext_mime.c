/* test_ext_mime.c — RFC 5703: foreverypart over the MIME parts (nested loops, :name, break),
 * header/address/exists with :mime, :anychild and the content-type options, extracttext,
 * and the limit on nested loops; cases follow Pigeonhole's tests/extensions/mime. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sieve.h"

/* Parts in order: AA (the message), BB (multipart), CC, DD (inside BB), EE. */
static const char msg[] =
    "From: Hendrik <hendrik@example.com>\r\n"
    "To: Harrie <harrie@example.com>\r\n"
    "Subject: parts\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: multipart/mixed; boundary=AA\r\n"
    "X-Test: AA\r\n"
    "\r\n"
    "preamble\r\n"
    "--AA\r\n"
    "Content-Type: multipart/mixed; boundary=BB\r\n"
    "X-Test: BB\r\n"
    "\r\n"
    "--BB\r\n"
    "Content-Type: text/plain; charset=\"us-ascii\"\r\n"
    "X-Test: CC\r\n"
    "Reply-To: cc@example.net\r\n"
    "\r\n"
    "Hello\r\n"
    "--BB\r\n"
    "Content-Type: text/calendar; method=request; charset=UTF-8\r\n"
    "Content-Disposition: attachment; filename=\"frop.ics\"\r\n"
    "X-Test: DD\r\n"
    "\r\n"
    "BEGIN:VCALENDAR\r\n"
    "--BB--\r\n"
    "--AA\r\n"
    "Content-Type: text/html; charset=\"us-ascii\"\r\n"
    "X-Test: EE\r\n"
    "\r\n"
    "<html><body>Some HTML text.</body></html>\r\n"
    "--AA--\r\n";

static sieve_engine *engine;

/* Included scripts (RFC 6609) for the loops that cross scripts. */
static int fetch(void *user, int location, const char *name, char **text, size_t *len)
{
    (void)user;
    (void)location;
    static const char *const scripts[][2] = {
        {"cur", "require [\"mime\", \"fileinto\"]; " "if header :mime \"X-Test\" \"CC\" "
                "{ fileinto \"sub-cc\"; }"},
        {"loop", "require [\"foreverypart\", \"mime\", \"fileinto\"]; foreverypart { "
                 "if header :mime \"X-Test\" \"DD\" { fileinto \"sub-dd\"; } }"},
        {"ret", "require [\"foreverypart\", \"include\", \"fileinto\"]; foreverypart "
                "{ fileinto \"r\"; return; }"},
    };
    for (size_t i = 0; i < sizeof scripts / sizeof scripts[0]; i++)
        if (!strcmp(scripts[i][0], name)) {
            *len = strlen(scripts[i][1]);
            *text = malloc(*len + 1);
            memcpy(*text, scripts[i][1], *len + 1);
            return 0;
        }
    return 1;
}

static int setup(void **state)
{
    (void)state;
    sieve_options o;
    sieve_options_init(&o);
    o.include = fetch;
    return sieve_engine_new(&o, &engine);
}

static int teardown(void **state)
{
    (void)state;
    sieve_engine_free(engine);
    return 0;
}

static char out[1024];

/* The actions of `script` on `m` as "fileinto X;…" (+keep when the implicit keep stands),
 * or "error N". */
static const char *run_on(const char *script, const char *m)
{
    sieve_script *s = NULL;
    int rc = sieve_compile(engine, script, strlen(script), &s, NULL);
    if (rc) {
        snprintf(out, sizeof out, "error %d", rc);
        return out;
    }
    sieve_result *r = NULL;
    rc = sieve_run(s, m, strlen(m), NULL, NULL, &r, NULL);
    size_t k = 0;
    out[0] = '\0';
    for (size_t i = 0; i < sieve_result_count(r); i++) {
        int type;
        const char *target;
        sieve_result_action(r, i, &type, &target, NULL, NULL);
        k += (size_t)snprintf(out + k, sizeof out - k, "%s%s%s;", sieve_action_name(type),
                              *target ? " " : "", target);
    }
    if (rc)
        snprintf(out + k, sizeof out - k, "error %d", rc);
    else if (sieve_result_implicit_keep(r))
        snprintf(out + k, sizeof out - k, "+keep");
    sieve_result_free(r);
    sieve_script_free(s);
    return out;
}

static const char *run(const char *script) { return run_on(script, msg); }

#define REQ "require [\"foreverypart\", \"mime\", \"fileinto\"]; "
/* Files into the X-Test value of the part being looked at. */
#define WHICH(prefix)                                                                          \
    "if header :mime \"X-Test\" \"AA\" { fileinto \"" prefix "AA\"; } "                        \
    "if header :mime \"X-Test\" \"BB\" { fileinto \"" prefix "BB\"; } "                        \
    "if header :mime \"X-Test\" \"CC\" { fileinto \"" prefix "CC\"; } "                        \
    "if header :mime \"X-Test\" \"DD\" { fileinto \"" prefix "DD\"; } "                        \
    "if header :mime \"X-Test\" \"EE\" { fileinto \"" prefix "EE\"; } "

static void loop_visits_every_part_in_order(void **state)
{
    (void)state;
    assert_string_equal(run(REQ "foreverypart { " WHICH("") "}"),
                        "fileinto AA;fileinto BB;fileinto CC;fileinto DD;fileinto EE;");
}

static void inner_loop_visits_the_parts_inside_the_current_one(void **state)
{
    (void)state;
    /* Outer on BB: the inner loop sees CC and DD; break after the first outer part that
     * has children, so the order shows who saw what. */
    assert_string_equal(run(REQ "foreverypart :name \"o\" { if header :mime \"X-Test\" \"BB\" "
                            "{ foreverypart { " WHICH("in-") "} break; } }"),
                        "fileinto in-CC;fileinto in-DD;");
}

static void break_leaves_the_innermost_loop(void **state)
{
    (void)state;
    assert_string_equal(run(REQ "foreverypart { " WHICH("") "break; fileinto \"never\"; } "
                            "fileinto \"after\";"),
                        "fileinto AA;fileinto after;");
}

static void break_name_leaves_the_named_loop(void **state)
{
    (void)state;
    assert_string_equal(run(REQ "foreverypart :name \"outer\" { foreverypart { " WHICH("in-")
                            "break :name \"outer\"; } fileinto \"never\"; } fileinto \"after\";"),
                        "fileinto in-BB;fileinto after;");
}

static void break_without_name_in_inner_loop_continues_the_outer(void **state)
{
    (void)state;
    /* Each outer part with children runs the inner loop once: its first child. */
    assert_string_equal(run(REQ "foreverypart { foreverypart { " WHICH("in-") "break; } }"),
                        "fileinto in-BB;fileinto in-CC;");
}

static void tests_outside_a_loop_see_the_message(void **state)
{
    (void)state;
    assert_string_equal(run(REQ "if header :mime \"X-Test\" \"AA\" { fileinto \"top\"; }"),
                        "fileinto top;");
    assert_string_equal(run(REQ "if header :mime \"X-Test\" \"CC\" { fileinto \"no\"; }"), "+keep");
}

static void anychild_looks_into_every_part_inside(void **state)
{
    (void)state;
    assert_string_equal(run(REQ "if header :mime :anychild \"X-Test\" \"DD\" { fileinto \"dd\"; }"),
                        "fileinto dd;");
    assert_string_equal(run(REQ "if exists :mime :anychild \"Content-Disposition\" { fileinto \"x\"; }"),
                        "fileinto x;");
    assert_string_equal(run(REQ "if exists :mime \"Content-Disposition\" { fileinto \"x\"; }"),
                        "+keep");
    assert_string_equal(run(REQ "if address :mime :anychild :domain \"reply-to\" \"example.net\" "
                            "{ fileinto \"a\"; }"), "fileinto a;");
}

/* RFC 5703 §4.2's example reads a part's "Content-From": with :mime the address test reads a
 * part's own (Content-*) fields too; without it they stay refused (RFC 5228 §5.1). */
static void address_mime_reads_a_parts_content_fields(void **state)
{
    (void)state;
    static const char part_from[] =
        "From: a@example.com\r\n"
        "Content-Type: multipart/mixed; boundary=X\r\n\r\n--X\r\n"
        "Content-Type: text/plain\r\n"
        "Content-From: Tim <tim@example.com>\r\n\r\nhello\r\n--X--\r\n";
    assert_string_equal(run_on(REQ "if address :mime :anychild :is :all \"content-from\" "
                               "\"tim@example.com\" { fileinto \"tim\"; }", part_from),
                        "fileinto tim;");
    assert_string_equal(run_on(REQ "if address :mime :is :all \"content-from\" "
                               "\"tim@example.com\" { fileinto \"tim\"; }", part_from), "+keep");
    assert_string_equal(run_on(REQ "foreverypart { if address :mime :localpart \"Content-From\" "
                               "\"tim\" { fileinto \"part\"; } }", part_from), "fileinto part;");
    /* A Content-* field without addresses: no domain to match. */
    assert_string_equal(run_on(REQ "if address :mime :anychild :domain :contains \"content-type\" "
                               "\"\" { fileinto \"no\"; }", part_from), "+keep");
    assert_string_equal(run_on(REQ "if address \"content-from\" \"tim@example.com\" { keep; }",
                               part_from), "error -6");
    assert_string_equal(run_on(REQ "if address :mime \"x-test\" \"tim@example.com\" { keep; }",
                               part_from), "error -6");
}

static void plain_header_test_in_a_loop_still_reads_the_message(void **state)
{
    (void)state;
    assert_string_equal(run(REQ "foreverypart { if header \"X-Test\" \"CC\" { fileinto \"no\"; } }"),
                        "+keep");
}

static void content_type_options_pick_their_piece(void **state)
{
    (void)state;
    const char *s = REQ "foreverypart { if header :mime \"X-Test\" \"DD\" { "
                    "if header :mime :type \"Content-Type\" \"text\" { fileinto \"t\"; } "
                    "if header :mime :subtype \"Content-Type\" \"calendar\" { fileinto \"s\"; } "
                    "if header :mime :contenttype \"Content-Type\" \"text/calendar\" { fileinto \"c\"; } "
                    "if header :mime :param \"method\" \"Content-Type\" \"request\" { fileinto \"p\"; } "
                    "if header :mime :param [\"method\", \"charset\"] \"Content-Type\" \"UTF-8\" { fileinto \"q\"; } "
                    "if header :mime :type \"Content-Disposition\" \"attachment\" { fileinto \"d\"; } "
                    "if header :mime :subtype \"Content-Disposition\" \"\" { fileinto \"e\"; } "
                    "if header :mime :param \"filename\" \"Content-Disposition\" \"frop.ics\" { fileinto \"f\"; } "
                    "} }";
    assert_string_equal(run(s), "fileinto t;fileinto s;fileinto c;fileinto p;fileinto q;fileinto d;"
                                "fileinto e;fileinto f;");
}

static void mime_tags_need_their_extension_and_mime(void **state)
{
    (void)state;
    assert_string_equal(run("if header :mime \"X-Test\" \"AA\" { keep; }"), "error -6");
    assert_string_equal(run(REQ "if header :anychild \"X-Test\" \"AA\" { keep; }"), "error -6");
    assert_string_equal(run(REQ "if header :type \"Content-Type\" \"text\" { keep; }"), "error -6");
    assert_string_equal(run(REQ "if header :mime :type :subtype \"Content-Type\" \"text\" { keep; }"),
                        "error -6");
    assert_string_equal(run("require \"foreverypart\"; foreverypart { break :name \"x\"; }"),
                        "error -6");
}

static void break_outside_a_loop_is_an_error(void **state)
{
    (void)state;
    assert_string_equal(run("require \"foreverypart\"; break;"), "error -6");
    assert_string_equal(run("require \"foreverypart\"; if true { break; }"), "error -6");
    assert_string_equal(run("require \"foreverypart\"; foreverypart :name \"a\" { if true "
                            "{ break :name \"a\"; } } keep;"), "keep;");
    assert_string_equal(run("require \"foreverypart\"; foreverypart { } keep;"), "keep;");
}

static void loops_nest_four_deep_not_five(void **state)
{
    (void)state;
    assert_string_equal(run("require \"foreverypart\"; foreverypart { foreverypart { "
                            "foreverypart { foreverypart { break; } } } } keep;"), "keep;");
    assert_string_equal(run("require \"foreverypart\"; foreverypart { foreverypart { "
                            "foreverypart { foreverypart { foreverypart { break; } } } } }"),
                        "error -6");
}

/* `depth` foreverypart loops inside each other, the innermost breaking. */
static const char *nested_loops(unsigned depth)
{
    static char src[512];
    size_t k = (size_t)snprintf(src, sizeof src, "require \"foreverypart\"; ");
    for (unsigned i = 0; i < depth; i++)
        k += (size_t)snprintf(src + k, sizeof src - k, "foreverypart { ");
    k += (size_t)snprintf(src + k, sizeof src - k, "break; ");
    for (unsigned i = 0; i < depth; i++)
        k += (size_t)snprintf(src + k, sizeof src - k, "} ");
    return src;
}

/* sieve_compile() of `src` under an engine whose max_foreverypart_depth is `option`. */
static int compile_with_depth(unsigned option, const char *src)
{
    sieve_options o;
    sieve_options_init(&o);
    o.max_foreverypart_depth = option;
    sieve_engine *e = NULL;
    assert_int_equal(sieve_engine_new(&o, &e), 0);
    sieve_script *s = NULL;
    int rc = sieve_compile(e, src, strlen(src), &s, NULL);
    sieve_script_free(s);
    sieve_engine_free(e);
    return rc;
}

static void loop_depth_is_an_engine_option(void **state)
{
    (void)state;
    assert_int_equal(compile_with_depth(0, nested_loops(4)), 0);
    assert_int_equal(compile_with_depth(0, nested_loops(5)), SIEVE_E_COMPILE);
    assert_int_equal(compile_with_depth(6, nested_loops(6)), 0);
    assert_int_equal(compile_with_depth(6, nested_loops(7)), SIEVE_E_COMPILE);
    /* RFC 5703 §3: at least one loop inside another, whatever the option says. */
    assert_int_equal(compile_with_depth(1, nested_loops(2)), 0);
    assert_int_equal(compile_with_depth(1, nested_loops(3)), SIEVE_E_COMPILE);
    /* The most any engine allows. */
    assert_int_equal(compile_with_depth(1000, nested_loops(16)), 0);
    assert_int_equal(compile_with_depth(1000, nested_loops(17)), SIEVE_E_COMPILE);
}

static void loop_needs_a_block_and_the_extension(void **state)
{
    (void)state;
    assert_string_equal(run("foreverypart { keep; }"), "error -6");
    assert_string_equal(run("require \"foreverypart\"; foreverypart;"), "error -6");
}

static void loop_survives_save_and_load(void **state)
{
    (void)state;
    const char *src = REQ "foreverypart { " WHICH("") "}";
    sieve_script *s;
    assert_int_equal(sieve_compile(engine, src, strlen(src), &s, NULL), 0);
    unsigned char *bytes;
    size_t n;
    assert_int_equal(sieve_script_save(s, &bytes, &n), 0);
    sieve_script_free(s);
    assert_int_equal(sieve_script_load(engine, bytes, n, &s), 0);
    sieve_free(bytes);
    sieve_result *r;
    assert_int_equal(sieve_run(s, msg, strlen(msg), NULL, NULL, &r, NULL), 0);
    assert_int_equal(sieve_result_count(r), 5);
    sieve_result_free(r);
    sieve_script_free(s);
}

/* Damaged saved loops are refused or run safely (every octet flipped, every cut). */
static void damaged_saved_loops_never_load_unsafely(void **state)
{
    (void)state;
    const char *src = REQ "foreverypart :name \"o\" { foreverypart { if header :mime \"X-Test\" "
                      "\"CC\" { break :name \"o\"; } fileinto \"x\"; } }";
    sieve_script *s;
    assert_int_equal(sieve_compile(engine, src, strlen(src), &s, NULL), 0);
    unsigned char *bytes;
    size_t n;
    assert_int_equal(sieve_script_save(s, &bytes, &n), 0);
    sieve_script_free(s);
    for (size_t cut = 0; cut < n; cut++) {
        s = NULL;
        assert_int_not_equal(sieve_script_load(engine, bytes, cut, &s), 0);
    }
    for (size_t i = 0; i < n; i++)
        for (unsigned x = 1; x < 256; x <<= 1) {
            bytes[i] ^= (unsigned char)x;
            s = NULL;
            if (sieve_script_load(engine, bytes, n, &s) == 0) {
                sieve_result *r = NULL;
                sieve_run(s, msg, strlen(msg), NULL, NULL, &r, NULL);
                sieve_result_free(r);
                sieve_script_free(s);
            }
            bytes[i] ^= (unsigned char)x;
        }
    sieve_free(bytes);
}

static void extracttext_outside_a_loop_is_an_error(void **state)
{
    (void)state;
    assert_string_equal(run("require [\"extracttext\", \"variables\"]; extracttext \"x\";"),
                        "error -6");
}

#define XREQ "require [\"foreverypart\", \"mime\", \"extracttext\", \"variables\", \"fileinto\"]; "

static void extracttext_reads_each_parts_text(void **state)
{
    (void)state;
    assert_string_equal(run(XREQ "foreverypart { extracttext \"b\"; "
                            "if header :mime \"X-Test\" \"CC\" { if string :matches \"${b}\" \"Hello*\" "
                            "{ fileinto \"cc\"; } } "
                            "if header :mime \"X-Test\" \"EE\" { if string :contains \"${b}\" \"HTML text\" "
                            "{ fileinto \"ee\"; } if string :contains \"${b}\" \"<html>\" { fileinto \"bad\"; } } "
                            "if header :mime \"X-Test\" \"BB\" { if string \"${b}\" \"\" { fileinto \"bb\"; } } }"),
                        "fileinto bb;fileinto cc;fileinto ee;");
}

static void extracttext_first_and_modifiers(void **state)
{
    (void)state;
    assert_string_equal(run(XREQ "foreverypart { if header :mime \"X-Test\" \"CC\" { "
                            "extracttext :first 3 \"a\"; extracttext :length :first 100 \"l\"; "
                            "extracttext :upper :first 2 \"u\"; "
                            "fileinto \"${a}-${u}\"; fileinto \"len-${l}\"; } }"),
                        "fileinto Hel-HE;fileinto len-5;");
}

static void extracttext_errors(void **state)
{
    (void)state;
    assert_string_equal(run("require [\"foreverypart\", \"extracttext\"]; foreverypart "
                            "{ extracttext \"x\"; }"), "error -6");
    assert_string_equal(run(XREQ "foreverypart { extracttext \"bad name\"; }"), "error -6");
    assert_string_equal(run(XREQ "foreverypart { extracttext :lower :upper \"x\"; }"), "error -6");
}

#define IREQ "require [\"foreverypart\", \"mime\", \"include\", \"fileinto\"]; "

static void included_script_sees_the_loops_part(void **state)
{
    (void)state;
    assert_string_equal(run(IREQ "foreverypart { include \"cur\"; }"), "fileinto sub-cc;");
}

static void loop_in_an_included_script_visits_the_parts_inside_the_current_one(void **state)
{
    (void)state;
    /* On BB the included loop sees CC and DD; on the message it sees every part below. */
    assert_string_equal(run(IREQ "foreverypart { if header :mime \"X-Test\" \"BB\" "
                            "{ include \"loop\"; } }"), "fileinto sub-dd;");
}

static void return_inside_a_loop_ends_the_included_script(void **state)
{
    (void)state;
    assert_string_equal(run(IREQ "include \"ret\"; foreverypart { fileinto \"m\"; break; }"),
                        "fileinto r;fileinto m;");
}

static void loop_depth_counts_across_included_scripts(void **state)
{
    (void)state;
    /* Five levels of parts. */
    static const char deep[] =
        "Content-Type: multipart/mixed; boundary=A\r\n\r\n--A\r\n"
        "Content-Type: multipart/mixed; boundary=B\r\n\r\n--B\r\n"
        "Content-Type: multipart/mixed; boundary=C\r\n\r\n--C\r\n"
        "Content-Type: multipart/mixed; boundary=D\r\n\r\n--D\r\n"
        "X-Test: DD\r\n\r\nHello\r\n--D--\r\n--C--\r\n--B--\r\n--A--\r\n";
    /* Three here and one included: four, the limit. */
    assert_string_equal(run_on(IREQ "foreverypart { foreverypart { foreverypart { "
                               "include \"loop\"; } } }", deep), "fileinto sub-dd;");
    /* Four here and one included: five, a run-time error. */
    assert_string_equal(run_on(IREQ "foreverypart { foreverypart { foreverypart { foreverypart { "
                               "include \"loop\"; } } } }", deep), "error -7");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(loop_visits_every_part_in_order),
        cmocka_unit_test(inner_loop_visits_the_parts_inside_the_current_one),
        cmocka_unit_test(break_leaves_the_innermost_loop),
        cmocka_unit_test(break_name_leaves_the_named_loop),
        cmocka_unit_test(break_without_name_in_inner_loop_continues_the_outer),
        cmocka_unit_test(tests_outside_a_loop_see_the_message),
        cmocka_unit_test(anychild_looks_into_every_part_inside),
        cmocka_unit_test(plain_header_test_in_a_loop_still_reads_the_message),
        cmocka_unit_test(content_type_options_pick_their_piece),
        cmocka_unit_test(mime_tags_need_their_extension_and_mime),
        cmocka_unit_test(break_outside_a_loop_is_an_error),
        cmocka_unit_test(loops_nest_four_deep_not_five),
        cmocka_unit_test(loop_depth_is_an_engine_option),
        cmocka_unit_test(address_mime_reads_a_parts_content_fields),
        cmocka_unit_test(loop_needs_a_block_and_the_extension),
        cmocka_unit_test(loop_survives_save_and_load),
        cmocka_unit_test(damaged_saved_loops_never_load_unsafely),
        cmocka_unit_test(extracttext_outside_a_loop_is_an_error),
        cmocka_unit_test(extracttext_reads_each_parts_text),
        cmocka_unit_test(extracttext_first_and_modifiers),
        cmocka_unit_test(extracttext_errors),
        cmocka_unit_test(included_script_sees_the_loops_part),
        cmocka_unit_test(loop_in_an_included_script_visits_the_parts_inside_the_current_one),
        cmocka_unit_test(return_inside_a_loop_ends_the_included_script),
        cmocka_unit_test(loop_depth_counts_across_included_scripts),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
