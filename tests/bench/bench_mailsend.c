/* bench_mailsend.c — libmailsend's side of the "send" benchmark.
 *
 *   bench_mailsend --port P [--host H] --size BYTES --messages N [--connections C] [--warmup W]
 *   bench_mailsend --ports P1,P2,... [--host H] --size BYTES --messages N [--connections C] ...
 *   bench_mailsend --size BYTES --dump
 *
 * Sends N copies of one generated RFC 5322 message of BYTES octets (bench_message(), below) to
 * H:P (default host 127.0.0.1), one recipient each, through the blocking session API: C
 * threads, each with its own session (one connection, opened once and reused for all of its
 * messages, as a sending MTA keeps a connection to a busy destination), the N messages split
 * between them. With --ports (at most 256 ports), thread i connects to the (i mod n)-th of the
 * n ports, so that C receivers on C ports each serve one connection. First W messages
 * (default 200, split the same way, at least one per session) go untimed; the clock runs from
 * the moment every session is connected and warmed up until the last message of the last
 * session has its final reply. QUIT comes after the clock stops.
 *
 * Prints one JSON line: {"impl", "version", "size", "connections", "messages", "seconds",
 * "cpu_seconds", "errors"}; "cpu_seconds" is the processor time (user and system, every
 * thread) the process used while the clock ran; "errors" counts messages that were not
 * accepted (a failed send, a refused recipient, messages left unsent when a session broke).
 * Exits 1 when any message failed.
 *
 * --dump writes the message to standard output instead (CRLF line ends), so that the peers
 * send the very same octets. */
#include "mailsend.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Processor time of the whole process (all threads), user and system. */
static double cpu_seconds(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
           (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

/* ---- the message ---- */

static const char header_block[] =
    "From: Alice Example <alice@example.com>\r\n"
    "To: Bob Example <bob@example.net>\r\n"
    "Subject: Re: the quarterly numbers and the plan for next year\r\n"
    "Date: Sat, 29 Nov 2025 12:00:00 +0000\r\n"
    "Message-ID: <20251129120000.4242@example.com>\r\n"
    "In-Reply-To: <20251128170512.77@example.net>\r\n"
    "References: <20251128170512.77@example.net>\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: text/plain; charset=us-ascii; format=flowed\r\n"
    "Content-Transfer-Encoding: 7bit\r\n"
    "User-Agent: bench_mailsend\r\n"
    "\r\n";

static const char *const words[] = {
    "the", "numbers", "for", "this", "quarter", "are", "in", "and", "revenue", "grew",
    "every", "region", "we", "sell", "costs", "stayed", "flat", "while", "team", "hired",
    "two", "people", "report", "attached", "questions", "to", "finance", "please", "next",
    "year", "plan", "should", "cover", "a", "new", "office", "budget", "meeting", "on",
    "Tuesday", "at", "ten", "with", "Bob", "Carol", "and", "Dave", "I", "think", "that",
    "our", "customers", "asked", "about", "prices", "shipping", "times", "so", "let", "us",
    "talk", "it", "over", "before", "Friday", "thanks,", "of", "course,", "agreed.", "see",
    "table", "3", "page", "12", "(draft)", "is", "not", "final", "yet;", "numbers.",
};

/* A small deterministic generator, so every run sends the same text. */
static uint32_t next_random(uint32_t *x)
{
    *x ^= *x << 13;
    *x ^= *x >> 17;
    *x ^= *x << 5;
    return *x;
}

/* A plain-text reply of exactly `size` octets: the header block above, then paragraphs of
 * words wrapped at 72 columns, one paragraph in four quoted ("> "), CRLF line ends, a last
 * line padded to the size. NULL when `size` is too small for the header block or allocation
 * fails. */
static unsigned char *bench_message(size_t size)
{
    size_t hlen = sizeof header_block - 1;
    if (size < hlen + 8)
        return NULL;
    char *m = malloc(size + 1);
    if (!m)
        return NULL;
    memcpy(m, header_block, hlen);
    size_t len = hlen;
    uint32_t x = 0x2545f491u;
    size_t line_start = len, lines_in_paragraph = 0, paragraph = 0;
    const size_t nwords = sizeof words / sizeof words[0];
    const char *w = NULL;
    for (;;) {
        if (!w)
            w = words[next_random(&x) % nwords];
        size_t wl = strlen(w);
        int quoted = paragraph % 4 == 3;
        int line_empty = len == line_start;
        size_t prefix = line_empty ? (quoted ? 2 : 0) : 1;
        /* Room for this word, its line's CRLF, and a padded last line of at least 40. */
        if (len + prefix + wl + 2 + 40 > size)
            break;
        if (!line_empty && len - line_start + 1 + wl > 72) {
            memcpy(m + len, "\r\n", 2);
            len += 2;
            line_start = len;
            if (++lines_in_paragraph == 5 + paragraph % 3) {
                memcpy(m + len, "\r\n", 2);
                len += 2;
                line_start = len;
                lines_in_paragraph = 0;
                paragraph++;
            }
            continue; /* the word goes on the new line */
        }
        if (line_empty && quoted) {
            memcpy(m + len, "> ", 2);
            len += 2;
        } else if (!line_empty) {
            m[len++] = ' ';
        }
        memcpy(m + len, w, wl);
        len += wl;
        w = NULL;
    }
    if (len != line_start) {
        memcpy(m + len, "\r\n", 2);
        len += 2;
    }
    /* The last line: a signature padded to the exact size. */
    static const char sig[] = "-- Alice Example, Finance, example.com. ";
    size_t fill = size - len - 2;
    for (size_t i = 0; i < fill; i++)
        m[len + i] = sig[i % (sizeof sig - 1)];
    if (fill && m[len + fill - 1] == ' ')
        m[len + fill - 1] = '.';
    len += fill;
    memcpy(m + len, "\r\n", 2);
    len += 2;
    m[len] = '\0';
    return (unsigned char *)m;
}

/* ---- the senders ---- */

typedef struct {
    const char *host;
    unsigned port;
    const unsigned char *msg;
    size_t len;
    unsigned warmup;
    unsigned count;   /* timed messages of this connection */
    unsigned errors;  /* of the timed ones */
    int failed;       /* the session could not be opened or warmed up */
    pthread_barrier_t *barrier;
} sender;

static const char *const rcpt_list[] = {"bob@example.net"};

/* Sends one message; 0 when the one recipient accepted it. */
static int send_one(mailsend_session *s, const mailsend_envelope *env, const sender *w)
{
    if (mailsend_session_send(s, env, rcpt_list, 1, NULL, w->msg, w->len) != 0)
        return -1;
    mailsend_client *c = mailsend_session_client(s);
    return mailsend_client_rcpt_status(c, 0) == MAILSEND_RCPT_ACCEPTED ? 0 : -1;
}

static void report_session(const mailsend_session *s, const char *what)
{
    int e = mailsend_session_error(s);
    fprintf(stderr, "bench_mailsend: %s: %s (%s)\n", what, mailsend_strerror(e),
            mailsend_session_error_detail(s));
}

static void *sender_main(void *arg)
{
    sender *w = arg;
    mailsend_session_options so;
    mailsend_session_options_init(&so);
    so.host = w->host;
    so.port = w->port;
    mailsend_options proto;
    mailsend_options_init(&proto);
    proto.ehlo_name = "client.example.com";
    mailsend_envelope env;
    mailsend_envelope_init(&env);
    env.from = "alice@example.com";
    mailsend_session *s = NULL;
    if (mailsend_session_new(&so, &proto, &s) != 0) {
        w->failed = 1;
    } else if (mailsend_session_open(s) != 0) {
        report_session(s, "open");
        w->failed = 1;
    }
    for (unsigned i = 0; i < w->warmup && !w->failed; i++)
        if (send_one(s, &env, w) != 0) {
            report_session(s, "warm-up");
            w->failed = 1;
        }
    pthread_barrier_wait(w->barrier); /* every session is ready: the clock starts */
    for (unsigned i = 0; i < w->count; i++) {
        if (w->failed || send_one(s, &env, w) != 0)
            w->errors++;
        if (!w->failed && mailsend_session_error(s)) {
            report_session(s, "send");
            w->failed = 1;
        }
    }
    pthread_barrier_wait(w->barrier); /* the clock stops when every session got here */
    if (s && !w->failed)
        mailsend_session_quit(s);
    mailsend_session_free(s);
    return NULL;
}

#define MAX_PORTS 256

/* Parses a comma-separated list of ports (1-65535) into `ports`; the number of ports, or 0
 * when the list is empty, too long or holds anything else. */
static size_t parse_ports(const char *list, unsigned *ports)
{
    size_t n = 0;
    const char *p = list;
    for (;;) {
        char *end;
        if (*p < '0' || *p > '9' || n == MAX_PORTS)
            return 0;
        unsigned long v = strtoul(p, &end, 10);
        if (v == 0 || v > 65535 || (*end != ',' && *end != '\0'))
            return 0;
        ports[n++] = (unsigned)v;
        if (*end == '\0')
            return n;
        p = end + 1;
    }
}

static void usage(void)
{
    fprintf(stderr, "usage: bench_mailsend --port P [--host H] --size BYTES --messages N "
                    "[--connections C] [--warmup W]\n"
                    "       bench_mailsend --ports P1,P2,... [--host H] --size BYTES "
                    "--messages N [--connections C] [--warmup W]\n"
                    "       bench_mailsend --size BYTES --dump\n");
}

int main(int argc, char **argv)
{
    const char *host = "127.0.0.1";
    unsigned long port = 0, connections = 1, messages = 0, warmup = 200;
    size_t size = 0, nports = 0;
    unsigned ports[MAX_PORTS];
    int dump = 0;
    for (int i = 1; i < argc; i++) {
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(argv[i], "--dump") == 0) {
            dump = 1;
            continue;
        }
        if (!v) {
            usage();
            return 2;
        }
        if (strcmp(argv[i], "--host") == 0)
            host = v;
        else if (strcmp(argv[i], "--port") == 0)
            port = strtoul(v, NULL, 10);
        else if (strcmp(argv[i], "--ports") == 0) {
            nports = parse_ports(v, ports);
            if (nports == 0) {
                usage();
                return 2;
            }
        }
        else if (strcmp(argv[i], "--size") == 0)
            size = (size_t)strtoull(v, NULL, 10);
        else if (strcmp(argv[i], "--messages") == 0)
            messages = strtoul(v, NULL, 10);
        else if (strcmp(argv[i], "--connections") == 0)
            connections = strtoul(v, NULL, 10);
        else if (strcmp(argv[i], "--warmup") == 0)
            warmup = strtoul(v, NULL, 10);
        else {
            usage();
            return 2;
        }
        i++;
    }
    unsigned char *msg = bench_message(size);
    if (!msg) {
        fprintf(stderr, "bench_mailsend: --size must be at least %zu\n",
                sizeof header_block - 1 + 8);
        return 2;
    }
    if (dump) {
        int ok = fwrite(msg, 1, size, stdout) == size && fflush(stdout) == 0;
        free(msg);
        return ok ? 0 : 1;
    }
    if (nports == 0 && port > 0 && port <= 65535)
        ports[nports++] = (unsigned)port;
    if (nports == 0 || messages == 0 || connections == 0 || connections > 256 ||
        warmup > 1000000) {
        usage();
        free(msg);
        return 2;
    }
    sender *w = calloc(connections, sizeof *w);
    pthread_t *tid = calloc(connections, sizeof *tid);
    pthread_barrier_t barrier;
    if (!w || !tid || pthread_barrier_init(&barrier, NULL, (unsigned)connections + 1) != 0) {
        fprintf(stderr, "bench_mailsend: out of memory\n");
        return 1;
    }
    size_t started = 0;
    for (size_t i = 0; i < connections; i++) {
        w[i] = (sender){.host = host, .port = ports[i % nports], .msg = msg, .len = size,
                        .warmup = (unsigned)(warmup / connections +
                                             (i < warmup % connections || warmup < connections)),
                        .count = (unsigned)(messages / connections +
                                            (i < messages % connections)),
                        .barrier = &barrier};
        if (pthread_create(&tid[i], NULL, sender_main, &w[i]) != 0) {
            fprintf(stderr, "bench_mailsend: cannot start a thread\n");
            return 1; /* the started threads wait at the barrier; exiting ends them */
        }
        started++;
    }
    pthread_barrier_wait(&barrier);
    double start = now_seconds(), cpu_start = cpu_seconds();
    pthread_barrier_wait(&barrier);
    double seconds = now_seconds() - start, cpu = cpu_seconds() - cpu_start;
    unsigned long errors = 0;
    for (size_t i = 0; i < started; i++) {
        pthread_join(tid[i], NULL);
        errors += w[i].errors;
    }
    printf("{\"impl\": \"libmailsend\", \"version\": \"%s\", \"size\": %zu, \"connections\": %lu, "
           "\"messages\": %lu, \"seconds\": %.6f, \"cpu_seconds\": %.6f, \"errors\": %lu}\n",
           mailsend_version(), size, connections, messages, seconds, cpu, errors);
    pthread_barrier_destroy(&barrier);
    free(tid);
    free(w);
    free(msg);
    return errors ? 1 : 0;
}
