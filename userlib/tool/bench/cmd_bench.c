// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * rpcdev bench [-d PATH] [--quick] [-n ITERATIONS] [--repeat N]
 *              [--cpus DEV,HOST] [--only IDS] [--json FILE] [--plot PNG]
 *              [--timeout S] [--list] [-v]: the project's benchmark;
 * rpcdev bench --sweep [...]: how latency and rate grow (sweep.c);
 * rpcdev bench --plot PNG --from JSON: draw an earlier run (plot.c).
 *
 * Measures, in one run, between the same two CPUs, the rows of rows.c:
 * the simulated device's upcalls, downcalls, async upcalls, large payloads,
 * queues and mailbox, beside baselines written here. Prints one table,
 * where an upcall's time goes, then one line per target with the measured
 * ratio and whether it is met; optionally the same as JSON.
 *
 * This file is the command line and the setup around the run: the CPUs,
 * the device check, rpcdev_sim's fw_cpu (set for each queue, given back at
 * the end and on the time limit), the header lines and the output files.
 *
 * Exit status: 0 when every measurement that exists ran (a row the driver
 * cannot do says n/a, and a target not met is only reported); 1 when a
 * measurement failed; 2 for a wrong command line.
 */
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>
#include <json-c/json.h>

#include "bench.h"
#include "../tool.h"

#define BENCH_DEFAULT_ITERS	50000
#define BENCH_QUICK_ITERS	1000
/* --sweep: round trips per point, and each queue count's run, ms. */
#define BENCH_SWEEP_ITERS	20000
#define BENCH_SWEEP_QUICK_ITERS	1000
#define BENCH_SWEEP_MS		1000
#define BENCH_SWEEP_QUICK_MS	200
#define BENCH_DEFAULT_TIMEOUT_S	900

static const char bench_usage[] =
	"Usage: " TOOL_NAME " bench [-d PATH] [--quick] [-n ITERATIONS] [--repeat N]\n"
	"                    [--cpus DEV,HOST] [--only IDS] [--fw-tcp ADDR:PORT]\n"
	"                    [--json FILE] [--plot FILE.png] [--timeout SECONDS]\n"
	"                    [--list] [-v]\n"
	"       " TOOL_NAME " bench --sweep [-d PATH] [--quick] [-n ITERATIONS]\n"
	"                    [--cpus DEV,HOST] [--json FILE] [--plot FILE.png]\n"
	"       " TOOL_NAME " bench --plot FILE.png --from FILE.json\n"
	"Measure rpcdev against baselines written in the same program, all in one\n"
	"run between the same two CPUs, and say which of the project's targets\n"
	"are met.\n"
	"\n"
	"  -d PATH          the simulated device (default " TOOL_DEFAULT_PATH "): an\n"
	"                   rpcdev_sim device with queues 0 and 1 free (--sweep:\n"
	"                   0 to 3)\n"
	"  -n ITERATIONS    measured round trips per latency row (default 50000;\n"
	"                   shared memory: 10 x as many), each row after\n"
	"                   ITERATIONS/10 unmeasured ones (warm-up)\n"
	"  --quick          a short run (1000 iterations, shorter rate runs)\n"
	"  --repeat N       measure every row N times (default 1, at most 99),\n"
	"                   each time as long as a run of one, in rounds of\n"
	"                   alternating order: the table gives each number's\n"
	"                   median, a target the median of its rounds' ratios\n"
	"                   and their spread\n"
	"  --cpus DEV,HOST  the device side (simulated firmware, the baselines'\n"
	"                   initiator) on CPU DEV, the host side (servers,\n"
	"                   callers) on CPU HOST (default: the first two CPUs\n"
	"                   this process may run on; one CPU: both on it)\n"
	"  --only IDS       run only these rows (comma-separated ids, --list)\n"
	"  --fw-tcp ADDR:PORT  the device's firmware echoes TCP there (an IPv4\n"
	"                   address): the fw_tcp row times it, the way a lab\n"
	"                   device reaches its host today (the VM runner's bench\n"
	"                   on ivshmem gives it); without it the row is n/a\n"
	"  --json FILE      also write the results as JSON to FILE; with \"-\"\n"
	"                   the JSON goes to stdout instead of the table (it\n"
	"                   holds each latency row's distribution: \"cdf\")\n"
	"  --plot FILE.png  also draw the latency rows' distributions side by\n"
	"                   side into FILE.png (one CDF each, log-scale time),\n"
	"                   with gnuplot (Debian: gnuplot-nox), run here\n"
	"  --from FILE.json with --plot: measure nothing, draw what an earlier\n"
	"                   --json wrote (a run in a VM, drawn on its host)\n"
	"  --timeout S      give up (exit 1) after S seconds (default 900 per\n"
	"                   repetition; 0: never)\n"
	"  --list           list the rows (ids) and their targets, and exit\n"
	"  --sweep          instead of the rows, measure how latency and rate\n"
	"                   grow: sync upcalls (POLL and BLOCK servers) with\n"
	"                   payloads of 0 B to 1 MiB (RPCDEV_MAX_PAYLOAD: the\n"
	"                   4 MiB point is beyond it), 1 to 256 calls in flight\n"
	"                   (async upcalls, downcalls per io_uring_enter), 1 to\n"
	"                   4 queues; one table per curve (p50, p99, rate), the\n"
	"                   JSON's \"sweep\", one panel per curve with --plot.\n"
	"                   ITERATIONS per point (default 20000; --quick: 1000,\n"
	"                   indicative figures); fewer for payloads above 4 KiB\n"
	"  -v               log each row on stderr (without it, a progress\n"
	"                   line there when it is a terminal)\n"
	"  -h, --help       show this help\n"
	"\n"
	"Rows: ping-pongs of 64 bytes (shm, eventfd, pipe, unix, tcp), one\n"
	"through the device's memory with its firmware (dev_pingpong), upcalls\n"
	"with each wait policy, the ADAPTIVE server's idle CPU, sync downcalls,\n"
	"async upcall rates, 1 MiB upcalls against memcpy, two queues against\n"
	"one beside a system call loop on one and two CPUs, upcalls on two\n"
	"queues served by one io_uring thread against two BLOCK threads, the\n"
	"device's mailbox check; --list says what each one measures and must\n"
	"meet.\n"
	"Upcall rows are timed by the simulated device (its clock is the host's\n"
	"CLOCK_MONOTONIC), the others by the host. \"host CPU\" is the CPU time\n"
	"of the host-side threads over the run's wall time, in percent of one\n"
	"core. The firmware threads are placed with rpcdev_sim's fw_cpu\n"
	"parameter (written, then restored), so the bench must run as root;\n"
	"the TCP baseline brings the loopback interface up if it is down.\n"
	"\n"
	"Exits 0 when every measurement that exists ran (n/a rows and targets\n"
	"not met are reported, not failures), 1 when one failed, 2 for a wrong\n"
	"command line.\n";

/* The command line, beside what goes into struct bench_cfg. */
struct bench_opts {
	const char *cpus, *only, *json, *plot, *from;
	uint64_t iters, reps, timeout_s;
	bool quick, list, sweep;
};

static const char *bench_deadline_msg =
	TOOL_NAME " bench: time limit reached; giving up\n";

/* fw_cpu as it was before the bench, to give back even on a timeout. */
static volatile int bench_old_fw_cpu = -2;

static void bench_on_alarm(int sig)
{
	(void)sig;
	if (write(STDERR_FILENO, bench_deadline_msg, strlen(bench_deadline_msg)) < 0) {
		/* Nothing more to say. */
	}
	if (bench_old_fw_cpu >= -1)
		bench_sim_param_set("fw_cpu", bench_old_fw_cpu);
	_exit(EXIT_FAIL);
}

/* The CPUs: the first two this process may use, or --cpus. */
static int bench_pick_cpus(struct bench_cfg *cfg, const char *arg)
{
	cpu_set_t set;
	int cpu, n = 0, first = -1, second = -1;

	if (sched_getaffinity(0, sizeof(set), &set))
		return -errno;
	for (cpu = 0; cpu < CPU_SETSIZE; cpu++) {
		if (!CPU_ISSET(cpu, &set))
			continue;
		if (first < 0)
			first = cpu;
		else if (second < 0)
			second = cpu;
		n++;
	}
	cfg->ncpus = n;
	if (arg) {
		char *end;
		long d, h;

		errno = 0;
		d = strtol(arg, &end, 10);
		if (end == arg || *end != ',')
			return -EINVAL;
		arg = end + 1;
		h = strtol(arg, &end, 10);
		if (errno || end == arg || *end || d < 0 || h < 0 ||
		    d >= CPU_SETSIZE || h >= CPU_SETSIZE ||
		    !CPU_ISSET(d, &set) || !CPU_ISSET(h, &set))
			return -EINVAL;
		cfg->dev_cpu = (int)d;
		cfg->host_cpu = (int)h;
		return 0;
	}
	cfg->dev_cpu = first;
	cfg->host_cpu = second >= 0 ? second : first;
	return 0;
}

/* --only IDS */
static int bench_opt_only(const struct tool_cmd *cmd, void *dest,
			  const char *value)
{
	if (bench_check_only(value))
		return tool_usage_error(cmd, "unknown row in '%s'", value);
	*(const char **)dest = value;
	return EXIT_OK;
}

static int bench_parse(int argc, char **argv, struct bench_cfg *cfg,
		       struct bench_opts *o)
{
	const struct tool_opt opts[] = {
		TOOL_OPT_DEVICE(&cfg->dev[BENCH_DEV_SIM].path),
		TOOL_OPT_NUM('n', "iterations", &o->iters, "ITERATIONS",
			     "iteration count", 10, 1U << 20, NULL),
		TOOL_OPT_BOOL('v', "verbose", &cfg->verbose),
		TOOL_OPT_BOOL(0, "quick", &o->quick),
		TOOL_OPT_NUM(0, "repeat", &o->reps, "a count N",
			     "repetition count", 1, BENCH_MAX_REPS, NULL),
		TOOL_OPT_STRING(0, "cpus", &o->cpus, "DEV,HOST"),
		TOOL_OPT_CALL(0, "only", &o->only, "row IDS", bench_opt_only),
		TOOL_OPT_STRING(0, "fw-tcp", &cfg->fw_tcp, "ADDR:PORT"),
		TOOL_OPT_STRING(0, "json", &o->json, "a FILE"),
		TOOL_OPT_STRING(0, "plot", &o->plot, "a FILE"),
		TOOL_OPT_STRING(0, "from", &o->from, "a JSON file"),
		TOOL_OPT_NUM(0, "timeout", &o->timeout_s, "SECONDS", "timeout",
			     0, 86400, "s"),
		TOOL_OPT_BOOL(0, "list", &o->list),
		TOOL_OPT_BOOL(0, "sweep", &o->sweep),
		TOOL_OPT_END,
	};
	int ret;

	ret = tool_parse_opts(&tool_cmd_bench, opts, argc, argv);
	if (ret != TOOL_GO_ON)
		return ret;
	if (optind < argc)
		return tool_usage_error(&tool_cmd_bench,
			"unexpected argument '%s'", argv[optind]);
	if (o->from && !o->plot)
		return tool_usage_error(&tool_cmd_bench,
			"--from JSON is for --plot FILE");
	if (o->sweep && o->only)
		return tool_usage_error(&tool_cmd_bench,
			"--sweep runs no rows: not with --only");
	if (o->sweep && o->reps)
		return tool_usage_error(&tool_cmd_bench,
			"--sweep measures each point once: not with --repeat");
	if (o->sweep && o->from)
		return tool_usage_error(&tool_cmd_bench,
			"--sweep measures: not with --from JSON");
	if (cfg->fw_tcp && bench_fw_tcp_check(cfg->fw_tcp))
		return tool_usage_error(&tool_cmd_bench,
			"bad --fw-tcp '%s': an IPv4 address and a port, as ADDR:PORT",
			cfg->fw_tcp);
	if (bench_pick_cpus(cfg, o->cpus))
		return tool_usage_error(&tool_cmd_bench,
			"bad --cpus '%s': two CPUs this process may use, as DEV,HOST",
			o->cpus ? o->cpus : "");
	return TOOL_GO_ON;
}

/* The run's sizes, from the options. */
static void bench_size(struct bench_cfg *cfg, const struct bench_opts *o)
{
	bool quick = o->quick;

	cfg->quick = quick;
	cfg->sweep = o->sweep;
	cfg->reps = o->reps ? (unsigned int)o->reps : 1;
	cfg->iters = o->iters ? (unsigned int)o->iters :
		     o->sweep ? (quick ? BENCH_SWEEP_QUICK_ITERS : BENCH_SWEEP_ITERS) :
		     quick ? BENCH_QUICK_ITERS : BENCH_DEFAULT_ITERS;
	cfg->warmup = cfg->iters / 10;
	cfg->shm_iters = cfg->iters * 10;
	cfg->big_iters = quick ? 5 : 100;
	cfg->rate_msgs = cfg->iters;
	cfg->rate_ms = quick ? 300 : 3000;
	cfg->mbox_checks = quick ? 100000 : 1000000;
	cfg->async_depth = 64;
	cfg->idle_ms = quick ? 300 : 1000;
	if (o->sweep)
		cfg->rate_ms = quick ? BENCH_SWEEP_QUICK_MS : BENCH_SWEEP_MS;
}

/*
 * Check the device and take rpcdev_sim's parameters as they are: fw_cpu
 * to give back (its old value in *@old_fw_cpu), fw_spin_us to report.
 */
static void bench_setup_device(struct bench_cfg *cfg, int *old_fw_cpu)
{
	/* Another device's firmware is not rpcdev_sim's to place. */
	bool ok = !bench_check_device(cfg, 2) && cfg->dev[BENCH_DEV_SIM].sim;

	if (ok && !bench_sim_param_get("fw_cpu", old_fw_cpu) &&
	    !bench_sim_param_set("fw_cpu", *old_fw_cpu)) {
		cfg->fw_pinned = true;
		bench_old_fw_cpu = *old_fw_cpu;
	}
	if (!ok || bench_sim_param_get("fw_spin_us", &cfg->fw_spin_us))
		cfg->fw_spin_us = -1;
}

static void bench_print_head(FILE *out, const struct bench_cfg *cfg,
			     const char *kernel)
{
	const struct bench_dev *sim = &cfg->dev[BENCH_DEV_SIM];

	fprintf(out, TOOL_NAME " bench: kernel %s, %d CPUs available; device side on CPU %d, host side on CPU %d%s\n",
		kernel, cfg->ncpus, cfg->dev_cpu, cfg->host_cpu,
		cfg->dev_cpu == cfg->host_cpu ? " (one CPU: shared)" : "");
	fprintf(out, TOOL_NAME " bench: %u iterations per %s after %u warm-up",
		cfg->iters, cfg->sweep ? "point of the sweep" : "latency row",
		cfg->warmup);
	if (cfg->reps > 1)
		fprintf(out, ", %u repetitions", cfg->reps);
	fprintf(out, "; firmware threads %s",
		cfg->fw_pinned ? "pinned with rpcdev_sim's fw_cpu" :
		sim->ok && !sim->sim ? "the device's own (outside this kernel)" :
		sim->ok ? "NOT pinned (fw_cpu not writable)" : "unused");
	if (cfg->fw_spin_us >= 0)
		fprintf(out, ", polling %d us before they sleep (fw_spin_us)",
			cfg->fw_spin_us);
	fputc('\n', out);
	if (!sim->ok)
		fprintf(out, TOOL_NAME " bench: no device rows: %s\n", sim->why);
	fflush(out);
}

/* The JSON into @path (stdout when the table is not printed). */
static int bench_write_json(const char *path, bool to_stdout,
			    struct json_object *json, int status)
{
	FILE *f = to_stdout ? stdout : fopen(path, "w");
	int ret;

	if (!f) {
		tool_error(path, errno);
		return EXIT_FAIL;
	}
	ret = tool_json_print(f, json);
	if (f != stdout && fclose(f) && !ret)
		ret = -errno;
	if (ret) {
		tool_error(path, -ret);
		return EXIT_FAIL;
	}
	return status;
}

/* Write the JSON (--json) and draw it (--plot); frees @json. */
static int bench_output(const struct bench_opts *o, bool to_stdout,
			struct json_object *json, int status)
{
	if (o->json)
		status = bench_write_json(o->json, to_stdout, json, status);
	if (o->plot && bench_plot(json, o->plot) != EXIT_OK)
		status = EXIT_FAIL;
	json_object_put(json);
	return status;
}

/*
 * What the figures are worth: a quick run's are indicative, one round's
 * ratios move from run to run (medians need BENCH_MIN_REPS rounds).
 */
static void bench_print_caveat(FILE *out, const struct bench_cfg *cfg)
{
	if (cfg->quick)
		fprintf(out, "\n--quick: a short run, the figures and ratios are indicative\n");
	else if (cfg->reps < BENCH_MIN_REPS)
		fprintf(out, "\n%u round%s per row: ratios of single rounds move by 30 %% and more; --repeat %u gives medians that hold\n",
			cfg->reps, cfg->reps == 1 ? "" : "s", BENCH_MIN_REPS);
}

/* The rows' table, targets and files; frees @run. */
static int bench_report_rows(const struct bench_opts *o, struct bench_run *run,
			     const char *kernel, FILE *out)
{
	int status = run->failed ? EXIT_FAIL : EXIT_OK;
	struct json_object *json;

	if (out) {
		fputc('\n', out);
		bench_print_table(out, run);
		bench_print_targets(out, run);
		bench_print_caveat(out, run->cfg);
		fprintf(out, "\n" TOOL_NAME " bench: %s in %.1f s\n",
			run->failed ? "a measurement FAILED" : "all measurements ran",
			run->elapsed_s);
		fflush(out);
	}
	json = bench_json(run, kernel, status);
	json_object_object_add(json, "indicative",
			       json_object_new_boolean(run->cfg->quick));
	status = bench_output(o, !out, json, status);
	bench_run_free(run);
	return status;
}

/* The sweep's tables and files; frees @sw. */
static int bench_report_sweep(const struct bench_opts *o,
			      struct bench_sweep *sw, const char *kernel,
			      FILE *out)
{
	int status = sw->failed ? EXIT_FAIL : EXIT_OK;
	struct json_object *json;

	if (out) {
		bench_sweep_print(out, sw);
		fprintf(out, "\n" TOOL_NAME " bench: sweep: %s in %.1f s\n",
			sw->failed ? "a measurement FAILED" : "all points ran",
			sw->elapsed_s);
		fflush(out);
	}
	json = bench_json_head(sw->cfg, kernel, sw->elapsed_s, status);
	json_object_object_add(json, "indicative",
			       json_object_new_boolean(sw->cfg->quick));
	json_object_object_add(json, "sweep", bench_sweep_json(sw));
	status = bench_output(o, !out, json, status);
	bench_sweep_free(sw);
	return status;
}

static int cmd_bench(int argc, char **argv)
{
	struct bench_cfg cfg = {
		.dev[BENCH_DEV_SIM].path = TOOL_DEFAULT_PATH,
	};
	struct bench_opts o = { .timeout_s = UINT64_MAX };
	int ret, old_fw_cpu = -1;
	struct tool_progress progress;
	struct bench_sweep sw;
	struct bench_run run;
	char kernel[300];
	struct utsname uts;
	FILE *out = stdout;

	ret = bench_parse(argc, argv, &cfg, &o);
	if (ret != TOOL_GO_ON)
		return ret;
	if (o.list) {
		bench_print_list(stdout);
		return EXIT_OK;
	}
	if (o.from)
		return bench_plot_file(o.from, o.plot);
	if (bench_defs_check(kernel, sizeof(kernel))) {
		fprintf(stderr, TOOL_NAME " bench: the table of rows is wrong: %s\n",
			kernel);
		return EXIT_FAIL;
	}
	bench_size(&cfg, &o);
	if (o.json && !strcmp(o.json, "-"))
		out = NULL;

	/* A broken pipe is an error to report, not a reason to die. */
	signal(SIGPIPE, SIG_IGN);
	if (o.timeout_s == UINT64_MAX)
		o.timeout_s = (uint64_t)BENCH_DEFAULT_TIMEOUT_S * cfg.reps;
	if (o.timeout_s) {
		signal(SIGALRM, bench_on_alarm);
		alarm((unsigned int)o.timeout_s);
	}
	/* The thread that asks for upcall runs sleeps on the device CPU. */
	bench_pin(cfg.dev_cpu);

	uname(&uts);
	snprintf(kernel, sizeof(kernel), "%s", uts.release);
	bench_setup_device(&cfg, &old_fw_cpu);
	if (out)
		bench_print_head(out, &cfg, kernel);

	/* -v logs lines of its own. */
	if (!cfg.verbose) {
		tool_progress_start(&progress, TOOL_NAME " bench", 0, NULL);
		cfg.progress = &progress;
	}
	if (cfg.sweep)
		ret = bench_sweep_run(&cfg, &sw);
	else
		ret = bench_run_rows(&cfg, o.only, &run);
	if (cfg.progress)
		tool_progress_stop(cfg.progress);
	if (cfg.fw_pinned)
		bench_sim_param_set("fw_cpu", old_fw_cpu);
	alarm(0);
	if (ret) {
		tool_error("bench", -ret);
		return EXIT_FAIL;
	}
	if (cfg.sweep)
		return bench_report_sweep(&o, &sw, kernel, out);
	return bench_report_rows(&o, &run, kernel, out);
}

const struct tool_cmd tool_cmd_bench = {
	.name		= "bench",
	.summary	= "measure rpcdev against the baselines and the targets",
	.usage		= bench_usage,
	.run		= cmd_bench,
};
