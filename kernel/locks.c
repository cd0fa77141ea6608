// SPDX-License-Identifier: GPL-2.0-only
/* The module's two mutexes (locks.h: what each guards, and their order). */
#include "locks.h"

DEFINE_MUTEX(ipnf_cfg_mutex);
DEFINE_MUTEX(ipnf_export_mutex);
