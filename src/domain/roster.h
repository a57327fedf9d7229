/*
 * roster.h: member rosters in and out (会员名册导入导出).
 *
 * Import: a union office's roster in the columns of the Beijing 工会会员
 * 登记表 (姓名, 性别, 身份证号, 身份证有效期, 学历, 就业状态, 技能等级, 现居住地,
 * 是否外地来京务工, 手机号, 互助服务卡卡号, 会籍状态; columns found by their
 * header, in any order, others ignored; 职工类别 is used when present), as
 * Excel saves CSV: UTF-8 with or without a BOM, or GBK.  Every row is
 * checked as a join is (person_check); good rows become active members of
 * the org (channel `import`), a batch of rows per transaction with one
 * audit entry (`member.import`) each.  A person who already has a live
 * membership is counted, not written, so importing the same file twice
 * changes nothing.  Refused rows come back with a reason code and a
 * message in Chinese.
 *
 * Export: the members of an org's subtree as an .xlsx sheet, ID and phone
 * numbers masked unless revealed (an audited action for roles that may).
 */
#ifndef UB_ROSTER_H
#define UB_ROSTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "domain/actor.h"
#include "lib/arena.h"
#include "lib/buf.h"
#include "lib/crypto.h"

/* Rows written per transaction, unless the caller says otherwise.  Large
 * batches make large imports fast (SQLite rewrites every index page a
 * transaction touches, and the random keys of the ID digest touch a page
 * per row); the write lock is held meanwhile, half a second or so, which a
 * busy server's joins may notice: the console's upload uses 1000. */
#define ROSTER_BATCH 50000
#define ROSTER_BATCH_MAX 100000

/* One refused row. */
struct roster_refusal {
    int64_t row;                /* data row: 1 is the first row under the header */
    const char *reason;         /* stable code: "id_checksum", "under_16" … */
    const char *message;        /* what to fix, in Chinese */
    const char *name;           /* the row's 姓名, trimmed ("" when missing) */
};

/*
 * What an import is told and what it did.  roster_report_init() prepares
 * one (with the file name recorded in the audit log and ROSTER_BATCH rows
 * per transaction, which the caller may change to 1..ROSTER_BATCH_MAX),
 * roster_import() fills in the rest and roster_report_free() releases it;
 * the strings of refusals belong to the report.
 */
struct roster_report {
    char file_name[256];        /* as given to roster_report_init */
    int batch;                  /* rows per transaction */
    bool keep_cache;            /* leave the connection's page cache as it is
                                   (in the server; the CLI enlarges it) */
    char encoding[8];           /* "utf-8" or "gbk", once the file was read */
    int64_t rows;               /* data rows read; blank lines are not rows */
    int64_t imported;           /* members written */
    int64_t already;            /* rows of people who already were live members */
    int64_t refused;            /* rows refused (== nrefusals) */
    int64_t batches;            /* transactions committed */
    struct roster_refusal *refusals;    /* in file order */
    size_t nrefusals;

    /* Private. */
    size_t cap;
    struct arena arena;
};

/* Prepares rep for an import of the file called file_name (kept as text
 * for the audit log; "?" when it is not UTF-8). */
void roster_report_init(struct roster_report *rep, const char *file_name);
/* Frees the refusals and their strings; rep may be prepared again. */
void roster_report_free(struct roster_report *rep);

/*
 * Imports the roster held in data (len bytes, borrowed) into the org with
 * code org_code, acting as a (who needs write permission there); v seals
 * the personal data.  Returns 0 when the file was processed, whatever
 * became of its rows (rep says), or -1 with err:
 *   404 org_not_found, 403 forbidden;
 *   400 empty_file, not_csv (a workbook or other binary), bad_encoding
 *       (neither UTF-8 nor GBK), bad_csv (a quote never closed),
 *       missing_column (姓名, 身份证号 or 手机号 has no header);
 *   503 storage errors, no_thread.
 * The rows are checked on a thread of its own while this one writes; db
 * is used on the calling thread only.  A large import gives db a larger
 * page cache for its duration (store_roster_bulk), unless rep->keep_cache.
 * Every check of the file as a whole comes before the first write, so
 * those errors leave the database as it was; a storage error part-way
 * keeps the batches already committed (rep counts them).
 */
int roster_import(struct db *db, const struct vault *v, const struct actor *a,
                  const char *org_code, const char *data, size_t len,
                  struct roster_report *rep, struct ub_err *err);

/* Appends the refused rows to out as CSV for Excel: a UTF-8 BOM, the header
 * 行号,原因代码,说明,姓名 and one line per refusal, CRLF line ends. */
void roster_report_csv(const struct roster_report *rep, struct buf *out);

/* The Chinese label of a reason code (for people), or the code itself. */
const char *roster_reason_label(const char *code);

/*
 * Writes the members of org_code's subtree to the workbook `path` (one
 * sheet 会员名册, mode 0600; replaced atomically: written beside it, then
 * renamed).
 * The actor needs read permission there; with `reveal`, ID and phone
 * numbers are written in full (decrypted with v), which needs manage
 * permission and is audited as member.export_reveal (a masked export is
 * audited as member.export).  Sets *count to the members written.
 * Returns 0, or -1 with err: 404, 403, 413 too_many_rows (more than a
 * sheet holds), 503 decrypt_failed (wrong key file) or a storage error,
 * 500 write_failed.
 */
int roster_export(struct db *db, const struct vault *v, const struct actor *a,
                  const char *org_code, bool reveal, const char *path, int64_t *count,
                  struct ub_err *err);

#endif
