/* `sockscope server tcp|udp`: the built-in uppercase-echo server on its own, so a class can
 * run it on one machine and the client on another. One line per client and message. */
#include "cli.h"

#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "sockscope/net.h"

static const char usage[] =
    "usage: sockscope server tcp|udp [-p PORT] [-b ADDR] [--threaded]\n"
    "\n"
    "Runs the textbook uppercase-echo server: every message a client sends comes back in\n"
    "capitals. TCP: a welcoming socket accepts each client on its own connection socket;\n"
    "UDP: one socket answers each datagram. Prints one line per client and per message.\n"
    "Ctrl-C stops it.\n"
    "\n"
    "options:\n"
    "  -p, --port PORT    port to listen on (default 12000)\n"
    "  -b, --bind ADDR    address to listen on (default: all, IPv6 and IPv4)\n"
    "  --threaded         TCP: one thread per client (the multi-threaded server)\n"
    "  -h, --help         this text\n"
    "\n"
    "example: sockscope server tcp          then: sockscope client tcp HOST \"hello\"\n";

int cli_server(int argc, char **argv)
{
    struct net_server_options o = {
        .port = NET_DEFAULT_PORT, .log = stdout, .ready_fd = -1};
    const char *proto = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        long v;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            fputs(usage, stdout);
            return EXIT_OK;
        } else if (!strcmp(a, "-p") || !strcmp(a, "--port")) {
            if (i + 1 >= argc || !cli_parse_long(argv[i + 1], 0, 65535, &v)) {
                cli_error("server: %s wants a port number 0-65535%s%s%s", a,
                          i + 1 < argc ? " (got '" : "", i + 1 < argc ? argv[i + 1] : "",
                          i + 1 < argc ? "')" : "");
                return EXIT_USAGE;
            }
            o.port = (uint16_t)v;
            i++;
        } else if (!strcmp(a, "-b") || !strcmp(a, "--bind")) {
            if (i + 1 >= argc) {
                cli_error("server: %s wants an address (e.g. 127.0.0.1 or ::1)", a);
                return EXIT_USAGE;
            }
            o.bind_addr = argv[++i];
        } else if (!strcmp(a, "--threaded")) {
            o.threaded = true;
        } else if (a[0] == '-' && a[1]) {
            cli_error("server: unknown option '%s' (see 'sockscope server --help')", a);
            return EXIT_USAGE;
        } else if (!proto) {
            proto = a;
        } else {
            cli_error("server: unexpected argument '%s' (see 'sockscope server --help')", a);
            return EXIT_USAGE;
        }
    }
    if (!proto) {
        cli_error("server: tcp or udp? (usage: sockscope server tcp|udp [-p PORT])");
        return EXIT_USAGE;
    }
    if (!strcmp(proto, "tcp")) {
        o.proto = IPPROTO_TCP;
    } else if (!strcmp(proto, "udp")) {
        o.proto = IPPROTO_UDP;
    } else {
        cli_error("server: unknown protocol '%s': tcp or udp", proto);
        return EXIT_USAGE;
    }
    if (o.threaded && o.proto == IPPROTO_UDP) {
        cli_error("server: --threaded is for tcp (a UDP server has no connections to hand "
                  "to threads)");
        return EXIT_USAGE;
    }

    o.stop = cli_stop_on_signals(true);
    char err[512];
    int rc = net_server_run(&o, err, sizeof err);
    if (rc < 0) {
        cli_error("server: %s", err);
        return rc == STATUS_E_BAD_INPUT ? EXIT_USAGE : EXIT_RUNTIME;
    }
    printf("server stopped\n");
    return EXIT_OK;
}
