/*
 * pci.c - the passthrough devices' part of hvm_build_setup_mem (pci.h):
 * sysfs for BAR sizes, vendor and device IDs (under $XENGUEST_SYSFS_ROOT
 * so that tests can hand in a fake tree), Xen for reserved device memory
 * (the two-call ENOBUFS pattern; a failing device simply has no RDMs, as
 * XenServer's get_rdm is checked only for success).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pci.h"
#include "xenguest.h"

static const char *sysfs_root(void)
{
    const char *r = getenv(XG_SYSFS_ENV);

    return r && *r ? r : "/sys";
}

/* The whole of <sysfs>/bus/pci/devices/SBDF/<name>, or NULL (logged). */
static char *read_dev_file(unsigned int seg, unsigned int bus,
                           unsigned int dev, unsigned int func,
                           const char *name)
{
    char path[4096], *buf;
    size_t len;
    FILE *fp;

    snprintf(path, sizeof(path), "%s/bus/pci/devices/%04x:%02x:%02x.%01x/%s",
             sysfs_root(), seg, bus, dev, func, name);
    fp = fopen(path, "r");
    if ( !fp )
    {
        xg_err("Cannot open '%s': %s\n", path, strerror(errno));
        return NULL;
    }
    buf = calloc(1, 4096);
    len = buf ? fread(buf, 1, 4095, fp) : 0;
    fclose(fp);
    if ( buf && len == 0 )
    {
        xg_err("Cannot read '%s'\n", path);
        free(buf);
        return NULL;
    }
    return buf;
}

static int pci_get_id(unsigned int seg, unsigned int bus, unsigned int dev,
                      unsigned int func, const char *type, uint16_t *id)
{
    char *s = read_dev_file(seg, bus, dev, func, type);
    int rc = -1;

    if ( s && sscanf(s, "%" SCNx16, id) == 1 )
        rc = 0;
    else if ( s )
        xg_err("Invalid %s id\n", type);
    free(s);
    return rc;
}

/* get_rdm: 0 with the device's entries (maybe none), or -1. */
static int get_rdm(struct xg_ctx *ctx, unsigned int seg, unsigned int bus,
                   unsigned int devfn, struct xen_reserved_device_memory **out,
                   unsigned int *nr)
{
    uint32_t n = 0;

    *out = NULL;
    *nr = 0;
    if ( !xc_reserved_device_memory_map(ctx->xch, 0, seg, bus, devfn, NULL,
                                        &n) )
        return 0;
    if ( errno != ENOBUFS || n == 0 )
        return -1;
    *out = calloc(n, sizeof(**out));
    if ( !*out )
        return -1;
    if ( xc_reserved_device_memory_map(ctx->xch, 0, seg, bus, devfn, *out,
                                       &n) )
    {
        free(*out);
        *out = NULL;
        return -1;
    }
    *nr = n;
    return 0;
}

void xg_pci_scan(struct xg_ctx *ctx, const char *list,
                 struct xg_pci_info *out)
{
    char *copy = strdup(list), *save = NULL, *s;
    unsigned int nr_devs = 0;

    memset(out, 0, sizeof(*out));
    if ( !copy )
        xg_fatal("xenguest: out of memory\n");
    for ( s = strtok_r(copy, ",", &save); s; s = strtok_r(NULL, ",", &save) )
    {
        unsigned int seg, bus, dev, func, nr;
        struct xen_reserved_device_memory *rdm;
        uint16_t vendor, device;
        uint64_t bars;
        char err[128], *res;

        if ( xg_parse_sbdf(s, &seg, &bus, &dev, &func) )
            continue;

        xg_info("Getting RMRRs for device '%s'\n", s);
        if ( !get_rdm(ctx, seg, bus, (dev << 3) + func, &rdm, &nr) && nr )
        {
            struct xg_rdm *n = realloc(out->rdm,
                                       (out->nr_rdm + nr) * sizeof(*n));

            if ( !n )
                xg_fatal("xenguest: out of memory\n");
            out->rdm = n;
            for ( unsigned int j = 0; j < nr; j++ )
            {
                n[out->nr_rdm + j].start_pfn = rdm[j].start_pfn;
                n[out->nr_rdm + j].nr_pages = rdm[j].nr_pages;
            }
            out->nr_rdm += nr;
            if ( ++nr_devs == E820MAX )
                xg_fatal("Error: hit limit of %d RMRR devices for domain\n",
                         E820MAX);
        }
        free(rdm);

        xg_info("Getting total MMIO space occupied for device '%s'\n", s);
        res = read_dev_file(seg, bus, dev, func, "resource");
        if ( !res || xg_parse_resource(res, &bars, err, sizeof(err)) )
        {
            if ( res )
                xg_err("%s\n", err);
            xg_fatal("Error: unable to get PCI MMIO info\n");
        }
        free(res);
        out->bars += bars;

        if ( !pci_get_id(seg, bus, dev, func, "vendor", &vendor) &&
             vendor == 0x1002 &&
             !pci_get_id(seg, bus, dev, func, "device", &device) &&
             device == 0x692f )
        {
            xg_info("MxGPU device found. Applying MMIO hole workaround\n");
            out->mxgpu = true;
        }
    }
    free(copy);
}
