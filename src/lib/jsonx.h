/*
 * jsonx.h: small helpers over jansson for documents used as counters.
 */
#ifndef UB_JSONX_H
#define UB_JSONX_H

#include <jansson.h>

/* Adds n to the integer obj[key], creating it at 0 first. */
void json_bump(json_t *obj, const char *key, json_int_t n);

/* The integer at obj.a (.b when b is not NULL); 0 if absent. */
json_int_t json_int_at(const json_t *obj, const char *a, const char *b);

#endif
