/*
 * util.c: allocation that aborts on failure, string and time helpers.
 */
#include "lib/util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void oom(size_t n)
{
    fprintf(stderr, "unionbridge: out of memory (%zu bytes)\n", n);
    abort();
}

void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        oom(n);
    return p;
}

void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p)
        oom(n * size);
    return p;
}

void *xrealloc(void *p, size_t n)
{
    p = realloc(p, n ? n : 1);
    if (!p)
        oom(n);
    return p;
}

char *xstrdup(const char *s)
{
    if (!s)
        return NULL;
    size_t n = strlen(s) + 1;
    char *d = xmalloc(n);
    memcpy(d, s, n);
    return d;
}

bool ub_strlcpy(char *dst, const char *src, size_t n)
{
    size_t len = strlen(src);
    if (n == 0)
        return len == 0;
    if (len >= n) {
        memcpy(dst, src, n - 1);
        dst[n - 1] = 0;
        return false;
    }
    memcpy(dst, src, len + 1);
    return true;
}

size_t ub_utf8_char(const unsigned char *p, unsigned *cp)
{
    size_t n;
    unsigned c;
    if ((p[0] & 0xe0) == 0xc0) { n = 2; c = p[0] & 0x1f; }
    else if ((p[0] & 0xf0) == 0xe0) { n = 3; c = p[0] & 0x0f; }
    else if ((p[0] & 0xf8) == 0xf0) { n = 4; c = p[0] & 0x07; }
    else return 0;
    for (size_t i = 1; i < n; i++) {
        if ((p[i] & 0xc0) != 0x80)
            return 0;
        c = (c << 6) | (p[i] & 0x3f);
    }
    if ((n == 2 && c < 0x80) || (n == 3 && c < 0x800) || (n == 4 && c < 0x10000)
        || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
        return 0;
    *cp = c;
    return n;
}

bool ub_utf8_text(const char *s, bool allow_newline)
{
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        unsigned c = *p;
        if (c < 0x80) {
            if ((c < 0x20 && c != '\t' && !(allow_newline && (c == '\n' || c == '\r')))
                || c == 0x7f)
                return false;
            p++;
            continue;
        }
        unsigned cp;
        size_t n = ub_utf8_char(p, &cp);
        if (!n || (cp >= 0x80 && cp <= 0x9f))              /* C1 controls */
            return false;
        p += n;
    }
    return true;
}

size_t ub_utf8_len(const char *s)
{
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if ((*p & 0xc0) != 0x80)
            n++;
    return n;
}

bool ub_parse_i64(const char *s, int64_t *out)
{
    if (!s || !((*s >= '0' && *s <= '9') || *s == '-'))
        return false;
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || *end || end == s)
        return false;
    *out = v;
    return true;
}

int64_t ub_now(void)
{
    return (int64_t)time(NULL);
}

uint64_t ub_mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void ub_iso_time(int64_t t, char *out, size_t n)
{
    time_t tt = (time_t)t;
    struct tm tm;
    localtime_r(&tt, &tm);
    char tz[8];
    strftime(tz, sizeof tz, "%z", &tm);           /* +0800 */
    char base[24];
    strftime(base, sizeof base, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out, n, "%s%c%c%c:%c%c", base, tz[0], tz[1], tz[2], tz[3], tz[4]);
}

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar
 * (Howard Hinnant's days_from_civil). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static int month_days(int y, int m)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : days[m - 1];
}

/* Reads exactly n digits at s into *out. */
static bool digits(const char *s, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return true;
}

bool ub_parse_date(const char *s, int *y, int *m, int *d)
{
    if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-'
        || !digits(s, 4, y) || !digits(s + 5, 2, m) || !digits(s + 8, 2, d))
        return false;
    return *y >= 1900 && *y <= 9999 && *m >= 1 && *m <= 12 && *d >= 1
           && *d <= month_days(*y, *m);
}

bool ub_date_valid(const char *s)
{
    int y, m, d;
    return ub_parse_date(s, &y, &m, &d);
}

bool ub_date_days(const char *s, int64_t *days)
{
    int y, m, d;
    if (!ub_parse_date(s, &y, &m, &d))
        return false;
    *days = days_from_civil(y, m, d);
    return true;
}

bool ub_parse_iso_time(const char *s, int64_t *out)
{
    int y, mo, d, h, mi, sec = 0;
    if (!s || strlen(s) < 16 || (s[10] != 'T' && s[10] != ' ') || s[13] != ':')
        return false;
    char date[11];
    memcpy(date, s, 10);
    date[10] = 0;
    if (!ub_parse_date(date, &y, &mo, &d) || !digits(s + 11, 2, &h)
        || !digits(s + 14, 2, &mi) || h > 23 || mi > 59)
        return false;
    const char *p = s + 16;
    if (*p == ':') {
        if (!digits(p + 1, 2, &sec) || sec > 59)
            return false;
        p += 3;
    }
    int64_t local = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec;
    if (*p == 'Z' && p[1] == 0) {
        *out = local;
        return true;
    }
    if ((*p == '+' || *p == '-') && strlen(p) == 6 && p[3] == ':') {
        int oh, om;
        if (!digits(p + 1, 2, &oh) || !digits(p + 4, 2, &om) || oh > 14 || om > 59)
            return false;
        int64_t off = oh * 3600 + om * 60;
        *out = *p == '+' ? local - off : local + off;
        return true;
    }
    if (*p)
        return false;
    /* No offset: the server's zone. */
    struct tm tm = {.tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d, .tm_hour = h,
                    .tm_min = mi, .tm_sec = sec, .tm_isdst = -1};
    time_t t = mktime(&tm);
    if (t == (time_t)-1)
        return false;
    *out = (int64_t)t;
    return true;
}

int ub_today_ymd(void)
{
    static __thread time_t at = -1;
    static __thread int ymd;
    time_t now = time(NULL);
    if (now != at) {
        struct tm tm;
        if (now == (time_t)-1 || !localtime_r(&now, &tm))
            return 0;
        ymd = (tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) * 100 + tm.tm_mday;
        at = now;
    }
    return ymd;
}

void ub_local_date(int64_t t, char out[11])
{
    time_t tt = (time_t)t;
    struct tm tm;
    localtime_r(&tt, &tm);
    strftime(out, 11, "%Y-%m-%d", &tm);
}
