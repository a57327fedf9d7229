/*
 * crypto.c: libsodium wrappers for tokens, passwords and the key file.
 */
#include "lib/crypto.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sodium.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char dummy_hash[CRYPTO_PWHASH_LEN];
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;

/*
 * Random bytes for nonces, tokens and codes come from a generator per
 * thread: ChaCha20 (libsodium's randombytes_buf_deterministic) keyed from
 * the system's generator once, and keyed anew from its own output on every
 * call, so that what it gave cannot be recovered from its state (fast key
 * erasure, as libsodium's own internal generator does).  A getrandom()
 * system call for each of a join's three nonces and tokens took 5% of the
 * request threads' time (perf, the join benchmark); a token of 32
 * characters took 32 of them.  A child made by fork() keys its own
 * (pthread_atfork).
 */
static _Thread_local struct {
    unsigned char key[randombytes_SEEDBYTES];
    bool keyed;
} rng;

static void rng_forget(void)
{
    sodium_memzero(&rng, sizeof rng);
}

static void rng_setup(void)
{
    pthread_atfork(NULL, NULL, rng_forget);
}

int crypto_init(void)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    if (sodium_init() < 0)
        return -1;
    pthread_once(&once, rng_setup);
    return 0;
}

#define RNG_CHUNK 256

void crypto_random_buf(void *out, size_t n)
{
    unsigned char b[randombytes_SEEDBYTES + RNG_CHUNK];
    while (n) {
        size_t k = n < RNG_CHUNK ? n : RNG_CHUNK;
        if (!rng.keyed) {
            randombytes_buf(rng.key, sizeof rng.key);
            rng.keyed = true;
        }
        randombytes_buf_deterministic(b, sizeof rng.key + k, rng.key);
        memcpy(rng.key, b, sizeof rng.key);
        memcpy(out, b + sizeof rng.key, k);
        out = (unsigned char *)out + k;
        n -= k;
    }
    sodium_memzero(b, sizeof b);
}

uint32_t crypto_random_below(uint32_t n)
{
    if (n < 2)
        return 0;
    /* Rejection: values from the top, incomplete run of n are drawn again. */
    uint32_t min = (uint32_t)-n % n, v;
    do
        crypto_random_buf(&v, sizeof v);
    while (v < min);
    return v % n;
}

void crypto_token(char out[CRYPTO_TOKEN_LEN + 1])
{
    unsigned char raw[32];
    crypto_random_buf(raw, sizeof raw);
    sodium_bin2base64(out, CRYPTO_TOKEN_LEN + 1, raw, sizeof raw,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(raw, sizeof raw);
}

void crypto_random_alnum(char *out, size_t n)
{
    static const char alphabet[] =
        "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
    for (size_t i = 0; i + 1 < n; i++)
        out[i] = alphabet[crypto_random_below(sizeof alphabet - 1)];
    if (n)
        out[n - 1] = 0;
}

void crypto_digest(const char *s, unsigned char out[CRYPTO_DIGEST_BYTES])
{
    crypto_generichash(out, CRYPTO_DIGEST_BYTES, (const unsigned char *)s, strlen(s), NULL, 0);
}

void crypto_digest_hex(const char *s, char out[CRYPTO_DIGEST_HEX + 1])
{
    unsigned char d[CRYPTO_DIGEST_BYTES];
    crypto_digest(s, d);
    crypto_hex(out, d, sizeof d);
}

void crypto_hex(char *out, const unsigned char *in, size_t n)
{
    sodium_bin2hex(out, 2 * n + 1, in, n);
}

int crypto_password_hash(const char *password, char out[CRYPTO_PWHASH_LEN])
{
    return crypto_pwhash_str(out, password, strlen(password),
                             crypto_pwhash_OPSLIMIT_INTERACTIVE,
                             crypto_pwhash_MEMLIMIT_INTERACTIVE) == 0 ? 0 : -1;
}

bool crypto_password_verify(const char *hash, const char *password)
{
    return crypto_pwhash_str_verify(hash, password, strlen(password)) == 0;
}

static void make_dummy(void)
{
    char pw[24];
    crypto_random_alnum(pw, sizeof pw);
    if (crypto_password_hash(pw, dummy_hash) != 0)
        dummy_hash[0] = 0;
}

const char *crypto_dummy_hash(void)
{
    pthread_once(&dummy_once, make_dummy);
    return dummy_hash;
}

bool crypto_streq(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la != lb)
        return false;
    return sodium_memcmp(a, b, la) == 0;
}

int crypto_key_create(const char *path)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0)
        return -1;
    unsigned char key[CRYPTO_KEY_BYTES];
    randombytes_buf(key, sizeof key);
    ssize_t n = write(fd, key, sizeof key);
    sodium_memzero(key, sizeof key);
    int ok = n == (ssize_t)sizeof key && fsync(fd) == 0;
    int saved = errno;
    close(fd);
    if (!ok) {
        unlink(path);
        errno = saved ? saved : EIO;
        return -1;
    }
    return 0;
}

int crypto_key_load(const char *path, unsigned char key[CRYPTO_KEY_BYTES])
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    struct stat st;
    if (fstat(fd, &st) != 0 || (st.st_mode & 077) || st.st_size != CRYPTO_KEY_BYTES) {
        close(fd);
        errno = EPERM;
        return -1;
    }
    ssize_t n = read(fd, key, CRYPTO_KEY_BYTES);
    close(fd);
    if (n != CRYPTO_KEY_BYTES) {
        errno = EIO;
        return -1;
    }
    return 0;
}

void vault_init(struct vault *v, const unsigned char key[CRYPTO_KEY_BYTES])
{
    crypto_kdf_derive_from_key(v->enc, sizeof v->enc, 1, "ub-vault", key);
    crypto_kdf_derive_from_key(v->hash, sizeof v->hash, 2, "ub-vault", key);
}

void vault_seal(const struct vault *v, const void *plain, size_t n, unsigned char *out)
{
    crypto_random_buf(out, crypto_secretbox_NONCEBYTES);
    crypto_secretbox_easy(out + crypto_secretbox_NONCEBYTES, plain, n, out, v->enc);
}

int vault_open(const struct vault *v, const unsigned char *sealed, size_t n, char *out)
{
    if (n < VAULT_SEAL_OVERHEAD)
        return -1;
    if (crypto_secretbox_open_easy((unsigned char *)out, sealed + crypto_secretbox_NONCEBYTES,
                                   n - crypto_secretbox_NONCEBYTES, sealed, v->enc) != 0)
        return -1;
    out[n - VAULT_SEAL_OVERHEAD] = 0;
    return 0;
}

void vault_digest(const struct vault *v, const char *kind, const char *s,
                  unsigned char out[VAULT_DIGEST_BYTES])
{
    crypto_generichash_state st;
    crypto_generichash_init(&st, v->hash, sizeof v->hash, VAULT_DIGEST_BYTES);
    crypto_generichash_update(&st, (const unsigned char *)kind, strlen(kind) + 1);
    crypto_generichash_update(&st, (const unsigned char *)s, strlen(s));
    crypto_generichash_final(&st, out, VAULT_DIGEST_BYTES);
}
_Static_assert(VAULT_DIGEST_BYTES >= crypto_generichash_BYTES_MIN, "digest size");
_Static_assert(VAULT_SEAL_OVERHEAD == crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES, "overhead");
