import assert from 'node:assert/strict';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { Credential } from '../../../src/registry/credentials.js';
import type { HttpStoreOptions } from '../../../src/registry/http-store.js';
import { RegistryPool } from '../../../src/registry/pool.js';
import { resolveRef } from '../../../src/registry/resolve.js';
import { FakeRegistry, manifest, MD, sha, type Handler } from '../../helpers/fake-registry.js';

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const basic = (user: string, password: string): Extract<Credential, { kind: 'basic' }> => ({ kind: 'basic', username: user, password, source: `Secret ns-${user}/regcred` });

function sendManifest(req: IncomingMessage, res: ServerResponse, headers: Record<string, string> = {}): void {
  res.writeHead(200, { 'content-type': OCI_MANIFEST, 'docker-content-digest': MD, 'content-length': String(Buffer.byteLength(manifest)), ...headers });
  res.end(req.method === 'HEAD' ? undefined : manifest);
}
const serveManifest: Handler = (req, res) => sendManifest(req, res);

describe('RegistryPool', () => {
  const reg = new FakeRegistry();
  let pool: RegistryPool;
  const options = (o: HttpStoreOptions = {}): HttpStoreOptions => ({ insecure: true, timeoutMs: 5000, retry: { baseDelayMs: 1, maxDelayMs: 5 }, ...o });
  const repo = (repository = 'team/app') => ({ kind: 'registry' as const, host: reg.host, repository });
  before(() => reg.start());
  beforeEach(async () => {
    reg.reset();
    await pool?.close();
    pool = new RegistryPool();
  });
  after(async () => {
    await pool.close();
    await new Promise((r) => reg.server.close(r));
  });

  it('resolves a tag with one HEAD, and its digest with no request at all', async () => {
    reg.routes.set('/v2/team/app/manifests/v1', serveManifest);
    reg.routes.set(`/v2/team/app/manifests/${MD}`, serveManifest);
    const store = await pool.store(repo(), options());
    const r = await resolveRef(store, { kind: 'tag', tag: 'v1' });
    assert.deepEqual(r.descriptor, { mediaType: OCI_MANIFEST, digest: MD, size: Buffer.byteLength(manifest) });
    assert.deepEqual(await store.resolve(MD), r.descriptor);
    assert.deepEqual(reg.log.map((l) => `${l.method} ${l.pathname}`), ['HEAD /v2/team/app/manifests/v1'], 'no manifest GET, no second request');
  });

  it('falls back to a GET, and hashes the bytes, when the HEAD names no digest', async () => {
    reg.routes.set('/v2/team/app/manifests/v1', (req, res) => {
      res.writeHead(200, { 'content-type': OCI_MANIFEST, 'content-length': String(Buffer.byteLength(manifest)) });
      res.end(req.method === 'HEAD' ? undefined : manifest);
    });
    const store = await pool.store(repo(), options());
    assert.equal((await store.resolve('v1')).digest, MD);
    assert.deepEqual(reg.log.map((l) => l.method), ['HEAD', 'GET']);
  });

  it('refuses a HEAD by digest that names another digest', async () => {
    reg.routes.set(`/v2/team/app/manifests/${MD}`, (req, res) => sendManifest(req, res, { 'docker-content-digest': sha('other') }));
    const store = await pool.store(repo(), options());
    await assert.rejects(store.resolve(MD), { code: 'registry.digest-mismatch' });
  });

  it('reads once per run for every store of the same repository and credential content', async () => {
    reg.routes.set('/v2/team/app/manifests/v1', serveManifest);
    reg.routes.set(`/v2/team/app/blobs/${sha('hello')}`, (_q, res) => res.writeHead(200).end('hello'));
    reg.routes.set(`/v2/team/app/referrers/${MD}`, (_q, res) => res.writeHead(200, { 'content-type': 'application/vnd.oci.image.index.v1+json' }).end(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: [] })));
    // the same user and password in two Secrets (sources differ): one credential, one set of reads
    const a = await pool.store(repo(), options({ credential: { ...basic('ci', 'pw'), source: 'Secret apps-1/regcred' } }));
    const b = await pool.store(repo(), options({ credential: { ...basic('ci', 'pw'), source: 'Secret apps-2/regcred' } }));
    for (const s of [a, b, a]) {
      await s.resolve('v1');
      await s.fetchManifest('v1');
      assert.equal(Buffer.from(await s.fetchBlob({ mediaType: 'x', digest: sha('hello'), size: 5 })).toString(), 'hello');
      assert.deepEqual((await s.listReferrers(MD)).descriptors, []);
    }
    assert.equal(reg.count('HEAD', '/v2/team/app/manifests/v1'), 1);
    assert.equal(reg.count('GET', '/v2/team/app/manifests/v1'), 1);
    assert.equal(reg.count('GET', `/v2/team/app/blobs/${sha('hello')}`), 1);
    assert.equal(reg.count('GET', `/v2/team/app/referrers/${MD}`), 1);
  });

  it('remembers a registry failure for the run (a missing .sig tag is asked once)', async () => {
    const store = await pool.store(repo(), options());
    await assert.rejects(store.fetchManifest('sha256-abc.sig'), { code: 'registry.not-found' });
    await assert.rejects((await pool.store(repo(), options())).fetchManifest('sha256-abc.sig'), { code: 'registry.not-found' });
    assert.equal(reg.log.length, 1);
  });

  it('shares one request between concurrent identical reads', async () => {
    reg.routes.set(`/v2/team/app/blobs/${sha('hello')}`, (_q, res) => setTimeout(() => res.writeHead(200).end('hello'), 100));
    const stores = await Promise.all(Array.from({ length: 5 }, () => pool.store(repo(), options())));
    const got = await Promise.all(stores.map((s) => s.fetchBlob(sha('hello'))));
    assert.ok(got.every((g) => Buffer.from(g).toString() === 'hello'));
    assert.equal(reg.log.length, 1);
  });

  it('never shares reads between different credentials, and keeps a token per credential', async () => {
    const tokens = new Map([
      [`Basic ${Buffer.from('alice:a-pass').toString('base64')}`, 'tok-alice'],
      [`Basic ${Buffer.from('bob:b-pass').toString('base64')}`, 'tok-bob'],
    ]);
    reg.routes.set('/token', (req, res) => {
      const t = tokens.get(req.headers.authorization ?? '');
      if (!t) return void res.writeHead(401).end();
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ token: t, expires_in: 300 }));
    });
    reg.routes.set('*', (req, res) => {
      const auth = req.headers.authorization ?? '';
      if (auth === 'Bearer tok-alice') return void sendManifest(req, res);
      // bob may not read this repository
      if (auth === 'Bearer tok-bob') return void res.writeHead(403).end();
      res.writeHead(401, { 'www-authenticate': `Bearer realm="http://${reg.host}/token",service="fake"` }).end();
    });
    const alice = await pool.store(repo(), options({ credential: basic('alice', 'a-pass') }));
    const bob = await pool.store(repo(), options({ credential: basic('bob', 'b-pass') }));
    assert.equal((await alice.resolve('v1')).digest, MD);
    await assert.rejects(bob.resolve('v1'), { code: 'registry.forbidden' });
    assert.equal((await alice.resolve('v1')).digest, MD, 'alice still reads what she read');
    assert.equal(reg.count('GET', '/token'), 2, 'one token per credential');
    const heads = reg.log.filter((l) => l.method === 'HEAD' && l.auth !== undefined).map((l) => l.auth);
    assert.deepEqual(heads.sort(), ['Bearer tok-alice', 'Bearer tok-bob']);
    assert.notEqual(pool.readKey(repo(), options({ credential: basic('alice', 'a-pass') })), pool.readKey(repo(), options({ credential: basic('bob', 'b-pass') })));
  });

  it('makes every request to a host wait when it answers 429 with Retry-After', async () => {
    let first = true;
    let limitedAt = 0;
    reg.routes.set('/v2/team/a/manifests/v1', (req, res) => {
      if (first) {
        first = false;
        limitedAt = Date.now();
        return void res.writeHead(429, { 'retry-after': '1' }).end();
      }
      sendManifest(req, res);
    });
    reg.routes.set('/v2/team/b/manifests/v1', serveManifest);
    const a = await pool.store(repo('team/a'), options());
    const b = await pool.store(repo('team/b'), options());
    const pa = a.resolve('v1');
    // b starts once the host has said 429 to a: it must wait the same second, without being told itself
    while (limitedAt === 0) await new Promise((r) => setTimeout(r, 5));
    await new Promise((r) => setTimeout(r, 20));
    await Promise.all([pa, b.resolve('v1')]);
    const bAt = reg.log.find((l) => l.pathname === '/v2/team/b/manifests/v1')?.at ?? 0;
    assert.ok(bAt - limitedAt >= 900, `team/b waited for the host's Retry-After (${bAt - limitedAt} ms)`);
    assert.equal(reg.log.filter((l) => l.pathname === '/v2/team/b/manifests/v1').length, 1, 'b was never refused itself');
  });

  it('keeps at most 8 requests in flight per host', async () => {
    reg.routes.set('*', (_q, res, url) => {
      const body = url.pathname.split('/').pop() ?? '';
      setTimeout(() => res.writeHead(200).end(body), 30);
    });
    const store = await pool.store(repo(), options());
    const names = Array.from({ length: 24 }, (_, i) => `blob-${i}`);
    await Promise.all(names.map((n) => store.fetchBlob(sha(n)).catch(() => undefined)));
    assert.equal(reg.log.length, 24);
    assert.ok(reg.maxInFlight <= 8, `at most 8 at once, saw ${reg.maxInFlight}`);
    assert.ok(reg.maxInFlight >= 2, 'and more than one');
  });

  it('hands every repository of the run to an opener instead, still read once', async () => {
    let opened = 0;
    let reads = 0;
    const demo = new RegistryPool({
      opener: async (ref) => {
        opened++;
        return {
          location: `${ref.host}/${ref.repository}`,
          resolve: async () => {
            reads++;
            return { mediaType: OCI_MANIFEST, digest: MD, size: 1 };
          },
          fetchManifest: () => Promise.reject(new Error('unused')),
          fetchBlob: () => Promise.reject(new Error('unused')),
          listTags: async () => [],
          listReferrers: async () => ({ via: 'layout', descriptors: [] }),
          close: async () => undefined,
        };
      },
    });
    const s1 = await demo.store({ kind: 'registry', host: 'ghcr.io', repository: 'acme/app' }, {});
    const s2 = await demo.store({ kind: 'registry', host: 'ghcr.io', repository: 'acme/app' }, {});
    await s1.resolve('v1');
    await s2.resolve('v1');
    await demo.close();
    assert.deepEqual([opened, reads, reg.log.length], [1, 1, 0]);
  });
});
