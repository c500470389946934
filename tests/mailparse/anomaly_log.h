/* anomaly_log.h — an anomaly sink for codec unit tests: records (kind, offset) pairs. */
#ifndef ANOMALY_LOG_H
#define ANOMALY_LOG_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "mailparse.h"

#define ANOMALY_LOG_MAX 64

typedef struct anomaly_log {
    size_t count;
    mailparse_anomaly_kind kind[ANOMALY_LOG_MAX];
    size_t offset[ANOMALY_LOG_MAX];
} anomaly_log;

/* The mailparse_anomaly_fn that appends to the anomaly_log `user`; counts past the maximum too. */
static inline void anomaly_log_add(void *user, mailparse_anomaly_kind kind, size_t offset)
{
    anomaly_log *l = user;
    if (l->count < ANOMALY_LOG_MAX) {
        l->kind[l->count] = kind;
        l->offset[l->count] = offset;
    }
    l->count++;
}

/* How many times `kind` was reported. */
static inline size_t anomaly_log_count(const anomaly_log *l, mailparse_anomaly_kind kind)
{
    size_t n = 0;
    for (size_t i = 0; i < l->count && i < ANOMALY_LOG_MAX; i++)
        n += l->kind[i] == kind;
    return n;
}

/* The offset of the first report of `kind`, or (size_t)-1. */
static inline size_t anomaly_log_offset(const anomaly_log *l, mailparse_anomaly_kind kind)
{
    for (size_t i = 0; i < l->count && i < ANOMALY_LOG_MAX; i++)
        if (l->kind[i] == kind)
            return l->offset[i];
    return (size_t)-1;
}

/* Fails the test unless report `i` of the log is `kind` at `off`. */
static inline void assert_anomaly_at(const anomaly_log *l, size_t i, mailparse_anomaly_kind kind, size_t off)
{
    assert_true(i < l->count);
    assert_int_equal(l->kind[i], kind);
    assert_int_equal(l->offset[i], off);
}

#endif
