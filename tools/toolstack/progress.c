/*
 * progress.c - what the builds are doing, on stderr while they run.
 *
 * On a terminal one status line is redrawn ten times a second: the VMs
 * being started with their phase (Domain.make, build_pre, NUMA placement,
 * xenguest, build_post) and time so far, and how many are done.
 * `--progress plain` prints one line per phase change instead (for logs
 * and tests); `--progress none` (the default off a terminal) nothing.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "toolstack.h"

static enum progress_mode mode;
static pthread_t thread;
static bool running;
static pthread_mutex_t stop_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t stop_cv = PTHREAD_COND_INITIALIZER;
static bool stop;

double ts_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

void ts_set_phase(struct run *r, struct vm_run *v, const char *phase)
{
    pthread_mutex_lock(&r->lock);
    v->phase = phase;
    if ( mode == PROGRESS_PLAIN )
    {
        fprintf(stderr, "xenmm run: %s: %s\n", v->spec->name, phase);
        fflush(stderr);
    }
    pthread_mutex_unlock(&r->lock);
}

static void draw(struct run *r)
{
    char line[512];
    size_t n = 0;
    unsigned int done = 0;
    double now = ts_now();

    pthread_mutex_lock(&r->lock);
    for ( unsigned int i = 0; i < r->sc->nr_vms; i++ )
    {
        const struct vm_run *v = &r->vms[i];

        if ( v->result == VM_OK || v->result == VM_FAILED ||
             v->result == VM_CANCELLED )
            done++;
        else if ( v->result == VM_BUILDING && n < sizeof(line) )
            n += snprintf(line + n, sizeof(line) - n, "%s%s (%s %.1f s)",
                          n ? ", " : "", v->spec->name,
                          v->phase ? v->phase : "", now - v->started);
    }
    pthread_mutex_unlock(&r->lock);
    /* One terminal line: cut it at 110 columns. */
    if ( n > 110 )
        strcpy(line + 107, "...");
    fprintf(stderr, "\r\033[K[%u/%u] %s", done, r->sc->nr_vms, line);
    fflush(stderr);
}

static void *progress_thread(void *arg)
{
    struct run *r = arg;

    pthread_mutex_lock(&stop_lock);
    while ( !stop )
    {
        struct timespec ts;

        pthread_mutex_unlock(&stop_lock);
        draw(r);
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += 100000000;
        if ( ts.tv_nsec >= 1000000000 )
        {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000;
        }
        pthread_mutex_lock(&stop_lock);
        if ( !stop )
            pthread_cond_timedwait(&stop_cv, &stop_lock, &ts);
    }
    pthread_mutex_unlock(&stop_lock);
    fprintf(stderr, "\r\033[K");
    fflush(stderr);
    return NULL;
}

void progress_start(struct run *r, enum progress_mode m)
{
    mode = m;
    if ( m == PROGRESS_TTY &&
         !pthread_create(&thread, NULL, progress_thread, r) )
        running = true;
}

void progress_stop(void)
{
    if ( !running )
        return;
    pthread_mutex_lock(&stop_lock);
    stop = true;
    pthread_cond_signal(&stop_cv);
    pthread_mutex_unlock(&stop_lock);
    pthread_join(thread, NULL);
    running = false;
}
