import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildGraph } from '../../../src/graph/index.js';
import type { GraphNode } from '../../../src/graph/index.js';
import type { ArtifactGenerator, FluxObject, OtherSource } from '../../../src/kube/types.js';
import { findingFor } from '../../../src/verdict/index.js';
import type { Finding, PlanOutcome } from '../../../src/verdict/types.js';
import { cosignKey, D1, helmChart, helmRelease, helmRepo, kustomization, ociRepo, other, readyTrue, ref, verified, verifiedTrue } from '../graph/factories.js';

const now = new Date('2026-11-22T00:42:00Z');

/** Every node's finding, sources before consumers, as audit/report.ts decides them; OCI plans all verify. */
function findings(objects: readonly FluxObject[]): Map<string, Finding> {
  const g = buildGraph(objects);
  const byId = new Map(g.nodes.map((n) => [n.id, n]));
  const out = new Map<string, Finding>();
  const ok: PlanOutcome = { running: verified(D1), registryDigest: D1, trustFrom: 'object' };
  const decide = (n: GraphNode, seen: Set<string>): Finding => {
    const known = out.get(n.id);
    if (known) return known;
    seen.add(n.id);
    const sourceFindings = n.sourceIds.flatMap((id) => {
      const s = byId.get(id);
      return s && !seen.has(id) ? [decide(s, seen)] : [];
    });
    const f = findingFor(n, n.planId ? ok : undefined, { now, sourceFindings });
    out.set(n.id, f);
    return f;
  };
  for (const n of g.nodes) decide(n, new Set());
  return out;
}

function at(all: Map<string, Finding>, id: string): Finding {
  const f = all.get(id);
  assert.ok(f, `no finding for ${id}: ${[...all.keys()].join(', ')}`);
  return f;
}

const signed = ociRepo('signed', { verify: cosignKey(), artifact: { revision: `6.5.0@${D1}` }, conditions: [readyTrue(), verifiedTrue(`6.5.0@${D1}`)] });
const httpRepo = helmRepo('web', { type: 'default', url: 'https://charts.example' });

function generator(id: string, sources: ArtifactGenerator['sources']): ArtifactGenerator {
  const [namespace, name] = id.split('/') as [string, string];
  return { kind: 'ArtifactGenerator', apiVersion: 'source.extensions.fluxcd.io/v1beta1', namespace, name, generation: 1, labels: {}, suspend: false, conditions: [], raw: {}, origin: 'file:test', sources };
}
const input = (kind: string, name: string): ArtifactGenerator['sources'][number] => ({ alias: name, kind, name, namespace: 'apps' });
const external = (name: string, sourceRef?: OtherSource['sourceRef']): OtherSource => other('ExternalArtifact', name, { artifact: { revision: `latest@${D1}` }, ...(sourceRef ? { sourceRef } : {}) });
const byGenerator = (name: string): OtherSource['sourceRef'] => ({ kind: 'ArtifactGenerator', apiVersion: 'source.extensions.fluxcd.io/v1beta1', namespace: 'apps', name });

describe('sources Flux cannot verify', () => {
  it('a Bucket: unverifiable, says why, and what to do instead', () => {
    const f = at(findings([other('Bucket', 'b', { url: 'minio:9000/manifests' })]), 'Bucket/apps/b');
    assert.equal(f.state, 'unverifiable');
    assert.deepEqual(f.reasons, ['unverifiable']);
    assert.match(f.message, /^Bucket: no Flux release verifies bucket contents/);
    assert.match(f.next, /signed OCI artifact/);
    assert.match(f.next, /upstream/);
  });

  it('an HTTP HelmRepository and its chart without verify are unverifiable; with verify the chart stays failed', () => {
    const all = findings([httpRepo, helmChart('plain', { sourceRef: ref('HelmRepository', 'web') }), helmChart('strict', { sourceRef: ref('HelmRepository', 'web'), verify: cosignKey() })]);
    const repo = at(all, 'HelmRepository/apps/web');
    assert.equal(repo.state, 'unverifiable');
    assert.match(repo.message, /HTTP HelmRepository/);
    const plain = at(all, 'HelmChart/apps/plain');
    assert.equal(plain.state, 'unverifiable');
    assert.match(plain.message, /HTTP HelmRepository apps\/web/);
    assert.match(plain.next, /OCI HelmRepository with spec\.verify/);
    const strict = at(all, 'HelmChart/apps/strict');
    assert.equal(strict.state, 'failed');
    assert.deepEqual(strict.reasons, ['flux-refuses']);
  });

  it('an OCI HelmRepository is still nothing to verify', () => {
    assert.equal(at(findings([helmRepo('charts')]), 'HelmRepository/apps/charts').state, 'unsupported');
  });

  it('a chart from a Bucket is unverifiable, and says its spec.verify is ignored', () => {
    const all = findings([other('Bucket', 'b'), helmChart('c', { sourceRef: ref('Bucket', 'b'), verify: cosignKey() }), helmChart('d', { sourceRef: ref('Bucket', 'b') })]);
    const c = at(all, 'HelmChart/apps/c');
    assert.equal(c.state, 'unverifiable');
    assert.match(c.message, /spec\.verify is ignored/);
    assert.doesNotMatch(at(all, 'HelmChart/apps/d').message, /ignored/);
  });

  it('an ExternalArtifact from an ArtifactGenerator lists the inputs and their states, and is not itself verified', () => {
    const all = findings([signed, other('Bucket', 'b'), generator('apps/gen', [input('OCIRepository', 'signed'), input('Bucket', 'b')]), external('out', byGenerator('gen'))]);
    const gen = at(all, 'ArtifactGenerator/apps/gen');
    assert.equal(gen.state, 'unverifiable');
    assert.match(gen.message, /derived from 2 inputs: OCIRepository\/apps\/signed \(verified\), Bucket\/apps\/b \(unverifiable\), not itself verified/);
    assert.match(gen.next, /verify each input/);
    const ea = at(all, 'ExternalArtifact/apps/out');
    assert.equal(ea.state, 'unverifiable');
    assert.deepEqual(ea.reasons, ['unverifiable']);
    assert.match(ea.message, /^ExternalArtifact generated by ArtifactGenerator\/apps\/gen, derived from 2 inputs: /);
  });

  it('all inputs verified: still unverifiable, and the message says the inputs verified', () => {
    const all = findings([signed, generator('apps/gen', [input('OCIRepository', 'signed')]), external('out', byGenerator('gen'))]);
    const ea = at(all, 'ExternalArtifact/apps/out');
    assert.equal(ea.state, 'unverifiable');
    assert.match(ea.message, /derived from 1 verified input: OCIRepository\/apps\/signed, not itself verified/);
  });

  it('the graph links ExternalArtifact → ArtifactGenerator → inputs', () => {
    const g = buildGraph([signed, generator('apps/gen', [input('OCIRepository', 'signed')]), external('out', byGenerator('gen'))]);
    const edges = g.edges.map((e) => `${e.from} -${e.via}-> ${e.to}`);
    assert.deepEqual(edges.sort(), ['ArtifactGenerator/apps/gen -generatorSource-> OCIRepository/apps/signed', 'ExternalArtifact/apps/out -sourceRef-> ArtifactGenerator/apps/gen']);
  });

  it('an ExternalArtifact whose generator is not in the input stays unverifiable and says so', () => {
    const all = findings([external('out', byGenerator('gone'))]);
    const ea = at(all, 'ExternalArtifact/apps/out');
    assert.equal(ea.state, 'unverifiable');
    assert.deepEqual(ea.reasons, ['unverifiable', 'dangling-ref']);
    assert.match(ea.message, /its generator is not in the input/);
    assert.equal(at(all, 'ArtifactGenerator/apps/gone').state, 'error');
  });

  it('an ExternalArtifact written by another controller: no edge to a kind we do not read', () => {
    const g = buildGraph([external('out', { kind: 'Widget', apiVersion: 'example.com/v1', namespace: 'apps', name: 'w' })]);
    assert.deepEqual(g.edges, []);
    const f = at(findings([external('out', { kind: 'Widget', apiVersion: 'example.com/v1', namespace: 'apps', name: 'w' })]), 'ExternalArtifact/apps/out');
    assert.equal(f.state, 'unverifiable');
    assert.match(f.message, /written by Widget apps\/w, which this plugin does not read/);
    assert.match(f.next, /Widget apps\/w/);
  });

  it('consumers of unverifiable sources are unverifiable, naming the source, with its next step', () => {
    const all = findings([
      other('Bucket', 'b'),
      kustomization('from-bucket', ref('Bucket', 'b'), { lastAppliedRevision: `sha256:${'ab'.repeat(32)}`, conditions: [readyTrue()] }),
      httpRepo,
      helmRelease('templated', { chartTemplate: { chart: 'podinfo', version: '6.5.0', sourceRef: ref('HelmRepository', 'web') }, conditions: [readyTrue()] }),
      signed,
      generator('apps/gen', [input('OCIRepository', 'signed')]),
      external('out', byGenerator('gen')),
      kustomization('from-ea', ref('ExternalArtifact', 'out')),
    ]);
    const k = at(all, 'Kustomization/apps/from-bucket');
    assert.equal(k.state, 'unverifiable');
    assert.deepEqual(k.reasons, ['unverifiable']);
    assert.match(k.message, /^its source Bucket\/apps\/b cannot be verified by Flux: /);
    assert.equal(k.next, at(all, 'Bucket/apps/b').next);
    const hr = at(all, 'HelmRelease/apps/templated');
    assert.equal(hr.state, 'unverifiable');
    assert.match(hr.message, /HelmChart\/apps\/apps-templated/);
    const kea = at(all, 'Kustomization/apps/from-ea');
    assert.equal(kea.state, 'unverifiable');
    assert.match(kea.next, /verify each input/);
  });

  it('a consumer whose own judgement is worse keeps it: a missing source is an error', () => {
    const f = at(findings([kustomization('k', ref('Bucket', 'gone'))]), 'Kustomization/apps/k');
    assert.equal(f.state, 'error');
    assert.deepEqual(f.reasons, ['dangling-ref']);
  });

  it('a HelmRelease with verify on an HTTP chart template fails as its chart does', () => {
    const all = findings([httpRepo, helmRelease('strict', { chartTemplate: { chart: 'podinfo', version: '6.5.0', sourceRef: ref('HelmRepository', 'web'), verify: cosignKey() } })]);
    assert.equal(at(all, 'HelmRelease/apps/strict').state, 'failed');
  });
});
