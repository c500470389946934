/* message.h — the parsed message object shared by message.c (structure) and message_body.c
 * (body decoding, RFC 8621 body lists, text and HTML views). Never installed. */
#ifndef MP_MESSAGE_H
#define MP_MESSAGE_H

#include "mp_internal.h"

/* The anomalies kept in a message; past this many only the callback hears of them. */
#define MP_MAX_STORED_ANOMALIES 4096

typedef struct mp_anomalies {
    mailparse_anomaly_kind *kinds;
    size_t *offsets;
    size_t count, cap;
    size_t total;                /* all reported, stored or not */
    mailparse_anomaly_fn user_fn;
    void *user;
} mp_anomalies;

/* The recorder behind every mp_diag of a parse: stores, then forwards to the caller. */
void mp_anomalies_record(void *anomalies, mailparse_anomaly_kind kind, size_t offset);
void mp_anomalies_free(mp_anomalies *a);

struct mailparse_message {
    lm_arena *arena;
    const unsigned char *raw;
    size_t raw_len;
    unsigned char *owned_raw;       /* the copy, unless zero-copy */

    mailparse_part *parts;
    size_t part_count;
    mailparse_header *headers;
    size_t header_count;

    mp_anomalies anomalies;
    mailparse_options opts;         /* with the defaults filled in */
    size_t encoded_word_budget;

    size_t *text_body, *html_body, *attachments;
    size_t text_body_count, html_body_count, attachment_count;
    const char *text;
    size_t text_len;

    void **blobs;                   /* decoded bodies too large for the arena, owned */
    size_t blob_count, blob_cap;
};

/* A diag that records into the message's anomaly list, with offsets based at `base`. */
static inline mp_diag mp_message_diag(mailparse_message *m, size_t base)
{
    mp_diag d = {mp_anomalies_record, &m->anomalies, base};
    return d;
}

/* message_body.c: decodes every leaf part's body (unless MAILPARSE_F_NO_BODY_DECODE), then
 * computes the body lists and the text/HTML views. Called once, at the end of the parse. */
int mp_message_finish_bodies(mailparse_message *m);

#endif
