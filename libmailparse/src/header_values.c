/* header_values.c — the standalone header value parsers of the public API: a values arena
 * and thin wrappers over the internal parsers (RFC 5322 §3.3-3.6, RFC 2045 §5, RFC 2369). */
#include "mp_internal.h"

struct mailparse_values {
    lm_arena *arena; /* everything the parsers return lives here */
};

int mailparse_values_new(mailparse_values **out)
{
    if (!out)
        return MAILPARSE_E_INVAL;
    *out = NULL;
    mailparse_values *v = lm_calloc(1, sizeof *v);
    if (!v)
        return MAILPARSE_E_NOMEM;
    v->arena = lm_arena_new(0);
    if (!v->arena) {
        lm_free(v);
        return MAILPARSE_E_NOMEM;
    }
    *out = v;
    return 0;
}

void mailparse_values_free(mailparse_values *v)
{
    if (!v)
        return;
    lm_arena_free(v->arena);
    lm_free(v);
}

/* The common argument check: a values object, an output, and input unless it is empty. */
static int check_args(const mailparse_values *v, const char **in, size_t len, const void *out)
{
    if (!v || !out || (!*in && len))
        return MAILPARSE_E_INVAL;
    if (!*in)
        *in = "";
    return 0;
}

int mailparse_parse_addresses(mailparse_values *v, const char *in, size_t len,
                              mailparse_anomaly_fn anomaly, void *user,
                              const mailparse_address_list **out)
{
    int rc = check_args(v, &in, len, out);
    if (rc)
        return rc;
    mp_diag d = {anomaly, user, 0};
    size_t budget = MAILPARSE_DEFAULT_MAX_ENCODED_WORDS;
    mailparse_address_list *l = NULL;
    rc = mp_parse_addresses(v->arena, in, len, &d, &budget, &l);
    if (rc == 0)
        *out = l;
    return rc;
}

int mailparse_parse_date(const char *in, size_t len, mailparse_date *out)
{
    if (!out || (!in && len))
        return MAILPARSE_E_INVAL;
    return mp_parse_date(in ? in : "", len, out, NULL);
}

int mailparse_parse_ids(mailparse_values *v, const char *in, size_t len,
                        const mailparse_string_list **out)
{
    int rc = check_args(v, &in, len, out);
    mailparse_string_list *l = NULL;
    if (rc == 0 && (rc = mp_parse_ids(v->arena, in, len, NULL, &l)) == 0)
        *out = l;
    return rc;
}

int mailparse_parse_urls(mailparse_values *v, const char *in, size_t len,
                         const mailparse_string_list **out)
{
    int rc = check_args(v, &in, len, out);
    mailparse_string_list *l = NULL;
    if (rc == 0 && (rc = mp_parse_urls(v->arena, in, len, &l)) == 0)
        *out = l;
    return rc;
}

int mailparse_parse_content_type(mailparse_values *v, const char *in, size_t len,
                                 mailparse_anomaly_fn anomaly, void *user,
                                 const mailparse_content_type **out)
{
    int rc = check_args(v, &in, len, out);
    if (rc)
        return rc;
    mp_diag d = {anomaly, user, 0};
    size_t budget = MAILPARSE_DEFAULT_MAX_ENCODED_WORDS;
    mailparse_content_type *ct = NULL;
    rc = mp_parse_content_type(v->arena, in, len, 1, &d, &budget, &ct); /* a lone type too */
    if (rc == 0)
        *out = ct;
    return rc;
}

int mailparse_parse_received(mailparse_values *v, const char *in, size_t len,
                             const mailparse_received **out)
{
    int rc = check_args(v, &in, len, out);
    mailparse_received *r = NULL;
    if (rc == 0 && (rc = mp_parse_received(v->arena, in, len, &r)) == 0)
        *out = r;
    return rc;
}
