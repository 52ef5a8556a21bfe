import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import type { Report, ReportNode } from '../../src/report/model.js';
import { runPlugin } from '../lab/plugin.js';
import { cosignSign, pushFluxArtifact, toolEnv } from '../lab/seed.js';
import { useSeededLab } from '../lab/seeded.js';
import { mustRun, runTool } from '../lab/tools.js';
import { jws, selfSigned } from '../unit/verify/notation/gen.js';

const MiB = 1024 * 1024;
const BUNDLE = 'application/vnd.dev.sigstore.bundle.v0.3+json';
const NOTARY = 'application/vnd.cncf.notary.signature';
const SIMPLE_SIGNING = 'application/vnd.dev.cosign.simplesigning.v1+json';

// One signature that is too large or unreadable must be reported as such, and must not hide a good
// one: the real cosign judges each signature on its own, and so must `kubectl verify`.
describe('one bad signature never hides a good one', () => {
  const lab = useSeededLab('robust');
  const refs: Record<string, { ref: string; digest: string }> = {};
  let env: NodeJS.ProcessEnv;
  let work: string;
  let expiredCert: string;

  const host = (): string => lab().olareg.host;
  const keyPub = (): string => lab().seed.material.cosignKeys.ecdsa.pub;
  const repo = (name: string): string => `${host()}/${name}`;

  /** `oras attach` a referrer with one layer, as cosign and notation push theirs */
  const attach = async (name: string, artifactType: string, file: string, mediaType: string): Promise<void> => {
    await mustRun('oras', ['attach', '--plain-http', '--artifact-type', artifactType, `${repo(name)}@${refs[name]?.digest}`, `${file}:${mediaType}`], { env, cwd: work });
  };
  const push = async (name: string): Promise<void> => {
    const ref = `${repo(name)}:1.0.0`;
    refs[name] = { ref, digest: await pushFluxArtifact(env, lab().dir, ref, name) };
  };

  before(async () => {
    env = toolEnv(lab().seed.material);
    work = join(lab().dir, 'robust');
    mkdirSync(work, { recursive: true });
    // over our 32 MiB cap for a bundle or envelope; cosign reads it whole, fails to parse it and skips it
    writeFileSync(join(work, 'big.json'), Buffer.alloc(33 * MiB, 'x'));
    writeFileSync(join(work, 'garbage.json'), 'this is not a Sigstore bundle');

    // a good bundle, plus an oversized and a garbage referrer claiming to be bundles
    await push('robust-bundle');
    await cosignSign(env, lab().seed.material, 'ecdsa', `${repo('robust-bundle')}:1.0.0`, refs['robust-bundle']?.digest ?? '', false);
    await attach('robust-bundle', BUNDLE, 'big.json', BUNDLE);
    await attach('robust-bundle', BUNDLE, 'garbage.json', BUNDLE);

    // the only signature is oversized
    await push('robust-only-big');
    await attach('robust-only-big', BUNDLE, 'big.json', BUNDLE);

    // a legacy .sig with a good layer and one whose descriptor is over cosign's 128 MiB layer cap
    await push('robust-legacy');
    await cosignSign(env, lab().seed.material, 'ecdsa', `${repo('robust-legacy')}:1.0.0`, refs['robust-legacy']?.digest ?? '', true);
    const sigTag = `${repo('robust-legacy')}:sha256-${refs['robust-legacy']?.digest.slice(7)}.sig`;
    const sig = JSON.parse(await mustRun('oras', ['manifest', 'fetch', '--plain-http', sigTag], { env })) as { layers: Record<string, unknown>[] };
    const small = 'a layer that claims to be 200 MiB';
    writeFileSync(join(work, 'small.txt'), small);
    await mustRun('oras', ['blob', 'push', '--plain-http', repo('robust-legacy'), 'small.txt'], { env, cwd: work });
    sig.layers.push({ mediaType: SIMPLE_SIGNING, digest: `sha256:${createHash('sha256').update(small).digest('hex')}`, size: 200 * MiB, annotations: { 'dev.cosignproject.cosign/signature': 'AAAA' } });
    writeFileSync(join(work, 'sig.json'), JSON.stringify(sig));
    await mustRun('oras', ['manifest', 'push', '--plain-http', sigTag, 'sig.json'], { env, cwd: work });

    // notation: a good signature and an envelope over notation's 32 MiB cap, in whatever order the registry lists them
    await push('robust-notation');
    await mustRun('notation', ['sign', '--insecure-registry', '--force-referrers-tag=false', '--key', 'lab', '--signature-format', 'jws', `${repo('robust-notation')}@${refs['robust-notation']?.digest}`], { env });
    await attach('robust-notation', NOTARY, 'big.json', 'application/jose+json');

    // a notation signature past its own expiry, made with the test generator, its certificate trusted
    await push('robust-expired');
    const manifest = await mustRun('oras', ['manifest', 'fetch', '--plain-http', `${repo('robust-expired')}:1.0.0`], { env });
    const now = Date.now();
    const leaf = await selfSigned('p256', { subject: 'C=US,ST=WA,L=Seattle,O=Lab,CN=expiring', notBefore: new Date(now - 86_400_000), notAfter: new Date(now + 86_400_000) }, 'robust');
    const target = { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: refs['robust-expired']?.digest ?? '', size: Buffer.byteLength(manifest.trimEnd()) };
    assert.equal(`sha256:${createHash('sha256').update(manifest.trimEnd()).digest('hex')}`, target.digest, 'oras manifest fetch returned other bytes than were pushed');
    writeFileSync(join(work, 'expired.jws'), jws([leaf], { target, signingTime: new Date(now - 2 * 3_600_000), expiry: new Date(now - 3_600_000) }));
    await attach('robust-expired', NOTARY, 'expired.jws', 'application/jose+json');
    expiredCert = join(work, 'expiring.crt');
    writeFileSync(expiredCert, `-----BEGIN CERTIFICATE-----\n${leaf.der.toString('base64').replace(/(.{64})/g, '$1\n')}\n-----END CERTIFICATE-----\n`);
    await mustRun('notation', ['cert', 'add', '--type', 'ca', '--store', 'lab', expiredCert], { env });
  });

  const cosignVerify = (name: string) => runTool('cosign', ['verify', '--key', keyPub(), '--insecure-ignore-tlog=true', refs[name]?.ref ?? ''], { env });
  const artifact = (name: string, ...extra: string[]) => runPlugin(['artifact', `oci://${refs[name]?.ref}`, '--insecure', '--key', keyPub(), ...extra]);

  it('a good bundle beside an oversized and a garbage one: cosign verifies, and so do we, listing the bad ones', async () => {
    const reference = await cosignVerify('robust-bundle');
    assert.equal(reference.code, 0, `cosign verify: ${reference.stderr}`);
    const r = await artifact('robust-bundle');
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /^✔ verified: cosign bundle signature verified/);
    assert.match(r.stdout, /✘ cosign bundle not read, too large: 34603008 bytes, over the 32 MiB limit for signatures \[signature\.too-large\]/);
    assert.match(r.stdout, /\[cosign\.bundle-invalid\]/);
    // cosign found bundles, so it did not read the legacy tag; the output says so
    assert.match(r.stdout, /looked in {2}referrers via referrers-api; cosign tag sha256-[0-9a-f]{64}\.sig not read: bundles were found, and cosign reads legacy signatures only when there are none/);
    const json = JSON.parse((await artifact('robust-bundle', '-o', 'json')).stdout) as { signatures: { verified: boolean; error?: { code: string } }[] };
    assert.deepEqual(json.signatures.map((s) => (s.verified ? 'ok' : s.error?.code ?? 'failed')).sort(), ['cosign.bundle-invalid', 'ok', 'signature.too-large']);
  });

  it('the only signature oversized: cosign rejects, and we say not verified, for the signature, not the registry', async () => {
    const reference = await cosignVerify('robust-only-big');
    assert.notEqual(reference.code, 0, 'cosign verify accepted an artifact whose only bundle is unreadable');
    const r = await artifact('robust-only-big');
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /^✘ not verified: cosign bundle not read, too large: 34603008 bytes, over the 32 MiB limit for signatures \[signature\.too-large\]$/m);
    assert.doesNotMatch(r.stdout, /registry/i);
  });

  it('a legacy .sig with an oversized layer beside a good one: cosign verifies, and so do we', async () => {
    const reference = await cosignVerify('robust-legacy');
    assert.equal(reference.code, 0, `cosign verify: ${reference.stderr}`);
    const r = await artifact('robust-legacy');
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /✘ cosign legacy signature layer 2 of 2 not read, too large: 209715200 bytes, over the 128 MiB limit for signatures \[signature\.too-large\]/);
    assert.match(r.stdout, /looked in {2}referrers via referrers-api, cosign tag sha256-[0-9a-f]{64}\.sig$/m);
  });

  it('in an audit, the oversized-only artifact fails as a malformed signature with its next step, never as a registry error', async () => {
    const yaml = [
      `apiVersion: v1\nkind: Secret\nmetadata: {name: cosign-pub, namespace: robust}\ndata: {cosign.pub: ${readFileSync(keyPub()).toString('base64')}}`,
      ...['robust-bundle', 'robust-only-big', 'robust-legacy'].map(
        (name) =>
          `apiVersion: source.toolkit.fluxcd.io/v1\nkind: OCIRepository\nmetadata: {name: ${name}, namespace: robust}\nspec:\n  interval: 10m\n  url: oci://${repo(name)}\n  insecure: true\n  ref: {tag: "1.0.0"}\n  verify: {provider: cosign, secretRef: {name: cosign-pub}}\nstatus:\n  artifact: {revision: "1.0.0@${refs[name]?.digest}", digest: "sha256:${'0'.repeat(64)}", path: x, url: x, lastUpdateTime: "2026-11-01T00:00:00Z"}`,
      ),
    ].join('\n---\n');
    const file = join(work, 'robust.yaml');
    writeFileSync(file, yaml);
    const r = await runPlugin(['-f', file, '-o', 'json']);
    const nodes = (JSON.parse(r.stdout) as Report).nodes;
    const byName = (name: string): ReportNode | undefined => nodes.find((n) => n.name === name);
    assert.equal(byName('robust-bundle')?.finding.state, 'verified', byName('robust-bundle')?.finding.message);
    assert.equal(byName('robust-legacy')?.finding.state, 'verified', byName('robust-legacy')?.finding.message);
    const big = byName('robust-only-big');
    assert.equal(big?.finding.state, 'failed', big?.finding.message);
    assert.equal(big?.finding.reasons[0], 'signature-invalid');
    assert.ok(!big?.finding.reasons.includes('registry-error'));
    assert.doesNotMatch(big?.finding.next ?? '', /reachable/);
    const wide = await runPlugin(['-f', file, '-o', 'wide']);
    assert.match(wide.stdout, /robust-only-big .*malformed signature: cosign bundle not read, too large: 34603008 bytes, over the 32 MiB limit for signatures/);
  });

  it('names each key with its own failing check when no key verifies (wide and table)', async () => {
    const c = lab().seed.cases.find((x) => x.name === 'wrong-key');
    assert.ok(c);
    const yaml = [
      `apiVersion: v1\nkind: Secret\nmetadata: {name: cosign-pub, namespace: robust}\ndata: {cosign.pub: ${readFileSync(keyPub()).toString('base64')}, rsa.pub: ${readFileSync(lab().seed.material.cosignKeys.rsa.pub).toString('base64')}}`,
      `apiVersion: source.toolkit.fluxcd.io/v1\nkind: OCIRepository\nmetadata: {name: wrong-key, namespace: robust}\nspec:\n  interval: 10m\n  url: oci://${c.ref.slice(0, c.ref.lastIndexOf(':'))}\n  insecure: true\n  ref: {tag: "1.0.0"}\n  verify: {provider: cosign, secretRef: {name: cosign-pub}}\nstatus:\n  artifact: {revision: "1.0.0@${c.digest}", digest: "sha256:${'0'.repeat(64)}", path: x, url: x, lastUpdateTime: "2026-11-01T00:00:00Z"}`,
    ].join('\n---\n');
    const file = join(work, 'wrong-key.yaml');
    writeFileSync(file, yaml);
    for (const format of ['wide', 'table']) {
      const r = await runPlugin(['-f', file, '-o', format]);
      assert.match(
        r.stdout,
        /wrong key: none of 1 signature verifies with the 2 keys tried \(robust\/cosign-pub · cosign\.pub: signature does not verify with this ecdsa-p256 key \(the bundle names another key\); robust\/cosign-pub · rsa\.pub: signature does not verify with this rsa-\d+ key \(the bundle names another key\)\)/,
        `-o ${format}: ${r.stdout}`,
      );
    }
  });

  it('an untrusted notation signer is only claimed, in the artifact text and the tree', async () => {
    const c = lab().seed.cases.find((x) => x.name === 'notation-untrusted');
    assert.ok(c);
    const m = lab().seed.material;
    const r = await runPlugin(['artifact', `oci://${c.ref}`, '--insecure', '--trust-policy', m.trustPolicy, '--trust-cert', m.notationCert]);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /claims to be signed by certificate CN=other,O=Notary,L=Seattle,ST=WA,C=US.*, not verified/);
    assert.doesNotMatch(r.stdout, /^\s+signer /m);
    // what is known of the policy, and nothing printed for what is not
    assert.match(r.stdout, /^ {2}notation {3}policy statement lab · level strict · failed$/m);
    assert.doesNotMatch(r.stdout, /\(none\)|level \?/);

    const yaml = [
      `apiVersion: v1\nkind: Secret\nmetadata: {name: notation-trust, namespace: robust}\ndata: {trustpolicy.json: ${readFileSync(m.trustPolicy).toString('base64')}, lab.crt: ${readFileSync(m.notationCert).toString('base64')}}`,
      `apiVersion: source.toolkit.fluxcd.io/v1\nkind: OCIRepository\nmetadata: {name: untrusted, namespace: robust}\nspec:\n  interval: 10m\n  url: oci://${c.ref.slice(0, c.ref.lastIndexOf(':'))}\n  insecure: true\n  ref: {tag: "1.0.0"}\n  verify: {provider: notation, secretRef: {name: notation-trust}}\nstatus:\n  artifact: {revision: "1.0.0@${c.digest}", digest: "sha256:${'0'.repeat(64)}", path: x, url: x, lastUpdateTime: "2026-11-01T00:00:00Z"}`,
    ].join('\n---\n');
    const file = join(work, 'untrusted.yaml');
    writeFileSync(file, yaml);
    const tree = await runPlugin(['-f', file, '-o', 'tree']);
    assert.match(tree.stdout, /signature notation JWS .* · claims to be signed by CN=other,O=Notary,L=Seattle,ST=WA,C=US, not verified/, tree.stdout);
    assert.doesNotMatch(tree.stdout, / · signed by /);
  });

  it('prints only the outcome when no policy statement applies', async () => {
    const c = lab().seed.cases.find((x) => x.name === 'notation-jws');
    assert.ok(c);
    const policy = join(work, 'elsewhere.json');
    writeFileSync(policy, JSON.stringify({ version: '1.0', trustPolicies: [{ name: 'elsewhere', registryScopes: ['registry.example/other'], signatureVerification: { level: 'strict' }, trustStores: ['ca:lab'], trustedIdentities: ['*'] }] }));
    const r = await runPlugin(['artifact', `oci://${c.ref}`, '--insecure', '--trust-policy', policy, '--trust-cert', lab().seed.material.notationCert]);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /^ {2}notation {3}failed$/m);
    assert.doesNotMatch(r.stdout, /\(none\)|level \?/);
  });

  it('notation with an oversized envelope beside a good one: the same verdict as notation verify, whatever the order', async (t) => {
    const reference = await runTool('notation', ['verify', '--insecure-registry', refs['robust-notation']?.ref ?? ''], { env });
    const m = lab().seed.material;
    const r = await runPlugin(['artifact', `oci://${refs['robust-notation']?.ref}`, '--insecure', '--trust-policy', m.trustPolicy, '--trust-cert', m.notationCert]);
    assert.equal(r.code, reference.code === 0 ? 0 : 1, `notation verify exited ${reference.code} (${reference.stderr.trim()}), we: ${r.stdout}`);
    t.diagnostic(`the registry listed the ${r.code === 0 ? 'good signature' : 'oversized envelope'} first; both tools ${r.code === 0 ? 'verify' : 'refuse'}`);
    if (r.code === 1) {
      // the oversized one came first: notation-go stops there (ErrorSignatureRetrievalFailed), as we do, and we say why
      assert.match(reference.stderr, /unable to retrieve digital signature/);
      assert.match(r.stdout, /notation signature envelope not read, too large: 34603008 bytes, over the 32 MiB limit for signatures; notation and Flux stop at a signature they cannot retrieve, so 1 later signature was not judged \[signature\.too-large\]/);
    }
  });

  it('a notation signature past its own expiry: notation says it expired, and so do we, in its terms', async () => {
    const reference = await runTool('notation', ['verify', '--verbose', '--insecure-registry', refs['robust-expired']?.ref ?? ''], { env });
    assert.notEqual(reference.code, 0);
    assert.match(reference.stderr + reference.stdout, /digital signature has expired on/);
    const r = await runPlugin(['artifact', `oci://${refs['robust-expired']?.ref}`, '--insecure', '--trust-policy', lab().seed.material.trustPolicy, '--trust-cert', expiredCert]);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /^✘ not verified: .*: the signature expired on \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ \(the expiry its signer set; checked at \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\) \[notation\.signature-expired\]$/m);
    assert.match(r.stdout, /claims to be signed by certificate CN=expiring,O=Lab,L=Seattle,ST=WA,C=US/);
  });
});
