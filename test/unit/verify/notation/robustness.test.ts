import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decodeCbor, NotationError, parseCose, parseJws, verifyNotationSignature } from '../../../../src/verify/notation/index.js';
import type { NotationCode } from '../../../../src/verify/notation/index.js';
import { ALPINE_STORE, FOUND, LAYOUT_TARGET, NOW, doc, read, statement, stores } from './helpers.js';

const SEED = 20260101;
const JWS = read('jws_signature.sig');
const COSE = read('cose_signature.sig');

function run(envelope: Uint8Array, envelopeMediaType: string) {
  return verifyNotationSignature({
    envelope, envelopeMediaType, target: LAYOUT_TARGET, reference: `local/oci-layout@${LAYOUT_TARGET.digest}`,
    policy: doc(statement()), trustStore: stores({ 'ca:valid-trust-store': ALPINE_STORE() }), now: NOW, foundAt: FOUND,
  });
}

function codeOf(fn: () => unknown): NotationCode | 'ok' {
  try {
    fn();
    return 'ok';
  } catch (e) {
    assert.ok(e instanceof NotationError, `expected NotationError, got ${String(e)}`);
    return e.code;
  }
}

describe('fail closed under mutation', () => {
  for (const [name, bytes, mt] of [['JWS', JWS, 'application/jose+json'], ['COSE', COSE, 'application/cose']] as const) {
    test(`${name}: flipping any byte never verifies and never throws`, () => {
      assert.equal(run(bytes, mt).outcome, 'verified');
      fc.assert(fc.property(fc.nat({ max: bytes.length - 1 }), fc.integer({ min: 1, max: 255 }), (i, x) => {
        const m = Buffer.from(bytes);
        m[i] = (m[i] as number) ^ x;
        const r = run(m, mt);
        // JSON whitespace or unprotected headers may change without touching signed bytes; then it must still equal the original claims.
        if (r.outcome === 'verified') {
          const orig = name === 'JWS' ? parseJws(bytes) : parseCose(bytes);
          const now = name === 'JWS' ? parseJws(m) : parseCose(m);
          assert.ok(orig.signedBytes.equals(now.signedBytes) && orig.signature.equals(now.signature) && orig.certChain[0]?.equals(now.certChain[0] as Buffer));
        }
      }), { seed: SEED, numRuns: 400 });
    });
  }
  test('JWS: flipping a byte of the decoded payload, protected header, signature or certificate never verifies', () => {
    const env = JSON.parse(JWS.toString()) as { payload: string; protected: string; signature: string; header: { x5c: string[] } };
    const fields = ['payload', 'protected', 'signature', 'x5c'] as const;
    fc.assert(fc.property(fc.constantFrom(...fields), fc.nat(), fc.integer({ min: 1, max: 255 }), (field, at, x) => {
      const e = structuredClone(env);
      const get = (): Buffer => field === 'x5c' ? Buffer.from(e.header.x5c[0] as string, 'base64') : Buffer.from(e[field], 'base64url');
      const b = get();
      const i = at % b.length;
      b[i] = (b[i] as number) ^ x;
      if (field === 'x5c') e.header.x5c[0] = b.toString('base64');
      else e[field] = b.toString('base64url');
      const r = run(Buffer.from(JSON.stringify(e)), 'application/jose+json');
      assert.notEqual(r.outcome, 'verified');
      assert.ok(r.code);
    }), { seed: SEED, numRuns: 300 });
  });
  test('random bytes as either envelope never verify and never throw', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 600 }), fc.boolean(), (b, cose) => {
      const r = run(b, cose ? 'application/cose' : 'application/jose+json');
      assert.equal(r.outcome, 'failed');
    }), { seed: SEED, numRuns: 500 });
  });
  test('truncating an envelope at any point never verifies', () => {
    for (const [bytes, mt] of [[JWS, 'application/jose+json'], [COSE, 'application/cose']] as const) {
      for (let n = 0; n < bytes.length; n += 7) assert.equal(run(bytes.subarray(0, n), mt).outcome, 'failed');
    }
  });
});

describe('malformed inputs give distinct codes', () => {
  test('CBOR: truncated, deep, huge lengths, indefinite, duplicate keys, trailing bytes, floats', () => {
    assert.equal(codeOf(() => decodeCbor(COSE.subarray(0, 100))), 'notation.envelope-invalid');
    assert.equal(codeOf(() => decodeCbor(Buffer.alloc(10000, 0x81))), 'notation.envelope-invalid');
    assert.equal(codeOf(() => decodeCbor(Buffer.from([0x5b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]))), 'notation.envelope-invalid');
    assert.equal(codeOf(() => decodeCbor(Buffer.from([0x5a, 0x7f, 0xff, 0xff, 0xff]))), 'notation.envelope-invalid');
    assert.equal(codeOf(() => decodeCbor(Buffer.from([0x9a, 0x7f, 0xff, 0xff, 0xff]))), 'notation.envelope-invalid');
    assert.equal(codeOf(() => decodeCbor(Buffer.from([0x9f, 0x01, 0xff]))), 'notation.envelope-invalid');
    assert.equal(codeOf(() => decodeCbor(Buffer.from([0xa2, 0x01, 0x01, 0x01, 0x02]))), 'notation.envelope-invalid');
    assert.equal(codeOf(() => decodeCbor(Buffer.from([0x01, 0x02]))), 'notation.envelope-invalid');
    assert.equal(codeOf(() => decodeCbor(Buffer.from([0xf9, 0x3c, 0x00]))), 'notation.envelope-invalid');
    assert.equal(codeOf(() => decodeCbor(Buffer.from([0x62, 0xff, 0xfe]))), 'notation.envelope-invalid');
    assert.equal(codeOf(() => decodeCbor(Buffer.from([0xa1, 0x80, 0x01]))), 'notation.envelope-invalid');
    assert.deepEqual(decodeCbor(Buffer.from([0x83, 0x01, 0x20, 0x41, 0x07])), [1, -1, Uint8Array.from([7])]);
  });
  test('CBOR: a million nested arrays is refused quickly', () => {
    const t = Date.now();
    assert.equal(codeOf(() => decodeCbor(Buffer.alloc(1_000_000, 0x81))), 'notation.envelope-invalid');
    assert.ok(Date.now() - t < 1000);
  });
  test('COSE: untagged, wrong tag, wrong arity, detached payload, x5chain a single bstr, unsupported alg', () => {
    const t = decodeCbor(COSE) as { tag: number; value: unknown[] };
    assert.equal(t.tag, 18);
    assert.equal(run(COSE.subarray(1), 'application/cose').code, 'notation.envelope-invalid');
    const retag = Buffer.from(COSE); retag[0] = 0xd1;
    assert.equal(run(retag, 'application/cose').code, 'notation.envelope-invalid');
    const arity = Buffer.from(COSE); arity[1] = 0x83;
    assert.equal(run(arity, 'application/cose').outcome, 'failed');
  });
  test('JWS: non-JSON, non-object, bad base64url, general serialization, unknown alg', () => {
    assert.equal(codeOf(() => parseJws(Buffer.from('not json'))), 'notation.envelope-invalid');
    assert.equal(codeOf(() => parseJws(Buffer.from('[1]'))), 'notation.envelope-invalid');
    assert.equal(codeOf(() => parseJws(Buffer.from([0xff, 0xfe]))), 'notation.envelope-invalid');
    const env = JSON.parse(JWS.toString()) as Record<string, unknown>;
    assert.equal(codeOf(() => parseJws(Buffer.from(JSON.stringify({ ...env, payload: 'a+b/' })))), 'notation.envelope-invalid');
    assert.equal(codeOf(() => parseJws(Buffer.from(JSON.stringify({ ...env, payload: `${env.payload as string}=` })))), 'notation.envelope-invalid');
    assert.equal(codeOf(() => parseJws(Buffer.from(JSON.stringify({ ...env, signatures: [] })))), 'notation.envelope-unsupported');
    const hdr = Buffer.from(JSON.stringify({ alg: 'HS256', crit: ['io.cncf.notary.signingScheme'] })).toString('base64url');
    assert.equal(codeOf(() => parseJws(Buffer.from(JSON.stringify({ ...env, protected: hdr })))), 'notation.envelope-unsupported');
    const t = Date.now();
    assert.equal(codeOf(() => parseJws(Buffer.from(`${'['.repeat(100000)}${']'.repeat(100000)}`))), 'notation.envelope-invalid');
    assert.ok(Date.now() - t < 2000);
  });
  test('unknown envelope media type is unsupported', () => {
    assert.equal(run(JWS, 'application/octet-stream').code, 'notation.envelope-unsupported');
  });
});
