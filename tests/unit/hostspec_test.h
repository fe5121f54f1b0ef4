/*
 * tests/unit/hostspec_test.h - helpers for the hostspec unit tests.
 */
#ifndef XENMM_HOSTSPEC_TEST_H
#define XENMM_HOSTSPEC_TEST_H

#include <stdio.h>
#include <string.h>
#include <xenmm/hostspec.h>

#include "../harness/test.h"

#define GiB (1ULL << 30)
#define MiB (1ULL << 20)
#define TiB (1ULL << 40)

/*
 * Path of a file under tests/hostmaps/, found from this header's own path
 * (the tests run from the repository root, but need not).
 */
static inline const char *hostmap(const char *name)
{
    static char buf[4][512];
    static unsigned int next;
    char *p = buf[next++ % 4];
    const char *me = __FILE__;            /* .../tests/unit/hostspec_test.h */
    const char *cut = strstr(me, "unit/hostspec_test.h");
    int dir = cut ? (int)(cut - me) : 0;

    snprintf(p, sizeof(buf[0]), "%.*shostmaps/%s", dir, cut ? me : "tests/",
             name);
    return p;
}

/* An error message is one line, and names what it should. */
#define CHECK_ONE_LINE(msg)                                               \
    do {                                                                  \
        CHECK((msg)[0] != '\0');                                          \
        CHECK(strchr((msg), '\n') == NULL);                               \
    } while ( 0 )

#define CHECK_RANGE(hs, n, r, s, e)                                       \
    do {                                                                  \
        CHECK_EQ((hs)->node[n].range[r].start, (s));                      \
        CHECK_EQ((hs)->node[n].range[r].end, (e));                        \
    } while ( 0 )

#endif /* XENMM_HOSTSPEC_TEST_H */
