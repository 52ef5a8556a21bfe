import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Report, ReportNode } from '../../src/report/model.js';
import { startCountingProxy, type CountingProxy, type PathClass } from '../helpers/counting-proxy.js';
import { ociRepoYaml, secretYaml } from '../lab/objects.js';
import { runPlugin } from '../lab/plugin.js';
import { startRegistry, type RunningRegistry } from '../lab/registries.js';
import { cosignSign, makeMaterial, notationSign, pushFluxArtifact, toolEnv, type LabMaterial } from '../lab/seed.js';

// Issue 10 item 2: an audit reads each distinct artifact once per credentials, however many objects
// in however many namespaces (each with its own copy of the same key Secret) name it, and resolves
// tags with HEAD. Real olareg behind a proxy that counts every request; artifacts pushed and signed
// by the real oras, cosign and notation through the proxy.

const KINDS = ['bundle', 'legacy', 'notation'] as const;
type Kind = (typeof KINDS)[number];
const NAMESPACES = 6;

const b64 = (path: string): string => readFileSync(path).toString('base64');

function fleet(host: string, m: LabMaterial, namespaces: number): string {
  const docs: string[] = [];
  for (let i = 1; i <= namespaces; i++) {
    const ns = `team-${i}`;
    // every namespace holds its own copy of the same trust material, as Flux needs it
    docs.push(secretYaml(ns, 'cosign-pub', { 'cosign.pub': b64(m.cosignKeys.ecdsa.pub) }));
    docs.push(secretYaml(ns, 'notation-trust', { 'trustpolicy.json': b64(m.trustPolicy), 'lab.crt': b64(m.notationCert) }));
    const cosign = '{provider: cosign, secretRef: {name: cosign-pub}}';
    docs.push(ociRepoYaml(ns, 'bundle', `${host}/requests/bundle`, '1.0.0', { verify: cosign }));
    docs.push(ociRepoYaml(ns, 'legacy', `${host}/requests/legacy`, '1.0.0', { verify: cosign }));
    docs.push(ociRepoYaml(ns, 'notation', `${host}/requests/notation`, '1.0.0', { verify: '{provider: notation, secretRef: {name: notation-trust}}' }));
    // a second object on the same artifact in the same namespace, under another name
    docs.push(ociRepoYaml(ns, 'bundle-again', `${host}/requests/bundle`, '1.0.0', { verify: cosign }));
  }
  return docs.join('\n');
}

interface Run {
  readonly report: Report;
  /** requests per artifact repository, by class */
  readonly byKind: ReadonlyMap<Kind, ReadonlyMap<PathClass, number>>;
  /** tag reads (HEAD or GET of /manifests/1.0.0) per artifact, by method */
  readonly tagReads: ReadonlyMap<Kind, readonly string[]>;
  readonly total: number;
}

describe('registry requests of an audit', () => {
  let dir = '';
  let olareg: RunningRegistry | undefined;
  let proxy: CountingProxy | undefined;
  let material: LabMaterial | undefined;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kv-requests-'));
    olareg = await startRegistry('olareg');
    proxy = await startCountingProxy(olareg.host);
    material = await makeMaterial(dir);
    const env = toolEnv(material);
    // pushed and signed through the proxy, so that the references name its host
    for (const kind of KINDS) {
      const ref = `${proxy.host}/requests/${kind}:1.0.0`;
      const digest = await pushFluxArtifact(env, dir, ref, `requests ${kind}`);
      if (kind === 'notation') await notationSign(env, 'lab', 'jws', ref, digest);
      else await cosignSign(env, material, 'ecdsa', ref, digest, kind === 'legacy');
    }
  });
  after(async () => {
    await proxy?.close();
    await olareg?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function audit(namespaces: number): Promise<Run> {
    const p = proxy as CountingProxy;
    const file = join(dir, `fleet-${namespaces}.yaml`);
    writeFileSync(file, fleet(p.host, material as LabMaterial, namespaces));
    p.reset();
    const r = await runPlugin(['-f', file, '-o', 'json']);
    assert.equal(r.code, 0, `every object verifies: ${r.stderr}${r.stdout.slice(0, 2000)}`);
    const byKind = new Map<Kind, Map<PathClass, number>>();
    const tagReads = new Map<Kind, string[]>();
    for (const kind of KINDS) {
      const entries = p.log.filter((l) => l.repository === `requests/${kind}`);
      const counts = new Map<PathClass, number>();
      for (const e of entries) counts.set(e.cls, (counts.get(e.cls) ?? 0) + 1);
      byKind.set(kind, counts);
      tagReads.set(kind, entries.filter((e) => e.path.endsWith('/manifests/1.0.0')).map((e) => e.method));
    }
    return { report: JSON.parse(r.stdout) as Report, byKind, tagReads, total: p.total() };
  }

  const sum = (m: ReadonlyMap<PathClass, number> | undefined): number => [...(m ?? new Map<PathClass, number>()).values()].reduce((a, b) => a + b, 0);
  const describeCounts = (run: Run): string => KINDS.map((k) => `${k}: ${[...(run.byKind.get(k) ?? [])].map(([c, n]) => `${c} ${n}`).join(', ')}`).join('; ');

  it('reads each distinct artifact at most 4 times, resolves tags with HEAD, and adds nothing per further object', async () => {
    const one = await audit(1);
    const many = await audit(NAMESPACES);
    process.stderr.write(`1 namespace (${one.report.nodes.length} objects): ${describeCounts(one)}\n${NAMESPACES} namespaces (${many.report.nodes.length} objects): ${describeCounts(many)}\n`);

    for (const run of [one, many]) {
      for (const kind of KINDS) {
        const counts = run.byKind.get(kind);
        // HEAD for the tag; referrers; the signature manifest; its blob. A legacy .sig needs the
        // referrers request too: cosign looks for bundles first and reads .sig only when none is found
        assert.ok(sum(counts) <= 4, `${kind}: at most 4 requests, saw ${sum(counts)} (${describeCounts(run)})`);
        assert.deepEqual(run.tagReads.get(kind), ['HEAD'], `${kind}: the tag is resolved with one HEAD, no manifest GET`);
        assert.equal(counts?.get('referrers'), 1, `${kind}: one referrers request`);
        assert.equal(counts?.get('blob'), 1, `${kind}: one signature blob`);
      }
      // nothing but the artifacts' repositories and, at most, one ping per host per run
      assert.ok(run.total - KINDS.reduce((a, k) => a + sum(run.byKind.get(k)), 0) <= 1, `only the artifacts were read (${run.total} requests)`);
    }
    // six times the objects and six Secrets of each kind: not one request more
    for (const kind of KINDS) assert.deepEqual(many.byKind.get(kind), one.byKind.get(kind), `${kind}: the same requests for ${NAMESPACES} namespaces as for one`);
    assert.equal(many.total, one.total);

    // results unchanged: every object's finding and signatures are those of the one-namespace run,
    // with its own Secret named in the evidence
    const key = (n: ReportNode): string => `${n.kind}/${n.name}`;
    const base = new Map(one.report.nodes.map((n) => [key(n), n]));
    const sources = many.report.nodes.filter((n) => n.kind === 'OCIRepository');
    assert.equal(sources.length, NAMESPACES * 4);
    for (const n of sources) {
      const b = base.get(key(n));
      assert.ok(b, key(n));
      // the clock of each run differs (notation states when it checked the chain); nothing else may
      const clock = (text: string): string => text.replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z/g, '<now>');
      const rename = (v: unknown): unknown => JSON.parse(clock(JSON.stringify(v).replaceAll('team-1/', `${n.namespace}/`).replaceAll('"team-1"', `"${n.namespace}"`)));
      const same = (v: unknown): unknown => JSON.parse(clock(JSON.stringify(v)));
      assert.equal(n.finding.state, 'verified', `${n.namespace}/${n.name}`);
      assert.deepEqual(same(n.finding), rename(b.finding), `${n.namespace}/${n.name}: the same finding`);
      assert.deepEqual(same(n.signatures), rename(b.signatures), `${n.namespace}/${n.name}: the same signatures`);
      const verified = n.signatures.find((s) => s.verified);
      assert.ok(verified?.attempts.some((a) => a.ok && a.trust.label.startsWith(`${n.namespace}/`)), `${n.namespace}/${n.name}: its own Secret verified it`);
    }
  });
});
