/* global require, module, URL */
/* eslint-disable @typescript-eslint/no-require-imports -- CommonJS, as undici is: require() is how it imports */
'use strict';

// What the bundle gives our own code (dist/src/) for `import … from 'undici'`: the exports src/ uses, built
// exactly as undici's index.js builds them, without the rest of its index. undici's index requires all of
// its ~113 modules (mock agents, caches, fetch, WebSocket, EventSource, the SQLite cache store …) and a
// bundle runs every one of those module bodies on import; this takes what the agents and `request` need.
// Other packages' imports of undici (@kubernetes/client-node) still get the whole package.
//
// The types are undici's own (src/ imports 'undici'); test/unit/startup.test.ts checks that every value
// src/ imports from undici is exported here. Keep this file in step with node_modules/undici/index.js.

const Dispatcher = require('undici/lib/dispatcher/dispatcher');
const Agent = require('undici/lib/dispatcher/agent');
const ProxyAgent = require('undici/lib/dispatcher/proxy-agent');
const EnvHttpProxyAgent = require('undici/lib/dispatcher/env-http-proxy-agent');
const errors = require('undici/lib/core/errors');
const util = require('undici/lib/core/util');
const api = require('undici/lib/api');
const { getGlobalDispatcher, setGlobalDispatcher } = require('undici/lib/global');

const { InvalidArgumentError } = errors;

// as index.js does: every dispatcher gets request/stream/pipeline/upgrade/connect (ProxyAgent's tunnel
// calls its client's connect())
Object.assign(Dispatcher.prototype, api);

// index.js's makeDispatcher, verbatim: the top-level request(url, { dispatcher, … })
function makeDispatcher(fn) {
  return (url, opts, handler) => {
    if (typeof opts === 'function') {
      handler = opts;
      opts = null;
    }

    if (!url || (typeof url !== 'string' && typeof url !== 'object' && !(url instanceof URL))) {
      throw new InvalidArgumentError('invalid url');
    }

    if (opts != null && typeof opts !== 'object') {
      throw new InvalidArgumentError('invalid opts');
    }

    if (opts && opts.path != null) {
      if (typeof opts.path !== 'string') {
        throw new InvalidArgumentError('invalid opts.path');
      }

      let path = opts.path;
      if (!opts.path.startsWith('/')) {
        path = `/${path}`;
      }

      url = new URL(util.parseOrigin(url).origin + path);
    } else {
      if (!opts) {
        opts = typeof url === 'object' ? url : {};
      }

      url = util.parseURL(url);
    }

    const { agent, dispatcher = getGlobalDispatcher(), ...restOpts } = opts;

    if (agent) {
      throw new InvalidArgumentError('unsupported opts.agent. Did you mean opts.client?');
    }

    return fn.call(
      dispatcher,
      {
        ...restOpts,
        origin: url.origin,
        path: url.search ? `${url.pathname}${url.search}` : url.pathname,
        method: opts.method || (opts.body ? 'PUT' : 'GET'),
      },
      handler,
    );
  };
}

module.exports.Dispatcher = Dispatcher;
module.exports.Agent = Agent;
module.exports.ProxyAgent = ProxyAgent;
module.exports.EnvHttpProxyAgent = EnvHttpProxyAgent;
module.exports.errors = errors;
module.exports.setGlobalDispatcher = setGlobalDispatcher;
module.exports.getGlobalDispatcher = getGlobalDispatcher;
module.exports.request = makeDispatcher(api.request);
module.exports.stream = makeDispatcher(api.stream);
module.exports.pipeline = makeDispatcher(api.pipeline);
module.exports.connect = makeDispatcher(api.connect);
module.exports.upgrade = makeDispatcher(api.upgrade);
