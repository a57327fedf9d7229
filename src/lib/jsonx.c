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

/* A comma, unless the text so far ends where a value needs none. */
static void sep(struct buf *b)
{
    if (b->len) {
        char last = b->data[b->len - 1];
        if (last != '[' && last != '{' && last != ':')
            buf_putc(b, ',');
    }
}

static void quoted(struct buf *b, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    buf_putc(b, '"');
    const char *run = s;
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        buf_append(b, run, (size_t)(s - run));
        run = s + 1;
        if (c == '"' || c == '\\') {
            char esc[2] = {'\\', (char)c};
            buf_append(b, esc, 2);
        } else {
            char esc[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
            buf_append(b, esc, 6);
        }
    }
    buf_append(b, run, (size_t)(s - run));
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
    static const char digits[] = "0123456789abcdef";
    lead(b, key);
    buf_grow(b, 2 * n + 2);
    char *o = b->data + b->len;
    const unsigned char *s = p;
    *o++ = '"';
    for (size_t i = 0; i < n; i++) {
        *o++ = digits[s[i] >> 4];
        *o++ = digits[s[i] & 15];
    }
    *o++ = '"';
    b->len = (size_t)(o - b->data);
    b->data[b->len] = 0;
}
