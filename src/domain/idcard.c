/*
 * idcard.c: validation, masking and age of the resident identity number
 * (GB 11643-1999).  Owns the check-character algorithm, the birth-date rules
 * and the error codes and messages for this number.  No allocation.
 */
#include "domain/idcard.h"

#include <ctype.h>
#include <stdbool.h>
#include <string.h>

#include "lib/util.h"

#define IDCARD_LEN 18

/* Weights of the first 17 characters (2^(18-i) mod 11). */
static const int idcard_weights[IDCARD_LEN - 1] = {
    7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2,
};

/* Check characters indexed by the weighted sum mod 11. */
static const char idcard_check_chars[] = "10X98765432";

/* Returns true if `y` is a Gregorian leap year. */
static bool is_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* Returns the number of days in month `m` (1-12) of year `y`. */
static int days_in_month(int y, int m)
{
    static const int days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    if (m == 2 && is_leap(y))
        return 29;
    return days[m - 1];
}

/* Returns the decimal value of the `n` digits at `p` (all known digits). */
static int digits_value(const char *p, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++)
        v = v * 10 + (p[i] - '0');
    return v;
}

/*
 * Validates `s` in the order length, characters, birth date, checksum.
 * Returns IDCARD_OK and fills `out` (if non-NULL) on success; on error
 * returns the first failing check and leaves `out` untouched.
 */
enum idcard_error idcard_parse(const char *s, int today_ymd, struct idcard *out)
{
    if (!s || strlen(s) != IDCARD_LEN)
        return IDCARD_LENGTH;

    char num[IDCARD_LEN + 1];
    for (int i = 0; i < IDCARD_LEN - 1; i++) {
        if (!isdigit((unsigned char)s[i]))
            return IDCARD_CHARS;
        num[i] = s[i];
    }
    char last = (char)toupper((unsigned char)s[IDCARD_LEN - 1]);
    if (!isdigit((unsigned char)last) && last != 'X')
        return IDCARD_CHARS;
    num[IDCARD_LEN - 1] = last;
    num[IDCARD_LEN] = '\0';

    int year = digits_value(num + 6, 4);
    int month = digits_value(num + 10, 2);
    int day = digits_value(num + 12, 2);
    if (year < 1900 || month < 1 || month > 12 || day < 1
        || day > days_in_month(year, month))
        return IDCARD_DATE;
    if (today_ymd == 0)
        today_ymd = ub_today_ymd();
    if (today_ymd != 0 && year * 10000 + month * 100 + day > today_ymd)
        return IDCARD_DATE;

    int sum = 0;
    for (int i = 0; i < IDCARD_LEN - 1; i++)
        sum += (num[i] - '0') * idcard_weights[i];
    if (idcard_check_chars[sum % 11] != last)
        return IDCARD_CHECKSUM;

    if (out) {
        memcpy(out->number, num, sizeof num);
        out->birth_year = year;
        out->birth_month = month;
        out->birth_day = day;
        out->male = (num[16] - '0') % 2 == 1;
    }
    return IDCARD_OK;
}

/* Returns a stable snake_case code for `e`, or "id_unknown". */
const char *idcard_error_code(enum idcard_error e)
{
    switch (e) {
    case IDCARD_OK:       return "ok";
    case IDCARD_LENGTH:   return "id_length";
    case IDCARD_CHARS:    return "id_chars";
    case IDCARD_DATE:     return "id_date";
    case IDCARD_CHECKSUM: return "id_checksum";
    }
    return "id_unknown";
}

/* Returns a short Simplified Chinese message for `e`. */
const char *idcard_error_message(enum idcard_error e)
{
    switch (e) {
    case IDCARD_OK:       return "身份证号有效";
    case IDCARD_LENGTH:   return "身份证号应为18位";
    case IDCARD_CHARS:    return "身份证号含有非法字符";
    case IDCARD_DATE:     return "身份证号中的出生日期无效";
    case IDCARD_CHECKSUM: return "身份证号校验位不正确";
    }
    return "身份证号无效";
}

/*
 * Returns the age in whole years on `today_ymd` (YYYYMMDD; 0 means the
 * system clock, local time).  Someone born on 29 February turns a year
 * older on 1 March in non-leap years.  Returns -1 if `id` is NULL or the
 * date is before the birth date.
 */
int idcard_age(const struct idcard *id, int today_ymd)
{
    if (!id)
        return -1;
    if (today_ymd == 0)
        today_ymd = ub_today_ymd();
    int ty = today_ymd / 10000;
    int tmd = today_ymd % 10000;
    int bmd = id->birth_month * 100 + id->birth_day;
    int age = ty - id->birth_year - (tmd < bmd ? 1 : 0);
    return age < 0 ? -1 : age;
}

/*
 * Writes the first 6 and last 4 characters of an 18-character `number`
 * with 8 stars between into `out` (>= 19 bytes).  Anything that is not
 * 18 characters long is written as an empty string, so nothing leaks.
 */
void idcard_mask(const char *number, char *out)
{
    if (!out)
        return;
    if (!number || strlen(number) != IDCARD_LEN) {
        out[0] = '\0';
        return;
    }
    memcpy(out, number, 6);
    memset(out + 6, '*', 8);
    memcpy(out + 14, number + 14, 4);
    out[IDCARD_LEN] = '\0';
}

char idcard_check_char(const char *first17)
{
    int sum = 0;
    for (int i = 0; i < IDCARD_LEN - 1; i++)
        sum += (first17[i] - '0') * idcard_weights[i];
    return idcard_check_chars[sum % 11];
}
