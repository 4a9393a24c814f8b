/* The sockscope command: picks the subcommand and hands it the rest of the arguments. */
#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const char usage[] =
    "usage: sockscope COMMAND [OPTIONS] [ARGS]\n"
    "\n"
    "sockscope draws what really happens on the wire when programs talk over TCP and UDP:\n"
    "handshakes, segments, datagrams and the TCP state of both ends, as a sequence diagram.\n"
    "\n"
    "commands:\n"
    "  demo [SCENARIO]       run a built-in client and server in a private network\n"
    "                        namespace and draw their traffic live in the terminal UI\n"
    "                        (no root needed; --text streams the diagram instead)\n"
    "  open FILE [BPF...]    replay a pcap/pcapng capture in the terminal, event by event\n"
    "  trace FILE [BPF...]   print the sequence diagram of a pcap/pcapng capture\n"
    "                        (text or JSON Lines)\n"
    "  live [-i IF] [BPF...] capture an interface and draw it live (--text: stream it)\n"
    "  server tcp|udp        the built-in uppercase-echo server (port 12000)\n"
    "  client tcp|udp [HOST] the built-in client\n"
    "  help                  this text\n"
    "\n"
    "'sockscope COMMAND --help' tells more about each.\n"
    "\n"
    "options:\n"
    "  -h, --help            this text\n"
    "  --version             print the version\n"
    "\n"
    "Exit status: 0 ok, 1 runtime failure, 2 usage error or bad input.\n"
    "More: man sockscope, docs/ in the source tree.\n";

int main(int argc, char **argv)
{
    setlocale(LC_ALL, "");
    if (argc < 2) {
        fputs(usage, stderr);
        return EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "-h") || !strcmp(cmd, "--help") || !strcmp(cmd, "help")) {
        fputs(usage, stdout);
        return EXIT_OK;
    }
    if (!strcmp(cmd, "--version") || !strcmp(cmd, "-V")) {
        printf("sockscope %s\n", SOCKSCOPE_VERSION);
        return EXIT_OK;
    }
    static const struct {
        const char *name;
        int (*run)(int argc, char **argv);
    } commands[] = {
        {"trace", cli_trace}, {"demo", cli_demo},     {"live", cli_live},
        {"server", cli_server}, {"client", cli_client}, {"open", cli_open},
    };
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (!strcmp(cmd, commands[i].name))
            return commands[i].run(argc - 1, argv + 1);
    cli_error("unknown command '%s' (try 'sockscope --help')", cmd);
    return EXIT_USAGE;
}
