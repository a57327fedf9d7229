/*
 * qr.h: QR codes (libqrencode) rendered as PNG (libpng) or SVG.
 *
 * Error correction level M, a 4-module quiet zone.  Output goes to a buf the
 * caller owns.
 */
#ifndef UB_QR_H
#define UB_QR_H

#include "lib/buf.h"

/* Renders `text` as a PNG with `scale` pixels per module (>= 1) into out.
 * Returns 0, or -1 if the text cannot be encoded (too long, bad input). */
int qr_png(const char *text, int scale, struct buf *out);

/* Renders `text` as a standalone SVG document (one path, crisp edges,
 * viewBox in modules) into out.  Returns 0 or -1. */
int qr_svg(const char *text, struct buf *out);

#endif
