/* net_client_run: the message (or each line of input) through the TCP or UDP client, and
 * the way both name the server in their messages. */
#include "net_internal.h"

#include <netinet/in.h>
#include <string.h>

int net_client_run(const struct net_client_options *o, char *err, size_t errlen)
{
    if (!o->message && !o->in) {
        snprintf(err, errlen, "no message and no input to read messages from");
        return STATUS_E_BAD_INPUT;
    }
    if (o->proto == IPPROTO_TCP) return net_tcp_client(o, err, errlen);
    if (o->proto == IPPROTO_UDP) return net_udp_client(o, err, errlen);
    snprintf(err, errlen, "a client speaks TCP or UDP");
    return STATUS_E_BAD_INPUT;
}
