/*
 * jsonx.c: counters in JSON documents; JSON text written into a buf.
 */
#include "lib/jsonx.h"

#include <inttypes.h>
#include <stdio.h>

void json_bump(json_t *obj, const char *key, json_int_t n)
{
    json_t *v = json_object_get(obj, key);
    if (v)
        json_integer_set(v, json_integer_value(v) + n);
    else
        json_object_set_new(obj, key, json_integer(n));
}

json_int_t json_int_at(const json_t *obj, const char *a, const char *b)
{
    const json_t *v = json_object_get(obj, a);
    return json_integer_value(b ? json_object_get(v, b) : v);
}

/* ---- The writer ---------------------------------------------------------- */

static const char hex_digits[] = "0123456789abcdef";

/* A comma, unless the text so far ends where a value needs none. */
static void sep(struct buf *b)
{
    if (b->len) {
        char last = b->data[b->len - 1];
        if (last != '[' && last != '{' && last != ':')
            buf_putc(b, ',');
    }
}

/* The length of the well-formed UTF-8 sequence at p (lead byte >= 0x80),
 * or 0. */
static size_t utf8_seq(const unsigned char *p)
{
    size_t n;
    unsigned cp;
    if ((p[0] & 0xe0) == 0xc0) { n = 2; cp = p[0] & 0x1f; }
    else if ((p[0] & 0xf0) == 0xe0) { n = 3; cp = p[0] & 0x0f; }
    else if ((p[0] & 0xf8) == 0xf0) { n = 4; cp = p[0] & 0x07; }
    else return 0;
    for (size_t i = 1; i < n; i++) {
        if ((p[i] & 0xc0) != 0x80)
            return 0;
        cp = (cp << 6) | (p[i] & 0x3f);
    }
    if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000)
        || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    return n;
}

/* s as a JSON string: '"' and '\' escaped, control characters as \u
 * escapes, and a byte that is not part of well-formed UTF-8 (text cut in
 * the middle of a character) as U+FFFD, so that the whole stays JSON
 * every parser takes. */
static void quoted(struct buf *b, const char *s)
{
    buf_putc(b, '"');
    const unsigned char *p = (const unsigned char *)s, *run = p;
    while (*p) {
        unsigned char c = *p;
        size_t n = 1;
        if (c >= 0x80 && (n = utf8_seq(p)) != 0) {
            p += n;
            continue;
        }
        if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
            p++;
            continue;
        }
        buf_append(b, run, (size_t)(p - run));
        if (c >= 0x80) {
            buf_append(b, "\xef\xbf\xbd", 3);
        } else if (c == '"' || c == '\\') {
            char esc[2] = {'\\', (char)c};
            buf_append(b, esc, 2);
        } else {
            char esc[6] = {'\\', 'u', '0', '0', hex_digits[c >> 4], hex_digits[c & 15]};
            buf_append(b, esc, 6);
        }
        run = ++p;
    }
    buf_append(b, run, (size_t)(p - run));
    buf_putc(b, '"');
}

/* The comma and key before a value. */
static void lead(struct buf *b, const char *key)
{
    sep(b);
    if (key) {
        quoted(b, key);
        buf_putc(b, ':');
    }
}

void jw_open(struct buf *b, const char *key, char bracket)
{
    lead(b, key);
    buf_putc(b, bracket);
}

void jw_close(struct buf *b, char bracket)
{
    buf_putc(b, bracket);
}

void jw_str(struct buf *b, const char *key, const char *s)
{
    lead(b, key);
    if (s)
        quoted(b, s);
    else
        buf_append(b, "null", 4);
}

void jw_int(struct buf *b, const char *key, int64_t v)
{
    lead(b, key);
    char num[24];
    int n = snprintf(num, sizeof num, "%" PRId64, v);
    buf_append(b, num, (size_t)n);
}

void jw_id(struct buf *b, const char *key, int64_t id)
{
    if (id)
        jw_int(b, key, id);
    else
        jw_str(b, key, NULL);
}

void jw_hex(struct buf *b, const char *key, const void *p, size_t n)
{
    lead(b, key);
    buf_grow(b, 2 * n + 2);
    char *o = b->data + b->len;
    const unsigned char *s = p;
    *o++ = '"';
    for (size_t i = 0; i < n; i++) {
        *o++ = hex_digits[s[i] >> 4];
        *o++ = hex_digits[s[i] & 15];
    }
    *o++ = '"';
    b->len = (size_t)(o - b->data);
    b->data[b->len] = 0;
}
