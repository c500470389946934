// peer_arc_mailauth.js — npm mailauth as an ARC peer for arc_interop.py.
//
//   node peer_arc_mailauth.js JOB.json
//
// JOB is {"op": "seal", "key": PEM, "selector", "domain", "srv_id", "auth_results",
//         "dns": {name: txt}, "items": [[in, out], ...]}: each message `in` is first verified
//         (its chain status becomes cv=, as mailauth's own authenticate() does) and then gets
//         a new ARC set (sealMessage: rsa-sha256, the only algorithm mailauth seals with)
//         written to `out` on top of the message; the ARC-Authentication-Results is
//         "i=N; srv_id; auth_results". When the chain is not sealable, `out`.error says why;
//      or {"op": "verify", "dns": {name: txt}, "files": [...]}: prints one JSON line
//         {"file", "result": "pass"|"fail"|"none", "reason"} per message, and when the
//         latest seal is ed25519-sha256 and failed, "with_seal_hash": the result when the
//         seal check hashes the header data first (see withSealHash).
// Only mailauth's lib/arc and lib/dkim modules are loaded, so the package runs on Node.js 18.
'use strict';

const crypto = require('node:crypto');
const fs = require('fs');

const { mailauthModule, runJob, txtResolver } = require('./mailauth_peer_util');

const { arc, sealMessage } = mailauthModule('lib/arc');
const { dkimVerify } = mailauthModule('lib/dkim/verify');

// The chain status as mailauth's authenticate() finds it: dkimVerify checks the latest
// ARC-Message-Signature with the DKIM signatures, arc() the seals and the structure.
async function chainStatus(message, resolver) {
    const res = await dkimVerify(message, { resolver });
    return (await arc(res.arc, { resolver })).status;
}

async function seal(job) {
    const resolver = txtResolver(job.dns);
    for (const [input, output] of job.items) {
        const message = fs.readFileSync(input);
        const status = await chainStatus(message, resolver);
        if (!['none', 'pass'].includes(status.result) && !status.shouldSeal) {
            fs.writeFileSync(output + '.error', `chain ${status.result}: ${status.comment || ''}`);
            continue;
        }
        const fields = await sealMessage(message, {
            signingDomain: job.domain,
            selector: job.selector,
            privateKey: job.key,
            algorithm: 'rsa-sha256',
            authResults: `${job.srv_id}; ${job.auth_results}`,
            cv: status.result,
            // given, as authenticate() does: without it each of the two formattings of the
            // AMS takes its own t= from the clock, and they differ when they straddle a
            // rounding boundary (an AMS that never verifies, about 1 in 150 here)
            signTime: new Date(),
        });
        fs.writeFileSync(output, Buffer.concat([fields, message]));
    }
}

// mailauth signs an Ed25519 ARC-Seal over the SHA-256 hash of the header data (RFC 8463 §3)
// but checks one over the data itself. Runs `fn` with crypto.verify hashing first for an
// Ed25519 key given no digest name, as lib/arc's seal check calls it (the DKIM code, which
// hashes itself, is not run inside `fn`).
async function withSealHash(fn) {
    const verify = crypto.verify;
    crypto.verify = (algorithm, data, key, signature) => {
        if (algorithm == null && crypto.createPublicKey(key).asymmetricKeyType === 'ed25519') {
            data = crypto.createHash('sha256').update(data).digest();
        }
        return verify(algorithm, data, key, signature);
    };
    try {
        return await fn();
    } finally {
        crypto.verify = verify;
    }
}

async function verify(job) {
    const resolver = txtResolver(job.dns);
    for (const file of job.files) {
        const message = fs.readFileSync(file);
        const record = { file };
        try {
            const res = await dkimVerify(message, { resolver });
            const status = (await arc(res.arc, { resolver })).status;
            record.result = status.result;
            record.reason = status.comment || '';
            const latest = res.arc && res.arc.lastEntry && res.arc.lastEntry['arc-seal'];
            if (status.result === 'fail' && latest && /^ed25519-/i.test(latest.algorithm || '')) {
                const again = await withSealHash(() => arc(res.arc, { resolver }));
                record.with_seal_hash = again.status.result;
            }
        } catch (err) {
            record.result = 'fail';
            record.reason = `exception: ${err.message}`;
        }
        process.stdout.write(JSON.stringify(record) + '\n');
    }
}

runJob({ seal, verify });
