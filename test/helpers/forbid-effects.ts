/**
 * Loaded with `node --require` before the CLI or the server bundle: every way of running a
 * program, evaluating a string as code or opening a network connection is replaced by one that
 * records the attempt (in the file that KSM_EFFECTS_LOG names) and throws. The no-effects tests
 * run the real bundles under it and require the record to stay empty. The modules are
 * imported with `require` so that what is patched is the object every other module gets.
 */
import fs = require('node:fs');
import childProcess = require('node:child_process');
import dns = require('node:dns');
import http = require('node:http');
import https = require('node:https');
import net = require('node:net');
import tls = require('node:tls');
import vm = require('node:vm');

const logFile = process.env.KSM_EFFECTS_LOG;

function forbidden(what: string): never {
  if (logFile) fs.appendFileSync(logFile, `${what}\n`);
  throw new Error(`forbidden in the analyzer: ${what}`);
}

function forbid(target: object, names: string[], prefix: string): void {
  for (const name of names) {
    Object.defineProperty(target, name, { value: () => forbidden(`${prefix}.${name}`), configurable: true, writable: true });
  }
}

forbid(childProcess, ['spawn', 'spawnSync', 'exec', 'execSync', 'execFile', 'execFileSync', 'fork'], 'child_process');
forbid(net, ['connect', 'createConnection'], 'net');
forbid(net.Socket.prototype, ['connect'], 'net.Socket');
forbid(tls, ['connect'], 'tls');
forbid(dns, ['lookup', 'resolve', 'resolve4', 'resolve6'], 'dns');
forbid(dns.promises, ['lookup', 'resolve'], 'dns.promises');
forbid(http, ['request', 'get'], 'http');
forbid(https, ['request', 'get'], 'https');
forbid(vm, ['runInThisContext', 'runInNewContext', 'runInContext', 'compileFunction', 'Script'], 'vm');
forbid(globalThis, ['fetch', 'eval'], 'globalThis');
