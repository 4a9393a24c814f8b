/* Socket addresses for people and for lifelines: sockaddr -> endpoint (IPv4-mapped IPv6
 * shown as the IPv4 it is on the wire), "[::1]:12000" formatting, name resolution. */
#include "net_internal.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "sockscope/model.h"

void net_endpoint_from_sockaddr(const struct sockaddr *sa, struct endpoint *ep)
{
    memset(ep, 0, sizeof *ep);
    if (!sa) return;
    if (sa->sa_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
        ep->addr.family = 4;
        memcpy(ep->addr.bytes, &in->sin_addr, 4);
        ep->port = ntohs(in->sin_port);
    } else if (sa->sa_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;
        if (IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr)) {
            ep->addr.family = 4;
            memcpy(ep->addr.bytes, &in6->sin6_addr.s6_addr[12], 4);
        } else {
            ep->addr.family = 6;
            memcpy(ep->addr.bytes, &in6->sin6_addr, 16);
        }
        ep->port = ntohs(in6->sin6_port);
    }
}

void net_format_endpoint(const struct endpoint *ep, char *buf, size_t n)
{
    char a[64];
    if (ep->addr.family == 0) {
        snprintf(buf, n, "?");
        return;
    }
    ip_address_format(&ep->addr, a, sizeof a);
    if (ep->addr.family == 6)
        snprintf(buf, n, "[%s]:%u", a, ep->port);
    else
        snprintf(buf, n, "%s:%u", a, ep->port);
}

void net_format_sockaddr(const struct sockaddr *sa, char *buf, size_t n)
{
    struct endpoint ep;
    net_endpoint_from_sockaddr(sa, &ep);
    net_format_endpoint(&ep, buf, n);
}

int net_resolve(const char *host, uint16_t port, int socktype, bool passive, struct addrinfo **out,
                char *err, size_t errlen)
{
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = socktype};
    char service[8];
    snprintf(service, sizeof service, "%u", port);
    hints.ai_flags = AI_NUMERICSERV | (passive ? AI_PASSIVE : 0);
    int rc = getaddrinfo(host, service, &hints, out);
    if (rc == 0) return STATUS_OK;
    if (rc == EAI_NONAME || rc == EAI_FAMILY || rc == EAI_SERVICE) {
        snprintf(err, errlen, "unknown host '%s': not an address, and no name lookup knows it",
                 host);
        return STATUS_E_BAD_INPUT;
    }
    snprintf(err, errlen, "cannot look up '%s': %s", host, gai_strerror(rc));
    return STATUS_E_RUNTIME;
}
