/*
 * private.h - what the files of the server share: the server and session
 * structures and the device emulations hanging off them.
 *
 * The server plays Xen and dom0's kernel at once.  Besides hypercalls, a
 * session reaches three pieces of that kernel, each in its own file:
 *   evtchn_dev.c  /dev/xen/evtchn (Linux drivers/xen/evtchn.c)
 *   gntdev.c      /dev/xen/gntdev's grant mappings (drivers/xen/gntdev.c)
 *   xenbus.c      dom0's xenstore port and ring page (/proc/xen/xsd_port,
 *                 /proc/xen/xsd_kva, which the kernel's xenbus sets up)
 * They call into the core only through hypercalls issued as the session's
 * domain (hv_session_kernel_op), as a kernel does.
 */
#ifndef XENMM_SERVER_PRIVATE_H
#define XENMM_SERVER_PRIVATE_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/core.h"
#include <xen/event_channel.h>
#include "core/guest_access.h"
#include "server.h"

struct evtchn_user;
struct evtchn_bind;
struct gnt_map;

/* Buckets of the server's (domid, port) -> binding table. */
#define EVTCHN_BIND_BUCKETS 256

struct hv_server {
    struct host *h;
    char spec[64];
    pthread_mutex_t lock;           /* nr_sessions, next_evtchn_id */
    unsigned int nr_sessions;
    /*
     * evtchn_dev.c.  evtchn_lock is a leaf: the core's delivery hook takes
     * it from inside hypercalls, so nothing under it may wait for the core
     * (no hypercall).  It protects the binding table, every
     * binding's state and every user's delivery queue.
     */
    pthread_mutex_t evtchn_lock;
    struct evtchn_bind *evtchn_table[EVTCHN_BIND_BUCKETS];
    uint32_t next_evtchn_id;

    /* xenbus.c: dom0's xenstore port (0: not yet) and ring page. */
    pthread_mutex_t xenbus_lock;
    uint32_t xenbus_port;
    int xenbus_page_fd;
};

struct hv_session {
    struct hv_server *srv;
    struct domain *d;               /* identity; a reference is held */
    struct guest_access ga;         /* the arena only */
    uint64_t arena_base;
    uint8_t *arena;
    size_t arena_size;

    struct evtchn_user *evtchn_users;   /* open /dev/xen/evtchn handles */
    struct gnt_map *gnt_maps;           /* grant mappings (gntdev.c) */
};

/*
 * A hypercall issued by the session's "kernel": as the session's domain,
 * its argument the len bytes at arg (in this process).
 * args[0] = a0, args[1] = arg's address, args[2] = a2.  >= 0 or -errno.
 */
long hv_session_kernel_op(struct hv_session *s, unsigned long nr,
                          unsigned long a0, void *arg, size_t len,
                          unsigned long a2);

/* evtchn_dev.c */
void evtchn_dev_init(struct hv_server *srv);
void evtchn_dev_fini(struct hv_server *srv);
void evtchn_dev_session_close(struct hv_session *s);
/* Whether a user has port of domid bound (the kernel's evtchn_get). */
bool evtchn_dev_port_bound(struct hv_server *srv, domid_t domid,
                           evtchn_port_t port);

/* gntdev.c */
void gntdev_session_close(struct hv_session *s);

/* xenbus.c */
void xenbus_init(struct hv_server *srv);
void xenbus_fini(struct hv_server *srv);

#endif /* XENMM_SERVER_PRIVATE_H */
