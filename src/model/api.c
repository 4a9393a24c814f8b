/* Names of socket API calls and of the socket options a course meets, as the diagram and
 * JSON print them. */
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include "sockscope/model.h"

const char *api_call_name(enum api_call c)
{
    static const char *const names[API_CALL_COUNT] = {
        [API_SOCKET] = "socket",     [API_BIND] = "bind",       [API_LISTEN] = "listen",
        [API_ACCEPT] = "accept",     [API_CONNECT] = "connect", [API_SEND] = "send",
        [API_RECV] = "recv",         [API_SENDTO] = "sendto",   [API_RECVFROM] = "recvfrom",
        [API_SHUTDOWN] = "shutdown", [API_CLOSE] = "close",     [API_SETSOCKOPT] = "setsockopt",
    };
    return (unsigned)c < API_CALL_COUNT ? names[c] : "?";
}

const char *api_option_name(int level, int name)
{
    static const struct {
        int level, name;
        const char *text;
    } names[] = {
        {SOL_SOCKET, SO_LINGER, "SO_LINGER"},        {SOL_SOCKET, SO_REUSEADDR, "SO_REUSEADDR"},
        {SOL_SOCKET, SO_REUSEPORT, "SO_REUSEPORT"},  {SOL_SOCKET, SO_KEEPALIVE, "SO_KEEPALIVE"},
        {SOL_SOCKET, SO_RCVBUF, "SO_RCVBUF"},        {SOL_SOCKET, SO_SNDBUF, "SO_SNDBUF"},
        {SOL_SOCKET, SO_BROADCAST, "SO_BROADCAST"},  {SOL_SOCKET, SO_RCVTIMEO, "SO_RCVTIMEO"},
        {SOL_SOCKET, SO_SNDTIMEO, "SO_SNDTIMEO"},    {IPPROTO_TCP, TCP_NODELAY, "TCP_NODELAY"},
        {IPPROTO_TCP, TCP_MAXSEG, "TCP_MAXSEG"},     {IPPROTO_TCP, TCP_CORK, "TCP_CORK"},
        {IPPROTO_TCP, TCP_QUICKACK, "TCP_QUICKACK"}, {IPPROTO_IPV6, IPV6_V6ONLY, "IPV6_V6ONLY"},
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (names[i].level == level && names[i].name == name) return names[i].text;
    return NULL;
}
