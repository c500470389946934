/* tool_io.h — what the command-line tools share: reading a whole file. */
#ifndef TOOL_IO_H
#define TOOL_IO_H

#include <stddef.h>

/* Reads the whole file at `path` ("-" = stdin) into a malloc'd buffer with a NUL after the
 * data, its length in *len. Returns NULL with errno set on failure. */
unsigned char *tool_read_file(const char *path, size_t *len);

#endif
