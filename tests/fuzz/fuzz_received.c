/* fuzz_received.c — libFuzzer harness for Received fields. Checks that a found date agrees with
 * parsing the text after the last ';' on its own, and that clause values are non-empty. */
#include <stdint.h>
#include <string.h>

#include "mp_internal.h"
#include "rfc5322_lex.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    mailparse_values *v = NULL;
    if (mailparse_values_new(&v) != 0)
        return 0;
    const mailparse_received *r = NULL;
    if (mailparse_parse_received(v, (const char *)data, size, &r) == 0) {
        const char *fields[] = {r->from, r->from_ip, r->from_iprev, r->helo, r->by, r->via,
                                r->with, r->id, r->for_addr, r->ident, r->tls_version, r->tls_cipher};
        for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
            if (fields[i] && !fields[i][0])
                __builtin_trap();
        if (r->has_date) {
            /* the text after the last ';', blanks and stray '_' skipped (";_ Tue, ...") */
            const char *in = (const char *)data, *after = in;
            size = mp_lex_field_end(in, size); /* a NUL or a line end that does not fold ends it */
            for (size_t i = 0; i < size; i++)
                if (in[i] == ';')
                    after = in + i + 1;
            while (after < in + size && (*after == ' ' || *after == '\t' || *after == '\r' ||
                                         *after == '\n' || *after == '_'))
                after++;
            mailparse_date d;
            if (mailparse_parse_date(after, size - (size_t)(after - in), &d) != 0 ||
                d.timestamp != r->date.timestamp)
                __builtin_trap();
        }
    }
    mailparse_values_free(v);
    return 0;
}
