/*
 * bench/payout.c: the payout computation of 1,000,000 reimbursement claims
 * in one batch (bench/payout.sh builds and runs it).
 *
 * 100,000 members, 10 claims each on average, outpatient and inpatient
 * under DOMAIN.md's example plan.  Each claim is computed with
 * claim_payout() against the member's running totals of that year and
 * kind, as claim_submit() does; with --sealed the totals and amounts also
 * go through the vault (open the totals, seal the two amounts and the new
 * totals), as they are stored.  Prints claims/s and a checksum.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "domain/claim.h"
#include "lib/crypto.h"

#define MEMBERS 100000
#define CLAIMS 1000000

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    int sealed = argc > 1 && strcmp(argv[1], "--sealed") == 0;
    if (crypto_init())
        return 1;
    unsigned char key[CRYPTO_KEY_BYTES] = {1, 2, 3};
    struct vault v;
    vault_init(&v, key);
    struct plan_rec plans[2] = {
        {.year = 2025, .kind = "outpatient", .deductible_fen = 100000, .ratio_bp = 5000,
         .cap_fen = 20000000},
        {.year = 2025, .kind = "inpatient", .deductible_fen = 0, .ratio_bp = 6000,
         .cap_fen = 20000000},
    };
    int64_t (*totals)[2][2] = calloc(MEMBERS, sizeof *totals);
    uint32_t *member = malloc(CLAIMS * sizeof *member);
    int64_t *selfpay = malloc(CLAIMS * sizeof *selfpay);
    unsigned char *kind = malloc(CLAIMS);
    srand(7);
    for (int i = 0; i < CLAIMS; i++) {
        member[i] = (uint32_t)(rand() % MEMBERS);
        kind[i] = (unsigned char)(rand() % 4 == 0);       /* a quarter inpatient */
        selfpay[i] = 1000 + (int64_t)(rand() % 3000000);  /* 10 .. 30,010 yuan */
    }
    double t0 = now_s();
    int64_t sum = 0;
    for (int i = 0; i < CLAIMS; i++) {
        int64_t *t = totals[member[i]][kind[i]];
        if (sealed) {
            char text[64];
            unsigned char enc[128];
            int n = snprintf(text, sizeof text, "%lld %lld", (long long)t[0], (long long)t[1]);
            vault_seal(&v, text, (size_t)n, enc);
            if (vault_open(&v, enc, (size_t)n + VAULT_SEAL_OVERHEAD, text))
                return 1;
        }
        int64_t pay = claim_payout(&plans[kind[i]], t[0], t[1], selfpay[i]);
        if (sealed) {
            char text[64];
            unsigned char enc[128];
            for (int k = 0; k < 3; k++) {
                int n = snprintf(text, sizeof text, "%lld", (long long)(k ? pay : selfpay[i]));
                vault_seal(&v, text, (size_t)n, enc);
            }
        }
        t[0] += selfpay[i];
        t[1] += pay;
        sum += pay;
    }
    double dt = now_s() - t0;
    printf("payout: %d claims%s in %.3f s: %.0f claims/s (total payout %lld fen)\n", CLAIMS,
           sealed ? " (sealed totals and amounts)" : "", dt, CLAIMS / dt, (long long)sum);
    free(totals);
    free(member);
    free(selfpay);
    free(kind);
    return 0;
}
