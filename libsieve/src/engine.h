/* engine.h — the engine's own parts: extension and command definitions (registry.c), the
 * compiled script and its bytecode (compile.c, bytecode.c), a run (interp.c) and its result
 * (result.c). An extension is a const definition registered with the engine; its commands
 * and tests say their arguments, and the generic compiler checks them, encodes them and
 * hands them back decoded to the command's run function. */
#ifndef SIEVE_ENGINE_H
#define SIEVE_ENGINE_H

#include "sieve_internal.h"

#include "mailparse.h"

/* ---- argument types and tags --------------------------------------------------------------- */

enum {
    SV_T_NONE = 0,       /* a tag without a value */
    SV_T_STRING,         /* one string */
    SV_T_STRLIST,        /* a string list (a single string is a list of one) */
    SV_T_NUMBER
};

/* Tags, engine-wide: a tag's id is its index here, and a command lists the ones it takes. */
typedef enum {
    SV_TAG_IS = 0, SV_TAG_CONTAINS, SV_TAG_MATCHES, SV_TAG_REGEX, SV_TAG_VALUE, SV_TAG_COUNT,
    SV_TAG_LIST,
    SV_TAG_COMPARATOR,
    SV_TAG_ALL, SV_TAG_LOCALPART, SV_TAG_DOMAIN, SV_TAG_USER, SV_TAG_DETAIL,
    SV_TAG_INDEX, SV_TAG_LAST,
    SV_TAG_COPY, SV_TAG_FLAGS, SV_TAG_CREATE, SV_TAG_SPECIALUSE,
    SV_TAG_OVER, SV_TAG_UNDER,
    SV_TAG_COUNT_
} sv_tag_id;

/* Groups of tags that exclude one another on one command. */
enum { SV_GROUP_NONE = 0, SV_GROUP_MATCH, SV_GROUP_COMPARATOR, SV_GROUP_ADDRESS_PART,
       SV_GROUP_SIZE };

typedef struct sv_tag_def {
    const char *name;    /* without the colon */
    uint8_t value;       /* SV_T_* of the value that follows the tag */
    uint8_t group;       /* SV_GROUP_* */
    const char *ext;     /* the extension a script must require to use it; NULL: none */
} sv_tag_def;

extern const sv_tag_def sv_tags[SV_TAG_COUNT_];

/* ---- commands and tests ------------------------------------------------------------------ */

enum { SV_KIND_COMMAND = 0, SV_KIND_TEST = 1 };

/* How the compiler treats a command: most are SV_CTL_NONE (arguments encoded, run function
 * called); the control structures are compiled into jumps. */
enum {
    SV_CTL_NONE = 0, SV_CTL_REQUIRE, SV_CTL_IF, SV_CTL_ELSIF, SV_CTL_ELSE, SV_CTL_STOP,
    SV_CTL_ALLOF, SV_CTL_ANYOF, SV_CTL_NOT, SV_CTL_TRUE, SV_CTL_FALSE
};

#define SV_MAX_POSITIONAL 4
#define SV_MAX_TAGS 8        /* tags on one command (distinct) */

typedef struct sv_run sv_run;
typedef struct sv_vctx sv_vctx;
typedef struct sv_cmd_def sv_cmd_def;

/* An argument value as the compiler sees it (AST strings) and as a run sees it (strings of
 * the script, not yet expanded): `strs` points at `count` strings. */
typedef struct sv_value {
    uint8_t type;        /* SV_T_* */
    uint64_t number;
    const sv_str *strs;  /* STRING: 1, STRLIST: count */
    size_t count;
} sv_value;

/* A command's arguments bound to its definition: the tags given (in the order written) and
 * the positional arguments. */
typedef struct sv_args {
    const sv_cmd_def *def;
    sv_pos pos;
    size_t ntags;
    uint8_t tag[SV_MAX_TAGS];
    sv_value tag_value[SV_MAX_TAGS];
    size_t npos;
    sv_value positional[SV_MAX_POSITIONAL];
} sv_args;

/* The value of tag `t` in `a`, or NULL when it was not given. */
const sv_value *sv_args_tag(const sv_args *a, int t);

struct sv_cmd_def {
    const char *name;
    uint8_t kind;              /* SV_KIND_* */
    uint8_t control;           /* SV_CTL_* */
    uint8_t npos;              /* positional arguments */
    uint8_t pos[SV_MAX_POSITIONAL]; /* their SV_T_* */
    const uint8_t *tags;       /* the SV_TAG_* it takes, ended by SV_TAG_COUNT_ */
    /* Checks beyond the argument types (a valid mailbox name, a known comparator that fits
     * the match type, a constant regex that compiles …): reports to the context's diag and
     * returns 0 (an error reported or not), or a negative SIEVE_E_*. May be NULL. */
    int (*validate)(sv_vctx *v, const sv_args *a);
    /* Runs the command (returns 0) or test (returns 1 true, 0 false), or a negative
     * SIEVE_E_* (SIEVE_E_RUNTIME after reporting to the run's diag). */
    int (*run)(sv_run *r, const sv_args *a);
};

/* An extension: its name as `require` names it, and the commands and tests it adds. */
typedef struct sv_ext_def {
    const char *name;
    const sv_cmd_def *commands;
    size_t ncommands;
} sv_ext_def;

/* The extensions of the library, core first: every engine has these, in this order. */
extern const sv_ext_def *const sv_extensions[];
extern const size_t sv_extension_count;

#define SV_MAX_EXTENSIONS 64

/* The definition of the command or test named `name` (case ignored) of kind `kind`, with its
 * extension's index in *ext (0 = core), or NULL. */
const sv_cmd_def *sv_find_command(const sieve_engine *e, const char *name, size_t len, int kind,
                                  size_t *ext);
/* The index of the extension named (case-sensitive, as RFC 5228 §3.2 has it), or -1. */
int sv_find_extension(const sieve_engine *e, const char *name, size_t len);
/* A command's index in the engine's numbering (as the bytecode names it), and back (NULL
 * for an index out of range). */
int sv_command_index(const sieve_engine *e, const sv_cmd_def *def);
const sv_cmd_def *sv_command_at(const sieve_engine *e, int index);

/* An engine with extensions beyond the library's own (`extra`, `nextra` of them, kept by
 * pointer: they must outlive the engine) — the test suites' vnd.dovecot.testsuite is one.
 * The same returns as sieve_engine_new(), and SIEVE_E_LIMIT past SV_MAX_EXTENSIONS. */
int sv_engine_new_with(const sieve_options *opts, const sv_ext_def *const *extra, size_t nextra,
                       sieve_engine **out);

/* ---- the engine and compiled scripts ----------------------------------------------------- */

struct sieve_engine {
    sieve_options o;
    const sv_ext_def *exts[SV_MAX_EXTENSIONS];
    size_t nexts;
    uint64_t enabled;          /* bit i: exts[i] may be required */
    char *capabilities;        /* sieve_engine_extensions() */
};

/* Compile-time context handed to validate functions. */
struct sv_vctx {
    const sieve_engine *engine;
    sv_diag *diag;
    uint64_t required;         /* bit i: the script required sv_extensions[i] */
};

/* Reports an error at `pos` (printf-style). Returns 0 or SIEVE_E_NOMEM. */
int sv_vctx_error(sv_vctx *v, sv_pos pos, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
/* Non-zero when the script required the extension named. */
int sv_vctx_has(const sv_vctx *v, const char *ext);

/* The strings of a compiled script: one block of text and, per string, where it is and
 * whether it holds variable references to expand at run time. */
typedef struct sv_pool_entry {
    uint32_t off, len;
    uint8_t expand;
} sv_pool_entry;

/* The operations: one octet, then their operands. SV_OP_COMMAND is followed by a u16
 * command index (sv_command_at), the command's place (u32 line, u32 column), its tags (u8
 * count; u8 tag id and value each) and its positional values (u8 count; values); a value is
 * a u8 SV_T_* then a u32 string index, a u16 count of u32 string indexes, or a u64 number. */
enum {
    SV_OP_END = 0,       /* end of the script */
    SV_OP_JMP,           /* u32 target */
    SV_OP_JMP_FALSE,     /* u32 target: jump when the test register is false */
    SV_OP_JMP_TRUE,      /* u32 target */
    SV_OP_NOT,           /* the test register is negated */
    SV_OP_SET_TRUE,
    SV_OP_SET_FALSE,
    SV_OP_STOP,
    SV_OP_COMMAND
};

struct sieve_script {
    const sieve_engine *engine; /* compiled or loaded by; outlives the script */
    uint64_t required;       /* extensions required */
    uint8_t *code;
    size_t code_len;
    sv_pool_entry *strings;
    size_t nstrings;
    char *text;              /* the strings' octets, each NUL-terminated */
    size_t text_len;
};

/* Decodes the instruction at code[*pc] into `a` (its strings into `strs`, which has room for
 * `nstrs`) or *target (jumps), and moves *pc past it. Returns the SV_OP_*, or -1 when the
 * code is malformed there (the loader checks every instruction once, so a run never sees -1
 * on a loaded script). */
#define SV_MAX_DECODED 4096
int sv_decode(const sieve_script *s, size_t *pc, sv_args *a, sv_str *strs, size_t nstrs,
              uint32_t *target);

/* Hands a diagnostics list to the caller as sieve_diagnostics (`out` NULL: frees it). 0 or
 * SIEVE_E_NOMEM (the list is freed then). */
int sv_diag_hand_out(sv_diag *d, sieve_diagnostics **out);

/* ---- a run -------------------------------------------------------------------------------- */

/* A named value of an action beyond its target (vacation's subject, notify's method …). */
typedef struct sv_param {
    char *name, *value;
} sv_param;

/* One action of a result (RFC 5228 §4 and the extensions'). */
typedef struct sv_action {
    int type;                /* sieve_action_type */
    char *target;            /* mailbox (fileinto), address (redirect), reason (reject) */
    char *flags;             /* space-separated imap4flags, or NULL */
    unsigned options;        /* SIEVE_ACTION_* bits: copy, create */
    sv_pos pos;
    sv_param *params;
    size_t nparams;
} sv_action;

struct sieve_result {
    sv_action *actions;
    size_t count, cap;
    int last_new;            /* the last sv_result_add() made a new action (not merged) */
    int implicit_keep;       /* still in force after the run */
    int keep_done;           /* an explicit keep was done */
};

struct sv_run {
    const sieve_script *script;
    const sieve_run_options *opts;
    const mailparse_message *msg;
    const sieve_envelope *env;
    sieve_result *result;
    sv_diag *diag;
    lm_arena *arena;         /* per-run scratch: expanded strings */
    sv_captures caps;
    sv_vars *vars;
    uint64_t budget;         /* instructions left */
    size_t redirects;
    const sieve_callbacks *cb; /* never NULL (an empty table when the caller gave none) */
    void *host;              /* the embedding test harness's state (sv_run_host), or NULL */
};

/* sieve_run() for a harness: `host` is left in sv_run.host for its own commands, and the
 * message may be replaced by them (sv_run.msg); `diag` is the caller's. Same returns. */
int sv_run_host(const sieve_script *s, const void *msg, size_t len, const sieve_envelope *env,
                const sieve_run_options *opts, void *host, sv_diag *diag, sieve_result **out);

/* The string `s` as the run sees it: variables expanded when the string holds references
 * (and the script required "variables"). NUL-terminated, in the run's arena or in the
 * script. Returns 0 or a negative SIEVE_E_*. */
int sv_run_string(sv_run *r, const sv_str *s, sv_str *out);
/* Reports a run-time error at `pos`; returns SIEVE_E_RUNTIME (or SIEVE_E_NOMEM). */
int sv_run_error(sv_run *r, sv_pos pos, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* Adds an action, applying RFC 5228 §4's rules on duplicates and the implicit keep.
 * Returns 0, SIEVE_E_LIMIT (too many actions: reported) or SIEVE_E_NOMEM. */
int sv_result_add(sv_run *r, int type, const char *target, size_t target_len,
                  const char *flags, unsigned options, sv_pos pos);
/* Adds a named value to the action the last sv_result_add() made (nothing when that one was
 * merged into an earlier action). 0 or SIEVE_E_NOMEM. */
int sv_result_param(sv_run *r, const char *name, const char *value, size_t len);

/* ---- the core commands and tests (ext_core.c) --------------------------------------------- */

extern const sv_ext_def sv_ext_core;
extern const sv_ext_def sv_ext_fileinto;
extern const sv_ext_def sv_ext_envelope;

#endif
