import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cli } from '../../helpers/cli.js';
import { kubectlFlags } from '../../../src/cli/flags.js';


describe('cli', () => {
  it('prints the version from package.json', async () => {
    const r = await cli('--version');
    assert.equal(r.code, 0);
    assert.match(r.out, /^\d+\.\d+\.\d+\n$/);
  });

  it('documents every kubectl flag it honours, as kubectl verify', async () => {
    const r = await cli('--help');
    assert.equal(r.code, 0);
    assert.match(r.out, /kubectl verify \[flags\]/);
    for (const f of kubectlFlags) assert.ok(r.out.includes(`--${f.name}`), `help lacks --${f.name}`);
  });

  it('exits 2 with one line for an unknown flag', async () => {
    const r = await cli('--nope');
    assert.equal(r.code, 2);
    assert.equal(r.out, '');
    assert.equal(r.err.trimEnd().split('\n').length, 1);
    assert.match(r.err, /^error: unknown flag: --nope/);
  });

  it('exits 2 for an unknown command', async () => {
    const r = await cli('frobnicate');
    assert.equal(r.code, 2);
    assert.match(r.err, /unknown command "frobnicate"/);
  });

  it('has help for the artifact command', async () => {
    const r = await cli('artifact', '--help');
    assert.equal(r.code, 0);
    assert.match(r.out, /kubectl verify artifact REF/);
    assert.match(r.out, /oci-layout:\/\//);
  });
});
