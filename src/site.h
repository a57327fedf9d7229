/*
 * site.h: what handlers need to know about the running site, handed to
 * the HTTP server as its opaque app pointer by `serve` and read back with
 * site_of(r).  A leaf header: it depends on nothing above lib/.
 */
#ifndef UB_SITE_H
#define UB_SITE_H

#include "lib/crypto.h"

struct giveaway_cache;
struct body_cache;

struct site {
    const struct vault *vault;      /* keys for personal data */
    struct body_cache *join_pages;  /* rendered join pages by token; NULL: none */
    const char *base_url;           /* "https://ub.example.org", no trailing / */
    int join_rate;                  /* joins per address per 10 minutes (0: no limit) */
    struct giveaway_cache *giveaways;   /* this process's giveaway facts (domain/giveaway.h) */
};

#define site_of(r) ((const struct site *)http_app(r))

#endif
