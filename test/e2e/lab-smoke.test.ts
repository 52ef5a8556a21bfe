import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { referenceVerdict } from '../lab/reference-verdict.js';
import { useSeededLab } from '../lab/seeded.js';

// Tests the lab itself, not our verifier: the seeded artifacts are what they claim to be,
// as the real cosign and notation see them.
describe('signing lab', () => {
  const lab = useSeededLab('smoke');

  it('serves the referrers API on olareg only', async () => {
    const zero = `sha256:${'0'.repeat(64)}`;
    assert.equal((await fetch(`http://${lab().olareg.host}/v2/unsigned/referrers/${zero}`)).status, 200);
    assert.equal((await fetch(`http://${lab().distribution.host}/v2/unsigned/referrers/${zero}`)).status, 404);
  });

  it('seeds every kind of case the issue asks for', () => {
    const names = lab().seed.cases.map((c) => c.name);
    for (const n of ['cosign-bundle-ecdsa', 'cosign-bundle-rsa', 'cosign-bundle-ed25519', 'cosign-bundle-fallback', 'cosign-legacy', 'notation-jws', 'notation-cose', 'unsigned-cosign', 'wrong-key', 'moved-tag', 'helm-chart']) {
      assert.ok(names.includes(n), `missing case ${n}`);
    }
  });

  it('stores the fallback bundle under the sha256-<hex> tag on the registry without referrers', async () => {
    const c = lab().seed.cases.find((x) => x.name === 'cosign-bundle-fallback');
    assert.ok(c);
    const repo = c.ref.slice(c.ref.indexOf('/') + 1, c.ref.lastIndexOf(':'));
    const tags = (await (await fetch(`http://${lab().distribution.host}/v2/${repo}/tags/list`)).json()) as { tags: string[] };
    assert.ok(tags.tags.includes(c.digest.replace(':', '-')), `tags: ${tags.tags.join(', ')}`);
  });

  it('gets the expected verdict from the real cosign and notation for every case', async () => {
    for (const c of lab().seed.cases) {
      const r = await referenceVerdict(c, lab().seed.material);
      assert.equal(r.verdict, c.expect, `${c.name} (${c.why}): ${r.tool} said ${r.verdict}: ${r.output.slice(0, 400)}`);
    }
  });

  it('signed the moved tag’s old digest, which still verifies by digest', async () => {
    const c = lab().seed.cases.find((x) => x.name === 'moved-tag');
    assert.ok(c?.signedDigest);
    const repo = c.ref.slice(0, c.ref.lastIndexOf(':'));
    const r = await referenceVerdict(c, lab().seed.material, `${repo}@${c.signedDigest}`);
    assert.equal(r.verdict, 'verified', r.output);
  });
});
