/*
 * Test runner: runs every registered TEST (or those whose name contains one
 * of the arguments), prints TAP and a closing "N passed, N failed" line.
 * Exit status is non-zero when anything failed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdlib.h>
#include <time.h>

#include "test.h"

static struct test_case *tests, **tests_tail = &tests;
static unsigned int nr_tests;
static int cur_failures;
static jmp_buf cur_jmp;

void test_register(struct test_case *tc)
{
    *tests_tail = tc;
    tests_tail = &tc->next;
    nr_tests++;
}

void test_fail_at(const char *file, int line, const char *fmt, ...)
{
    va_list ap;

    cur_failures++;
    if ( cur_failures > 20 )
        return;
    printf("#   %s:%d: ", file, line);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
    if ( cur_failures == 20 )
        printf("#   (further failures of this test not shown)\n");
}

_Noreturn void test_abort_current(void)
{
    longjmp(cur_jmp, 1);
}

static unsigned long long seed;

unsigned long long test_seed(void)
{
    return seed;
}

unsigned long test_ops(unsigned long n)
{
    const char *s = getenv("XENMM_TEST_SCALE");
    unsigned long pct = s ? strtoul(s, NULL, 0) : 100;

    n = n * pct / 100;
    return n ? n : 1;
}

static void run_one(struct test_case *tc)
{
    cur_failures = 0;
    if ( !setjmp(cur_jmp) )
        tc->fn();
}

static int selected(const char *name, int argc, char **argv)
{
    if ( argc <= 1 )
        return 1;
    for ( int i = 1; i < argc; i++ )
        if ( strstr(name, argv[i]) )
            return 1;
    return 0;
}

int main(int argc, char **argv)
{
    unsigned int passed = 0, failed = 0, n = 0;
    const char *s = getenv("XENMM_TEST_SEED");

    seed = s ? strtoull(s, NULL, 0) : 0x5eed0f7e57ULL;
    setvbuf(stdout, NULL, _IOLBF, 0);

    for ( struct test_case *tc = tests; tc; tc = tc->next )
        if ( selected(tc->name, argc, argv) )
            n++;
    printf("1..%u\n", n);
    n = 0;
    for ( struct test_case *tc = tests; tc; tc = tc->next )
    {
        if ( !selected(tc->name, argc, argv) )
            continue;
        run_one(tc);
        n++;
        if ( cur_failures )
        {
            printf("not ok %u - %s (seed 0x%llx)\n", n, tc->name, seed);
            failed++;
        }
        else
        {
            printf("ok %u - %s\n", n, tc->name);
            passed++;
        }
    }
    printf("%u passed, %u failed\n", passed, failed);
    return failed ? 1 : 0;
}
