/* memory.c -- placeholder: this area's primitives are still to come.
   Copyright (C) 2026 The guile-vicare-compat authors
   SPDX-License-Identifier: GPL-3.0-or-later  */

#include <config.h>

#include "vc.h"

void
vc_init_memory (void)
{
}
