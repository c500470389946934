/* ip_addr.c — client addresses as the checks take them: text in, 4 or 16 octets out. */
#include "ma_internal.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

int ma_ip_parse(const char *s, ma_ip *ip)
{
    if (!s || !ip)
        return MAILAUTH_E_INVAL;
    memset(ip, 0, sizeof *ip);
    if (inet_pton(AF_INET, s, ip->b) == 1) {
        ip->v6 = 0;
        return 0;
    }
    if (inet_pton(AF_INET6, s, ip->b) != 1)
        return MAILAUTH_E_INVAL;
    static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (!memcmp(ip->b, mapped, sizeof mapped)) { /* ::ffff:a.b.c.d is the IPv4 client */
        memmove(ip->b, ip->b + 12, 4);
        memset(ip->b + 4, 0, 12);
        ip->v6 = 0;
        return 0;
    }
    ip->v6 = 1;
    return 0;
}

size_t ma_ip_format(const ma_ip *ip, char *buf, size_t size)
{
    char tmp[INET6_ADDRSTRLEN];
    if (!inet_ntop(ip->v6 ? AF_INET6 : AF_INET, ip->b, tmp, sizeof tmp))
        tmp[0] = '\0';
    size_t n = strlen(tmp);
    if (n >= size) {
        if (size)
            buf[0] = '\0';
        return 0;
    }
    memcpy(buf, tmp, n + 1);
    return n;
}

int ma_ip_in_prefix(const ma_ip *ip, const ma_ip *net, unsigned prefix)
{
    if (ip->v6 != net->v6 || prefix > (ip->v6 ? 128u : 32u))
        return 0;
    size_t whole = prefix / 8;
    if (memcmp(ip->b, net->b, whole))
        return 0;
    unsigned rest = prefix % 8;
    if (!rest)
        return 1;
    unsigned char mask = (unsigned char)(0xff << (8 - rest));
    return (ip->b[whole] & mask) == (net->b[whole] & mask);
}
