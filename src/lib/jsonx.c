/*
 * jsonx.c: counters in JSON documents; JSON text written into a buf.
 */
#include "lib/jsonx.h"

#include <inttypes.h>
#include <stdio.h>

#include "lib/util.h"

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
        unsigned cp;
        size_t n;
        if (c >= 0x80 && (n = ub_utf8_char(p, &cp)) != 0) {
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
