/*
 * qr.c: QR codes (libqrencode) rendered as PNG (libpng) or SVG.
 *
 * Owns the encoding step (error correction M, automatic mode selection, case
 * sensitive) and both renderers.  Every symbol gets a 4-module white quiet
 * zone on each side.  The text itself is never embedded in the output.
 *
 * Output is appended to a buf the caller owns; on failure the buf is left
 * exactly as it was.  The QRcode from libqrencode is freed here on every path.
 */
#include "lib/qr.h"

#include <png.h>
#include <qrencode.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

/* Quiet zone, in modules, on each side of the symbol. */
#define QR_QUIET 4

/* Largest accepted PNG scale.  A version 40 symbol plus quiet zone is 185
 * modules, so this caps images at 5920x5920 pixels. */
#define QR_MAX_SCALE 32

/* SVG width/height in px per module, so the code prints large by default. */
#define QR_SVG_PX 8

/* Encodes text at level M.  Returns a QRcode the caller frees with
 * QRcode_free(), or NULL if text is NULL, empty or does not fit in a
 * version 40 symbol. */
static QRcode *qr_encode(const char *text)
{
    if (!text || !*text)
        return NULL;
    return QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
}

/* Returns true if module (x, y) of the symbol, in symbol coordinates (the
 * quiet zone excluded), is dark.  Coordinates outside the symbol are light. */
static int qr_dark(const QRcode *qr, int x, int y)
{
    if (x < 0 || y < 0 || x >= qr->width || y >= qr->width)
        return 0;
    return qr->data[(size_t)y * (size_t)qr->width + (size_t)x] & 1;
}

/* ---- PNG ---------------------------------------------------------------- */

/* libpng write callback: appends to the struct buf given as io pointer. */
static void png_buf_write(png_structp png, png_bytep data, size_t n)
{
    buf_append(png_get_io_ptr(png), data, n);
}

/* libpng flush callback: nothing to flush for an in-memory buf.  (Passing
 * NULL would make libpng fflush() the io pointer as if it were a FILE.) */
static void png_buf_flush(png_structp png)
{
    (void)png;
}

/* libpng error callback: unwinds to the setjmp in png_run().  libpng's
 * default would print to stderr; the caller only needs the -1. */
static void png_on_error(png_structp png, png_const_charp msg)
{
    (void)msg;
    png_longjmp(png, 1);
}

/* libpng warning callback: warnings are ignored. */
static void png_on_warning(png_structp png, png_const_charp msg)
{
    (void)png;
    (void)msg;
}

/* Writes the whole image: a 1-bit grayscale PNG, `scale` pixels per module,
 * quiet zone included.  row is scratch space of (size+7)/8 bytes, where size
 * is the image width in pixels.  May longjmp out on a libpng error. */
static void png_emit(png_structp png, png_infop info, const QRcode *qr,
                     int scale, png_bytep row)
{
    int modules = qr->width + 2 * QR_QUIET;
    int size = modules * scale;
    size_t row_bytes = ((size_t)size + 7) / 8;

    png_set_IHDR(png, info, (png_uint_32)size, (png_uint_32)size, 1,
                 PNG_COLOR_TYPE_GRAY, PNG_INTERLACE_NONE,
                 PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_set_filter(png, PNG_FILTER_TYPE_BASE, PNG_FILTER_NONE);
    png_set_compression_level(png, 9);
    png_write_info(png, info);

    for (int my = 0; my < modules; my++) {
        /* 1 bits are white; pack pixels MSB first. */
        memset(row, 0xff, row_bytes);
        for (int px = 0; px < size; px++) {
            int mx = px / scale;
            if (qr_dark(qr, mx - QR_QUIET, my - QR_QUIET))
                row[px / 8] &= (png_byte)~(0x80u >> (px % 8));
        }
        for (int i = 0; i < scale; i++)
            png_write_row(png, row);
    }
    png_write_end(png, info);
}

/* Runs png_emit() under a setjmp.  Returns 0, or -1 if libpng reported an
 * error.  Kept apart from png_emit() so no local is live across longjmp. */
static int png_run(png_structp png, png_infop info, const QRcode *qr,
                   int scale, png_bytep row)
{
    if (setjmp(png_jmpbuf(png)))
        return -1;
    png_emit(png, info, qr, scale, row);
    return 0;
}

int qr_png(const char *text, int scale, struct buf *out)
{
    if (scale < 1 || scale > QR_MAX_SCALE)
        return -1;
    QRcode *qr = qr_encode(text);
    if (!qr)
        return -1;

    size_t start = out->len;
    int size = (qr->width + 2 * QR_QUIET) * scale;
    png_bytep row = xmalloc(((size_t)size + 7) / 8);
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL,
                                              png_on_error, png_on_warning);
    png_infop info = png ? png_create_info_struct(png) : NULL;
    int rc = -1;

    if (png && info) {
        png_set_write_fn(png, out, png_buf_write, png_buf_flush);
        rc = png_run(png, info, qr, scale, row);
    }
    /* Accepts png == NULL and info == NULL. */
    png_destroy_write_struct(&png, &info);
    free(row);
    QRcode_free(qr);

    if (rc != 0) {
        /* Drop whatever part of the image was written. */
        out->len = start;
        if (out->data)
            out->data[start] = 0;
    }
    return rc;
}

/* ---- SVG ---------------------------------------------------------------- */

int qr_svg(const char *text, struct buf *out)
{
    QRcode *qr = qr_encode(text);
    if (!qr)
        return -1;

    int n = qr->width + 2 * QR_QUIET;
    buf_printf(out,
               "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\""
               " width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\""
               " shape-rendering=\"crispEdges\">"
               "<rect width=\"%d\" height=\"%d\" fill=\"#fff\"/>"
               "<path fill=\"#000\" d=\"",
               n * QR_SVG_PX, n * QR_SVG_PX, n, n, n, n);

    /* One closed 1-module-high rectangle per horizontal run of dark
     * modules, in viewBox (quiet zone included) coordinates. */
    for (int y = 0; y < qr->width; y++) {
        int x = 0;
        while (x < qr->width) {
            if (!qr_dark(qr, x, y)) {
                x++;
                continue;
            }
            int run = x;
            while (x < qr->width && qr_dark(qr, x, y))
                x++;
            buf_printf(out, "M%d %dh%dv1h-%dz", run + QR_QUIET, y + QR_QUIET,
                       x - run, x - run);
        }
    }
    buf_puts(out, "\"/></svg>\n");
    QRcode_free(qr);
    return 0;
}
