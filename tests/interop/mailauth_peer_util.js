// mailauth_peer_util.js — what the npm mailauth peer scripts (peer_*_mailauth.js) and
// tests/bench/bench_auth_mailauth.js share: loading mailauth's modules, DNS resolvers
// answering from the records of a job, and reading the job and reporting a failure.
'use strict';

const fs = require('fs');
const path = require('path');

// Where mailauth is installed: MAILAUTH_NODE_MODULES, or tests/interop/node_modules (setup.sh).
const modules = process.env.MAILAUTH_NODE_MODULES || path.join(__dirname, 'node_modules');

// A module of the mailauth package, e.g. 'lib/spf'.
function mailauthModule(name) {
    return require(path.join(modules, 'mailauth', name));
}

function dnsError(code, message) {
    const err = new Error(message);
    err.code = code;
    return err;
}

function zoneKey(name) {
    return name.toLowerCase().replace(/\.$/, '');
}

// A resolver answering TXT queries from {name: txt}; anything else is ENOTFOUND.
function txtResolver(records) {
    const dns = new Map(Object.entries(records || {}).map(([k, v]) => [k.toLowerCase(), v]));
    return async (name, type) => {
        const txt = dns.get(zoneKey(name));
        if (type !== 'TXT' || txt === undefined) {
            throw dnsError('ENOTFOUND', 'not found');
        }
        return [[txt]];
    };
}

// A resolver answering from a zone {name: {type: [values]}} (MX values [preference, host]):
// a name the zone holds exists (ENODATA for a type it lacks), and with `ancestors` so does
// every name above one; any other name is ENOTFOUND. `fails` ([name, type or null]) give
// ESERVFAIL.
function zoneResolver(records, { ancestors = false, fails = [] } = {}) {
    const zone = new Map(Object.entries(records).map(([k, v]) => [k.toLowerCase(), v]));
    const exists = new Set(zone.keys());
    if (ancestors) {
        for (const name of zone.keys()) {
            const labels = name.split('.');
            for (let i = 0; i < labels.length; i++) {
                exists.add(labels.slice(i).join('.'));
            }
        }
    }
    const failing = fails.map(([n, t]) => [n.toLowerCase(), t]);
    return async (name, type) => {
        const key = zoneKey(name);
        if (failing.some(([n, t]) => n === key && (!t || t === type))) {
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

// The JSON job named on the command line.
function readJob() {
    return JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
}

// Runs the promise `run` gives; a failure is printed and the process exits 1.
function runMain(run) {
    run().catch(err => {
        process.stderr.write(String(err && err.stack ? err.stack : err) + '\n');
        process.exit(1);
    });
}

// Runs ops[job.op] on the job named on the command line.
function runJob(ops) {
    const job = readJob();
    runMain(() => ops[job.op](job));
}

module.exports = { mailauthModule, dnsError, txtResolver, zoneResolver, readJob, runMain, runJob };
