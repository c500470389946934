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

/* ---- libunbound (resolver_unbound.c) ----------------------------------------------------- */

struct ub_result;
/* Fills the empty answer `a` for a query of `type` from libunbound's outcome: `err` from
 * ub_resolve(), `res` its result (may be NULL when err is set); `validating` when a trust
 * anchor is configured. Returns 0 or MAILAUTH_E_NOMEM. */
int ma_unbound_answer(int validating, int type, int err, const struct ub_result *res,
                      mailauth_dns_answer *a);

#endif
