import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { VerifyError } from '../../../src/errors.js';
import { openRegistry, type HttpStoreOptions } from '../../../src/registry/http-store.js';
import { resolveRef } from '../../../src/registry/resolve.js';
import type { ArtifactStore } from '../../../src/registry/store.js';
import { FakeRegistry, manifest, MD, sha } from '../../helpers/fake-registry.js';

const PASSWORD = 'pa55-w0rd-never-shown';
const TOKEN = 'tok-3n-never-shown';
function serveManifest(res: ServerResponse, body: string, type = 'application/vnd.oci.image.manifest.v1+json', digest = sha(body)): void {
  res.writeHead(200, { 'content-type': type, 'docker-content-digest': digest, 'content-length': Buffer.byteLength(body) }).end(body);
}

/** Every error thrown in this file, to check at the end that no secret leaked into any of them. */
const errors: unknown[] = [];
async function failsWith(p: Promise<unknown>, code: string, message?: RegExp): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    errors.push(e);
    assert.ok(e instanceof VerifyError, `expected a VerifyError, got ${inspect(e)}`);
    assert.equal(e.code, code, e.message);
    if (message) assert.match(e.message, message);
    assert.ok(!e.message.includes('\n'), 'one line');
    return true;
  });
}

describe('HTTP store against a hostile registry', () => {
  const reg = new FakeRegistry();
  const stores: ArtifactStore[] = [];
  const open = (opts: HttpStoreOptions = {}): ArtifactStore => {
    const s = openRegistry({ host: reg.host, repository: 'team/app' }, { insecure: true, timeoutMs: 2000, retry: { baseDelayMs: 1, maxDelayMs: 5 }, ...opts });
    stores.push(s);
    return s;
  };
  before(() => reg.start());
  after(async () => {
    for (const s of stores) await s.close();
    await new Promise((r) => reg.server.close(r));
  });

  it('fetches a manifest with OCI Accept headers and checks it against its digest', async () => {
    reg.reset();
    reg.routes.set('/v2/team/app/manifests/v1', (req, res) => {
      // distribution 2.8's behaviour: no OCI type in Accept, no OCI manifest
      if (!(req.headers.accept ?? '').includes('application/vnd.oci.image.manifest.v1+json')) res.writeHead(404).end();
      else serveManifest(res, manifest);
    });
    const got = await open().fetchManifest('v1');
    assert.equal(got.descriptor.digest, MD);
    assert.equal(got.manifest.kind, 'manifest');
    assert.match(reg.log[0]?.accept ?? '', /application\/vnd\.docker\.distribution\.manifest\.list\.v2\+json/);
  });

  it('rejects a manifest whose body does not match the requested digest', async () => {
    reg.reset();
    reg.routes.set(`/v2/team/app/manifests/${MD}`, (_q, res) => serveManifest(res, manifest.replace('"schemaVersion":2', '"schemaVersion": 2'), undefined, MD));
    await failsWith(open().fetchManifest(MD), 'registry.digest-mismatch', /expected content with digest sha256:/);
  });

  it('rejects a tag whose Docker-Content-Digest disagrees with the body', async () => {
    reg.reset();
    reg.routes.set('/v2/team/app/manifests/v1', (_q, res) => serveManifest(res, manifest, undefined, sha('something else')));
    await failsWith(open().fetchManifest('v1'), 'registry.digest-mismatch', /Docker-Content-Digest/);
  });

  it('checks sha512 digests too', async () => {
    reg.reset();
    const d512 = `sha512:${createHash('sha512').update('hello').digest('hex')}`;
    reg.routes.set(`/v2/team/app/blobs/${d512}`, (_q, res) => res.writeHead(200).end('hello'));
    assert.equal(Buffer.from(await open().fetchBlob(d512)).toString(), 'hello');
    reg.routes.set(`/v2/team/app/blobs/${d512}`, (_q, res) => res.writeHead(200).end('hellO'));
    await failsWith(open().fetchBlob(d512), 'registry.digest-mismatch');
  });

  it('rejects a lying Content-Type (index declared, manifest in the body)', async () => {
    reg.reset();
    reg.routes.set('/v2/team/app/manifests/v1', (_q, res) => serveManifest(res, manifest, 'application/vnd.oci.image.index.v1+json'));
    await failsWith(open().fetchManifest('v1'), 'registry.media-type', /declared as application\/vnd\.oci\.image\.index\.v1\+json/);
  });

  it('stops reading a body past the cap, declared or streamed', async () => {
    reg.reset();
    const big = 'x'.repeat(64 * 1024);
    reg.routes.set(`/v2/team/app/blobs/${sha(big)}`, (_q, res) => res.writeHead(200, { 'content-length': big.length }).end(big));
    await failsWith(open().fetchBlob(sha(big), { maxBytes: 1024 }), 'registry.too-large', /declares 65536 bytes/);
    // chunked: no length up front, the server keeps sending
    let sent = 0;
    reg.routes.set(`/v2/team/app/blobs/${sha('endless')}`, (_q, res) => {
      res.writeHead(200);
      const push = (): void => {
        if (res.destroyed || sent > 50 * 1024 * 1024) return;
        sent += 64 * 1024;
        res.write(big, () => setImmediate(push));
      };
      push();
    });
    await failsWith(open().fetchBlob(sha('endless'), { maxBytes: 100_000 }), 'registry.too-large', /more than 100000 bytes/);
    assert.ok(sent < 10 * 1024 * 1024, `stopped early (server sent ${sent} bytes)`);
    // a descriptor that admits to being too large is refused without a request
    const before = reg.log.length;
    await failsWith(open().fetchBlob({ mediaType: 'x', digest: sha('y'), size: 10 ** 9 }), 'registry.too-large');
    assert.equal(reg.log.length, before);
  });

  it('rejects a blob whose size differs from its descriptor', async () => {
    reg.reset();
    reg.routes.set(`/v2/team/app/blobs/${sha('hello')}`, (_q, res) => res.writeHead(200).end('hello'));
    await failsWith(open().fetchBlob({ mediaType: 'x', digest: sha('hello'), size: 4 }), 'registry.digest-mismatch', /expected 4 bytes/);
  });

  it('runs the bearer token flow with Basic credentials, and reuses the token per scope', async () => {
    reg.reset();
    const basic = `Basic ${Buffer.from(`ci:${PASSWORD}`).toString('base64')}`;
    reg.routes.set('/token', (req, res, url) => {
      if (req.headers.authorization !== basic) return void res.writeHead(401).end();
      assert.equal(url.searchParams.get('service'), 'fake');
      assert.equal(url.searchParams.get('scope'), 'repository:team/app:pull');
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ access_token: TOKEN, expires_in: 300 }));
    });
    reg.routes.set('*', (req, res, url) => {
      if (req.headers.authorization !== `Bearer ${TOKEN}`) {
        return void res.writeHead(401, { 'www-authenticate': `Bearer realm="http://${reg.host}/token",service="fake",scope="repository:team/app:pull"` }).end();
      }
      if (url.pathname.endsWith('/manifests/v1')) serveManifest(res, manifest);
      else if (url.pathname.endsWith('/tags/list')) res.writeHead(200).end('{"tags":["v1"]}');
      else res.writeHead(404).end();
    });
    const store = open({ credential: { kind: 'basic', username: 'ci', password: PASSWORD, source: 'Secret apps/regcred' } });
    await store.fetchManifest('v1');
    await store.fetchManifest('v1');
    assert.deepEqual(await store.listTags(), ['v1']);
    assert.equal(reg.hits('/token'), 1, 'one token for three requests');
    // a wrong password: refused by the token service, said without the password
    const wrong = open({ credential: { kind: 'basic', username: 'ci', password: `${PASSWORD}-old`, source: 'Secret apps/regcred' } });
    await failsWith(wrong.fetchManifest('v1'), 'registry.unauthorized', /user "ci" from Secret apps\/regcred/);
  });

  it('fetches a new token once the old one has expired', async () => {
    reg.reset();
    let now = 1_000_000;
    reg.routes.set('/token', (_q, res) => res.writeHead(200).end(JSON.stringify({ token: TOKEN })));
    reg.routes.set('*', (req, res) => {
      if (req.headers.authorization !== `Bearer ${TOKEN}`) return void res.writeHead(401, { 'www-authenticate': `Bearer realm="http://${reg.host}/token"` }).end();
      serveManifest(res, manifest);
    });
    const store = open({ now: () => now });
    await store.fetchManifest('v1');
    now += 30_000;
    await store.fetchManifest('v1');
    assert.equal(reg.hits('/token'), 1, 'default expires_in 60 s: still valid after 30 s');
    now += 60_000;
    await store.fetchManifest('v1');
    assert.equal(reg.hits('/token'), 2);
  });

  it('answers a Basic challenge with Basic and does not loop on a registry that always says 401', async () => {
    reg.reset();
    reg.routes.set('*', (_q, res) => res.writeHead(401, { 'www-authenticate': 'Basic realm="registry"' }).end());
    await failsWith(open({ credential: { kind: 'basic', username: 'u', password: PASSWORD, source: 'test' } }).fetchManifest('v1'), 'registry.unauthorized');
    assert.equal(reg.log.length, 2);
    assert.match(reg.log[1]?.auth ?? '', /^Basic /);
    reg.reset();
    reg.routes.set('/token', (_q, res) => res.writeHead(200).end(JSON.stringify({ token: TOKEN })));
    reg.routes.set('*', (_q, res) => res.writeHead(401, { 'www-authenticate': `Bearer realm="http://${reg.host}/token"` }).end());
    await failsWith(open().fetchManifest('v1'), 'registry.unauthorized', /anonymous/);
    assert.equal(reg.log.length, 3, 'request, token, one retry');
  });

  it('maps 403 to forbidden and 404 to not-found', async () => {
    reg.reset();
    reg.routes.set('/v2/team/app/manifests/v1', (_q, res) => res.writeHead(403).end());
    await failsWith(open().fetchManifest('v1'), 'registry.forbidden', /team\/app/);
    await failsWith(open().fetchManifest('v2'), 'registry.not-found', /manifest v2 not found/);
  });

  it('waits as Retry-After says on 429, and gives up when it asks too much', async () => {
    reg.reset();
    let calls = 0;
    reg.routes.set('/v2/team/app/manifests/v1', (_q, res) => {
      if (++calls === 1) res.writeHead(429, { 'retry-after': '1' }).end();
      else serveManifest(res, manifest);
    });
    const t0 = Date.now();
    await open().fetchManifest('v1');
    assert.ok(Date.now() - t0 >= 900, 'waited about a second');
    reg.routes.set('/v2/team/app/manifests/v1', (_q, res) => res.writeHead(429, { 'retry-after': '3600' }).end());
    await failsWith(open().fetchManifest('v1'), 'registry.rate-limited', /3600 s/);
  });

  it('retries 5xx with backoff, a bounded number of times', async () => {
    reg.reset();
    let calls = 0;
    reg.routes.set('/v2/team/app/manifests/v1', (_q, res) => {
      if (++calls <= 2) res.writeHead(503).end();
      else serveManifest(res, manifest);
    });
    await open().fetchManifest('v1');
    assert.equal(calls, 3);
    reg.routes.set('/v2/team/app/manifests/v1', (_q, res) => res.writeHead(500).end());
    const n = reg.log.length;
    await failsWith(open({ retry: { maxRetries: 2, baseDelayMs: 1 } }).fetchManifest('v1'), 'registry.server-error', /after 3 attempt/);
    assert.equal(reg.log.length - n, 3);
  });

  it('follows Link pages for tags and refuses a Link that leaves the repository', async () => {
    reg.reset();
    reg.routes.set('/v2/team/app/tags/list', (_q, res, url) => {
      const last = url.searchParams.get('last');
      if (!last) res.writeHead(200, { link: '</v2/team/app/tags/list?n=2&last=b>; rel="next"' }).end('{"tags":["a","b"]}');
      else if (last === 'b') res.writeHead(200, { link: `<http://${reg.host}/v2/team/app/tags/list?n=2&last=d>; rel="next"` }).end('{"tags":["c","d"]}');
      else res.writeHead(200).end('{"tags":["e"]}');
    });
    assert.deepEqual(await open().listTags(), ['a', 'b', 'c', 'd', 'e']);
    reg.routes.set('/v2/team/app/tags/list', (_q, res) => res.writeHead(200, { link: '<https://evil.example/v2/team/app/tags/list>; rel="next"' }).end('{"tags":["a"]}'));
    await failsWith(open().listTags(), 'registry.protocol', /outside the repository/);
  });

  it('resolves spec.ref.semver through the tag list', async () => {
    reg.reset();
    reg.routes.set('/v2/team/app/tags/list', (_q, res) => res.writeHead(200).end('{"tags":["6.4.0","6.5.0","6.5.1-rc.1","latest"]}'));
    reg.routes.set('/v2/team/app/manifests/6.5.0', (_q, res) => serveManifest(res, manifest));
    const r = await resolveRef(open(), { kind: 'semver', constraint: '>=6.0.0', helmTags: false });
    assert.deepEqual({ by: r.by, tag: r.tag, digest: r.descriptor.digest }, { by: 'semver', tag: '6.5.0', digest: MD });
    await failsWith(resolveRef(open(), { kind: 'semver', constraint: '>=7', helmTags: false }), 'registry.no-match', /no match found for semver: >=7 among 4 tags/);
  });

  describe('referrers', () => {
    const sigA = { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: sha('a'), size: 1, artifactType: 'application/vnd.dev.sigstore.bundle.v0.3+json' };
    const sigB = { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: sha('b'), size: 1, artifactType: 'application/vnd.cncf.notary.signature' };
    const index = (m: unknown[]): string => JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: m });

    it('uses the API, follows pages, and filters client-side when the registry did not', async () => {
      reg.reset();
      reg.routes.set(`/v2/team/app/referrers/${MD}`, (_q, res, url) => {
        if (url.searchParams.get('page') === '2') res.writeHead(200, { 'content-type': 'application/vnd.oci.image.index.v1+json' }).end(index([sigB]));
        else res.writeHead(200, { 'content-type': 'application/vnd.oci.image.index.v1+json', link: `</v2/team/app/referrers/${MD}?page=2>; rel="next"` }).end(index([sigA]));
      });
      const all = await open().listReferrers(MD);
      assert.equal(all.via, 'referrers-api');
      assert.deepEqual(all.descriptors.map((d) => d.digest), [sigA.digest, sigB.digest]);
      const notation = await open().listReferrers(MD, { artifactType: sigB.artifactType });
      assert.deepEqual(notation.descriptors.map((d) => d.digest), [sigB.digest]);
      assert.match(reg.log.at(-2)?.path ?? '', /artifactType=application%2Fvnd\.cncf\.notary\.signature/);
    });

    it('trusts OCI-Filters-Applied', async () => {
      reg.reset();
      reg.routes.set(`/v2/team/app/referrers/${MD}`, (_q, res) => res.writeHead(200, { 'content-type': 'application/vnd.oci.image.index.v1+json', 'oci-filters-applied': 'artifactType' }).end(index([sigA])));
      // the registry claims to have filtered, so its answer stands as given
      assert.equal((await open().listReferrers(MD, { artifactType: sigB.artifactType })).descriptors.length, 1);
    });

    for (const [label, answer] of [
      ['404', (res: ServerResponse) => res.writeHead(404).end()],
      ['400', (res: ServerResponse) => res.writeHead(400).end()],
      ['a 200 that is not an index', (res: ServerResponse) => res.writeHead(200, { 'content-type': 'text/html' }).end('<html>')],
    ] as const) {
      it(`falls back to the sha256-<hex> tag on ${label}`, async () => {
        reg.reset();
        reg.routes.set(`/v2/team/app/referrers/${MD}`, (_q, res) => answer(res));
        const tagIndex = index([sigA, sigB]);
        reg.routes.set(`/v2/team/app/manifests/sha256-${MD.slice(7)}`, (_q, res) => serveManifest(res, tagIndex, 'application/vnd.oci.image.index.v1+json'));
        const r = await open().listReferrers(MD, { artifactType: sigA.artifactType });
        assert.equal(r.via, 'referrers-tag');
        assert.deepEqual(r.descriptors.map((d) => d.digest), [sigA.digest]);
      });
    }

    it('reports no referrers when neither API nor tag exists', async () => {
      reg.reset();
      const r = await open().listReferrers(MD);
      assert.deepEqual(r, { via: 'referrers-tag', descriptors: [] });
    });
  });

  it('drops Authorization when a blob redirects to another origin', async () => {
    reg.reset();
    const other = new FakeRegistry();
    await other.start();
    try {
      other.routes.set('/blob', (_q, res) => res.writeHead(200).end('hello'));
      reg.routes.set(`/v2/team/app/blobs/${sha('hello')}`, (_q, res) => res.writeHead(307, { location: `http://${other.host}/blob` }).end());
      reg.routes.set('/v2/team/app/manifests/v1', (req, res) => {
        if (!req.headers.authorization) return void res.writeHead(401, { 'www-authenticate': 'Basic realm="r"' }).end();
        serveManifest(res, manifest);
      });
      const store = open({ credential: { kind: 'basic', username: 'u', password: PASSWORD, source: 'test' } });
      await store.fetchManifest('v1');
      assert.equal(Buffer.from(await store.fetchBlob(sha('hello'))).toString(), 'hello');
      assert.match(reg.log.at(-1)?.auth ?? '', /^Basic /);
      assert.equal(other.log[0]?.auth, undefined);
    } finally {
      await new Promise((r) => other.server.close(r));
    }
  });

  it('times out a registry that never answers', async () => {
    reg.reset();
    reg.routes.set('*', () => undefined);
    await failsWith(open({ timeoutMs: 200, retry: { maxRetries: 0 } }).fetchManifest('v1'), 'registry.timeout', /200 ms/);
  });

  it('says unreachable when nothing listens', async () => {
    const dead = createServer();
    await new Promise<void>((r) => dead.listen(0, '127.0.0.1', r));
    const port = (dead.address() as AddressInfo).port;
    await new Promise((r) => dead.close(r));
    const store = openRegistry({ host: `127.0.0.1:${port}`, repository: 'x' }, { insecure: true, retry: { maxRetries: 0 } });
    stores.push(store);
    await failsWith(store.fetchManifest('v1'), 'registry.unreachable', /ECONNREFUSED/);
  });

  it('never lets a password or token into any error it threw', () => {
    assert.ok(errors.length >= 15, `collected ${errors.length} errors`);
    for (const e of errors) {
      const text = `${inspect(e, { depth: 20 })} ${JSON.stringify(e)} ${String((e as Error).stack)}`;
      for (const secret of [PASSWORD, TOKEN, Buffer.from(`ci:${PASSWORD}`).toString('base64'), Buffer.from(`u:${PASSWORD}`).toString('base64')]) {
        assert.ok(!text.includes(secret), `secret in ${(e as Error).message}`);
      }
    }
  });
});
