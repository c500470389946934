/* ma_internal.h — libmailauth's private helpers shared between its files. */
#ifndef MA_INTERNAL_H
#define MA_INTERNAL_H

#include "mailauth.h"

#include <stddef.h>
#include <stdint.h>

/* RFC 1035 §2.3.4: a name is at most 255 octets in wire form, a label 63. */
#define MA_NAME_MAX 255
#define MA_LABEL_MAX 63
/* Longest presentation form of a name: every octet of 254 as \DDD, plus the dots. */
#define MA_NAME_TEXT_MAX 1280
/* RFC 1035 §3.3: a character-string is at most 255 octets; RDATA at most 65535. */
#define MA_TXT_STRING_MAX 255
#define MA_RDATA_MAX 65535

/* ---- versioned records and reason texts (mailauth.c) ------------------------------------- */

/* Reads the caller's options `opts` (a record whose first field is its size_t struct_size; NULL
 * keeps the defaults already in `o`) into `o`, a record of `size` octets, whose struct_size
 * then says `size`. 0, or MAILAUTH_E_INVAL when opts->struct_size is below a size_t or above
 * `size`. */
int ma_record_in(void *o, size_t size, const void *opts);
/* Copies `r`, a result record of `size` octets, into the caller's `out` as far as its
 * struct_size allows, and sets that struct_size to the octets copied. */
void ma_record_out(void *out, const void *r, size_t size);
/* texts[reason] of a table of `n` (holes allowed), or "unknown reason". */
const char *ma_reason_text(const char *const *texts, size_t n, int reason);

/* ---- names (dns_name.c) ------------------------------------------------------------------ */

/* Parses `n` octets of a name in presentation form ("\X" and "\DDD" escapes, "@" for the
 * origin, a trailing dot for an absolute name) into wire form in `out` (MA_NAME_MAX octets).
 * A relative name is completed with `origin` (wire form, ending with the root label). Returns
 * 0, MAILAUTH_E_SYNTAX or MAILAUTH_E_LIMIT with `*msg` saying why. */
int ma_name_parse(const char *s, size_t n, const unsigned char *origin, size_t origin_len,
                  unsigned char *out, size_t *out_len, const char **msg);
/* Parses a whole NUL-terminated absolute name (trailing dot optional; "" is refused). */
int ma_name_parse_absolute(const char *s, unsigned char *out, size_t *out_len);
/* The lookup key of a wire name: labels from the right, each as length + lowercased octets,
 * so that the keys of a name's descendants start with the name's key. `out` holds
 * MA_NAME_MAX octets; returns the key length. */
size_t ma_name_key(const unsigned char *wire, size_t wire_len, unsigned char *out);
/* Presentation form of a wire name without the trailing dot ("." for the root), escaping
 * '.', '\\' and octets outside printable ASCII. `out` holds MA_NAME_TEXT_MAX octets;
 * returns the length (NUL-terminated). */
size_t ma_name_text(const unsigned char *wire, size_t wire_len, char *out);

/* ---- answers (dns_answer.c) -------------------------------------------------------------- */

/* Adds a TXT record from its RDATA (length-prefixed character-strings, already checked). */
int ma_answer_add_txt_rdata(mailauth_dns_answer *a, const unsigned char *rdata, size_t len);
/* Memory the answer holds, for the cache's byte bound. */
size_t ma_answer_bytes(const mailauth_dns_answer *a);
/* Non-zero for the record types a lookup may ask. */
int ma_type_known(int type);
/* Makes an answer consistent: FOUND without records becomes NODATA; other results carry no
 * records; failures have TTL 0. */
void ma_answer_normalise(mailauth_dns_answer *a);

/* ---- the answers of one check (dns_memo.c) ---------------------------------------------- */

/* Distinct lookups one check may gather before MAILAUTH_E_LIMIT (the default of
 * ma_dns_init). SPF's own limits keep it far below: 10 mechanisms, each MX or PTR with at
 * most 10 names, and at most 2 void lookups. */
#define MA_DNS_MEMO_MAX 512

struct ma_dns_entry;
/* A check's DNS answers. `resolver` set: lookups not yet held are asked through it at once
 * (the blocking mode); NULL: they are recorded as pending and MAILAUTH_NEED_DNS returned. */
typedef struct ma_dns {
    const mailauth_resolver *resolver;
    struct ma_dns_entry *entries;
    size_t count, cap, max;
    unsigned lookups;          /* answers gathered (from the resolver or the caller) */
    int pending;               /* a question waits for ma_dns_answer() */
    int pending_type;
    char pending_name[MA_NAME_TEXT_MAX];
} ma_dns;

/* An empty memo holding at most `max_entries` answers (0 = MA_DNS_MEMO_MAX). */
void ma_dns_init(ma_dns *d, size_t max_entries);
/* Frees every answer; the memo is empty again (the resolver and max stay). */
void ma_dns_clear(ma_dns *d);
/* The answer to `type` records of `name`: 0 with *out borrowed from the memo;
 * MAILAUTH_NEED_DNS when it must come from the caller (the question is then pending);
 * MAILAUTH_E_INVAL for a name that is not a valid domain name (nothing is asked);
 * MAILAUTH_E_NOMEM or MAILAUTH_E_LIMIT. A resolver call that fails other than for memory
 * is held as a TEMPFAIL answer. */
int ma_dns_lookup(ma_dns *d, const char *name, int type, const mailauth_dns_answer **out);
/* Fills `q` with the pending question: MAILAUTH_NEED_DNS, or MAILAUTH_E_INVAL when none. */
int ma_dns_pending(const ma_dns *d, mailauth_query *q);
/* Stores a copy of the caller's answer to the pending question. 0, MAILAUTH_E_INVAL (no
 * question pending), MAILAUTH_E_NOMEM or MAILAUTH_E_LIMIT. */
int ma_dns_answer(ma_dns *d, const mailauth_dns_answer *answer);
/* Runs an evaluation `eval(user)` that looks names up through `d`, step by step: with no
 * resolver, a MAILAUTH_NEED_DNS from it fills `q` with the question. Returns what it returns. */
int ma_dns_step(ma_dns *d, int (*eval)(void *user), void *user, mailauth_query *q);
/* Runs it blocking, `resolver` answering every lookup at once; a MAILAUTH_NEED_DNS left over
 * (a resolver that gave no answer) becomes MAILAUTH_E_INVAL. */
int ma_dns_run(ma_dns *d, const mailauth_resolver *resolver, int (*eval)(void *user),
               void *user);

/* ---- tag=value lists (tag_list.c) ------------------------------------------------------ */

/* One tag of a list; name and value point into the parsed text (not NUL-terminated). The
 * value has its leading and trailing whitespace removed; inner folding whitespace stays. */
typedef struct ma_tag {
    const char *name;
    size_t name_len;
    const char *value;
    size_t value_len;
} ma_tag;

/* Parses `n` octets of tag-list text (RFC 6376 §3.2: tag-spec *(";" tag-spec) [";"], tag
 * names ALPHA *(ALPHA / DIGIT / "_"), case-sensitive; spaces, tabs, CR and LF around names,
 * "=" and values ignored; values end at ";" and may hold any octet but controls — callers
 * check their own value syntax) into `tags` (room for `max`). Returns 0 with *count set;
 * MAILAUTH_E_SYNTAX for malformed text or a repeated tag name, MAILAUTH_E_LIMIT for more
 * than `max` tags — with *err_off (may be NULL) the offset of the fault. */
int ma_tag_list_parse(const char *s, size_t n, ma_tag *tags, size_t max, size_t *count,
                      size_t *err_off);
/* The tag named `name` (case-sensitive), or NULL. */
const ma_tag *ma_tag_find(const ma_tag *tags, size_t count, const char *name);

/* ---- client addresses (ip_addr.c) ------------------------------------------------------- */

typedef struct ma_ip {
    int v6;               /* 0: IPv4 in b[0..3]; 1: IPv6 in b[0..15] */
    unsigned char b[16];
} ma_ip;

/* Parses an IPv4 or IPv6 address in text form; an IPv4-mapped IPv6 address (::ffff:a.b.c.d)
 * is taken as the IPv4 address. 0 or MAILAUTH_E_INVAL. */
int ma_ip_parse(const char *s, ma_ip *ip);
/* The text form into `buf` of `size` octets (46 always suffice); returns its length, or 0
 * (buf "") when it does not fit. */
size_t ma_ip_format(const ma_ip *ip, char *buf, size_t size);
/* Non-zero when `ip` is inside net/prefix (same family only). */
int ma_ip_in_prefix(const ma_ip *ip, const ma_ip *net, unsigned prefix);

/* ---- Authentication-Results (auth_results_write.c) ----------------------------------------- */

/* Non-zero when `n` octets of `s` are written unquoted in an A-R field: an RFC 2045 token,
 * or with `addr` also an RFC 8601 pvalue addr-spec or domain. */
int ma_ar_value_is_bare(const char *s, size_t n, int addr);
/* A new model without an authserv-id (authserv_id ""), for fields that lack one; it cannot
 * be written. 0 or MAILAUTH_E_NOMEM. */
int ma_ar_new_anonymous(mailauth_ar **out);

/* ---- RSA public keys (rsa_pubkey.c) ---------------------------------------------------- */

typedef struct evp_pkey_st EVP_PKEY;
/* The RSA public key in `len` octets of DER: a SubjectPublicKeyInfo (rsaEncryption) or a
 * bare RSAPublicKey, with nothing after it. NULL when it is neither (or for memory). */
EVP_PKEY *ma_rsa_public_key_der(const unsigned char *der, size_t len);

/* ---- libunbound (resolver_unbound.c) ----------------------------------------------------- */

struct ub_result;
/* Fills the empty answer `a` for a query of `type` from libunbound's outcome: `err` from
 * ub_resolve(), `res` its result (may be NULL when err is set); `validating` when a trust
 * anchor is configured. Returns 0 or MAILAUTH_E_NOMEM. */
int ma_unbound_answer(int validating, int type, int err, const struct ub_result *res,
                      mailauth_dns_answer *a);

#endif
