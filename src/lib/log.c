/*
 * log.c: timestamped one-line messages on stderr.
 */
#include "lib/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <time.h>

static void emit(const char *level, const char *fmt, va_list ap)
{
    char line[1024];
    char ts[32];
    ub_iso_time(ub_now(), ts, sizeof ts);
    int n = snprintf(line, sizeof line, "%s %s ", ts, level);
    vsnprintf(line + n, sizeof line - (size_t)n, fmt, ap);
    fprintf(stderr, "%s\n", line);
}

#define LOG_FN(name, level)                                                    \
    void name(const char *fmt, ...)                                            \
    {                                                                          \
        va_list ap;                                                            \
        va_start(ap, fmt);                                                     \
        emit(level, fmt, ap);                                                  \
        va_end(ap);                                                            \
    }

LOG_FN(log_info, "info")
LOG_FN(log_warn, "warn")
LOG_FN(log_error, "error")
