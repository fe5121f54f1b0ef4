/*
 * guest_access.h - copy_from_guest/copy_to_guest for hypercall arguments.
 *
 * A caller registers the buffers its arguments live in (libxencall's
 * hypercall buffers: a guest address, where the bytes are here, a length).
 * Every access must lie wholly inside one registered buffer; anything else
 * - a null handle, an address outside every buffer, a range that runs off
 * the end of one, an overflowing length - fails, and the hypercall returns
 * -EFAULT as Xen's do for an unmapped guest address.  No input can make the
 * core read or write outside the registered buffers.
 */
#ifndef XENMM_CORE_GUEST_ACCESS_H
#define XENMM_CORE_GUEST_ACCESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GUEST_ACCESS_MAX_BUFS 64

struct guest_buf {
    uint64_t gaddr;     /* the address the caller passes in arguments */
    void *host;         /* where those bytes are in this process */
    size_t len;
};

struct guest_access {
    unsigned int nr;
    struct guest_buf buf[GUEST_ACCESS_MAX_BUFS];
};

/* 0, or -ENOSPC (table full) / -EINVAL (empty, wrapping or null range). */
int guest_access_register(struct guest_access *ga, uint64_t gaddr, void *host,
                          size_t len);
void guest_access_unregister(struct guest_access *ga, uint64_t gaddr);

/* Return 0, or the number of bytes not copied (Xen's convention). */
size_t copy_from_guest_raw(const struct guest_access *ga, void *dst,
                           uint64_t gaddr, size_t len);
size_t copy_to_guest_raw(const struct guest_access *ga, uint64_t gaddr,
                         const void *src, size_t len);

/* guest_handle_okay: the whole range lies in one registered buffer. */
bool guest_access_okay(const struct guest_access *ga, uint64_t gaddr,
                       uint64_t len);

static inline bool guest_handle_is_null(uint64_t gaddr)
{
    return gaddr == 0;
}

#endif /* XENMM_CORE_GUEST_ACCESS_H */
