// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * rpcdev bench --plot: the latency rows' distributions side by side, one
 * CDF each on a log-scale time axis, drawn by gnuplot into a PNG. The
 * data are the bench's JSON (bench_json(), or a file an earlier --json
 * wrote, so that a run in a VM without gnuplot is drawn on its host):
 * each latency row's "cdf", quantiles and their round trips. gnuplot
 * runs as a child process reading its script and the data on stdin.
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

/* The whole gnuplot script, data included. */
static void plot_script(FILE *f, struct json_object *json,
			struct json_object *rows, const char *png)
{
	const char *kernel = plot_str(json, "kernel");
	char title[256];
	size_t i;

	fprintf(f, "set terminal pngcairo size 1600,900 noenhanced font ',10'\n");
	fprintf(f, "set output ");
	plot_quoted(f, png);
	snprintf(title, sizeof(title), "rpcdev bench: latency distributions%s%s",
		 kernel ? ", kernel " : "", kernel ? kernel : "");
	fprintf(f, "\nset title ");
	plot_quoted(f, title);
	fprintf(f, "\n");
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

/* Run gnuplot with the script on its stdin; EXIT_OK or EXIT_FAIL. */
static int plot_run(struct json_object *json, struct json_object *rows,
		    const char *png)
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
		plot_script(f, json, rows, png);
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
	struct json_object *rows, *q, *ns;
	size_t i, n = 0;

	if (!json_object_object_get_ex(json, "results", &rows) ||
	    !json_object_is_type(rows, json_type_array)) {
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
	return plot_run(json, rows, png);
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
