// SPDX-License-Identifier: GPL-2.0
/*
 * An external program, as a user of an installed rpcdev writes it: built
 * by scripts/test-install.sh with nothing but `pkg-config --cflags --libs
 * rpcdev` against the installed tree (never with the source tree's
 * include paths), run on the host (the shared library) and in the guest
 * (statically linked: the guest has no libc).
 *
 *	rpcdev_hello [DEVICE [MESSAGE]]
 *
 * Prints "librpcdev VERSION"; with DEVICE, calls the simulated device's
 * echo method with MESSAGE (default "hello") and prints "echo: ANSWER".
 * Exits 0 when the answer is the message, 1 otherwise.
 */
#include <rpcdev.h>
#include <linux/rpcdev_sim.h>

#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
	const char *msg = argc > 2 ? argv[2] : "hello";
	struct rpcdev_call_result res;
	struct rpcdev dev;
	char out[256];
	int ret;

	printf("librpcdev %s\n", rpcdev_version());
	if (argc < 2)
		return 0;

	ret = rpcdev_open(&dev, argv[1]);
	if (ret < 0) {
		fprintf(stderr, "rpcdev_hello: %s: %s\n", argv[1], strerror(-ret));
		return 1;
	}
	ret = rpcdev_queue_attach(&dev, 0, 0, 0);
	if (!ret)
		ret = rpcdev_call(&dev, RPCDEV_SIM_ECHO, msg, strlen(msg), out,
				  sizeof(out), 10000000000ULL, &res);
	rpcdev_close(&dev);
	if (ret < 0) {
		fprintf(stderr, "rpcdev_hello: call: %s\n", strerror(-ret));
		return 1;
	}
	if (res.status != RPCDEV_STATUS_OK || res.resp_len >= sizeof(out)) {
		fprintf(stderr, "rpcdev_hello: status %d, length %u\n",
			res.status, res.resp_len);
		return 1;
	}
	out[res.resp_len] = '\0';
	printf("echo: %s\n", out);
	return strcmp(out, msg) ? 1 : 0;
}
