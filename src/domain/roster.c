/*
 * roster.c: importing member rosters from CSV and exporting them to
 * Excel (roster.h).
 *
 * An import goes: the org and the actor's right to write there; the bytes
 * (a workbook instead of CSV, NUL bytes, UTF-8 or else GBK through iconv);
 * a first pass over the whole CSV for a quote that never closes; the
 * header; then row by row: trim, check, claim the ID number within the
 * file, and queue the good rows, which are written a batch at a time, each
 * batch one transaction with its audit entry.
 */
#include "domain/roster.h"

#include <errno.h>
#include <iconv.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "domain/audit.h"
#include "domain/idcard.h"
#include "domain/member.h"
#include "domain/org.h"
#include "store/store_stats.h"
#include "lib/csv.h"
#include "lib/xlsx.h"

/* ---- Reasons ------------------------------------------------------------- */

struct reason {
    const char *code, *label;
};

static const struct reason reasons[] = {
    {"name_missing", "姓名为空"},
    {"name_invalid", "姓名含有无效字符或超过30个字"},
    {"id_missing", "身份证号为空"},
    {"id_mangled_by_excel",
     "身份证号被Excel转成了数字（如1.10118E+16），后几位已经丢失：请在Excel中把身份证号"
     "这一列的单元格格式设置为“文本”，重新填写完整的18位号码后再导出"},
    {"id_length", "身份证号应为18位"},
    {"id_chars", "身份证号含有非法字符"},
    {"id_date", "身份证号中的出生日期无效"},
    {"id_checksum", "身份证号校验位不正确"},
    {"under_16", "未满16周岁，不能入会"},
    {"duplicate_in_file", "与本文件前面一行的身份证号重复"},
    {"invalid_phone", "手机号应为以1开头的11位数字"},
    {"invalid_category",
     "职工类别无法识别，应为：产业工人、户外劳动者、快递员、外卖送餐员、网约车司机、货车司机、"
     "保安员、家政服务员、护工护理员、商场信息员、房产中介员、网络主播或其他"},
    {NULL, NULL},
};

/* The reason with this code, or NULL. */
static const struct reason *reason_find(const char *code)
{
    for (const struct reason *r = reasons; r->code; r++)
        if (strcmp(r->code, code) == 0)
            return r;
    return NULL;
}

const char *roster_reason_label(const char *code)
{
    const struct reason *r = reason_find(code);
    return r ? r->label : code;
}

/* ---- The report ---------------------------------------------------------- */

void roster_report_init(struct roster_report *rep, const char *file_name)
{
    memset(rep, 0, sizeof *rep);
    arena_init(&rep->arena);
    const char *n = file_name ? file_name : "";
    ub_strlcpy(rep->file_name, ub_utf8_text(n, false) ? n : "?", sizeof rep->file_name);
    rep->batch = ROSTER_BATCH;
    /* A cut inside a character would not be text: back off to its start. */
    size_t len = strlen(rep->file_name);
    if (len == sizeof rep->file_name - 1) {
        while (len && ((unsigned char)rep->file_name[len - 1] & 0xc0) == 0x80)
            len--;
        if (len && (unsigned char)rep->file_name[len - 1] >= 0xc0)
            len--;
        rep->file_name[len] = 0;
    }
}

void roster_report_free(struct roster_report *rep)
{
    free(rep->refusals);
    arena_free(&rep->arena);
    rep->refusals = NULL;
    rep->nrefusals = rep->cap = 0;
}

/* Records a refused row; reason and message must outlive the report
 * (static, or in its arena); name is copied. */
static void refuse(struct roster_report *rep, int64_t row, const char *reason,
                   const char *message, const char *name)
{
    if (rep->nrefusals == rep->cap) {
        rep->cap = rep->cap ? rep->cap * 2 : 64;
        rep->refusals = xrealloc(rep->refusals, rep->cap * sizeof *rep->refusals);
    }
    rep->refusals[rep->nrefusals++] = (struct roster_refusal){
        .row = row,
        .reason = reason,
        .message = message,
        .name = *name ? arena_strdup(&rep->arena, name) : "",
    };
    rep->refused++;
}

void roster_report_csv(const struct roster_report *rep, struct buf *out)
{
    buf_puts(out, CSV_BOM "行号,原因代码,说明,姓名\r\n");
    for (size_t i = 0; i < rep->nrefusals; i++) {
        const struct roster_refusal *f = &rep->refusals[i];
        buf_printf(out, "%lld,", (long long)f->row);
        csv_put_field(out, f->reason, strlen(f->reason));
        buf_putc(out, ',');
        csv_put_field(out, f->message, strlen(f->message));
        buf_putc(out, ',');
        /* Excel would take a name such as =HYPERLINK(…) for a formula:
         * a leading apostrophe keeps it text. */
        if (strchr("=+-@", f->name[0]) && f->name[0]) {
            struct buf quoted;
            buf_init(&quoted);
            buf_putc(&quoted, '\'');
            buf_puts(&quoted, f->name);
            csv_put_field(out, quoted.data, quoted.len);
            buf_free(&quoted);
        } else {
            csv_put_field(out, f->name, strlen(f->name));
        }
        buf_puts(out, "\r\n");
    }
}

/* ---- Bytes to text ------------------------------------------------------- */

/* Returns true if the len bytes at s are well-formed UTF-8 (any control
 * characters allowed: the CSV reader decides about those). */
static bool utf8_valid(const unsigned char *s, size_t len)
{
    size_t i = 0;
    while (i < len) {
        /* Eight ASCII bytes at a time. */
        if (i + 8 <= len) {
            uint64_t w;
            memcpy(&w, s + i, 8);
            if (!(w & 0x8080808080808080ull)) {
                i += 8;
                continue;
            }
        }
        unsigned c = s[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t n;
        unsigned cp;
        if (c >= 0xc2 && c <= 0xdf) { n = 1; cp = c & 0x1f; }
        else if ((c & 0xf0) == 0xe0) { n = 2; cp = c & 0x0f; }
        else if (c >= 0xf0 && c <= 0xf4) { n = 3; cp = c & 0x07; }
        else return false;
        if (i + n >= len)
            return false;
        for (size_t k = 1; k <= n; k++) {
            if ((s[i + k] & 0xc0) != 0x80)
                return false;
            cp = (cp << 6) | (s[i + k] & 0x3f);
        }
        if ((n == 2 && cp < 0x800) || (n == 3 && (cp < 0x10000 || cp > 0x10ffff))
            || (cp >= 0xd800 && cp <= 0xdfff))
            return false;
        i += n + 1;
    }
    return true;
}

/* Converts GBK to UTF-8.  Returns the malloc'd text (NUL-terminated; the
 * caller frees it) with its length in *out_len, or NULL if the bytes are
 * not GBK. */
static char *gbk_to_utf8(const char *in, size_t len, size_t *out_len)
{
    iconv_t cd = iconv_open("UTF-8", "GBK");
    if (cd == (iconv_t)-1)
        return NULL;
    /* Two GBK bytes make three of UTF-8 at most. */
    size_t cap = len + len / 2 + 16;
    char *out = xmalloc(cap);
    char *src = (char *)in, *dst = out;
    size_t left = len, room = cap - 1;
    bool ok = true;
    while (left > 0) {
        if (iconv(cd, &src, &left, &dst, &room) != (size_t)-1)
            continue;
        if (errno != E2BIG) {
            ok = false;         /* EILSEQ, or EINVAL: cut off at the end */
            break;
        }
        size_t used = (size_t)(dst - out);
        cap *= 2;
        out = xrealloc(out, cap);
        dst = out + used;
        room = cap - used - 1;
    }
    if (ok && iconv(cd, NULL, NULL, &dst, &room) == (size_t)-1)
        ok = false;
    iconv_close(cd);
    if (!ok) {
        free(out);
        return NULL;
    }
    *dst = 0;
    *out_len = (size_t)(dst - out);
    return out;
}

/* Finds the text of the file: sets *text and *text_len (data itself, or a
 * converted copy in *owned that the caller frees).  Returns 0 or -1. */
static int decode(const char *data, size_t len, struct roster_report *rep,
                  const char **text, size_t *text_len, char **owned, struct ub_err *err)
{
    *owned = NULL;
    if (len == 0 || (len == 3 && memcmp(data, CSV_BOM, 3) == 0))
        return ub_fail(err, UB_EBAD, "empty_file", "文件是空的");
    if (len >= 4 && (memcmp(data, "PK\3\4", 4) == 0
                     || memcmp(data, "\xD0\xCF\x11\xE0", 4) == 0))
        return ub_fail(err, UB_EBAD, "not_csv",
                       "这是Excel工作簿文件，不是CSV：请在Excel中“另存为”CSV UTF-8（逗号分隔）"
                       "后再导入");
    if (memchr(data, 0, len))
        return ub_fail(err, UB_EBAD, "not_csv", "文件不是CSV文本（含有二进制数据）");
    if (utf8_valid((const unsigned char *)data, len)) {
        ub_strlcpy(rep->encoding, "utf-8", sizeof rep->encoding);
        *text = data;
        *text_len = len;
        return 0;
    }
    size_t n;
    char *conv = gbk_to_utf8(data, len, &n);
    if (!conv)
        return ub_fail(err, UB_EBAD, "bad_encoding",
                       "文件编码无法识别：应为UTF-8或GBK编码的CSV");
    ub_strlcpy(rep->encoding, "gbk", sizeof rep->encoding);
    *owned = conv;
    *text = conv;
    *text_len = n;
    return 0;
}

/* ---- Fields -------------------------------------------------------------- */

/* Trims spaces (ASCII white space, U+3000 ideographic space, U+00A0 and a
 * stray BOM) off both ends of s in place; returns the new start. */
static char *trim(char *s)
{
    for (;;) {
        unsigned char *u = (unsigned char *)s;
        if (*u == ' ' || *u == '\t' || *u == '\r' || *u == '\n')
            s++;
        else if (u[0] == 0xe3 && u[1] == 0x80 && u[2] == 0x80)
            s += 3;
        else if (u[0] == 0xc2 && u[1] == 0xa0)
            s += 2;
        else if (u[0] == 0xef && u[1] == 0xbb && u[2] == 0xbf)
            s += 3;
        else
            break;
    }
    size_t n = strlen(s);
    for (;;) {
        unsigned char *u = (unsigned char *)s;
        if (n && (u[n - 1] == ' ' || u[n - 1] == '\t' || u[n - 1] == '\r'
                  || u[n - 1] == '\n'))
            n--;
        else if (n >= 3 && u[n - 3] == 0xe3 && u[n - 2] == 0x80 && u[n - 1] == 0x80)
            n -= 3;
        else if (n >= 2 && u[n - 2] == 0xc2 && u[n - 1] == 0xa0)
            n -= 2;
        else
            break;
    }
    s[n] = 0;
    return s;
}

/* The columns an import reads. */
enum col { COL_NAME, COL_ID, COL_PHONE, COL_MIGRANT, COL_CATEGORY, NCOLS };

static const char *const col_titles[NCOLS] = {
    "姓名", "身份证号", "手机号", "是否外地来京务工", "职工类别",
};
#define NREQUIRED 3                 /* the first three */

/* Maps a header record: sets cols[] to field indexes (-1 when absent);
 * returns the number of required columns found. */
static int map_header(struct csv_reader *r, int cols[NCOLS])
{
    for (int c = 0; c < NCOLS; c++)
        cols[c] = -1;
    for (size_t i = 0; i < r->nfields; i++) {
        const char *t = trim(r->fields[i]);
        for (int c = 0; c < NCOLS; c++)
            if (cols[c] < 0 && strcmp(t, col_titles[c]) == 0)
                cols[c] = (int)i;
    }
    int found = 0;
    for (int c = 0; c < NREQUIRED; c++)
        found += cols[c] >= 0;
    return found;
}

/* The trimmed field of column c in the current record; `empty` (a
 * writable "") when the column or the field is absent. */
static char *field(struct csv_reader *r, const int cols[NCOLS], enum col c, char *empty)
{
    int i = cols[c];
    if (i < 0 || (size_t)i >= r->nfields) {
        *empty = 0;
        return empty;
    }
    return trim(r->fields[i]);
}

/* True if every field of the record is empty or white space. */
static bool blank_record(const struct csv_reader *r)
{
    for (size_t i = 0; i < r->nfields; i++)
        for (const char *p = r->fields[i]; *p; p++)
            if (*p != ' ' && *p != '\t' && *p != '\r' && *p != '\n')
                return false;
    return true;
}

/* Looks like a number Excel reformatted: 1.10118E+16, 110118199001240000.0 */
static bool excel_mangled(const char *id)
{
    return strchr(id, '.') || strstr(id, "E+") || strstr(id, "e+");
}

/* Removes spaces and hyphens inside a phone number (139 0000 0001). */
static void phone_clean(char *s)
{
    char *d = s;
    for (; *s; s++)
        if (*s != ' ' && *s != '-')
            *d++ = *s;
    *d = 0;
}

/* The category code of a 职工类别 cell: a label or a code; "" is other.
 * NULL if unknown. */
static const char *category_code(const char *cell)
{
    if (!*cell)
        return "other";
    for (const struct category *c = member_categories; c->code; c++)
        if (strcmp(cell, c->label) == 0 || strcmp(cell, c->code) == 0)
            return c->code;
    return NULL;
}

/* ---- ID numbers seen in this file ------------------------------------------ */

/* An open-addressing set of the valid ID numbers met so far (keyed by
 * their first 17 digits, which fix the check character), with the row of
 * the first. */
struct idset {
    uint64_t *keys;             /* 0: free */
    int64_t *rows;
    size_t cap, n;
};

/* The home slot of key (Fibonacci hashing; cap is a power of two). */
static size_t idset_slot(const struct idset *s, uint64_t key)
{
    return (size_t)((key * 0x9E3779B97F4A7C15ull) >> 20) & (s->cap - 1);
}

/* Doubles the table (4096 slots at first) and re-inserts what it held. */
static void idset_grow(struct idset *s)
{
    struct idset old = *s;
    s->cap = old.cap ? old.cap * 2 : 4096;
    s->keys = xcalloc(s->cap, sizeof *s->keys);
    s->rows = xmalloc(s->cap * sizeof *s->rows);
    s->n = 0;
    for (size_t i = 0; i < old.cap; i++) {
        if (!old.keys[i])
            continue;
        size_t j = idset_slot(s, old.keys[i]);
        while (s->keys[j])
            j = (j + 1) & (s->cap - 1);
        s->keys[j] = old.keys[i];
        s->rows[j] = old.rows[i];
        s->n++;
    }
    free(old.keys);
    free(old.rows);
}

/* Adds the normalised ID number at row; returns the row that had it
 * first, or 0 if it is new. */
static int64_t idset_claim(struct idset *s, const char *number, int64_t row)
{
    uint64_t key = 1;
    for (int i = 0; i < 17; i++)
        key = key * 10 + (uint64_t)(number[i] - '0');
    if (2 * (s->n + 1) > s->cap)
        idset_grow(s);
    size_t j = idset_slot(s, key);
    while (s->keys[j]) {
        if (s->keys[j] == key)
            return s->rows[j];
        j = (j + 1) & (s->cap - 1);
    }
    s->keys[j] = key;
    s->rows[j] = row;
    s->n++;
    return 0;
}

/* Frees the table (s itself is the caller's). */
static void idset_free(struct idset *s)
{
    free(s->keys);
    free(s->rows);
}

/* ---- The import ------------------------------------------------------------ */

/*
 * Two threads share the work: a reader checks rows (parsing, the ID
 * number's rules, sealing) and hands batches of good ones to the calling
 * thread, which writes them; each batch is one transaction.  Meanwhile
 * the caller first reads the whole file once for its shape, and writes
 * nothing unless that is sound.  The report's row counts and refusals
 * belong to the reader, its write counts to the writer, until the reader
 * has been joined.
 */

struct pending {
    int64_t row;
    struct person_rec p;
};

/* Checked rows on their way from the reader to the writer. */
struct batch {
    struct pending *rows;               /* grown as needed, up to the batch size */
    size_t n, cap;
    int64_t first_row, last_row;        /* the data rows it covers, refused ones too */
    int64_t refused;                    /* how many of those were refused */
};

#define NBATCHES 3                      /* one being written, two ready */
#define ROSTER_BULK_ROWS 20000          /* from here on, the store's bulk mode */

struct import {
    /* Set before the reader starts, then read-only. */
    struct db *db;
    const struct actor *a;
    const struct vault *v;
    struct org_rec org;
    struct roster_report *rep;
    const char *text;
    size_t text_len;
    int today;                          /* YYYYMMDD */
    int batch;                          /* rows per transaction */
    struct member_rec *m;               /* what imported members share (writer's) */
    const struct person_rec **people;   /* the writer's pointers into a batch */
    size_t npeople;

    /* The hand-over, under lock. */
    pthread_mutex_t lock;
    pthread_cond_t cond;
    struct batch batches[NBATCHES];
    size_t head, count;                 /* ready batches: head, head + 1 … */
    bool done;                          /* the reader has handed over its last */
    bool stop;                          /* the writer gave up: stop reading */
    bool header_failed;                 /* header_err says why */
    struct ub_err header_err;
};

/* Writes batch b in one transaction with one audit entry (none when every
 * row's person was a member already).  Returns 0 or -1 with err. */
static int write_batch(struct import *im, struct batch *b, struct ub_err *err)
{
    struct roster_report *rep = im->rep;
    if (b->n == 0)
        return 0;
    if (im->npeople < b->n) {
        im->npeople = b->n;
        im->people = xrealloc(im->people, im->npeople * sizeof *im->people);
    }
    for (size_t i = 0; i < b->n; i++)
        im->people[i] = &b->rows[i].p;
    if (tx_begin(im->db, err))
        return -1;
    int64_t added = 0;
    bool *fresh = xmalloc(b->n * sizeof *fresh);    /* which people are new members */
    int rc = store_roster_add(im->db, im->m, im->org.district_id, im->people, b->n, fresh,
                              &added);
    if (rc == DB_OK && added > 0)
        rc = store_stats_add(im->db, im->org.id, im->m->joined_on, "joined", "import", added);
    /* By worker category: a handful of distinct ones per batch. */
    struct cat_count {
        const char *cat;
        int64_t n;
    } cats[32];
    size_t ncats = 0;
    for (size_t i = 0; i < b->n && added > 0; i++) {
        if (!fresh[i])              /* a member already: the counters have them */
            continue;
        size_t k = 0;
        while (k < ncats && strcmp(cats[k].cat, im->people[i]->category) != 0)
            k++;
        if (k == ncats && ncats < UB_ARRAY_LEN(cats))
            cats[ncats++] = (struct cat_count){im->people[i]->category, 0};
        if (k < ncats)
            cats[k].n++;
    }
    for (size_t k = 0; k < ncats && rc == DB_OK; k++)
        rc = store_stats_add(im->db, im->org.id, im->m->joined_on, "joined_cat", cats[k].cat,
                             cats[k].n);
    free(fresh);
    int64_t already = (int64_t)b->n - added;
    if (rc == DB_OK && added > 0)
        rc = audit_log(im->db, im->a, "member.import", "org", im->org.code, im->org.id,
                       json_pack("{s:s, s:I, s:I, s:I, s:I, s:I, s:I}",
                                 "file", rep->file_name,
                                 "batch", (json_int_t)(rep->batches + 1),
                                 "first_row", (json_int_t)b->first_row,
                                 "last_row", (json_int_t)b->last_row,
                                 "imported", (json_int_t)added,
                                 "already_members", (json_int_t)already,
                                 "refused", (json_int_t)b->refused));
    if (rc != DB_OK)
        return tx_fail(im->db, rc, err);
    if (added == 0) {
        db_rollback(im->db);            /* nothing was written: no entry either */
    } else {
        if (tx_commit(im->db, err))
            return -1;
        rep->batches++;
    }
    rep->imported += added;
    rep->already += already;
    return 0;
}

/* Checks one data row: adds it to b, or records its refusal. */
static void take_row(struct import *im, struct batch *b, struct csv_reader *r,
                     const int cols[NCOLS], int64_t row, struct idset *seen)
{
    struct roster_report *rep = im->rep;
    char empty[NCOLS][1];
    char *name = field(r, cols, COL_NAME, empty[COL_NAME]);
    char *id = field(r, cols, COL_ID, empty[COL_ID]);
    char *phone = field(r, cols, COL_PHONE, empty[COL_PHONE]);
    phone_clean(phone);
    int64_t refused_before = rep->refused;

    /* The first row with a valid ID number claims it, whatever else is
     * wrong with that row. */
    struct idcard card;
    int64_t first = 0;
    bool id_ok = *id && !excel_mangled(id) && idcard_parse(id, im->today, &card) == IDCARD_OK;
    if (id_ok)
        first = idset_claim(seen, card.number, row);

    const char *category = cols[COL_CATEGORY] >= 0
                               ? category_code(field(r, cols, COL_CATEGORY,
                                                     empty[COL_CATEGORY]))
                               : "other";
    if (!*name)
        refuse(rep, row, "name_missing", roster_reason_label("name_missing"), name);
    else if (!*id)
        refuse(rep, row, "id_missing", roster_reason_label("id_missing"), name);
    else if (excel_mangled(id))
        refuse(rep, row, "id_mangled_by_excel", roster_reason_label("id_mangled_by_excel"),
               name);
    else if (first)
        refuse(rep, row, "duplicate_in_file",
               arena_printf(&rep->arena, "与本文件第%lld行的身份证号重复", (long long)first),
               name);
    if (rep->refused != refused_before) {
        b->refused++;
        return;
    }

    if (b->n == b->cap) {
        b->cap = b->cap ? b->cap * 2 : 256;
        if (b->cap > (size_t)im->batch)
            b->cap = (size_t)im->batch;
        b->rows = xrealloc(b->rows, b->cap * sizeof *b->rows);
    }
    struct pending *pd = &b->rows[b->n];
    struct join_input in = {
        .name = name,
        .id_number = id,
        .phone = phone,
        .employer_name = im->org.name,
        .category = category ? category : "other",       /* refused below */
        .migrant = strcmp(field(r, cols, COL_MIGRANT, empty[COL_MIGRANT]), "是") == 0,
    };
    struct ub_err e;
    if (person_check(im->v, &in, false, &pd->p, &e)) {
        const char *code = e.code;
        if (strcmp(e.field, "name") == 0)
            code = "name_invalid";
        else if (strcmp(e.code, "too_young") == 0)
            code = "under_16";
        const struct reason *known = reason_find(code);
        if (known)
            refuse(rep, row, known->code, known->label, name);
        else
            refuse(rep, row, arena_strdup(&rep->arena, e.code),
                   arena_strdup(&rep->arena, e.msg), name);
        b->refused++;
        return;
    }
    if (!category) {
        refuse(rep, row, "invalid_category", roster_reason_label("invalid_category"), name);
        b->refused++;
        return;
    }
    pd->row = row;
    b->n++;
}

/* Today as YYYYMMDD in local time. */
static int today_ymd(void)
{
    time_t t = time(NULL);
    struct tm tm;
    localtime_r(&t, &tm);
    return (tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) * 100 + tm.tm_mday;
}

/* Finds the header among the first records (a title row may sit above
 * it): the first with two of the required columns, else the first
 * record.  Returns 0 with cols set, or -1 with err. */
static int find_header(struct csv_reader *r, int cols[NCOLS], struct ub_err *err)
{
    int best = -1, rc;
    for (int tries = 0; tries < 10 && (rc = csv_next(r)) == 1; tries++) {
        int tmp[NCOLS];
        int found = map_header(r, tmp);
        if (tries == 0 || found >= 2) {
            memcpy(cols, tmp, sizeof tmp);
            best = found;
        }
        if (found >= 2)
            break;
    }
    if (best < 0)
        return ub_fail(err, UB_EBAD, "empty_file", "文件是空的");
    if (best == NREQUIRED)
        return 0;
    char missing[128] = "";
    for (int c = 0; c < NREQUIRED; c++)
        if (cols[c] < 0)
            snprintf(missing + strlen(missing), sizeof missing - strlen(missing), "%s%s",
                     *missing ? "、" : "", col_titles[c]);
    return ub_fail(err, UB_EBAD, "missing_column",
                   "表头缺少必需的列：%s（第一行应为表头：姓名、性别、身份证号……手机号等）",
                   missing);
}

/* The reader's next empty batch, covering rows from first_row on; NULL
 * when the writer has stopped. */
static struct batch *batch_get(struct import *im, int64_t first_row)
{
    pthread_mutex_lock(&im->lock);
    while (im->count == NBATCHES && !im->stop)
        pthread_cond_wait(&im->cond, &im->lock);
    struct batch *b = im->stop ? NULL : &im->batches[(im->head + im->count) % NBATCHES];
    pthread_mutex_unlock(&im->lock);
    if (b) {
        b->n = 0;
        b->refused = 0;
        b->first_row = first_row;
    }
    return b;
}

/* Hands the reader's batch (the one after the ready ones) to the writer;
 * with `last`, says it was the last. */
static void batch_put(struct import *im, bool last)
{
    pthread_mutex_lock(&im->lock);
    im->count++;
    im->done = last;
    pthread_cond_broadcast(&im->cond);
    pthread_mutex_unlock(&im->lock);
}

/* The reader thread: the header, then every row. */
static void *reader_main(void *arg)
{
    struct import *im = arg;
    struct roster_report *rep = im->rep;
    struct csv_reader r;
    csv_init(&r, im->text, im->text_len);
    struct idset seen = {0};
    int cols[NCOLS];
    if (find_header(&r, cols, &im->header_err)) {
        pthread_mutex_lock(&im->lock);
        im->header_failed = true;
        im->done = true;
        pthread_cond_broadcast(&im->cond);
        pthread_mutex_unlock(&im->lock);
        goto out;
    }
    int64_t header = r.record, row = 0;
    struct batch *b = batch_get(im, 1);
    /* A quote that never closes ends the loop early; the writer has found
     * it first and stopped. */
    while (b && csv_next(&r) == 1) {
        row = r.record - header;
        if (blank_record(&r))
            continue;
        rep->rows++;
        take_row(im, b, &r, cols, row, &seen);
        if (b->n == (size_t)im->batch) {
            b->last_row = row;
            batch_put(im, false);
            b = batch_get(im, row + 1);
        }
    }
    if (b) {
        b->last_row = row;
        batch_put(im, true);
    }
out:
    csv_free(&r);
    idset_free(&seen);
    return NULL;
}

/* Tells the reader to stop, waits for it. */
static void reader_stop(struct import *im, pthread_t t)
{
    pthread_mutex_lock(&im->lock);
    im->stop = true;
    pthread_cond_broadcast(&im->cond);
    pthread_mutex_unlock(&im->lock);
    pthread_join(t, NULL);
}

/* Returns the line of the first quote that never closes, or 0 if the
 * text is sound CSV. */
static int64_t unclosed_quote(const char *text, size_t len)
{
    struct csv_reader r;
    csv_init(&r, text, len);
    int rc;
    while ((rc = csv_next(&r)) == 1)
        ;
    int64_t line = rc < 0 ? r.line : 0;
    csv_free(&r);
    return line;
}

int roster_import(struct db *db, const struct vault *v, const struct actor *a,
                  const char *org_code, const char *data, size_t len,
                  struct roster_report *rep, struct ub_err *err)
{
    struct import *im = xcalloc(1, sizeof *im);
    *im = (struct import){.db = db, .a = a, .v = v, .rep = rep};
    char *owned = NULL;
    int status = -1;
    int64_t saved_cache = 0;
    bool bulk = false;          /* the connection has the bulk page cache */
    if (org_get(db, a, org_code, &im->org, err)
        || actor_may(a, PERM_WRITE, im->org.path, err)
        || decode(data, len, rep, &im->text, &im->text_len, &owned, err))
        goto out;
    im->today = today_ymd();
    im->batch = rep->batch < 1 ? 1 : rep->batch > ROSTER_BATCH_MAX ? ROSTER_BATCH_MAX
                                                                    : rep->batch;
    im->m = xcalloc(1, sizeof *im->m);
    im->m->org_id = im->org.id;
    im->m->source_org_id = im->org.id;
    ub_strlcpy(im->m->status, "active", sizeof im->m->status);
    ub_strlcpy(im->m->channel, "import", sizeof im->m->channel);
    im->m->joined_at = ub_now();
    ub_local_date(im->m->joined_at, im->m->joined_on);
    pthread_mutex_init(&im->lock, NULL);
    pthread_cond_init(&im->cond, NULL);
    pthread_t reader;
    if (pthread_create(&reader, NULL, reader_main, im) != 0) {
        ub_fail(err, UB_ESTORE, "no_thread", "系统资源不足，无法开始导入");
        goto out_sync;
    }

    /* The reader checks rows meanwhile. */
    int64_t line = unclosed_quote(im->text, im->text_len);
    if (line) {
        reader_stop(im, reader);
        ub_fail(err, UB_EBAD, "bad_csv", "第%lld行开始的引号没有闭合，文件不完整或格式有误",
                (long long)line);
        goto out_sync;
    }
    for (;;) {
        pthread_mutex_lock(&im->lock);
        while (im->count == 0 && !im->done)
            pthread_cond_wait(&im->cond, &im->lock);
        if (im->count == 0) {           /* done, and all written */
            pthread_mutex_unlock(&im->lock);
            break;
        }
        struct batch *b = &im->batches[im->head];
        pthread_mutex_unlock(&im->lock);
        /* A big file: a big page cache for this connection meanwhile. */
        if (!bulk && !rep->keep_cache
            && rep->imported + rep->already + (int64_t)b->n >= ROSTER_BULK_ROWS)
            bulk = store_roster_bulk(db, true, &saved_cache) == DB_OK;
        if (write_batch(im, b, err)) {
            reader_stop(im, reader);
            goto out_sync;
        }
        pthread_mutex_lock(&im->lock);
        im->head = (im->head + 1) % NBATCHES;
        im->count--;
        pthread_cond_broadcast(&im->cond);
        pthread_mutex_unlock(&im->lock);
    }
    pthread_join(reader, NULL);
    if (bulk)
        store_roster_bulk(db, false, &saved_cache);
    bulk = false;
    if (im->header_failed) {
        *err = im->header_err;
        goto out_sync;
    }
    status = 0;
out_sync:
    if (bulk)
        store_roster_bulk(db, false, &saved_cache);
    pthread_cond_destroy(&im->cond);
    pthread_mutex_destroy(&im->lock);
out:
    for (int i = 0; i < NBATCHES; i++)
        free(im->batches[i].rows);
    free(im->people);
    free(im->m);
    free(im);
    free(owned);
    return status;
}

/* ---- Export ---------------------------------------------------------------- */

static const struct xlsx_col export_cols[] = {
    {"会员编号", 14}, {"姓名", 10}, {"性别", 6}, {"身份证号", 21}, {"手机号", 14},
    {"工作单位", 30}, {"职工类别", 12}, {"是否外地来京务工", 16}, {"所属工会", 30},
    {"入会日期", 12}, {"入会方式", 10}, {"会籍状态", 10},
};
#define EXPORT_NCOLS (sizeof export_cols / sizeof *export_cols)

/* The Chinese for a join channel (static), or the code itself. */
static const char *channel_label(const char *c)
{
    if (strcmp(c, "qr") == 0)
        return "扫码入会";
    if (strcmp(c, "onsite") == 0)
        return "现场登记";
    if (strcmp(c, "import") == 0)
        return "名册导入";
    return c;
}

/* The Chinese for a membership status (static), or the code itself. */
static const char *status_label(const char *s)
{
    static const char *const map[][2] = {
        {"active", "正常"}, {"transferring", "接转中"}, {"retained", "保留会籍"},
        {"withdrawn", "已退会"}, {"lapsed", "已失效"}, {"expelled", "已除名"},
    };
    for (size_t i = 0; i < UB_ARRAY_LEN(map); i++)
        if (strcmp(s, map[i][0]) == 0)
            return map[i][1];
    return s;
}

struct export {
    struct xlsx *x;
    const struct vault *v;
    bool reveal;
    int64_t last_id;
    int failure;                /* 0, or which: 1 full, 2 write, 3 decrypt */
};

/* member_cb for the export: writes m as a row.  Returns 0, or 1 to stop
 * with ex->failure set. */
static int export_row(void *ud, const struct member_rec *m)
{
    struct export *ex = ud;
    ex->last_id = m->id;
    char id[SEALED_MAX], phone[SEALED_MAX];
    const char *id_cell = m->p.id_mask, *phone_cell = m->p.phone_mask;
    if (ex->reveal) {
        if (vault_open(ex->v, m->p.id_enc, m->p.id_enc_len, id)
            || vault_open(ex->v, m->p.phone_enc, m->p.phone_enc_len, phone)) {
            ex->failure = 3;
            return 1;
        }
        id_cell = id;
        phone_cell = phone;
    }
    if (xlsx_rows(ex->x) >= XLSX_MAX_ROWS) {
        ex->failure = 1;
        return 1;
    }
    const char *category = member_category_label(m->p.category);
    const char *cells[EXPORT_NCOLS] = {
        m->member_no,
        m->p.name,
        strcmp(m->p.gender, "M") == 0 ? "男" : strcmp(m->p.gender, "F") == 0 ? "女" : "",
        id_cell,
        phone_cell,
        m->p.employer_name,
        category ? category : m->p.category,
        m->p.migrant ? "是" : "否",
        m->org_name,
        m->joined_on,
        channel_label(m->channel),
        status_label(m->status),
    };
    if (xlsx_row(ex->x, cells)) {
        ex->failure = 2;
        return 1;
    }
    return 0;
}

int roster_export(struct db *db, const struct vault *v, const struct actor *a,
                  const char *org_code, bool reveal, const char *path, int64_t *count,
                  struct ub_err *err)
{
    *count = 0;
    struct org_rec org;
    if (org_get(db, a, org_code, &org, err)
        || (reveal && actor_may(a, PERM_MANAGE, org.path, err)))
        return -1;
    if (reveal && !v)
        return ub_fail(err, UB_ESTORE, "decrypt_failed", "没有密钥文件，无法显示完整号码");
    size_t tl = strlen(path) + 16;
    char *tmp = xmalloc(tl);
    snprintf(tmp, tl, "%s.partial", path);
    struct export ex = {.v = v, .reveal = reveal};
    unlink(tmp);                /* a leftover would keep its mode */
    ex.x = xlsx_open(tmp, "会员名册", export_cols, EXPORT_NCOLS);
    int status = -1;
    if (!ex.x) {
        ub_fail(err, UB_ESTORE, "write_failed", "无法创建文件 %s：%s", path, strerror(errno));
        goto out;
    }
    /* A page at a time, so that no backend holds the whole result. */
    int rc;
    do {
        int64_t before = xlsx_rows(ex.x);
        rc = store_roster_members(db, org.path, org.district_id, ex.last_id, 1000,
                                  export_row, &ex);
        if (rc == DB_OK && xlsx_rows(ex.x) - before < 1000)
            break;
    } while (rc == DB_OK);
    *count = xlsx_rows(ex.x);
    bool closed = xlsx_close(ex.x) == 0;
    if (rc != DB_OK && !ex.failure) {
        ub_fail_store(err, rc);
        goto out;
    }
    if (ex.failure == 1) {
        ub_fail(err, 413, "too_many_rows", "会员超过%d人，超出Excel单表的上限，请按下级组织分别导出",
                XLSX_MAX_ROWS);
        goto out;
    }
    if (ex.failure == 3) {
        ub_fail(err, UB_ESTORE, "decrypt_failed", "无法解密（密钥文件不匹配？）");
        goto out;
    }
    if (ex.failure == 2 || !closed) {
        ub_fail(err, UB_ESTORE, "write_failed", "无法写入文件 %s", path);
        goto out;
    }
    /* The record first: the file appears only once it is audited. */
    const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
    if (tx_begin(db, err))
        goto out;
    rc = audit_log(db, a, reveal ? "member.export_reveal" : "member.export", "org", org.code,
                   org.id, json_pack("{s:s, s:I, s:s}", "file",
                                     ub_utf8_text(base, false) ? base : "?",
                                     "members", (json_int_t)*count, "fields",
                                     reveal ? "id_number,phone" : "masked"));
    if (rc != DB_OK) {
        tx_fail(db, rc, err);
        goto out;
    }
    if (tx_commit(db, err))
        goto out;
    if (rename(tmp, path) != 0) {
        ub_fail(err, UB_ESTORE, "write_failed", "无法写入文件 %s", path);
        goto out;
    }
    status = 0;
out:
    if (status != 0) {
        unlink(tmp);
        *count = 0;
    }
    free(tmp);
    return status;
}
