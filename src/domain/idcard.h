/*
 * idcard.h: the resident identity number (GB 11643-1999).
 *
 * 18 characters: 6-digit region, YYYYMMDD birth date, 3-digit sequence (odd
 * is male), check character from the weighted sum mod 11.
 */
#ifndef UB_IDCARD_H
#define UB_IDCARD_H

#include <stdbool.h>

enum idcard_error {
    IDCARD_OK = 0,
    IDCARD_LENGTH,      /* not 18 characters */
    IDCARD_CHARS,       /* non-digit in the first 17, or bad check char */
    IDCARD_DATE,        /* birth date not a real date, or in the future */
    IDCARD_CHECKSUM,    /* check character does not match */
};

struct idcard {
    char number[19];    /* normalised: upper-case X */
    int birth_year, birth_month, birth_day;
    bool male;
};

/*
 * Validates `s` and fills `out` (may be NULL).  Lowercase x is accepted and
 * stored as X.  `today_ymd` is today's date as YYYYMMDD (for "not in the
 * future"); pass 0 to use the system clock.  Returns IDCARD_OK or the first
 * error found, checked in the enum's order.
 */
enum idcard_error idcard_parse(const char *s, int today_ymd, struct idcard *out);

/* Returns a stable snake_case code for an error ("id_checksum", …). */
const char *idcard_error_code(enum idcard_error e);
/* Returns a short Simplified Chinese message for an error. */
const char *idcard_error_message(enum idcard_error e);

/* Age in whole years on the date today_ymd (YYYYMMDD). */
int idcard_age(const struct idcard *id, int today_ymd);

/* The check character of the first 17 characters of a number. */
char idcard_check_char(const char *first17);

/* Masks a normalised number as 110105********002X into out (>= 19 bytes). */
void idcard_mask(const char *number, char *out);

#endif
