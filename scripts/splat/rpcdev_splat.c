// SPDX-License-Identifier: GPL-2.0
/*
 * rpcdev_splat: a module that is buggy on purpose, so the rig can prove that
 * a real report of the debug kernel's checkers turns a VM run red
 * (scripts/test-runner.sh). Loading it with bug=<kind> commits that one bug
 * and the load succeeds:
 *
 *   kasan    reads one byte past a kmalloc'ed object (KASAN)
 *   ubsan    indexes an array one past its end (UBSAN bounds)
 *   lockdep  takes two mutexes in both orders, one after the other: no
 *            deadlock happens, lockdep reports the inversion
 *   atomic   calls might_sleep() under a spinlock (DEBUG_ATOMIC_SLEEP)
 *   leak     allocates an object and forgets it (kmemleak)
 *
 * Never built into the product (kmod/) and never installed.
 */
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>

static char *bug = "";
module_param(bug, charp, 0444);
MODULE_PARM_DESC(bug, "the bug to commit at load: kasan, ubsan, lockdep, atomic or leak");

/* A parameter, so the compiler cannot see that the index is out of range. */
static int past_end = 1;
module_param(past_end, int, 0444);
MODULE_PARM_DESC(past_end, "how far past the end the kasan and ubsan bugs reach (1)");

#define SPLAT_OBJ_SIZE	16

static noinline int splat_kasan(void)
{
	char *p = kmalloc(SPLAT_OBJ_SIZE, GFP_KERNEL);
	char c;

	if (!p)
		return -ENOMEM;
	memset(p, 0, SPLAT_OBJ_SIZE);
	/* The out-of-bounds read KASAN must report. */
	c = READ_ONCE(p[SPLAT_OBJ_SIZE - 1 + past_end]);
	pr_info("rpcdev_splat: read %d past the object\n", c);
	kfree(p);
	return 0;
}

/*
 * The array is followed by more of the same object, so the bad index stays
 * inside it: UBSAN reports it, KASAN (which sees only the object) does not.
 */
static struct {
	int array[4];
	int after;
} splat_bounds;

static noinline int splat_ubsan(void)
{
	int i = ARRAY_SIZE(splat_bounds.array) - 1 + past_end;
	/* The out-of-bounds index UBSAN must report. */
	int v = splat_bounds.array[i];

	pr_info("rpcdev_splat: element %d is %d\n", i, v);
	return 0;
}

static DEFINE_MUTEX(splat_a);
static DEFINE_MUTEX(splat_b);

static noinline int splat_lockdep(void)
{
	/* a then b, */
	mutex_lock(&splat_a);
	mutex_lock(&splat_b);
	mutex_unlock(&splat_b);
	mutex_unlock(&splat_a);
	/* then b then a: the inversion lockdep must report. */
	mutex_lock(&splat_b);
	mutex_lock(&splat_a);
	mutex_unlock(&splat_a);
	mutex_unlock(&splat_b);
	return 0;
}

static DEFINE_SPINLOCK(splat_lock);

static noinline int splat_atomic(void)
{
	spin_lock(&splat_lock);
	/* What a sleeping call checks first: DEBUG_ATOMIC_SLEEP must report. */
	might_sleep();
	spin_unlock(&splat_lock);
	return 0;
}

static void *splat_leaked;

static noinline int splat_leak(void)
{
	void *p = kmalloc(SPLAT_OBJ_SIZE * 8, GFP_KERNEL);

	if (!p)
		return -ENOMEM;
	memset(p, 0x5a, SPLAT_OBJ_SIZE * 8);
	/*
	 * Remember it only until the module is gone: then nothing points to
	 * it. (A plain store to a variable never read could be dropped, and
	 * the bytes with it.)
	 */
	WRITE_ONCE(splat_leaked, p);
	return 0;
}

static int __init splat_init(void)
{
	static const struct {
		const char *name;
		int (*commit)(void);
	} bugs[] = {
		{ "kasan", splat_kasan },
		{ "ubsan", splat_ubsan },
		{ "lockdep", splat_lockdep },
		{ "atomic", splat_atomic },
		{ "leak", splat_leak },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bugs); i++) {
		if (!strcmp(bug, bugs[i].name)) {
			pr_info("rpcdev_splat: committing the %s bug\n", bug);
			return bugs[i].commit();
		}
	}
	pr_err("rpcdev_splat: unknown bug '%s'\n", bug);
	return -EINVAL;
}

static void __exit splat_exit(void)
{
	/* The leak stays leaked: splat_leaked goes away with the module. */
}

module_init(splat_init);
module_exit(splat_exit);
MODULE_DESCRIPTION("rpcdev rig self-test: commits one bug on purpose");
MODULE_LICENSE("GPL");
