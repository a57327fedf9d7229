/*
 * arena.h: a bump allocator for memory that lives as long as one request
 * (or one command).  Everything allocated from an arena is freed at once by
 * arena_free(); nothing in it may be freed individually.
 */
#ifndef UB_ARENA_H
#define UB_ARENA_H

#include <stddef.h>
#include "lib/util.h"

struct arena_block;

struct arena {
    struct arena_block *head;
};

void arena_init(struct arena *a);
/* Frees every block; the arena may be reused afterwards. */
void arena_free(struct arena *a);
/* Returns n bytes aligned for any type; aborts on out of memory. */
void *arena_alloc(struct arena *a, size_t n);
void *arena_zalloc(struct arena *a, size_t n);
char *arena_strdup(struct arena *a, const char *s);
char *arena_strndup(struct arena *a, const char *s, size_t n);
char *arena_printf(struct arena *a, const char *fmt, ...) UB_PRINTF(2, 3);

#endif
