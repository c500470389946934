// peer_dmarc_mailauth.js — npm mailauth as a DMARC peer for dmarc_interop.py.
//
//   node peer_dmarc_mailauth.js JOB.json
//
// JOB is the list of scenarios dmarc_interop.py generates; prints one JSON line per scenario:
// {"result", "policy", "spf_aligned", "dkim_aligned"} from mailauth's dmarc() with a resolver
// answering from the scenario's zone. SPF and DKIM results are handed over the way mailauth's
// own authenticate() does: only a passing SPF domain and the d= of passing signatures. Only
// mailauth's lib/dmarc module is loaded, so the package runs on Node.js 18.
'use strict';

const fs = require('fs');
const path = require('path');

const modules = process.env.MAILAUTH_NODE_MODULES || path.join(__dirname, 'node_modules');
const { dmarc } = require(path.join(modules, 'mailauth/lib/dmarc'));

function dnsError(code, message) {
    const err = new Error(message);
    err.code = code;
    return err;
}

// Answers like the in-memory zone of libmailauth: a name holding records, or an ancestor of
// one, exists (ENODATA for a type it lacks); any other name is ENOTFOUND; the scenario's
// "fail" entries ([name, type or null]) give ESERVFAIL.
function resolverFor(scenario) {
    const zone = new Map(Object.entries(scenario.zone).map(([k, v]) => [k.toLowerCase(), v]));
    const exists = new Set();
    for (const name of zone.keys()) {
        const labels = name.split('.');
        for (let i = 0; i < labels.length; i++) {
            exists.add(labels.slice(i).join('.'));
        }
    }
    const fails = scenario.fail.map(([n, t]) => [n.toLowerCase(), t]);
    return async (name, type) => {
        const key = name.toLowerCase().replace(/\.$/, '');
        if (fails.some(([n, t]) => n === key && (!t || t === type))) {
            throw dnsError('ESERVFAIL', `${name} ${type}: server failure`);
        }
        if (!exists.has(key)) {
            throw dnsError('ENOTFOUND', `${name} not found`);
        }
        const values = (zone.get(key) || {})[type];
        if (!values || !values.length) {
            throw dnsError('ENODATA', `${name} has no ${type}`);
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
        let out;
        try {
            const res = await dmarc({
                headerFrom: `user@${s.from}`,
                spfDomains: s.spf[1] === 'pass' ? [s.spf[0]] : [],
                dkimDomains: s.dkim.filter(([, r]) => r === 'pass').map(([domain]) => ({ domain })),
                resolver: resolverFor(s)
            });
            if (!res) {
                out = { result: 'exception:no-result' };
            } else {
                const al = res.alignment;
                out = {
                    result: res.status.result,
                    policy: typeof res.policy === 'string' ? res.policy : null,
                    spf_aligned: al ? Boolean(al.spf && al.spf.result) : null,
                    dkim_aligned: al ? Boolean(al.dkim && al.dkim.result) : null
                };
            }
        } catch (err) {
            out = { result: `exception:${err.code || err.name}` };
        }
        process.stdout.write(JSON.stringify(out) + '\n');
    }
}

main().catch(err => {
    process.stderr.write(String(err && err.stack ? err.stack : err) + '\n');
    process.exit(1);
});
