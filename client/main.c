/*
 * main.c - ledgerctl's entry point.  Everything else is in the ldclient
 * library (ledgerctl.c and friends) so that the unit tests can run the
 * whole command line without a process per case.
 */
#include <stdio.h>

#include "ctl.h"

int
main(int argc, char **argv)
{
	return ctl_main(argc, argv, stdout, stderr);
}
