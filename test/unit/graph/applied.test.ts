// Consumers that applied another digest than their source runs get a verification plan of their own.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildGraph } from '../../../src/graph/index.js';
import type { Graph, GraphNode, VerifyPlan } from '../../../src/graph/index.js';
import { appliedPlan, appliedRevisionOf, ociRepositoryPlan } from '../../../src/graph/plan.js';
import { cosignKey, D1, D2, D3, helmChart, helmRelease, helmRepo, kustomization, ociRepo, gitRepo, ref } from './factories.js';

function node(g: Graph, id: string): GraphNode {
  const n = g.nodes.find((x) => x.id === id);
  assert.ok(n, `expected node ${id}, found ${g.nodes.map((x) => x.id).join(', ')}`);
  return n;
}

function planOf(g: Graph, id: string): VerifyPlan | undefined {
  const planId = node(g, id).planId;
  return planId === undefined ? undefined : g.plans.find((p) => p.id === planId);
}

const podinfo = ociRepo('podinfo', { verify: cosignKey(), secretRef: 'pull', artifact: { revision: `6.5.0@${D1}` } });
const ks = (name: string, applied?: string) => kustomization(name, ref('OCIRepository', 'podinfo'), applied === undefined ? {} : { lastAppliedRevision: applied });

describe('applied plans', () => {
  it('a consumer that applied another digest gets a plan for that digest, with its source\'s URL, access and trust', () => {
    const g = buildGraph([ks('app', `6.4.0@${D2}`), podinfo]);
    const source = planOf(g, 'OCIRepository/apps/podinfo');
    const applied = planOf(g, 'Kustomization/apps/app');
    assert.ok(source && applied);
    assert.notEqual(applied.id, source.id);
    assert.equal(applied.id, `oci://reg.example/podinfo@${D2}`);
    assert.deepEqual(applied.artifact, { url: 'oci://reg.example/podinfo', ref: { kind: 'digest', digest: D2 }, running: { revision: `6.4.0@${D2}`, tag: '6.4.0', digest: D2 } });
    assert.deepEqual(applied.access, source.access);
    assert.deepEqual(applied.trust, source.trust);
    assert.deepEqual(applied.nodeIds, ['Kustomization/apps/app']);
    // the node says what it runs: the applied revision, and the trust it is checked with
    assert.equal(node(g, 'Kustomization/apps/app').running?.digest, D2);
    assert.equal(node(g, 'Kustomization/apps/app').trust?.secretRef, 'cosign-pub');
  });

  it('applying what the source runs, or nothing yet, needs no plan of its own', () => {
    const g = buildGraph([ks('same', `6.5.0@${D1}`), ks('none'), podinfo]);
    assert.equal(node(g, 'Kustomization/apps/same').planId, undefined);
    assert.equal(node(g, 'Kustomization/apps/none').planId, undefined);
    assert.equal(g.plans.length, 1);
  });

  it('verifies a digest once: consumers that applied the same digest with the same trust share one plan', () => {
    const g = buildGraph([ks('a', `6.4.0@${D2}`), ks('b', `6.4.0@${D2}`), ks('c', `6.3.0@${D3}`), podinfo]);
    assert.equal(g.plans.length, 3);
    assert.deepEqual(planOf(g, 'Kustomization/apps/a')?.nodeIds, ['Kustomization/apps/a', 'Kustomization/apps/b']);
    assert.deepEqual(planOf(g, 'Kustomization/apps/c')?.nodeIds, ['Kustomization/apps/c']);
  });

  it('a source without an artifact yet still gets the applied digest verified', () => {
    const g = buildGraph([ks('app', `6.4.0@${D2}`), ociRepo('podinfo', { verify: cosignKey() })]);
    assert.equal(planOf(g, 'Kustomization/apps/app')?.artifact.ref.kind, 'digest');
  });

  it('HelmRelease by chartRef: the deployed ociDigest is verified at the OCIRepository', () => {
    const charts = ociRepo('chart', { url: 'oci://reg.example/charts/podinfo', verify: cosignKey(), layerSelector: { mediaType: 'application/vnd.cncf.helm.chart.content.v1.tar+gzip', operation: 'copy' }, artifact: { revision: `6.5.0@${D1}` } });
    const hr = helmRelease('app', { chartRef: ref('OCIRepository', 'chart'), lastAttemptedRevision: `6.5.0+${D1.slice(7, 19)}`, lastAttemptedRevisionDigest: D1, lastRelease: { chartVersion: '6.4.0', ociDigest: D2 } });
    const g = buildGraph([hr, charts]);
    const p = planOf(g, 'HelmRelease/apps/app');
    assert.equal(p?.artifact.url, 'oci://reg.example/charts/podinfo');
    assert.deepEqual(p?.artifact.ref, { kind: 'digest', digest: D2 });
  });

  it('no plan where no digest was recorded or the source is not an OCI artifact: chart versions, Git', () => {
    const g = buildGraph([
      helmRelease('templ', { chartTemplate: { chart: 'podinfo', version: '6.5.0', sourceRef: ref('HelmRepository', 'charts') }, lastAttemptedRevision: '6.4.0' }),
      helmRelease('byref', { chartRef: ref('HelmChart', 'podinfo'), lastAttemptedRevision: '6.4.0' }),
      helmChart('podinfo', { verify: cosignKey(), artifact: { revision: '6.5.0' } }),
      helmChart('apps-templ', { verify: cosignKey(), artifact: { revision: '6.5.0' } }),
      helmRepo('charts'),
      kustomization('git', ref('GitRepository', 'repo'), { lastAppliedRevision: `main@sha1:${'a'.repeat(40)}` }),
      gitRepo('repo', { artifact: { revision: `main@sha1:${'b'.repeat(40)}` } }),
    ]);
    for (const id of ['HelmRelease/apps/templ', 'HelmRelease/apps/byref', 'Kustomization/apps/git']) assert.equal(node(g, id).planId, undefined, id);
  });

  it('a dangling source gives no plan', () => {
    const g = buildGraph([ks('app', `6.4.0@${D2}`)]);
    assert.equal(node(g, 'Kustomization/apps/app').planId, undefined);
  });

  it('appliedPlan ignores a chart source and the source\'s own digest', () => {
    const src = ociRepositoryPlan(podinfo);
    assert.equal(appliedPlan(src, `6.5.0@${D1}`), undefined);
    assert.equal(appliedPlan(src, '6.4.0'), undefined);
    assert.equal(appliedPlan({ ...src, artifact: { ...src.artifact, chart: { name: 'podinfo', version: '6.5.0' } } }, D2), undefined);
    assert.equal(appliedPlan(src, D2)?.artifact.running?.digest, D2);
  });

  it('reads the applied revision in order of precedence', () => {
    assert.equal(appliedRevisionOf(helmRelease('a', { lastRelease: { chartVersion: '1', ociDigest: D2 }, lastAttemptedRevisionDigest: D1 })), D2);
    assert.equal(appliedRevisionOf(helmRelease('a', { lastAttemptedRevisionDigest: D1, lastAttemptedRevision: '1.0.0' })), D1);
    assert.equal(appliedRevisionOf(ks('k', `x@${D3}`)), `x@${D3}`);
  });
});
