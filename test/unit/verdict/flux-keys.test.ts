// source-controller's key loop (docs/flux-rules.md §1–2) over the evidence of every key.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SecretEntry } from '../../../src/verify/cosign/flux-key.js';
import { exposedSigningMaterial, fluxKeyRule } from '../../../src/verdict/flux-keys.js';
import { sig } from '../graph/factories.js';

const ID = 'apps/keys';
const key = (name: string, fluxError?: string): SecretEntry => ({ name, fluxKey: true, kind: fluxError ? 'not-pem' : 'public-key', ...(fluxError ? { fluxError } : {}) });
const signedBy = (...names: string[]) => [sig({ verified: true, label: `${ID} · ${names[0] ?? ''}` }), ...names.slice(1).map((n) => sig({ verified: true, label: `${ID} · ${n}` }))];
const unsigned = [sig({ verified: false, label: `${ID} · a.pub` })];

describe('fluxKeyRule', () => {
  it('OCIRepository: keys that all load decide the same in any order', () => {
    assert.equal(fluxKeyRule('oci-repository', ID, [key('a.pub'), key('b.pub')], signedBy('a.pub')), undefined);
    assert.equal(fluxKeyRule('oci-repository', ID, [key('a.pub'), key('b.pub')], unsigned), undefined);
  });

  it('OCIRepository: a key it cannot load beside one that verifies makes the verdict depend on map order', () => {
    const r = fluxKeyRule('oci-repository', ID, [key('a.pub'), key('bad.pub', 'PEM decoding failed'), key('c.pub', 'PEM decoding failed')], signedBy('a.pub'));
    assert.equal(r?.outcome, 'varies');
    assert.equal(r?.chance, '1 in 3');
    assert.deepEqual(r?.culprits, ['bad.pub', 'c.pub']);
  });

  it('OCIRepository: a key it cannot load and none that verifies is refused in every order', () => {
    const r = fluxKeyRule('oci-repository', ID, [key('a.pub'), key('bad.pub', 'PEM decoding failed')], unsigned);
    assert.equal(r?.outcome, 'refuse');
  });

  it('OCIRepository: a key that loads but does not verify is skipped, as Flux skips it', () => {
    assert.equal(fluxKeyRule('oci-repository', ID, [key('a.pub'), key('old.pub')], signedBy('a.pub')), undefined);
  });

  it('HelmChart: any key it cannot load fails every reconcile', () => {
    assert.equal(fluxKeyRule('helm-chart', ID, [key('a.pub'), key('bad.pub', 'PEM decoding failed')], signedBy('a.pub'))?.outcome, 'refuse');
  });

  it('HelmChart: the first key in map order decides, so a key that does not verify makes it vary', () => {
    const r = fluxKeyRule('helm-chart', ID, [key('a.pub'), key('old.pub'), key('older.pub')], signedBy('a.pub'));
    assert.equal(r?.outcome, 'varies');
    assert.equal(r?.chance, '1 in 3');
    assert.equal(fluxKeyRule('helm-chart', ID, [key('a.pub'), key('b.pub')], signedBy('a.pub', 'b.pub')), undefined);
    assert.equal(fluxKeyRule('helm-chart', ID, [key('a.pub'), key('b.pub')], unsigned), undefined);
  });

  it('counts a legacy signature that only Flux\'s laxer claim rule passes as verifying for Flux', () => {
    const lax = [sig({ verified: false, code: 'cosign.claim-digest-mismatch', fluxVerified: true, mechanism: 'cosign-legacy', label: `${ID} · a.pub` })];
    assert.equal(fluxKeyRule('oci-repository', ID, [key('a.pub'), key('bad.pub', 'PEM decoding failed')], lax)?.outcome, 'varies');
  });

  it('names private keys and the password beside them, never other entries', () => {
    assert.deepEqual(exposedSigningMaterial([{ name: 'cosign.key', fluxKey: false, kind: 'private-key' }, { name: 'cosign.password', fluxKey: false, kind: 'not-pem' }, key('cosign.pub')]), ['cosign.key', 'cosign.password']);
    assert.deepEqual(exposedSigningMaterial([{ name: 'cosign.password', fluxKey: false, kind: 'not-pem' }, key('cosign.pub')]), []);
  });
});
