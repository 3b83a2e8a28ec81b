// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * rpcdev mbox post [-d PATH] [-q QID] [-m] SLOT VALUE: post a value in a
 * host-to-device mailbox slot; prints "seq: N".
 * rpcdev mbox read [-d PATH] [-q QID]: print the device-to-host messages
 * that wait, one value per line, until there are none.
 *
 * Exit status: 0 when done, 1 when a system call failed, 2 for a wrong
 * command line.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "rpcdev.h"
#include "tool.h"

static const char mbox_usage[] =
	"Usage: " TOOL_NAME " mbox post [-d PATH] [-q QID] [-m] SLOT VALUE\n"
	"       " TOOL_NAME " mbox read [-d PATH] [-q QID]\n"
	"Use a queue's mailbox: messages each side checks without a round trip.\n"
	"\n"
	"  post           post VALUE (0 to 4294967295) in host-to-device slot\n"
	"                 SLOT (0 to 7); prints \"seq: N\", the slot's new\n"
	"                 sequence number\n"
	"  read           print the device-to-host messages that wait, one\n"
	"                 value per line, until there are none\n"
	"  -d PATH        the device (default " TOOL_DEFAULT_PATH ")\n"
	"  -q QID         the queue (default 0); it must be free\n"
	"  -m, --mapped   post with a store into the mapped page, without a\n"
	"                 system call\n"
	"  -h, --help     show this help\n"
	"\n"
	"The queue is this command's only while it runs: the mailbox starts\n"
	"empty when it attaches and is gone when it exits. A program that keeps\n"
	"its queue uses rpcdev_mbox_post() and rpcdev_mbox_read() instead.\n"
	"Exits 0 when done, 1 if a system call failed, 2 for a wrong command\n"
	"line.\n";

static int mbox_post(const char *path, unsigned int qid, int mapped,
		     unsigned int slot, uint32_t value)
{
	struct rpcdev dev;
	uint32_t seq;
	int ret;

	if (tool_open_queue(&dev, path, qid, 1, 0))
		return EXIT_FAIL;
	if (mapped)
		ret = rpcdev_mbox_store(&dev, slot, value, &seq);
	else
		ret = rpcdev_mbox_post(&dev, slot, value, &seq);
	rpcdev_close(&dev);
	if (ret < 0) {
		tool_error("mbox post", -ret);
		return EXIT_FAIL;
	}
	printf("seq: %" PRIu32 "\n", seq);
	return EXIT_OK;
}

static int mbox_read(const char *path, unsigned int qid)
{
	struct rpcdev_mbox_msg msg;
	struct rpcdev dev;
	int ret;

	if (tool_open_queue(&dev, path, qid, 1, 0))
		return EXIT_FAIL;
	while (!(ret = rpcdev_mbox_read(&dev, &msg))) {
		if (msg.lost)
			fprintf(stderr, TOOL_NAME ": mbox read: %u messages lost\n",
				msg.lost);
		printf("%llu\n", (unsigned long long)msg.value);
	}
	rpcdev_close(&dev);
	fflush(stdout);
	if (ret != -EAGAIN) {
		tool_error("mbox read", -ret);
		return EXIT_FAIL;
	}
	return EXIT_OK;
}

static int cmd_mbox(int argc, char **argv)
{
	uint64_t qid = 0, slot, value;
	const char *path = TOOL_DEFAULT_PATH, *sub;
	bool mapped = false;
	const struct tool_opt opts[] = {
		TOOL_OPT_DEVICE(&path),
		TOOL_OPT_QUEUE(&qid),
		TOOL_OPT_BOOL('m', "mapped", &mapped),
		TOOL_OPT_END,
	};
	int ret;

	ret = tool_parse_opts(&tool_cmd_mbox, opts, argc, argv);
	if (ret != TOOL_GO_ON)
		return ret;
	if (optind >= argc)
		return tool_usage_error(&tool_cmd_mbox, "no post or read given");
	sub = argv[optind++];
	if (strcmp(sub, "post") && strcmp(sub, "read"))
		return tool_usage_error(&tool_cmd_mbox,
			"unknown mbox command '%s'", sub);

	if (!strcmp(sub, "read")) {
		if (mapped)
			return tool_usage_error(&tool_cmd_mbox,
				"-m is for post only");
		if (optind < argc)
			return tool_usage_error(&tool_cmd_mbox,
				"unexpected argument '%s'", argv[optind]);
		return mbox_read(path, (unsigned int)qid);
	}

	if (argc - optind != 2)
		return tool_usage_error(&tool_cmd_mbox,
			"post takes SLOT and VALUE");
	if (tool_parse_u64(argv[optind], RPCDEV_MBOX_SLOTS - 1, &slot))
		return tool_usage_error(&tool_cmd_mbox,
			"bad slot '%s' (0 to %u)", argv[optind],
			RPCDEV_MBOX_SLOTS - 1);
	if (tool_parse_u64(argv[optind + 1], UINT32_MAX, &value))
		return tool_usage_error(&tool_cmd_mbox,
			"bad value '%s' (0 to %u)", argv[optind + 1],
			UINT32_MAX);
	return mbox_post(path, (unsigned int)qid, mapped, (unsigned int)slot,
			 (uint32_t)value);
}

const struct tool_cmd tool_cmd_mbox = {
	.name		= "mbox",
	.summary	= "post to a device's mailbox, or read its messages",
	.usage		= mbox_usage,
	.run		= cmd_mbox,
};
