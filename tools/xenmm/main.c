/*
 * tools/xenmm/main.c - `xenmm <command> [options]`: the dispatch table.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xenmm.h"

static int cmd_help(int argc, char **argv);

static const struct xenmm_cmd xenmm_cmds[] = {
    { "hostinfo", cmd_hostinfo,
      "boot an emulated host and describe it, as `xl info -n` does" },
    { "daemon", cmd_daemon,
      "start, stop or ask about xenmmd, the host the Xen libraries use" },
    { "exec", cmd_exec,
      "run a program with the drop-in Xen libraries against xenmmd" },
    { "run", cmd_run,
      "start a scenario's VMs as a XenServer host does; show their memory" },
    { "help", cmd_help, "list the commands, or show one's options" },
};

#define NR_CMDS (sizeof(xenmm_cmds) / sizeof(xenmm_cmds[0]))

int xenmm_fail(const char *fmt, ...)
{
    va_list ap;

    fputs("xenmm: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return EXIT_FAILURE;
}

int xenmm_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "xenmm %s: ", cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, " (see `xenmm %s --help`)\n", cmd);
    return EXIT_USAGE;
}

static void xenmm_usage(FILE *f)
{
    fprintf(f, "usage: xenmm <command> [options]\n"
               "       xenmm help [command]\n"
               "       xenmm --version\n\n"
               "Xen %d.%d memory management, emulated in user space.\n\n"
               "commands:\n", XENMM_XEN_MAJOR, XENMM_XEN_MINOR);
    for ( unsigned int i = 0; i < NR_CMDS; i++ )
        fprintf(f, "  %-12s %s\n", xenmm_cmds[i].name, xenmm_cmds[i].summary);
}

static const struct xenmm_cmd *xenmm_find(const char *name)
{
    for ( unsigned int i = 0; i < NR_CMDS; i++ )
        if ( !strcmp(xenmm_cmds[i].name, name) )
            return &xenmm_cmds[i];
    return NULL;
}

static int cmd_help(int argc, char **argv)
{
    const struct xenmm_cmd *c;
    char *help_argv[] = { NULL, "--help", NULL };

    if ( argc < 2 )
    {
        xenmm_usage(stdout);
        return 0;
    }
    if ( argc > 2 )
        return xenmm_usage_error("help", "one command at a time");
    c = xenmm_find(argv[1]);
    if ( !c )
        return xenmm_usage_error("help", "unknown command '%s'", argv[1]);
    if ( c->fn == cmd_help )
    {
        xenmm_usage(stdout);
        return 0;
    }
    help_argv[0] = argv[1];
    return c->fn(2, help_argv);
}

int main(int argc, char **argv)
{
    const struct xenmm_cmd *c;

    if ( argc < 2 )
    {
        xenmm_usage(stderr);
        return EXIT_USAGE;
    }
    if ( !strcmp(argv[1], "--version") || !strcmp(argv[1], "-V") )
    {
        printf("xenmm %s (Xen %d.%d memory management in user space)\n",
               XENMM_VERSION, XENMM_XEN_MAJOR, XENMM_XEN_MINOR);
        return 0;
    }
    if ( !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") )
    {
        xenmm_usage(stdout);
        return 0;
    }
    c = xenmm_find(argv[1]);
    if ( !c )
    {
        fprintf(stderr, "xenmm: unknown command '%s'\n", argv[1]);
        xenmm_usage(stderr);
        return EXIT_USAGE;
    }
    return c->fn(argc - 1, argv + 1);
}
