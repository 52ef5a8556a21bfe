/* global require, process, URL, module */
/* eslint-disable @typescript-eslint/no-require-imports -- an embedded main is CommonJS: require() is how it imports */
'use strict';
// The main script of the single executable. Node runs an embedded main only as CommonJS, while the plugin
// is an ES module bundle (ink's layout engine needs top-level await), split into an entry and chunks that
// are embedded as assets. Module hooks hand those assets to Node's own ES module loader under file: URLs
// beside the executable (…/kubectl-verify.sea/…), so import(), import.meta.url and createRequire work as
// they do from disk, and nothing is unpacked or written anywhere.
//
// A few libraries are not embedded but shipped as files beside the executable, which the user may replace
// (openpgp.js is LGPL-3.0: its §4(d)(1) asks that the combined work use, at run time, a copy of the library
// present on the user's system). The hooks resolve their bare specifiers to those files, found next to the
// real executable (krew puts a symlink on PATH), and only when the code imports them: a missing file fails
// that import with a clear message, never the start.
const { existsSync, readFileSync, realpathSync } = require('node:fs');
const { registerHooks } = require('node:module');
const { dirname, join } = require('node:path');
const sea = require('node:sea');
const { pathToFileURL } = require('node:url');

/**
 * bare specifier → its file beside the executable (forward slashes, relative to the executable's directory)
 * and what to say when that file is missing. plugin/release/bundle.ts reads this table: it keeps these
 * specifiers out of the bundle and puts the files into the release archives.
 */
const REPLACEABLE = {
  openpgp: {
    file: 'lib/openpgp.mjs',
    missing: 'OpenPGP verification needs lib/openpgp.mjs beside the kubectl-verify executable (it is LGPL-licensed and shipped as a replaceable file)',
  },
};

/** The directory of the executable itself, through any symlinks to it. */
function executableDir(execPath) {
  try {
    return dirname(realpathSync(execPath));
  } catch {
    return dirname(execPath);
  }
}

/** Where a replaceable library's file is for this executable, or undefined for any other specifier. */
function libraryFile(specifier, execPath) {
  const lib = Object.hasOwn(REPLACEABLE, specifier) ? REPLACEABLE[specifier] : undefined;
  return lib === undefined ? undefined : join(executableDir(execPath), ...lib.file.split('/'));
}

/** The resolve and load hooks for the executable at execPath, reading embedded modules with getAsset. */
function hooks(execPath, getAsset) {
  const base = pathToFileURL(`${execPath}.sea/`).href;
  const ours = (url) => url.startsWith(base);
  return {
    base,
    resolve(specifier, context, nextResolve) {
      if (ours(specifier)) return { url: specifier, format: 'module', shortCircuit: true };
      if (context.parentURL && ours(context.parentURL) && (specifier.startsWith('./') || specifier.startsWith('../'))) {
        return { url: new URL(specifier, context.parentURL).href, format: 'module', shortCircuit: true };
      }
      const file = libraryFile(specifier, execPath);
      if (file !== undefined) {
        if (!existsSync(file)) {
          const e = new Error(`${REPLACEABLE[specifier].missing}: ${file} not found`);
          e.code = 'ERR_MODULE_NOT_FOUND';
          throw e;
        }
        return { url: pathToFileURL(file).href, format: 'module', shortCircuit: true };
      }
      return nextResolve(specifier, context);
    },
    load(url, context, nextLoad) {
      if (!ours(url)) return nextLoad(url, context);
      return { format: 'module', source: getAsset(decodeURIComponent(url.slice(base.length)), 'utf8'), shortCircuit: true };
    },
  };
}

/**
 * The release's smoke test of the replaceable OpenPGP library (KUBECTL_VERIFY_SELF_CHECK=openpgp): imports
 * `openpgp` through the hooks above, as the plugin does, and verifies the detached signature read from stdin
 * as JSON { publicKey, signature, message }. Prints the file used and the signer; throws if it does not verify.
 */
async function selfCheckOpenpgp() {
  const pgp = await import('openpgp');
  const input = JSON.parse(readFileSync(0, 'utf8'));
  const verificationKeys = await pgp.readKey({ armoredKey: input.publicKey });
  const result = await pgp.verify({
    message: await pgp.createMessage({ text: input.message }),
    signature: await pgp.readSignature({ armoredSignature: input.signature }),
    verificationKeys,
    expectSigned: true,
  });
  const signer = result.signatures[0] ? result.signatures[0].keyID.toHex() : '?';
  process.stdout.write(`${pgp.config.versionString} from ${libraryFile('openpgp', process.execPath)}: signature by ${signer} verified\n`);
}

function start() {
  const h = hooks(process.execPath, sea.getAsset);
  registerHooks({ resolve: h.resolve, load: h.load });
  const fail = (what) => (e) => {
    process.stderr.write(`error: ${what}: ${e && e.message ? e.message : String(e)}\n`);
    process.exitCode = 3;
  };
  if (process.env.KUBECTL_VERIFY_SELF_CHECK === 'openpgp') {
    selfCheckOpenpgp().catch(fail('self-check openpgp'));
    return;
  }
  // Node 22 and 24 run import() from the embedded main (25.5 and later need vm's main-context loader).
  import(`${h.base}kubectl-verify.js`).catch(fail('kubectl-verify could not start'));
}

if (sea.isSea()) start();
// for test/unit/release: the hooks without an executable
else module.exports = { REPLACEABLE, hooks, libraryFile };
