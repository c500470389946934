/* maildir.c — Maildir listing (new/ and cur/) and the flags of its file names (maildir(5), Dovecot keywords). */
#include "mp_internal.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Conventions of this reader:
 *  - The info part of a name is what follows its last ':' — or ';', the separator used where
 *    ':' is not allowed in file names (mbsync, Dovecot on such filesystems) — when it begins
 *    "2,". The experimental "1," form and names without info have no flags.
 *  - Listing reads new/ and cur/ (tmp/ is ignored), skips names starting with '.', directories
 *    and anything that is not a regular file (a FIFO would block whoever opens it).
 *    A missing new/ or cur/ counts as empty; when both are missing the call fails (E_IO).
 *  - At most MP_MAILDIR_MAX_MESSAGES entries are listed; past that the call fails (E_LIMIT). */
#define MP_MAILDIR_MAX_MESSAGES ((size_t)16 * 1024 * 1024)

typedef struct maildir_entry {
    const char *path; /* "<maildir>/new/<name>" or ".../cur/<name>" */
    const char *name; /* points into path */
    int is_new;
    unsigned flags;
} maildir_entry;

struct mailparse_maildir {
    lm_arena *arena;     /* the paths */
    maildir_entry *items;
    size_t count, cap;
};

/* The flag letters after "2," in `filename`'s last path component, or NULL. */
static const char *info_flags(const char *filename)
{
    const char *base = strrchr(filename, '/');
    const char *sep = NULL;
    for (const char *p = base ? base + 1 : filename; *p; p++)
        if (*p == ':' || *p == ';')
            sep = p;
    if (!sep || sep[1] != '2' || sep[2] != ',')
        return NULL;
    return sep + 3;
}

static unsigned flag_bit(char c)
{
    switch (c) {
    case 'D': return MAILPARSE_MAILDIR_DRAFT;
    case 'F': return MAILPARSE_MAILDIR_FLAGGED;
    case 'P': return MAILPARSE_MAILDIR_PASSED;
    case 'R': return MAILPARSE_MAILDIR_REPLIED;
    case 'S': return MAILPARSE_MAILDIR_SEEN;
    case 'T': return MAILPARSE_MAILDIR_TRASHED;
    default: return 0;
    }
}

unsigned mailparse_maildir_flags(const char *filename, unsigned *keywords)
{
    unsigned flags = 0, kw = 0;
    for (const char *p = filename ? info_flags(filename) : NULL; p && *p; p++) {
        flags |= flag_bit(*p);
        if (*p >= 'a' && *p <= 'z')
            kw |= 1u << (*p - 'a');
    }
    if (keywords)
        *keywords = kw;
    return flags;
}

static int add_entry(mailparse_maildir *md, const char *dir, size_t dir_len, const char *name, int is_new)
{
    if (md->count == md->cap) {
        if (md->count >= MP_MAILDIR_MAX_MESSAGES)
            return MAILPARSE_E_LIMIT;
        size_t cap = md->cap ? md->cap * 2 : 64;
        maildir_entry *items = lm_realloc(md->items, cap * sizeof *items);
        if (!items)
            return MAILPARSE_E_NOMEM;
        md->items = items;
        md->cap = cap;
    }
    size_t name_len = strlen(name);
    char *path = lm_arena_alloc(md->arena, dir_len + 1 + name_len + 1);
    if (!path)
        return MAILPARSE_E_NOMEM;
    memcpy(path, dir, dir_len);
    path[dir_len] = '/';
    memcpy(path + dir_len + 1, name, name_len + 1);
    maildir_entry *e = &md->items[md->count++];
    e->path = path;
    e->name = path + dir_len + 1;
    e->is_new = is_new;
    e->flags = mailparse_maildir_flags(e->name, NULL);
    return 0;
}

/* Non-zero when entry `de` of folder `dir` is a regular file (symlinks followed). */
static int is_regular(const struct dirent *de, const char *dir, size_t dir_len, lm_buf *scratch)
{
#ifdef DT_REG
    if (de->d_type == DT_REG)
        return 1;
    if (de->d_type != DT_UNKNOWN && de->d_type != DT_LNK)
        return 0;
#endif
    struct stat st;
    lm_buf_reset(scratch);
    lm_buf_append(scratch, dir, dir_len);
    lm_buf_putc(scratch, '/');
    lm_buf_puts(scratch, de->d_name);
    return !scratch->oom && stat(scratch->data, &st) == 0 && S_ISREG(st.st_mode);
}

/* Adds the messages of folder `dir`; *found is set when the folder exists. */
static int list_folder(mailparse_maildir *md, const char *dir, size_t dir_len, int is_new, int *found)
{
    DIR *d = opendir(dir);
    if (!d)
        return errno == ENOENT || errno == ENOTDIR ? 0 : MAILPARSE_E_IO;
    *found = 1;
    lm_buf scratch = LM_BUF_INIT;
    int rc = 0;
    struct dirent *de;
    for (errno = 0; rc == 0 && (de = readdir(d)) != NULL; errno = 0) {
        if (de->d_name[0] == '.' || !is_regular(de, dir, dir_len, &scratch))
            continue;
        rc = add_entry(md, dir, dir_len, de->d_name, is_new);
    }
    if (rc == 0 && errno != 0)
        rc = MAILPARSE_E_IO;
    if (rc == 0 && scratch.oom)
        rc = MAILPARSE_E_NOMEM;
    lm_buf_free(&scratch);
    closedir(d);
    return rc;
}

static int by_name(const void *a, const void *b)
{
    const maildir_entry *x = a, *y = b;
    int c = strcmp(x->name, y->name);
    return c ? c : x->is_new - y->is_new;
}

/* Lists "<path>/new" and "<path>/cur" into md. */
static int list_maildir(mailparse_maildir *md, const char *path)
{
    size_t root = strlen(path);
    while (root > 1 && path[root - 1] == '/')
        root--;
    char *dir = lm_malloc(root + sizeof "/new");
    if (!dir)
        return MAILPARSE_E_NOMEM;
    memcpy(dir, path, root);
    int found = 0;
    memcpy(dir + root, "/new", sizeof "/new");
    int rc = list_folder(md, dir, root + 4, 1, &found);
    memcpy(dir + root, "/cur", sizeof "/cur");
    if (rc == 0)
        rc = list_folder(md, dir, root + 4, 0, &found);
    lm_free(dir);
    if (rc == 0 && !found)
        rc = MAILPARSE_E_IO;
    return rc;
}

int mailparse_maildir_open(const char *path, mailparse_maildir **out)
{
    if (!out)
        return MAILPARSE_E_INVAL;
    *out = NULL;
    if (!path || !*path)
        return MAILPARSE_E_INVAL;
    mailparse_maildir *md = lm_calloc(1, sizeof *md);
    if (!md)
        return MAILPARSE_E_NOMEM;
    md->arena = lm_arena_new(0);
    int rc = md->arena ? list_maildir(md, path) : MAILPARSE_E_NOMEM;
    if (rc) {
        mailparse_maildir_free(md);
        return rc;
    }
    if (md->count > 1)
        qsort(md->items, md->count, sizeof *md->items, by_name);
    *out = md;
    return 0;
}

size_t mailparse_maildir_count(const mailparse_maildir *md) { return md ? md->count : 0; }

const char *mailparse_maildir_path(const mailparse_maildir *md, size_t i, int *is_new, unsigned *flags)
{
    const maildir_entry *e = md && i < md->count ? &md->items[i] : NULL;
    if (is_new)
        *is_new = e ? e->is_new : 0;
    if (flags)
        *flags = e ? e->flags : 0;
    return e ? e->path : NULL;
}

void mailparse_maildir_free(mailparse_maildir *md)
{
    if (!md)
        return;
    lm_arena_free(md->arena);
    lm_free(md->items);
    lm_free(md);
}
