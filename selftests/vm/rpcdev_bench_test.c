// SPDX-License-Identifier: GPL-2.0
/*
 * Smoke test of "rpcdev bench", run as root inside the test VM: a short run
 * measures everything and exits 0, the POLL and ADAPTIVE rows run, the
 * JSON names every row and target, --list names every row with its
 * targets, repeated rows give medians and their rounds' spread,
 * rpcdev_sim's fw_cpu and fw_spin_us are given back, a missing device
 * or a wrong command line is an error, and --sweep gives each curve with
 * its points in order (one quick sweep, kept for every test that reads
 * it). No figure is asserted: the VM's timing is whatever it is.
 *
 * The fixture loads rpcdev and the backend (rpcdev_sim with one device and
 * four queues, or rpcdev_ivshmem, whose device has four), as the bench
 * expects.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "rpcdev_fixture.h"
#include "rpcdev_kmod.h"
#include "run_tool.h"

#define FW_CPU_PARAM	"/sys/module/rpcdev_sim/parameters/fw_cpu"
#define FW_SPIN_PARAM	"/sys/module/rpcdev_sim/parameters/fw_spin_us"
#define JSON_PATH	"/tmp/rpcdev-bench-test.json"
/* Short runs: 100 round trips per row, the rates for 0.3 s. */
#define QUICK		"--quick", "-n", "100"

/* The points of the sweep's curves, in order. */
static const unsigned long sweep_sizes[] = {
	0, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576,
};
static const unsigned long sweep_depths[] = { 1, 2, 4, 8, 16, 32, 64, 128, 256 };
static const unsigned long sweep_queues[] = { 1, 2, 3, 4 };

static const char *const tool_candidates[] = {
	"/bin/rpcdev", "/sbin/rpcdev", "/usr/bin/rpcdev", "/usr/sbin/rpcdev",
	"/usr/local/bin/rpcdev", NULL,
};

/* Run "rpcdev bench" with up to ten more arguments (NULL-terminated). */
#define run_bench(res, ...) \
	run_bench_v(res, (const char *const[]){ __VA_ARGS__, NULL })

static int run_bench_v(struct run_result *res, const char *const *args)
{
	char *argv[13] = { NULL, "bench" };
	int i;

	argv[0] = (char *)run_tool_find(tool_candidates);
	if (!argv[0])
		return -ENOENT;
	for (i = 0; args[i] && i < 10; i++)
		argv[i + 2] = (char *)args[i];
	return run_capture(argv, res);
}

#define SKIP_WITHOUT_TOOL() do {					\
	if (!run_tool_find(tool_candidates))				\
		SKIP(return, "no rpcdev tool in the guest (set RPCDEV_TOOL)"); \
} while (0)

/* The whole of a small file, NUL-terminated, or NULL. */
static char *read_file(const char *path)
{
	static char buf[32768];
	FILE *f = fopen(path, "r");
	size_t n;

	if (!f)
		return NULL;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	return buf;
}

/* The line of @json holding the object with id @id, into @buf. */
static int json_line(const char *json, const char *id, char *buf, size_t len)
{
	char key[64];
	const char *p;
	size_t n;

	snprintf(key, sizeof(key), "{ \"id\": \"%s\", ", id);
	p = strstr(json, key);
	if (!p)
		return -ENOENT;
	n = strcspn(p, "\n");
	if (n >= len)
		n = len - 1;
	memcpy(buf, p, n);
	buf[n] = '\0';
	return 0;
}

/* How many times @needle occurs in @hay. */
static unsigned int count_of(const char *hay, const char *needle)
{
	unsigned int n = 0;

	while ((hay = strstr(hay, needle))) {
		n++;
		hay += strlen(needle);
	}
	return n;
}

/* The "value"s of the points on @line (a curve's), in order: how many. */
static unsigned int point_values(const char *line, unsigned long *v,
				 unsigned int max)
{
	const char *p = line;
	unsigned int n = 0;

	while (n < max && (p = strstr(p, "{ \"value\": "))) {
		p += strlen("{ \"value\": ");
		v[n++] = strtoul(p, NULL, 10);
	}
	return n;
}

/*
 * Run a quick sweep into JSON_PATH; the line of its curve @id into @line.
 * 0, or the step that failed (-1 the run, -2 its status, -3 the curve).
 */
/*
 * The quick sweep is run once per run of this program, by the first test
 * that asks for it, and kept for the others (every test runs in a child of
 * the program's first process, whose pid names the files): each sweep
 * takes seconds, and the tests read different parts of one.
 */
static pid_t main_pid;

__attribute__((constructor)) static void note_main_pid(void)
{
	main_pid = getpid();
}

static void sweep_paths(char *res_path, char *json_path, size_t len)
{
	snprintf(res_path, len, "/tmp/rpcdev-bench-test-sweep-%d.res", (int)main_pid);
	snprintf(json_path, len, "/tmp/rpcdev-bench-test-sweep-%d.json", (int)main_pid);
}

/* The kept sweep's files go with the program's first process. */
__attribute__((destructor)) static void drop_sweep(void)
{
	char res_path[64], json_path[64];

	if (getpid() != main_pid)
		return;
	sweep_paths(res_path, json_path, sizeof(res_path));
	unlink(res_path);
	unlink(json_path);
}

/*
 * "rpcdev bench --sweep --quick --json" into @res, its JSON's path into
 * @json_path: run the first time, then the kept result. 0, or -1 when the
 * tool could not be run.
 */
static int quick_sweep(struct run_result *res, char *json_path, size_t len)
{
	char res_path[64];
	FILE *f;
	int ret;

	sweep_paths(res_path, json_path, len);
	f = fopen(res_path, "r");
	if (f) {
		ret = fread(res, sizeof(*res), 1, f) == 1 ? 0 : -1;
		fclose(f);
		if (!ret)
			return 0;
	}
	unlink(json_path);
	if (run_bench(res, "--sweep", "--quick", "--json", json_path))
		return -1;
	f = fopen(res_path, "w");
	if (f) {
		if (fwrite(res, sizeof(*res), 1, f) != 1) {
			fclose(f);
			unlink(res_path);
			return 0;
		}
		fclose(f);
	}
	return 0;
}

static int sweep_curve_line(struct run_result *res, const char *id,
			    char *line, size_t len)
{
	char json_path[64];
	const char *json;

	if (quick_sweep(res, json_path, sizeof(json_path)))
		return -1;
	if (res->status)
		return -2;
	json = read_file(json_path);
	if (!json || json_line(json, id, line, len))
		return -3;
	return 0;
}

/* The fixtures' setup: rpcdev and its backend, one device of four queues. */
static void load_bench_stack(struct __test_metadata *_metadata)
{
	int ret;

	if (geteuid() != 0)
		SKIP(return, "loading modules needs root (run it in the test VM)");

	kmod_mark_test_process();
	ret = kmod_load_stack("", "devices=1 queues=4");
	ASSERT_EQ(0, ret)
		TH_LOG("loading rpcdev and its backend (%s=%s) from %s: %s",
		       KMOD_BACKEND_ENV, kmod_backend_env(), kmod_dir(),
		       strerror(-ret));
	ret = kmod_wait_path(DEV_PATH, true, KMOD_NODE_TIMEOUT_MS);
	if (ret)
		kmod_unload_stack();
	ASSERT_EQ(0, ret);
}

static void unload_bench_stack(struct __test_metadata *_metadata)
{
	unlink(JSON_PATH);
	if (kmod_in_test_process())
		return;
	EXPECT_EQ(0, kmod_unload_stack())
		TH_LOG("a module stayed loaded: a reference was leaked");
}

/* A fixture with that setup. */
#define BENCH_FIXTURE(name)						\
	FIXTURE(name) {							\
		int unused;						\
	};								\
	FIXTURE_SETUP(name)						\
	{								\
		load_bench_stack(_metadata);				\
	}								\
	FIXTURE_TEARDOWN_PARENT(name)					\
	{								\
		unload_bench_stack(_metadata);				\
	}

BENCH_FIXTURE(bench);

TEST_F_TIMEOUT(bench, quick_run_measures_everything_and_exits_0, 300)
{
	struct run_result *res = &(struct run_result){ 0 };

	SKIP_WITHOUT_TOOL();
	ASSERT_EQ(0, run_bench(res, QUICK));
	ASSERT_EQ(0, res->status) TH_LOG("stdout: %s\nstderr: %s", res->out, res->err);
	EXPECT_EQ(NULL, strstr(res->out, "FAILED")) TH_LOG("%s", res->out);
	EXPECT_NE(NULL, strstr(res->out, "\nupcall BLOCK, 64 B "));
	EXPECT_NE(NULL, strstr(res->out, "\neventfd ping-pong "));
	EXPECT_NE(NULL, strstr(res->out, "\ndevice mailbox check "));
	EXPECT_NE(NULL, strstr(res->out, "\ntargets:\n"));
	EXPECT_NE(NULL, strstr(res->out, "upcall BLOCK p50 / eventfd ping-pong p50"));
	EXPECT_NE(NULL, strstr(res->out, "all measurements ran"));
	EXPECT_NE(NULL, strstr(res->out, "\n--quick: a short run, the figures and ratios are indicative\n"));
}

TEST_F_TIMEOUT(bench, json_file_has_every_row_and_target, 120)
{
	struct run_result *res = &(struct run_result){ 0 };
	static const char *const ids[] = {
		"\"id\": \"eventfd\", ", "\"id\": \"upcall_block\", ",
		"\"id\": \"upcall_poll\", ", "\"id\": \"mbox_check\", ",
		"\"id\": \"queue_two\", ", "\"id\": \"syscall_one\", ",
		"\"id\": \"upcall_block_vs_eventfd\", ",
		"\"id\": \"two_queues_vs_one\", ",
	};
	const char *json;
	char line[1024];
	unsigned int i;

	SKIP_WITHOUT_TOOL();
	unlink(JSON_PATH);
	ASSERT_EQ(0, run_bench(res, QUICK, "--only", "eventfd,upcall_block,mbox_check",
			       "--json", JSON_PATH));
	ASSERT_EQ(0, res->status) TH_LOG("stderr: %s", res->err);
	json = read_file(JSON_PATH);
	ASSERT_NE(NULL, json);
	EXPECT_EQ('{', json[0]);
	EXPECT_EQ(0, strcmp(json + strlen(json) - 2, "}\n"));
	for (i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		EXPECT_NE(NULL, strstr(json, ids[i])) TH_LOG("no %s", ids[i]);
	}
	ASSERT_EQ(0, json_line(json, "upcall_block", line, sizeof(line)));
	EXPECT_NE(NULL, strstr(line, "\"status\": \"ok\"")) TH_LOG("%s", line);
	EXPECT_NE(NULL, strstr(line, "\"clock\": \"device\""));
	EXPECT_NE(NULL, strstr(line, "\"p50_ns\": "));
	/* Not asked for: skipped, not failed. */
	ASSERT_EQ(0, json_line(json, "tcp", line, sizeof(line)));
	EXPECT_NE(NULL, strstr(line, "\"status\": \"skipped\"")) TH_LOG("%s", line);
	ASSERT_EQ(0, json_line(json, "upcall_poll", line, sizeof(line)));
	EXPECT_NE(NULL, strstr(line, "\"status\": \"skipped\"")) TH_LOG("%s", line);
	EXPECT_NE(NULL, strstr(json, "\"exit_status\": 0,"));
	EXPECT_NE(NULL, strstr(json, "\"indicative\": true"));
}

/*
 * The device-memory ping-pong answers every round through the queue's
 * memory (the host checks each answer's value) and is the POLL upcall's
 * baseline.
 */
TEST_F_TIMEOUT(bench, device_pingpong_answers_every_round, 120)
{
	struct run_result *res = &(struct run_result){ 0 };
	char line[1024];
	const char *json;

	SKIP_WITHOUT_TOOL();
	unlink(JSON_PATH);
	ASSERT_EQ(0, run_bench(res, QUICK, "--only", "dev_pingpong,upcall_poll",
			       "--json", JSON_PATH));
	ASSERT_EQ(0, res->status) TH_LOG("%s%s", res->out, res->err);
	json = read_file(JSON_PATH);
	ASSERT_NE(NULL, json);
	ASSERT_EQ(0, json_line(json, "dev_pingpong", line, sizeof(line)));
	EXPECT_NE(NULL, strstr(line, "\"status\": \"ok\", \"clock\": \"host\", \"samples\": 1000,"))
		TH_LOG("%s", line);
	ASSERT_EQ(0, json_line(json, "upcall_poll_vs_dev_pingpong", line,
			       sizeof(line)));
	EXPECT_NE(NULL, strstr(line, "\"ratio\": ")) TH_LOG("%s", line);
}

/*
 * The 1 MiB call through registered buffers runs (the device echoes in
 * place) and its target is a ratio against memcpy_1mib of the same run.
 */
TEST_F_TIMEOUT(bench, registered_buffer_row_runs_against_memcpy, 120)
{
	struct run_result *res = &(struct run_result){ 0 };
	char line[1024];
	const char *json;

	SKIP_WITHOUT_TOOL();
	if (!kmod_backend() || !kmod_backend()->sim)
		SKIP(return, "registered buffers are rpcdev_sim's ("
		     KMOD_BACKEND_ENV "=%s)", kmod_backend_env());
	unlink(JSON_PATH);
	ASSERT_EQ(0, run_bench(res, QUICK, "--only", "memcpy_1mib,regbuf_1mib",
			       "--json", JSON_PATH));
	ASSERT_EQ(0, res->status) TH_LOG("%s%s", res->out, res->err);
	EXPECT_NE(NULL, strstr(res->out, "\ndowncall 1 MiB, registered buffers "))
		TH_LOG("%s", res->out);
	EXPECT_EQ(NULL, strstr(res->out, "FAILED")) TH_LOG("%s", res->out);
	json = read_file(JSON_PATH);
	ASSERT_NE(NULL, json);
	ASSERT_EQ(0, json_line(json, "regbuf_1mib_vs_memcpy", line,
			       sizeof(line)));
	EXPECT_NE(NULL, strstr(line, "\"ratio\": ")) TH_LOG("%s", line);
}

/*
 * The two-queue target is also met within 5 % of the system call loop's
 * own scaling on the same CPUs: the JSON says by which.
 */
TEST_F_TIMEOUT(bench, two_queue_target_counts_the_machines_ceiling, 120)
{
	struct run_result *res = &(struct run_result){ 0 };
	char line[1024];
	const char *json;

	SKIP_WITHOUT_TOOL();
	unlink(JSON_PATH);
	ASSERT_EQ(0, run_bench(res, QUICK, "--only",
			       "queue_one,queue_two,syscall_one,syscall_two",
			       "--json", JSON_PATH));
	ASSERT_EQ(0, res->status) TH_LOG("stderr: %s", res->err);
	EXPECT_NE(NULL, strstr(res->out, "(target >= 1.80x, or within 5 % of the ceiling): "));
	json = read_file(JSON_PATH);
	ASSERT_NE(NULL, json);
	ASSERT_EQ(0, json_line(json, "two_queues_vs_one", line, sizeof(line)));
	EXPECT_NE(NULL, strstr(line, "\"within_ceiling\": 0.05")) TH_LOG("%s", line);
	EXPECT_NE(NULL, strstr(line, "\"met_by_ceiling\": ")) TH_LOG("%s", line);
	EXPECT_NE(NULL, strstr(line, "\"context_ratio\": ")) TH_LOG("%s", line);
}

TEST_F_TIMEOUT(bench, poll_and_adaptive_rows_run, 120)
{
	struct run_result *res = &(struct run_result){ 0 };

	SKIP_WITHOUT_TOOL();
	ASSERT_EQ(0, run_bench(res, QUICK, "--only",
			       "upcall_poll,upcall_adaptive,adaptive_idle"));
	ASSERT_EQ(0, res->status) TH_LOG("%s%s", res->out, res->err);
	EXPECT_NE(NULL, strstr(res->out, "\nupcall POLL, 64 B "));
	EXPECT_NE(NULL, strstr(res->out, "\nADAPTIVE server, idle "));
	EXPECT_EQ(NULL, strstr(res->out, "FAILED"));
	EXPECT_EQ(NULL, strstr(res->out, " n/a ")) TH_LOG("%s", res->out);
	/* Polling rows read no clock, so they have no parts to show. */
	EXPECT_EQ(NULL, strstr(res->out, "where an upcall's time goes"));
}

TEST_F_TIMEOUT(bench, stamped_poll_row_shows_where_the_time_goes, 120)
{
	struct run_result *res = &(struct run_result){ 0 };

	SKIP_WITHOUT_TOOL();
	SKIP_UNLESS_SIM("a device that stamps with this kernel's clock");
	ASSERT_EQ(0, run_bench(res, QUICK, "--only", "upcall_poll_stamped"));
	ASSERT_EQ(0, res->status) TH_LOG("%s%s", res->out, res->err);
	EXPECT_NE(NULL, strstr(res->out, "where an upcall's time goes"));
	EXPECT_NE(NULL, strstr(res->out, "\n  upcall POLL, 64 B, stamped "))
		TH_LOG("%s", res->out);
}

/* The ivshmem firmware's clock is the build host's, not the guest's. */
TEST_F_TIMEOUT(bench, stamped_row_on_another_clock_says_why, 120)
{
	struct run_result *res = &(struct run_result){ 0 };

	SKIP_WITHOUT_TOOL();
	if (kmod_backend() && kmod_backend()->sim)
		SKIP(return, "rpcdev_sim stamps with this kernel's clock");
	ASSERT_EQ(0, run_bench(res, QUICK, "--only", "upcall_poll_stamped"));
	ASSERT_EQ(0, res->status) TH_LOG("%s%s", res->out, res->err);
	ASSERT_NE(NULL, strstr(res->out, "no round trip split: the device's clock is not this kernel's"))
		TH_LOG("%s", res->out);
}

TEST_F_TIMEOUT(bench, sim_parameters_are_given_back, 120)
{
	struct run_result *res = &(struct run_result){ 0 };
	char *cpu, *spin, *after;

	SKIP_WITHOUT_TOOL();
	SKIP_UNLESS_SIM("rpcdev_sim's parameters");
	cpu = read_file(FW_CPU_PARAM);
	ASSERT_NE(NULL, cpu);
	cpu = strdup(cpu);
	spin = read_file(FW_SPIN_PARAM);
	ASSERT_NE(NULL, spin);
	spin = strdup(spin);
	/* This one sets fw_spin_us to 0 for its queue. */
	ASSERT_EQ(0, run_bench(res, QUICK, "--only", "downcall,upcall_block_devsleep"));
	EXPECT_EQ(0, res->status) TH_LOG("stderr: %s", res->err);
	after = read_file(FW_CPU_PARAM);
	ASSERT_NE(NULL, after);
	EXPECT_STREQ(cpu, after);
	after = read_file(FW_SPIN_PARAM);
	ASSERT_NE(NULL, after);
	EXPECT_STREQ(spin, after);
	free(cpu);
	free(spin);
}

TEST_F(bench, missing_device_fails_with_status_1)
{
	struct run_result *res = &(struct run_result){ 0 };

	SKIP_WITHOUT_TOOL();
	ASSERT_EQ(0, run_bench(res, QUICK, "-d", "/dev/rpcdev-none",
			       "--only", "upcall_block"));
	EXPECT_EQ(1, res->status);
	EXPECT_NE(NULL, strstr(res->out, "FAILED"));
	EXPECT_NE(NULL, strstr(res->out, "/dev/rpcdev-none"));
}

TEST_F(bench, baselines_run_without_the_device)
{
	struct run_result *res = &(struct run_result){ 0 };

	SKIP_WITHOUT_TOOL();
	ASSERT_EQ(0, run_bench(res, QUICK, "-d", "/dev/rpcdev-none",
			       "--only", "eventfd,pipe"));
	EXPECT_EQ(0, res->status) TH_LOG("%s%s", res->out, res->err);
	EXPECT_NE(NULL, strstr(res->out, "\npipe ping-pong "));
}

TEST_F(bench, list_names_every_row_and_its_targets)
{
	struct run_result *res = &(struct run_result){ 0 };
	static const char *const lines[] = {
		"\neventfd: eventfd ping-pong (latency, a baseline)\n",
		"\nupcall_poll: upcall POLL, 64 B (latency)\n",
		"\n    target upcall_poll_vs_shm: upcall POLL p50 / shared-memory ping-pong p50 <= 1.50x\n",
		"\n    target upcall_poll_vs_dev_pingpong: upcall POLL p50 / device-memory ping-pong p50 <= 1.50x\n",
		"\n    target upcall_block_vs_eventfd: upcall BLOCK p50 / eventfd ping-pong p50 <= 1.00x, stretch <= 0.70x\n",
		"\nqueue_two: echo downcalls, two queues, two CPUs (rate)\n",
		"\n    target two_queues_vs_one: two queues' call rate / one queue's >= 1.80x, or within 5 % of the ceiling\n",
		"\nupcall_2q_uring: upcalls, two queues, one uring thread (rate)\n",
		"\n    target uring_2q_vs_block_2q: call rate of two queues, one io_uring thread / two BLOCK threads (informative) >= 1.00x\n",
		"\n    target mbox_vs_upcall_poll: mailbox check / upcall POLL p50 <= 1 %\n",
	};
	unsigned int i;

	SKIP_WITHOUT_TOOL();
	ASSERT_EQ(0, run_bench(res, "--list"));
	ASSERT_EQ(0, res->status) TH_LOG("%s", res->err);
	/* The table's order: the first row first. */
	EXPECT_EQ(0, strncmp(res->out, "shm: shared-memory ping-pong (floor) (latency, a baseline)\n", 59))
		TH_LOG("%s", res->out);
	/* Braces: an EXPECT's TH_LOG runs after the statement it ends. */
	for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		EXPECT_NE(NULL, strstr(res->out, lines[i]))
			TH_LOG("no '%s' in:\n%s", lines[i], res->out);
	}
	/* It lists; it measures nothing. */
	EXPECT_EQ(NULL, strstr(res->out, "measurement"));
}

TEST_F_TIMEOUT(bench, repeated_rows_give_medians_and_spread, 120)
{
	struct run_result *res = &(struct run_result){ 0 };
	const char *json;
	char line[1024];

	SKIP_WITHOUT_TOOL();
	unlink(JSON_PATH);
	ASSERT_EQ(0, run_bench(res, QUICK, "--repeat", "3", "--only",
			       "shm,upcall_poll", "--json", JSON_PATH));
	ASSERT_EQ(0, res->status) TH_LOG("%s%s", res->out, res->err);
	EXPECT_NE(NULL, strstr(res->out, "\nmedians of 3 repetitions"))
		TH_LOG("%s", res->out);
	EXPECT_NE(NULL, strstr(res->out, "\n    median of 3 rounds, from "))
		TH_LOG("%s", res->out);
	json = read_file(JSON_PATH);
	ASSERT_NE(NULL, json);
	EXPECT_NE(NULL, strstr(json, "\"repetitions\": 3,"));
	ASSERT_EQ(0, json_line(json, "upcall_poll_vs_shm", line, sizeof(line)));
	EXPECT_NE(NULL, strstr(line, "\"rounds\": 3, \"ratio_min\": "))
		TH_LOG("%s", line);
	EXPECT_NE(NULL, strstr(line, "\"ratio_max\": ")) TH_LOG("%s", line);
	/* Three rounds of 100 measured round trips each. */
	ASSERT_EQ(0, json_line(json, "upcall_poll", line, sizeof(line)));
	EXPECT_NE(NULL, strstr(line, "\"samples\": 300,")) TH_LOG("%s", line);
}

TEST_F(bench, bad_repeat_count_exits_2)
{
	struct run_result *res = &(struct run_result){ 0 };

	SKIP_WITHOUT_TOOL();
	ASSERT_EQ(0, run_bench(res, "--repeat", "0"));
	EXPECT_EQ(2, res->status);
	EXPECT_NE(NULL, strstr(res->err, "bad repetition count")) TH_LOG("%s", res->err);
	ASSERT_EQ(0, run_bench(res, "--repeat", "100"));
	EXPECT_EQ(2, res->status);
}

TEST_F(bench, unknown_row_exits_2)
{
	struct run_result *res = &(struct run_result){ 0 };

	SKIP_WITHOUT_TOOL();
	ASSERT_EQ(0, run_bench(res, "--only", "nosuchrow"));
	EXPECT_EQ(2, res->status);
	EXPECT_NE(NULL, strstr(res->err, "unknown row"));
}

TEST_F(bench, bad_cpus_exit_2)
{
	struct run_result *res = &(struct run_result){ 0 };

	SKIP_WITHOUT_TOOL();
	ASSERT_EQ(0, run_bench(res, "--cpus", "0"));
	EXPECT_EQ(2, res->status);
	ASSERT_EQ(0, run_bench(res, "--cpus", "0,4096"));
	EXPECT_EQ(2, res->status);
}

TEST_F_TIMEOUT(bench, quick_sweep_exits_0_and_says_it_is_indicative, 300)
{
	struct run_result *res = &(struct run_result){ 0 };
	char json_path[64];
	const char *json;

	SKIP_WITHOUT_TOOL();
	ASSERT_EQ(0, quick_sweep(res, json_path, sizeof(json_path)));
	ASSERT_EQ(0, res->status) TH_LOG("stdout: %s\nstderr: %s", res->out, res->err);
	EXPECT_NE(NULL, strstr(res->out, "\nsweep with --quick: few iterations per point, the figures are indicative\n"))
		TH_LOG("%s", res->out);
	EXPECT_EQ(NULL, strstr(res->out, "FAILED")) TH_LOG("%s", res->out);
	EXPECT_NE(NULL, strstr(res->out, "sweep: all points ran in "));
	/* The sweep, not the rows. */
	EXPECT_EQ(NULL, strstr(res->out, "\ntargets:\n"));
	json = read_file(json_path);
	ASSERT_NE(NULL, json);
	EXPECT_NE(NULL, strstr(json, "\n  \"indicative\": true,\n"));
	EXPECT_NE(NULL, strstr(json, "\n  \"sweep\": [\n"));
	EXPECT_EQ(NULL, strstr(json, "\"results\""));
	EXPECT_NE(NULL, strstr(json, "\"exit_status\": 0,"));
}

TEST_F_TIMEOUT(bench, sweep_prints_one_table_per_curve, 300)
{
	struct run_result *res = &(struct run_result){ 0 };
	static const char *const heads[] = {
		"\nsweep: payload size: sync upcalls, POLL server, echoed\n     payload     p50 us     p99 us  rate ",
		"\nsweep: payload size: sync upcalls, BLOCK server, echoed\n     payload ",
		"\nsweep: in flight: async upcalls, 64 B, POLL server\n   in flight ",
		"\nsweep: in flight: echo downcalls per io_uring_enter, 64 B (latency: of a batch)\n   in flight ",
		"\nsweep: queues: echo downcalls, one caller per queue\n      queues ",
	};
	char json_path[64];
	unsigned int i;

	SKIP_WITHOUT_TOOL();
	ASSERT_EQ(0, quick_sweep(res, json_path, sizeof(json_path)));
	ASSERT_EQ(0, res->status) TH_LOG("%s%s", res->out, res->err);
	for (i = 0; i < sizeof(heads) / sizeof(heads[0]); i++) {
		EXPECT_NE(NULL, strstr(res->out, heads[i]))
			TH_LOG("no '%s' in:\n%s", heads[i], res->out);
	}
	EXPECT_NE(NULL, strstr(res->out, "\n       1 MiB "));
	EXPECT_EQ(NULL, strstr(res->out, "\n       4 MiB "));
}

TEST_F_TIMEOUT(bench, sweep_sizes_stop_at_the_largest_payload_and_say_why, 300)
{
	struct run_result *res = &(struct run_result){ 0 };
	char line[8192];

	SKIP_WITHOUT_TOOL();
	ASSERT_EQ(0, sweep_curve_line(res, "size_poll", line, sizeof(line)))
		TH_LOG("%s%s", res->out, res->err);
	EXPECT_NE(NULL, strstr(line, "\"limit\": \"4 MiB is above the largest payload of a call, RPCDEV_MAX_PAYLOAD (1 MiB)\""))
		TH_LOG("%s", line);
	EXPECT_NE(NULL, strstr(res->out, "\n  (stops there: 4 MiB is above the largest payload of a call, RPCDEV_MAX_PAYLOAD (1 MiB))\n"))
		TH_LOG("%s", res->out);
}

/* Each curve of the sweep: its id and its points, in order. */
BENCH_FIXTURE(sweep);

FIXTURE_VARIANT(sweep) {
	const char *id;
	const char *param;	/* its "param" */
	const unsigned long *values;
	unsigned int n;
	bool latency;		/* its points have p50 and p99 */
};

#define SWEEP_POINTS(a)	.values = a, .n = sizeof(a) / sizeof(a[0])

FIXTURE_VARIANT_ADD(sweep, size_poll) {
	.id = "size_poll", .param = "payload_bytes", SWEEP_POINTS(sweep_sizes),
	.latency = true,
};
FIXTURE_VARIANT_ADD(sweep, size_block) {
	.id = "size_block", .param = "payload_bytes", SWEEP_POINTS(sweep_sizes),
	.latency = true,
};
/* Async upcalls have a rate, no round trips. */
FIXTURE_VARIANT_ADD(sweep, depth_async) {
	.id = "depth_async", .param = "in_flight", SWEEP_POINTS(sweep_depths),
};
FIXTURE_VARIANT_ADD(sweep, depth_uring) {
	.id = "depth_uring", .param = "in_flight", SWEEP_POINTS(sweep_depths),
	.latency = true,
};
FIXTURE_VARIANT_ADD(sweep, queues) {
	.id = "queues", .param = "queues", SWEEP_POINTS(sweep_queues),
};

TEST_F_TIMEOUT(sweep, json_has_the_curve_with_its_points_in_order, 300)
{
	struct run_result *res = &(struct run_result){ 0 };
	unsigned long got[16];
	char line[8192], head[128];
	unsigned int i, n;

	SKIP_WITHOUT_TOOL();
	ASSERT_EQ(0, sweep_curve_line(res, variant->id, line, sizeof(line)))
		TH_LOG("%s%s", res->out, res->err);
	snprintf(head, sizeof(head), "\"param\": \"%s\", \"latency\": %s, ",
		 variant->param, variant->latency ? "true" : "false");
	EXPECT_NE(NULL, strstr(line, head)) TH_LOG("no '%s' in %s", head, line);
	n = point_values(line, got, 16);
	ASSERT_EQ(variant->n, n) TH_LOG("%s", line);
	for (i = 0; i < n; i++) {
		EXPECT_EQ(variant->values[i], got[i]) TH_LOG("point %u: %s", i, line);
	}
	EXPECT_EQ(n, count_of(line, "\"status\": \"ok\"")) TH_LOG("%s", line);
	EXPECT_EQ(n, count_of(line, "\"rate\": ")) TH_LOG("%s", line);
	EXPECT_EQ(variant->latency ? n : 0, count_of(line, "\"p50_ns\": "));
	EXPECT_EQ(variant->latency ? n : 0, count_of(line, "\"p99_ns\": "));
}

TEST_HARNESS_MAIN
