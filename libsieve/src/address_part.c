/* address_part.c — what an address or envelope test compares: the parts of an address
 * (RFC 5228 §2.7.4 :all/:localpart/:domain, RFC 5233 :user/:detail), the addresses of a
 * header value, read with libmailparse's address-list parser, and the mailbox of an envelope
 * path (RFC 5321 §4.1.2). */
#include "sieve_internal.h"

#include "mailparse.h"

#include "lm_ascii.h"

#include <string.h>

/* Atoms are ASCII only (lm_is_atext): an address with other octets in it is not one an
 * address test can split (Pigeonhole does the same; its tests expect it). */

/* RFC 5322 §3.4.1 dtext, plus the blanks a domain literal may hold. */
static int is_dtext(unsigned char c)
{
    return (c >= 33 && c <= 90) || (c >= 94 && c <= 126) || c == ' ' || c == '\t';
}

/* The end of a quoted-string local part opening at a[0] == '"' (the index after the closing
 * quote), or 0 when it is malformed or empty. */
static size_t quoted_end(const char *a, size_t n)
{
    size_t i = 1;
    while (i < n && a[i] != '"') {
        unsigned char c = (unsigned char)a[i];
        if (c == '\\') {
            if (i + 1 >= n || (unsigned char)a[i + 1] >= 0x7F || !a[i + 1])
                return 0;
            i += 2;
            continue;
        }
        if ((c < 0x20 && c != '\t') || c >= 0x7F)
            return 0;
        i++;
    }
    return i < n && i > 1 ? i + 1 : 0;
}

/* Checks that `a` is an addr-spec (local-part "@" domain) and finds its "@". The local part
 * is a dot-atom (dots anywhere, as obs-local-part allows) or a quoted-string; the domain a
 * dot-atom or a domain literal. 1 when it is one, else 0. */
static int split_addr_spec(const char *a, size_t n, size_t *at)
{
    size_t i = 0;
    if (n && a[0] == '"') {
        if (!(i = quoted_end(a, n)))
            return 0;
    } else {
        while (i < n && (lm_is_atext((unsigned char)a[i]) || a[i] == '.'))
            i++;
    }
    if (i == 0 || i >= n || a[i] != '@' || i + 1 == n)
        return 0;
    *at = i;
    size_t d = i + 1;
    if (a[d] == '[') {
        size_t j = d + 1;
        while (j < n && is_dtext((unsigned char)a[j]))
            j++;
        return j == n - 1 && a[j] == ']';
    }
    for (size_t j = d; j < n; j++)
        if (!lm_is_atext((unsigned char)a[j]) && a[j] != '.')
            return 0;
    return 1;
}

/* A domain as mail servers meet it in envelopes: labels of letters, digits, "-" and "_"
 * (RFC 5321 §4.1.2 has no "_" and no "-" at the ends, but such names are seen) joined by
 * single dots; or an address literal. */
static int is_envelope_domain(const char *s, size_t n)
{
    if (n >= 2 && s[0] == '[')
        return s[n - 1] == ']';
    size_t label = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '.' && label)
            label = 0;
        else if (lm_is_alnum(c) || c == '-' || c == '_')
            label++;
        else
            return 0;
    }
    return label > 0;
}

int sv_envelope_path(const char *path, size_t len, const char **out, size_t *out_len)
{
    const char *p = path ? path : "";
    size_t n = path ? len : 0;
    if (n && (p[0] == '<') != (p[n - 1] == '>'))
        return 0;
    if (n >= 2 && p[0] == '<') {
        p++;
        n -= 2;
    }
    size_t i = 0;
    if (n && p[0] == '@') { /* A-d-l ":" — each "@" domain, "," between, ":" after the last */
        for (;;) {
            if (i >= n || p[i] != '@')
                return 0;
            size_t d = ++i;
            while (i < n && p[i] != ',' && p[i] != ':')
                i++;
            if (i >= n || !is_envelope_domain(p + d, i - d))
                return 0;
            if (p[i++] == ':')
                break;
        }
    }
    const char *m = p + i;
    size_t mlen = n - i, at;
    if (i && !mlen)
        return 0;
    if (memchr(m, '@', mlen) || (mlen && m[0] == '"')) {
        if (!split_addr_spec(m, mlen, &at) || !is_envelope_domain(m + at + 1, mlen - at - 1))
            return 0;
    } else {
        for (size_t k = 0; k < mlen; k++)
            if (!lm_is_atext((unsigned char)m[k]) && m[k] != '.')
                return 0;
    }
    *out = m;
    *out_len = mlen;
    return 1;
}

int sv_address_part(int part, const char *addr, size_t len, const char *delims,
                    const char **out, size_t *out_len)
{
    if (!out || !out_len || (!addr && len) || part < SV_ADDR_ALL || part > SV_ADDR_DETAIL)
        return SIEVE_E_INVAL;
    if (!addr)
        addr = "";
    if (part == SV_ADDR_ALL) {
        *out = addr;
        *out_len = len;
        return 0;
    }
    /* RFC 5228 §2.7.4: an address that is not syntactically valid has no local part or
     * domain to match. */
    size_t at;
    if (!split_addr_spec(addr, len, &at))
        return 1;
    if (part == SV_ADDR_DOMAIN) {
        *out = addr + at + 1;
        *out_len = len - at - 1;
        return 0;
    }
    const char *lp = addr;
    size_t ll = at;
    if (lp[0] == '"' && !memchr(lp, '\\', ll)) {
        lp++; /* "john doe"@example.org: the local part is john doe */
        ll -= 2;
    }
    if (part == SV_ADDR_LOCALPART) {
        *out = lp;
        *out_len = ll;
        return 0;
    }
    /* RFC 5233 §4: the user is what comes before the first separator, the detail what comes
     * after it; with no separator the user is the whole local part and there is no detail. */
    size_t sep = ll;
    for (size_t k = 0; delims && k < ll; k++)
        if (lp[k] && strchr(delims, lp[k])) {
            sep = k;
            break;
        }
    if (part == SV_ADDR_USER) {
        *out = lp;
        *out_len = sep;
        return 0;
    }
    if (sep == ll)
        return 1;
    *out = lp + sep + 1;
    *out_len = ll - sep - 1;
    return 0;
}

/* Hands a value that is not an address list to `fn` as the test sees it: unfolded (RFC 5322
 * §2.2.3: the line breaks go, the blanks after them stay) and trimmed. */
static int unparsed_value(const char *value, size_t len, sv_address_fn fn, void *user)
{
    size_t b = 0, e = len;
    while (b < e && lm_is_space((unsigned char)value[b]))
        b++;
    while (e > b && lm_is_space((unsigned char)value[e - 1]))
        e--;
    if (!memchr(value + b, '\n', e - b) && !memchr(value + b, '\r', e - b))
        return fn(user, value + b, e - b, NULL);
    lm_buf u = LM_BUF_INIT;
    for (size_t i = b; i < e; i++)
        if (value[i] != '\r' && value[i] != '\n')
            lm_buf_putc(&u, value[i]);
    int rc = u.oom ? SIEVE_E_NOMEM : fn(user, u.data ? u.data : "", u.len, NULL);
    lm_buf_free(&u);
    return rc;
}

int sv_header_addresses(const char *value, size_t len, sv_address_fn fn, void *user)
{
    if (!fn || (!value && len))
        return SIEVE_E_INVAL;
    if (!value)
        value = "";
    mailparse_values *v = NULL;
    if (mailparse_values_new(&v))
        return SIEVE_E_NOMEM;
    const mailparse_address_list *list = NULL;
    int rc = mailparse_parse_addresses(v, value, len, NULL, NULL, &list);
    if (rc == MAILPARSE_E_NOMEM) {
        rc = SIEVE_E_NOMEM;
        goto out;
    }
    if (rc)
        list = NULL; /* lists do not fail on syntax; anything else reads as unparsable */
    /* Every mailbox must be a valid addr-spec; otherwise the address test sees the whole
     * value, unparsed, and only :all can match it (RFC 5228 §2.7.4). A header of empty
     * groups only ("undisclosed-recipients:;") has no address at all. */
    int valid = list && list->count > 0;
    for (size_t i = 0; valid && i < list->count; i++) {
        const char *a = list->items[i].address;
        size_t at;
        valid = a && split_addr_spec(a, strlen(a), &at);
    }
    rc = 0;
    if (valid) {
        for (size_t i = 0; i < list->count && !rc; i++)
            rc = fn(user, list->items[i].address, strlen(list->items[i].address),
                    list->items[i].name);
    } else if (!list || list->count > 0 || list->group_count == 0) {
        rc = unparsed_value(value, len, fn, user);
    }
out:
    mailparse_values_free(v);
    return rc;
}

/* Notes that the address parser had to repair the text. */
static void address_repaired(void *user, mailparse_anomaly_kind kind, size_t offset)
{
    (void)kind;
    (void)offset;
    *(int *)user = 1;
}

int sv_redirect_address(const char *s, size_t len, lm_buf *out)
{
    mailparse_values *v = NULL;
    if (mailparse_values_new(&v))
        return SIEVE_E_NOMEM;
    const mailparse_address_list *list = NULL;
    int repaired = 0;
    int rc = mailparse_parse_addresses(v, s, len, address_repaired, &repaired, &list);
    if (rc == MAILPARSE_E_NOMEM) {
        mailparse_values_free(v);
        return SIEVE_E_NOMEM;
    }
    /* One mailbox as written: a text the parser had to repair is not one. */
    const char *w = !rc && !repaired && list && list->count == 1 && list->group_count == 0
                        ? list->items[0].address : NULL;
    /* RFC 5322's obsolete syntax allows white space around the "@" and the dots: it goes
     * (outside quoted strings). Between two words it is not allowed ("more error@x"). */
    lm_buf clean = LM_BUF_INIT;
    int apart = 0; /* two words with only white space between them */
    for (int quoted = 0, space = 0; w && *w; w++) {
        if (!quoted && (*w == ' ' || *w == '\t')) {
            space = 1;
            continue;
        }
        if (space && clean.len && !strchr(".@", clean.data[clean.len - 1]) && !strchr(".@", *w))
            apart = 1;
        space = 0;
        if (*w == '\\' && quoted && w[1])
            lm_buf_putc(&clean, *w++);
        else if (*w == '"')
            quoted = !quoted;
        lm_buf_putc(&clean, *w);
    }
    const char *a = clean.len && !clean.oom && !apart ? clean.data : NULL;
    size_t n = a ? clean.len : 0, at = 0;
    rc = clean.oom ? SIEVE_E_NOMEM : SIEVE_E_SYNTAX;
    if (a && split_addr_spec(a, n, &at)) {
        /* A quoted local part that needs no quotes loses them ("Sirius"@x is Sirius@x). */
        lm_buf local = LM_BUF_INIT;
        if (a[0] == '"') {
            for (size_t i = 1; i + 1 < at; i++)
                lm_buf_putc(&local, a[i] == '\\' && i + 2 < at ? a[++i] : a[i]);
        }
        if (a[0] == '"' && !local.oom && lm_is_dot_atom(local.data ? local.data : "", local.len))
            lm_buf_append(out, local.data, local.len);
        else
            lm_buf_append(out, a, at);
        lm_buf_append(out, a + at, n - at);
        rc = out->oom || local.oom ? SIEVE_E_NOMEM : 0;
        lm_buf_free(&local);
    }
    lm_buf_free(&clean);
    mailparse_values_free(v);
    return rc;
}
