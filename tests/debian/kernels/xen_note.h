/*
 * xen_note.h - one Xen ELF note (<xen/elfnote.h>) in assembler:
 *   XEN_NOTE(type, .long value) or XEN_NOTE(type, .asciz "string")
 * in section .note.Xen (name "Xen", 4-byte aligned, as libelf reads it).
 */
#include <xen/elfnote.h>

#define XEN_NOTE(type, desc...)                 \
    .pushsection .note.Xen, "a", @note;         \
    .balign 4;                                  \
    .long 2f - 1f;                              \
    .long 4f - 3f;                              \
    .long type;                                 \
1:  .asciz "Xen";                               \
2:  .balign 4;                                  \
3:  desc;                                       \
4:  .balign 4;                                  \
    .popsection
