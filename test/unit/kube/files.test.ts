import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { KubeError } from '../../../src/kube/errors.js';
import { createFileSource } from '../../../src/kube/files.js';

let dir: string;

const oci = (name: string, ns?: string, labels = '{}') => `apiVersion: source.toolkit.fluxcd.io/v1
kind: OCIRepository
metadata: {name: ${name}${ns ? `, namespace: ${ns}` : ''}, labels: ${labels}}
spec: {url: "oci://reg/${name}", verify: {secretRef: {name: cosign-pub}}}
`;

const ks = (name: string, ns: string) => `apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {name: ${name}, namespace: ${ns}}
spec: {sourceRef: {kind: OCIRepository, name: ${name}}}
`;

const SECRET_VALUE = 'TOP-SECRET-VALUE-0123';

function put(rel: string, text: string): string {
  const p = join(dir, rel);
  mkdirSync(join(p, '..'), { recursive: true });
  writeFileSync(p, text);
  return p;
}

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'kv-files-'));
  // a GitOps folder
  put('repo/apps/podinfo.yaml', `${oci('podinfo', 'apps', '{team: a}')}---\n${ks('podinfo', 'apps')}`);
  put('repo/apps/nested/deep/infra.yml', oci('cert-manager', 'infra', '{team: b}'));
  put('repo/apps/chart.json', JSON.stringify({ apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'HelmRepository', metadata: { name: 'prom', namespace: 'flux-system' }, spec: { url: 'oci://ghcr.io/charts', type: 'oci' } }, null, 2));
  put('repo/apps/README.md', oci('not-read', 'apps'));
  put('repo/.git/objects.yaml', oci('hidden', 'apps'));
  put('repo/apps/config.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm}\ndata: {a: b}\n');
  put('repo/apps/nons.yaml', oci('nons'));
  // a kubectl get -o yaml dump
  put(
    'dump.yaml',
    `apiVersion: v1
kind: List
items:
- ${oci('one', 'dump').replace(/\n(?=.)/g, '\n  ')}
- ${oci('two', 'dump').replace(/\n(?=.)/g, '\n  ')}
- apiVersion: v1
  kind: Secret
  metadata: {name: cosign-pub, namespace: dump}
  type: Opaque
  data: {cosign.pub: ${Buffer.from('PEM KEY').toString('base64')}}
  stringData: {extra: plain}
- apiVersion: v1
  kind: ServiceAccount
  metadata: {name: puller, namespace: dump}
  imagePullSecrets: [{name: regcred}, {name: other}]
metadata: {resourceVersion: ""}
`,
  );
  put('broken.yaml', `${oci('fine', 'x')}---\napiVersion: v1\nkind: Secret\nmetadata: {name: s}\ndata:\n  key: "${SECRET_VALUE}\n  other: [unclosed\n`);
  put('badsecret.yaml', `apiVersion: v1\nkind: Secret\nmetadata: {name: bad, namespace: x}\ndata: {key: "${SECRET_VALUE}!!"}\n`);
  put('malformed.yaml', `apiVersion: source.toolkit.fluxcd.io/v1\nkind: OCIRepository\nmetadata: {name: m, namespace: x}\nspec: {url: 42}\n`);
  put('dup/a.yaml', oci('same', 'd'));
  put('dup/b.yaml', oci('same', 'd').replace('oci://reg/same', 'oci://reg/later'));
  mkdirSync(join(dir, 'loop'));
  put('loop/x.yaml', oci('looped', 'l'));
  symlinkSync(join(dir, 'loop'), join(dir, 'loop', 'again'));
});

after(() => rmSync(dir, { recursive: true, force: true }));

describe('files source: reading', () => {
  it('walks a directory: .yaml, .yml, .json, multi-document; skips hidden dirs, other extensions and non-Flux documents', async () => {
    const src = await createFileSource(['repo'], { cwd: dir });
    const { objects, problems } = await src.list({});
    assert.deepEqual(problems, []);
    assert.deepEqual(objects.map((o) => `${o.kind} ${o.namespace}/${o.name}`).sort(), [
      'HelmRepository flux-system/prom',
      'Kustomization apps/podinfo',
      'OCIRepository apps/podinfo',
      'OCIRepository default/nons',
      'OCIRepository infra/cert-manager',
    ]);
    assert.deepEqual(src.files.map((f) => f.slice(dir.length + 1)), ['repo/apps/chart.json', 'repo/apps/config.yaml', 'repo/apps/nested/deep/infra.yml', 'repo/apps/nons.yaml', 'repo/apps/podinfo.yaml']);
    assert.deepEqual(src.description.files, src.files);
    const podinfo = objects.find((o) => o.name === 'podinfo' && o.kind === 'OCIRepository');
    assert.equal(podinfo?.origin, `file:${join(dir, 'repo/apps/podinfo.yaml')}`);
  });

  it('objects without a namespace get the -n namespace', async () => {
    const src = await createFileSource(['repo/apps/nons.yaml'], { cwd: dir, defaultNamespace: 'team' });
    const { objects } = await src.list({});
    assert.equal(objects[0]?.namespace, 'team');
  });

  it('reads a kind: List dump', async () => {
    const src = await createFileSource([join(dir, 'dump.yaml')]);
    const { objects, problems } = await src.list({});
    assert.deepEqual(problems, []);
    assert.deepEqual(objects.map((o) => o.name), ['one', 'two']);
  });

  it('reads standard input from a string or a stream, never process.stdin', async () => {
    const text = `${oci('a', 'in')}---\n${oci('b', 'in')}`;
    const fromString = await createFileSource(['-'], { stdin: text });
    assert.deepEqual((await fromString.list({})).objects.map((o) => o.name), ['a', 'b']);
    assert.deepEqual(fromString.files, ['-']);
    assert.equal((await fromString.list({})).objects[0]?.origin, 'file:-');
    const fromStream = await createFileSource(['-'], { stdin: Readable.from([Buffer.from(text.slice(0, 10)), Buffer.from(text.slice(10))]) });
    assert.deepEqual((await fromStream.list({})).objects.map((o) => o.name), ['a', 'b']);
    await assert.rejects(createFileSource(['-']), (e: unknown) => e instanceof KubeError && e.code === 'file.not-found');
  });

  it('JSON from stdin', async () => {
    const src = await createFileSource(['-'], { stdin: JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [JSON.parse(JSON.stringify({ apiVersion: 'kustomize.toolkit.fluxcd.io/v1', kind: 'Kustomization', metadata: { name: 'k', namespace: 'n' }, spec: { sourceRef: { kind: 'GitRepository', name: 'g' } } }))] }) });
    assert.equal((await src.list({})).objects[0]?.kind, 'Kustomization');
  });

  it('a path that does not exist is an error', async () => {
    await assert.rejects(createFileSource(['nope'], { cwd: dir }), (e: unknown) => e instanceof KubeError && e.code === 'file.not-found' && /"nope"/.test(e.message));
  });

  it('a directory loop through a symlink is read once', async () => {
    const src = await createFileSource(['loop'], { cwd: dir });
    assert.deepEqual((await src.list({})).objects.map((o) => o.name), ['looped']);
  });
});

describe('files source: problems', () => {
  it('a parse error is file.invalid with file and line; the rest of the file is still read', async () => {
    const src = await createFileSource(['broken.yaml'], { cwd: dir });
    const { objects, problems } = await src.list({});
    assert.deepEqual(objects.map((o) => o.name), ['fine']);
    assert.equal(problems.length, 1);
    assert.equal(problems[0]?.code, 'file.invalid');
    assert.match(problems[0]?.message ?? '', new RegExp(`${join(dir, 'broken.yaml').replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:\\d+:\\d+: `));
    // the document is a Secret: its text never reaches the message
    assert.ok(!problems[0]?.message.includes(SECRET_VALUE), problems[0]?.message);
  });

  it('a malformed Flux object is a kube.malformed problem naming the file and field', async () => {
    const src = await createFileSource(['malformed.yaml'], { cwd: dir });
    const { objects, problems } = await src.list({});
    assert.equal(objects.length, 0);
    assert.equal(problems[0]?.code, 'kube.malformed');
    assert.match(problems[0]?.message ?? '', /OCIRepository x\/m .*malformed\.yaml.*spec\.url/);
  });

  it('the same object twice: the later wins, with a problem', async () => {
    const src = await createFileSource(['dup'], { cwd: dir });
    const { objects, problems } = await src.list({});
    assert.equal(objects.length, 1);
    assert.equal((objects[0] as { url?: string }).url, 'oci://reg/later');
    assert.equal(problems[0]?.code, 'file.duplicate');
  });
});

describe('files source: scope', () => {
  it('namespace and label selector apply to file objects', async () => {
    const src = await createFileSource(['repo'], { cwd: dir });
    assert.deepEqual((await src.list({ namespace: 'apps' })).objects.map((o) => o.kind).sort(), ['Kustomization', 'OCIRepository']);
    assert.deepEqual((await src.list({ labelSelector: 'team=b' })).objects.map((o) => o.name), ['cert-manager']);
    assert.deepEqual((await src.list({ labelSelector: 'team' })).objects.map((o) => o.name).sort(), ['cert-manager', 'podinfo']);
    assert.deepEqual((await src.list({ namespace: 'apps', labelSelector: 'team notin (a)' })).objects.map((o) => o.kind), ['Kustomization']);
    await assert.rejects(src.list({ labelSelector: '=x' }), (e: unknown) => e instanceof KubeError && e.code === 'kube.invalid-selector');
  });

  it('problems outside the namespace are left out', async () => {
    const src = await createFileSource(['malformed.yaml'], { cwd: dir });
    assert.equal((await src.list({ namespace: 'elsewhere' })).problems.length, 0);
    assert.equal((await src.list({ namespace: 'x' })).problems.length, 1);
  });
});

describe('files source: Secrets and ServiceAccounts', () => {
  it('a Secret in the files: data decoded, stringData added', async () => {
    const src = await createFileSource(['dump.yaml'], { cwd: dir });
    const s = await src.getSecret('dump', 'cosign-pub');
    assert.equal(s.state, 'found');
    if (s.state !== 'found') return;
    assert.equal(s.type, 'Opaque');
    assert.equal(Buffer.from(s.data['cosign.pub'] as Uint8Array).toString(), 'PEM KEY');
    assert.equal(Buffer.from(s.data['extra'] as Uint8Array).toString(), 'plain');
    assert.deepEqual(await src.getImagePullSecrets('dump', 'puller'), { names: ['regcred', 'other'] });
  });

  it('Secrets are never objects and never in raw', async () => {
    const src = await createFileSource(['dump.yaml'], { cwd: dir });
    const { objects } = await src.list({});
    assert.ok(!JSON.stringify(objects.map((o) => o.raw)).includes(Buffer.from('PEM KEY').toString('base64')));
  });

  it('a Secret that is not in the files is unavailable, pointing at flags', async () => {
    const src = await createFileSource(['repo'], { cwd: dir });
    const s = await src.getSecret('apps', 'cosign-pub');
    assert.equal(s.state, 'unavailable');
    assert.match(s.message, /flags/);
    const sa = await src.getImagePullSecrets('apps', 'default');
    assert.ok('problem' in sa && sa.problem.code === 'file.unavailable');
  });

  it('a Secret whose data is not base64: an error that names the key, not the value', async () => {
    const src = await createFileSource(['badsecret.yaml'], { cwd: dir });
    const s = await src.getSecret('x', 'bad');
    assert.equal(s.state, 'error');
    assert.match(s.message, /"key"/);
    assert.ok(!s.message.includes(SECRET_VALUE));
  });
});

describe('files source: the whole-file fast path reads what the document-by-document path reads', () => {
  // every construct a Flux manifest or a kubectl dump uses; a comment with "&" sends the same text down
  // the document-by-document path, so the two results must be equal
  const rich = [
    '# a fleet',
    'apiVersion: v1\nkind: Secret\nmetadata: {name: cosign-pub, namespace: apps}\ndata:\n  cosign.pub: TFMwdExTMUNSVWRKVGlCUVZVSk1TVU1nUzBWWkxTMHRMUzBL\nstringData:\n  note: |\n    line one\n    line two\n',
    '',
    'apiVersion: source.toolkit.fluxcd.io/v1\nkind: OCIRepository\nmetadata:\n  name: podinfo\n  namespace: apps\n  labels: {app: podinfo, "tier": \'web\'}\n  generation: 3\nspec:\n  interval: 10m\n  url: oci://ghcr.io/stefanprodan/manifests/podinfo\n  insecure: false\n  ref:\n    semver: ">=6.0.0 <7"\n  verify:\n    provider: cosign\n    secretRef: {name: cosign-pub}\n    matchOIDCIdentity:\n    - issuer: ^https://token.actions.githubusercontent.com$\n      subject: "^https://github.com/stefanprodan/.*$"\nstatus:\n  observedGeneration: 3\n  conditions:\n  - {type: Ready, status: "True", reason: Succeeded, message: "stored artifact for digest \'6.5.0@sha256:abc\'", lastTransitionTime: 2026-11-01T00:00:00Z, observedGeneration: 3}\n  - type: SourceVerified\n    status: "False"\n    message: >-\n      failed to verify\n      the signature\n',
    '{"apiVersion": "v1", "kind": "List", "items": [{"apiVersion": "kustomize.toolkit.fluxcd.io/v1", "kind": "Kustomization", "metadata": {"name": "k", "namespace": "n"}, "spec": {"interval": "5m", "prune": true, "timeout": 1e3, "sourceRef": {"kind": "OCIRepository", "name": "podinfo", "namespace": "apps"}}}]}',
    'apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata: {name: hr, namespace: apps}\nspec:\n  interval: 1h\n  values: {replicas: 014, ratio: 0.5, flag: yes, none: ~, nothing: null, octal: 0o14, inf: .inf}\n  chart:\n    spec: {chart: podinfo, version: "6.x", sourceRef: {kind: HelmRepository, name: charts}}\n',
  ].join('\n---\n');

  it('objects, Secrets and problems are equal on both paths', async () => {
    const fast = await createFileSource(['-'], { stdin: rich });
    const slow = await createFileSource(['-'], { stdin: `# R&D\n${rich}` });
    const a = await fast.list({});
    const b = await slow.list({});
    assert.equal(a.objects.length, 3);
    assert.deepEqual(a, b);
    assert.deepEqual(await fast.getSecret('apps', 'cosign-pub'), await slow.getSecret('apps', 'cosign-pub'));
  });

  it('a broken document still costs only itself: the file goes document by document', async () => {
    const src = await createFileSource(['-'], { stdin: `${rich}\n---\napiVersion: v1\nkind: [unclosed\n---\napiVersion: source.toolkit.fluxcd.io/v1\nkind: Bucket\nmetadata: {name: b, namespace: apps}\nspec: {bucketName: x, endpoint: y, interval: 1m}\n` });
    const { objects, problems } = await src.list({});
    assert.equal(objects.length, 4);
    assert.equal(problems.filter((p) => p.code === 'file.invalid').length, 1);
  });

  it('duplicate keys are refused on the fast path too', async () => {
    const src = await createFileSource(['-'], { stdin: 'apiVersion: source.toolkit.fluxcd.io/v1\nkind: Bucket\nmetadata: {name: b, name: c, namespace: apps}\nspec: {bucketName: x, endpoint: y, interval: 1m}\n' });
    const { objects, problems } = await src.list({});
    assert.equal(objects.length, 0);
    assert.match(problems[0]?.message ?? '', /unique|duplicate/i);
  });
});
