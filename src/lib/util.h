/*
 * util.h: allocation that aborts on failure, and small string helpers.
 *
 * Application code never checks malloc: running out of memory ends the
 * process (as Redis and Fossil do); nothing acknowledged is lost because
 * every acknowledged write is committed before the answer goes out.
 */
#ifndef UB_UTIL_H
#define UB_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

#define UB_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define UB_PRINTF(f, a) __attribute__((format(printf, f, a)))

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
/* Returns a malloc'd copy of s (NULL stays NULL); the caller frees it. */
char *xstrdup(const char *s);

/* Copies src into dst of size n, always NUL-terminating; returns false if
 * src did not fit (dst then holds a truncated copy). */
bool ub_strlcpy(char *dst, const char *src, size_t n);

/* The length of the well-formed UTF-8 character at p (its first byte
 * 0x80 or above: no overlong form, no surrogate, none past U+10FFFF), its
 * code point in *cp; 0 if there is none. */
size_t ub_utf8_char(const unsigned char *p, unsigned *cp);
/* Returns true if s is valid UTF-8 with no control characters other than
 * tab (and newline when allow_newline). */
bool ub_utf8_text(const char *s, bool allow_newline);

/* Number of Unicode code points in valid UTF-8 s. */
size_t ub_utf8_len(const char *s);

/* Parses a decimal int64 filling the whole string; returns false on error. */
bool ub_parse_i64(const char *s, int64_t *out);

/* Current time in seconds since the epoch, and a monotonic clock in
 * nanoseconds for latency measurements. */
int64_t ub_now(void);
uint64_t ub_mono_ns(void);

/* Formats t as ISO 8601 in local time ("2025-05-27T12:00:00+08:00") into
 * out (at least 32 bytes). */
void ub_iso_time(int64_t t, char *out, size_t n);

/* Parses an ISO 8601 time "YYYY-MM-DDTHH:MM[:SS]" followed by "Z", an
 * offset "+08:00", or nothing (the server's zone); false if malformed or
 * not a real date and time. */
bool ub_parse_iso_time(const char *s, int64_t *out);
/* Parses a date "YYYY-MM-DD" (a real one, years 1900..9999). */
bool ub_parse_date(const char *s, int *y, int *m, int *d);
/* True if s is a real date "YYYY-MM-DD" (years 1900..9999). */
bool ub_date_valid(const char *s);
/* Days from 1970-01-01 to the date "YYYY-MM-DD"; false if not a date. */
bool ub_date_days(const char *s, int64_t *days);
/* t's date in the server's zone, "YYYY-MM-DD". */
void ub_local_date(int64_t t, char out[11]);
/* Today in the server's zone as YYYYMMDD (0 if the clock fails); the
 * zone's rules are read once a second per thread, not on every call. */
int ub_today_ymd(void);

#endif
