// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * A latency histogram for the terminal: log-scale buckets (two per
 * power of two of nanoseconds), each a line with its range, its count
 * and a bar of '#' as long as the count is against the largest.
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <json-c/json.h>

#include "tool.h"

/* The longest bar, in characters. */
#define HIST_BAR	50

void tool_hist_add(struct tool_hist *h, uint64_t ns)
{
	unsigned int k, i;

	if (!ns) {
		i = 0;
	} else {
		k = 63 - (unsigned int)__builtin_clzll(ns);
		/* The upper half of [2^k, 2^(k+1)) starts at 2^k * sqrt(2). */
		i = 2 * k + ((unsigned __int128)ns * ns >=
			     (unsigned __int128)1 << (2 * k + 1));
	}
	h->count[i]++;
	h->n++;
}

/* Where bucket @i starts, in ns. */
static double hist_lo(unsigned int i)
{
	return i ? ldexp(i & 1 ? M_SQRT2 : 1.0, (int)(i / 2)) : 0.0;
}

/* The first and last buckets that hold something; false if none does. */
static bool hist_span(const struct tool_hist *h, unsigned int *first,
		      unsigned int *last)
{
	unsigned int i;

	*first = TOOL_HIST_BUCKETS;
	*last = 0;
	for (i = 0; i < TOOL_HIST_BUCKETS; i++) {
		if (!h->count[i])
			continue;
		if (*first == TOOL_HIST_BUCKETS)
			*first = i;
		*last = i;
	}
	return h->n > 0;
}

void tool_hist_print(FILE *f, const struct tool_hist *h)
{
	unsigned int i, first, last, len, c;
	uint64_t max = 0;

	if (!hist_span(h, &first, &last))
		return;
	for (i = first; i <= last; i++)
		if (h->count[i] > max)
			max = h->count[i];
	for (i = first; i <= last; i++) {
		/* A bucket that holds anything shows at least one '#'. */
		len = (unsigned int)((h->count[i] * HIST_BAR + max - 1) / max);
		fprintf(f, "%10.2f - %10.2f us %9" PRIu64 " |", hist_lo(i) / 1e3,
			hist_lo(i + 1) / 1e3, h->count[i]);
		for (c = 0; c < len; c++)
			fputc('#', f);
		fputc('\n', f);
	}
}

struct json_object *tool_hist_json(const struct tool_hist *h)
{
	struct json_object *a = json_object_new_array(), *b;
	unsigned int i, first, last;

	if (!hist_span(h, &first, &last))
		return a;
	for (i = first; i <= last; i++) {
		b = json_object_new_object();
		json_object_object_add(b, "lo_us", tool_json_num(hist_lo(i) / 1e3));
		json_object_object_add(b, "hi_us", tool_json_num(hist_lo(i + 1) / 1e3));
		json_object_object_add(b, "count", json_object_new_uint64(h->count[i]));
		json_object_array_add(a, b);
	}
	return a;
}
