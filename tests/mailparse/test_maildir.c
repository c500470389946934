/* test_maildir.c — Maildir flags from file names and the new/ + cur/ listing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "mailparse.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum {
    D = MAILPARSE_MAILDIR_DRAFT,
    F = MAILPARSE_MAILDIR_FLAGGED,
    P = MAILPARSE_MAILDIR_PASSED,
    R = MAILPARSE_MAILDIR_REPLIED,
    S = MAILPARSE_MAILDIR_SEEN,
    T = MAILPARSE_MAILDIR_TRASHED
};

typedef struct flag_case {
    const char *name;
    unsigned flags, keywords;
} flag_case;

static const flag_case flag_table[] = {
    {"1234.host:2,FRS", F | R | S, 0},
    {"1234.host:2,DFPRST", D | F | P | R | S | T, 0},
    {"1234.host:2,", 0, 0},
    {"1234.host", 0, 0},
    {"", 0, 0},
    {"1234.host:1,FRS", 0, 0},
    {"1234.host:3,S", 0, 0},
    {"1234.host:2S", 0, 0},
    {"1234.host2,S", 0, 0},
    {"1234.host;2,ST", S | T, 0},
    {"1234.host:2,Sab", S, 0x3},
    {"1234.host:2,az", 0, 1u | (1u << 25)},
    {"1234.host:2,abcdefghijklmnopqrstuvwxyz", 0, 0x3FFFFFF},
    {"1234.host:2,SXYZ019,!", S, 0},
    {"1234.host:2,SSSS", S, 0},
    {"1234.host:2,TSRPFD", D | F | P | R | S | T, 0},
    {"1234.M5P6.host,S=1234,W=1260:2,RS", R | S, 0},
    {"cur/1234.host:2,S", S, 0},
    {"/maildir/cur/1234.host:2,FS", F | S, 0},
    {"/weird:2,T/1234.host", 0, 0},
    {"/weird:2,T/1234.host:2,D", D, 0},
    {"a:2,S:1,F", 0, 0},
    {"a;x:2,F", F, 0},
    {":2,R", R, 0},
    {"1234.host:2,\xC3\xA9S", S, 0},
};

static void flags_follow_the_info_letters(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof flag_table / sizeof *flag_table; i++) {
        unsigned kw = 0xDEAD;
        unsigned flags = mailparse_maildir_flags(flag_table[i].name, &kw);
        if (flags != flag_table[i].flags || kw != flag_table[i].keywords)
            fail_msg("%s: flags %#x keywords %#x", flag_table[i].name, flags, kw);
    }
}

static void flags_without_keyword_output(void **state)
{
    (void)state;
    assert_int_equal(mailparse_maildir_flags("x:2,Sa", NULL), S);
}

static void flags_of_null_name_are_zero(void **state)
{
    (void)state;
    unsigned kw = 7;
    assert_int_equal(mailparse_maildir_flags(NULL, &kw), 0);
    assert_int_equal(kw, 0);
    assert_int_equal(mailparse_maildir_flags(NULL, NULL), 0);
}

/* ---- listing ------------------------------------------------------------------------------- */

typedef struct tree {
    char root[256];
} tree;

static void make_dir(const tree *t, const char *rel)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", t->root, rel);
    assert_int_equal(mkdir(path, 0700), 0);
}

static void make_file(const tree *t, const char *rel)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", t->root, rel);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fputs("Subject: x\n\nbody\n", f);
    fclose(f);
}

static void tree_new(tree *t, int with_new, int with_cur)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(t->root, sizeof t->root, "%s/maildir-test-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    assert_non_null(mkdtemp(t->root));
    if (with_new)
        make_dir(t, "new");
    if (with_cur)
        make_dir(t, "cur");
    make_dir(t, "tmp");
}

static void tree_remove(const char *path)
{
    struct stat st;
    if (lstat(path, &st) != 0)
        return;
    if (S_ISDIR(st.st_mode)) {
        static const char *const subs[] = {"new", "cur", "tmp", "sub", "1.a", "2.b:2,S", "3.c", "9.tmp",
                                           ".hidden", "..x", "b.host:2,T", "a.host:2,RS", "fifo", "link",
                                           "dirlink"};
        for (size_t i = 0; i < sizeof subs / sizeof *subs; i++) {
            char child[600];
            snprintf(child, sizeof child, "%s/%s", path, subs[i]);
            tree_remove(child);
        }
        rmdir(path);
    } else {
        unlink(path);
    }
}

static void expect_entry(const mailparse_maildir *md, size_t i, const tree *t, const char *rel, int is_new,
                         unsigned flags)
{
    char want[600];
    snprintf(want, sizeof want, "%s/%s", t->root, rel);
    int got_new = -1;
    unsigned got_flags = 0xFFFF;
    const char *path = mailparse_maildir_path(md, i, &got_new, &got_flags);
    assert_non_null(path);
    assert_string_equal(path, want);
    assert_int_equal(got_new, is_new);
    assert_int_equal(got_flags, flags);
}

static void lists_new_and_cur_sorted_by_name(void **state)
{
    (void)state;
    tree t;
    tree_new(&t, 1, 1);
    make_file(&t, "new/3.c");
    make_file(&t, "new/1.a");
    make_file(&t, "cur/2.b:2,S");
    make_file(&t, "cur/b.host:2,T");
    make_file(&t, "cur/a.host:2,RS");
    make_file(&t, "tmp/9.tmp");
    mailparse_maildir *md;
    assert_int_equal(mailparse_maildir_open(t.root, &md), 0);
    assert_int_equal(mailparse_maildir_count(md), 5);
    expect_entry(md, 0, &t, "new/1.a", 1, 0);
    expect_entry(md, 1, &t, "cur/2.b:2,S", 0, S);
    expect_entry(md, 2, &t, "new/3.c", 1, 0);
    expect_entry(md, 3, &t, "cur/a.host:2,RS", 0, R | S);
    expect_entry(md, 4, &t, "cur/b.host:2,T", 0, T);
    mailparse_maildir_free(md);
    tree_remove(t.root);
}

static void skips_dot_files_directories_and_fifos(void **state)
{
    (void)state;
    tree t;
    tree_new(&t, 1, 1);
    make_file(&t, "new/.hidden");
    make_file(&t, "cur/..x");
    make_dir(&t, "cur/sub");
    make_file(&t, "cur/1.a");
    char path[600];
    snprintf(path, sizeof path, "%s/new/fifo", t.root);
    assert_int_equal(mkfifo(path, 0600), 0);
    char target[600];
    snprintf(target, sizeof target, "%s/cur/1.a", t.root);
    snprintf(path, sizeof path, "%s/new/link", t.root);
    assert_int_equal(symlink(target, path), 0);
    snprintf(target, sizeof target, "%s/cur/sub", t.root);
    snprintf(path, sizeof path, "%s/new/dirlink", t.root);
    assert_int_equal(symlink(target, path), 0);
    mailparse_maildir *md;
    assert_int_equal(mailparse_maildir_open(t.root, &md), 0);
    assert_int_equal(mailparse_maildir_count(md), 2);
    expect_entry(md, 0, &t, "cur/1.a", 0, 0);
    expect_entry(md, 1, &t, "new/link", 1, 0);
    mailparse_maildir_free(md);
    tree_remove(t.root);
}

static void empty_maildir_has_no_messages(void **state)
{
    (void)state;
    tree t;
    tree_new(&t, 1, 1);
    mailparse_maildir *md;
    assert_int_equal(mailparse_maildir_open(t.root, &md), 0);
    assert_int_equal(mailparse_maildir_count(md), 0);
    int is_new = 5;
    unsigned flags = 5;
    assert_null(mailparse_maildir_path(md, 0, &is_new, &flags));
    assert_int_equal(is_new, 0);
    assert_int_equal(flags, 0);
    mailparse_maildir_free(md);
    tree_remove(t.root);
}

static void missing_new_or_cur_counts_as_empty(void **state)
{
    (void)state;
    tree t;
    tree_new(&t, 0, 1);
    make_file(&t, "cur/1.a");
    mailparse_maildir *md;
    assert_int_equal(mailparse_maildir_open(t.root, &md), 0);
    assert_int_equal(mailparse_maildir_count(md), 1);
    mailparse_maildir_free(md);
    tree_remove(t.root);

    tree_new(&t, 1, 0);
    make_file(&t, "new/1.a");
    assert_int_equal(mailparse_maildir_open(t.root, &md), 0);
    assert_int_equal(mailparse_maildir_count(md), 1);
    expect_entry(md, 0, &t, "new/1.a", 1, 0);
    mailparse_maildir_free(md);
    tree_remove(t.root);
}

static void not_a_maildir_is_io_error(void **state)
{
    (void)state;
    tree t;
    tree_new(&t, 0, 0);
    mailparse_maildir *md = (mailparse_maildir *)&md;
    assert_int_equal(mailparse_maildir_open(t.root, &md), MAILPARSE_E_IO);
    assert_null(md);
    char path[600];
    snprintf(path, sizeof path, "%s/does-not-exist", t.root);
    assert_int_equal(mailparse_maildir_open(path, &md), MAILPARSE_E_IO);
    tree_remove(t.root);
}

static void trailing_slashes_do_not_double(void **state)
{
    (void)state;
    tree t;
    tree_new(&t, 1, 1);
    make_file(&t, "cur/1.a");
    char path[600];
    snprintf(path, sizeof path, "%s///", t.root);
    mailparse_maildir *md;
    assert_int_equal(mailparse_maildir_open(path, &md), 0);
    assert_int_equal(mailparse_maildir_count(md), 1);
    expect_entry(md, 0, &t, "cur/1.a", 0, 0);
    mailparse_maildir_free(md);
    tree_remove(t.root);
}

static void many_messages_stay_sorted(void **state)
{
    (void)state;
    tree t;
    tree_new(&t, 1, 1);
    char rel[64];
    for (int i = 0; i < 300; i++) {
        snprintf(rel, sizeof rel, "%s/%04d.host%s", i % 3 ? "cur" : "new", (i * 7919) % 300, i % 3 ? ":2,S" : "");
        make_file(&t, rel);
    }
    mailparse_maildir *md;
    assert_int_equal(mailparse_maildir_open(t.root, &md), 0);
    assert_int_equal(mailparse_maildir_count(md), 300);
    for (size_t i = 0; i + 1 < 300; i++) {
        const char *a = strrchr(mailparse_maildir_path(md, i, NULL, NULL), '/');
        const char *b = strrchr(mailparse_maildir_path(md, i + 1, NULL, NULL), '/');
        assert_true(strcmp(a, b) < 0);
    }
    for (size_t i = 0; i < 300; i++) {
        int is_new;
        unsigned flags;
        const char *p = mailparse_maildir_path(md, i, &is_new, &flags);
        assert_int_equal(flags, is_new ? 0 : S);
        assert_non_null(strstr(p, is_new ? "/new/" : "/cur/"));
        assert_int_equal(unlink(p), 0);
    }
    mailparse_maildir_free(md);
    tree_remove(t.root);
}

static void bad_arguments_are_rejected(void **state)
{
    (void)state;
    mailparse_maildir *md = (mailparse_maildir *)&md;
    assert_int_equal(mailparse_maildir_open(NULL, &md), MAILPARSE_E_INVAL);
    assert_null(md);
    assert_int_equal(mailparse_maildir_open("", &md), MAILPARSE_E_INVAL);
    assert_int_equal(mailparse_maildir_open(".", NULL), MAILPARSE_E_INVAL);
    assert_int_equal(mailparse_maildir_count(NULL), 0);
    assert_null(mailparse_maildir_path(NULL, 0, NULL, NULL));
    mailparse_maildir_free(NULL);
}

static void project_sample_maildir_lists(void **state)
{
    (void)state;
    mailparse_maildir *md;
    assert_int_equal(mailparse_maildir_open(TEST_DATA_DIR "/maildir/sample", &md), 0);
    assert_int_equal(mailparse_maildir_count(md), 3);
    int is_new;
    unsigned flags;
    const char *p = mailparse_maildir_path(md, 0, &is_new, &flags);
    assert_non_null(strstr(p, "/cur/1700000000.M1P1.example:2,RS"));
    assert_int_equal(is_new, 0);
    assert_int_equal(flags, R | S);
    p = mailparse_maildir_path(md, 1, &is_new, &flags);
    assert_non_null(strstr(p, "/new/1700000001.M2P1.example"));
    assert_int_equal(is_new, 1);
    assert_int_equal(flags, 0);
    p = mailparse_maildir_path(md, 2, &is_new, &flags);
    assert_non_null(strstr(p, "/cur/1700000002.M3P1.example:2,FTa"));
    assert_int_equal(flags, F | T);
    unsigned kw;
    assert_int_equal(mailparse_maildir_flags(p, &kw), F | T);
    assert_int_equal(kw, 1);
    mailparse_maildir_free(md);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(flags_follow_the_info_letters),
        cmocka_unit_test(flags_without_keyword_output),
        cmocka_unit_test(flags_of_null_name_are_zero),
        cmocka_unit_test(lists_new_and_cur_sorted_by_name),
        cmocka_unit_test(skips_dot_files_directories_and_fifos),
        cmocka_unit_test(empty_maildir_has_no_messages),
        cmocka_unit_test(missing_new_or_cur_counts_as_empty),
        cmocka_unit_test(not_a_maildir_is_io_error),
        cmocka_unit_test(trailing_slashes_do_not_double),
        cmocka_unit_test(many_messages_stay_sorted),
        cmocka_unit_test(bad_arguments_are_rejected),
        cmocka_unit_test(project_sample_maildir_lists),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
