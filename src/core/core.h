/*
 * core.h - the emulated hypervisor's state and the functions the core's
 * files share, grouped by the file that defines them.
 *
 * No globals: everything lives in a struct host, passed first to every
 * function.  Many threads may run hypercalls on one host at once; the
 * locks (docs/architecture.md has the full table and order) are Xen's:
 *   domctl_lock, sysctl_lock   around every domctl / sysctl (past XSM)
 *   domlist_lock         h->domains[] (a leaf: nothing is taken inside)
 *   p2m->lock, pod.lock  a domain's p2m, its PoD cache
 *   d->domain_lock       d's control state (pause, shutdown, vCPUs,
 *                        affinity, handle, HVM params, target)
 *   d->paging.lock       d's paging pool
 *   d->page_alloc_lock   d's tot/max/extra/xenheap pages and page lists
 *   heap_lock            the heap, claims, and every change of a block's
 *                        extent or state (mm.h: the frame-table rule)
 * Order: domctl/sysctl_lock, p2m, pod, domain_lock, paging,
 * page_alloc_lock, heap_lock, console_lock.  Fields read without their
 * lock (by getdomaininfo, the allocator, lookups) are _Atomic.
 */
#ifndef XENMM_CORE_H
#define XENMM_CORE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <xen/xen.h>
#include <xen/domctl.h>
#include <xen/memory.h>
#include <xenmm/host.h>
#include <xenmm/hostspec.h>

#include "mm.h"
#include "os.h"

/* DOMID_* and the rest of the ABI come from Debian's Xen 4.17 headers. */

typedef uint64_t nodemask_t;          /* MAX_NUMNODES == 64 */
#define NODE_MASK_ALL ((nodemask_t)~0ULL)

/* cpumask_t over the host's pCPUs (NR_CPUS as the spec allows). */
#define NR_CPUS HOSTSPEC_MAX_CPUS
#define BITS_PER_LONG 64
typedef struct {
    unsigned long bits[NR_CPUS / BITS_PER_LONG];
} cpumask_t;

static inline void cpumask_clear(cpumask_t *m)
{
    for ( unsigned int i = 0; i < NR_CPUS / BITS_PER_LONG; i++ )
        m->bits[i] = 0;
}
static inline void cpumask_set_cpu(unsigned int cpu, cpumask_t *m)
{
    m->bits[cpu / BITS_PER_LONG] |= 1UL << (cpu % BITS_PER_LONG);
}
static inline void cpumask_clear_cpu(unsigned int cpu, cpumask_t *m)
{
    m->bits[cpu / BITS_PER_LONG] &= ~(1UL << (cpu % BITS_PER_LONG));
}
static inline bool cpumask_test_cpu(unsigned int cpu, const cpumask_t *m)
{
    return m->bits[cpu / BITS_PER_LONG] & (1UL << (cpu % BITS_PER_LONG));
}
static inline bool cpumask_empty(const cpumask_t *m)
{
    for ( unsigned int i = 0; i < NR_CPUS / BITS_PER_LONG; i++ )
        if ( m->bits[i] )
            return false;
    return true;
}
static inline void cpumask_and(cpumask_t *d, const cpumask_t *a, const cpumask_t *b)
{
    for ( unsigned int i = 0; i < NR_CPUS / BITS_PER_LONG; i++ )
        d->bits[i] = a->bits[i] & b->bits[i];
}
static inline void cpumask_or(cpumask_t *d, const cpumask_t *a, const cpumask_t *b)
{
    for ( unsigned int i = 0; i < NR_CPUS / BITS_PER_LONG; i++ )
        d->bits[i] = a->bits[i] | b->bits[i];
}
static inline bool cpumask_subset(const cpumask_t *a, const cpumask_t *b)
{
    for ( unsigned int i = 0; i < NR_CPUS / BITS_PER_LONG; i++ )
        if ( a->bits[i] & ~b->bits[i] )
            return false;
    return true;
}
static inline bool cpumask_intersects(const cpumask_t *a, const cpumask_t *b)
{
    for ( unsigned int i = 0; i < NR_CPUS / BITS_PER_LONG; i++ )
        if ( a->bits[i] & b->bits[i] )
            return true;
    return false;
}
/* First set bit at or after n, or NR_CPUS. */
static inline unsigned int cpumask_next_from(unsigned int n, const cpumask_t *m)
{
    for ( ; n < NR_CPUS; n++ )
        if ( cpumask_test_cpu(n, m) )
            return n;
    return NR_CPUS;
}
#define for_each_cpu(c, m) \
    for ( (c) = cpumask_next_from(0, m); (c) < NR_CPUS; \
          (c) = cpumask_next_from((c) + 1, m) )

struct domain;
struct hvm_save_state;  /* hvm_save.c */
struct p2m_domain;      /* p2m.h */
struct grant_table;     /* grant_table.c */
struct evtchn_domain;   /* event_channel.c */
/* vNUMA (XEN_DOMCTL_setvnumainfo), as Xen's struct vnuma_info. */
struct vnuma_info {
    unsigned int nr_vnodes;
    unsigned int nr_vmemranges;
    unsigned int *vdistance;            /* nr_vnodes^2 */
    unsigned int *vcpu_to_vnode;        /* max_vcpus */
    nodeid_t *vnode_to_pnode;           /* nr_vnodes */
    struct xen_vmemrange *vmemrange;    /* nr_vmemranges */
};

/* A vCPU: what the scheduler's NUMA logic and the save image need. */
struct vcpu {
    unsigned int vcpu_id;
    struct domain *domain;
    unsigned int processor;         /* pCPU it would run on */
    cpumask_t cpu_hard_affinity;    /* where it may run */
    cpumask_t cpu_soft_affinity;    /* where it prefers to run */
    bool affinity_broken;
    bool is_initialised;            /* has a context (setvcpucontext) */
    unsigned int pause_count;
    unsigned long pause_flags;      /* VPF_*: vcpu_create sets VPF_down */
};

/* v->pause_flags, as Xen's sched.h. */
#define _VPF_blocked    0           /* waiting for an event */
#define VPF_blocked     (1UL << _VPF_blocked)
#define _VPF_down       1           /* offline: not brought up (yet) */
#define VPF_down        (1UL << _VPF_down)

/* Internal domain_create() flags, as Xen's CDF_* in sched.h. */
#define CDF_privileged  (1U << 0)   /* control domain */
#define CDF_hardware    (1U << 1)   /* hardware domain (xenmm: dom0) */

/* The e820 a toolstack installs with XENMEM_set_memory_map (x86 E820MAX). */
#define E820MAX 1024
struct e820entry {
    uint64_t addr, size;
    uint32_t type;
} __attribute__((packed));

/* d->is_dying, as Xen's DOMDYING_*. */
#define DOMDYING_alive  0
#define DOMDYING_dying  1           /* domain_kill: pages being given back */
#define DOMDYING_dead   2           /* domain_destroy: creation ref dropped */

struct domain {
    domid_t domain_id;
    struct host *host;

    /*
     * Protected by page_alloc_lock (recursive, as Xen's).  The counts are
     * _Atomic so getdomaininfo and the query ops can read them unlocked.
     */
    pthread_mutex_t page_alloc_lock;
    struct page_list_head page_list;        /* heads of owned blocks */
    struct page_list_head extra_page_list;  /* PGC_extra blocks */
    struct page_list_head xenpage_list;     /* Xen-heap blocks shared with d */
    _Atomic unsigned int tot_pages;
    _Atomic unsigned int extra_pages;
    _Atomic unsigned int max_pages;
    _Atomic unsigned int xenheap_pages;

    /* Written under heap_lock (and page_alloc_lock); read unlocked too. */
    _Atomic unsigned int outstanding_pages;
    /*
     * Beyond 4.17: the node a claim is bound to, or NUMA_NO_NODE for a
     * host-wide claim (docs/claims.md).
     */
    _Atomic nodeid_t claim_node;

    /*
     * NUMA (sched.h): node_affinity starts as all nodes, automatic.  It is
     * written under domain_lock and read by the allocator under heap_lock.
     */
    _Atomic nodemask_t node_affinity;
    bool auto_node_affinity;        /* domain_lock */
    unsigned int last_alloc_node;   /* heap_lock */

    /*
     * DOMDYING_*: set under page_alloc_lock (so assign_pages either sees
     * it or its pages are on the lists domain_kill empties), read anywhere.
     */
    _Atomic int is_dying;
    /*
     * References (get_domain/put_domain): one from creation until
     * domain_destroy, one per lookup while a hypercall uses d, one while
     * d owns pages (tot_pages or xenheap_pages non-zero), one per device
     * model targeting d.  The struct is freed when the last goes; once 0
     * it never rises again (lookups refuse it).
     */
    atomic_uint refcnt;

    /*
     * d's control state: pause and shutdown, the vCPUs and their
     * affinities, node affinity mode, handle, debugging, time offset,
     * scheduler parameters, HVM params.  Recursive (Xen's domain_lock).
     */
    pthread_mutex_t domain_lock;
    /* Xen's: at most one domctl at a time per calling domain. */
    pthread_mutex_t hypercall_deadlock_mutex;

    /* Identity and privilege, for the dummy XSM policy (xsm.h). */
    bool is_privileged;             /* control domain */
    bool is_hardware;               /* hardware domain */
    /* d may act on target as its device model; holds a reference on it. */
    _Atomic(struct domain *) target;
    uint32_t createflags;           /* XEN_DOMCTL_CDF_* */
    uint32_t emulation_flags;       /* XEN_X86_EMU_* (arch_config) */
    uint32_t ssidref;
    uint8_t handle[16];             /* xen_domain_handle_t */

    /* vCPUs: max_vcpus slots, filled by vcpu_create() (domain_lock). */
    unsigned int max_vcpus;
    struct vcpu **vcpu;

    /* Lifecycle; domain_lock. */
    unsigned int pause_count;       /* domain_pause_by_systemcontroller */
    bool creation_finished;         /* first unpause */
    bool is_shutting_down;
    bool is_shut_down;
    unsigned int shutdown_code;     /* SHUTDOWN_* */
    bool debugger_attached;         /* XEN_DOMCTL_setdebugging */
    int64_t time_offset_seconds;    /* XEN_DOMCTL_settimeoffset */

    /* Credit scheduler parameters, stored and returned; domain_lock. */
    uint16_t sched_weight;          /* default 256 */
    uint16_t sched_cap;             /* default 0 (no cap) */
    uint32_t cpupool_id;

    /* Limits from XEN_DOMCTL_createdomain. */
    uint32_t max_evtchn_port;       /* capped at INT_MAX by evtchn_init */
    uint32_t max_grant_frames;
    uint32_t max_maptrack_frames;

    /* HVM parameters (HVMOP_set_param / get_param); domain_lock. */
    uint64_t hvm_params[64];        /* HVM_NR_PARAMS in 4.17 is 39 */

    /* vNUMA (XEN_DOMCTL_setvnumainfo); read under vnuma_rwlock. */
    pthread_rwlock_t vnuma_rwlock;
    struct vnuma_info *vnuma;

    /* arch: the p2m (HVM only), grant table, paging pool, e820. */
    struct p2m_domain *p2m;
    struct grant_table *grant_table;
    struct evtchn_domain *evtchn;   /* ports and event_lock (event_channel.c) */
    struct {
        unsigned long total_pages;  /* pool pages (hap.total_pages) */
        unsigned long free_pages;
        unsigned long p2m_pages;    /* pool pages in use by the p2m */
        struct page_list_head freelist;
        pthread_mutex_t lock;       /* paging_lock: the four above */
    } paging;
    pthread_mutex_t e820_lock;      /* nr_e820, e820 (x86_mm.c) */
    unsigned int nr_e820;
    struct e820entry *e820;
    struct page_info *shared_info;  /* Xen-heap page shared with d */
    /* TSC (time.c, d->arch.tsc_*): what tsc_set_info() decided. */
    struct {
        uint32_t mode;              /* TSC_MODE_* */
        uint32_t khz;               /* the guest's TSC rate */
        uint32_t incarnation;
        bool vtsc;                  /* rdtsc emulated */
        int64_t vtsc_offset;        /* ns: system time at guest TSC 0 */
    } tsc;
    /* CPUID/MSR policy (cpu_policy.c); a PV guest's 32-bit ABI. */
    struct cpu_policy *cpu_policy;
    bool pv_32bit;                  /* XEN_DOMCTL_set_address_size 32 */
    struct pv_domain *pv;           /* pv.h: pinned tables, vCPU contexts */
    /* HVM save records (hvm_save.c): NULL until first used. */
    struct hvm_save_state *hvm_save;
};

static inline bool is_hvm_domain(const struct domain *d)
{
    return d->createflags & XEN_DOMCTL_CDF_hvm;
}
static inline bool is_pv_domain(const struct domain *d)
{
    return !is_hvm_domain(d);
}
static inline bool hap_enabled(const struct domain *d)
{
    return d->createflags & XEN_DOMCTL_CDF_hap;
}
/* x86: translated paging mode == HVM/PVH. */
static inline bool paging_mode_translate(const struct domain *d)
{
    return is_hvm_domain(d);
}
static inline bool is_control_domain(const struct domain *d)
{
    return d->is_privileged;
}
static inline bool is_hardware_domain(const struct domain *d)
{
    return d->is_hardware;
}
static inline bool is_xenstore_domain(const struct domain *d)
{
    return d->createflags & XEN_DOMCTL_CDF_xs_domain;
}

/* A free block's heap list: heap(node, zone, order). */
typedef struct page_list_head heap_by_zone_and_order_t[NR_ZONES][MAX_ORDER + 1];

struct scrub_worker;

struct host {
    struct hostspec *spec;          /* our own copy */

    /* Machine: RAM and the frame table. */
    struct os_ram ram;              /* page contents, sparse memfd */
    unsigned long max_page;         /* highest RAM MFN + 1 */
    unsigned long total_pages;      /* RAM pages */
    struct page_info *frame_table;  /* max_page entries, sparse */
    size_t frame_table_bytes;
    unsigned long *dirty_bitmap;    /* true dirty set of mixed blocks */
    size_t dirty_bitmap_bytes;
    unsigned long *m2p;             /* gfn of each in-use block head (page_block.c) */
    size_t m2p_bytes;
    unsigned int nr_nodes;
    nodemask_t node_online_map;
    unsigned long node_start_pfn[MAX_NUMNODES];
    unsigned long node_spanned_pages[MAX_NUMNODES];
    unsigned long node_present_pages[MAX_NUMNODES];
    uint8_t *memnodemap;            /* node of (mfn >> memnode_shift) */
    unsigned int memnode_shift;
    unsigned long memnodemapsize;
    nodeid_t cpu0_node;

    /* Boot-time choices. */
    unsigned int dma_bitsize;
    unsigned int xenheap_bits;      /* unified model, partial direct map */
    unsigned long xenheap_mfn_start, xenheap_mfn_end;  /* split model */
    bool first_node_initialised;
    bool booting;                   /* system_state < SYS_STATE_active */
    unsigned long first_valid_mfn;

    /* The heap: protected by heap_lock. */
    pthread_mutex_t heap_lock;
    heap_by_zone_and_order_t *_heap[MAX_NUMNODES];
    unsigned long avail[MAX_NUMNODES][NR_ZONES];
    /* Sum of avail[node][*] (Xen HEAD's node_avail_pages; 4.17 sums). */
    unsigned long node_avail_pages[MAX_NUMNODES];
    long total_avail_pages;
    long outstanding_claims;
    unsigned long node_outstanding_claims[MAX_NUMNODES];
    unsigned long node_need_scrub[MAX_NUMNODES];
    /* Pages carved for heap metadata, never in the heap (accounting). */
    unsigned long node_metadata_pages[MAX_NUMNODES];

    /* Idle scrubbing (scrub.c). */
    struct scrub_worker *scrubbers;
    unsigned int nr_scrubbers;
    pthread_cond_t scrub_cv;        /* wakes scrubbers; with heap_lock */
    pthread_cond_t scrub_done_cv;   /* host_scrub_wait; with heap_lock */
    nodemask_t node_scrubbing;      /* nodes a worker is on; heap_lock */
    bool scrub_stop;
    unsigned long scrub_busy;       /* workers mid-buddy; heap_lock */

    /* The six system CPU policies (cpu_policy.c), set at dom0's creation. */
    struct cpu_policy *cpu_policies;

    /*
     * Domains by id (domain.c): written under domlist_lock, a leaf lock
     * (nothing else is taken while holding it); read under it by lookups,
     * and without it by page_get_owner (hence _Atomic).  A slot is
     * cleared only when the domain's last reference goes, and a domain
     * owning pages holds a reference: an owned page's slot is never empty.
     */
    pthread_mutex_t domlist_lock;
    _Atomic(struct domain *) *domains;  /* DOMID_FIRST_RESERVED entries */
    _Atomic(struct domain *) hardware_domain;  /* dom0, created at boot */

    /*
     * Xen 4.17's global domctl_lock (every domctl past XSM runs under it,
     * taken with a trylock and a continuation) and the sysctl_lock every
     * sysctl takes.
     */
    pthread_mutex_t domctl_lock;
    pthread_mutex_t sysctl_lock;
    domid_t domid_rover;            /* createdomain's last pick; domctl_lock */
    /* Who gets each global VIRQ (NULL: the hardware domain); referenced. */
    struct domain *global_virq_handlers[NR_VIRQS];

    /*
     * Set by the process hosting the core: a port of d became pending
     * while unmasked.  Called with no event lock held; must not call back
     * into the core but for evtchn_guest_* (event_channel.h has the whole
     * contract).
     */
    void (*evtchn_notify)(void *opaque, struct domain *d, unsigned int port);
    void *evtchn_notify_opaque;

    /* The console ring printk() writes (console.c); console_lock. */
    pthread_mutex_t console_lock;
    char *conring;
    size_t conring_size, conring_prod;   /* prod counts every byte ever */
    size_t conring_cons;            /* XEN_SYSCTL_readconsole's clear point */
};

/* ---- frame table helpers ---- */
static inline struct page_info *mfn_to_page(const struct host *h, mfn_t mfn)
{
    return h->frame_table + mfn_x(mfn);
}
static inline mfn_t page_to_mfn(const struct host *h, const struct page_info *pg)
{
    return _mfn((unsigned long)(pg - h->frame_table));
}
static inline struct page_info *pdx_to_page(const struct host *h, uint32_t pdx)
{
    return pdx ? h->frame_table + pdx : NULL;
}
static inline uint32_t page_to_pdx(const struct host *h, const struct page_info *pg)
{
    return (uint32_t)(pg - h->frame_table);
}
static inline bool mfn_valid(const struct host *h, mfn_t mfn)
{
    return mfn_x(mfn) < h->max_page;
}
static inline nodeid_t mfn_to_nid(const struct host *h, mfn_t mfn)
{
    return h->memnodemap[mfn_x(mfn) >> h->memnode_shift];
}
static inline nodeid_t page_to_nid(const struct host *h, const struct page_info *pg)
{
    return mfn_to_nid(h, page_to_mfn(h, pg));
}
static inline void *mfn_to_virt(const struct host *h, mfn_t mfn)
{
    return h->ram.base + (mfn_x(mfn) << PAGE_SHIFT);
}
static inline mfn_t virt_to_mfn(const struct host *h, const void *v)
{
    return _mfn((unsigned long)((const uint8_t *)v - h->ram.base) >> PAGE_SHIFT);
}
static inline struct domain *page_get_owner_raw(const struct host *h,
                                                const struct page_info *pg);

/*
 * The M2P, h->m2p[] (page_block.c): Xen's machine_to_phys_mapping is read
 * racily by design; these make each access one atomic word.
 */
static inline unsigned long m2p_read(const struct host *h, unsigned long mfn)
{
    return __atomic_load_n(&h->m2p[mfn], __ATOMIC_RELAXED);
}
static inline void m2p_write(struct host *h, unsigned long mfn,
                             unsigned long gfn)
{
    __atomic_store_n(&h->m2p[mfn], gfn, __ATOMIC_RELAXED);
}

/* ---- page_list.c ---- */
void page_list_init(struct page_list_head *head);
bool page_list_empty(const struct page_list_head *head);
struct page_info *page_list_first(const struct host *h, const struct page_list_head *head);
struct page_info *page_list_last(const struct host *h, const struct page_list_head *head);
struct page_info *page_list_next(const struct host *h, const struct page_info *pg);
void page_list_add(struct host *h, struct page_info *pg, struct page_list_head *head);
void page_list_add_tail(struct host *h, struct page_info *pg, struct page_list_head *head);
void page_list_del(struct host *h, struct page_info *pg, struct page_list_head *head);
struct page_info *page_list_remove_head(struct host *h, struct page_list_head *head);

/* ---- page_alloc.c: boot ---- */
int heap_boot(struct host *h, char *err, size_t errlen);
void init_heap_pages(struct host *h, struct page_info *pg, unsigned long nr_pages);
unsigned int page_to_zone(const struct host *h, const struct page_info *pg);
bool is_xen_heap_mfn(const struct host *h, mfn_t mfn);
bool in_xenheap_region(const struct host *h, mfn_t mfn);
static inline unsigned int bits_to_zone(unsigned int b)
{
    return b < PAGE_SHIFT + 1 ? 1 : b - PAGE_SHIFT;
}
#define heap(h, node, zone, order) ((*(h)->_heap[node])[zone][order])

/* ---- page_alloc.c: the buddy heap ----
 * alloc_heap_pages: 2^order pages from zones [zone_lo, zone_hi], as Xen.
 *   Takes heap_lock.  Returns the head, owner NULL, in use, or NULL.
 * free_heap_pages: return a block; need_scrub marks it dirty.  Takes
 *   heap_lock.  pre: pg heads an in-use block of that order.
 */
struct page_info *alloc_heap_pages(struct host *h, unsigned int zone_lo,
                                   unsigned int zone_hi, unsigned int order,
                                   unsigned int memflags, struct domain *d);
void free_heap_pages(struct host *h, struct page_info *pg, unsigned int order,
                     bool need_scrub);
struct page_info *get_free_buddy(struct host *h, unsigned int zone_lo,
                                 unsigned int zone_hi, unsigned int order,
                                 unsigned int memflags, const struct domain *d);

/* ---- page_alloc.c: domheap / xenheap ----
 * alloc_domheap_pages: NULL on failure (no memory, or assign_pages failed).
 * assign_pages: 0, -EINVAL (dying), -EPERM (tot > max), -E2BIG (over max
 *   or tot_pages overflow).  pre: pg heads an in-use block of nr pages.
 */
struct page_info *alloc_domheap_pages(struct host *h, struct domain *d,
                                      unsigned int order, unsigned int memflags);
void free_domheap_pages(struct host *h, struct page_info *pg, unsigned int order);
int assign_pages(struct host *h, struct page_info *pg, unsigned int nr,
                 struct domain *d, unsigned int memflags);
int assign_page(struct host *h, struct page_info *pg, unsigned int order,
                struct domain *d, unsigned int memflags);
void *alloc_xenheap_pages(struct host *h, unsigned int order, unsigned int memflags);
void free_xenheap_pages(struct host *h, void *v, unsigned int order);
bool is_xen_heap_page(const struct host *h, const struct page_info *pg);

/* ---- x86_mm.c: Xen-heap pages shared with a guest ----
 * share_xen_page_with_guest: pg (an in-use Xen-heap page) becomes d's: owner
 *   d, PGC_xen_heap | PGC_allocated, on d->xenpage_list, d->xenheap_pages
 *   (the first takes a domain reference); its M2P entry is invalidated.  A
 *   dying domain gets nothing.
 * unshare_xen_page_with_guest: undo that if pg is still d's (domain_kill
 *   unshares through free_domheap_pages first); then free_xenheap_pages.
 */
void share_xen_page_with_guest(struct page_info *pg, struct domain *d);
void unshare_xen_page_with_guest(struct page_info *pg, struct domain *d);

/* ---- page_alloc.c: claims and accounting ----
 * domain_set_outstanding_pages: 0, -EINVAL (claim already, pages not
 *   above tot_pages or above max_pages, bad node), -ENOMEM (does not fit).
 *   node == NUMA_NO_NODE is Xen 4.17's host-wide claim.
 */
unsigned long domain_adjust_tot_pages(struct domain *d, long pages);
int domain_set_outstanding_pages(struct domain *d, unsigned long pages,
                                 nodeid_t node);
void get_outstanding_claims(struct host *h, uint64_t *free_pages,
                            uint64_t *outstanding_pages);
unsigned long avail_domheap_pages_region(struct host *h, unsigned int node,
                                         unsigned int min_width,
                                         unsigned int max_width);
unsigned long avail_node_heap_pages(struct host *h, unsigned int node);
static inline unsigned int domain_tot_pages(const struct domain *d)
{
    return d->tot_pages - d->extra_pages;
}

/* ---- page_block.c: allocated blocks (mm.h) ----
 * Every read of a head the caller does not hold, and every change of a
 * block's extent or state, is under heap_lock (mm.h: the frame-table
 * rule); a holder changes its in-use head's owner and count atomically.
 * inuse_block_head: the head of the block (free or in use) holding mfn,
 *   and its order; takes heap_lock for the look (up to MAX_ORDER + 1
 *   frame-table reads).  The head stays that only while the caller holds
 *   the block (allocated it, or holds its owner's page_alloc_lock or the
 *   p2m lock that keeps it mapped).  _locked: heap_lock already held.
 * block_view: the head of the block holding mfn and what it says, read
 *   in one go under heap_lock: for checking a page the caller does not
 *   hold (the owner may be dereferenced only if the caller holds a
 *   reference on that domain: compare, don't chase).
 * page_head_set / page_head_flags: change the head of an in-use block the
 *   caller holds (owner and count_info / count_info flags; never its state
 *   or order), one atomic word at a time, so a concurrent look for a head
 *   reads either value and finds the same block.  No heap_lock needed.
 * split_domain_block: make [mfn, mfn + 2^order) a block of its own by
 *   splitting the in-use block around it; new heads join the list the
 *   owner keeps the block on (or none).  split_block_onto: the same with
 *   an explicit list (PoD cache lists; NULL for none), the list's lock
 *   held; _locked: heap_lock held too.  Return the head.
 *   pre: the caller holds the block; mfn is order-aligned and inside an
 *   in-use block of order >= order.
 * page_owner: the owner of the block holding any page (a block_view).
 */
struct block_view {
    struct page_info *head;
    unsigned long mfn;              /* the head's MFN */
    unsigned int order;
    uint32_t count_info;
    bool free;
    bool xen_heap;                  /* is_xen_heap_page(head) */
    struct domain *owner;           /* NULL if free or anonymous */
    unsigned long m2p;              /* m2p[head]; invalid if free */
};
struct page_info *inuse_block_head(const struct host *h, mfn_t mfn,
                                   unsigned int *order);
struct page_info *inuse_block_head_locked(const struct host *h, mfn_t mfn,
                                          unsigned int *order);
void block_view(const struct host *h, mfn_t mfn, struct block_view *v);
void page_head_set(struct host *h, struct page_info *pg,
                   const struct domain *d, uint32_t count_info);
void page_head_flags(struct host *h, struct page_info *pg, uint32_t clear,
                     uint32_t set);
struct page_info *split_domain_block(struct host *h, mfn_t mfn,
                                     unsigned int order);
struct page_info *split_block_onto(struct host *h, mfn_t mfn, unsigned int order,
                                   struct page_list_head *list);
struct page_info *split_block_onto_locked(struct host *h, mfn_t mfn,
                                          unsigned int order,
                                          struct page_list_head *list);
struct domain *page_owner(const struct host *h, mfn_t mfn);

/* ---- page_alloc.c: free-block dirty state (used by scrub.c) ---- */
unsigned long block_dirty_count(const struct host *h, const struct page_info *head,
                                unsigned int order);
bool block_page_dirty(const struct host *h, const struct page_info *head,
                      unsigned long idx);
void page_list_add_scrub(struct host *h, struct page_info *pg, unsigned int node,
                         unsigned int zone, unsigned int order,
                         unsigned int first_dirty);

/* ---- scrub.c ----
 * scrub_pages: clear (or 0xC2-fill) nr pages from mfn; pages never written
 *   stay unwritten.  No lock needed; caller owns the pages.
 * check_and_stop_scrub: heap_lock held; stop a worker scrubbing head.
 * scrub_free_pages: one pass of Xen's idle scrubber for a worker.
 */
void scrub_pages(struct host *h, mfn_t mfn, unsigned long nr);
void scrub_one_page(struct host *h, struct page_info *pg);
void check_and_stop_scrub(struct host *h, struct page_info *head);
int scrub_start(struct host *h, unsigned int nr_workers);
void scrub_stop(struct host *h);
void scrub_kick(struct host *h);          /* heap_lock held */
bool scrub_free_pages(struct host *h, unsigned int worker);
void scrub_heap_pages(struct host *h);    /* bootscrub=on */

/* ---- console.c: Xen's printk into the host's console ring ---- */
void printk(struct host *h, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Copy out up to len bytes of the ring from index *pos on (NUL-free). */
size_t console_read(struct host *h, size_t *pos, char *buf, size_t len);

/* ---- domain.c ----
 * domain_create: config NULL gives a PV domain with no vCPUs (core tests).
 *   Errors: -EINVAL (reserved id, bad config), -EEXIST (id in use), -ENOMEM.
 * vcpu_create: -EINVAL (id >= max_vcpus), -EEXIST, -ENOMEM.
 * domain_crash: as Xen's, prints and shuts the domain down (SHUTDOWN_crash).
 */
struct domain *domain_create(struct host *h, domid_t domid,
                             const struct xen_domctl_createdomain *config,
                             unsigned int flags, int *rc);
int vcpu_create(struct domain *d, unsigned int vcpu_id);
void domain_crash(struct domain *d, const char *why);
/* Free a vnuma_info and its arrays (NULL is fine). */
void vnuma_destroy(struct vnuma_info *v);
/* hvm_save.c: free d->hvm_save (NULL is fine). */
void hvm_save_destroy(struct domain *d);
/* dom0: PV, control + hardware domain, one vCPU per pCPU, running. */
struct domain *domain_create_dom0(struct host *h, int *rc);
/* host_destroy: free a domain's structures without freeing its pages. */
void domain_free_at_teardown(struct domain *d);
void domain_shutdown(struct domain *d, unsigned int reason);
/*
 * Lifetime, as Xen's (domain.c has the details):
 * get_domain_by_id: d with a reference taken, or NULL (no such domain, or
 *   its last reference already went).  Release it with put_domain().
 * get_domain: take a reference on d if it still has one (false: d is
 *   being freed).  get_knownalive_domain: the caller already holds one.
 * put_domain: drop one; the last frees d (it must have been killed).
 * domain_kill: d is dying: claim cancelled, pool, p2m and every page
 *   given back.  d stays (a zombie) until domain_destroy.  Idempotent.
 * domain_destroy: domain_kill, then the creation reference goes: d is
 *   freed with its last reference (at once if nobody else holds one).
 *   XEN_DOMCTL_destroydomain; Xen's domain_kill does both halves.
 */
struct domain *get_domain_by_id(struct host *h, domid_t domid);
/*
 * get_domain_from: the first domain with an id at or above id that still
 * has a reference, with one taken (release it with put_domain), or NULL;
 * dying domains count.  Walking every domain (Xen's for_each_domain under
 * the RCU read lock) is
 *   for ( id = 0; (d = get_domain_from(h, id)) != NULL; put_domain(d) )
 *       id = d->domain_id + 1, ...;
 */
struct domain *get_domain_from(struct host *h, unsigned int id);
bool get_domain(struct domain *d);
void get_knownalive_domain(struct domain *d);
void put_domain(struct domain *d);
void domain_kill(struct domain *d);
void domain_destroy(struct domain *d);
/*
 * The owner of a block head.  Only meaningful while the head cannot
 * change under the reader (mm.h: heap_lock held, or the block held); the
 * pointer may be dereferenced only if it is a domain the caller holds a
 * reference on (compare, don't chase).
 */
static inline struct domain *page_get_owner(const struct host *h,
                                            const struct page_info *pg)
{
    return page_get_owner_raw(h, pg);
}
static inline void page_set_owner(struct page_info *pg, const struct domain *d)
{
    pg->u.inuse.owner = d ? (uint16_t)(d->domain_id + 1) : 0;
}
static inline struct domain *page_get_owner_raw(const struct host *h,
                                                const struct page_info *pg)
{
    return pg->u.inuse.owner ? h->domains[pg->u.inuse.owner - 1] : NULL;
}

/* ---- sched.c: the scheduler's NUMA side (common/sched/core.c) ----
 * sched_init_vcpu: hard = soft = all, processor from node_affinity.
 * domain_update_node_affinity: recompute d->node_affinity if automatic.
 * vcpu_set_hard_affinity: -EINVAL (no online CPU in the mask), -EBUSY
 *   (a temporary pin is in place).  vcpu_set_soft_affinity: -EBUSY.
 * domain_set_node_affinity: -EINVAL (no online node); a full mask
 *   switches back to automatic mode.
 */
void sched_init_vcpu(struct vcpu *v);
void domain_update_node_affinity(struct domain *d);
int vcpu_set_hard_affinity(struct vcpu *v, const cpumask_t *affinity);
int vcpu_set_soft_affinity(struct vcpu *v, const cpumask_t *affinity);
int domain_set_node_affinity(struct domain *d, nodemask_t affinity);
/* nr_cpu_ids: the host's pCPUs 0..nr_cpus-1, all online in cpupool 0. */
unsigned int nr_cpu_ids(const struct host *h);
unsigned int cpu_to_node(const struct host *h, unsigned int cpu);
void host_online_cpus(const struct host *h, cpumask_t *m);

/* ---- invariants.c ----
 * Walks the whole state; returns the number of violations and describes
 * the first ones in buf.  Call with no operation in flight.
 */
unsigned long host_check(struct host *h, char *buf, size_t buflen);

/* ---- heap_dump.c ---- */
void heap_dump(struct host *h, void (*out)(void *ctx, const char *line), void *ctx);
/* Debug key 'H' (page_alloc.c dump_heap): avail[][] and node_need_scrub[]. */
void dump_heap(struct host *h, unsigned char key);

/* ---- numa_dump.c: debug key 'u' (x86 numa.c dump_numa) ---- */
void dump_numa(struct host *h, unsigned char key);

#endif /* XENMM_CORE_H */
