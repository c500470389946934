/* fuzz_auth_results.c — libFuzzer harness for the Authentication-Results parser and writer
 * (RFC 8601 §2.2). Parses the input (small limits); a parsed model must write back (or hit
 * the 998-octet line limit), every written line must be within 998 octets and folded with
 * CRLF + WSP, and parsing what was written must give the same model. An input starting with
 * a NUL instead builds a model from its NUL-separated pieces through the builder (which may
 * refuse them) and checks the same round trip, so the writer's quoting meets hostile text. */
#include <stdint.h>
#include <string.h>

#include "mailauth.h"
#include "mailauth/ar_compare.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Lines within 998 octets; CR only in CRLF, each CRLF followed by a space or tab (or the
 * end, with MAILAUTH_AR_WRITE_CRLF). */
static void check_lines(const char *s, size_t len)
{
    size_t col = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '\r') {
            if (i + 1 >= len || s[i + 1] != '\n')
                __builtin_trap();
            if (i + 2 < len && s[i + 2] != ' ' && s[i + 2] != '\t')
                __builtin_trap();
            i++;
            col = 0;
        } else if (s[i] == '\n' || s[i] == '\0') {
            __builtin_trap();
        } else if (++col > 998) {
            __builtin_trap();
        }
    }
}

static void round_trip(mailauth_ar *ar)
{
    static const unsigned flag_sets[] = {0, MAILAUTH_AR_WRITE_ARC | MAILAUTH_AR_WRITE_CRLF,
                                         MAILAUTH_AR_WRITE_VALUE_ONLY};
    for (size_t f = 0; f < sizeof flag_sets / sizeof *flag_sets; f++) {
        unsigned flags = flag_sets[f];
        if ((flags & MAILAUTH_AR_WRITE_ARC) && !mailauth_ar_arc_instance(ar))
            continue;
        const char *out;
        size_t len;
        int rc = mailauth_ar_write(ar, flags, &out, &len);
        if (!*mailauth_ar_authserv_id(ar)) { /* parsed from a field without one */
            if (rc != MAILAUTH_E_INVAL)
                __builtin_trap();
            return;
        }
        if (rc == MAILAUTH_E_LIMIT || rc == MAILAUTH_E_NOMEM)
            return;
        if (rc || !out || strlen(out) != len)
            __builtin_trap();
        check_lines(out, len);
        mailauth_ar *back = NULL;
        mailauth_ar_parse_options o;
        mailauth_ar_parse_options_init(&o);
        o.max_field_size = len + 1;
        o.max_results = mailauth_ar_count(ar) + 1;
        o.max_props = 1 << 20;
        rc = mailauth_ar_parse(out, len, &o, &back, NULL);
        if (rc == MAILAUTH_E_NOMEM)
            return;
        if (rc || !same_model(ar, back))
            __builtin_trap();
        if ((flags & MAILAUTH_AR_WRITE_ARC) &&
            mailauth_ar_arc_instance(back) != mailauth_ar_arc_instance(ar))
            __builtin_trap();
        mailauth_ar_free(back);
    }
}

/* The next NUL-terminated piece of the input, or NULL at its end. */
static const char *piece(const char **p, const char *end)
{
    if (*p >= end)
        return NULL;
    const char *s = *p;
    *p += strlen(s) + 1;
    return s;
}

static void build(const uint8_t *data, size_t size)
{
    /* A NUL-terminated copy, so that the last piece ends too. */
    char buf[4096];
    if (size > sizeof buf - 1)
        size = sizeof buf - 1;
    memcpy(buf, data, size);
    buf[size] = '\0';
    const char *p = buf, *end = buf + size;
    const char *id = piece(&p, end);
    mailauth_ar *ar = NULL;
    if (!id || mailauth_ar_new(id, &ar))
        return;
    mailauth_ar_set_version(ar, size % 3);
    mailauth_ar_set_arc_instance(ar, (unsigned)(size % 52));
    for (;;) {
        const char *method = piece(&p, end), *result = piece(&p, end), *reason = piece(&p, end);
        if (!result)
            break;
        if (mailauth_ar_add_text(ar, method, result, reason && *reason ? reason : NULL))
            continue;
        const char *comment = piece(&p, end);
        if (comment && *comment)
            mailauth_ar_set_comment(ar, comment);
        const char *ptype, *property, *value;
        while ((ptype = piece(&p, end)) && (property = piece(&p, end)) &&
               (value = piece(&p, end)) && *property)
            mailauth_ar_add_prop(ar, ptype, property, value);
    }
    round_trip(ar);
    mailauth_ar_free(ar);
}

/* Every anomaly has a known kind and an offset inside the input. */
static void on_anomaly(void *user, int kind, size_t offset)
{
    if (kind < MAILAUTH_AR_ANOMALY_EMPTY_STATEMENT ||
        kind > MAILAUTH_AR_ANOMALY_NO_AUTHSERV_ID || offset > *(const size_t *)user)
        __builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size && data[0] == 0) {
        build(data + 1, size - 1);
        return 0;
    }
    mailauth_ar_parse_options o;
    mailauth_ar_parse_options_init(&o);
    o.max_results = 16;
    o.max_props = 16;
    o.max_comment_depth = 4;
    o.anomaly = on_anomaly;
    o.anomaly_user = &size;
    mailauth_ar *ar = NULL;
    mailauth_ar_error err;
    int rc = mailauth_ar_parse((const char *)data, size, &o, &ar, &err);
    if (rc) {
        if (ar || ((rc == MAILAUTH_E_SYNTAX || rc == MAILAUTH_E_LIMIT) &&
                   (!err.message || err.offset > size)))
            __builtin_trap();
        return 0;
    }
    if (!ar || mailauth_ar_count(ar) > 16)
        __builtin_trap();
    for (size_t i = 0; i < mailauth_ar_count(ar); i++)
        if (mailauth_ar_prop_count(ar, i) > 16 || !mailauth_ar_method_at(ar, i))
            __builtin_trap();
    round_trip(ar);
    mailauth_ar_free(ar);
    return 0;
}
