import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { KubeError } from '../../../src/kube/errors.js';
import { loadKubeConfig, type KubeEnvironment, type KubeFlags } from '../../../src/kube/kubeconfig.js';

let dir: string;
let home: string;
let emptyHome: string;
let saDir: string;

function write(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

function env(vars: Record<string, string | undefined> = {}, h = emptyHome): KubeEnvironment {
  // never the real home, service account or KUBECONFIG of the machine running the tests
  return { env: vars, home: h, serviceAccountDir: join(dir, 'no-sa'), cwd: dir };
}

function throwsCode(fn: () => unknown, code: string, message?: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof KubeError, `expected a KubeError, got ${String(e)}`);
    assert.equal(e.code, code);
    if (message) assert.match(e.message, message);
    return true;
  });
}

const one = `apiVersion: v1
kind: Config
current-context: dev
clusters:
- name: dev-cluster
  cluster: {server: "https://dev.example:6443/", certificate-authority: ca/dev.crt}
- name: shared
  cluster: {server: "https://shared-from-one:6443"}
users:
- name: dev-user
  user: {token: dev-token, as: someone, as-groups: [g1, g2]}
- name: cert-user
  user: {client-certificate: certs/u.crt, client-key: certs/u.key}
contexts:
- name: dev
  context: {cluster: dev-cluster, user: dev-user, namespace: team-dev}
- name: nons
  context: {cluster: dev-cluster, user: cert-user}
`;

const two = `apiVersion: v1
kind: Config
current-context: prod
clusters:
- name: prod-cluster
  cluster: {server: "https://prod.example:6443", insecure-skip-tls-verify: true}
- name: shared
  cluster: {server: "https://shared-from-two:6443"}
users:
- name: prod-user
  user:
    exec: {apiVersion: client.authentication.k8s.io/v1, command: ./bin/cred, args: [x]}
- name: file-user
  user: {tokenFile: tok}
contexts:
- name: prod
  context: {cluster: prod-cluster, user: prod-user, namespace: team-prod}
- name: dev
  context: {cluster: prod-cluster, user: prod-user, namespace: shadowed}
- name: shared
  context: {cluster: shared, user: file-user}
`;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'kv-kubeconfig-'));
  home = join(dir, 'home');
  emptyHome = join(dir, 'empty-home');
  mkdirSync(join(home, '.kube'), { recursive: true });
  mkdirSync(emptyHome);
  write('one.yaml', one);
  write('two.yaml', two);
  write('tok', 'file-token\n');
  writeFileSync(join(home, '.kube', 'config'), one.replace('current-context: dev', 'current-context: nons'));
  saDir = join(dir, 'sa');
  mkdirSync(saDir);
  writeFileSync(join(saDir, 'token'), 'sa-token\n');
  writeFileSync(join(saDir, 'ca.crt'), 'not really a cert');
  writeFileSync(join(saDir, 'namespace'), 'pod-ns');
});

after(() => rmSync(dir, { recursive: true, force: true }));

describe('kubeconfig: where it comes from', () => {
  it('no kubeconfig and no in-cluster config: kube.no-config, never localhost:8080', () => {
    throwsCode(() => loadKubeConfig({}, env()), 'kube.no-config', /not falling back to http:\/\/localhost:8080/);
    throwsCode(() => loadKubeConfig({}, env({ KUBECONFIG: join(dir, 'missing.yaml') })), 'kube.no-config');
  });

  it('an empty kubeconfig file is no config either', () => {
    const empty = write('empty.yaml', '');
    throwsCode(() => loadKubeConfig({ kubeconfig: empty }, env()), 'kube.no-config');
  });

  it('--kubeconfig that does not exist is an error, not a fallback', () => {
    throwsCode(() => loadKubeConfig({ kubeconfig: 'nope.yaml' }, env({ KUBECONFIG: join(dir, 'one.yaml') })), 'kube.no-config', /nope\.yaml/);
  });

  it('~/.kube/config when KUBECONFIG is unset', () => {
    const r = loadKubeConfig({}, env({}, home));
    assert.equal(r.context, 'nons');
    assert.deepEqual(r.loadedFrom, [join(home, '.kube', 'config')]);
  });

  it('KUBECONFIG files are merged in order: the first to name something wins, missing files are skipped', () => {
    const list = [join(dir, 'missing.yaml'), join(dir, 'one.yaml'), join(dir, 'two.yaml')].join(delimiter);
    const r = loadKubeConfig({}, env({ KUBECONFIG: list }, home));
    // current-context from the first file that sets one
    assert.equal(r.context, 'dev');
    // context `dev` from one.yaml, not two.yaml's shadow
    assert.equal(r.namespace, 'team-dev');
    assert.equal(r.server, 'https://dev.example:6443');
    assert.deepEqual(r.loadedFrom, [join(dir, 'one.yaml'), join(dir, 'two.yaml')]);
    // a context only in the second file, whose cluster name is in both: the first file's cluster
    const shared = loadKubeConfig({ context: 'shared' }, env({ KUBECONFIG: list }));
    assert.equal(shared.server, 'https://shared-from-one:6443');
    // the tokenFile of the second file is relative to that file
    assert.equal(shared.kubeConfig.getCurrentUser()?.token, 'file-token');
  });

  it('--kubeconfig replaces KUBECONFIG', () => {
    const r = loadKubeConfig({ kubeconfig: 'two.yaml' }, env({ KUBECONFIG: join(dir, 'one.yaml') }));
    assert.equal(r.context, 'prod');
    assert.equal(r.server, 'https://prod.example:6443');
  });

  it('in-cluster when nothing else is configured', () => {
    const e: KubeEnvironment = { env: { KUBERNETES_SERVICE_HOST: '10.0.0.1', KUBERNETES_SERVICE_PORT: '443' }, home: emptyHome, serviceAccountDir: saDir, cwd: dir };
    const r = loadKubeConfig({}, e);
    assert.equal(r.server, 'https://10.0.0.1:443');
    assert.equal(r.namespace, 'pod-ns');
    assert.equal(r.namespaceFrom, 'in-cluster');
    assert.deepEqual(r.loadedFrom, ['in-cluster']);
    assert.equal(r.kubeConfig.getCurrentUser()?.token, 'sa-token');
    assert.equal(r.kubeConfig.getCurrentCluster()?.caFile, join(saDir, 'ca.crt'));
    const v6 = loadKubeConfig({ namespace: 'x' }, { ...e, env: { KUBERNETES_SERVICE_HOST: 'fd00::1', KUBERNETES_SERVICE_PORT: '443' } });
    assert.equal(v6.server, 'https://[fd00::1]:443');
    assert.equal(v6.namespace, 'x');
  });

  it('--server alone is enough, as for kubectl', () => {
    const r = loadKubeConfig({ server: 'https://api.example:6443', token: 't' }, env());
    assert.equal(r.server, 'https://api.example:6443');
    assert.equal(r.namespace, 'default');
    assert.deepEqual(r.loadedFrom, ['flags']);
    assert.equal(r.kubeConfig.getCurrentUser()?.token, 't');
  });

  it('a kubeconfig that is not YAML names the line but never quotes it', () => {
    const bad = write('bad.yaml', 'users:\n- name: u\n  user: {token: "s3cr3t-token-value}\n');
    assert.throws(
      () => loadKubeConfig({ kubeconfig: bad }, env()),
      (e: unknown) => e instanceof KubeError && e.code === 'kube.invalid-config' && /line \d+/.test(e.message) && !e.message.includes('s3cr3t'),
    );
  });
});

describe('kubeconfig: context, overrides, namespace', () => {
  const kc = (flags: KubeFlags) => loadKubeConfig({ kubeconfig: 'one.yaml', ...flags }, env());

  it('--context selects; an unknown one is an error', () => {
    const r = kc({ context: 'nons' });
    assert.equal(r.context, 'nons');
    assert.equal(r.user, 'cert-user');
    assert.equal(r.kubeConfig.getCurrentUser()?.certFile, join(dir, 'certs/u.crt'));
    assert.equal(r.kubeConfig.getCurrentUser()?.keyFile, join(dir, 'certs/u.key'));
    throwsCode(() => kc({ context: 'nope' }), 'kube.context-not-found', /"nope"/);
  });

  it('relative CA paths are relative to the kubeconfig file', () => {
    assert.equal(kc({}).kubeConfig.getCurrentCluster()?.caFile, join(dir, 'ca/dev.crt'));
  });

  it('namespace: flag, then context, then default', () => {
    assert.deepEqual([kc({ namespace: 'cli' }).namespace, kc({ namespace: 'cli' }).namespaceFrom], ['cli', 'flag']);
    assert.deepEqual([kc({}).namespace, kc({}).namespaceFrom], ['team-dev', 'context']);
    assert.deepEqual([kc({ context: 'nons' }).namespace, kc({ context: 'nons' }).namespaceFrom], ['default', 'default']);
  });

  it('scope: -A drops the namespace; -l is kept', () => {
    assert.deepEqual(kc({}).scope, { namespace: 'team-dev' });
    assert.deepEqual(kc({ allNamespaces: true, selector: 'app=x' }).scope, { labelSelector: 'app=x' });
    throwsCode(() => kc({ selector: 'a in (b' }), 'kube.invalid-selector');
  });

  it('--cluster and --user replace the context\'s; unknown ones are errors', () => {
    const r = loadKubeConfig({ kubeconfig: 'two.yaml', context: 'prod', cluster: 'shared', user: 'file-user' }, env());
    assert.equal(r.server, 'https://shared-from-two:6443');
    assert.equal(r.user, 'file-user');
    assert.equal(r.namespace, 'team-prod');
    throwsCode(() => kc({ cluster: 'nope' }), 'kube.cluster-not-found');
    throwsCode(() => kc({ user: 'nope' }), 'kube.user-not-found');
  });

  it('--server, --certificate-authority, --insecure-skip-tls-verify', () => {
    const s = kc({ server: 'https://other:443' });
    assert.equal(s.server, 'https://other:443');
    assert.equal(s.kubeConfig.getCurrentCluster()?.caFile, join(dir, 'ca/dev.crt'));
    const ca = kc({ certificateAuthority: '/etc/ca.pem' });
    assert.equal(ca.kubeConfig.getCurrentCluster()?.caFile, '/etc/ca.pem');
    const insecure = kc({ insecureSkipTlsVerify: true });
    assert.equal(insecure.kubeConfig.getCurrentCluster()?.skipTLSVerify, true);
    // kubectl drops the kubeconfig's CA when verification is skipped
    assert.equal(insecure.kubeConfig.getCurrentCluster()?.caFile, undefined);
    throwsCode(() => kc({ insecureSkipTlsVerify: true, certificateAuthority: '/etc/ca.pem' }), 'kube.invalid-flag');
    const fromFile = loadKubeConfig({ kubeconfig: 'two.yaml' }, env());
    assert.equal(fromFile.kubeConfig.getCurrentCluster()?.skipTLSVerify, true);
  });

  it('--token wins over the kubeconfig token and over exec plugins', () => {
    assert.equal(kc({ token: 'flag-token' }).kubeConfig.getCurrentUser()?.token, 'flag-token');
    const prod = loadKubeConfig({ kubeconfig: 'two.yaml' }, env());
    // exec commands with a path are relative to the kubeconfig
    assert.equal((prod.kubeConfig.getCurrentUser()?.exec as { command: string }).command, join(dir, 'bin/cred'));
    const withToken = loadKubeConfig({ kubeconfig: 'two.yaml', token: 't' }, env());
    assert.equal(withToken.kubeConfig.getCurrentUser()?.exec, undefined);
    assert.equal(withToken.kubeConfig.getCurrentUser()?.token, 't');
  });

  it('impersonation: kubeconfig as/as-groups, replaced by --as/--as-group; groups need a user', () => {
    assert.deepEqual(kc({}).impersonate, { user: 'someone', groups: ['g1', 'g2'] });
    assert.deepEqual(kc({ as: 'other', asGroups: ['x'] }).impersonate, { user: 'other', groups: ['x'] });
    assert.equal(kc({ context: 'nons' }).impersonate, undefined);
    throwsCode(() => kc({ context: 'nons', asGroups: ['x'] }), 'kube.invalid-flag');
  });

  it('--request-timeout', () => {
    assert.equal(kc({ requestTimeout: '5s' }).requestTimeoutMs, 5000);
    assert.equal(kc({ requestTimeout: '0' }).requestTimeoutMs, undefined);
    throwsCode(() => kc({ requestTimeout: 'soon' }), 'kube.invalid-flag');
  });

  it('the KubeConfig holds only the resolved context', () => {
    const r = kc({});
    assert.equal(r.kubeConfig.getContexts().length, 1);
    assert.equal(r.kubeConfig.getClusters().length, 1);
    assert.equal(r.kubeConfig.getUsers().length, 1);
    assert.equal(r.kubeConfig.getCurrentContext(), 'dev');
  });

  it('a current-context naming a missing context is an error', () => {
    const p = write('dangling.yaml', 'current-context: gone\nclusters: [{name: c, cluster: {server: "https://x"}}]\n');
    throwsCode(() => loadKubeConfig({ kubeconfig: p }, env()), 'kube.context-not-found', /current-context/);
  });

  it('a cluster without a server is an error', () => {
    const p = write('noserver.yaml', 'current-context: c\nclusters: [{name: c, cluster: {}}]\nusers: [{name: u, user: {}}]\ncontexts: [{name: c, context: {cluster: c, user: u}}]\n');
    throwsCode(() => loadKubeConfig({ kubeconfig: p }, env()), 'kube.invalid-config', /no server/);
  });
});
