// SPDX-License-Identifier: GPL-2.0
/*
 * rpcdev tracepoints: the one file of rpcdev.ko that defines them (the
 * events are described in trace.h). Alone in its file so that only it
 * needs the include path that define_trace.h finds trace.h by.
 */
#define CREATE_TRACE_POINTS
#include "trace.h"
