import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FluxObject } from '../../../src/kube/types.js';
import { appliedRevisionOf, findingFor, sameAsSource } from '../../../src/verdict/index.js';
import type { Finding, PlanOutcome } from '../../../src/verdict/index.js';
import { cond, cosignKey, D1, D2, failed, helmChart, helmRelease, helmRepo, keyless, kustomization, ociRepo, readyTrue, ref, verified, verifiedTrue } from '../graph/factories.js';
import { nodeIn } from './nodes.js';

const now = new Date('2026-06-01T00:00:00Z');
const ok: PlanOutcome = { running: verified(D1), registryDigest: D1, trustFrom: 'object' };
const podinfo = ociRepo('podinfo', { verify: cosignKey(), artifact: { revision: `6.5.0@${D1}` }, conditions: [readyTrue(), verifiedTrue(`6.5.0@${D1}`)] });

/** The source's finding, then the consumer's with it. */
function judge(objects: readonly FluxObject[], sourceId: string, consumerId: string, outcome: PlanOutcome | undefined): { source: Finding; consumer: Finding } {
  const source = findingFor(nodeIn(objects, sourceId), outcome, { now });
  return { source, consumer: findingFor(nodeIn(objects, consumerId), undefined, { now, sourceFindings: [source] }) };
}

describe('Kustomization', () => {
  const k = (over: Parameters<typeof kustomization>[2] = {}) => kustomization('app', ref('OCIRepository', 'podinfo'), { conditions: [readyTrue()], ...over });

  it('applying the verified digest is verified', () => {
    const { consumer } = judge([k({ lastAppliedRevision: `6.5.0@${D1}` }), podinfo], 'OCIRepository/apps/podinfo', 'Kustomization/apps/app', ok);
    assert.equal(consumer.state, 'verified');
    assert.deepEqual(consumer.reasons, ['verified']);
    assert.equal(consumer.appliedRevision, `6.5.0@${D1}`);
    assert.equal(consumer.appliedIsVerified, true);
    assert.equal(consumer.flux.ready?.status, 'True');
    assert.equal(consumer.flux.sourceVerified?.status, 'True');
    assert.equal(consumer.flux.agrees, true);
    assert.match(consumer.message, /^applied 6\.5\.0@sha256:1f1f.*: cosign bundle signature verified/);
  });

  it('applying another revision than the verified one fails; while reconciling it is pending', () => {
    const settled = judge([k({ lastAppliedRevision: `6.4.0@${D2}` }), podinfo], 'OCIRepository/apps/podinfo', 'Kustomization/apps/app', ok).consumer;
    assert.equal(settled.state, 'failed');
    assert.deepEqual(settled.reasons, ['applied-unverified']);
    assert.equal(settled.appliedIsVerified, false);
    assert.match(settled.message, /applied 6\.4\.0@sha256:2e2e.*, but OCIRepository\/apps\/podinfo runs sha256:1f1f/);
    const moving = judge([k({ lastAppliedRevision: `6.4.0@${D2}`, conditions: [cond('Ready', 'Unknown', 'Progressing')] }), podinfo], 'OCIRepository/apps/podinfo', 'Kustomization/apps/app', ok).consumer;
    assert.equal(moving.state, 'pending');
  });

  it('nothing applied yet is pending', () => {
    const { consumer } = judge([k(), podinfo], 'OCIRepository/apps/podinfo', 'Kustomization/apps/app', ok);
    assert.equal(consumer.state, 'pending');
    assert.deepEqual(consumer.reasons, ['not-reconciled']);
  });

  it('inherits a failing source and its reasons, and the drift', () => {
    const outcome: PlanOutcome = { running: failed('cosign.signature-mismatch'), registryDigest: D2, next: failed('cosign.signature-mismatch', D2), trustFrom: 'object' };
    const { consumer } = judge([k({ lastAppliedRevision: `6.5.0@${D1}` }), podinfo], 'OCIRepository/apps/podinfo', 'Kustomization/apps/app', outcome);
    assert.equal(consumer.state, 'failed');
    assert.deepEqual(consumer.reasons, ['wrong-key', 'flux-disagrees', 'drift']);
    assert.equal(consumer.appliedIsVerified, false);
    assert.equal(consumer.drift?.nextReconcile, 'refused');
    assert.match(consumer.message, /^OCIRepository\/apps\/podinfo: /);
  });

  it('a weak source with another applied revision says both', () => {
    const weak = ociRepo('podinfo', { verify: keyless(), artifact: { revision: `6.5.0@${D1}` } });
    const { consumer } = judge([k({ lastAppliedRevision: `6.4.0@${D2}` }), weak], 'OCIRepository/apps/podinfo', 'Kustomization/apps/app', ok);
    assert.equal(consumer.state, 'weak');
    assert.deepEqual(consumer.reasons, ['weak', 'applied-unverified']);
  });

  it('a missing source is a dangling reference, with or without its finding', () => {
    const objects = [k({ lastAppliedRevision: `6.5.0@${D1}` })];
    const alone = findingFor(nodeIn(objects, 'Kustomization/apps/app'), undefined, { now });
    assert.equal(alone.state, 'error');
    assert.deepEqual(alone.reasons, ['dangling-ref']);
    const { consumer } = judge(objects, 'OCIRepository/apps/podinfo', 'Kustomization/apps/app', undefined);
    assert.deepEqual([consumer.state, consumer.reasons], ['error', ['dangling-ref']]);
  });

  it('waits for the source\'s finding', () => {
    const f = findingFor(nodeIn([k(), podinfo], 'Kustomization/apps/app'), undefined, { now });
    assert.deepEqual([f.state, f.reasons], ['pending', ['pending']]);
  });

  it('a suspended consumer says so', () => {
    const { consumer } = judge([k({ lastAppliedRevision: `6.5.0@${D1}`, suspend: true }), podinfo], 'OCIRepository/apps/podinfo', 'Kustomization/apps/app', ok);
    assert.deepEqual(consumer.reasons, ['verified', 'suspended']);
  });
});

describe('HelmRelease', () => {
  it('chartRef OCIRepository: lastAttemptedRevisionDigest is compared with the running digest', () => {
    const hr = helmRelease('app', { chartRef: ref('OCIRepository', 'podinfo'), lastAttemptedRevision: `6.5.0+${D1.slice(7, 19)}`, lastAttemptedRevisionDigest: D1 });
    const { consumer } = judge([hr, podinfo], 'OCIRepository/apps/podinfo', 'HelmRelease/apps/app', ok);
    assert.equal(consumer.state, 'verified');
    assert.equal(consumer.appliedRevision, D1);
  });

  it('the deployed history ociDigest wins over the attempted revision', () => {
    const hr = helmRelease('app', { chartRef: ref('OCIRepository', 'podinfo'), lastAttemptedRevisionDigest: D1, lastRelease: { chartVersion: '6.4.0', ociDigest: D2 } });
    const { consumer } = judge([hr, podinfo], 'OCIRepository/apps/podinfo', 'HelmRelease/apps/app', ok);
    assert.equal(consumer.appliedRevision, D2);
    assert.equal(consumer.appliedIsVerified, false);
  });

  it('chartTemplate: the chart version is compared with the HelmChart revision', () => {
    const objects = [
      helmRelease('app', { chartTemplate: { chart: 'podinfo', version: '6.5.0', sourceRef: ref('HelmRepository', 'charts') }, lastAttemptedRevision: '6.5.0' }),
      helmChart('apps-app', { verify: cosignKey(), artifact: { revision: '6.5.0+2' } }),
      helmRepo('charts'),
    ];
    const { consumer } = judge(objects, 'HelmChart/apps/apps-app', 'HelmRelease/apps/app', ok);
    assert.equal(consumer.state, 'verified');
    assert.equal(consumer.appliedIsVerified, true);
  });

  it('chartTemplate with keyless verify and no HelmChart in the input: weak', () => {
    const objects = [helmRelease('app', { chartTemplate: { chart: 'podinfo', version: '6.5.0', sourceRef: ref('HelmRepository', 'charts'), verify: keyless() }, lastAttemptedRevision: '6.5.0' }), helmRepo('charts')];
    const { consumer } = judge(objects, 'HelmChart/apps/apps-app', 'HelmRelease/apps/app', ok);
    assert.equal(consumer.state, 'weak');
  });

  it('reads the applied revision in order of precedence', () => {
    assert.equal(appliedRevisionOf(helmRelease('a', { lastAttemptedRevision: '1.0.0', lastAppliedRevision: '0.9.0' })), '1.0.0');
    assert.equal(appliedRevisionOf(helmRelease('a', { lastAppliedRevision: '0.9.0' })), '0.9.0');
    assert.equal(appliedRevisionOf(helmRelease('a', { lastRelease: { chartVersion: '0.8.0' } })), '0.8.0');
    assert.equal(appliedRevisionOf(helmRelease('a')), undefined);
  });

  it('compares digests when both sides have one, versions otherwise', () => {
    assert.equal(sameAsSource(`x@${D1}`, { revision: `y@${D1}`, digest: D1 }), true);
    assert.equal(sameAsSource(D2, { revision: `y@${D1}`, digest: D1 }), false);
    assert.equal(sameAsSource('6.5.0', { revision: '6.5.0+4' }), true);
    assert.equal(sameAsSource('6.5', { revision: '6.5.0' }), false);
    assert.equal(sameAsSource('6.5.0', undefined), false);
  });
});
