/* Names of socket API calls, as the diagram and JSON print them. */
#include "sockscope/model.h"

const char *api_call_name(enum api_call c)
{
    static const char *const names[API_CALL_COUNT] = {
        [API_SOCKET] = "socket",     [API_BIND] = "bind",       [API_LISTEN] = "listen",
        [API_ACCEPT] = "accept",     [API_CONNECT] = "connect", [API_SEND] = "send",
        [API_RECV] = "recv",         [API_SENDTO] = "sendto",   [API_RECVFROM] = "recvfrom",
        [API_SHUTDOWN] = "shutdown", [API_CLOSE] = "close",
    };
    return (unsigned)c < API_CALL_COUNT ? names[c] : "?";
}
