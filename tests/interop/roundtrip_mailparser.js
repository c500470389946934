// roundtrip_mailparser.js — the npm `mailparser` peer of the libmailbuild round trip.
//
// Usage: node roundtrip_mailparser.js DIR [SEED...]
//   DIR holds <seed>.eml and <seed>.json as mailbuild_corpus writes them; without seeds every
//   pair in DIR is read. Prints one JSON line per message:
//     {"seed", "status": "equal" | "divergence" | "mismatch",
//      "mismatches": [[field, expected, got]], "divergences": [[field, rule id]]}
//
// Each message goes through simpleParser (the version pinned in package.json) and every value
// its public result carries is compared with what was put in:
//   from/to/cc       value[]: name, address (groups: name and members)
//   subject          subject
//   date             date, as a UTC timestamp (a JavaScript Date holds no zone offset)
//   messageId, inReplyTo, references (without <>)
//   the text field   headers.get(name) (mailparser leaves unknown fields undecoded; decoded
//                    with its own libmime.decodeWords)
//   attachments      in document order: the Content-Type value and parameters, filename,
//                    contentDisposition, cid, Content-Description, content bytes; a message/*
//                    attachment's content is parsed again with simpleParser and compared in full
//   text, html       the text/plain and text/html bodies as mailparser joins them: the expected
//                    value is built from the tree with mailparser's documented rules
//                    (getTextContent: text parts joined by "\n", HTML by "<br/>\n", line ends
//                    given as "\n")
// Not compared, because mailparser's result has no place for them: the date's zone offset,
// Keywords (given as an undecoded string, no phrase-list parser), the tree's multipart shape,
// and the charset, filename, parameters and description of parts that are text bodies.
// A difference that DIVERGENCES below explains (mailparser deviating from an RFC) is counted
// apart.
'use strict';

const fs = require('fs');
const path = require('path');
const modules = path.join(__dirname, 'node_modules');
const { simpleParser } = require(path.join(modules, 'mailparser'));
const libmime = require(path.join(modules, 'libmime'));

const PARSE_OPTIONS = {
    skipHtmlToText: true, // text comes from text/plain parts only
    skipTextToHtml: true, // a text/plain part adds '' to html
    skipTextLinks: true,
    skipImageLinks: true,
    keepCidLinks: true, // the HTML as written, cid: links kept
    keepDeliveryStatus: true
};

// Where mailparser is known to deviate from the RFCs, so a difference is not the builder's.
// `field` is a regular expression on the field path; `test(expected, got)` says whether the
// difference is that behaviour and nothing else.
const punycode = require(path.join(modules, 'punycode.js'));

function toUnicodeDomain(address) {
    const at = address.lastIndexOf('@');
    if (at < 0) {
        return address;
    }
    try {
        return address.slice(0, at + 1) + punycode.toUnicode(address.slice(at + 1));
    } catch (err) {
        return address;
    }
}

const DIVERGENCES = [
    // decodeAddresses() turns an A-label domain ("xn--bcher-kva.example") into its U-label
    // form: equivalent by RFC 5890 §2.3.2.1, but not the address that was written.
    {
        id: 'mailparser-punycode-domain',
        rfc: 'RFC 5890 §2.3.2.1',
        field: /(^|\.)(from|to|cc)\.\d+\.address$/,
        test: (want, got) => typeof want === 'string' && want !== got && toUnicodeDomain(want) === got
    },
    // decodeAddresses() trims every display name, also the content of a quoted-string, where
    // RFC 5322 §3.2.4 keeps all of it.
    {
        id: 'mailparser-display-name-trim',
        rfc: 'RFC 5322 §3.2.4',
        field: /(^|\.)(from|to|cc)\.\d+\.name$/,
        test: (want, got) => typeof want === 'string' && want !== got && want.trim() === got
    },
    // processHeaders() keeps only non-empty values, so an empty Subject (valid unstructured
    // text, RFC 5322 §3.6.5 and §3.2.5) reads as no Subject.
    {
        id: 'mailparser-empty-field-dropped',
        rfc: 'RFC 5322 §3.6.5',
        field: /(^|\.)(subject|text_header)$/,
        test: (want, got) => want === '' && got === null
    },
    // mailsplit gives a part whose body is empty the CRLF that precedes the next delimiter;
    // RFC 2046 §5.1.1 attaches that CRLF to the delimiter.
    {
        id: 'mailparser-empty-body-crlf',
        rfc: 'RFC 2046 §5.1.1',
        field: /\.(body|text|html)$/,
        test: (want, got, extra) => Boolean(extra && extra.emptyBodyAsCrlf)
    }
];

class Compare {
    constructor() {
        this.mismatches = [];
    }
    diff(field, want, got, extra) {
        this.mismatches.push([field, want, got, extra]);
    }
    same(field, want, got) {
        if (JSON.stringify(want) !== JSON.stringify(got)) {
            this.diff(field, want, got);
        }
    }
}

function headerCount(parsed, name) {
    return (parsed.headerLines || []).filter(l => l.key === name).length;
}

function stripBrackets(id) {
    if (typeof id !== 'string') {
        return id;
    }
    id = id.trim();
    return id.startsWith('<') && id.endsWith('>') ? id.slice(1, -1) : id;
}

// A written addr-spec with its local part unquoted ("\"a b\"@x" -> "a b@x"): the corpus
// records the local part as given to the builder.
function unquoteAddress(a) {
    if (!a.startsWith('"')) {
        return a;
    }
    let out = '';
    let i = 1;
    for (; i < a.length && a[i] !== '"'; i++) {
        if (a[i] === '\\' && i + 1 < a.length) {
            i++;
        }
        out += a[i];
    }
    return out + a.slice(i + 1);
}

function addresses(c, field, want, parsed, name) {
    const n = headerCount(parsed, name);
    if (want === null) {
        if (n) {
            c.diff(field, null, `a ${name} field`);
        }
        return;
    }
    if (n !== 1) {
        c.diff(field, `one ${name} field`, `${n} fields`);
        if (!n) {
            return;
        }
    }
    const boxes = [];
    const groups = [];
    const obj = parsed[name];
    for (const a of (obj && obj.value) || []) {
        if (a.group) {
            const gi = groups.length;
            groups.push(a.name || '');
            for (const m of a.group) {
                boxes.push({ name: m.name || '', address: unquoteAddress(m.address || ''), group: gi });
            }
        } else {
            boxes.push({ name: a.name || '', address: unquoteAddress(a.address || ''), group: -1 });
        }
    }
    const wantBoxes = want.mailboxes;
    if (wantBoxes.length !== boxes.length) {
        c.diff(`${field}.count`, wantBoxes.length, boxes.length);
    }
    for (let i = 0; i < Math.min(wantBoxes.length, boxes.length); i++) {
        for (const key of ['name', 'address', 'group']) {
            c.same(`${field}.${i}.${key}`, wantBoxes[i][key], boxes[i][key]);
        }
    }
    if (want.groups.length !== groups.length) {
        c.diff(`${field}.groups`, want.groups, groups);
    } else {
        want.groups.forEach((g, i) => c.same(`${field}.group.${i}`, g, groups[i]));
    }
}

function decodedHeader(parsed, name) {
    const v = parsed.headers.get(name);
    if (v === undefined || v === null) {
        return null;
    }
    if (typeof v !== 'string') {
        return v;
    }
    try {
        return libmime.decodeWords(v);
    } catch (err) {
        return v;
    }
}

function message(c, p, m, parsed) {
    const pre = p ? p + '.' : '';
    addresses(c, pre + 'from', m.from, parsed, 'from');
    addresses(c, pre + 'to', m.to, parsed, 'to');
    addresses(c, pre + 'cc', m.cc, parsed, 'cc');

    if (m.subject === null) {
        if (headerCount(parsed, 'subject')) {
            c.diff(pre + 'subject', null, parsed.subject);
        }
    } else {
        c.same(pre + 'subject', m.subject, parsed.subject === undefined ? null : parsed.subject);
    }

    const dateLines = headerCount(parsed, 'date');
    if (m.date === null) {
        if (dateLines) {
            c.diff(pre + 'date', null, 'a Date field');
        }
    } else if (!dateLines || !(parsed.date instanceof Date)) {
        c.diff(pre + 'date', m.date.timestamp, 'no Date');
    } else {
        c.same(pre + 'date', m.date.timestamp, Math.floor(parsed.date.getTime() / 1000));
    }

    const mid = parsed.messageId === undefined ? null : stripBrackets(parsed.messageId);
    if (m.message_id !== null) {
        c.same(pre + 'message_id', m.message_id, mid);
    } else if (m.message_id_suffix !== null) {
        if (!mid || !mid.endsWith(m.message_id_suffix) || mid === m.message_id_suffix) {
            c.diff(pre + 'message_id', '*' + m.message_id_suffix, mid);
        }
    } else if (mid !== null) {
        c.diff(pre + 'message_id', null, mid);
    }
    const irt = parsed.inReplyTo === undefined ? '' : [].concat(parsed.inReplyTo).join(' ');
    c.same(pre + 'in_reply_to', m.in_reply_to, (irt.match(/<[^<>]*>/g) || []).map(stripBrackets));
    const refs = parsed.references === undefined ? [] : [].concat(parsed.references);
    c.same(pre + 'references', m.references, refs.map(stripBrackets));
    if (m.text_header) {
        c.same(pre + 'text_header', m.text_header.value,
               decodedHeader(parsed, m.text_header.name.toLowerCase()));
    }
    const mime = parsed.headers.get('mime-version');
    c.same(pre + 'mime_version', '1.0', typeof mime === 'string' ? mime.trim() : null);
    return bodies(c, pre + 'body', m.body, parsed);
}

// ------------------------------------------------------------------------------------------
// The body as mailparser presents it

const TEXT_TYPES = ['text/plain', 'text/html'];

function bodyText(part) {
    return Buffer.from(part.body, 'base64');
}

// The leaves in document order, each with whether mailparser takes it as an attachment
// (createNode: not text/plain or text/html, or a disposition other than inline; a message/*
// part without `inline` is not walked into) and whether it sits under multipart/alternative.
function leaves(part, alternative, root, out, last) {
    if (part.kind === 'multipart') {
        const alt = alternative || part.type === 'multipart/alternative';
        part.children.forEach((child, i) => {
            leaves(child, alt, false, out, i === part.children.length - 1);
        });
        return out;
    }
    let disposition = part.disposition;
    if (disposition === null && part.filename !== null) {
        disposition = 'attachment';
    }
    if (disposition && !['attachment', 'inline'].includes(disposition)) {
        disposition = 'attachment';
    }
    if (!disposition) {
        disposition = TEXT_TYPES.includes(part.type) ? 'inline' : 'attachment';
    }
    const attachment = !TEXT_TYPES.includes(part.type) || disposition !== 'inline';
    out.push({ part, attachment, alternative, root, last: Boolean(last) });
    return out;
}

// getTextContent with skipHtmlToText and skipTextToHtml: what parsed.text and parsed.html hold.
// With `emptyAsCrlf`, as mailparser-empty-body-crlf gives it: an empty part that a further
// delimiter (not the close delimiter) follows holds a line end.
function expectedText(list, emptyAsCrlf) {
    const bodiesOnly = list.filter(l => !l.attachment);
    const hasText = bodiesOnly.some(l => l.part.type === 'text/plain');
    const hasHtml = bodiesOnly.some(l => l.part.type === 'text/html');
    const text = [];
    const html = [];
    for (const l of bodiesOnly) {
        let content = bodyText(l.part).toString('utf8').replace(/\r?\n/g, '\n');
        if (emptyAsCrlf && !content && !l.last) {
            content = '\n';
        }
        if (!content) {
            continue; // an empty body adds nothing
        }
        if (l.part.type === 'text/plain') {
            text.push(content);
            if (!l.alternative && hasHtml) {
                html.push('');
            }
        } else {
            if ((!l.alternative && hasText) || (l.root && !hasText)) {
                text.push('');
            }
            html.push(content);
        }
    }
    return {
        text: text.length ? text.join('\n') : null,
        html: html.length ? html.join('<br/>\n') : null
    };
}

function bytesInfo(buf) {
    return `bytes[${buf.length}] ${JSON.stringify(buf.subarray(0, 60).toString('latin1'))}`;
}

async function bodies(c, p, root, parsed) {
    const list = leaves(root, false, true, [], true);
    const want = expectedText(list, false);
    const quirk = expectedText(list, true);
    const text = typeof parsed.text === 'string' ? parsed.text : null;
    const html = typeof parsed.html === 'string' ? parsed.html : null;
    if (text !== want.text) {
        c.diff(p + '.text', want.text, text, { emptyBodyAsCrlf: text === quirk.text });
    }
    if (html !== want.html) {
        c.diff(p + '.html', want.html, html, { emptyBodyAsCrlf: html === quirk.html });
    }

    const atts = list.filter(l => l.attachment);
    const got = parsed.attachments || [];
    if (atts.length !== got.length) {
        c.diff(p + '.attachments', atts.length, got.length);
    }
    for (let i = 0; i < Math.min(atts.length, got.length); i++) {
        const w = atts[i].part;
        const a = got[i];
        const f = `${p}.attachment.${i}`;
        const ct = a.headers.get('content-type') || {};
        c.same(f + '.type', w.type, (ct.value || '').toLowerCase());
        for (const [name, value] of Object.entries(w.params)) {
            c.same(`${f}.param.${name}`, value, ct.params ? ct.params[name] : undefined);
        }
        c.same(f + '.filename', w.filename, a.filename === undefined ? null : a.filename);
        if (w.disposition !== null) {
            c.same(f + '.disposition', w.disposition,
                   a.contentDisposition === undefined ? null : a.contentDisposition);
        }
        c.same(f + '.content_id', w.content_id, a.cid === undefined ? null : a.cid);
        const desc = a.headers.get('content-description');
        c.same(f + '.description', w.description,
               desc === undefined ? null : libmime.decodeWords(String(desc)));
        const body = bodyText(w);
        const content = a.content || Buffer.alloc(0);
        const emptyBodyAsCrlf = body.length === 0 && content.equals(Buffer.from('\r\n'));
        if (w.kind === 'text') {
            const decoded = new TextDecoder(w.charset === 'us-ascii' ? 'utf-8' : w.charset)
                .decode(content);
            if (decoded !== body.toString('utf8')) {
                c.diff(f + '.text', body.toString('utf8'), decoded, { emptyBodyAsCrlf });
            }
        } else if (!body.equals(content)) {
            c.diff(f + '.body', bytesInfo(body), bytesInfo(content), { emptyBodyAsCrlf });
        }
        if (w.kind === 'message') {
            const nested = await simpleParser(content, PARSE_OPTIONS);
            await message(c, f + '.message', w.message, nested);
        }
    }
}

// ------------------------------------------------------------------------------------------

function classify(mismatches) {
    const left = [];
    const known = [];
    for (const [field, want, got, extra] of mismatches) {
        const rule = DIVERGENCES.find(r => r.field.test(field) && r.test(want, got, extra));
        if (rule) {
            known.push([field, rule.id]);
        } else {
            left.push([field, want, got]);
        }
    }
    return { left, known };
}

async function check(dir, seed) {
    const rec = JSON.parse(fs.readFileSync(path.join(dir, `${seed}.json`), 'utf8'));
    const raw = fs.readFileSync(path.join(dir, `${seed}.eml`));
    const c = new Compare();
    try {
        const parsed = await simpleParser(raw, PARSE_OPTIONS);
        await message(c, '', rec.message, parsed);
    } catch (err) {
        c.diff('parse', 'a message', `error: ${(err && err.message) || err}`);
    }
    const { left, known } = classify(c.mismatches);
    return {
        seed: rec.seed,
        status: left.length ? 'mismatch' : known.length ? 'divergence' : 'equal',
        mismatches: left,
        divergences: known
    };
}

async function main() {
    const args = process.argv.slice(2);
    if (!args.length) {
        process.stderr.write('usage: node roundtrip_mailparser.js DIR [SEED...]\n');
        process.exit(2);
    }
    const dir = args[0];
    let seeds = args.slice(1);
    if (!seeds.length) {
        seeds = fs
            .readdirSync(dir)
            .filter(n => n.endsWith('.json'))
            .map(n => parseInt(n.slice(0, -5), 10))
            .sort((a, b) => a - b);
    }
    for (const seed of seeds) {
        process.stdout.write(JSON.stringify(await check(dir, seed)) + '\n');
    }
}

main().catch(err => {
    process.stderr.write(String((err && err.stack) || err) + '\n');
    process.exit(1);
});
