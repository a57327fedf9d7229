/*
 * isotime.h: reading the times and dates of CONTRACT.md: ISO 8601 times
 * with an offset ("2025-05-27T12:00:00+08:00", "…Z") and dates
 * ("2025-05-27", in the server's time zone).
 */
#ifndef UB_ISOTIME_H
#define UB_ISOTIME_H

#include <stdbool.h>
#include <stdint.h>

/* Parses an ISO 8601 time with seconds and an offset (Z or +HH:MM) into
 * seconds since the epoch; returns false when malformed or not a real
 * time. */
bool iso_parse_time(const char *s, int64_t *out);

/* Returns true if s is a real calendar date YYYY-MM-DD (year 1900..2999). */
bool iso_date_valid(const char *s);

/* Writes the date of t in the server's zone as YYYY-MM-DD into out. */
void iso_date_of(int64_t t, char out[11]);

#endif
