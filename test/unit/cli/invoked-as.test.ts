import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { artifactHelp, rootHelp } from '../../../src/cli/help.js';
import { commandNameFrom } from '../../../src/cli/invoked-as.js';
import { repoRoot } from '../../helpers/paths.js';

describe('commandNameFrom', () => {
  it('is flux verify for the Flux plugin binary, on every platform', () => {
    for (const p of ['/home/u/.fluxcd/plugins/flux-verify', 'flux-verify', 'C:\\Users\\u\\.fluxcd\\plugins\\flux-verify.exe', 'D:/plugins/FLUX-VERIFY.EXE']) {
      assert.equal(commandNameFrom([p]), 'flux verify', p);
    }
  });

  it('is kubectl verify for the kubectl plugin binary', () => {
    for (const p of ['/usr/local/bin/kubectl-verify', 'C:\\bin\\kubectl-verify.exe']) {
      assert.equal(commandNameFrom([p]), 'kubectl verify', p);
    }
  });

  it('takes argv[0] first, so a flux-verify symlink to kubectl-verify reads as flux', () => {
    assert.equal(commandNameFrom(['/home/u/.fluxcd/plugins/flux-verify', '/opt/kv/kubectl-verify']), 'flux verify');
    assert.equal(commandNameFrom(['/opt/kv/kubectl-verify', '/home/u/.fluxcd/plugins/flux-verify']), 'kubectl verify');
  });

  it('looks past a path that is not ours (Node running the source) and defaults to kubectl', () => {
    assert.equal(commandNameFrom(['/usr/bin/node', '/tmp/x/flux-verify']), 'flux verify');
    assert.equal(commandNameFrom(['/usr/bin/node', '/usr/bin/node']), 'kubectl verify');
    assert.equal(commandNameFrom([undefined, '']), 'kubectl verify');
    // a name that only starts like ours is someone else's
    assert.equal(commandNameFrom(['/usr/bin/flux-verify-old']), 'kubectl verify');
  });
});

describe('help wording', () => {
  for (const [name, help] of [['root', rootHelp], ['artifact', artifactHelp]] as const) {
    it(`${name} help names the command it was invoked as`, () => {
      const flux = help('flux verify');
      assert.doesNotMatch(flux, /kubectl verify/);
      assert.match(flux, /^ {2}flux verify( artifact REF)? \[flags\]/m);
      const kubectl = help('kubectl verify');
      assert.doesNotMatch(kubectl, /flux verify/);
      assert.match(kubectl, /^ {2}kubectl verify( artifact REF)? \[flags\]/m);
    });
  }
});

describe('a process started as flux-verify', () => {
  const entry = join(repoRoot(), 'dist', 'src', 'cli', 'entry.js');
  const asFlux = (...args: string[]) => spawnSync(process.execPath, [entry, ...args], { argv0: 'flux-verify', encoding: 'utf8' });

  it('prints help, examples and usage errors as flux verify', () => {
    const help = asFlux('--help');
    assert.equal(help.status, 0, help.stderr);
    assert.match(help.stdout, /^ {2}flux verify -A -o table$/m);
    assert.doesNotMatch(help.stdout, /kubectl verify/);
    const bad = asFlux('frobnicate');
    assert.equal(bad.status, 2);
    assert.equal(bad.stderr, `error: unknown command "frobnicate" for "flux verify" (see 'flux verify --help')\n`);
  });

  it('stays kubectl verify when started under its own name', () => {
    const r = spawnSync(process.execPath, [entry, '--nope'], { argv0: 'kubectl-verify', encoding: 'utf8' });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /\(see 'kubectl verify --help'\)\n$/);
  });
});

describe('the source launcher under another name', () => {
  it('passes the name it was run as, which Node alone cannot see', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kv-flux-link-'));
    try {
      symlinkSync(join(repoRoot(), 'plugin', 'kubectl-verify'), join(dir, 'flux-verify'));
      const r = spawnSync(join(dir, 'flux-verify'), ['--help'], { encoding: 'utf8', env: { ...process.env, KUBECTL_VERIFY_INVOKED_AS: '' } });
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /^ {2}flux verify \[flags\]/m);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
