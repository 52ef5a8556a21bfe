import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { crc32, inflateRawSync } from 'node:zlib';
import { tarGz, zip } from '../../../plugin/release/archive.js';
import { adhocSign, parseMacho, stripMachoSignature } from '../../../plugin/release/macho.js';
import { githubRepo } from '../../../plugin/release/manifests.js';
import { peChecksum, stripAuthenticode } from '../../../plugin/release/pe.js';
import { selectTargets, targets } from '../../../plugin/release/targets.js';

const scratch = mkdtempSync(join(tmpdir(), 'kv-release-unit-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

/** A darwin executable from Go's own toolchain, whose linker signs arm64 binaries ad hoc. */
function goDarwinBinary(arch: 'arm64' | 'amd64'): Buffer {
  const dir = join(scratch, `go-${arch}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'go.mod'), 'module example.com/hello\n\ngo 1.22\n');
  writeFileSync(join(dir, 'main.go'), 'package main\n\nfunc main() { println("hello") }\n');
  const r = spawnSync('go', ['build', '-o', 'hello', '.'], {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, GOOS: 'darwin', GOARCH: arch, CGO_ENABLED: '0', GOFLAGS: '', GOTOOLCHAIN: 'local' },
  });
  assert.equal(r.status, 0, `go build (the lab's Go toolchain) failed: ${r.error?.message ?? r.stderr}`);
  return readFileSync(join(dir, 'hello'));
}

/** Every page hash of an ad-hoc signature, checked against the file. */
function pageHashesHold(file: Buffer): boolean {
  const sig = parseMacho(file).signature;
  assert.ok(sig, 'signed');
  const cd = file.subarray(sig.dataoff + 20);
  assert.equal(cd.readUInt32BE(0), 0xfade0c02, 'CodeDirectory magic');
  const hashOffset = cd.readUInt32BE(16);
  const slots = cd.readUInt32BE(28);
  const limit = cd.readUInt32BE(32);
  assert.equal(limit, sig.dataoff);
  for (let i = 0; i < slots; i++) {
    const page = file.subarray(i * 4096, Math.min((i + 1) * 4096, limit));
    const want = cd.subarray(hashOffset + i * 32, hashOffset + (i + 1) * 32);
    if (!createHash('sha256').update(page).digest().equals(want)) return false;
  }
  return true;
}

describe('Mach-O ad-hoc signing', () => {
  it("writes byte for byte the signature Go's linker writes", () => {
    const signedByGo = goDarwinBinary('arm64');
    assert.ok(parseMacho(signedByGo).signature, 'Go signs darwin/arm64 binaries');
    const stripped = stripMachoSignature(signedByGo);
    assert.equal(parseMacho(stripped).signature, undefined);
    assert.ok(stripped.length < signedByGo.length);
    // Go names every binary it signs a.out
    assert.ok(adhocSign(stripped, 'a.out').equals(signedByGo));
  });

  it('signs an unsigned executable so that every page hash holds, and re-signs to the same bytes', () => {
    const unsigned = goDarwinBinary('amd64');
    assert.equal(parseMacho(unsigned).signature, undefined);
    const signed = adhocSign(unsigned, 'kubectl-verify');
    assert.ok(pageHashesHold(signed));
    assert.ok(signed.includes(Buffer.from('kubectl-verify\0')));
    assert.ok(adhocSign(stripMachoSignature(signed), 'kubectl-verify').equals(signed));
    // a flipped byte in the code breaks its page's hash
    const tampered = Buffer.from(signed);
    tampered[5000] = (tampered[5000] as number) ^ 0xff;
    assert.equal(pageHashesHold(tampered), false);
  });

  it('refuses what it cannot sign', () => {
    assert.throws(() => adhocSign(adhocSign(goDarwinBinary('amd64'), 'x'), 'x'), /already signed/);
    assert.throws(() => parseMacho(Buffer.from('\x7fELF' + '\0'.repeat(60), 'latin1')), /not a thin 64-bit/);
  });
});

describe('PE Authenticode removal', () => {
  /** A PE32+ header with a certificate table of `certSize` bytes at the end of the file. */
  function fakePe(certSize: number): Buffer {
    const body = 0x400;
    const f = Buffer.alloc(body + certSize);
    f.write('MZ', 0, 'latin1');
    f.writeUInt32LE(0x80, 0x3c);
    f.write('PE\0\0', 0x80, 'latin1');
    const optional = 0x80 + 24;
    f.writeUInt16LE(0x20b, optional);
    f.writeUInt32LE(16, optional + 108);
    f.writeUInt32LE(body, optional + 112 + 4 * 8);
    f.writeUInt32LE(certSize, optional + 112 + 4 * 8 + 4);
    f.fill(0xab, body);
    return f;
  }

  it('cuts the certificate table off, clears its directory entry and fixes the checksum', () => {
    const out = stripAuthenticode(fakePe(64));
    const optional = 0x80 + 24;
    assert.equal(out.length, 0x400);
    assert.equal(out.readUInt32LE(optional + 112 + 32), 0);
    assert.equal(out.readUInt32LE(optional + 112 + 36), 0);
    assert.equal(out.readUInt32LE(optional + 64), peChecksum(out, optional + 64));
    assert.ok(!out.includes(0xab));
  });

  it('leaves an unsigned executable alone and refuses what is not PE', () => {
    const unsigned = fakePe(0);
    assert.equal(stripAuthenticode(unsigned), unsigned);
    assert.throws(() => stripAuthenticode(Buffer.alloc(0x100)), /not a PE/);
  });
});

describe('release archives', () => {
  const entries = [
    { name: 'kubectl-verify', data: Buffer.from('#!/bin/sh\necho hi\n'), mode: 0o755 },
    { name: 'LICENSE', data: Buffer.from('license text\n'.repeat(100)), mode: 0o644 },
  ];

  it('writes a tar.gz that tar reads, with modes, and the same bytes every time', () => {
    const file = join(scratch, 'a.tar.gz');
    writeFileSync(file, tarGz(entries, 1_700_000_000));
    const list = spawnSync('tar', ['-tvzf', file], { encoding: 'utf8' });
    assert.equal(list.status, 0, list.stderr);
    assert.match(list.stdout, /^-rwxr-xr-x root\/root +18 \d{4}-\d\d-\d\d \d\d:\d\d kubectl-verify$/m);
    assert.match(list.stdout, /^-rw-r--r-- root\/root +1300 .* LICENSE$/m);
    const dir = join(scratch, 'untar');
    mkdirSync(dir);
    assert.equal(spawnSync('tar', ['-xzf', file, '-C', dir]).status, 0);
    assert.equal(readFileSync(join(dir, 'LICENSE'), 'utf8'), entries[1]?.data.toString());
    assert.ok(tarGz(entries, 1_700_000_000).equals(readFileSync(file)));
  });

  it('writes a zip whose entries inflate to their data with the right CRC', () => {
    const z = zip(entries, 1_700_000_000);
    const eocd = z.length - 22;
    assert.equal(z.readUInt32LE(eocd), 0x06054b50);
    assert.equal(z.readUInt16LE(eocd + 10), 2);
    let at = z.readUInt32LE(eocd + 16);
    for (const e of entries) {
      assert.equal(z.readUInt32LE(at), 0x02014b50);
      const nameLen = z.readUInt16LE(at + 28);
      assert.equal(z.toString('utf8', at + 46, at + 46 + nameLen), e.name);
      assert.equal((z.readUInt32LE(at + 38) >>> 16) & 0o777, e.mode);
      const local = z.readUInt32LE(at + 42);
      const start = local + 30 + z.readUInt16LE(local + 26);
      const data = inflateRawSync(z.subarray(start, start + z.readUInt32LE(at + 20)));
      assert.ok(data.equals(e.data));
      assert.equal(z.readUInt32LE(at + 16), crc32(e.data));
      at += 46 + nameLen;
    }
  });
});

describe('release settings', () => {
  it('reads the GitHub repository in every form package.json allows', () => {
    for (const r of ['o/r', 'github:o/r', 'https://github.com/o/r', 'git+https://github.com/o/r.git', { type: 'git', url: 'git+ssh://git@github.com/o/r.git' }]) {
      assert.deepEqual(githubRepo(r), { owner: 'o', name: 'r' }, JSON.stringify(r));
    }
    assert.throws(() => githubRepo(undefined), /no "repository"/);
    assert.throws(() => githubRepo('https://gitlab.com/o/r'), /not a GitHub repository/);
  });

  it('builds every platform unless told which, and rejects an unknown one', () => {
    assert.equal(selectTargets(undefined).length, 5);
    assert.deepEqual(selectTargets('linux/amd64, windows/amd64').map((t) => `${t.os}/${t.arch}`), ['linux/amd64', 'windows/amd64']);
    assert.throws(() => selectTargets('linux/amd64,plan9/386'), /unknown platform\(s\) plan9\/386/);
  });

  it('pins every Node binary by its registry integrity, one platform each', () => {
    assert.equal(new Set(targets.map((t) => `${t.os}/${t.arch}`)).size, targets.length);
    for (const t of targets) assert.match(t.node.integrity, /^sha512-[A-Za-z0-9+/]{86}==$/, t.node.name);
  });
});
