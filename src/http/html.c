/*
 * html.c: escaping printf for pages.
 */
#include "http/html.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void html_escape(struct buf *b, const char *s)
{
    if (!s)
        return;
    const char *run = s;
    for (const char *p = s; *p; p++) {
        const char *rep = NULL;
        switch (*p) {
        case '&': rep = "&amp;"; break;
        case '<': rep = "&lt;"; break;
        case '>': rep = "&gt;"; break;
        case '"': rep = "&quot;"; break;
        case '\'': rep = "&#39;"; break;
        default: continue;
        }
        buf_append(b, run, (size_t)(p - run));
        buf_puts(b, rep);
        run = p + 1;
    }
    buf_puts(b, run);
}

void html_raw_trusted(struct buf *b, const char *markup)
{
    buf_puts(b, markup);
}

void html_url_escape(struct buf *b, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9')
            || *p == '-' || *p == '_' || *p == '.' || *p == '~') {
            buf_putc(b, (char)*p);
        } else {
            buf_putc(b, '%');
            buf_putc(b, hex[*p >> 4]);
            buf_putc(b, hex[*p & 15]);
        }
    }
}

void html_printf(struct buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    const char *p = fmt;
    while (*p) {
        const char *pct = strchr(p, '%');
        if (!pct) {
            buf_puts(b, p);
            break;
        }
        buf_append(b, p, (size_t)(pct - p));
        /* Collect one conversion: flags, width, length, then the type. */
        const char *q = pct + 1;
        while (*q && strchr("-+ #0123456789.", *q))
            q++;
        char len[3] = "";
        size_t nl = 0;
        while (*q && strchr("hlzjt", *q) && nl < 2)
            len[nl++] = *q++;
        len[nl] = 0;
        char spec[32];
        size_t sl = (size_t)(q - pct) + 1;
        if (!*q || sl >= sizeof spec) {
            buf_puts(b, pct);
            break;
        }
        memcpy(spec, pct, sl);
        spec[sl] = 0;
        switch (*q) {
        case '%':
            buf_putc(b, '%');
            break;
        case 's': {
            const char *s = va_arg(ap, const char *);
            const char *dot = memchr(spec, '.', sl);
            if (dot && s) {
                /* A precision: at most that many bytes, never half a
                 * UTF-8 character. */
                size_t max = (size_t)strtoul(dot + 1, NULL, 10), n = strnlen(s, max);
                while (n > 0 && n < strlen(s) && ((unsigned char)s[n] & 0xc0) == 0x80)
                    n--;
                char *cut = strndup(s, n);
                html_escape(b, cut);
                free(cut);
            } else {
                html_escape(b, s);
            }
            break;
        }
        case 'c':
            buf_printf(b, "%c", (char)va_arg(ap, int));
            break;
        case 'd': case 'i': case 'u': case 'x': case 'X':
            if (strcmp(len, "ll") == 0)
                buf_printf(b, spec, va_arg(ap, long long));
            else if (strcmp(len, "l") == 0)
                buf_printf(b, spec, va_arg(ap, long));
            else if (strcmp(len, "z") == 0)
                buf_printf(b, spec, va_arg(ap, size_t));
            else if (strcmp(len, "j") == 0)
                buf_printf(b, spec, va_arg(ap, intmax_t));
            else if (strcmp(len, "t") == 0)
                buf_printf(b, spec, va_arg(ap, ptrdiff_t));
            else
                buf_printf(b, spec, va_arg(ap, int));
            break;
        case 'f': case 'g': case 'e':
            buf_printf(b, spec, va_arg(ap, double));
            break;
        default:
            /* Unsupported conversions are a programming error; print them
             * visibly rather than guess at the argument. */
            buf_puts(b, "[bad format]");
            break;
        }
        p = q + 1;
    }
    va_end(ap);
}
