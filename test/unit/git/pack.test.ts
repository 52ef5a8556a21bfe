import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { isGitRemoteError } from '../../../src/git/index.js';
import { objectId, parsePack } from '../../../src/git/pack.js';

const run = promisify(execFile);
let dir: string;
let ids: string[];

async function pack(extra: string[]): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = execFile('git', ['--git-dir', join(dir, '.git'), 'pack-objects', '--stdout', ...extra], { encoding: 'buffer', maxBuffer: 1 << 26 }, (e, out) => (e ? reject(e) : resolve(out)));
    child.stdin?.end(`${ids.join('\n')}\n`);
  });
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'kv-git-pack-'));
  await run('git', ['init', '-q', dir]);
  // similar blobs so that pack-objects stores most of them as deltas
  const base = Array.from({ length: 3000 }, (_, i) => `line ${i} of a file that changes a little\n`).join('');
  ids = [];
  for (let v = 0; v < 6; v++) {
    writeFileSync(join(dir, `f${v}`), `${base}version ${v}\n${base.slice(0, 5000 * v)}`);
    ids.push((await run('git', ['-C', dir, 'hash-object', '-w', `f${v}`], { encoding: 'utf8' })).stdout.trim());
  }
});
after(() => rmSync(dir, { recursive: true, force: true }));

describe('packfile parsing', () => {
  for (const [what, flags] of [['ref-delta', []], ['ofs-delta', ['--delta-base-offset']]] as const) {
    it(`resolves ${what} objects to bytes that hash to their ids`, async () => {
      const p = await pack([...flags]);
      const objs = parsePack(p, 1 << 24, 'test');
      assert.deepEqual([...objs.keys()].sort(), [...ids].sort());
      for (const [id, o] of objs) assert.equal(objectId(o.type, o.body), id);
    });
  }
  it('knows deltas are in play (the fixture is not trivial)', async () => {
    const p = await pack(['--delta-base-offset']);
    const full = ids.length * 3000 * 40;
    assert.ok(p.length < full / 4, `pack ${p.length} bytes for ${full} bytes of content`);
  });
  it('a flipped bit anywhere fails the checksum', async () => {
    const p = Buffer.from(await pack([]));
    p.writeUInt8((p.at(40) ?? 0) ^ 1, 40);
    assert.throws(() => parsePack(p, 1 << 24, 'test'), (e: unknown) => isGitRemoteError(e, 'git-remote.protocol'));
  });
  it('a delta result over the cap is too-large', async () => {
    const p = await pack([]);
    assert.throws(() => parsePack(p, 1000, 'test'), (e: unknown) => isGitRemoteError(e, 'git-remote.too-large'));
  });
});
