// peer_smtp_server.js — the npm smtp-server as a receiving peer for libmailsend's interop test.
//
// Usage: node peer_smtp_server.js CONFIG.json
// CONFIG: {
//   "dir": where each accepted message is written as <n>.eml, with <n>.json beside it
//          (envelope, authenticated user, whether the session was under TLS),
//   "key", "cert": PEM files for STARTTLS (omit both to offer no STARTTLS),
//   "secure": true for implicit TLS (port 465 style),
//   "auth": ["PLAIN", "LOGIN", "CRAM-MD5", "XOAUTH2"] — mechanisms offered (empty: no AUTH),
//   "user", "password": the one account AUTH accepts (XOAUTH2: password is the token),
//   "allowInsecureAuth": offer AUTH before STARTTLS,
//   "size": SIZE limit in octets (0: none),
//   "rejectRcpt": recipients to refuse with 550, "tempfailRcpt": ... with 450
// }
// Listens on 127.0.0.1 on a free port and prints {"port": N} on one line once listening.
'use strict';

const fs = require('fs');
const path = require('path');
const { SMTPServer } = require('smtp-server');

const config = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
let seq = 0;

function fail(code, text) {
    const err = new Error(text);
    err.responseCode = code;
    return err;
}

const options = {
    secure: !!config.secure,
    disabledCommands: [],
    authMethods: config.auth || [],
    allowInsecureAuth: !!config.allowInsecureAuth,
    size: config.size || 0,
    logger: false,
    onAuth(auth, session, done) {
        const ok = auth.method === 'CRAM-MD5'
            ? auth.username === config.user && auth.validatePassword(config.password)
            : auth.method === 'XOAUTH2'
                ? auth.username === config.user && auth.accessToken === config.password
                : auth.username === config.user && auth.password === config.password;
        if (!ok)
            return done(fail(535, 'Authentication failed'));
        return done(null, { user: auth.username });
    },
    onRcptTo(address, session, done) {
        const a = address.address;
        if ((config.rejectRcpt || []).includes(a))
            return done(fail(550, 'No such user here'));
        if ((config.tempfailRcpt || []).includes(a))
            return done(fail(450, 'Mailbox busy, try later'));
        return done();
    },
    onData(stream, session, done) {
        const chunks = [];
        stream.on('data', (c) => chunks.push(c));
        stream.on('end', () => {
            if (stream.sizeExceeded)
                return done(fail(552, 'Message too big'));
            const n = ++seq;
            fs.writeFileSync(path.join(config.dir, n + '.eml'), Buffer.concat(chunks));
            fs.writeFileSync(path.join(config.dir, n + '.json'), JSON.stringify({
                from: session.envelope.mailFrom ? session.envelope.mailFrom.address : null,
                to: session.envelope.rcptTo.map((r) => r.address),
                user: session.user || null,
                secure: !!session.secure,
            }));
            return done(null, 'Queued as ' + n);
        });
    },
};
if (!config.key || !config.cert)
    options.hideSTARTTLS = true;
else {
    options.key = fs.readFileSync(config.key);
    options.cert = fs.readFileSync(config.cert);
}
if (!(config.auth || []).length)
    options.authOptional = true, options.disabledCommands.push('AUTH');

const server = new SMTPServer(options);
server.on('error', () => {});
server.listen(0, '127.0.0.1', () => {
    process.stdout.write(JSON.stringify({ port: server.server.address().port }) + '\n');
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
