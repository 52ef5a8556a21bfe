/* global require, process, URL */
/* eslint-disable @typescript-eslint/no-require-imports -- an embedded main is CommonJS: require() is how it imports */
'use strict';
// The main script of the single executable. Node runs an embedded main only as CommonJS, while the plugin
// is an ES module bundle (ink's layout engine needs top-level await), split into an entry and chunks that
// are embedded as assets. Module hooks hand those assets to Node's own ES module loader under file: URLs
// beside the executable (…/kubectl-verify.sea/…), so import(), import.meta.url and createRequire work as
// they do from disk, and nothing is unpacked or written anywhere.
const { getAsset } = require('node:sea');
const { registerHooks } = require('node:module');
const { pathToFileURL } = require('node:url');

const base = pathToFileURL(`${process.execPath}.sea/`).href;
const ours = (url) => url.startsWith(base);

registerHooks({
  resolve(specifier, context, nextResolve) {
    if (ours(specifier)) return { url: specifier, format: 'module', shortCircuit: true };
    if (context.parentURL && ours(context.parentURL) && (specifier.startsWith('./') || specifier.startsWith('../'))) {
      return { url: new URL(specifier, context.parentURL).href, format: 'module', shortCircuit: true };
    }
    return nextResolve(specifier, context);
  },
  load(url, context, nextLoad) {
    if (!ours(url)) return nextLoad(url, context);
    return { format: 'module', source: getAsset(decodeURIComponent(url.slice(base.length)), 'utf8'), shortCircuit: true };
  },
});

// Node 22 and 24 run import() from the embedded main (25.5 and later need vm's main-context loader).
import(`${base}kubectl-verify.js`).catch((e) => {
  process.stderr.write(`error: kubectl-verify could not start: ${e && e.message ? e.message : String(e)}\n`);
  process.exitCode = 3;
});
