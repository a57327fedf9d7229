/*
 * xlsx.h: writing a one-sheet Excel workbook of text cells, through
 * libxlsxwriter.
 *
 * The sheet has a bold header row that stays in view (frozen), set column
 * widths, and only text cells, formatted as text ("@") so that Excel never
 * turns an ID number into 1.10118E+17.  Rows are streamed to a temporary
 * file (libxlsxwriter's constant-memory mode), so a million rows cost no
 * more memory than ten; they must be written in order.
 *
 *     static const struct xlsx_col cols[] = {{"姓名", 10}, {"身份证号", 22}};
 *     struct xlsx *x = xlsx_open("out.xlsx", "会员名册", cols, 2);
 *     xlsx_row(x, (const char *[]){"张三", "110105********002X"});
 *     if (xlsx_close(x)) …     // the file is complete only after this
 *
 * xlsx_book() makes instead a small workbook of several sheets, each with
 * a title row and headers grouped under merged cells (for reports); it is
 * built in memory.
 */
#ifndef UB_XLSX_H
#define UB_XLSX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct xlsx;

struct xlsx_col {
    const char *title;          /* header text */
    double width;               /* in Excel's character units */
};

/* The most data rows a sheet holds (Excel's limit less the header). */
#define XLSX_MAX_ROWS 1048575

/*
 * Creates the workbook at path (an empty file at once, so that a path that
 * cannot be written fails here; readable by its owner only when new, as
 * its rows are likely personal data) with one sheet named `sheet` and writes
 * the header row of the ncols columns.  Returns the writer (closed by
 * xlsx_close), or NULL with errno set if the file cannot be created.
 * libxlsxwriter itself reports a failure while closing on stderr.
 */
struct xlsx *xlsx_open(const char *path, const char *sheet, const struct xlsx_col *cols,
                       size_t ncols);

/* A header group: `span` columns under one merged title; a title of NULL
 * leaves one column standing alone (its header then spans both rows). */
struct xlsx_group {
    const char *title;
    size_t span;
};

/* An empty workbook of sheets added with xlsx_add_sheet (built in memory:
 * for reports, not for millions of rows). */
struct xlsx *xlsx_book(const char *path);
/* Starts sheet `name` of a book: a bold title row merged across all
 * columns (title may be NULL), the grouped headers (ngroups 0: one header
 * row), then the rows xlsx_row writes.  Returns 0 or -1. */
int xlsx_add_sheet(struct xlsx *x, const char *name, const char *title,
                   const struct xlsx_group *groups, size_t ngroups,
                   const struct xlsx_col *cols, size_t ncols);

/* Makes column col (0-based) a column of figures: cells in it that hold
 * a whole number are written as numbers (so that Excel can sum them). */
void xlsx_number_column(struct xlsx *x, size_t col);

/* Appends a row of ncols texts (NULL or "" leaves a cell empty).  Returns
 * 0, or -1 when the sheet is full or the write fails. */
int xlsx_row(struct xlsx *x, const char *const *cells);

/* Rows written so far (not counting the header). */
int64_t xlsx_rows(const struct xlsx *x);

/* Finishes the file and frees x.  Returns 0, or -1 if any step failed
 * (the file is then incomplete and should be removed). */
int xlsx_close(struct xlsx *x);

#endif
