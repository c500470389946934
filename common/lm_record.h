/* lm_record.h — the versioned records of the public APIs (an options struct whose first
 * member is `size_t struct_size`): reading the caller's, whatever size its version has. */
#ifndef LM_RECORD_H
#define LM_RECORD_H

#include <stddef.h>
#include <string.h>

/* Copies the caller's record `given` (may be NULL: keep `o` as it is) over `o`, a record of
 * this version of `size` octets already holding the defaults; fields newer than the caller's
 * version keep their defaults, and `o`'s struct_size ends as `size`. -1 when the caller's
 * struct_size is smaller than the field itself or larger than this version's record. */
static inline int lm_record_in(void *o, size_t size, const void *given)
{
    if (given) {
        size_t n;
        memcpy(&n, given, sizeof n);
        if (n < sizeof(size_t) || n > size)
            return -1;
        memcpy(o, given, n);
    }
    memcpy(o, &size, sizeof size);
    return 0;
}

#endif
