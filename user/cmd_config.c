// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include "cmd.h"

int do_check_config(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	cmd_error("check-config", "not built yet");
	return 1;
}

int do_explain(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	cmd_error("explain", "not built yet");
	return 1;
}
