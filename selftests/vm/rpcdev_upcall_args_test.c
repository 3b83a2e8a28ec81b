// SPDX-License-Identifier: GPL-2.0
/*
 * The errors of RPCDEV_IOC_REPLY_AND_WAIT and of librpcdev's answers to
 * upcalls, against rpcdev_sim, run as root inside the test VM: bad
 * arguments, answers to upcalls never delivered or already answered, and
 * refused answers, after which the upcall is still the server's to answer.
 * The library's answers are tested on each wait policy (block, poll,
 * adaptive); the ioctl's arguments, and two answers to one upcall racing
 * in the kernel, on kernel-driven queues, the only ones that take it.
 *
 * The fixture (rpcdev_fixture.h) loads rpcdev and the backend that
 * $RPCDEV_TEST_BACKEND names (rpcdev_sim, one device of four queues, by
 * default) and opens /dev/rpcdev0 without a queue; its teardown fails the
 * test if a module cannot be unloaded (a leaked reference).
 */
#include <errno.h>
#include <stdbool.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/uio.h>
#include <unistd.h>
#include <linux/rpcdev_sim.h>

#include "kselftest_harness.h"
#include "rpcdev.h"
#include "rpcdev_debugfs.h"
#include "rpcdev_fixture.h"
#include "rpcdev_upcalls.h"
#include "rpcdev_util.h"

static int reply_and_wait_raw(int fd, struct rpcdev_upcall *a)
{
	return ioctl(fd, RPCDEV_IOC_REPLY_AND_WAIT, a) ? -errno : 0;
}

/* ===================================================================== */
/* Fixture: rpcdev and its backend with one device (rpcdev_sim: four     */
/* queues), /dev/rpcdev0 open (no queue yet).                            */
/* ===================================================================== */

DEVICE_FIXTURE(upcall)
POLICY_VARIANTS(upcall);

/* ===================================================================== */
/* RPCDEV_IOC_REPLY_AND_WAIT: argument errors                             */
/* ===================================================================== */

/*
 * One RPCDEV_IOC_REPLY_AND_WAIT that only waits, with a short timeout (no
 * upcall is ever made), on queue 0 unless @no_queue, with the argument
 * spoiled as the variant says; it must give @want.
 */
FIXTURE_VARIANT(reply_and_wait_arg) {
	bool no_queue;
	bool no_flags;		/* flags = 0: neither REPLY nor WAIT */
	__u32 extra_flag;
	__u32 pad;
	__u64 reserved[2];
	bool bad_pointer;	/* the ioctl's argument is not mapped */
	int want;
};

DEVICE_FIXTURE(reply_and_wait_arg)

FIXTURE_VARIANT_ADD(reply_and_wait_arg, wait_without_queue_gives_einval) {
	.no_queue = true,
	.want = -EINVAL,
};

FIXTURE_VARIANT_ADD(reply_and_wait_arg, flags_0_gives_einval) {
	.no_flags = true,
	.want = -EINVAL,
};

FIXTURE_VARIANT_ADD(reply_and_wait_arg, unknown_flag_gives_einval) {
	.extra_flag = 1U << 2,
	.want = -EINVAL,
};

FIXTURE_VARIANT_ADD(reply_and_wait_arg, pad_set_gives_einval) {
	.pad = 1,
	.want = -EINVAL,
};

FIXTURE_VARIANT_ADD(reply_and_wait_arg, first_reserved_word_set_gives_einval) {
	.reserved = { 1, 0 },
	.want = -EINVAL,
};

FIXTURE_VARIANT_ADD(reply_and_wait_arg, last_reserved_word_set_gives_einval) {
	.reserved = { 0, 1ULL << 63 },
	.want = -EINVAL,
};

FIXTURE_VARIANT_ADD(reply_and_wait_arg, unreadable_argument_gives_efault) {
	.bad_pointer = true,
	.want = -EFAULT,
};

TEST_F(reply_and_wait_arg, result)
{
	struct rpcdev_upcall a;

	if (!variant->no_queue)
		ASSERT_EQ(0, rpcdev_queue_attach(&self->dev, 0, 0, 0));
	memset(&a, 0, sizeof(a));
	a.flags = variant->no_flags ? 0 : RPCDEV_UPCALL_WAIT;
	a.flags |= variant->extra_flag;
	a.timeout_ns = 1;
	a.pad = variant->pad;
	a.reserved[0] = variant->reserved[0];
	a.reserved[1] = variant->reserved[1];
	ASSERT_EQ(variant->want,
		  reply_and_wait_raw(rpcdev_fd(&self->dev),
				     variant->bad_pointer ?
				     unmapped_address() : &a));
}

/* ===================================================================== */
/* Answers librpcdev refuses or that find no upcall                       */
/* ===================================================================== */

TEST_F(upcall, reply_to_id_not_delivered_gives_einval)
{
	struct rpcdev_upcall_reply reply = { .id = 0 };

	ASSERT_EQ(0, ATTACH_QUEUE_0(0, 0));
	ASSERT_EQ(-EINVAL, rpcdev_upcall_reply(&self->dev, &reply));
}

TEST_F(upcall, reply_to_id_past_depth_gives_einval)
{
	struct rpcdev_upcall_reply reply = { .id = 16 };

	ASSERT_EQ(0, ATTACH_QUEUE_0(16, 0));
	ASSERT_EQ(-EINVAL, rpcdev_upcall_reply(&self->dev, &reply));
}

TEST_F(upcall, second_reply_to_same_upcall_gives_einval)
{
	struct rpcdev_upcall_req up;
	struct run run;
	int ret;

	ASSERT_EQ(0, ATTACH_QUEUE_0(0, 0));
	ASSERT_EQ(0, take_one(&self->dev, &run, &up));
	ASSERT_EQ(0, echo_reply(&self->dev, &up));
	ret = echo_reply(&self->dev, &up);
	ASSERT_EQ(0, run_done_exactly(&run));
	ASSERT_EQ(-EINVAL, ret);
}

/* ===================================================================== */
/* Answers refused: nothing is sent, the upcall stays the server's        */
/* ===================================================================== */

/* What is wrong with a refused answer. */
enum refusal {
	LEN_ABOVE_BUF_SIZE,
	FLAG_OTHER_THAN_ERROR,
	STATUS_OF_THE_KERNELS,	/* RPCDEV_STATUS_NO_SERVER */
	UNREADABLE_DATA,	/* reply.data not mapped */
};

/*
 * One answer to a taken sync upcall, on a queue of wait policy @policy,
 * spoiled as @refusal says; rpcdev_upcall_reply() must refuse it with
 * @want, send nothing, and leave the upcall to be answered.
 */
FIXTURE_VARIANT(reply_refused) {
	unsigned int policy;
	enum refusal refusal;
	int want;
};

DEVICE_FIXTURE(reply_refused)

#define REFUSAL(pol, policy_, name, refusal_, want_)			\
	FIXTURE_VARIANT_ADD(reply_refused, pol##_##name) {		\
		.policy = policy_,					\
		.refusal = refusal_,					\
		.want = want_,						\
	}

/* Every refusal, on a queue of one policy. */
#define REFUSALS(pol, policy_)						\
	REFUSAL(pol, policy_, len_above_buf_size_gives_e2big,		\
		LEN_ABOVE_BUF_SIZE, -E2BIG);				\
	REFUSAL(pol, policy_, flag_other_than_error_gives_einval,	\
		FLAG_OTHER_THAN_ERROR, -EINVAL);			\
	REFUSAL(pol, policy_, status_of_the_kernels_gives_einval,	\
		STATUS_OF_THE_KERNELS, -EINVAL);			\
	REFUSAL(pol, policy_, unreadable_data_gives_efault,		\
		UNREADABLE_DATA, -EFAULT)

REFUSALS(block, RPCDEV_WAIT_BLOCK);
REFUSALS(poll, RPCDEV_WAIT_POLL);
REFUSALS(adaptive, RPCDEV_WAIT_ADAPTIVE);

/*
 * On user rings the library checks reply data it copies with
 * process_vm_readv(2); a kernel without it (CONFIG_CROSS_MEMORY_ATTACH
 * unset, as the debug flavour's minimal config) leaves the copy
 * unchecked, as the library documents.
 */
static bool checked_copy_available(void)
{
	char src = 1, dst = 0;
	struct iovec local = { .iov_base = &dst, .iov_len = 1 };
	struct iovec remote = { .iov_base = &src, .iov_len = 1 };

	return process_vm_readv(getpid(), &local, 1, &remote, 1, 0) == 1;
}

#define SKIP_UNLESS_REFUSAL_CHECKABLE() do {				\
	if (variant->refusal == UNREADABLE_DATA &&			\
	    variant->policy != RPCDEV_WAIT_BLOCK &&			\
	    !checked_copy_available())					\
		SKIP(return, "no process_vm_readv(2) in this kernel: "	\
		     "the library cannot check reply data on user rings"); \
} while (0)

/* Attach queue 0 and take one upcall of a run, into @run and @up. */
static int refused_setup(FIXTURE_DATA(reply_refused) *self,
			 const FIXTURE_VARIANT(reply_refused) *variant,
			 struct run *run, struct rpcdev_upcall_req *up)
{
	int ret = rpcdev_queue_attach_policy(&self->dev, 0, 0, 0,
					     variant->policy);

	return ret ? ret : take_one(&self->dev, run, up);
}

/* Answer @up as the variant spoils it; what rpcdev_upcall_reply() gave. */
static int refused_reply(FIXTURE_DATA(reply_refused) *self,
			 const FIXTURE_VARIANT(reply_refused) *variant,
			 const struct rpcdev_upcall_req *up)
{
	struct rpcdev_upcall_reply reply;

	memset(&reply, 0, sizeof(reply));
	reply.id = up->id;
	switch (variant->refusal) {
	case LEN_ABOVE_BUF_SIZE:
		reply.len = rpcdev_queue_buf_size(&self->dev) + 1;
		break;
	case FLAG_OTHER_THAN_ERROR:
		reply.flags = RPCDEV_ENTRY_ASYNC;
		break;
	case STATUS_OF_THE_KERNELS:
		reply.status = RPCDEV_STATUS_NO_SERVER;
		break;
	case UNREADABLE_DATA:
		reply.len = up->len;
		reply.data = unmapped_address();
		break;
	}
	return rpcdev_upcall_reply(&self->dev, &reply);
}

/*
 * Answers that reached the device: the kernel's count of replies, or on
 * user rings the UR entries the library posted.
 */
static unsigned long long answers_sent(FIXTURE_DATA(reply_refused) *self,
				       const FIXTURE_VARIANT(reply_refused) *variant)
{
	if (variant->policy == RPCDEV_WAIT_BLOCK)
		return dbg(self->q0, "replies");
	return host_ur_prod(&self->dev);
}

TEST_F(reply_refused, is_refused)
{
	struct rpcdev_upcall_req up;
	struct run run;
	int ret;

	SKIP_UNLESS_REFUSAL_CHECKABLE();
	ASSERT_EQ(0, refused_setup(self, variant, &run, &up));
	ret = refused_reply(self, variant, &up);
	EXPECT_EQ(0, echo_reply(&self->dev, &up));
	EXPECT_EQ(0, run_done_exactly(&run));
	ASSERT_EQ(variant->want, ret);
}

TEST_F(reply_refused, leaves_the_upcall_pending)
{
	struct rpcdev_upcall_req up;
	struct run run;

	SKIP_UNLESS_REFUSAL_CHECKABLE();
	ASSERT_EQ(0, refused_setup(self, variant, &run, &up));
	ASSERT_EQ(variant->want, refused_reply(self, variant, &up));
	ASSERT_EQ(0, echo_reply(&self->dev, &up));
	ASSERT_EQ(0, run_done_exactly(&run));
}

/* A refused answer is not sent: nothing reaches the device. */
TEST_F(reply_refused, sends_nothing)
{
	struct rpcdev_upcall_req up;
	unsigned long long sent;
	struct run run;

	SKIP_UNLESS_REFUSAL_CHECKABLE();
	ASSERT_EQ(0, refused_setup(self, variant, &run, &up));
	ASSERT_EQ(variant->want, refused_reply(self, variant, &up));
	sent = answers_sent(self, variant);
	EXPECT_EQ(0, echo_reply(&self->dev, &up));
	EXPECT_EQ(0, run_done_exactly(&run));
	ASSERT_EQ(0ULL, sent);
}

/* ===================================================================== */
/* Two answers to one upcall at once: the first one claims it             */
/* ===================================================================== */

/* An answer to an upcall whose data the kernel copies from user memory. */
struct copied_reply {
	struct rpcdev *dev;
	struct rpcdev_upcall_reply reply;
	int ret;
};

static void *copied_reply_run(void *arg)
{
	struct copied_reply *cr = arg;

	cr->ret = rpcdev_upcall_reply(cr->dev, &cr->reply);
	return NULL;
}

DEVICE_FIXTURE(reply_race)

/*
 * One thread answers with data the kernel copies from a stalled page; a
 * second answer to the same upcall meanwhile must fail, not post while the
 * first one's bytes are still on their way into the buffer. The first
 * answer then completes, and the device gets exactly its bytes.
 */
TEST_F(reply_race, reply_while_another_reply_copies_gives_einval)
{
	struct copied_reply first = { .dev = &self->dev };
	struct rpcdev_upcall_req up;
	struct stalled_page sp = { .uffd = -1 };
	pthread_t thread;
	struct run run;
	int ret, second;

	ret = stalled_page_init(&sp);
	if (ret == -EOPNOTSUPP)
		SKIP(return, "no userfaultfd(2) in this kernel");
	ASSERT_EQ(0, ret);
	ASSERT_EQ(0, rpcdev_queue_attach(&self->dev, 0, 0, 0));
	ASSERT_EQ(0, take_one(&self->dev, &run, &up));
	first.reply.id = up.id;
	first.reply.len = up.len;
	first.reply.data = sp.page;
	ASSERT_EQ(0, pthread_create(&thread, NULL, copied_reply_run, &first));
	ret = stalled_page_touched(&sp);
	second = ret ? 0 : echo_reply(&self->dev, &up);
	/* The echo the device checks for: the upcall's own bytes. */
	EXPECT_EQ(0, stalled_page_release(&sp, up.data, up.len));
	EXPECT_EQ(0, pthread_join(thread, NULL));
	EXPECT_EQ(0, run_done_exactly(&run));
	stalled_page_fini(&sp);
	ASSERT_EQ(0, ret);
	ASSERT_EQ(-EINVAL, second);
	ASSERT_EQ(0, first.ret);
}

TEST_HARNESS_MAIN
