#!/usr/bin/env node
// peer_nodemailer.js — the "send" benchmark with npm nodemailer, the peer of bench_mailsend.c:
// the same message file sent N times to HOST:PORT, one recipient each, through nodemailer's
// pooled SMTP transport with maxConnections C (each connection kept for all of its messages:
// maxMessages is unlimited, where the default would reconnect every 100 messages). The
// message goes as `raw` (the octets of the file, not composed again) with an explicit
// envelope; nodemailer pipelines MAIL, RCPT and DATA when the server offers PIPELINING.
// With --ports P1,P2,... (n ports) there are C pooled transports of maxConnections 1 instead,
// transport i connecting to the (i mod n)-th port, and the messages go to them round-robin:
// the same C connections spread over n receivers as bench_mailsend's --ports.
//
//   node peer_nodemailer.js --node-modules DIR (--port P | --ports P1,P2,...) [--host H]
//        --message FILE --messages N [--connections C] [--warmup W]
//
// W messages (default 200, at least one per connection) go first, untimed, which also opens the
// connections and lets the JIT compile the sending path; then the clock runs until the N timed
// messages all have their final reply. At most 2 x C
// messages are handed to the transport at a time, enough to keep every connection busy.
// Prints one JSON line like bench_mailsend: {"impl", "version", "size", "connections",
// "messages", "seconds", "cpu_seconds", "errors"} (cpu_seconds: the process's processor time,
// user and system, while the clock ran); exits 1 when a message was not accepted.
'use strict';
const fs = require('fs');
const path = require('path');

function parseArgs(argv) {
  const args = { host: '127.0.0.1', port: 0, ports: '', message: null, messages: 0,
                 connections: 1, warmup: 200, nodeModules: null };
  const names = { '--host': 'host', '--port': 'port', '--ports': 'ports', '--message': 'message',
                  '--messages': 'messages', '--connections': 'connections',
                  '--warmup': 'warmup', '--node-modules': 'nodeModules' };
  for (let i = 0; i < argv.length; i += 2) {
    const key = names[argv[i]];
    if (!key || argv[i + 1] === undefined) return null;
    const v = argv[i + 1];
    args[key] = typeof args[key] === 'number' ? Number(v) : v;
  }
  args.ports = args.ports ? args.ports.split(',').map(Number) : [];
  const counts = [args.port, args.messages, args.connections, args.warmup];
  const badPort = (p) => !Number.isInteger(p) || p < 1 || p > 65535;
  if (!args.message || !args.nodeModules || counts.some((n) => !Number.isInteger(n) || n < 0) ||
      (!args.port && !args.ports.length) || args.ports.some(badPort) ||
      !args.messages || !args.connections) return null;
  return args;
}

// Sends `count` messages keeping at most `window` in flight, handing them to the transports
// round-robin; resolves to the number refused.
function sendMany(transports, mail, count, window) {
  return new Promise((resolve) => {
    let started = 0, done = 0, errors = 0;
    const next = () => {
      if (done === count) return resolve(errors);
      while (started < count && started - done < window) {
        const transport = transports[started % transports.length];
        started++;
        transport.sendMail(mail, (err, info) => {
          if (err || !info || info.accepted.length !== 1) {
            if (errors++ === 0) {
              process.stderr.write(`peer_nodemailer: ${err ? err.message : 'refused'}\n`);
            }
          }
          done++;
          next();
        });
      }
    };
    next();
  });
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  if (!args) {
    process.stderr.write('usage: peer_nodemailer.js --node-modules DIR (--port P | ' +
                         '--ports P1,P2,...) [--host H] --message FILE --messages N ' +
                         '[--connections C] [--warmup W]\n');
    return 2;
  }
  const nodemailer = require(path.join(path.resolve(args.nodeModules), 'nodemailer'));
  const version = require(path.join(path.resolve(args.nodeModules), 'nodemailer',
                                    'package.json')).version;
  const raw = fs.readFileSync(args.message);
  const pool = (port, connections) => nodemailer.createTransport({
    pool: true,
    host: args.host,
    port,
    secure: false,
    name: 'client.example.com',
    maxConnections: connections,
    maxMessages: Infinity,
  });
  const transports = args.ports.length
    ? Array.from({ length: args.connections }, (_, i) => pool(args.ports[i % args.ports.length], 1))
    : [pool(args.port, args.connections)];
  const closeAll = () => transports.forEach((t) => t.close());
  const mail = { envelope: { from: 'alice@example.com', to: ['bob@example.net'] }, raw };
  const window = 2 * args.connections;
  let errors = await sendMany(transports, mail, Math.max(args.warmup, args.connections), window);
  if (errors) {
    closeAll();
    return 1;
  }
  const start = process.hrtime.bigint();
  const cpuStart = process.cpuUsage();
  errors = await sendMany(transports, mail, args.messages, window);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const cpu = process.cpuUsage(cpuStart);
  closeAll();
  process.stdout.write(JSON.stringify({ impl: 'nodemailer', version, size: raw.length,
                                        connections: args.connections, messages: args.messages,
                                        seconds, cpu_seconds: (cpu.user + cpu.system) / 1e6,
                                        errors }) + '\n');
  return errors ? 1 : 0;
}

main().then((code) => { process.exitCode = code; }, (err) => {
  process.stderr.write(`peer_nodemailer: ${err.stack || err}\n`);
  process.exitCode = 1;
});
