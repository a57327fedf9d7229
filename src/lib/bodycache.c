/*
 * bodycache.c: rendered bodies by key, one reader-writer lock per slot, so
 * that readers of one hot key never wait for each other (bodycache.h).
 */
#include "lib/bodycache.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "lib/util.h"

#define KEY_MAX 64

struct slot {
    pthread_rwlock_t lock;
    char key[KEY_MAX];              /* "" : empty */
    uint64_t gen;
    uint64_t expires;               /* ub_mono_ns() deadline */
    char *body;                     /* malloc'd, owned by the slot */
    size_t len;
};

struct body_cache {
    size_t mask;
    uint64_t ttl;
    struct slot *slots;
};

struct body_cache *body_cache_new(size_t slots, uint64_t ttl_ns)
{
    struct body_cache *c = xcalloc(1, sizeof *c);
    c->mask = slots - 1;
    c->ttl = ttl_ns;
    c->slots = xcalloc(slots, sizeof *c->slots);
    for (size_t i = 0; i < slots; i++)
        pthread_rwlock_init(&c->slots[i].lock, NULL);
    return c;
}

void body_cache_free(struct body_cache *c)
{
    if (!c)
        return;
    for (size_t i = 0; i <= c->mask; i++) {
        pthread_rwlock_destroy(&c->slots[i].lock);
        free(c->slots[i].body);
    }
    free(c->slots);
    free(c);
}

static struct slot *slot_of(struct body_cache *c, const char *key)
{
    uint64_t h = 1469598103934665603u;         /* FNV-1a */
    for (const unsigned char *p = (const unsigned char *)key; *p; p++)
        h = (h ^ *p) * 1099511628211u;
    return &c->slots[h & c->mask];
}

bool body_cache_get(struct body_cache *c, const char *key, uint64_t gen, struct buf *out)
{
    struct slot *s = slot_of(c, key);
    bool hit = false;
    pthread_rwlock_rdlock(&s->lock);
    if (s->body && s->gen == gen && strcmp(s->key, key) == 0 && ub_mono_ns() < s->expires) {
        buf_append(out, s->body, s->len);
        hit = true;
    }
    pthread_rwlock_unlock(&s->lock);
    return hit;
}

void body_cache_put(struct body_cache *c, const char *key, uint64_t gen, const void *body,
                    size_t len)
{
    if (strlen(key) >= KEY_MAX)
        return;
    char *copy = xmalloc(len ? len : 1);
    memcpy(copy, body, len);
    struct slot *s = slot_of(c, key);
    pthread_rwlock_wrlock(&s->lock);
    char *old = s->body;
    memcpy(s->key, key, strlen(key) + 1);
    s->gen = gen;
    s->expires = ub_mono_ns() + c->ttl;
    s->body = copy;
    s->len = len;
    pthread_rwlock_unlock(&s->lock);
    free(old);
}
