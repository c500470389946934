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

/* DKIM signatures (RFC 6376) with the RFC 8301 crypto rules and Ed25519 (RFC 8463): a
 * streaming verifier and a streaming signer, plus one-call helpers for whole buffers.
 *
 * Verdicts per signature (mailauth_result):
 *  - PASS: the body hash and the signature hold with the published key;
 *  - FAIL: the body hash or the signature does not hold, the key is shorter than
 *    min_rsa_bits, or the signature is rsa-sha1 while allow_sha1 is off (RFC 8301 §3.1
 *    forbids accepting it; the reason says WEAK_ALGORITHM, so a caller can tell it apart);
 *  - PERMERROR: the signature or the key record is malformed or unusable (RFC 6376 §6.1.1
 *    to §6.1.3 PERMFAIL): missing or bad tags, From not signed, i= outside d=, expired, t=
 *    in the future (see future_tolerance), x= before t=, l= longer than the body, no key
 *    (NXDOMAIN, no TXT, or a DNS PERMFAIL), several TXT records, a revoked key, a key that
 *    does not fit the signature;
 *  - TEMPERROR: the key could not be fetched (DNS TEMPFAIL);
 *  - NONE: the signature was not checked (past max_signatures).
 * The reason (mailauth_dkim_reason) says which rule decided, with a static English text.
 *
 * Header fields named in h= are taken bottom-up, each instance once (RFC 6376 §5.4.2); the
 * signature being verified is never one of them. Signatures and key records hold at most 64
 * tags. rsa-sha1 and the time rules are decided before any DNS lookup. */

/* Why a signature got its verdict. */
typedef enum {
    MAILAUTH_DKIM_OK = 0,                 /* pass */
    MAILAUTH_DKIM_SIG_SYNTAX = 1,         /* the tag list is malformed, repeats a tag or has
                                           * more than 64 tags */
    MAILAUTH_DKIM_SIG_MISSING_TAG = 2,    /* v=, a=, b=, bh=, d=, h= or s= is missing */
    MAILAUTH_DKIM_SIG_VERSION = 3,        /* v= is not 1 */
    MAILAUTH_DKIM_SIG_ALGORITHM = 4,      /* a= names no known algorithm */
    MAILAUTH_DKIM_SIG_CANON = 5,          /* c= names no known canonicalisation */
    MAILAUTH_DKIM_SIG_QUERY = 6,          /* q= does not offer dns/txt */
    MAILAUTH_DKIM_SIG_VALUE = 7,          /* a tag value is malformed (d=, s=, h=, l=, t=, x=) */
    MAILAUTH_DKIM_SIG_BASE64 = 8,         /* b= or bh= is not base64 */
    MAILAUTH_DKIM_SIG_IDENTITY = 9,       /* i= is not in d= or a subdomain of it */
    MAILAUTH_DKIM_SIG_FROM_NOT_SIGNED = 10, /* h= lacks From (§5.4) */
    MAILAUTH_DKIM_SIG_EXPIRED = 11,       /* x= has passed */
    MAILAUTH_DKIM_SIG_FUTURE = 12,        /* t= is in the future */
    MAILAUTH_DKIM_SIG_X_BEFORE_T = 13,    /* x= is before t= */
    MAILAUTH_DKIM_SIG_BODY_LENGTH = 14,   /* l= is longer than the body */
    MAILAUTH_DKIM_SIG_TOO_MANY_H = 15,    /* h= names more fields than max_h_names */
    MAILAUTH_DKIM_NOT_CHECKED = 16,       /* past max_signatures */
    MAILAUTH_DKIM_KEY_NOT_FOUND = 17,     /* no key record (NXDOMAIN, no TXT, DNS PERMFAIL) */
    MAILAUTH_DKIM_KEY_TEMPFAIL = 18,      /* the key lookup failed temporarily */
    MAILAUTH_DKIM_KEY_MULTIPLE = 19,      /* more than one TXT record at the key's name */
    MAILAUTH_DKIM_KEY_SYNTAX = 20,        /* the key record is malformed */
    MAILAUTH_DKIM_KEY_VERSION = 21,       /* the key record's v= is not DKIM1 */
    MAILAUTH_DKIM_KEY_UNKNOWN_TYPE = 22,  /* k= names no known key type */
    MAILAUTH_DKIM_KEY_TYPE_MISMATCH = 23, /* k= does not fit a= */
    MAILAUTH_DKIM_KEY_HASH = 24,          /* the key's h= does not allow a='s hash */
    MAILAUTH_DKIM_KEY_SERVICE = 25,       /* the key's s= has neither email nor * */
    MAILAUTH_DKIM_KEY_STRICT = 26,        /* the key has t=s and i= is a subdomain of d= */
    MAILAUTH_DKIM_KEY_REVOKED = 27,       /* the key's p= is empty */
    MAILAUTH_DKIM_KEY_INVALID = 28,       /* p= holds no usable public key */
    MAILAUTH_DKIM_KEY_TOO_SMALL = 29,     /* an RSA key shorter than min_rsa_bits */
    MAILAUTH_DKIM_WEAK_ALGORITHM = 30,    /* rsa-sha1 and allow_sha1 is off (RFC 8301) */
    MAILAUTH_DKIM_BODY_HASH = 31,         /* the body hash differs from bh= */
    MAILAUTH_DKIM_BAD_SIGNATURE = 32      /* the signature does not verify */
} mailauth_dkim_reason;

/* A static English text for a reason ("body hash did not verify"); never NULL. */
MAILAUTH_API const char *mailauth_dkim_reason_text(int reason);

/* Signing algorithms. rsa-sha1 is verified (see allow_sha1) but never used to sign. */
typedef enum {
    MAILAUTH_DKIM_RSA_SHA256 = 1,
    MAILAUTH_DKIM_RSA_SHA1 = 2,
    MAILAUTH_DKIM_ED25519_SHA256 = 3
} mailauth_dkim_algorithm;

/* Canonicalisations (RFC 6376 §3.4); 0 in an option means the default. */
typedef enum {
    MAILAUTH_DKIM_CANON_DEFAULT = 0,
    MAILAUTH_DKIM_CANON_SIMPLE = 1,
    MAILAUTH_DKIM_CANON_RELAXED = 2
} mailauth_dkim_canon;

/* Verifier options and limits (0 = the default in the comment).
 *  max_header_bytes  the header block (line ends as CRLF); more fails feed() with
 *                    MAILAUTH_E_LIMIT
 *  max_header_fields header fields in the block; more fails feed() with MAILAUTH_E_LIMIT
 *  max_signatures    DKIM-Signature fields checked, top-most first; the others are reported
 *                    with result NONE and reason NOT_CHECKED
 *  max_h_names       names in one signature's h=; more is a PERMERROR (SIG_TOO_MANY_H)
 * Each checked signature makes at most one DNS lookup (a TXT at <s>._domainkey.<d>; shared
 * between signatures naming the same key). */
typedef struct mailauth_dkim_verify_options {
    size_t struct_size;          /* sizeof(mailauth_dkim_verify_options) */
    mailauth_clock_fn clock;     /* the time to verify at (t=, x=); NULL = time() */
    void *clock_user;
    int64_t clock_skew;          /* seconds a signature stays good past its x=; 0 = 300,
                                  * negative = none */
    int64_t future_tolerance;    /* seconds t= may be ahead of the clock before the signature
                                  * is refused (RFC 6376 §3.5 allows refusing it; signers with
                                  * a wrong clock or time zone are common); 0 = 86400,
                                  * negative = t= in the future is never refused */
    unsigned min_rsa_bits;       /* 0 = 1024 (RFC 8301 §3.2) */
    int allow_sha1;              /* non-zero: rsa-sha1 is verified like rsa-sha256 */
    unsigned max_signatures;     /* 0 = 10 */
    size_t max_header_bytes;     /* 0 = 1 MiB */
    size_t max_header_fields;    /* 0 = 1000 */
    size_t max_h_names;          /* 0 = 128 */
    struct mailauth_dkim_key_cache *key_cache; /* parsed keys kept between messages (see
                                  * mailauth_dkim_key_cache_new()); NULL = none */
} mailauth_dkim_verify_options;

#define MAILAUTH_DKIM_DEFAULT_CLOCK_SKEW 300
#define MAILAUTH_DKIM_DEFAULT_FUTURE_TOLERANCE 86400
#define MAILAUTH_DKIM_DEFAULT_MIN_RSA_BITS 1024
#define MAILAUTH_DKIM_DEFAULT_MAX_SIGNATURES 10
#define MAILAUTH_DKIM_DEFAULT_MAX_HEADER_BYTES (1024u * 1024u)
#define MAILAUTH_DKIM_DEFAULT_MAX_HEADER_FIELDS 1000
#define MAILAUTH_DKIM_DEFAULT_MAX_H_NAMES 128

/* Fills `opts` with the defaults (all zero, struct_size set). */
MAILAUTH_API void mailauth_dkim_verify_options_init(mailauth_dkim_verify_options *opts);

/* A cache of parsed key records for the DKIM and ARC verifiers of one thread. Reading a
 * public key and the first check with an RSA key cost more than the check itself; a server
 * that sees the same signers all day keeps up to `max_entries` of them here (least recently
 * used first out), keyed by the record's exact text, so a changed record is simply a new
 * entry. The DNS answers themselves are not kept (that is the resolver's cache's job). Give
 * it to the verifiers through their options' key_cache; one thread at a time (a cache is
 * not locked). */
typedef struct mailauth_dkim_key_cache mailauth_dkim_key_cache;

#define MAILAUTH_DKIM_KEY_CACHE_DEFAULT_ENTRIES 1024
#define MAILAUTH_DKIM_KEY_CACHE_MAX_ENTRIES (1u << 20)

/* A new cache of at most `max_entries` records (0 = 1024; at most 2^20). Returns 0,
 * MAILAUTH_E_INVAL or MAILAUTH_E_NOMEM. */
MAILAUTH_API int mailauth_dkim_key_cache_new(size_t max_entries, mailauth_dkim_key_cache **out);
/* Frees the cache; verifiers that used it keep their own references. NULL is fine. */
MAILAUTH_API void mailauth_dkim_key_cache_free(mailauth_dkim_key_cache *c);
/* Lookups answered from the cache, lookups that parsed a record, and entries held (each
 * pointer may be NULL). */
MAILAUTH_API void mailauth_dkim_key_cache_stats(const mailauth_dkim_key_cache *c,
                                                uint64_t *hits, uint64_t *misses,
                                                size_t *entries);

/* What was found about one signature. Strings are NUL-terminated, borrowed from the verifier
 * and live until it is freed; a tag that was absent or unreadable gives "" (numbers -1). */
typedef struct mailauth_dkim_signature {
    size_t struct_size;        /* set by the caller: sizeof(mailauth_dkim_signature) */
    int result;                /* mailauth_result */
    int reason;                /* mailauth_dkim_reason */
    const char *reason_text;   /* static text of `reason` */
    const char *domain;        /* d= */
    const char *selector;      /* s= */
    const char *identity;      /* i=, or "@" d= when absent (RFC 6376 §3.5) */
    const char *algorithm;     /* a= as written */
    const char *canonicalization; /* c= as written ("" when absent: simple/simple) */
    const char *headers;       /* h= as written */
    const char *signature;     /* b= without its folding (RFC 8601 header.b takes a prefix) */
    int64_t timestamp;         /* t=, -1 when absent */
    int64_t expiration;        /* x=, -1 when absent */
    int has_body_length;       /* l= was used: only the first body_length octets are signed */
    uint64_t body_length;      /* l= */
    uint64_t body_total;       /* octets of the canonical body (compare with body_length) */
    unsigned key_bits;         /* size of the key used (0 when none was) */
    int key_testing;           /* the key record has t=y (testing mode) */
} mailauth_dkim_signature;

typedef struct mailauth_dkim_verifier mailauth_dkim_verifier;  /* opaque, one per message */

/* A verifier for one message. `opts` may be NULL. Returns 0, MAILAUTH_E_INVAL or
 * MAILAUTH_E_NOMEM. Free with mailauth_dkim_verifier_free(). */
MAILAUTH_API int mailauth_dkim_verifier_new(const mailauth_dkim_verify_options *opts,
                                            mailauth_dkim_verifier **out);
MAILAUTH_API void mailauth_dkim_verifier_free(mailauth_dkim_verifier *v); /* NULL is fine */

/* Feeds the message (header block, empty line, body) in pieces of any size. CRLF and bare LF
 * line ends are both accepted (a bare LF counts as CRLF). The header block is kept (up to
 * max_header_bytes); the body is hashed as it comes and not kept. Returns 0,
 * MAILAUTH_E_LIMIT (a header limit: the verifier is then unusable), MAILAUTH_E_NOMEM or
 * MAILAUTH_E_INVAL (after finish). */
MAILAUTH_API int mailauth_dkim_verifier_feed(mailauth_dkim_verifier *v, const void *data,
                                             size_t len);
/* Ends the message (a message without an empty line is all header). After it, the body
 * hashes are known and the keys can be fetched with _step/_answer or _run. Returns 0,
 * MAILAUTH_E_LIMIT, MAILAUTH_E_NOMEM or MAILAUTH_E_INVAL (called twice). */
MAILAUTH_API int mailauth_dkim_verifier_finish(mailauth_dkim_verifier *v);

/* Step by step (see "Step-by-step checks"): 0 when every verdict is known, MAILAUTH_NEED_DNS
 * with `query` (a TXT lookup of <s>._domainkey.<d>), MAILAUTH_E_INVAL (before finish),
 * MAILAUTH_E_NOMEM or MAILAUTH_E_LIMIT. */
MAILAUTH_API int mailauth_dkim_verifier_step(mailauth_dkim_verifier *v, mailauth_query *query);
/* The answer to the query the last _step named; copied. 0, MAILAUTH_E_INVAL, MAILAUTH_E_NOMEM. */
MAILAUTH_API int mailauth_dkim_verifier_answer(mailauth_dkim_verifier *v,
                                               const mailauth_dns_answer *answer);
/* Blocking: fetches the keys through `resolver` until every verdict is known. 0,
 * MAILAUTH_E_INVAL, MAILAUTH_E_NOMEM or MAILAUTH_E_LIMIT. */
MAILAUTH_API int mailauth_dkim_verifier_run(mailauth_dkim_verifier *v,
                                            const mailauth_resolver *resolver);

/* DKIM-Signature fields found (checked or not), top-most first. 0 before finish. */
MAILAUTH_API size_t mailauth_dkim_verifier_count(const mailauth_dkim_verifier *v);
/* Fills `out` (its struct_size set by the caller) for signature `i`. Before the verdicts are
 * known `result` is NONE. Returns 0 or MAILAUTH_E_INVAL (i out of range). */
MAILAUTH_API int mailauth_dkim_verifier_result(const mailauth_dkim_verifier *v, size_t i,
                                               mailauth_dkim_signature *out);

/* One call: verifies the whole message in `msg` through `resolver` (blocking) and returns the
 * verifier holding the results (free it with mailauth_dkim_verifier_free()). Errors as for
 * the calls it makes; *out is NULL on failure. */
MAILAUTH_API int mailauth_dkim_verify(const mailauth_dkim_verify_options *opts,
                                      const mailauth_resolver *resolver, const void *msg,
                                      size_t len, mailauth_dkim_verifier **out);

/* ---- signing ---- */

/* A private key for signing. Opaque; immutable once loaded (may be shared between threads). */
typedef struct mailauth_dkim_key mailauth_dkim_key;

/* Loads a private key from `len` octets of text: PEM (PKCS#8 "PRIVATE KEY", PKCS#1 "RSA
 * PRIVATE KEY"; RSA or Ed25519) or the base64 of a raw 32-octet Ed25519 seed (dkimpy's key
 * files). Returns 0, MAILAUTH_E_SYNTAX (not a key), MAILAUTH_E_UNSUPPORTED (another key type)
 * or MAILAUTH_E_NOMEM. Free with mailauth_dkim_key_free(). */
MAILAUTH_API int mailauth_dkim_key_load(const void *text, size_t len, mailauth_dkim_key **out);
MAILAUTH_API void mailauth_dkim_key_free(mailauth_dkim_key *k); /* NULL is fine */
/* The algorithm the key signs with (mailauth_dkim_algorithm). */
MAILAUTH_API int mailauth_dkim_key_algorithm(const mailauth_dkim_key *k);
/* The key record to publish ("v=DKIM1; k=rsa; p=..."), NUL-terminated into `buf` of `size`
 * octets; *len (may be NULL) gets its length. 0, MAILAUTH_E_LIMIT (too small; buf "") or
 * MAILAUTH_E_NOMEM. 1024 octets hold any key up to RSA 4096. */
MAILAUTH_API int mailauth_dkim_key_record(const mailauth_dkim_key *k, char *buf, size_t size,
                                          size_t *len);

/* Signing options. domain and selector are required.
 *  headers/header_count: the h= list exactly as given (a name listed once more than it occurs
 *    in the message over-signs it: adding such a field later breaks the signature). It must
 *    name From. NULL = the default set (From, Reply-To, Subject, Date, To, Cc, Resent-Date,
 *    Resent-From, Resent-To, Resent-Cc, In-Reply-To, References, Message-ID, MIME-Version,
 *    Content-Type, Content-Transfer-Encoding, Content-ID, Content-Description, List-Id,
 *    List-Help, List-Unsubscribe, List-Unsubscribe-Post, List-Subscribe, List-Post,
 *    List-Owner, List-Archive), each listed as many times as the message has it.
 *  oversign/oversign_count: names added once more to h= (with headers NULL too), e.g. "From",
 *    "Subject".
 *  The signature's t= is the clock's time unless no_timestamp; x= is t + expire_after when
 *  expire_after > 0; l= the canonical body length when body_length. */
typedef struct mailauth_dkim_sign_options {
    size_t struct_size;          /* sizeof(mailauth_dkim_sign_options) */
    const char *domain;          /* d= */
    const char *selector;        /* s= */
    const char *identity;        /* i=, NULL = none; must be in d= or a subdomain */
    int header_canon;            /* mailauth_dkim_canon; default relaxed */
    int body_canon;              /* mailauth_dkim_canon; default relaxed */
    const char *const *headers;
    size_t header_count;
    const char *const *oversign;
    size_t oversign_count;
    int body_length;             /* non-zero: add l= */
    int no_timestamp;            /* non-zero: no t= */
    int64_t expire_after;        /* seconds; > 0 adds x= */
    mailauth_clock_fn clock;     /* NULL = time() */
    void *clock_user;
    size_t max_header_bytes;     /* 0 = 1 MiB */
    size_t max_header_fields;    /* 0 = 1000 */
} mailauth_dkim_sign_options;

/* Fills `opts` with the defaults (all zero, struct_size set). */
MAILAUTH_API void mailauth_dkim_sign_options_init(mailauth_dkim_sign_options *opts);

typedef struct mailauth_dkim_signer mailauth_dkim_signer;  /* opaque, one per message */

/* A signer for one message with `key` (which must outlive it). The options are copied.
 * Returns 0, MAILAUTH_E_INVAL (no domain or selector, a header list without From, an i=
 * outside d=, a bad canonicalisation) or MAILAUTH_E_NOMEM. */
MAILAUTH_API int mailauth_dkim_signer_new(const mailauth_dkim_sign_options *opts,
                                          const mailauth_dkim_key *key,
                                          mailauth_dkim_signer **out);
MAILAUTH_API void mailauth_dkim_signer_free(mailauth_dkim_signer *s); /* NULL is fine */
/* Feeds the message as mailauth_dkim_verifier_feed() does. Same errors. */
MAILAUTH_API int mailauth_dkim_signer_feed(mailauth_dkim_signer *s, const void *data,
                                           size_t len);
/* Ends the message and signs it: *field (borrowed from the signer, NUL-terminated, *len
 * octets; `len` may be NULL) is the whole "DKIM-Signature: ..." field, folded at 78 columns
 * where possible with CRLF and ending with CRLF, ready to prepend. Returns 0,
 * MAILAUTH_E_INVAL (the message has no From field, or finish was called twice),
 * MAILAUTH_E_LIMIT or MAILAUTH_E_NOMEM. */
MAILAUTH_API int mailauth_dkim_signer_finish(mailauth_dkim_signer *s, const char **field,
                                             size_t *len);

/* One call: signs the whole message in `msg`. *field is allocated, NUL-terminated; free it
 * with mailauth_dkim_free(). Errors as for the signer. */
MAILAUTH_API int mailauth_dkim_sign(const mailauth_dkim_sign_options *opts,
                                    const mailauth_dkim_key *key, const void *msg, size_t len,
                                    char **field, size_t *field_len);
/* Frees what mailauth_dkim_sign() returned. NULL is fine. */
MAILAUTH_API void mailauth_dkim_free(void *p);

/* ------------------------------------------------------------------------------------------ */
/* ARC                                                                                         */

/* The Authenticated Received Chain, RFC 8617: a verifier of the chain a message carries, and
 * a sealer that adds this hop's set (ARC-Seal, ARC-Message-Signature,
 * ARC-Authentication-Results). Both read the message like the DKIM verifier and signer (any
 * pieces, CRLF or bare LF) and reuse DKIM's canonicalisation, key records and crypto:
 * rsa-sha256 and ed25519-sha256; rsa-sha1 is never accepted (RFC 8617 §4.1.2 keeps only
 * sha256). Keys are TXT records at <s>._domainkey.<d> under the DKIM key rules.
 *
 * Chain validation (RFC 8617 §5.2), the verdict (mailauth_result):
 *  - NONE: the message has no ARC header fields;
 *  - FAIL: the sets are malformed (a member missing or repeated, an instance gap, an i=
 *    outside 1..50, an ARC-Seal or the latest ARC-Message-Signature whose tags do not
 *    parse), the latest seal says cv=fail, a seal's cv= does not fit its place (none only on
 *    i=1, pass on the others), the latest AMS does not verify, or a seal does not verify
 *    (each seal from the latest down to i=1). RFC 8617 maps malformed sets to "fail", so
 *    this check never gives PERMERROR;
 *  - TEMPERROR: a key lookup failed temporarily and the verdict depends on it;
 *  - PASS: otherwise.
 * The reason (mailauth_arc_reason) says which rule decided, with the instance concerned. */

/* Why the chain got its verdict. */
typedef enum {
    MAILAUTH_ARC_OK = 0,          /* pass */
    MAILAUTH_ARC_NO_CHAIN = 1,    /* none: no ARC header fields */
    MAILAUTH_ARC_STRUCTURE = 2,   /* a set lacks a member or has two, instances have a gap,
                                   * an i= is missing or outside 1..50 */
    MAILAUTH_ARC_SYNTAX = 3,      /* an ARC-Seal or the latest ARC-Message-Signature is malformed */
    MAILAUTH_ARC_SEALED_FAIL = 4, /* the latest ARC-Seal says cv=fail */
    MAILAUTH_ARC_BAD_CV = 5,      /* cv=none on an instance above 1, or not none on i=1 */
    MAILAUTH_ARC_AMS_FAILED = 6,  /* the latest ARC-Message-Signature did not verify */
    MAILAUTH_ARC_SEAL_FAILED = 7, /* an ARC-Seal did not verify */
    MAILAUTH_ARC_TEMPFAIL = 8     /* a key lookup failed temporarily */
} mailauth_arc_reason;

/* A static English text for a reason; never NULL. */
MAILAUTH_API const char *mailauth_arc_reason_text(int reason);

/* The highest instance RFC 8617 §4.2.1 allows. */
#define MAILAUTH_ARC_MAX_INSTANCE 50

/* Verifier options and limits (0 = the default in the comment).
 *  min_rsa_bits       shorter RSA keys make their signature fail       0 = 1024
 *  oldest_pass        non-zero: also verify the older AMSes, for arc.oldest-pass (RFC 8617
 *                     §5.2 step 6); each is one more key lookup
 *  max_header_bytes   the header block; more fails feed() with MAILAUTH_E_LIMIT  0 = 1 MiB
 *  max_header_fields  fields in the header block; more fails the same way       0 = 1000
 *  max_h_names        names in one AMS h=; more makes that AMS fail            0 = 128
 * A check makes at most one lookup per distinct key (at most 2 x 50). */
typedef struct mailauth_arc_verify_options {
    size_t struct_size;          /* sizeof(mailauth_arc_verify_options) */
    unsigned min_rsa_bits;
    int oldest_pass;
    size_t max_header_bytes;
    size_t max_header_fields;
    size_t max_h_names;
    struct mailauth_dkim_key_cache *key_cache; /* parsed keys kept between messages (see
                                  * mailauth_dkim_key_cache_new()); NULL = none */
} mailauth_arc_verify_options;

/* Fills `opts` with the defaults (all zero, struct_size set). */
MAILAUTH_API void mailauth_arc_verify_options_init(mailauth_arc_verify_options *opts);

typedef struct mailauth_arc_verifier mailauth_arc_verifier; /* opaque, one per message */

/* A verifier for one message. `opts` may be NULL. Returns 0, MAILAUTH_E_INVAL or
 * MAILAUTH_E_NOMEM. Free with mailauth_arc_verifier_free(). One thread at a time. */
MAILAUTH_API int mailauth_arc_verifier_new(const mailauth_arc_verify_options *opts,
                                           mailauth_arc_verifier **out);
MAILAUTH_API void mailauth_arc_verifier_free(mailauth_arc_verifier *v); /* NULL is fine */

/* Feeds the message (header block, empty line, body) in pieces of any size, as
 * mailauth_dkim_verifier_feed() does. 0, MAILAUTH_E_LIMIT (a header limit: the verifier is
 * then unusable), MAILAUTH_E_NOMEM or MAILAUTH_E_INVAL (after finish). */
MAILAUTH_API int mailauth_arc_verifier_feed(mailauth_arc_verifier *v, const void *data,
                                            size_t len);
/* Ends the message: the sets are collected and checked for structure, the body hashes
 * finished. A verdict that needs no key (none, or a structural fail) is known now. 0,
 * MAILAUTH_E_LIMIT, MAILAUTH_E_NOMEM or MAILAUTH_E_INVAL (called twice). */
MAILAUTH_API int mailauth_arc_verifier_finish(mailauth_arc_verifier *v);

/* Step by step (see "Step-by-step checks"): 0 when the verdict is known, MAILAUTH_NEED_DNS
 * with `query` (a TXT lookup of <s>._domainkey.<d>), MAILAUTH_E_INVAL (before finish),
 * MAILAUTH_E_NOMEM or MAILAUTH_E_LIMIT. */
MAILAUTH_API int mailauth_arc_verifier_step(mailauth_arc_verifier *v, mailauth_query *query);
/* The answer to the query the last _step named; copied. 0, MAILAUTH_E_INVAL, MAILAUTH_E_NOMEM. */
MAILAUTH_API int mailauth_arc_verifier_answer(mailauth_arc_verifier *v,
                                              const mailauth_dns_answer *answer);
/* Blocking: fetches the keys through `resolver` until the verdict is known. 0,
 * MAILAUTH_E_INVAL, MAILAUTH_E_NOMEM or MAILAUTH_E_LIMIT. */
MAILAUTH_API int mailauth_arc_verifier_run(mailauth_arc_verifier *v,
                                           const mailauth_resolver *resolver);

/* Non-zero once the verdict is known. */
MAILAUTH_API int mailauth_arc_verifier_done(const mailauth_arc_verifier *v);
/* The chain validation status (mailauth_result: NONE, PASS, FAIL or TEMPERROR); NONE until
 * known. */
MAILAUTH_API int mailauth_arc_verifier_result(const mailauth_arc_verifier *v);
/* Why (mailauth_arc_reason). */
MAILAUTH_API int mailauth_arc_verifier_reason(const mailauth_arc_verifier *v);
/* The instance the reason concerns (the failing set), or 0. */
MAILAUTH_API unsigned mailauth_arc_verifier_failed_instance(const mailauth_arc_verifier *v);
/* The number of ARC sets: the highest instance found (0 = no chain). Known after finish. */
MAILAUTH_API unsigned mailauth_arc_verifier_count(const mailauth_arc_verifier *v);
/* arc.oldest-pass (RFC 8617 §5.2 step 6), when oldest_pass was asked and the latest AMS
 * passed: the lowest instance from which every AMS up to the latest verifies, or 0 when all
 * of them do (the message is as the first hop sealed it). 0 otherwise. */
MAILAUTH_API unsigned mailauth_arc_verifier_oldest_pass(const mailauth_arc_verifier *v);

/* What was found about the set of one instance. Strings are NUL-terminated, borrowed from the
 * verifier and live until it is freed; "" when absent or unreadable. Verdicts are
 * mailauth_result values: PASS, FAIL, TEMPERROR, or NONE when that member was not verified
 * (the chain was decided before it, or an older AMS without oldest_pass). */
typedef struct mailauth_arc_set {
    size_t struct_size;        /* set by the caller: sizeof(mailauth_arc_set) */
    unsigned instance;
    int seal_cv;               /* the cv= the seal carries: NONE, PASS or FAIL; -1 unreadable */
    int seal_result;
    int seal_reason;           /* mailauth_dkim_reason */
    const char *seal_domain;   /* ARC-Seal d= */
    const char *seal_selector; /* ARC-Seal s= */
    int ams_result;
    int ams_reason;            /* mailauth_dkim_reason */
    const char *ams_domain;    /* ARC-Message-Signature d= */
    const char *ams_selector;
    const char *aar;           /* the ARC-Authentication-Results field body (after the colon,
                                * "i=N; authserv-id; ...") for mailauth_ar_parse() */
} mailauth_arc_set;

/* Fills `out` (its struct_size set by the caller) for the set of `instance` (1..count).
 * Returns 0 or MAILAUTH_E_INVAL (before finish, no such instance). */
MAILAUTH_API int mailauth_arc_verifier_set(const mailauth_arc_verifier *v, unsigned instance,
                                           mailauth_arc_set *out);

/* One call: verifies the whole message in `msg` through `resolver` (blocking) and returns the
 * verifier holding the results (free it with mailauth_arc_verifier_free()). Errors as for the
 * calls it makes; *out is NULL on failure. */
MAILAUTH_API int mailauth_arc_verify(const mailauth_arc_verify_options *opts,
                                     const mailauth_resolver *resolver, const void *msg,
                                     size_t len, mailauth_arc_verifier **out);

/* Appends the verdict of a finished verifier to an Authentication-Results model (see
 * "Authentication-Results" below): "arc=<result> (<reason>)", with header.oldest-pass when
 * it was computed (RFC 8617 §10.1). 0, MAILAUTH_E_INVAL (not done) or MAILAUTH_E_NOMEM. */
struct mailauth_ar;
MAILAUTH_API int mailauth_arc_to_ar(const mailauth_arc_verifier *v, struct mailauth_ar *ar);

/* ---- sealing ---- */

/* Sealing options (RFC 8617 §5.1). domain, selector and authserv_id are required.
 *  cv / chain: the validation status of the incoming chain. With `chain` set (a verifier of
 *    the same message whose verdict is known; read by finish, so it must live until then)
 *    its verdict is used; otherwise `cv` (MAILAUTH_RESULT_NONE, PASS or FAIL). With no
 *    incoming sets the status is none whatever is given; with sets, NONE is an error; sets
 *    that are malformed (see the verifier's STRUCTURE) are sealed as fail whatever is given.
 *  auth_results: the results this hop found, written into the ARC-Authentication-Results
 *    after "i=N; authserv_id;": resinfo text separated by ";" ("spf=pass
 *    smtp.mailfrom=a.example; dkim=pass header.d=a.example"), folding allowed, no other
 *    CR or LF. NULL = collected from the message's Authentication-Results fields whose
 *    authserv-id is authserv_id (ASCII case ignored), top-most first, each result once in
 *    order. No result at all is written "none".
 *  headers/header_count: the AMS h= list as given (lower-cased in the field); it must name
 *    From and must not name ARC-Seal. NULL = the DKIM signer's default set plus
 *    DKIM-Signature, each listed as many times as the message has it.
 *  The AMS is c=relaxed/relaxed; t= (both fields) is the clock's time. The algorithm is the
 *  key's: rsa-sha256 or ed25519-sha256. */
typedef struct mailauth_arc_seal_options {
    size_t struct_size;          /* sizeof(mailauth_arc_seal_options) */
    const char *domain;          /* d= of both signatures */
    const char *selector;        /* s= */
    const char *authserv_id;
    const char *auth_results;
    int cv;                      /* mailauth_result */
    const mailauth_arc_verifier *chain;
    const char *const *headers;
    size_t header_count;
    mailauth_clock_fn clock;     /* NULL = time() */
    void *clock_user;
    size_t max_header_bytes;     /* 0 = 1 MiB */
    size_t max_header_fields;    /* 0 = 1000 */
} mailauth_arc_seal_options;

/* Fills `opts` with the defaults (all zero, struct_size set). */
MAILAUTH_API void mailauth_arc_seal_options_init(mailauth_arc_seal_options *opts);

typedef struct mailauth_arc_sealer mailauth_arc_sealer; /* opaque, one per message */

/* A sealer for one message with `key` (which must outlive it). The options are copied (the
 * strings too; `chain` is kept as a pointer). Returns 0, MAILAUTH_E_INVAL (a required option
 * missing or malformed, a header list without From, with ARC-Seal or of more than 128 names,
 * a cv outside NONE/PASS/FAIL, result text with a bare CR or LF or another control; a key
 * that is neither RSA nor Ed25519) or MAILAUTH_E_NOMEM. */
MAILAUTH_API int mailauth_arc_sealer_new(const mailauth_arc_seal_options *opts,
                                         const mailauth_dkim_key *key,
                                         mailauth_arc_sealer **out);
MAILAUTH_API void mailauth_arc_sealer_free(mailauth_arc_sealer *s); /* NULL is fine */
/* Feeds the message as mailauth_arc_verifier_feed() does. Same errors. */
MAILAUTH_API int mailauth_arc_sealer_feed(mailauth_arc_sealer *s, const void *data, size_t len);
/* Ends the message and seals it: *fields (borrowed from the sealer, NUL-terminated, *len
 * octets; `len` may be NULL) is the new set, "ARC-Seal: ...", "ARC-Message-Signature: ...",
 * "ARC-Authentication-Results: ..." in that order, each folded with CRLF (b= values are kept
 * on one line) and ending with CRLF, ready to prepend. When the chain status is fail the
 * seal covers only the new set (RFC 8617 §5.1.2). No set is made — 0 with *fields NULL and
 * *len 0, mailauth_arc_sealer_reason() saying why — when the latest incoming seal already
 * says cv=fail (SEALED_FAIL), when the message has 50 sets (STRUCTURE), or when `chain`'s
 * verdict is TEMPERROR (TEMPFAIL). Returns 0, MAILAUTH_E_INVAL (no From field; the message
 * has sets but no cv was given; `chain` not done, or counting another number of sets than
 * this message has; called twice), MAILAUTH_E_LIMIT or MAILAUTH_E_NOMEM. */
MAILAUTH_API int mailauth_arc_sealer_finish(mailauth_arc_sealer *s, const char **fields,
                                            size_t *len);
/* After finish: MAILAUTH_ARC_OK when a set was made, else the mailauth_arc_reason why not. */
MAILAUTH_API int mailauth_arc_sealer_reason(const mailauth_arc_sealer *s);
/* The instance of the set made (0 when none). */
MAILAUTH_API unsigned mailauth_arc_sealer_instance(const mailauth_arc_sealer *s);

/* One call: seals the whole message in `msg`. *fields is allocated, NUL-terminated (NULL
 * when no set is made); free it with mailauth_arc_free(). Errors as for the sealer. */
MAILAUTH_API int mailauth_arc_seal(const mailauth_arc_seal_options *opts,
                                   const mailauth_dkim_key *key, const void *msg, size_t len,
                                   char **fields, size_t *fields_len);
/* Frees what mailauth_arc_seal() returned. NULL is fine. */
MAILAUTH_API void mailauth_arc_free(void *p);

/* ------------------------------------------------------------------------------------------ */
/* SPF                                                                                         */

/* Sender Policy Framework, RFC 7208: is a client IP address allowed to use a domain in the
 * MAIL FROM (or HELO) identity?
 *
 * One mailauth_spf object runs one check at a time: mailauth_spf_begin() (or the general
 * mailauth_spf_check_host()) sets the identity, then mailauth_spf_run() with a resolver, or
 * mailauth_spf_step() / mailauth_spf_answer() (see "Step-by-step checks"), finds the verdict,
 * which the accessors then read. The object can be reused for the next check.
 *
 * What is implemented: record selection (exactly one TXT record starting "v=spf1"; SPF RR type
 * 99 is not asked), the whole record syntax of §12 (a syntax error anywhere is a permerror),
 * every mechanism (all include a mx ptr ip4 ip6 exists, with dual CIDR lengths), redirect= and
 * exp= (others ignored; a repeated redirect= or exp= is a permerror), macros (§7, all letters,
 * transformers, delimiters, URL escaping for upper-case letters; c r t only in explanations),
 * the limits of §4.6.4, domain checks of §4.3 (a malformed or single-label domain gives
 * none) and §4.8 (an expanded name longer than 253 octets loses labels from the left), and
 * the explanation of a fail (§6.2), looked up outside the limits.
 *
 * Results (mailauth_result): NONE, NEUTRAL, PASS, FAIL, SOFTFAIL, TEMPERROR, PERMERROR.
 *
 * Internationalized domains (RFC 8616 §4): a domain or an expanded target name holding
 * U-labels is used in its A-label form (IDNA2008 through libidn2); one that is not a valid IDN
 * gives none (the checked domain) or matches nothing (a target). SPF RR type 99 is not asked.
 *
 * Limits that cannot be set: a record of at most 65535 octets (a TXT record cannot hold
 * more), a macro expansion of at most MAILAUTH_SPF_EXPAND_MAX octets (a longer target name is a
 * permerror, a longer explanation gives the default one), include/redirect nesting no deeper
 * than max_dns_mechanisms + 1, at most 4096 distinct lookups per check (more than the default
 * limits can reach; past it the verdict is a permerror, "too many DNS lookups"). A
 * target name that is not a valid domain name (an empty label, one over 63 octets) matches
 * nothing, as a name that does not exist. */
typedef struct mailauth_spf mailauth_spf; /* opaque; one thread at a time */

/* Which identity mailauth_spf_begin() checks (RFC 7208 §2.3, §2.4). */
typedef enum {
    MAILAUTH_SPF_MAILFROM = 0, /* the MAIL FROM domain; "postmaster@<helo>" for a null sender */
    MAILAUTH_SPF_HELO = 1      /* the HELO/EHLO domain, sender "postmaster@<helo>" */
} mailauth_spf_identity;

#define MAILAUTH_SPF_DEFAULT_DNS_MECHANISMS 10
#define MAILAUTH_SPF_DEFAULT_VOID_LOOKUPS 2
#define MAILAUTH_SPF_DEFAULT_MX_NAMES 10
#define MAILAUTH_SPF_DEFAULT_PTR_NAMES 10
#define MAILAUTH_SPF_MAX_DNS_MECHANISMS 100 /* larger settings are cut to this */
#define MAILAUTH_SPF_EXPAND_MAX 8192
#define MAILAUTH_SPF_DEFAULT_EXPLANATION "SPF check failed"

/* Options (0 / NULL in a field = its default). The limits are those of RFC 7208 §4.6.4. */
typedef struct mailauth_spf_options {
    size_t struct_size;          /* sizeof(mailauth_spf_options) */
    unsigned max_dns_mechanisms; /* include a mx ptr exists redirect terms evaluated in one
                                  * check; one more is a permerror; 0 = 10 (at most 100) */
    unsigned max_void_lookups;   /* lookups of a, mx, ptr and exists answering NXDOMAIN or no
                                  * data; one more is a permerror; 0 = 2 */
    unsigned max_mx_names;       /* MX records an "mx" mechanism reads; more is a permerror;
                                  * 0 = 10 */
    unsigned max_ptr_names;      /* PTR names "ptr" and %{p} check; the rest are ignored;
                                  * 0 = 10 */
    const char *receiver;        /* this host's domain for %{r} and Received-SPF; NULL =
                                  * "unknown" (copied) */
    const char *default_explanation; /* the explanation of a fail without a usable exp=;
                                      * NULL = MAILAUTH_SPF_DEFAULT_EXPLANATION (copied) */
    mailauth_clock_fn clock;     /* for %{t}; NULL = time() */
    void *clock_user;
} mailauth_spf_options;

/* Fills `opts` with the defaults (all zero, struct_size set). */
MAILAUTH_API void mailauth_spf_options_init(mailauth_spf_options *opts);

/* A new SPF checker. `opts` may be NULL. Returns 0, MAILAUTH_E_INVAL or MAILAUTH_E_NOMEM.
 * Free with mailauth_spf_free(). */
MAILAUTH_API int mailauth_spf_new(const mailauth_spf_options *opts, mailauth_spf **out);
MAILAUTH_API void mailauth_spf_free(mailauth_spf *spf); /* NULL is fine */

/* Starts a check of one identity of an SMTP session: `ip` the client address (IPv4 or IPv6
 * text; ::ffff:a.b.c.d is taken as IPv4), `helo` the HELO/EHLO argument, `mail_from` the
 * MAIL FROM address without angle brackets ("" or NULL for the null sender; "@domain" gets
 * the local part "postmaster"). For MAILAUTH_SPF_MAILFROM the domain checked is that of
 * `mail_from` (of postmaster@<helo> for a null sender); for MAILAUTH_SPF_HELO it is `helo`.
 * Forgets the previous check's answers and result. Returns 0, MAILAUTH_E_INVAL (a NULL
 * argument other than mail_from, an unknown identity, `ip` not an address) or
 * MAILAUTH_E_NOMEM. A domain that cannot be checked is not an error: the verdict is NONE. */
MAILAUTH_API int mailauth_spf_begin(mailauth_spf *spf, int identity, const char *ip,
                                    const char *helo, const char *mail_from);

/* Starts check_host(<ip>, <domain>, <sender>) of RFC 7208 §4 as such; `helo` (may be NULL)
 * is only for %{h}. Same returns as mailauth_spf_begin(). */
MAILAUTH_API int mailauth_spf_check_host(mailauth_spf *spf, const char *ip, const char *domain,
                                         const char *sender, const char *helo);

/* Step-by-step evaluation (see "Step-by-step checks"): 0 when the verdict is known,
 * MAILAUTH_NEED_DNS with `query` filled, or MAILAUTH_E_INVAL (no check begun),
 * MAILAUTH_E_NOMEM. */
MAILAUTH_API int mailauth_spf_step(mailauth_spf *spf, mailauth_query *query);
/* The answer to the last query _step asked. 0, MAILAUTH_E_INVAL (no query pending),
 * MAILAUTH_E_NOMEM or MAILAUTH_E_LIMIT. */
MAILAUTH_API int mailauth_spf_answer(mailauth_spf *spf, const mailauth_dns_answer *answer);
/* Blocking evaluation through `resolver`. 0, MAILAUTH_E_INVAL or MAILAUTH_E_NOMEM. */
MAILAUTH_API int mailauth_spf_run(mailauth_spf *spf, const mailauth_resolver *resolver);

/* The verdict (mailauth_result) once _step or _run returned 0; MAILAUTH_RESULT_NONE before. */
MAILAUTH_API int mailauth_spf_result(const mailauth_spf *spf);
/* The explanation of a FAIL (the exp= text, macro-expanded, or the default explanation);
 * NULL for other verdicts. Borrowed; lives until the next begin or free. */
MAILAUTH_API const char *mailauth_spf_explanation(const mailauth_spf *spf);
/* The term that gave the verdict, as written ("ip4:192.0.2.0/24", "-all",
 * "include:_spf.example.net"): a term of the checked domain's record, or after a redirect= one
 * of the target's (the redirect= term itself when nothing there matched); NULL when no term
 * did (NONE, TEMPERROR, PERMERROR, or NEUTRAL because nothing matched). Borrowed. */
MAILAUTH_API const char *mailauth_spf_mechanism(const mailauth_spf *spf);
/* The domain checked (the <domain> of the first check_host()); NULL before a begin. */
MAILAUTH_API const char *mailauth_spf_domain(const mailauth_spf *spf);
/* The sender as checked ("postmaster@helo" for a null sender); NULL before a begin. */
MAILAUTH_API const char *mailauth_spf_sender(const mailauth_spf *spf);
/* Why the verdict is PERMERROR, TEMPERROR or NONE, in English ("too many DNS lookups",
 * "syntax error at offset 7 in the record of example.com"); NULL otherwise. Borrowed. */
MAILAUTH_API const char *mailauth_spf_problem(const mailauth_spf *spf);
/* DNS lookups the last evaluation made that count against max_dns_mechanisms. */
MAILAUTH_API unsigned mailauth_spf_dns_mechanisms(const mailauth_spf *spf);

/* The value of a Received-SPF header field for the verdict (RFC 7208 §9.1): the result, a
 * comment, and the key-value pairs client-ip, envelope-from, helo, receiver, mechanism or
 * problem, and identity. Borrowed (until the next call on `spf`), NUL-terminated, not folded.
 * 0, MAILAUTH_E_INVAL (no verdict yet) or MAILAUTH_E_NOMEM. */
MAILAUTH_API int mailauth_spf_received_spf(mailauth_spf *spf, const char **out);

/* ------------------------------------------------------------------------------------------ */
/* DMARC                                                                                       */

/* DMARC (RFC 7489), with the rules of its revision RFC 9989 ("DMARCbis") as an option.
 *
 * The check takes plain values — the RFC 5322.From field value (or its domain), the SPF
 * result with the domain it was for (MAIL FROM, or HELO when MAIL FROM was empty), and any
 * number of DKIM results with their d= — finds the policy in the DNS, decides alignment,
 * and says what the Domain Owner asks for (the policy) and what to do with the message
 * (the disposition). SPF and DKIM themselves are run by the caller.
 *
 * Two modes, chosen in the options:
 *  - MAILAUTH_DMARC_MODE_RFC7489 (the default): the Organizational Domain is the registrable
 *    domain by the Public Suffix List (libpsl); the policy is looked up at the From domain,
 *    then at its Organizational Domain (§6.6.3); several DMARC records at a name end the
 *    search; pct= samples the policy; t= and psd= are read but have no effect.
 *  - MAILAUTH_DMARC_MODE_RFC9989: no list; the Organizational Domain and the policy are
 *    found by the DNS Tree Walk (RFC 9989 §4.10: at most 8 queries, names of 8 or more
 *    labels cut to 7 after the first query, psd=y / psd=n stop the walk); several records at a
 *    name are discarded and the walk goes on; pct= has no effect, t=y lowers the policy one
 *    step (reject → quarantine → none).
 * In both, np= applies to a non-existent subdomain (no A, AAAA or MX records; RFC 9091 /
 * RFC 9989) when the record present is the Organizational Domain's (or a PSD's), and a
 * record whose p= is missing or invalid but that has a valid rua= is read as p=none. */

/* Requested policies, also the disposition of a message. */
typedef enum {
    MAILAUTH_DMARC_POLICY_NONE = 0,
    MAILAUTH_DMARC_POLICY_QUARANTINE = 1,
    MAILAUTH_DMARC_POLICY_REJECT = 2
} mailauth_dmarc_policy_kind;

/* "none", "quarantine", "reject"; "unknown" for anything else. */
MAILAUTH_API const char *mailauth_dmarc_policy_name(int policy);

typedef enum {
    MAILAUTH_DMARC_RELAXED = 0, /* adkim=r / aspf=r: the same Organizational Domain */
    MAILAUTH_DMARC_STRICT = 1   /* adkim=s / aspf=s: the same domain */
} mailauth_dmarc_alignment;

/* psd= (RFC 9989 §4.7): u (not said; the default), y (a Public Suffix Domain), n (the
 * Organizational Domain). */
typedef enum {
    MAILAUTH_DMARC_PSD_UNSET = 0,
    MAILAUTH_DMARC_PSD_YES = 1,
    MAILAUTH_DMARC_PSD_NO = 2
} mailauth_dmarc_psd;

/* fo= options (a set) and rf= formats. */
enum {
    MAILAUTH_DMARC_FO_0 = 1u << 0, /* report when every mechanism fails (the default) */
    MAILAUTH_DMARC_FO_1 = 1u << 1, /* report when any mechanism fails */
    MAILAUTH_DMARC_FO_D = 1u << 2, /* report DKIM failures */
    MAILAUTH_DMARC_FO_S = 1u << 3  /* report SPF failures */
};
enum { MAILAUTH_DMARC_RF_AFRF = 1u << 0 };

/* The tags of a record, as bits of mailauth_dmarc_record_tags() (present) and
 * mailauth_dmarc_record_invalid() (present with a value that does not follow the RFC's
 * grammar, and so replaced by the default, RFC 7489 §6.3). MALFORMED is a part of the record
 * that is not tag=value at all (it is ignored). Unknown tags are ignored and not counted. */
enum {
    MAILAUTH_DMARC_TAG_P = 1u << 0,
    MAILAUTH_DMARC_TAG_SP = 1u << 1,
    MAILAUTH_DMARC_TAG_NP = 1u << 2,
    MAILAUTH_DMARC_TAG_ADKIM = 1u << 3,
    MAILAUTH_DMARC_TAG_ASPF = 1u << 4,
    MAILAUTH_DMARC_TAG_PCT = 1u << 5,
    MAILAUTH_DMARC_TAG_FO = 1u << 6,
    MAILAUTH_DMARC_TAG_RF = 1u << 7,
    MAILAUTH_DMARC_TAG_RI = 1u << 8,
    MAILAUTH_DMARC_TAG_RUA = 1u << 9,
    MAILAUTH_DMARC_TAG_RUF = 1u << 10,
    MAILAUTH_DMARC_TAG_PSD = 1u << 11,
    MAILAUTH_DMARC_TAG_T = 1u << 12,
    MAILAUTH_DMARC_TAG_MALFORMED = 1u << 13
};

/* At most this many URIs of one rua= or ruf= list are kept; the rest are ignored (RFC 7489
 * §6.2 lets receivers limit them). */
#define MAILAUTH_DMARC_MAX_URIS 32

/* One URI of rua= or ruf=. `uri` is as written (without the size limit); for a mailto: URI,
 * `address` is its addr-spec percent-decoded (without "?" header fields) and `domain` the
 * part after its last '@' in lower case; both are NULL for other schemes, and `domain` is NULL
 * when the address has none. `max_size` is the "!" limit in octets (k, m, g, t are 2^10,
 * 2^20, 2^30, 2^40; a value past 2^64 - 1 is taken as that), 0 when none. */
typedef struct mailauth_dmarc_uri {
    const char *uri;
    size_t uri_len;
    const char *address;
    const char *domain;
    uint64_t max_size;
} mailauth_dmarc_uri;

/* A parsed DMARC record: read-only, may be shared between threads. */
typedef struct mailauth_dmarc_record mailauth_dmarc_record;

/* Why a text is not a usable DMARC record. */
typedef enum {
    MAILAUTH_DMARC_ERR_NONE = 0,
    MAILAUTH_DMARC_ERR_EMPTY = 1,      /* nothing but whitespace */
    MAILAUTH_DMARC_ERR_VERSION = 2,    /* does not start with v=DMARC1 (not a DMARC record) */
    MAILAUTH_DMARC_ERR_DUPLICATE = 3,  /* a tag appears twice (RFC 6376 §3.2 tag lists) */
    MAILAUTH_DMARC_ERR_NO_POLICY = 4,  /* no p= and no valid rua= */
    MAILAUTH_DMARC_ERR_BAD_POLICY = 5  /* p= or sp= invalid and no valid rua= (§6.6.3) */
} mailauth_dmarc_record_error_kind;

typedef struct mailauth_dmarc_record_error {
    int kind;            /* mailauth_dmarc_record_error_kind */
    size_t offset;       /* where in the text */
    const char *message; /* static English text */
} mailauth_dmarc_record_error;

/* Parses `len` octets of a DMARC record (the TXT record's strings joined). Tags are
 * separated by ';' with optional whitespace, empty parts are skipped, tag names are compared
 * without regard to ASCII case, values of known tags likewise (but v=DMARC1 exactly, and
 * first). An invalid value of an optional tag is replaced by its default and flagged in
 * mailauth_dmarc_record_invalid(); a missing or invalid p= (or an invalid sp=) with at least
 * one valid rua= URI gives p=none (RFC 7489 §6.6.3).
 * Returns 0 with *out set (free with mailauth_dmarc_record_free()); MAILAUTH_E_SYNTAX when the
 * text is not a usable record, with `err` (may be NULL) saying why; MAILAUTH_E_INVAL,
 * MAILAUTH_E_NOMEM. */
MAILAUTH_API int mailauth_dmarc_record_parse(const char *text, size_t len,
                                             mailauth_dmarc_record **out,
                                             mailauth_dmarc_record_error *err);
MAILAUTH_API void mailauth_dmarc_record_free(mailauth_dmarc_record *rec); /* NULL is fine */

/* Values with the defaults applied: sp defaults to p, np to sp; adkim and aspf to relaxed;
 * pct to 100; fo to MAILAUTH_DMARC_FO_0; rf to AFRF; ri to 86400; psd to UNSET; t to 0. */
MAILAUTH_API int mailauth_dmarc_record_p(const mailauth_dmarc_record *rec);
MAILAUTH_API int mailauth_dmarc_record_sp(const mailauth_dmarc_record *rec);
MAILAUTH_API int mailauth_dmarc_record_np(const mailauth_dmarc_record *rec);
MAILAUTH_API int mailauth_dmarc_record_adkim(const mailauth_dmarc_record *rec);
MAILAUTH_API int mailauth_dmarc_record_aspf(const mailauth_dmarc_record *rec);
MAILAUTH_API unsigned mailauth_dmarc_record_pct(const mailauth_dmarc_record *rec);
MAILAUTH_API unsigned mailauth_dmarc_record_fo(const mailauth_dmarc_record *rec);
MAILAUTH_API unsigned mailauth_dmarc_record_rf(const mailauth_dmarc_record *rec);
MAILAUTH_API uint32_t mailauth_dmarc_record_ri(const mailauth_dmarc_record *rec);
MAILAUTH_API int mailauth_dmarc_record_psd(const mailauth_dmarc_record *rec);
MAILAUTH_API int mailauth_dmarc_record_testing(const mailauth_dmarc_record *rec); /* t=y */
MAILAUTH_API unsigned mailauth_dmarc_record_tags(const mailauth_dmarc_record *rec);
MAILAUTH_API unsigned mailauth_dmarc_record_invalid(const mailauth_dmarc_record *rec);
/* The valid URIs of rua= / ruf=, in order (invalid ones are left out and flag the tag).
 * The i-th, or NULL when i >= count; borrowed from the record. */
MAILAUTH_API size_t mailauth_dmarc_record_rua_count(const mailauth_dmarc_record *rec);
MAILAUTH_API const mailauth_dmarc_uri *mailauth_dmarc_record_rua(const mailauth_dmarc_record *rec,
                                                                 size_t i);
MAILAUTH_API size_t mailauth_dmarc_record_ruf_count(const mailauth_dmarc_record *rec);
MAILAUTH_API const mailauth_dmarc_uri *mailauth_dmarc_record_ruf(const mailauth_dmarc_record *rec,
                                                                 size_t i);

/* A loaded Public Suffix List (libpsl), read-only once made: share one between checks and
 * threads, since loading costs time and memory. */
typedef struct mailauth_psl mailauth_psl;

/* Loads the list from `file` (the text form of publicsuffix.org), or with `file` NULL the
 * newest the system has (libpsl's psl_latest(): the distribution's list, else the one built
 * into libpsl). Returns 0, MAILAUTH_E_INVAL (an unreadable file) or MAILAUTH_E_NOMEM. */
MAILAUTH_API int mailauth_psl_new(const char *file, mailauth_psl **out);
MAILAUTH_API void mailauth_psl_free(mailauth_psl *psl); /* NULL is fine */

/* The Organizational Domain of `domain` by the list (RFC 7489 §3.2: the public suffix and
 * one more label; a domain that is itself a public suffix is its own), lower case, without a
 * trailing dot, in `buf` of `size` octets (254 always suffice). Returns 0, MAILAUTH_E_INVAL
 * (not a domain name: empty labels, over 253 octets, non-ASCII that is not valid IDNA2008 —
 * U-labels are converted to A-labels) or MAILAUTH_E_LIMIT (`buf` too small; it is then ""). */
MAILAUTH_API int mailauth_org_domain(const mailauth_psl *psl, const char *domain, char *buf,
                                     size_t size);

typedef enum {
    MAILAUTH_DMARC_MODE_RFC7489 = 0, /* Organizational Domain by the Public Suffix List */
    MAILAUTH_DMARC_MODE_RFC9989 = 1  /* Organizational Domain and policy by DNS Tree Walk */
} mailauth_dmarc_mode;

/* A random number, uniform over 0 .. 2^32 - 1 (for pct= sampling). */
typedef uint32_t (*mailauth_random_fn)(void *user);

/* Options of a check (0 / NULL = the default in the comment). */
typedef struct mailauth_dmarc_options {
    size_t struct_size;        /* sizeof(mailauth_dmarc_options) */
    int mode;                  /* mailauth_dmarc_mode; 0 = RFC 7489 (PSL) */
    const mailauth_psl *psl;   /* RFC 7489 mode: the list (must outlive the check); NULL =
                                * the check loads psl_file itself when it needs it */
    const char *psl_file;      /* used when psl is NULL; NULL = the system's list */
    mailauth_random_fn random; /* pct= sampling; NULL = getentropy() */
    void *random_user;
    size_t max_dkim;           /* DKIM results taken; more fail with MAILAUTH_E_LIMIT; 0 = 16 */
} mailauth_dmarc_options;

#define MAILAUTH_DMARC_DEFAULT_MAX_DKIM 16

/* Fills `opts` with the defaults (all zero, struct_size set). */
MAILAUTH_API void mailauth_dmarc_options_init(mailauth_dmarc_options *opts);

/* One DMARC check (one message). */
typedef struct mailauth_dmarc mailauth_dmarc;

/* Returns 0, MAILAUTH_E_INVAL or MAILAUTH_E_NOMEM. Free with mailauth_dmarc_free(). */
MAILAUTH_API int mailauth_dmarc_new(const mailauth_dmarc_options *opts, mailauth_dmarc **out);
MAILAUTH_API void mailauth_dmarc_free(mailauth_dmarc *dm); /* NULL is fine */

/* The inputs, set before the first _step or _run (after it they give MAILAUTH_E_INVAL).
 *
 * mailauth_dmarc_set_from(): `len` octets of the RFC 5322.From field's value (one field:
 * a message with none or several From fields is the caller's to refuse, RFC 7489 §6.6.1),
 * parsed with libmailparse's address parser. The Author Domains are the distinct domains of
 * its mailboxes (compared as lower-case A-labels), in the order they first appear; entries
 * without one are skipped. When there is none, or more than MAILAUTH_DMARC_MAX_AUTHORS, or a
 * domain is not a valid name, the verdict will be permerror without any lookup (and no
 * Author Domain is kept). Several Author Domains are each checked as described below.
 * mailauth_dmarc_set_from_domain(): the Author Domain itself.
 * mailauth_dmarc_set_spf(): the SPF result (mailauth_result) and the domain it was for.
 * mailauth_dmarc_add_dkim(): one DKIM result and the signature's d=; at most max_dkim.
 * Domains may be U-labels (converted to A-labels), ASCII case and a trailing dot do not
 * matter. Each returns 0, MAILAUTH_E_INVAL, MAILAUTH_E_LIMIT or MAILAUTH_E_NOMEM. A domain
 * that is not a valid name is kept as never aligned. */
#define MAILAUTH_DMARC_MAX_AUTHORS 8
MAILAUTH_API int mailauth_dmarc_set_from(mailauth_dmarc *dm, const char *value, size_t len);
MAILAUTH_API int mailauth_dmarc_set_from_domain(mailauth_dmarc *dm, const char *domain);
MAILAUTH_API int mailauth_dmarc_set_spf(mailauth_dmarc *dm, const char *domain, int result);
MAILAUTH_API int mailauth_dmarc_add_dkim(mailauth_dmarc *dm, const char *domain, int result);

/* Step by step and blocking, as described under "Step-by-step checks" (for each Author
 * Domain a check asks at most 8 _dmarc names for its policy and 8 more for each domain it
 * aligns, plus A, AAAA and MX of the Author Domain when np= matters). _step and _run return
 * 0 when the verdict is known, or MAILAUTH_E_INVAL (no From set), MAILAUTH_E_NOMEM,
 * MAILAUTH_E_LIMIT (more than 512 distinct lookups); _answer returns 0, MAILAUTH_E_INVAL (no
 * question pending) or MAILAUTH_E_NOMEM. */
MAILAUTH_API int mailauth_dmarc_step(mailauth_dmarc *dm, mailauth_query *query);
MAILAUTH_API int mailauth_dmarc_answer(mailauth_dmarc *dm, const mailauth_dns_answer *answer);
MAILAUTH_API int mailauth_dmarc_run(mailauth_dmarc *dm, const mailauth_resolver *resolver);

/* Several Author Domains (RFC 7489 §6.6.1: "apply the DMARC check using each of those
 * domains ... as the Author Domain and apply the most strict policy selected among the checks
 * that fail"): each is checked on its own (policy discovery and alignment with the same SPF
 * and DKIM results), in one step-by-step or blocking run. The verdict is fail when any check
 * fails; else temperror when any gave temperror; else permerror when any gave permerror; else
 * pass when any passed; else none. The deciding Author Domain is, for fail, the failing one
 * with the strictest disposition (reject > quarantine > none), then the strictest policy,
 * then the first; otherwise the first whose result is the verdict. The reason, policy,
 * disposition, policy tag, sampling (one random draw serves every domain), alignments, the
 * record and the from/org/record domains below are all the deciding domain's. The mode
 * MAILAUTH_DMARC_MODE_RFC9989 uses the same rule (a receiver may also refuse such a message
 * outright: that is the caller's choice, with mailauth_dmarc_author_count() > 1). */

/* The verdict (once _step/_run returned 0): MAILAUTH_RESULT_PASS (an aligned SPF or DKIM
 * pass), FAIL, NONE (no DMARC record), TEMPERROR (a lookup failed for now), PERMERROR (an
 * unusable From, or only unusable or several DMARC records where the policy was sought;
 * DMARC is then not applied). */
MAILAUTH_API int mailauth_dmarc_result(const mailauth_dmarc *dm);
/* Why, in a static English sentence (for Authentication-Results comments); never NULL. */
MAILAUTH_API const char *mailauth_dmarc_reason(const mailauth_dmarc *dm);
/* The policy the Domain Owner asks for this message (p=, sp= or np= of the record found;
 * NONE without a record), and what to do: the policy when the verdict is fail, lowered one
 * step when sampled out by pct= (RFC 7489) or asked by t=y (RFC 9989); NONE otherwise. */
MAILAUTH_API int mailauth_dmarc_policy(const mailauth_dmarc *dm);
MAILAUTH_API int mailauth_dmarc_disposition(const mailauth_dmarc *dm);
/* Which rule gave the policy: MAILAUTH_DMARC_TAG_P (the record is the From domain's), _SP (a
 * subdomain; also when sp= is absent and p= stands in) or _NP (a non-existent subdomain whose
 * np= differs from sp=); 0 without a record. */
MAILAUTH_API unsigned mailauth_dmarc_policy_tag(const mailauth_dmarc *dm);
/* Non-zero when pct= sampling left the message out (the disposition was lowered). */
MAILAUTH_API int mailauth_dmarc_sampled_out(const mailauth_dmarc *dm);
/* Alignment of each mechanism: MAILAUTH_RESULT_PASS (passed and aligned), FAIL (passed, not
 * aligned), NONE (did not pass, or no record to align with). DKIM: the best of all
 * signatures, and each in the order added. */
MAILAUTH_API int mailauth_dmarc_spf_alignment(const mailauth_dmarc *dm);
MAILAUTH_API int mailauth_dmarc_dkim_alignment(const mailauth_dmarc *dm);
MAILAUTH_API size_t mailauth_dmarc_dkim_count(const mailauth_dmarc *dm);
MAILAUTH_API int mailauth_dmarc_dkim_alignment_at(const mailauth_dmarc *dm, size_t i);
/* The Author Domain (NULL when the From gave none; with several, the first until the check is
 * done, then the deciding one), its Organizational Domain and the domain whose _dmarc record
 * was used (NULL when none), lower case A-labels; the record itself (NULL when none). Borrowed
 * from the check. */
MAILAUTH_API const char *mailauth_dmarc_from_domain(const mailauth_dmarc *dm);
MAILAUTH_API const char *mailauth_dmarc_org_domain(const mailauth_dmarc *dm);
MAILAUTH_API const char *mailauth_dmarc_record_domain(const mailauth_dmarc *dm);
MAILAUTH_API const mailauth_dmarc_record *mailauth_dmarc_get_record(const mailauth_dmarc *dm);
/* The Author Domains (0 when the From gave none usable; at most MAILAUTH_DMARC_MAX_AUTHORS)
 * and for the i-th, in From order: the domain (lower case A-labels, borrowed), and once the
 * check is done its own result and policy (NONE before). Any out pointer may be NULL.
 * mailauth_dmarc_author_at() returns 0, or MAILAUTH_E_INVAL past the count. */
MAILAUTH_API size_t mailauth_dmarc_author_count(const mailauth_dmarc *dm);
MAILAUTH_API int mailauth_dmarc_author_at(const mailauth_dmarc *dm, size_t i, const char **domain,
                                          int *result, int *policy);

/* Report destinations (RFC 7489 §7.1, RFC 9990 §3): a mailto: destination whose domain is
 * not in the Organizational Domain of the domain that published the record must authorise it
 * with a TXT record "v=DMARC1..." at <policy-domain>._report._dmarc.<destination-domain>.
 * A check of a list of destinations, step by step or blocking like the others; it uses the
 * options' mode for Organizational Domains. */
typedef struct mailauth_dmarc_report_check mailauth_dmarc_report_check;

/* `policy_domain`: the domain whose _dmarc record listed the destinations
 * (mailauth_dmarc_record_domain()). Returns 0, MAILAUTH_E_INVAL or MAILAUTH_E_NOMEM. */
MAILAUTH_API int mailauth_dmarc_report_check_new(const mailauth_dmarc_options *opts,
                                                 const char *policy_domain,
                                                 mailauth_dmarc_report_check **out);
MAILAUTH_API void mailauth_dmarc_report_check_free(mailauth_dmarc_report_check *rc);
/* Adds a destination: an e-mail address, or every URI of a record's rua= (`ruf` 0) or ruf=
 * (`ruf` 1). Before the first _step / _run. 0, MAILAUTH_E_INVAL, MAILAUTH_E_LIMIT (more than
 * 64 destinations) or MAILAUTH_E_NOMEM. */
MAILAUTH_API int mailauth_dmarc_report_check_add_address(mailauth_dmarc_report_check *rc,
                                                         const char *address);
MAILAUTH_API int mailauth_dmarc_report_check_add_record(mailauth_dmarc_report_check *rc,
                                                        const mailauth_dmarc_record *rec,
                                                        int ruf);
MAILAUTH_API int mailauth_dmarc_report_check_step(mailauth_dmarc_report_check *rc,
                                                  mailauth_query *query);
MAILAUTH_API int mailauth_dmarc_report_check_answer(mailauth_dmarc_report_check *rc,
                                                    const mailauth_dns_answer *answer);
MAILAUTH_API int mailauth_dmarc_report_check_run(mailauth_dmarc_report_check *rc,
                                                 const mailauth_resolver *resolver);
/* The destinations in the order added (a non-mailto URI adds one with address NULL), and for
 * each: MAILAUTH_RESULT_PASS (may receive reports: same Organizational Domain, or authorised),
 * FAIL (not authorised, or not a mailto: address with a domain), TEMPERROR (the lookup failed
 * for now). The address is borrowed from the check; NULL past the count. */
MAILAUTH_API size_t mailauth_dmarc_report_check_count(const mailauth_dmarc_report_check *rc);
MAILAUTH_API const char *mailauth_dmarc_report_check_address(const mailauth_dmarc_report_check *rc,
                                                             size_t i);
MAILAUTH_API int mailauth_dmarc_report_check_result(const mailauth_dmarc_report_check *rc,
                                                    size_t i);

/* ------------------------------------------------------------------------------------------ */
/* iprev                                                                                       */

/* The "iprev" check of RFC 8601 §3 (forward-confirmed reverse DNS): the PTR names of the
 * client's reverse name (mailauth_reverse_name()) are looked up, and each, in the order of
 * the answer, is asked for A records (IPv4 client) or AAAA records (IPv6 client) until one
 * holds the client address. An IPv4-mapped IPv6 address (::ffff:a.b.c.d) is checked as
 * IPv4. At most `max_names` PTR names are tried; a name that is not a valid domain name is
 * passed over. The verdict (RFC 8601 §2.7.3):
 *   pass       a PTR name maps back to the address (mailauth_iprev_name() gives it);
 *   fail       PTR names were found but none maps back, their forward lookups all having
 *              given an answer (addresses, NXDOMAIN or no data);
 *   permerror  no PTR data is published: the reverse lookup gave NXDOMAIN or no data;
 *   temperror  the reverse lookup failed (TEMPFAIL, or PERMFAIL — a REFUSED or malformed
 *              answer, taken as an error condition as RFC 7208 §5 does), or no name maps
 *              back and a forward lookup failed, so the verdict depends on it.
 * The check runs blocking (mailauth_iprev_run()) or step by step (mailauth_iprev_step() /
 * mailauth_iprev_answer()), as described under "Step-by-step checks". One thread at a
 * time per check. */
typedef struct mailauth_iprev mailauth_iprev;

#define MAILAUTH_IPREV_DEFAULT_MAX_NAMES 10

typedef struct mailauth_iprev_options {
    size_t struct_size;  /* sizeof(mailauth_iprev_options) */
    unsigned max_names;  /* PTR names tried; 0 = 10; at most 100 */
} mailauth_iprev_options;

/* Fills `opts` with the defaults (all zero, struct_size set). */
MAILAUTH_API void mailauth_iprev_options_init(mailauth_iprev_options *opts);

/* A new check of the client address `ip` (IPv4 or IPv6 text). `opts` may be NULL.
 * Returns 0, MAILAUTH_E_INVAL (not an address, a bad option) or MAILAUTH_E_NOMEM. Free
 * with mailauth_iprev_free(). */
MAILAUTH_API int mailauth_iprev_new(const char *ip, const mailauth_iprev_options *opts,
                                    mailauth_iprev **out);
MAILAUTH_API void mailauth_iprev_free(mailauth_iprev *v); /* NULL is fine */

/* Advances the check: 0 when the verdict is known; MAILAUTH_NEED_DNS with `*query` naming
 * the lookup to answer with mailauth_iprev_answer(); MAILAUTH_E_INVAL, MAILAUTH_E_NOMEM or
 * MAILAUTH_E_LIMIT. */
MAILAUTH_API int mailauth_iprev_step(mailauth_iprev *v, mailauth_query *query);
/* Hands over the answer to the query the last _step named (copied). 0, MAILAUTH_E_INVAL (no
 * query pending) or MAILAUTH_E_NOMEM. */
MAILAUTH_API int mailauth_iprev_answer(mailauth_iprev *v, const mailauth_dns_answer *answer);
/* Runs the check to its verdict, asking `resolver` for what it needs. 0, MAILAUTH_E_INVAL,
 * MAILAUTH_E_NOMEM or MAILAUTH_E_LIMIT. */
MAILAUTH_API int mailauth_iprev_run(mailauth_iprev *v, const mailauth_resolver *resolver);

/* Non-zero once the verdict is known. */
MAILAUTH_API int mailauth_iprev_done(const mailauth_iprev *v);
/* The verdict (mailauth_result: PASS, FAIL, TEMPERROR or PERMERROR); NONE until known. */
MAILAUTH_API int mailauth_iprev_result(const mailauth_iprev *v);
/* The PTR name that maps back to the address (presentation form, no trailing dot) when the
 * verdict is pass; NULL otherwise. Borrowed from the check. */
MAILAUTH_API const char *mailauth_iprev_name(const mailauth_iprev *v);
/* The client address in canonical text form (for the A-R property policy.iprev). */
MAILAUTH_API const char *mailauth_iprev_ip(const mailauth_iprev *v);
/* Lookups answered so far (from the resolver or the caller). */
MAILAUTH_API unsigned mailauth_iprev_lookups(const mailauth_iprev *v);

/* ------------------------------------------------------------------------------------------ */
/* Authentication-Results                                                                      */

/* The Authentication-Results header field (RFC 8601) and ARC's ARC-Authentication-Results
 * (RFC 8617 §4.1.1) as one structured model, built through an API and written as a folded
 * header field, or parsed from a header field. The model:
 *   authserv-id [version] [i=N for ARC]
 *   results, each: method [/ method version] = result [(comment)] [reason=...]
 *                  properties ptype.property=value ...
 *   no results at all is the field's "none".
 *
 * Names (method, result, ptype, property) are keywords: 1*(ALPHA / DIGIT / "-" / "_");
 * a property may also hold "." after its first character ("policy.dkim.key-size"), and a
 * ptype may be "" for the common non-standard bare property ("action=none"), written
 * without the dot. Values (authserv-id, reason, property values, comments) are UTF-8 text
 * without controls other than HTAB. Versions are 1 to 999999999 (0 = absent). Strings are
 * copied; those returned are borrowed from the model, NUL-terminated, and live until it is
 * freed. Names are kept as given; compare them without regard to ASCII case.
 *
 * One thread at a time per model. */
typedef struct mailauth_ar mailauth_ar;

/* A new model with no results. `authserv_id` is any non-empty value text (written as a token,
 * or quoted when it is not one). Returns 0, MAILAUTH_E_INVAL or MAILAUTH_E_NOMEM. */
MAILAUTH_API int mailauth_ar_new(const char *authserv_id, mailauth_ar **out);
MAILAUTH_API void mailauth_ar_free(mailauth_ar *ar); /* NULL is fine */

/* The authres-version (1..999999999; 0 = none, the default). 0 or MAILAUTH_E_INVAL. */
MAILAUTH_API int mailauth_ar_set_version(mailauth_ar *ar, unsigned version);
/* The ARC instance (RFC 8617 §4.2.1: 1..50; 0 = none), written as "i=N; " with
 * MAILAUTH_AR_WRITE_ARC. 0 or MAILAUTH_E_INVAL. */
MAILAUTH_API int mailauth_ar_set_arc_instance(mailauth_ar *ar, unsigned instance);

/* Appends a result: `method` a keyword ("spf", "dkim", an unknown one), `result` a
 * mailauth_result, `reason` NULL or value text. 0, MAILAUTH_E_INVAL (a bad name, a result
 * outside the enum, a control character, CR, LF or NUL anywhere: header injection) or
 * MAILAUTH_E_NOMEM; on failure the model is unchanged. */
MAILAUTH_API int mailauth_ar_add(mailauth_ar *ar, const char *method, int result,
                                 const char *reason);
/* The same with the result given as a keyword, for results outside mailauth_result
 * ("hardfail", an extension's own); a known name is recognised whatever its case. */
MAILAUTH_API int mailauth_ar_add_text(mailauth_ar *ar, const char *method, const char *result,
                                      const char *reason);
/* Sets the method version of the last result (0 = none). 0 or MAILAUTH_E_INVAL (no result
 * yet, version out of range). */
MAILAUTH_API int mailauth_ar_set_method_version(mailauth_ar *ar, unsigned version);
/* Sets the reason of the last result (NULL = none). 0, MAILAUTH_E_INVAL or MAILAUTH_E_NOMEM. */
MAILAUTH_API int mailauth_ar_set_reason(mailauth_ar *ar, const char *reason);
/* Sets the comment of the last result (NULL = none), written in parentheses after the result
 * ("spf=pass (sender is authorised) smtp.mailfrom=..."). 0, MAILAUTH_E_INVAL or
 * MAILAUTH_E_NOMEM. */
MAILAUTH_API int mailauth_ar_set_comment(mailauth_ar *ar, const char *comment);
/* Appends a property ptype.property=value to the last result ("smtp", "mailfrom",
 * "sender@example.net"). The value is written as it is when it is a token, a domain or an
 * addr-spec ("[local-part] @ domain", RFC 8601 §2.2), quoted otherwise. A bare property
 * (ptype "") may not be named "reason" nor hold a ".". 0, MAILAUTH_E_INVAL (no result yet,
 * a bad name, a control character) or MAILAUTH_E_NOMEM. */
MAILAUTH_API int mailauth_ar_add_prop(mailauth_ar *ar, const char *ptype, const char *property,
                                      const char *value);

/* Flags of mailauth_ar_write(). */
#define MAILAUTH_AR_WRITE_ARC 1u        /* "ARC-Authentication-Results: i=N; ..." (the model's
                                         * ARC instance must be set) */
#define MAILAUTH_AR_WRITE_VALUE_ONLY 2u /* the field body only, without the name and colon
                                         * (folded as if the name were there) */
#define MAILAUTH_AR_WRITE_CRLF 4u       /* end with CRLF */

/* Writes the header field: "Authentication-Results: id;\r\n\tspf=pass smtp.mailfrom=...;
 * \r\n\tdkim=pass header.d=..." — each result on its own line, folded with CRLF HTAB so
 * that lines stay within 78 characters where a fold is possible (between items, and at
 * spaces inside quoted values and comments), "none" when there are no results. `*out`
 * (NUL-terminated, `*len` octets) is borrowed from the model until the next write or free.
 * Returns 0, MAILAUTH_E_INVAL (a bad flag, ARC without an instance, a model parsed from a
 * field without authserv-id), MAILAUTH_E_LIMIT (a
 * line would pass 998 octets: an unfoldable value is too long) or MAILAUTH_E_NOMEM. */
MAILAUTH_API int mailauth_ar_write(mailauth_ar *ar, unsigned flags, const char **out,
                                   size_t *len);

/* Accessors. */
MAILAUTH_API const char *mailauth_ar_authserv_id(const mailauth_ar *ar); /* "" when absent */
MAILAUTH_API unsigned mailauth_ar_version(const mailauth_ar *ar);      /* 0 = none */
MAILAUTH_API unsigned mailauth_ar_arc_instance(const mailauth_ar *ar); /* 0 = none */
/* Number of results; 0 for "none". */
MAILAUTH_API size_t mailauth_ar_count(const mailauth_ar *ar);
/* The i-th result's parts; NULL / 0 / -1 when i >= count. */
MAILAUTH_API const char *mailauth_ar_method_at(const mailauth_ar *ar, size_t i);
MAILAUTH_API unsigned mailauth_ar_method_version_at(const mailauth_ar *ar, size_t i);
/* The result as a mailauth_result, or -1 when its keyword is none of them. */
MAILAUTH_API int mailauth_ar_result_at(const mailauth_ar *ar, size_t i);
/* The result keyword as written ("pass", "hardfail"). */
MAILAUTH_API const char *mailauth_ar_result_text_at(const mailauth_ar *ar, size_t i);
MAILAUTH_API const char *mailauth_ar_reason_at(const mailauth_ar *ar, size_t i);  /* or NULL */
MAILAUTH_API const char *mailauth_ar_comment_at(const mailauth_ar *ar, size_t i); /* or NULL */
MAILAUTH_API size_t mailauth_ar_prop_count(const mailauth_ar *ar, size_t i);
/* The j-th property of the i-th result. Each out-pointer may be NULL. 0 or MAILAUTH_E_INVAL
 * (out of range; the out-pointers are then set to NULL). */
MAILAUTH_API int mailauth_ar_prop_at(const mailauth_ar *ar, size_t i, size_t j,
                                     const char **ptype, const char **property,
                                     const char **value);
/* The value of the first property ptype.property of the i-th result (ASCII case ignored in
 * the names), or NULL. */
MAILAUTH_API const char *mailauth_ar_prop_find(const mailauth_ar *ar, size_t i,
                                               const char *ptype, const char *property);

/* Parsing limits (0 = the default in the comment); past one the parse fails with
 * MAILAUTH_E_LIMIT:
 *  max_field_size     octets of input                         0 = 65536
 *  max_results        results in one field                    0 = 64
 *  max_props          properties of one result                0 = 32
 *  max_comment_depth  nesting of comments "((...))"           0 = 8 */
/* What the parser repaired or tolerated, reported with the offset where it was met (a
 * spam scorer may take malformation as evidence). */
typedef enum {
    MAILAUTH_AR_ANOMALY_EMPTY_STATEMENT = 1, /* a trailing ";" or ";;" */
    MAILAUTH_AR_ANOMALY_BARE_LF = 2,         /* a line break without its CR */
    MAILAUTH_AR_ANOMALY_UNQUOTED_VALUE = 3,  /* a value that is neither a token, a domain,
                                              * an addr-spec nor a quoted string */
    MAILAUTH_AR_ANOMALY_BARE_PROPERTY = 4,   /* a property without its ptype ("action=none") */
    MAILAUTH_AR_ANOMALY_REASON_AFTER_PROPERTY = 5, /* a reason after a property */
    MAILAUTH_AR_ANOMALY_NO_AUTHSERV_ID = 6 /* the field starts with a result (Exchange
                                            * Online's "Authentication-Results: spf=...") */
} mailauth_ar_anomaly;

/* Called for each anomaly with its kind (mailauth_ar_anomaly) and input offset. */
typedef void (*mailauth_ar_anomaly_fn)(void *user, int kind, size_t offset);

typedef struct mailauth_ar_parse_options {
    size_t struct_size; /* sizeof(mailauth_ar_parse_options) */
    size_t max_field_size;
    size_t max_results;
    size_t max_props;
    unsigned max_comment_depth;
    mailauth_ar_anomaly_fn anomaly; /* NULL = not reported */
    void *anomaly_user;
} mailauth_ar_parse_options;

#define MAILAUTH_AR_DEFAULT_MAX_FIELD_SIZE 65536
#define MAILAUTH_AR_DEFAULT_MAX_RESULTS 64
#define MAILAUTH_AR_DEFAULT_MAX_PROPS 32
#define MAILAUTH_AR_DEFAULT_MAX_COMMENT_DEPTH 8

/* Where a parse failed. */
typedef struct mailauth_ar_error {
    size_t offset;       /* octet offset into the input of the fault */
    const char *message; /* a static English description; never NULL after a failed parse */
} mailauth_ar_error;

/* Fills `opts` with the defaults (all zero, struct_size set). */
MAILAUTH_API void mailauth_ar_parse_options_init(mailauth_ar_parse_options *opts);

/* Parses `len` octets of an Authentication-Results field (RFC 8601 §2.2) into a new model:
 * the field body, or the whole field with its name "Authentication-Results:" or
 * "ARC-Authentication-Results:" (which requires the "i=N;" prefix; the prefix is accepted
 * without the name too). Read: RFC 5322 folding (CRLF or bare LF followed by WSP) and
 * comments anywhere between items, nested up to max_comment_depth; quoted strings with
 * quoted-pairs; authres and method versions; "none"; any number of results. Tolerated, as
 * real mail has them: a trailing ";" and empty statements (";;"), no space between items,
 * no authserv-id (the model's is then "", and it cannot be written), values that are
 * neither tokens nor quoted strings (the header.b= of some signers: any run
 * of printable octets but "(", ";" and DQUOTE), a property without a ptype ("action=none"),
 * unknown methods, results and ptypes (kept as text), a final CRLF; each deviation is
 * reported to opts->anomaly (mailauth_ar_anomaly) when it is set. A value written as
 * a quoted-string is kept unquoted, except the local-part of an addr-spec value, which is
 * kept as written ("\"a b\"@example.com"). A comment right after a result (before its
 * reason and properties) is kept as its comment (the first, when several); others are
 * dropped. A second reason in one result, and "none" together with results, are errors.
 * `opts` may be NULL. Returns 0 with `*out` to free with mailauth_ar_free(), or
 * MAILAUTH_E_SYNTAX / MAILAUTH_E_LIMIT with `err` (may be NULL) filled, MAILAUTH_E_INVAL or
 * MAILAUTH_E_NOMEM. A model parsed can always be written back (as long as its lines fit),
 * and parsing what is written gives the same model again. */
MAILAUTH_API int mailauth_ar_parse(const char *text, size_t len,
                                   const mailauth_ar_parse_options *opts, mailauth_ar **out,
                                   mailauth_ar_error *err);

/* Appends the verdict of a finished iprev check to `ar`: "iprev=<result> (<confirmed name>)
 * policy.iprev=<address>" (RFC 8601 §3, Appendix B.4). 0, MAILAUTH_E_INVAL (the check is
 * not done) or MAILAUTH_E_NOMEM (the result may then lack its comment or property). */
MAILAUTH_API int mailauth_iprev_to_ar(const mailauth_iprev *v, mailauth_ar *ar);

#ifdef __cplusplus
}
#endif

#endif
