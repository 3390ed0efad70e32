// Runs a CommonJS bundle (bin/compiled.js) through vm.Script with V8's code cache, so a start-up
// deserialises the bundle's bytecode instead of parsing and compiling ~1.8 MB of JavaScript.
//
// The cache is written next to the bundle after a command has run (bin/pullsim.js calls save() on exit), so
// it holds the functions that command compiled lazily, not just the top level; it is rewritten when a
// command it has not seen yet runs, and never otherwise. It is only ever an optimisation: a missing,
// stale, corrupt or rejected cache means compiling from source (and writing a fresh one), and a cache
// that cannot be written (a read-only install) is skipped. The bundle's directory is named by the hash
// of its inputs and never changes once written, so a cache belongs to one bundle; its name adds Node's
// version, the architecture and the V8/Node flags, which V8 checks too.
//
// Layout: one JSON line { sha256, source, commands } then V8's data. V8 checks its version, flags and the
// source's length, but in release builds not its payload: a flipped byte could crash the process, hence
// the checksum of our own.
'use strict';
const { isAscii } = require('node:buffer');
const { createHash } = require('node:crypto');
const { readFileSync, renameSync, statSync, unlinkSync, writeFileSync } = require('node:fs');
const { createRequire } = require('node:module');
const path = require('node:path');
const vm = require('node:vm');

/** The bundle's parameters: CommonJS's, and $esmld, the bundle's import() of an external ES module (bin/compiled.js). */
const WRAPPER = '(function (exports, require, module, __filename, __dirname, $esmld) {';

const MAX_COMMANDS = 32;

function cacheFileFor(file) {
  const key = createHash('sha256').update(JSON.stringify([process.version, process.arch, process.execArgv])).digest('hex').slice(0, 12);
  return `${file}.${key}.v8cache`;
}

function sourceStamp(file) {
  const s = statSync(file);
  return `${s.size}:${s.mtimeMs}`;
}

/** The cache's data and the commands it has seen, or undefined when there is none or it does not check out. */
function readCache(cacheFile, stamp) {
  let buf;
  try {
    buf = readFileSync(cacheFile);
  } catch {
    return undefined;
  }
  try {
    const nl = buf.indexOf(10);
    if (nl < 0) return undefined;
    const head = JSON.parse(buf.subarray(0, nl).toString('utf8'));
    const data = buf.subarray(nl + 1);
    if (head.source !== stamp || !Array.isArray(head.commands)) return undefined;
    if (createHash('sha256').update(data).digest('hex') !== head.sha256) return undefined;
    return { data, commands: head.commands };
  } catch {
    return undefined;
  }
}

function writeCache(cacheFile, stamp, data, commands) {
  const head = JSON.stringify({ sha256: createHash('sha256').update(data).digest('hex'), source: stamp, commands });
  const tmp = `${cacheFile}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, Buffer.concat([Buffer.from(`${head}\n`), data]));
    renameSync(tmp, cacheFile);
  } catch {
    try {
      unlinkSync(tmp);
    } catch {
      // nothing was written
    }
  }
}

/**
 * Loads and runs the CommonJS bundle `file`. Returns its exports; `cache`, what became of the code cache
 * ('used', 'rejected' by V8, or 'none': missing, stale or corrupt); and save(command), which writes the
 * cache if this process compiled from source or ran a command the cache has not seen.
 */
function runBundle(file) {
  const stamp = sourceStamp(file);
  const cacheFile = cacheFileFor(file);
  const cached = readCache(cacheFile, stamp);
  const bytes = readFileSync(file);
  // An ASCII bundle (bin/compiled.js makes one) decodes byte for byte into a one-byte string, faster than UTF-8.
  const text = isAscii(bytes) ? bytes.latin1Slice(0, bytes.length) : bytes.utf8Slice(0, bytes.length);
  const script = new vm.Script(`${WRAPPER}${text}\n})`, { filename: file, cachedData: cached?.data });
  const cache = cached === undefined ? 'none' : script.cachedDataRejected ? 'rejected' : 'used';
  const seen = cached?.commands ?? [];
  const module = { exports: {} };
  script.runInThisContext()(module.exports, createRequire(file), module, file, path.dirname(file), (specifier) => import(specifier));
  return {
    exports: module.exports,
    cache,
    save(command) {
      // A bounded list: the first word of a command line may be a typo.
      if (cache === 'used' && (seen.includes(command) || seen.length >= MAX_COMMANDS)) return;
      let data;
      try {
        data = script.createCachedData();
      } catch {
        return;
      }
      writeCache(cacheFile, stamp, data, cache === 'used' ? [...seen, command] : [command]);
    },
  };
}

module.exports = { runBundle, cacheFileFor };
