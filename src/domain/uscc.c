/*
 * uscc.c: validation of the unified social credit code (GB 32100-2015).
 * Owns the 31-character alphabet, the check-character algorithm and the
 * error codes and messages for this code.  No allocation.
 */
#include "domain/uscc.h"

#include <ctype.h>
#include <stdbool.h>
#include <string.h>

#define USCC_LEN 18

/* The alphabet; a character's index is its value (no I O S V Z). */
static const char uscc_alphabet[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";

/* Weights of the first 17 characters (3^i mod 31). */
static const int uscc_weights[USCC_LEN - 1] = {
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
};

/* Returns the value (0-30) of `c` after upcasing, or -1 if outside the
 * alphabet (including NUL). */
static int uscc_value(char c)
{
    c = (char)toupper((unsigned char)c);
    if (c == '\0')
        return -1;
    const char *p = strchr(uscc_alphabet, c);
    return p ? (int)(p - uscc_alphabet) : -1;
}

/*
 * Returns the check character for the first 17 characters of `first17`
 * (lowercase accepted), or 0 if one of them is outside the alphabet or the
 * string is shorter than 17.
 */
char uscc_check_char(const char *first17)
{
    if (!first17)
        return 0;
    int sum = 0;
    for (int i = 0; i < USCC_LEN - 1; i++) {
        int v = uscc_value(first17[i]);
        if (v < 0)
            return 0;
        sum += v * uscc_weights[i];
    }
    int check = 31 - sum % 31;
    return uscc_alphabet[check == 31 ? 0 : check];
}

/*
 * Validates `s` in the order length, characters, checksum.  Returns
 * USCC_OK or the first error; on USCC_OK and USCC_CHECKSUM writes the
 * upper-cased code to `out` (if non-NULL, >= 19 bytes).
 */
enum uscc_error uscc_parse(const char *s, char *out)
{
    if (!s || strlen(s) != USCC_LEN)
        return USCC_LENGTH;

    char code[USCC_LEN + 1];
    for (int i = 0; i < USCC_LEN; i++) {
        if (uscc_value(s[i]) < 0)
            return USCC_CHARS;
        code[i] = (char)toupper((unsigned char)s[i]);
    }
    code[USCC_LEN] = '\0';

    enum uscc_error err = uscc_check_char(code) == code[USCC_LEN - 1]
        ? USCC_OK : USCC_CHECKSUM;
    if (out)
        memcpy(out, code, sizeof code);
    return err;
}

/* Returns a stable snake_case code for `e`, or "uscc_unknown". */
const char *uscc_error_code(enum uscc_error e)
{
    switch (e) {
    case USCC_OK:       return "ok";
    case USCC_LENGTH:   return "uscc_length";
    case USCC_CHARS:    return "uscc_chars";
    case USCC_CHECKSUM: return "uscc_checksum";
    }
    return "uscc_unknown";
}

/* Returns a short Simplified Chinese message for `e`. */
const char *uscc_error_message(enum uscc_error e)
{
    switch (e) {
    case USCC_OK:       return "统一社会信用代码有效";
    case USCC_LENGTH:   return "统一社会信用代码应为18位";
    case USCC_CHARS:    return "统一社会信用代码含有非法字符";
    case USCC_CHECKSUM: return "统一社会信用代码校验位不正确";
    }
    return "统一社会信用代码无效";
}
