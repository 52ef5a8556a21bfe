import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { KubeConfig } from '@kubernetes/client-node';
import { createClusterSource } from '../../../src/kube/cluster.js';
import { KubeError } from '../../../src/kube/errors.js';
import { createKubeHttp } from '../../../src/kube/http.js';
import { loadKubeConfig, type KubeEnvironment, type KubeFlags, type ResolvedKubeConfig } from '../../../src/kube/kubeconfig.js';

/**
 * Credentials only over TLS: kubectl never sends a user's credentials to an http:// API server (it
 * drops them and runs anonymously); we refuse before anything is read, started or sent. The real
 * plugin against a real listener is test/e2e/kube-insecure-credentials.test.ts.
 */

const TOKEN = 'tok-SHOULD-NEVER-LEAK-7f3a';
const PASSWORD = 'pw-SHOULD-NEVER-LEAK-91c2';
const SECRETS = [TOKEN, PASSWORD];

let dir: string;
let server: Server;
let base: string;
let seen: IncomingHttpHeaders[];

function env(vars: Record<string, string | undefined> = {}, saDir = join(dir, 'no-sa')): KubeEnvironment {
  return { env: vars, home: join(dir, 'home'), serviceAccountDir: saDir, cwd: dir };
}

/** a kubeconfig with one context naming `server` and a user with `user` (flow YAML) */
function kubeconfig(name: string, serverUrl: string, user: string): string {
  const p = join(dir, `${name}.kubeconfig`);
  writeFileSync(
    p,
    `apiVersion: v1
kind: Config
current-context: c
clusters: [{name: plain, cluster: {server: "${serverUrl}"}}]
users: [{name: u, user: ${user}}]
contexts: [{name: c, context: {cluster: plain, user: u, namespace: apps}}]
`,
  );
  return p;
}

function refused(fn: () => unknown, ...mustName: (string | RegExp)[]): KubeError {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof KubeError, `expected kube.insecure-credentials, got ${String(caught)}`);
  assert.equal(caught.code, 'kube.insecure-credentials');
  assert.doesNotMatch(caught.message, /\n/);
  assert.match(caught.message, /use an https:\/\/ server/);
  for (const s of SECRETS) assert.ok(!caught.message.includes(s), `a credential value is in the message: ${caught.message}`);
  for (const n of mustName) {
    if (typeof n === 'string') assert.ok(caught.message.includes(n), `"${n}" not in: ${caught.message}`);
    else assert.match(caught.message, n);
  }
  return caught;
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'kv-insecure-'));
  mkdirSync(join(dir, 'home'));
  writeFileSync(join(dir, 'marker-plugin.sh'), `#!/bin/sh\ntouch "${join(dir, 'plugin-ran')}"\necho '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"${TOKEN}"}}'\n`);
  chmodSync(join(dir, 'marker-plugin.sh'), 0o755);
  // every list is empty and discovery finds nothing: the audit reaches the server and has nothing to say
  server = createServer((req, res) => {
    seen.push(req.headers);
    res.writeHead(404, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404, message: 'not found' }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(() => {
  server.closeAllConnections();
  server.close();
  rmSync(dir, { recursive: true, force: true });
});

beforeEach(() => {
  seen = [];
});

describe('credentials over http:// are refused, before anything is read or run', () => {
  it('a bearer token in the kubeconfig', () => {
    const p = kubeconfig('token', base, `{token: ${TOKEN}}`);
    refused(() => loadKubeConfig({ kubeconfig: p }, env()), base, 'user "u" has a bearer token', 'remove them from user "u"');
  });

  it('a token file: not even read', () => {
    const p = kubeconfig('tokenfile', base, '{tokenFile: does-not-exist}');
    // reading it would fail with kube.invalid-config; the refusal comes first
    refused(() => loadKubeConfig({ kubeconfig: p }, env()), 'a bearer token file');
  });

  it('basic auth, and a password without a user name', () => {
    refused(() => loadKubeConfig({ kubeconfig: kubeconfig('basic', base, `{username: admin, password: ${PASSWORD}}`) }, env()), 'user "u" has basic auth');
    refused(() => loadKubeConfig({ kubeconfig: kubeconfig('pw', base, `{password: ${PASSWORD}}`) }, env()), 'basic auth');
  });

  it('an exec credential plugin: never started', () => {
    const p = kubeconfig('exec', base, '{exec: {apiVersion: client.authentication.k8s.io/v1, command: ./marker-plugin.sh, interactiveMode: Never}}');
    refused(() => loadKubeConfig({ kubeconfig: p }, env()), 'an exec credential plugin');
    assert.equal(existsSync(join(dir, 'plugin-ran')), false);
  });

  it('an auth provider, named by its provider', () => {
    const p = kubeconfig('provider', base, `{auth-provider: {name: oidc, config: {id-token: ${TOKEN}, client-id: x}}}`);
    refused(() => loadKubeConfig({ kubeconfig: p }, env()), 'an auth provider (oidc)');
  });

  it('a client certificate (kubectl drops it over http:// too)', () => {
    refused(() => loadKubeConfig({ kubeconfig: kubeconfig('cert', base, '{client-certificate: u.crt, client-key: u.key}') }, env()), 'a client certificate');
    refused(() => loadKubeConfig({ kubeconfig: kubeconfig('certdata', base, '{client-certificate-data: Zm9v, client-key-data: YmFy}') }, env()), 'a client certificate');
  });

  it('every kind the user has is named, none of their values', () => {
    const p = kubeconfig('many', base, `{token: ${TOKEN}, username: admin, password: ${PASSWORD}, client-certificate-data: Zm9v}`);
    refused(() => loadKubeConfig({ kubeconfig: p }, env()), 'a bearer token, basic auth, a client certificate');
  });

  it('--server http://… overriding an https:// kubeconfig whose user has a token', () => {
    const p = kubeconfig('override', 'https://api.example:6443', `{token: ${TOKEN}}`);
    assert.equal(loadKubeConfig({ kubeconfig: p }, env()).server, 'https://api.example:6443');
    refused(() => loadKubeConfig({ kubeconfig: p, server: base }, env()), base, 'user "u"');
  });

  it('--token with --server http://…, with and without a kubeconfig', () => {
    refused(() => loadKubeConfig({ server: base, token: TOKEN }, env()), base, '--token gives a bearer token', 'drop --token');
    const anon = kubeconfig('anon', base, '{}');
    refused(() => loadKubeConfig({ kubeconfig: anon, token: TOKEN }, env()), '--token gives a bearer token', 'drop --token');
    // --user naming a user that does not exist is allowed with --token, as in kubectl; still refused
    refused(() => loadKubeConfig({ kubeconfig: anon, user: 'ghost', token: TOKEN }, env()), 'drop --token');
  });

  it('a user name and password in the server URL; the message shows the URL without them', () => {
    const withUserinfo = base.replace('http://', `http://admin:${PASSWORD}@`);
    const e = refused(() => loadKubeConfig({ server: withUserinfo }, env()), base, 'the server URL has a user name and password');
    assert.ok(!e.message.includes('admin:'));
  });

  it('in a pod: --server http://… never takes the ServiceAccount token along', () => {
    const saDir = join(dir, 'sa');
    mkdirSync(saDir, { recursive: true });
    writeFileSync(join(saDir, 'token'), `${TOKEN}\n`);
    const inPod = env({ KUBERNETES_SERVICE_HOST: '10.0.0.1', KUBERNETES_SERVICE_PORT: '443' }, saDir);
    assert.equal(loadKubeConfig({}, inPod).server, 'https://10.0.0.1:443');
    refused(() => loadKubeConfig({ server: base }, inPod), 'the in-cluster ServiceAccount has a bearer token file');
  });

  it('https:// is unaffected, for every kind of credential', () => {
    for (const [name, user] of [
      ['t', `{token: ${TOKEN}}`],
      ['b', `{username: admin, password: ${PASSWORD}}`],
      ['e', '{exec: {apiVersion: client.authentication.k8s.io/v1, command: ./marker-plugin.sh}}'],
      ['c', '{client-certificate-data: Zm9v, client-key-data: YmFy}'],
    ] as const) {
      const r = loadKubeConfig({ kubeconfig: kubeconfig(`https-${name}`, 'https://api.example:6443', user) }, env());
      assert.equal(r.server, 'https://api.example:6443');
    }
    assert.equal(loadKubeConfig({ server: 'https://api.example:6443', token: TOKEN }, env()).server, 'https://api.example:6443');
  });
});

describe('http:// without credentials works anonymously', () => {
  it('reaches the server, sends no Authorization header, and still sends impersonation as kubectl does', async () => {
    const flags: KubeFlags = { kubeconfig: kubeconfig('nocreds', base, '{}'), as: 'alice' };
    const { objects, problems } = await createClusterSource(loadKubeConfig(flags, env())).list({ namespace: 'apps' });
    assert.equal(objects.length, 0);
    assert.ok(problems.length > 0, 'the 404s are reported as problems');
    assert.ok(seen.length > 0, 'the plain-HTTP server was reached');
    assert.ok(seen.every((h) => h['authorization'] === undefined));
    assert.ok(seen.every((h) => h['impersonate-user'] === 'alice'));
  });

  it('--server http://… alone', async () => {
    await createClusterSource(loadKubeConfig({ server: base }, env())).list({ namespace: 'apps' });
    assert.ok(seen.length > 0);
    assert.ok(seen.every((h) => h['authorization'] === undefined));
  });
});

describe('the HTTP client checks again', () => {
  it('a resolved config built without loadKubeConfig is refused when the client is made, before any request', () => {
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: 'c', server: base, skipTLSVerify: true }],
      users: [{ name: 'u', token: TOKEN }],
      contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
      currentContext: 'x',
    });
    const resolved: ResolvedKubeConfig = { kubeConfig: kc, cluster: 'c', user: 'u', server: base, namespace: 'apps', namespaceFrom: 'default', scope: {}, loadedFrom: ['flags'] };
    refused(() => createKubeHttp(resolved), base, 'user "u" has a bearer token');
    refused(() => createClusterSource(resolved), base);
    assert.equal(seen.length, 0);
  });
});

describe('a user name and password in an https:// server URL', () => {
  it('is refused with the URL shown without them', () => {
    const password = 'url-password-7c1e';
    let message = '';
    try {
      loadKubeConfig({ server: `https://admin:${password}@127.0.0.1:6443`, token: 'x' }, env());
    } catch (e) {
      message = (e as Error).message;
    }
    assert.match(message, /server https:\/\/\*\*\*@127\.0\.0\.1:6443 of cluster .* carries a user name and password in its URL/);
    assert.ok(!message.includes(password));
  });
});
