/* sieve_internal.h — what the parts of libsieve share: positions and diagnostics, the syntax
 * tree the parser builds, comparators and match types, variables and string expansion, and
 * the address and date parts of the tests. Not installed. */
#ifndef SIEVE_INTERNAL_H
#define SIEVE_INTERNAL_H

#include "sieve.h"

#include "lm_arena.h"
#include "lm_buf.h"

#include <stddef.h>
#include <stdint.h>

/* ---- positions and diagnostics (diag.c) ------------------------------------------------- */

/* A place in a script: 1-based line and column (in octets); 0/0 when there is none. */
typedef struct sv_pos {
    uint32_t line, column;
} sv_pos;

enum { SV_SEV_ERROR = 0, SV_SEV_WARNING = 1 };

typedef struct sv_diag_item {
    int severity;          /* SV_SEV_* */
    sv_pos pos;
    char *text;            /* NUL-terminated English text, owned */
} sv_diag_item;

/* The errors and warnings of one compile or run, in the order found. After `max_errors`
 * errors (0 = SV_DEFAULT_MAX_ERRORS) further ones are counted but not kept, and `full` is
 * set so that a compiler can stop early. Out of memory is sticky in `oom`. */
typedef struct sv_diag {
    sv_diag_item *items;
    size_t count, cap;
    size_t errors, warnings;   /* all reported, kept or not */
    size_t max_errors;
    int full, oom;
} sv_diag;

#define SV_DEFAULT_MAX_ERRORS 100

void sv_diag_init(sv_diag *d, size_t max_errors);
void sv_diag_free(sv_diag *d);
/* Adds a message (printf-style format). Returns 0, or SIEVE_E_NOMEM. */
int sv_diag_add(sv_diag *d, int severity, sv_pos pos, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

/* ---- the syntax tree (lexer.c, parser.c) -------------------------------------------------- */

/* A string of the script, decoded: quoted strings without their escapes, multi-line strings
 * without the dot-stuffing and with CRLF line ends. NUL-terminated (it may also hold NULs
 * only when the script did, which the parser refuses), allocated in the tree's arena. */
typedef struct sv_str {
    const char *s;
    size_t len;
    sv_pos pos;
    uint8_t multiline;     /* written as text: ... . */
    uint8_t expand;        /* (compiled scripts) holds variable references to expand */
} sv_str;

typedef enum {
    SV_ARG_TAG = 1,        /* :name — u.tag holds "name" without the colon */
    SV_ARG_NUMBER,         /* u.number, with K/M/G applied */
    SV_ARG_STRING,         /* u.str: a single string (not in brackets) */
    SV_ARG_STRLIST         /* u.list: [ "a", "b" ] (one element when written ["a"]) */
} sv_arg_kind;

typedef struct sv_arg {
    sv_arg_kind kind;
    sv_pos pos;
    union {
        sv_str tag;
        uint64_t number;
        sv_str str;
        struct {
            sv_str *items;
            size_t count;
        } list;
    } u;
} sv_arg;

/* A command or a test (RFC 5228 §8.2): its identifier, its arguments, its test or test list,
 * and (commands) its block. `name` keeps the identifier as written; identifiers compare
 * case-insensitively. */
typedef struct sv_node sv_node;
struct sv_node {
    sv_str name;
    sv_arg *args;
    size_t nargs;
    sv_node **tests;       /* the test after the arguments, or the tests of a test list */
    size_t ntests;
    uint8_t test_list;     /* the tests were written in ( ... ) */
    uint8_t has_block;     /* a command ended with { ... } rather than ";" */
    sv_node **block;       /* the commands of the block */
    size_t nblock;
};

typedef struct sv_ast {
    lm_arena *arena;       /* every node, argument and string */
    sv_node **commands;
    size_t ncommands;
} sv_ast;

/* Bounds on a script; 0 in a field means its default. */
typedef struct sv_parse_limits {
    size_t max_script_size;    /* octets; default SV_DEFAULT_MAX_SCRIPT_SIZE */
    unsigned max_nesting;      /* blocks inside blocks, and tests inside the tests of one
                                * command, each counted apart; default 32 (Pigeonhole's) */
    size_t max_string;         /* octets of one string; default 1 MiB */
    size_t max_list;           /* strings in one string list; default 1024 */
    unsigned max_arguments;    /* arguments of one command or test; default 32 */
    unsigned max_identifier;   /* octets of an identifier or tag name; default 32 */
} sv_parse_limits;

#define SV_DEFAULT_MAX_SCRIPT_SIZE (1u << 20)
#define SV_DEFAULT_MAX_NESTING 32
#define SV_DEFAULT_MAX_STRING (1u << 20)
#define SV_DEFAULT_MAX_LIST 1024
#define SV_DEFAULT_MAX_ARGUMENTS 32
#define SV_DEFAULT_MAX_IDENTIFIER 32

/* Parses a whole script (RFC 5228 §8: lexical tokens, comments, strings, numbers, tags,
 * commands, tests, test lists, blocks). Every error goes to `diag` with its line:column and
 * what was expected; the parser goes on after an error where it can (to the next ";" or "}")
 * so one compile reports several. Returns 0 with *out set when there was no error;
 * SIEVE_E_COMPILE when there were errors (*out NULL); SIEVE_E_LIMIT when a limit was hit (also
 * reported in `diag`); SIEVE_E_NOMEM. `lim` may be NULL. The script must be UTF-8. */
int sv_parse(const char *src, size_t len, const sv_parse_limits *lim, sv_diag *diag,
             sv_ast **out);
void sv_ast_free(sv_ast *ast);

/* ---- comparators and match types (comparator.c, match.c) --------------------------------- */

/* RFC 4790 / RFC 5051 comparators. */
typedef enum {
    SV_CMP_OCTET = 0,          /* i;octet */
    SV_CMP_ASCII_CASEMAP,      /* i;ascii-casemap (the default) */
    SV_CMP_ASCII_NUMERIC,      /* i;ascii-numeric */
    SV_CMP_UNICODE_CASEMAP     /* i;unicode-casemap */
} sv_comparator;

typedef enum {
    SV_MATCH_IS = 0,
    SV_MATCH_CONTAINS,
    SV_MATCH_MATCHES,
    SV_MATCH_REGEX,            /* draft-ietf-sieve-regex */
    SV_MATCH_VALUE,            /* RFC 5231 */
    SV_MATCH_COUNT             /* RFC 5231: the caller counts, see sv_match_count() */
} sv_match_type;

typedef enum { SV_REL_GT = 0, SV_REL_GE, SV_REL_LT, SV_REL_LE, SV_REL_EQ, SV_REL_NE } sv_relation;

/* The comparator named (as in :comparator "i;octet"), or -1 when unknown. */
int sv_comparator_from_name(const char *name, size_t len);
const char *sv_comparator_name(int cmp);
/* The relation named ("gt", "ge", "lt", "le", "eq", "ne", ASCII case ignored), or -1. */
int sv_relation_from_name(const char *name, size_t len);
/* Non-zero when `cmp` can serve `match` (i;ascii-numeric has no substring or wildcard match:
 * RFC 4790 §9.1; RFC 5228 §2.7.3 makes using it so a compile error). */
int sv_comparator_supports(int cmp, int match);

/* Match variables (RFC 5229 §3.2): ${0} is the whole matched value, ${1}.. what each
 * wildcard (or regex group) matched. `count` is how many are set. RFC 5229 needs ${0}..${9};
 * Pigeonhole's tests read up to ${26}, so ${0}..${32} are kept (wildcards past the 32nd
 * match, unrecorded); a script referring to a higher one does not compile. */
#define SV_MAX_CAPTURES 33
typedef struct sv_captures {
    size_t count;
    lm_buf value[SV_MAX_CAPTURES];
} sv_captures;

void sv_captures_init(sv_captures *c);
void sv_captures_free(sv_captures *c);

/* :regex syntax beyond POSIX ERE (sv_matcher.regex_flags, sv_regex_valid()):
 * SV_REGEX_NAMED_GROUPS lets a group be named, "(?<name>re)" or "(?P<name>re)" (the name a
 * letter or "_", then letters, digits and "_"); it is numbered as a plain group is
 * (vnd.stalwart.expressions, as sieve-rs reads its regexes). */
#define SV_REGEX_NAMED_GROUPS 1u

/* How to compare; for SV_MATCH_REGEX `regex_time_limit` bounds the time of one match (ICU
 * steps; 0 = the default) and `regex_flags` (SV_REGEX_*) widens the syntax. */
typedef struct sv_matcher {
    int comparator;            /* sv_comparator */
    int match;                 /* sv_match_type (not COUNT) */
    int relation;              /* sv_relation, for SV_MATCH_VALUE */
    int32_t regex_time_limit;
    unsigned regex_flags;
} sv_matcher;

/* Compares one value of a test with one key. Returns 1 on a match, 0 on none, or
 * SIEVE_E_NOMEM / SIEVE_E_LIMIT (a regex over its time limit or over 8 KiB, a :matches over
 * its work bound) / SIEVE_E_SYNTAX (a key that is not a valid regex) / SIEVE_E_INVAL (a
 * comparator the match type cannot use). When `caps` is not NULL and the match type
 * captures (:matches, :regex), a match fills it; on no match it is left as it was. */
int sv_match(const sv_matcher *m, const char *value, size_t vlen, const char *key, size_t klen,
             sv_captures *caps);
/* RFC 5231 :count — `count` values compared with `key` under `relation` and the comparator
 * (i;ascii-numeric in practice). 1, 0 or a negative error. */
int sv_match_count(const sv_matcher *m, size_t count, const char *key, size_t klen);
/* Non-zero when `key` is a valid regex for :regex with those SV_REGEX_* `flags` (for
 * compile-time checks of constants). */
int sv_regex_valid(const char *key, size_t klen, int comparator, unsigned flags);

/* ---- variables and string expansion (variables.c) -------------------------------------- */

/* The variables of one run (RFC 5229): names compare ASCII case-insensitively. */
typedef struct sv_vars sv_vars;

/* `max_vars` (0 = 255) variables, each value at most `max_value` octets (0 = 4096: longer
 * values are cut at a UTF-8 boundary, as RFC 5229 §3 allows). */
#define SV_DEFAULT_MAX_VARS 255
#define SV_DEFAULT_MAX_VALUE 4096
int sv_vars_new(size_t max_vars, size_t max_value, sv_vars **out);
void sv_vars_free(sv_vars *v);
/* Changes the limits of a store in use (0 = the defaults); values already longer stay until
 * they are set again. The size limit of values, as in force. */
void sv_vars_set_limits(sv_vars *v, size_t max_vars, size_t max_value);
size_t sv_vars_max_value(const sv_vars *v);
/* Changes the value size limit for later sv_vars_set() calls (0 = 4096); values already set
 * stay as they are (a setting reloaded during a run, as Pigeonhole's test_config_reload). */
void sv_vars_set_max_value(sv_vars *v, size_t max_value);
/* Sets a variable. 0, SIEVE_E_LIMIT (too many variables) or SIEVE_E_NOMEM. */
int sv_vars_set(sv_vars *v, const char *name, size_t nlen, const char *value, size_t vlen);
/* The value of a variable, or NULL when it was never set (its value is then ""). */
const char *sv_vars_get(const sv_vars *v, const char *name, size_t nlen, size_t *len);
/* Lists (vnd.stalwart.expressions): sets a variable to `n` items (at most SV_MAX_LIST_ITEMS;
 * whole items only, as many as fit the value size limit); its value, as sv_vars_get() and
 * "${name}" read it, is the items joined by CRLF. 0, SIEVE_E_LIMIT or SIEVE_E_NOMEM.
 * sv_vars_get_list() returns 1 when the variable holds a list (sv_vars_set() makes it a string
 * again), with where each item ends in its value in (*ends)[0 .. *n - 1], else 0. */
#define SV_MAX_LIST_ITEMS 4096
int sv_vars_set_list(sv_vars *v, const char *name, size_t nlen, const char *const *items,
                     const size_t *lens, size_t n);
int sv_vars_get_list(const sv_vars *v, const char *name, size_t nlen, const size_t **ends,
                     size_t *n);

/* Non-zero when `name` is a valid variable name (RFC 5229 §3: identifier, or a namespace
 * prefix "ns.name" when `allow_namespace`), each part at most SV_MAX_VAR_NAME octets and at
 * most SV_MAX_VAR_ELEMENTS parts. */
#define SV_MAX_VAR_NAME 64
#define SV_MAX_VAR_ELEMENTS 4
int sv_var_name_valid(const char *name, size_t len, int allow_namespace);
/* Non-zero when the string holds a variable reference that expansion would replace (so it is
 * not a constant). */
int sv_string_has_variables(const char *s, size_t len);
/* The highest match variable index ("${N}") `s` refers to; 0 when it refers to none. */
size_t sv_string_max_match_index(const char *s, size_t len);

/* A namespaced variable lookup ("env.x", "tst.path"): appends the value to `out` and returns
 * 1, returns 0 when the namespace is unknown (the reference then stays as written), or a
 * negative error. */
typedef int (*sv_namespace_fn)(void *user, const char *name, size_t len, lm_buf *out);

/* Expands "${name}", "${N}" (match variables) and namespaced references in `s` (RFC 5229
 * §3), appending to `out`; everything else is copied. The result is at most `max` octets
 * (0 = no bound beyond memory; longer: SIEVE_E_LIMIT, `out` left as it was). `vars`, `caps`
 * and `ns` may be NULL. */
int sv_expand(const char *s, size_t len, const sv_vars *vars, const sv_captures *caps,
              sv_namespace_fn ns, void *ns_user, size_t max, lm_buf *out);

/* "set" modifiers (RFC 5229 §4.1, RFC 5230-era :quoteregex of the regex draft, :encodeurl of
 * RFC 5435). */
enum {
    SV_MOD_LOWER = 1 << 0,
    SV_MOD_UPPER = 1 << 1,
    SV_MOD_LOWERFIRST = 1 << 2,
    SV_MOD_UPPERFIRST = 1 << 3,
    SV_MOD_QUOTEWILDCARD = 1 << 4,
    SV_MOD_QUOTEREGEX = 1 << 5,
    SV_MOD_ENCODEURL = 1 << 6,
    SV_MOD_LENGTH = 1 << 7
};
/* The modifier named ("lower", … without the colon), or 0. */
unsigned sv_modifier_from_name(const char *name, size_t len);
/* Its precedence (RFC 5229 §4.1: 40 for lower/upper, 30 for lowerfirst/upperfirst, 20 for
 * quotewildcard/quoteregex, 15 encodeurl, 10 length); two modifiers of the same precedence
 * on one "set" are an error. */
int sv_modifier_precedence(unsigned mod);
/* Applies the modifiers in `mods` to `s`, highest precedence first, appending to `out`. The
 * result stays within `max` octets (0 = no bound; pass the variable size limit): a quoting
 * modifier stops before an escape that would not fit whole, the rest is cut at a UTF-8
 * boundary. 0 or SIEVE_E_NOMEM. */
int sv_apply_modifiers(unsigned mods, const char *s, size_t len, size_t max, lm_buf *out);

/* encoded-character (RFC 5228 §2.4.2.4): decodes "${hex: 41 42}" and "${unicode: 1F600}"
 * sequences, appending to `out`; a malformed sequence stays as written. Returns 0, SIEVE_E_SYNTAX when a unicode
 * sequence names a code point that is not a Unicode scalar value (an error the RFC requires),
 * or SIEVE_E_NOMEM. */
int sv_decode_encoded_characters(const char *s, size_t len, lm_buf *out);

/* ---- address and date parts (address_part.c, date_part.c) ------------------------------ */

/* SV_ADDR_NAME (address :name, vnd.stalwart.expressions) is the display name: the address test
 * takes it from the parsed mailbox, sv_address_part() does not serve it. */
enum { SV_ADDR_ALL = 0, SV_ADDR_LOCALPART, SV_ADDR_DOMAIN, SV_ADDR_USER, SV_ADDR_DETAIL,
       SV_ADDR_NAME };

/* The part of an address ("local@domain"; no angle brackets) an address test compares
 * (RFC 5228 §2.7.4, RFC 5233 :user/:detail with the separators in `delims`, e.g. "+").
 * Returns 0 with the part in *out (a pointer into `addr`), or 1 when the address has no such
 * part (:detail without a separator: the test then does not match it). */
int sv_address_part(int part, const char *addr, size_t len, const char *delims,
                    const char **out, size_t *out_len);

/* The address a redirect sends to (RFC 5228 §4.2): `s` must be one RFC 5322 mailbox (a display
 * name and comments allowed); appends its addr-spec to `out`, a quoted local part that needs
 * no quotes unquoted. 0, SIEVE_E_SYNTAX (not one valid mailbox) or SIEVE_E_NOMEM. */
int sv_redirect_address(const char *s, size_t len, lm_buf *out);

/* An envelope path as the envelope test reads it (RFC 5321 §4.1.2): "<" and ">" around it
 * optional, a source route ("@relay1,@relay2:") skipped, then local-part "@" domain, or a
 * local part alone (the "<MAILER-DAEMON>" some systems give). Returns 1 with the mailbox in
 * *out (a pointer into `path`; empty for the null path "" or "<>"), or 0 when the path is not
 * valid: the test then has no address to compare, not even with :all. */
int sv_envelope_path(const char *path, size_t len, const char **out, size_t *out_len);

/* Calls `fn` for each mailbox address ("local@domain", or the group/empty forms RFC 5228
 * §2.7.4 describes) in a header value, parsed with libmailparse, with its display name
 * (RFC 2047 decoded; NULL when the mailbox has none or the value is not an address list).
 * `fn` returns 0 to go on. Returns 0 or the first non-zero of `fn`, or SIEVE_E_NOMEM. */
typedef int (*sv_address_fn)(void *user, const char *addr, size_t len, const char *name);
int sv_header_addresses(const char *value, size_t len, sv_address_fn fn, void *user);

/* A point in time with its zone, as the date extension (RFC 5260) reads it. */
typedef struct sv_datetime {
    int64_t utc;               /* seconds since the epoch */
    int zone_minutes;          /* the offset the date was written in (east of UTC) */
} sv_datetime;

/* Parses an RFC 5322 date-time (a header value). 0, or SIEVE_E_SYNTAX. */
int sv_date_parse(const char *s, size_t len, sv_datetime *out);
/* Parses a :zone argument ("+0100", "-0830"). 0 or SIEVE_E_SYNTAX. */
int sv_zone_parse(const char *s, size_t len, int *zone_minutes);
/* Non-zero when `part` names a date-part (RFC 5260 §4.2: year, month, day, date, julian, hour,
 * minute, second, time, iso8601, std11, zone, weekday; case ignored). */
int sv_date_part_valid(const char *part, size_t len);
/* Appends the date-part of `t` shown in `zone_minutes` to `out`. 0, SIEVE_E_INVAL (unknown
 * part, a zone beyond ±99:59, or a local time outside the years 0000–9999) or
 * SIEVE_E_NOMEM. */
int sv_date_part(const char *part, size_t len, const sv_datetime *t, int zone_minutes,
                 lm_buf *out);

#endif
