/*
 * version: what tlab version and revision this is, as every flight records
 * it and --version prints it.
 */
#include "config.h"
#include "harness-rev.h"
#include "version.h"
#include "banned.h"

const char *
lab_harness(void)
{
	return "tlab " PACKAGE_VERSION " (" HARNESS_REV ")";
}
