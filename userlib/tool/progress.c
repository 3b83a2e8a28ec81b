// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * The progress line of the rpcdev tool: on stderr, only when it is a
 * terminal, for runs that last more than a second; erased at the end so
 * that what the command prints stays as it is. See tool.h.
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tool.h"

/* Nothing is drawn before this much time ... */
#define PROGRESS_DELAY_NS	1000000000ULL
/* ... then the line is redrawn this often. */
#define PROGRESS_PERIOD_NS	250000000ULL
/* "\r", the line, then erase to its end (a shorter line leaves nothing). */
#define PROGRESS_ERASE		"\033[K"

static uint64_t progress_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* Draw the line; called with the lock held. */
static void progress_draw(struct tool_progress *p, uint64_t now)
{
	char line[160];
	int n;

	if (p->count)
		p->done = __atomic_load_n(p->count, __ATOMIC_RELAXED);
	n = snprintf(line, sizeof(line), "\r%s:", p->label);
	if (p->total && n < (int)sizeof(line))
		n += snprintf(line + n, sizeof(line) - n, " %" PRIu64 " of %" PRIu64,
			      p->done, p->total);
	else if (p->count && n < (int)sizeof(line))
		n += snprintf(line + n, sizeof(line) - n, " %" PRIu64, p->done);
	if (p->note && n < (int)sizeof(line))
		n += snprintf(line + n, sizeof(line) - n, "%s %s",
			      p->total || p->count ? ":" : "", p->note);
	if (n < (int)sizeof(line))
		snprintf(line + n, sizeof(line) - n, " (%" PRIu64 " s)",
			 (uint64_t)((now - p->start_ns) / 1000000000ULL));
	fprintf(stderr, "%s" PROGRESS_ERASE, line);
	fflush(stderr);
	p->shown = true;
}

/* Sleep until @deadline (CLOCK_MONOTONIC ns) or the stop; lock held. */
static void progress_wait(struct tool_progress *p, uint64_t deadline)
{
	struct timespec ts = {
		.tv_sec = (time_t)(deadline / 1000000000ULL),
		.tv_nsec = (long)(deadline % 1000000000ULL),
	};

	while (!p->stop &&
	       pthread_cond_timedwait(&p->wake, &p->lock, &ts) != ETIMEDOUT)
		;
}

static void *progress_main(void *arg)
{
	struct tool_progress *p = arg;
	uint64_t next = p->start_ns + PROGRESS_DELAY_NS;

	pthread_mutex_lock(&p->lock);
	for (;;) {
		progress_wait(p, next);
		if (p->stop)
			break;
		progress_draw(p, progress_now_ns());
		next += PROGRESS_PERIOD_NS;
	}
	if (p->shown) {
		fputs("\r" PROGRESS_ERASE, stderr);
		fflush(stderr);
	}
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

int tool_progress_start(struct tool_progress *p, const char *label,
			uint64_t total, const uint64_t *count)
{
	pthread_condattr_t attr;
	sigset_t all, old;
	int ret;

	memset(p, 0, sizeof(*p));
	p->label = label;
	p->total = total;
	p->count = count;
	if (!isatty(STDERR_FILENO))
		return 0;
	p->start_ns = progress_now_ns();
	pthread_mutex_init(&p->lock, NULL);
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&p->wake, &attr);
	pthread_condattr_destroy(&attr);
	/* Signals are for the threads that work (serve's SIGINT ends a wait). */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	ret = pthread_create(&p->thread, NULL, progress_main, p);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (ret) {
		pthread_cond_destroy(&p->wake);
		pthread_mutex_destroy(&p->lock);
		return -ret;
	}
	p->running = true;
	return 0;
}

void tool_progress_set(struct tool_progress *p, uint64_t done, uint64_t total,
		       const char *note)
{
	if (!p || !p->running)
		return;
	pthread_mutex_lock(&p->lock);
	p->done = done;
	p->total = total;
	p->note = note;
	pthread_mutex_unlock(&p->lock);
}

void tool_progress_stop(struct tool_progress *p)
{
	if (!p->running)
		return;
	pthread_mutex_lock(&p->lock);
	p->stop = true;
	pthread_cond_signal(&p->wake);
	pthread_mutex_unlock(&p->lock);
	pthread_join(p->thread, NULL);
	pthread_cond_destroy(&p->wake);
	pthread_mutex_destroy(&p->lock);
	p->running = false;
}
