// peer_mailparser.js — the npm `mailparser` peer (simpleParser): one JSON line per message.
//
// Usage: node peer_mailparser.js FILE...   or   node peer_mailparser.js -   (paths on stdin)
// Each line: {"file", "subject", "from", "to", "cc" ([[name, address]]), "date" (UTC ISO or null),
// "message_id" (with the <> mailparser adds), "attachments" ([filename]),
// "text" (from text/plain parts only, or null)}.
// A first line starting with "From " (mbox envelope) is skipped, exactly as in peer_python.py.
'use strict';

process.env.TZ = 'UTC';

const fs = require('fs');
const path = require('path');
const { simpleParser } = require(path.join(__dirname, 'node_modules', 'mailparser'));

const PARSE_OPTIONS = {
    skipHtmlToText: true, // HTML parts add '' to `text`: what is left came from text/plain
    skipTextToHtml: true,
    skipTextLinks: true,
    skipImageLinks: true,
    keepDeliveryStatus: true // a message/delivery-status part is an attachment, not text
};

function stripEnvelope(buf) {
    if (buf.length >= 5 && buf.toString('latin1', 0, 5) === 'From ') {
        const nl = buf.indexOf(0x0a);
        return nl < 0 ? Buffer.alloc(0) : buf.subarray(nl + 1);
    }
    return buf;
}

function flattenAddresses(field) {
    const out = [];
    const walk = list => {
        for (const a of list || []) {
            if (a.group) {
                walk(a.group);
            } else {
                out.push([a.name || '', (a.address || '').toLowerCase()]);
            }
        }
    };
    for (const f of [].concat(field || [])) {
        walk(f.value);
    }
    return out;
}

// mailparser turns an unreadable Date into "now"; report null instead, judged on the same
// (first) Date header with the same Date() parser.
function dateOf(parsed) {
    const line = (parsed.headerLines || []).find(l => l.key === 'date');
    if (!line) {
        return null;
    }
    const raw = line.line.replace(/^[^:]*:/, '').trim();
    if (!raw || isNaN(new Date(raw).getTime()) || !parsed.date) {
        return null;
    }
    return parsed.date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function summarize(file, parsed) {
    return {
        file,
        subject: parsed.subject === undefined ? null : parsed.subject,
        from: flattenAddresses(parsed.from),
        to: flattenAddresses(parsed.to),
        cc: flattenAddresses(parsed.cc),
        date: dateOf(parsed),
        message_id: parsed.messageId || null, // compare.py takes the id out of its <>
        attachments: (parsed.attachments || []).map(a => a.filename || null),
        text: typeof parsed.text === 'string' && parsed.text.trim() !== '' ? parsed.text : null
    };
}

async function readPaths() {
    const args = process.argv.slice(2);
    if (!(args.length === 1 && args[0] === '-')) {
        return args;
    }
    return fs
        .readFileSync(0, 'utf8')
        .split('\n')
        .filter(l => l !== '');
}

async function main() {
    for (const file of await readPaths()) {
        let line;
        try {
            const parsed = await simpleParser(stripEnvelope(fs.readFileSync(file)), PARSE_OPTIONS);
            line = summarize(file, parsed);
        } catch (err) {
            line = { file, error: String((err && err.message) || err) };
        }
        process.stdout.write(JSON.stringify(line) + '\n');
    }
}

main().catch(err => {
    process.stderr.write(String(err) + '\n');
    process.exit(1);
});
