/*
 * version: the tlab version and git revision of this build.
 */
#ifndef TLAB_VERSION_H
#define TLAB_VERSION_H

/* "tlab 0.1.0 (REV)": what every flight records of who ran it. */
const char *lab_harness(void);

#endif
