/*
 * pv.S - a 64-bit PV guest kernel for the builder tests: the Xen ELF
 * notes a PV image needs (the generic loader, xen-3.0, where the kernel
 * sits virtually and physically, its entry and its hypercall page), an
 * entry point that halts, a page Xen fills with hypercall stubs, and a
 * recognisable data pattern.  Linked at 0xffffffff80100000, loaded from
 * physical 1 MiB (pv.lds).
 */
#include "xen_note.h"

#define VIRT_BASE 0xffffffff80000000

XEN_NOTE(XEN_ELFNOTE_GUEST_OS, .asciz "xenmm-test")
XEN_NOTE(XEN_ELFNOTE_GUEST_VERSION, .asciz "1")
XEN_NOTE(XEN_ELFNOTE_XEN_VERSION, .asciz "xen-3.0")
XEN_NOTE(XEN_ELFNOTE_LOADER, .asciz "generic")
XEN_NOTE(XEN_ELFNOTE_VIRT_BASE, .quad VIRT_BASE)
XEN_NOTE(XEN_ELFNOTE_PADDR_OFFSET, .quad 0)
XEN_NOTE(XEN_ELFNOTE_ENTRY, .quad _start)
XEN_NOTE(XEN_ELFNOTE_HYPERCALL_PAGE, .quad hypercall_page)

    .text
    .code64
    .globl _start
_start:
    cli
1:  hlt
    jmp 1b

    .balign 4096
    .globl hypercall_page
hypercall_page:
    .fill 4096, 1, 0

    .data
    .ascii "xenmm PV test kernel\0"
    .balign 16
    .rept 2048
    .long 0x5650766b                    /* "kvPV" */
    .endr

    .bss
    .space 16384
