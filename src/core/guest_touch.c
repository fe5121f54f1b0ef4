/*
 * guest_touch.c - a vCPU reading or writing guest memory: the one entry
 * point every guest touch goes through (guest_access_gfn), standing for
 * the hardware access plus Xen's EPT-violation handler
 * (hvm_hap_nested_page_fault) when the access faults.
 *
 * HVM: the gfn is looked up as the fault handler does (get_gfn with
 * P2M_ALLOC, the p2m lock held across the access), and its type decides:
 *   ram_rw, ram_logdirty, grant_map_rw, map_foreign  read and write;
 *     a write to ram_logdirty turns the 4K entry back to ram_rw (the
 *     log-dirty fault; xenmm keeps no dirty bitmap);
 *   ram_ro, grant_map_ro  reads; writes are discarded (Xen sends them to
 *     the emulator, which drops them: p2m_is_discard_write);
 *   ioreq_server  reads; writes go to the ioreq server: -EFAULT;
 *   populate_on_demand  populated from the PoD cache, then as ram_rw; if
 *     that fails (out of PoD memory: the domain is crashed; or a p2m
 *     write failed) -ENOMEM;
 *   mmio_dm, invalid  -EFAULT: the access goes to the device model.
 *     (Xen's EPT stores a removed entry as not present, which reads back
 *     as p2m_mmio_dm; xenmm's p2m reports p2m_invalid for it.)
 *   mmio_direct  -EFAULT: a device's MMIO, and no device is emulated;
 *   paging_out, paged, paging_in  -EAGAIN: the vCPU waits for the pager.
 *     Memory paging (a later issue) hooks in here, where Xen calls
 *     p2m_mem_paging_populate;
 *   ram_shared  reads; a write would unshare, and xenmm has no sharing:
 *     -EOPNOTSUPP;
 *   ram_broken  the domain is crashed (as Xen's P2M_ALLOC lookup does),
 *     -EFAULT.
 * PV: the guest's frame number is the MFN; it must be an allocated page
 * of the domain (Xen-heap pages shared with it included), else -EFAULT.
 *
 * Other errors: -EINVAL (no such vCPU; offset + len beyond the page),
 * -ESRCH (the domain is dying or shut down - a crashed domain included -
 * so no vCPU of it runs).  Pausing is not modelled: a paused domain's
 * vCPU touching memory stands for what it did before it was paused.
 *
 * Reads of a page the RAM memfd holds no data for return zeros without
 * reading it, so reads never make untouched memory resident.
 */
#include <errno.h>
#include <string.h>

#include "core.h"
#include "p2m.h"

static void ram_copy(struct host *h, mfn_t mfn, unsigned int offset,
                     bool write, void *buf, size_t len)
{
    uint8_t *p = (uint8_t *)mfn_to_virt(h, mfn) + offset;
    uint64_t s = (mfn_x(mfn) << PAGE_SHIFT) + offset, run_end;

    if ( write )
        memcpy(p, buf, len);
    else if ( !os_ram_next_data(&h->ram, &s, s + len, &run_end) )
        memset(buf, 0, len);
    else
        memcpy(buf, p, len);
}

static int pv_access(struct domain *d, unsigned long gfn, unsigned int offset,
                     bool write, void *buf, size_t len)
{
    struct host *h = d->host;
    mfn_t mfn = _mfn(gfn);
    struct block_view v;

    if ( !mfn_valid(h, mfn) )
        return -EFAULT;
    block_view(h, mfn, &v);
    if ( v.free || v.owner != d || !(v.count_info & PGC_allocated) )
        return -EFAULT;
    ram_copy(h, mfn, offset, write, buf, len);
    return 0;
}

int guest_access_gfn(struct domain *d, unsigned int vcpu, unsigned long gfn,
                     unsigned int offset, bool write, void *buf, size_t len)
{
    struct p2m_domain *p2m;
    p2m_type_t t;
    unsigned int order;
    mfn_t mfn;
    int rc;
    bool no_vcpu, stopped;

    /* The vCPUs and the shutdown state are d's control state (core.h). */
    pthread_mutex_lock(&d->domain_lock);
    no_vcpu = vcpu >= d->max_vcpus || !d->vcpu[vcpu];
    stopped = d->is_dying || d->is_shutting_down;
    pthread_mutex_unlock(&d->domain_lock);
    if ( no_vcpu )
        return -EINVAL;
    if ( offset >= PAGE_SIZE || len > PAGE_SIZE - offset )
        return -EINVAL;
    if ( stopped )
        return -ESRCH;
    if ( !paging_mode_translate(d) )
        return pv_access(d, gfn, offset, write, buf, len);

    p2m = p2m_get_hostp2m(d);
    pthread_mutex_lock(&p2m->lock);
    mfn = p2m_get_entry(p2m, gfn, &t, &order);
    if ( p2m_is_pod(t) )
    {
        mfn = p2m_get_entry_alloc(p2m, gfn, &t, &order, d);
        if ( mfn_eq(mfn, INVALID_MFN) )
        {
            rc = -ENOMEM;
            goto out;
        }
    }

    switch ( t )
    {
    case p2m_ram_logdirty:
        if ( write && p2m_set_entry(p2m, gfn, mfn, PAGE_ORDER_4K, p2m_ram_rw) )
        {
            rc = -ENOMEM;
            break;
        }
        /* fallthrough */
    case p2m_ram_rw:
    case p2m_grant_map_rw:
    case p2m_map_foreign:
        ram_copy(d->host, mfn, offset, write, buf, len);
        rc = 0;
        break;

    case p2m_ram_ro:
    case p2m_grant_map_ro:
        if ( !write )
            ram_copy(d->host, mfn, offset, false, buf, len);
        rc = 0;                 /* a write is discarded */
        break;

    case p2m_ioreq_server:
        if ( write )
        {
            rc = -EFAULT;
            break;
        }
        ram_copy(d->host, mfn, offset, false, buf, len);
        rc = 0;
        break;

    case p2m_ram_shared:
        if ( write )
        {
            rc = -EOPNOTSUPP;
            break;
        }
        ram_copy(d->host, mfn, offset, false, buf, len);
        rc = 0;
        break;

    case p2m_ram_paging_out:
    case p2m_ram_paged:
    case p2m_ram_paging_in:
        rc = -EAGAIN;           /* mem paging: p2m_mem_paging_populate */
        break;

    case p2m_ram_broken:
        domain_crash(d, "access to a broken page");
        rc = -EFAULT;
        break;

    default:                    /* mmio_dm, invalid, mmio_direct */
        rc = -EFAULT;
        break;
    }

 out:
    pthread_mutex_unlock(&p2m->lock);
    return rc;
}
