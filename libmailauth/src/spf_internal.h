/* spf_internal.h — the pieces of the SPF check shared by spf_record.c, spf_macro.c and
 * spf_eval.c (RFC 7208). */
#ifndef SPF_INTERNAL_H
#define SPF_INTERNAL_H

#include "ma_internal.h"

#include "lm_arena.h"
#include "lm_buf.h"

#include <stddef.h>

/* ---- records (spf_record.c) -------------------------------------------------------------- */

typedef enum {
    SPF_ALL, SPF_INCLUDE, SPF_A, SPF_MX, SPF_PTR, SPF_IP4, SPF_IP6, SPF_EXISTS, /* mechanisms */
    SPF_REDIRECT, SPF_EXP, SPF_MODIFIER                                        /* modifiers */
} spf_kind;

/* One term of a record. Text pointers point into the parsed record (not NUL-terminated). */
typedef struct spf_term {
    int kind;              /* spf_kind */
    int qualifier;         /* mechanisms: MAILAUTH_RESULT_PASS / FAIL / SOFTFAIL / NEUTRAL */
    const char *text;      /* the whole term as written */
    size_t text_len;
    size_t offset;         /* of the term in the record */
    const char *spec;      /* domain-spec (mechanisms; redirect, exp) or value; NULL = none */
    size_t spec_len;
    unsigned cidr4, cidr6; /* a, mx, ip4, ip6: prefix lengths (32 and 128 when not given) */
    ma_ip net;             /* ip4, ip6 */
} spf_term;

typedef struct spf_record {
    spf_term *terms;
    size_t count;
    const spf_term *redirect, *exp; /* NULL when absent */
} spf_record;

/* Non-zero when `n` octets of TXT text are an SPF record: "v=spf1" (ASCII case ignored) then
 * a space or the end (RFC 7208 §4.5). */
int spf_record_is_spf(const char *s, size_t n);

/* Parses `n` octets of an SPF record (it must pass spf_record_is_spf) into terms allocated
 * from `arena`. Returns 0; MAILAUTH_E_SYNTAX with *err_off the offset of the bad term and
 * *err_msg a static description; MAILAUTH_E_NOMEM. */
int spf_record_parse(const char *s, size_t n, lm_arena *arena, spf_record *rec, size_t *err_off,
                     const char **err_msg);

/* ---- macros (spf_macro.c) ---------------------------------------------------------------- */

/* Checks the macro-string syntax of `n` octets (RFC 7208 §7.1): 0 or MAILAUTH_E_SYNTAX with
 * *err_off. `explain` allows the letters c, r, t and spaces (an explain-string). */
int spf_macro_check(const char *s, size_t n, int explain, size_t *err_off);

/* What the macro letters expand to. All strings NUL-terminated. */
typedef struct spf_macro_ctx {
    const char *sender;       /* s */
    const char *local;        /* l */
    const char *sender_domain;/* o */
    const char *domain;       /* d: the current <domain> */
    const ma_ip *ip;          /* i, c, v */
    int upper_hex;            /* i of IPv6: nibbles in upper case (the client's text was) */
    const char *helo;         /* h ("unknown" when there is none) */
    const char *receiver;     /* r */
    long long now;            /* t */
    /* p: the validated name of the client (RFC 7208 §7.3); called only when used. Returns 0
     * with *name set, MAILAUTH_NEED_DNS, or a negative error. */
    int (*ptr_name)(void *user, const char *domain, const char **name);
    void *user;
} spf_macro_ctx;

/* Expands `n` octets of macro-string into `out` (appended). Returns 0, MAILAUTH_E_SYNTAX (a
 * malformed macro), MAILAUTH_E_LIMIT (more than MAILAUTH_SPF_EXPAND_MAX octets),
 * MAILAUTH_E_NOMEM, or what ptr_name returned. */
int spf_macro_expand(const spf_macro_ctx *c, const char *s, size_t n, int explain, lm_buf *out);

#endif
