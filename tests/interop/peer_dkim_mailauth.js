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

const { mailauthModule, runJob, txtResolver } = require('./mailauth_peer_util');

const { dkimSign } = mailauthModule('lib/dkim/sign');
const { dkimVerify } = mailauthModule('lib/dkim/verify');

async function sign(job) {
    for (const [input, output] of job.items) {
        const message = fs.readFileSync(input);
        const res = await dkimSign(message, {
            canonicalization: job.canon,
            algorithm: job.algo,
            // Without it mailauth reads the clock once for the t= it signs and again for the
            // t= it writes; when a second passes between them the signature is bad.
            signTime: new Date(),
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
    const resolver = txtResolver(job.dns);
    for (const file of job.files) {
        const res = await dkimVerify(fs.readFileSync(file), { resolver });
        const results = (res.results || []).map(r => (r.status && r.status.result) || 'none');
        process.stdout.write(JSON.stringify({ file, results }) + '\n');
    }
}

runJob({ sign, verify });
