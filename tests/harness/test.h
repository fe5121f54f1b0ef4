/*
 * tests/harness/test.h - the test framework.
 *
 * TEST(name) { ... } registers a test at load time.  CHECK/CHECK_EQ report
 * file:line and both values and keep going; REQUIRE stops the current test.
 * The runner (runner.c) prints TAP ("ok N - name"), takes substring filters
 * on the command line, and ends with "N passed, N failed".
 */
#ifndef XENMM_TEST_H
#define XENMM_TEST_H

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

struct test_case {
    const char *name;
    void (*fn)(void);
    struct test_case *next;
};

void test_register(struct test_case *tc);
void test_fail_at(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Used by REQUIRE to abandon the current test. */
_Noreturn void test_abort_current(void);
/* Seed for randomized tests (XENMM_TEST_SEED overrides; printed on failure). */
unsigned long long test_seed(void);
/*
 * Operation count for long tests: n scaled by XENMM_TEST_SCALE percent
 * (default 100; the sanitizer suite runs at 10, soaks at 1000 or more).
 */
unsigned long test_ops(unsigned long n);

#define TEST(tname)                                                       \
    static void test_fn_##tname(void);                                    \
    static struct test_case test_case_##tname = { #tname,                 \
                                                  test_fn_##tname, 0 };   \
    __attribute__((constructor)) static void test_reg_##tname(void)       \
    {                                                                     \
        test_register(&test_case_##tname);                                \
    }                                                                     \
    static void test_fn_##tname(void)

#define CHECK(cond)                                                       \
    do {                                                                  \
        if ( !(cond) )                                                    \
            test_fail_at(__FILE__, __LINE__, "CHECK(%s)", #cond);         \
    } while ( 0 )

#define CHECK_EQ(a, b)                                                    \
    do {                                                                  \
        long long a_ = (long long)(a), b_ = (long long)(b);               \
        if ( a_ != b_ )                                                   \
            test_fail_at(__FILE__, __LINE__,                              \
                         "CHECK_EQ(%s, %s): %lld (0x%llx) != %lld (0x%llx)", \
                         #a, #b, a_, (unsigned long long)a_, b_,          \
                         (unsigned long long)b_);                         \
    } while ( 0 )

#define CHECK_STR(a, b)                                                   \
    do {                                                                  \
        const char *a_ = (a), *b_ = (b);                                  \
        if ( !a_ || !b_ || strcmp(a_, b_) )                               \
            test_fail_at(__FILE__, __LINE__, "CHECK_STR(%s, %s): \"%s\" != \"%s\"", \
                         #a, #b, a_ ? a_ : "(null)", b_ ? b_ : "(null)"); \
    } while ( 0 )

/* Substring check: haystack contains needle. */
#define CHECK_CONTAINS(h, n)                                              \
    do {                                                                  \
        const char *h_ = (h), *n_ = (n);                                  \
        if ( !h_ || !strstr(h_, n_) )                                     \
            test_fail_at(__FILE__, __LINE__, "CHECK_CONTAINS(%s, %s): \"%s\" lacks \"%s\"", \
                         #h, #n, h_ ? h_ : "(null)", n_);                 \
    } while ( 0 )

#define REQUIRE(cond)                                                     \
    do {                                                                  \
        if ( !(cond) )                                                    \
        {                                                                 \
            test_fail_at(__FILE__, __LINE__, "REQUIRE(%s)", #cond);       \
            test_abort_current();                                         \
        }                                                                 \
    } while ( 0 )

#endif /* XENMM_TEST_H */
