import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { VerificationMemo, type ArtifactVerification } from '../../../src/audit/artifact.js';
import { audit } from '../../../src/audit/audit.js';
import { SecretCache, trustFingerprint } from '../../../src/audit/materials.js';
import type { PlanTrust } from '../../../src/graph/types.js';
import { createFileSource } from '../../../src/kube/files.js';
import type { ObjectSource, SecretResult } from '../../../src/kube/types.js';
import { openLayout } from '../../../src/registry/layout.js';
import type { ArtifactStore } from '../../../src/registry/store.js';
import { BUNDLE_TYPE, ecdsaKey, keyBundle, LayoutBuilder } from './layout-builder.js';

const root = mkdtempSync(join(tmpdir(), 'kv-shared-'));
after(() => rmSync(root, { recursive: true, force: true }));
const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);

function secrets(map: Record<string, Record<string, string>>): SecretCache {
  const source: ObjectSource = {
    description: {},
    list: async () => ({ objects: [], problems: [] }),
    getSecret: async (ns, name): Promise<SecretResult> => {
      const data = map[`${ns}/${name}`];
      return data ? { state: 'found', type: 'Opaque', data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, bytes(v)])) } : { state: 'not-found', message: 'no' };
    },
    getImagePullSecrets: async () => ({ names: [] }),
  };
  return new SecretCache(source);
}

const keyTrust = (namespace: string, secretRef = 'cosign-pub'): PlanTrust => ({ provider: 'cosign', mode: 'cosign-key', namespace, secretRef, matchOIDCIdentity: [], origin: 'object' });

describe('trustFingerprint', () => {
  it('is the same for the same content in different Secrets, and differs with the content', async () => {
    const s = secrets({ 'a/cosign-pub': { 'cosign.pub': 'KEY-1' }, 'b/other': { 'cosign.pub': 'KEY-1' }, 'c/cosign-pub': { 'cosign.pub': 'KEY-2' }, 'd/cosign-pub': { 'team.pub': 'KEY-1' } });
    const a = await trustFingerprint(keyTrust('a'), s);
    const b = await trustFingerprint(keyTrust('b', 'other'), s);
    assert.equal(a.fingerprint, b.fingerprint);
    assert.deepEqual([a.label, b.label], ['a/cosign-pub', 'b/other']);
    assert.notEqual((await trustFingerprint(keyTrust('c'), s)).fingerprint, a.fingerprint, 'another key');
    assert.notEqual((await trustFingerprint(keyTrust('d'), s)).fingerprint, a.fingerprint, 'another key name: the labels differ');
    assert.ok(!a.fingerprint.includes('KEY'), 'a hash, not the content');
  });

  it('keyless: the identities and the trusted root decide', async () => {
    const keyless = (issuer: string): PlanTrust => ({ provider: 'cosign', mode: 'cosign-keyless', namespace: 'a', matchOIDCIdentity: [{ issuer, subject: '.*' }], origin: 'object' });
    const s = secrets({});
    assert.equal((await trustFingerprint(keyless('x'), s)).fingerprint, (await trustFingerprint(keyless('x'), s)).fingerprint);
    assert.notEqual((await trustFingerprint(keyless('x'), s)).fingerprint, (await trustFingerprint(keyless('y'), s)).fingerprint);
  });
});

describe('VerificationMemo', () => {
  const result = (label: string): ArtifactVerification => ({
    reference: 'oci://r.example/app@sha256:00',
    discovery: { problems: [] },
    signatures: [],
    state: 'failed',
    code: 'cosign.signature-mismatch',
    message: `${label} · cosign.pub: signature does not match (also apps-10/cosign-pub stays)`,
  });

  it('verifies once and names each plan its own Secret', async () => {
    const memo = new VerificationMemo();
    let runs = 0;
    const verify = async (): Promise<ArtifactVerification> => {
      runs++;
      return result('apps-1/cosign-pub');
    };
    const first = await memo.run('k', 'apps-1/cosign-pub', verify);
    const second = await memo.run('k', 'apps-2/cosign-pub', verify);
    assert.equal(runs, 1);
    assert.equal(first.message, 'apps-1/cosign-pub · cosign.pub: signature does not match (also apps-10/cosign-pub stays)');
    assert.equal(second.message, 'apps-2/cosign-pub · cosign.pub: signature does not match (also apps-10/cosign-pub stays)');
    await memo.run('other', 'apps-1/cosign-pub', verify);
    assert.equal(runs, 2, 'another key is another verification');
  });
});

describe('an audit over one artifact named from many namespaces', () => {
  it('reads the registry once and verifies once, and each object still gets its own finding', async () => {
    const key = ecdsaKey();
    const b = new LayoutBuilder(join(root, 'app'));
    const subject = b.subject('1.0.0');
    b.referrer(subject, BUNDLE_TYPE, b.blob(keyBundle(key, subject.digest), BUNDLE_TYPE));
    const dir = b.write();
    const pub = Buffer.from(key.pem).toString('base64');
    const docs: string[] = [];
    const namespaces = ['apps-1', 'apps-2', 'apps-3', 'apps-4', 'apps-5'];
    for (const ns of namespaces) {
      docs.push(`apiVersion: source.toolkit.fluxcd.io/v1\nkind: OCIRepository\nmetadata: {name: app, namespace: ${ns}}\nspec:\n  url: oci://r.example/app\n  interval: 1m\n  ref: {tag: "1.0.0"}\n  verify: {provider: cosign, secretRef: {name: cosign-pub}}`);
      docs.push(`apiVersion: v1\nkind: Secret\nmetadata: {name: cosign-pub, namespace: ${ns}}\ndata: {cosign.pub: ${pub}}`);
    }
    const source = await createFileSource(['-'], { stdin: docs.join('\n---\n') });
    const calls: string[] = [];
    let opened = 0;
    const openStore = async (): Promise<ArtifactStore> => {
      opened++;
      const s = await openLayout(dir);
      const count = <A extends unknown[], R>(name: string, f: (...a: A) => Promise<R>) => (...a: A): Promise<R> => {
        calls.push(name);
        return f(...a);
      };
      return {
        location: s.location,
        resolve: count('resolve', (r, o) => s.resolve(r, o)),
        fetchManifest: count('manifest', (r, o) => s.fetchManifest(r, o)),
        fetchBlob: count('blob', (d, o) => s.fetchBlob(d, o)),
        listTags: count('tags', (o) => s.listTags(o)),
        listReferrers: count('referrers', (d, o) => s.listReferrers(d, o)),
        close: () => s.close(),
      };
    };
    const report = await audit(source, { scope: {}, now: new Date('2026-06-01T00:00:00Z'), version: 'test', openStore });
    const nodes = report.nodes.filter((n) => n.kind === 'OCIRepository');
    assert.equal(nodes.length, namespaces.length);
    assert.deepEqual([opened, calls.sort()], [1, ['manifest', 'referrers', 'resolve', 'blob'].sort()], 'one read of each kind for all five objects');
    for (const n of nodes) {
      const verified = n.signatures.find((s) => s.verified);
      assert.ok(verified, `${n.namespace}: verified`);
      assert.deepEqual(verified.attempts.map((a) => a.trust.label), [`${n.namespace}/cosign-pub · cosign.pub`], 'the label names the object\'s own Secret');
    }
  });
});
