/*
 * xlsx.c: the text-only workbook writer of xlsx.h over libxlsxwriter.
 */
#include "lib/xlsx.h"

#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <unistd.h>
#include <xlsxwriter.h>

#include "lib/util.h"

struct xlsx {
    lxw_workbook *wb;
    lxw_worksheet *ws;          /* the sheet being written */
    lxw_format *text;           /* "@": cells stay text */
    lxw_format *num;            /* whole numbers */
    lxw_format *head, *title;
    bool *number;               /* per column: write whole numbers as such */
    double *width;              /* per column */
    size_t ncols;
    int64_t rows;
    lxw_row_t head_rows;        /* rows above the data */
    bool failed;
};

/* Creates the workbook (an empty file at once: see xlsx_open). */
static struct xlsx *book(const char *path, bool streamed)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        return NULL;
    close(fd);
    lxw_workbook_options opt = {.constant_memory = streamed ? LXW_TRUE : LXW_FALSE,
                                .use_zip64 = LXW_TRUE};
    lxw_workbook *wb = workbook_new_opt(path, &opt);
    if (!wb)
        return NULL;
    struct xlsx *x = xcalloc(1, sizeof *x);
    x->wb = wb;
    x->text = workbook_add_format(wb);
    x->num = workbook_add_format(wb);
    x->head = workbook_add_format(wb);
    x->title = workbook_add_format(wb);
    if (!x->text || !x->num || !x->head || !x->title) {
        x->failed = true;
        return x;
    }
    format_set_num_format(x->text, "@");
    format_set_num_format(x->num, "0");
    format_set_bold(x->head);
    format_set_num_format(x->head, "@");
    format_set_align(x->head, LXW_ALIGN_CENTER);
    format_set_align(x->head, LXW_ALIGN_VERTICAL_CENTER);
    format_set_border(x->head, LXW_BORDER_THIN);
    format_set_bg_color(x->head, 0xEEF1F5);
    format_set_bold(x->title);
    format_set_font_size(x->title, 14);
    return x;
}

/* Starts sheet `name`: a title row merged across (when title is not
 * NULL), grouped headers (when ngroups), the column headers. */
static void begin_sheet(struct xlsx *x, const char *name, const char *title,
                        const struct xlsx_group *groups, size_t ngroups,
                        const struct xlsx_col *cols, size_t ncols)
{
    free(x->number);
    free(x->width);
    x->ncols = ncols;
    x->rows = 0;
    x->number = xcalloc(ncols ? ncols : 1, sizeof *x->number);
    x->width = xcalloc(ncols ? ncols : 1, sizeof *x->width);
    x->ws = x->failed ? NULL : workbook_add_worksheet(x->wb, name);
    if (!x->ws) {
        x->failed = true;
        return;
    }
    lxw_col_t last = (lxw_col_t)(ncols ? ncols - 1 : 0);
    lxw_row_t r = 0;
    for (size_t c = 0; c < ncols; c++) {
        x->width[c] = cols[c].width;
        if (worksheet_set_column(x->ws, (lxw_col_t)c, (lxw_col_t)c, cols[c].width, x->text))
            x->failed = true;
    }
    if (title) {
        if (ncols > 1 ? worksheet_merge_range(x->ws, 0, 0, 0, last, title, x->title)
                      : worksheet_write_string(x->ws, 0, 0, title, x->title))
            x->failed = true;
        worksheet_set_row(x->ws, 0, 24, NULL);
        r = 1;
    }
    if (ngroups) {
        /* A group spans its columns on the first header row; a column in
         * no group (title NULL) spans both header rows. */
        size_t c = 0;
        for (size_t g = 0; g < ngroups && c < ncols; g++) {
            lxw_col_t a = (lxw_col_t)c, b = (lxw_col_t)(c + groups[g].span - 1);
            lxw_error e;
            if (!groups[g].title)
                e = worksheet_merge_range(x->ws, r, a, r + 1, a, cols[c].title, x->head);
            else if (groups[g].span > 1)
                e = worksheet_merge_range(x->ws, r, a, r, b, groups[g].title, x->head);
            else
                e = worksheet_write_string(x->ws, r, a, groups[g].title, x->head);
            if (e)
                x->failed = true;
            if (groups[g].title)
                for (size_t k = c; k <= (size_t)b; k++)
                    if (worksheet_write_string(x->ws, r + 1, (lxw_col_t)k, cols[k].title, x->head))
                        x->failed = true;
            c += groups[g].span;
        }
        r += 2;
    } else {
        for (size_t c = 0; c < ncols; c++)
            if (worksheet_write_string(x->ws, r, (lxw_col_t)c, cols[c].title, x->head))
                x->failed = true;
        r += 1;
    }
    x->head_rows = r;
    worksheet_freeze_panes(x->ws, r, 0);
}

struct xlsx *xlsx_open(const char *path, const char *sheet, const struct xlsx_col *cols,
                       size_t ncols)
{
    /* libxlsxwriter creates the file only when closing, and then reports
     * a failure on stderr itself: find out now whether it can. */
    struct xlsx *x = book(path, true);
    if (x)
        begin_sheet(x, sheet, NULL, NULL, 0, cols, ncols);
    return x;
}

struct xlsx *xlsx_book(const char *path)
{
    return book(path, false);
}

int xlsx_add_sheet(struct xlsx *x, const char *name, const char *title,
                   const struct xlsx_group *groups, size_t ngroups,
                   const struct xlsx_col *cols, size_t ncols)
{
    begin_sheet(x, name, title, groups, ngroups, cols, ncols);
    return x->failed ? -1 : 0;
}

void xlsx_number_column(struct xlsx *x, size_t col)
{
    if (col < x->ncols && !x->failed) {
        x->number[col] = true;
        worksheet_set_column(x->ws, (lxw_col_t)col, (lxw_col_t)col, x->width[col], x->num);
    }
}

int xlsx_row(struct xlsx *x, const char *const *cells)
{
    if (x->failed || !x->ws || x->rows >= XLSX_MAX_ROWS)
        return -1;
    lxw_row_t row = (lxw_row_t)(x->rows + x->head_rows);
    for (size_t c = 0; c < x->ncols; c++) {
        if (!cells[c] || !*cells[c])
            continue;
        int64_t v;
        lxw_error e = x->number[c] && ub_parse_i64(cells[c], &v)
                          ? worksheet_write_number(x->ws, row, (lxw_col_t)c, (double)v, x->num)
                          : worksheet_write_string(x->ws, row, (lxw_col_t)c, cells[c], x->text);
        if (e) {
            x->failed = true;
            return -1;
        }
    }
    x->rows++;
    return 0;
}

int64_t xlsx_rows(const struct xlsx *x)
{
    return x->rows;
}

int xlsx_close(struct xlsx *x)
{
    if (!x)
        return -1;
    /* workbook_close frees the workbook whatever it returns. */
    bool ok = workbook_close(x->wb) == LXW_NO_ERROR && !x->failed;
    free(x->number);
    free(x->width);
    free(x);
    return ok ? 0 : -1;
}
