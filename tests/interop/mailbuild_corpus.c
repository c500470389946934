/* mailbuild_corpus.c — writes the round-trip messages of tests/mailbuild/roundtrip_gen.h as
 * files, for the peer parsers (roundtrip.py runs it).
 *
 * Usage: mailbuild_corpus DIR [COUNT [FIRST]]
 *   For each seed FIRST .. FIRST+COUNT-1 (default 2000 from 0) writes DIR/<seed>.eml (the
 *   message as libmailbuild wrote it) and DIR/<seed>.json (what was put in). Exits 0, or 1
 *   when a file cannot be written.
 *
 * The JSON record:
 *   seed, flags (["8bit", "smtputf8"]), build_error (null or the builder call that refused a
 *   valid value), and the message:
 *   { from, to, cc: null or {mailboxes: [{name, address, group}], groups: [name]},
 *     subject: null or string, date: null or {timestamp, offset},
 *     message_id: null or id without <>, message_id_suffix: null or "@domain" (generated id),
 *     in_reply_to, references, keywords: [string], text_header: null or {name, value},
 *     body: part }
 *   part: { type: "type/subtype", kind: "multipart" | "text" | "binary" | "message",
 *     charset, filename, disposition, content_id, description: null or string,
 *     params: {name: value}, body: base64 of the decoded bytes (text: UTF-8 with CRLF line
 *     ends; message: the nested message's bytes), children: [part], message: nested message }
 *   Addresses are "local@domain" with the local part unquoted; "" is no display name; a
 *   disposition of null was not asked for and is not compared.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../mailbuild/roundtrip_gen.h"

static void json_string(FILE *f, const char *s)
{
    if (!s) {
        fputs("null", f);
        return;
    }
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            fprintf(f, "\\%c", *p);
        else if (*p < 0x20 || *p == 0x7f)
            fprintf(f, "\\u%04x", *p);
        else
            fputc(*p, f);
    }
    fputc('"', f);
}

static void json_base64(FILE *f, const unsigned char *p, size_t n)
{
    static const char abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    fputc('"', f);
    for (size_t i = 0; i < n; i += 3) {
        unsigned v = (unsigned)p[i] << 16;
        if (i + 1 < n)
            v |= (unsigned)p[i + 1] << 8;
        if (i + 2 < n)
            v |= p[i + 2];
        fputc(abc[(v >> 18) & 63], f);
        fputc(abc[(v >> 12) & 63], f);
        fputc(i + 1 < n ? abc[(v >> 6) & 63] : '=', f);
        fputc(i + 2 < n ? abc[v & 63] : '=', f);
    }
    fputc('"', f);
}

static void json_strings(FILE *f, const char *const *items, size_t count)
{
    fputc('[', f);
    for (size_t i = 0; i < count; i++) {
        if (i)
            fputc(',', f);
        json_string(f, items[i]);
    }
    fputc(']', f);
}

static void json_addrs(FILE *f, const rt_addrs *a)
{
    if (!a->present) {
        fputs("null", f);
        return;
    }
    fputs("{\"mailboxes\":[", f);
    for (size_t i = 0; i < a->count; i++) {
        fputs(i ? ",{\"name\":" : "{\"name\":", f);
        json_string(f, a->items[i].name);
        fputs(",\"address\":", f);
        json_string(f, a->items[i].address);
        fprintf(f, ",\"group\":%d}", a->items[i].group);
    }
    fputs("],\"groups\":", f);
    json_strings(f, a->groups, a->group_count);
    fputc('}', f);
}

static void json_message(FILE *f, const rt_message *m);

static void json_part(FILE *f, const rt_part *p)
{
    static const char *const kinds[] = { "multipart", "text", "binary", "message" };
    fprintf(f, "{\"type\":\"%s/%s\",\"kind\":\"%s\",\"charset\":", p->type, p->subtype, kinds[p->kind]);
    json_string(f, p->charset);
    fputs(",\"filename\":", f);
    json_string(f, p->filename);
    fputs(",\"disposition\":", f);
    json_string(f, p->disposition);
    fputs(",\"content_id\":", f);
    json_string(f, p->content_id);
    fputs(",\"description\":", f);
    json_string(f, p->description);
    fputs(",\"params\":{", f);
    for (size_t i = 0; i < p->param_count; i++) {
        if (i)
            fputc(',', f);
        json_string(f, p->params[i].name);
        fputc(':', f);
        json_string(f, p->params[i].value);
    }
    fputc('}', f);
    if (p->kind == RT_MULTIPART) {
        fputs(",\"children\":[", f);
        for (size_t i = 0; i < p->child_count; i++) {
            if (i)
                fputc(',', f);
            json_part(f, p->children[i]);
        }
        fputc(']', f);
    } else {
        fputs(",\"body\":", f);
        json_base64(f, p->body, p->body_len);
    }
    if (p->kind == RT_MESSAGE) {
        fputs(",\"message\":", f);
        json_message(f, p->nested);
    }
    fputc('}', f);
}

static void json_message(FILE *f, const rt_message *m)
{
    fputs("{\"flags\":[", f);
    int first = 1;
    if (m->flags & MAILBUILD_F_8BIT) {
        fputs("\"8bit\"", f);
        first = 0;
    }
    if (m->flags & MAILBUILD_F_SMTPUTF8)
        fputs(first ? "\"smtputf8\"" : ",\"smtputf8\"", f);
    fprintf(f, "],\"shape\":\"%s\",\"from\":", m->shape == RT_SHAPE_TREE ? "tree" : "common");
    json_addrs(f, &m->from);
    fputs(",\"to\":", f);
    json_addrs(f, &m->to);
    fputs(",\"cc\":", f);
    json_addrs(f, &m->cc);
    fputs(",\"subject\":", f);
    json_string(f, m->subject);
    if (m->has_date)
        fprintf(f, ",\"date\":{\"timestamp\":%lld,\"offset\":%d}", (long long)m->date,
                m->date_offset);
    else
        fputs(",\"date\":null", f);
    fputs(",\"message_id\":", f);
    json_string(f, m->message_id);
    fputs(",\"message_id_suffix\":", f);
    json_string(f, m->message_id_suffix);
    fputs(",\"in_reply_to\":", f);
    json_strings(f, m->in_reply_to, m->in_reply_to_count);
    fputs(",\"references\":", f);
    json_strings(f, m->references, m->references_count);
    fputs(",\"keywords\":", f);
    json_strings(f, m->keywords, m->keyword_count);
    fputs(",\"text_header\":", f);
    if (m->text_header_name) {
        fputs("{\"name\":", f);
        json_string(f, m->text_header_name);
        fputs(",\"value\":", f);
        json_string(f, m->text_header_value);
        fputc('}', f);
    } else {
        fputs("null", f);
    }
    fputs(",\"body\":", f);
    json_part(f, m->root);
    fputc('}', f);
}

static int write_case(const char *dir, const rt_case *c)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%llu.eml", dir, (unsigned long long)c->seed);
    FILE *f = fopen(path, "wb");
    if (!f || (c->raw_len && fwrite(c->raw, 1, c->raw_len, f) != c->raw_len) || fclose(f) != 0) {
        fprintf(stderr, "mailbuild_corpus: cannot write %s: %s\n", path, strerror(errno));
        return -1;
    }
    snprintf(path, sizeof path, "%s/%llu.json", dir, (unsigned long long)c->seed);
    f = fopen(path, "wb");
    if (!f) {
        fprintf(stderr, "mailbuild_corpus: cannot write %s: %s\n", path, strerror(errno));
        return -1;
    }
    fprintf(f, "{\"seed\":%llu,\"build_error\":", (unsigned long long)c->seed);
    json_string(f, c->build_error[0] ? c->build_error : NULL);
    fputs(",\"written\":", f);
    fputs(c->raw ? "true" : "false", f);
    fputs(",\"message\":", f);
    json_message(f, c->msg);
    fputs("}\n", f);
    if (fclose(f) != 0) {
        fprintf(stderr, "mailbuild_corpus: cannot write %s: %s\n", path, strerror(errno));
        return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2 || argc > 4) {
        fprintf(stderr, "usage: %s DIR [COUNT [FIRST]]\n", argv[0]);
        return 2;
    }
    unsigned long long count = argc > 2 ? strtoull(argv[2], NULL, 10) : 2000;
    unsigned long long first = argc > 3 ? strtoull(argv[3], NULL, 10) : 0;
    for (unsigned long long i = 0; i < count; i++) {
        rt_case c;
        rt_generate(first + i, &c);
        int rc = write_case(argv[1], &c);
        rt_case_free(&c);
        if (rc != 0)
            return 1;
    }
    printf("mailbuild_corpus: %llu messages in %s\n", count, argv[1]);
    return 0;
}
