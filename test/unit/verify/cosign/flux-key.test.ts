// How source-controller reads each entry of a cosign verify Secret (docs/flux-rules.md §1): the
// texts are those of sigstore's UnmarshalPEMToPublicKey and LoadVerifier at the pinned version.
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { describe, it } from 'node:test';
import { fluxKeyError, inspectSecretEntries } from '../../../../src/verify/cosign/flux-key.js';

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);
const ec = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
const pubPem = ec.publicKey.export({ type: 'spki', format: 'pem' }).toString();
const privPem = ec.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

describe('Flux reading a verify Secret entry', () => {
  it('loads ECDSA, RSA (PKIX and PKCS#1) and Ed25519 public keys', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const ed = generateKeyPairSync('ed25519');
    for (const pem of [pubPem, rsa.publicKey.export({ type: 'spki', format: 'pem' }).toString(), rsa.publicKey.export({ type: 'pkcs1', format: 'pem' }).toString(), ed.publicKey.export({ type: 'spki', format: 'pem' }).toString()]) {
      assert.equal(fluxKeyError(bytes(pem)), undefined, pem);
    }
  });

  it('gives Flux\'s error for what is not a public key', () => {
    assert.equal(fluxKeyError(bytes('this is not a PEM block\n')), 'PEM decoding failed');
    assert.equal(fluxKeyError(bytes(privPem)), 'unknown Public key PEM file type: PRIVATE KEY. Are you passing the correct public key?');
    assert.equal(fluxKeyError(bytes('-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED SIGSTORE PRIVATE KEY-----\n')), 'unknown Public key PEM file type: ENCRYPTED SIGSTORE PRIVATE KEY. Are you passing the correct public key?');
    assert.equal(fluxKeyError(bytes('-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n')), 'x509: failed to parse public key');
    const x25519 = generateKeyPairSync('x25519').publicKey.export({ type: 'spki', format: 'pem' }).toString();
    assert.equal(fluxKeyError(bytes(x25519)), 'unsupported public key type');
  });

  it('classifies every entry by name and kind, and never keeps a value', () => {
    const entries = inspectSecretEntries({ 'cosign.pub': bytes(pubPem), 'cosign.key': bytes(privPem), 'cosign.password': bytes('hunter2'), 'empty.pub': new Uint8Array(), 'signing.pub': bytes(privPem) });
    assert.deepEqual(entries, [
      { name: 'cosign.key', fluxKey: false, kind: 'private-key' },
      { name: 'cosign.password', fluxKey: false, kind: 'not-pem' },
      { name: 'cosign.pub', fluxKey: true, kind: 'public-key' },
      { name: 'empty.pub', fluxKey: true, kind: 'empty' },
      { name: 'signing.pub', fluxKey: true, kind: 'private-key', fluxError: 'unknown Public key PEM file type: PRIVATE KEY. Are you passing the correct public key?' },
    ]);
    assert.ok(!JSON.stringify(entries).includes('hunter2'));
    assert.ok(!JSON.stringify(entries).includes(privPem.split('\n')[1] ?? 'x'));
  });
});
