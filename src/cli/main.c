/* vboard: the command-line front end. Everything is table-driven in cli.c. */
#include "cli.h"

int main(int argc, char **argv)
{
    return cli_main(argc, argv);
}
