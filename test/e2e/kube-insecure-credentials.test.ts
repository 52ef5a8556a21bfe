import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { runPlugin } from '../lab/plugin.js';
import type { RunResult } from '../lab/tools.js';

/**
 * Credentials only over TLS, as a user meets it: the real plugin (launcher, separate process) against
 * a real plain-HTTP listener on loopback that records every request it gets. With credentials the
 * plugin exits 3 with one line and the listener hears nothing; without, it talks to the listener.
 * Needs no lab tools.
 */

const TOKEN = 'e2e-token-MUST-NOT-LEAK-5d1e';
const PASSWORD = 'e2e-password-MUST-NOT-LEAK-0b9a';

interface Heard {
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
}

const GROUPS: Readonly<Record<string, { version: string; plurals: string[] }>> = {
  'source.toolkit.fluxcd.io': { version: 'v1', plurals: ['ocirepositories', 'helmrepositories', 'helmcharts', 'gitrepositories', 'buckets', 'externalartifacts'] },
  'helm.toolkit.fluxcd.io': { version: 'v2', plurals: ['helmreleases'] },
  'kustomize.toolkit.fluxcd.io': { version: 'v1', plurals: ['kustomizations'] },
};

/** a Flux installation with nothing in it: discovery answers, every list is empty */
function answer(path: string): { status: number; body: unknown } {
  for (const [group, { version, plurals }] of Object.entries(GROUPS)) {
    if (path === `/apis/${group}`) return { status: 200, body: { kind: 'APIGroup', name: group, versions: [{ groupVersion: `${group}/${version}`, version }], preferredVersion: { version } } };
    if (path === `/apis/${group}/${version}`) return { status: 200, body: { kind: 'APIResourceList', resources: plurals.map((name) => ({ name, namespaced: true, verbs: ['get', 'list'] })) } };
    if (path.startsWith(`/apis/${group}/${version}/`)) return { status: 200, body: { kind: 'List', apiVersion: 'v1', metadata: { resourceVersion: '1' }, items: [] } };
  }
  return { status: 404, body: { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404, message: 'not found' } };
}

describe('kubectl verify never sends credentials to an http:// API server', () => {
  let dir: string;
  let listener: Server;
  let server: string;
  let heard: Heard[];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kv-e2e-insecure-'));
    listener = createServer((req, res) => {
      heard.push({ path: new URL(req.url ?? '/', 'http://x').pathname, headers: req.headers });
      const a = answer(new URL(req.url ?? '/', 'http://x').pathname);
      res.writeHead(a.status, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(a.body));
    });
    await new Promise<void>((r) => listener.listen(0, '127.0.0.1', r));
    server = `http://127.0.0.1:${(listener.address() as AddressInfo).port}`;
    writeFileSync(join(dir, 'plugin.sh'), `#!/bin/sh\ntouch "${join(dir, 'plugin-ran')}"\necho '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"${TOKEN}"}}'\n`);
    chmodSync(join(dir, 'plugin.sh'), 0o755);
  });

  after(() => {
    listener.closeAllConnections();
    listener.close();
    rmSync(dir, { recursive: true, force: true });
  });

  beforeEach(() => {
    heard = [];
  });

  function kubeconfig(name: string, user: string): string {
    const p = join(dir, `${name}.kubeconfig`);
    writeFileSync(
      p,
      `apiVersion: v1
kind: Config
current-context: plain
clusters: [{name: plain, cluster: {server: "${server}"}}]
users: [{name: ${name}, user: ${user}}]
contexts: [{name: plain, context: {cluster: plain, user: ${name}, namespace: apps}}]
`,
    );
    return p;
  }

  function plugin(args: readonly string[]): Promise<RunResult> {
    // never the machine's own kubeconfig or home
    return runPlugin(['-o', 'json', ...args], { HOME: dir, KUBECONFIG: join(dir, 'none.kubeconfig') });
  }

  function assertRefused(r: RunResult, names: RegExp): void {
    assert.equal(r.code, 3, `exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
    assert.equal(r.stdout, '');
    const lines = r.stderr.split('\n').filter((l) => l !== '');
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0] ?? '', new RegExp(`^error: refusing to send credentials to ${server.replace(/[.]/g, '\\.')} over plain HTTP: `));
    assert.match(lines[0] ?? '', names);
    assert.match(lines[0] ?? '', /use an https:\/\/ server, or /);
    for (const secret of [TOKEN, PASSWORD]) {
      assert.ok(!r.stdout.includes(secret) && !r.stderr.includes(secret), 'a credential value was printed');
    }
    assert.ok(heard.every((h) => h.headers['authorization'] === undefined), 'an Authorization header reached the listener');
    assert.deepEqual(heard.map((h) => h.path), [], 'the listener was contacted at all');
  }

  it('a bearer token in the kubeconfig: exit 3, nothing sent', async () => {
    assertRefused(await plugin(['--kubeconfig', kubeconfig('token-user', `{token: ${TOKEN}}`)]), /user "token-user" has a bearer token; .*remove them from user "token-user"/);
  });

  it('basic auth in the kubeconfig: exit 3, nothing sent', async () => {
    assertRefused(await plugin(['--kubeconfig', kubeconfig('basic-user', `{username: admin, password: ${PASSWORD}}`)]), /user "basic-user" has basic auth/);
  });

  it('--token on the command line: exit 3, nothing sent', async () => {
    assertRefused(await plugin(['--server', server, '--token', TOKEN]), /--token gives a bearer token; .*drop --token/);
    assertRefused(await plugin(['--kubeconfig', kubeconfig('anon-for-flag', '{}'), '--token', TOKEN]), /drop --token/);
  });

  it('an exec credential plugin: exit 3, and the plugin never runs', async () => {
    const p = kubeconfig('exec-user', `{exec: {apiVersion: client.authentication.k8s.io/v1, command: ./plugin.sh, interactiveMode: Never}}`);
    assertRefused(await plugin(['--kubeconfig', p]), /an exec credential plugin/);
    assert.equal(existsSync(join(dir, 'plugin-ran')), false);
  });

  it('with nothing to leak it talks to the plain-HTTP server and runs the audit', async () => {
    const r = await plugin(['--kubeconfig', kubeconfig('anonymous', '{}')]);
    assert.equal(r.code, 0, `exit ${r.code}\nstderr: ${r.stderr}`);
    assert.ok(heard.some((h) => h.path === '/apis/source.toolkit.fluxcd.io'), 'discovery reached the listener');
    assert.ok(heard.some((h) => h.path === '/apis/source.toolkit.fluxcd.io/v1/namespaces/apps/ocirepositories'), 'the lists reached the listener');
    assert.ok(heard.every((h) => h.headers['authorization'] === undefined));
    const report = JSON.parse(r.stdout) as { nodes: unknown[]; problems: unknown[] };
    assert.deepEqual(report.nodes, []);
    assert.deepEqual(report.problems, []);
    assert.match(r.stderr, /no Flux objects found in namespace apps/);
  });
});
