/*
 * arch_domain.c - x86 per-domain setup and teardown (see arch_domain.h):
 * the order Xen uses, with each resource owned by its own file.
 *
 * The emulated devices asked for must be a combination Xen allows
 * (-EINVAL for unknown ones, -EOPNOTSUPP for others), checked before
 * anything is set up, as x86 arch_domain_create.
 *
 * shared_info, as x86 arch_domain_create: one Xen-heap page below 4 GiB
 * (MEMF_bits(32): its address must fit a 32-bit guest's start_info),
 * cleared and shared with the domain; -ENOMEM without one.  domain_kill
 * unshares it with the rest of xenpage_list and arch_domain_destroy frees
 * it.  The grant table is set up after the arch part, as common
 * domain_create does, and freed before it, as complete_domain_destroy.
 */
#include <errno.h>
#include <stdlib.h>

#include "core.h"
#include "arch_domain.h"
#include "pv.h"

static int shared_info_alloc(struct domain *d)
{
    struct host *h = d->host;
    void *v = alloc_xenheap_pages(h, 0, MEMF_bits(32));

    if ( v == NULL )
        return -ENOMEM;
    /* clear_page: only a page that was written needs zeroing. */
    os_ram_fill(&h->ram, (uint64_t)mfn_x(virt_to_mfn(h, v)) << PAGE_SHIFT,
                PAGE_SIZE, 0);
    d->shared_info = mfn_to_page(h, virt_to_mfn(h, v));
    share_xen_page_with_guest(d->shared_info, d);
    return 0;
}

static void shared_info_free(struct domain *d)
{
    struct host *h = d->host;

    if ( d->shared_info == NULL )
        return;
    unshare_xen_page_with_guest(d->shared_info, d);
    free_xenheap_pages(h, mfn_to_virt(h, page_to_mfn(h, d->shared_info)), 0);
    d->shared_info = NULL;
}

/*
 * emulation_flags_ok: an HVM domU emulates everything but vPCI, or only
 * the LAPIC (PVH); an HVM hardware domain vPCI, LAPIC and IOAPIC; a PV
 * domain nothing, or the PIT.
 */
static bool emulation_flags_ok(const struct domain *d, uint32_t emflags)
{
    if ( is_hvm_domain(d) )
    {
        if ( d->is_hardware )
            return emflags == (XEN_X86_EMU_VPCI | XEN_X86_EMU_LAPIC |
                               XEN_X86_EMU_IOAPIC);
        return emflags == (XEN_X86_EMU_ALL & ~XEN_X86_EMU_VPCI) ||
               emflags == XEN_X86_EMU_LAPIC;
    }
    return emflags == 0 || emflags == XEN_X86_EMU_PIT;
}

int arch_domain_create(struct domain *d,
                       const struct xen_domctl_createdomain *config)
{
    int rc;

    /* d->emulation_flags has the PIT a PV hardware domain gets. */
    if ( d->emulation_flags & ~XEN_X86_EMU_ALL )
        return -EINVAL;
    if ( !emulation_flags_ok(d, d->emulation_flags) )
        return -EOPNOTSUPP;

    if ( (rc = paging_enable(d)) )
        return rc;
    if ( (rc = init_domain_cpu_policy(d)) )
        goto fail_paging;
    if ( (rc = p2m_init(d)) )
        goto fail_paging;
    if ( (rc = shared_info_alloc(d)) )
        goto fail_p2m;
    if ( is_hvm_domain(d) )
        hvm_domain_initialise(d);
    tsc_set_info(d, 0 /* TSC_MODE_DEFAULT */, 0, 0, 0);
    /* common domain_create: grant_table_init after arch_domain_create. */
    if ( (rc = grant_table_init(d, config->grant_opts)) )
        goto fail_shared_info;
    return 0;

 fail_shared_info:
    shared_info_free(d);
 fail_p2m:
    p2m_final_teardown(d);
 fail_paging:
    paging_teardown(d);
    free(d->cpu_policy);
    d->cpu_policy = NULL;
    return rc;
}

void arch_domain_relinquish(struct domain *d)
{
    p2m_teardown(d);
    paging_teardown(d);
}

void arch_domain_destroy(struct domain *d)
{
    grant_table_destroy(d);
    p2m_final_teardown(d);
    /*
     * hap_final_teardown: whatever the pool got after domain_kill emptied
     * it (a set_paging_mempool_size that looked the domain up before
     * destroydomain and ran after it) goes back too.
     */
    paging_teardown(d);
    shared_info_free(d);
    pv_domain_destroy(d);
    free(d->cpu_policy);
    d->cpu_policy = NULL;
}
