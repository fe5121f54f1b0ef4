/*
 * bitmap.c - struct xenctl_bitmap to and from a bitmap (Xen's
 * common/bitmap.c xenctl_bitmap_to_bitmap / bitmap_to_xenctl_bitmap), for
 * the cpumaps and nodemaps of the affinity domctls.  The guest's bitmap is
 * nr_bits bits in bytes; Xen's is nbits bits.  Bits the guest gives
 * beyond nbits (within the last byte) are taken, as Xen's byte-wise
 * conversion takes them; bits Xen gives beyond nr_bits are dropped and
 * guest bytes beyond nbits are zeroed.
 *
 * Errors: -EFAULT (the guest's bytes are not all in a registered buffer),
 * -EINVAL (nbits larger than NR_CPUS: a caller's mistake).
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <xen/xen.h>

#include "core.h"
#include "domctl.h"


int xenctl_bitmap_to_bitmap(const struct guest_access *mem,
                            unsigned long *bitmap, unsigned int nlongs,
                            const struct xenctl_bitmap *xb, unsigned int nbits)
{
    unsigned int xen_bytes = DIV_ROUND_UP(nbits, 8);
    unsigned int guest_bytes = DIV_ROUND_UP(xb->nr_bits, 8);
    unsigned int copy_bytes = guest_bytes < xen_bytes ? guest_bytes : xen_bytes;
    uint8_t bytemap[NR_CPUS / 8] = { 0 };
    unsigned int i;

    if ( xen_bytes > sizeof(bytemap) || nlongs * sizeof(long) < xen_bytes )
        return -EINVAL;
    if ( copy_bytes )
    {
        if ( copy_from_guest_raw(mem, bytemap, handle_addr(xb->bitmap.p),
                                 copy_bytes) )
            return -EFAULT;
        /* Bits past nr_bits in the guest's last byte are not its. */
        if ( (xb->nr_bits & 7) && guest_bytes == copy_bytes )
            bytemap[guest_bytes - 1] &= ~(0xff << (xb->nr_bits & 7));
    }
    /* bitmap_byte_to_long: whole bytes, so up to 7 bits past nbits. */
    memset(bitmap, 0, nlongs * sizeof(long));
    for ( i = 0; i < xen_bytes; i++ )
        bitmap[i / sizeof(long)] |=
            (unsigned long)bytemap[i] << (8 * (i % sizeof(long)));
    return 0;
}

int bitmap_to_xenctl_bitmap(const struct guest_access *mem,
                            const struct xenctl_bitmap *xb,
                            const unsigned long *bitmap, unsigned int nbits)
{
    unsigned int xen_bytes = DIV_ROUND_UP(nbits, 8);
    unsigned int guest_bytes = DIV_ROUND_UP(xb->nr_bits, 8);
    unsigned int copy_bytes = guest_bytes < xen_bytes ? guest_bytes : xen_bytes;
    uint64_t addr = handle_addr(xb->bitmap.p);
    uint8_t bytemap[NR_CPUS / 8];
    const uint8_t zero = 0;
    unsigned int i;

    if ( xen_bytes > sizeof(bytemap) )
        return -EINVAL;
    for ( i = 0; i < xen_bytes; i++ )
        bytemap[i] = bitmap[i / sizeof(long)] >> (8 * (i % sizeof(long)));
    if ( nbits % 8 )                    /* clamp_last_byte */
        bytemap[nbits / 8] &= (1U << (nbits % 8)) - 1;

    if ( copy_bytes && copy_to_guest_raw(mem, addr, bytemap, copy_bytes) )
        return -EFAULT;
    for ( i = copy_bytes; i < guest_bytes; i++ )
        if ( copy_to_guest_raw(mem, addr + i, &zero, 1) )
            return -EFAULT;
    return 0;
}
