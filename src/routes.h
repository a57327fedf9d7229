/*
 * routes.h: the one table of HTTP routes.
 */
#ifndef UB_ROUTES_H
#define UB_ROUTES_H

#include <stddef.h>

#include "http/server.h"

/* The table, in match order. */
void routes_table(const struct http_route **routes, size_t *n);

#endif
