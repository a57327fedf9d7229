/*
 * log.h: one-line log messages to stderr with a timestamp and level.
 */
#ifndef UB_LOG_H
#define UB_LOG_H

#include "lib/util.h"

void log_info(const char *fmt, ...) UB_PRINTF(1, 2);
void log_warn(const char *fmt, ...) UB_PRINTF(1, 2);
void log_error(const char *fmt, ...) UB_PRINTF(1, 2);

#endif
