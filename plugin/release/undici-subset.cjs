/* global require, module */
/* eslint-disable @typescript-eslint/no-require-imports -- CommonJS, as undici is: require() is how it imports */
'use strict';

// What the bundle gives our own code (dist/src/) for `import … from 'undici'`: the exports src/ uses, taken
// from undici's own lib/ files, without the rest of its index. undici's index requires all of
// its ~113 modules (mock agents, caches, fetch, WebSocket, EventSource, the SQLite cache store …) and a
// bundle runs every one of those module bodies on import; this takes what the agents and `request` need.
// Other packages' imports of undici (@kubernetes/client-node) still get the whole package.
//
// The types are undici's own (src/ imports 'undici'); test/unit/startup.test.ts checks that every value
// src/ imports from undici is exported here. Check it when undici is upgraded: its lib/ layout is not a public API.

const Dispatcher = require('undici/lib/dispatcher/dispatcher');
const Agent = require('undici/lib/dispatcher/agent');
const ProxyAgent = require('undici/lib/dispatcher/proxy-agent');
const EnvHttpProxyAgent = require('undici/lib/dispatcher/env-http-proxy-agent');
const errors = require('undici/lib/core/errors');
const util = require('undici/lib/core/util');
const api = require('undici/lib/api');

// every dispatcher gets request() and the other calls (ProxyAgent's tunnel calls its client's connect()),
// which undici's index attaches to the prototype when it is loaded
Object.assign(Dispatcher.prototype, api);

/**
 * The one top-level call src/ makes, `request(url, { dispatcher, ...options })`, written for what src/
 * passes: an absolute URL string and always its own dispatcher (never the global one, so a missing
 * dispatcher is a bug to surface, not a default to fall back to). It splits the URL into the origin and
 * path a dispatcher takes, as undici's own top-level request() does, and returns its promise.
 */
function request(url, opts) {
  if (typeof url !== 'string') throw new errors.InvalidArgumentError('request(): the URL must be a string here');
  if (!opts || !opts.dispatcher) throw new errors.InvalidArgumentError('request(): a dispatcher is required here');
  const { dispatcher, ...rest } = opts;
  const u = util.parseURL(url);
  return api.request.call(dispatcher, { ...rest, origin: u.origin, path: `${u.pathname}${u.search}`, method: rest.method || 'GET' });
}

module.exports.Dispatcher = Dispatcher;
module.exports.Agent = Agent;
module.exports.ProxyAgent = ProxyAgent;
module.exports.EnvHttpProxyAgent = EnvHttpProxyAgent;
module.exports.errors = errors;
module.exports.request = request;
