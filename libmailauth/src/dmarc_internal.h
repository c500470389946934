/* dmarc_internal.h — what dmarc_record.c, dmarc_org_domain.c and dmarc_eval.c share. */
#ifndef DMARC_INTERNAL_H
#define DMARC_INTERNAL_H

#include "ma_internal.h"

/* RFC 9989 §4.10: a DNS Tree Walk asks at most this many names. */
#define MA_DMARC_WALK_MAX 8
/* Room for a normalised domain (at most 253 octets) and its NUL. */
#define MA_DMARC_DOMAIN_MAX 256

/* Non-zero when `len` octets of TXT data start like a DMARC record: "v" *WSP "=" *WSP
 * "DMARC1" *WSP, then the end or ';' (RFC 7489 §6.6.3 step 4). */
int ma_dmarc_is_record(const char *text, size_t len);

/* A domain in the form the checks compare: lower case, A-labels, no trailing dot, a valid
 * name of at most 253 octets. `out` holds MA_DMARC_DOMAIN_MAX octets. 0, MAILAUTH_E_INVAL
 * or MAILAUTH_E_NOMEM (from the IDNA conversion). */
int ma_dmarc_domain_norm(const char *in, size_t len, char *out);

/* Non-zero when `sub` is `dom` or a name under it (both normalised). */
int ma_dmarc_is_under(const char *sub, const char *dom);

/* The next name of a DNS Tree Walk after `name` (RFC 9989 §4.10 step 5): a name of 8 or more
 * labels is cut to 7, a shorter one loses its left-most label. 0 with `out` set, or -1 when
 * `name` has one label (the walk is over). `out` may be `name`. */
int ma_dmarc_walk_next(const char *name, char *out);

/* What _dmarc.<domain> holds (RFC 7489 §6.6.3 steps 1-5 / RFC 9989 §4.10 steps 1-2). */
enum {
    MA_DMARC_FETCH_NONE = 0,    /* no DMARC record (NXDOMAIN, no data, other TXT records) */
    MA_DMARC_FETCH_ONE = 1,     /* one DMARC record, parsed: *rec set */
    MA_DMARC_FETCH_MULTI = 2,   /* more than one DMARC record */
    MA_DMARC_FETCH_INVALID = 3, /* one DMARC record, not usable (mailauth_dmarc_record_parse) */
    MA_DMARC_FETCH_TEMPFAIL = 4 /* the lookup failed (TEMPFAIL or PERMFAIL answer) */
};
/* Looks up and classifies _dmarc.<domain>: 0 with *status set (and *rec, owned by the caller,
 * for FETCH_ONE), MAILAUTH_NEED_DNS, MAILAUTH_E_NOMEM or MAILAUTH_E_LIMIT. A name too long to
 * ask gives FETCH_NONE. */
int ma_dmarc_fetch(ma_dns *dns, const char *domain, int *status, mailauth_dmarc_record **rec);

/* The Organizational Domain of a normalised `domain` by DNS Tree Walk (RFC 9989 §4.10.2)
 * into `out` (MA_DMARC_DOMAIN_MAX): 0 (with *tempfail set when a lookup failed, `out` then the
 * domain itself), MAILAUTH_NEED_DNS, MAILAUTH_E_NOMEM or MAILAUTH_E_LIMIT. */
int ma_dmarc_org_walk(ma_dns *dns, const char *domain, char *out, int *tempfail);

/* The Organizational Domain of a normalised `domain` by the list into `out` (MA_DMARC_DOMAIN_MAX);
 * 0 or MAILAUTH_E_NOMEM. */
int ma_dmarc_org_psl(const mailauth_psl *psl, const char *domain, char *out);

/* Loads the list a check uses: 0 with *out (owned) or MAILAUTH_E_INVAL / MAILAUTH_E_NOMEM. */
int ma_dmarc_psl_load(const char *file, mailauth_psl **out);

#endif
