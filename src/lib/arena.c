/*
 * arena.c: bump allocation in growing blocks, and a few blocks of the
 * standard size kept per thread for the next arena (a request's arena is
 * made and freed on one server thread, over and over).
 */
#include "lib/arena.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct arena_block {
    struct arena_block *next;
    size_t size, used;
    _Alignas(16) unsigned char data[];
};

/* A join's state (about 6 KiB) fits in one block with its request's
 * strings. */
#define ARENA_BLOCK 16384
#define SPARES_MAX 2

/* The calling thread's spare blocks, freed when it exits. */
static __thread struct arena_block *spares;
static __thread int nspares;
static __thread bool registered;    /* for spares_exit */
static pthread_key_t spares_key;
static pthread_once_t spares_once = PTHREAD_ONCE_INIT;

static void free_list(struct arena_block *b)
{
    while (b) {
        struct arena_block *next = b->next;
        free(b);
        b = next;
    }
}

static void spares_exit(void *unused)
{
    (void)unused;
    free_list(spares);
    spares = NULL;
    nspares = 0;
    registered = false;
}

static void spares_init(void)
{
    pthread_key_create(&spares_key, spares_exit);
}

static struct arena_block *block_new(size_t size)
{
    struct arena_block *b;
    if (size == ARENA_BLOCK && spares) {
        b = spares;
        spares = b->next;
        nspares--;
    } else {
        b = xmalloc(sizeof *b + size);
        b->size = size;
    }
    b->used = 0;
    return b;
}

void arena_init(struct arena *a)
{
    a->head = NULL;
}

void arena_free(struct arena *a)
{
    struct arena_block *b = a->head;
    a->head = NULL;
    while (b) {
        struct arena_block *next = b->next;
        if (b->size == ARENA_BLOCK && nspares < SPARES_MAX) {
            if (!registered) {
                /* A key with a value has its destructor run at exit. */
                pthread_once(&spares_once, spares_init);
                pthread_setspecific(spares_key, &spares);
                registered = true;
            }
            b->next = spares;
            spares = b;
            nspares++;
        } else {
            free(b);
        }
        b = next;
    }
}

void *arena_alloc(struct arena *a, size_t n)
{
    n = (n + 15) & ~(size_t)15;
    struct arena_block *b = a->head;
    if (!b || b->size - b->used < n) {
        b = block_new(n > ARENA_BLOCK / 2 ? n : ARENA_BLOCK);
        if (n > ARENA_BLOCK / 2 && a->head) {
            /* A big one-off: keep the current small block in front. */
            b->next = a->head->next;
            a->head->next = b;
            b->used = n;
            return b->data;
        }
        b->next = a->head;
        a->head = b;
    }
    void *p = b->data + b->used;
    b->used += n;
    return p;
}

void *arena_zalloc(struct arena *a, size_t n)
{
    void *p = arena_alloc(a, n);
    memset(p, 0, n);
    return p;
}

char *arena_strndup(struct arena *a, const char *s, size_t n)
{
    char *d = arena_alloc(a, n + 1);
    memcpy(d, s, n);
    d[n] = 0;
    return d;
}

char *arena_strdup(struct arena *a, const char *s)
{
    return s ? arena_strndup(a, s, strlen(s)) : NULL;
}

char *arena_printf(struct arena *a, const char *fmt, ...)
{
    char small[128];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0)
        n = 0;
    char *d = arena_alloc(a, (size_t)n + 1);
    if ((size_t)n < sizeof small) {
        memcpy(d, small, (size_t)n + 1);
        return d;
    }
    va_start(ap, fmt);
    vsnprintf(d, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return d;
}
