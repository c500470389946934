/* test_params.c — Content-Type and Content-Disposition parameters: filenames (RFC 2183 §2.3,
 * RFC 2231 §3-4, the legacy name= with RFC 2047 words), the caller's own parameters, escaping
 * in quoted strings (RFC 2045 §5.1), raw UTF-8 with SMTPUTF8 (RFC 6532 §3.2), dispositions,
 * and the type guessed from a filename. Each is parsed back with libmailparse. */
#include "build_util.h"

#define NO_GENERATED (MAILBUILD_F_NO_DATE | MAILBUILD_F_NO_MESSAGE_ID)

/* A text part and one attachment named `filename` (part 2 of the parse). */
static void attach(unsigned flags, const char *filename, const char *type, built *b)
{
    mailbuild_message *m = new_message(flags | NO_GENERATED);
    assert_int_equal(mailbuild_set_text(m, "see attached\n", 13, NULL), 0);
    assert_int_equal(mailbuild_add_attachment(m, BYTES("x\r\n"), 3, type, filename, NULL), 0);
    build(m, b);
    mailbuild_message_free(m);
    assert_true(mailparse_message_part_count(b->parsed) >= 3);
    assert_int_equal(mailparse_message_part(b->parsed, 2)->parent, 0);
}

/* The attachment's header block as written. */
static const char *attachment_header(const built *b)
{
    return part_wire_header(b->parsed, 2);
}

/* The filename comes back from both fields, decoded. */
static void expect_filename(const built *b, const char *filename)
{
    const mailparse_part *p = mailparse_message_part(b->parsed, 2);
    assert_non_null(p->filename);
    assert_string_equal(p->filename, filename);
    assert_non_null(p->disposition);
    assert_string_equal(param_value(p->disposition, "filename"), filename);
    const char *name = param_value(p->content_type, "name");
    assert_non_null(name);
    assert_string_equal(name, filename);
}

/* The longest line of a header block in characters (UTF-8 sequences count once). */
static size_t longest_line_chars(const char *s)
{
    size_t longest = 0, cur = 0;
    for (; *s; s++) {
        if (*s == '\r' && s[1] == '\n') {
            if (cur > longest)
                longest = cur;
            cur = 0;
            s++;
        } else if (((unsigned char)*s & 0xc0) != 0x80) {
            cur++;
        }
    }
    return cur > longest ? cur : longest;
}

/* Fails, `b` freed first, when a line of the header block `h` (taken from `b`) is longer than
 * `max` columns, or characters when `chars`. */
static void expect_lines_within(built *b, const char *h, size_t max, int chars)
{
    static char copy[65536];
    size_t longest = chars ? longest_line_chars(h) : longest_line(h, strlen(h));
    if (longest <= max)
        return;
    snprintf(copy, sizeof copy, "%s", h);
    built_free(b);
    fail_msg("a header line of %zu %s, over %zu:\n%s", longest, chars ? "characters" : "columns",
             max, copy);
}

/* ---- filenames ------------------------------------------------------------------------------- */

static void short_ascii_filename_is_quoted_in_both_fields(void **state)
{
    (void)state;
    built b;
    attach(0, "report.pdf", NULL, &b);
    assert_string_equal(attachment_header(&b),
        "Content-Type: application/pdf; name=\"report.pdf\"\r\n"
        "Content-Transfer-Encoding: 7bit\r\n"
        "Content-Disposition: attachment; filename=\"report.pdf\"\r\n");
    expect_filename(&b, "report.pdf");
    assert_null(mailparse_message_part(b.parsed, 2)->disposition->params[0].language);
    built_free(&b);
}

/* RFC 2231 §4 in filename*, RFC 2047 words in the legacy name= (what the common clients read,
 * although RFC 2047 §5 keeps encoded words out of quoted strings). */
static void non_ascii_filename_uses_rfc2231_and_an_encoded_legacy_name(void **state)
{
    (void)state;
    built b;
    attach(0, "r\xc3\xa9sum\xc3\xa9.pdf", NULL, &b);
    assert_string_equal(attachment_header(&b),
        "Content-Type: application/pdf; name=\"=?utf-8?B?csOpc3Vtw6kucGRm?=\"\r\n"
        "Content-Transfer-Encoding: 7bit\r\n"
        "Content-Disposition: attachment; filename*=utf-8''r%C3%A9sum%C3%A9.pdf\r\n");
    expect_filename(&b, "r\xc3\xa9sum\xc3\xa9.pdf");
    built_free(&b);
}

static const char long_ascii_name[] =
    "a very long file name that goes on and on and on for more than seventy-eight characters.txt";
static const char long_cjk_name[] =
    "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\xe3\x81\xae\xe6\x96\x87\xe7\xab\xa0\xe3\x81\xa7\xe3\x81\x99"
    "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\xe3\x81\xae\xe6\x96\x87\xe7\xab\xa0\xe3\x81\xa7\xe3\x81\x99.txt";

/* RFC 2231 §3: a value too long for one line is split into numbered segments, each line
 * within 78 columns (RFC 5322 §2.1.1). */
static void long_filename_is_split_into_rfc2231_continuations(void **state)
{
    (void)state;
    built b;
    attach(0, long_ascii_name, "application/octet-stream", &b);
    assert_true(contains(attachment_header(&b),
        "Content-Disposition: attachment;\r\n"
        " filename*0*=utf-8''a%20very%20long%20file%20name%20that%20goes%20on%20and%20;\r\n"
        " filename*1*=on%20and%20on%20for%20more%20than%20seventy-eight%20characters.t;\r\n"
        " filename*2*=xt\r\n"));
    assert_string_equal(mailparse_message_part(b.parsed, 2)->filename, long_ascii_name);
    built_free(&b);

    attach(0, long_cjk_name, "application/octet-stream", &b);
    const char *h = attachment_header(&b);
    const char *cd = strstr(h, "Content-Disposition:");
    assert_non_null(cd);
    assert_true(contains(cd, "\r\n filename*0*=utf-8''%E6%97%A5"));
    assert_true(contains(cd, ";\r\n filename*1*="));
    assert_true(longest_line(cd, strlen(cd)) <= 78);
    expect_filename(&b, long_cjk_name);
    built_free(&b);
}

/* The legacy name= is part of the same header block: it keeps within 78 columns too, and
 * still gives the whole filename back. */
static void long_filename_keeps_every_header_line_within_78(void **state)
{
    (void)state;
    const char *names[] = {long_cjk_name, long_ascii_name};
    for (size_t i = 0; i < 2; i++) {
        built b;
        attach(0, names[i], "application/octet-stream", &b);
        expect_lines_within(&b, attachment_header(&b), 78, 0);
        expect_filename(&b, names[i]);
        built_free(&b);
    }
}

/* RFC 2231 encoding keeps the quoted form while "filename=" and the quoted value fit one
 * segment of 76 columns: a name of 65 characters; at 66 it is continued. */
static void filename_is_continued_one_past_the_quoted_limit(void **state)
{
    (void)state;
    for (size_t len = 65; len <= 66; len++) {
        char name[80];
        memset(name, 'f', len - 4);
        memcpy(name + len - 4, ".txt", 5);
        built b;
        attach(0, name, "application/octet-stream", &b);
        const char *h = attachment_header(&b);
        char want[160];
        if (len == 65)
            snprintf(want, sizeof want, "Content-Disposition: attachment;\r\n filename=\"%s\"\r\n", name);
        else
            snprintf(want, sizeof want, "Content-Disposition: attachment;\r\n filename*0*=utf-8''");
        if (!contains(h, want))
            fail_msg("\"%s\" not in:\n%s", want, h);
        assert_true(longest_line(h, strlen(h)) <= 78);
        expect_filename(&b, name);
        built_free(&b);
    }
}

/* A filename far too long for any name= line: the filename still comes back whole. */
static void very_long_non_ascii_filename_round_trips(void **state)
{
    (void)state;
    char name[1300];
    size_t n = 0;
    for (int i = 0; i < 400; i++) {
        memcpy(name + n, "\xe6\x96\x87", 3);
        n += 3;
    }
    memcpy(name + n, ".txt", 5);
    built b;
    attach(0, name, "application/octet-stream", &b);
    const char *h = attachment_header(&b);
    assert_true(longest_line(h, strlen(h)) <= 78);
    const mailparse_part *p = mailparse_message_part(b.parsed, 2);
    assert_string_equal(p->filename, name);
    assert_string_equal(param_value(p->disposition, "filename"), name);
    const char *legacy = param_value(p->content_type, "name");
    if (legacy)
        assert_string_equal(legacy, name);
    built_free(&b);
}

/* RFC 2045 §5.1 / RFC 5322 §3.2.4: '"' and '\' are quoted-pairs in a quoted string. */
static void quotes_and_backslashes_are_escaped(void **state)
{
    (void)state;
    built b;
    attach(0, "say \"hi\" C:\\dir\\a.txt", "application/octet-stream", &b);
    assert_string_equal(attachment_header(&b),
        "Content-Type: application/octet-stream; name=\"say \\\"hi\\\" C:\\\\dir\\\\a.txt\"\r\n"
        "Content-Transfer-Encoding: 7bit\r\n"
        "Content-Disposition: attachment; filename=\"say \\\"hi\\\" C:\\\\dir\\\\a.txt\"\r\n");
    expect_filename(&b, "say \"hi\" C:\\dir\\a.txt");
    built_free(&b);
}

/* mailbuild.h: "Path separators are kept". */
static void path_separators_are_kept(void **state)
{
    (void)state;
    built b;
    attach(0, "../dir/sub/file.txt", "application/octet-stream", &b);
    expect_filename(&b, "../dir/sub/file.txt");
    built_free(&b);
}

/* RFC 6532 §3.2: with SMTPUTF8, UTF-8 goes as it is inside the quoted string. */
static void smtputf8_filename_is_raw_utf8_quoted(void **state)
{
    (void)state;
    built b;
    attach(MAILBUILD_F_SMTPUTF8, "r\xc3\xa9sum\xc3\xa9.pdf", NULL, &b);
    assert_string_equal(attachment_header(&b),
        "Content-Type: application/pdf; name=\"r\xc3\xa9sum\xc3\xa9.pdf\"\r\n"
        "Content-Transfer-Encoding: 7bit\r\n"
        "Content-Disposition: attachment; filename=\"r\xc3\xa9sum\xc3\xa9.pdf\"\r\n");
    expect_filename(&b, "r\xc3\xa9sum\xc3\xa9.pdf");
    built_free(&b);
}

/* RFC 6532 §3.4: the 78 recommendation counts characters, not octets. A raw name of 100
 * Cyrillic letters cannot keep to it on one line. */
static void smtputf8_long_filename_keeps_lines_within_78_characters(void **state)
{
    (void)state;
    char cyrillic[256];
    size_t n = 0;
    for (int i = 0; i < 96; i++) {
        memcpy(cyrillic + n, "\xd0\xb6", 2); /* ж */
        n += 2;
    }
    memcpy(cyrillic + n, ".txt", 5);
    const char *names[] = {long_cjk_name, cyrillic};
    for (size_t i = 0; i < 2; i++) {
        built b;
        attach(MAILBUILD_F_SMTPUTF8, names[i], "application/octet-stream", &b);
        expect_lines_within(&b, attachment_header(&b), 78, 1);
        expect_filename(&b, names[i]);
        built_free(&b);
    }
}

static void control_characters_in_a_filename_are_encoded(void **state)
{
    (void)state;
    built b;
    attach(0, "tab\there.txt", "application/octet-stream", &b);
    const char *h = attachment_header(&b);
    assert_true(contains(h, "filename*=utf-8''tab%09here.txt"));
    const mailparse_part *p = mailparse_message_part(b.parsed, 2);
    assert_string_equal(p->filename, "tab\there.txt");
    built_free(&b);
}

static void bad_filenames_are_refused(void **state)
{
    (void)state;
    mailbuild_message *m = new_message(NO_GENERATED);
    mailbuild_part *p, *mp;
    assert_int_equal(mailbuild_part_new(m, "application/octet-stream", BYTES("x"), 1, &p), 0);
    assert_int_equal(mailbuild_part_set_filename(p, ""), MAILBUILD_E_INVAL);
    assert_int_equal(mailbuild_part_set_filename(p, NULL), MAILBUILD_E_INVAL);
    assert_int_equal(mailbuild_part_set_filename(p, "a\r\nContent-Type: text/html"), MAILBUILD_E_INJECTION);
    assert_int_equal(mailbuild_part_set_filename(p, "a\nb"), MAILBUILD_E_INJECTION);
    assert_int_equal(mailbuild_part_set_filename(p, "caf\xe9.txt"), MAILBUILD_E_INVAL);
    assert_int_equal(mailbuild_multipart_new(m, "mixed", &mp), 0);
    assert_int_equal(mailbuild_part_set_filename(mp, "x.txt"), MAILBUILD_E_INVAL);
    assert_int_equal(mailbuild_add_attachment(m, BYTES("x"), 1, NULL, "", NULL), MAILBUILD_E_INVAL);
    assert_int_equal(mailbuild_add_attachment(m, BYTES("x"), 1, NULL, "a\rb", NULL), MAILBUILD_E_INJECTION);
    /* nothing was stored: the leaf has no filename and so no disposition */
    assert_int_equal(mailbuild_set_body(m, p), 0);
    built b;
    build(m, &b);
    assert_false(contains(b.bytes, "Content-Disposition"));
    assert_false(contains(b.bytes, "name="));
    assert_null(mailparse_message_part(b.parsed, 0)->filename);
    built_free(&b);
    mailbuild_message_free(m);
}

/* ---- the caller's parameters ----------------------------------------------------------------- */

/* A text/plain body (part 0) with parameters set on it. */
static mailbuild_message *text_body(unsigned flags, mailbuild_part **p)
{
    mailbuild_message *m = new_message(flags | NO_GENERATED);
    assert_int_equal(mailbuild_part_new(m, "text/plain", BYTES("body\r\n"), 6, p), 0);
    assert_int_equal(mailbuild_set_body(m, *p), 0);
    return m;
}

static void set_param_adds_a_content_type_parameter(void **state)
{
    (void)state;
    mailbuild_part *p;
    mailbuild_message *m = text_body(0, &p);
    assert_int_equal(mailbuild_part_set_param(p, "format", "flowed"), 0);
    assert_int_equal(mailbuild_part_set_param(p, "delsp", "yes"), 0);
    built b;
    build(m, &b);
    assert_string_equal(header_block(b.bytes),
        "MIME-Version: 1.0\r\n"
        "Content-Type: text/plain; charset=us-ascii; format=\"flowed\"; delsp=\"yes\"\r\n"
        "Content-Transfer-Encoding: 7bit\r\n"
        "\r\n");
    const mailparse_content_type *ct = mailparse_message_part(b.parsed, 0)->content_type;
    assert_int_equal(ct->param_count, 3);
    assert_string_equal(param_value(ct, "charset"), "us-ascii");
    assert_string_equal(param_value(ct, "format"), "flowed");
    assert_string_equal(param_value(ct, "delsp"), "yes");
    built_free(&b);
    mailbuild_message_free(m);
}

/* RFC 2045 §5.1: parameter names are case-insensitive, so a second one replaces the first. */
static void set_param_replaces_one_of_the_same_name_in_any_case(void **state)
{
    (void)state;
    mailbuild_part *p;
    mailbuild_message *m = text_body(0, &p);
    assert_int_equal(mailbuild_part_set_param(p, "Format", "fixed"), 0);
    assert_int_equal(mailbuild_part_set_param(p, "x-other", "1"), 0);
    assert_int_equal(mailbuild_part_set_param(p, "FORMAT", "flowed"), 0);
    built b;
    build(m, &b);
    assert_false(contains(b.bytes, "fixed"));
    const mailparse_content_type *ct = mailparse_message_part(b.parsed, 0)->content_type;
    assert_int_equal(ct->param_count, 3);
    size_t formats = 0;
    for (size_t i = 0; i < ct->param_count; i++)
        formats += strcmp(ct->params[i].name, "format") == 0;
    assert_int_equal(formats, 1);
    assert_string_equal(param_value(ct, "format"), "flowed");
    assert_string_equal(param_value(ct, "x-other"), "1");
    built_free(&b);
    mailbuild_message_free(m);
}

/* charset and boundary are the library's to write. */
static void set_param_refuses_charset_and_boundary(void **state)
{
    (void)state;
    mailbuild_part *p, *mp;
    mailbuild_message *m = text_body(0, &p);
    assert_int_equal(mailbuild_part_set_param(p, "charset", "utf-8"), MAILBUILD_E_INVAL);
    assert_int_equal(mailbuild_part_set_param(p, "Charset", "utf-8"), MAILBUILD_E_INVAL);
    assert_int_equal(mailbuild_part_set_param(p, "BOUNDARY", "x"), MAILBUILD_E_INVAL);
    assert_int_equal(mailbuild_multipart_new(m, "mixed", &mp), 0);
    assert_int_equal(mailbuild_part_set_param(mp, "boundary", "x"), MAILBUILD_E_INVAL);
    built b;
    build(m, &b);
    const mailparse_content_type *ct = mailparse_message_part(b.parsed, 0)->content_type;
    assert_int_equal(ct->param_count, 1);
    assert_string_equal(param_value(ct, "charset"), "us-ascii");
    built_free(&b);
    mailbuild_message_free(m);
}

static void set_param_refuses_bad_names_and_values(void **state)
{
    (void)state;
    mailbuild_part *p;
    mailbuild_message *m = text_body(0, &p);
    assert_int_equal(mailbuild_part_set_param(p, "", "v"), MAILBUILD_E_INVAL);
    assert_int_equal(mailbuild_part_set_param(p, NULL, "v"), MAILBUILD_E_INVAL);
    assert_int_equal(mailbuild_part_set_param(p, "a b", "v"), MAILBUILD_E_INVAL);
    assert_int_equal(mailbuild_part_set_param(p, "a=b", "v"), MAILBUILD_E_INVAL);
    assert_int_equal(mailbuild_part_set_param(p, "a;b", "v"), MAILBUILD_E_INVAL);
    assert_int_equal(mailbuild_part_set_param(p, "na\xc3\xafve", "v"), MAILBUILD_E_INVAL);
    assert_int_equal(mailbuild_part_set_param(p, "x", NULL), MAILBUILD_E_INVAL);
    assert_int_equal(mailbuild_part_set_param(p, "x", "a\r\nb"), MAILBUILD_E_INJECTION);
    assert_int_equal(mailbuild_part_set_param(p, "x", "caf\xe9"), MAILBUILD_E_INVAL);
    built b;
    build(m, &b);
    assert_int_equal(mailparse_message_part(b.parsed, 0)->content_type->param_count, 1);
    built_free(&b);
    mailbuild_message_free(m);
}

/* Value → parameter as written (after "; "), and the value libmailparse decodes. */
static void expect_param(unsigned flags, const char *value, const char *written)
{
    mailbuild_part *p;
    mailbuild_message *m = text_body(flags, &p);
    assert_int_equal(mailbuild_part_set_param(p, "title", value), 0);
    built b;
    build(m, &b);
    if (written && !contains(b.bytes, written))
        fail_msg("\"%s\" not in:\n%s", written, header_block(b.bytes));
    const char *h = header_block(b.bytes);
    if (flags & MAILBUILD_F_SMTPUTF8)
        assert_true(longest_line_chars(h) <= 998);
    else
        assert_true(longest_line(h, strlen(h)) <= 78);
    const mailparse_content_type *ct = mailparse_message_part(b.parsed, 0)->content_type;
    const char *got = param_value(ct, "title");
    assert_non_null(got);
    assert_string_equal(got, value);
    built_free(&b);
    mailbuild_message_free(m);
}

static void param_values_take_the_form_their_content_needs(void **state)
{
    (void)state;
    expect_param(0, "", "; title=\"\"");
    expect_param(0, "two words", "; title=\"two words\"");
    expect_param(0, "a \"q\" \\ b", "; title=\"a \\\"q\\\" \\\\ b\"");
    expect_param(0, "tspecials ()<>@,;:/[]?=", "; title=\"tspecials ()<>@,;:/[]?=\"");
    /* RFC 2231 §4 */
    expect_param(0, "Gr\xc3\xbc\xc3\x9f" "e", "; title*=utf-8''Gr%C3%BC%C3%9Fe");
    /* RFC 6532 §3.2 */
    expect_param(MAILBUILD_F_SMTPUTF8, "Gr\xc3\xbc\xc3\x9f" "e", "; title=\"Gr\xc3\xbc\xc3\x9f" "e\"");
    /* long: RFC 2231 §3 continuations */
    expect_param(0, long_ascii_name, ";\r\n title*0*=utf-8''a%20very");
    expect_param(0, long_cjk_name, ";\r\n title*0*=utf-8''%E6%97%A5");
}

/* ---- dispositions ---------------------------------------------------------------------------- */

/* RFC 2183 §2: the disposition type, with the filename as its parameter. */
static void disposition_can_be_changed_and_keeps_the_filename(void **state)
{
    (void)state;
    mailbuild_message *m = new_message(NO_GENERATED);
    mailbuild_part *att;
    assert_int_equal(mailbuild_set_text(m, "t\n", 2, NULL), 0);
    assert_int_equal(mailbuild_add_attachment(m, BYTES("x\r\n"), 3, "image/png", "p.png", &att), 0);
    assert_int_equal(mailbuild_part_set_disposition(att, "inline"), 0);
    built b;
    build(m, &b);
    assert_true(contains(attachment_header(&b), "Content-Disposition: inline; filename=\"p.png\"\r\n"));
    const mailparse_part *p = mailparse_message_part(b.parsed, 2);
    assert_string_equal(p->disposition->type, "inline");
    assert_string_equal(p->filename, "p.png");
    built_free(&b);
    mailbuild_message_free(m);
}

static void disposition_is_any_token(void **state)
{
    (void)state;
    mailbuild_part *p;
    mailbuild_message *m = text_body(0, &p);
    assert_int_equal(mailbuild_part_set_disposition(p, "in line"), MAILBUILD_E_INVAL);
    assert_int_equal(mailbuild_part_set_disposition(p, ""), MAILBUILD_E_INVAL);
    assert_int_equal(mailbuild_part_set_disposition(p, "a;b"), MAILBUILD_E_INVAL);
    assert_int_equal(mailbuild_part_set_disposition(p, NULL), MAILBUILD_E_INVAL);
    assert_int_equal(mailbuild_part_set_disposition(p, "x-custom"), 0);
    built b;
    build(m, &b);
    assert_true(contains(header_block(b.bytes), "Content-Disposition: x-custom\r\n"));
    assert_string_equal(mailparse_message_part(b.parsed, 0)->disposition->type, "x-custom");
    built_free(&b);
    mailbuild_message_free(m);
}

/* mailbuild.h: "A leaf without a disposition gets attachment" when it has a filename; a leaf
 * with neither has no Content-Disposition. */
static void filename_without_disposition_makes_an_attachment(void **state)
{
    (void)state;
    mailbuild_message *m = new_message(NO_GENERATED);
    mailbuild_part *root, *named, *plain;
    assert_int_equal(mailbuild_multipart_new(m, "mixed", &root), 0);
    assert_int_equal(mailbuild_part_new(m, "text/plain", BYTES("plain\r\n"), 7, &plain), 0);
    assert_int_equal(mailbuild_part_new(m, "application/pdf", BYTES("%PDF\r\n"), 6, &named), 0);
    assert_int_equal(mailbuild_part_set_filename(named, "doc.pdf"), 0);
    assert_int_equal(mailbuild_part_append(root, plain), 0);
    assert_int_equal(mailbuild_part_append(root, named), 0);
    assert_int_equal(mailbuild_set_body(m, root), 0);
    built b;
    build(m, &b);
    assert_false(contains(part_wire_header(b.parsed, 1), "Content-Disposition"));
    assert_null(mailparse_message_part(b.parsed, 1)->disposition);
    assert_true(contains(part_wire_header(b.parsed, 2), "Content-Disposition: attachment; filename=\"doc.pdf\"\r\n"));
    assert_string_equal(mailparse_message_part(b.parsed, 2)->disposition->type, "attachment");
    built_free(&b);
    mailbuild_message_free(m);
}

/* ---- the type from the filename -------------------------------------------------------------- */

static void type_is_guessed_from_the_filename_extension(void **state)
{
    (void)state;
    static const struct {
        const char *filename, *type;
    } cases[] = {
        {"photo.jpg", "image/jpeg"},
        {"PHOTO.JPG", "image/jpeg"},
        {"archive.tar.gz", "application/gzip"},
        {"slides.pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation"},
        {"data.json", "application/json"},
        {"notes.txt", "text/plain"},
        {"page.html", "text/html"},
        {"mail.eml", "message/rfc822"},
        {"README", "application/octet-stream"},
        {"x.unknownext", "application/octet-stream"},
        {"dir.d/file", "application/octet-stream"},
        {"dir.d\\file", "application/octet-stream"},
        {"trailingdot.", "application/octet-stream"},
        {".pdf", "application/pdf"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        assert_string_equal(mailbuild_guess_type(cases[i].filename), cases[i].type);
        built b;
        attach(0, cases[i].filename, NULL, &b);
        assert_string_equal(part_type(b.parsed, 2), cases[i].type);
        assert_string_equal(mailparse_message_part(b.parsed, 2)->filename, cases[i].filename);
        built_free(&b);
    }
    assert_string_equal(mailbuild_guess_type(NULL), "application/octet-stream");
    assert_string_equal(mailbuild_guess_type(""), "application/octet-stream");
}

/* No type and no filename: application/octet-stream, and no name or filename parameter. */
static void attachment_without_type_or_filename_is_octet_stream(void **state)
{
    (void)state;
    mailbuild_message *m = new_message(NO_GENERATED);
    assert_int_equal(mailbuild_set_text(m, "t\n", 2, NULL), 0);
    assert_int_equal(mailbuild_add_attachment(m, BYTES("\x01\x02"), 2, NULL, NULL, NULL), 0);
    built b;
    build(m, &b);
    assert_string_equal(attachment_header(&b),
        "Content-Type: application/octet-stream\r\n"
        "Content-Transfer-Encoding: base64\r\n"
        "Content-Disposition: attachment\r\n");
    assert_null(mailparse_message_part(b.parsed, 2)->filename);
    built_free(&b);
    mailbuild_message_free(m);
}

/* A text type guessed from the name is written with its charset. */
static void guessed_text_type_gets_a_charset(void **state)
{
    (void)state;
    built b;
    attach(0, "notes.txt", NULL, &b);
    assert_true(contains(attachment_header(&b),
        "Content-Type: text/plain; charset=us-ascii; name=\"notes.txt\"\r\n"));
    assert_string_equal(mailparse_message_part(b.parsed, 2)->charset, "us-ascii");
    built_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(short_ascii_filename_is_quoted_in_both_fields),
        cmocka_unit_test(non_ascii_filename_uses_rfc2231_and_an_encoded_legacy_name),
        cmocka_unit_test(long_filename_is_split_into_rfc2231_continuations),
        cmocka_unit_test(long_filename_keeps_every_header_line_within_78),
        cmocka_unit_test(filename_is_continued_one_past_the_quoted_limit),
        cmocka_unit_test(very_long_non_ascii_filename_round_trips),
        cmocka_unit_test(quotes_and_backslashes_are_escaped),
        cmocka_unit_test(path_separators_are_kept),
        cmocka_unit_test(smtputf8_filename_is_raw_utf8_quoted),
        cmocka_unit_test(smtputf8_long_filename_keeps_lines_within_78_characters),
        cmocka_unit_test(control_characters_in_a_filename_are_encoded),
        cmocka_unit_test(bad_filenames_are_refused),
        cmocka_unit_test(set_param_adds_a_content_type_parameter),
        cmocka_unit_test(set_param_replaces_one_of_the_same_name_in_any_case),
        cmocka_unit_test(set_param_refuses_charset_and_boundary),
        cmocka_unit_test(set_param_refuses_bad_names_and_values),
        cmocka_unit_test(param_values_take_the_form_their_content_needs),
        cmocka_unit_test(disposition_can_be_changed_and_keeps_the_filename),
        cmocka_unit_test(disposition_is_any_token),
        cmocka_unit_test(filename_without_disposition_makes_an_attachment),
        cmocka_unit_test(type_is_guessed_from_the_filename_extension),
        cmocka_unit_test(attachment_without_type_or_filename_is_octet_stream),
        cmocka_unit_test(guessed_text_type_gets_a_charset),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
