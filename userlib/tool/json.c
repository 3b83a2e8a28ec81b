// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * The rpcdev tool's JSON, built and written with json-c: numbers as a
 * person reads them, and a layout one can grep (an object one key a line,
 * an array of objects one object a line).
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <json-c/json.h>

#include "tool.h"

#define TOOL_JSON_FLAGS	(JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE)

struct json_object *tool_json_num(double v)
{
	char buf[32];

	/* JSON has no NaN or infinity. */
	if (!isfinite(v))
		return NULL;
	snprintf(buf, sizeof(buf), "%.6g", v);
	return json_object_new_double_s(v, buf);
}

/* Is @v an array whose elements are all objects (and there is one)? */
static bool tool_json_is_rows(struct json_object *v)
{
	size_t i, n;

	if (!json_object_is_type(v, json_type_array))
		return false;
	n = json_object_array_length(v);
	for (i = 0; i < n; i++)
		if (!json_object_is_type(json_object_array_get_idx(v, i),
					 json_type_object))
			return false;
	return n > 0;
}

static void tool_json_put(FILE *f, struct json_object *v)
{
	fputs(json_object_to_json_string_ext(v, TOOL_JSON_FLAGS), f);
}

int tool_json_print(FILE *f, struct json_object *obj)
{
	struct json_object *key;
	const char *sep = "";
	size_t i, n;

	if (!json_object_is_type(obj, json_type_object)) {
		tool_json_put(f, obj);
		fputc('\n', f);
		return ferror(f) ? -EIO : 0;
	}
	fputs("{\n", f);
	json_object_object_foreach(obj, k, v) {
		key = json_object_new_string(k);
		fprintf(f, "%s  ", sep);
		tool_json_put(f, key);
		json_object_put(key);
		fputs(": ", f);
		sep = ",\n";
		if (!tool_json_is_rows(v)) {
			tool_json_put(f, v);
			continue;
		}
		fputs("[\n", f);
		n = json_object_array_length(v);
		for (i = 0; i < n; i++) {
			fputs("    ", f);
			tool_json_put(f, json_object_array_get_idx(v, i));
			fputs(i + 1 < n ? ",\n" : "\n", f);
		}
		fputs("  ]", f);
	}
	fputs("\n}\n", f);
	fflush(f);
	return ferror(f) ? -EIO : 0;
}
