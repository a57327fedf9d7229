/*
 * crypto.h: everything secret, through libsodium.
 *
 * - random tokens (sessions, API tokens, join tokens), URL-safe base64;
 * - token digests: only a BLAKE2b digest of a bearer token is stored, so a
 *   copy of the database grants no access;
 * - password hashing with Argon2id (crypto_pwhash_str);
 * - the data key file that later modules use to encrypt personal data.
 */
#ifndef UB_CRYPTO_H
#define UB_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CRYPTO_TOKEN_LEN 43          /* 32 random bytes, base64url, no padding */
#define CRYPTO_DIGEST_BYTES 32
#define CRYPTO_DIGEST_HEX 64         /* 32-byte digest as hex */
#define CRYPTO_PWHASH_LEN 128        /* >= crypto_pwhash_STRBYTES */
#define CRYPTO_KEY_BYTES 32

/* Initialises libsodium; returns 0 or -1.  Call once at start-up. */
int crypto_init(void);

/* Writes a fresh random token (CRYPTO_TOKEN_LEN chars + NUL) to out. */
void crypto_token(char out[CRYPTO_TOKEN_LEN + 1]);

/* Writes a random string of n-1 chars from [A-Za-z0-9] to out (n bytes). */
void crypto_random_alnum(char *out, size_t n);

/* n random bytes (see crypto.c: a ChaCha20 generator per thread). */
void crypto_random_buf(void *out, size_t n);

/* A uniformly random number below n (n > 0). */
uint32_t crypto_random_below(uint32_t n);

/* Writes the BLAKE2b-256 digest of s to out; _hex as hex. */
void crypto_digest(const char *s, unsigned char out[CRYPTO_DIGEST_BYTES]);
void crypto_digest_hex(const char *s, char out[CRYPTO_DIGEST_HEX + 1]);
/* The n bytes at in as lowercase hex in out (2n + 1 bytes). */
void crypto_hex(char *out, const unsigned char *in, size_t n);

/* Hashes a password with Argon2id into out; returns 0 or -1 (out of memory
 * in the hash function). */
int crypto_password_hash(const char *password, char out[CRYPTO_PWHASH_LEN]);

/* Returns true if password matches the stored hash.  Runs in the time of
 * one hash whether or not it matches. */
bool crypto_password_verify(const char *hash, const char *password);

/* A hash that verifies nothing, for spending the same time on unknown
 * accounts as on known ones. */
const char *crypto_dummy_hash(void);

/* Constant-time comparison of two NUL-terminated strings. */
bool crypto_streq(const char *a, const char *b);

/*
 * The vault: keys derived from the key file for personal data.  `enc`
 * encrypts (XSalsa20-Poly1305, a fresh nonce per value); `hash` keys the
 * BLAKE2b digests through which encrypted values are looked up (the same
 * ID number always gives the same digest, which reveals nothing without
 * the key).
 */
struct vault {
    unsigned char enc[32];
    unsigned char hash[32];
};

#define VAULT_SEAL_OVERHEAD 40      /* nonce (24) + tag (16) */

/* Derives the vault's keys from the master key. */
void vault_init(struct vault *v, const unsigned char key[CRYPTO_KEY_BYTES]);

/* Encrypts n bytes of plain into out (n + VAULT_SEAL_OVERHEAD bytes). */
void vault_seal(const struct vault *v, const void *plain, size_t n, unsigned char *out);

/* Decrypts a sealed value of n bytes into out (n - VAULT_SEAL_OVERHEAD
 * bytes, plus a NUL for text); returns 0, or -1 if it was tampered with or
 * sealed with another key. */
int vault_open(const struct vault *v, const unsigned char *sealed, size_t n, char *out);

/*
 * The keyed digest through which a sealed value is found: 16 bytes of
 * keyed BLAKE2b (a 128-bit output, not a truncated longer one).  Stored
 * as a 16-byte blob, it is small enough that the indexes over it stay
 * cheap to write, and large enough that two different values sharing a
 * digest is not a case to handle: among a billion people the chance of
 * any collision is about 1.5e-21, and without the key nobody can search
 * for one.  A digest match therefore counts as the same value (one
 * person, one membership rests on it).
 */
#define VAULT_DIGEST_BYTES 16

/* Writes the keyed digest of s, domain-separated by `kind` (e.g. "id",
 * "phone"), to out. */
void vault_digest(const struct vault *v, const char *kind, const char *s,
                  unsigned char out[VAULT_DIGEST_BYTES]);

/* Creates a key file with a fresh random key and mode 0600; fails if it
 * exists.  Returns 0 or -1 with errno set. */
int crypto_key_create(const char *path);

/* Loads a key file into key; returns 0, or -1 (missing, unreadable, wrong
 * size, or readable by group/others). */
int crypto_key_load(const char *path, unsigned char key[CRYPTO_KEY_BYTES]);

#endif
