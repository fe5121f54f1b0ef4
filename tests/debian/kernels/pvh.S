/*
 * pvh.S - a PVH guest kernel for the builder tests: an x86-64 ELF loaded
 * at 1 MiB whose only Xen ELF note is XEN_ELFNOTE_PHYS32_ENTRY, which is
 * all libelf asks of a PVH image.  The entry point halts; the data are a
 * recognisable pattern the test finds in guest memory, and .bss makes the
 * segment's memory size larger than its file size.
 */
#include "xen_note.h"

XEN_NOTE(XEN_ELFNOTE_PHYS32_ENTRY, .long pvh_start)

    .text
    .code32
    .globl pvh_start
pvh_start:
    cli
1:  hlt
    jmp 1b

    .data
    .ascii "xenmm PVH test kernel\0"
    .balign 16
    .rept 1024
    .long 0x5056486b                    /* "kPVH" */
    .endr

    .bss
    .space 12288
