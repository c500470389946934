#!/usr/bin/env node
// bench_mailparser.js — "parse and extract" with npm mailparser (simpleParser): parse each
// message from memory, which decodes headers, text, HTML and attachment contents.
// Same command line and result line as the C programs (see README.md); mailparser is found
// through --node-modules DIR (fetch.sh installs it there).
'use strict';
const fs = require('fs');
const path = require('path');
const { createRequire } = require('module');

function parseArgs(argv) {
  const args = { minSeconds: 2, maxIterations: 1000, warmup: 1, nodeModules: null, list: null };
  for (let i = 0; i < argv.length; i++) {
    const value = argv[i + 1];
    if (argv[i] === '--min-seconds') { args.minSeconds = Number(value); i++; }
    else if (argv[i] === '--max-iterations') { args.maxIterations = Number(value); i++; }
    else if (argv[i] === '--warmup') { args.warmup = Number(value); i++; }
    else if (argv[i] === '--node-modules') { args.nodeModules = value; i++; }
    else if (!args.list) args.list = argv[i];
  }
  if (!args.list) {
    process.stderr.write('usage: bench_mailparser.js [--node-modules DIR] [--min-seconds S] ' +
                         '[--max-iterations N] [--warmup N] LISTFILE\n');
    process.exit(2);
  }
  return args;
}

function loadMailparser(nodeModules) {
  const from = nodeModules ? path.join(path.resolve(nodeModules), 'noop.js') : __filename;
  const req = createRequire(from);
  return { simpleParser: req('mailparser').simpleParser, version: req('mailparser/package.json').version };
}

// VmHWM (reset at exec, unlike maxRSS, which keeps the runner's peak), else maxRSS.
function maxRssKb() {
  try {
    const m = /^VmHWM:\s+(\d+) kB/m.exec(fs.readFileSync('/proc/self/status', 'ascii'));
    if (m) return Number(m[1]);
  } catch (err) { /* not Linux */ }
  return process.resourceUsage().maxRSS;
}

function headerSize(value) {
  if (typeof value === 'string') return value.length;
  if (value && typeof value.text === 'string') return value.text.length; // address objects
  if (value && typeof value.value === 'string') return value.value.length; // structured
  if (Array.isArray(value)) return value.reduce((n, v) => n + headerSize(v), 0);
  if (value instanceof Date) return 1;
  return 0;
}

async function parseAndExtract(simpleParser, data) {
  try {
    const mail = await simpleParser(data);
    let total = 0;
    for (const value of mail.headers.values()) total += headerSize(value);
    if (typeof mail.text === 'string') total += mail.text.length;
    if (typeof mail.html === 'string') total += mail.html.length;
    for (const attachment of mail.attachments) total += attachment.content.length;
    return total;
  } catch (err) {
    return -1;
  }
}

async function runPass(simpleParser, messages) {
  let errors = 0, checksum = 0;
  for (const data of messages) {
    const got = await parseAndExtract(simpleParser, data);
    if (got < 0) errors++; else checksum += got;
  }
  return { errors, checksum };
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const { simpleParser, version } = loadMailparser(args.nodeModules);
  const paths = fs.readFileSync(args.list, 'utf8').split('\n').map((l) => l.trim()).filter(Boolean);
  const messages = paths.map((p) => fs.readFileSync(p));
  for (let i = 0; i < args.warmup; i++) await runPass(simpleParser, messages);
  let errors = 0, iterations = 0, checksum = 0, elapsed = 0;
  const start = process.hrtime.bigint();
  for (;;) {
    const pass = await runPass(simpleParser, messages);
    errors = pass.errors; // those of the last pass
    checksum = pass.checksum;
    iterations++;
    elapsed = Number(process.hrtime.bigint() - start) / 1e9;
    if (elapsed >= args.minSeconds || iterations >= args.maxIterations) break;
  }
  process.stdout.write(JSON.stringify({
    impl: 'mailparser', messages: messages.length,
    bytes: messages.reduce((n, m) => n + m.length, 0), iterations, seconds: elapsed, errors,
    max_rss_kb: maxRssKb(), checksum, version,
  }) + '\n');
}

main();
