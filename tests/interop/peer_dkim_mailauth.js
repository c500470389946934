// peer_dkim_mailauth.js — npm mailauth as a DKIM peer for dkim_interop.py.
//
//   node peer_dkim_mailauth.js JOB.json
//
// JOB is {"op": "sign", "key": PEM, "selector", "domain", "canon", "algo",
//         "items": [[in, out], ...]}: each message `in` is signed and written to `out` with
//         the signature on top;
//      or {"op": "verify", "dns": {name: txt}, "files": [...]}: prints one JSON line
//         {"file", "results": ["pass", ...]} per message (the result of each signature).
// Only mailauth's lib/dkim modules are loaded, so the package runs on Node.js 18.
'use strict';

const fs = require('fs');
const path = require('path');

const modules = process.env.MAILAUTH_NODE_MODULES || path.join(__dirname, 'node_modules');
const { dkimSign } = require(path.join(modules, 'mailauth/lib/dkim/sign'));
const { dkimVerify } = require(path.join(modules, 'mailauth/lib/dkim/verify'));

async function sign(job) {
    for (const [input, output] of job.items) {
        const message = fs.readFileSync(input);
        const res = await dkimSign(message, {
            canonicalization: job.canon,
            algorithm: job.algo,
            signatureData: [
                {
                    signingDomain: job.domain,
                    selector: job.selector,
                    privateKey: job.key,
                    canonicalization: job.canon,
                    algorithm: job.algo,
                },
            ],
        });
        if (res.errors && res.errors.length) {
            fs.writeFileSync(output + '.error', String(res.errors[0]));
            continue;
        }
        fs.writeFileSync(output, Buffer.concat([Buffer.from(res.signatures), message]));
    }
}

async function verify(job) {
    const dns = new Map(Object.entries(job.dns).map(([k, v]) => [k.toLowerCase(), v]));
    const resolver = async (name, type) => {
        const txt = dns.get(name.toLowerCase().replace(/\.$/, ''));
        if (type !== 'TXT' || txt === undefined) {
            const err = new Error('not found');
            err.code = 'ENOTFOUND';
            throw err;
        }
        return [[txt]];
    };
    for (const file of job.files) {
        const res = await dkimVerify(fs.readFileSync(file), { resolver });
        const results = (res.results || []).map(r => (r.status && r.status.result) || 'none');
        process.stdout.write(JSON.stringify({ file, results }) + '\n');
    }
}

const job = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
(job.op === 'sign' ? sign(job) : verify(job)).catch(err => {
    process.stderr.write(String(err && err.stack ? err.stack : err) + '\n');
    process.exit(1);
});
