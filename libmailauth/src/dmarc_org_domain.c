/* dmarc_org_domain.c — the Organizational Domain: by the Public Suffix List through libpsl
 * (RFC 7489 §3.2) or by the DNS Tree Walk (RFC 9989 §4.10, §4.10.2); and the _dmarc record
 * lookup both policy discovery and the walk use (RFC 7489 §6.6.3 steps 1-5). */
#include "dmarc_internal.h"

#include "lm_alloc.h"
#include "lm_ascii.h"

#include <idn2.h>
#include <libpsl.h>
#include <string.h>

struct mailauth_psl {
    psl_ctx_t *owned;     /* NULL when `ctx` is libpsl's built-in list */
    const psl_ctx_t *ctx;
};

int ma_dmarc_psl_load(const char *file, mailauth_psl **out)
{
    *out = NULL;
    mailauth_psl *p = lm_calloc(1, sizeof *p);
    if (!p)
        return MAILAUTH_E_NOMEM;
    p->owned = file ? psl_load_file(file) : psl_latest(NULL);
    p->ctx = p->owned;
    if (!p->ctx && !file)
        p->ctx = psl_builtin();
    if (!p->ctx) {
        lm_free(p);
        return MAILAUTH_E_INVAL;
    }
    *out = p;
    return 0;
}

int mailauth_psl_new(const char *file, mailauth_psl **out)
{
    if (!out)
        return MAILAUTH_E_INVAL;
    return ma_dmarc_psl_load(file, out);
}

void mailauth_psl_free(mailauth_psl *psl)
{
    if (!psl)
        return;
    psl_free(psl->owned);
    lm_free(psl);
}

static int name_char(unsigned char c)
{
    return c > 0x20 && c < 0x7f && c != '\\' && c != '@' && c != '[' && c != ']' && c != '"' &&
           c != '(' && c != ')' && c != ',' && c != ';' && c != '<' && c != '>';
}

int ma_dmarc_domain_norm(const char *in, size_t len, char *out)
{
    char tmp[MA_NAME_TEXT_MAX];
    if (!in || !len || len >= sizeof tmp)
        return MAILAUTH_E_INVAL;
    if (in[len - 1] == '.')
        len--;
    if (!len)
        return MAILAUTH_E_INVAL;
    memcpy(tmp, in, len);
    tmp[len] = '\0';
    if (memchr(tmp, '\0', len))
        return MAILAUTH_E_INVAL;
    int ascii = 1;
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)tmp[i] >= 0x80)
            ascii = 0;
    if (!ascii) {
        char *a = NULL;
        int rc = idn2_to_ascii_8z(tmp, &a, IDN2_NONTRANSITIONAL | IDN2_NFC_INPUT);
        if (rc == IDN2_MALLOC)
            return MAILAUTH_E_NOMEM;
        if (rc != IDN2_OK || !a || strlen(a) >= sizeof tmp) {
            idn2_free(a);
            return MAILAUTH_E_INVAL;
        }
        len = strlen(a);
        memcpy(tmp, a, len + 1);
        idn2_free(a);
    }
    if (len > 253)
        return MAILAUTH_E_INVAL;
    for (size_t i = 0; i < len; i++)
        if (!name_char((unsigned char)tmp[i]))
            return MAILAUTH_E_INVAL;
    unsigned char wire[MA_NAME_MAX];
    size_t wlen;
    if (ma_name_parse_absolute(tmp, wire, &wlen) || wlen < 2)
        return MAILAUTH_E_INVAL;
    /* ma_name_parse_absolute refuses empty labels; a leading or doubled dot is one. */
    lm_lower(tmp, len);
    memcpy(out, tmp, len + 1);
    return 0;
}

int ma_dmarc_is_under(const char *sub, const char *dom)
{
    size_t ls = strlen(sub), ld = strlen(dom);
    if (ls == ld)
        return !strcmp(sub, dom);
    return ls > ld && sub[ls - ld - 1] == '.' && !strcmp(sub + ls - ld, dom);
}

static size_t label_count(const char *name)
{
    size_t n = 1;
    for (const char *p = name; *p; p++)
        if (*p == '.')
            n++;
    return n;
}

/* The suffix of `name` holding its last `k` labels (all of it when it has fewer). */
static const char *last_labels(const char *name, size_t k)
{
    size_t n = label_count(name);
    const char *p = name;
    while (n > k) {
        p = strchr(p, '.') + 1;
        n--;
    }
    return p;
}

int ma_dmarc_walk_next(const char *name, char *out)
{
    size_t n = label_count(name);
    if (n <= 1)
        return -1;
    const char *p = last_labels(name, n >= MA_DMARC_WALK_MAX ? MA_DMARC_WALK_MAX - 1 : n - 1);
    memmove(out, p, strlen(p) + 1);
    return 0;
}

int ma_dmarc_fetch(ma_dns *dns, const char *domain, int *status, mailauth_dmarc_record **rec)
{
    char name[MA_NAME_TEXT_MAX];
    const mailauth_dns_answer *a;
    *status = MA_DMARC_FETCH_NONE;
    *rec = NULL;
    size_t dl = strlen(domain);
    if (dl + 7 > 253)
        return 0;
    memcpy(name, "_dmarc.", 7);
    memcpy(name + 7, domain, dl + 1);
    int rc = ma_dns_lookup(dns, name, MAILAUTH_RR_TXT, &a);
    if (rc == MAILAUTH_E_INVAL)
        return 0;
    if (rc)
        return rc;
    int result = mailauth_dns_answer_result(a);
    if (result == MAILAUTH_DNS_TEMPFAIL || result == MAILAUTH_DNS_PERMFAIL) {
        *status = MA_DMARC_FETCH_TEMPFAIL;
        return 0;
    }
    const mailauth_dns_record *found = NULL;
    size_t n = 0;
    for (size_t i = 0; i < mailauth_dns_answer_count(a); i++) {
        const mailauth_dns_record *r = mailauth_dns_answer_record(a, i);
        if (r->type == MAILAUTH_RR_TXT && ma_dmarc_is_record(r->text, r->text_len)) {
            found = r;
            n++;
        }
    }
    if (n > 1) {
        *status = MA_DMARC_FETCH_MULTI;
        return 0;
    }
    if (!n)
        return 0;
    rc = mailauth_dmarc_record_parse(found->text, found->text_len, rec, NULL);
    if (rc == MAILAUTH_E_NOMEM)
        return rc;
    *status = rc ? MA_DMARC_FETCH_INVALID : MA_DMARC_FETCH_ONE;
    return 0;
}

int ma_dmarc_org_walk(ma_dns *dns, const char *domain, char *out, int *tempfail)
{
    char target[MA_NAME_TEXT_MAX], best[MA_NAME_TEXT_MAX];
    best[0] = '\0';
    *tempfail = 0;
    strcpy(target, domain);
    for (int q = 0; q < MA_DMARC_WALK_MAX; q++) {
        int status;
        mailauth_dmarc_record *rec;
        int rc = ma_dmarc_fetch(dns, target, &status, &rec);
        if (rc)
            return rc;
        if (status == MA_DMARC_FETCH_TEMPFAIL) {
            *tempfail = 1;
            strcpy(out, domain);
            return 0;
        }
        if (status == MA_DMARC_FETCH_ONE) {
            int psd = mailauth_dmarc_record_psd(rec);
            mailauth_dmarc_record_free(rec);
            if (psd == MAILAUTH_DMARC_PSD_NO) {
                strcpy(out, target);
                return 0;
            }
            if (psd == MAILAUTH_DMARC_PSD_YES && q > 0) {
                /* A public suffix: the Organizational Domain is one label below it. */
                strcpy(out, last_labels(domain, label_count(target) + 1));
                return 0;
            }
            strcpy(best, target);
        }
        if (ma_dmarc_walk_next(target, target) < 0)
            break;
    }
    strcpy(out, best[0] ? best : domain);
    return 0;
}

int ma_dmarc_org_psl(const mailauth_psl *psl, const char *domain, char *out)
{
    const char *r = psl_registrable_domain(psl->ctx, domain);
    strcpy(out, r ? r : domain);
    return 0;
}

int mailauth_org_domain(const mailauth_psl *psl, const char *domain, char *buf, size_t size)
{
    char norm[MA_NAME_TEXT_MAX], org[MA_NAME_TEXT_MAX];
    if (buf && size)
        buf[0] = '\0';
    if (!psl || !domain || !buf)
        return MAILAUTH_E_INVAL;
    int rc = ma_dmarc_domain_norm(domain, strlen(domain), norm);
    if (rc)
        return rc;
    ma_dmarc_org_psl(psl, norm, org);
    size_t n = strlen(org);
    if (n >= size)
        return MAILAUTH_E_LIMIT;
    memcpy(buf, org, n + 1);
    return 0;
}
