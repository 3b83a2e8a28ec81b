// SPDX-License-Identifier: GPL-2.0
/*
 * The firmware's TCP echo (--tcp-echo PORT): the other way a program can
 * reach this device, the way ARTIQ's core device talks to its host today,
 * for the bench's baseline of it (rpcdev bench --fw-tcp). The firmware
 * listens on 127.0.0.1:PORT of the build host; in the guest, QEMU's user
 * network takes a connection to 10.0.2.2:PORT there. Every byte that comes
 * is sent back, with TCP_NODELAY, one connection at a time, by a thread of
 * its own, which does nothing else.
 */
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ivfw.h"

/* Echo what @fd sends until it closes. */
static void ivfw_tcp_echo(int fd)
{
	char buf[4096];
	ssize_t n, done, w;

	for (;;) {
		n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		for (done = 0; done < n; done += w) {
			w = send(fd, buf + done, n - done, MSG_NOSIGNAL);
			if (w < 0 && errno == EINTR) {
				w = 0;
				continue;
			}
			if (w < 0)
				return;
		}
	}
}

static void *ivfw_tcp_main(void *arg)
{
	int lfd = (int)(intptr_t)arg, one = 1, fd;

	for (;;) {
		fd = accept(lfd, NULL, NULL);
		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			ivfw_err("tcp echo: accept: %s\n", strerror(errno));
			return NULL;
		}
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		ivfw_info("tcp echo: a connection\n");
		ivfw_tcp_echo(fd);
		close(fd);
	}
}

int ivfw_tcp_start(u16 port)
{
	struct sockaddr_in sa = {
		.sin_family = AF_INET,
		.sin_port = htons(port),
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK),
	};
	pthread_t t;
	int fd, one = 1, ret;

	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) || listen(fd, 4)) {
		ret = -errno;
		close(fd);
		return ret;
	}
	ret = -pthread_create(&t, NULL, ivfw_tcp_main, (void *)(intptr_t)fd);
	if (ret) {
		close(fd);
		return ret;
	}
	pthread_detach(t);
	ivfw_info("tcp echo on 127.0.0.1:%u\n", port);
	return 0;
}
