import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { bashScript } from '../../src/cli/completion-scripts.js';
import { outputFormats } from '../../src/cli/flags.js';
import { failOnClasses } from '../../src/report/exit.js';
import { repoRoot } from '../helpers/paths.js';
import { startCluster, type RunningCluster } from '../lab/cluster.js';
import { freePort } from '../lab/registries.js';
import { kubectlBin, runTool, type RunResult } from '../lab/tools.js';

/**
 * Shell completion as a user gets it: the real kubectl finds plugin/kubectl_complete-verify on PATH
 * beside plugin/kubectl-verify and runs it for `kubectl verify …<TAB>` (kubectl's `__complete`
 * protocol); namespaces come from the lab's API server. This suite owns its cluster.
 */
describe('shell completion through the real kubectl', () => {
  const root = repoRoot();
  const kubectl = kubectlBin();
  let cluster: RunningCluster;
  let home: string;
  const env = (kubeconfig: string): NodeJS.ProcessEnv => ({ PATH: [join(root, 'plugin'), process.env.PATH ?? ''].join(delimiter), KUBECONFIG: kubeconfig, HOME: home });

  /** `kubectl __complete verify WORDS…`: the candidates (without descriptions) and the directive */
  async function complete(kubeconfig: string, ...words: string[]): Promise<{ values: string[]; lines: string[]; directive: string; r: RunResult; ms: number }> {
    const started = Date.now();
    const r = await runTool(kubectl, ['__complete', 'verify', ...words], { env: env(kubeconfig), timeoutMs: 30_000 });
    const ms = Date.now() - started;
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.split('\n').filter((l) => l !== '');
    const directive = lines.pop() ?? '';
    return { values: lines.map((l) => l.split('\t')[0] as string), lines, directive, r, ms };
  }

  before(async () => {
    home = mkdtempSync(join(tmpdir(), 'kv-completion-'));
    cluster = await startCluster();
    await cluster.kubectl(['create', 'namespace', 'kv-comp-a']);
    await cluster.kubectl(['create', 'namespace', 'kv-comp-b']);
  });
  after(async () => {
    await cluster?.stop();
    rmSync(home, { recursive: true, force: true });
  });

  it('kubectl verify -<TAB>: the plugin flags, with their descriptions', async () => {
    const c = await complete(cluster.kubeconfig, '-');
    assert.equal(c.directive, ':4');
    for (const flag of ['--namespace', '-n', '--all-namespaces', '-A', '--output', '-o', '--fail-on', '--context', '--as']) assert.ok(c.values.includes(flag), `${flag} missing from ${c.values.join(' ')}`);
    assert.ok(c.lines.some((l) => /^--fail-on\tFindings that make the exit code 1/.test(l)), 'descriptions reach kubectl');
    // kubectl's own global flags are not mixed in: kubectl clears them for a plugin
    assert.ok(!c.values.includes('--v'), 'kubectl global flags leaked in');
  });

  it("kubectl verify -o <TAB>: the output formats", async () => {
    const c = await complete(cluster.kubeconfig, '-o', '');
    assert.deepEqual(c.values, [...outputFormats]);
    assert.equal(c.directive, ':4');
  });

  it('kubectl verify --fail-on failed,<TAB>: the other classes after the comma, no space', async () => {
    const c = await complete(cluster.kubeconfig, '--fail-on', 'failed,');
    assert.deepEqual(c.values, failOnClasses.filter((x) => x !== 'failed').map((x) => `failed,${x}`));
    assert.equal(c.directive, ':6');
  });

  it("kubectl verify -n <TAB>: the lab's namespaces, read from its API server", async () => {
    const c = await complete(cluster.kubeconfig, '-n', '');
    for (const ns of ['default', 'kube-system', 'kv-comp-a', 'kv-comp-b']) assert.ok(c.values.includes(ns), `${ns} missing from ${c.values.join(' ')}`);
    assert.equal(c.directive, ':4');
    const prefixed = await complete(cluster.kubeconfig, '--namespace', 'kv-comp-');
    assert.deepEqual(prefixed.values, ['kv-comp-a', 'kv-comp-b']);
  });

  it('kubectl verify --context <TAB>: the contexts of the kubeconfig', async () => {
    const c = await complete(cluster.kubeconfig, '--context', '');
    assert.deepEqual(c.values, ['admin', 'restricted']);
  });

  it('an unreachable API server: only the directive, nothing on stderr from the plugin, and fast', async () => {
    const port = await freePort();
    const dead = join(home, 'dead.yaml');
    writeFileSync(dead, `apiVersion: v1\nkind: Config\ncurrent-context: dead\nclusters:\n- {name: dead, cluster: {server: "https://127.0.0.1:${port}"}}\nusers:\n- {name: u, user: {token: t}}\ncontexts:\n- {name: dead, context: {cluster: dead, user: u}}\n`);
    const c = await complete(dead, '-n', '');
    assert.equal(c.r.stdout, ':4\n');
    // kubectl's (cobra's) own notes are the only lines on stderr
    assert.deepEqual(c.r.stderr.split('\n').filter((l) => l !== '' && !l.startsWith('[Debug] ') && !l.startsWith('Completion ended with directive:')), []);
    assert.ok(c.ms < 3000, `took ${c.ms} ms`);
  });

  it('an API server that accepts connections and never answers: given up after the timeout', async () => {
    const silent: Server = createServer(() => undefined);
    await new Promise<void>((done) => silent.listen(0, '127.0.0.1', done));
    try {
      const port = (silent.address() as { port: number }).port;
      const hung = join(home, 'hung.yaml');
      writeFileSync(hung, `apiVersion: v1\nkind: Config\ncurrent-context: hung\nclusters:\n- {name: hung, cluster: {server: "https://127.0.0.1:${port}", insecure-skip-tls-verify: true}}\nusers:\n- {name: u, user: {token: t}}\ncontexts:\n- {name: hung, context: {cluster: hung, user: u}}\n`);
      const c = await complete(hung, '-n', '');
      assert.equal(c.r.stdout, ':4\n');
      // 1.5 s for the request, plus loading the kube client on this shared machine
      assert.ok(c.ms < 8000, `took ${c.ms} ms`);
    } finally {
      silent.close();
    }
  });

  it('kubectl verify completion bash prints valid bash', async () => {
    const r = await runTool(kubectl, ['verify', 'completion', 'bash'], { env: env(cluster.kubeconfig) });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, bashScript('kubectl-verify'));
    const check = spawnSync('bash', ['-n'], { input: r.stdout, encoding: 'utf8' });
    assert.equal(check.status, 0, check.stderr);
  });

  it('the bash script completes kubectl-verify -n <TAB> with the lab namespaces', () => {
    const script = join(home, 'kubectl-verify.bash');
    writeFileSync(script, bashScript('kubectl-verify'));
    const driver = `source "${script}"; COMP_LINE='kubectl-verify -n kv-comp-'; COMP_POINT=\${#COMP_LINE}; __kubectl_verify_complete; printf '%s\\n' "\${COMPREPLY[@]}"`;
    const r = spawnSync('bash', ['-c', driver], { env: { ...process.env, ...env(cluster.kubeconfig) }, encoding: 'utf8', timeout: 30_000 });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(r.stdout.split('\n').filter((l) => l !== ''), ['kv-comp-a', 'kv-comp-b']);
  });
});
