/* random.c — the injectable randomness and clock: boundaries, Message-IDs, the default Date. */
#include "mb_internal.h"

#include <fcntl.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

/* The operating system's generator; /dev/urandom when getrandom() is not there. Bytes it
 * cannot get are mixed from the clock: boundaries must differ, not be secret. */
static void os_random(unsigned char *buf, size_t len)
{
    size_t got = 0;
    while (got < len) {
        ssize_t n = getrandom(buf + got, len - got, 0);
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    if (got < len) {
        int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
        if (fd >= 0) {
            while (got < len) {
                ssize_t n = read(fd, buf + got, len - got);
                if (n <= 0)
                    break;
                got += (size_t)n;
            }
            close(fd);
        }
    }
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    uint64_t x = (uint64_t)ts.tv_sec * 1000000007u ^ (uint64_t)ts.tv_nsec ^ (uint64_t)(uintptr_t)buf;
    x |= 1;
    for (; got < len; got++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        buf[got] = (unsigned char)x;
    }
}

void mb_random(const mailbuild_message *m, unsigned char *buf, size_t len)
{
    if (m->opts.random)
        m->opts.random(m->opts.random_user, buf, len);
    else
        os_random(buf, len);
}

void mb_random_hex(const mailbuild_message *m, char *out, size_t bytes)
{
    static const char hex[] = "0123456789abcdef";
    unsigned char raw[32];
    if (bytes > sizeof raw)
        bytes = sizeof raw;
    mb_random(m, raw, bytes);
    for (size_t i = 0; i < bytes; i++) {
        out[2 * i] = hex[raw[i] >> 4];
        out[2 * i + 1] = hex[raw[i] & 15];
    }
    out[2 * bytes] = '\0';
}

int64_t mb_now(const mailbuild_message *m)
{
    return m->opts.clock ? m->opts.clock(m->opts.clock_user) : (int64_t)time(NULL);
}
