// bench_auth_mailauth.js — npm mailauth in the "verify and evaluate" benchmark: DKIM
// verification of the signed messages and SPF evaluation of the set bench_mailauth wrote into
// DIR, with a resolver answering from those files.
//
//   node bench_auth_mailauth.js DIR [--min-seconds S] [--node-modules PATH]
//
// Prints one JSON line per case as bench_mailauth does. Only mailauth's lib/dkim and lib/spf
// modules are loaded, so the package runs on Node.js 18.
'use strict';

const fs = require('fs');
const path = require('path');

const { dnsError, txtResolver } = require('../interop/mailauth_peer_util');

const args = process.argv.slice(2);
const dir = args[0];
let minSeconds = 3;
let modules = path.join(__dirname, '..', 'interop', 'node_modules');
for (let i = 1; i < args.length; i++) {
    if (args[i] === '--min-seconds') minSeconds = Number(args[++i]);
    else if (args[i] === '--node-modules') modules = args[++i];
}
const { dkimVerify } = require(path.join(modules, 'mailauth/lib/dkim/verify'));
const { spf } = require(path.join(modules, 'mailauth/lib/spf'));

async function timed(impl, kase, fn) {
    let result;
    const warm = process.hrtime.bigint() + BigInt(Math.round((minSeconds / 10) * 1e9));
    while (process.hrtime.bigint() < warm) result = await fn();
    let ops = 0;
    const start = process.hrtime.bigint();
    let elapsed;
    for (;;) {
        result = await fn();
        ops++;
        elapsed = Number(process.hrtime.bigint() - start) / 1e9;
        if (elapsed >= minSeconds) break;
    }
    process.stdout.write(JSON.stringify({ impl, case: kase, ops, seconds: elapsed, result }) + '\n');
}

async function main() {
    const keys = JSON.parse(fs.readFileSync(path.join(dir, 'keys.json'), 'utf8'));
    const keyResolver = txtResolver(keys);
    for (const alg of ['rsa', 'ed25519']) {
        const msg = fs.readFileSync(path.join(dir, `dkim-${alg}.eml`));
        await timed('mailauth', `dkim-${alg}`, async () => {
            const res = await dkimVerify(msg, { resolver: keyResolver });
            return res.results[0].status.result;
        });
    }
    const s = JSON.parse(fs.readFileSync(path.join(dir, 'spf.json'), 'utf8'));
    const zone = new Map(Object.entries(s.zone).map(([k, v]) => [k.toLowerCase(), v]));
    const spfResolver = async (name, type) => {
        const t = zone.get(name.toLowerCase().replace(/\.$/, ''));
        if (!t || !t[type]) throw dnsError('ENOTFOUND', `${name} not found`);
        return type === 'TXT' ? t[type].map(v => [v]) : t[type];
    };
    await timed('mailauth', 'spf-include', async () => {
        const res = await spf({ sender: s.sender, ip: s.ip, helo: s.helo, mta: 'mx.bench.example', resolver: spfResolver });
        return res.status.result;
    });
}

main().catch(err => {
    process.stderr.write(String(err && err.stack ? err.stack : err) + '\n');
    process.exit(1);
});
