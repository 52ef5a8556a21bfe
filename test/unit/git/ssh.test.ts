import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { GitClient, isGitRemoteError, type GitAccess, type GitRemoteCode } from '../../../src/git/index.js';
import { catFile, makeFixture, type GitFixture } from './fixture.js';

const fails = (code: GitRemoteCode) => (e: unknown): boolean => {
  assert.ok(isGitRemoteError(e, code), `expected ${code}, got ${String((e as { code?: string }).code)}: ${String(e)}`);
  return true;
};

let fx: GitFixture;
let bin: string;
let log: string;
const identity = Buffer.from('-----BEGIN OPENSSH PRIVATE KEY-----\nbm90IGEga2V5\n-----END OPENSSH PRIVATE KEY-----\n');
const knownHosts = 'fakehost ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFakeFakeFakeFakeFakeFakeFakeFakeFakeFakeFake\n';

/**
 * There is no SSH server here: this stands in for `ssh`. It checks what the client must give it (an
 * identity file of mode 0600, the Secret's known_hosts, strict host checking, batch mode), writes the
 * identity path to a log, and runs the remote command (git-upload-pack '<path>') locally.
 */
function fakeSsh(mode: 'ok' | 'denied' | 'hang'): string {
  const script = join(bin, `fake-ssh-${mode}`);
  writeFileSync(
    script,
    `#!/bin/sh
id=; kh=; strict=; batch=; only=
while [ $# -gt 1 ]; do
  case "$1" in
    -i) id="$2"; shift ;;
    -o) case "$2" in UserKnownHostsFile=*) kh="\${2#UserKnownHostsFile=}" ;; StrictHostKeyChecking=yes) strict=1 ;; BatchMode=yes) batch=1 ;; IdentitiesOnly=yes) only=1 ;; esac; shift ;;
    -F|-p) shift ;;
  esac
  shift
done
echo "$id" >> '${log}'
[ -f "$id" ] && [ "$(stat -c %a "$id")" = 600 ] || { echo "fake-ssh: identity missing or not 0600" >&2; exit 90; }
[ -s "$kh" ] || { echo "fake-ssh: no known_hosts" >&2; exit 91; }
[ -n "$strict" ] && [ -n "$batch" ] && [ -n "$only" ] || { echo "fake-ssh: options missing" >&2; exit 92; }
${mode === 'denied' ? `echo "git@fakehost: Permission denied (publickey)." >&2; exit 255` : mode === 'hang' ? 'exec sleep 30' : 'exec sh -c "$1"'}
`,
  );
  chmodSync(script, 0o755);
  return script;
}

function identityDirs(): string[] {
  return existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter(Boolean) : [];
}

before(async () => {
  fx = await makeFixture();
  await fx.git('--git-dir', fx.repo, 'config', 'uploadpack.allowFilter', 'true');
  bin = mkdtempSync(join(tmpdir(), 'kv-git-fake-ssh-'));
  log = join(bin, 'identities.log');
});
after(() => {
  rmSync(fx.root, { recursive: true, force: true });
  rmSync(bin, { recursive: true, force: true });
});

describe('SSH through the user git', () => {
  it('resolves and fetches as over HTTP, ssh:// and scp-like; the temp directory is gone after', async () => {
    const client = new GitClient({ sshCommand: fakeSsh('ok'), timeoutMs: 10_000 });
    const ls = await fx.lsRemote();
    for (const url of [`ssh://git@fakehost${fx.repo}`, `git@fakehost:${fx.repo}`]) {
      const access: GitAccess = { url, identity, knownHosts };
      assert.deepEqual(await client.resolve(access, { branch: 'main' }), { commit: fx.commits.main, refName: 'refs/heads/main', revision: `main@sha1:${fx.commits.main}` });
      const tag = await client.resolve(access, { tag: 'v1.1.0' });
      assert.deepEqual(tag.tag, { name: 'v1.1.0', object: ls.get('refs/tags/v1.1.0') });
      assert.equal(tag.commit, ls.get('refs/tags/v1.1.0^{}'));
      assert.equal((await client.resolve(access, { semver: '>=1.0.0' })).revision, `1.5.0@sha1:${fx.commits.tieNew}`);
      assert.equal((await client.resolve(access, { commit: fx.commits.c1 as string })).revision, `sha1:${fx.commits.c1}`);
      await assert.rejects(client.resolve(access, { commit: 'deadbeef'.repeat(5) }), fails('git-remote.ref-not-found'));
      const [c, t] = await client.fetchObjects(access, [fx.commits.c2 as string, tag.tag?.object as string]);
      assert.deepEqual(Buffer.from(c?.body ?? []), await catFile(fx.repo, 'commit', fx.commits.c2 as string));
      assert.deepEqual(Buffer.from(t?.body ?? []), await catFile(fx.repo, 'tag', tag.tag?.object as string));
    }
    const dirs = identityDirs();
    assert.ok(dirs.length >= 6, `the fake ssh ran (${dirs.length})`);
    for (const d of dirs) assert.equal(existsSync(d), false, `${d} removed`);
  });

  it('refused identity is auth; the temp directory is gone after the failure', async () => {
    const before = identityDirs().length;
    const client = new GitClient({ sshCommand: fakeSsh('denied') });
    await assert.rejects(client.resolve({ url: `ssh://git@fakehost${fx.repo}`, identity, knownHosts }, {}), fails('git-remote.auth'));
    const dirs = identityDirs().slice(before);
    assert.equal(dirs.length, 1);
    assert.equal(existsSync(dirs[0] as string), false);
  });

  it('an abort kills git and ssh and removes the temp directory', async () => {
    const before = identityDirs().length;
    const client = new GitClient({ sshCommand: fakeSsh('hang') });
    const ac = new AbortController();
    const t0 = Date.now();
    const p = client.resolve({ url: `ssh://git@fakehost${fx.repo}`, identity, knownHosts }, {}, ac.signal);
    while (identityDirs().length === before) await new Promise((r) => setTimeout(r, 20));
    ac.abort(new Error('user abort'));
    await assert.rejects(p, /user abort/);
    assert.ok(Date.now() - t0 < 5000);
    const dirs = identityDirs().slice(before);
    assert.equal(existsSync(dirs[0] as string), false);
  });

  it('a hanging ssh times out', async () => {
    const client = new GitClient({ sshCommand: fakeSsh('hang'), timeoutMs: 500 });
    await assert.rejects(client.resolve({ url: `ssh://git@fakehost${fx.repo}`, identity, knownHosts }, {}), fails('git-remote.timeout'));
  });

  it('refuses without known_hosts or identity, with an encrypted identity, and without git', async () => {
    const client = new GitClient({ sshCommand: fakeSsh('ok') });
    const url = `ssh://git@fakehost${fx.repo}`;
    await assert.rejects(client.resolve({ url, identity }, {}), fails('git-remote.auth'));
    await assert.rejects(client.resolve({ url, knownHosts }, {}), fails('git-remote.auth'));
    const encrypted = Buffer.from('-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00\n\nAAAA\n-----END RSA PRIVATE KEY-----\n');
    await assert.rejects(client.resolve({ url, identity: encrypted, knownHosts }, {}), fails('git-remote.unsupported'));
    const noGit = new GitClient({ sshCommand: fakeSsh('ok'), gitCommand: join(bin, 'no-such-git') });
    await assert.rejects(noGit.resolve({ url, identity, knownHosts }, {}), (e: unknown) => fails('git-remote.unsupported')(e) && /git/.test(String(e)));
  });
});
