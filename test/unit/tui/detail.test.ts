import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { detailLines, lineText } from '../../../src/tui/detail.js';
import { yamlLines } from '../../../src/tui/yaml-view.js';
import { REASONS } from '../../../src/verdict/reasons.js';
import { DIGEST, fleet, node, OTHER, report } from './fixtures.js';

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
    assert.ok(text.includes(`registry  ${OTHER}  moved on: next reconcile refused`));
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

describe('yamlLines', () => {
  it('prints the object without managedFields', () => {
    const lines = yamlLines({ kind: 'OCIRepository', metadata: { name: 'a', managedFields: [{ manager: 'x' }] }, spec: { url: 'oci://r/a' } });
    assert.ok(lines.includes('kind: OCIRepository'));
    assert.ok(!lines.join('\n').includes('managedFields'));
    assert.match(yamlLines(undefined)[0] ?? '', /not in the input/);
  });
});
