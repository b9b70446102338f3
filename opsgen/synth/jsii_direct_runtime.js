// opsgen: jsii's kernel (program.js of the pinned jsii Python package) talking to
// Python over this process's own stdin and stdout.
//
// jsii's stock runtime (bin/jsii-runtime.js) spawns program.js as a second Node
// process and relays every message between Python and it through its event
// loop: two extra hops per call and a second Node process per kernel. Here
// program.js runs in this process; its API channel, which it opens on fd 3,
// is mapped onto fd 0 (requests from Python) and fd 1 (responses).
// See opsgen/synth/kernel.py, which copies this file beside program.js.
'use strict';
const fs = require('fs');

const CHANNEL = 3; // the fd program.js reads and writes its API messages on
// A file description of our own for fd 1's pipe: blocking whatever Node does
// to fd 1, so a large response is written in one go instead of retried.
const output = fs.openSync('/proc/self/fd/1', 'w');
const { readSync, writeSync } = fs;
fs.readSync = (fd, ...rest) => readSync(fd === CHANNEL ? 0 : fd, ...rest);
fs.writeSync = (fd, ...rest) => writeSync(fd === CHANNEL ? output : fd, ...rest);

// What JavaScript code prints must not mix with the API channel. As the stock
// runtime does, it goes to stderr as {"stdout"|"stderr": base64} lines, which
// the Python side decodes and prints on its own streams.
for (const name of ['stdout', 'stderr']) {
  process[name].write = (chunk, encoding, callback) => {
    const data = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk), typeof encoding === 'string' ? encoding : 'utf8');
    writeSync(2, JSON.stringify({ [name]: data.toString('base64') }) + '\n');
    const done = typeof encoding === 'function' ? encoding : callback;
    if (done) process.nextTick(done);
    return true;
  };
}

require('./program.js');
