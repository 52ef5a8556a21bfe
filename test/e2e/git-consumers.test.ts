import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Report } from '../../src/report/model.js';
import { startCluster, type RunningCluster } from '../lab/cluster.js';
import { makeGitKeys, type GitKeys } from '../lab/git-keys.js';
import { makeGitRepos, verifySecretYaml, type GitRepos } from '../lab/git-lab.js';
import { startGitServer, type GitServer } from '../lab/git-server.js';
import { runPlugin } from '../lab/plugin.js';

// Kustomizations that applied another commit than their GitRepository runs, with the real source- and
// kustomize-controller: each is suspended after it applied, then its repository moves on. One applied a
// commit the repository's keys verify (behind, verified content); the other applied an unsigned commit
// before spec.verify was set (its content was never verified, whatever the repository runs now).

const NS = 'git-consumers';

const gitRepository = (name: string, url: string, branch: string, verify: boolean): string =>
  [
    '---', 'apiVersion: source.toolkit.fluxcd.io/v1', 'kind: GitRepository', `metadata: {name: ${name}, namespace: ${NS}}`,
    'spec:', '  interval: 10m', '  timeout: 30s', `  url: ${url}`, `  ref: {branch: ${branch}}`, ...(verify ? ['  verify: {mode: HEAD, secretRef: {name: keys}}'] : []),
  ].join('\n');

const kustomization = (name: string, source: string): string =>
  [
    '---', 'apiVersion: kustomize.toolkit.fluxcd.io/v1', 'kind: Kustomization', `metadata: {name: ${name}, namespace: ${NS}}`,
    'spec:', '  interval: 10m', '  prune: true', '  path: ./', `  targetNamespace: ${NS}`, `  sourceRef: {kind: GitRepository, name: ${source}}`,
  ].join('\n');

async function waitFor(cluster: RunningCluster, what: string, resource: string, jsonpath: string, ok: (v: string) => boolean): Promise<void> {
  const deadline = Date.now() + 60_000;
  let last = '';
  while (Date.now() < deadline) {
    last = await cluster.kubectl(['get', '-n', NS, resource, '-o', `jsonpath=${jsonpath}`]).catch(() => '');
    if (ok(last)) return;
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`${what}: ${resource} ${jsonpath} is still ${JSON.stringify(last)} after 60 s`);
}

describe('consumers that applied another commit than their GitRepository runs, against the real controllers', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kv-git-consumers-'));
  let cluster: RunningCluster | undefined;
  let server: GitServer | undefined;
  let keys: GitKeys | undefined;
  let repos: GitRepos | undefined;
  const commits: Record<string, string> = {};

  before(async () => {
    const starting = startCluster().then(async (c) => {
      cluster = c;
      await c.startSourceController();
      await c.startConsumerControllers();
      return c;
    });
    starting.catch(() => undefined);
    keys = await makeGitKeys();
    repos = await makeGitRepos(dir, keys);
    server = await startGitServer({ root: repos.root });
    const c = await starting;
    const url = `${server.url}/lab.git`;
    const signer = keys.pgp.signer;
    commits['behind-1'] = await repos.commit('behind', 'applied, then left behind', signer);
    commits['unverified-1'] = await repos.commit('unverified', 'applied before spec.verify was set, unsigned');
    // a semver range in Tag mode: v2.0.0 now, v2.1.0 pushed later while the object is suspended
    const tag = async (name: string, branch: string): Promise<string> => {
      const commit = await repos?.commit(branch, `release ${name}`, signer) ?? '';
      await repos?.git([...(keys?.signArgs(signer) ?? []), 'tag', '-s', '-m', `release ${name}`, name, commit]);
      await repos?.git(['push', '-q', 'origin', `refs/tags/${name}`]);
      return commit;
    };
    commits['v2.0.0'] = await tag('v2.0.0', 'releases');
    const yaml = [
      `apiVersion: v1\nkind: Namespace\nmetadata: {name: ${NS}}`,
      verifySecretYaml(NS, 'keys', [signer]),
      gitRepository('behind', url, 'behind', true),
      gitRepository('unverified', url, 'unverified', false),
      [
        '---', 'apiVersion: source.toolkit.fluxcd.io/v1', 'kind: GitRepository', `metadata: {name: releases, namespace: ${NS}}`,
        'spec:', '  interval: 10m', '  timeout: 30s', `  url: ${url}`, "  ref: {semver: '>=2.0.0'}", '  verify: {mode: Tag, secretRef: {name: keys}}',
      ].join('\n'),
      kustomization('behind', 'behind'),
      kustomization('unverified', 'unverified'),
      '',
    ].join('\n');
    await c.kubectl(['apply', '-f', '-'], { input: yaml });
    for (const name of ['behind', 'unverified']) {
      await waitFor(c, `${name} applied`, `kustomization/${name}`, '{.status.lastAppliedRevision}', (v) => v === `${name}@sha1:${commits[`${name}-1`] ?? ''}`);
      await c.kubectl(['patch', '-n', NS, `kustomization/${name}`, '--type', 'merge', '-p', '{"spec":{"suspend":true}}']);
    }
    await waitFor(c, 'releases verified', 'gitrepository/releases', '{.status.artifact.revision}', (v) => v === `v2.0.0@sha1:${commits['v2.0.0'] ?? ''}`);
    await c.kubectl(['patch', '-n', NS, 'gitrepository/releases', '--type', 'merge', '-p', '{"spec":{"suspend":true}}']);
    commits['v2.1.0'] = await tag('v2.1.0', 'releases');
    // the repositories move on to a commit the signer signed; `unverified` gets spec.verify at the same time
    commits['behind-2'] = await repos.commit('behind', 'the next signed commit', signer);
    commits['unverified-2'] = await repos.commit('unverified', 'signed, after spec.verify was set', signer);
    await c.kubectl(['apply', '-f', '-'], { input: `${gitRepository('unverified', url, 'unverified', true)}\n` });
    for (const name of ['behind', 'unverified']) {
      await c.kubectl(['annotate', '--overwrite', '-n', NS, `gitrepository/${name}`, `reconcile.fluxcd.io/requestedAt=${Date.now()}`]);
      await waitFor(c, `${name} moved on`, `gitrepository/${name}`, '{.status.artifact.revision}', (v) => v === `${name}@sha1:${commits[`${name}-2`] ?? ''}`);
    }
  });

  after(async () => {
    await cluster?.stop();
    await server?.stop();
    await keys?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('in Tag mode, finds the tag object of the release Flux runs after a semver range moved on to a newer tag', async () => {
    assert.ok(cluster, 'the lab did not start (see the before hook)');
    const r = await runPlugin(['--kubeconfig', cluster.kubeconfig, '-n', NS, '-o', 'json']);
    const report = JSON.parse(r.stdout) as Report;
    const g = report.nodes.find((x) => x.id === `GitRepository/${NS}/releases`);
    assert.ok(g, 'the GitRepository is in the report');
    assert.equal(g.finding.state, 'verified', g.finding.message);
    assert.ok(g.finding.reasons.includes('drift'), g.finding.reasons.join(','));
    assert.equal(g.finding.drift?.registryDigest, `sha1:${commits['v2.1.0'] ?? ''}`);
    assert.equal(g.finding.drift?.nextReconcile, 'accepted');
    assert.equal(g.git?.remoteTag?.name, 'v2.1.0');
    const tagSig = g.signatures.find((s) => s.foundAt.via === 'git-tag');
    assert.equal(tagSig?.foundAt.tag, 'v2.0.0');
    assert.equal(tagSig?.verified, true);
  });

  it('verifies the commit each Kustomization applied with its repository\'s keys: behind, or applied-unverified', async () => {
    assert.ok(cluster, 'the lab did not start (see the before hook)');
    const r = await runPlugin(['--kubeconfig', cluster.kubeconfig, '-n', NS, '-o', 'json']);
    const report = JSON.parse(r.stdout) as Report;
    const node = (id: string) => {
      const n = report.nodes.find((x) => x.id === id);
      assert.ok(n, `no node ${id} in ${report.nodes.map((x) => x.id).join(', ')}`);
      return n;
    };
    for (const name of ['behind', 'unverified']) {
      const g = node(`GitRepository/${NS}/${name}`);
      assert.equal(g.finding.state, 'verified', `${name}: ${g.finding.message}`);
      assert.equal(g.git?.running?.commit, commits[`${name}-2`]);
    }
    const behind = node(`Kustomization/${NS}/behind`).finding;
    assert.equal(behind.state, 'verified', behind.message);
    assert.equal(behind.reasons[0], 'behind');
    assert.equal(behind.appliedRevision, `behind@sha1:${commits['behind-1'] ?? ''}`);
    assert.equal(behind.appliedIsVerified, true);
    assert.match(behind.message, /applied behind@sha1:[0-9a-f]{40}, commit [0-9a-f]{12} signed by Lab Signer/);
    assert.match(behind.next, /flux resume kustomization behind -n git-consumers/);
    const k = node(`Kustomization/${NS}/behind`);
    assert.equal(k.git?.running?.commit, commits['behind-1'], 'the consumer names the commit it applied');
    assert.ok(k.signatures.some((s) => s.mechanism === 'git-openpgp' && s.verified), 'the applied commit\'s signature');

    const unverified = node(`Kustomization/${NS}/unverified`).finding;
    assert.equal(unverified.state, 'failed', unverified.message);
    assert.equal(unverified.reasons[0], 'no-signature');
    assert.ok(unverified.reasons.includes('applied-unverified'), unverified.reasons.join(','));
    assert.equal(unverified.appliedIsVerified, false);
    assert.match(unverified.message, /applied unverified@sha1:[0-9a-f]{40}, which does not verify/);
    assert.equal(r.code, 1, 'a failing consumer is a finding');
  });
});
