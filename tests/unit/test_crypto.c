/*
 * test_crypto.c: cmocka unit tests for src/lib/crypto.c: random tokens
 * (length, URL-safe alphabet, uniqueness), random alphanumeric strings,
 * the random generator per thread (threads and a forked child apart),
 * BLAKE2b token digests (known vectors, hex form, determinism), Argon2id
 * password hashes (format, salted, verify good/bad, the dummy hash),
 * constant-time string comparison, the vault's keyed digests (16 bytes,
 * a pinned vector, separated by kind and by key) and sealing, and the data
 * key file (created with
 * mode 0600, never overwritten; loading refuses files readable by group or
 * others and files of the wrong size).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/crypto.h"

static int group_setup(void **state)
{
    (void)state;
    umask(022);
    return crypto_init();
}

/* ---- tokens ------------------------------------------------------------ */

static int cmp_str(const void *a, const void *b)
{
    return strcmp((const char *)a, (const char *)b);
}

static void test_token_shape_and_uniqueness(void **state)
{
    (void)state;
    enum { N = 2000 };
    char (*tok)[CRYPTO_TOKEN_LEN + 1] = malloc(N * sizeof *tok);
    unsigned seen[256] = {0};
    for (int i = 0; i < N; i++) {
        memset(tok[i], '#', sizeof tok[i]);
        crypto_token(tok[i]);
        assert_int_equal(strlen(tok[i]), CRYPTO_TOKEN_LEN);
        for (const char *p = tok[i]; *p; p++) {
            char c = *p;
            if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
                  || c == '-' || c == '_'))
                fail_msg("token %s has character 0x%02x", tok[i], (unsigned char)c);
            seen[(unsigned char)c]++;
        }
    }
    qsort(tok, N, sizeof *tok, cmp_str);
    for (int i = 1; i < N; i++)
        if (strcmp(tok[i - 1], tok[i]) == 0)
            fail_msg("duplicate token %s", tok[i]);
    /* 2000 tokens of 43 chars: every one of the 64 characters shows up. */
    int distinct = 0;
    for (int c = 0; c < 256; c++)
        distinct += seen[c] != 0;
    assert_int_equal(distinct, 64);
    free(tok);
}

static void test_random_alnum(void **state)
{
    (void)state;
    char s[40];
    memset(s, '#', sizeof s);
    crypto_random_alnum(s, 33);
    assert_int_equal(strlen(s), 32);
    assert_int_equal(s[34], '#');
    char prev[40];
    memcpy(prev, s, sizeof prev);
    for (int round = 0; round < 200; round++) {
        crypto_random_alnum(s, 33);
        for (int i = 0; i < 32; i++) {
            char c = s[i];
            if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')))
                fail_msg("character 0x%02x outside [A-Za-z0-9]", (unsigned char)c);
        }
        assert_string_not_equal(s, prev);
        memcpy(prev, s, sizeof prev);
    }
    /* n = 1: just the terminator; n = 0: nothing written. */
    memset(s, '#', sizeof s);
    crypto_random_alnum(s, 1);
    assert_int_equal(s[0], 0);
    assert_int_equal(s[1], '#');
    memset(s, '#', sizeof s);
    crypto_random_alnum(s, 0);
    assert_int_equal(s[0], '#');
}

/* The generator per thread: the two threads, the parent and a child made
 * by fork() each draw their own bytes (none repeats another's 16); a draw
 * longer than one chunk is whole; numbers below n stay below it and each
 * value of a small n comes up (the chance of missing one of 7 in 7,000
 * draws is below 10^-400). */
struct draws {
    unsigned char b[64][16];
};

static void *draw_thread(void *arg)
{
    struct draws *d = arg;
    for (int i = 0; i < 64; i++)
        crypto_random_buf(d->b[i], sizeof d->b[i]);
    return NULL;
}

static void test_random_generator(void **state)
{
    (void)state;
    static struct draws d[3];
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, draw_thread, &d[0]), 0);
    draw_thread(&d[1]);
    assert_int_equal(pthread_join(t, NULL), 0);
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        struct draws c;
        draw_thread(&c);
        _exit(write(fds[1], &c, sizeof c) == (ssize_t)sizeof c ? 0 : 1);
    }
    close(fds[1]);
    draw_thread(&d[2]);
    struct draws child;
    size_t got = 0;
    ssize_t k;
    while (got < sizeof child
           && (k = read(fds[0], (char *)&child + got, sizeof child - got)) > 0)
        got += (size_t)k;
    close(fds[0]);
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_int_equal(got, sizeof child);
    const unsigned char(*all[4])[16] = {d[0].b, d[1].b, d[2].b, child.b};
    for (int a = 0; a < 4; a++)
        for (int i = 0; i < 64; i++)
            for (int b = a; b < 4; b++)
                for (int j = b == a ? i + 1 : 0; j < 64; j++)
                    assert_memory_not_equal(all[a][i], all[b][j], 16);

    unsigned char big[1000], zero[1000] = {0};
    memset(big, 0, sizeof big);
    crypto_random_buf(big, sizeof big);
    assert_memory_not_equal(big + 900, zero, 100);

    int seen[7] = {0};
    for (int i = 0; i < 7000; i++) {
        uint32_t v = crypto_random_below(7);
        assert_true(v < 7);
        seen[v]++;
    }
    for (int v = 0; v < 7; v++)
        assert_true(seen[v] > 0);
    assert_int_equal(crypto_random_below(1), 0);
}

/* ---- digests ----------------------------------------------------------- */

static void test_digest(void **state)
{
    (void)state;
    char d[CRYPTO_DIGEST_HEX + 1], e[CRYPTO_DIGEST_HEX + 1];
    /* BLAKE2b-256 reference values. */
    crypto_digest_hex("", d);
    assert_string_equal(d, "0e5751c026e543b2e8ab2eb06099daa1d1e5df47778f7787faab45cdf12fe3a8");
    crypto_digest_hex("abc", d);
    assert_string_equal(d, "bddd813c634239723171ef3fee98579b94964e3bb1cb3e427262c8c068d52319");

    /* Deterministic, lower-case hex of the full length, and different for
     * tokens that differ in one character. */
    char tok[CRYPTO_TOKEN_LEN + 1];
    crypto_token(tok);
    crypto_digest_hex(tok, d);
    crypto_digest_hex(tok, e);
    assert_string_equal(d, e);
    assert_int_equal(strlen(d), CRYPTO_DIGEST_HEX);
    assert_int_equal(strspn(d, "0123456789abcdef"), CRYPTO_DIGEST_HEX);
    tok[0] = tok[0] == 'A' ? 'B' : 'A';
    crypto_digest_hex(tok, e);
    assert_string_not_equal(d, e);
    /* The digest is not the token. */
    assert_null(strstr(d, tok));
}

/* ---- the vault ---------------------------------------------------------- */

/* Lower-case hex of n bytes into out (2n + 1). */
static void hex(const unsigned char *b, size_t n, char *out)
{
    for (size_t i = 0; i < n; i++)
        snprintf(out + 2 * i, 3, "%02x", b[i]);
}

static void test_vault_digest(void **state)
{
    (void)state;
    unsigned char key[CRYPTO_KEY_BYTES];
    for (int i = 0; i < CRYPTO_KEY_BYTES; i++)
        key[i] = (unsigned char)i;
    struct vault v, w;
    vault_init(&v, key);
    key[0] ^= 1;
    vault_init(&w, key);

    /* Pinned: the databases' lookups and unique indexes depend on these
     * exact bytes (keyed BLAKE2b-128 of kind, NUL, value; the key from the
     * key file through crypto_kdf, subkey 2 of "ub-vault"). */
    unsigned char d[VAULT_DIGEST_BYTES], e[VAULT_DIGEST_BYTES];
    char h[2 * VAULT_DIGEST_BYTES + 1];
    vault_digest(&v, "id", "11010519491231002X", d);
    hex(d, sizeof d, h);
    assert_string_equal(h, "043d4e52ce72e8c9106006b2e61ea4f3");
    vault_digest(&v, "phone", "13800001234", d);
    hex(d, sizeof d, h);
    assert_string_equal(h, "71fcc0ba1ffbe9ffd52e4855e730a045");

    /* Deterministic; another kind, another value or another key gives
     * another digest. */
    vault_digest(&v, "id", "11010519491231002X", d);
    vault_digest(&v, "id", "11010519491231002X", e);
    assert_memory_equal(d, e, sizeof d);
    vault_digest(&v, "phone", "11010519491231002X", e);
    assert_memory_not_equal(d, e, sizeof d);
    vault_digest(&v, "id", "34052419800101001X", e);
    assert_memory_not_equal(d, e, sizeof d);
    vault_digest(&w, "id", "11010519491231002X", e);
    assert_memory_not_equal(d, e, sizeof d);
}

static void test_vault_seal(void **state)
{
    (void)state;
    unsigned char key[CRYPTO_KEY_BYTES] = {7};
    struct vault v, w;
    vault_init(&v, key);
    key[1] = 1;
    vault_init(&w, key);
    unsigned char a[18 + VAULT_SEAL_OVERHEAD], b[18 + VAULT_SEAL_OVERHEAD];
    vault_seal(&v, "11010519491231002X", 18, a);
    vault_seal(&v, "11010519491231002X", 18, b);
    /* A fresh nonce each time: equal values do not look equal. */
    assert_memory_not_equal(a, b, sizeof a);
    char out[19];
    assert_int_equal(vault_open(&v, a, sizeof a, out), 0);
    assert_string_equal(out, "11010519491231002X");
    assert_int_equal(vault_open(&w, a, sizeof a, out), -1);
    a[sizeof a - 1] ^= 1;
    assert_int_equal(vault_open(&v, a, sizeof a, out), -1);
    assert_int_equal(vault_open(&v, a, VAULT_SEAL_OVERHEAD - 1, out), -1);
}

/* ---- passwords --------------------------------------------------------- */

static void test_password_hash_verify(void **state)
{
    (void)state;
    char h1[CRYPTO_PWHASH_LEN], h2[CRYPTO_PWHASH_LEN];
    assert_int_equal(crypto_password_hash("correct horse battery", h1), 0);
    assert_int_equal(strncmp(h1, "$argon2id$", 10), 0);
    assert_true(strlen(h1) < CRYPTO_PWHASH_LEN);
    assert_null(strstr(h1, "correct horse"));

    /* Salted: the same password hashes differently each time. */
    assert_int_equal(crypto_password_hash("correct horse battery", h2), 0);
    assert_string_not_equal(h1, h2);

    assert_true(crypto_password_verify(h1, "correct horse battery"));
    assert_true(crypto_password_verify(h2, "correct horse battery"));
    assert_false(crypto_password_verify(h1, "correct horse batterY"));
    assert_false(crypto_password_verify(h1, "correct horse battery "));
    assert_false(crypto_password_verify(h1, ""));

    /* A damaged or foreign hash verifies nothing. */
    assert_false(crypto_password_verify("", "correct horse battery"));
    assert_false(crypto_password_verify("not a hash", "correct horse battery"));
    char broken[CRYPTO_PWHASH_LEN];
    memcpy(broken, h1, sizeof broken);
    size_t n = strlen(broken);
    broken[n - 1] = broken[n - 1] == 'A' ? 'B' : 'A';
    assert_false(crypto_password_verify(broken, "correct horse battery"));
}

static void test_password_unicode(void **state)
{
    (void)state;
    char h[CRYPTO_PWHASH_LEN];
    assert_int_equal(crypto_password_hash("工会密码很长的一句话", h), 0);
    assert_true(crypto_password_verify(h, "工会密码很长的一句话"));
    assert_false(crypto_password_verify(h, "工会密码很长的一句"));
}

static void test_dummy_hash(void **state)
{
    (void)state;
    const char *d = crypto_dummy_hash();
    assert_non_null(d);
    assert_int_equal(strncmp(d, "$argon2id$", 10), 0);
    /* Made once. */
    assert_ptr_equal(crypto_dummy_hash(), d);
    assert_false(crypto_password_verify(d, "password123"));
    assert_false(crypto_password_verify(d, ""));
}

/* ---- streq ------------------------------------------------------------- */

static void test_streq(void **state)
{
    (void)state;
    assert_true(crypto_streq("", ""));
    assert_true(crypto_streq("abc", "abc"));
    assert_false(crypto_streq("abc", "abd"));
    assert_false(crypto_streq("abc", "ab"));
    assert_false(crypto_streq("ab", "abc"));
    assert_false(crypto_streq("", "a"));
    assert_false(crypto_streq("Abc", "abc"));
    char t1[CRYPTO_TOKEN_LEN + 1], t2[CRYPTO_TOKEN_LEN + 1];
    crypto_token(t1);
    memcpy(t2, t1, sizeof t2);
    assert_true(crypto_streq(t1, t2));
    t2[CRYPTO_TOKEN_LEN - 1] ^= 1;
    assert_false(crypto_streq(t1, t2));
}

/* ---- key file ---------------------------------------------------------- */

struct keydir {
    char dir[64];
    char path[128];
};

static int key_setup(void **state)
{
    struct keydir *k = calloc(1, sizeof *k);
    snprintf(k->dir, sizeof k->dir, "/tmp/ub-test-crypto-XXXXXX");
    if (!mkdtemp(k->dir)) {
        free(k);
        return -1;
    }
    snprintf(k->path, sizeof k->path, "%s/data.key", k->dir);
    *state = k;
    return 0;
}

static int key_teardown(void **state)
{
    struct keydir *k = *state;
    DIR *d = opendir(k->dir);
    if (d) {
        struct dirent *e;
        char p[400];
        while ((e = readdir(d)) != NULL) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                continue;
            snprintf(p, sizeof p, "%s/%s", k->dir, e->d_name);
            unlink(p);
        }
        closedir(d);
    }
    int rc = rmdir(k->dir);
    free(k);
    return rc;
}

/* Writes n bytes of 'k' to path with the given mode. */
static void write_file(const char *path, size_t n, mode_t mode)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    assert_true(fd >= 0);
    char buf[64];
    memset(buf, 'k', sizeof buf);
    assert_int_equal(write(fd, buf, n), (ssize_t)n);
    close(fd);
    assert_int_equal(chmod(path, mode), 0);
}

static void test_key_create_and_load(void **state)
{
    struct keydir *k = *state;
    assert_int_equal(crypto_key_create(k->path), 0);
    struct stat st;
    assert_int_equal(stat(k->path, &st), 0);
    assert_true(S_ISREG(st.st_mode));
    assert_int_equal(st.st_mode & 07777, 0600);
    assert_int_equal(st.st_size, CRYPTO_KEY_BYTES);

    unsigned char file[CRYPTO_KEY_BYTES], key[CRYPTO_KEY_BYTES];
    int fd = open(k->path, O_RDONLY);
    assert_true(fd >= 0);
    assert_int_equal(read(fd, file, sizeof file), CRYPTO_KEY_BYTES);
    close(fd);
    assert_int_equal(crypto_key_load(k->path, key), 0);
    assert_memory_equal(key, file, CRYPTO_KEY_BYTES);
    unsigned char zero[CRYPTO_KEY_BYTES] = {0};
    assert_memory_not_equal(key, zero, CRYPTO_KEY_BYTES);

    /* A second key is a different key. */
    char other[160];
    snprintf(other, sizeof other, "%s/other.key", k->dir);
    assert_int_equal(crypto_key_create(other), 0);
    unsigned char key2[CRYPTO_KEY_BYTES];
    assert_int_equal(crypto_key_load(other, key2), 0);
    assert_memory_not_equal(key, key2, CRYPTO_KEY_BYTES);
}

static void test_key_create_refuses_overwrite(void **state)
{
    struct keydir *k = *state;
    assert_int_equal(crypto_key_create(k->path), 0);
    unsigned char before[CRYPTO_KEY_BYTES], after[CRYPTO_KEY_BYTES];
    assert_int_equal(crypto_key_load(k->path, before), 0);

    errno = 0;
    assert_int_equal(crypto_key_create(k->path), -1);
    assert_int_equal(errno, EEXIST);
    assert_int_equal(crypto_key_load(k->path, after), 0);
    assert_memory_equal(before, after, CRYPTO_KEY_BYTES);

    /* Not through a symlink either. */
    char link[160];
    snprintf(link, sizeof link, "%s/link.key", k->dir);
    char target[160];
    snprintf(target, sizeof target, "%s/target.key", k->dir);
    assert_int_equal(symlink(target, link), 0);
    assert_int_equal(crypto_key_create(link), -1);
    assert_int_equal(access(target, F_OK), -1);

    /* A directory that does not exist. */
    char missing[160];
    snprintf(missing, sizeof missing, "%s/no/such/dir.key", k->dir);
    assert_int_equal(crypto_key_create(missing), -1);
    assert_int_equal(errno, ENOENT);
}

static void test_key_load_refuses_loose_modes(void **state)
{
    struct keydir *k = *state;
    unsigned char key[CRYPTO_KEY_BYTES];
    static const mode_t bad[] = {0640, 0604, 0644, 0660, 0606, 0620, 0602, 0610, 0601, 0666};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        write_file(k->path, CRYPTO_KEY_BYTES, bad[i]);
        if (crypto_key_load(k->path, key) != -1)
            fail_msg("mode %04o accepted", (unsigned)bad[i]);
    }
    /* Owner-only modes are fine. */
    write_file(k->path, CRYPTO_KEY_BYTES, 0400);
    assert_int_equal(crypto_key_load(k->path, key), 0);
    unsigned char want[CRYPTO_KEY_BYTES];
    memset(want, 'k', sizeof want);
    assert_memory_equal(key, want, CRYPTO_KEY_BYTES);
    write_file(k->path, CRYPTO_KEY_BYTES, 0600);
    assert_int_equal(crypto_key_load(k->path, key), 0);
}

static void test_key_load_refuses_wrong_size(void **state)
{
    struct keydir *k = *state;
    unsigned char key[CRYPTO_KEY_BYTES];
    write_file(k->path, 0, 0600);
    assert_int_equal(crypto_key_load(k->path, key), -1);
    write_file(k->path, CRYPTO_KEY_BYTES - 1, 0600);
    assert_int_equal(crypto_key_load(k->path, key), -1);
    write_file(k->path, CRYPTO_KEY_BYTES + 1, 0600);
    assert_int_equal(crypto_key_load(k->path, key), -1);
    write_file(k->path, 64, 0600);
    assert_int_equal(crypto_key_load(k->path, key), -1);

    /* Missing file. */
    char missing[160];
    snprintf(missing, sizeof missing, "%s/missing.key", k->dir);
    errno = 0;
    assert_int_equal(crypto_key_load(missing, key), -1);
    assert_int_equal(errno, ENOENT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_token_shape_and_uniqueness),
        cmocka_unit_test(test_random_alnum),
        cmocka_unit_test(test_random_generator),
        cmocka_unit_test(test_digest),
        cmocka_unit_test(test_vault_digest),
        cmocka_unit_test(test_vault_seal),
        cmocka_unit_test(test_password_hash_verify),
        cmocka_unit_test(test_password_unicode),
        cmocka_unit_test(test_dummy_hash),
        cmocka_unit_test(test_streq),
        cmocka_unit_test_setup_teardown(test_key_create_and_load, key_setup, key_teardown),
        cmocka_unit_test_setup_teardown(test_key_create_refuses_overwrite, key_setup,
                                        key_teardown),
        cmocka_unit_test_setup_teardown(test_key_load_refuses_loose_modes, key_setup,
                                        key_teardown),
        cmocka_unit_test_setup_teardown(test_key_load_refuses_wrong_size, key_setup,
                                        key_teardown),
    };
    return cmocka_run_group_tests(tests, group_setup, NULL);
}
