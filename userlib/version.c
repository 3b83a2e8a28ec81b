// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * librpcdev: the project's version, as the build had it (../VERSION).
 */
#include "rpcdev.h"

#ifndef RPCDEV_VERSION
#error "RPCDEV_VERSION is set by userlib/Makefile from the VERSION file"
#endif

const char *rpcdev_version(void)
{
	return RPCDEV_VERSION;
}
