/*
 * uscc.h: the unified social credit code (GB 32100-2015).
 *
 * 18 characters from 0-9A-HJ-NPQRTUWXY (no I O S V Z); the 18th is a check
 * character: 31 - (weighted sum mod 31), 31 -> 0.
 */
#ifndef UB_USCC_H
#define UB_USCC_H

#include <stdbool.h>

enum uscc_error {
    USCC_OK = 0,
    USCC_LENGTH,        /* not 18 characters */
    USCC_CHARS,         /* a character outside the alphabet (after upcasing) */
    USCC_CHECKSUM,      /* check character does not match */
};

/*
 * Validates `s`; on success (and on USCC_CHECKSUM, so an override can keep
 * it) writes the upper-cased code to out (>= 19 bytes, may be NULL).
 */
enum uscc_error uscc_parse(const char *s, char *out);

/* Returns the check character for the first 17 characters of a code, or 0 if
 * one of them is outside the alphabet. */
char uscc_check_char(const char *first17);

const char *uscc_error_code(enum uscc_error e);
const char *uscc_error_message(enum uscc_error e);

#endif
