/*
 * test_idcard.c: cmocka unit tests for src/domain/idcard.c (resident
 * identity number: length, characters, birth date, checksum, age, gender,
 * masking, error codes and messages).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "domain/idcard.h"

/* A fixed "today" so tests do not depend on the clock. */
#define TODAY 20240615

/*
 * Builds an 18-character number from a 6-digit region, an 8-digit birth
 * date and a 3-digit sequence, appending the correct check character
 * (computed independently of the module).  Returns `out`.
 */
static char *make_id(const char *region, const char *ymd, const char *seq,
                     char out[19])
{
    static const int w[17] = { 7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2 };
    snprintf(out, 19, "%.6s%.8s%.3s", region, ymd, seq);
    int sum = 0;
    for (int i = 0; i < 17; i++)
        sum += (out[i] - '0') * w[i];
    out[17] = "10X98765432"[sum % 11];
    out[18] = '\0';
    return out;
}

static void test_published_vectors(void **state)
{
    (void)state;
    struct idcard id;

    assert_int_equal(idcard_parse("11010519491231002X", TODAY, &id), IDCARD_OK);
    assert_string_equal(id.number, "11010519491231002X");
    assert_int_equal(id.birth_year, 1949);
    assert_int_equal(id.birth_month, 12);
    assert_int_equal(id.birth_day, 31);
    assert_false(id.male);

    assert_int_equal(idcard_parse("34052419800101001X", TODAY, &id), IDCARD_OK);
    assert_string_equal(id.number, "34052419800101001X");
    assert_int_equal(id.birth_year, 1980);
    assert_int_equal(id.birth_month, 1);
    assert_int_equal(id.birth_day, 1);
    assert_true(id.male);

    assert_int_equal(idcard_parse("340524198001010013", TODAY, &id), IDCARD_CHECKSUM);
}

static void test_null_out_allowed(void **state)
{
    (void)state;
    assert_int_equal(idcard_parse("11010519491231002X", TODAY, NULL), IDCARD_OK);
    assert_int_equal(idcard_parse("340524198001010013", TODAY, NULL), IDCARD_CHECKSUM);
}

static void test_out_untouched_on_error(void **state)
{
    (void)state;
    struct idcard id;
    memset(&id, 0x5a, sizeof id);
    struct idcard before = id;
    assert_int_equal(idcard_parse("340524198001010013", TODAY, &id), IDCARD_CHECKSUM);
    assert_memory_equal(&id, &before, sizeof id);
}

static void test_wrong_length(void **state)
{
    (void)state;
    assert_int_equal(idcard_parse("11010519491231002", TODAY, NULL), IDCARD_LENGTH);
    assert_int_equal(idcard_parse("11010519491231002X1", TODAY, NULL), IDCARD_LENGTH);
    assert_int_equal(idcard_parse("", TODAY, NULL), IDCARD_LENGTH);
    assert_int_equal(idcard_parse(NULL, TODAY, NULL), IDCARD_LENGTH);
    /* 15-digit first-generation numbers are not accepted. */
    assert_int_equal(idcard_parse("110105491231002", TODAY, NULL), IDCARD_LENGTH);
    /* Length is checked before characters. */
    assert_int_equal(idcard_parse("abc", TODAY, NULL), IDCARD_LENGTH);
}

static void test_lowercase_x_normalised(void **state)
{
    (void)state;
    struct idcard id;
    assert_int_equal(idcard_parse("11010519491231002x", TODAY, &id), IDCARD_OK);
    assert_string_equal(id.number, "11010519491231002X");
    assert_int_equal(idcard_parse("34052419800101001x", TODAY, &id), IDCARD_OK);
    assert_string_equal(id.number, "34052419800101001X");
}

static void test_bad_chars(void **state)
{
    (void)state;
    /* Letters among the first 17. */
    assert_int_equal(idcard_parse("A1010519491231002X", TODAY, NULL), IDCARD_CHARS);
    assert_int_equal(idcard_parse("1101051949123100AX", TODAY, NULL), IDCARD_CHARS);
    assert_int_equal(idcard_parse("110105194912310a2X", TODAY, NULL), IDCARD_CHARS);
    /* X anywhere but last. */
    assert_int_equal(idcard_parse("X10105194912310021", TODAY, NULL), IDCARD_CHARS);
    assert_int_equal(idcard_parse("1101051949123100X2", TODAY, NULL), IDCARD_CHARS);
    assert_int_equal(idcard_parse("1101051949123100x2", TODAY, NULL), IDCARD_CHARS);
    /* Bad check character. */
    assert_int_equal(idcard_parse("11010519491231002Y", TODAY, NULL), IDCARD_CHARS);
    assert_int_equal(idcard_parse("11010519491231002 ", TODAY, NULL), IDCARD_CHARS);
    /* Punctuation, spaces and non-ASCII bytes. */
    assert_int_equal(idcard_parse("110105-9491231002X", TODAY, NULL), IDCARD_CHARS);
    assert_int_equal(idcard_parse(" 11010519491231002", TODAY, NULL), IDCARD_CHARS);
    assert_int_equal(idcard_parse("11010519491231\xff\xfe\xfdX", TODAY, NULL), IDCARD_CHARS);
    /* Characters are checked before the date: month 13 plus a letter. */
    assert_int_equal(idcard_parse("1101051949130100AX", TODAY, NULL), IDCARD_CHARS);
}

static void test_bad_dates(void **state)
{
    (void)state;
    char n[19];
    assert_int_equal(idcard_parse(make_id("110105", "20230230", "002", n), TODAY, NULL),
                     IDCARD_DATE);   /* Feb 30 */
    assert_int_equal(idcard_parse(make_id("110105", "20230229", "002", n), TODAY, NULL),
                     IDCARD_DATE);   /* not a leap year */
    assert_int_equal(idcard_parse(make_id("110105", "19000229", "002", n), TODAY, NULL),
                     IDCARD_DATE);   /* century, not a leap year */
    assert_int_equal(idcard_parse(make_id("110105", "19801301", "002", n), TODAY, NULL),
                     IDCARD_DATE);   /* month 13 */
    assert_int_equal(idcard_parse(make_id("110105", "19800001", "002", n), TODAY, NULL),
                     IDCARD_DATE);   /* month 00 */
    assert_int_equal(idcard_parse(make_id("110105", "19800100", "002", n), TODAY, NULL),
                     IDCARD_DATE);   /* day 00 */
    assert_int_equal(idcard_parse(make_id("110105", "19800431", "002", n), TODAY, NULL),
                     IDCARD_DATE);   /* April 31 */
    assert_int_equal(idcard_parse(make_id("110105", "19801232", "002", n), TODAY, NULL),
                     IDCARD_DATE);   /* day 32 */
    assert_int_equal(idcard_parse(make_id("110105", "18991231", "002", n), TODAY, NULL),
                     IDCARD_DATE);   /* before 1900 */
    assert_int_equal(idcard_parse(make_id("110105", "00000000", "002", n), TODAY, NULL),
                     IDCARD_DATE);

    /* The date is checked before the checksum. */
    make_id("110105", "20230230", "002", n);
    n[17] = n[17] == '0' ? '1' : '0';
    assert_int_equal(idcard_parse(n, TODAY, NULL), IDCARD_DATE);
}

static void test_valid_edge_dates(void **state)
{
    (void)state;
    char n[19];
    struct idcard id;
    assert_int_equal(idcard_parse(make_id("110105", "20000229", "003", n), TODAY, &id),
                     IDCARD_OK);     /* 2000 is a leap year */
    assert_int_equal(id.birth_month, 2);
    assert_int_equal(id.birth_day, 29);
    assert_int_equal(idcard_parse(make_id("110105", "19960229", "003", n), TODAY, NULL),
                     IDCARD_OK);
    assert_int_equal(idcard_parse(make_id("110105", "19000101", "003", n), TODAY, NULL),
                     IDCARD_OK);     /* earliest accepted year */
    assert_int_equal(idcard_parse(make_id("110105", "19801231", "003", n), TODAY, NULL),
                     IDCARD_OK);
    assert_int_equal(idcard_parse(make_id("110105", "19800430", "003", n), TODAY, NULL),
                     IDCARD_OK);
    /* Unknown region codes are not rejected. */
    assert_int_equal(idcard_parse(make_id("000000", "19800101", "001", n), TODAY, NULL),
                     IDCARD_OK);
    assert_int_equal(idcard_parse(make_id("999999", "19800101", "001", n), TODAY, NULL),
                     IDCARD_OK);
}

static void test_future_birth_date(void **state)
{
    (void)state;
    char n[19];
    /* Born today is fine; tomorrow is not. */
    assert_int_equal(idcard_parse(make_id("110105", "20240615", "001", n), 20240615, NULL),
                     IDCARD_OK);
    assert_int_equal(idcard_parse(make_id("110105", "20240616", "001", n), 20240615, NULL),
                     IDCARD_DATE);
    assert_int_equal(idcard_parse(make_id("110105", "20250101", "001", n), 20241231, NULL),
                     IDCARD_DATE);
    assert_int_equal(idcard_parse(make_id("110105", "20241231", "001", n), 20241231, NULL),
                     IDCARD_OK);
    /* The same number becomes valid once its date has passed. */
    assert_int_equal(idcard_parse(make_id("110105", "20240616", "001", n), 20240616, NULL),
                     IDCARD_OK);
}

static void test_system_clock(void **state)
{
    (void)state;
    char n[19];
    /* today_ymd == 0 uses the system clock. */
    assert_int_equal(idcard_parse("11010519491231002X", 0, NULL), IDCARD_OK);
    assert_int_equal(idcard_parse(make_id("110105", "29991231", "001", n), 0, NULL),
                     IDCARD_DATE);
    struct idcard id;
    assert_int_equal(idcard_parse("34052419800101001X", 0, &id), IDCARD_OK);
    assert_true(idcard_age(&id, 0) >= 44);
}

static void test_age(void **state)
{
    (void)state;
    char n[19];
    struct idcard id;
    assert_int_equal(idcard_parse(make_id("110105", "19800615", "001", n), TODAY, &id),
                     IDCARD_OK);
    assert_int_equal(idcard_age(&id, 20240614), 43);   /* day before birthday */
    assert_int_equal(idcard_age(&id, 20240615), 44);   /* on the birthday */
    assert_int_equal(idcard_age(&id, 20240616), 44);
    assert_int_equal(idcard_age(&id, 20240531), 43);   /* month before */
    assert_int_equal(idcard_age(&id, 20240701), 44);
    assert_int_equal(idcard_age(&id, 19800615), 0);    /* day of birth */
    assert_int_equal(idcard_age(&id, 19810614), 0);
    assert_int_equal(idcard_age(&id, 19810615), 1);

    assert_int_equal(idcard_parse("11010519491231002X", TODAY, &id), IDCARD_OK);
    assert_int_equal(idcard_age(&id, 20241230), 74);
    assert_int_equal(idcard_age(&id, 20241231), 75);
    assert_int_equal(idcard_age(&id, 20250101), 75);

    /* Born on 29 February: a year older from 1 March in non-leap years. */
    assert_int_equal(idcard_parse(make_id("110105", "20000229", "001", n), TODAY, &id),
                     IDCARD_OK);
    assert_int_equal(idcard_age(&id, 20230228), 22);
    assert_int_equal(idcard_age(&id, 20230301), 23);
    assert_int_equal(idcard_age(&id, 20240228), 23);
    assert_int_equal(idcard_age(&id, 20240229), 24);

    /* Before birth and NULL. */
    assert_int_equal(idcard_age(&id, 20000228), -1);
    assert_int_equal(idcard_age(NULL, TODAY), -1);
}

static void test_gender(void **state)
{
    (void)state;
    char n[19];
    struct idcard id;
    static const struct { const char *seq; bool male; } cases[] = {
        { "000", false }, { "001", true }, { "002", false }, { "009", true },
        { "010", false }, { "123", true }, { "998", false }, { "999", true },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        assert_int_equal(idcard_parse(make_id("340524", "19800101", cases[i].seq, n),
                                      TODAY, &id), IDCARD_OK);
        assert_int_equal(id.male, cases[i].male);
    }
}

static void test_all_check_chars(void **state)
{
    (void)state;
    /* Vary the sequence so every check character occurs; the right one is
     * accepted and every other one is a checksum error. */
    static const char checks[] = "0123456789X";
    bool seen[11] = { false };
    for (int seq = 0; seq < 1000; seq++) {
        char s[4], n[19];
        snprintf(s, sizeof s, "%03d", seq);
        make_id("340524", "19800101", s, n);
        char good = n[17];
        seen[strchr(checks, good) - checks] = true;
        assert_int_equal(idcard_parse(n, TODAY, NULL), IDCARD_OK);
        for (int k = 0; k < 11; k++) {
            if (checks[k] == good)
                continue;
            n[17] = checks[k];
            assert_int_equal(idcard_parse(n, TODAY, NULL), IDCARD_CHECKSUM);
        }
    }
    for (int k = 0; k < 11; k++)
        assert_true(seen[k]);
}

static void test_single_digit_change(void **state)
{
    (void)state;
    /* Changing any one of the first 17 digits breaks the checksum (or the
     * date, for the date digits). */
    const char *good = "34052419800101001X";
    for (int i = 0; i < 17; i++) {
        char n[19];
        memcpy(n, good, sizeof n);
        n[i] = n[i] == '9' ? '0' : (char)(n[i] + 1);
        enum idcard_error e = idcard_parse(n, TODAY, NULL);
        assert_true(e == IDCARD_CHECKSUM || e == IDCARD_DATE);
    }
}

static void test_mask(void **state)
{
    (void)state;
    char out[19];
    idcard_mask("11010519491231002X", out);
    assert_string_equal(out, "110105********002X");
    idcard_mask("340524198001010013", out);
    assert_string_equal(out, "340524********0013");

    /* Anything not 18 characters long reveals nothing. */
    memset(out, 'Z', sizeof out);
    idcard_mask("1101051949123100", out);
    assert_string_equal(out, "");
    idcard_mask("", out);
    assert_string_equal(out, "");
    idcard_mask(NULL, out);
    assert_string_equal(out, "");
    idcard_mask("11010519491231002X", NULL);   /* must not crash */
}

static void test_error_codes_and_messages(void **state)
{
    (void)state;
    assert_string_equal(idcard_error_code(IDCARD_LENGTH), "id_length");
    assert_string_equal(idcard_error_code(IDCARD_CHARS), "id_chars");
    assert_string_equal(idcard_error_code(IDCARD_DATE), "id_date");
    assert_string_equal(idcard_error_code(IDCARD_CHECKSUM), "id_checksum");
    assert_non_null(idcard_error_code(IDCARD_OK));

    assert_string_equal(idcard_error_message(IDCARD_LENGTH), "身份证号应为18位");
    assert_string_equal(idcard_error_message(IDCARD_CHARS), "身份证号含有非法字符");
    assert_string_equal(idcard_error_message(IDCARD_DATE), "身份证号中的出生日期无效");
    assert_string_equal(idcard_error_message(IDCARD_CHECKSUM), "身份证号校验位不正确");
    assert_non_null(idcard_error_message(IDCARD_OK));

    /* Out-of-range values still return a string. */
    assert_non_null(idcard_error_code((enum idcard_error)99));
    assert_non_null(idcard_error_message((enum idcard_error)99));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_published_vectors),
        cmocka_unit_test(test_null_out_allowed),
        cmocka_unit_test(test_out_untouched_on_error),
        cmocka_unit_test(test_wrong_length),
        cmocka_unit_test(test_lowercase_x_normalised),
        cmocka_unit_test(test_bad_chars),
        cmocka_unit_test(test_bad_dates),
        cmocka_unit_test(test_valid_edge_dates),
        cmocka_unit_test(test_future_birth_date),
        cmocka_unit_test(test_system_clock),
        cmocka_unit_test(test_age),
        cmocka_unit_test(test_gender),
        cmocka_unit_test(test_all_check_chars),
        cmocka_unit_test(test_single_digit_change),
        cmocka_unit_test(test_mask),
        cmocka_unit_test(test_error_codes_and_messages),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
