/*
 * toolstack.h - what the files of xenmm-toolstack share.
 *
 * xenmm-toolstack is the toolstack half of `xenmm run` (docs/scenarios.md):
 * it reads a scenario (scenario.c, with Debian's libxlutil), and for each
 * VM does what xenopsd does around a VM start (xapi-project/xen-api,
 * ocaml/xenopsd/xc/domain.ml): Domain.make (domain.c: createdomain and
 * the xenstore tree), build_pre (domain.c, placement.c: the scrubber wait,
 * max_vcpus, the shadow allocation, hard affinity, NUMA placement and
 * claims, the two event channels), the build by XenServer's xenguest
 * (xenguest_run.c), and build_post (xenstore keys, xs_introduce_domain).
 * Then it observes the result through Xen's own interfaces (observe.c:
 * debug keys 'u', 'D', 'H' read back from the console ring, getdomaininfo,
 * numainfo, physinfo, XENMEM_memory_map issued as the guest) and prints
 * it (report.c), as text or JSON.
 *
 * It links Debian's libxenctrl, libxenstore and libxlutil only, never
 * xenmm's core: on xenmm the drop-in libraries under them reach xenmmd.
 * Memory sizes are MiB unless a name says pages.
 */
#ifndef XENMM_TOOLSTACK_H
#define XENMM_TOOLSTACK_H

#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <xenctrl.h>
#include <xenstore.h>

#define TS_MAX_VMS      64
#define TS_MAX_NODES    64
#define TS_MAX_CPUS     4096
#define TS_MAX_E820     32
#define TS_ERR          512

enum vm_type { VM_HVM, VM_PVH, VM_PV };

/* xenopsd's host NUMA policy (Xenops_interface.Host.numa_affinity_policy). */
enum numa_policy {
    NUMA_ANY,               /* no placement, no claim */
    NUMA_BEST_EFFORT,       /* soft affinity to the planned node */
    NUMA_BEST_EFFORT_HARD,  /* hard affinity to the planned node */
    NUMA_PRIO_MEM_ONLY,     /* soft, and cores not counted */
};

/* One VM of a scenario, in xl.cfg's words (scenario.c). */
struct vm_spec {
    char name[64];
    enum vm_type type;
    unsigned long memory;       /* target, MiB (xl "memory") */
    unsigned long maxmem;       /* static max, MiB (xl "maxmem") */
    unsigned int vcpus;         /* online at boot (xl "vcpus") */
    unsigned int maxvcpus;      /* xl "maxvcpus" */
    unsigned int videoram;      /* HVM: MiB taken off the build (XAPI's 4) */
    char *cpus;                 /* hard affinity, xl syntax; NULL: none */
    int node;                   /* xenmm: place on this node; -1: plan */
    char *kernel, *ramdisk, *cmdline;
};

struct scenario {
    char *name;                 /* file name without .cfg, or "default" */
    char *path;                 /* NULL for the built-in one */
    char *host;                 /* host spec for xenmmd */
    char *xen;                  /* extra Xen boot options, or NULL */
    unsigned int parallel;      /* builds at a time */
    enum numa_policy policy;
    unsigned int nr_vms;
    struct vm_spec vms[TS_MAX_VMS];
};

/* The host's NUMA topology and xenopsd's placement state (placement.c). */
struct topology {
    unsigned int nr_nodes, nr_cpus;
    unsigned int distance[TS_MAX_NODES][TS_MAX_NODES];
    unsigned int cpu_node[TS_MAX_CPUS];
    unsigned int node_cores[TS_MAX_NODES];
    unsigned int node_nr_cpus[TS_MAX_NODES];
    bool numa_ok;                       /* NUMA.make succeeded */
    /* Node sets sorted by (max, average) distance: bitmasks. */
    unsigned int nr_candidates;
    uint64_t *candidates;
    double *candidate_avg;
    unsigned int node_usage[TS_MAX_NODES];   /* NUMA.choose's counters */
    pthread_mutex_t numa_mutex;
};

/* xenopsd's Memory model for one VM (memory_model.c). */
struct mem_config {
    long build_max_mib, build_start_mib, xen_max_mib, shadow_mib;
    long required_host_free_mib, overhead_mib, build_claim_pages;
};

/* What build_pre's placement did (placement.c). */
struct placement {
    const char *how;            /* "node", "spans", "hard-affinity", ... */
    int node;                   /* -mem_pnode, or -1 */
    uint64_t nodes;             /* the plan's nodes (bitmask), 0: none */
    int claim_node;             /* node of the claim, -1 host-wide */
    long claim_pages;           /* 0: no claim */
    char note[192];             /* one line for the report */
};

enum vm_result { VM_PENDING, VM_BUILDING, VM_OK, VM_FAILED, VM_CANCELLED };

/* Everything observed about one VM. */
struct vm_run {
    const struct vm_spec *spec;
    struct mem_config mem;
    enum vm_result result;
    const char *phase;          /* what it is doing now (progress) */
    char error[TS_ERR];
    int domid;                  /* -1 before createdomain */
    char uuid[40];              /* the domain handle, /vm/<uuid> */
    bool destroyed;
    struct placement pl;
    int store_port, console_port;
    unsigned long store_mfn, console_mfn;
    double started, build_s, total_s, xenguest_started;
    /* Observed after the builds (observe.c). */
    long tot_pages, max_pages, outstanding_pages;
    long pod_cache_pages, pod_entries;  /* XENMEM_get_pod_target; HVM */
    long node_pages[TS_MAX_NODES];
    bool have_node_pages;
    long p2m[3], p2m_pod;        /* 4K, 2M, 1G leaves; PoD entries */
    bool have_p2m;
    long paging_pool_mib;       /* -1: none (PV) */
    unsigned int nr_e820;
    struct { uint64_t addr, size; uint32_t type; } e820[TS_MAX_E820];
    bool have_e820;
    char e820_error[128];
};

/* Host memory per node at one moment (observe.c). */
struct host_mem {
    unsigned int nr_nodes;
    long size[TS_MAX_NODES], free[TS_MAX_NODES];
    long claimed[TS_MAX_NODES], to_scrub[TS_MAX_NODES];
    long claimed_host_wide;     /* claims not bound to a node */
    long total_pages, free_pages, outstanding_pages;
    bool have_to_scrub;
};

/* The run as a whole. */
struct run {
    struct scenario *sc;
    struct topology topo;
    struct vm_run vms[TS_MAX_VMS];
    const char *xenguest, *hvmloader, *self, *logdir;
    unsigned int parallel;
    struct host_mem before, after;
    char p2m_note[256];         /* why page sizes are missing, if so */
    double started, elapsed;
    pthread_mutex_t lock;       /* vms[].result/phase, for progress */
    int cancel_pipe[2];         /* readable once interrupted */
};

extern volatile sig_atomic_t ts_interrupted;

/* ---- scenario.c ---- */
/* Reads path (NULL: the built-in default).  NULL and err on failure. */
struct scenario *scenario_load(const char *path, char *err, size_t errlen);
/* The built-in default scenario's text (scenarios/default.cfg). */
const char *scenario_default_text(void);
void scenario_free(struct scenario *sc);
const char *vm_type_name(enum vm_type t);
const char *numa_policy_name(enum numa_policy p);

/* ---- memory_model.c ---- */
void memory_model(const struct vm_spec *vm, struct mem_config *m);

/* ---- cpus.c: xl's "cpus=" syntax against the host's topology ---- */
/* bitmap has TS_MAX_CPUS bits; 0, or -1 and err. */
int cpus_parse(const char *s, const struct topology *t, uint8_t *bitmap,
               char *err, size_t errlen);

/* ---- placement.c ---- */
int topology_init(xc_interface *xch, struct topology *t, char *err,
                  size_t errlen);
void topology_free(struct topology *t);
/*
 * build_pre's placement and claim for one domain (xenopsd's numa_placement
 * and the global claim after it).  0, or -1 with err (a hard failure: the
 * global claim's ENOMEM, or a failed affinity call).
 */
int placement_build_pre(struct run *r, xc_interface *xch, struct vm_run *v,
                        bool hard_affinity, char *err, size_t errlen);
/* Sum of the node claims still outstanding, per node (getdomaininfo). */
void placement_node_claims(struct run *r, xc_interface *xch, long *claimed,
                           long *host_wide);

/* ---- domain.c ---- */
/* Domain.make, build_pre, the build, build_post: 0, or -1 with v->error. */
int vm_start(struct run *r, struct vm_run *v);
/* xc_domain_destroy and the xenstore paths; quiet. */
void vm_destroy(struct run *r, struct vm_run *v);

/* ---- xenguest_run.c ---- */
/* Fork xenguest with args; parse "result:" or "error:".  0 or -1 + err. */
int xenguest_run(struct run *r, struct vm_run *v, char *const argv[],
                 char *err, size_t errlen);

/* ---- observe.c ---- */
void observe_host(struct run *r, xc_interface *xch, struct host_mem *hm);
void observe_vms(struct run *r, xc_interface *xch);
/* The guest's own XENMEM_memory_map (run as the guest: main.c). */
int guest_e820_main(int domid);

/* ---- console.c: debug keys and the console ring ---- */
/* Clear the ring, send key, read what it printed.  NULL + err on failure. */
char *debug_key_output(xc_interface *xch, char key, char *err, size_t errlen);

/* ---- report.c ---- */
void report_text(struct run *r, FILE *f);
int report_json(struct run *r, FILE *f);

/* ---- progress.c ---- */
enum progress_mode { PROGRESS_NONE, PROGRESS_TTY, PROGRESS_PLAIN };
void progress_start(struct run *r, enum progress_mode m);
void progress_stop(void);

/* ---- util ---- */
/* "0", "0+1", ... for a node bitmask. */
void nodes_str(uint64_t nodes, char *buf, size_t len);
double ts_now(void);
void ts_set_phase(struct run *r, struct vm_run *v, const char *phase);

#endif /* XENMM_TOOLSTACK_H */
