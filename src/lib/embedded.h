/*
 * embedded.h: files compiled into the binary (migrations, CSS).
 *
 * The table is generated at build time by tools/embed.py; keys are paths
 * below src/, e.g. "store/schema/0001_foundation.sql".  Data is borrowed and
 * NUL-terminated.
 */
#ifndef UB_EMBEDDED_H
#define UB_EMBEDDED_H

#include <stddef.h>

struct embedded_file {
    const char *name;
    const unsigned char *data;
    size_t len;
};

extern const struct embedded_file embedded_files[];

/* Returns the file named `name`, or NULL. */
const struct embedded_file *embedded_find(const char *name);

#endif
