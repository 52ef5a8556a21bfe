// Fail closed under mutation: flipping authenticated bytes never yields a verified signature, and
// nothing throws out of the public functions, whatever the input.
import assert from 'node:assert/strict';
import { generateKeyPairSync, sign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { bundleFromJSON, bundleToJSON } from '@sigstore/bundle';
import { fixture } from '../../../helpers/paths.js';
import { BUNDLE_MEDIA_TYPE, SIMPLE_SIGNING_MEDIA_TYPE, verifyCosignBundle, verifyCosignLegacy } from '../../../../src/verify/cosign/index.js';
import type { CosignTrust, KeylessTrust, LegacySignatureInput } from '../../../../src/verify/cosign/index.js';
import { parseTrustedRoot, publicGoodTrustedRoot } from '../../../../src/verify/trust/index.js';
import { legacyDir, manifestDigest, readPem, readSignatureFile, signatureFiles } from './dir-layout.js';
import { must } from './must.js';

const SEED = 20260801;
const RUNS = 150;
const now = new Date('2026-01-01T00:00:00Z');

/** Flips one byte at `at` (mod length) with a non-zero `mask`. */
function flip(bytes: Uint8Array, at: number, mask: number): Buffer {
  const out = Buffer.from(bytes);
  if (out.length === 0) return out;
  const i = at % out.length;
  out[i] = (out[i] ?? 0) ^ mask;
  return out;
}
const flipB64 = (b64: string, at: number, mask: number) => flip(Buffer.from(b64, 'base64'), at, mask).toString('base64');
function flipHexDigest(digest: string, at: number): string {
  const hex = digest.slice(7).split('');
  const i = at % hex.length;
  hex[i] = hex[i] === '0' ? '1' : '0';
  return `sha256:${hex.join('')}`;
}
const position = fc.nat({ max: 1_000_000 });
const mask = fc.integer({ min: 1, max: 255 });

// --- legacy, key ------------------------------------------------------------
const generated = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
const DIGEST = 'sha256:' + '5e'.repeat(32);
const payload = Buffer.from(`{"critical":{"identity":{"docker-reference":"r.example/app"},"image":{"docker-manifest-digest":"${DIGEST}"},"type":"cosign container image signature"},"optional":null}`);
const keySig: LegacySignatureInput = {
  artifactDigest: DIGEST,
  mediaType: SIMPLE_SIGNING_MEDIA_TYPE,
  annotations: { 'dev.cosignproject.cosign/signature': sign('sha256', payload, generated.privateKey).toString('base64') },
  payload,
  foundAt: { via: 'sig-tag' },
};
const keyTrust: CosignTrust = { kind: 'key', keys: [{ ref: { kind: 'key', label: 'gen', source: 'flag' }, pem: generated.publicKey.export({ format: 'pem', type: 'spki' }).toString() }] };

// --- legacy, keyless (Fulcio + Rekor SET) and key + SET -----------------------
function firstSig(dir: string): LegacySignatureInput {
  const d = legacyDir(dir);
  const s = signatureFiles(d).map((f) => readSignatureFile(f, must(manifestDigest(d))))[0];
  assert.ok(s);
  return s;
}
const fulcioSig = firstSig('dir-img-cosign-fulcio-rekor-valid');
const fulcioTrust: CosignTrust = { kind: 'keyless', identities: [], trustedRoot: publicGoodTrustedRoot(), trustedRootRef: { kind: 'trusted-root', label: 'pg', source: 'builtin' } };
const rekorKeySig = firstSig('dir-img-cosign-key-rekor-valid');
const rekorKeyTrust: CosignTrust = { kind: 'key', keys: [{ ref: { kind: 'key', label: 'cosign2.pub', source: 'flag' }, pem: readPem('cosign-legacy', 'cosign2.pub') }], trustedRoot: publicGoodTrustedRoot(), requireTlog: true };

const SIG = 'dev.cosignproject.cosign/signature';
const CERT = 'dev.sigstore.cosign/certificate';
const SET = 'dev.sigstore.cosign/bundle';

function mutateSet(text: string, field: number, at: number, m: number): string {
  const a = JSON.parse(text) as { SignedEntryTimestamp: string; Payload: { body: string; integratedTime: number; logIndex: number; logID: string } };
  switch (field % 5) {
    case 0: a.SignedEntryTimestamp = flipB64(a.SignedEntryTimestamp, at, m); break;
    case 1: a.Payload.body = flipB64(a.Payload.body, at, m); break;
    case 2: a.Payload.integratedTime += (at % 1000) + 1; break;
    case 3: a.Payload.logIndex += (at % 1000) + 1; break;
    default: a.Payload.logID = flipHexDigest(`sha256:${a.Payload.logID}`, at).slice(7);
  }
  return JSON.stringify(a);
}
function mutateCertPem(pem: string, at: number, m: number): string {
  const body = pem.replace(/-----(BEGIN|END) CERTIFICATE-----|\s/g, '');
  return `-----BEGIN CERTIFICATE-----\n${flipB64(body, at, m)}\n-----END CERTIFICATE-----\n`;
}

function legacyMutant(base: LegacySignatureInput, what: number, at: number, m: number): LegacySignatureInput {
  const ann = { ...base.annotations };
  switch (what % 5) {
    case 0: return { ...base, annotations: { ...ann, [SIG]: flipB64(ann[SIG] ?? '', at, m) } };
    case 1: return { ...base, payload: flip(base.payload, at, m) };
    case 2: return { ...base, artifactDigest: flipHexDigest(base.artifactDigest, at) };
    case 3: return ann[CERT] ? { ...base, annotations: { ...ann, [CERT]: mutateCertPem(ann[CERT], at, m) } } : { ...base, payload: flip(base.payload, at, m) };
    default: return ann[SET] ? { ...base, annotations: { ...ann, [SET]: mutateSet(ann[SET], at, m, m) } } : { ...base, annotations: { ...ann, [SIG]: flipB64(ann[SIG] ?? '', at, m) } };
  }
}

describe('fail closed under mutation: legacy signatures', () => {
  for (const [name, base, trust] of [
    ['generated P-256 key', keySig, keyTrust],
    ['Fulcio + Rekor (keyless)', fulcioSig, fulcioTrust],
    ['key + Rekor SET, tlog required', rekorKeySig, rekorKeyTrust],
  ] as const) {
    it(`${name}: the unmutated signature verifies`, () => assert.equal(verifyCosignLegacy(base, trust, { now }).verified, true));

    it(`${name}: no flipped signature, payload, certificate, SET or digest verifies`, () => {
      fc.assert(
        fc.property(fc.nat(), position, mask, (what, at, m) => {
          const ev = verifyCosignLegacy(legacyMutant(base, what, at, m), trust, { now });
          return ev.verified === false;
        }),
        { seed: SEED, numRuns: RUNS },
      );
    });
  }

  it('arbitrary layers never throw', () => {
    fc.assert(
      fc.property(fc.string(), fc.dictionary(fc.constantFrom(SIG, CERT, SET, 'x'), fc.string()), fc.uint8Array(), fc.string(), (mediaType, annotations, bytes, digest) => {
        for (const t of [keyTrust, fulcioTrust]) {
          const ev = verifyCosignLegacy({ artifactDigest: digest, mediaType: must(fc.sample(fc.constantFrom(mediaType, SIMPLE_SIGNING_MEDIA_TYPE), { seed: bytes.length, numRuns: 1 })[0]), annotations, payload: bytes, foundAt: { via: 'file' } }, t, { now });
          assert.equal(ev.verified, false);
        }
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });
});

// --- bundles ---------------------------------------------------------------------
const bundleText = readFileSync(fixture('cosign-bundle', 'oci-attestation.sigstore.json'), 'utf8');
const SUBJECT = 'sha256:732112270d7e59418a8c080b134b24cabd67d250d0d0147a97ed95ba5c280aa4';
const bundleTrust: KeylessTrust = { kind: 'keyless', identities: [], trustedRoot: parseTrustedRoot(readFileSync(fixture('cosign-bundle', 'trusted_root_pgi.json'))), trustedRootRef: { kind: 'trusted-root', label: 'pgi', source: 'flag' } };
const verifyBundle = (bytes: Uint8Array, digest = SUBJECT) => verifyCosignBundle({ artifactDigest: digest, mediaType: BUNDLE_MEDIA_TYPE, bundle: bytes, foundAt: { via: 'referrers-api' } }, bundleTrust, { now });

type Json = Record<string, unknown>;
/** The bundle's authenticated byte fields, as [getter, setter] over its JSON. */
const FIELDS: ((b: Json, f: (s: string) => string) => void)[] = [
  (b, f) => { const e = b.dsseEnvelope as Json; e.payload = f(e.payload as string); },
  (b, f) => { const s = must(((b.dsseEnvelope as Json).signatures as Json[])[0]); s.sig = f(s.sig as string); },
  (b, f) => { const c = (b.verificationMaterial as Json).certificate as Json; c.rawBytes = f(c.rawBytes as string); },
  (b, f) => { const t = must(((b.verificationMaterial as Json).tlogEntries as Json[])[0]); t.canonicalizedBody = f(t.canonicalizedBody as string); },
  (b, f) => { const p = (must(((b.verificationMaterial as Json).tlogEntries as Json[])[0]).inclusionPromise as Json); p.signedEntryTimestamp = f(p.signedEntryTimestamp as string); },
  (b, f) => { const p = (must(((b.verificationMaterial as Json).tlogEntries as Json[])[0]).inclusionProof as Json); p.rootHash = f(p.rootHash as string); },
  (b, f) => { const p = (must(((b.verificationMaterial as Json).tlogEntries as Json[])[0]).inclusionProof as Json); const h = p.hashes as string[]; h[0] = f(must(h[0])); },
];

describe('fail closed under mutation: bundles', () => {
  it('the unmutated bundle verifies', () => assert.equal(verifyBundle(Buffer.from(bundleText)).verified, true));

  it('no flipped payload, signature, certificate, tlog body, SET or inclusion proof verifies', () => {
    fc.assert(
      fc.property(fc.nat({ max: FIELDS.length - 1 }), position, mask, (field, at, m) => {
        const json = JSON.parse(bundleText) as Json;
        must(FIELDS[field])(json, (s) => flipB64(s, at, m));
        return verifyBundle(Buffer.from(JSON.stringify(json))).verified === false;
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('no other artifact digest verifies', () => {
    fc.assert(fc.property(position, (at) => verifyBundle(Buffer.from(bundleText), flipHexDigest(SUBJECT, at)).verified === false), { seed: SEED, numRuns: RUNS });
  });

  it('raw byte flips anywhere never throw, and verify only if the bundle still means the same', () => {
    const canonical = JSON.stringify(bundleToJSON(bundleFromJSON(JSON.parse(bundleText))));
    fc.assert(
      fc.property(position, mask, (at, m) => {
        const mutated = flip(Buffer.from(bundleText), at, m);
        const ev = verifyBundle(mutated);
        if (!ev.verified) return true;
        return JSON.stringify(bundleToJSON(bundleFromJSON(JSON.parse(mutated.toString('utf8'))))) === canonical;
      }),
      { seed: SEED, numRuns: RUNS * 2 },
    );
  });

  it('arbitrary bytes as a bundle never throw', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 512 }), fc.string(), (bytes, digest) => verifyBundle(bytes, digest).verified === false), { seed: SEED, numRuns: RUNS });
  });
});
