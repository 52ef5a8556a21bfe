import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { conformanceCases, runCase } from './conformance-cases.js';

/**
 * Cases whose outcome differs from the suite's expectation, each with its reason. The test fails
 * when a case leaves or joins this list, so a change in behaviour is always seen. docs/conformance.md
 * carries the same list.
 */
const KNOWN_EXCEPTIONS_WITH_ARTIFACT: Readonly<Record<string, string>> = {};

/** Digest-only run (the harness's second mode): messageSignature bundles need the artifact bytes. */
const MESSAGE_SIGNATURE_NEEDS_BYTES = 'messageSignature bundle: its signature is over the artifact bytes, which a digest-only run does not give (cosign.bundle-unsupported)';
const KNOWN_EXCEPTIONS_DIGEST_ONLY: Readonly<Record<string, string>> = Object.fromEntries(
  [
    'bundle-with-sct-with-extensions',
    'happy-path-v0.1',
    'happy-path-v0.2',
    'happy-path-v0.3',
    'happy-path-v0.3-new-mediaType',
    'managed-key-and-trusted-root',
    'managed-key-happy-path',
    'rekor2-checkpoint-cosigned',
    'rekor2-checkpoint-multiple-cosigs',
    'rekor2-checkpoint-origin-not-first',
    'rekor2-checkpoint-two-sigs-cosigned',
    'rekor2-checkpoint-two-sigs-from-origin',
    'rekor2-happy-path',
    'rekor2-timestamp-with-embedded-cert',
    'rekor2-timestamp-with-expired-cert-chain',
    'rekor2-timestamp-without-embedded-cert',
    'trust-root-tlog-validity-end-inclusive',
    'trust-root-tsa-validity-end-inclusive',
  ].map((c) => [c, MESSAGE_SIGNATURE_NEEDS_BYTES]),
);

const cases = conformanceCases();

for (const [mode, digestOnly, exceptions] of [
  ['with the artifact bytes', false, KNOWN_EXCEPTIONS_WITH_ARTIFACT],
  ['with the artifact digest only', true, KNOWN_EXCEPTIONS_DIGEST_ONLY],
] as const) {
  describe(`sigstore-conformance bundle-verify, ${mode}`, () => {
    const outcomes = new Map(cases.map((c) => [c, runCase(c, digestOnly)]));

    it('has all 70 cases', () => assert.equal(cases.length, 70));

    it('fails closed: no _fail case ever verifies', () => {
      const opened = cases.filter((c) => c.endsWith('_fail') && outcomes.get(c)?.verified);
      assert.deepEqual(opened, []);
    });

    it('every case meets its expectation, apart from the listed exceptions', () => {
      const notPassed = cases.filter((c) => outcomes.get(c)?.verified !== !c.endsWith('_fail'));
      assert.deepEqual(notPassed, Object.keys(exceptions).sort());
      const passCount = cases.length - notPassed.length;
      console.log(`conformance ${mode}: ${passCount}/${cases.length} as expected`);
    });

    for (const c of cases) {
      it(`${c} ${c.endsWith('_fail') ? 'fails' : 'verifies'}${exceptions[c] ? ' (known exception)' : ''}`, () => {
        const o = outcomes.get(c);
        const expected = exceptions[c] ? c.endsWith('_fail') : !c.endsWith('_fail');
        assert.equal(o?.verified, expected, `${c}: first failure ${o?.code}`);
        if (!o?.verified) assert.notEqual(o?.code, 'ok', 'a failure always names its code');
      });
    }
  });
}
