/*
 * tools/xenmm/host_args.c - --host/--xen handling shared by the commands
 * that boot a host: load the spec, apply Xen options, boot.
 */
#include <stdio.h>
#include <stdlib.h>

#include "xenmm.h"

#define ERRLEN 512

int xenmm_host_args_add_xen(struct xenmm_host_args *a, const char *cmd,
                            const char *opt)
{
    if ( a->nr_xen == sizeof(a->xen) / sizeof(a->xen[0]) )
    {
        xenmm_usage_error(cmd, "too many --xen options (put several in one, "
                          "separated by blanks)");
        return -1;
    }
    a->xen[a->nr_xen++] = opt;
    return 0;
}

const char *xenmm_host_args_spec(const struct xenmm_host_args *a)
{
    const char *env = getenv("XENMM_HOST");

    if ( a->spec )
        return a->spec;
    if ( env && *env )
        return env;
    return HOSTSPEC_DEFAULT_PRESET;
}

struct hostspec *xenmm_load_host(const struct xenmm_host_args *a)
{
    const char *spec = xenmm_host_args_spec(a);
    struct hostspec *hs = hostspec_alloc();
    char err[ERRLEN];

    if ( !hs )
    {
        xenmm_fail("out of memory");
        return NULL;
    }
    if ( hostspec_load(spec, hs, err, sizeof(err)) )
        goto fail;
    for ( unsigned int i = 0; i < a->nr_xen; i++ )
        if ( hostspec_set_xen_cmdline(hs, a->xen[i], false, err,
                                      sizeof(err)) )
        {
            xenmm_fail("--xen %s: %s", a->xen[i], err);
            hostspec_free(hs);
            return NULL;
        }
    if ( a->nr_xen && hostspec_validate(hs, err, sizeof(err)) )
    {
        xenmm_fail("%s with the --xen options: %s", spec, err);
        hostspec_free(hs);
        return NULL;
    }
    return hs;

 fail:
    xenmm_fail("%s", err);
    hostspec_free(hs);
    return NULL;
}

struct host *xenmm_boot_host(const struct xenmm_host_args *a)
{
    struct hostspec *hs = xenmm_load_host(a);
    struct host *h = NULL;
    char err[ERRLEN];
    int rc;

    if ( !hs )
        return NULL;
    err[0] = '\0';
    rc = host_boot(hs, &h, err, sizeof(err));
    if ( rc )
    {
        xenmm_fail("cannot boot %s: %s", xenmm_host_args_spec(a),
                   err[0] ? err : "unknown error");
        h = NULL;
    }
    hostspec_free(hs);
    return h;
}
