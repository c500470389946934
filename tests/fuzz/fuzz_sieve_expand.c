/* fuzz_sieve_expand.c — libFuzzer harness for the string work of libsieve: encoded-character
 * decoding, "${…}" expansion with variables, match variables and a namespace, the "set"
 * modifiers within a size limit, and the variable store; then the same bytes as a header
 * value for the address and date parts. Input: one byte of modifier bits, one byte of size
 * limit (0 = none, else 8 × the byte), then the text.
 * Checks: limits hold, a failed call leaves its output as it was, a string without references
 * expands to itself, valid UTF-8 stays valid through the store, parts point into the address. */
#include <stdint.h>
#include <string.h>

#include "sieve_internal.h"

#include "lm_utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c)                                                                              \
    do {                                                                                      \
        if (!(c))                                                                             \
            __builtin_trap();                                                                 \
    } while (0)

static int ns_lookup(void *user, const char *name, size_t len, lm_buf *out)
{
    (void)user;
    if (len > 4 && !memcmp(name, "env.", 4))
        return lm_buf_append(out, name + 4, len - 4) ? SIEVE_E_NOMEM : 1;
    if (len == 8 && !memcmp(name, "tst.fail", 8))
        return SIEVE_E_RUNTIME;
    return 0;
}

static int check_address(void *user, const char *addr, size_t len, const char *name)
{
    (void)user;
    if (name) /* a display name is a whole string (read to its end under ASan) */
        CHECK(strlen(name) < SIZE_MAX);
    static const char *const delims[] = {NULL, "", "+", "+-_"};
    for (int part = SV_ADDR_ALL; part <= SV_ADDR_DETAIL; part++)
        for (size_t d = 0; d < sizeof delims / sizeof delims[0]; d++) {
            const char *p = NULL;
            size_t n = 0;
            int rc = sv_address_part(part, addr, len, delims[d], &p, &n);
            CHECK(rc == 0 || rc == 1);
            CHECK(rc == 1 || (p >= addr && n <= len && (size_t)(p - addr) <= len - n));
            CHECK(part != SV_ADDR_ALL || rc == 0);
        }
    return 0;
}

static void check_dates(const char *s, size_t n)
{
    static const char *const parts[] = {"year",   "month", "day",     "date",  "julian",
                                        "hour",   "minute", "second", "time",  "iso8601",
                                        "std11",  "zone",  "weekday"};
    sv_datetime t;
    int zone = 0;
    if (sv_zone_parse(s, n, &zone) == 0)
        CHECK(zone >= -5999 && zone <= 5999);
    if (sv_date_parse(s, n, &t) != 0)
        return;
    lm_buf out = LM_BUF_INIT;
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
        lm_buf_reset(&out);
        int rc = sv_date_part(parts[i], strlen(parts[i]), &t, t.zone_minutes, &out);
        CHECK(rc == 0 || rc == SIEVE_E_INVAL || rc == SIEVE_E_NOMEM);
        CHECK(rc != 0 || (out.len > 0 && out.len < 40));
        rc = sv_date_part(parts[i], strlen(parts[i]), &t, zone, &out);
        CHECK(rc == 0 || rc == SIEVE_E_INVAL || rc == SIEVE_E_NOMEM);
    }
    lm_buf_free(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    unsigned mods = data[0];
    size_t max = (size_t)data[1] * 8;
    const char *text = (const char *)data + 2;
    size_t len = size - 2;

    sv_vars *vars = NULL;
    sv_captures caps;
    memset(&caps, 0, sizeof caps);
    lm_buf dec = LM_BUF_INIT, exp = LM_BUF_INIT, mod = LM_BUF_INIT, again = LM_BUF_INIT;
    if (sv_vars_new(8, max ? max : 512, &vars))
        goto out;

    /* encoded-character: 0, or an error that leaves the output as it was. */
    lm_buf_append(&dec, "<", 1);
    int rc = sv_decode_encoded_characters(text, len, &dec);
    CHECK(rc == 0 || rc == SIEVE_E_SYNTAX || rc == SIEVE_E_NOMEM);
    CHECK(rc != SIEVE_E_SYNTAX || dec.len == 1);
    if (rc)
        goto out;
    const char *s = dec.data + 1;
    size_t n = dec.len - 1;

    /* A store and captures made of the input itself. */
    sv_vars_set(vars, "company", 7, "ACME", 4);
    sv_vars_set(vars, "s", 1, "$", 1);
    sv_vars_set(vars, "x", 1, s, n);
    size_t xl = 0;
    const char *x = sv_vars_get(vars, "X", 1, &xl);
    if (x) {
        CHECK(xl <= (max ? max : 512) && xl <= n && !memcmp(x, s, xl));
        CHECK(!lm_utf8_valid(s, n) || lm_utf8_valid(x, xl));
    }
    for (size_t i = 0; i < 4; i++)
        lm_buf_append(&caps.value[i], s + i * n / 4, n / 4);
    caps.count = n % SV_MAX_CAPTURES;

    /* Expansion: within the limit, or SIEVE_E_LIMIT with nothing added. */
    rc = sv_expand(s, n, vars, &caps, ns_lookup, NULL, max, &exp);
    CHECK(rc == 0 || rc == SIEVE_E_LIMIT || rc == SIEVE_E_RUNTIME || rc == SIEVE_E_NOMEM);
    CHECK(rc == 0 || exp.len == 0);
    CHECK(rc != 0 || !max || exp.len <= max);
    if (rc == 0 && !sv_string_has_variables(s, n))
        CHECK(exp.len == n && (n == 0 || !memcmp(exp.data, s, n)));

    /* A name that is valid reads back what was stored under it. */
    if (sv_var_name_valid(s, n, 0) && sv_vars_set(vars, s, n, "v", 1) == 0) {
        lm_buf_append(&again, "${", 2);
        lm_buf_append(&again, s, n);
        lm_buf_append(&again, "}", 1);
        lm_buf ref = LM_BUF_INIT;
        if (!again.oom && sv_expand(again.data, again.len, vars, NULL, NULL, NULL, 0, &ref) == 0)
            CHECK(ref.len == 1 && ref.data[0] == 'v');
        lm_buf_free(&ref);
    }

    /* Modifiers: within the limit; unknown bits refused. */
    const char *e = exp.data ? exp.data : "";
    rc = sv_apply_modifiers(mods, e, exp.len, max, &mod);
    CHECK(rc == 0 || rc == SIEVE_E_NOMEM);
    CHECK(rc != 0 || !max || mod.len <= max);
    if (rc == 0 && mods == SV_MOD_LENGTH)
        CHECK(mod.len > 0 && mod.len < 21);
    CHECK(sv_apply_modifiers(1u << 8 | mods, e, exp.len, max, &again) == SIEVE_E_INVAL);

    /* The same bytes as a header value. */
    rc = sv_header_addresses(text, len, check_address, NULL);
    CHECK(rc == 0 || rc == SIEVE_E_NOMEM);
    check_dates(text, len);

out:
    for (size_t i = 0; i < SV_MAX_CAPTURES; i++)
        lm_buf_free(&caps.value[i]);
    lm_buf_free(&dec);
    lm_buf_free(&exp);
    lm_buf_free(&mod);
    lm_buf_free(&again);
    sv_vars_free(vars);
    return 0;
}
