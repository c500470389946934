/* test_html.c — HTML to text, text to HTML, previews, thread base subjects (RFC 5256 §2.1). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "html_entities.h"
#include "mp_internal.h"
#include "utf8_valid.h"

/* ---- helpers ------------------------------------------------------------------------------ */

/* Code points in valid UTF-8. */
static size_t utf8_count(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

static char *run_html(const char *html, size_t len)
{
    char *out = NULL;
    size_t out_len = 0;
    assert_int_equal(mailparse_html_to_text(html, len, &out, &out_len), 0);
    assert_non_null(out);
    assert_int_equal(strlen(out), out_len);
    assert_true(utf8_valid(out, out_len));
    return out;
}

#define CHECK_HTML(html, expect)                                                                   \
    do {                                                                                           \
        char *got_ = run_html(html, strlen(html));                                                 \
        assert_string_equal(got_, expect);                                                         \
        mailparse_free(got_);                                                                      \
    } while (0)

static char *run_text(const char *text)
{
    char *out = NULL;
    size_t out_len = 0;
    assert_int_equal(mailparse_text_to_html(text, strlen(text), &out, &out_len), 0);
    assert_non_null(out);
    assert_int_equal(strlen(out), out_len);
    return out;
}

#define CHECK_TEXT(text, expect)                                                                   \
    do {                                                                                           \
        char *got_ = run_text(text);                                                               \
        assert_string_equal(got_, expect);                                                         \
        mailparse_free(got_);                                                                      \
    } while (0)

#define CHECK_SUBJECT(subject, expect)                                                             \
    do {                                                                                           \
        char *got_ = NULL;                                                                         \
        size_t n_ = 99;                                                                            \
        assert_int_equal(mailparse_thread_subject(subject, strlen(subject), &got_, &n_), 0);       \
        assert_non_null(got_);                                                                     \
        assert_string_equal(got_, expect);                                                         \
        assert_int_equal(n_, strlen(expect));                                                      \
        mailparse_free(got_);                                                                      \
    } while (0)

#define CHECK_PREVIEW(text, max, expect)                                                           \
    do {                                                                                           \
        lm_buf b_ = LM_BUF_INIT;                                                                   \
        assert_int_equal(mp_preview(text, strlen(text), max, &b_), 0);                             \
        assert_string_equal(b_.data ? b_.data : "", expect);                                       \
        lm_buf_free(&b_);                                                                          \
    } while (0)

/* ---- HTML to text: structure --------------------------------------------------------------- */

static void html_plain_text_passes_through(void **state)
{
    (void)state;
    CHECK_HTML("Hello world", "Hello world");
    CHECK_HTML("", "");
}

static void html_tags_are_dropped(void **state)
{
    (void)state;
    CHECK_HTML("<b>bold</b> and <i>it</i><span class=x>alic</span>", "bold and italic");
    CHECK_HTML("<P>Upper</P><DIV>Case</DIV>", "Upper\n\nCase");
}

static void html_whitespace_collapses(void **state)
{
    (void)state;
    CHECK_HTML("  a \n\t b  \r\n c ", "a b c");
    CHECK_HTML("<p>  lead and trail  </p>", "lead and trail");
    CHECK_HTML("a <b> b </b> c", "a b c");
}

static void html_paragraphs_are_separated_by_a_blank_line(void **state)
{
    (void)state;
    CHECK_HTML("<p>one</p><p>two</p>", "one\n\ntwo");
    CHECK_HTML("<p>one<p>two", "one\n\ntwo");
    CHECK_HTML("<h1>Title</h1><p>Body</p><h2>Sub</h2>text", "Title\n\nBody\n\nSub\n\ntext");
}

static void html_div_gives_a_line_break(void **state)
{
    (void)state;
    CHECK_HTML("<div>a</div><div>b</div>", "a\nb");
    CHECK_HTML("<div><div><div>a</div></div></div><div>b</div>", "a\nb");
}

static void html_br_gives_line_breaks(void **state)
{
    (void)state;
    CHECK_HTML("a<br>b<br/>c<BR />d</br>e", "a\nb\nc\nd\ne");
    CHECK_HTML("a<br><br>b", "a\n\nb");
}

static void html_blank_lines_collapse_to_one(void **state)
{
    (void)state;
    CHECK_HTML("a<br><br><br><br><br>b", "a\n\nb");
    CHECK_HTML("<p>a</p><p></p><p>&nbsp;</p><p> </p><p>b</p>", "a\n\nb");
    CHECK_HTML("<div><p>a</p></div><div><p>b</p></div>", "a\n\nb");
    CHECK_HTML("<p>a</p><br><br><p>b</p>", "a\n\nb");
}

static void html_leading_and_trailing_breaks_are_dropped(void **state)
{
    (void)state;
    CHECK_HTML("<br><br><p>a</p><br><div></div>", "a");
    CHECK_HTML("<p></p><br>", "");
}

static void html_gmail_and_outlook_shapes(void **state)
{
    (void)state;
    CHECK_HTML("<div dir=\"ltr\">Hi Bob,<div><br></div><div>Thanks</div></div>",
               "Hi Bob,\n\nThanks");
    CHECK_HTML("<p class=MsoNormal>Hello<o:p></o:p></p><p class=MsoNormal><o:p>&nbsp;</o:p></p>"
               "<p class=MsoNormal>Bye<o:p></o:p></p>",
               "Hello\n\nBye");
}

static void html_table_rows_are_lines_and_cells_spaced(void **state)
{
    (void)state;
    CHECK_HTML("<table><tr><td>a</td><td>b</td></tr><tr><th>c</th><td>d</td></tr></table>",
               "a b\nc d");
    CHECK_HTML("x<table><tr><td>1</td></tr></table>y", "x\n1\ny");
}

static void html_hr_is_a_rule_line(void **state)
{
    (void)state;
    CHECK_HTML("a<hr>b", "a\n---\nb");
    CHECK_HTML("<p>a</p><hr/><p>b</p>", "a\n\n---\n\nb");
}

/* ---- HTML to text: lists ------------------------------------------------------------------- */

static void html_list_items_get_dashes(void **state)
{
    (void)state;
    CHECK_HTML("<ul><li>one</li><li>two</li></ul>", "- one\n- two");
    CHECK_HTML("<p>Intro</p><ul><li>a<li>b</ul><p>End</p>", "Intro\n\n- a\n- b\n\nEnd");
    CHECK_HTML("<ul>\n  <li> spaced </li>\n  <li>\n item </li>\n</ul>", "- spaced\n- item");
}

static void html_ordered_lists_are_numbered(void **state)
{
    (void)state;
    CHECK_HTML("<ol><li>a</li><li>b</li><li>c</li></ol>", "1. a\n2. b\n3. c");
    CHECK_HTML("<ol start=\"7\"><li>a<li>b</ol>", "7. a\n8. b");
    CHECK_HTML("<ol start=x><li>a</ol>", "1. a");
    CHECK_HTML("<ol start=99999999999999><li>a</ol>", "1000000000. a");
}

static void html_nested_lists_are_indented(void **state)
{
    (void)state;
    CHECK_HTML("<ul><li>a<ul><li>b</li><li>c</li></ul></li><li>d</li></ul>",
               "- a\n  - b\n  - c\n- d");
    CHECK_HTML("<ul><li>x<ol><li>y<li>z</ol></ul>", "- x\n  1. y\n  2. z");
    CHECK_HTML("<ol><li>a<ol><li>b</ol><li>c</ol>", "1. a\n  1. b\n2. c");
}

static void html_list_item_outside_a_list_gets_a_dash(void **state)
{
    (void)state;
    CHECK_HTML("<li>a</li><li>b</li>", "- a\n- b");
    CHECK_HTML("</ul></ol>text", "text");
}

static void html_empty_list_item_leaves_no_dash(void **state)
{
    (void)state;
    CHECK_HTML("<ul><li></li><li>b</li><li> </li></ul>", "- b");
}

static void html_deep_lists_indent_up_to_the_limit(void **state)
{
    (void)state;
    char html[2000] = "";
    /* 16 levels (the limit) and 17 levels indent the same. */
    for (int levels = 16; levels <= 17; levels++) {
        html[0] = '\0';
        for (int i = 0; i < levels; i++)
            strcat(html, "<ul><li>");
        strcat(html, "x");
        char expect[64];
        memset(expect, ' ', 30);
        strcpy(expect + 30, "- x");
        CHECK_HTML(html, expect);
    }
}

/* ---- HTML to text: quotes and pre ------------------------------------------------------------ */

static void html_blockquote_lines_get_quote_marks(void **state)
{
    (void)state;
    CHECK_HTML("<p>I wrote:</p><blockquote>quoted<br>more</blockquote><p>reply</p>",
               "I wrote:\n\n> quoted\n> more\n\nreply");
    CHECK_HTML("<blockquote><p>p1</p><p>p2</p></blockquote>", "> p1\n>\n> p2");
}

static void html_nested_blockquotes_deepen_the_marks(void **state)
{
    (void)state;
    CHECK_HTML("<blockquote>a<blockquote>b</blockquote>c</blockquote>d",
               "> a\n>\n>> b\n>\n> c\n\nd");
}

static void html_deep_blockquotes_stop_at_the_limit(void **state)
{
    (void)state;
    lm_buf html = LM_BUF_INIT;
    for (int i = 0; i < 100000; i++)
        lm_buf_puts(&html, "<blockquote>");
    lm_buf_puts(&html, "x");
    char *out = run_html(html.data, html.len);
    assert_string_equal(out, ">>>>>>>>>>>>>>>> x");
    mailparse_free(out);
    lm_buf_free(&html);
    CHECK_HTML("<blockquote><blockquote><blockquote><blockquote><blockquote><blockquote>"
               "<blockquote><blockquote><blockquote><blockquote><blockquote><blockquote>"
               "<blockquote><blockquote><blockquote><blockquote>x",
               ">>>>>>>>>>>>>>>> x");
    CHECK_HTML("</blockquote></blockquote>x", "x");
}

static void html_pre_keeps_whitespace(void **state)
{
    (void)state;
    CHECK_HTML("<p>x</p><pre>  a  b\n    c\n</pre><p>y</p>", "x\n\n  a  b\n    c\n\ny");
    CHECK_HTML("<pre>a\n\n\n\nb</pre>", "a\n\n\n\nb");
    CHECK_HTML("<pre>a&nbsp;&nbsp;b\tc</pre>", "a  b\tc");
}

static void html_pre_drops_its_first_line_end(void **state)
{
    (void)state;
    CHECK_HTML("<pre>\nline</pre>", "line");
    CHECK_HTML("<pre>a\r\nb\rc</pre>", "a\nb\nc");
}

static void html_pre_inside_blockquote_keeps_marks(void **state)
{
    (void)state;
    CHECK_HTML("<blockquote><pre>a\n\nb</pre></blockquote>", "> a\n>\n> b");
}

/* ---- HTML to text: dropped content --------------------------------------------------------- */

static void html_script_and_style_are_dropped(void **state)
{
    (void)state;
    CHECK_HTML("a<script>var x = '<p>no</p>';</script>b", "ab");
    CHECK_HTML("a <style>p { color: red }</style> b", "a b");
    CHECK_HTML("a<SCRIPT type=text/javascript>x</ScRiPt >b", "ab");
    CHECK_HTML("a<script>x</scripty>y</script>b", "ab");
    CHECK_HTML("a<script>never closed <p>x", "a");
    CHECK_HTML("a<style>x</style", "a");
    CHECK_HTML("<xmp><b>x</b></xmp>y<template>t</template><iframe>f</iframe>", "y");
}

static void html_head_and_title_are_dropped(void **state)
{
    (void)state;
    CHECK_HTML("<html><head><title>T</title><style>p{color:red}</style><meta charset=utf-8>"
               "<link rel=stylesheet href=x></head><body><p>Body</p></body></html>",
               "Body");
    CHECK_HTML("<head>junk text<body>y", "y");
    CHECK_HTML("<head><meta x><p>y", "y");
    CHECK_HTML("<title>only title", "");
}

static void html_comments_are_dropped(void **state)
{
    (void)state;
    CHECK_HTML("a<!-- hidden <p> -->b", "ab");
    CHECK_HTML("a<!-->b<!--->c", "abc");
    CHECK_HTML("a<!--x--!>b", "ab");
    CHECK_HTML("a<!-- - -- --->b", "ab");
    CHECK_HTML("<!--[if mso]>x<![endif]-->y", "y");
    CHECK_HTML("<![if !mso]>z<![endif]>", "z");
}

static void html_unclosed_comment_runs_to_the_end(void **state)
{
    (void)state;
    CHECK_HTML("a<!-- never", "a");
    CHECK_HTML("a<!--", "a");
    CHECK_HTML("a<!--x-", "a");
}

static void html_doctype_and_processing_instructions_are_dropped(void **state)
{
    (void)state;
    CHECK_HTML("<!DOCTYPE html PUBLIC \"-//W3C//DTD XHTML 1.0//EN\"><p>a", "a");
    CHECK_HTML("<?xml version=\"1.0\"?><p>a", "a");
    CHECK_HTML("a</>b</ 3>c", "abc");
}

static void html_cdata_content_is_text(void **state)
{
    (void)state;
    CHECK_HTML("<![CDATA[x<y & z]]>!", "x<y & z!");
    CHECK_HTML("<![CDATA[open ] ]] end", "open ] ]] end");
}

static void html_stray_less_than_is_text(void **state)
{
    (void)state;
    CHECK_HTML("a < b and c<3", "a < b and c<3");
    CHECK_HTML("a <", "a <");
    CHECK_HTML("x<", "x<");
    CHECK_HTML("1 <= 2", "1 <= 2");
}

static void html_unclosed_tag_at_the_end_is_dropped(void **state)
{
    (void)state;
    CHECK_HTML("a<b c=\"d", "a");
    CHECK_HTML("text <span", "text");
    CHECK_HTML("a<a href=\"x>b c", "a");
    CHECK_HTML("a</p", "a");
}

static void html_attributes_with_any_quoting(void **state)
{
    (void)state;
    CHECK_HTML("<img alt=\"a>b\">", "a>b");
    CHECK_HTML("<img alt='single \"q\"'>", "single \"q\"");
    CHECK_HTML("<img alt=bare>", "bare");
    CHECK_HTML("<img src=x alt = \"spaced\" >", "spaced");
    CHECK_HTML("<img =weird alt=ok />", "ok");
    CHECK_HTML("<img alt=ok/>", "ok/");
    CHECK_HTML("<img/alt=slash>", "slash");
    CHECK_HTML("<img ALT=upper alt=second>", "upper");
}

static void html_huge_attribute_is_skipped_in_linear_time(void **state)
{
    (void)state;
    size_t n = 4 * 1024 * 1024;
    lm_buf html = LM_BUF_INIT;
    lm_buf_puts(&html, "<div title=\"");
    for (size_t i = 0; i < n; i++)
        lm_buf_putc(&html, 'x');
    lm_buf_puts(&html, "\">text</div>");
    char *out = run_html(html.data, html.len);
    assert_string_equal(out, "text");
    mailparse_free(out);
    lm_buf_free(&html);
}

/* ---- HTML to text: links and images ---------------------------------------------------------- */

static void html_links_show_their_url(void **state)
{
    (void)state;
    CHECK_HTML("<a title='x>y' href=\"http://e.com/\">link</a>", "link <http://e.com/>");
    CHECK_HTML("<a href=http://e.com/x>go</a> on", "go <http://e.com/x> on");
    CHECK_HTML("see <a href=\"https://e.com/p\">\n the page \n</a>.",
               "see the page <https://e.com/p>.");
}

static void html_link_equal_to_its_text_is_shown_once(void **state)
{
    (void)state;
    CHECK_HTML("<a href=\"https://example.com/\">https://example.com/</a>", "https://example.com/");
    CHECK_HTML("<a href=\"https://example.com/\">example.com</a>", "example.com");
    CHECK_HTML("<a href=\"HTTP://Example.com\">example.COM/</a>", "example.COM/");
    CHECK_HTML("<blockquote><a href=\"http://e.com\">http://e.com</a></blockquote>",
               "> http://e.com");
}

static void html_mailto_links_show_the_address(void **state)
{
    (void)state;
    CHECK_HTML("<a href=\"mailto:bob@example.com\">Bob</a>", "Bob <bob@example.com>");
    CHECK_HTML("<a href=\"mailto:bob@example.com?subject=hi\">bob@example.com</a>",
               "bob@example.com");
    CHECK_HTML("<a href=\"MAILTO:bob@example.com\">write</a>", "write <bob@example.com>");
    CHECK_HTML("<a href=\"mailto:?subject=x\">share</a>", "share");
}

static void html_links_without_a_target_show_only_text(void **state)
{
    (void)state;
    CHECK_HTML("<a name=x>text</a>", "text");
    CHECK_HTML("<a href=\"#top\">Top</a>", "Top");
    CHECK_HTML("<a href=\"javascript:void(0)\">x</a>", "x");
    CHECK_HTML("<a href=\"data:text/html,hi\">d</a>", "d");
    CHECK_HTML("<a href=\"\">empty</a>", "empty");
    CHECK_HTML("<a href>bare</a>", "bare");
}

static void html_link_href_entities_are_decoded(void **state)
{
    (void)state;
    CHECK_HTML("<a href=\"http://e.com/?a=1&amp;b=2\">q</a>", "q <http://e.com/?a=1&b=2>");
    CHECK_HTML("<a href=\"http://e.com/?a=1&copy=2\">q</a>", "q <http://e.com/?a=1&copy=2>");
    CHECK_HTML("<a href=\"http://e.com/&copy\">q</a>", "q <http://e.com/\xC2\xA9>");
    CHECK_HTML("<a href=\" http://e.com/a\nb \">q</a>", "q <http://e.com/ab>");
}

static void html_link_around_an_image_uses_its_alt(void **state)
{
    (void)state;
    CHECK_HTML("<a href=\"http://e.com/\"><img src=\"logo.png\" alt=\"Logo\"></a>",
               "Logo <http://e.com/>");
    CHECK_HTML("<a href=\"http://e.com/\"><img src=x></a>", "");
}

static void html_unclosed_and_nested_links(void **state)
{
    (void)state;
    CHECK_HTML("see <a href=\"http://e.com/\">here", "see here <http://e.com/>");
    CHECK_HTML("<a href=\"http://one.example/\">A<a href=\"http://two.example/\">B</a>",
               "A <http://one.example/>B <http://two.example/>");
    CHECK_HTML("</a></a>x", "x");
}

static void html_long_href_is_shown_up_to_the_limit(void **state)
{
    (void)state;
    for (size_t n = 8192; n <= 8193; n++) {
        lm_buf html = LM_BUF_INIT, expect = LM_BUF_INIT;
        lm_buf_puts(&html, "<a href=\"http://e.com/");
        lm_buf_puts(&expect, "t <http://e.com/");
        for (size_t i = strlen("http://e.com/"); i < n; i++) {
            lm_buf_putc(&html, 'a');
            lm_buf_putc(&expect, 'a');
        }
        lm_buf_puts(&html, "\">t</a>");
        lm_buf_putc(&expect, '>');
        char *out = run_html(html.data, html.len);
        assert_string_equal(out, n == 8192 ? expect.data : "t");
        mailparse_free(out);
        lm_buf_free(&html);
        lm_buf_free(&expect);
    }
}

static void html_images_show_their_alt_text(void **state)
{
    (void)state;
    CHECK_HTML("Hi <img alt=\"smiley\" src=x> there", "Hi smiley there");
    CHECK_HTML("a<img src=x>b", "ab");
    CHECK_HTML("<img alt=\"Tom &amp; Jerry &copy=\">", "Tom & Jerry &copy=");
    CHECK_HTML("<img alt=\"  spaced   out \">", "spaced out");
}

/* ---- HTML to text: character references and encoding ----------------------------------------- */

static void entities_basic_named(void **state)
{
    (void)state;
    CHECK_HTML("&lt;&gt;&amp;&quot;&apos;", "<>&\"'");
    CHECK_HTML("&eacute;&copy;&euro;&hellip;&mdash;",
               "\xC3\xA9\xC2\xA9\xE2\x82\xAC\xE2\x80\xA6\xE2\x80\x94");
    CHECK_HTML("&AMP;&LT;&Auml;", "&<\xC3\x84");
}

static void entities_legacy_names_work_without_semicolon(void **state)
{
    (void)state;
    CHECK_HTML("&copy 2024 &amp co", "\xC2\xA9 2024 & co");
    CHECK_HTML("&notit;", "\xC2\xACit;");
    CHECK_HTML("&ampx", "&x");
    CHECK_HTML("&frac12&middot", "\xC2\xBD\xC2\xB7");
}

static void entities_modern_names_need_semicolon(void **state)
{
    (void)state;
    CHECK_HTML("&hellip &euro", "&hellip &euro");
}

static void entities_unknown_stay_literal(void **state)
{
    (void)state;
    CHECK_HTML("&foo; & &; &&amp;", "&foo; & &; &&");
    CHECK_HTML("AT&T", "AT&T");
    CHECK_HTML("&", "&");
    CHECK_HTML("&#", "&#");
}

static void entities_with_two_code_points(void **state)
{
    (void)state;
    CHECK_HTML("&NotEqualTilde;", "\xE2\x89\x82\xCC\xB8");
    CHECK_HTML("&fjlig;", "fj");
}

static void entities_longest_name(void **state)
{
    (void)state;
    CHECK_HTML("&CounterClockwiseContourIntegral;", "\xE2\x88\xB3");
    CHECK_HTML("&CounterClockwiseContourIntegralX;", "&CounterClockwiseContourIntegralX;");
}

static void entities_numeric(void **state)
{
    (void)state;
    CHECK_HTML("&#65;&#x42;&#X43;&#0068;&#x45", "ABCDE");
    CHECK_HTML("&#128512;&#x1F600;", "\xF0\x9F\x98\x80\xF0\x9F\x98\x80");
    CHECK_HTML("&#;&#x;&#xg;", "&#;&#x;&#xg;");
}

static void entities_numeric_windows_1252_remap(void **state)
{
    (void)state;
    CHECK_HTML("&#128;&#150;&#x99;&#x9F;", "\xE2\x82\xAC\xE2\x80\x93\xE2\x84\xA2\xC5\xB8");
    CHECK_HTML("&#129;&#x8D;", "\xC2\x81\xC2\x8D");
}

static void entities_numeric_invalid_become_replacement(void **state)
{
    (void)state;
    CHECK_HTML("&#0;&#xD800;&#xDFFF;&#x110000;&#99999999999999999999;",
               "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
    CHECK_HTML("&#x10FFFF;", "\xF4\x8F\xBF\xBF");
}

static void entities_whitespace_references_collapse(void **state)
{
    (void)state;
    CHECK_HTML("a&#32;&#32;&#10;b&nbsp;&nbsp;c", "a b c");
}

static void entity_table_lookup(void **state)
{
    (void)state;
    uint32_t cp[2];
    assert_int_equal(mp_html_entity_lookup("amp;", 4, cp), 1);
    assert_int_equal(cp[0], '&');
    assert_int_equal(mp_html_entity_lookup("amp", 3, cp), 1);
    assert_int_equal(mp_html_entity_lookup("hellip", 6, cp), 0);
    assert_int_equal(mp_html_entity_lookup("hellip;", 7, cp), 1);
    assert_int_equal(cp[0], 0x2026);
    assert_int_equal(mp_html_entity_lookup("AElig", 5, cp), 1);
    assert_int_equal(mp_html_entity_lookup("zwnj;", 5, cp), 1);
    assert_int_equal(cp[0], 0x200C);
    assert_int_equal(mp_html_entity_lookup("acE;", 4, cp), 2);
    assert_int_equal(cp[0], 0x223E);
    assert_int_equal(cp[1], 0x333);
    assert_int_equal(mp_html_entity_lookup("", 0, cp), 0);
    assert_int_equal(mp_html_entity_lookup("am", 2, cp), 0);
    assert_int_equal(mp_html_entity_lookup("amp\0;", 5, cp), 0);
    assert_int_equal(mp_html_entity_lookup("CounterClockwiseContourIntegral;", 32, cp), 1);
    assert_int_equal(mp_html_entity_lookup("CounterClockwiseContourIntegral;;", 33, cp), 0);
}

static void html_invalid_utf8_becomes_replacement(void **state)
{
    (void)state;
    CHECK_HTML("a\xFF\xFE" "b", "a\xEF\xBF\xBD\xEF\xBF\xBD" "b");
    CHECK_HTML("end\xE2\x82", "end\xEF\xBF\xBD");
    CHECK_HTML("\xC0\xAF", "\xEF\xBF\xBD\xEF\xBF\xBD");
    CHECK_HTML("\xED\xA0\x80", "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
    CHECK_HTML("\xF4\x90\x80\x80", "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
}

static void html_valid_utf8_is_kept(void **state)
{
    (void)state;
    CHECK_HTML("<p>\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E \xF0\x9F\x98\x80 caf\xC3\xA9</p>",
               "\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E \xF0\x9F\x98\x80 caf\xC3\xA9");
}

static void html_nul_byte_becomes_replacement(void **state)
{
    (void)state;
    char *out = run_html("a\0b", 3);
    assert_string_equal(out, "a\xEF\xBF\xBD" "b");
    mailparse_free(out);
}

static void html_invisible_characters_are_dropped(void **state)
{
    (void)state;
    CHECK_HTML("a&shy;b&#x200B;c\xEF\xBB\xBF" "d&#847;e", "abcde");
    CHECK_HTML("\xF0\x9F\x91\xA8&zwj;\xF0\x9F\x91\xA9",
               "\xF0\x9F\x91\xA8\xE2\x80\x8D\xF0\x9F\x91\xA9");
}

/* ---- HTML to text: hostile shapes ------------------------------------------------------------ */

/* `unit` repeated `n` times (then `tail`) converts to `expect`; quadratic work would time out. */
static void check_repeated(const char *unit, size_t n, const char *tail, const char *expect)
{
    lm_buf html = LM_BUF_INIT;
    for (size_t i = 0; i < n; i++)
        lm_buf_puts(&html, unit);
    lm_buf_puts(&html, tail);
    char *out = run_html(html.data, html.len);
    if (expect)
        assert_string_equal(out, expect);
    mailparse_free(out);
    lm_buf_free(&html);
}

static void html_hostile_repetitions_run_in_linear_time(void **state)
{
    (void)state;
    size_t n = 200000;
    check_repeated("<!--", n, "", "");
    check_repeated("<div>", n, "x", "x");
    check_repeated("<script>", n, "", "");
    check_repeated("<a href=\"http://e/\">", n, "", "");
    check_repeated("<![CDATA[", n, "", NULL);
    check_repeated("<!", n, "x", NULL);
    check_repeated("&amp", n, "", NULL);
    check_repeated("&#x", n, "", NULL);
    check_repeated("<a b=\"", n, "", "");
    check_repeated("<li>", n, "x", "- x");
    check_repeated("<ul>", n, "<li>x", NULL);
    check_repeated("<br>", n, "x", "x");
    check_repeated("</div>", n, "x", "x");
    check_repeated("<", n, "", NULL);
    check_repeated("<pre>", n, "a\nb", "a\nb");
}

static void html_deep_nesting_of_divs(void **state)
{
    (void)state;
    lm_buf html = LM_BUF_INIT;
    for (int i = 0; i < 100000; i++)
        lm_buf_puts(&html, "<div><span>");
    lm_buf_puts(&html, "deep");
    for (int i = 0; i < 100000; i++)
        lm_buf_puts(&html, "</span></div>");
    char *out = run_html(html.data, html.len);
    assert_string_equal(out, "deep");
    mailparse_free(out);
    lm_buf_free(&html);
}

static void html_appends_after_existing_buffer_content(void **state)
{
    (void)state;
    lm_buf b = LM_BUF_INIT;
    lm_buf_puts(&b, "keep \n");
    assert_int_equal(mp_html_to_text("<p></p>", 7, &b), 0);
    assert_string_equal(b.data, "keep \n");
    assert_int_equal(mp_html_to_text("<p>x</p>", 8, &b), 0);
    assert_string_equal(b.data, "keep \nx");
    lm_buf_free(&b);
}

static void html_public_api_checks_arguments(void **state)
{
    (void)state;
    char *out = (char *)"sentinel";
    size_t n;
    assert_int_equal(mailparse_html_to_text(NULL, 1, &out, &n), MAILPARSE_E_INVAL);
    assert_int_equal(mailparse_html_to_text("x", 1, NULL, &n), MAILPARSE_E_INVAL);
    assert_int_equal(mailparse_text_to_html(NULL, 1, &out, &n), MAILPARSE_E_INVAL);
    assert_int_equal(mailparse_thread_subject(NULL, 1, &out, &n), MAILPARSE_E_INVAL);
    assert_int_equal(mailparse_html_to_text(NULL, 0, &out, NULL), 0);
    assert_string_equal(out, "");
    mailparse_free(out);
    assert_int_equal(mailparse_thread_subject(NULL, 0, &out, &n), 0);
    assert_string_equal(out, "");
    assert_int_equal(n, 0);
    mailparse_free(out);
}

/* ---- text to HTML ---------------------------------------------------------------------------- */

static void text_lines_become_paragraphs_and_breaks(void **state)
{
    (void)state;
    CHECK_TEXT("", "");
    CHECK_TEXT("Hello", "<p>Hello</p>\n");
    CHECK_TEXT("a\nb", "<p>a<br>\nb</p>\n");
    CHECK_TEXT("a\n\nb\n", "<p>a</p>\n<p>b</p>\n");
    CHECK_TEXT("a\n   \n\n\nb", "<p>a</p>\n<p>b</p>\n");
    CHECK_TEXT("\n\n", "");
}

static void text_line_ends_of_any_kind(void **state)
{
    (void)state;
    CHECK_TEXT("a\r\nb\rc\n\rd", "<p>a<br>\nb<br>\nc</p>\n<p>d</p>\n");
}

static void text_special_characters_are_escaped(void **state)
{
    (void)state;
    CHECK_TEXT("<b> & \"x\" 'y'", "<p>&lt;b&gt; &amp; &quot;x&quot; 'y'</p>\n");
}

static void text_runs_of_spaces_are_kept(void **state)
{
    (void)state;
    CHECK_TEXT("a  b", "<p>a &nbsp;b</p>\n");
    CHECK_TEXT("  x", "<p>&nbsp;&nbsp;x</p>\n");
    CHECK_TEXT("a\tb", "<p>a b</p>\n");
}

static void text_urls_are_linked(void **state)
{
    (void)state;
    CHECK_TEXT("see http://example.com/a?b=1&c=2.",
               "<p>see <a href=\"http://example.com/a?b=1&amp;c=2\">"
               "http://example.com/a?b=1&amp;c=2</a>.</p>\n");
    CHECK_TEXT("https://e.com/x", "<p><a href=\"https://e.com/x\">https://e.com/x</a></p>\n");
    CHECK_TEXT("mail mailto:bob@e.com!",
               "<p>mail <a href=\"mailto:bob@e.com\">mailto:bob@e.com</a>!</p>\n");
    CHECK_TEXT("HTTP://E.COM", "<p><a href=\"HTTP://E.COM\">HTTP://E.COM</a></p>\n");
}

static void text_url_punctuation_and_brackets(void **state)
{
    (void)state;
    CHECK_TEXT("(https://e.com/x_(y))",
               "<p>(<a href=\"https://e.com/x_(y)\">https://e.com/x_(y)</a>)</p>\n");
    CHECK_TEXT("<https://e.com>", "<p>&lt;<a href=\"https://e.com\">https://e.com</a>&gt;</p>\n");
    CHECK_TEXT("\"http://e.com/\"",
               "<p>&quot;<a href=\"http://e.com/\">http://e.com/</a>&quot;</p>\n");
    CHECK_TEXT("end: http://e.com/;,.!?",
               "<p>end: <a href=\"http://e.com/\">http://e.com/</a>;,.!?</p>\n");
}

static void text_non_urls_are_not_linked(void **state)
{
    (void)state;
    CHECK_TEXT("xhttp://a", "<p>xhttp://a</p>\n");
    CHECK_TEXT("http://", "<p>http://</p>\n");
    CHECK_TEXT("http://.", "<p>http://.</p>\n");
    CHECK_TEXT("ftp://e.com", "<p>ftp://e.com</p>\n");
    CHECK_TEXT("mailto:", "<p>mailto:</p>\n");
}

static void text_quoted_lines_become_blockquotes(void **state)
{
    (void)state;
    CHECK_TEXT("> a\n> b\nc",
               "<blockquote type=\"cite\">\n<p>a<br>\nb</p>\n</blockquote>\n<p>c</p>\n");
    CHECK_TEXT(">a", "<blockquote type=\"cite\">\n<p>a</p>\n</blockquote>\n");
    CHECK_TEXT("> a\n>\n> b",
               "<blockquote type=\"cite\">\n<p>a</p>\n<p>b</p>\n</blockquote>\n");
}

static void text_nested_quotes_nest_blockquotes(void **state)
{
    (void)state;
    const char *nested = "<blockquote type=\"cite\">\n<blockquote type=\"cite\">\n<p>a</p>\n"
                         "</blockquote>\n<p>b</p>\n</blockquote>\n";
    CHECK_TEXT(">> a\n> b", nested);
    CHECK_TEXT("> > a\n> b", nested);
    CHECK_TEXT(">>> x\nplain",
               "<blockquote type=\"cite\">\n<blockquote type=\"cite\">\n"
               "<blockquote type=\"cite\">\n"
               "<p>x</p>\n</blockquote>\n</blockquote>\n</blockquote>\n<p>plain</p>\n");
}

static void count_substr(const char *s, const char *sub, size_t *n)
{
    *n = 0;
    for (const char *p = strstr(s, sub); p; p = strstr(p + 1, sub))
        (*n)++;
}

static void text_deep_quotes_stop_at_the_limit(void **state)
{
    (void)state;
    for (size_t depth = 32; depth <= 33; depth++) {
        char text[64];
        memset(text, '>', depth);
        strcpy(text + depth, " x");
        char *out = run_text(text);
        size_t open, close;
        count_substr(out, "<blockquote", &open);
        count_substr(out, "</blockquote>", &close);
        assert_int_equal(open, 32);
        assert_int_equal(close, 32);
        assert_non_null(strstr(out, "<p>x</p>"));
        mailparse_free(out);
    }
}

static void text_invalid_utf8_becomes_replacement(void **state)
{
    (void)state;
    CHECK_TEXT("a\xFF" "b\xE2\x82", "<p>a\xEF\xBF\xBD" "b\xEF\xBF\xBD</p>\n");
    CHECK_TEXT("caf\xC3\xA9 \xF0\x9F\x98\x80", "<p>caf\xC3\xA9 \xF0\x9F\x98\x80</p>\n");
}

static void text_to_html_and_back_round_trips(void **state)
{
    (void)state;
    const char *text = "Hello <you> & co\nsecond line\n\n> quoted\n>> deeper\n\n"
                       "see https://e.com/a?b&c";
    char *html = run_text(text);
    char *back = run_html(html, strlen(html));
    assert_string_equal(back, "Hello <you> & co\nsecond line\n\n> quoted\n>\n>> deeper\n\n"
                              "see https://e.com/a?b&c");
    mailparse_free(html);
    mailparse_free(back);
}

/* ---- thread base subject --------------------------------------------------------------------- */

static void subject_plain_is_unchanged(void **state)
{
    (void)state;
    CHECK_SUBJECT("hello world", "hello world");
    CHECK_SUBJECT("", "");
    CHECK_SUBJECT("Reply: x", "Reply: x");
    CHECK_SUBJECT("Re x", "Re x");
    CHECK_SUBJECT("Rex: y", "Rex: y");
    CHECK_SUBJECT("Fwdx: y", "Fwdx: y");
    CHECK_SUBJECT("Meeting at 10:30", "Meeting at 10:30");
}

static void subject_strips_re_and_fwd(void **state)
{
    (void)state;
    CHECK_SUBJECT("Re: hello", "hello");
    CHECK_SUBJECT("RE: Re: re: hello", "hello");
    CHECK_SUBJECT("Fwd: hello", "hello");
    CHECK_SUBJECT("FW: hello", "hello");
    CHECK_SUBJECT("Re:hello", "hello");
    CHECK_SUBJECT("Re: Re", "Re");
    CHECK_SUBJECT("Re:", "");
    CHECK_SUBJECT("Re: Fwd: Re: Fw: x", "x");
}

static void subject_strips_counted_replies(void **state)
{
    (void)state;
    CHECK_SUBJECT("Re[2]: hello", "hello");
    CHECK_SUBJECT("Re [3] : hello", "hello");
    CHECK_SUBJECT("Re(2): hello", "hello");
    CHECK_SUBJECT("Re(x): hello", "Re(x): hello");
}

static void subject_strips_list_tags(void **state)
{
    (void)state;
    CHECK_SUBJECT("[list] Re: hello", "hello");
    CHECK_SUBJECT("Re: [list] hello", "hello");
    CHECK_SUBJECT("[list] hello", "hello");
    CHECK_SUBJECT("[a] [b] Re: [c] hello", "hello");
    CHECK_SUBJECT("Re: [list] Re: hello", "hello");
}

static void subject_keeps_a_tag_that_is_all_there_is(void **state)
{
    (void)state;
    CHECK_SUBJECT("[list]", "[list]");
    CHECK_SUBJECT("[a][b]", "[b]");
    CHECK_SUBJECT("Re: [a] [b]", "[b]");
    CHECK_SUBJECT("[unclosed hello", "[unclosed hello");
}

static void subject_strips_fwd_trailers_and_wrappers(void **state)
{
    (void)state;
    CHECK_SUBJECT("hello (fwd)", "hello");
    CHECK_SUBJECT("hello (fwd) (FWD)  ", "hello");
    CHECK_SUBJECT("[fwd: hello]", "hello");
    CHECK_SUBJECT("[Fwd: Re: hello (fwd)]", "hello");
    CHECK_SUBJECT("Re: [Fwd: [fwd: x]]", "x");
    CHECK_SUBJECT("(fwd)", "");
}

static void subject_whitespace_is_collapsed(void **state)
{
    (void)state;
    CHECK_SUBJECT("  Re:   spaced   out  ", "spaced out");
    CHECK_SUBJECT("Re:\thello\r\n\tworld", "hello world");
    CHECK_SUBJECT("\xE5\x9B\x9E\xE5\xA4\x8D\xEF\xBC\x9A\xE3\x80\x80\xE4\xBD\xA0\xE5\xA5\xBD",
                  "\xE4\xBD\xA0\xE5\xA5\xBD");
}

static void subject_localized_prefixes_european(void **state)
{
    (void)state;
    CHECK_SUBJECT("AW: Hallo", "Hallo");              /* German */
    CHECK_SUBJECT("WG: Hallo", "Hallo");
    CHECK_SUBJECT("SV: Hej", "Hej");                  /* Swedish, Danish, Norwegian */
    CHECK_SUBJECT("VB: Hej", "Hej");
    CHECK_SUBJECT("VS: Hei", "Hei");                  /* Finnish */
    CHECK_SUBJECT("VL: Hei", "Hei");
    CHECK_SUBJECT("Antw: Hallo", "Hallo");            /* Dutch */
    CHECK_SUBJECT("Doorst: Hallo", "Hallo");
    CHECK_SUBJECT("TR: Bonjour", "Bonjour");          /* French */
    CHECK_SUBJECT("RE : Bonjour", "Bonjour");
    CHECK_SUBJECT("RIF: Ciao", "Ciao");               /* Italian */
    CHECK_SUBJECT("R: Ciao", "Ciao");
    CHECK_SUBJECT("I: Ciao", "Ciao");
    CHECK_SUBJECT("RV: Hola", "Hola");                /* Spanish */
    CHECK_SUBJECT("RES: Ol\xC3\xA1", "Ol\xC3\xA1");  /* Portuguese */
    CHECK_SUBJECT("ENC: Ol\xC3\xA1", "Ol\xC3\xA1");
    CHECK_SUBJECT("Odp: Cze\xC5\x9B\xC4\x87", "Cze\xC5\x9B\xC4\x87"); /* Polish */
    CHECK_SUBJECT("PD: x", "x");
    CHECK_SUBJECT("V\xC3\x81: Szia", "Szia");         /* Hungarian */
    CHECK_SUBJECT("Tov\xC3\xA1" "bb\xC3\xAD" "t\xC3\xA1s: Szia", "Szia");
    CHECK_SUBJECT("Odg: Bok", "Bok");                 /* Croatian, Slovenian */
    CHECK_SUBJECT("Atb: Sveiki", "Sveiki");           /* Latvian */
    CHECK_SUBJECT("P\xC4\x80RS: Sveiki", "Sveiki");
    CHECK_SUBJECT("Ats: Labas", "Labas");             /* Lithuanian */
    CHECK_SUBJECT("Vs: Tere", "Tere");                /* Estonian */
    CHECK_SUBJECT("Ref: x", "x");
}

static void subject_localized_prefixes_other_scripts(void **state)
{
    (void)state;
    CHECK_SUBJECT("YNT: Merhaba", "Merhaba");          /* Turkish */
    CHECK_SUBJECT("Ynt: Merhaba", "Merhaba");
    CHECK_SUBJECT("\xC4\xB0LT: Merhaba", "Merhaba");
    CHECK_SUBJECT("\xD0\x9E\xD1\x82\xD0\xB2\xD0\xB5\xD1\x82: "
                  "\xD0\x9F\xD1\x80\xD0\xB8\xD0\xB2\xD0\xB5\xD1\x82",
                  "\xD0\x9F\xD1\x80\xD0\xB8\xD0\xB2\xD0\xB5\xD1\x82"); /* Russian Ответ */
    CHECK_SUBJECT("\xD0\x9E\xD0\xA2\xD0\x92\xD0\x95\xD0\xA2: x", "x");   /* ОТВЕТ */
    CHECK_SUBJECT("\xD0\x9F\xD0\xB5\xD1\x80\xD0\xB5\xD1\x81\xD0\xBB: x", "x"); /* Пересл */
    CHECK_SUBJECT("\xCE\x91\xCE\xA0: \xCE\x93\xCE\xB5\xCE\xB9\xCE\xB1",
                  "\xCE\x93\xCE\xB5\xCE\xB9\xCE\xB1"); /* Greek ΑΠ */
    CHECK_SUBJECT("\xCF\x83\xCF\x87\xCE\xB5\xCF\x84: x", "x");          /* σχετ */
    CHECK_SUBJECT("\xD7\x94\xD7\xA9\xD7\x91: \xD7\xA9\xD7\x9C\xD7\x95\xD7\x9D",
                  "\xD7\xA9\xD7\x9C\xD7\x95\xD7\x9D"); /* Hebrew השב */
    CHECK_SUBJECT("\xD8\xB1\xD8\xAF: \xD9\x85\xD8\xB1\xD8\xAD\xD8\xA8\xD8\xA7",
                  "\xD9\x85\xD8\xB1\xD8\xAD\xD8\xA8\xD8\xA7"); /* Arabic رد */
    CHECK_SUBJECT("Balas: Halo", "Halo");              /* Indonesian */
}

static void subject_localized_prefixes_cjk(void **state)
{
    (void)state;
    const char *hello = "\xE4\xBD\xA0\xE5\xA5\xBD";
    CHECK_SUBJECT("\xE5\x9B\x9E\xE5\xA4\x8D\xEF\xBC\x9A\xE4\xBD\xA0\xE5\xA5\xBD",
                  hello);   /* 回复： */
    CHECK_SUBJECT("\xE5\x9B\x9E\xE5\xA4\x8D: \xE4\xBD\xA0\xE5\xA5\xBD",
                  hello);             /* 回复: */
    CHECK_SUBJECT("\xE8\xBD\xAC\xE5\x8F\x91: \xE4\xBD\xA0\xE5\xA5\xBD", hello);             /* 转发 */
    CHECK_SUBJECT("\xE7\xAD\x94\xE5\xA4\x8D: \xE4\xBD\xA0\xE5\xA5\xBD", hello);             /* 答复 */
    CHECK_SUBJECT("\xE8\xBD\x89\xE5\xAF\x84\xEF\xBC\x9A\xE4\xBD\xA0\xE5\xA5\xBD",
                  hello);   /* 轉寄： */
    CHECK_SUBJECT("\xE5\x9B\x9E\xE8\xA6\x86: \xE4\xBD\xA0\xE5\xA5\xBD", hello);             /* 回覆 */
    CHECK_SUBJECT("\xE8\xBF\x94\xE4\xBF\xA1: \xE4\xBD\xA0\xE5\xA5\xBD", hello);             /* 返信 */
    CHECK_SUBJECT("\xE8\xBB\xA2\xE9\x80\x81: \xE4\xBD\xA0\xE5\xA5\xBD", hello);             /* 転送 */
    CHECK_SUBJECT("\xED\x9A\x8C\xEC\x8B\xA0: \xE4\xBD\xA0\xE5\xA5\xBD", hello);             /* 회신 */
    CHECK_SUBJECT("\xEC\xA0\x84\xEB\x8B\xAC: \xE4\xBD\xA0\xE5\xA5\xBD", hello);             /* 전달 */
    CHECK_SUBJECT("Re\xEF\xBC\x9A\xE4\xBD\xA0\xE5\xA5\xBD", hello);
}

static void subject_mixed_prefixes_repeat(void **state)
{
    (void)state;
    CHECK_SUBJECT("Re: AW: WG: Fwd: SV: [x] TR: x", "x");
    CHECK_SUBJECT("\xE5\x9B\x9E\xE5\xA4\x8D: Re: AW: x", "x");
}

static void subject_invalid_utf8_becomes_replacement(void **state)
{
    (void)state;
    CHECK_SUBJECT("Re: a\xFF" "b", "a\xEF\xBF\xBD" "b");
}

static void subject_hostile_repetitions_run_in_linear_time(void **state)
{
    (void)state;
    struct { const char *unit, *tail, *expect; } cases[] = {
        {"[a]", " x", "x"},
        {"[a]", "", "[a]"},
        {"Re: ", "x", "x"},
        {"[", "x", NULL},
        {"Re[", "x", NULL},
        {" (fwd)", "", ""},
        {"[fwd: ", "x", NULL},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        lm_buf in = LM_BUF_INIT, out = LM_BUF_INIT;
        for (int i = 0; i < 50000; i++)
            lm_buf_puts(&in, cases[c].unit);
        lm_buf_puts(&in, cases[c].tail);
        assert_int_equal(mp_thread_subject(in.data, in.len, &out), 0);
        if (cases[c].expect)
            assert_string_equal(out.data ? out.data : "", cases[c].expect);
        lm_buf_free(&in);
        lm_buf_free(&out);
    }
}

/* ---- previews -------------------------------------------------------------------------------- */

static void preview_short_text_is_kept(void **state)
{
    (void)state;
    CHECK_PREVIEW("Hello world", 100, "Hello world");
    CHECK_PREVIEW("", 10, "");
}

static void preview_whitespace_is_collapsed(void **state)
{
    (void)state;
    CHECK_PREVIEW("  Hello \n\n world \t ", 100, "Hello world");
    CHECK_PREVIEW("a\xC2\xA0\xC2\xA0" "b", 100, "a b");
}

static void preview_exactly_at_the_limit_is_not_cut(void **state)
{
    (void)state;
    CHECK_PREVIEW("abcde", 5, "abcde");
    CHECK_PREVIEW("abcde   \n", 5, "abcde");
    CHECK_PREVIEW("ab cd", 5, "ab cd");
}

static void preview_one_past_the_limit_is_cut_with_ellipsis(void **state)
{
    (void)state;
    CHECK_PREVIEW("abcdef", 5, "abcd\xE2\x80\xA6");
    CHECK_PREVIEW("ab cde", 5, "ab c\xE2\x80\xA6");
}

static void preview_cuts_at_a_word_boundary_when_near(void **state)
{
    (void)state;
    CHECK_PREVIEW("The quick brown fox jumps", 20, "The quick brown fox\xE2\x80\xA6");
    /* 10 characters kept: a space at index 8 is within the last 20%, at index 7 it is not. */
    CHECK_PREVIEW("abcdefgh ijklmnop", 11, "abcdefgh\xE2\x80\xA6");
    CHECK_PREVIEW("abcdefg hijklmnop", 11, "abcdefg hi\xE2\x80\xA6");
    CHECK_PREVIEW("aaaa bbbbbbbbbbbbbbbbbbbb", 10, "aaaa bbbb\xE2\x80\xA6");
}

static void preview_never_splits_a_character(void **state)
{
    (void)state;
    /* 日本語のテキストです: 10 characters of 3 bytes. */
    const char *jp = "\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E\xE3\x81\xAE\xE3\x83\x86\xE3\x82\xAD"
                     "\xE3\x82\xB9\xE3\x83\x88\xE3\x81\xA7\xE3\x81\x99";
    CHECK_PREVIEW(jp, 5, "\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E\xE3\x81\xAE\xE2\x80\xA6");
    CHECK_PREVIEW(jp, 10, jp);
    CHECK_PREVIEW("\xF0\x9F\x98\x80\xF0\x9F\x98\x80\xF0\x9F\x98\x80",
                  2, "\xF0\x9F\x98\x80\xE2\x80\xA6");
}

static void preview_counts_code_points_up_to_max(void **state)
{
    (void)state;
    const char *text = "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do "
                       "eiusmod tempor";
    for (size_t max = 1; max < 90; max++) {
        lm_buf b = LM_BUF_INIT;
        assert_int_equal(mp_preview(text, strlen(text), max, &b), 0);
        assert_true(utf8_valid(b.data, b.len));
        assert_true(utf8_count(b.data) <= max);
        assert_true(b.len == 0 || b.data[b.len - 1] != ' ');
        lm_buf_free(&b);
    }
}

static void preview_of_zero_and_one_characters(void **state)
{
    (void)state;
    CHECK_PREVIEW("abc", 0, "");
    CHECK_PREVIEW("abc", 1, "\xE2\x80\xA6");
    CHECK_PREVIEW("a", 1, "a");
    CHECK_PREVIEW("  a  ", 1, "a");
}

static void preview_invalid_utf8_counts_as_replacement(void **state)
{
    (void)state;
    CHECK_PREVIEW("a\xFF" "b", 10, "a\xEF\xBF\xBD" "b");
    CHECK_PREVIEW("\xFF\xFF\xFF\xFF", 3, "\xEF\xBF\xBD\xEF\xBF\xBD\xE2\x80\xA6");
}

static void preview_appends_after_existing_content(void **state)
{
    (void)state;
    lm_buf b = LM_BUF_INIT;
    lm_buf_puts(&b, "x ");
    assert_int_equal(mp_preview("  hello world", 13, 6, &b), 0);
    assert_string_equal(b.data, "x hello\xE2\x80\xA6");
    lm_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(html_plain_text_passes_through),
        cmocka_unit_test(html_tags_are_dropped),
        cmocka_unit_test(html_whitespace_collapses),
        cmocka_unit_test(html_paragraphs_are_separated_by_a_blank_line),
        cmocka_unit_test(html_div_gives_a_line_break),
        cmocka_unit_test(html_br_gives_line_breaks),
        cmocka_unit_test(html_blank_lines_collapse_to_one),
        cmocka_unit_test(html_leading_and_trailing_breaks_are_dropped),
        cmocka_unit_test(html_gmail_and_outlook_shapes),
        cmocka_unit_test(html_table_rows_are_lines_and_cells_spaced),
        cmocka_unit_test(html_hr_is_a_rule_line),
        cmocka_unit_test(html_list_items_get_dashes),
        cmocka_unit_test(html_ordered_lists_are_numbered),
        cmocka_unit_test(html_nested_lists_are_indented),
        cmocka_unit_test(html_list_item_outside_a_list_gets_a_dash),
        cmocka_unit_test(html_empty_list_item_leaves_no_dash),
        cmocka_unit_test(html_deep_lists_indent_up_to_the_limit),
        cmocka_unit_test(html_blockquote_lines_get_quote_marks),
        cmocka_unit_test(html_nested_blockquotes_deepen_the_marks),
        cmocka_unit_test(html_deep_blockquotes_stop_at_the_limit),
        cmocka_unit_test(html_pre_keeps_whitespace),
        cmocka_unit_test(html_pre_drops_its_first_line_end),
        cmocka_unit_test(html_pre_inside_blockquote_keeps_marks),
        cmocka_unit_test(html_script_and_style_are_dropped),
        cmocka_unit_test(html_head_and_title_are_dropped),
        cmocka_unit_test(html_comments_are_dropped),
        cmocka_unit_test(html_unclosed_comment_runs_to_the_end),
        cmocka_unit_test(html_doctype_and_processing_instructions_are_dropped),
        cmocka_unit_test(html_cdata_content_is_text),
        cmocka_unit_test(html_stray_less_than_is_text),
        cmocka_unit_test(html_unclosed_tag_at_the_end_is_dropped),
        cmocka_unit_test(html_attributes_with_any_quoting),
        cmocka_unit_test(html_huge_attribute_is_skipped_in_linear_time),
        cmocka_unit_test(html_links_show_their_url),
        cmocka_unit_test(html_link_equal_to_its_text_is_shown_once),
        cmocka_unit_test(html_mailto_links_show_the_address),
        cmocka_unit_test(html_links_without_a_target_show_only_text),
        cmocka_unit_test(html_link_href_entities_are_decoded),
        cmocka_unit_test(html_link_around_an_image_uses_its_alt),
        cmocka_unit_test(html_unclosed_and_nested_links),
        cmocka_unit_test(html_long_href_is_shown_up_to_the_limit),
        cmocka_unit_test(html_images_show_their_alt_text),
        cmocka_unit_test(entities_basic_named),
        cmocka_unit_test(entities_legacy_names_work_without_semicolon),
        cmocka_unit_test(entities_modern_names_need_semicolon),
        cmocka_unit_test(entities_unknown_stay_literal),
        cmocka_unit_test(entities_with_two_code_points),
        cmocka_unit_test(entities_longest_name),
        cmocka_unit_test(entities_numeric),
        cmocka_unit_test(entities_numeric_windows_1252_remap),
        cmocka_unit_test(entities_numeric_invalid_become_replacement),
        cmocka_unit_test(entities_whitespace_references_collapse),
        cmocka_unit_test(entity_table_lookup),
        cmocka_unit_test(html_invalid_utf8_becomes_replacement),
        cmocka_unit_test(html_valid_utf8_is_kept),
        cmocka_unit_test(html_nul_byte_becomes_replacement),
        cmocka_unit_test(html_invisible_characters_are_dropped),
        cmocka_unit_test(html_hostile_repetitions_run_in_linear_time),
        cmocka_unit_test(html_deep_nesting_of_divs),
        cmocka_unit_test(html_appends_after_existing_buffer_content),
        cmocka_unit_test(html_public_api_checks_arguments),
        cmocka_unit_test(text_lines_become_paragraphs_and_breaks),
        cmocka_unit_test(text_line_ends_of_any_kind),
        cmocka_unit_test(text_special_characters_are_escaped),
        cmocka_unit_test(text_runs_of_spaces_are_kept),
        cmocka_unit_test(text_urls_are_linked),
        cmocka_unit_test(text_url_punctuation_and_brackets),
        cmocka_unit_test(text_non_urls_are_not_linked),
        cmocka_unit_test(text_quoted_lines_become_blockquotes),
        cmocka_unit_test(text_nested_quotes_nest_blockquotes),
        cmocka_unit_test(text_deep_quotes_stop_at_the_limit),
        cmocka_unit_test(text_invalid_utf8_becomes_replacement),
        cmocka_unit_test(text_to_html_and_back_round_trips),
        cmocka_unit_test(subject_plain_is_unchanged),
        cmocka_unit_test(subject_strips_re_and_fwd),
        cmocka_unit_test(subject_strips_counted_replies),
        cmocka_unit_test(subject_strips_list_tags),
        cmocka_unit_test(subject_keeps_a_tag_that_is_all_there_is),
        cmocka_unit_test(subject_strips_fwd_trailers_and_wrappers),
        cmocka_unit_test(subject_whitespace_is_collapsed),
        cmocka_unit_test(subject_localized_prefixes_european),
        cmocka_unit_test(subject_localized_prefixes_other_scripts),
        cmocka_unit_test(subject_localized_prefixes_cjk),
        cmocka_unit_test(subject_mixed_prefixes_repeat),
        cmocka_unit_test(subject_invalid_utf8_becomes_replacement),
        cmocka_unit_test(subject_hostile_repetitions_run_in_linear_time),
        cmocka_unit_test(preview_short_text_is_kept),
        cmocka_unit_test(preview_whitespace_is_collapsed),
        cmocka_unit_test(preview_exactly_at_the_limit_is_not_cut),
        cmocka_unit_test(preview_one_past_the_limit_is_cut_with_ellipsis),
        cmocka_unit_test(preview_cuts_at_a_word_boundary_when_near),
        cmocka_unit_test(preview_never_splits_a_character),
        cmocka_unit_test(preview_counts_code_points_up_to_max),
        cmocka_unit_test(preview_of_zero_and_one_characters),
        cmocka_unit_test(preview_invalid_utf8_counts_as_replacement),
        cmocka_unit_test(preview_appends_after_existing_content),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
