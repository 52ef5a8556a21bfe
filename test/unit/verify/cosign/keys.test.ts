import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fixture } from '../../../helpers/paths.js';
import { parsePublicKeyPem, SIMPLE_SIGNING_MEDIA_TYPE, verifyCosignLegacy } from '../../../../src/verify/cosign/index.js';
import type { KeyTrust, LegacySignatureInput } from '../../../../src/verify/cosign/index.js';
import { must } from './must.js';

const now = new Date('2026-01-01T00:00:00Z');
const DIGEST = 'sha256:' + 'a1'.repeat(32);
const payload = Buffer.from(`{"critical":{"identity":{"docker-reference":"registry.example/app"},"image":{"docker-manifest-digest":"${DIGEST}"},"type":"cosign container image signature"},"optional":null}`);

interface Generated {
  readonly name: string;
  readonly privateKey: KeyObject;
  readonly pem: string;
  readonly hash: string | null;
}

function generated(): Generated[] {
  const ec = (curve: string) => generateKeyPairSync('ec', { namedCurve: curve });
  const out: Generated[] = [];
  for (const [name, curve] of [['ecdsa-p256', 'prime256v1'], ['ecdsa-p384', 'secp384r1'], ['ecdsa-p521', 'secp521r1']] as const) {
    const k = ec(curve);
    out.push({ name, privateKey: k.privateKey, pem: k.publicKey.export({ format: 'pem', type: 'spki' }).toString(), hash: 'sha256' });
  }
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  out.push({ name: 'rsa-2048 PKIX', privateKey: rsa.privateKey, pem: rsa.publicKey.export({ format: 'pem', type: 'spki' }).toString(), hash: 'sha256' });
  out.push({ name: 'rsa-2048 PKCS#1', privateKey: rsa.privateKey, pem: rsa.publicKey.export({ format: 'pem', type: 'pkcs1' }).toString(), hash: 'sha256' });
  const ed = generateKeyPairSync('ed25519');
  out.push({ name: 'ed25519', privateKey: ed.privateKey, pem: ed.publicKey.export({ format: 'pem', type: 'spki' }).toString(), hash: null });
  return out;
}

function layer(signature: Buffer): LegacySignatureInput {
  return {
    artifactDigest: DIGEST,
    mediaType: SIMPLE_SIGNING_MEDIA_TYPE,
    annotations: { 'dev.cosignproject.cosign/signature': signature.toString('base64') },
    payload,
    foundAt: { via: 'sig-tag', tag: 'sha256-a1.sig' },
  };
}

const trustOf = (...pems: [string, string][]): KeyTrust => ({ kind: 'key', keys: pems.map(([label, pem]) => ({ ref: { kind: 'key', label, source: 'object' }, pem })) });

describe('cosign keys: generated key types', () => {
  const keys = generated();

  for (const k of keys) {
    it(`${k.name}: a simple-signing payload signed with sha256 verifies, and a wrong key fails with per-key evidence`, () => {
      const signature = sign(k.hash, payload, k.privateKey);
      const other = must(keys.find((o) => o.privateKey !== k.privateKey && o.name !== k.name));
      const ev = verifyCosignLegacy(layer(signature), trustOf(['other', other.pem], ['right', k.pem]), { now });
      assert.equal(ev.verified, true, JSON.stringify(ev));
      assert.deepEqual(ev.attempts.map((a) => [a.trust.label, a.ok]), [['other', false], ['right', true]]);
      assert.equal(ev.attempts[0]?.checks[0]?.code, 'cosign.signature-mismatch');
      const spki = parsePublicKeyPem(k.pem).spki;
      const fp = `SHA256:${createHash('sha256').update(spki).digest('base64').replace(/=+$/, '')}`;
      assert.equal(ev.signer?.keyFingerprint, fp);
      assert.equal(ev.attempts[1]?.trust.fingerprint, fp);
    });
  }

  it('a P-384 signature over sha384 is named as such (Flux hard-codes sha256)', () => {
    const k = must(keys.find((x) => x.name === 'ecdsa-p384'));
    const ev = verifyCosignLegacy(layer(sign('sha384', payload, k.privateKey)), trustOf(['p384', k.pem]), { now });
    assert.equal(ev.verified, false);
    assert.equal(ev.attempts[0]?.checks[0]?.code, 'cosign.signature-digest-algorithm');
  });

  it('reads the fixture keys: cosign.pub (P-256) and some-rsa-key.pub', () => {
    assert.equal(parsePublicKeyPem(readFileSync(fixture('cosign-legacy', 'cosign.pub'), 'utf8')).algorithm, 'ecdsa-p256');
    assert.match(parsePublicKeyPem(readFileSync(fixture('cosign-legacy', 'some-rsa-key.pub'), 'utf8')).algorithm, /^rsa-\d+$/);
  });
});

describe('cosign keys: malformed trust material', () => {
  const good = must(generated()[0]);
  const signature = sign('sha256', payload, good.privateKey);
  const bad: [string, string][] = [
    ['empty', ''],
    ['not PEM', 'hello'],
    ['truncated body', good.pem.slice(0, 60) + '\n-----END PUBLIC KEY-----\n'],
    ['private key', good.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString()],
    ['certificate', readFileSync(fixture('cosign-legacy', 'fulcio-cert'), 'utf8')],
    ['two keys in one entry', good.pem + good.pem],
    ['x25519 key', generateKeyPairSync('x25519').publicKey.export({ format: 'pem', type: 'spki' }).toString()],
  ];
  for (const [name, pem] of bad) {
    it(`${name} → cosign.key-invalid, other keys still tried`, () => {
      assert.throws(() => parsePublicKeyPem(pem), (e: { code?: string }) => e.code === 'cosign.key-invalid');
      const ev = verifyCosignLegacy(layer(signature), trustOf([name, pem], ['good', good.pem]), { now });
      assert.equal(ev.verified, true);
      assert.deepEqual(ev.attempts.map((a) => a.checks[0]?.code), ['cosign.key-invalid', 'ok']);
    });
  }

  it('non-JSON payload → cosign.payload-invalid (the signature itself verifies; Flux would accept)', () => {
    const text = Buffer.from('not json');
    const ev = verifyCosignLegacy({ ...layer(sign('sha256', text, good.privateKey)), payload: text }, trustOf(['good', good.pem]), { now });
    assert.equal(ev.verified, false);
    assert.equal(ev.fluxVerified, true);
    assert.deepEqual(ev.attempts[0]?.checks.filter((c) => !c.ok).map((c) => c.code), ['cosign.payload-invalid']);
  });

  it('wrong critical.type → cosign.claim-type', () => {
    const other = Buffer.from(payload.toString().replace('cosign container image signature', 'something else'));
    const ev = verifyCosignLegacy({ ...layer(sign('sha256', other, good.privateKey)), payload: other }, trustOf(['good', good.pem]), { now });
    assert.deepEqual(ev.attempts[0]?.checks.filter((c) => !c.ok).map((c) => c.code), ['cosign.claim-type']);
  });

  it('non-base64 signature annotation → cosign.signature-malformed; wrong media type → cosign.media-type', () => {
    const l = layer(signature);
    assert.equal(verifyCosignLegacy({ ...l, annotations: { 'dev.cosignproject.cosign/signature': '!!!' } }, trustOf(['good', good.pem]), { now }).error?.code, 'cosign.signature-malformed');
    assert.equal(verifyCosignLegacy({ ...l, mediaType: 'text/plain' }, trustOf(['good', good.pem]), { now }).error?.code, 'cosign.media-type');
  });

  it('a key trust with no keys verifies nothing', () => {
    const ev = verifyCosignLegacy(layer(signature), trustOf(), { now });
    assert.equal(ev.verified, false);
    assert.deepEqual(ev.attempts, []);
  });
});
