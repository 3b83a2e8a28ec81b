// SPDX-License-Identifier: GPL-2.0
/*
 * rpcdev core and rpcdev_sim, run as root inside the test VM: module
 * loading and parameters, device nodes and their permissions,
 * RPCDEV_IOC_INFO, unknown ioctls, and removal of a device that is open.
 *
 * The backend is the one $RPCDEV_TEST_BACKEND names (rpcdev_sim by
 * default); the tests of rpcdev_sim's parameters, names and features skip
 * on another.
 *
 * Each fixture loads the modules it needs in its setup (leftovers from an
 * earlier test are unloaded first) and unloads them in a teardown that runs
 * in the harness's parent process, so it runs even when the test crashes;
 * the teardown fails the test if a module cannot be unloaded, which catches
 * references the driver leaks.
 */
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>
#include <linux/rpcdev_sim.h>

#include "kselftest_harness.h"
#include "rpcdev.h"
#include "rpcdev_fixture.h"
#include "rpcdev_kmod.h"
#include "rpcdev_util.h"
#include "run_tool.h"

#define NOBODY		65534		/* uid and gid without privileges */
#define GRANTED_GID	1234		/* group given by group=1234 */
#define SIM_QUEUES	5		/* not the default, to see it used */
#define SIM_DEFAULT_QUEUES 4
#define SIM_MAX_DEVICES	16

#define STR(x)		#x
#define XSTR(x)		STR(x)

/* Index of the first non-zero byte of @buf, or -1 if all are zero. */
static long first_nonzero(const void *buf, size_t len)
{
	const unsigned char *p = buf;
	size_t i;

	for (i = 0; i < len; i++)
		if (p[i])
			return i;
	return -1;
}

/* Open /dev/rpcdev<index>, run INFO into @info, close. 0 or -errno. */
static int info_of(unsigned int index, struct rpcdev_info *info)
{
	struct rpcdev dev;
	int ret;

	ret = rpcdev_open_index(&dev, index);
	if (ret)
		return ret;
	ret = rpcdev_info(&dev, info);
	rpcdev_close(&dev);
	return ret;
}

/* stat(2) of @path as 0 or -errno. */
static int stat_errno(const char *path)
{
	struct stat st;

	return stat(path, &st) ? -errno : 0;
}

/* The text "rpcdev info" prints for a device of the sim. */
static void expected_info_block(char *buf, size_t len, unsigned int index,
				unsigned int queues)
{
	snprintf(buf, len,
		 "/dev/rpcdev%u:\n"
		 "  name:        rpcdev_sim.%u\n"
		 "  minor:       %u\n"
		 "  abi version: %u\n"
		 "  queues:      %u\n"
		 "  features:    0xfff (info,downcall,upcall,mailbox,user_rings,"
		 "ring_wake,async_noack,dev_gone,uring_cmd,reg_bufs,inline,"
		 "uring_timeout)\n",
		 index, index, index, RPCDEV_ABI_VERSION, queues);
}

/*
 * Fixture setup shared by all fixtures: needs root, loads the stack, waits
 * for the first @nodes device nodes. On failure nothing stays loaded.
 */
static void stack_setup(struct __test_metadata *_metadata,
			const char *core_params, const char *sim_params,
			unsigned int nodes)
{
	char path[32];
	unsigned int i;
	int ret;

	if (geteuid() != 0)
		SKIP(return, "loading modules needs root (run it in the test VM)");

	ASSERT_NE(NULL, kmod_backend())
		TH_LOG(KMOD_BACKEND_ENV "=%s: not a backend (sim, ivshmem)",
		       kmod_backend_env());
	kmod_mark_test_process();
	ret = kmod_load_stack(core_params, sim_params);
	ASSERT_EQ(0, ret)
		TH_LOG("loading rpcdev (%s) and %s (%s) from %s: %s",
		       core_params, kmod_backend()->module,
		       sim_params ? sim_params : "not loaded", kmod_dir(),
		       strerror(-ret));

	for (i = 0; i < nodes; i++) {
		kmod_dev_path(path, sizeof(path), i);
		ret = kmod_wait_path(path, true, KMOD_NODE_TIMEOUT_MS);
		if (ret)
			kmod_unload_stack();
		ASSERT_EQ(0, ret) TH_LOG("%s did not appear", path);
	}
}

static void stack_teardown(struct __test_metadata *_metadata)
{
	device_fixture_close(_metadata);
}

/* ===================================================================== */
/* sim: rpcdev with default parameters, the backend with one device      */
/* (rpcdev_sim: SIM_QUEUES queues).                                      */
/* ===================================================================== */

FIXTURE(sim) {
	struct rpcdev dev;
	struct rpcdev_info info;
};

FIXTURE_SETUP(sim)
{
	stack_setup(_metadata, "", "devices=1 queues=" XSTR(SIM_QUEUES), 1);
}

FIXTURE_TEARDOWN_PARENT(sim)
{
	stack_teardown(_metadata);
}

TEST_F(sim, info_reports_abi_version)
{
	ASSERT_EQ(0, info_of(0, &self->info));
	ASSERT_EQ((__u32)RPCDEV_ABI_VERSION, self->info.abi_version);
}

TEST_F(sim, info_reports_queues_param)
{
	SKIP_UNLESS_SIM("rpcdev_sim's queues parameter");
	ASSERT_EQ(0, info_of(0, &self->info));
	ASSERT_EQ((__u32)SIM_QUEUES, self->info.nr_queues);
}

TEST_F(sim, info_reports_every_sim_feature)
{
	SKIP_UNLESS_SIM("rpcdev_sim's features");
	ASSERT_EQ(0, info_of(0, &self->info));
	ASSERT_EQ(RPCDEV_FEAT_INFO | RPCDEV_FEAT_DOWNCALL | RPCDEV_FEAT_UPCALL |
		  RPCDEV_FEAT_MAILBOX | RPCDEV_FEAT_USER_RINGS |
		  RPCDEV_FEAT_RING_WAKE | RPCDEV_FEAT_ASYNC_NOACK |
		  RPCDEV_FEAT_DEV_GONE | RPCDEV_FEAT_URING_CMD |
		  RPCDEV_FEAT_REG_BUFS | RPCDEV_FEAT_INLINE |
		  RPCDEV_FEAT_URING_TIMEOUT,
		  self->info.features);
}

TEST_F(sim, info_reports_sim_device_name)
{
	SKIP_UNLESS_SIM("rpcdev_sim's device names");
	ASSERT_EQ(0, info_of(0, &self->info));
	ASSERT_NE(NULL, memchr(self->info.name, '\0', RPCDEV_NAME_LEN));
	ASSERT_STREQ("rpcdev_sim.0", self->info.name);
}

TEST_F(sim, info_reports_minor_0)
{
	ASSERT_EQ(0, info_of(0, &self->info));
	ASSERT_EQ(0U, self->info.minor);
}

TEST_F(sim, info_zero_fills_name_after_nul)
{
	const char *nul;

	memset(&self->info, 0xff, sizeof(self->info));
	ASSERT_EQ(0, info_of(0, &self->info));
	nul = memchr(self->info.name, '\0', RPCDEV_NAME_LEN);
	ASSERT_NE(NULL, nul);
	ASSERT_EQ(-1, first_nonzero(nul, self->info.name + RPCDEV_NAME_LEN - nul));
}

TEST_F(sim, info_zero_fills_reserved)
{
	memset(&self->info, 0xff, sizeof(self->info));
	ASSERT_EQ(0, info_of(0, &self->info));
	ASSERT_EQ(-1, first_nonzero(self->info.reserved,
				    sizeof(self->info.reserved)));
}

TEST_F(sim, open_null_path_opens_rpcdev0)
{
	struct rpcdev_info info0;
	int ret;

	ASSERT_EQ(0, info_of(0, &info0));
	ASSERT_EQ(0, rpcdev_open(&self->dev, NULL));
	ret = rpcdev_info(&self->dev, &self->info);
	rpcdev_close(&self->dev);
	ASSERT_EQ(0, ret);
	ASSERT_STREQ(info0.name, self->info.name);
}

TEST_F(sim, node_is_char_device)
{
	struct stat st;

	ASSERT_EQ(0, stat("/dev/rpcdev0", &st));
	ASSERT_TRUE(S_ISCHR(st.st_mode));
}

TEST_F(sim, node_mode_defaults_to_0600)
{
	struct stat st;

	ASSERT_EQ(0, stat("/dev/rpcdev0", &st));
	ASSERT_EQ(0600U, st.st_mode & 07777);
}

TEST_F(sim, node_owner_defaults_to_root)
{
	struct stat st;

	ASSERT_EQ(0, stat("/dev/rpcdev0", &st));
	ASSERT_EQ((uid_t)0, st.st_uid);
	ASSERT_EQ((gid_t)0, st.st_gid);
}

TEST_F(sim, open_as_nobody_gives_eacces)
{
	ASSERT_EQ(-EACCES, kmod_open_as("/dev/rpcdev0", NOBODY, NOBODY, NULL, 0));
}

/*
 * A file opened for reading only describes the device and nothing more;
 * attaching a queue takes O_RDWR.
 */
static int attach_on(int flags)
{
	struct rpcdev_queue_attach a = { .qid = 0 };
	int fd = open(DEV_PATH, flags | O_CLOEXEC);
	int ret;

	if (fd < 0)
		return -errno;
	ret = ioctl(fd, RPCDEV_IOC_QUEUE_ATTACH, &a) ? -errno : 0;
	close(fd);
	return ret;
}

TEST_F(sim, read_only_file_answers_info)
{
	int fd = open(DEV_PATH, O_RDONLY | O_CLOEXEC);
	int ret;

	ASSERT_LE(0, fd);
	ret = ioctl(fd, RPCDEV_IOC_INFO, &self->info) ? -errno : 0;
	close(fd);
	ASSERT_EQ(0, ret);
	ASSERT_EQ((__u32)RPCDEV_ABI_VERSION, self->info.abi_version);
}

TEST_F(sim, read_only_file_cannot_attach_a_queue)
{
	ASSERT_EQ(-EBADF, attach_on(O_RDONLY));
}

TEST_F(sim, write_only_file_cannot_attach_a_queue)
{
	ASSERT_EQ(-EBADF, attach_on(O_WRONLY));
}

TEST_F(sim, read_only_file_leaves_the_queue_free)
{
	ASSERT_EQ(-EBADF, attach_on(O_RDONLY));
	ASSERT_EQ(0, attach_on(O_RDWR));
}

TEST_F(sim, read_only_file_polls_pollhup_when_the_device_goes)
{
	struct pollfd pfd = { .events = POLLIN | POLLPRI };
	int ret;

	pfd.fd = open(DEV_PATH, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, pfd.fd);
	ASSERT_EQ(0, kmod_remove_devices());
	ret = poll(&pfd, 1, 1000);
	close(pfd.fd);
	ASSERT_EQ(1, ret);
	ASSERT_EQ(POLLHUP, pfd.revents & POLLHUP);
}

TEST_F(sim, core_unload_with_sim_loaded_gives_ewouldblock)
{
	ASSERT_EQ(-EWOULDBLOCK, kmod_unload(KMOD_CORE));
}

TEST_F(sim, sim_unload_with_open_file_succeeds)
{
	int ret;

	ASSERT_EQ(0, rpcdev_open_index(&self->dev, 0));
	ret = kmod_remove_devices();
	rpcdev_close(&self->dev);
	ASSERT_EQ(0, ret);
}

TEST_F(sim, info_after_sim_unload_gives_enodev)
{
	int ret;

	ASSERT_EQ(0, rpcdev_open_index(&self->dev, 0));
	ASSERT_EQ(0, kmod_remove_devices());
	ret = rpcdev_info(&self->dev, &self->info);
	rpcdev_close(&self->dev);
	ASSERT_EQ(-ENODEV, ret);
}

TEST_F(sim, poll_after_sim_unload_reports_pollhup)
{
	struct pollfd pfd = { .events = POLLIN | POLLPRI };
	int ret;

	ASSERT_EQ(0, rpcdev_open_index(&self->dev, 0));
	ASSERT_EQ(0, kmod_remove_devices());
	pfd.fd = rpcdev_fd(&self->dev);
	ret = poll(&pfd, 1, 1000);
	rpcdev_close(&self->dev);
	ASSERT_EQ(1, ret);
	ASSERT_EQ(POLLHUP, pfd.revents & POLLHUP);
}

TEST_F(sim, open_file_pins_core_after_sim_unload)
{
	int ret;

	ASSERT_EQ(0, rpcdev_open_index(&self->dev, 0));
	ASSERT_EQ(0, kmod_remove_devices());
	ret = kmod_unload(KMOD_CORE);
	rpcdev_close(&self->dev);
	ASSERT_EQ(-EWOULDBLOCK, ret);
}

TEST_F(sim, core_unload_after_last_close_succeeds)
{
	ASSERT_EQ(0, rpcdev_open_index(&self->dev, 0));
	ASSERT_EQ(0, kmod_remove_devices());
	rpcdev_close(&self->dev);
	ASSERT_EQ(0, kmod_unload(KMOD_CORE));
}

TEST_F(sim, sim_reload_gives_working_device_0)
{
	struct rpcdev_info before;

	ASSERT_EQ(0, info_of(0, &before));
	ASSERT_EQ(0, kmod_remove_devices());
	ASSERT_EQ(0, kmod_wait_path("/dev/rpcdev0", false, KMOD_NODE_TIMEOUT_MS));
	ASSERT_EQ(0, kmod_load_backend("devices=1"));
	ASSERT_EQ(0, kmod_wait_path("/dev/rpcdev0", true, KMOD_NODE_TIMEOUT_MS));
	ASSERT_EQ(0, info_of(0, &self->info));
	ASSERT_STREQ(before.name, self->info.name);
}

/*
 * The PCI name ("0000:00:05.0") of the device behind /dev/rpcdev0, read
 * off its sysfs link; 0 or -errno.
 */
static int parent_pci_name(char *buf, size_t len)
{
	char link[256];
	const char *base;
	ssize_t n;

	n = readlink("/sys/class/rpcdev/rpcdev0/device", link, sizeof(link) - 1);
	if (n < 0)
		return -errno;
	link[n] = 0;
	base = strrchr(link, '/');
	base = base ? base + 1 : link;
	if (strlen(base) >= len)
		return -ENAMETOOLONG;
	strcpy(buf, base);
	return 0;
}

/* /proc/interrupts into @buf (NUL-terminated); 0 or -errno. */
static int read_interrupts(char *buf, size_t len)
{
	size_t got = 0;
	ssize_t n;
	int fd;

	fd = open("/proc/interrupts", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	while (got < len - 1 && (n = read(fd, buf + got, len - 1 - got)) > 0)
		got += (size_t)n;
	close(fd);
	buf[got] = 0;
	return n < 0 ? -errno : 0;
}

TEST_F(sim, ivshmem_vectors_are_named_for_their_device_and_queue)
{
	static char irqs[1 << 16];
	char pci[256], want[300];
	unsigned int q;

	if (!kmod_backend() || kmod_backend()->sim)
		SKIP(return, "rpcdev_sim takes no interrupt of its own");
	ASSERT_EQ(0, info_of(0, &self->info));
	ASSERT_EQ(0, parent_pci_name(pci, sizeof(pci)));
	ASSERT_EQ(0, read_interrupts(irqs, sizeof(irqs)));
	snprintf(want, sizeof(want), " %s-ctrl\n", pci);
	EXPECT_NE(NULL, strstr(irqs, want)) TH_LOG("no%s in:\n%s", want, irqs);
	for (q = 0; q < self->info.nr_queues; q++) {
		snprintf(want, sizeof(want), " %s-q%u\n", pci, q);
		EXPECT_NE(NULL, strstr(irqs, want))
			TH_LOG("no%s in:\n%s", want, irqs);
	}
}

TEST_F(sim, tool_info_prints_device_block)
{
	char expected[512];
	struct run_result *res = &(struct run_result){ 0 };

	SKIP_WITHOUT_TOOL();
	SKIP_UNLESS_SIM("rpcdev_sim's device name and features");
	ASSERT_EQ(0, run_tool(res, "info"));
	ASSERT_EQ(0, res->status) TH_LOG("stderr: %s", res->err);
	expected_info_block(expected, sizeof(expected), 0, SIM_QUEUES);
	ASSERT_STREQ(expected, res->out);
}

/* ===================================================================== */
/* ioctl_arg: ioctls the driver refuses, on /dev/rpcdev0 of one device    */
/* ===================================================================== */

/* What a refused ioctl is given as its argument. */
enum ioctl_arg_kind {
	ARG_BUFFER,		/* a writable buffer */
	ARG_NULL,
	ARG_BAD_POINTER,	/* (void *)1 */
	ARG_READ_ONLY,		/* a page mapped read-only */
};

/* One ioctl @cmd with an argument of @arg; it must fail with @want. */
FIXTURE_VARIANT(ioctl_arg) {
	unsigned long cmd;
	enum ioctl_arg_kind arg;
	int want;
};

DEVICE_FIXTURE(ioctl_arg)

FIXTURE_VARIANT_ADD(ioctl_arg, unknown_rpcdev_ioctl_gives_enotty) {
	.cmd = _IO(RPCDEV_IOC_MAGIC, 0x7f),
	.want = -ENOTTY,
};

FIXTURE_VARIANT_ADD(ioctl_arg, info_number_with_write_direction_gives_enotty) {
	.cmd = _IOW(RPCDEV_IOC_MAGIC, 0x00, struct rpcdev_info),
	.want = -ENOTTY,
};

FIXTURE_VARIANT_ADD(ioctl_arg, info_number_with_other_size_gives_enotty) {
	.cmd = _IOR(RPCDEV_IOC_MAGIC, 0x00, __u64),
	.want = -ENOTTY,
};

FIXTURE_VARIANT_ADD(ioctl_arg, tty_ioctl_gives_enotty) {
	.cmd = TCGETS,
	.want = -ENOTTY,
};

FIXTURE_VARIANT_ADD(ioctl_arg, info_to_null_gives_efault) {
	.cmd = RPCDEV_IOC_INFO,
	.arg = ARG_NULL,
	.want = -EFAULT,
};

FIXTURE_VARIANT_ADD(ioctl_arg, info_to_bad_pointer_gives_efault) {
	.cmd = RPCDEV_IOC_INFO,
	.arg = ARG_BAD_POINTER,
	.want = -EFAULT,
};

FIXTURE_VARIANT_ADD(ioctl_arg, info_to_read_only_memory_gives_efault) {
	.cmd = RPCDEV_IOC_INFO,
	.arg = ARG_READ_ONLY,
	.want = -EFAULT,
};

TEST_F(ioctl_arg, result)
{
	static union {
		struct rpcdev_info info;
		struct termios tio;
	} buf;
	void *arg = &buf;
	int ret;

	if (variant->arg == ARG_NULL)
		arg = NULL;
	if (variant->arg == ARG_BAD_POINTER)
		arg = (void *)1;
	if (variant->arg == ARG_READ_ONLY) {
		arg = mmap(NULL, page_size(), PROT_READ,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		ASSERT_NE(MAP_FAILED, arg);
	}
	ret = ioctl(rpcdev_fd(&self->dev), variant->cmd, arg) ? -errno : 0;
	if (variant->arg == ARG_READ_ONLY)
		munmap(arg, page_size());
	ASSERT_EQ(variant->want, ret);
}

/* ===================================================================== */
/* sim3: rpcdev_sim with three devices and default queues.               */
/* ===================================================================== */

FIXTURE(sim3) {
	struct rpcdev_info info;
	char path[32];
};

FIXTURE_SETUP(sim3)
{
	SKIP_UNLESS_SIM("rpcdev_sim's devices parameter");
	stack_setup(_metadata, "", "devices=3", 3);
}

FIXTURE_TEARDOWN_PARENT(sim3)
{
	stack_teardown(_metadata);
}

TEST_F(sim3, nodes_0_to_2_exist)
{
	unsigned int i;

	for (i = 0; i < 3; i++) {
		kmod_dev_path(self->path, sizeof(self->path), i);
		ASSERT_EQ(0, stat_errno(self->path)) TH_LOG("%s", self->path);
	}
}

TEST_F(sim3, node_3_does_not_exist)
{
	ASSERT_EQ(-ENOENT, stat_errno("/dev/rpcdev3"));
}

TEST_F(sim3, device_i_is_named_rpcdev_sim_i)
{
	char name[RPCDEV_NAME_LEN];
	unsigned int i;

	for (i = 0; i < 3; i++) {
		snprintf(name, sizeof(name), "rpcdev_sim.%u", i);
		ASSERT_EQ(0, info_of(i, &self->info));
		ASSERT_STREQ(name, self->info.name);
	}
}

TEST_F(sim3, device_i_has_minor_i)
{
	unsigned int i;

	for (i = 0; i < 3; i++) {
		ASSERT_EQ(0, info_of(i, &self->info));
		ASSERT_EQ(i, self->info.minor);
	}
}

TEST_F(sim3, queues_default_to_4)
{
	unsigned int i;

	for (i = 0; i < 3; i++) {
		ASSERT_EQ(0, info_of(i, &self->info));
		ASSERT_EQ((__u32)SIM_DEFAULT_QUEUES, self->info.nr_queues);
	}
}

TEST_F(sim3, sim_unload_removes_every_node)
{
	unsigned int i;

	ASSERT_EQ(0, kmod_remove_devices());
	for (i = 0; i < 3; i++) {
		kmod_dev_path(self->path, sizeof(self->path), i);
		kmod_wait_path(self->path, false, KMOD_NODE_TIMEOUT_MS);
		ASSERT_EQ(-ENOENT, stat_errno(self->path)) TH_LOG("%s", self->path);
	}
}

TEST_F(sim3, core_unload_after_sim_unload_succeeds)
{
	ASSERT_EQ(0, kmod_remove_devices());
	ASSERT_EQ(0, kmod_unload(KMOD_CORE));
}

TEST_F(sim3, tool_info_all_prints_every_device)
{
	char expected[1536], block[512];
	struct run_result *res = &(struct run_result){ 0 };
	unsigned int i;

	SKIP_WITHOUT_TOOL();
	ASSERT_EQ(0, run_tool(res, "info", "-a"));
	ASSERT_EQ(0, res->status) TH_LOG("stderr: %s", res->err);
	expected[0] = '\0';
	for (i = 0; i < 3; i++) {
		expected_info_block(block, sizeof(block), i, SIM_DEFAULT_QUEUES);
		if (i)
			strcat(expected, "\n");
		strcat(expected, block);
	}
	ASSERT_STREQ(expected, res->out);
}

/* ===================================================================== */
/* core_only: rpcdev loaded, rpcdev_sim not; tests load the sim.         */
/* ===================================================================== */

FIXTURE(core_only) {
	struct rpcdev_info info;
	char path[32];
};

FIXTURE_SETUP(core_only)
{
	stack_setup(_metadata, "", NULL, 0);
}

FIXTURE_TEARDOWN_PARENT(core_only)
{
	stack_teardown(_metadata);
}

TEST_F(core_only, no_node_without_backend)
{
	ASSERT_EQ(-ENOENT, stat_errno("/dev/rpcdev0"));
}

TEST_F(core_only, sim_devices_0_gives_einval)
{
	SKIP_UNLESS_SIM("rpcdev_sim's devices parameter");
	ASSERT_EQ(-EINVAL, kmod_load(KMOD_SIM, "devices=0"));
}

TEST_F(core_only, sim_devices_17_gives_einval)
{
	SKIP_UNLESS_SIM("rpcdev_sim's devices parameter");
	ASSERT_EQ(-EINVAL, kmod_load(KMOD_SIM, "devices=17"));
}

TEST_F(core_only, sim_devices_16_makes_16_nodes)
{
	unsigned int i;

	SKIP_UNLESS_SIM("rpcdev_sim's devices parameter");
	ASSERT_EQ(0, kmod_load(KMOD_SIM, "devices=" XSTR(SIM_MAX_DEVICES)));
	for (i = 0; i < SIM_MAX_DEVICES; i++) {
		kmod_dev_path(self->path, sizeof(self->path), i);
		ASSERT_EQ(0, kmod_wait_path(self->path, true, KMOD_NODE_TIMEOUT_MS))
			TH_LOG("%s did not appear", self->path);
	}
}

TEST_F(core_only, sim_queues_0_gives_einval)
{
	SKIP_UNLESS_SIM("rpcdev_sim's queues parameter");
	ASSERT_EQ(-EINVAL, kmod_load(KMOD_SIM, "queues=0"));
}

TEST_F(core_only, sim_queues_above_max_gives_einval)
{
	char params[32];

	SKIP_UNLESS_SIM("rpcdev_sim's queues parameter");
	snprintf(params, sizeof(params), "queues=%d", RPCDEV_MAX_QUEUES + 1);
	ASSERT_EQ(-EINVAL, kmod_load(KMOD_SIM, params));
}

TEST_F(core_only, sim_queues_max_is_reported)
{
	char params[32];

	SKIP_UNLESS_SIM("rpcdev_sim's queues parameter");
	snprintf(params, sizeof(params), "queues=%d", RPCDEV_MAX_QUEUES);
	ASSERT_EQ(0, kmod_load(KMOD_SIM, params));
	ASSERT_EQ(0, kmod_wait_path("/dev/rpcdev0", true, KMOD_NODE_TIMEOUT_MS));
	ASSERT_EQ(0, info_of(0, &self->info));
	ASSERT_EQ((__u32)RPCDEV_MAX_QUEUES, self->info.nr_queues);
}

TEST_F(core_only, failed_sim_load_leaves_core_unloadable)
{
	SKIP_UNLESS_SIM("rpcdev_sim's devices parameter");
	ASSERT_EQ(-EINVAL, kmod_load(KMOD_SIM, "devices=0"));
	ASSERT_EQ(0, kmod_unload(KMOD_CORE));
}

TEST_F(core_only, core_unloads_when_unused)
{
	ASSERT_EQ(0, kmod_unload(KMOD_CORE));
}

/* ===================================================================== */
/* group_mode: rpcdev with group=GRANTED_GID mode=0660, one sim device.  */
/* ===================================================================== */

FIXTURE(group_mode) {
	struct stat st;
};

FIXTURE_SETUP(group_mode)
{
	stack_setup(_metadata, "group=" XSTR(GRANTED_GID) " mode=0660", "", 1);
}

FIXTURE_TEARDOWN_PARENT(group_mode)
{
	stack_teardown(_metadata);
}

TEST_F(group_mode, node_group_is_group_param)
{
	ASSERT_EQ(0, stat("/dev/rpcdev0", &self->st));
	ASSERT_EQ((gid_t)GRANTED_GID, self->st.st_gid);
}

TEST_F(group_mode, node_mode_is_mode_param)
{
	ASSERT_EQ(0, stat("/dev/rpcdev0", &self->st));
	ASSERT_EQ(0660U, self->st.st_mode & 07777);
}

TEST_F(group_mode, primary_group_member_can_open)
{
	ASSERT_EQ(0, kmod_open_as("/dev/rpcdev0", NOBODY, GRANTED_GID, NULL, 0));
}

TEST_F(group_mode, supplementary_group_member_can_open)
{
	const gid_t groups[] = { GRANTED_GID };

	ASSERT_EQ(0, kmod_open_as("/dev/rpcdev0", NOBODY, NOBODY, groups, 1));
}

TEST_F(group_mode, non_member_gets_eacces)
{
	ASSERT_EQ(-EACCES, kmod_open_as("/dev/rpcdev0", NOBODY, NOBODY, NULL, 0));
}

TEST_HARNESS_MAIN
