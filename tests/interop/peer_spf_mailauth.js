// peer_spf_mailauth.js — npm mailauth as an SPF peer for spf_interop.py.
//
//   node peer_spf_mailauth.js JOB.json
//
// JOB is the list of scenarios spf_interop.py generates; prints {"result": ...} per scenario,
// the MAIL FROM verdict of mailauth's spf() with a resolver answering from the scenario's zone.
// Only mailauth's lib/spf module is loaded, so the package runs on Node.js 18.
'use strict';

const { mailauthModule, readJob, runMain, zoneResolver } = require('./mailauth_peer_util');

const { spf } = mailauthModule('lib/spf');

async function main() {
    const scenarios = readJob();
    for (const s of scenarios) {
        let result;
        try {
            const res = await spf({
                sender: s.sender || undefined,
                ip: s.ip,
                helo: s.helo,
                mta: 'mx.receiver.example',
                resolver: zoneResolver(s.zone),
            });
            result = res.status.result;
        } catch (err) {
            result = `exception:${err.code || err.name}`;
        }
        process.stdout.write(JSON.stringify({ result }) + '\n');
    }
}

runMain(main);
