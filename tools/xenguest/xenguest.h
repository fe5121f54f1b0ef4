/*
 * xenguest.h - what the files of xenguest share (docs/xenguest.md).
 *
 * xenguest is XenServer's domain builder, the program xenopsd forks for
 * every VM build: named options (options.c), platform keys read from
 * xenstore (xs.c, flags.c), vCPU and TSC set-up (vcpus.c), the HVM memory
 * layout (layout.c, pure) applied through libxenguest (hvm_build.c), the
 * PVH ACPI tables (acpi.c), PV builds (linux_build.c), -mem_pnode
 * (numa.c), the CPUID policy (cpuid.c), and the control protocol and
 * logging (log.c).  It links Debian's libxenctrl, libxenguest and
 * libxenstore only; on xenmm, the drop-in libraries under them reach
 * xenmmd.
 *
 * Failures follow XenServer's: a message on stderr, the -debuglog file
 * and the control fd ("error:xenguest: <fn>: [<code>] <message>"), then
 * exit(1).  So nothing here returns an error to main().
 */
#ifndef XG_XENGUEST_H
#define XG_XENGUEST_H

#include <stdbool.h>
#include <stdint.h>
#include <xenctrl.h>
#include <xenguest.h>
#include <xenstore.h>

/* XenServer's xenguest.c: at most ten PVH modules. */
#define XG_PVH_MODULE_MAX 10

enum xg_mode {
    XG_MODE_NONE = -1,
    XG_MODE_SAVE,
    XG_MODE_HVM_SAVE,
    XG_MODE_RESTORE,
    XG_MODE_HVM_RESTORE,
    XG_MODE_RESUME_SLOW,
    XG_MODE_LINUX_BUILD,
    XG_MODE_HVM_BUILD,
    XG_MODE_TEST,
    XG_MODE_LISTEN,
    XG_MODE_PVH_BUILD,
    XG_MODE_NR,
};

struct xg_module {
    const char *filename;
    const char *cmdline;
};

/* The command line, as parse_options leaves it; -1/NULL means absent. */
struct xg_opts {
    enum xg_mode mode;
    int controlinfd, controloutfd;
    int fd;
    int domid;
    const char *image, *cmdline, *ramdisk, *features;
    int flags;                  /* -flags N, plus -live/-debug bits */
    int store_port, store_domid, console_port, console_domid;
    int mem_max_mib, mem_start_mib;
    int mem_pnode;              /* -1: no node requested */
    char *pci_passthrough;      /* comma-separated SBDFs, or NULL */
    bool vgpu, force;
    struct xg_module modules[XG_PVH_MODULE_MAX];
    unsigned int nr_modules, nr_module_cmdlines;
};

/* What get_flags() read from the platform keys (XenServer's struct flags). */
struct xg_flags {
    xc_domaininfo_t dominfo;
    unsigned int vcpus, vcpus_current;
    char **vcpu_affinity;       /* [vcpus]; NULL: unset */
    uint16_t vcpu_weight, vcpu_cap;   /* 0: leave as is */
    int nx, pae, apic, acpi, acpi_s3, acpi_s4;
    int viridian, viridian_time_ref_count, viridian_reference_tsc;
    int viridian_hcall_remote_tlb_flush, viridian_apic_assist;
    int viridian_crash_ctl, viridian_stimer, viridian_hcall_ipi;
    int tsc_mode, hpet, nomigrate, nested_virt;
    unsigned int cores_per_socket, x87_fip_width;
    int64_t timeoffset;
};

/* One build's handles. */
struct xg_ctx {
    xc_interface *xch;
    struct xs_handle *xsh;
    char *dom_path;             /* /local/domain/<domid> */
    uint32_t domid;
    struct xg_opts *o;
};

/* ---- log.c ---- */
/* Where messages go: set once by main() after parsing. */
void xg_log_set_debugfile(const char *path);
void xg_log_set_controlfd(int fd);
void xg_log_set_debug(bool on);
void xg_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* stderr, the debug log, and "error:" + the text on the control fd. */
void xg_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* xg_err and exit(1). */
void xg_fatal(const char *fmt, ...)
    __attribute__((format(printf, 1, 2), noreturn));
/*
 * failwith_oss_xc: "xenguest: <fn>: [<code>] <message>" from libxenctrl's
 * last error, or from errno when there is none; then exit(1).
 */
void xg_failwith_xc(struct xg_ctx *ctx, const char *fn)
    __attribute__((noreturn));
/* The logger handed to xc_interface_open: libxc's lines via xg_info. */
struct xentoollog_logger *xg_xtl_logger(void);
/* "result:<store> <console>[ <protocol>]" on the control fd. */
void xg_write_status(int fd, unsigned long store, unsigned long console,
                     const char *protocol);

/* ---- options.c ---- */
/* Parses argv (getopt_long_only); exits on errors as XenServer's does. */
void xg_parse_options(struct xg_opts *o, int argc, char *const argv[]);
const char *xg_mode_name(enum xg_mode mode);
/* The mode's required options; false if one is missing. */
bool xg_opts_complete(const struct xg_opts *o);

/* ---- xs.c ---- */
/* xs_read of <dom_path>/<key> (malloc'ed), or NULL. */
char *xg_xs_gets(struct xg_ctx *ctx, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/*
 * The value of a key: 1 for "true", 0 for "false" (any case), else
 * strtoull(s, NULL, 0); 0 when missing or unparsable (*valid false).
 */
uint64_t xg_xs_get_value(struct xg_ctx *ctx, bool *valid, const char *fmt,
                         ...) __attribute__((format(printf, 3, 4)));
int xg_xs_puts(struct xg_ctx *ctx, const char *key, const char *val);
int xg_xs_printf(struct xg_ctx *ctx, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* The parsing rule of xg_xs_get_value, on a string (NULL: missing). */
uint64_t xg_parse_value(const char *s, bool *valid);
/*
 * hvmloader_flag: "1"/"0" as they are; anything else parsed and written
 * back normalised; a missing key written as "0" and -1 returned.
 */
int xg_hvmloader_flag(struct xg_ctx *ctx, const char *key);
/* The hvmloader_flag value of a present string, and whether to rewrite. */
int xg_hvmloader_value(const char *s, bool *rewrite);

/* ---- flags.c ---- */
void xg_get_flags(struct xg_ctx *ctx, struct xg_flags *f);
void xg_free_flags(struct xg_flags *f);

/* ---- vcpus.c ---- */
/* Characters '1' of s set bits of map (nbits wide); the rest stay 0. */
void xg_affinity_to_cpumap(const char *s, uint8_t *map, unsigned int nbits);
void xg_configure_vcpus(struct xg_ctx *ctx, const struct xg_flags *f);
void xg_configure_tsc(struct xg_ctx *ctx, const struct xg_flags *f);
void xg_hvm_safety_check(struct xg_ctx *ctx, const struct xg_flags *f,
                         bool pod);

/* ---- cpuid.c ---- */
/*
 * Parse "aaaaaaaa-bbbbbbbb:..." into fs[nr] (zero-filled first); words
 * past nr must be 0.  0, or -1 with a message in err.
 */
int xg_parse_featureset(const char *s, uint32_t *fs, unsigned int nr,
                        char *err, size_t errlen);
/* construct_cpuid_policy; 0 or -1 (logged). */
int xg_construct_cpuid_policy(struct xg_ctx *ctx, const struct xg_flags *f,
                              bool hvm);

/* ---- numa.c ---- */
/*
 * -mem_pnode N before the build: check N and make it the domain's node
 * affinity.  No-op without -mem_pnode.
 */
void xg_numa_prepare(struct xg_ctx *ctx);
/*
 * After the layout is known: describe the guest's RAM ranges as one vNUMA
 * node on physical node N, so that libxenguest's meminit passes
 * XENMEMF_exact_node(N) on every populate call.  Not with PoD (4.17's
 * meminit_hvm refuses vNUMA with PoD): node affinity only then.
 */
void xg_numa_apply(struct xg_ctx *ctx, struct xc_dom_image *dom, bool pod);

/* ---- hvm_build.c ---- */
/* stub_xc_hvm_build: store and console are the special pages' gfns. */
void xg_hvm_build(struct xg_ctx *ctx, bool is_pvh, unsigned long *store,
                  unsigned long *console);
/* The kernel and module size limits from /mh/limits (PV and PVH). */
void xg_set_image_limits(struct xg_ctx *ctx, struct xc_dom_image *dom);

/* ---- hvm_params.c ---- */
/* hvm_build_set_params after xc_dom_boot_image; 0 or -1 (errno). */
int xg_hvm_build_set_params(struct xg_ctx *ctx, bool is_pvh,
                            const struct xg_flags *f);
/* hvm_init_info_table: apic_mode, nr_vcpus, vcpu_online, checksum. */
struct hvm_info_table;
void xg_init_info_table(struct hvm_info_table *t, const struct xg_flags *f);

/* ---- acpi.c ---- */
/* xenguest_dom_load_acpi: the PVH tables as dom->acpi_modules[0..2]. */
int xg_dom_load_acpi(struct xg_ctx *ctx, struct xc_dom_image *dom,
                     const struct xg_flags *f);

/* ---- linux_build.c ---- */
void xg_linux_build(struct xg_ctx *ctx, unsigned long *store,
                    unsigned long *console, char *protocol, size_t protolen);

#endif /* XG_XENGUEST_H */
