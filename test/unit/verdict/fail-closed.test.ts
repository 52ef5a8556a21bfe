// Fail closed, whatever the input: `verified` only when the digest Flux runs verified against the
// object's own trust (or explicit flags); unknown codes and odd shapes never pass.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { Condition, FluxObject, Verification } from '../../../src/kube/types.js';
import type { CheckCode, SignatureEvidence } from '../../../src/verify/evidence.js';
import { findingFor, REASON_CODES } from '../../../src/verdict/index.js';
import type { PlanOutcome, VerificationOutcome } from '../../../src/verdict/index.js';
import { cond, cosignKey, D1, D2, helmChart, helmRelease, helmRepo, keyless, kustomization, notation, ociRepo, ref, sig } from '../graph/factories.js';
import { nodeIn } from './nodes.js';

const SEED = 20260601;
const RUNS = 600;
const now = new Date('2026-06-01T00:00:00Z');
const STATES = ['verified', 'failed', 'not-enforced', 'weak', 'error', 'pending', 'unsupported'];

const KNOWN = ['ok', 'signature.none', 'cosign.signature-mismatch', 'cosign.claim-digest-mismatch', 'cosign.identity-unconstrained', 'notation.untrusted-cert', 'notation.cert-expired', 'registry.unauthorized', 'layout.invalid', 'trust.root-invalid'];
const code = fc.oneof(fc.constantFrom(...KNOWN), fc.string({ maxLength: 20 }));
const digest = fc.option(fc.constantFrom(D1, D2), { nil: undefined });

const signature: fc.Arbitrary<SignatureEvidence> = fc
  .record({ verified: fc.boolean(), code, fluxVerified: fc.option(fc.boolean(), { nil: undefined }), mechanism: fc.constantFrom('cosign-bundle', 'cosign-legacy', 'notation-jws', 'notation-cose') as fc.Arbitrary<SignatureEvidence['mechanism']> })
  // arbitrary strings as well as known codes: the type allows only known ones, the verdict must fail closed on any
  .map((s) => sig({ verified: s.verified, code: s.code as CheckCode, mechanism: s.mechanism, ...(s.fluxVerified === undefined ? {} : { fluxVerified: s.fluxVerified }) }));

const verification: fc.Arbitrary<VerificationOutcome> = fc.record(
  {
    state: fc.constantFrom('verified', 'failed', 'error') as fc.Arbitrary<VerificationOutcome['state']>,
    code,
    message: fc.string({ maxLength: 30 }),
    digest,
    signatures: fc.array(signature, { maxLength: 3 }),
    notation: fc.record({ level: fc.option(fc.constantFrom('strict', 'permissive', 'audit', 'skip'), { nil: undefined }), outcome: fc.constantFrom('verified', 'failed', 'ignored') as fc.Arbitrary<'verified' | 'failed' | 'ignored'> }, { requiredKeys: ['outcome'] }),
  },
  { requiredKeys: ['state', 'code', 'message', 'signatures'] },
);

const outcome: fc.Arbitrary<PlanOutcome | undefined> = fc.option(
  fc.record(
    {
      running: verification,
      registryDigest: digest,
      registryError: fc.record({ code, message: fc.string({ maxLength: 20 }) }),
      next: verification,
      trustProblem: fc.record({ code, message: fc.string({ maxLength: 20 }) }),
      trustFrom: fc.oneof(fc.constantFrom('object', 'flag'), fc.string({ maxLength: 6 })) as fc.Arbitrary<'object' | 'flag'>,
      overrides: fc.array(fc.constantFrom('--key', 'a.pub', '--certificate-identity'), { maxLength: 2 }),
    },
    { requiredKeys: ['trustFrom'] },
  ),
  { nil: undefined },
);

const verify: fc.Arbitrary<Verification | undefined> = fc.constantFrom(undefined, cosignKey(), keyless(), keyless([{ issuer: 'i', subject: 's' }]), notation());
const conditions: fc.Arbitrary<Condition[]> = fc.array(
  fc.oneof(
    fc.constantFrom('True', 'False', 'Unknown').map((s) => cond('Ready', s as Condition['status'])),
    fc.record({ status: fc.constantFrom('True', 'False', 'Unknown'), rev: fc.constantFrom(`6.5.0@${D1}`, `6.4.0@${D2}`, 'junk'), gen: fc.constantFrom(1, 2) }).map((c) =>
      cond('SourceVerified', c.status as Condition['status'], c.status === 'True' ? 'Succeeded' : 'VerificationError', c.status === 'True' ? `verified signature of revision ${c.rev}` : `no matching signatures were found for 'r@${c.rev.split('@')[1] ?? ''}'`, c.gen),
    ),
  ),
  { maxLength: 3 },
);

/** A source node: an OCIRepository, an OCI HelmChart, or a chart generated from a template. */
const scenario = fc.record({
  shape: fc.constantFrom('oci', 'chart', 'generated'),
  verify,
  revision: fc.constantFrom(undefined, `6.5.0@${D1}`, D1, `6.5.0/${D1.slice(7)}`, 'garbage'),
  conditions,
  suspend: fc.boolean(),
  generation: fc.constantFrom(1, 2),
});

type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;

function objectsOf(s: Scenario): { objects: FluxObject[]; id: string } {
  const common = { conditions: s.conditions, suspend: s.suspend, generation: s.generation, ...(s.verify ? { verify: s.verify } : {}), ...(s.revision ? { artifact: { revision: s.revision } } : {}) };
  switch (s.shape) {
    case 'oci':
      return { objects: [ociRepo('podinfo', common)], id: 'OCIRepository/apps/podinfo' };
    case 'chart':
      return { objects: [helmChart('c', common), helmRepo('charts')], id: 'HelmChart/apps/c' };
    default:
      return {
        objects: [helmRelease('r', { chartTemplate: { chart: 'c', version: '1.0.0', sourceRef: ref('HelmRepository', 'charts'), ...(s.verify ? { verify: { ...s.verify, matchOIDCIdentity: [] } } : {}) } }), helmRepo('charts')],
        id: 'HelmChart/apps/apps-r',
      };
  }
}

const params = { seed: SEED, numRuns: RUNS };

describe('fail closed (fast-check, fixed seed)', () => {
  it('never throws, and every finding is well formed', () => {
    fc.assert(
      fc.property(scenario, outcome, (s, o) => {
        const { objects, id } = objectsOf(s);
        const f = findingFor(nodeIn(objects, id), o, { now });
        assert.ok(STATES.includes(f.state));
        assert.ok(f.reasons.length > 0);
        assert.equal(new Set(f.reasons).size, f.reasons.length);
        for (const r of f.reasons) assert.ok(REASON_CODES.includes(r), r);
        assert.ok(!f.message.includes('\n'));
        assert.ok(f.next.length > 0);
      }),
      params,
    );
  });

  it('verified only when the running digest verified against the object\'s trust or flags', () => {
    let seen = 0;
    fc.assert(
      fc.property(scenario, outcome, (s, o) => {
        const { objects, id } = objectsOf(s);
        const node = nodeIn(objects, id);
        const f = findingFor(node, o, { now });
        if (f.state !== 'verified') return;
        seen++;
        assert.ok(o !== undefined);
        assert.equal(o.running?.state, 'verified');
        assert.ok(o.trustFrom === 'object' || o.trustFrom === 'flag');
        assert.ok(o.trustFrom === 'flag' || node.trust !== undefined, 'object trust must exist');
        assert.equal(o.trustProblem, undefined);
        assert.ok(o.running.signatures.some((x) => x.verified));
        assert.notEqual(o.running.notation?.outcome, 'ignored');
        if (o.running.digest !== undefined && node.running?.digest !== undefined) assert.equal(o.running.digest, node.running.digest);
        assert.equal(f.reasons[0], 'verified');
        if (o.trustFrom === 'flag') assert.ok(f.reasons.includes('override'));
      }),
      params,
    );
    // the property is not vacuous: the generators do reach `verified`
    assert.ok(seen > 0, 'no verified finding generated');
  });

  it('a running verification that did not pass, with any code, is never verified', () => {
    fc.assert(
      fc.property(scenario, outcome, fc.constantFrom('failed', 'error') as fc.Arbitrary<'failed' | 'error'>, code, (s, o, state, c) => {
        const { objects, id } = objectsOf(s);
        const base: PlanOutcome = o ?? { trustFrom: 'object' };
        const running: VerificationOutcome = { ...(base.running ?? { message: 'x', signatures: [] }), state, code: c };
        const f = findingFor(nodeIn(objects, id), { ...base, running }, { now });
        assert.notEqual(f.state, 'verified');
        assert.ok(!f.reasons.includes('verified'));
      }),
      params,
    );
  });

  it('a consumer is verified only when its source is and it applied that digest', () => {
    let seen = 0;
    fc.assert(
      fc.property(scenario, outcome, fc.constantFrom(undefined, `6.5.0@${D1}`, `6.4.0@${D2}`, 'junk'), (s, o, applied) => {
        const repo = ociRepo('podinfo', { conditions: s.conditions, ...(s.verify ? { verify: s.verify } : {}), ...(s.revision ? { artifact: { revision: s.revision } } : {}) });
        const k = kustomization('k', ref('OCIRepository', 'podinfo'), applied ? { lastAppliedRevision: applied } : {});
        const source = findingFor(nodeIn([repo, k], 'OCIRepository/apps/podinfo'), o, { now });
        const f = findingFor(nodeIn([repo, k], 'Kustomization/apps/k'), undefined, { now, sourceFindings: [source] });
        if (f.state === 'verified') {
          seen++;
          assert.equal(source.state, 'verified');
          assert.equal(f.appliedIsVerified, true);
          assert.ok(applied !== undefined && source.running?.digest !== undefined && applied.endsWith(source.running.digest));
        }
      }),
      params,
    );
    assert.ok(seen > 0, 'no verified consumer generated');
  });
});
