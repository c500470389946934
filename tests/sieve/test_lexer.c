/* test_lexer.c — the tokens of a Sieve script (RFC 5228 §2.2–§2.4.2, §8.1): identifiers,
 * tags, numbers, quoted and multi-line strings, comments, positions, and the lexical errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "lexer.h"

/* A token with a copy of its string value (at most 63 octets), which the lexer reuses. */
struct tok_copy {
    sv_token t;
    char str[64];
};

/* Reads every token of `src` (length `len`) into `toks` (at most `max`). Returns the count,
 * the final EOF included. Errors stay in `d`. */
static size_t lex_n(const char *src, size_t len, const sv_parse_limits *lim, sv_diag *d,
                    struct tok_copy *toks, size_t max)
{
    sv_lexer lx;
    sv_diag_init(d, 0);
    sv_lexer_init(&lx, src, len, lim ? lim->max_string : 0, lim ? lim->max_identifier : 0, d);
    size_t n = 0;
    for (;;) {
        assert_true(n < max);
        assert_int_equal(sv_lexer_next(&lx, &toks[n].t), 0);
        if (toks[n].t.kind == SV_TOK_STRING) {
            size_t k = toks[n].t.str_len < 63 ? toks[n].t.str_len : 63;
            memcpy(toks[n].str, toks[n].t.str, k);
            toks[n].str[k] = '\0';
            assert_int_equal(toks[n].t.str[toks[n].t.str_len], '\0');
            toks[n].t.str = toks[n].str; /* the lexer's own copy goes with it */
            toks[n].t.str_len = k;
        }
        if (toks[n++].t.kind == SV_TOK_EOF)
            break;
    }
    sv_lexer_free(&lx);
    return n;
}

static size_t lex(const char *src, sv_diag *d, struct tok_copy *toks, size_t max)
{
    return lex_n(src, strlen(src), NULL, d, toks, max);
}

/* The single string token of `src`, which must lex with no error. */
static void expect_str_token(const char *src, const char *want, size_t want_len, int multiline)
{
    struct tok_copy t[4];
    sv_diag d;
    size_t n = lex(src, &d, t, 4);
    if (d.errors)
        fail_msg("%s: %s", src, d.items[0].text);
    assert_int_equal(n, 2);
    assert_int_equal(t[0].t.kind, SV_TOK_STRING);
    assert_int_equal(t[0].t.str_len, want_len);
    assert_memory_equal(t[0].str, want, want_len);
    assert_int_equal(t[0].t.multiline, multiline);
    assert_false(t[0].t.bad);
    sv_diag_free(&d);
}

/* `src` gives exactly one error, at line:column, with text `text`. */
static void expect_lex_error(const char *src, size_t len, uint32_t line, uint32_t col,
                             const char *text)
{
    struct tok_copy t[32];
    sv_diag d;
    lex_n(src, len, NULL, &d, t, 32);
    if (d.errors != 1 || d.items[0].pos.line != line || d.items[0].pos.column != col ||
        strcmp(d.items[0].text, text) != 0)
        fail_msg("%zu errors, first %u:%u \"%s\"; want 1 at %u:%u \"%s\"", d.errors,
                 d.count ? d.items[0].pos.line : 0, d.count ? d.items[0].pos.column : 0,
                 d.count ? d.items[0].text : "-", line, col, text);
    sv_diag_free(&d);
}

static void tokens_and_their_positions(void **state)
{
    (void)state;
    struct tok_copy t[32];
    sv_diag d;
    size_t n = lex("if header :is [\"a\",\"b\"]\r\n  { keep; }\n(x_1),", &d, t, 32);
    assert_int_equal(d.errors, 0);
    static const struct {
        sv_tok_kind kind;
        uint32_t line, col;
        const char *text;
    } want[] = {
        {SV_TOK_IDENTIFIER, 1, 1, "if"}, {SV_TOK_IDENTIFIER, 1, 4, "header"},
        {SV_TOK_TAG, 1, 11, "is"},       {SV_TOK_LBRACKET, 1, 15, "["},
        {SV_TOK_STRING, 1, 16, NULL},    {SV_TOK_COMMA, 1, 19, ","},
        {SV_TOK_STRING, 1, 20, NULL},    {SV_TOK_RBRACKET, 1, 23, "]"},
        {SV_TOK_LBRACE, 2, 3, "{"},      {SV_TOK_IDENTIFIER, 2, 5, "keep"},
        {SV_TOK_SEMICOLON, 2, 9, ";"},   {SV_TOK_RBRACE, 2, 11, "}"},
        {SV_TOK_LPAREN, 3, 1, "("},      {SV_TOK_IDENTIFIER, 3, 2, "x_1"},
        {SV_TOK_RPAREN, 3, 5, ")"},      {SV_TOK_COMMA, 3, 6, ","},
        {SV_TOK_EOF, 3, 7, NULL},
    };
    assert_int_equal(n, sizeof want / sizeof want[0]);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(t[i].t.kind, want[i].kind);
        assert_int_equal(t[i].t.pos.line, want[i].line);
        assert_int_equal(t[i].t.pos.column, want[i].col);
        if (want[i].text) {
            assert_int_equal(t[i].t.len, strlen(want[i].text));
            assert_memory_equal(t[i].t.text, want[i].text, t[i].t.len);
        }
    }
    assert_string_equal(t[4].str, "a");
    assert_string_equal(t[6].str, "b");
    sv_diag_free(&d);
}

static void identifiers_start_with_a_letter_or_underscore(void **state)
{
    (void)state;
    struct tok_copy t[8];
    sv_diag d;
    /* "1abc" is a number then an identifier; ":_x" a tag; "a.b" is not one identifier. */
    size_t n = lex("1abc :_x9 _ A", &d, t, 8);
    assert_int_equal(d.errors, 0);
    assert_int_equal(n, 6);
    assert_int_equal(t[0].t.kind, SV_TOK_NUMBER);
    assert_int_equal(t[1].t.kind, SV_TOK_IDENTIFIER);
    assert_int_equal(t[1].t.len, 3);
    assert_int_equal(t[2].t.kind, SV_TOK_TAG);
    assert_memory_equal(t[2].t.text, "_x9", 3);
    assert_int_equal(t[3].t.kind, SV_TOK_IDENTIFIER);
    assert_int_equal(t[4].t.kind, SV_TOK_IDENTIFIER);
    sv_diag_free(&d);
}

static void numbers_with_quantifiers(void **state)
{
    (void)state;
    static const struct {
        const char *src;
        uint64_t value;
    } cases[] = {
        {"0", 0},
        {"007", 7},
        {"1K", 1024},
        {"1k", 1024},
        {"2M", 2u << 20},
        {"3G", 3ull << 30},
        {"800G", 800ull << 30},
        {"18446744073709551615", UINT64_MAX},
        {"18446744073709551614", UINT64_MAX - 1},
        {"17179869183G", 17179869183ull << 30}, /* the largest with G */
        {"17592186044415K", 17592186044415ull << 10},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct tok_copy t[4];
        sv_diag d;
        size_t n = lex(cases[i].src, &d, t, 4);
        assert_int_equal(d.errors, 0);
        assert_int_equal(n, 2);
        assert_int_equal(t[0].t.kind, SV_TOK_NUMBER);
        assert_true(t[0].t.number == cases[i].value);
        sv_diag_free(&d);
    }
    /* "10KB": the quantifier is one letter. */
    struct tok_copy t[4];
    sv_diag d;
    assert_int_equal(lex("10KB", &d, t, 4), 3);
    assert_int_equal(t[0].t.number, 10240);
    assert_int_equal(t[1].t.kind, SV_TOK_IDENTIFIER);
    sv_diag_free(&d);
}

static void numbers_past_64_bits_are_errors(void **state)
{
    (void)state;
    /* The cases of Pigeonhole's tests/compile/errors/lexer.sieve. */
    static const char *const over[] = {"18446744073709551616", "18446744073709551617",
                                       "180143985094819840k",  "1006622342342296M",
                                       "34359738368G",         "17179869184G",
                                       "49834598293485814273947921734981723971293741923"};
    for (size_t i = 0; i < sizeof over / sizeof over[0]; i++) {
        struct tok_copy t[4];
        sv_diag d;
        size_t n = lex(over[i], &d, t, 4);
        assert_int_equal(n, 2);
        assert_int_equal(d.errors, 1);
        assert_string_equal(d.items[0].text, "number too large: the largest is "
                                             "18446744073709551615");
        assert_int_equal(t[0].t.kind, SV_TOK_NUMBER);
        assert_true(t[0].t.bad);
        sv_diag_free(&d);
    }
}

static void quoted_string_escapes(void **state)
{
    (void)state;
    expect_str_token("\"\"", "", 0, 0);
    expect_str_token("\"abc\"", "abc", 3, 0);
    /* RFC 5228 §2.4.2: \" and \\ are the only defined escapes; "\a" is just "a". */
    expect_str_token("\"a\\\"b\\\\c\"", "a\"b\\c", 5, 0);
    expect_str_token("\"\\a\\a\\a\\a\\a\"", "aaaaa", 5, 0);
    expect_str_token("\"\\n\\t\\x41\"", "ntx41", 5, 0);
    /* Line ends inside are kept, as CRLF. */
    expect_str_token("\"a\r\nb\"", "a\r\nb", 4, 0);
    expect_str_token("\"a\nb\nc\"", "a\r\nb\r\nc", 7, 0);
    expect_str_token("\"a\\\nb\"", "a\r\nb", 4, 0);
    /* Octets of any kind but the quote, backslash and NUL; UTF-8 stays as it is. */
    expect_str_token("\"#/*;{}[]:\"", "#/*;{}[]:", 9, 0);
    expect_str_token("\"\xc3\xa9t\xc3\xa9 \xf0\x9f\x98\x80\"", "\xc3\xa9t\xc3\xa9 \xf0\x9f\x98\x80",
                  10, 0);
}

static void multiline_strings(void **state)
{
    (void)state;
    expect_str_token("text:\r\nline 1\r\nline 2\r\n.\r\n", "line 1\r\nline 2\r\n", 16, 1);
    /* LF line ends in the script become CRLF in the value. */
    expect_str_token("text:\nline 1\nline 2\n.\n", "line 1\r\nline 2\r\n", 16, 1);
    expect_str_token("text:\n.\n", "", 0, 1);
    /* Blanks and a hash comment may follow "text:"; "TEXT:" is the same. */
    expect_str_token("text: \t# a comment\nabc\n.\n", "abc\r\n", 5, 1);
    expect_str_token("TEXT:\nabc\n.\n", "abc\r\n", 5, 1);
    /* Dot-stuffing (Pigeonhole's tests/lexer.svtest): only a doubled dot loses one. */
    expect_str_token("text: # Comment\nLine 1\n.Line 2\n..Line 3\n.Line 4\nLine 5\n.\n",
                  "Line 1\r\n.Line 2\r\n.Line 3\r\n.Line 4\r\nLine 5\r\n", 43, 1);
    expect_str_token("text:\n..\n...\n. \n.\n", ".\r\n..\r\n. \r\n", 11, 1);
    /* Nothing is special inside: quotes, backslashes, comment starts. */
    expect_str_token("text:\n\"\\a\" # /* x */\n.\n", "\"\\a\" # /* x */\r\n", 16, 1);
    /* The "." line may end the script. */
    expect_str_token("text:\nabc\n.", "abc\r\n", 5, 1);
    /* The position is the "t" of "text:"; the line after the "." goes on normally. */
    struct tok_copy t[4];
    sv_diag d;
    assert_int_equal(lex("  text:\nx\n.\n ;", &d, t, 4), 3);
    assert_int_equal(t[0].t.pos.column, 3);
    assert_int_equal(t[1].t.kind, SV_TOK_SEMICOLON);
    assert_int_equal(t[1].t.pos.line, 4);
    assert_int_equal(t[1].t.pos.column, 2);
    sv_diag_free(&d);
}

static void text_without_colon_is_an_identifier(void **state)
{
    (void)state;
    struct tok_copy t[4];
    sv_diag d;
    assert_int_equal(lex("text :text", &d, t, 4), 3);
    assert_int_equal(d.errors, 0);
    assert_int_equal(t[0].t.kind, SV_TOK_IDENTIFIER);
    assert_int_equal(t[1].t.kind, SV_TOK_TAG);
    sv_diag_free(&d);
}

static void comments_and_line_ends(void **state)
{
    (void)state;
    struct tok_copy t[8];
    sv_diag d;
    const char *src = "# hash\r\na /* bracket\n spans ** lines */ b#x\n/**/c /***/ d\r\n# end";
    size_t n = lex(src, &d, t, 8);
    assert_int_equal(d.errors, 0);
    assert_int_equal(n, 5);
    assert_int_equal(t[0].t.pos.line, 2);
    assert_int_equal(t[0].t.pos.column, 1);
    assert_int_equal(t[1].t.pos.line, 3);
    assert_int_equal(t[1].t.pos.column, 20);
    assert_int_equal(t[2].t.pos.line, 4);
    assert_int_equal(t[2].t.pos.column, 5);
    assert_int_equal(t[3].t.pos.line, 4);
    assert_int_equal(t[3].t.pos.column, 13);
    assert_int_equal(t[4].t.kind, SV_TOK_EOF);
    assert_int_equal(t[4].t.pos.line, 5);
    sv_diag_free(&d);
    /* A comment needs no line end at the end of the script; UTF-8 is fine in comments. */
    assert_int_equal(lex("a # \xc3\xa9", &d, t, 8), 2);
    assert_int_equal(d.errors, 0);
    sv_diag_free(&d);
}

static void unterminated_tokens(void **state)
{
    (void)state;
    expect_lex_error("a \"abc", 6, 1, 3,
                     "unterminated string: the script ends before its closing quote");
    expect_lex_error("a \"abc\\\"", 8, 1, 3,
                     "unterminated string: the script ends before its closing quote");
    expect_lex_error("\n text:\nabc\n", 12, 2, 2,
                     "unterminated multi-line string: the script ends before the line "
                     "holding only \".\"");
    expect_lex_error("text:", 5, 1, 1,
                     "unterminated multi-line string: the script ends before the line "
                     "holding only \".\"");
    expect_lex_error("a /* abc *", 10, 1, 3,
                     "unterminated comment: the script ends before its \"*/\"");
    expect_lex_error("a /*/", 5, 1, 3, "unterminated comment: the script ends before its \"*/\"");
    struct tok_copy t[4];
    sv_diag d;
    assert_int_equal(lex("\"abc", &d, t, 4), 2);
    assert_int_equal(t[0].t.kind, SV_TOK_ERROR);
    assert_true(t[0].t.bad);
    assert_int_equal(t[1].t.kind, SV_TOK_EOF);
    sv_diag_free(&d);
    /* An unterminated comment is a broken token too, where it starts. */
    assert_int_equal(lex("a\n /* x", &d, t, 4), 3);
    assert_int_equal(t[1].t.kind, SV_TOK_ERROR);
    assert_int_equal(t[1].t.pos.line, 2);
    assert_int_equal(t[1].t.pos.column, 2);
    assert_int_equal(t[2].t.kind, SV_TOK_EOF);
    sv_diag_free(&d);
}

static void bad_octets_in_strings_and_comments(void **state)
{
    (void)state;
    expect_lex_error("\"a\0b\"", 5, 1, 3, "NUL octet in a string");
    expect_lex_error("text:\nab\0\n.\n", 12, 2, 3, "NUL octet in a string");
    expect_lex_error("# a\0b\n", 6, 1, 4, "NUL octet in a comment");
    expect_lex_error("\"\xc3\x28\"", 4, 1, 2, "invalid UTF-8 in a string");
    expect_lex_error("\"\xed\xa0\x80\"", 5, 1, 2, "invalid UTF-8 in a string"); /* surrogate */
    expect_lex_error("\"\xf0\x9f\x98\"", 5, 1, 2, "invalid UTF-8 in a string"); /* cut */
    expect_lex_error("text:\n\xff\n.\n", 10, 2, 1, "invalid UTF-8 in a string");
    expect_lex_error("/* \xc0\xaf */", 8, 1, 4, "invalid UTF-8 in a comment");
    expect_lex_error("# \x80", 3, 1, 3, "invalid UTF-8 in a comment");
    expect_lex_error("\"a\rb\"", 5, 1, 3, "stray carriage return (CR without LF) in a string");
    expect_lex_error("text:\na\rb\n.\n", 12, 2, 2,
                     "stray carriage return (CR without LF) in a string");
    /* One report per string, however many faults of a kind it holds; the token is kept. */
    struct tok_copy t[4];
    sv_diag d;
    assert_int_equal(lex_n("\"\0\0\xff\xff\"", 6, NULL, &d, t, 4), 2);
    assert_int_equal(d.errors, 2);
    assert_int_equal(t[0].t.kind, SV_TOK_STRING);
    assert_true(t[0].t.bad);
    assert_int_equal(t[0].t.str_len, 4);
    sv_diag_free(&d);
}

static void garbage_is_one_token_per_run(void **state)
{
    (void)state;
    struct tok_copy t[12];
    sv_diag d;
    size_t n = lex("a $$$;b @: / \xc3\xa9x", &d, t, 12);
    assert_int_equal(n, 9);
    assert_int_equal(t[1].t.kind, SV_TOK_GARBAGE);
    assert_int_equal(t[1].t.len, 3);
    assert_int_equal(t[2].t.kind, SV_TOK_SEMICOLON);
    assert_int_equal(t[4].t.kind, SV_TOK_GARBAGE);
    assert_int_equal(t[4].t.len, 2); /* "@:" — a colon starts a tag only before a letter */
    assert_int_equal(t[5].t.kind, SV_TOK_GARBAGE);
    assert_int_equal(t[5].t.len, 1); /* "/" that starts no comment */
    assert_int_equal(t[6].t.kind, SV_TOK_GARBAGE);
    assert_int_equal(t[6].t.len, 2); /* "é", up to the identifier */
    assert_int_equal(d.errors, 4);
    assert_string_equal(d.items[0].text, "invalid character '$'");
    assert_int_equal(d.items[0].pos.column, 3);
    assert_string_equal(d.items[1].text, "invalid character '@'");
    assert_string_equal(d.items[2].text, "invalid character '/'");
    assert_string_equal(d.items[3].text, "invalid character '\xc3\xa9'");
    sv_diag_free(&d);
    expect_lex_error("a \x01", 3, 1, 3, "invalid character: control octet 0x01");
    expect_lex_error("a \0", 3, 1, 3, "invalid character: control octet 0x00");
    expect_lex_error("a \xfe", 3, 1, 3, "invalid octet 0xFE (not UTF-8)");
    expect_lex_error("\xef\xbb\xbf" "keep;", 8, 1, 1, "invalid character '\xef\xbb\xbf'");
}

static void identifier_length_limit(void **state)
{
    (void)state;
    struct tok_copy t[4];
    sv_diag d;
    const char *ok = "abcdefghijklmnopqrstuvwxyz_12345"; /* 32 */
    assert_int_equal(lex(ok, &d, t, 4), 2);
    assert_int_equal(d.errors, 0);
    sv_diag_free(&d);
    expect_lex_error("abcdefghijklmnopqrstuvwxyz_123456", 33, 1, 1,
                     "identifier \"abcdefghijklmnopqrstuvwxyz_12345...\" is too long: over "
                     "the limit of 32 octets");
    expect_lex_error(" :abcdefghijklmnopqrstuvwxyz_123456", 35, 1, 2,
                     "tag \":abcdefghijklmnopqrstuvwxyz_12345...\" is too long: over the limit "
                     "of 32 octets");
    sv_parse_limits lim = {.max_identifier = 3};
    assert_int_equal(lex_n("abc abcd", 8, &lim, &d, t, 4), 3);
    assert_int_equal(d.errors, 1);
    assert_string_equal(d.items[0].text,
                        "identifier \"abcd\" is too long: over the limit of 3 octets");
    assert_int_equal(t[1].t.len, 4);
    assert_true(t[1].t.bad);
    sv_diag_free(&d);
}

static void string_length_limit(void **state)
{
    (void)state;
    sv_parse_limits lim = {.max_string = 4};
    struct tok_copy t[4];
    sv_diag d;
    /* Counted after decoding: escapes shrink, LF grows to CRLF. */
    assert_int_equal(lex_n("\"\\a\\bcd\"", 8, &lim, &d, t, 4), 2);
    assert_int_equal(d.errors, 0);
    sv_diag_free(&d);
    lex_n("\"ab\ncd\"", 7, &lim, &d, t, 4);
    assert_int_equal(d.errors, 1);
    assert_string_equal(d.items[0].text, "string too long: over the limit of 4 octets");
    assert_true(t[0].t.bad);
    assert_int_equal(t[0].t.str_len, 4); /* "ab\r\n", cut */
    sv_diag_free(&d);
    lex_n("text:\nab\n.\n", 11, &lim, &d, t, 4);
    assert_int_equal(d.errors, 0);
    sv_diag_free(&d);
    lex_n("text:\nabc\n.\n", 12, &lim, &d, t, 4);
    assert_int_equal(d.errors, 1);
    sv_diag_free(&d);
}

static void text_colon_must_end_its_line(void **state)
{
    (void)state;
    expect_lex_error("text: abc\nx\n.\n", 14, 1, 7,
                     "unexpected text after \"text:\": expected a line end or a \"#\" comment");
    struct tok_copy t[4];
    sv_diag d;
    /* The rest of the line is skipped and the string read as usual. */
    assert_int_equal(lex("text: abc\nx\n.\n;", &d, t, 4), 3);
    assert_int_equal(t[0].t.kind, SV_TOK_STRING);
    assert_true(t[0].t.bad);
    assert_string_equal(t[0].str, "x\r\n");
    sv_diag_free(&d);
}

static void descriptions_for_messages(void **state)
{
    (void)state;
    struct tok_copy t[12];
    sv_diag d;
    char buf[96];
    lex("keep :over 12 \"a\x01\xff\" } $$ \"0123456789012345678901234567890123456789\"", &d, t,
        12);
    assert_string_equal(sv_token_describe(&t[0].t, buf, sizeof buf), "identifier \"keep\"");
    assert_string_equal(sv_token_describe(&t[1].t, buf, sizeof buf), "tag \":over\"");
    assert_string_equal(sv_token_describe(&t[2].t, buf, sizeof buf), "number 12");
    assert_string_equal(sv_token_describe(&t[4].t, buf, sizeof buf), "\"}\"");
    assert_string_equal(sv_token_describe(&t[5].t, buf, sizeof buf), "\"$$\"");
    assert_string_equal(sv_token_describe(&t[6].t, buf, sizeof buf),
                        "string \"01234567890123456789012345678901...\"");
    assert_string_equal(sv_token_describe(&t[7].t, buf, sizeof buf), "end of script");
    sv_diag_free(&d);
    /* The string's value (not only the copy) is shown printable. */
    sv_lexer lx;
    sv_token tok;
    sv_diag_init(&d, 0);
    sv_lexer_init(&lx, "\"a\x01\xff\"", 5, 0, 0, &d);
    assert_int_equal(sv_lexer_next(&lx, &tok), 0);
    assert_string_equal(sv_token_describe(&tok, buf, sizeof buf), "string \"a??\"");
    /* A small buffer is cut, still terminated. */
    assert_string_equal(sv_token_describe(&tok, buf, 13), "string \"...\"");
    assert_string_equal(sv_token_describe(&tok, buf, 5), "stri");
    sv_lexer_free(&lx);
    sv_diag_free(&d);
}

static void eof_repeats(void **state)
{
    (void)state;
    sv_lexer lx;
    sv_token tok;
    sv_diag d;
    sv_diag_init(&d, 0);
    sv_lexer_init(&lx, "  \n", 3, 0, 0, &d);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(sv_lexer_next(&lx, &tok), 0);
        assert_int_equal(tok.kind, SV_TOK_EOF);
        assert_int_equal(tok.pos.line, 2);
        assert_int_equal(tok.pos.column, 1);
    }
    sv_lexer_free(&lx);
    sv_diag_free(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(tokens_and_their_positions),
        cmocka_unit_test(identifiers_start_with_a_letter_or_underscore),
        cmocka_unit_test(numbers_with_quantifiers),
        cmocka_unit_test(numbers_past_64_bits_are_errors),
        cmocka_unit_test(quoted_string_escapes),
        cmocka_unit_test(multiline_strings),
        cmocka_unit_test(text_without_colon_is_an_identifier),
        cmocka_unit_test(comments_and_line_ends),
        cmocka_unit_test(unterminated_tokens),
        cmocka_unit_test(bad_octets_in_strings_and_comments),
        cmocka_unit_test(garbage_is_one_token_per_run),
        cmocka_unit_test(identifier_length_limit),
        cmocka_unit_test(string_length_limit),
        cmocka_unit_test(text_colon_must_end_its_line),
        cmocka_unit_test(descriptions_for_messages),
        cmocka_unit_test(eof_repeats),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
