import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { deflateSync } from 'node:zlib';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { GitClient, isGitRemoteError, type GitRemoteCode } from '../../../src/git/index.js';
import { FLUSH, concat, pktLine } from '../../../src/git/pktline.js';
import { startGitServer } from '../../lab/git-server.js';
import { makeLabCa } from '../../lab/tls.js';
import { catFile, makeFixture, packOf, type GitFixture } from './fixture.js';

/** a version 2 pack holding one commit object with this body */
function onePack(body: Buffer): Buffer {
  const head = [0x80 | (1 << 4) | (body.length & 15)];
  for (let n = body.length >> 4; n > 0; n >>= 7) head.push((n & 0x7f) | (n >> 7 ? 0x80 : 0));
  const pack = Buffer.concat([Buffer.from('PACK'), Buffer.from([0, 0, 0, 2, 0, 0, 0, 1]), Buffer.from(head), deflateSync(body)]);
  return Buffer.concat([pack, createHash('sha1').update(pack).digest()]);
}

const fails = (code: GitRemoteCode) => (e: unknown): boolean => {
  assert.ok(isGitRemoteError(e, code), `expected ${code}, got ${String((e as { code?: string }).code)}: ${String(e)}`);
  return true;
};

let fx: GitFixture;
before(async () => {
  fx = await makeFixture();
});
after(() => rmSync(fx.root, { recursive: true, force: true }));

describe('auth', () => {
  it('basic auth: right, wrong, missing; never in messages', async () => {
    const srv = await startGitServer({ root: fx.root, basicAuth: { username: 'flux', password: 's3cret-pw' } });
    const client = new GitClient();
    try {
      const url = `${srv.url}/app.git`;
      const r = await client.resolve({ url, username: 'flux', password: 's3cret-pw' }, { branch: 'main' });
      assert.equal(r.commit, fx.commits.main);
      const objs = await client.fetchObjects({ url, username: 'flux', password: 's3cret-pw' }, [r.commit]);
      assert.equal(objs[0]?.id, r.commit);
      await assert.rejects(client.resolve({ url, username: 'flux', password: 'wrong-pw' }, {}), (e: unknown) => fails('git-remote.auth')(e) && !String(e).includes('wrong-pw'));
      await assert.rejects(client.resolve({ url }, {}), fails('git-remote.auth'));
      // credentials in the URL are used (as go-git does) and not shown
      const inUrl = url.replace('http://', 'http://flux:s3cret-pw@');
      assert.equal((await client.resolve({ url: inUrl }, {})).commit, fx.commits.c1);
      await assert.rejects(client.resolve({ url: inUrl.replace('app.git', 'nope.git') }, {}), (e: unknown) => fails('git-remote.not-found')(e) && !String(e).includes('s3cret'));
    } finally {
      await client.close();
      await srv.stop();
    }
  });
  it('bearer token; basic and bearer together are refused as Flux does', async () => {
    const srv = await startGitServer({ root: fx.root, bearerToken: 'tok-123' });
    const client = new GitClient();
    try {
      const url = `${srv.url}/app.git`;
      assert.equal((await client.resolve({ url, bearerToken: 'tok-123' }, { tag: 'v1.0.0' })).commit, fx.commits.c1);
      await assert.rejects(client.resolve({ url, bearerToken: 'nope' }, {}), fails('git-remote.auth'));
      await assert.rejects(client.resolve({ url, bearerToken: 'tok-123', username: 'u', password: 'p' }, {}), fails('git-remote.auth'));
      assert.ok(srv.requests().every((r) => r.status === 200 || r.status === 401));
    } finally {
      await client.close();
      await srv.stop();
    }
  });
});

describe('TLS', () => {
  it('needs the CA from the Secret; a wrong certificate is git-remote.tls', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kv-git-tls-'));
    const ca = await makeLabCa(dir);
    const srv = await startGitServer({ root: fx.root, tls: ca.valid });
    const expired = await startGitServer({ root: fx.root, tls: ca.expired });
    const client = new GitClient();
    try {
      await assert.rejects(client.resolve({ url: `${srv.url}/app.git` }, {}), fails('git-remote.tls'));
      const caCert = readFileSync(ca.ca);
      assert.equal((await client.resolve({ url: `${srv.url}/app.git`, caCert }, {})).commit, fx.commits.c1);
      await assert.rejects(client.resolve({ url: `${expired.url}/app.git`, caCert }, {}), fails('git-remote.tls'));
    } finally {
      await client.close();
      await srv.stop();
      await expired.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** A server that speaks just enough protocol v2 to hand out what a test wants. */
async function canned(answer: (req: IncomingMessage, body: Buffer) => { type: string; body: Uint8Array | string } | 'stream'): Promise<{ url: string; stop: () => Promise<void> }> {
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const a = answer(req, Buffer.concat(chunks));
      if (a === 'stream') {
        res.writeHead(200, { 'Content-Type': 'application/x-git-upload-pack-advertisement' });
        const chunk = Buffer.alloc(64 * 1024, 0x41);
        let n = 0;
        const pump = (): void => {
          while (n++ < 200) if (!res.write(chunk)) return void res.once('drain', pump);
          res.end();
        };
        pump();
        return;
      }
      res.writeHead(200, { 'Content-Type': a.type }).end(Buffer.from(a.body));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/app.git`,
    stop: () => {
      server.closeAllConnections();
      return new Promise((r) => server.close(() => r()));
    },
  };
}

const ADV = 'application/x-git-upload-pack-advertisement';
const RES = 'application/x-git-upload-pack-result';
const v2caps = concat([pktLine('version 2\n'), pktLine('ls-refs\n'), pktLine('fetch=shallow filter\n'), FLUSH]);

function sideBand(pack: Uint8Array): Uint8Array {
  const parts: Uint8Array[] = [pktLine('packfile\n')];
  for (let i = 0; i < pack.length; i += 60000) parts.push(concat([new Uint8Array([0x30, 0x30, 0x30, 0x30]), new Uint8Array([1]), pack.subarray(i, i + 60000)]));
  // fix up each data packet's length header
  for (let i = 1; i < parts.length; i++) {
    const p = parts[i] as Uint8Array;
    p.set(Buffer.from(p.length.toString(16).padStart(4, '0')), 0);
  }
  return concat([...parts, FLUSH]);
}

describe('a hostile server', () => {
  it('a pack whose object is not the one asked for is object-mismatch', async () => {
    const other = await packOf(fx.repo, [fx.commits.c2 as string]);
    const srv = await canned((req) => (req.method === 'GET' ? { type: ADV, body: v2caps } : { type: RES, body: sideBand(other) }));
    const client = new GitClient();
    try {
      await assert.rejects(client.fetchObjects({ url: srv.url }, [fx.commits.c1 as string]), fails('git-remote.object-mismatch'));
    } finally {
      await client.close();
      await srv.stop();
    }
  });
  it('a pack with a good checksum and one altered object is object-mismatch', async () => {
    // the real commit with one byte changed, packed correctly (valid header, zlib and checksum)
    const body = Buffer.from(await catFile(fx.repo, 'commit', fx.commits.c1 as string));
    body.writeUInt8((body.at(-2) ?? 0) ^ 1, body.length - 2);
    const srv = await canned((req) => (req.method === 'GET' ? { type: ADV, body: v2caps } : { type: RES, body: sideBand(onePack(body)) }));
    const client = new GitClient();
    try {
      await assert.rejects(client.fetchObjects({ url: srv.url }, [fx.commits.c1 as string]), fails('git-remote.object-mismatch'));
    } finally {
      await client.close();
      await srv.stop();
    }
  });
  it('garbage pkt-lines, a broken pack, no smart HTTP: protocol', async () => {
    const client = new GitClient();
    const cases: [string, (req: IncomingMessage) => { type: string; body: Uint8Array | string }][] = [
      ['garbage', () => ({ type: ADV, body: 'zzzz garbage' })],
      ['truncated pkt-line', () => ({ type: ADV, body: '00ffversion 2\n' })],
      ['dumb http', () => ({ type: 'text/plain', body: 'abc refs/heads/main\n' })],
      ['broken pack', (req) => (req.method === 'GET' ? { type: ADV, body: v2caps } : { type: RES, body: sideBand(Buffer.from('PACK\0\0\0\x02\0\0\0\x01garbage-garbage-garbage-garbage')) })],
    ];
    try {
      for (const [what, answer] of cases) {
        const srv = await canned(answer);
        try {
          await assert.rejects(client.fetchObjects({ url: srv.url }, [fx.commits.c1 as string]), fails('git-remote.protocol'), what);
        } finally {
          await srv.stop();
        }
      }
    } finally {
      await client.close();
    }
  });
  it('a server error line is server-error; an endless answer is too-large', async () => {
    const client = new GitClient({ maxResponseBytes: 1024 * 1024 });
    const err = await canned(() => ({ type: ADV, body: concat([pktLine('ERR access to this repository is blocked\n')]) }));
    const big = await canned(() => 'stream');
    try {
      await assert.rejects(client.resolve({ url: err.url }, {}), fails('git-remote.server-error'));
      await assert.rejects(client.resolve({ url: big.url }, {}), fails('git-remote.too-large'));
    } finally {
      await client.close();
      await err.stop();
      await big.stop();
    }
  });
  it('an object over maxObjectBytes is too-large', async () => {
    const srv = await startGitServer({ root: fx.root });
    const client = new GitClient({ maxObjectBytes: 100 });
    try {
      await assert.rejects(client.fetchObjects({ url: `${srv.url}/app.git` }, [fx.commits.c1 as string]), fails('git-remote.too-large'));
    } finally {
      await client.close();
      await srv.stop();
    }
  });
  it('a server that never answers is a timeout', async () => {
    const server = createServer(() => undefined);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const client = new GitClient({ timeoutMs: 300 });
    try {
      await assert.rejects(client.resolve({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/x.git` }, {}), fails('git-remote.timeout'));
    } finally {
      await client.close();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });
});
