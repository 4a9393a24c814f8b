/* Names of sandbox kinds, as the diagram and the command print them. */
#include "sockscope/net.h"

const char *net_sandbox_name(enum sandbox_kind k)
{
    switch (k) {
    case SANDBOX_NETNS:
        return "network namespace";
    case SANDBOX_USERNS:
        return "user + network namespace";
    case SANDBOX_NONE:
        break;
    }
    return "host network";
}
