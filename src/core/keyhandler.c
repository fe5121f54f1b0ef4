/*
 * keyhandler.c - debug keys (common/keyhandler.c): XEN_SYSCTL_debug_keys
 * (`xl debug-keys`) hands each key to handle_keypress(), which runs the
 * key's handler.  Handlers print to the console ring, where
 * XEN_SYSCTL_readconsole (`xl dmesg`) reads what they said.  A key with no
 * handler does nothing, as in Xen.
 *
 * Keys xenmm has (Xen's letters and descriptions):
 *   'D'  dump VT-x EPT tables (p2m.c, ept_dump_p2m_table): every leaf of
 *        every HAP domain's p2m, with its order.
 *   'H'  dump heap info (heap_dump.c, dump_heap): free pages per node and
 *        zone, and each node's pages still to scrub.
 *   'u'  dump NUMA info (numa_dump.c, dump_numa): the nodes, CPU to node,
 *        and each domain's pages on each node.
 * Xen's other keys dump state the emulated host does not have (registers,
 * timers, interrupts, ...).
 */
#include "core.h"
#include "domctl.h"
#include "p2m.h"

struct keyhandler {
    unsigned char key;
    void (*fn)(struct host *h, unsigned char key);
    const char *desc;
};

static const struct keyhandler key_table[] = {
    { 'D', ept_dump_p2m_table, "dump VT-x EPT tables" },
    { 'H', dump_heap, "dump heap info" },
    { 'u', dump_numa, "dump NUMA info" },
};

void handle_keypress(struct host *h, unsigned char key)
{
    unsigned int i;

    for ( i = 0; i < ARRAY_SIZE(key_table); i++ )
        if ( key_table[i].key == key )
        {
            key_table[i].fn(h, key);
            return;
        }
}
