// Preloaded into kinesis-local with `node --require`. kinesis-local listens on all interfaces and has no setting for
// the bind address, so this patch makes every listening TCP socket that would bind a wildcard address bind 127.0.0.1
// instead. It also exits the process if the parent that started it (@kcl/testbed) is gone, so no orphan survives.
'use strict';
const net = require('node:net');

const LOOPBACK = '127.0.0.1';
const WILDCARD = new Set([undefined, null, '', '0.0.0.0', '::', '::0']);
const originalListen = net.Server.prototype.listen;

net.Server.prototype.listen = function listenOnLoopback(...args) {
  const first = args[0];
  if (args.length === 0 || typeof first === 'function') {
    args.unshift(0, LOOPBACK);
  } else if (typeof first === 'number' || (typeof first === 'string' && /^\d+$/.test(first))) {
    if (typeof args[1] === 'string') {
      if (WILDCARD.has(args[1])) args[1] = LOOPBACK;
    } else {
      args.splice(1, 0, LOOPBACK);
    }
  } else if (first !== null && typeof first === 'object' && first.path === undefined && first.fd === undefined
    && first._handle === undefined && first.handle === undefined && WILDCARD.has(first.host)) {
    args[0] = { ...first, host: LOOPBACK };
  }
  return originalListen.apply(this, args);
};

const parentPid = Number(process.env.KCL_TESTBED_PARENT_PID);
if (Number.isInteger(parentPid) && parentPid > 0) {
  const timer = setInterval(() => {
    try {
      process.kill(parentPid, 0);
    } catch {
      process.exit(0);
    }
  }, 1000);
  timer.unref();
}
