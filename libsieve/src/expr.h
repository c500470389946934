/* expr.h — the expression language of vnd.stalwart.expressions (grammar and semantics in
 * sieve.h): compiling an expression's text into compact code (expr_compile.c), verifying code
 * read from saved bytecode (expr_compile.c), evaluating it in a run (expr_eval.c) with the
 * built-in functions (expr_func.c) and the header and body variables (expr_header.c).
 *
 * Code is a sequence of operations on a value stack, each one octet and its operands
 * (integers little-endian):
 *   X_INT i64 | X_FLOAT f64 bits | X_STR u16 len, octets | X_VAR u8 kind, u16 len, name
 *   X_NEG X_NOT                                 one value in, one out
 *   X_ADD … X_XOR                               two in, one out
 *   X_AND u16 skip | X_OR u16 skip              a false (true) value stays as 0 (1) and the
 *                                               next `skip` octets are jumped over; else it
 *                                               is dropped and the right side follows
 *   X_BOOL                                      one value to 0 or 1
 *   X_INDEX                                     list, index → item
 *   X_ARRAY u16 n                               n values → one list
 *   X_CALL u8 function, u8 argc                 a built-in function (sv_expr_func_*)
 *   X_EXT u8 argc, u16 len, name                a host function (sieve_options.functions)
 * The stack never holds more than SV_EXPR_MAX_STACK values and ends with exactly one. */
#ifndef SIEVE_EXPR_H
#define SIEVE_EXPR_H

#include "code_reader.h"
#include "engine.h"

#define SV_EXPR_MAX_SOURCE 4096   /* octets of an expression's text */
#define SV_EXPR_MAX_DEPTH 32      /* parentheses, brackets, calls and unary operators nested */
#define SV_EXPR_MAX_STACK 256     /* values pending at once */
#define SV_EXPR_MAX_NAME 256      /* octets of a variable name or header path */
#define SV_EXPR_MAX_ARGS 16       /* arguments of a function */
#define SV_EXPR_MAX_VALUE SV_MAX_EXPANDED        /* octets of one string value */
#define SV_EXPR_MAX_MEMORY ((size_t)16 << 20)    /* octets one evaluation may allocate */

enum {
    X_INT = 1, X_FLOAT, X_STR, X_VAR,
    X_NEG, X_NOT,
    X_ADD, X_SUB, X_MUL, X_DIV, X_EQ, X_NE, X_LT, X_LE, X_GT, X_GE, X_XOR,
    X_AND, X_OR, X_BOOL, X_INDEX, X_ARRAY, X_CALL, X_EXT
};

/* The kinds of variable X_VAR reads. */
enum {
    X_VAR_LOCAL = 0,   /* a variable of the script */
    X_VAR_GLOBAL,      /* "global.name" (the name without the prefix) */
    X_VAR_HEADER,      /* "header.…" (the path after the prefix; expr_header.c) */
    X_VAR_BODY         /* "body.text", "body.html" (the part's name) */
};

/* A value. Strings and lists live in the evaluation's arena (or the script). */
typedef enum { SV_XV_INT = 0, SV_XV_FLOAT, SV_XV_STR, SV_XV_LIST } sv_xtype;

typedef struct sv_xval {
    uint8_t type;              /* sv_xtype */
    int64_t i;
    double f;
    const char *s;             /* STR: `len` octets, NUL-terminated */
    size_t len;
    struct sv_xval *items;     /* LIST: `count` values */
    size_t count;
} sv_xval;

/* Compiles the expression `src` (`len` octets) for `e` (its host functions) into `out`
 * (appended). 0, SIEVE_E_SYNTAX with an English reason in `err`, or SIEVE_E_NOMEM. */
int sv_expr_compile(const sieve_engine *e, const char *src, size_t len, lm_buf *out, char *err,
                    size_t errlen);
/* Checks code from saved bytecode: every operation whole, known functions with their number of
 * arguments, header paths that parse, jumps forward onto operations with the stack as the
 * jump left it, the stack within bounds and one value at the end. 0 or SIEVE_E_SYNTAX. */
int sv_expr_verify(const sieve_engine *e, const char *code, size_t len);

/* One evaluation: its arena and the octets it allocated (bounded by SV_EXPR_MAX_MEMORY). */
typedef struct sv_xctx {
    sv_run *run;
    lm_arena *arena;
    size_t used;
    sv_pos pos;                /* the command's place, for reports */
} sv_xctx;

/* Evaluates verified code into *out (in c->arena). 0, SIEVE_E_RUNTIME (reported: a limit or
 * a host function's failure) or SIEVE_E_NOMEM. Each operation costs one instruction of the
 * run's budget. */
int sv_expr_eval(sv_xctx *c, const char *code, size_t len, sv_xval *out);

/* Expressions in strings (expr_template.c): "${…}" holding an expression rather than a
 * variable reference. The compiler keeps such a string as a template (its pool entry's expand
 * is SV_EXPAND_TEMPLATE): segments of u8 kind (0: text, expanded as usual; 1: an expression's
 * code), u32 length and the octets.
 *  sv_expr_template()         appends the template of `s` to `out`: 1 when `s` holds an
 *                             expression (else 0, `out` unchanged), or SIEVE_E_NOMEM;
 *  sv_expr_template_next()    the segment at *at (1), the end (0), or -1 when malformed;
 *  sv_expr_template_verify()  0 or SIEVE_E_SYNTAX (saved bytecode);
 *  sv_expr_append()           evaluates code and appends its text: 0 or a negative SIEVE_E_*. */
#define SV_EXPAND_TEMPLATE 2
int sv_expr_template(const sieve_engine *e, const char *s, size_t n, lm_buf *out);
int sv_expr_template_next(const char *t, size_t n, size_t *at, int *kind, const char **seg,
                          size_t *len);
int sv_expr_template_verify(const sieve_engine *e, const char *t, size_t n);
int sv_expr_append(sv_run *r, sv_pos pos, const char *code, size_t len, lm_buf *out);

/* A command's expression (an SV_T_EXPR argument) evaluated: *c is set up (free its arena with
 * sv_xctx_end() whatever the result) and *out set. sv_expr_truth() gives the truth of one
 * (1 or 0) or a negative SIEVE_E_*, and cleans up itself. */
int sv_expr_run(sv_run *r, sv_pos pos, const sv_value *code, sv_xctx *c, sv_xval *out);
void sv_xctx_end(sv_xctx *c);
int sv_expr_truth(sv_run *r, sv_pos pos, const sv_value *code);

/* Checks the variable a command sets (let, query :set) as "set" does: a name, or
 * "global.NAME" (include or this extension declares the namespace); declares it
 * (sv_declare_variable). 0 (an error reported or not) or SIEVE_E_NOMEM. */
int sv_expr_check_target(sv_vctx *v, const sv_str *name, const char *cmd);

/* Stores `v` in the variable `name` (as "set" names them: "global.x" with include): a list
 * stays a list (sv_vars_set_list; a global one is stored as its text). 0, SIEVE_E_RUNTIME
 * (too many variables: reported) or SIEVE_E_NOMEM. */
int sv_expr_store(sv_xctx *c, const char *name, size_t nlen, const sv_xval *v);

/* Values. sv_xval_text() gives the text of a value (a list: its items joined by CRLF; a float:
 * the shortest form that reads back the same) in the arena; NULL when out of memory or over
 * SV_EXPR_MAX_MEMORY. sv_xval_string() makes a string value of `n` octets copied. */
int sv_xval_text(sv_xctx *c, const sv_xval *v, const char **s, size_t *n);
int sv_xval_string(sv_xctx *c, const char *s, size_t n, sv_xval *out);
/* Allocates `n` octets of the evaluation (counted against SV_EXPR_MAX_MEMORY); NULL when out
 * of memory or over the bound (sv_xctx_fail says which). */
void *sv_xctx_alloc(sv_xctx *c, size_t n);
int sv_xctx_fail(sv_xctx *c);
/* Takes `units` instructions of the run's budget for work that grows with its input (a
 * function over a long string, a walk over the header): 0, or SIEVE_E_RUNTIME (reported) when
 * the budget is spent. */
int sv_xctx_charge(sv_xctx *c, uint64_t units);
int sv_xval_truth(const sv_xval *v);
int sv_xval_equal(const sv_xval *a, const sv_xval *b);
/* A string read as a number (an integer when it is one whole, else a float when it is one
 * whole, else 0) — and any value: a list gives 1 when empty, else 0, as sieve-rs does. */
sv_xval sv_xval_number(const sv_xval *v);
/* A string value read from a variable: a number when it is one whole, else the string. */
sv_xval sv_xval_from_text(const char *s, size_t n);

/* The built-in functions: the index of the one named (and its number of arguments in
 * *args), or -1; and calling the i-th on `argv`. */
int sv_expr_func_find(const char *name, size_t len, unsigned *args);
unsigned sv_expr_func_args(int i);
int sv_expr_func_call(sv_xctx *c, int i, const sv_xval *argv, sv_xval *out);

/* Header and body variables (expr_header.c). sv_expr_header_valid() says whether a path
 * ("from.addr[*]", after "header.") parses; sv_expr_header() evaluates one against the
 * run's message (editheader's edits included), sv_expr_body() a body part ("text" or "html").
 * 0 or a negative SIEVE_E_*. */
int sv_expr_header_valid(const char *path, size_t len);
int sv_expr_header(sv_xctx *c, const char *path, size_t len, sv_xval *out);
int sv_expr_body_valid(const char *part, size_t len);
int sv_expr_body(sv_xctx *c, const char *part, size_t len, sv_xval *out);

#endif
