/* lexer.h — the tokens of a Sieve script (RFC 5228 §8.1), read one at a time by parser.c.
 * Not installed. */
#ifndef SV_LEXER_H
#define SV_LEXER_H

#include "sieve_internal.h"

typedef enum {
    SV_TOK_EOF = 0,
    SV_TOK_IDENTIFIER,     /* text/len: the identifier as written */
    SV_TOK_TAG,            /* text/len: the name after the ":" */
    SV_TOK_NUMBER,         /* number: the value with K/M/G applied */
    SV_TOK_STRING,         /* str/str_len: the decoded value; multiline for text: */
    SV_TOK_LBRACKET,       /* [ */
    SV_TOK_RBRACKET,       /* ] */
    SV_TOK_LPAREN,         /* ( */
    SV_TOK_RPAREN,         /* ) */
    SV_TOK_LBRACE,         /* { */
    SV_TOK_RBRACE,         /* } */
    SV_TOK_COMMA,          /* , */
    SV_TOK_SEMICOLON,      /* ; */
    SV_TOK_GARBAGE,        /* text/len: a run of octets that start no token */
    SV_TOK_ERROR           /* a token too broken to use (an unterminated string or comment);
                            * reported */
} sv_tok_kind;

typedef struct sv_token {
    sv_tok_kind kind;
    sv_pos pos;            /* its first octet */
    const char *text;      /* into the script: identifier, tag name, garbage */
    size_t len;
    const char *str;       /* STRING: NUL-terminated, valid until the next sv_lexer_next() */
    size_t str_len;
    uint64_t number;
    uint8_t multiline;     /* STRING written as text: */
    uint8_t bad;           /* the lexer reported an error about this token */
} sv_token;

typedef struct sv_lexer {
    const unsigned char *p;    /* the script */
    size_t len, off;
    uint32_t line;             /* of p[off] */
    size_t line_start;         /* offset of the first octet of that line */
    size_t max_string, max_identifier;
    sv_diag *diag;
    lm_buf value;              /* the decoded string of the last STRING token */
    int limit_hit;             /* an error was a limit (string or identifier length) */
    int oom;                   /* sticky: out of memory */
} sv_lexer;

/* Starts reading `len` octets at `src`. `max_string` and `max_identifier` are octet limits
 * (0 = the defaults of sv_parse_limits); errors go to `diag`. */
void sv_lexer_init(sv_lexer *lx, const char *src, size_t len, size_t max_string,
                   size_t max_identifier, sv_diag *diag);
void sv_lexer_free(sv_lexer *lx);

/* Reads the next token, skipping white space and comments. A token with a faulty value (a
 * number too large, an identifier too long, a string with a NUL or invalid UTF-8) keeps its
 * kind and has `bad` set; an octet that starts no token gives SV_TOK_GARBAGE. Every such fault
 * is reported to the diagnostics once, here. At the end it gives SV_TOK_EOF again and again.
 * Returns 0, or SIEVE_E_NOMEM. */
int sv_lexer_next(sv_lexer *lx, sv_token *tok);

/* Reports an error at `pos` to the diagnostics (the parser's too); running out of memory there
 * sets `oom`. */
void sv_lexer_error(sv_lexer *lx, sv_pos pos, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* Describes a token for a message, such as `"}"`, `identifier "keep"`, `string "abc"`,
 * `end of script`: printable, cut short when long. Returns `buf`. */
const char *sv_token_describe(const sv_token *tok, char *buf, size_t size);

#endif
