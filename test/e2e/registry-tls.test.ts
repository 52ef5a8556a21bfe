import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Report } from '../../src/report/model.js';
import { runPlugin } from '../lab/plugin.js';
import { startRegistry, type RunningRegistry } from '../lab/registries.js';
import { useSeededLab } from '../lab/seeded.js';
import { makeLabCa, type LabCa } from '../lab/tls.js';

// The seeded olareg's content served again over HTTPS by two read-only olareg instances: one with a
// certificate from the lab's own CA, one with a certificate that expired in 2020.
describe('registries behind TLS', () => {
  const lab = useSeededLab('tls');
  let ca: LabCa;
  let valid: RunningRegistry;
  let expired: RunningRegistry;

  before(async () => {
    const dir = join(lab().dir, 'ca');
    mkdirSync(dir);
    ca = await makeLabCa(dir);
    const data = lab().olareg.dir;
    valid = await startRegistry('olareg', { dir: data, readOnly: true, tls: ca.valid });
    expired = await startRegistry('olareg', { dir: data, readOnly: true, tls: ca.expired });
  });
  after(async () => {
    await valid?.stop();
    await expired?.stop();
  });

  const ref = (host: string): string => `oci://${host}/cosign-bundle-ecdsa:1.0.0`;
  const key = (): string => lab().seed.material.cosignKeys.ecdsa.pub;

  it('verifies with the CA given by --ca-file', async () => {
    const r = await runPlugin(['artifact', ref(valid.host), '--key', key(), '--ca-file', ca.ca]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
  });

  it('refuses a certificate from an unknown CA with registry.tls and exit 3, never "not verified"', async () => {
    const r = await runPlugin(['artifact', ref(valid.host), '--key', key()]);
    assert.equal(r.code, 3, r.stdout + r.stderr);
    assert.match(r.stdout, /^✘ could not verify: .*TLS failed: the server's certificate .*(--ca-file|certSecretRef).*\[registry\.tls\]$/m);
  });

  it('says an expired server certificate is expired', async () => {
    const r = await runPlugin(['artifact', ref(expired.host), '--key', key(), '--ca-file', ca.ca]);
    assert.equal(r.code, 3, r.stdout + r.stderr);
    assert.match(r.stdout, /CERT_HAS_EXPIRED/);
    assert.match(r.stdout, /\[registry\.tls\]/);
  });

  it('with --insecure and no CA accepts any certificate over HTTPS, as Flux does with spec.insecure', async () => {
    const r = await runPlugin(['artifact', ref(valid.host), '--key', key(), '--insecure']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
  });

  it('takes the CA from an OCIRepository’s certSecretRef, and fails without it', async () => {
    const b64 = (f: string): string => readFileSync(f).toString('base64');
    const url = ref(valid.host).replace(/:1\.0\.0$/, '');
    const objects = (withCa: boolean): string =>
      [
        `apiVersion: v1\nkind: Secret\nmetadata: {name: cosign-pub, namespace: tls}\ndata: {cosign.pub: ${b64(key())}}`,
        `apiVersion: v1\nkind: Secret\nmetadata: {name: registry-ca, namespace: tls}\ndata: {ca.crt: ${b64(ca.ca)}}`,
        `apiVersion: source.toolkit.fluxcd.io/v1\nkind: OCIRepository\nmetadata: {name: app, namespace: tls}\nspec:\n  interval: 10m\n  url: ${url}\n  ref: {tag: "1.0.0"}\n  verify: {provider: cosign, secretRef: {name: cosign-pub}}\n${withCa ? '  certSecretRef: {name: registry-ca}\n' : ''}status:\n  artifact: {revision: "1.0.0@${lab().seed.cases.find((c) => c.name === 'cosign-bundle-ecdsa')?.digest ?? ''}", digest: "sha256:${'0'.repeat(64)}", path: x, url: x, lastUpdateTime: "2026-11-01T00:00:00Z"}`,
      ].join('\n---\n');
    for (const withCa of [true, false]) {
      const file = join(lab().dir, `fleet-${withCa}.yaml`);
      writeFileSync(file, objects(withCa));
      const r = await runPlugin(['-f', file, '-o', 'json']);
      const node = (JSON.parse(r.stdout) as Report).nodes.find((n) => n.name === 'app');
      assert.ok(node, r.stderr);
      if (withCa) assert.equal(node.finding.state, 'verified', node.finding.message);
      else {
        assert.equal(node.finding.state, 'error', node.finding.message);
        assert.ok(node.finding.reasons.includes('registry-error'), node.finding.reasons.join(','));
        assert.match(node.finding.message, /TLS/);
      }
    }
  });
});
