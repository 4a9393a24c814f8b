/* `sockscope client tcp|udp`: the built-in uppercase-echo client on its own: sends the
 * message (or each line of standard input) and prints each reply. */
#include "cli.h"

#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sockscope/net.h"

static const char usage[] =
    "usage: sockscope client tcp|udp [HOST] [-p PORT] [--timeout MS] [MESSAGE...]\n"
    "\n"
    "Runs the textbook uppercase-echo client: sends MESSAGE (the words after HOST, joined\n"
    "by spaces), or else each line of standard input, to the server on HOST (default\n"
    "127.0.0.1) and prints each reply.\n"
    "\n"
    "options:\n"
    "  -p, --port PORT    the server's port (default 12000)\n"
    "  --timeout MS       UDP: how long to wait for each reply (default 1000); a lost\n"
    "                     reply is reported. TCP: limit for connecting and each reply\n"
    "  -h, --help         this text\n"
    "\n"
    "example: sockscope client tcp 192.168.1.20 \"hello tcp world\"\n";

static bool option_value(int argc, char **argv, int i, long min, long max, long *v,
                         const char *what)
{
    if (i + 1 < argc && cli_parse_long(argv[i + 1], min, max, v)) return true;
    cli_error("client: %s wants %s%s%s%s", argv[i], what, i + 1 < argc ? " (got '" : "",
              i + 1 < argc ? argv[i + 1] : "", i + 1 < argc ? "')" : "");
    return false;
}

int cli_client(int argc, char **argv)
{
    struct net_client_options o = {
        .port = NET_DEFAULT_PORT, .in = stdin, .out = stdout};
    const char *proto = NULL;
    char **words = calloc((size_t)argc + 1, sizeof *words);
    int nwords = 0;
    if (!words) {
        cli_error("client: out of memory");
        return EXIT_RUNTIME;
    }
    int rc = EXIT_OK;
    bool words_only = false;
    for (int i = 1; i < argc && rc == EXIT_OK; i++) {
        const char *a = argv[i];
        long v;
        if (words_only || a[0] != '-' || !a[1]) {
            if (!proto)
                proto = a;
            else
                words[nwords++] = argv[i];
        } else if (!strcmp(a, "--")) {
            words_only = true;
        } else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            fputs(usage, stdout);
            free(words);
            return EXIT_OK;
        } else if (!strcmp(a, "-p") || !strcmp(a, "--port")) {
            if (!option_value(argc, argv, i, 1, 65535, &v, "a port number 1-65535"))
                rc = EXIT_USAGE;
            o.port = (uint16_t)v;
            i++;
        } else if (!strcmp(a, "--timeout")) {
            if (!option_value(argc, argv, i, 1, 3600000, &v, "milliseconds, 1-3600000"))
                rc = EXIT_USAGE;
            o.timeout_ms = (int)v;
            i++;
        } else {
            cli_error("client: unknown option '%s' (see 'sockscope client --help')", a);
            rc = EXIT_USAGE;
        }
    }
    if (rc == EXIT_OK && !proto) {
        cli_error("client: tcp or udp? (usage: sockscope client tcp|udp [HOST] [MESSAGE])");
        rc = EXIT_USAGE;
    } else if (rc == EXIT_OK && !strcmp(proto, "tcp")) {
        o.proto = IPPROTO_TCP;
    } else if (rc == EXIT_OK && !strcmp(proto, "udp")) {
        o.proto = IPPROTO_UDP;
    } else if (rc == EXIT_OK) {
        cli_error("client: unknown protocol '%s': tcp or udp", proto);
        rc = EXIT_USAGE;
    }
    char *message = NULL;
    if (rc == EXIT_OK && nwords > 0) {
        o.host = words[0];
        size_t len = 1;
        for (int i = 1; i < nwords; i++)
            len += strlen(words[i]) + 1;
        if (nwords > 1 && (message = malloc(len))) {
            message[0] = 0;
            for (int i = 1; i < nwords; i++) {
                if (i > 1) strcat(message, " ");
                strcat(message, words[i]);
            }
            o.message = message;
        }
    }
    free(words);
    if (rc != EXIT_OK) return rc;

    o.stop = cli_stop_on_signals(true);
    char err[512];
    int r = net_client_run(&o, err, sizeof err);
    free(message);
    if (r < 0) {
        if (!strncmp(err, "unknown host", 12) && o.host && !o.message)
            cli_error("client: %s (the word after tcp|udp is the HOST, the message comes "
                      "after it)",
                      err);
        else
            cli_error("client: %s", err);
        return r == STATUS_E_BAD_INPUT ? EXIT_USAGE : EXIT_RUNTIME;
    }
    return EXIT_OK;
}
