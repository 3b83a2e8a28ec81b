// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * rpcdev bench --plot: the latency rows' distributions side by side, one
 * CDF each on a log-scale time axis, drawn by gnuplot into a PNG. The
 * data are the bench's JSON (bench_json(), or a file an earlier --json
 * wrote, so that a run in a VM without gnuplot is drawn on its host):
 * each latency row's "cdf", quantiles and their round trips. gnuplot
 * runs as a child process reading its script and the data on stdin. A
 * --sweep's JSON has no rows but curves ("sweep"): those are drawn one
 * panel each, latency and rate against the swept value.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <json-c/json.h>

#include "bench.h"
#include "../tool.h"

#define PLOT_PROG	"gnuplot"
#define PLOT_PACKAGE	"gnuplot-nox"

extern char **environ;

/* @s in gnuplot's single quotes (a quote in it doubled). */
static void plot_quoted(FILE *f, const char *s)
{
	fputc('\'', f);
	for (; *s; s++) {
		if (*s == '\'')
			fputc('\'', f);
		fputc(*s, f);
	}
	fputc('\'', f);
}

static const char *plot_str(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v))
		return NULL;
	return json_object_get_string(v);
}

/* The cdf's arrays of row @r, or false when it has none. */
static bool plot_cdf(struct json_object *r, struct json_object **q,
		     struct json_object **ns)
{
	struct json_object *cdf;
	const char *kind = plot_str(r, "kind"), *status = plot_str(r, "status");

	if (!kind || strcmp(kind, "latency") || !status || strcmp(status, "ok") ||
	    !json_object_object_get_ex(r, "cdf", &cdf) ||
	    !json_object_object_get_ex(cdf, "q", q) ||
	    !json_object_object_get_ex(cdf, "ns", ns) ||
	    !json_object_is_type(*q, json_type_array) ||
	    !json_object_is_type(*ns, json_type_array))
		return false;
	return json_object_array_length(*q) == json_object_array_length(*ns) &&
	       json_object_array_length(*q) > 0;
}

/* The rows that can be drawn: their data blocks; how many. */
static unsigned int plot_data(FILE *f, struct json_object *rows)
{
	struct json_object *q, *ns;
	unsigned int n = 0;
	size_t i, j, len = json_object_array_length(rows);

	for (i = 0; i < len; i++) {
		struct json_object *r = json_object_array_get_idx(rows, i);

		if (!plot_cdf(r, &q, &ns))
			continue;
		fprintf(f, "$row%u << EOD\n", n++);
		for (j = 0; j < json_object_array_length(q); j++) {
			double us = json_object_get_double(
				json_object_array_get_idx(ns, j)) / 1e3;

			/* A log scale has no 0. */
			if (us > 0)
				fprintf(f, "%.6g %.6g\n", us, json_object_get_double(
					json_object_array_get_idx(q, j)));
		}
		fprintf(f, "EOD\n");
	}
	return n;
}

/* The plot command: a line per row; a device-timed row's few points shown. */
static void plot_lines(FILE *f, struct json_object *rows)
{
	struct json_object *q, *ns;
	const char *sep = "plot ";
	unsigned int n = 0;
	size_t i, len = json_object_array_length(rows);
	char title[200];

	for (i = 0; i < len; i++) {
		struct json_object *r = json_object_array_get_idx(rows, i);
		const char *clock = plot_str(r, "clock");
		bool device = clock && !strcmp(clock, "device");

		if (!plot_cdf(r, &q, &ns))
			continue;
		snprintf(title, sizeof(title), "%s%s", plot_str(r, "name") ?: "?",
			 device ? " (device clock: 5 quantiles)" : "");
		fprintf(f, "%s$row%u using 1:2 with %s lw 2 title ", sep, n++,
			device ? "linespoints pt 7 ps 0.8" : "lines");
		plot_quoted(f, title);
		sep = ", \\\n     ";
	}
	fputc('\n', f);
}

/* Colours a dozen rows can be told apart by (gnuplot's own are eight). */
static const char *const plot_colours[] = {
	"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf",
	"#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#000000", "#aec7e8",
	"#98df8a", "#ff9896", "#c5b0d5", "#f7b6d2",
};

#define PLOT_NR_COLOURS	(sizeof(plot_colours) / sizeof(plot_colours[0]))

/*
 * The script's start: the terminal (@height pixels high), the output and
 * the title "rpcdev bench: @what, kernel K" as gnuplot's @title_cmd
 * ("set title", "set multiplot ... title").
 */
static void plot_head(FILE *f, struct json_object *json, const char *png,
		      unsigned int height, const char *title_cmd,
		      const char *what)
{
	const char *kernel = plot_str(json, "kernel");
	char title[256];

	fprintf(f, "set terminal pngcairo size 1600,%u noenhanced font ',10'\n",
		height);
	fprintf(f, "set output ");
	plot_quoted(f, png);
	snprintf(title, sizeof(title), "rpcdev bench: %s%s%s", what,
		 kernel ? ", kernel " : "", kernel ? kernel : "");
	fprintf(f, "\n%s ", title_cmd);
	plot_quoted(f, title);
	fprintf(f, "\n");
}

/* The whole gnuplot script, data included. */
static void plot_script(FILE *f, struct json_object *json,
			struct json_object *rows, const char *png)
{
	size_t i;

	plot_head(f, json, png, 900, "set title", "latency distributions");
	for (i = 0; i < PLOT_NR_COLOURS; i++)
		fprintf(f, "set linetype %zu lc rgb '%s'\n", i + 1, plot_colours[i]);
	fprintf(f, "set linetype cycle %zu\n", PLOT_NR_COLOURS);
	fprintf(f, "set logscale x\nset grid xtics mxtics ytics\n"
		"set xlabel 'round trip, us (log scale)'\n"
		"set ylabel 'fraction of round trips that took at most that'\n"
		"set yrange [0:1]\nset key outside right top\n");
	plot_data(f, rows);
	plot_lines(f, rows);
}

/* A writer of a whole gnuplot script from @json's part @data. */
typedef void plot_script_fn(FILE *f, struct json_object *json,
			    struct json_object *data, const char *png);

/*
 * Run gnuplot with @script's script on its stdin; EXIT_OK or EXIT_FAIL.
 */
static int plot_run(plot_script_fn *script, struct json_object *json,
		    struct json_object *rows, const char *png)
{
	char *argv[] = { PLOT_PROG, NULL };
	posix_spawn_file_actions_t fa;
	int fds[2], ret, status;
	pid_t pid;
	FILE *f;

	if (pipe2(fds, O_CLOEXEC)) {
		tool_error("pipe", errno);
		return EXIT_FAIL;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, fds[0], STDIN_FILENO);
	ret = posix_spawnp(&pid, PLOT_PROG, &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(fds[0]);
	if (ret) {
		close(fds[1]);
		if (ret == ENOENT)
			fprintf(stderr, TOOL_NAME " bench: --plot needs " PLOT_PROG
				", which is not installed (Debian: apt-get "
				"install " PLOT_PACKAGE ")\n");
		else
			tool_error(PLOT_PROG, ret);
		return EXIT_FAIL;
	}
	/* If gnuplot dies early, writing to it is an error, not a signal. */
	signal(SIGPIPE, SIG_IGN);
	f = fdopen(fds[1], "w");
	if (f) {
		script(f, json, rows, png);
		fclose(f);
	} else {
		close(fds[1]);
	}
	if (waitpid(pid, &status, 0) != pid) {
		tool_error("waitpid", errno);
		return EXIT_FAIL;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		fprintf(stderr, TOOL_NAME " bench: " PLOT_PROG " failed to draw "
			"%s (%s %d)\n", png, WIFEXITED(status) ? "exit status" :
			"signal", WIFEXITED(status) ? WEXITSTATUS(status) :
			WTERMSIG(status));
		return EXIT_FAIL;
	}
	return EXIT_OK;
}

int bench_plot(struct json_object *json, const char *png)
{
	struct json_object *rows = NULL, *q, *ns;
	size_t i, n = 0;

	if (!json_object_object_get_ex(json, "results", &rows) &&
	    json_object_object_get_ex(json, "sweep", &rows))
		return bench_plot_sweep(json, png);
	if (!rows || !json_object_is_type(rows, json_type_array)) {
		fprintf(stderr, TOOL_NAME " bench: --plot: no \"results\" in the "
			"JSON: not the bench's\n");
		return EXIT_FAIL;
	}
	for (i = 0; i < json_object_array_length(rows); i++)
		n += plot_cdf(json_object_array_get_idx(rows, i), &q, &ns);
	if (!n) {
		fprintf(stderr, TOOL_NAME " bench: --plot: no latency row with "
			"a distribution to draw\n");
		return EXIT_FAIL;
	}
	return plot_run(plot_script, json, rows, png);
}

/* The points of curve @c: an array, or NULL. */
static struct json_object *plot_points(struct json_object *c)
{
	struct json_object *pts;

	if (!json_object_object_get_ex(c, "points", &pts) ||
	    !json_object_is_type(pts, json_type_array) ||
	    !json_object_array_length(pts))
		return NULL;
	return pts;
}

/* The number @key of @o, or -1. */
static double plot_num(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || !v)
		return -1;
	return json_object_get_double(v);
}

/*
 * Curve @c's points that ran, with a value a log axis has (not 0), into
 * block $curve@n: value, p50 and p99 in us (or -), rate.
 */
static void plot_sweep_data(FILE *f, struct json_object *c, unsigned int n)
{
	struct json_object *pts = plot_points(c);
	size_t i;

	fprintf(f, "$curve%u << EOD\n", n);
	for (i = 0; pts && i < json_object_array_length(pts); i++) {
		struct json_object *p = json_object_array_get_idx(pts, i);
		const char *status = plot_str(p, "status");
		double v = plot_num(p, "value"), p50 = plot_num(p, "p50_ns");

		if (!status || strcmp(status, "ok") || v <= 0)
			continue;
		if (p50 > 0)
			fprintf(f, "%.6g %.6g %.6g %.6g\n", v, p50 / 1e3,
				plot_num(p, "p99_ns") / 1e3, plot_num(p, "rate"));
		else
			fprintf(f, "%.6g - - %.6g\n", v, plot_num(p, "rate"));
	}
	fprintf(f, "EOD\n");
}

/* Panel @n: curve @c's p50 and p99 (left axis) and its rate (right). */
static void plot_sweep_panel(FILE *f, struct json_object *c, unsigned int n)
{
	struct json_object *lat;
	const char *param = plot_str(c, "param") ?: "value";
	const char *unit = plot_str(c, "rate_unit") ?: "per s";
	bool latency = json_object_object_get_ex(c, "latency", &lat) &&
		       json_object_get_boolean(lat);
	char label[96];

	fprintf(f, "set title ");
	plot_quoted(f, plot_str(c, "name") ?: "?");
	snprintf(label, sizeof(label), "%s (log scale%s)", param,
		 !strcmp(param, "payload_bytes") ? "; 0 B is off it" : "");
	/* Bytes with binary prefixes: 64 B, 16 KiB, 1 MiB. */
	fprintf(f, "\nset logscale x 2\nset format x '%s'\nset xlabel ",
		!strcmp(param, "payload_bytes") ? "%.0b %BB" : "%g");
	plot_quoted(f, label);
	snprintf(label, sizeof(label), "rate, %s (log scale)", unit);
	if (latency) {
		fprintf(f, "\nset logscale y\nset ylabel 'latency, us (log scale)'\n"
			"set logscale y2\nset y2tics\nset ytics nomirror\nset y2label ");
		plot_quoted(f, label);
		fprintf(f, "\nplot $curve%u using 1:2 with linespoints lw 2 pt 7 title 'p50', \\\n"
			"     $curve%u using 1:3 with linespoints lw 2 pt 5 title 'p99', \\\n"
			"     $curve%u using 1:4 axes x1y2 with linespoints lw 2 pt 9 dt 2 title 'rate'\n",
			n, n, n);
	} else {
		fprintf(f, "\nset logscale y\nunset y2tics\nset ytics mirror\n"
			"unset y2label\nset ylabel ");
		plot_quoted(f, label);
		fprintf(f, "\nplot $curve%u using 1:4 with linespoints lw 2 pt 9 title 'rate'\n",
			n);
	}
	fprintf(f, "unset logscale\n");
}

/* The sweep's script: every curve's data, then a panel each. */
static void plot_sweep_script(FILE *f, struct json_object *json,
			      struct json_object *curves, const char *png)
{
	size_t i, n = json_object_array_length(curves);
	unsigned int rows = (unsigned int)(n + 1) / 2;
	struct json_object *ind;
	bool quick = json_object_object_get_ex(json, "indicative", &ind) &&
		     json_object_get_boolean(ind);
	char cmd[80];

	for (i = 0; i < n; i++)
		plot_sweep_data(f, json_object_array_get_idx(curves, i),
				(unsigned int)i);
	snprintf(cmd, sizeof(cmd), "set multiplot layout %u,2 title", rows);
	plot_head(f, json, png, 450 * rows, cmd, quick ?
		  "sweep (--quick: indicative figures)" : "sweep");
	fprintf(f, "set grid xtics ytics\nset key top left\n");
	for (i = 0; i < n; i++)
		plot_sweep_panel(f, json_object_array_get_idx(curves, i),
				 (unsigned int)i);
	fprintf(f, "unset multiplot\n");
}

int bench_plot_sweep(struct json_object *json, const char *png)
{
	struct json_object *curves;
	size_t i, n = 0;

	if (!json_object_object_get_ex(json, "sweep", &curves) ||
	    !json_object_is_type(curves, json_type_array)) {
		fprintf(stderr, TOOL_NAME " bench: --plot: no \"sweep\" in the "
			"JSON: not the bench's\n");
		return EXIT_FAIL;
	}
	for (i = 0; i < json_object_array_length(curves); i++)
		n += plot_points(json_object_array_get_idx(curves, i)) != NULL;
	if (!n) {
		fprintf(stderr, TOOL_NAME " bench: --plot: no curve of the sweep "
			"with points to draw\n");
		return EXIT_FAIL;
	}
	return plot_run(plot_sweep_script, json, curves, png);
}

int bench_plot_file(const char *from, const char *png)
{
	struct json_object *json = json_object_from_file(from);
	int ret;

	if (!json) {
		fprintf(stderr, TOOL_NAME " bench: %s: %s\n", from,
			json_util_get_last_err() ?: "cannot read its JSON");
		return EXIT_FAIL;
	}
	ret = bench_plot(json, png);
	json_object_put(json);
	return ret;
}
