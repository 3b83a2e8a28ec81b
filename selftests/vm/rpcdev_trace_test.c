// SPDX-License-Identifier: GPL-2.0
/*
 * rpcdev's tracepoints (kmod/trace.h), read through tracefs, against
 * rpcdev_sim, run as root inside the test VM: one downcall gives one
 * "post" and one "reply" event whose fields are exactly the call's, and a
 * forged DQ entry gives a "drop" event that says why its answer was
 * thrown away.
 *
 * The fixture loads rpcdev and the backend as rpcdev_fixture.h does,
 * finds tracefs (mounting it at /sys/kernel/tracing if needed, else using
 * the copy under debugfs) and empties the trace buffer; its teardown
 * turns rpcdev's events off and empties the buffer again before the
 * modules are unloaded. A kernel without tracefs or without the events
 * skips the tests.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>
#include <linux/rpcdev_sim.h>

#include "kselftest_harness.h"
#include "rpcdev.h"
#include "rpcdev_calls.h"
#include "rpcdev_debugfs.h"
#include "rpcdev_fixture.h"
#include "rpcdev_util.h"

#define TRACEFS_ROOT	"/sys/kernel/tracing"
#define TRACEFS_DEBUG	DBGFS_ROOT "/tracing"

/* The queue the tests use: not 0, so a qid of 0 in an event is wrong. */
#define TRACE_QID	1
/* The length of echo_check_seeded()'s ECHO (not a power of two). */
#define TRACE_LEN	48

/* Room for every line the tests' few events make, and more. */
#define TRACE_BUF	65536

/* A directory that exists. */
static int is_dir(const char *path)
{
	struct stat st;

	return !stat(path, &st) && S_ISDIR(st.st_mode);
}

/*
 * Where tracefs is: TRACEFS_ROOT, mounted there if it is not yet; else
 * its copy under debugfs (which the fixture mounted). NULL if neither.
 */
static const char *tracefs_find(void)
{
	if (is_dir(TRACEFS_ROOT "/events"))
		return TRACEFS_ROOT;
	if (!mount("tracefs", TRACEFS_ROOT, "tracefs", 0, NULL) &&
	    is_dir(TRACEFS_ROOT "/events"))
		return TRACEFS_ROOT;
	if (is_dir(TRACEFS_DEBUG "/events"))
		return TRACEFS_DEBUG;
	return NULL;
}

/* Write @val into <@root>/<@file>; 0 or -errno. O_TRUNC empties "trace". */
static int tracefs_write(const char *root, const char *file, const char *val)
{
	char path[256];
	ssize_t n;
	int fd, ret = 0;

	snprintf(path, sizeof(path), "%s/%s", root, file);
	fd = open(path, O_WRONLY | O_TRUNC);
	if (fd < 0)
		return -errno;
	n = write(fd, val, strlen(val));
	if (n < 0)
		ret = -errno;
	else if ((size_t)n != strlen(val))
		ret = -EIO;
	close(fd);
	return ret;
}

/* Turn rpcdev's event @event ("post") on or off; 0 or -errno. */
static int trace_event_enable(const char *root, const char *event, int on)
{
	char file[96];

	snprintf(file, sizeof(file), "events/rpcdev/%s/enable", event);
	return tracefs_write(root, file, on ? "1" : "0");
}

/* The trace buffer as text into @buf (@len bytes); its length or -errno. */
static ssize_t trace_read(const char *root, char *buf, size_t len)
{
	char path[256];
	size_t got = 0;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/trace", root);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -errno;
	while (got < len - 1) {
		n = read(fd, buf + got, len - 1 - got);
		if (n < 0) {
			n = -errno;
			close(fd);
			return n;
		}
		if (!n)
			break;
		got += n;
	}
	close(fd);
	buf[got] = '\0';
	return got;
}

/*
 * The fields of the only line of @text for event @event, after its
 * "<event>: " (the line's header, task, CPU and time, comes before it),
 * into @fields (@len bytes). Returns how many such lines there are.
 */
static int trace_event_line(const char *text, const char *event,
			    char *fields, size_t len)
{
	char tag[64];
	const char *p = text;
	int n = 0;

	snprintf(tag, sizeof(tag), " %s: ", event);
	while ((p = strstr(p, tag))) {
		const char *start = p + strlen(tag);
		const char *end = strchrnul(start, '\n');

		if (!n++)
			snprintf(fields, len, "%.*s", (int)(end - start), start);
		p = end;
	}
	return n;
}

FIXTURE(trace) {
	struct rpcdev dev;
	const char *tracefs;
	char text[TRACE_BUF];
	char fields[256];
};

FIXTURE_SETUP(trace)
{
	char dir[128];

	if (!device_fixture_open(_metadata, &self->dev))
		return;
	self->tracefs = tracefs_find();
	if (!self->tracefs)
		SKIP(return, "no tracefs at " TRACEFS_ROOT " or " TRACEFS_DEBUG);
	snprintf(dir, sizeof(dir), "%s/events/rpcdev", self->tracefs);
	if (!is_dir(dir))
		SKIP(return, "%s missing: rpcdev built without tracepoints?",
		     dir);
	/*
	 * No task names recorded: with record-cmd, enabling the first event
	 * and disabling the last hook and unhook sched_switch, and each of
	 * those patches __schedule() while the other CPU runs it. Under
	 * QEMU's TCG that patching once took an int3 the kernel did not
	 * expect (an Oops in __schedule()); the tests read no task name.
	 */
	tracefs_write(self->tracefs, "options/record-cmd", "0");
	ASSERT_EQ(0, tracefs_write(self->tracefs, "tracing_on", "1"));
	ASSERT_EQ(0, tracefs_write(self->tracefs, "trace", ""));
	ASSERT_EQ(0, rpcdev_queue_attach(&self->dev, TRACE_QID, 0, 0));
}

/*
 * Runs in the harness's parent: the events go off and the buffer is
 * emptied before the modules are unloaded, so no later program sees them.
 */
FIXTURE_TEARDOWN_PARENT(trace)
{
	const char *root = tracefs_find();

	if (root) {
		tracefs_write(root, "events/rpcdev/enable", "0");
		tracefs_write(root, "trace", "");
		tracefs_write(root, "options/record-cmd", "1");
	}
	device_fixture_close(_metadata);
}

/* One ECHO of TRACE_LEN bytes on TRACE_QID, checked. */
static int echo_once(struct rpcdev *dev)
{
	return echo_check_seeded(dev, TRACE_LEN, CALL_TIMEOUT_NS);
}

/*
 * The first call on a fresh attachment takes slot 0 and DQ position 0;
 * the event gives them, the queue, the method and the request's length.
 */
TEST_F(trace, post_event_gives_queue_slot_method_and_len)
{
	char want[128];

	ASSERT_EQ(0, trace_event_enable(self->tracefs, "post", 1));
	ASSERT_EQ(0, echo_once(&self->dev));
	ASSERT_EQ(0, trace_event_enable(self->tracefs, "post", 0));
	ASSERT_LT(0, trace_read(self->tracefs, self->text, sizeof(self->text)));

	ASSERT_EQ(1, trace_event_line(self->text, "post", self->fields,
				      sizeof(self->fields)))
		TH_LOG("trace:\n%s", self->text);
	snprintf(want, sizeof(want),
		 "dev=0 qid=%u pos=0 id=0 method=%u len=%u", TRACE_QID,
		 RPCDEV_SIM_ECHO, TRACE_LEN);
	ASSERT_STREQ(want, self->fields);
}

/* The answer taken off DC: the same slot and method, the echoed length. */
TEST_F(trace, reply_event_gives_answer_taken_off_dc)
{
	char want[128];

	ASSERT_EQ(0, trace_event_enable(self->tracefs, "reply", 1));
	ASSERT_EQ(0, echo_once(&self->dev));
	ASSERT_EQ(0, trace_event_enable(self->tracefs, "reply", 0));
	ASSERT_LT(0, trace_read(self->tracefs, self->text, sizeof(self->text)));

	ASSERT_EQ(1, trace_event_line(self->text, "reply", self->fields,
				      sizeof(self->fields)))
		TH_LOG("trace:\n%s", self->text);
	snprintf(want, sizeof(want),
		 "dev=0 qid=%u ring=dc pos=0 id=0 method=%u len=%u status=%d",
		 TRACE_QID, RPCDEV_SIM_ECHO, TRACE_LEN, RPCDEV_STATUS_OK);
	ASSERT_STREQ(want, self->fields);
}

/* No event enabled, none recorded: the buffer has no rpcdev line. */
TEST_F(trace, disabled_events_record_nothing)
{
	ASSERT_EQ(0, echo_once(&self->dev));
	ASSERT_LE(0, trace_read(self->tracefs, self->text, sizeof(self->text)));
	ASSERT_EQ(0, trace_event_line(self->text, "post", self->fields,
				      sizeof(self->fields)));
	ASSERT_EQ(0, trace_event_line(self->text, "reply", self->fields,
				      sizeof(self->fields)));
}

/*
 * A forged DQ entry (as rpcdev_dq_garbage_test writes them) at position 1
 * while a DELAY call in slot 0 keeps the firmware coming back: slot 3, a
 * tag the kernel never gave, a length past buf_size. The device answers
 * it BAD_REQUEST with no payload, echoing id and tag; slot 3 is FREE with
 * generation 0, so the kernel drops the answer for its tag.
 */
#define FORGED_ID	3
#define FORGED_TAG	0xdeadbeefULL

static void forge_dq_entry(struct rpcdev *dev)
{
	const struct rpcdev_queue_attach *l = rpcdev_queue_layout(dev);
	unsigned char *host = rpcdev_queue_part(dev, RPCDEV_OFF_HOST, NULL);
	struct rpcdev_host_ctrl *hc = (struct rpcdev_host_ctrl *)host;
	struct rpcdev_entry *e = (struct rpcdev_entry *)(host + l->dq_off) + 1;

	memset(e, 0, sizeof(*e));
	e->method = RPCDEV_SIM_ECHO;
	e->id = FORGED_ID;
	e->len = l->buf_size + 1;
	e->tag = FORGED_TAG;
	e->seq = 2;
	__atomic_store_n(&hc->dq_prod.val, 2, __ATOMIC_RELEASE);
}

TEST_F(trace, drop_event_names_answer_with_foreign_tag)
{
	const struct rpcdev_dev_ctrl *dc;
	unsigned int pos, seq;
	struct bg_call bg;
	char reason[16], q1[64];
	int n, id, len, dev, qid;

	dc = rpcdev_queue_part(&self->dev, RPCDEV_OFF_DEV, NULL);
	ASSERT_EQ(0, trace_event_enable(self->tracefs, "drop", 1));
	ASSERT_EQ(0, bg_call_start(&bg, &self->dev, ABANDON_DELAY_US,
				   CALL_TIMEOUT_NS + ABANDON_DELAY_US * 1000));
	ASSERT_EQ(0, wait_word(&dc->dq_cons.val, 1));
	forge_dq_entry(&self->dev);
	ASSERT_EQ(0, bg_call_join(&bg));
	ASSERT_EQ(RPCDEV_STATUS_OK, bg.res.status);
	ASSERT_EQ(0, wait_word(&dc->dq_cons.val, 2));
	dbgfs_queue_path(q1, sizeof(q1), 0, TRACE_QID);
	ASSERT_EQ(0, dbgfs_wait_key(q1, "bad", 1, WAIT_MS));
	ASSERT_EQ(0, trace_event_enable(self->tracefs, "drop", 0));
	ASSERT_LT(0, trace_read(self->tracefs, self->text, sizeof(self->text)));

	ASSERT_EQ(1, trace_event_line(self->text, "drop", self->fields,
				      sizeof(self->fields)))
		TH_LOG("trace:\n%s", self->text);
	n = sscanf(self->fields,
		   "dev=%d qid=%d reason=%15s pos=%u seq=%u id=%d len=%d",
		   &dev, &qid, reason, &pos, &seq, &id, &len);
	ASSERT_EQ(7, n) TH_LOG("fields: %s", self->fields);
	ASSERT_EQ(0, dev);
	ASSERT_EQ(TRACE_QID, qid);
	ASSERT_STREQ("dc_tag", reason);
	/* Its answer and the DELAY's take DC 0 and 1, in the device's order. */
	ASSERT_GE(1U, pos);
	ASSERT_EQ(pos + 1, seq);
	ASSERT_EQ(FORGED_ID, id);
	ASSERT_EQ(0, len);
}

TEST_HARNESS_MAIN
