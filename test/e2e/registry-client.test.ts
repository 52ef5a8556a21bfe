import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openRegistry } from '../../src/registry/http-store.js';
import { resolveRef } from '../../src/registry/resolve.js';
import type { ReferrersVia } from '../../src/registry/store.js';
import { startRegistry, type RegistryKind, type RunningRegistry } from '../lab/registries.js';
import { labBin } from '../lab/tools.js';

/**
 * The registry client against real registries: olareg serves the OCI 1.1 referrers API, Debian's
 * docker-registry 2.8 does not (and 404s OCI manifests without the right Accept header), so the two
 * exercise both referrer discovery paths. Artifacts are pushed with oras.
 */
const SIG_TYPE = 'application/vnd.example.signature.v1';
const cases: [RegistryKind, ReferrersVia][] = [
  ['olareg', 'referrers-api'],
  ['distribution', 'referrers-tag'],
];

for (const [kind, via] of cases) {
  describe(`registry client against ${kind}`, () => {
    let reg: RunningRegistry;
    const work = mkdtempSync(join(tmpdir(), `kv-e2e-${kind}-`));
    const oras = (...args: string[]): string => execFileSync(labBin('oras'), args, { cwd: work, encoding: 'utf8', env: { ...process.env, HOME: work } }).trim();
    let digest110 = '';

    before(async () => {
      reg = await startRegistry(kind);
      const repo = `${reg.host}/team/app`;
      writeFileSync(join(work, 'content.txt'), 'hello from the lab\n');
      writeFileSync(join(work, 'sig.json'), '{"not":"really a signature"}\n');
      for (const tag of ['1.0.0', '1.1.0', '2.0.0-rc.1', 'latest']) {
        writeFileSync(join(work, 'content.txt'), `content of ${tag}\n`);
        oras('push', '--plain-http', `${repo}:${tag}`, 'content.txt:application/vnd.example.content.v1');
      }
      digest110 = oras('resolve', '--plain-http', `${repo}:1.1.0`);
      oras('attach', '--plain-http', '--artifact-type', SIG_TYPE, `${repo}@${digest110}`, 'sig.json:application/json');
      oras('attach', '--plain-http', '--artifact-type', 'application/vnd.example.other', `${repo}@${digest110}`, 'sig.json:application/json');
    });
    after(async () => {
      await reg?.stop();
      rmSync(work, { recursive: true, force: true });
    });

    it('lists tags and resolves semver as Flux would', async () => {
      const store = openRegistry({ host: reg.host, repository: 'team/app' }, { insecure: true });
      try {
        const tags = await store.listTags();
        for (const t of ['1.0.0', '1.1.0', '2.0.0-rc.1', 'latest']) assert.ok(tags.includes(t), `${t} in ${tags.join(',')}`);
        const r = await resolveRef(store, { kind: 'semver', constraint: '>=1.0.0', helmTags: false });
        assert.equal(r.tag, '1.1.0');
        assert.equal(r.descriptor.digest, digest110);
        assert.equal((await resolveRef(store, undefined)).tag, 'latest');
      } finally {
        await store.close();
      }
    });

    it('fetches the manifest and its layer, digests checked', async () => {
      const store = openRegistry({ host: reg.host, repository: 'team/app' }, { insecure: true });
      try {
        const m = await store.fetchManifest(digest110);
        assert.equal(m.manifest.kind, 'manifest');
        const layer = m.manifest.kind === 'manifest' ? m.manifest.layers[0] : undefined;
        assert.ok(layer);
        assert.equal(Buffer.from(await store.fetchBlob(layer)).toString(), 'content of 1.1.0\n');
      } finally {
        await store.close();
      }
    });

    it(`finds the attached referrers via ${via}`, async () => {
      const store = openRegistry({ host: reg.host, repository: 'team/app' }, { insecure: true });
      try {
        const all = await store.listReferrers(digest110);
        assert.equal(all.via, via);
        assert.equal(all.descriptors.length, 2);
        const sigs = await store.listReferrers(digest110, { artifactType: SIG_TYPE });
        assert.equal(sigs.descriptors.length, 1);
        const sig = await store.fetchManifest(sigs.descriptors[0]?.digest ?? '');
        assert.equal(sig.manifest.subject?.digest, digest110);
      } finally {
        await store.close();
      }
    });
  });
}
