/* `sockscope demo`: being written (issue 3); this placeholder is replaced this session. */
#include "cli.h"

int cli_demo(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    cli_error("demo: not available in this build yet");
    return EXIT_RUNTIME;
}
