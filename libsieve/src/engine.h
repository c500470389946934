/* engine.h — the engine's own parts: extension and command definitions (registry.c), the
 * compiled script and its bytecode (compile.c, bytecode.c), a run (interp.c) and its result
 * (result.c). An extension is a const definition registered with the engine; its commands
 * and tests say their arguments, and the generic compiler checks them, encodes them and
 * hands them back decoded to the command's run function. */
#ifndef SIEVE_ENGINE_H
#define SIEVE_ENGINE_H

#include "sieve_internal.h"

#include "lm_ascii.h"
#include "mailparse.h"

/* A hash of the `n` octets at `s` with ASCII case ignored (FNV-1a of the lowercased octets),
 * for the tables that look names up: commands (registry.c), header fields (field_index.c). */
static inline size_t sv_hash_nocase(const char *s, size_t n)
{
    uint64_t h = 14695981039346656037u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (uint64_t)lm_to_lower((unsigned char)s[i])) * 1099511628211u;
    return (size_t)(h ^ (h >> 32));
}

/* ---- argument types and tags --------------------------------------------------------------- */

enum {
    SV_T_NONE = 0,       /* a tag without a value */
    SV_T_STRING,         /* one string */
    SV_T_STRLIST,        /* a string list (a single string is a list of one) */
    SV_T_NUMBER,
    /* An expression (vnd.stalwart.expressions): written as one string, compiled (expr.h) into
     * the string pool as its code, which the loader verifies. */
    SV_T_EXPR
};
/* Or'ed into a command's positional type: the argument may be left out. When fewer
 * positional arguments are written than the command has, the optional ones are skipped
 * first to last, and a skipped one reaches the run function as type SV_T_NONE. */
#define SV_T_OPTIONAL 0x80u

/* Tags, engine-wide: a tag's id is its index here, and a command lists the ones it takes. */
typedef enum {
    SV_TAG_IS = 0, SV_TAG_CONTAINS, SV_TAG_MATCHES, SV_TAG_REGEX, SV_TAG_VALUE, SV_TAG_COUNT,
    SV_TAG_LIST,
    SV_TAG_COMPARATOR,
    SV_TAG_ALL, SV_TAG_LOCALPART, SV_TAG_DOMAIN, SV_TAG_USER, SV_TAG_DETAIL,
    SV_TAG_INDEX, SV_TAG_LAST,
    SV_TAG_COPY, SV_TAG_FLAGS, SV_TAG_CREATE, SV_TAG_SPECIALUSE,
    SV_TAG_OVER, SV_TAG_UNDER,
    /* vacation (RFC 5230, 6131), notify (RFC 5435), :fcc (RFC 8580), redirect-dsn and
     * redirect-deliverby (RFC 6009) */
    SV_TAG_DAYS, SV_TAG_VACATION_SECONDS, SV_TAG_SUBJECT, SV_TAG_FROM, SV_TAG_ADDRESSES,
    SV_TAG_VACATION_MIME, SV_TAG_VACATION_HANDLE, SV_TAG_FCC,
    SV_TAG_IMPORTANCE, SV_TAG_OPTIONS, SV_TAG_MESSAGE,
    SV_TAG_DSN_NOTIFY, SV_TAG_DSN_RET, SV_TAG_BYTIMERELATIVE, SV_TAG_BYTIMEABSOLUTE,
    SV_TAG_BYMODE, SV_TAG_BYTRACE,
    /* the modifiers of "set" (RFC 5229 §4.1) */
    SV_TAG_MOD_LOWER, SV_TAG_MOD_UPPER, SV_TAG_MOD_LOWERFIRST, SV_TAG_MOD_UPPERFIRST,
    SV_TAG_MOD_QUOTEWILDCARD, SV_TAG_MOD_QUOTEREGEX, SV_TAG_MOD_ENCODEURL, SV_TAG_MOD_LENGTH,
    /* mime, foreverypart and extracttext (RFC 5703), include (RFC 6609) */
    SV_TAG_MIME, SV_TAG_ANYCHILD, SV_TAG_TYPE, SV_TAG_SUBTYPE, SV_TAG_CONTENTTYPE, SV_TAG_PARAM,
    SV_TAG_NAME, SV_TAG_FIRST,
    SV_TAG_PERSONAL, SV_TAG_GLOBAL, SV_TAG_ONCE, SV_TAG_OPTIONAL,
    /* body (RFC 5173), date (RFC 5260), spamtestplus (RFC 5235), duplicate (RFC 7352),
     * editheader's own :index/:last (RFC 5293: they need no "index") */
    SV_TAG_RAW, SV_TAG_CONTENT, SV_TAG_TEXT, SV_TAG_ZONE, SV_TAG_ORIGINALZONE, SV_TAG_PERCENT,
    SV_TAG_DUP_HANDLE, SV_TAG_DUP_HEADER, SV_TAG_DUP_UNIQUEID, SV_TAG_DUP_SECONDS,
    SV_TAG_DUP_LAST, SV_TAG_EDIT_INDEX, SV_TAG_EDIT_LAST,
    /* enclose :headers (RFC 5703 §6), :mailboxid (RFC 9042), envelope :zone (RFC 6009 §4) */
    SV_TAG_HEADERS, SV_TAG_MAILBOXID, SV_TAG_ENVELOPE_ZONE,
    SV_TAG_QUERY_SET,    /* vnd.libmail.query's :set */
    SV_TAG_LOCAL,        /* set :local (vnd.stalwart.expressions: the variable is the
                          * script's, not its block's; sv_scope_variable) */
    SV_TAG_ADDR_NAME,    /* address :name and body :subject, vendor tags of sieve-rs allowed */
    SV_TAG_BODY_SUBJECT, /* with vnd.stalwart.expressions (sieve.h) */
    SV_TAG_HEADERS_ONLY, /* report :headers_only (vnd.dovecot.report) */
    /* pipe :try (vnd.dovecot.pipe), execute :input / :pipe / :output (vnd.dovecot.execute) */
    SV_TAG_PIPE_TRY, SV_TAG_EXEC_INPUT, SV_TAG_EXEC_PIPE, SV_TAG_EXEC_OUTPUT,
    SV_TAG_COUNT_
} sv_tag_id;

/* The tags of extensions an engine adds beyond the library's (sv_engine_new_with) are numbered
 * from here: the i-th extra tag has the id SV_TAG_EXTRA + i. Tag ids are one octet. */
#define SV_TAG_EXTRA 128

/* Groups of tags that exclude one another on one command. */
enum { SV_GROUP_NONE = 0, SV_GROUP_MATCH, SV_GROUP_COMPARATOR, SV_GROUP_ADDRESS_PART,
       SV_GROUP_SIZE,
       SV_GROUP_PERIOD,     /* vacation :days / :seconds */
       SV_GROUP_BYTIME,     /* redirect :bytimerelative / :bytimeabsolute */
       SV_GROUP_MIMEOPT,    /* header :mime :type / :subtype / :contenttype / :param */
       SV_GROUP_LOCATION,   /* include :personal / :global */
       SV_GROUP_BODY,       /* body :raw / :content / :text */
       SV_GROUP_ZONE,       /* date :zone / :originalzone */
       SV_GROUP_DUP_ID,     /* duplicate :header / :uniqueid */
       SV_GROUP_EXEC_INPUT  /* execute :input / :pipe */
};

typedef struct sv_tag_def {
    const char *name;    /* without the colon */
    uint8_t value;       /* SV_T_* of the value that follows the tag */
    uint8_t group;       /* SV_GROUP_* */
    const char *ext;     /* the extension a script must require to use it; NULL: none */
} sv_tag_def;

extern const sv_tag_def sv_tags[SV_TAG_COUNT_];

/* The definition of tag `t` in engine `e` (the library's, or one of its extra tags), or NULL. */
const sv_tag_def *sv_tag(const sieve_engine *e, int t);

/* ---- commands and tests ------------------------------------------------------------------ */

enum { SV_KIND_COMMAND = 0, SV_KIND_TEST = 1 };

/* How the compiler treats a command: most are SV_CTL_NONE (arguments encoded, run function
 * called); the control structures are compiled into jumps. */
enum {
    SV_CTL_NONE = 0, SV_CTL_REQUIRE, SV_CTL_IF, SV_CTL_ELSIF, SV_CTL_ELSE, SV_CTL_STOP,
    SV_CTL_ALLOF, SV_CTL_ANYOF, SV_CTL_NOT, SV_CTL_TRUE, SV_CTL_FALSE,
    /* A command with a block of its own (a harness's "test"): its run is called on entering,
     * then the block runs, then its run is called again with sv_run.block_end set. A command
     * inside may end the block early by setting sv_run.leave_block (to the number of blocks
     * it leaves, innermost first): block_end is then 2 instead of 1. A run at the block's end
     * returning 1 runs the block again (a loop: foreverypart), unless the block is left. */
    SV_CTL_BLOCK
};

#define SV_MAX_POSITIONAL 4
#define SV_MAX_TAGS 16       /* tags on one command (distinct; vacation takes up to 11) */

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

/* The value of tag `t` in `a`, or NULL when it was not given. Inline: every test asks it for
 * each tag it may take, every time it runs. */
static inline const sv_value *sv_args_tag(const sv_args *a, int t)
{
    for (size_t i = 0; i < a->ntags; i++)
        if (a->tag[i] == t)
            return &a->tag_value[i];
    return NULL;
}

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

/* The extension that requiring extension `x` requires too (RFC 5235: spamtestplus includes
 * spamtest), or -1. */
int sv_extension_implies(const sieve_engine *e, int x);
/* The extension a script that requires extension `x` must require as well (RFC 5703 §7:
 * extracttext needs foreverypart), or -1. */
int sv_extension_needs(const sieve_engine *e, int x);

/* The extensions of the library, core first: every engine has these, in this order. */
extern const sv_ext_def *const sv_extensions[];
extern const size_t sv_extension_count;

#define SV_MAX_EXTENSIONS 64

/* The definition of the command or test named `name` (case ignored) of kind `kind`, with its
 * extension's index in *ext (0 = core), or NULL. */
const sv_cmd_def *sv_find_command(const sieve_engine *e, const char *name, size_t len, int kind,
                                  size_t *ext);
/* The id of the tag named `name` (case ignored; without the colon) in engine `e`: of the tags
 * of that name, the first (by id) that command `def` takes, else the first; -1 when no tag
 * has the name. */
int sv_tag_by_name(const sieve_engine *e, const char *name, size_t len, const sv_cmd_def *def);
/* The same, preferring a command of the core or of an extension in `required` (bit i: the
 * i-th) when several extensions define the name (foreverypart's and vnd.stalwart.while's
 * break); else as sv_find_command(). */
const sv_cmd_def *sv_find_command_in(const sieve_engine *e, const char *name, size_t len,
                                     int kind, uint64_t required, size_t *ext);
/* The index of the extension named (case-sensitive, as RFC 5228 §3.2 has it), or -1. */
int sv_find_extension(const sieve_engine *e, const char *name, size_t len);
/* A command's index in the engine's numbering (as the bytecode names it), and back (NULL
 * for an index out of range). */
int sv_command_index(const sieve_engine *e, const sv_cmd_def *def);
const sv_cmd_def *sv_command_at(const sieve_engine *e, int index);

/* An engine with extensions beyond the library's own (`extra`, `nextra` of them) and the tags
 * their commands take (`tags`, `ntags`: ids SV_TAG_EXTRA + i), all kept by pointer: they must
 * outlive the engine — the test suites' vnd.dovecot.testsuite is one. The same returns as
 * sieve_engine_new(), and SIEVE_E_LIMIT past SV_MAX_EXTENSIONS or 256 - SV_TAG_EXTRA tags. */
int sv_engine_new_with(const sieve_options *opts, const sv_ext_def *const *extra, size_t nextra,
                       const sv_tag_def *tags, size_t ntags, sieve_engine **out);

/* ---- the engine and compiled scripts ----------------------------------------------------- */

struct sieve_engine {
    sieve_options o;
    const sv_ext_def *exts[SV_MAX_EXTENSIONS];
    size_t nexts;
    const sv_tag_def *xtags;   /* the extra extensions' tags (SV_TAG_EXTRA + i) */
    size_t nxtags;
    uint64_t enabled;          /* bit i: exts[i] may be required */
    uint64_t header_only;      /* bit i: exts[i] never reads the message's decoded bodies */
    char *capabilities;        /* sieve_engine_extensions() */
    struct sv_names *names;    /* the commands and tags by name (registry.c) */
    /* The host's expression functions (sieve_options.functions), copied: names in one block. */
    sieve_function *functions;
    size_t nfunctions;
};

#define SV_MAX_VBLOCKS 16     /* SV_CTL_BLOCK commands tracked around a command at compile time */

/* Compile-time context handed to validate functions. */
struct sv_vctx {
    const sieve_engine *engine;
    sv_diag *diag;
    uint64_t required;         /* bit i: the script required sv_extensions[i] */
    int known_false;           /* the test just compiled is false whatever the message (an
                                * ihave of a missing extension): its if-block is not compiled */
    /* The SV_CTL_BLOCK commands around the command being compiled, innermost last (break and
     * extracttext look for their foreverypart here). */
    const sv_args *blocks[SV_MAX_VBLOCKS];
    size_t nblocks;
    /* include (RFC 6609, ext_include.c): the table of included scripts the top script's
     * compile fills, the compile of the script that includes this one (NULL: the top), and
     * this script's location and name when it is an included one. */
    struct sv_subtable *subs;
    const struct sv_vctx *parent;
    int location;
    const char *name;
    unsigned depth;            /* 0 for the top script */
    /* variables (RFC 5229): the names this script declared so far (ext_variables.c's
     * sv_declare_variable keeps them; the compile frees them with sv_declared_free). */
    struct sv_declared *declared;
    unsigned scope_depth;      /* the blocks open around the command (sv_scope_variable) */
};

/* A string tag's constant value checked: when tag `t` of `a` holds no variables and `ok`
 * refuses it, reports "invalid WHAT "value"" (`what` NULL: ":tag value"). Returns 0 (an error
 * reported or not) or SIEVE_E_NOMEM. */
int sv_vctx_check_tag(sv_vctx *v, const sv_args *a, int t, int (*ok)(const char *, size_t),
                      const char *what);
/* Reports an error at `pos` (printf-style). Returns 0 or SIEVE_E_NOMEM. */
int sv_vctx_error(sv_vctx *v, sv_pos pos, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
/* Reports a warning at `pos` (printf-style). Returns 0 or SIEVE_E_NOMEM. */
int sv_vctx_warning(sv_vctx *v, sv_pos pos, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
/* Non-zero when the script required the extension named. */
int sv_vctx_has(const sv_vctx *v, const char *ext);
/* The string argument `s` as a run will see it, when that is known at compile time: encoded
 * characters decoded (when the script required encoded-character) into `buf`, and no variable
 * references in it (when it required variables). Returns 1 with *text (in `buf` or `s`, not
 * NUL-terminated when it holds a NUL) and *len set; 0 when it is known only at run time, or
 * holds an invalid encoded character (reported when the string is compiled); or
 * SIEVE_E_NOMEM. The caller frees `buf` (lm_buf_free) in every case. */
int sv_vctx_constant(const sv_vctx *v, const sv_str *s, lm_buf *buf, const char **text,
                     size_t *len);

/* The strings of a compiled script: one block of text and, per string, where it is and
 * whether it holds variable references to expand at run time. */
typedef struct sv_pool_entry {
    uint32_t off, len;
    uint8_t expand;
} sv_pool_entry;

/* The operations: one octet, then their operands. SV_OP_COMMAND is followed by a u16
 * command index (sv_command_at), the command's place (u32 line, u32 column), its tags (u8
 * count; u8 tag id and value each) and its positional values (u8 count; values); a value is
 * a u8 SV_T_* then a u32 string index (a string; an expression: the string is its code), a u16
 * count and the u32 index of the first of that many consecutive strings (a list), or a u64
 * number. */
enum {
    SV_OP_END = 0,       /* end of the script */
    SV_OP_JMP,           /* u32 target */
    SV_OP_JMP_FALSE,     /* u32 target: jump when the test register is false */
    SV_OP_JMP_TRUE,      /* u32 target */
    SV_OP_NOT,           /* the test register is negated */
    SV_OP_SET_TRUE,
    SV_OP_SET_FALSE,
    SV_OP_STOP,
    SV_OP_COMMAND,
    SV_OP_BLOCK,         /* u32 target (its SV_OP_BLOCK_END), then an SV_CTL_BLOCK command */
    SV_OP_BLOCK_END      /* the end of the innermost block: its command runs with block_end */
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
    sv_str *strs;            /* the strings as decoded arguments point at them (nstrings) */
    /* include (RFC 6609): every script the top script includes, directly or through another,
     * compiled with it (an included script's own table is empty: its includes are found in
     * the top script's). Saved and loaded with it. */
    struct sv_subscript *subs;
    size_t nsubs;
};

/* An included script: where it came from and its compiled form. */
typedef struct sv_subscript {
    int location;            /* SIEVE_INCLUDE_* */
    char *name;
    sieve_script *script;
} sv_subscript;

/* The table while the top script compiles. */
typedef struct sv_subtable {
    sv_subscript *items;
    size_t count, cap;
} sv_subtable;

/* Compiles `src` as the script `name` included (at `location`) by the script `parent` is
 * compiling (ext_include.c calls this): same engine, same table of included scripts, its
 * diagnostics into `diag`. 0, SIEVE_E_COMPILE, SIEVE_E_LIMIT or SIEVE_E_NOMEM. */
int sv_compile_included(const sv_vctx *parent, int location, const char *name, const char *src,
                        size_t len, sv_diag *diag, sieve_script **out);
/* Frees a table of included scripts (sieve_script_free() of the top script does). */
void sv_subscripts_free(sv_subscript *subs, size_t n);

/* Decodes the instruction at code[*pc] into `a` (its strings point into s->strs) or *target
 * (jumps), and moves *pc past it. Returns the SV_OP_*, or -1 when the code is malformed there
 * (the loader checks every instruction once, so a run never sees -1 on a loaded script). */
int sv_decode(const sieve_script *s, size_t *pc, sv_args *a, uint32_t *target);
/* Makes s->strs from s->strings and s->text (once the script's strings are all there).
 * 0 or SIEVE_E_NOMEM. */
int sv_script_strings(sieve_script *s);

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
    size_t nedits;           /* editheader's edits made before it: its message has those */
    /* Already performed by a harness that performs a result in steps (Pigeonhole's scripts
     * run one after another on one result): such an action conflicts with nothing added later
     * (RFC 5429 §2.1: what was delivered stays delivered), and a second refusal after a
     * performed one is dropped. The library never sets it. */
    int performed;
    size_t version;          /* the message it delivers: 0 the received one, k the k-th that
                              * replace or enclose rebuilt (sieve_result.versions[k - 1]) */
} sv_action;

/* A message replace or enclose rebuilt (RFC 5703 §5-6, ext_mime_edit.c): its octets (CRLF
 * line ends), the edits of the result already in it (the first `first_edit`), and its parse,
 * which the run reads from then on (NULL once a later rebuild took over). `bytes` is NULL
 * once no action delivers this message (a later rebuild freed it). */
typedef struct sv_version {
    unsigned char *bytes;
    size_t len;
    size_t first_edit;
    mailparse_message *parsed;
} sv_version;

struct sieve_result {
    sv_action *actions;
    size_t count, cap;
    int last_new;            /* the last sv_result_add() made a new action (not merged) */
    int implicit_keep;       /* still in force after the run */
    int keep_done;           /* an explicit keep was done */
    struct sv_edit *edits;   /* editheader's changes in order (ext_editheader.c) */
    size_t nedits, edits_cap;
    char *implicit_flags;    /* imap4flags' internal flags as the run left them, or NULL */
    /* replace and enclose (ext_mime_edit.c): the messages rebuilt, in order. A redirect
     * sends the message as it was before the first enclose (RFC 5703 §6): that version and
     * edit count once `enclosed` is set. */
    sv_version *versions;
    size_t nversions;
    int enclosed;
    size_t redirect_version, redirect_edits;
};

/* foreverypart loops inside each other (sieve_options.max_foreverypart_depth): the default,
 * Pigeonhole's; the least RFC 5703 §3 allows; the most any engine allows (sv_run.loops). */
#define SV_DEFAULT_LOOP_DEPTH 4u
#define SV_MIN_LOOP_DEPTH 2u
#define SV_MAX_LOOPS 16u
#define SV_MAX_WHILES 16       /* while loops inside each other (vnd.stalwart.while) */

/* Bounds on variable expansion: one string, and all strings of a run together. */
#define SV_MAX_EXPANDED ((size_t)1 << 20)
#define SV_MAX_EXPANDED_RUN ((size_t)64 << 20)

/* The addresses of one header value, parsed once per run (ext_core.c address tests). */
typedef struct sv_addr_memo {
    struct sv_addr_memo *next;
    const char *value;       /* the raw value parsed (its pointer and length are the key) */
    size_t len, n;
    const char **addr;       /* copies in the run's arena */
    size_t *addr_len;
    const char **name;       /* their display names (copies), NULL where there is none */
} sv_addr_memo;

struct sv_run {
    size_t expanded;         /* octets of expanded strings so far (SV_MAX_EXPANDED_RUN) */
    sv_addr_memo *addr_memo; /* forgotten when the message changes (sv_run_set_message) */
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
    const sieve_callbacks *cb; /* the run's full-size copy of the caller's table (an empty
                                * one when the caller gave none); never NULL */
    void *host;              /* the embedding test harness's state (sv_run_host), or NULL */
    int leave_block;         /* set by a command: the innermost SV_CTL_BLOCK block ends now */
    int block_end;           /* set while an SV_CTL_BLOCK command runs at its block's end (2:
                              * the block is being left) */
    /* include (RFC 6609): the top script (its table of included scripts), how a script
     * ended early (SV_HALT_*), the depth of includes being run, and ext_include.c's state of
     * the run (global variables, :once) — freed by sv_include_run_end(). */
    const sieve_script *top;
    int halt;
    unsigned include_depth;
    void *include_state;
    /* foreverypart (RFC 5703, ext_mime.c): the loops being run, innermost last, across
     * included scripts; those from loop_base on belong to the script running now. */
    struct sv_loop {
        size_t part;         /* the current MIME part (mailparse part id) */
        size_t parent;       /* the part whose descendants the loop visits; SIZE_MAX: all */
        const char *name;    /* :name, or NULL */
        int leaving;         /* a break leaves it */
    } loops[SV_MAX_LOOPS];
    size_t nloops, loop_base;
    struct sv_header_view *hview; /* the header as editheader left it; NULL: as received */
    int64_t now;             /* currentdate's clock, read once per run (RFC 5260 §5) */
    int now_known;
    struct sv_field_index *findex; /* the message's fields by name (field_index.c) */
    size_t traced;           /* actions reported to sieve_run_options.trace so far */
    /* vnd.stalwart.while (ext_while.c): the while loops being run, innermost last, each as
     * the number of foreverypart loops (nloops) when it began, so that break and continue
     * know how many blocks they leave; those from while_base on belong to the script running
     * now. continue_loop is set with leave_block by continue: the last block left ends as
     * if its end was reached (a loop goes round again) instead of being left. */
    size_t whiles[SV_MAX_WHILES];
    size_t nwhiles, while_base;
    int continue_loop;
    /* vnd.libmail.query (ext_query.c): the queries made so far. */
    size_t queries;
    /* vnd.dovecot.filter / execute (extprogram.c): the programs run so far. */
    size_t programs;
};

/* sieve_run() for a harness: `host` is left in sv_run.host for its own commands, and the
 * message may be replaced by them (sv_run.msg); `diag` is the caller's. Same returns. */
int sv_run_host(const sieve_script *s, const void *msg, size_t len, const sieve_envelope *env,
                const sieve_run_options *opts, void *host, sv_diag *diag, sieve_result **out);

/* The string `s` as the run sees it: variables expanded when the string holds references
 * (and the script required "variables"). NUL-terminated, in the run's arena or in the
 * script. Returns 0 or a negative SIEVE_E_*. */
int sv_run_string(sv_run *r, const sv_str *s, sv_str *out);
/* The string value of tag `t` of `a` as the run sees it (sv_run_string); out->s NULL when the
 * tag was not given. Returns 0 or a negative SIEVE_E_*. */
int sv_run_tag_string(sv_run *r, const sv_args *a, int t, sv_str *out);
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
extern const sv_ext_def sv_ext_vacation;          /* ext_vacation.c */
extern const sv_ext_def sv_ext_vacation_seconds;
extern const sv_ext_def sv_ext_enotify;           /* ext_enotify.c */
extern const sv_ext_def sv_ext_fcc;               /* ext_fcc.c */
extern const sv_ext_def sv_ext_specialuse;        /* ext_specialuse.c */
extern const sv_ext_def sv_ext_mboxmetadata;      /* ext_metadata.c */
extern const sv_ext_def sv_ext_servermetadata;
extern const sv_ext_def sv_ext_extlists;          /* ext_extlists.c */
extern const sv_ext_def sv_ext_envelope_dsn;      /* ext_dsn.c */
extern const sv_ext_def sv_ext_redirect_dsn;
extern const sv_ext_def sv_ext_envelope_deliverby;
extern const sv_ext_def sv_ext_redirect_deliverby;
extern const sv_ext_def sv_ext_convert;           /* ext_convert.c */

/* RFC 8580 :fcc on the actions that send (ext_fcc.c): the compile-time check (:flags,
 * :create and :specialuse need :fcc; a constant mailbox name is valid), and the params
 * "fcc", "fcc_flags", "fcc_specialuse", "fcc_create" added to the action just added. */
int sv_fcc_validate(sv_vctx *v, const sv_args *a);
int sv_fcc_params(sv_run *r, const sv_args *a);

/* RFC 6134 (ext_extlists.c): 1 when `value` is in the list `list`, 0 when not, -1 when the
 * list is unknown (sieve_callbacks.list_contains; absent: unknown). */
int sv_list_contains(sv_run *r, const char *list, const char *value);
/* Non-zero when `s` is a valid list name (§2.1: a URI); constant names in `keys` checked
 * (returns 0, errors reported, or SIEVE_E_NOMEM). */
int sv_list_name_valid(const char *s, size_t n);
int sv_list_names_validate(sv_vctx *v, const sv_value *keys);

/* RFC 8579 fileinto :specialuse (ext_specialuse.c): the compile-time check of a constant
 * flag, and the param "specialuse" added to the fileinto just added. */
int sv_specialuse_validate(sv_vctx *v, const sv_args *a);
int sv_specialuse_param(sv_run *r, const sv_args *a);

/* RFC 6009 (ext_dsn.c): envelope parts beyond "from" and "to" ("notify", "ret", "envid",
 * "orcpt", "bytimeabsolute", "bytimerelative", "bymode", "bytrace"). sv_envelope_part_known
 * says whether a script that required the extensions may name `part`; sv_envelope_part
 * gives its values: calls `fn` for each (0 when the part has none), stopping at non-zero. */
int sv_envelope_part_known(const sv_vctx *v, const char *part, size_t len);
typedef int (*sv_envelope_value_fn)(sv_run *r, void *user, const char *value, size_t len);
int sv_envelope_part(sv_run *r, const sv_args *a, const char *part, size_t len,
                     sv_envelope_value_fn fn, void *user);
/* envelope :zone (RFC 6009 §4, with envelope-deliverby): "bytimeabsolute" is shown in that
 * zone (`a`, the envelope test's arguments, may be NULL: UTC). The compile-time check of a
 * constant zone: 0 (an error reported or not) or SIEVE_E_NOMEM. */
int sv_envelope_zone_check(sv_vctx *v, const sv_args *a);
/* redirect's RFC 6009 tags: compile-time checks, and the params "dsn_notify", "dsn_ret",
 * "by_time" (absolute, RFC 3339), "by_mode", "by_trace" added to the redirect just added. */
int sv_redirect_dsn_validate(sv_vctx *v, const sv_args *a);
int sv_redirect_dsn_params(sv_run *r, const sv_args *a);
extern const sv_ext_def sv_ext_include;       /* ext_include.c */
extern const sv_ext_def sv_ext_foreverypart;  /* ext_mime.c */
extern const sv_ext_def sv_ext_mime;
extern const sv_ext_def sv_ext_extracttext;
extern const sv_ext_def sv_ext_replace;      /* ext_mime_edit.c */
extern const sv_ext_def sv_ext_enclose;
extern const sv_ext_def sv_ext_mailboxid;     /* ext_mailboxid.c */

/* Makes `bytes` (`len` octets, allocated with lm_malloc; taken, also on failure) the message
 * of the run from now on: parsed, recorded in the result for the actions that follow, and
 * read by every test after (replace and enclose, result.c). 0, SIEVE_E_LIMIT (more than
 * SV_MAX_REBUILDS rebuilds in one run: reported) or SIEVE_E_NOMEM. */
#define SV_MAX_REBUILDS 100
int sv_result_rebuilt(sv_run *r, unsigned char *bytes, size_t len, sv_pos pos);
/* Frees the rebuilt messages of a result (sieve_result_free; a failed run delivers the
 * message as received). */
void sv_result_versions_free(sieve_result *res);
/* RFC 9042 :mailboxid (ext_mailboxid.c): the compile-time check of a constant id (an RFC
 * 8474 objectid), and the param `param` ("mailboxid", "fcc_mailboxid") added to the action
 * just added. 0 (errors reported) or a negative SIEVE_E_*. */
int sv_mailboxid_validate(sv_vctx *v, const sv_args *a);
int sv_mailboxid_param(sv_run *r, const sv_args *a, const char *param);
/* A mailbox name a script may give (ext_mailbox.c): not empty, UTF-8, no NUL (RFC 5490 §3
 * leaves the rest to the store). special-use's specialuse_exists and metadata's tests use
 * it. */
int sv_mailbox_name_valid(const char *s, size_t n);

enum { SV_HALT_NONE = 0, SV_HALT_STOP, SV_HALT_RETURN };

/* Runs an included script inside the current run (ext_include.c): the same message, result
 * and budget. 0 or a negative error; r->halt tells how it ended. */
int sv_run_script(sv_run *r, const sieve_script *s);
/* Variables as a running script names them: "global.x" (include, RFC 6609 §3.5, when the
 * script required include) is the global x. sv_run_var_set() sets one (0, SIEVE_E_LIMIT or
 * SIEVE_E_NOMEM); sv_include_namespace() is sv_expand()'s namespace callback (user: the
 * sv_run) for reading them. */
int sv_run_var_set(sv_run *r, const char *name, size_t len, const char *value, size_t vlen);
int sv_include_namespace(void *user, const char *name, size_t len, lm_buf *out);
/* Frees ext_include.c's state of a run (sv_run.include_state); NULL state is fine. */
void sv_include_run_end(sv_run *r);
/* The MIME part tests look at: the innermost foreverypart's, else 0 (the message). */
size_t sv_mime_current_part(const sv_run *r);
/* header/address/exists with :mime (RFC 5703 §4): calls `fn` for each field named in `names`
 * of the current part (and with :anychild its descendants); with :type, :subtype,
 * :contenttype or :param the value handed to `fn` is that piece of the field. */
int sv_mime_each_field(sv_run *r, const sv_args *a, const sv_value *names,
                       int (*fn)(sv_run *r, void *user, const mailparse_header *h), void *user);
/* Compile-time (a validate function): :anychild and the content-type options only with
 * :mime. Returns 0 (an error reported or not) or SIEVE_E_NOMEM. */
int sv_mime_check(sv_vctx *v, const sv_args *a);

/* body (ext_body.c), date/currentdate and index (ext_date.c), editheader (ext_editheader.c),
 * spamtest/spamtestplus/virustest (ext_spamtest.c), duplicate (ext_duplicate.c). */
extern const sv_ext_def sv_ext_body;
extern const sv_ext_def sv_ext_date;
extern const sv_ext_def sv_ext_index;
extern const sv_ext_def sv_ext_editheader;
extern const sv_ext_def sv_ext_spamtest;
extern const sv_ext_def sv_ext_spamtestplus;
extern const sv_ext_def sv_ext_virustest;
extern const sv_ext_def sv_ext_duplicate;

/* The top-level header fields as the run sees them: the message's, with editheader's
 * additions and deletions (ext_editheader.c). Calls `fn` for each field named `name` (case
 * ignored), in order from the top; with `index` > 0 only for the index-th of them (RFC 5260
 * §6), counted from the bottom when `last`. `fn` returns 0 to go on; the first non-zero is
 * returned. Added fields have `raw_value` and `text` set (the value as the script gave it)
 * and no typed value. */
typedef int (*sv_field_fn)(sv_run *r, void *user, const mailparse_header *h);
int sv_fields_each(sv_run *r, const char *name, size_t len, uint64_t index, int last,
                   sv_field_fn fn, void *user);
/* Calls `fn` for every top-level field as the run sees it, in order from the top (replace and
 * enclose write the header out this way). The first non-zero `fn` returns is returned. */
int sv_fields_all(sv_run *r, sv_field_fn fn, void *user);
/* The positions (0-based, in order, among the top-level fields of the message as received)
 * of the fields named `name` (case ignored): *n of them at *pos (never NULL). Built on
 * the first call of a run (and again when the run's message changes), in the run's arena.
 * 0 or SIEVE_E_NOMEM (field_index.c). */
int sv_field_index_find(sv_run *r, const char *name, size_t len, const uint32_t **pos,
                        size_t *n);
/* Makes `m` the message of the run from now on, as received: without the edits made so far
 * (a harness's test_set). The edits stay in the result. */
void sv_run_set_message(sv_run *r, const mailparse_message *m);
/* The size of the message as the run sees it: editheader's edits included (RFC 5293 §3). */
size_t sv_message_size(sv_run *r);
/* RFC 5260 §6 at compile time (ext_date.c): `last_tag` only with `index_tag`, and an index
 * of at least 1. Returns 1 when fine, 0 when an error was reported. */
int sv_check_index(sv_vctx *v, const sv_args *a, int index_tag, int last_tag);
/* The run's clock, read once per run (RFC 5260 §5: every currentdate sees the same moment;
 * ext_date.c). */
int64_t sv_run_now(sv_run *r);
/* Frees the edits a result holds (sieve_result_free), or drops them (a failed run keeps the
 * message as received). */
void sv_result_edits_free(sieve_result *res);

/* The comparison every test that compares shares (RFC 5228 §2.7): check the comparator,
 * match type and relation at compile time; at run time set up the matcher and the keys
 * (sv_matching_init), feed each value (sv_matching_value: 1 when one matched, which ends the
 * test), and get the verdict (sv_matching_end: :count compares the number of values fed). */
typedef struct sv_matching {
    sv_matcher m;
    int count_mode;
    size_t count;
    const sv_str *keys;        /* the script's own, or expanded copies in the run's arena */
    size_t nkeys;
    int no_captures;           /* set after init: matches leave the match variables alone
                                * (the body test, RFC 5173 §6) */
    int list_mode;             /* :list (RFC 6134): the keys name lists, a value matches when
                                * it is a member of one (sv_list_contains) */
    sv_pos pos;                /* the test's place, for run-time reports */
} sv_matching;

/* `keys` may be NULL (a test without keys). Returns 0 (errors reported) or SIEVE_E_NOMEM. */
int sv_check_matching(sv_vctx *v, const sv_args *a, const sv_value *keys);
int sv_matching_init(sv_run *r, const sv_args *a, const sv_value *keys, sv_matching *mt);
int sv_matching_value(sv_run *r, sv_matching *mt, const char *v, size_t n);
int sv_matching_end(sv_matching *mt, int found);

/* ---- variables, reject, imap4flags, mailbox, ihave, environment (ext_<name>.c) ------------- */

extern const sv_ext_def sv_ext_variables;
extern const sv_ext_def sv_ext_reject;
extern const sv_ext_def sv_ext_ereject;
extern const sv_ext_def sv_ext_imap4flags;
extern const sv_ext_def sv_ext_mailbox;
extern const sv_ext_def sv_ext_ihave;
extern const sv_ext_def sv_ext_environment;
/* The longest environment item value read from the callback (octets; longer ones are cut). */
#define SV_ENV_MAX_VALUE 1024
/* The value of environment item `name` (RFC 5183; the caller's callback, else the library's
 * own) into `buf` (NUL-terminated, cut at `size`, which is at least 1): its length, or -1
 * when the item is unknown. */
long sv_environment_item(sv_run *r, const char *name, char *buf, size_t size);

/* vnd.stalwart.expressions (ext_expressions.c), vnd.stalwart.while (ext_while.c),
 * vnd.libmail.query (ext_query.c). */
extern const sv_ext_def sv_ext_expressions;
extern const sv_ext_def sv_ext_while;
extern const sv_ext_def sv_ext_query;
/* Pigeonhole's vendor extensions: vnd.dovecot.debug (ext_vnd_debug.c), vnd.dovecot.environment
 * (ext_vnd_environment.c), vnd.dovecot.report (ext_vnd_report.c). */
extern const sv_ext_def sv_ext_vnd_debug;
extern const sv_ext_def sv_ext_vnd_environment;
extern const sv_ext_def sv_ext_vnd_report;
/* vnd.dovecot.pipe, vnd.dovecot.filter, vnd.dovecot.execute (ext_vnd_pipe.c,
 * ext_vnd_filter.c, ext_vnd_execute.c) and what they share (extprogram.c). */
extern const sv_ext_def sv_ext_vnd_pipe;
extern const sv_ext_def sv_ext_vnd_filter;
extern const sv_ext_def sv_ext_vnd_execute;
#define SV_PROGRAM_MAX_ARGS 16
/* The compile-time checks of a program name (positional `name_at`) and of the argument list
 * that follows it (an absent one is fine): constants that break sieve.h's rules are errors.
 * Returns 0 (errors reported or not) or SIEVE_E_NOMEM. */
int sv_program_validate(sv_vctx *v, const sv_args *a, size_t name_at, const char *cmd);
/* A program call's name and arguments as the run sees them (expanded and checked: a bad one is
 * a run-time error). The strings live in the run's arena. */
typedef struct sv_program_call {
    const char *name;
    const char *args[SV_PROGRAM_MAX_ARGS];
    size_t nargs;
} sv_program_call;
int sv_program_call_get(sv_run *r, const sv_args *a, size_t name_at, const char *cmd,
                        sv_program_call *out);
/* Runs the program now through sieve_callbacks.program (counted against max_programs: one
 * more is a run-time error). `out` NULL: the output is dropped; else it receives the output
 * (lm_buf_free it in every case). Returns 1 when the program succeeded, 0 when it failed, or
 * a negative SIEVE_E_*. */
int sv_program_run(sv_run *r, const sv_args *a, int kind, const sv_program_call *call,
                   const unsigned char *input, size_t len, lm_buf *out);
/* The whole message as the run sees it (header edits made, the body as received), CRLF line
 * ends in the header, appended to `b` (ext_mime_edit.c). 0 or SIEVE_E_NOMEM. */
int sv_message_write(sv_run *r, lm_buf *b);
/* vnd.dovecot.environment's "${env.<item>}": sv_expand's namespace callback (user: the
 * sv_run); 0 when `name` is not in that namespace or the script did not require it. */
int sv_vnd_env_namespace(void *user, const char *name, size_t len, lm_buf *out);
/* The namespaces expressions add to "${…}" (header.*, body.*): sv_expand's namespace
 * callback (user: the sv_run); 0 when `name` is not one of them. */
int sv_expr_namespace(void *user, const char *name, size_t len, lm_buf *out);

/* Non-zero when the running script required the extension named (or ihave made it usable). */
int sv_run_has(const sv_run *r, const char *ext);

/* RFC 5229 §3: a reference to a namespace no required extension declares ("${ns.name}") is
 * an error; the compiler calls this for each string that holds references. Returns 0 (errors
 * reported) or SIEVE_E_NOMEM. */
int sv_check_variable_references(sv_vctx *v, sv_pos pos, const char *s, size_t len);

/* Declares the variable `name` of the script being compiled: a local one (set, extracttext)
 * or, with `global`, one include's "global" command names (RFC 6609 §3.4). A name with a
 * namespace is not declared. Reports a name declared global after it was used as a local
 * one, and (once) the local variable past sieve_options.max_variables. Returns 0 (errors
 * reported or not) or SIEVE_E_NOMEM. */
int sv_declare_variable(sv_vctx *v, const sv_str *name, int global);
void sv_declared_free(struct sv_declared *d);   /* NULL is fine */

/* vnd.stalwart.expressions' block scopes (sieve.h), kept with the declared names: a variable
 * first set inside a block (if/elsif/else, a block command) belongs to that block and is
 * emptied where it ends; one first set at the top, or by "set :local" (`script_wide`), is the
 * script's; a global one is nobody's. sv_scope_variable() notes a variable set at
 * `v->scope_depth` (sv_declare_variable calls it for every local one); the compiler raises
 * the depth where a block opens and calls sv_scope_close() where it ends, which calls `fn`
 * for each variable of that block, forgets them and lowers the depth. Without the extension
 * nothing is noted. sv_scope_variable returns 0 or SIEVE_E_NOMEM. */
int sv_scope_variable(sv_vctx *v, const sv_str *name, int script_wide);
void sv_scope_close(sv_vctx *v, void (*fn)(void *user, const sv_str *name), void *user);

/* RFC 5429 §2.1–2.2, checked before every action is added (sv_result_add): a second reject
 * or ereject, and reject or ereject with keep, fileinto, redirect or vacation (in either
 * order) are run-time errors. Actions already performed (sv_action.performed) conflict with
 * nothing. Returns 0, 1 when the action is a refusal after a performed one (it is dropped
 * quietly), or SIEVE_E_RUNTIME (reported). */
int sv_reject_conflict(sv_run *r, int type, sv_pos pos);

/* The flags a keep or fileinto stores the message with (RFC 5232 §5): those of its :flags,
 * or else the run's internal flags when the script required imap4flags; space-separated,
 * each once, in the run's arena; NULL when there are none. 0 or a negative SIEVE_E_*. */
int sv_imap4flags_of_action(sv_run *r, const sv_args *a, const char **flags);
/* Sets the internal flags (a test harness loading a stored message's flags). 0 or a negative
 * SIEVE_E_*. */
int sv_imap4flags_set_internal(sv_run *r, const char *flags, size_t len);

#endif
