/* mailauth.h — mail authentication checks over a pluggable DNS resolver.
 *
 * This first part of the library is the resolver layer every DNS-using check will run on:
 *  - mailauth_resolver: a table of callbacks the caller supplies (one lookup by name and type);
 *  - mailauth_dns_answer: the records of one answer, with its result, TTL and DNSSEC status;
 *  - mailauth_zone: an in-memory zone loaded from RFC 1035 master-file text (tests, offline use);
 *  - mailauth_cache: a TTL-respecting, size-bounded cache in front of any resolver.
 *  - mailauth_unbound: the default resolver, libunbound, blocking or asynchronous.
 *
 * Conventions (the same in every libmail library):
 *  - Functions returning `int` give 0 on success or a negative MAILAUTH_E_* code;
 *    mailauth_strerror() names it. Nothing here prints, aborts or exits.
 *  - What a DNS lookup found (NXDOMAIN, no data, a temporary failure) is not an error: it is
 *    the answer's result (mailauth_dns_result). The `int` says only whether the call worked.
 *  - Strings given to the library are UTF-8 / ASCII and NUL-terminated; the library copies them.
 *    Returned pointers are borrowed from the object that returned them.
 *  - Every _new has a _free that accepts NULL. No global mutable state besides the allocator
 *    hooks, which are set once before anything else.
 */
#ifndef MAILAUTH_H
#define MAILAUTH_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(_WIN32) && defined(MAILAUTH_BUILDING)
#define MAILAUTH_API __declspec(dllexport)
#elif defined(__GNUC__) && defined(MAILAUTH_BUILDING)
#define MAILAUTH_API __attribute__((visibility("default")))
#else
#define MAILAUTH_API
#endif

#define MAILAUTH_VERSION_MAJOR 0
#define MAILAUTH_VERSION_MINOR 1
#define MAILAUTH_VERSION_PATCH 0
#define MAILAUTH_VERSION_NUMBER \
    (MAILAUTH_VERSION_MAJOR * 10000 + MAILAUTH_VERSION_MINOR * 100 + MAILAUTH_VERSION_PATCH)

/* The version of the library actually linked, as "MAJOR.MINOR.PATCH". */
MAILAUTH_API const char *mailauth_version(void);
/* The same as MAILAUTH_VERSION_NUMBER of the linked library. */
MAILAUTH_API int mailauth_version_number(void);

/* ------------------------------------------------------------------------------------------ */
/* Errors                                                                                      */

enum {
    MAILAUTH_OK = 0,
    MAILAUTH_E_NOMEM = -1,       /* an allocation failed; nothing was changed */
    MAILAUTH_E_INVAL = -2,       /* a bad argument (NULL where not allowed, unknown enum value,
                                  * a name that is not a valid domain name) */
    MAILAUTH_E_LIMIT = -3,       /* a documented limit was hit */
    MAILAUTH_E_UNSUPPORTED = -4, /* valid but not supported (a record type, a class, $INCLUDE) */
    MAILAUTH_E_SYNTAX = -5       /* malformed input text (a zone file) */
};

/* A static English description of an error code; never NULL. */
MAILAUTH_API const char *mailauth_strerror(int code);

/* ------------------------------------------------------------------------------------------ */
/* Memory                                                                                      */

/* Replaces the allocator for everything this library allocates. Call once, before any other
 * call (NULLs restore malloc/realloc/free). */
MAILAUTH_API void mailauth_set_allocator(void *(*malloc_fn)(size_t),
                                         void *(*realloc_fn)(void *, size_t),
                                         void (*free_fn)(void *));

/* The current time in seconds since the epoch. */
typedef int64_t (*mailauth_clock_fn)(void *user);

/* ------------------------------------------------------------------------------------------ */
/* DNS answers                                                                                 */

/* Record types, with their DNS type numbers. */
typedef enum {
    MAILAUTH_RR_A = 1,
    MAILAUTH_RR_NS = 2,
    MAILAUTH_RR_CNAME = 5,
    MAILAUTH_RR_PTR = 12,
    MAILAUTH_RR_MX = 15,
    MAILAUTH_RR_TXT = 16,
    MAILAUTH_RR_AAAA = 28,
    MAILAUTH_RR_TLSA = 52
} mailauth_rr_type;

/* What a lookup found. A verdict, never a call error. */
typedef enum {
    MAILAUTH_DNS_FOUND = 0,    /* records of the asked type (count >= 1) */
    MAILAUTH_DNS_NXDOMAIN = 1, /* the name does not exist (RCODE 3) */
    MAILAUTH_DNS_NODATA = 2,   /* the name exists but has no records of that type */
    MAILAUTH_DNS_TEMPFAIL = 3, /* SERVFAIL, timeout, network trouble: try again later */
    MAILAUTH_DNS_PERMFAIL = 4  /* REFUSED, FORMERR, a malformed answer, a CNAME loop: a
                                * retry will not help */
} mailauth_dns_result;

/* DNSSEC status of an answer (RFC 4035 §4.3). Resolvers that do not validate leave it
 * INDETERMINATE. */
typedef enum {
    MAILAUTH_DNSSEC_INDETERMINATE = 0,
    MAILAUTH_DNSSEC_INSECURE = 1,
    MAILAUTH_DNSSEC_SECURE = 2,
    MAILAUTH_DNSSEC_BOGUS = 3
} mailauth_dnssec;

/* One resource record of an answer. Read-only; lives until its answer is reset, freed, or
 * has another record added. Only the fields of its `type` are set; the others are zero /
 * NULL. The record may grow at the end. */
typedef struct mailauth_dns_record {
    int type;                       /* mailauth_rr_type */
    /* A / AAAA: the address in network order, addr_len 4 or 16. */
    unsigned char addr[16];
    size_t addr_len;
    /* MX exchange, PTR / NS / CNAME target: a NUL-terminated name in presentation form,
     * without the trailing dot ("mail.example.com"; "." for the root). */
    const char *name;
    size_t name_len;
    unsigned preference;            /* MX */
    /* TXT: the record's character-strings joined without separators (what SPF, DKIM and
     * DMARC read), NUL-terminated (it may hold NUL bytes of its own: use text_len), and the
     * length of each character-string in order, so their boundaries stay available. */
    const char *text;
    size_t text_len;
    const size_t *string_lens;
    size_t string_count;
    /* TLSA (RFC 6698): certificate usage, selector, matching type, association data. */
    unsigned usage, selector, mtype;
    const unsigned char *data;
    size_t data_len;
} mailauth_dns_record;

/* An answer: a result, a TTL, a DNSSEC status and the records. Opaque; owned by whoever
 * called mailauth_dns_answer_new() — a resolver only fills the answer it is handed. One
 * thread at a time. */
typedef struct mailauth_dns_answer mailauth_dns_answer;

/* A new, empty answer (result NXDOMAIN, TTL 0, INDETERMINATE, no records).
 * Returns 0, MAILAUTH_E_INVAL or MAILAUTH_E_NOMEM. Free with mailauth_dns_answer_free(). */
MAILAUTH_API int mailauth_dns_answer_new(mailauth_dns_answer **out);
MAILAUTH_API void mailauth_dns_answer_free(mailauth_dns_answer *a); /* NULL is fine */
/* Empties the answer for reuse; pointers to its records become invalid. */
MAILAUTH_API void mailauth_dns_answer_reset(mailauth_dns_answer *a);

/* The mailauth_dns_result (MAILAUTH_DNS_PERMFAIL for a NULL answer). */
MAILAUTH_API int mailauth_dns_answer_result(const mailauth_dns_answer *a);
/* Seconds the answer may be cached: the smallest TTL of the records (and of the CNAMEs that
 * led to them); for NXDOMAIN / NODATA the negative TTL (RFC 2308); 0 for failures. */
MAILAUTH_API uint32_t mailauth_dns_answer_ttl(const mailauth_dns_answer *a);
MAILAUTH_API int mailauth_dns_answer_dnssec(const mailauth_dns_answer *a);  /* mailauth_dnssec */
MAILAUTH_API size_t mailauth_dns_answer_count(const mailauth_dns_answer *a);
/* The i-th record, or NULL when i >= count. Borrowed from the answer. */
MAILAUTH_API const mailauth_dns_record *mailauth_dns_answer_record(const mailauth_dns_answer *a,
                                                                   size_t i);

/* Filling an answer (for resolver implementations and for callers answering a step-by-step
 * check). Each setter returns 0 or MAILAUTH_E_INVAL (unknown value); each add copies its
 * data and returns 0, MAILAUTH_E_INVAL or MAILAUTH_E_NOMEM (the answer is then unchanged).
 * Adding a record does not change the result: set it to MAILAUTH_DNS_FOUND as well. */
MAILAUTH_API int mailauth_dns_answer_set_result(mailauth_dns_answer *a, int result);
MAILAUTH_API void mailauth_dns_answer_set_ttl(mailauth_dns_answer *a, uint32_t ttl);
MAILAUTH_API int mailauth_dns_answer_set_dnssec(mailauth_dns_answer *a, int dnssec);
MAILAUTH_API int mailauth_dns_answer_add_a(mailauth_dns_answer *a, const unsigned char addr[4]);
MAILAUTH_API int mailauth_dns_answer_add_aaaa(mailauth_dns_answer *a,
                                              const unsigned char addr[16]);
/* `type` is MAILAUTH_RR_PTR, MAILAUTH_RR_NS or MAILAUTH_RR_CNAME; `name` in presentation form
 * (a trailing dot is dropped). */
MAILAUTH_API int mailauth_dns_answer_add_name(mailauth_dns_answer *a, int type, const char *name);
MAILAUTH_API int mailauth_dns_answer_add_mx(mailauth_dns_answer *a, unsigned preference,
                                            const char *exchange);
/* One TXT record of `count` character-strings (each at most 255 octets; count may be 0). */
MAILAUTH_API int mailauth_dns_answer_add_txt(mailauth_dns_answer *a,
                                             const unsigned char *const *strings,
                                             const size_t *lens, size_t count);
MAILAUTH_API int mailauth_dns_answer_add_tlsa(mailauth_dns_answer *a, unsigned usage,
                                              unsigned selector, unsigned mtype,
                                              const unsigned char *data, size_t len);
/* Makes `dst` a deep copy of `src` (dst is reset first). 0 or MAILAUTH_E_NOMEM (dst then
 * empty) / MAILAUTH_E_INVAL. */
MAILAUTH_API int mailauth_dns_answer_copy(mailauth_dns_answer *dst, const mailauth_dns_answer *src);

/* ------------------------------------------------------------------------------------------ */
/* Verdicts                                                                                    */

/* The outcome of a check, named as in RFC 8601 §2.7 (and RFC 7208 §2.6 for SPF). Each check
 * uses the subset its RFC defines. */
typedef enum {
    MAILAUTH_RESULT_NONE = 0,
    MAILAUTH_RESULT_PASS = 1,
    MAILAUTH_RESULT_FAIL = 2,
    MAILAUTH_RESULT_SOFTFAIL = 3,
    MAILAUTH_RESULT_NEUTRAL = 4,
    MAILAUTH_RESULT_TEMPERROR = 5,
    MAILAUTH_RESULT_PERMERROR = 6,
    MAILAUTH_RESULT_POLICY = 7
} mailauth_result;

/* The lower-case RFC 8601 name of a result ("pass"); "unknown" for a value outside the enum. */
MAILAUTH_API const char *mailauth_result_name(int result);
/* The result named by `len` octets of `name` (ASCII case ignored), or -1 when none is. */
MAILAUTH_API int mailauth_result_from_name(const char *name, size_t len);

/* ------------------------------------------------------------------------------------------ */
/* Step-by-step checks                                                                         */

/* Every check that reads DNS runs in one of two ways on the same object:
 *  - blocking: mailauth_<check>_run(check, resolver) asks `resolver` for what it needs and
 *    returns when the verdict is known;
 *  - step by step, for event loops: mailauth_<check>_step(check, &query) returns
 *    MAILAUTH_NEED_DNS with `query` naming one lookup (`type` records of `name`); the caller
 *    looks it up however it likes (mailauth_unbound_submit(), a cache, its own resolver),
 *    hands the answer to mailauth_<check>_answer(check, answer), and calls _step again, until
 *    _step returns 0: the verdict is then known.
 * Both ways give the same verdict for the same DNS data. Answers are copied; `query.name` is
 * borrowed from the check and valid until the next call on it. Each distinct (name, type) is
 * asked once per check. */
#define MAILAUTH_NEED_DNS 1

typedef struct mailauth_query {
    const char *name; /* presentation form, without the trailing dot */
    int type;         /* mailauth_rr_type */
} mailauth_query;

/* ------------------------------------------------------------------------------------------ */
/* Resolvers                                                                                   */

/* Looks up `type` records of `name` (presentation form, absolute, trailing dot optional) and
 * fills `answer`, which the library hands over empty. Returns 0 when the answer says what was
 * found — including NXDOMAIN, no data and failures, which are results — or a negative
 * MAILAUTH_E_* when the call itself failed (MAILAUTH_E_NOMEM; MAILAUTH_E_UNSUPPORTED for a
 * type the resolver cannot ask). The callback must not keep `answer` or `name`. */
typedef int (*mailauth_lookup_fn)(void *user, const char *name, int type,
                                  mailauth_dns_answer *answer);

/* A resolver is this plain table; the caller owns it and what `user` points to. The
 * checks of this library only read it. Fill with mailauth_resolver_init() first. */
typedef struct mailauth_resolver {
    size_t struct_size;        /* sizeof(mailauth_resolver); lets the table grow */
    mailauth_lookup_fn lookup; /* required */
    void *user;
} mailauth_resolver;

/* Zeroes `r` and sets struct_size. */
MAILAUTH_API void mailauth_resolver_init(mailauth_resolver *r);

/* Runs one lookup through `r`: checks the arguments (a valid domain name, a known type),
 * resets `answer`, calls the callback, and makes the answer consistent (a FOUND answer
 * without records becomes NODATA; failures carry no records and TTL 0). Returns what the
 * callback returned, or MAILAUTH_E_INVAL. This is also how a caller answers a step-by-step
 * check's "need TXT for X". */
MAILAUTH_API int mailauth_resolve(const mailauth_resolver *r, const char *name, int type,
                                  mailauth_dns_answer *answer);

/* ------------------------------------------------------------------------------------------ */
/* In-memory zone                                                                              */

/* A set of records loaded from RFC 1035 §5 master-file text, answering like an authoritative
 * server for everything loaded (several origins may be loaded into one zone).
 *
 * Accepted: entries "owner [TTL] [class] TYPE rdata" (TTL and class in either order), a
 * blank owner (the line starts with a space or tab) meaning the previous owner, "@" for the
 * origin, relative names completed with the origin, absolute names ending in '.', names
 * compared without regard to ASCII case, "\X" and "\DDD" escapes, ';' comments, '(' ')'
 * around entries that span lines, $ORIGIN and $TTL (RFC 2308), TTLs as seconds or with
 * units (1h30m: s m h d w), class IN only. Types: A, AAAA (every inet_pton form), NS,
 * CNAME, PTR, MX, TXT (one or more character-strings, quoted or not, with escapes) and
 * TLSA (usage selector mtype hex-data, the hex may be split by spaces). Anything else —
 * other classes and types, $INCLUDE, $GENERATE — fails with MAILAUTH_E_UNSUPPORTED.
 *
 * Answers: a name with records, or an ancestor of such a name (an empty non-terminal),
 * exists: asking it for a type it lacks gives NODATA; any other name gives NXDOMAIN. A
 * CNAME is followed (the answer's records are the target's) up to max_cname_depth links;
 * a longer chain or a loop gives PERMFAIL. Negative answers carry negative_ttl. DNSSEC
 * status is always INDETERMINATE. A "*" label is an ordinary label: there is no wildcard
 * expansion, and no SOA (negative TTLs come from the options). */
typedef struct mailauth_zone mailauth_zone; /* opaque; read-only lookups may run in several
                                             * threads once loading and mailauth_zone_fail()
                                             * calls are done */

/* Limits (0 = the default in the comment):
 *  max_records      records in the zone; one more fails with MAILAUTH_E_LIMIT
 *  max_line_length  octets in one physical line, line end not counted; a longer line
 *                   fails with MAILAUTH_E_LIMIT
 * Fixed limits (RFC 1035): a name is at most 255 octets in wire form, a label 63, a TXT
 * character-string 255, a record's data 65535, so an entry has at most 65539 fields (owner,
 * TTL, class, type and 65535 empty TXT strings); past them the load fails with
 * MAILAUTH_E_LIMIT. */
typedef struct mailauth_zone_options {
    size_t struct_size;        /* sizeof(mailauth_zone_options) */
    uint32_t default_ttl;      /* TTL of records without one before any $TTL; 0 = 3600 */
    uint32_t negative_ttl;     /* TTL of NXDOMAIN / NODATA answers; 0 = 300 */
    size_t max_records;        /* 0 = 100000 */
    size_t max_line_length;    /* 0 = 65536 */
    unsigned max_cname_depth;  /* CNAME links followed in one lookup; 0 = 8 */
} mailauth_zone_options;

#define MAILAUTH_ZONE_DEFAULT_TTL 3600
#define MAILAUTH_ZONE_DEFAULT_NEGATIVE_TTL 300
#define MAILAUTH_ZONE_DEFAULT_MAX_RECORDS 100000
#define MAILAUTH_ZONE_DEFAULT_MAX_LINE 65536
#define MAILAUTH_ZONE_DEFAULT_CNAME_DEPTH 8

/* Where a load failed. */
typedef struct mailauth_zone_error {
    size_t line;          /* 1-based line of the offending entry or line */
    const char *message;  /* a static English description; never NULL after a failed load */
} mailauth_zone_error;

/* Fills `opts` with the defaults (all zero, struct_size set). */
MAILAUTH_API void mailauth_zone_options_init(mailauth_zone_options *opts);

/* A new, empty zone. `opts` may be NULL. Returns 0, MAILAUTH_E_INVAL or MAILAUTH_E_NOMEM. */
MAILAUTH_API int mailauth_zone_new(const mailauth_zone_options *opts, mailauth_zone **out);
MAILAUTH_API void mailauth_zone_free(mailauth_zone *z); /* NULL is fine */

/* Adds the records of `len` octets of master-file text. `origin` is the starting $ORIGIN
 * (NULL or "" = the root). A load that fails adds nothing and fills `err` (may be NULL):
 * MAILAUTH_E_SYNTAX, MAILAUTH_E_LIMIT, MAILAUTH_E_UNSUPPORTED or MAILAUTH_E_NOMEM. */
MAILAUTH_API int mailauth_zone_load(mailauth_zone *z, const char *text, size_t len,
                                    const char *origin, mailauth_zone_error *err);

/* Number of records loaded. */
MAILAUTH_API size_t mailauth_zone_record_count(const mailauth_zone *z);

/* Makes lookups of `name` answer `result` instead (for tests of failure handling): for
 * `type`, or for every type when `type` is 0. `result` is MAILAUTH_DNS_TEMPFAIL (a SERVFAIL
 * or a timeout), MAILAUTH_DNS_PERMFAIL, MAILAUTH_DNS_NXDOMAIN or MAILAUTH_DNS_NODATA; it
 * applies at every step of a CNAME chain. Returns 0, MAILAUTH_E_INVAL or MAILAUTH_E_NOMEM. */
MAILAUTH_API int mailauth_zone_fail(mailauth_zone *z, const char *name, int type, int result);

/* Looks up in the zone; the same contract as a mailauth_lookup_fn. */
MAILAUTH_API int mailauth_zone_lookup(const mailauth_zone *z, const char *name, int type,
                                      mailauth_dns_answer *answer);

/* Fills `r` with a resolver answering from `z`, which must outlive its use. */
MAILAUTH_API void mailauth_zone_resolver(const mailauth_zone *z, mailauth_resolver *r);

/* ------------------------------------------------------------------------------------------ */
/* Caching resolver                                                                            */

/* A cache in front of another resolver. Answers FOUND, NXDOMAIN and NODATA are kept for
 * their TTL (NXDOMAIN / NODATA for at most max_negative_ttl, RFC 2308 §5); TEMPFAIL and
 * PERMFAIL are never kept, nor is an answer with TTL 0. An entry stored at time t with TTL
 * T is served while now < t + T, with the TTL that remains. When an insertion would pass
 * max_entries or max_bytes, the least recently used entries go first; an answer larger than
 * max_bytes on its own is passed on but not kept. Names are compared without regard to ASCII
 * case or a trailing dot.
 *
 * Threads: a cache is used by one thread at a time (it has no lock; a caller sharing one
 * between threads serialises the calls). */
typedef struct mailauth_cache mailauth_cache;

typedef struct mailauth_cache_options {
    size_t struct_size;         /* sizeof(mailauth_cache_options) */
    mailauth_clock_fn clock;    /* NULL = time() */
    void *clock_user;
    size_t max_entries;         /* 0 = 10000 */
    size_t max_bytes;           /* memory for entries, as counted by the cache; 0 = 8 MiB */
    uint32_t max_ttl;           /* longer TTLs are cut to this; 0 = 86400 */
    uint32_t max_negative_ttl;  /* 0 = 3600 */
} mailauth_cache_options;

#define MAILAUTH_CACHE_DEFAULT_MAX_ENTRIES 10000
#define MAILAUTH_CACHE_DEFAULT_MAX_BYTES (8u * 1024u * 1024u)
#define MAILAUTH_CACHE_DEFAULT_MAX_TTL 86400
#define MAILAUTH_CACHE_DEFAULT_MAX_NEGATIVE_TTL 3600

typedef struct mailauth_cache_stats {
    size_t struct_size;  /* set by the caller: sizeof(mailauth_cache_stats) */
    uint64_t hits;       /* lookups answered from the cache */
    uint64_t misses;     /* lookups passed to the upstream resolver */
    uint64_t evictions;  /* entries dropped to keep within the bounds (not expiries) */
    size_t entries;      /* entries held now (expired ones included until they are met) */
    size_t bytes;        /* their size as counted against max_bytes */
} mailauth_cache_stats;

/* Fills `opts` with the defaults (all zero, struct_size set). */
MAILAUTH_API void mailauth_cache_options_init(mailauth_cache_options *opts);

/* A new cache in front of `upstream` (the table is copied; what its `user` points to must
 * outlive the cache). `opts` may be NULL. Returns 0, MAILAUTH_E_INVAL or MAILAUTH_E_NOMEM. */
MAILAUTH_API int mailauth_cache_new(const mailauth_resolver *upstream,
                                    const mailauth_cache_options *opts, mailauth_cache **out);
MAILAUTH_API void mailauth_cache_free(mailauth_cache *c); /* NULL is fine */

/* Looks up through the cache; the same contract as a mailauth_lookup_fn. When the answer
 * cannot be kept for lack of memory it is still returned (0). */
MAILAUTH_API int mailauth_cache_lookup(mailauth_cache *c, const char *name, int type,
                                       mailauth_dns_answer *answer);

/* Fills `r` with a resolver answering through `c`, which must outlive its use. */
MAILAUTH_API void mailauth_cache_resolver(mailauth_cache *c, mailauth_resolver *r);

/* Drops every entry. */
MAILAUTH_API void mailauth_cache_clear(mailauth_cache *c);

/* Fills `stats` (its struct_size set by the caller). Returns 0 or MAILAUTH_E_INVAL. */
MAILAUTH_API int mailauth_cache_get_stats(const mailauth_cache *c, mailauth_cache_stats *stats);

/* ------------------------------------------------------------------------------------------ */
/* libunbound resolver                                                                         */

/* The default DNS resolver: a libunbound context (recursive from the root, or through the
 * servers of a resolv.conf or a given forwarder), usable blocking through a mailauth_resolver
 * or asynchronously with a file descriptor for event loops.
 *
 * Answers: NOERROR with data gives FOUND with the records parsed from their RDATA (CNAMEs are
 * followed by libunbound); NXDOMAIN gives NXDOMAIN; NOERROR without data gives NODATA;
 * SERVFAIL, a timeout or a libunbound failure gives TEMPFAIL; REFUSED, FORMERR, NOTIMP and
 * any other RCODE, or a record whose RDATA is malformed, give PERMFAIL. The TTL is
 * libunbound's for the answer. With a trust anchor the DNSSEC status is SECURE, BOGUS or
 * INSECURE; without one it is INDETERMINATE.
 *
 * Threads: one thread at a time per handle (blocking lookups and the asynchronous calls
 * alike). */
typedef struct mailauth_unbound mailauth_unbound;

typedef struct mailauth_unbound_options {
    size_t struct_size;             /* sizeof(mailauth_unbound_options) */
    const char *resolv_conf;        /* forwarders from this file; NULL = /etc/resolv.conf,
                                     * "" = none (recursive from the root) */
    const char *forward;            /* a forwarder "IP" or "IP@port"; NULL = none */
    const char *trust_anchor_file;  /* DS / DNSKEY records of the trust anchors (zone-file
                                     * form); set = DNSSEC validation on; NULL = off */
    int use_hosts;                  /* non-zero: answer from /etc/hosts too; 0 = no */
    /* Local data answered without the network (for tests and offline use), each an RR
     * "name TTL IN TYPE rdata" in master-file form, and local zones, each "name type" with a
     * libunbound local-zone type ("example.test static": names under it that have no local
     * data are NXDOMAIN). */
    const char *const *local_data;
    size_t local_data_count;
    const char *const *local_zones;
    size_t local_zone_count;
} mailauth_unbound_options;

/* Fills `opts` with the defaults (all zero, struct_size set). */
MAILAUTH_API void mailauth_unbound_options_init(mailauth_unbound_options *opts);

/* A new resolver. `opts` may be NULL. Returns 0, MAILAUTH_E_NOMEM, or MAILAUTH_E_INVAL (a
 * bad option: an unreadable resolv.conf or trust anchor file, a bad forwarder address, a
 * local-data or local-zone string libunbound refuses). Free with mailauth_unbound_free(). */
MAILAUTH_API int mailauth_unbound_new(const mailauth_unbound_options *opts,
                                      mailauth_unbound **out);
/* Frees the resolver; pending asynchronous queries are dropped without their callbacks. NULL
 * is fine. */
MAILAUTH_API void mailauth_unbound_free(mailauth_unbound *u);

/* A blocking lookup; the same contract as a mailauth_lookup_fn. */
MAILAUTH_API int mailauth_unbound_lookup(mailauth_unbound *u, const char *name, int type,
                                         mailauth_dns_answer *answer);

/* Fills `r` with a resolver whose lookups go through `u` (blocking); `u` must outlive its
 * use. */
MAILAUTH_API void mailauth_unbound_resolver(mailauth_unbound *u, mailauth_resolver *r);

/* Asynchronous lookups. The answer of a query submitted with mailauth_unbound_submit() is
 * delivered from inside mailauth_unbound_process(), to `callback` with the query's `id`:
 * `status` is 0 and `answer` filled as a mailauth_lookup_fn fills it, or `status` is a
 * negative MAILAUTH_E_* (MAILAUTH_E_NOMEM) and `answer` may be NULL. The answer is borrowed
 * for the call only. A callback may submit and cancel queries but must not free the resolver. */
typedef void (*mailauth_unbound_callback)(void *user, int id, int status,
                                          const mailauth_dns_answer *answer);

/* The descriptor that becomes readable when answers are ready; -1 on failure. */
MAILAUTH_API int mailauth_unbound_fd(mailauth_unbound *u);
/* Starts looking up `type` records of `name`; `*id` (may be NULL) names the query for
 * mailauth_unbound_cancel(). Returns 0, MAILAUTH_E_INVAL (a bad name or type),
 * MAILAUTH_E_NOMEM, or MAILAUTH_E_UNSUPPORTED (libunbound could not start the query). */
MAILAUTH_API int mailauth_unbound_submit(mailauth_unbound *u, const char *name, int type,
                                         mailauth_unbound_callback callback, void *user,
                                         int *id);
/* Delivers the answers that are ready (does not wait). Returns 0 or MAILAUTH_E_INVAL. */
MAILAUTH_API int mailauth_unbound_process(mailauth_unbound *u);
/* Waits until every submitted query has been delivered. Returns 0 or MAILAUTH_E_INVAL. */
MAILAUTH_API int mailauth_unbound_wait(mailauth_unbound *u);
/* Cancels a query not yet delivered; its callback is not called. Returns 0, or
 * MAILAUTH_E_INVAL when no such query is pending. */
MAILAUTH_API int mailauth_unbound_cancel(mailauth_unbound *u, int id);
/* Queries submitted and not yet delivered or cancelled. */
MAILAUTH_API size_t mailauth_unbound_pending(const mailauth_unbound *u);

/* The reverse-lookup name of an IPv4 or IPv6 address ("192.0.2.1" gives
 * "1.2.0.192.in-addr.arpa"; IPv6 gives 32 nibbles under "ip6.arpa"), NUL-terminated in `buf`
 * of `size` octets (73 are always enough). Returns 0, MAILAUTH_E_INVAL (not an address) or
 * MAILAUTH_E_LIMIT (`buf` too small; it then holds ""). */
MAILAUTH_API int mailauth_reverse_name(const char *ip, char *buf, size_t size);

/* ------------------------------------------------------------------------------------------ */
/* DKIM                                                                                        */

/* (section: DKIM) */

/* ------------------------------------------------------------------------------------------ */
/* ARC                                                                                         */

/* (section: ARC) */

/* ------------------------------------------------------------------------------------------ */
/* SPF                                                                                         */

/* (section: SPF) */

/* ------------------------------------------------------------------------------------------ */
/* DMARC                                                                                       */

/* (section: DMARC) */

/* ------------------------------------------------------------------------------------------ */
/* iprev                                                                                       */

/* (section: iprev) */

/* ------------------------------------------------------------------------------------------ */
/* Authentication-Results                                                                      */

/* (section: Authentication-Results) */

#ifdef __cplusplus
}
#endif

#endif
