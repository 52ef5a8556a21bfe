import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { detailLines, lineText } from '../../../src/tui/detail.js';
import { yamlLines } from '../../../src/tui/yaml-view.js';
import { REASONS } from '../../../src/verdict/reasons.js';
import { DIGEST, fleet, node, OTHER, report, semverNode } from './fixtures.js';

describe('detailLines', () => {
  it('shows the signature, the key tried, the deciding check and the next step', () => {
    const r = fleet();
    const wk = r.nodes.find((n) => n.name === 'wrong-key');
    assert.ok(wk);
    const text = detailLines(wk, r).map(lineText).join('\n');
    assert.match(text, /OCIRepository apps\/wrong-key {3}✘ FAILED · wrong key/);
    assert.ok(text.includes('oci://registry.example/wrong-key'));
    assert.ok(text.includes(DIGEST), 'full digest');
    assert.ok(text.includes(`OCI 1.1 referrers API  ${OTHER}`));
    assert.ok(text.includes('key apps/cosign-pub · cosign.pub  SHA256:77ab   ✘ signature: signature does not verify with this key  [cosign.signature-mismatch]'));
    assert.ok(text.includes(`next      ${REASONS['wrong-key'].next}`));
    assert.ok(text.includes('trust     cosign · keys · Secret apps/cosign-pub'));
    assert.ok(text.includes('Ready=True Succeeded'));
  });

  it('says when the registry moved on and what the next reconcile does', () => {
    const n = node({ name: 'moved', registryDigest: OTHER, reasons: ['verified', 'drift'], finding: { drift: { runningDigest: DIGEST, registryDigest: OTHER, nextReconcile: 'refused' } } });
    const text = detailLines(n, report([n])).map(lineText).join('\n');
    assert.ok(text.includes(`registry  tag 1.0.0 → ${OTHER}  moved on: next reconcile refused`));
    const same = node({ name: 'same' });
    assert.ok(detailLines(same, report([same])).map(lineText).join('\n').includes('(no drift)'));
  });

  it('says when Flux disagrees and when trust came from flags', () => {
    const n = node({ name: 'd', state: 'failed', reasons: ['flux-disagrees'], finding: { flux: { agrees: false, stale: false, sourceVerified: { status: 'True', message: 'verified signature' } } } });
    const text = detailLines(n, report([n], { trustOverrides: ['--key cosign.pub'] })).map(lineText).join('\n');
    assert.ok(text.includes('⚠ we disagree'));
    assert.ok(text.includes('from flags: --key cosign.pub'));
    const none = node({ name: 'nv', state: 'not-enforced', trust: 'none' });
    assert.ok(detailLines(none, report([none])).map(lineText).join('\n').includes('no spec.verify'));
  });
});

describe('detailLines: what a ref resolved to', () => {
  const text = (n: ReturnType<typeof node>): string => detailLines(n, report([n])).map(lineText).join('\n');

  it('names the tag a semver range picked beside the digest, and the one Flux runs', () => {
    const t = text(semverNode());
    assert.ok(t.includes('semver >=6.0.0 <7.0.0 (filter ^6\\.)'), t);
    assert.ok(t.includes(`registry  semver >=6.0.0 <7.0.0 (filter ^6\\.) → 6.5.2 (${DIGEST})  (no drift)`), t);
    assert.ok(t.includes(`running   6.5.2@${DIGEST}`), t);
  });

  it('names the new tag when the range moved on', () => {
    const t = text(semverNode({ tag: '6.5.3', digest: OTHER }));
    assert.ok(t.includes(`registry  semver >=6.0.0 <7.0.0 (filter ^6\\.) → 6.5.3 (${OTHER})  moved on: next reconcile accepted`), t);
    assert.ok(t.includes(`running   6.5.2@${DIGEST}`), t);
  });

  it('says the tag for a tag ref and only the digest for a digest ref', () => {
    assert.ok(text(node({ name: 'tagged' })).includes(`registry  tag 1.0.0 → ${DIGEST}  (no drift)`));
    const pinned = node({ name: 'pinned' });
    const a = pinned.artifact;
    assert.ok(a);
    const byDigest = { ...pinned, artifact: { url: a.url, ref: { kind: 'digest' as const, digest: DIGEST }, running: { revision: DIGEST, digest: DIGEST }, registryDigest: DIGEST } };
    assert.ok(text(byDigest).includes(`registry  ${DIGEST}  (no drift)`));
  });

  it('names the chart version a HelmChart constraint resolved to', () => {
    const base = node({ kind: 'HelmChart', name: 'chart' });
    const chart = {
      ...base,
      artifact: { url: 'oci://registry.example/charts/podinfo', ref: { kind: 'semver' as const, constraint: '6.5.x', helmTags: true }, running: { revision: '6.5.1' }, chart: { name: 'podinfo', version: '6.5.x' }, registryDigest: DIGEST, registryTag: '6.5.1' },
      finding: { ...base.finding, running: { revision: '6.5.1' } },
    };
    const t = text(chart);
    assert.ok(t.includes(`registry  semver 6.5.x → 6.5.1 (${DIGEST})  (no drift)`), t);
  });
});

describe('yamlLines', () => {
  it('prints the object without managedFields', () => {
    const lines = yamlLines({ kind: 'OCIRepository', metadata: { name: 'a', managedFields: [{ manager: 'x' }] }, spec: { url: 'oci://r/a' } });
    assert.ok(lines.includes('kind: OCIRepository'));
    assert.ok(!lines.join('\n').includes('managedFields'));
    assert.match(yamlLines(undefined)[0] ?? '', /not in the input/);
  });
});
