/*
 * test_csv.c: cmocka unit tests for src/lib/csv.c: plain records, CRLF,
 * LF and lone CR line ends, the last line without one, quoted fields with
 * commas, line breaks and doubled quotes, empty fields and empty lines, the
 * UTF-8 BOM (skipped only at the start), an unclosed quote, Excel-style
 * leniency about stray quotes, line numbers, growth past the first
 * allocation, and csv_put_field quoting, read back by the reader.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "lib/buf.h"
#include "lib/csv.h"

/* Reads the next record of r and checks it is exactly the n fields given. */
static void expect_record(struct csv_reader *r, size_t n, ...)
{
    assert_int_equal(csv_next(r), 1);
    assert_int_equal(r->nfields, n);
    va_list ap;
    va_start(ap, n);
    for (size_t i = 0; i < n; i++) {
        const char *want = va_arg(ap, const char *);
        assert_string_equal(r->fields[i], want);
        assert_int_equal(r->lens[i], strlen(want));
    }
    va_end(ap);
}

static void test_plain_records_and_line_ends(void **state)
{
    (void)state;
    static const char data[] = "a,b,c\r\nd,e,f\ng,h,i\rj,k,l";
    struct csv_reader r;
    csv_init(&r, data, sizeof data - 1);
    expect_record(&r, 3, "a", "b", "c");
    assert_int_equal(r.line, 1);
    assert_int_equal(r.record, 1);
    expect_record(&r, 3, "d", "e", "f");
    assert_int_equal(r.line, 2);
    expect_record(&r, 3, "g", "h", "i");
    assert_int_equal(r.line, 3);
    expect_record(&r, 3, "j", "k", "l");         /* no line end at the end */
    assert_int_equal(r.line, 4);
    assert_int_equal(r.record, 4);
    assert_int_equal(csv_next(&r), 0);
    assert_int_equal(csv_next(&r), 0);           /* and stays at the end */
    csv_free(&r);
}

static void test_quoted_fields(void **state)
{
    (void)state;
    static const char data[] =
        "\"北京市密云区鼓楼街道38号,西侧平房\",x\r\n"
        "\"two\r\nlines\",\"say \"\"hi\"\"\",\"\"\r\n"
        "\"\"\"\",\",\",\"\n\"\r\n"
        "after,\"last\"";
    struct csv_reader r;
    csv_init(&r, data, sizeof data - 1);
    expect_record(&r, 2, "北京市密云区鼓楼街道38号,西侧平房", "x");
    expect_record(&r, 3, "two\r\nlines", "say \"hi\"", "");
    assert_int_equal(r.line, 2);
    expect_record(&r, 3, "\"", ",", "\n");
    assert_int_equal(r.line, 4);                 /* the record above took two */
    expect_record(&r, 2, "after", "last");
    assert_int_equal(r.line, 6);
    assert_int_equal(csv_next(&r), 0);
    csv_free(&r);
}

static void test_empty_fields_and_lines(void **state)
{
    (void)state;
    static const char data[] = ",,\r\n\r\na,\r\n,b\r\n\"\",\r\n";
    struct csv_reader r;
    csv_init(&r, data, sizeof data - 1);
    expect_record(&r, 3, "", "", "");
    expect_record(&r, 1, "");                    /* an empty line */
    expect_record(&r, 2, "a", "");
    expect_record(&r, 2, "", "b");
    expect_record(&r, 2, "", "");
    assert_int_equal(csv_next(&r), 0);           /* no record after the last CRLF */
    csv_free(&r);

    csv_init(&r, "", 0);
    assert_int_equal(csv_next(&r), 0);
    csv_free(&r);
}

static void test_bom(void **state)
{
    (void)state;
    static const char data[] = CSV_BOM "姓名,手机号\r\n" CSV_BOM "x,y\r\n";
    struct csv_reader r;
    csv_init(&r, data, sizeof data - 1);
    expect_record(&r, 2, "姓名", "手机号");
    /* Only the file's first bytes are a byte-order mark. */
    expect_record(&r, 2, CSV_BOM "x", "y");
    assert_int_equal(csv_next(&r), 0);
    csv_free(&r);

    csv_init(&r, CSV_BOM, 3);                    /* nothing but a BOM */
    assert_int_equal(csv_next(&r), 0);
    csv_free(&r);
}

static void test_unclosed_quote(void **state)
{
    (void)state;
    static const char data[] = "a,b\r\nc,\"open\r\nmore\r\nstill\r\n";
    struct csv_reader r;
    csv_init(&r, data, sizeof data - 1);
    expect_record(&r, 2, "a", "b");
    assert_int_equal(csv_next(&r), -1);
    assert_int_equal(r.line, 2);                 /* where the quote opened */
    assert_int_equal(csv_next(&r), 0);
    csv_free(&r);
}

static void test_lenient_quotes(void **state)
{
    (void)state;
    /* A quote inside an unquoted field is a character; text after a
     * closing quote joins the field, as Excel reads it. */
    static const char data[] = "5'10\",ab\"c\r\n\"quoted\"tail,x\r\n";
    struct csv_reader r;
    csv_init(&r, data, sizeof data - 1);
    expect_record(&r, 2, "5'10\"", "ab\"c");
    expect_record(&r, 2, "quotedtail", "x");
    assert_int_equal(csv_next(&r), 0);
    csv_free(&r);
}

static void test_growth_and_fields_in_place(void **state)
{
    (void)state;
    struct buf b;
    buf_init(&b);
    for (int i = 0; i < 100; i++)
        buf_printf(&b, "%sf%d", i ? "," : "", i);
    buf_puts(&b, "\r\n");
    for (int i = 0; i < 5000; i++)
        buf_putc(&b, 'x');
    buf_puts(&b, ",\"");
    for (int i = 0; i < 3000; i++)
        buf_puts(&b, "\"\"");
    buf_puts(&b, "\"\r\n");
    struct csv_reader r;
    csv_init(&r, b.data, b.len);
    assert_int_equal(csv_next(&r), 1);
    assert_int_equal(r.nfields, 100);
    char want[8];
    for (int i = 0; i < 100; i++) {
        snprintf(want, sizeof want, "f%d", i);
        assert_string_equal(r.fields[i], want);
    }
    assert_int_equal(csv_next(&r), 1);
    assert_int_equal(r.nfields, 2);
    assert_int_equal(r.lens[0], 5000);
    assert_int_equal(r.lens[1], 3000);
    assert_true(strspn(r.fields[0], "x") == 5000);
    assert_true(strspn(r.fields[1], "\"") == 3000);
    r.fields[1][0] = 'y';                        /* the caller may edit in place */
    assert_int_equal(r.fields[1][0], 'y');
    assert_int_equal(csv_next(&r), 0);
    csv_free(&r);
    buf_free(&b);
}

static void test_put_field_round_trip(void **state)
{
    (void)state;
    static const char *const fields[] = {
        "plain", "", "with,comma", "say \"hi\"", "two\r\nlines", "张三", "lf\nonly",
    };
    enum { N = sizeof fields / sizeof *fields };
    struct buf b;
    buf_init(&b);
    for (int i = 0; i < N; i++) {
        if (i)
            buf_putc(&b, ',');
        csv_put_field(&b, fields[i], strlen(fields[i]));
    }
    assert_string_equal(b.data, "plain,,\"with,comma\",\"say \"\"hi\"\"\",\"two\r\nlines\","
                                "张三,\"lf\nonly\"");
    buf_puts(&b, "\r\n");
    struct csv_reader r;
    csv_init(&r, b.data, b.len);
    assert_int_equal(csv_next(&r), 1);
    assert_int_equal(r.nfields, N);
    for (int i = 0; i < N; i++)
        assert_string_equal(r.fields[i], fields[i]);
    assert_int_equal(csv_next(&r), 0);
    csv_free(&r);
    buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain_records_and_line_ends),
        cmocka_unit_test(test_quoted_fields),
        cmocka_unit_test(test_empty_fields_and_lines),
        cmocka_unit_test(test_bom),
        cmocka_unit_test(test_unclosed_quote),
        cmocka_unit_test(test_lenient_quotes),
        cmocka_unit_test(test_growth_and_fields_in_place),
        cmocka_unit_test(test_put_field_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
