/*
 * test_qr.c: unit tests for lib/qr (QR codes as PNG and SVG).
 *
 * PNGs are written to temporary files and decoded with zbarimg (zbar-tools)
 * to prove they scan back to the input.  zbarimg cannot read SVG, so the SVG
 * path is rasterised here and compared module for module with the PNG, and
 * both with libqrencode's own level-M matrix (which pins the EC level and
 * the 4-module quiet zone).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <png.h>
#include <qrencode.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/qr.h"

#define URL "http://127.0.0.1:8080/j/AbC123_-xyz"

static const unsigned char png_sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n',
                                         0x1a, '\n'};

/* Returns the big-endian 32-bit value at p. */
static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
           (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

/* Checks that data (n bytes) is a PNG whose first chunk is IHDR and returns
 * its width; also checks the image is square. */
static uint32_t png_width(const char *data, size_t n)
{
    const unsigned char *p = (const unsigned char *)data;
    assert_true(n > 33);
    assert_memory_equal(p, png_sig, sizeof png_sig);
    assert_int_equal(be32(p + 8), 13);
    assert_memory_equal(p + 12, "IHDR", 4);
    uint32_t w = be32(p + 16), h = be32(p + 20);
    assert_int_equal(w, h);
    return w;
}

/* Writes n bytes to a new temporary file and returns its path (static
 * storage, overwritten by the next call); the caller unlinks it. */
static const char *write_temp(const char *data, size_t n)
{
    static char path[64];
    strcpy(path, "/tmp/ub_test_qr_XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, n, f), n);
    assert_int_equal(fclose(f), 0);
    return path;
}

/* Decodes the image at path with zbarimg.  Returns a malloc'd string (the
 * caller frees it) without the trailing newline, or NULL if zbarimg found
 * nothing or failed. */
static char *zbar_decode(const char *path)
{
    char cmd[256];
    snprintf(cmd, sizeof cmd, "zbarimg -q --raw '%s' 2>/dev/null", path);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    size_t cap = 4096, len = 0;
    char *s = malloc(cap);
    assert_non_null(s);
    size_t got;
    while ((got = fread(s + len, 1, cap - len - 1, p)) > 0) {
        len += got;
        if (cap - len < 2) {
            cap *= 2;
            s = realloc(s, cap);
            assert_non_null(s);
        }
    }
    int status = pclose(p);
    s[len] = 0;
    if (status != 0 || len == 0) {
        free(s);
        return NULL;
    }
    if (s[len - 1] == '\n')
        s[len - 1] = 0;
    return s;
}

/* Renders text as a PNG at scale, decodes it with zbarimg and asserts the
 * result equals text. */
static void assert_png_roundtrip(const char *text, int scale)
{
    struct buf b;
    buf_init(&b);
    assert_int_equal(qr_png(text, scale, &b), 0);
    png_width(b.data, b.len);
    const char *path = write_temp(b.data, b.len);
    char *got = zbar_decode(path);
    unlink(path);
    buf_free(&b);
    assert_non_null(got);
    assert_string_equal(got, text);
    free(got);
}

/* Asserts that both renderers reject text and leave b untouched. */
static void assert_rejected(const char *text, struct buf *b)
{
    size_t len = b->len;
    char *before = b->data ? strdup(b->data) : NULL;

    assert_int_equal(qr_png(text, 4, b), -1);
    assert_int_equal(b->len, len);
    assert_int_equal(qr_svg(text, b), -1);
    assert_int_equal(b->len, len);
    if (before) {
        assert_string_equal(b->data, before);
    } else {
        assert_null(b->data);
    }
    free(before);
}

static void test_png_url_roundtrip(void **state)
{
    (void)state;
    assert_png_roundtrip(URL, 4);
    assert_png_roundtrip(URL, 2);
}

static void test_png_utf8_roundtrip(void **state)
{
    (void)state;
    assert_png_roundtrip("https://example.com/s?q=a%20b&x=1#frag", 3);
    assert_png_roundtrip("\xe5\xbc\xa0\xe4\xb8\x89 Zhang San", 3);
}

static void test_png_long_roundtrip(void **state)
{
    (void)state;
    char text[1201];
    for (size_t i = 0; i < sizeof text - 1; i++)
        text[i] = "abcdefghijklmnopqrstuvwxyz0123456789/-_:."[i % 41];
    text[sizeof text - 1] = 0;
    assert_png_roundtrip(text, 2);
}

static void test_png_scales(void **state)
{
    (void)state;
    uint32_t w[4];
    const int scales[4] = {1, 2, 5, 32};
    for (int i = 0; i < 4; i++) {
        struct buf b;
        buf_init(&b);
        assert_int_equal(qr_png(URL, scales[i], &b), 0);
        w[i] = png_width(b.data, b.len);
        buf_free(&b);
        assert_int_equal(w[i] % (uint32_t)scales[i], 0);
    }
    /* Width is (symbol + 2 * 4 quiet modules) * scale; symbols are
     * 21 + 4k modules wide. */
    uint32_t modules = w[0];
    assert_true(modules >= 21 + 8);
    assert_int_equal((modules - 8 - 21) % 4, 0);
    for (int i = 1; i < 4; i++) {
        assert_int_not_equal(w[i], w[i - 1]);
        assert_int_equal(w[i], modules * (uint32_t)scales[i]);
    }
}

static void test_png_appends(void **state)
{
    (void)state;
    struct buf b;
    buf_init(&b);
    buf_puts(&b, "prefix");
    assert_int_equal(qr_png(URL, 2, &b), 0);
    assert_memory_equal(b.data, "prefix", 6);
    png_width(b.data + 6, b.len - 6);
    buf_free(&b);
}

static void test_png_bad_scale(void **state)
{
    (void)state;
    struct buf b;
    buf_init(&b);
    assert_int_equal(qr_png(URL, 0, &b), -1);
    assert_int_equal(qr_png(URL, -3, &b), -1);
    assert_int_equal(qr_png(URL, 100000, &b), -1);
    assert_int_equal(b.len, 0);
    assert_null(b.data);
}

static void test_rejects_bad_text(void **state)
{
    (void)state;
    char *big = malloc(8001);
    assert_non_null(big);
    memset(big, 'a', 8000);
    big[8000] = 0;

    struct buf b;
    buf_init(&b);
    assert_rejected(NULL, &b);
    assert_rejected("", &b);
    assert_rejected(big, &b);

    buf_puts(&b, "keep");
    assert_rejected(NULL, &b);
    assert_rejected("", &b);
    assert_rejected(big, &b);
    assert_string_equal(b.data, "keep");

    buf_free(&b);
    free(big);
}

static void test_svg_structure(void **state)
{
    (void)state;
    struct buf b;
    buf_init(&b);
    assert_int_equal(qr_svg(URL, &b), 0);
    const char *s = b.data;

    assert_int_equal(strncmp(s, "<svg", 4), 0);
    assert_non_null(strstr(s, "xmlns=\"http://www.w3.org/2000/svg\""));
    assert_non_null(strstr(s, "viewBox=\"0 0 "));
    assert_non_null(strstr(s, "shape-rendering=\"crispEdges\""));
    assert_non_null(strstr(s, "fill=\"#fff\""));
    assert_non_null(strstr(s, "width=\""));
    assert_non_null(strstr(s, "height=\""));

    const char *path = strstr(s, "<path");
    assert_non_null(path);
    assert_null(strstr(path + 1, "<path"));

    assert_null(strstr(s, "<script"));
    assert_null(strstr(s, "href"));
    assert_null(strstr(s, "url("));
    assert_null(strstr(s, "127.0.0.1"));
    assert_int_equal(strcmp(s + b.len - 7, "</svg>\n"), 0);
    assert_int_equal(strlen(s), b.len);
    buf_free(&b);
}

/* Rasterises the SVG from qr_svg() into a malloc'd n*n module matrix (1 =
 * dark; the caller frees it), checking the path syntax on the way. */
static unsigned char *svg_modules(const char *svg, int *n_out)
{
    int n, n2;
    const char *vb = strstr(svg, "viewBox=\"0 0 ");
    assert_non_null(vb);
    assert_int_equal(sscanf(vb, "viewBox=\"0 0 %d %d\"", &n, &n2), 2);
    assert_int_equal(n, n2);
    assert_true(n >= 29 && n <= 185);

    unsigned char *m = calloc((size_t)n * (size_t)n, 1);
    assert_non_null(m);
    const char *d = strstr(svg, " d=\"");
    assert_non_null(d);
    d += 4;
    while (*d == 'M') {
        int x, y, w, w2, used = 0;
        assert_int_equal(sscanf(d, "M%d %dh%dv1h-%dz%n", &x, &y, &w, &w2,
                                &used), 4);
        assert_true(used > 0);
        assert_int_equal(w, w2);
        assert_true(w >= 1);
        /* Nothing may fall in the 4-module quiet zone. */
        assert_true(x >= 4 && y >= 4 && x + w <= n - 4 && y < n - 4);
        for (int i = 0; i < w; i++) {
            assert_int_equal(m[y * n + x + i], 0); /* runs do not overlap */
            m[y * n + x + i] = 1;
        }
        d += used;
    }
    assert_int_equal(*d, '"');
    *n_out = n;
    return m;
}

/* Decodes a PNG from memory to 8-bit gray; returns malloc'd pixels (the
 * caller frees them) and the width. */
static unsigned char *png_gray(const char *data, size_t len, int *w_out)
{
    png_image img;
    memset(&img, 0, sizeof img);
    img.version = PNG_IMAGE_VERSION;
    assert_true(png_image_begin_read_from_memory(&img, data, len));
    img.format = PNG_FORMAT_GRAY;
    unsigned char *px = malloc(PNG_IMAGE_SIZE(img));
    assert_non_null(px);
    assert_true(png_image_finish_read(&img, NULL, px, 0, NULL));
    assert_int_equal(img.width, img.height);
    *w_out = (int)img.width;
    png_image_free(&img);
    return px;
}

static void test_svg_matches_png(void **state)
{
    (void)state;
    struct buf svg, png;
    buf_init(&svg);
    buf_init(&png);
    assert_int_equal(qr_svg(URL, &svg), 0);
    assert_int_equal(qr_png(URL, 1, &png), 0);

    int n, w;
    unsigned char *m = svg_modules(svg.data, &n);
    unsigned char *px = png_gray(png.data, png.len, &w);
    assert_int_equal(n, w);

    /* The PNG at scale 1 has one pixel per module: the two must agree, and
     * the PNG decodes (see the round-trip tests), so the SVG is right too. */
    int dark = 0;
    for (int i = 0; i < n * n; i++) {
        int png_dark = px[i] < 128;
        assert_int_equal(m[i], png_dark);
        dark += png_dark;
    }
    assert_true(dark > 0);
    /* Both match libqrencode's level-M symbol framed by 4 light modules. */
    QRcode *qr = QRcode_encodeString(URL, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
    assert_non_null(qr);
    assert_int_equal(n, qr->width + 8);
    for (int y = 0; y < n; y++)
        for (int x = 0; x < n; x++) {
            int in = x >= 4 && y >= 4 && x < n - 4 && y < n - 4;
            int want = in ? qr->data[(y - 4) * qr->width + (x - 4)] & 1 : 0;
            assert_int_equal(m[y * n + x], want);
        }
    QRcode_free(qr);
    /* Top-left finder pattern corner sits just inside the quiet zone. */
    assert_int_equal(m[4 * n + 4], 1);
    assert_int_equal(m[3 * n + 3], 0);

    free(m);
    free(px);
    buf_free(&svg);
    buf_free(&png);
}

static void test_png_quiet_zone(void **state)
{
    (void)state;
    const int scale = 3;
    struct buf b;
    buf_init(&b);
    assert_int_equal(qr_png(URL, scale, &b), 0);
    int w;
    unsigned char *px = png_gray(b.data, b.len, &w);
    const int q = 4 * scale;
    for (int y = 0; y < w; y++)
        for (int x = 0; x < w; x++)
            if (x < q || y < q || x >= w - q || y >= w - q)
                assert_int_equal(px[y * w + x], 255);
    /* The finder pattern starts right after the quiet zone. */
    assert_int_equal(px[q * w + q], 0);
    assert_int_equal(px[(q + scale - 1) * w + q + scale - 1], 0);
    free(px);
    buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_png_url_roundtrip),
        cmocka_unit_test(test_png_utf8_roundtrip),
        cmocka_unit_test(test_png_long_roundtrip),
        cmocka_unit_test(test_png_scales),
        cmocka_unit_test(test_png_appends),
        cmocka_unit_test(test_png_bad_scale),
        cmocka_unit_test(test_rejects_bad_text),
        cmocka_unit_test(test_svg_structure),
        cmocka_unit_test(test_svg_matches_png),
        cmocka_unit_test(test_png_quiet_zone),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
