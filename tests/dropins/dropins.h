/*
 * dropins.h - helpers for the drop-in library tests: they run Debian's
 * libxenctrl and our libxencall, libxenforeignmemory, libxendevicemodel,
 * libxenevtchn and libxengnttab against xenmmd ($XENMM_SOCKET) or an
 * in-process host ($XENMM_INPROCESS), the way the stock tools do.
 *
 * The process's connection is shared by every test; each test destroys
 * the domains it creates and closes the handles it opens.
 */
#ifndef XENMM_DROPINS_H
#define XENMM_DROPINS_H

#include <stdbool.h>
#include <stdint.h>
#include <xenctrl.h>
#include <xenforeignmemory.h>
#include <xen/grant_table.h>

#include "harness/test.h"

/* The process's libxenctrl handle (opened once). */
xc_interface *dt_xch(void);
xenforeignmemory_handle *dt_fmem(void);

/*
 * An HVM guest with max_vcpus vCPUs and 64 MiB of max memory, and RAM at
 * each of the nr gfns given (4K pages): its domid.  REQUIREs success.
 */
uint32_t dt_new_guest(unsigned int max_vcpus, const xen_pfn_t *gfns,
                      unsigned int nr);
void dt_destroy(uint32_t domid);

/* Grant entry ref of domid (v1, through the grant-table resource). */
void dt_grant_set(uint32_t domid, uint32_t ref, uint16_t flags,
                  domid_t grantee, uint32_t frame);
uint16_t dt_grant_flags(uint32_t domid, uint32_t ref);

/* Map one gfn of domid read-write (xenforeignmemory_map); NULL on error. */
uint8_t *dt_map_gfn(uint32_t domid, xen_pfn_t gfn);
void dt_unmap(void *p);

/* xc_evtchn_status of dom0's port: the EVTCHNSTAT_* state, or -errno. */
int dt_port_state(uint32_t dom, uint32_t port);

/* Whether fd becomes readable within ms milliseconds. */
bool dt_readable(int fd, int ms);

/* Poll until cond holds or ms have passed. */
#define DT_WAIT(cond, ms)                                             \
    ({                                                                \
        int t_ = 0;                                                   \
        while ( !(cond) && t_ < (ms) )                                \
        {                                                             \
            usleep(1000);                                             \
            t_++;                                                     \
        }                                                             \
        (cond);                                                       \
    })

/*
 * Run this test binary again as a child doing job (see dt_child_job):
 * the child gets a connection of its own, does the job, writes one line
 * to stdout (read back into out) and exits without cleaning up, as a
 * crashing client would.  Returns the child's exit status.
 */
int dt_run_child(const char *job, const char *arg, char *out, size_t len);
/* True in daemon mode (a child has a connection of its own there). */
bool dt_daemon_mode(void);

#endif /* XENMM_DROPINS_H */
