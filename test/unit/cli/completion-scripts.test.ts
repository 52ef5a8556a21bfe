import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { bashScript, fishScript, programOf, zshScript } from '../../../src/cli/completion-scripts.js';
import { cli } from '../../helpers/cli.js';


describe('completion scripts', () => {
  it('completion bash|zsh|fish prints the script for the program it runs as', async () => {
    for (const [shell, make] of [['bash', bashScript], ['zsh', zshScript], ['fish', fishScript]] as const) {
      const r = await cli('completion', shell);
      assert.equal(r.code, 0, r.err);
      assert.equal(r.out, make('kubectl-verify'));
    }
    assert.equal(programOf('flux verify'), 'flux-verify');
    assert.match(bashScript('flux-verify'), /^complete -o default -F __flux_verify_complete flux-verify$/m);
    assert.match(zshScript('flux-verify'), /^#compdef flux-verify$/m);
    assert.match(fishScript('flux-verify'), /^complete -c flux-verify -n __flux_verify_prepare -f -a '\$__flux_verify_results'$/m);
  });

  it('a missing or unknown shell is a usage error', async () => {
    assert.equal((await cli('completion')).code, 2);
    const r = await cli('completion', 'tcsh');
    assert.equal(r.code, 2);
    assert.match(r.err, /^error: no completion for shell "tcsh": bash, zsh, fish/);
    assert.match((await cli('completion', '--help')).out, /kubectl_complete-verify/);
  });

  it('the bash script is valid bash', () => {
    const r = spawnSync('bash', ['-n'], { input: bashScript('kubectl-verify'), encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
  });
});

// The bash script run by bash as completion would run it, against a stand-in program that records the
// words it is given and answers what the test says: the script's own logic, nothing of the plugin's.
describe('the bash script in bash', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kv-bash-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const prog = join(dir, 'kubectl-verify');
  writeFileSync(prog, `#!/bin/sh\nprintf '%s\\n' "$@" > "${dir}/args"\nprintf '%b' "$REPLY_TEXT"\n`);
  chmodSync(prog, 0o755);
  writeFileSync(join(dir, 'script.bash'), bashScript('kubectl-verify'));

  function complete(line: string, reply: string): { words: string[]; reply: string[]; compopt: string[] } {
    const driver = `
      source "${dir}/script.bash"
      compopt() { echo "compopt $*" >> "${dir}/compopt"; }
      COMP_LINE=$1; COMP_POINT=\${#COMP_LINE}
      __kubectl_verify_complete
      printf '%s\\n' "\${COMPREPLY[@]}"`;
    rmSync(join(dir, 'compopt'), { force: true });
    rmSync(join(dir, 'args'), { force: true });
    const r = spawnSync('bash', ['-c', driver, 'bash', line], { env: { PATH: `${dir}:${process.env.PATH ?? ''}`, REPLY_TEXT: reply, HOME: dir }, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const read = (f: string): string[] => {
      try {
        return readFileSync(join(dir, f), 'utf8').split('\n').slice(0, -1);
      } catch {
        return [];
      }
    };
    return { words: read('args'), reply: r.stdout.split('\n').filter((l) => l !== ''), compopt: read('compopt') };
  }

  it('passes the words after the program, and an empty word after a blank', () => {
    const r = complete('kubectl-verify -n ', 'apps\\nkv-a\\n:4\\n');
    assert.deepEqual(r.words, ['__complete', '-n', '']);
    assert.deepEqual(r.reply, ['apps', 'kv-a']);
    assert.deepEqual(r.compopt, ['compopt +o default']);
  });

  it('drops the descriptions', () => {
    const r = complete('kubectl-verify --na', '--namespace\\tNamespace to audit\\n:4\\n');
    assert.deepEqual(r.words, ['__complete', '--na']);
    assert.deepEqual(r.reply, ['--namespace']);
  });

  it('--flag=value: the value replaces what follows the =', () => {
    const r = complete('kubectl-verify --output=js', 'json\\n:4\\n');
    assert.deepEqual(r.words, ['__complete', '--output=js']);
    assert.deepEqual(r.reply, ['json']);
  });

  it('a value with colons (an EKS context) replaces what follows the last colon, as bash splits there', () => {
    const r = complete('kubectl-verify --context arn:aws:eks:eu-west-1:1:cluster/a', 'arn:aws:eks:eu-west-1:1:cluster/ab\\n:4\\n');
    assert.deepEqual(r.reply, ['cluster/ab']);
  });

  it('no space after a comma list, and file names when the program says nothing else', () => {
    assert.deepEqual(complete('kubectl-verify --fail-on failed,', 'failed,error\\nfailed,weak\\n:6\\n').compopt, ['compopt -o nospace', 'compopt +o default']);
    const files = complete('kubectl-verify --kubeconfig ', ':0\\n');
    assert.deepEqual(files.reply, []);
    assert.deepEqual(files.compopt, [], 'registered with -o default: bash falls back to file names');
  });

  it('the error directive, or a program that fails, completes nothing', () => {
    assert.deepEqual(complete('kubectl-verify -', '--a\\n:1\\n').reply, []);
    assert.deepEqual(complete('kubectl-verify -', 'no directive line').reply, ['no directive line']);
  });
});
