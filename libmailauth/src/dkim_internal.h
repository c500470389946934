/* dkim_internal.h — the DKIM building blocks (RFC 6376, RFC 8301, RFC 8463) shared by the
 * verifier, the signer and ARC (RFC 8617): canonicalisation, the incremental body hash,
 * signature and key record parsing, strict base64, and signing / verifying with an EVP key. */
#ifndef DKIM_INTERNAL_H
#define DKIM_INTERNAL_H

#include "ma_internal.h"

#include "lm_buf.h"

#include <stddef.h>
#include <stdint.h>

typedef struct evp_md_ctx_st EVP_MD_CTX;
typedef struct evp_pkey_st EVP_PKEY;
typedef struct evp_pkey_ctx_st EVP_PKEY_CTX;
typedef struct ma_dkim_keyrec ma_dkim_keyrec;

/* Canonicalisation algorithms (RFC 6376 §3.4). */
enum { MA_DKIM_SIMPLE = 0, MA_DKIM_RELAXED = 1 };

/* Signing algorithms; the values are those of the public mailauth_dkim_algorithm. */
enum { MA_DKIM_RSA_SHA256 = 1, MA_DKIM_RSA_SHA1 = 2, MA_DKIM_ED25519_SHA256 = 3 };

/* The hash behind an algorithm: 1 = sha1, 256 = sha256. */
int ma_dkim_alg_hash(int alg);
/* The key type an algorithm needs: 0 = k=rsa, 1 = k=ed25519; -1 for an unknown one. */
int ma_dkim_alg_key_type(int alg);
/* The a= name of an algorithm ("rsa-sha256"), or NULL. */
const char *ma_dkim_alg_name(int alg);
/* The algorithm named by `n` octets (ASCII case ignored), or 0. */
int ma_dkim_alg_from_name(const char *s, size_t n);

/* ---- canonicalisation (dkim_canon.c) ----------------------------------------------------- */

/* Appends the canonical form of one header field to `out`, followed by CRLF unless `no_crlf`.
 * `field` is the field as it appears in the header block (name, colon, value, with its folding
 * line ends) without the CRLF that ends it. Relaxed (§3.4.2): name lowercased, value unfolded,
 * WSP runs made one SP, WSP at the value's ends and around the colon removed. A field without
 * a colon is canonicalised as a name with an empty value. Returns 0 or MAILAUTH_E_NOMEM. */
int ma_dkim_canon_header(int canon, const char *field, size_t len, int no_crlf, lm_buf *out);

/* The incremental body canonicaliser and hash (§3.4.3, §3.4.4, §3.7). Input line ends may be
 * CRLF or bare LF (both are taken as one line end); a CR not followed by LF is data. The
 * canonical bytes are hashed (when `md` is set) and copied into `copy` (when set, for tests)
 * up to `limit` octets (the l= cap). */
typedef struct ma_dkim_body {
    int canon;
    EVP_MD_CTX *md;              /* owned; NULL when only copying */
    lm_buf *copy;                /* borrowed; may be NULL */
    uint64_t limit;              /* UINT64_MAX = no l= */
    uint64_t hashed;             /* canonical octets passed to the hash */
    uint64_t length;             /* canonical octets produced (whole body, past the cap too) */
    uint64_t empty_lines;        /* empty lines held back: they count only if text follows */
    int cr;                      /* a CR was read and not yet placed */
    int wsp;                     /* relaxed: WSP was read in this line and not yet placed */
    int line_text;               /* the current line has text */
    int any;                     /* some line (or text) was seen at all */
    int failed;                  /* the hash failed (out of memory): finish reports it */
    size_t out_len;
    unsigned char out[4096];     /* canonical bytes not yet hashed */
} ma_dkim_body;

/* Starts a body hash of `alg`'s hash (0 = no hash, only `copy`). 0 or MAILAUTH_E_NOMEM. */
int ma_dkim_body_init(ma_dkim_body *b, int canon, int alg, uint64_t limit, lm_buf *copy);
/* Feeds body octets in any pieces. */
void ma_dkim_body_feed(ma_dkim_body *b, const unsigned char *p, size_t n);
/* The same as a body callback of ma_dkim_reader_pass (`b` an ma_dkim_body). */
void ma_dkim_body_sink(void *b, const unsigned char *p, size_t n);
/* Ends the body; fills `hash` (32 or 20 octets, *hash_len) when hashing. 0 or
 * MAILAUTH_E_NOMEM. */
int ma_dkim_body_finish(ma_dkim_body *b, unsigned char *hash, size_t *hash_len);
void ma_dkim_body_free(ma_dkim_body *b);

/* A header block split into fields. `text` is the block with CRLF line ends. */
typedef struct ma_dkim_field {
    size_t off, len;      /* the field without its final CRLF */
    size_t name_len;      /* octets of the name (up to the colon, trailing WSP dropped) */
} ma_dkim_field;

/* Splits `len` octets of a header block (CRLF line ends, without the empty line) into at most
 * `max` fields, allocated in *out (lm_free). A continuation line before any field is ignored.
 * 0, MAILAUTH_E_NOMEM or MAILAUTH_E_LIMIT. */
int ma_dkim_split_fields(const char *text, size_t len, size_t max, ma_dkim_field **out,
                         size_t *count);

/* ma_dkim_split_fields, and a cleared flag per field in *used (lm_free) for the selection of
 * signed fields. 0, MAILAUTH_E_NOMEM or MAILAUTH_E_LIMIT. */
int ma_dkim_index_fields(const char *text, size_t len, size_t max, ma_dkim_field **out,
                         size_t *count, unsigned char **used);

/* Reads a message's header block from pieces of any size: line ends become CRLF (a bare LF
 * counts as one), the empty line ends the block; what follows is body. */
typedef struct ma_dkim_reader {
    lm_buf head;           /* the header block so far, without the empty line */
    size_t max;            /* bound on head.len */
    size_t line_start;     /* offset in head of the line being read */
    int in_body;
} ma_dkim_reader;

/* Feeds `n` octets: *body / *body_len get the part of them past the header block (empty until
 * it ends). 0, MAILAUTH_E_LIMIT (the block passes `max`) or MAILAUTH_E_NOMEM. */
int ma_dkim_reader_feed(ma_dkim_reader *r, const unsigned char *p, size_t n,
                        const unsigned char **body, size_t *body_len);

/* Feeds `n` octets of a message to a signer's or verifier's reader: `headers_done(user)` (may
 * be NULL) runs once when the header block ends, `body(user, ...)` gets the octets after it. A
 * failure is kept in *broken, and a later call returns it again. 0, MAILAUTH_E_LIMIT,
 * MAILAUTH_E_NOMEM or what `headers_done` returns. */
int ma_dkim_reader_pass(ma_dkim_reader *r, int *broken, const void *data, size_t n,
                        int (*headers_done)(void *user),
                        void (*body)(void *user, const unsigned char *p, size_t n), void *user);
/* The message has ended: a header block not yet closed by its empty line ends here
 * (`headers_done` runs). 0 or the failure, kept in *broken as by ma_dkim_reader_pass. */
int ma_dkim_reader_end(ma_dkim_reader *r, int *broken, int (*headers_done)(void *user),
                       void *user);

/* Appends the canonical forms of the fields named by `names` to `out`, choosing for each name
 * the last not yet used instance, bottom-up (§5.4.2); a name with no instance left adds
 * nothing. `used` has room for `count` flags and is cleared first. */
int ma_dkim_canon_selected(int canon, const char *text, const ma_dkim_field *fields,
                           size_t count, unsigned char *used, const char *const *names,
                           const size_t *name_lens, size_t name_count, lm_buf *out);
/* The same, never choosing field `skip` (the signature being verified, which did not exist when
 * it was made: an h= naming DKIM-Signature means the signatures already there). */
int ma_dkim_canon_selected_except(int canon, const char *text, const ma_dkim_field *fields,
                                  size_t count, size_t skip, unsigned char *used,
                                  const char *const *names, const size_t *name_lens,
                                  size_t name_count, lm_buf *out);

/* Copies `len` octets of a signature field into `out` with the value of its b= tag removed
 * (the octets between "b=" and the next ";" or the end, §3.7). The field must parse as a tag
 * list after its colon; MAILAUTH_E_SYNTAX otherwise. 0 or MAILAUTH_E_NOMEM. */
int ma_dkim_strip_b(const char *field, size_t len, lm_buf *out);

/* ---- base64 and crypto (dkim_signature.c) ------------------------------------------------ */

/* Decodes base64 strictly, skipping FWS (SP, HTAB, CR, LF): any other octet outside the
 * alphabet, misplaced or excess '=' or a partial group gives MAILAUTH_E_SYNTAX. *out is
 * allocated (lm_free); an empty input gives length 0. */
int ma_dkim_b64_decode(const char *s, size_t n, unsigned char **out, size_t *out_len);
/* Encodes into a NUL-terminated allocated string (lm_free). */
int ma_dkim_b64_encode(const unsigned char *p, size_t n, char **out, size_t *out_len);

/* Signs `data` as ma_dkim_sign_data does and encodes the signature: *b64 is a NUL-terminated
 * allocated string (lm_free). 0, MAILAUTH_E_INVAL or MAILAUTH_E_NOMEM. */
int ma_dkim_sign_b64(int alg, EVP_PKEY *key, const lm_buf *data, char **b64);

/* Verifies `sig` over `data` (the canonical header text) with the record's key: rsa-sha* with
 * PKCS#1 v1.5 over the hash; ed25519-sha256 over the SHA-256 of `data` (RFC 8463 §3). Returns
 * 1 when the signature holds, 0 when not, MAILAUTH_E_NOMEM. */
int ma_dkim_verify_data(int alg, const ma_dkim_keyrec *k, const unsigned char *data, size_t len,
                        const unsigned char *sig, size_t sig_len);
/* A context of `key` (RSA) ready to check rsa-sha256 signatures over a SHA-256 digest, or
 * NULL (not RSA, or out of memory: verification then sets one up each time). */
EVP_PKEY_CTX *ma_dkim_ready_context(EVP_PKEY *key);
/* Signs `data` the same way; *sig allocated (lm_free). 0, MAILAUTH_E_INVAL (key and algorithm
 * do not match) or MAILAUTH_E_NOMEM. */
int ma_dkim_sign_data(int alg, EVP_PKEY *key, const unsigned char *data, size_t len,
                      unsigned char **sig, size_t *sig_len);

/* ---- DKIM-Signature fields (dkim_signature.c) ------------------------------------------- */

/* Parse flags: MA_DKIM_SIG_AMS parses an ARC-Message-Signature (RFC 8617 §4.1.2): no v=, and
 * i= is the instance number (in `instance`), not an identity. */
enum { MA_DKIM_SIG_AMS = 1u << 0 };

/* Default bound on the names in h=. */
#define MA_DKIM_MAX_H_NAMES 128
/* Most tags a signature or key record may have. */
#define MA_DKIM_MAX_TAGS 64

typedef struct ma_dkim_sig {
    int alg;                      /* MA_DKIM_* */
    int hcanon, bcanon;
    char *d, *s, *i;              /* NUL-terminated copies; i = "@d" when absent */
    char *a_text, *c_text, *h_text, *b_text; /* as written (b without FWS), for reporting */
    unsigned instance;            /* AMS i= */
    size_t h_count;
    char **h;                     /* h= names, NUL-terminated (pointers into one block) */
    size_t *h_lens;
    unsigned char *b, *bh;
    size_t b_len, bh_len;
    int has_l, has_t, has_x;
    uint64_t l;
    int64_t t, x;
} ma_dkim_sig;

/* Parses the value of a DKIM-Signature field (the text after the colon). Returns 0, or a
 * positive mailauth_dkim_reason when the signature is malformed (the fields parsed so far
 * are still set, for reporting), or MAILAUTH_E_NOMEM. `max_h` bounds h= (0 = default). */
int ma_dkim_sig_parse(const char *value, size_t len, unsigned flags, size_t max_h,
                      ma_dkim_sig *sig);
void ma_dkim_sig_free(ma_dkim_sig *sig);

/* The body hash a verifier computes for one signature (a DKIM-Signature or an AMS). */
typedef struct ma_dkim_sig_body {
    ma_dkim_body body;
    int hashing;                /* started and not yet ended */
    unsigned char bh[64];       /* the hash, EVP_MAX_MD_SIZE octets at most */
    size_t bh_len;
    uint64_t total;             /* canonical body octets, past the l= cap too */
} ma_dkim_sig_body;

/* Starts hashing the body the way `sig` says (c=, a=, l=). 0 or MAILAUTH_E_NOMEM (dkim_canon.c
 * holds these four). */
int ma_dkim_sig_body_start(ma_dkim_sig_body *b, const ma_dkim_sig *sig);
/* Feeds body octets when the hash is started. */
void ma_dkim_sig_body_feed(ma_dkim_sig_body *b, const unsigned char *p, size_t n);
/* Ends a started hash (bh, total) and frees its state; nothing when not started. 0 or
 * MAILAUTH_E_NOMEM. */
int ma_dkim_sig_body_end(ma_dkim_sig_body *b);
/* Non-zero when the hash ended equals `sig`'s bh=. */
int ma_dkim_sig_body_matches(const ma_dkim_sig_body *b, const ma_dkim_sig *sig);

/* ---- signing (dkim_sign.c) ----------------------------------------------------------------- */

/* The names of h= for a signer (RFC 6376 §5.4): the `given` names when the caller chose them,
 * or else each of the `defaults` as often as the header block has fields of that name, in the
 * order of `defaults`; then the `extra` names (over-signing). *names (pointing at the strings
 * passed in) and *lens are allocated (lm_free). 0 or MAILAUTH_E_NOMEM. */
int ma_dkim_choose_headers(const char *const *defaults, size_t ndefaults, char *const *given,
                           size_t ngiven, char *const *extra, size_t nextra, const char *text,
                           const ma_dkim_field *fields, size_t nfields, const char ***names,
                           size_t **lens, size_t *count);

/* ---- key records (dkim_key.c) -------------------------------------------------------------- */

struct ma_dkim_keyrec {
    int k;                 /* 0 = rsa, 1 = ed25519 (as ma_dkim_alg_key_type) */
    int hash_sha1, hash_sha256;   /* h= allows them (both when h= is absent) */
    int testing;           /* t=y */
    int strict;            /* t=s */
    int revoked;           /* p= empty */
    EVP_PKEY *key;         /* NULL when revoked */
    unsigned bits;
    /* RSA keys from a key cache: a context ready to check rsa-sha256 signatures over a
     * digest, owned by this record (NULL otherwise). Setting one up costs more than the
     * public-key operation's own overhead, so the cache keeps one per key and hands out
     * copies. */
    EVP_PKEY_CTX *ready;
};

/* Parses a key record (§3.6.1) and its public key: rsa p= a SubjectPublicKeyInfo or a bare
 * RSAPublicKey, ed25519 p= the raw 32-octet key. Returns 0, or a positive
 * mailauth_dkim_reason (KEY_SYNTAX, KEY_VERSION, KEY_UNKNOWN_TYPE, KEY_SERVICE, KEY_INVALID,
 * KEY_REVOKED — the record is then filled, key NULL), or MAILAUTH_E_NOMEM. */
int ma_dkim_key_parse(const char *text, size_t len, ma_dkim_keyrec *rec);
void ma_dkim_keyrec_free(ma_dkim_keyrec *rec);
/* ma_dkim_key_parse() through `cache` (NULL = no cache): the same returns; the record's key
 * is the caller's reference either way (free with ma_dkim_keyrec_free()). A record that
 * cannot be kept for lack of memory is still returned. */
int ma_dkim_key_parse_cached(mailauth_dkim_key_cache *cache, const char *text, size_t len,
                             ma_dkim_keyrec *rec);

/* Fetches the key record of <s>._domainkey.<d> through `dns` (§3.6.2.2), parses it and checks
 * that it fits a signature of `alg` (ma_dkim_key_fits); `cache` (may be NULL) keeps parsed
 * records between messages. Returns MAILAUTH_NEED_DNS or a negative
 * error; otherwise 0 with *reason MAILAUTH_DKIM_OK when the key is usable, or the reason it is
 * not (SIG_VALUE: no name can be built; KEY_TEMPFAIL, KEY_NOT_FOUND, KEY_MULTIPLE, a parse or a
 * fit reason). After 0, `rec` is to be freed; its testing and bits stay readable after that. */
int ma_dkim_key_fetch(ma_dns *dns, mailauth_dkim_key_cache *cache, const char *d, const char *s,
                      int alg, const char *identity, unsigned min_rsa_bits, ma_dkim_keyrec *rec,
                      int *reason);

/* The key's own rules against a signature (§3.6.1, §6.1.2, RFC 8301 §3.2): key type, h=, the
 * t=s rule when `identity` is set (the i= of a DKIM-Signature; its domain must equal `d`; NULL
 * for ARC, which has no identity), the RSA size floor. 0 or a mailauth_dkim_reason. */
int ma_dkim_key_fits(int alg, const ma_dkim_keyrec *k, const char *identity, const char *d,
                     unsigned min_rsa_bits);

/* The EVP key of a loaded private key (borrowed). */
EVP_PKEY *ma_dkim_key_pkey(const mailauth_dkim_key *k);

/* ---- what the DKIM and ARC verifiers share (dkim_verify.c) ---------------------------------- */

/* What a verifier keeps of a message: the header block read from pieces and indexed into fields
 * once whole, the DNS answers of the check, and a buffer for the data a signature signs. */
typedef struct ma_dkim_message {
    ma_dkim_reader rd;
    int finished;               /* finish() done */
    int broken;                 /* a feed failed: the verifier is unusable */
    ma_dkim_field *fields;
    size_t nfields;
    unsigned char *used;        /* per field, for header selection */
    ma_dns dns;
    lm_buf scratch;
} ma_dkim_message;

/* An empty message whose header block may take `max_header_bytes`. */
void ma_dkim_message_init(ma_dkim_message *m, size_t max_header_bytes);
void ma_dkim_message_free(ma_dkim_message *m);

/* Puts the defaults into the limits both verifiers' options have where they are 0. */
void ma_dkim_limits_default(unsigned *min_rsa_bits, size_t *max_header_bytes,
                            size_t *max_header_fields, size_t *max_h_names);

/* A signature's verdict, reached once: a re-run after MAILAUTH_NEED_DNS keeps it. */
typedef struct ma_dkim_verdict {
    int decided, result, reason;
} ma_dkim_verdict;

/* Records a verdict; returns 0 so a check can end with it. */
int ma_dkim_decide(ma_dkim_verdict *v, int result, int reason);

/* Ends a check with its key at hand: `data_rc` is how building the signed header data into
 * `data` went (MAILAUTH_E_SYNTAX: the signature field has no parsable tag list). Returns a
 * negative error, or the reason: MAILAUTH_DKIM_OK, SIG_SYNTAX or BAD_SIGNATURE. */
int ma_dkim_check_signed(int data_rc, int alg, const ma_dkim_keyrec *k, const lm_buf *data,
                         const unsigned char *b, size_t b_len);

#endif
