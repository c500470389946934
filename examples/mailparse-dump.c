/* mailparse-dump.c — prints a parsed message, as text or as one JSON object per message.
 *
 *   mailparse-dump [--json] [--bodies] [--mbox] FILE|-
 *
 * An example of the libmailparse API: parse, walk the parts and headers, read the typed values
 * and the body views. The JSON writer escapes every string and replaces invalid UTF-8, so the
 * output is always valid JSON in valid UTF-8. */
#include "mailparse.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct opts {
    int json, bodies, mbox;
};

/* ---- JSON output ------------------------------------------------------------------------- */

/* Length of the valid UTF-8 sequence at s (1-4), or 0 when it is not valid. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
    unsigned char c = s[0];
    size_t len;
    unsigned long cp;
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF) {
        len = 2;
        cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        cp = c & 0x07;
    } else
        return 0;
    if (n < len)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    if ((len == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
        return 0;
    return len;
}

static void json_strn(const char *str, size_t n)
{
    const unsigned char *s = (const unsigned char *)str;
    putchar('"');
    for (size_t i = 0; i < n;) {
        unsigned char c = s[i];
        if (c == '"' || c == '\\') {
            putchar('\\');
            putchar(c);
            i++;
        } else if (c < 0x20 || c == 0x7F) {
            switch (c) {
            case '\n': fputs("\\n", stdout); break;
            case '\r': fputs("\\r", stdout); break;
            case '\t': fputs("\\t", stdout); break;
            default: printf("\\u%04x", c);
            }
            i++;
        } else if (c < 0x80) {
            putchar(c);
            i++;
        } else {
            size_t len = utf8_seq(s + i, n - i);
            if (len) {
                fwrite(s + i, 1, len, stdout);
                i += len;
            } else {
                fputs("\\ufffd", stdout);
                i++;
            }
        }
    }
    putchar('"');
}

static void json_str(const char *s)
{
    if (s)
        json_strn(s, strlen(s));
    else
        fputs("null", stdout);
}

static void json_key(const char *k, int *first)
{
    if (!*first)
        putchar(',');
    *first = 0;
    json_str(k);
    putchar(':');
}

static void json_ids(const size_t *ids, size_t n)
{
    putchar('[');
    for (size_t i = 0; i < n; i++)
        printf("%s%zu", i ? "," : "", ids[i]);
    putchar(']');
}

static void json_list(const mailparse_string_list *l)
{
    putchar('[');
    for (size_t i = 0; l && i < l->count; i++) {
        if (i)
            putchar(',');
        json_str(l->items[i]);
    }
    putchar(']');
}

static void json_base64(const unsigned char *p, size_t n)
{
    char *enc = NULL;
    size_t len = 0;
    if (mailparse_base64_encode(p, n, 0, &enc, &len) == 0) {
        json_strn(enc, len);
        mailparse_free(enc);
    } else
        fputs("null", stdout);
}

static void iso_date(const mailparse_date *d, char *buf, size_t size)
{
    long long t = (long long)d->timestamp;
    long long days = t / 86400, secs = t % 86400;
    if (secs < 0) {
        secs += 86400;
        days--;
    }
    /* civil_from_days (proleptic Gregorian) */
    long long z = days + 719468, era = (z >= 0 ? z : z - 146096) / 146097;
    long long doe = z - era * 146097;
    long long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long long y = yoe + era * 400, doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long long mp = (5 * doy + 2) / 153, day = doy - (153 * mp + 2) / 5 + 1;
    long long month = mp < 10 ? mp + 3 : mp - 9;
    if (month <= 2)
        y++;
    snprintf(buf, size, "%04lld-%02lld-%02lldT%02lld:%02lld:%02lldZ", y, month, day, secs / 3600,
             secs / 60 % 60, secs % 60);
}

static void json_date(const mailparse_date *d)
{
    if (!d) {
        fputs("null", stdout);
        return;
    }
    printf("{\"timestamp\":%lld,\"year\":%d,\"month\":%d,\"day\":%d,\"hour\":%d,\"minute\":%d,"
           "\"second\":%d,\"offset\":%d}",
           (long long)d->timestamp, d->year, d->month, d->day, d->hour, d->minute, d->second,
           d->offset_minutes);
}

static void json_addresses(const mailparse_address_list *al)
{
    putchar('[');
    for (size_t i = 0; al && i < al->count; i++) {
        const mailparse_address *a = &al->items[i];
        int first = 1;
        putchar(i ? ',' : '{');
        if (i)
            putchar('{');
        json_key("name", &first);
        json_str(a->name);
        json_key("address", &first);
        json_str(a->address);
        json_key("group", &first);
        json_str(a->group >= 0 && (size_t)a->group < al->group_count ? al->group_names[a->group] : NULL);
        putchar('}');
    }
    putchar(']');
}

static void json_content_type(const mailparse_content_type *ct)
{
    int first = 1;
    putchar('{');
    json_key("type", &first);
    json_str(ct->type);
    json_key("subtype", &first);
    json_str(ct->subtype);
    json_key("params", &first);
    putchar('[');
    for (size_t i = 0; i < ct->param_count; i++) {
        int f = 1;
        printf("%s{", i ? "," : "");
        json_key("name", &f);
        json_str(ct->params[i].name);
        json_key("value", &f);
        json_str(ct->params[i].value);
        json_key("language", &f);
        json_str(ct->params[i].language);
        putchar('}');
    }
    fputs("]}", stdout);
}

static void json_received(const mailparse_received *r)
{
    int first = 1;
    putchar('{');
    const char *names[] = {"from", "from_ip", "from_iprev", "helo", "by", "via", "with",
                           "id", "for", "ident", "tls_version", "tls_cipher"};
    const char *values[] = {r->from, r->from_ip, r->from_iprev, r->helo, r->by, r->via, r->with,
                            r->id, r->for_addr, r->ident, r->tls_version, r->tls_cipher};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        json_key(names[i], &first);
        json_str(values[i]);
    }
    json_key("date", &first);
    json_date(r->has_date ? &r->date : NULL);
    putchar('}');
}

static void json_header(const mailparse_header *h)
{
    int first = 1;
    putchar('{');
    json_key("name", &first);
    json_strn(h->name, h->name_len);
    json_key("value", &first);
    json_strn(h->text, h->text_len);
    json_key("offset_field", &first);
    printf("%zu", h->offset_field);
    json_key("offset_value", &first);
    printf("%zu", h->offset_value);
    json_key("offset_end", &first);
    printf("%zu", h->offset_end);
    switch (h->kind) {
    case MAILPARSE_VALUE_ADDRESSES:
        json_key("addresses", &first);
        json_addresses(h->addresses);
        json_key("groups", &first);
        putchar('[');
        for (size_t i = 0; h->addresses && i < h->addresses->group_count; i++) {
            if (i)
                putchar(',');
            json_str(h->addresses->group_names[i]);
        }
        putchar(']');
        break;
    case MAILPARSE_VALUE_DATE:
        json_key("date", &first);
        json_date(h->date);
        break;
    case MAILPARSE_VALUE_IDS:
    case MAILPARSE_VALUE_URLS:
    case MAILPARSE_VALUE_TEXT_LIST:
        json_key("list", &first);
        json_list(h->list);
        break;
    case MAILPARSE_VALUE_CONTENT_TYPE:
        json_key("content_type", &first);
        if (h->content_type)
            json_content_type(h->content_type);
        else
            fputs("null", stdout);
        break;
    case MAILPARSE_VALUE_RECEIVED:
        json_key("received", &first);
        if (h->received)
            json_received(h->received);
        else
            fputs("null", stdout);
        break;
    case MAILPARSE_VALUE_TEXT:
        break;
    }
    putchar('}');
}

static const char *kind_name(mailparse_part_kind k)
{
    static const char *const names[] = {"text", "html", "binary", "message", "multipart"};
    return (unsigned)k < 5 ? names[k] : "unknown";
}

static const char *encoding_name(mailparse_encoding e)
{
    static const char *const names[] = {"7bit", "8bit", "binary", "base64", "quoted-printable",
                                        "uuencode", "unknown"};
    return (unsigned)e < 7 ? names[e] : "unknown";
}

static void json_type(const mailparse_content_type *ct)
{
    char buf[512];
    snprintf(buf, sizeof buf, "%s/%s", ct->type, ct->subtype ? ct->subtype : "");
    json_str(buf);
}

static void json_message(const mailparse_message *m, const struct opts *o);

static void json_part(const mailparse_message *m, const mailparse_part *pt, const struct opts *o)
{
    int first = 1;
    putchar('{');
    json_key("id", &first);
    printf("%zu", pt->id);
    json_key("parent", &first);
    printf("%ld", pt->parent);
    json_key("children", &first);
    json_ids(pt->children, pt->child_count);
    json_key("kind", &first);
    json_str(kind_name(pt->kind));
    json_key("content_type", &first);
    json_type(pt->content_type);
    json_key("params", &first);
    putchar('{');
    for (size_t i = 0; i < pt->content_type->param_count; i++) {
        if (i)
            putchar(',');
        json_str(pt->content_type->params[i].name);
        putchar(':');
        json_str(pt->content_type->params[i].value);
    }
    putchar('}');
    json_key("disposition", &first);
    json_str(pt->disposition ? pt->disposition->type : NULL);
    json_key("filename", &first);
    json_str(pt->filename);
    json_key("charset", &first);
    json_str(pt->charset);
    json_key("content_id", &first);
    json_str(pt->content_id);
    json_key("encoding", &first);
    json_str(encoding_name(pt->encoding));
    json_key("offset_header", &first);
    printf("%zu", pt->offset_header);
    json_key("offset_body", &first);
    printf("%zu", pt->offset_body);
    json_key("offset_end", &first);
    printf("%zu", pt->offset_end);
    json_key("size", &first);
    printf("%zu", pt->body_len);
    json_key("flags", &first);
    static const char *const flag_names[] = {"encoding_problem", "charset_unknown", "truncated", "default_type"};
    putchar('[');
    int f = 1;
    for (unsigned i = 0; i < 4; i++)
        if (pt->flags & (1u << i)) {
            if (!f)
                putchar(',');
            f = 0;
            json_str(flag_names[i]);
        }
    putchar(']');
    json_key("headers", &first);
    putchar('[');
    for (size_t i = 0; i < pt->header_count; i++) {
        if (i)
            putchar(',');
        json_header(mailparse_message_header_at(m, pt->header_first + i));
    }
    putchar(']');
    if (pt->nested) { /* a transfer-encoded message/global, parsed from its decoded bytes */
        json_key("nested", &first);
        json_message(pt->nested, o);
    }
    if (o->bodies && pt->kind != MAILPARSE_PART_MULTIPART && pt->kind != MAILPARSE_PART_MESSAGE) {
        if (pt->text) {
            json_key("text", &first);
            json_strn(pt->text, pt->text_len);
        } else if (pt->body) {
            json_key("body_base64", &first);
            json_base64(pt->body, pt->body_len);
        }
    }
    putchar('}');
}

static void json_field_addresses(const mailparse_message *m, const char *key, const char *field, int *first)
{
    json_key(key, first);
    json_addresses(mailparse_message_addresses(m, field));
}

static void json_message(const mailparse_message *m, const struct opts *o)
{
    int first = 1;
    putchar('{');
    json_key("subject", &first);
    const char *subject = mailparse_message_subject(m);
    json_str(subject);
    json_field_addresses(m, "from", "from", &first);
    json_field_addresses(m, "to", "to", &first);
    json_field_addresses(m, "cc", "cc", &first);
    json_field_addresses(m, "bcc", "bcc", &first);
    json_field_addresses(m, "reply_to", "reply-to", &first);
    json_field_addresses(m, "sender", "sender", &first);
    const mailparse_date *d = mailparse_message_date(m);
    char buf[64];
    json_key("date", &first);
    if (d) {
        iso_date(d, buf, sizeof buf);
        json_str(buf);
    } else
        fputs("null", stdout);
    json_key("date_offset", &first);
    if (d)
        printf("%d", d->offset_minutes);
    else
        fputs("null", stdout);
    json_key("message_id", &first);
    json_str(mailparse_message_id(m));
    const mailparse_header *h = mailparse_part_header(m, 0, "in-reply-to", 0);
    json_key("in_reply_to", &first);
    json_list(h ? h->list : NULL);
    h = mailparse_part_header(m, 0, "references", 0);
    json_key("references", &first);
    json_list(h ? h->list : NULL);

    size_t len = 0;
    const char *text = mailparse_message_text(m, &len);
    json_key("text", &first);
    if (text)
        json_strn(text, len);
    else
        fputs("null", stdout);
    char *s = NULL;
    json_key("html", &first);
    if (mailparse_message_html_dup(m, &s, &len) == 0 && s) {
        json_strn(s, len);
        mailparse_free(s);
    } else
        fputs("null", stdout);
    json_key("preview", &first);
    if (mailparse_message_preview(m, 256, &s, &len) == 0) {
        json_strn(s, len);
        mailparse_free(s);
    } else
        fputs("null", stdout);
    json_key("thread_subject", &first);
    if (subject && mailparse_thread_subject(subject, strlen(subject), &s, &len) == 0) {
        json_strn(s, len);
        mailparse_free(s);
    } else
        json_str(subject ? "" : NULL);

    size_t n = 0;
    const size_t *ids = mailparse_message_text_body(m, &n);
    json_key("text_body", &first);
    json_ids(ids, n);
    ids = mailparse_message_html_body(m, &n);
    json_key("html_body", &first);
    json_ids(ids, n);
    ids = mailparse_message_attachments(m, &n);
    json_key("attachment_parts", &first);
    json_ids(ids, n);
    json_key("attachments", &first);
    putchar('[');
    for (size_t i = 0; i < n; i++) {
        const mailparse_part *pt = mailparse_message_part(m, ids[i]);
        int f = 1;
        printf("%s{", i ? "," : "");
        json_key("filename", &f);
        json_str(pt->filename);
        json_key("content_type", &f);
        json_type(pt->content_type);
        json_key("size", &f);
        printf("%zu", pt->kind == MAILPARSE_PART_MESSAGE ? pt->offset_end - pt->offset_body : pt->body_len);
        json_key("part", &f);
        printf("%zu}", pt->id);
    }
    putchar(']');
    json_key("parts", &first);
    putchar('[');
    for (size_t i = 0; i < mailparse_message_part_count(m); i++) {
        if (i)
            putchar(',');
        json_part(m, mailparse_message_part(m, i), o);
    }
    putchar(']');
    json_key("anomalies", &first);
    putchar('[');
    for (size_t i = 0; i < mailparse_message_anomaly_count(m); i++) {
        mailparse_anomaly_kind k;
        size_t off;
        mailparse_message_anomaly_at(m, i, &k, &off);
        printf("%s{\"kind\":\"%s\",\"offset\":%zu}", i ? "," : "", mailparse_anomaly_name(k), off);
    }
    fputs("]}", stdout);
}

/* ---- text output ------------------------------------------------------------------------- */

static void print_addresses(const char *label, const mailparse_address_list *al)
{
    if (!al || !al->count)
        return;
    printf("%s:", label);
    for (size_t i = 0; i < al->count; i++)
        printf("%s %s%s<%s>", i ? "," : "", al->items[i].name ? al->items[i].name : "",
               al->items[i].name ? " " : "", al->items[i].address ? al->items[i].address : "");
    putchar('\n');
}

static void text_message(const mailparse_message *m)
{
    const char *subject = mailparse_message_subject(m);
    printf("Subject: %s\n", subject ? subject : "(none)");
    print_addresses("From", mailparse_message_addresses(m, "from"));
    print_addresses("To", mailparse_message_addresses(m, "to"));
    print_addresses("Cc", mailparse_message_addresses(m, "cc"));
    const mailparse_date *d = mailparse_message_date(m);
    if (d) {
        char buf[64];
        iso_date(d, buf, sizeof buf);
        printf("Date: %s (offset %+d min)\n", buf, d->offset_minutes);
    }
    const char *id = mailparse_message_id(m);
    if (id)
        printf("Message-ID: %s\n", id);
    printf("Parts:\n");
    for (size_t i = 0; i < mailparse_message_part_count(m); i++) {
        const mailparse_part *pt = mailparse_message_part(m, i);
        int depth = 0;
        for (long p = pt->parent; p >= 0; p = mailparse_message_part(m, (size_t)p)->parent)
            depth++;
        printf("  %*s[%zu] %s/%s %s%s%s %zu bytes (%s)\n", depth * 2, "", pt->id, pt->content_type->type,
               pt->content_type->subtype ? pt->content_type->subtype : "", pt->filename ? "\"" : "",
               pt->filename ? pt->filename : "", pt->filename ? "\"" : "", pt->body_len,
               encoding_name(pt->encoding));
        if (pt->nested) {
            const char *s = mailparse_message_subject(pt->nested);
            printf("  %*s    nested message: %zu parts, subject %s\n", depth * 2, "",
                   mailparse_message_part_count(pt->nested), s ? s : "(none)");
        }
    }
    size_t len = 0;
    const char *text = mailparse_message_text(m, &len);
    if (text)
        printf("Text:\n%.*s\n", (int)(len > 2000 ? 2000 : len), text);
    size_t n = mailparse_message_anomaly_count(m);
    if (n) {
        printf("Anomalies:");
        for (size_t i = 0; i < n; i++) {
            mailparse_anomaly_kind k;
            size_t off;
            mailparse_message_anomaly_at(m, i, &k, &off);
            printf(" %s@%zu", mailparse_anomaly_name(k), off);
        }
        putchar('\n');
    }
}

/* ---- driver -------------------------------------------------------------------------------- */

static unsigned char *read_all(const char *path, size_t *len)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 65536, n = 0, r;
    unsigned char *buf = malloc(cap);
    while (buf && (r = fread(buf + n, 1, cap - n, f)) > 0) {
        n += r;
        if (n == cap) {
            unsigned char *nb = realloc(buf, cap * 2);
            if (!nb)
                free(buf);
            buf = nb;
            cap *= 2;
        }
    }
    if (f != stdin)
        fclose(f);
    *len = n;
    return buf;
}

static int dump_one(const unsigned char *data, size_t len, const struct opts *o)
{
    mailparse_options po;
    mailparse_options_init(&po);
    po.flags = MAILPARSE_F_ZERO_COPY;
    mailparse_message *m = NULL;
    int rc = mailparse_parse(data, len, &po, &m);
    if (rc) {
        fprintf(stderr, "mailparse-dump: %s\n", mailparse_strerror(rc));
        return 1;
    }
    if (o->json) {
        json_message(m, o);
        putchar('\n');
    } else
        text_message(m);
    mailparse_message_free(m);
    return 0;
}

static int usage(void)
{
    fputs("usage: mailparse-dump [--json] [--bodies] [--mbox] FILE|-\n", stderr);
    return 2;
}

int main(int argc, char **argv)
{
    struct opts o = {0, 0, 0};
    const char *path = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--json") == 0)
            o.json = 1;
        else if (strcmp(argv[i], "--bodies") == 0)
            o.bodies = 1;
        else if (strcmp(argv[i], "--mbox") == 0)
            o.mbox = 1;
        else if (argv[i][0] == '-' && argv[i][1])
            return usage();
        else if (!path)
            path = argv[i];
        else
            return usage();
    }
    if (!path)
        return usage();
    size_t len = 0;
    unsigned char *data = read_all(path, &len);
    if (!data) {
        fprintf(stderr, "mailparse-dump: cannot read %s\n", path);
        return 1;
    }
    int status = 0;
    if (!o.mbox) {
        status = dump_one(data, len, &o);
    } else {
        mailparse_mbox *mb = NULL;
        int rc = mailparse_mbox_open_buffer(data, len, MAILPARSE_MBOX_RD, &mb);
        const unsigned char *msg;
        size_t mlen;
        while (rc == 0 && (rc = mailparse_mbox_next(mb, &msg, &mlen, NULL, NULL)) == 0)
            status |= dump_one(msg, mlen, &o);
        if (rc != MAILPARSE_E_EOF) {
            fprintf(stderr, "mailparse-dump: %s\n", mailparse_strerror(rc));
            status = 1;
        }
        mailparse_mbox_free(mb);
    }
    free(data);
    return status;
}
