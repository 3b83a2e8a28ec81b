// SPDX-License-Identifier: GPL-2.0
/*
 * The ivshmem server side of the firmware (QEMU's ivshmem-spec: a UNIX
 * socket; each message a little-endian int64, some with one file
 * descriptor passed by SCM_RIGHTS). The firmware is peer IVFW_PEER and
 * owns the shared memory; it serves one guest at a time.
 *
 * To a QEMU that connects it sends: the protocol version (0); the id it
 * gives that guest; -1 with the memfd; IVFW_PEER once per vector, each with
 * one of the firmware's eventfds (the guest's doorbells to the firmware);
 * then the guest's own id once per vector, each with one of the guest's
 * eventfds (the firmware writes them to raise the guest's MSI-X vectors).
 */
#include <stdio.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "ivfw.h"

/* Send one message: @val, and @fd when it is not negative. */
static int ivfw_send(int cfd, s64 val, int fd)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} ctl;
	u64 le = htole64((u64)val);
	struct iovec iov = { .iov_base = &le, .iov_len = sizeof(le) };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	ssize_t n;

	if (fd >= 0) {
		struct cmsghdr *c;

		memset(&ctl, 0, sizeof(ctl));
		msg.msg_control = ctl.buf;
		msg.msg_controllen = sizeof(ctl.buf);
		c = CMSG_FIRSTHDR(&msg);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &fd, sizeof(int));
	}
	do {
		n = sendmsg(cfd, &msg, MSG_NOSIGNAL);
	} while (n < 0 && errno == EINTR);
	if (n != (ssize_t)sizeof(le))
		return -errno ?: -EIO;
	return 0;
}

/**
 * ivfw_listen() - the server's socket, listening at @path.
 * @path:	the socket's path; a stale socket there is replaced.
 *
 * Return: the socket, or a negative errno.
 */
int ivfw_listen(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd, ret;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	unlink(path);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) || listen(fd, 4)) {
		ret = -errno;
		close(fd);
		return ret;
	}
	return fd;
}

static void ivfw_close_guest_efds(struct ivfw_dev *dev)
{
	u32 v;

	for (v = 0; v < IVFW_MAX_VECTORS; v++) {
		if (dev->guest_efd[v] >= 0)
			close(dev->guest_efd[v]);
		dev->guest_efd[v] = -1;
	}
}

/* The messages a new guest gets, in the order the protocol wants. */
static int ivfw_greet(struct ivfw_dev *dev, int cfd, int peer)
{
	u32 v, n = dev->hdr->nr_vectors;
	int ret;

	ret = ivfw_send(cfd, 0, -1);
	if (!ret)
		ret = ivfw_send(cfd, peer, -1);
	if (!ret)
		ret = ivfw_send(cfd, -1, dev->shm_fd);
	for (v = 0; v < n && !ret; v++)
		ret = ivfw_send(cfd, IVFW_PEER, dev->fw_efd[v]);
	for (v = 0; v < n && !ret; v++)
		ret = ivfw_send(cfd, peer, dev->guest_efd[v]);
	return ret;
}

/**
 * ivfw_accept() - take a QEMU that connects and give it the device.
 * @dev:	the device.
 * @lfd:	the listening socket.
 *
 * A second guest while one is connected is turned away: the firmware
 * serves one host, as a device sits in one slot.
 *
 * Return: the connection, to watch for its end, or a negative errno.
 */
int ivfw_accept(struct ivfw_dev *dev, int lfd)
{
	static int next_peer = IVFW_PEER + 1;
	u32 v, n = dev->hdr->nr_vectors;
	int cfd, peer, ret;

	cfd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	if (cfd < 0)
		return -errno;
	if (dev->guest_peer >= 0) {
		ivfw_warn("a second guest connected; turned away\n");
		close(cfd);
		return -EBUSY;
	}
	peer = next_peer++;
	if (next_peer > 0xffff)
		next_peer = IVFW_PEER + 1;
	for (v = 0; v < n; v++) {
		dev->guest_efd[v] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (dev->guest_efd[v] < 0) {
			ret = -errno;
			ivfw_err("eventfd: %s\n", strerror(errno));
			goto err;
		}
	}
	ret = ivfw_greet(dev, cfd, peer);
	if (ret) {
		ivfw_err("greeting guest %d: %s\n", peer, strerror(-ret));
		goto err;
	}
	dev->guest_peer = peer;
	ivfw_info("guest %d connected (%u vectors)\n", peer, n);
	return cfd;
err:
	ivfw_close_guest_efds(dev);
	close(cfd);
	return ret;
}

/**
 * ivfw_disconnect() - the guest's QEMU went away (or its device was
 * removed): stop its queues and forget it.
 * @dev:	the device.
 * @cfd:	its connection.
 */
void ivfw_disconnect(struct ivfw_dev *dev, int cfd)
{
	ivfw_info("guest %d disconnected\n", dev->guest_peer);
	atomic_store(&dev->irq_peer, -1);
	ivfw_dev_stop_all(dev);
	ivfw_close_guest_efds(dev);
	dev->guest_peer = -1;
	close(cfd);
}
