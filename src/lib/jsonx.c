/*
 * jsonx.c: counters in JSON documents.
 */
#include "lib/jsonx.h"

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
