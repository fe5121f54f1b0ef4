/*
 * event_2l.c - the 2-level event channel ABI (Xen's common/event_2l.c):
 * the pending and mask bits of every port in the domain's shared_info page
 * (evtchn_pending[], evtchn_mask[]) and the notified vCPU's selector and
 * upcall flag (vcpu_info's evtchn_pending_sel, evtchn_upcall_pending).
 *
 * The page is guest memory: every access is one atomic operation, as the
 * guest's own are, in Xen's order (set pending, then test the mask, then
 * the selector), so a guest clearing bits concurrently sees what it would
 * on Xen.  No lock is needed for that; event_channel.c calls the port ops
 * holding the event lock that keeps the channel bound.
 *
 * Only vCPUs below XEN_LEGACY_MAX_VCPUS have a vcpu_info in shared_info;
 * VCPUOP_register_vcpu_info is not modelled, so the others get no
 * selector bit (the hook still fires: see event_channel.h).
 */
#include <errno.h>

#include "core.h"
#include "event_channel.h"

#define BITS_PER_EVTCHN_WORD 64     /* a 64-bit guest's xen_ulong_t */

static shared_info_t *shinfo(const struct domain *d)
{
    return mfn_to_virt(d->host, page_to_mfn(d->host, d->shared_info));
}

static bool bit_test(const xen_ulong_t *w, unsigned int bit)
{
    return __atomic_load_n(&w[bit / BITS_PER_EVTCHN_WORD], __ATOMIC_SEQ_CST) &
           (1UL << (bit % BITS_PER_EVTCHN_WORD));
}

static bool bit_test_and_set(xen_ulong_t *w, unsigned int bit)
{
    xen_ulong_t m = 1UL << (bit % BITS_PER_EVTCHN_WORD);

    return __atomic_fetch_or(&w[bit / BITS_PER_EVTCHN_WORD], m,
                             __ATOMIC_SEQ_CST) & m;
}

static bool bit_test_and_clear(xen_ulong_t *w, unsigned int bit)
{
    xen_ulong_t m = 1UL << (bit % BITS_PER_EVTCHN_WORD);

    return __atomic_fetch_and(&w[bit / BITS_PER_EVTCHN_WORD], ~m,
                              __ATOMIC_SEQ_CST) & m;
}

/* The selector bit of the port's word, then vcpu_mark_events_pending. */
static void mark_events_pending(shared_info_t *s, unsigned int vcpu_id,
                                evtchn_port_t port)
{
    struct vcpu_info *vi;

    if ( vcpu_id >= XEN_LEGACY_MAX_VCPUS )
        return;
    vi = &s->vcpu_info[vcpu_id];
    if ( !bit_test_and_set(&vi->evtchn_pending_sel,
                           port / BITS_PER_EVTCHN_WORD) )
        __atomic_store_n(&vi->evtchn_upcall_pending, 1, __ATOMIC_SEQ_CST);
}

bool evtchn_2l_set_pending(struct domain *d, unsigned int vcpu_id,
                           evtchn_port_t port)
{
    shared_info_t *s;

    if ( d->shared_info == NULL )
        return false;
    s = shinfo(d);
    if ( bit_test_and_set(s->evtchn_pending, port) )
        return false;
    if ( bit_test(s->evtchn_mask, port) )
        return false;
    mark_events_pending(s, vcpu_id, port);
    return true;
}

void evtchn_2l_clear_pending(struct domain *d, evtchn_port_t port)
{
    if ( d->shared_info )
        bit_test_and_clear(shinfo(d)->evtchn_pending, port);
}

bool evtchn_2l_unmask(struct domain *d, unsigned int vcpu_id,
                      evtchn_port_t port)
{
    shared_info_t *s;

    if ( d->shared_info == NULL )
        return false;
    s = shinfo(d);
    if ( !bit_test_and_clear(s->evtchn_mask, port) ||
         !bit_test(s->evtchn_pending, port) )
        return false;
    mark_events_pending(s, vcpu_id, port);
    return true;
}

int evtchn_guest_test(struct domain *d, evtchn_port_t port, bool *pending,
                      bool *masked)
{
    if ( port >= EVTCHN_2L_NR_CHANNELS || d->shared_info == NULL )
        return -EINVAL;
    *pending = bit_test(shinfo(d)->evtchn_pending, port);
    *masked = bit_test(shinfo(d)->evtchn_mask, port);
    return 0;
}

int evtchn_guest_mask(struct domain *d, evtchn_port_t port, bool mask)
{
    if ( port >= EVTCHN_2L_NR_CHANNELS || d->shared_info == NULL )
        return -EINVAL;
    if ( mask )
        bit_test_and_set(shinfo(d)->evtchn_mask, port);
    else
        bit_test_and_clear(shinfo(d)->evtchn_mask, port);
    return 0;
}

int evtchn_guest_clear_pending(struct domain *d, evtchn_port_t port)
{
    if ( port >= EVTCHN_2L_NR_CHANNELS || d->shared_info == NULL )
        return -EINVAL;
    bit_test_and_clear(shinfo(d)->evtchn_pending, port);
    return 0;
}
