/*
 * test_uscc.c: cmocka unit tests for src/domain/uscc.c (unified social
 * credit code: length, alphabet, check character, normalisation, error
 * codes and messages).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "domain/uscc.h"

static const char alphabet[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";

/* Returns the next value of a small deterministic generator. */
static uint32_t next_rand(uint32_t *seed)
{
    *seed = *seed * 1664525u + 1013904223u;
    return *seed >> 8;
}

/*
 * Returns the check character for `body` (17 alphabet characters),
 * computed independently of the module.
 */
static char ref_check(const char *body)
{
    static const int w[17] = { 1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28 };
    int sum = 0;
    for (int i = 0; i < 17; i++)
        sum += (int)(strchr(alphabet, body[i]) - alphabet) * w[i];
    int c = 31 - sum % 31;
    return alphabet[c == 31 ? 0 : c];
}

static void test_published_vectors(void **state)
{
    (void)state;
    char out[19];
    assert_int_equal(uscc_parse("91310110666007217T", out), USCC_OK);
    assert_string_equal(out, "91310110666007217T");
    assert_int_equal(uscc_parse("91110000MA01A7RH2R", out), USCC_OK);
    assert_string_equal(out, "91110000MA01A7RH2R");

    assert_int_equal(uscc_parse("91310110666007217X", out), USCC_CHECKSUM);
    /* On a checksum error the normalised code is still written. */
    assert_string_equal(out, "91310110666007217X");

    assert_int_equal(uscc_parse("91310110666007217T", NULL), USCC_OK);
    assert_int_equal(uscc_parse("91310110666007217X", NULL), USCC_CHECKSUM);
}

static void test_check_char(void **state)
{
    (void)state;
    assert_int_equal(uscc_check_char("91310110666007217"), 'T');
    assert_int_equal(uscc_check_char("91110000MA01A7RH2"), 'R');
    /* Only the first 17 characters count. */
    assert_int_equal(uscc_check_char("91310110666007217T"), 'T');
    assert_int_equal(uscc_check_char("91310110666007217?"), 'T');
    /* Lowercase is accepted. */
    assert_int_equal(uscc_check_char("91110000ma01a7rh2"), 'R');
    /* Outside the alphabet, too short, NULL. */
    assert_int_equal(uscc_check_char("9131011066600721I"), 0);
    assert_int_equal(uscc_check_char("O1310110666007217"), 0);
    assert_int_equal(uscc_check_char("9131011066600721-"), 0);
    assert_int_equal(uscc_check_char("9131011066600721"), 0);
    assert_int_equal(uscc_check_char(""), 0);
    assert_int_equal(uscc_check_char(NULL), 0);
}

static void test_lowercase(void **state)
{
    (void)state;
    char out[19];
    assert_int_equal(uscc_parse("91110000ma01a7rh2r", out), USCC_OK);
    assert_string_equal(out, "91110000MA01A7RH2R");
    assert_int_equal(uscc_parse("91310110666007217t", out), USCC_OK);
    assert_string_equal(out, "91310110666007217T");
    assert_int_equal(uscc_parse("91110000Ma01A7rH2r", out), USCC_OK);
    assert_string_equal(out, "91110000MA01A7RH2R");
}

static void test_wrong_length(void **state)
{
    (void)state;
    char out[19] = "untouched";
    assert_int_equal(uscc_parse("91310110666007217", out), USCC_LENGTH);
    assert_int_equal(uscc_parse("91310110666007217T0", out), USCC_LENGTH);
    assert_int_equal(uscc_parse("", out), USCC_LENGTH);
    assert_int_equal(uscc_parse(NULL, out), USCC_LENGTH);
    /* Length is checked before characters. */
    assert_int_equal(uscc_parse("IOSVZ", out), USCC_LENGTH);
    assert_string_equal(out, "untouched");
}

static void test_forbidden_letters(void **state)
{
    (void)state;
    static const char forbidden[] = "IOSVZiosvz";
    char out[19] = "untouched";
    for (const char *f = forbidden; *f; f++) {
        for (int pos = 0; pos < 18; pos++) {
            char code[19];
            memcpy(code, "91310110666007217T", sizeof code);
            code[pos] = *f;
            assert_int_equal(uscc_parse(code, out), USCC_CHARS);
        }
    }
    /* Other characters outside the alphabet. */
    assert_int_equal(uscc_parse("9131011066600721-T", out), USCC_CHARS);
    assert_int_equal(uscc_parse(" 1310110666007217T", out), USCC_CHARS);
    assert_int_equal(uscc_parse("9131011066600721\xc3\xa9", out), USCC_CHARS);
    /* Nothing is written on a character error. */
    assert_string_equal(out, "untouched");
}

static void test_check_zero(void **state)
{
    (void)state;
    /* Vary the last body character until the sum is a multiple of 31, which
     * maps 31 to a check character of '0'. */
    bool found = false;
    for (size_t k = 0; k < sizeof alphabet - 1; k++) {
        char code[19];
        memcpy(code, "91310110666007210", 17);
        code[16] = alphabet[k];
        code[17] = '0';
        code[18] = '\0';
        if (ref_check(code) != '0')
            continue;
        found = true;
        assert_int_equal(uscc_check_char(code), '0');
        assert_int_equal(uscc_parse(code, NULL), USCC_OK);
        code[17] = 'Y';   /* would be the answer if 31 were not folded to 0 */
        assert_int_equal(uscc_parse(code, NULL), USCC_CHECKSUM);
    }
    assert_true(found);
}

static void test_generated_codes(void **state)
{
    (void)state;
    /* For many random bodies the computed check is accepted and every other
     * alphabet character is a checksum error. */
    uint32_t seed = 12345;
    int seen[31] = { 0 };
    for (int n = 0; n < 2000; n++) {
        char code[19];
        for (int i = 0; i < 17; i++)
            code[i] = alphabet[next_rand(&seed) % 31];
        code[18] = '\0';

        char good = uscc_check_char(code);
        assert_int_equal(good, ref_check(code));
        seen[strchr(alphabet, good) - alphabet]++;

        code[17] = good;
        assert_int_equal(uscc_parse(code, NULL), USCC_OK);
        for (size_t k = 0; k < sizeof alphabet - 1; k++) {
            if (alphabet[k] == good)
                continue;
            code[17] = alphabet[k];
            assert_int_equal(uscc_parse(code, NULL), USCC_CHECKSUM);
        }
    }
    /* Every check character, including '0', came up at least once. */
    for (int k = 0; k < 31; k++)
        assert_true(seen[k] > 0);
}

static void test_single_char_change(void **state)
{
    (void)state;
    /* Replacing any one body character with another alphabet character
     * breaks the checksum (31 is prime and no weight is 0 mod 31). */
    const char *good = "91110000MA01A7RH2R";
    for (int pos = 0; pos < 17; pos++) {
        for (size_t k = 0; k < sizeof alphabet - 1; k++) {
            if (alphabet[k] == good[pos])
                continue;
            char code[19];
            memcpy(code, good, sizeof code);
            code[pos] = alphabet[k];
            assert_int_equal(uscc_parse(code, NULL), USCC_CHECKSUM);
        }
    }
}

static void test_error_codes_and_messages(void **state)
{
    (void)state;
    assert_string_equal(uscc_error_code(USCC_LENGTH), "uscc_length");
    assert_string_equal(uscc_error_code(USCC_CHARS), "uscc_chars");
    assert_string_equal(uscc_error_code(USCC_CHECKSUM), "uscc_checksum");
    assert_non_null(uscc_error_code(USCC_OK));

    assert_string_equal(uscc_error_message(USCC_LENGTH), "统一社会信用代码应为18位");
    assert_string_equal(uscc_error_message(USCC_CHARS), "统一社会信用代码含有非法字符");
    assert_string_equal(uscc_error_message(USCC_CHECKSUM), "统一社会信用代码校验位不正确");
    assert_non_null(uscc_error_message(USCC_OK));

    assert_non_null(uscc_error_code((enum uscc_error)99));
    assert_non_null(uscc_error_message((enum uscc_error)99));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_published_vectors),
        cmocka_unit_test(test_check_char),
        cmocka_unit_test(test_lowercase),
        cmocka_unit_test(test_wrong_length),
        cmocka_unit_test(test_forbidden_letters),
        cmocka_unit_test(test_check_zero),
        cmocka_unit_test(test_generated_codes),
        cmocka_unit_test(test_single_char_change),
        cmocka_unit_test(test_error_codes_and_messages),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
