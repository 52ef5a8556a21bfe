import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { FluxObject } from '../../../src/kube/types.js';
import { appliedRevisionOf, findingFor, REASONS, sameAsSource } from '../../../src/verdict/index.js';
import type { Finding, PlanOutcome } from '../../../src/verdict/index.js';
import { cond, cosignKey, D1, D2, D3, failed, helmChart, helmRelease, helmRepo, keyless, kustomization, ociRepo, readyTrue, ref, sig, verified, verifiedTrue } from '../graph/factories.js';
import { nodeIn } from './nodes.js';

const now = new Date('2026-06-01T00:00:00Z');
const ok: PlanOutcome = { running: verified(D1), registryDigest: D1, trustFrom: 'object' };
const podinfo = ociRepo('podinfo', { verify: cosignKey(), artifact: { revision: `6.5.0@${D1}` }, conditions: [readyTrue(), verifiedTrue(`6.5.0@${D1}`)] });

/** The source's finding, then the consumer's with it. */
function judge(objects: readonly FluxObject[], sourceId: string, consumerId: string, outcome: PlanOutcome | undefined, applied?: PlanOutcome): { source: Finding; consumer: Finding } {
  const source = findingFor(nodeIn(objects, sourceId), outcome, { now });
  return { source, consumer: findingFor(nodeIn(objects, consumerId), applied, { now, sourceFindings: [source] }) };
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

  it('applying another digest is judged on that digest; until it is verified it is pending', () => {
    const { consumer } = judge([k({ lastAppliedRevision: `6.4.0@${D2}` }), podinfo], 'OCIRepository/apps/podinfo', 'Kustomization/apps/app', ok);
    assert.equal(consumer.state, 'pending');
    assert.deepEqual(consumer.reasons, ['pending']);
    assert.equal(consumer.appliedIsVerified, false);
    assert.match(consumer.message, /^verifying 6\.4\.0@sha256:2e2e.*; OCIRepository\/apps\/podinfo runs sha256:1f1f/);
  });

  it('nothing applied yet is pending', () => {
    const { consumer } = judge([k(), podinfo], 'OCIRepository/apps/podinfo', 'Kustomization/apps/app', ok);
    assert.equal(consumer.state, 'pending');
    assert.deepEqual(consumer.reasons, ['not-reconciled']);
  });

  it('inherits a failing source and its reasons, and the drift', () => {
    const outcome: PlanOutcome = { running: failed('cosign.signature-mismatch'), registryDigest: D2, next: failed('cosign.signature-mismatch', D2), trustFrom: 'object' };
    const { source, consumer } = judge([k({ lastAppliedRevision: `6.5.0@${D1}` }), podinfo], 'OCIRepository/apps/podinfo', 'Kustomization/apps/app', outcome);
    assert.equal(consumer.state, 'failed');
    assert.equal(source.state, 'failed');
    assert.deepEqual(consumer.reasons, source.reasons);
    assert.ok(consumer.reasons.includes('drift'));
    assert.equal(consumer.appliedIsVerified, false);
    assert.equal(consumer.drift?.nextReconcile, 'refused');
    assert.match(consumer.message, /^OCIRepository\/apps\/podinfo: /);
  });

  it('a weak source: what it applied is weak too, and behind', () => {
    const weak = ociRepo('podinfo', { verify: keyless(), artifact: { revision: `6.5.0@${D1}` } });
    const { consumer } = judge([k({ lastAppliedRevision: `6.4.0@${D2}` }), weak], 'OCIRepository/apps/podinfo', 'Kustomization/apps/app', ok, { running: verified(D2), registryDigest: D2, trustFrom: 'object' });
    assert.equal(consumer.state, 'weak');
    assert.deepEqual(consumer.reasons, ['weak', 'behind']);
    assert.equal(consumer.appliedIsVerified, false);
    assert.match(consumer.message, /no matchOIDCIdentity/);
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
    assert.equal(consumer.state, 'pending');
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

  it('chartTemplate with keyless verify and no HelmChart in the input: inherits the generated chart\'s verdict', () => {
    const objects = [helmRelease('app', { chartTemplate: { chart: 'podinfo', version: '6.5.0', sourceRef: ref('HelmRepository', 'charts'), verify: keyless() }, lastAttemptedRevision: '6.5.0' }), helmRepo('charts')];
    const { source, consumer } = judge(objects, 'HelmChart/apps/apps-app', 'HelmRelease/apps/app', ok);
    assert.notEqual(source.state, 'verified');
    assert.equal(consumer.state, source.state);
    assert.deepEqual(consumer.reasons, source.reasons);
    assert.equal(consumer.appliedIsVerified, false);
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

describe('consumers behind their source (the applied digest verified on its own)', () => {
  const applied = `6.4.0@${D2}`;
  const appliedOk: PlanOutcome = { running: verified(D2), registryDigest: D2, trustFrom: 'object' };
  const k = (over: Parameters<typeof kustomization>[2] = {}) => kustomization('app', ref('OCIRepository', 'podinfo'), { conditions: [readyTrue(`Applied revision: ${applied}`)], lastAppliedRevision: applied, ...over });
  const run = (consumer: FluxObject, appliedOutcome: PlanOutcome | undefined, source: FluxObject = podinfo, sourceOutcome: PlanOutcome = ok) =>
    judge([consumer, source], 'OCIRepository/apps/podinfo', `${consumer.kind}/apps/${consumer.name}`, sourceOutcome, appliedOutcome).consumer;

  it('suspended, one verified revision behind: verified content, behind, and how to resume it', () => {
    const f = run(k({ suspend: true }), appliedOk);
    assert.equal(f.state, 'verified');
    assert.deepEqual(f.reasons, ['behind', 'suspended']);
    assert.equal(f.appliedRevision, applied);
    assert.equal(f.appliedIsVerified, true);
    assert.match(f.message, /^applied 6\.4\.0@sha256:2e2e\S+, cosign bundle signature verified with apps\/cosign-pub .*; OCIRepository\/apps\/podinfo runs sha256:1f1f\S+; Kustomization is suspended, so Flux applies nothing new until it is resumed$/);
    assert.equal(f.next, 'resume it (flux resume kustomization app -n apps) so that it applies the revision its source runs');
    // Flux's own word on the consumer, not the source's SourceVerified (which is about another revision)
    assert.equal(f.flux.ready?.status, 'True');
    assert.equal(f.flux.sourceVerified, undefined);
    assert.equal(f.flux.agrees, undefined);
    assert.equal(f.drift, undefined);
  });

  it('not suspended: not reconciled since the source moved, or the last reconcile failed', () => {
    const f = run(k(), appliedOk);
    assert.deepEqual([f.state, f.reasons], ['verified', ['behind']]);
    assert.match(f.message, /; not reconciled since its source moved$/);
    assert.equal(f.next, 'reconcile it (flux reconcile kustomization app -n apps --with-source) so that it applies the revision its source runs');
    const stuck = run(k({ conditions: [cond('Ready', 'False', 'ReconciliationFailed', 'apply failed: x')] }), appliedOk);
    assert.match(stuck.message, /its last reconcile did not apply it: Ready=False \(ReconciliationFailed\): apply failed: x$/);
  });

  it('applied content that does not verify is a failure, whatever the source runs', () => {
    const f = run(k({ suspend: true }), { running: failed('signature.none', D2, []), registryDigest: D2, trustFrom: 'object' });
    assert.equal(f.state, 'failed');
    assert.deepEqual(f.reasons, ['no-signature', 'applied-unverified', 'suspended']);
    assert.equal(f.appliedIsVerified, false);
    assert.match(f.message, /^applied 6\.4\.0@sha256:2e2e\S+, which does not verify: .*; OCIRepository\/apps\/podinfo runs sha256:1f1f/);
    assert.equal(f.next, REASONS['no-signature'].next);
    const wrong = run(k(), { running: failed('cosign.signature-mismatch', D2), registryDigest: D2, trustFrom: 'object' });
    assert.deepEqual([wrong.state, wrong.reasons[0]], ['failed', 'wrong-key']);
  });

  it('errors on the applied digest are errors: trust unreadable, digest gone from the registry', () => {
    const trust = run(k(), { trustProblem: { code: 'secret.forbidden', message: 'forbidden', secret: 'apps/cosign-pub' }, registryDigest: D2, trustFrom: 'object' });
    assert.equal(trust.state, 'error');
    assert.deepEqual(trust.reasons, ['trust-unreadable', 'applied-unverified']);
    const gone = run(k(), { registryError: { code: 'registry.not-found', message: 'manifest unknown' }, trustFrom: 'object' });
    assert.equal(gone.state, 'error');
    assert.ok(gone.reasons.includes('applied-unverified'));
  });

  it('a verified revision behind a failing source is still verified content, and names the source\'s state', () => {
    const sourceFailed: PlanOutcome = { running: failed('cosign.signature-mismatch'), registryDigest: D1, trustFrom: 'object' };
    const f = run(k(), appliedOk, ociRepo('podinfo', { verify: cosignKey(), artifact: { revision: `6.5.0@${D1}` } }), sourceFailed);
    assert.deepEqual([f.state, f.reasons], ['verified', ['behind']]);
    assert.match(f.message, /OCIRepository\/apps\/podinfo runs sha256:1f1f\S+ \(failed: wrong key\)/);
  });

  it('trust from flags is said so', () => {
    const f = run(k(), { ...appliedOk, trustFrom: 'flag', overrides: ['--key', 'a.pub'] });
    assert.deepEqual(f.reasons, ['behind', 'override']);
    assert.match(f.message, /trust from flags --key a\.pub, not from spec\.verify$/);
  });

  it('a source without spec.verify: nothing to verify the applied digest with, so not enforced', () => {
    const open = ociRepo('podinfo', { artifact: { revision: `6.5.0@${D1}` } });
    const f = run(k(), { registryDigest: D2, trustFrom: 'object' }, open, { registryDigest: D1, trustFrom: 'object' });
    assert.equal(f.state, 'not-enforced');
    assert.deepEqual(f.reasons, ['not-enforced', 'applied-unverified']);
  });

  it('a verification of another digest than the applied one is never taken for it', () => {
    const f = run(k(), { running: verified(D3), registryDigest: D2, trustFrom: 'object' });
    assert.equal(f.state, 'error');
    assert.equal(f.appliedIsVerified, false);
  });

  it('HelmRelease by chartRef, one chart digest behind', () => {
    const hr = helmRelease('app', { suspend: true, chartRef: ref('OCIRepository', 'podinfo'), lastAttemptedRevision: `6.4.0+${D2.slice(7, 19)}`, lastAttemptedRevisionDigest: D2, lastRelease: { chartVersion: '6.4.0', ociDigest: D2 } });
    const f = run(hr, appliedOk);
    assert.deepEqual([f.state, f.reasons], ['verified', ['behind', 'suspended']]);
    assert.equal(f.appliedRevision, D2);
    assert.match(f.message, /HelmRelease is suspended/);
    assert.equal(f.next, 'resume it (flux resume helmrelease app -n apps) so that it applies the revision its source runs');
  });

  it('a chart version cannot be verified: says so plainly, and fails closed', () => {
    const objects = [
      helmRelease('app', { chartTemplate: { chart: 'podinfo', version: '6.5.0', sourceRef: ref('HelmRepository', 'charts') }, lastAttemptedRevision: '6.4.0', conditions: [readyTrue()] }),
      helmChart('apps-app', { verify: cosignKey(), artifact: { revision: '6.5.0' } }),
      helmRepo('charts'),
    ];
    const { consumer } = judge(objects, 'HelmChart/apps/apps-app', 'HelmRelease/apps/app', ok);
    assert.equal(consumer.state, 'failed');
    assert.deepEqual(consumer.reasons, ['applied-unverified']);
    assert.match(consumer.message, /^applied 6\.4\.0, but HelmChart\/apps\/apps-app runs 6\.5\.0; cannot verify an applied chart version/);
  });
});

describe('consumers fail closed (fast-check, fixed seed)', () => {
  const outcomeArb: fc.Arbitrary<PlanOutcome | undefined> = fc.option(
    fc.record(
      {
        running: fc.record({
          state: fc.constantFrom('verified', 'failed', 'error') as fc.Arbitrary<'verified' | 'failed' | 'error'>,
          code: fc.constantFrom('ok', 'signature.none', 'cosign.signature-mismatch', 'x'),
          message: fc.constant('m'),
          digest: fc.constantFrom(D1, D2, D3),
          signatures: fc.array(fc.boolean().map((v) => sig({ verified: v })), { maxLength: 2 }),
        }),
        registryDigest: fc.constantFrom(D1, D2),
        registryError: fc.record({ code: fc.constantFrom('registry.not-found', 'x'), message: fc.constant('e') }),
        trustProblem: fc.record({ code: fc.constantFrom('secret.forbidden', 'x'), message: fc.constant('t') }),
        trustFrom: fc.constantFrom('object', 'flag') as fc.Arbitrary<'object' | 'flag'>,
      },
      { requiredKeys: ['trustFrom'] },
    ),
    { nil: undefined },
  );

  it('verified only when the source verified what was applied, or the applied digest itself verified', () => {
    let behind = 0;
    fc.assert(
      fc.property(
        fc.constantFrom(undefined, cosignKey(), keyless()),
        fc.constantFrom(undefined, `6.5.0@${D1}`, `6.4.0@${D2}`, D3, '6.4.0'),
        fc.boolean(),
        outcomeArb,
        outcomeArb,
        (verify, applied, suspend, sourceOutcome, appliedOutcome) => {
          const repo = ociRepo('podinfo', { ...(verify ? { verify } : {}), artifact: { revision: `6.5.0@${D1}` } });
          const ko = kustomization('k', ref('OCIRepository', 'podinfo'), { suspend, ...(applied ? { lastAppliedRevision: applied } : {}) });
          const source = findingFor(nodeIn([repo, ko], 'OCIRepository/apps/podinfo'), sourceOutcome, { now });
          const node = nodeIn([repo, ko], 'Kustomization/apps/k');
          const f = findingFor(node, node.planId ? appliedOutcome : undefined, { now, sourceFindings: [source] });
          assert.ok(f.reasons.length > 0 && f.next.length > 0);
          assert.equal(f.reasons.includes('behind'), f.state !== 'pending' && node.planId !== undefined && (f.state === 'verified' || f.state === 'weak') && appliedOutcome?.running?.state === 'verified');
          if (f.state !== 'verified') return;
          assert.equal(f.appliedIsVerified, true);
          if (node.planId === undefined) {
            assert.equal(source.state, 'verified');
            assert.ok(applied?.endsWith(D1));
            return;
          }
          behind++;
          assert.deepEqual(f.reasons.slice(0, 1), ['behind']);
          const r = appliedOutcome?.running;
          assert.ok(r && r.state === 'verified' && r.signatures.some((x) => x.verified));
          assert.equal(r.digest, node.running?.digest);
          assert.equal(appliedOutcome?.trustProblem, undefined);
          assert.ok(appliedOutcome?.trustFrom === 'flag' || node.trust !== undefined);
        },
      ),
      { seed: 20260602, numRuns: 800 },
    );
    assert.ok(behind > 0, 'no verified-and-behind consumer generated');
  });
});
