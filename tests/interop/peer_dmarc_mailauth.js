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

const { mailauthModule, readJob, runMain, zoneResolver } = require('./mailauth_peer_util');

const { dmarc } = mailauthModule('lib/dmarc');

// Answers like the in-memory zone of libmailauth: a name holding records, or an ancestor of
// one, exists (ENODATA for a type it lacks); any other name is ENOTFOUND; the scenario's
// "fail" entries ([name, type or null]) give ESERVFAIL.
function resolverFor(scenario) {
    return zoneResolver(scenario.zone, { ancestors: true, fails: scenario.fail });
}

async function main() {
    const scenarios = readJob();
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

runMain(main);
