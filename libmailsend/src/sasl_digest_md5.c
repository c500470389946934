/* sasl_digest_md5.c — the DIGEST-MD5 mechanism, client side, authentication only (RFC 2831
 * §2.1: qop "auth", algorithm md5-sess), with the server's rspauth checked (§2.1.3). */
#include "ms_internal.h"

#include "lm_alloc.h"
#include "lm_ascii.h"

#include <openssl/evp.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <string.h>

/* §2.1.1: a digest-challenge is less than 2048 octets. */
#define DIGEST_CHALLENGE_MAX 2048
#define DIGEST_VALUE_MAX 512

/* MD5 over up to eight pieces. */
static int md5(const void *const *parts, const size_t *lens, size_t count, unsigned char out[16])
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    unsigned len = 0;
    int ok = ctx && EVP_DigestInit_ex(ctx, EVP_md5(), NULL);
    for (size_t i = 0; ok && i < count; i++)
        ok = EVP_DigestUpdate(ctx, parts[i], lens[i]);
    ok = ok && EVP_DigestFinal_ex(ctx, out, &len) && len == 16;
    EVP_MD_CTX_free(ctx);
    return ok ? 0 : MAILSEND_E_AUTH;
}

/* hex(KD(hex(H(A1)), nonce:nc:cnonce:qop:hex(H(a2_prefix uri)))) into out. */
static int digest_value(const char *ha1_hex, const char *nonce, const char *cnonce,
                        const char *a2_prefix, const char *uri, char out[33])
{
    unsigned char h[16];
    char ha2[33];
    const void *a2[] = {a2_prefix, uri};
    size_t a2_lens[] = {strlen(a2_prefix), strlen(uri)};
    if (md5(a2, a2_lens, 2, h))
        return MAILSEND_E_AUTH;
    ms_hex(h, 16, ha2);
    const void *kd[] = {ha1_hex, ":", nonce, ":00000001:", cnonce, ":auth:", ha2};
    size_t kd_lens[] = {32, 1, strlen(nonce), 10, strlen(cnonce), 6, 32};
    if (md5(kd, kd_lens, 7, h))
        return MAILSEND_E_AUTH;
    ms_hex(h, 16, out);
    return 0;
}

int ms_digest_md5_values(const char *user, const char *realm, const char *password,
                         const char *nonce, const char *cnonce, const char *digest_uri,
                         const char *authzid, char response[33], char rspauth[33])
{
    unsigned char urp[16], h[16];
    const void *p1[] = {user, ":", realm, ":", password};
    size_t l1[] = {strlen(user), 1, strlen(realm), 1, strlen(password)};
    if (md5(p1, l1, 5, urp))
        return MAILSEND_E_AUTH;
    const void *p2[] = {urp, ":", nonce, ":", cnonce, ":", authzid ? authzid : ""};
    size_t l2[] = {16, 1, strlen(nonce), 1, strlen(cnonce), authzid ? 1 : 0,
                   authzid ? strlen(authzid) : 0};
    if (md5(p2, l2, 7, h))
        return MAILSEND_E_AUTH;
    char ha1[33];
    ms_hex(h, 16, ha1);
    if (digest_value(ha1, nonce, cnonce, "AUTHENTICATE:", digest_uri, response) ||
        digest_value(ha1, nonce, cnonce, ":", digest_uri, rspauth))
        return MAILSEND_E_AUTH;
    return 0;
}

/* The directives of a challenge that the client reads. */
struct challenge {
    char realm[DIGEST_VALUE_MAX], nonce[DIGEST_VALUE_MAX], rspauth[DIGEST_VALUE_MAX];
    int has_realm, has_nonce, has_rspauth, utf8, qop_auth, has_qop, md5_sess;
};

/* One value (token or quoted-string) at s[*i] into out; -1 when malformed or too long. */
static int read_value(const char *s, size_t n, size_t *i, char *out)
{
    size_t o = 0;
    if (*i < n && s[*i] == '"') {
        (*i)++;
        for (;;) {
            if (*i >= n)
                return -1;
            char ch = s[(*i)++];
            if (ch == '"')
                break;
            if (ch == '\\') {
                if (*i >= n)
                    return -1;
                ch = s[(*i)++];
            }
            if (o + 1 >= DIGEST_VALUE_MAX)
                return -1;
            out[o++] = ch;
        }
    } else {
        while (*i < n && s[*i] != ',' && !lm_is_space((unsigned char)s[*i])) {
            if (o + 1 >= DIGEST_VALUE_MAX)
                return -1;
            out[o++] = s[(*i)++];
        }
    }
    out[o] = '\0';
    return memchr(out, '\0', o) ? -1 : 0;
}

/* Non-zero when the comma-separated `list` holds `word`. */
static int list_has(const char *list, const char *word)
{
    size_t wl = strlen(word);
    const char *p = list;
    while (*p) {
        while (*p == ',' || lm_is_space((unsigned char)*p))
            p++;
        const char *start = p;
        while (*p && *p != ',' && !lm_is_space((unsigned char)*p))
            p++;
        if ((size_t)(p - start) == wl && lm_strncasecmp(start, word, wl) == 0)
            return 1;
    }
    return 0;
}

static int parse_challenge(const unsigned char *data, size_t n, struct challenge *c)
{
    const char *s = (const char *)data;
    char value[DIGEST_VALUE_MAX];
    memset(c, 0, sizeof *c);
    if (n >= DIGEST_CHALLENGE_MAX || memchr(s, '\0', n))
        return -1;
    size_t i = 0;
    for (;;) {
        while (i < n && (s[i] == ',' || lm_is_space((unsigned char)s[i])))
            i++;
        if (i >= n)
            return 0;
        size_t name = i;
        while (i < n && (lm_is_alnum((unsigned char)s[i]) || s[i] == '-' || s[i] == '_'))
            i++;
        size_t name_len = i - name;
        while (i < n && lm_is_space((unsigned char)s[i]))
            i++;
        if (!name_len || i >= n || s[i++] != '=')
            return -1;
        while (i < n && lm_is_space((unsigned char)s[i]))
            i++;
        if (read_value(s, n, &i, value))
            return -1;
        const char *nm = s + name;
        if (lm_eq_nocase(nm, name_len, "realm") && !c->has_realm) {
            memcpy(c->realm, value, sizeof value);
            c->has_realm = 1;
        } else if (lm_eq_nocase(nm, name_len, "nonce")) {
            if (c->has_nonce)
                return -1;       /* §2.1.1: exactly once */
            memcpy(c->nonce, value, sizeof value);
            c->has_nonce = 1;
        } else if (lm_eq_nocase(nm, name_len, "rspauth")) {
            memcpy(c->rspauth, value, sizeof value);
            c->has_rspauth = 1;
        } else if (lm_eq_nocase(nm, name_len, "qop")) {
            c->has_qop = 1;
            c->qop_auth = list_has(value, "auth");
        } else if (lm_eq_nocase(nm, name_len, "charset")) {
            c->utf8 = lm_eq_nocase(value, strlen(value), "utf-8");
        } else if (lm_eq_nocase(nm, name_len, "algorithm")) {
            c->md5_sess = lm_eq_nocase(value, strlen(value), "md5-sess");
        }
    }
}

/* §2.1.2.1: with charset=utf-8, a string that ISO 8859-1 can hold is hashed in ISO 8859-1. */
static char *hash_form(const char *s, int utf8)
{
    size_t n = strlen(s);
    char *out = lm_strndup(s, n);
    if (!out || !utf8)
        return out;
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x80) {
            out[o++] = (char)c;
        } else if ((c == 0xc2 || c == 0xc3) && i + 1 < n &&
                   ((unsigned char)s[i + 1] & 0xc0) == 0x80) {
            out[o++] = (char)(((c & 0x03) << 6) | ((unsigned char)s[++i] & 0x3f));
        } else {
            memcpy(out, s, n + 1);   /* not Latin-1: the UTF-8 as it is */
            return out;
        }
    }
    out[o] = '\0';
    return out;
}

static int respond(ms_sasl *s, const struct challenge *ch, lm_buf *resp)
{
    const ms_sasl_creds *cr = s->cr;
    unsigned char rnd[12];
    if (cr->random ? cr->random(cr->random_user, rnd, sizeof rnd) != 0
                   : RAND_bytes(rnd, (int)sizeof rnd) != 1)
        return MS_SASL_CANCEL;
    char cnonce[17];
    lm_buf cb = LM_BUF_INIT;
    if (ms_base64_append(&cb, rnd, sizeof rnd) || cb.len != 16) {
        lm_buf_free(&cb);
        return MAILSEND_E_NOMEM;
    }
    memcpy(cnonce, cb.data, 17);
    lm_buf_free(&cb);
    char uri[DIGEST_VALUE_MAX];
    const char *host = cr->server_name ? cr->server_name : "localhost";
    if ((size_t)snprintf(uri, sizeof uri, "smtp/%s", host) >= sizeof uri)
        return MS_SASL_CANCEL;
    const char *realm = ch->has_realm ? ch->realm : "";
    char *u = hash_form(cr->user, ch->utf8), *r = hash_form(realm, ch->utf8),
         *p = hash_form(cr->password, ch->utf8);
    char response[33];
    int rc = !u || !r || !p ? MAILSEND_E_NOMEM
                            : ms_digest_md5_values(u, r, p, ch->nonce, cnonce, uri, cr->authzid,
                                                   response, s->expect);
    lm_free(u);
    lm_free(r);
    lm_free(p);
    if (rc)
        return rc == MAILSEND_E_NOMEM ? rc : MS_SASL_CANCEL;
    if (ch->utf8)
        lm_buf_puts(resp, "charset=utf-8,");
    lm_buf_puts(resp, "username=");
    lm_buf_put_quoted(resp, cr->user);
    if (ch->has_realm) {
        lm_buf_puts(resp, ",realm=");
        lm_buf_put_quoted(resp, realm);
    }
    lm_buf_puts(resp, ",nonce=");
    lm_buf_put_quoted(resp, ch->nonce);
    lm_buf_puts(resp, ",nc=00000001,cnonce=");
    lm_buf_put_quoted(resp, cnonce);
    lm_buf_puts(resp, ",digest-uri=");
    lm_buf_put_quoted(resp, uri);
    lm_buf_puts(resp, ",response=");
    lm_buf_puts(resp, response);
    lm_buf_puts(resp, ",qop=auth");
    if (cr->authzid) {
        lm_buf_puts(resp, ",authzid=");
        lm_buf_put_quoted(resp, cr->authzid);
    }
    return 0;
}

static int digest_step(ms_sasl *s, const unsigned char *chal, size_t n, lm_buf *resp)
{
    struct challenge ch;
    if (!chal || s->step > 1 || parse_challenge(chal, n, &ch))
        return MS_SASL_CANCEL;
    if (s->step == 0) {
        /* §2.1.1: one nonce, md5-sess, and "auth" among the qop options (the default). */
        if (!ch.has_nonce || !ch.md5_sess || (ch.has_qop && !ch.qop_auth))
            return MS_SASL_CANCEL;
        return respond(s, &ch, resp);
    }
    /* §2.1.3: the server proves it knows the password too; the answer is empty. */
    if (!ch.has_rspauth || strlen(ch.rspauth) != 32 ||
        lm_strncasecmp(ch.rspauth, s->expect, 32) != 0)
        return MS_SASL_CANCEL;
    s->verified = 1;
    return 0;
}

const ms_sasl_mech ms_sasl_digest_md5 = {
    "DIGEST-MD5", MS_SASL_PASSWORD | MS_SASL_MUTUAL, 5, 1, digest_step,
};
