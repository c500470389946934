/* outgoing.h — what the messages the library writes itself share (vacation replies, RFC 5230;
 * mailto notifications, RFC 5436): a libmailbuild message set up with the run's clock and a
 * reproducible Message-ID, the identification field, the subject bound, one From address
 * from text. Private to libsieve. */
#ifndef SIEVE_OUTGOING_H
#define SIEVE_OUTGOING_H

#include "engine.h"

#include "mailbuild.h"

/* The characters (code points) of the Subject of a message the library writes, "…" included. */
#define SV_MAX_SUBJECT_CHARS 256

/* A message that takes its Date from the run's clock and its Message-ID from a generator
 * seeded with `*seed` (the caller mixes in what makes the message its own, so a run is
 * reproducible); `*seed` must outlive the message. It carries an X-Sieve field naming this
 * library. Returns a MAILBUILD_E_* code (0 on success). */
int sv_outgoing_new(sv_run *r, uint64_t *seed, mailbuild_message **out);

/* The address of the user whose script runs, for the messages written on their behalf: the
 * envelope recipient, else the first of sieve_run_options.user_addresses; NULL when neither
 * is given (not checked to be an address). */
const char *sv_outgoing_user(const sv_run *r);

/* FNV-1a of s[0..n) on top of `h`, and a separator: to mix fields into a seed or a handle. */
uint64_t sv_outgoing_hash(uint64_t h, const char *s, size_t n);

/* Appends `s` (UTF-8, `len` octets) to `out` as a Subject: with `decode`, RFC 2047 encoded
 * words in it decoded first (a script may write them); CR, LF and the other controls made
 * spaces; at most SV_MAX_SUBJECT_CHARS characters — a longer text is cut at a character
 * boundary and ends with "…" (U+2026). 0 or SIEVE_E_NOMEM. */
int sv_outgoing_subject(const char *s, size_t len, int decode, lm_buf *out);

/* Adds the field `field` ("From", "To" …) holding the one address of `text` ("Name <addr>" or
 * "addr"); MAILBUILD_E_ADDRESS when `text` holds no address or more than one. */
int sv_outgoing_address(mailbuild_message *mb, const char *field, const char *text, size_t len);

/* 1 when the message has an Auto-Submitted field (RFC 3834 §5) whose value is not "no": an
 * automatic message, which neither a vacation reply (RFC 5230 §5) nor a notification
 * (RFC 5436 §2.7) answers; else 0. */
int sv_outgoing_auto_submitted(const mailparse_message *msg);

#endif
