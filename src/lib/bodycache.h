/*
 * bodycache.h: a small cache of rendered response bodies by key (the join
 * page of each join token), safe to use from any thread.
 *
 * An entry is good while the caller's generation number is the one it was
 * made at (the store moves it on when this process commits a change the
 * bodies show) and for at most `ttl_ns` (changes made by other processes
 * sharing the database are seen after that).  Direct-mapped: a key takes
 * the slot of its hash and replaces whatever was there.
 */
#ifndef UB_BODYCACHE_H
#define UB_BODYCACHE_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/buf.h"

struct body_cache;

/* A cache of `slots` entries (a power of two) that live ttl_ns at most;
 * freed with body_cache_free, which takes NULL. */
struct body_cache *body_cache_new(size_t slots, uint64_t ttl_ns);
void body_cache_free(struct body_cache *c);

/* Appends key's body to out and returns true if there is a good one for
 * generation gen; returns false and leaves out alone otherwise. */
bool body_cache_get(struct body_cache *c, const char *key, uint64_t gen, struct buf *out);
/* Keeps a copy of body (len bytes) for key, made at generation gen.  A
 * key longer than 63 bytes is not kept. */
void body_cache_put(struct body_cache *c, const char *key, uint64_t gen, const void *body,
                    size_t len);

#endif
