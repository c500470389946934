/* arc_internal.h — what the ARC verifier and sealer share (RFC 8617): finding the sets of a
 * header block, the ARC-Seal tags, and the data an ARC-Seal signs. */
#ifndef ARC_INTERNAL_H
#define ARC_INTERNAL_H

#include "dkim_internal.h"

#include <stddef.h>
#include <stdint.h>

#define MA_ARC_MAX MAILAUTH_ARC_MAX_INSTANCE

/* The three members of a set, in the order an ARC-Seal signs them (§5.1.1). */
enum { MA_ARC_AAR = 0, MA_ARC_AMS = 1, MA_ARC_AS = 2 };

#define MA_ARC_NONE ((size_t)-1)

/* The sets of a header block: for each instance 1..n the index of each member's field. */
typedef struct ma_arc_chain {
    unsigned n;             /* the highest instance found; 0 = no ARC field at all */
    int reason;             /* 0 when the sets are whole; MAILAUTH_ARC_STRUCTURE or _SYNTAX */
    unsigned bad_instance;  /* the instance `reason` concerns (0 when unknown) */
    size_t field[MA_ARC_MAX + 1][3];
} ma_arc_chain;

/* The member kind of a field (MA_ARC_AAR, _AMS, _AS) by its name, or -1. */
int ma_arc_kind(const char *text, const ma_dkim_field *f);

/* Finds the sets among `count` fields of `text` (RFC 8617 §5.2 steps 1-2): every ARC field's
 * instance is read (i= of the tag list; the "i=N;" prefix of an AAR); a field whose instance
 * cannot be read, an instance outside 1..50, a member repeated or missing, is a structural
 * fault recorded in `c`. Never fails. */
void ma_arc_collect(const char *text, const ma_dkim_field *fields, size_t count,
                    ma_arc_chain *c);

/* The tags of an ARC-Seal (§4.1.3). */
typedef struct ma_arc_seal {
    int alg;                /* MA_DKIM_* */
    int cv;                 /* MAILAUTH_RESULT_NONE / PASS / FAIL; -1 unreadable */
    unsigned instance;
    char *d, *s;            /* NUL-terminated copies */
    unsigned char *b;
    size_t b_len;
    int has_t;
    int64_t t;
} ma_arc_seal;

/* Parses the value of an ARC-Seal field (the text after the colon). Returns 0, a positive
 * mailauth_dkim_reason when it is malformed (a required tag missing, an h= tag, a bad value;
 * WEAK_ALGORITHM for rsa-sha1), or MAILAUTH_E_NOMEM. */
int ma_arc_seal_parse(const char *value, size_t len, ma_arc_seal *as);
void ma_arc_seal_free(ma_arc_seal *as);

/* Appends what the ARC-Seal of instance `upto` signs (§5.1.1): for each instance from
 * `from` to `upto`, its AAR, AMS and AS in relaxed canonical form, the last AS with its b=
 * value removed and without its final CRLF. 0, MAILAUTH_E_SYNTAX (that AS has no parsable
 * tag list) or MAILAUTH_E_NOMEM. */
int ma_arc_seal_data(const char *text, const ma_dkim_field *fields, const ma_arc_chain *c,
                     unsigned from, unsigned upto, lm_buf *out);

/* Appends what an ARC-Message-Signature signs (§4.1.2, RFC 6376 §3.7): the fields named by
 * `sig`'s h= chosen bottom-up, then the AMS field `ams` itself without its b= value and final
 * CRLF, in `sig`'s header canonicalisation. `used` has room for `count` flags. */
int ma_arc_ams_data(const char *text, const ma_dkim_field *fields, size_t count,
                    unsigned char *used, const ma_dkim_sig *sig, size_t ams, lm_buf *out);

#endif
