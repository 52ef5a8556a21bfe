import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { describe, it } from 'node:test';
import { repoRoot } from '../helpers/paths.js';
import { kubectlBin, runTool } from '../lab/tools.js';

// kubectl finds plugin/kubectl-verify on PATH and execs it: flags, output and exit codes pass through.
describe('kubectl verify through the real kubectl', () => {
  const root = repoRoot();
  const kubectl = kubectlBin();
  const env = { PATH: [join(root, 'plugin'), process.env.PATH ?? ''].join(delimiter) };
  const version = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;

  it('is listed by kubectl plugin list', async () => {
    const r = await runTool(kubectl, ['plugin', 'list'], { env });
    assert.match(r.stdout, /plugin\/kubectl-verify\n/);
  });

  it('prints its version', async () => {
    const r = await runTool(kubectl, ['verify', '--version'], { env });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `${version}\n`);
  });

  it('prints help that reads kubectl verify', async () => {
    const r = await runTool(kubectl, ['verify', '--help'], { env });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^ {2}kubectl verify \[flags\]/m);
    assert.match(r.stdout, /--all-namespaces/);
  });

  it('exits 2 with a one-line reason for an unknown flag', async () => {
    const r = await runTool(kubectl, ['verify', '--no-such-flag'], { env });
    assert.equal(r.code, 2);
    assert.equal(r.stderr, "error: unknown flag: --no-such-flag (see 'kubectl verify --help')\n");
  });

  it('exits 2 for a bad value', async () => {
    const r = await runTool(kubectl, ['verify', '-o', 'xml'], { env });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^error: invalid argument "xml" for "-o, --output" flag/);
  });
});
