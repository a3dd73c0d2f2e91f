/*
 * digest: SHA-256 and base64, for host key fingerprints (OpenSSH's
 * "SHA256:..." form) without a cryptography library of our own: what a
 * fingerprint needs is a hash of public data, not a secret.
 */
#ifndef TLAB_DIGEST_H
#define TLAB_DIGEST_H

#include <stddef.h>
#include <stdint.h>

#include "strbuf.h"

void sha256(const void *data, size_t len, unsigned char out[32]);

/* Append data as base64 (with = padding when pad). */
void base64_add(struct strbuf *sb, const unsigned char *data, size_t len, int pad);
/* Decode base64 text (padding optional) into out; -1 on a bad character. */
int base64_decode(const char *text, struct strbuf *out);

/* Append "SHA256:..." of a key blob, as ssh-keygen -l prints it. */
void digest_fingerprint(struct strbuf *sb, const unsigned char *blob, size_t len);

#endif
