/*
 * isotime.c: ISO 8601 times and dates (see isotime.h).
 */
#include "lib/isotime.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

static bool digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

static int num(const char *s, size_t n)
{
    int v = 0;
    for (size_t i = 0; i < n; i++)
        v = v * 10 + (s[i] - '0');
    return v;
}

static int days_in(int y, int m)
{
    static const int d[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : d[m - 1];
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian). */
static int64_t days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

bool iso_date_valid(const char *s)
{
    if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-' || !digits(s, 4)
        || !digits(s + 5, 2) || !digits(s + 8, 2))
        return false;
    int y = num(s, 4), m = num(s + 5, 2), d = num(s + 8, 2);
    return y >= 1900 && y <= 2999 && m >= 1 && m <= 12 && d >= 1 && d <= days_in(y, m);
}

bool iso_parse_time(const char *s, int64_t *out)
{
    if (!s)
        return false;
    size_t n = strlen(s);
    if (n < 20 || s[10] != 'T' || s[13] != ':' || s[16] != ':')
        return false;
    char date[11];
    memcpy(date, s, 10);
    date[10] = 0;
    if (!iso_date_valid(date) || !digits(s + 11, 2) || !digits(s + 14, 2)
        || !digits(s + 17, 2))
        return false;
    int hh = num(s + 11, 2), mi = num(s + 14, 2), ss = num(s + 17, 2);
    if (hh > 23 || mi > 59 || ss > 59)
        return false;
    const char *z = s + 19;
    int offset = 0;
    if (strcmp(z, "Z") == 0) {
        offset = 0;
    } else if (strlen(z) == 6 && (z[0] == '+' || z[0] == '-') && digits(z + 1, 2)
               && z[3] == ':' && digits(z + 4, 2)) {
        int oh = num(z + 1, 2), om = num(z + 4, 2);
        if (oh > 14 || om > 59)
            return false;
        offset = (oh * 60 + om) * 60 * (z[0] == '-' ? -1 : 1);
    } else {
        return false;
    }
    int64_t days = days_from_civil(num(s, 4), num(s + 5, 2), num(s + 8, 2));
    *out = days * 86400 + hh * 3600 + mi * 60 + ss - offset;
    return true;
}

void iso_date_of(int64_t t, char out[11])
{
    time_t tt = (time_t)t;
    struct tm tm;
    localtime_r(&tt, &tm);
    strftime(out, 11, "%Y-%m-%d", &tm);
}
