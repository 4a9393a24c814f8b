/* Temporary entry point, replaced by the subcommand dispatcher. */
#include <stdio.h>
int main(void) { puts("sockscope"); return 0; }
