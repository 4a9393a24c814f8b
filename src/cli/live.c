/* `sockscope live`: being written (issue 3); this placeholder is replaced this session. */
#include "cli.h"

int cli_live(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    cli_error("live: not available in this build yet");
    return EXIT_RUNTIME;
}
