/** Shared helpers for the notation tests: fixture bytes, policies and trust stores. */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fixture } from '../../../helpers/paths.js';
import { loadTrustStore, trustStoreOf, validateTrustPolicy } from '../../../../src/verify/notation/index.js';
import type { StoreResult, StoreType, TrustPolicyDocument, TrustStore } from '../../../../src/verify/notation/index.js';

export const NOTATION = (...p: string[]): string => fixture('notation', ...p);
export const read = (...p: string[]): Buffer => readFileSync(NOTATION(...p));

export function policy(doc: unknown): TrustPolicyDocument {
  const r = validateTrustPolicy(doc);
  if (!r.ok) throw new Error(`test policy invalid: ${r.message}`);
  return r.value;
}

export function statement(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: 'test-statement-name',
    registryScopes: ['*'],
    signatureVerification: { level: 'strict' },
    trustStores: ['ca:valid-trust-store'],
    trustedIdentities: ['*'],
    ...over,
  };
}

export function doc(...statements: Record<string, unknown>[]): TrustPolicyDocument {
  return policy({ version: '1.0', trustPolicies: statements.length ? statements : [statement()] });
}

/** Load a fixture store directory (verifier-testdata/truststore/x509/<type>/<name>). */
export function fixtureStore(type: StoreType, name: string): StoreResult {
  const dir = NOTATION('verifier-testdata', 'truststore', 'x509', type, name);
  const files = readdirSync(dir).filter((f) => statSync(join(dir, f)).isFile()).sort().map((f) => ({ name: f, bytes: readFileSync(join(dir, f)) }));
  return loadTrustStore(type, name, files);
}

export function stores(map: Record<string, StoreResult>): TrustStore {
  return trustStoreOf(map);
}

export const ALPINE_STORE = (): StoreResult => loadTrustStore('ca', 'valid-trust-store', [{ name: 'alpine.crt', bytes: read('alpine-notation-example.crt.pem') }]);

export const LAYOUT_TARGET = {
  mediaType: 'application/vnd.oci.image.manifest.v1+json',
  digest: 'sha256:19dbd2e48e921426ee8ace4dc892edfb2ecdc1d1a72d5416c83670c30acecef0',
  size: 481,
};
export const EXAMPLE_TARGET = {
  mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
  digest: 'sha256:c0d488a800e4127c334ad20d61d7bc21b4097540327217dfab52262adc02380c',
  size: 528,
};
export const TIMESTAMP_TARGET = {
  mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
  digest: 'sha256:c0669ef34cdc14332c0f1ab0c2c01acb91d96014b172f1a76f3a39e63d1f0bda',
  size: 528,
};
export const FOUND = { via: 'file' } as const;
/** inside the alpine cert's validity (2000..2123) */
export const NOW = new Date('2026-01-01T00:00:00Z');
