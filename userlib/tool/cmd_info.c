// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * rpcdev info [-d PATH | -a]: describe one device, or every /dev/rpcdevN.
 */
#include <ctype.h>
#include <errno.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rpcdev.h"
#include "tool.h"

#define INFO_DEV_DIR		"/dev"
#define INFO_DEV_PREFIX		"rpcdev"

static const char info_usage[] =
	"Usage: " TOOL_NAME " info [-d PATH | -a]\n"
	"Show an rpcdev device's name, ABI version, queue pairs and features.\n"
	"\n"
	"  -d, --device PATH  the device node to describe (default /dev/rpcdev0)\n"
	"  -a, --all          describe every " INFO_DEV_DIR "/" INFO_DEV_PREFIX "N\n"
	"  -h, --help         show this help\n";

/* Write "0x<hex>" and, in parentheses, the names of the set bits. */
static void info_print_features(FILE *out, unsigned long long features)
{
	const char *sep = " (";
	unsigned int bit;

	fprintf(out, "0x%llx", features);
	for (bit = 0; bit < 64; bit++) {
		const char *name;

		if (!(features & (1ULL << bit)))
			continue;
		name = rpcdev_feature_name(bit);
		if (name)
			fprintf(out, "%s%s", sep, name);
		else
			fprintf(out, "%sbit%u", sep, bit);
		sep = ",";
	}
	if (features)
		fputc(')', out);
	fputc('\n', out);
}

static void info_print(FILE *out, const char *path,
		       const struct rpcdev_info *info)
{
	fprintf(out, "%s:\n", path);
	fprintf(out, "  name:        %.*s\n", RPCDEV_NAME_LEN, info->name);
	fprintf(out, "  minor:       %u\n", info->minor);
	fprintf(out, "  abi version: %u\n", info->abi_version);
	fprintf(out, "  queues:      %u\n", info->nr_queues);
	fprintf(out, "  features:    ");
	info_print_features(out, info->features);
}

/* Describe the device at @path on stdout; return the exit status. */
static int info_one(const char *path)
{
	struct rpcdev_info info;
	struct rpcdev dev;
	int ret;

	ret = rpcdev_open(&dev, path);
	if (ret >= 0) {
		ret = rpcdev_info(&dev, &info);
		rpcdev_close(&dev);
	}
	if (ret < 0) {
		tool_device_error(path, -ret);
		return EXIT_FAIL;
	}
	info_print(stdout, path, &info);
	return EXIT_OK;
}

/* Is @name "rpcdev" followed by one or more decimal digits? */
static int info_is_dev_name(const char *name)
{
	const char *p;

	if (strncmp(name, INFO_DEV_PREFIX, strlen(INFO_DEV_PREFIX)))
		return 0;
	p = name + strlen(INFO_DEV_PREFIX);
	if (!*p)
		return 0;
	for (; *p; p++)
		if (!isdigit((unsigned char)*p))
			return 0;
	return 1;
}

static int info_dirent_filter(const struct dirent *d)
{
	return info_is_dev_name(d->d_name);
}

/* Order /dev/rpcdevN by N, so rpcdev10 comes after rpcdev9. */
static int info_dirent_cmp(const struct dirent **a, const struct dirent **b)
{
	size_t skip = strlen(INFO_DEV_PREFIX);
	unsigned long na = strtoul((*a)->d_name + skip, NULL, 10);
	unsigned long nb = strtoul((*b)->d_name + skip, NULL, 10);

	return (na > nb) - (na < nb);
}

/* Describe every /dev/rpcdevN; go on past a failing one, but report it. */
static int info_all(void)
{
	struct dirent **list;
	int i, n, status = EXIT_OK;

	n = scandir(INFO_DEV_DIR, &list, info_dirent_filter, info_dirent_cmp);
	if (n < 0) {
		tool_error(INFO_DEV_DIR, errno);
		return EXIT_FAIL;
	}
	if (n == 0)	/* what to do: as for a missing /dev/rpcdev0 */
		tool_device_error(INFO_DEV_DIR "/" INFO_DEV_PREFIX "0", ENOENT);

	for (i = 0; i < n; i++) {
		char path[sizeof(INFO_DEV_DIR) + sizeof(list[i]->d_name)];

		snprintf(path, sizeof(path), INFO_DEV_DIR "/%s",
			 list[i]->d_name);
		if (i)
			putchar('\n');
		if (info_one(path) != EXIT_OK)
			status = EXIT_FAIL;
		free(list[i]);
	}
	free(list);
	return n ? status : EXIT_FAIL;
}

static int cmd_info(int argc, char **argv)
{
	const char *path = NULL;
	bool all = false;
	const struct tool_opt opts[] = {
		TOOL_OPT_DEVICE(&path),
		TOOL_OPT_BOOL('a', "all", &all),
		TOOL_OPT_END,
	};
	int ret;

	ret = tool_parse_opts(&tool_cmd_info, opts, argc, argv);
	if (ret != TOOL_GO_ON)
		return ret;
	if (optind < argc)
		return tool_usage_error(&tool_cmd_info,
			"unexpected argument '%s'", argv[optind]);
	if (all && path)
		return tool_usage_error(&tool_cmd_info,
			"-a and -d cannot be used together");

	if (all)
		return info_all();
	return info_one(path ? path : TOOL_DEFAULT_PATH);
}

const struct tool_cmd tool_cmd_info = {
	.name		= "info",
	.summary	= "describe a device, or every device (-a)",
	.usage		= info_usage,
	.run		= cmd_info,
};
