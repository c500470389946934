/* charset.c — charsets to and from UTF-8 through ICU ucnv, the mail charset aliases, UTF-8
 * validation and guessing (RFC 2045 §5.1, RFC 2046 §4.1.2, RFC 2152, RFC 2781, RFC 3629). */
#include "mp_internal.h"
#include "lm_utf8.h"

#include <string.h>
#include <unicode/ucnv.h>
#include <unicode/ucnv_cb.h>

/* Longest charset label accepted (after trimming); longer ones are unknown. */
#define CS_NAME_MAX 64
/* At most this many CHARSET_INVALID reports per conversion; the rest are silent. */
#define CS_MAX_REPORTS 16
/* UTF-16 units converted per ICU call. */
#define CS_CHUNK 2048

/* How a label decodes. */
enum cs_kind {
    CS_ICU,   /* an ICU converter */
    CS_UTF8,  /* UTF-8, validated here without ICU */
    CS_GUESS, /* "unknown-8bit" and friends: UTF-8 when valid, else windows-1252 */
    CS_UTF16, /* UTF-16 / UTF-32: a BOM decides the byte order, else the label (BE default) */
    CS_UTF32
};

enum {
    CS_DECODE_ONLY = 1u << 0, /* a WHATWG decoding superset; ICU's own meaning when encoding */
    CS_NAMES_ASCII = 1u << 1  /* the label names US-ASCII */
};

struct cs_alias {
    const char *label; /* lowercase */
    const char *target;
    unsigned flags;
};

/* Labels mail needs beyond ICU's own alias table, and the decoding supersets mail readers
 * apply (WHATWG Encoding Standard, §4.2): what ISO-8859-1 and US-ASCII text really holds in
 * mail is windows-1252, and so on. */
static const struct cs_alias cs_aliases[] = {
    {"utf-8", "utf-8", 0}, {"utf8", "utf-8", 0}, {"unicode-1-1-utf-8", "utf-8", 0},
    {"unicode-2-0-utf-8", "utf-8", 0}, {"x-unicode20utf8", "utf-8", 0},
    {"us-ascii", "windows-1252", CS_DECODE_ONLY | CS_NAMES_ASCII},
    {"ascii", "windows-1252", CS_DECODE_ONLY | CS_NAMES_ASCII},
    {"ansi_x3.4-1968", "windows-1252", CS_DECODE_ONLY | CS_NAMES_ASCII},
    {"ansi_x3.4-1986", "windows-1252", CS_DECODE_ONLY | CS_NAMES_ASCII},
    {"iso646-us", "windows-1252", CS_DECODE_ONLY | CS_NAMES_ASCII},
    {"iso-ir-6", "windows-1252", CS_DECODE_ONLY | CS_NAMES_ASCII},
    {"us", "windows-1252", CS_DECODE_ONLY | CS_NAMES_ASCII},
    {"csascii", "windows-1252", CS_DECODE_ONLY | CS_NAMES_ASCII},
    {"cp367", "windows-1252", CS_DECODE_ONLY | CS_NAMES_ASCII},
    {"ibm367", "windows-1252", CS_DECODE_ONLY | CS_NAMES_ASCII},
    {"iso-8859-1", "windows-1252", CS_DECODE_ONLY}, {"iso8859-1", "windows-1252", CS_DECODE_ONLY},
    {"iso_8859-1", "windows-1252", CS_DECODE_ONLY}, {"iso88591", "windows-1252", CS_DECODE_ONLY},
    {"iso_8859-1:1987", "windows-1252", CS_DECODE_ONLY}, {"latin1", "windows-1252", CS_DECODE_ONLY},
    {"l1", "windows-1252", CS_DECODE_ONLY}, {"iso-ir-100", "windows-1252", CS_DECODE_ONLY},
    {"cp819", "windows-1252", CS_DECODE_ONLY}, {"ibm819", "windows-1252", CS_DECODE_ONLY},
    {"csisolatin1", "windows-1252", CS_DECODE_ONLY}, {"x-cp1252", "windows-1252", 0},
    {"iso-8859-9", "windows-1254", CS_DECODE_ONLY}, {"iso8859-9", "windows-1254", CS_DECODE_ONLY},
    {"iso_8859-9", "windows-1254", CS_DECODE_ONLY}, {"iso88599", "windows-1254", CS_DECODE_ONLY},
    {"latin5", "windows-1254", CS_DECODE_ONLY}, {"l5", "windows-1254", CS_DECODE_ONLY},
    {"iso-ir-148", "windows-1254", CS_DECODE_ONLY}, {"csisolatin5", "windows-1254", CS_DECODE_ONLY},
    {"tis-620", "windows-874", CS_DECODE_ONLY}, {"iso-8859-11", "windows-874", CS_DECODE_ONLY},
    {"iso8859-11", "windows-874", CS_DECODE_ONLY}, {"dos-874", "windows-874", 0},
    {"euc-kr", "windows-949", CS_DECODE_ONLY}, {"ks_c_5601-1987", "windows-949", 0},
    {"ks_c_5601-1989", "windows-949", 0}, {"ksc5601", "windows-949", 0},
    {"ksc_5601", "windows-949", 0}, {"korean", "windows-949", 0},
    {"csksc56011987", "windows-949", 0}, {"iso-ir-149", "windows-949", 0},
    {"cseuckr", "windows-949", CS_DECODE_ONLY},
    {"gb2312", "gb18030", CS_DECODE_ONLY}, {"gbk", "gb18030", CS_DECODE_ONLY},
    {"x-gbk", "gb18030", CS_DECODE_ONLY}, {"cp936", "gb18030", CS_DECODE_ONLY},
    {"ms936", "gb18030", CS_DECODE_ONLY}, {"windows-936", "gb18030", CS_DECODE_ONLY},
    {"chinese", "gb18030", CS_DECODE_ONLY}, {"csgb2312", "gb18030", CS_DECODE_ONLY},
    {"gb_2312-80", "gb18030", CS_DECODE_ONLY}, {"gb_2312", "gb18030", CS_DECODE_ONLY},
    {"iso-ir-58", "gb18030", CS_DECODE_ONLY}, {"euc-cn", "gb18030", CS_DECODE_ONLY},
    {"x-euc-cn", "gb18030", CS_DECODE_ONLY}, {"csiso58gb231280", "gb18030", CS_DECODE_ONLY},
    {"shift_jis", "windows-31j", CS_DECODE_ONLY}, {"shift-jis", "windows-31j", CS_DECODE_ONLY},
    {"x-sjis", "windows-31j", 0}, {"sjis", "windows-31j", 0}, {"x-shift_jis", "windows-31j", 0},
    {"ms_kanji", "windows-31j", CS_DECODE_ONLY}, {"csshiftjis", "windows-31j", CS_DECODE_ONLY},
    {"ms932", "windows-31j", 0}, {"cp932", "windows-31j", 0}, {"x-ms-cp932", "windows-31j", 0},
    {"x-euc-jp", "euc-jp", 0}, {"x-euc", "euc-jp", 0},
    {"big5", "big5-hkscs", CS_DECODE_ONLY}, {"x-x-big5", "big5-hkscs", 0},
    {"cn-big5", "big5-hkscs", 0}, {"csbig5", "big5-hkscs", CS_DECODE_ONLY},
    {"iso-8859-8-i", "iso-8859-8", 0}, {"iso-8859-8-e", "iso-8859-8", 0},
    {"iso-8859-6-i", "iso-8859-6", 0}, {"iso-8859-6-e", "iso-8859-6", 0},
    {"x-mac-roman", "macintosh", 0}, {"x-cp1250", "windows-1250", 0}, {"x-cp1251", "windows-1251", 0},
    {"koi8-ru", "koi8-u", 0}, {"koi8", "koi8-r", 0},
    {"utf-7", "utf-7", 0}, {"utf7", "utf-7", 0}, {"unicode-1-1-utf-7", "utf-7", 0},
    {"unicode-2-0-utf-7", "utf-7", 0}, {"x-unicode-2-0-utf-7", "utf-7", 0},
    {"csunicode11utf7", "utf-7", 0},
    {"utf-16", "utf-16be", 0}, {"utf16", "utf-16be", 0}, {"ucs-2", "utf-16be", 0},
    {"iso-10646-ucs-2", "utf-16be", 0}, {"csunicode", "utf-16be", 0},
    {"utf-16be", "utf-16be", 0}, {"utf16be", "utf-16be", 0}, {"unicodefffe", "utf-16be", 0},
    {"utf-16le", "utf-16le", 0}, {"utf16le", "utf-16le", 0},
    {"utf-32", "utf-32be", 0}, {"utf32", "utf-32be", 0}, {"ucs-4", "utf-32be", 0},
    {"iso-10646-ucs-4", "utf-32be", 0}, {"utf-32be", "utf-32be", 0}, {"utf-32le", "utf-32le", 0},
    {"x-unknown", "", 0}, {"unknown-8bit", "", 0}, {"unknown", "", 0}, {"default", "", 0},
};

/* A label made ready for ICU: trimmed, lowercased, mapped. */
struct cs_resolved {
    enum cs_kind kind;
    char label[CS_NAME_MAX + 1]; /* as normalised */
    const char *name;            /* what to open: `label` or an alias target */
    unsigned flags;              /* CS_* of the alias entry, 0 without one */
};

static int cs_label_char(int c)
{
    return lm_is_alnum(c) || c == '-' || c == '_' || c == '.' || c == ':' || c == '+';
}

static int cs_trim_char(int c) { return lm_is_space(c) || c == '"' || c == '\''; }

/* Trims spaces and quotes, drops an RFC 2231 language ("utf-8*en"), lowercases. Only letters,
 * digits and "-_.:+" pass, which keeps ICU converter options (",swaplfnl") out. */
static int cs_normalise(const char *in, size_t n, char *label)
{
    while (n > 0 && cs_trim_char((unsigned char)in[0])) {
        in++;
        n--;
    }
    const char *star = memchr(in, '*', n);
    if (star)
        n = (size_t)(star - in);
    while (n > 0 && cs_trim_char((unsigned char)in[n - 1]))
        n--;
    if (n == 0 || n > CS_NAME_MAX)
        return -1;
    for (size_t i = 0; i < n; i++) {
        if (!cs_label_char((unsigned char)in[i]))
            return -1;
        label[i] = (char)lm_to_lower((unsigned char)in[i]);
    }
    label[n] = '\0';
    return 0;
}

static const struct cs_alias *cs_find_alias(const char *label)
{
    for (size_t i = 0; i < sizeof cs_aliases / sizeof cs_aliases[0]; i++)
        if (strcmp(cs_aliases[i].label, label) == 0)
            return &cs_aliases[i];
    return NULL;
}

static enum cs_kind cs_kind_of(const char *name)
{
    if (!*name)
        return CS_GUESS;
    if (strcmp(name, "utf-8") == 0)
        return CS_UTF8;
    if (strncmp(name, "utf-16", 6) == 0)
        return CS_UTF16;
    if (strncmp(name, "utf-32", 6) == 0)
        return CS_UTF32;
    return CS_ICU;
}

/* Fills `r` for `charset`. `decoding` applies the WHATWG decoding supersets. -1 when the label
 * is malformed (whether ICU knows it is found out when the converter opens). */
static int cs_resolve(const char *charset, size_t cs_len, int decoding, struct cs_resolved *r)
{
    if (!charset || cs_normalise(charset, cs_len, r->label))
        return -1;
    const struct cs_alias *a = cs_find_alias(r->label);
    r->name = r->label;
    r->flags = a ? a->flags : 0;
    if (a && (decoding || !(a->flags & CS_DECODE_ONLY)))
        r->name = a->target;
    r->kind = cs_kind_of(r->name);
    return 0;
}

/* Families whose bytes 0x00-0x7F are ASCII in ICU's tables (checked by the unit tests), so
 * ASCII input converts by copying. Not ICU's Shift_JIS (it swaps 0x1A, 0x1C and 0x7F), nor
 * other "windows-" names such as windows-65000 (UTF-7). */
static int cs_ascii_compatible(const char *name)
{
    static const char *const prefixes[] = {
        "windows-125", "windows-874", "windows-949", "cp125", "iso-8859-", "iso8859-", "iso_8859-",
        "koi8", "gb18030", "big5", "euc-", "macintosh", "latin",
    };
    for (size_t i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++)
        if (strncmp(name, prefixes[i], strlen(prefixes[i])) == 0)
            return 1;
    return 0;
}

/* Length of the ASCII prefix of `in`, eight bytes at a time. */
size_t mp_utf8_valid_prefix(const unsigned char *in, size_t len)
{
    return in ? lm_utf8_valid_prefix(in, len) : 0;
}

int mp_utf8_sanitize(const unsigned char *in, size_t len, lm_buf *out, const mp_diag *d)
{
    if ((!in && len) || !out)
        return MAILPARSE_E_INVAL;
    unsigned reports = 0;
    size_t i = 0;
    lm_buf_reserve(out, len);
    while (i < len) {
        size_t good = mp_utf8_valid_prefix(in + i, len - i);
        lm_buf_append(out, in + i, good);
        i += good;
        if (i >= len)
            break;
        if (reports++ < CS_MAX_REPORTS)
            mp_report(d, MAILPARSE_ANOMALY_CHARSET_INVALID, i);
        lm_buf_append(out, "\xEF\xBF\xBD", 3); /* one U+FFFD per maximal invalid subpart */
        size_t bad = lm_utf8_valid_part(in + i, len - i);
        i += bad ? bad : 1;
    }
    return mp_buf_status(out);
}

/* ---- ICU to UTF-8 -------------------------------------------------------------------------- */

struct cs_ctx {
    const mp_diag *d;
    const char *base; /* the input's first byte, for offsets */
    unsigned reports;
};

/* Replaces undecodable bytes with U+FFFD (ICU's own substitute gives U+001A for some tables)
 * and reports the offset of their first byte. */
static void U_CALLCONV cs_to_u_substitute(const void *context, UConverterToUnicodeArgs *args,
                                          const char *units, int32_t length,
                                          UConverterCallbackReason reason, UErrorCode *err)
{
    (void)units;
    if (reason != UCNV_UNASSIGNED && reason != UCNV_ILLEGAL && reason != UCNV_IRREGULAR)
        return;
    struct cs_ctx *c = (struct cs_ctx *)(uintptr_t)context;
    size_t consumed = (size_t)(args->source - c->base);
    size_t off = length > 0 && consumed >= (size_t)length ? consumed - (size_t)length : consumed;
    if (c->reports++ < CS_MAX_REPORTS)
        mp_report(c->d, MAILPARSE_ANOMALY_CHARSET_INVALID, off);
    static const UChar replacement = 0xFFFD;
    *err = U_ZERO_ERROR;
    ucnv_cbToUWriteUChars(args, &replacement, 1, 0, err);
}

static UConverter *cs_open(const char *name)
{
    UErrorCode err = U_ZERO_ERROR;
    UConverter *cnv = ucnv_open(name, &err);
    if (U_FAILURE(err)) {
        ucnv_close(cnv);
        return NULL;
    }
    return cnv;
}

/* Converts [src, end) from `from` to `to`, appending to `out` and growing it as needed; ICU
 * pivots through UTF-16 in a small buffer, or converts directly between UTF-8 and table
 * charsets. On failure `out` is left as it was. */
static int cs_convert(UConverter *to, UConverter *from, const char *src, const char *end, lm_buf *out)
{
    UChar pivot[CS_CHUNK];
    UChar *ps = pivot, *pt = pivot;
    size_t start = out->len, want = (size_t)(end - src) + 16;
    UErrorCode err = U_ZERO_ERROR;
    UBool reset = 1;
    do {
        if (lm_buf_reserve(out, want))
            break;
        char *t = out->data + out->len;
        err = U_ZERO_ERROR;
        ucnv_convertEx(to, from, &t, out->data + out->cap - 1, &src, end, pivot, &ps, &pt,
                       pivot + CS_CHUNK, reset, 1, &err);
        reset = 0;
        out->len = (size_t)(t - out->data);
        out->data[out->len] = '\0';
        want = out->cap;
    } while (err == U_BUFFER_OVERFLOW_ERROR);
    if (out->oom)
        return MAILPARSE_E_NOMEM;
    if (U_FAILURE(err)) { /* not expected with substituting callbacks */
        out->len = start;
        out->data[start] = '\0';
        return MAILPARSE_E_CHARSET;
    }
    return 0;
}

/* Converts in[skip..len) with ICU converter `name`. */
static int cs_icu_to_utf8(const char *name, const unsigned char *in, size_t len, size_t skip,
                          lm_buf *out, const mp_diag *d)
{
    UConverter *cnv = cs_open(name);
    if (!cnv)
        return MAILPARSE_E_CHARSET;
    UConverter *u8 = cs_open("UTF-8");
    if (!u8) {
        ucnv_close(cnv);
        return MAILPARSE_E_NOMEM;
    }
    struct cs_ctx ctx = {d, (const char *)in, 0};
    UConverterToUCallback old_cb;
    const void *old_ctx;
    UErrorCode err = U_ZERO_ERROR;
    ucnv_setToUCallBack(cnv, cs_to_u_substitute, &ctx, &old_cb, &old_ctx, &err);
    int rc = cs_convert(u8, cnv, (const char *)in + skip, (const char *)in + len, out);
    ucnv_close(u8);
    ucnv_close(cnv);
    return rc;
}

/* ---- decoding by kind ------------------------------------------------------------------- */

/* The byte order a BOM at `in` announces (1 = little endian, 0 = big) and sets *skip to its
 * length, or returns -1 when there is none. `unit` is 2 (UTF-16) or 4 (UTF-32). */
static int cs_bom_order(const unsigned char *in, size_t len, size_t unit, size_t *skip)
{
    static const unsigned char be16[2] = {0xFE, 0xFF}, le16[2] = {0xFF, 0xFE};
    static const unsigned char be32[4] = {0, 0, 0xFE, 0xFF}, le32[4] = {0xFF, 0xFE, 0, 0};
    if (len < unit)
        return -1;
    *skip = unit;
    if (memcmp(in, unit == 2 ? be16 : be32, unit) == 0)
        return 0;
    if (memcmp(in, unit == 2 ? le16 : le32, unit) == 0)
        return 1;
    *skip = 0;
    return -1;
}

/* The ICU name for UTF-16/32 input: a BOM wins, else the label's byte order (RFC 2781 §4.3:
 * big endian by default). */
static const char *cs_unicode_order(const struct cs_resolved *r, const unsigned char *in,
                                    size_t len, size_t *skip)
{
    int utf32 = r->kind == CS_UTF32;
    int le = cs_bom_order(in, len, utf32 ? 4 : 2, skip);
    if (le < 0)
        le = strstr(r->name, "le") != NULL;
    if (utf32)
        return le ? "UTF-32LE" : "UTF-32BE";
    return le ? "UTF-16LE" : "UTF-16BE";
}

/* UTF-8 without ICU; a BOM is dropped. */
static int cs_decode_utf8(const unsigned char *in, size_t len, lm_buf *out, const mp_diag *d)
{
    size_t skip = len >= 3 && memcmp(in, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
    mp_diag shifted = mp_diag_at(d, skip);
    return mp_utf8_sanitize(in + skip, len - skip, out, &shifted);
}

/* Any kind but CS_GUESS. */
static int cs_decode(const struct cs_resolved *r, const unsigned char *in, size_t len, lm_buf *out,
                     const mp_diag *d)
{
    size_t skip = 0;
    const char *name;
    switch (r->kind) {
    case CS_UTF8:
        return cs_decode_utf8(in, len, out, d);
    case CS_UTF16:
    case CS_UTF32:
        name = cs_unicode_order(r, in, len, &skip);
        return cs_icu_to_utf8(name, in, len, skip, out, d);
    default:
        if (cs_ascii_compatible(r->name) && lm_ascii_prefix(in, len) == len) {
            lm_buf_append(out, in, len);
            return mp_buf_status(out);
        }
        return cs_icu_to_utf8(r->name, in, len, 0, out, d);
    }
}

int mp_text_guess_to_utf8(const unsigned char *in, size_t len, const char *fallback, lm_buf *out,
                          const mp_diag *d)
{
    if ((!in && len) || !out)
        return MAILPARSE_E_INVAL;
    size_t ascii = lm_ascii_prefix(in, len);
    if (ascii < len)
        mp_report(d, MAILPARSE_ANOMALY_8BIT_UNDECLARED, ascii);
    if (ascii == len || mp_utf8_valid_prefix(in + ascii, len - ascii) == len - ascii) {
        lm_buf_append(out, in, len);
        return mp_buf_status(out);
    }
    struct cs_resolved r;
    if (!fallback || cs_resolve(fallback, strlen(fallback), 1, &r) || r.kind == CS_GUESS)
        cs_resolve("windows-1252", 12, 1, &r);
    int rc = cs_decode(&r, in, len, out, d);
    if (rc == MAILPARSE_E_CHARSET) { /* a fallback ICU does not know */
        cs_resolve("windows-1252", 12, 1, &r);
        rc = cs_decode(&r, in, len, out, d);
    }
    return rc;
}

int mp_charset_to_utf8(const char *charset, size_t cs_len, const unsigned char *in, size_t len,
                       lm_buf *out, const mp_diag *d)
{
    if ((!in && len) || !out || !charset)
        return MAILPARSE_E_INVAL;
    struct cs_resolved r;
    if (cs_resolve(charset, cs_len, 1, &r))
        return MAILPARSE_E_CHARSET;
    if (r.kind == CS_GUESS)
        return mp_text_guess_to_utf8(in, len, NULL, out, d);
    return cs_decode(&r, in, len, out, d);
}

int mp_charset_is_utf8(const char *charset, size_t cs_len)
{
    struct cs_resolved r;
    if (cs_resolve(charset, cs_len, 0, &r))
        return 0;
    return r.kind == CS_UTF8 || (r.flags & CS_NAMES_ASCII) != 0;
}

/* ---- UTF-8 to a charset --------------------------------------------------------------- */

/* Opens the converter for encoding: ICU's own meaning of the label first, then the mail
 * aliases ICU lacks. NULL when unknown. */
static UConverter *cs_open_for_encoding(const struct cs_resolved *r)
{
    int unicode = r->kind == CS_UTF16 || r->kind == CS_UTF32; /* big endian, no BOM (RFC 2781) */
    UConverter *cnv = unicode ? NULL : cs_open(r->label);
    if (!cnv && r->name != r->label)
        cnv = cs_open(r->name);
    if (cnv) { /* '?' rather than the table's substitute (often U+001A) where it is encodable */
        static const UChar question = 0x3F;
        UErrorCode err = U_ZERO_ERROR;
        ucnv_setSubstString(cnv, &question, 1, &err);
    }
    return cnv;
}

/* Converts UTF-8 to the charset of `cnv`. */
static int cs_icu_from_utf8(UConverter *cnv, const char *in, size_t len, lm_buf *out)
{
    UConverter *u8 = cs_open("UTF-8");
    if (!u8)
        return MAILPARSE_E_NOMEM;
    int rc = cs_convert(cnv, u8, in, in + len, out);
    ucnv_close(u8);
    return rc;
}

int mp_charset_from_utf8(const char *charset, size_t cs_len, const char *in, size_t len, lm_buf *out)
{
    if ((!in && len) || !out || !charset)
        return MAILPARSE_E_INVAL;
    struct cs_resolved r;
    if (cs_resolve(charset, cs_len, 0, &r) || r.kind == CS_GUESS)
        return MAILPARSE_E_CHARSET;
    if (r.kind == CS_UTF8)
        return mp_utf8_sanitize((const unsigned char *)in, len, out, NULL);
    UConverter *cnv = cs_open_for_encoding(&r);
    if (!cnv)
        return MAILPARSE_E_CHARSET;
    int rc = cs_icu_from_utf8(cnv, in ? in : "", len, out);
    ucnv_close(cnv);
    return rc;
}

/* ---- public wrappers ------------------------------------------------------------------ */

int mailparse_charset_to_utf8(const char *charset, const unsigned char *in, size_t len, char **out,
                              size_t *out_len, mailparse_anomaly_fn anomaly, void *user)
{
    if (!out || !charset)
        return MAILPARSE_E_INVAL;
    *out = NULL;
    mp_diag d = {anomaly, user, 0};
    lm_buf b = LM_BUF_INIT;
    return mp_hand_out(&b, mp_charset_to_utf8(charset, strlen(charset), in, len, &b, &d), out,
                       out_len);
}

int mailparse_charset_from_utf8(const char *charset, const char *in, size_t len, unsigned char **out,
                                size_t *out_len)
{
    if (!out || !charset)
        return MAILPARSE_E_INVAL;
    *out = NULL;
    lm_buf b = LM_BUF_INIT;
    char *bytes = NULL;
    int rc = mp_hand_out(&b, mp_charset_from_utf8(charset, strlen(charset), in, len, &b), &bytes,
                         out_len);
    *out = (unsigned char *)bytes;
    return rc;
}

/* The MIME name, else the IANA one, else ICU's converter name. */
static const char *cs_standard_name(const char *name)
{
    UErrorCode err = U_ZERO_ERROR;
    const char *s = ucnv_getStandardName(name, "MIME", &err);
    if (!s || U_FAILURE(err)) {
        err = U_ZERO_ERROR;
        s = ucnv_getStandardName(name, "IANA", &err);
    }
    if (!s || U_FAILURE(err)) {
        err = U_ZERO_ERROR;
        s = ucnv_getAlias(name, 0, &err);
    }
    return U_FAILURE(err) ? NULL : s;
}

const char *mailparse_charset_canonical(const char *charset)
{
    struct cs_resolved r;
    if (!charset || cs_resolve(charset, strlen(charset), 0, &r) || r.kind == CS_GUESS)
        return NULL;
    const char *s = cs_standard_name(r.label);
    if (!s && r.name != r.label)
        s = cs_standard_name(r.name);
    return s;
}
