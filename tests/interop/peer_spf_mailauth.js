// peer_spf_mailauth.js — npm mailauth as an SPF peer for spf_interop.py.
//
//   node peer_spf_mailauth.js JOB.json
//
// JOB is the list of scenarios spf_interop.py generates; prints {"result": ...} per scenario,
// the MAIL FROM verdict of mailauth's spf() with a resolver answering from the scenario's zone.
// Only mailauth's lib/spf module is loaded, so the package runs on Node.js 18.
'use strict';

const fs = require('fs');
const path = require('path');

const modules = process.env.MAILAUTH_NODE_MODULES || path.join(__dirname, 'node_modules');
const { spf } = require(path.join(modules, 'mailauth/lib/spf'));

function resolverFor(zone) {
    const z = new Map(Object.entries(zone).map(([k, v]) => [k.toLowerCase(), v]));
    return async (name, type) => {
        const types = z.get(name.toLowerCase().replace(/\.$/, ''));
        if (!types) {
            const err = new Error(`${name} not found`);
            err.code = 'ENOTFOUND';
            throw err;
        }
        const values = types[type];
        if (!values || !values.length) {
            const err = new Error(`${name} has no ${type}`);
            err.code = 'ENODATA';
            throw err;
        }
        switch (type) {
            case 'TXT':
                return values.map(v => [v]);
            case 'MX':
                return values.map(([priority, exchange]) => ({ priority, exchange }));
            default:
                return values.slice();
        }
    };
}

async function main() {
    const scenarios = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
    for (const s of scenarios) {
        let result;
        try {
            const res = await spf({
                sender: s.sender || undefined,
                ip: s.ip,
                helo: s.helo,
                mta: 'mx.receiver.example',
                resolver: resolverFor(s.zone),
            });
            result = res.status.result;
        } catch (err) {
            result = `exception:${err.code || err.name}`;
        }
        process.stdout.write(JSON.stringify({ result }) + '\n');
    }
}

main().catch(err => {
    process.stderr.write(String(err && err.stack ? err.stack : err) + '\n');
    process.exit(1);
});
