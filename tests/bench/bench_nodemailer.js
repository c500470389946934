#!/usr/bin/env node
// bench_nodemailer.js — "build and serialise" with npm nodemailer's MailComposer, the peer of
// bench_mailbuild.c: each iteration makes a new MailComposer with the same header fields, text
// and (large shape) attachment, and compile().build() serialises it whole into a Buffer.
// Same command line and result lines as the C programs (see README.md); nodemailer is found
// through --node-modules DIR (fetch.sh installs it there).
'use strict';
const fs = require('fs');
const path = require('path');
const { createRequire } = require('module');

const SHAPES = ['small', 'large'];

// The content of bench_shapes.h / bench_shapes.c.
const FROM = { name: 'Alice Example', address: 'alice@example.com' };
const TO = { name: 'Bob Example', address: 'bob@example.net' };
const SUBJECT = 'Quarterly numbers \u2014 Gr\u00fc\u00dfe aus K\u00f6ln';
const DATE = new Date(1764417600 * 1000);
const MESSAGE_ID = '<20251129120000.4242@example.com>';
const ATTACHMENT_TYPE = 'application/octet-stream';
const ATTACHMENT_NAME = 'report-data.bin';
const ATTACHMENT_SIZE = 1024 * 1024;
const TEXT_BLOCK =
  'Gr\u00fc\u00dfe aus K\u00f6ln \u2014 \u041f\u0440\u0438\u0432\u0435\u0442, ' +
  '\u0393\u03b5\u03b9\u03ac, \u65e5\u672c: the new numbers.\n' +
  'The quarterly numbers are in: revenue grew in every region we\n' +
  'sell in and costs stayed flat. The tables are in the attached\n' +
  'report; questions to finance, please. Kind regards, Alice M.\n';
const TEXTS = {
  small: TEXT_BLOCK.repeat(4),
  large: 'Hello Bob,\n\nthe data for the report is attached.\n\nAlice\n',
};

// xorshift32 from seed 0x2545f491, each state written little-endian.
function makeAttachment() {
  const data = Buffer.alloc(ATTACHMENT_SIZE);
  let x = 0x2545f491;
  for (let i = 0; i < ATTACHMENT_SIZE; i += 4) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    data.writeUInt32LE(x >>> 0, i);
  }
  return data;
}

function parseArgs(argv) {
  const args = { minSeconds: 3, warmupSeconds: 0.5, shapes: SHAPES, dump: null, nodeModules: null };
  for (let i = 0; i < argv.length; i += 2) {
    const value = argv[i + 1];
    let ok = value !== undefined;
    if (ok && argv[i] === '--min-seconds') args.minSeconds = Number(value);
    else if (ok && argv[i] === '--warmup-seconds') args.warmupSeconds = Number(value);
    else if (ok && argv[i] === '--shape') {
      args.shapes = value === 'all' ? SHAPES : [value];
      ok = value === 'all' || SHAPES.includes(value);
    } else if (ok && argv[i] === '--dump') {
      args.dump = value;
      ok = SHAPES.includes(value);
    } else if (ok && argv[i] === '--node-modules') args.nodeModules = value;
    else ok = false;
    if (!ok) {
      process.stderr.write('usage: bench_nodemailer.js [--node-modules DIR] [--min-seconds S] ' +
                           '[--warmup-seconds S] [--shape small|large|all] [--dump small|large]\n');
      process.exit(2);
    }
  }
  return args;
}

function loadNodemailer(nodeModules) {
  const from = nodeModules ? path.join(path.resolve(nodeModules), 'noop.js') : __filename;
  const req = createRequire(from);
  const composer = req('nodemailer/lib/mail-composer');
  return { MailComposer: composer.default || composer, version: req('nodemailer/package.json').version };
}

// VmHWM (reset at exec, unlike maxRSS, which keeps the runner's peak), else maxRSS.
function maxRssKb() {
  try {
    const m = /^VmHWM:\s+(\d+) kB/m.exec(fs.readFileSync('/proc/self/status', 'ascii'));
    if (m) return Number(m[1]);
  } catch (err) { /* not Linux */ }
  return process.resourceUsage().maxRSS;
}

// Builds one message of `shape` from scratch and serialises it; resolves to the Buffer.
function build(MailComposer, shape, attachment) {
  const mail = {
    from: FROM, to: TO, subject: SUBJECT, date: DATE, messageId: MESSAGE_ID, text: TEXTS[shape],
    newline: 'windows', // CRLF everywhere, as the others write (else the text keeps its LFs)
  };
  if (shape === 'large') {
    mail.attachments = [{ filename: ATTACHMENT_NAME, contentType: ATTACHMENT_TYPE, content: attachment }];
  }
  return new MailComposer(mail).compile().build();
}

// Builds messages until `seconds` have passed (at least one).
async function runFor(MailComposer, shape, attachment, seconds) {
  let iterations = 0, bytes = 0, messageBytes = 0, errors = 0, elapsed = 0;
  const start = process.hrtime.bigint();
  do {
    try {
      const message = await build(MailComposer, shape, attachment);
      messageBytes = message.length;
      bytes += messageBytes;
    } catch (err) {
      if (!errors) process.stderr.write(`bench_nodemailer: ${shape} message: ${err.message}\n`);
      errors++;
      messageBytes = -1;
    }
    iterations++;
    elapsed = Number(process.hrtime.bigint() - start) / 1e9;
  } while (elapsed < seconds);
  return { iterations, seconds: elapsed, bytes, message_bytes: messageBytes, errors };
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const { MailComposer, version } = loadNodemailer(args.nodeModules);
  const attachment = makeAttachment();
  if (args.dump) {
    process.stdout.write(await build(MailComposer, args.dump, attachment));
    return;
  }
  let failed = false;
  for (const shape of args.shapes) {
    let warmupErrors = 0;
    if (args.warmupSeconds > 0) {
      warmupErrors = (await runFor(MailComposer, shape, attachment, args.warmupSeconds)).errors;
    }
    const result = await runFor(MailComposer, shape, attachment, args.minSeconds);
    result.errors += warmupErrors;
    failed = failed || result.errors > 0;
    process.stdout.write(JSON.stringify({
      impl: 'nodemailer', version, shape, ...result, max_rss_kb: maxRssKb(),
    }) + '\n');
  }
  process.exitCode = failed ? 1 : 0;
}

main();
