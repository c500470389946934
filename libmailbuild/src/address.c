/* address.c — mailboxes, groups and address-list fields (RFC 5322 §3.4, RFC 6532 §3.2). */
#include "mb_internal.h"

#include <string.h>

/* addr-spec: the local part as a dot-atom when it is one, else a quoted string. */
static void put_addr_spec(const char *addr, lm_buf *out)
{
    const char *at = strrchr(addr, '@');
    size_t local = (size_t)(at - addr);
    if (mb_is_dot_atom(addr, local))
        lm_buf_append(out, addr, local);
    else
        mb_put_quoted(out, addr, local);
    lm_buf_puts(out, at);
}

int mb_format_mailbox(const mailbuild_message *m, const struct mb_item *it, size_t col, size_t trail,
                      lm_buf *out)
{
    if (!it->name || !*it->name) {
        put_addr_spec(it->value, out);
        return out->oom ? MAILBUILD_E_NOMEM : 0;
    }
    size_t start = out->len;
    int rc = mb_encode_phrase(m, it->name, col, out);
    if (rc)
        return rc;
    /* The column after the phrase decides whether "<addr>" goes on the same line. */
    const char *phrase = out->data + start;
    size_t plen = out->len - start;
    const char *lf = NULL;
    for (size_t i = plen; i > 0; i--)
        if (phrase[i - 1] == '\n') {
            lf = phrase + i - 1;
            break;
        }
    size_t end_col = lf ? (size_t)(phrase + plen - lf - 1) : col + plen;
    size_t mark = out->len;
    lm_buf_puts(out, " <");
    put_addr_spec(it->value, out);
    lm_buf_putc(out, '>');
    /* "<addr>" and what follows it (`trail`) on the phrase's last line, or on the next */
    if (!out->oom && end_col + (out->len - mark) + trail > MB_LINE_SOFT) {
        lm_buf_append(out, "\r\n", 2);
        memmove(out->data + mark + 2, out->data + mark, out->len - 2 - mark);
        memcpy(out->data + mark, "\r\n", 2);
    }
    return out->oom ? MAILBUILD_E_NOMEM : 0;
}

static int format_at(const mailbuild_message *m, const struct mb_item *it, size_t col, size_t trail,
                     lm_buf *tmp)
{
    lm_buf_reset(tmp);
    int rc;
    if (it->kind == MB_ITEM_GROUP_OPEN) {
        rc = mb_encode_phrase(m, it->name, col, tmp);
        mb_space_after_encoded(tmp);
        lm_buf_putc(tmp, ':');
    } else {
        rc = mb_format_mailbox(m, it, col, trail, tmp);
    }
    return rc ? rc : tmp->oom ? MAILBUILD_E_NOMEM : 0;
}

/* Formats an item for the current line when it fits there whole; else, when it fits a line
 * of its own, for a continuation line (the caller folds before it: *fold set); else folded
 * inside itself, from where the current line leaves off. */
static int format_item(const mailbuild_message *m, const struct mb_fold *f, const struct mb_item *it,
                       size_t punct, size_t trail, lm_buf *tmp, int *fold)
{
    size_t col = f->col + punct + 1;
    *fold = 0;
    int rc = format_at(m, it, col, trail, tmp);
    if (rc || f->items == 0 || (!memchr(tmp->data, '\n', tmp->len) && col + tmp->len + trail <= MB_LINE_SOFT))
        return rc;
    rc = format_at(m, it, 1, trail, tmp);
    if (rc || (!memchr(tmp->data, '\n', tmp->len) && 1 + tmp->len + trail <= MB_LINE_SOFT)) {
        *fold = 1;
        return rc;
    }
    return format_at(m, it, col, trail, tmp);
}

int mb_write_address_field(const mailbuild_message *m, const struct mb_field *fd, lm_buf *out)
{
    struct mb_fold f;
    mb_fold_begin(&f, out, fd->name);
    lm_buf tmp = LM_BUF_INIT;
    enum { NONE, OPEN, ITEM } prev = NONE;
    int depth = 0, rc = 0;
    for (const struct mb_item *it = fd->items; it && !rc; it = it->next) {
        if (it->kind == MB_ITEM_GROUP_CLOSE) {
            lm_buf_putc(out, ';');
            f.col++;
            depth = 0;
            prev = ITEM;
            continue;
        }
        /* what follows on the line: ',' or ';', or ";," when the next item closes a group */
        size_t trail = it->next ? 1 + (it->next->kind == MB_ITEM_GROUP_CLOSE && it->next->next)
                                : it->kind == MB_ITEM_GROUP_OPEN || depth;
        int fold;
        rc = format_item(m, &f, it, prev == ITEM, trail, &tmp, &fold);
        f.force = fold;
        if (!rc)
            mb_fold_item(&f, prev == ITEM ? "," : "", tmp.data, tmp.len, trail);
        if (it->kind == MB_ITEM_GROUP_OPEN) {
            depth = 1;
            prev = OPEN;
        } else {
            prev = ITEM;
        }
    }
    if (depth && !rc) {
        lm_buf_putc(out, ';');
        f.col++;
    }
    lm_buf_free(&tmp);
    return rc ? rc : mb_fold_end(&f);
}
