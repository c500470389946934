/* bench_mailauth.c — libmailauth's side of the "verify and evaluate" benchmark, and the inputs
 * its peers read.
 *
 *   bench_mailauth --out DIR [--min-seconds S] [--only CASE] [--impl IMPL]
 *
 * Writes into DIR: a 10 KiB message signed with a fresh RSA-2048 key (dkim-rsa.eml) and with
 * a fresh Ed25519 key (dkim-ed25519.eml), the key records (keys.json: name -> TXT), and an
 * include-heavy SPF record set (spf.json: {"zone": {name: {"TXT": [...]}}, "ip", "helo",
 * "sender"}: 9 TXT lookups, 8 of them includes, 180 ip4 ranges, the client matching the
 * last one). Then times, each for at least S seconds after a warm-up:
 *   libmailauth     dkim-rsa, dkim-ed25519: mailauth_dkim_verify() of the whole message with
 *                   the key record fetched from an in-memory zone, and the parsed key kept
 *                   in a mailauth_dkim_key_cache, as a server verifying mail all day does;
 *   libmailauth-nocache  the same, parsing the key record every time;
 *                   spf-include: mailauth_spf_begin() + mailauth_spf_run() on the zone;
 *   openssl-floor   dkim-rsa, dkim-ed25519: what no verifier can skip, through OpenSSL EVP
 *                   with the key already parsed: SHA-256 of the body, and the signature
 *                   verified over the header bytes (EVP_DigestVerify).
 *   openssl-ready   dkim-rsa: the floor without its per-message setup: the digest fetched
 *                   once, an RSA context made ready once and copied for each message.
 * Prints one JSON line per (impl, case): {"impl", "case", "ops", "seconds", "result"}. */
#include "mailauth.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what, int rc)
{
    fprintf(stderr, "bench_mailauth: %s: %s\n", what, rc ? mailauth_strerror(rc) : "failed");
    exit(1);
}

static void write_file(const char *dir, const char *name, const void *data, size_t len)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(data, 1, len, f) != len || fclose(f) != 0)
        die(path, 0);
}

/* The 10 KiB message: plain text, the header fields a real message has. */
static char *make_message(size_t *len)
{
    static const char head[] =
        "From: Alice Example <alice@bench.example>\r\n"
        "To: Bob Example <bob@example.org>\r\n"
        "Cc: carol@example.net\r\n"
        "Subject: Quarterly figures and the plan for the next release\r\n"
        "Date: Tue, 3 Nov 2026 10:00:00 +0000\r\n"
        "Message-ID: <bench.1@bench.example>\r\n"
        "MIME-Version: 1.0\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n"
        "Content-Transfer-Encoding: 7bit\r\n"
        "\r\n";
    static const char line[] = "The quick brown fox jumps over the lazy dog, and then  it rests.  \r\n";
    size_t cap = sizeof head + 10240 + sizeof line;
    char *m = malloc(cap);
    if (!m)
        die("memory", MAILAUTH_E_NOMEM);
    size_t n = sizeof head - 1;
    memcpy(m, head, n);
    while (n < sizeof head - 1 + 10240 - (sizeof line - 1)) {
        memcpy(m + n, line, sizeof line - 1);
        n += sizeof line - 1;
    }
    *len = n;
    return m;
}

typedef struct {
    const char *name;        /* "rsa" / "ed25519" */
    EVP_PKEY *pkey;
    mailauth_dkim_key *key;
    char record[1024];
    char *signed_msg;
    size_t signed_len;
} dkim_case;

static void make_key(dkim_case *c, const char *alg)
{
    c->pkey = strcmp(alg, "RSA") == 0 ? EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048)
                                      : EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
    if (!c->pkey)
        die("key generation", 0);
    BIO *bio = BIO_new(BIO_s_mem());
    if (!bio || !PEM_write_bio_PrivateKey(bio, c->pkey, NULL, NULL, 0, NULL, NULL))
        die("PEM", 0);
    char *pem;
    long pem_len = BIO_get_mem_data(bio, &pem);
    int rc = mailauth_dkim_key_load(pem, (size_t)pem_len, &c->key);
    BIO_free(bio);
    if (rc)
        die("mailauth_dkim_key_load", rc);
    rc = mailauth_dkim_key_record(c->key, c->record, sizeof c->record, NULL);
    if (rc)
        die("mailauth_dkim_key_record", rc);
}

static void sign_case(dkim_case *c, const char *msg, size_t len)
{
    mailauth_dkim_sign_options so;
    mailauth_dkim_sign_options_init(&so);
    so.domain = "bench.example";
    so.selector = c->name;
    char *field;
    size_t field_len;
    int rc = mailauth_dkim_sign(&so, c->key, msg, len, &field, &field_len);
    if (rc)
        die("mailauth_dkim_sign", rc);
    c->signed_len = field_len + len;
    c->signed_msg = malloc(c->signed_len);
    if (!c->signed_msg)
        die("memory", MAILAUTH_E_NOMEM);
    memcpy(c->signed_msg, field, field_len);
    memcpy(c->signed_msg + field_len, msg, len);
    mailauth_dkim_free(field);
}

/* Appends `s` to a zone text as a TXT record of 200-octet strings. */
static void zone_txt(char *zone, size_t size, const char *name, const char *s)
{
    size_t n = strlen(zone);
    n += (size_t)snprintf(zone + n, size - n, "%s. 300 IN TXT", name);
    for (size_t i = 0, len = strlen(s); i < len; i += 200)
        n += (size_t)snprintf(zone + n, size - n, " \"%.*s\"", (int)(len - i < 200 ? len - i : 200), s + i);
    snprintf(zone + n, size - n, "\n");
}

typedef int (*bench_fn)(void *ctx, const char **result);

/* Runs `fn` for at least `min_seconds` after a warm-up of a tenth of that, in batches. */
static const char *only;      /* --only CASE: time that case alone */
static const char *only_impl; /* --impl IMPL: time that implementation alone (for profiling) */

static void timed(const char *impl, const char *name, double min_seconds, bench_fn fn, void *ctx)
{
    if ((only && strcmp(only, name) != 0) || (only_impl && strcmp(only_impl, impl) != 0))
        return;
    const char *result = "";
    double end = now_seconds() + min_seconds / 10;
    while (now_seconds() < end)
        if (fn(ctx, &result))
            die(name, 0);
    long long ops = 0;
    double start = now_seconds(), t;
    do {
        for (int i = 0; i < 16; i++)
            if (fn(ctx, &result))
                die(name, 0);
        ops += 16;
        t = now_seconds() - start;
    } while (t < min_seconds);
    printf("{\"impl\": \"%s\", \"case\": \"%s\", \"ops\": %lld, \"seconds\": %.6f, \"result\": \"%s\"}\n",
           impl, name, ops, t, result);
    fflush(stdout);
}

typedef struct {
    const mailauth_resolver *resolver;
    const dkim_case *c;
    mailauth_dkim_key_cache *cache; /* NULL: every message parses its key */
} verify_ctx;

static int verify_once(void *p, const char **result)
{
    verify_ctx *v = p;
    mailauth_dkim_verifier *ver;
    mailauth_dkim_verify_options vo;
    mailauth_dkim_verify_options_init(&vo);
    vo.key_cache = v->cache;
    int rc = mailauth_dkim_verify(&vo, v->resolver, v->c->signed_msg, v->c->signed_len, &ver);
    if (rc)
        return rc;
    mailauth_dkim_signature s = {.struct_size = sizeof s};
    rc = mailauth_dkim_verifier_result(ver, 0, &s);
    *result = mailauth_result_name(s.result);
    mailauth_dkim_verifier_free(ver);
    return rc;
}

/* The floor: the body's SHA-256 and the signature over the header bytes, key parsed once. */
typedef struct {
    const dkim_case *c;
    const unsigned char *head, *body;
    size_t head_len, body_len;
    unsigned char sig[512];
    size_t sig_len;
} floor_ctx;

static int floor_once(void *p, const char **result)
{
    floor_ctx *f = p;
    unsigned char hash[32];
    unsigned hash_len;
    if (!EVP_Digest(f->body, f->body_len, hash, &hash_len, EVP_sha256(), NULL))
        return -1;
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    int is_rsa = strcmp(f->c->name, "rsa") == 0;
    int ok = md && EVP_DigestVerifyInit(md, NULL, is_rsa ? EVP_sha256() : NULL, NULL, f->c->pkey) == 1;
    if (ok && is_rsa)
        ok = EVP_DigestVerifyUpdate(md, f->head, f->head_len) == 1 &&
             EVP_DigestVerifyFinal(md, f->sig, f->sig_len) == 1;
    else if (ok) { /* Ed25519 signs the SHA-256 of the header data (RFC 8463) */
        unsigned char hh[32];
        unsigned hl;
        ok = EVP_Digest(f->head, f->head_len, hh, &hl, EVP_sha256(), NULL) &&
             EVP_DigestVerify(md, f->sig, f->sig_len, hh, hl) == 1;
    }
    EVP_MD_CTX_free(md);
    *result = "n/a";
    return ok ? 0 : -1;
}

/* The floor again, with what setting up a check costs kept out of it: the digest fetched once
 * and an RSA context made ready once, copied for each message (as libmailauth's key cache
 * does). Ed25519 has no such setup to keep; it is timed for RSA only. */
typedef struct {
    floor_ctx *f;
    EVP_MD *sha256;
    EVP_PKEY_CTX *ready;
} ready_ctx;

static int ready_once(void *p, const char **result)
{
    ready_ctx *r = p;
    floor_ctx *f = r->f;
    unsigned char hash[32], hh[32];
    unsigned hash_len, hl;
    if (!EVP_Digest(f->body, f->body_len, hash, &hash_len, r->sha256, NULL) ||
        !EVP_Digest(f->head, f->head_len, hh, &hl, r->sha256, NULL))
        return -1;
    EVP_PKEY_CTX *c = EVP_PKEY_CTX_dup(r->ready);
    int ok = c && EVP_PKEY_verify(c, f->sig, f->sig_len, hh, hl) == 1;
    EVP_PKEY_CTX_free(c);
    *result = "n/a";
    return ok ? 0 : -1;
}

static int spf_once(void *p, const char **result)
{
    void **a = p;
    mailauth_spf *spf = a[0];
    const mailauth_resolver *r = a[1];
    int rc = mailauth_spf_begin(spf, MAILAUTH_SPF_MAILFROM, "10.9.19.7", "mail.bench.example",
                                "alice@bench.example");
    if (!rc)
        rc = mailauth_spf_run(spf, r);
    *result = mailauth_result_name(mailauth_spf_result(spf));
    return rc;
}

int main(int argc, char **argv)
{
    const char *out = NULL;
    double min_seconds = 3;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--out") == 0 && i + 1 < argc)
            out = argv[++i];
        else if (strcmp(argv[i], "--only") == 0 && i + 1 < argc)
            only = argv[++i];
        else if (strcmp(argv[i], "--impl") == 0 && i + 1 < argc)
            only_impl = argv[++i];
        else if (strcmp(argv[i], "--min-seconds") == 0 && i + 1 < argc)
            min_seconds = atof(argv[++i]);
        else {
            fprintf(stderr, "usage: bench_mailauth --out DIR [--min-seconds S] [--only CASE] [--impl IMPL]\n");
            return 2;
        }
    }
    if (!out) {
        fprintf(stderr, "usage: bench_mailauth --out DIR [--min-seconds S] [--only CASE] [--impl IMPL]\n");
        return 2;
    }

    size_t msg_len;
    char *msg = make_message(&msg_len);
    dkim_case cases[2] = {{.name = "rsa"}, {.name = "ed25519"}};
    make_key(&cases[0], "RSA");
    make_key(&cases[1], "ED25519");
    static char zone[1 << 16];
    char json[4096] = "{";
    for (int i = 0; i < 2; i++) {
        sign_case(&cases[i], msg, msg_len);
        char name[64], file[64];
        snprintf(name, sizeof name, "%s._domainkey.bench.example", cases[i].name);
        zone_txt(zone, sizeof zone, name, cases[i].record);
        snprintf(json + strlen(json), sizeof json - strlen(json), "%s\"%s\": \"%s\"", i ? ", " : "",
                 name, cases[i].record);
        snprintf(file, sizeof file, "dkim-%s.eml", cases[i].name);
        write_file(out, file, cases[i].signed_msg, cases[i].signed_len);
    }
    strcat(json, "}\n");
    write_file(out, "keys.json", json, strlen(json));

    /* The SPF set: bench.example includes _spf1.._spf4, each of which has 20 ip4 ranges and
     * includes _spfN-b with 20 more; the client is in the last range of _spf4-b. */
    static char spf_json[1 << 16];
    size_t sj = (size_t)snprintf(spf_json, sizeof spf_json, "{\"zone\": {");
    char rec[2048];
    snprintf(rec, sizeof rec, "v=spf1 include:_spf1.bench.example include:_spf2.bench.example "
                              "include:_spf3.bench.example include:_spf4.bench.example ~all");
    zone_txt(zone, sizeof zone, "bench.example", rec);
    sj += (size_t)snprintf(spf_json + sj, sizeof spf_json - sj, "\"bench.example\": {\"TXT\": [\"%s\"]}", rec);
    for (int n = 1; n <= 4; n++)
        for (int b = 0; b < 2; b++) {
            size_t k = (size_t)snprintf(rec, sizeof rec, "v=spf1");
            for (int r = 0; r < 20; r++)
                k += (size_t)snprintf(rec + k, sizeof rec - k, " ip4:10.%d.%d.0/24", 2 * n + b, r);
            if (!b)
                k += (size_t)snprintf(rec + k, sizeof rec - k, " include:_spf%d-b.bench.example", n);
            snprintf(rec + k, sizeof rec - k, " ?all");
            char name[64];
            snprintf(name, sizeof name, b ? "_spf%d-b.bench.example" : "_spf%d.bench.example", n);
            zone_txt(zone, sizeof zone, name, rec);
            sj += (size_t)snprintf(spf_json + sj, sizeof spf_json - sj, ", \"%s\": {\"TXT\": [\"%s\"]}", name, rec);
        }
    snprintf(spf_json + sj, sizeof spf_json - sj,
             "}, \"ip\": \"10.9.19.7\", \"helo\": \"mail.bench.example\", \"sender\": \"alice@bench.example\"}\n");
    write_file(out, "spf.json", spf_json, strlen(spf_json));

    mailauth_zone *z;
    int rc = mailauth_zone_new(NULL, &z);
    if (!rc)
        rc = mailauth_zone_load(z, zone, strlen(zone), NULL, NULL);
    if (rc)
        die("zone", rc);
    mailauth_resolver r;
    mailauth_zone_resolver(z, &r);

    for (int i = 0; i < 2; i++) {
        char name[32];
        snprintf(name, sizeof name, "dkim-%s", cases[i].name);
        mailauth_dkim_key_cache *cache;
        if (mailauth_dkim_key_cache_new(0, &cache))
            die("key cache", MAILAUTH_E_NOMEM);
        verify_ctx v = {&r, &cases[i], cache};
        timed("libmailauth", name, min_seconds, verify_once, &v);
        mailauth_dkim_key_cache_free(cache);
        v.cache = NULL;
        timed("libmailauth-nocache", name, min_seconds, verify_once, &v);

        /* The floor's inputs: the header block and body of the signed message, and b=. */
        floor_ctx f = {.c = &cases[i]};
        const char *sep = strstr(cases[i].signed_msg, "\r\n\r\n");
        f.head = (const unsigned char *)cases[i].signed_msg;
        f.head_len = (size_t)(sep - cases[i].signed_msg) + 2;
        f.body = (const unsigned char *)sep + 4;
        f.body_len = cases[i].signed_len - f.head_len - 2;
        unsigned char hh[32];
        unsigned hl;
        EVP_MD_CTX *md = EVP_MD_CTX_new();
        f.sig_len = sizeof f.sig;
        if (!md || !EVP_Digest(f.head, f.head_len, hh, &hl, EVP_sha256(), NULL) ||
            EVP_DigestSignInit(md, NULL, i == 0 ? EVP_sha256() : NULL, NULL, cases[i].pkey) != 1 ||
            (i == 0 ? EVP_DigestSign(md, f.sig, &f.sig_len, f.head, f.head_len)
                    : EVP_DigestSign(md, f.sig, &f.sig_len, hh, hl)) != 1)
            die("floor signature", 0);
        EVP_MD_CTX_free(md);
        timed("openssl-floor", name, min_seconds, floor_once, &f);
        if (i == 0) {
            ready_ctx rc0 = {&f, EVP_MD_fetch(NULL, "SHA256", NULL), NULL};
            rc0.ready = EVP_PKEY_CTX_new_from_pkey(NULL, cases[i].pkey, NULL);
            if (!rc0.sha256 || !rc0.ready || EVP_PKEY_verify_init(rc0.ready) != 1 ||
                EVP_PKEY_CTX_set_rsa_padding(rc0.ready, RSA_PKCS1_PADDING) != 1 ||
                EVP_PKEY_CTX_set_signature_md(rc0.ready, rc0.sha256) != 1)
                die("ready context", 0);
            timed("openssl-ready", name, min_seconds, ready_once, &rc0);
            EVP_PKEY_CTX_free(rc0.ready);
            EVP_MD_free(rc0.sha256);
        }
    }

    mailauth_spf *spf;
    rc = mailauth_spf_new(NULL, &spf);
    if (rc)
        die("mailauth_spf_new", rc);
    void *args[2] = {spf, &r};
    timed("libmailauth", "spf-include", min_seconds, spf_once, args);

    mailauth_spf_free(spf);
    mailauth_zone_free(z);
    for (int i = 0; i < 2; i++) {
        free(cases[i].signed_msg);
        mailauth_dkim_key_free(cases[i].key);
        EVP_PKEY_free(cases[i].pkey);
    }
    free(msg);
    return 0;
}
