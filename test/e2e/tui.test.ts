import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { repoRoot } from '../helpers/paths.js';
import { openPtyTerminal } from '../helpers/pty-terminal.js';
import { useFleetLab } from '../lab/fleet-lab.js';

/**
 * The interactive view as an operator meets it: the real plugin in a real pseudo-terminal against
 * the lab cluster, its output fed into a headless xterm and read back from the screen buffer.
 * With UPDATE_GOLDEN=1 the screens are written to docs/screens.md.
 */
const COLS = 160;
const ROWS = 40;
const SECTIONS = ['## Tree', '## Filter', '## Detail', '## Help'] as const;
const ESC = '\u001b';
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
// a deadline that does not keep the test process alive once the race is won
const giveUp = (ms: number): Promise<number> => new Promise((r) => setTimeout(() => r(-1), ms).unref());

interface Session {
  screen(): string;
  raw(): string;
  type(keys: string): Promise<void>;
  waitFor(what: string, test: (screen: string) => boolean, timeoutMs?: number): Promise<string>;
  exited: Promise<number>;
  bufferType(): string;
  kill(): void;
}

function startSession(root: string, args: readonly string[]): Session {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && k !== 'NO_COLOR' && k !== 'CI') env[k] = v;
  env.TERM = 'xterm-256color';
  const t = openPtyTerminal(root, args, { cols: COLS, rows: ROWS }, env);
  return {
    screen: t.screen,
    raw: t.raw,
    bufferType: () => t.term.buffer.active.type,
    exited: t.exited,
    kill: t.kill,
    async type(keys) {
      // one key at a time, as typed: ink hands a multi-character chunk over as one paste
      for (const k of keys.startsWith(ESC) || keys.length === 1 ? [keys] : [...keys]) {
        t.write(k);
        await sleep(40);
      }
    },
    async waitFor(what, test, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        await t.flush();
        const s = t.screen();
        if (test(s)) return s;
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; screen:\n${s}`);
        await sleep(100);
      }
    },
  };
}

/** Tree rows: the lines between the two header lines and the two footer lines that name an object. */
function treeRows(screen: string): string[] {
  return screen.split('\n').slice(2).filter((l) => /(OCIRepository|HelmChart|HelmRepository|HelmRelease|Kustomization) \S+\/\S+/.test(l));
}

/** Digests, key fingerprints, ports and temporary paths differ from lab to lab. */
function stable(screen: string): string {
  return screen
    .replace(/sha256:[0-9a-f]{6,64}…?/g, 'sha256:<digest>')
    .replace(/sha256-[0-9a-f]{64}/g, 'sha256-<digest>')
    .replace(/SHA256:[A-Za-z0-9+/=]{20,}/g, 'SHA256:<fingerprint>')
    // the lab's commits and OpenPGP keys are made afresh by each run
    .replace(/sha1:[0-9a-f]{8,40}…?/g, 'sha1:<commit>')
    .replace(/\b(commit|tag object) [0-9a-f]{12,40}\b/g, '$1 <commit>')
    .replace(/\b[0-9A-F]{40}\b/g, '<fingerprint>')
    .replace(/\b[0-9A-F]{16}\b/g, '<key id>')
    .replace(/127\.0\.0\.1:\d+/g, '127.0.0.1:<port>')
    .replace(/\/tmp\/[^\s'"]+/g, '<tmp>')
    .replace(/[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]/g, '⠋')
    .split('\n')
    .map((l) => l.trimEnd())
    .join('\n')
    .replace(/\n+$/, '');
}

function screensDoc(captures: Record<(typeof SECTIONS)[number], string>): string {
  const intro = [
    '# Screens',
    '',
    'Text captures of the interactive view (`kubectl verify` on a terminal, no `-o`), taken by',
    '`test/e2e/tui.test.ts` from a 160×40 pseudo-terminal against the lab fleet (namespace `tui`).',
    'Digests, commits, key fingerprints and ports are replaced by placeholders. Regenerate with',
    '`UPDATE_GOLDEN=1 node --test dist/test/e2e/tui.test.js` after `npx tsc`.',
    '',
  ];
  const what: Record<(typeof SECTIONS)[number], string> = {
    '## Tree': 'Consumers with their sources below them, problems first; counts and progress in the header.',
    '## Filter': '`/wrong-key`: the filter matches names and reason codes.',
    '## Detail': '`enter` on the failing source: where the signature was found, the key tried and the check that decided, what Flux says, and the next step.',
    '## Help': '`?`: generated from the keymap table.',
  };
  return [...intro, ...SECTIONS.flatMap((s) => [s, '', what[s], '', '```text', stable(captures[s]), '```', ''])].join('\n');
}

describe('the interactive view in a real terminal', () => {
  const lab = useFleetLab('tui');
  const root = repoRoot();

  it('paints the tree, filters, drills down, copies, narrows to problems and quits cleanly', { timeout: 120_000 }, async () => {
    const s = startSession(root, ['--kubeconfig', lab().cluster.kubeconfig, '-n', 'tui']);
    try {
      const tree = await s.waitFor('the tree with counts, all plans done', (x) => /\d+ verified {3}\d+ failed/.test(x) && /(\d+)\/\1 artifacts checked/.test(x) && x.includes('wrong-key'));
      assert.equal(s.bufferType(), 'alternate');
      assert.match(tree, /namespace tui/);
      const rows = treeRows(tree);
      // problems first: the first row is a failure or an error
      assert.match(rows[0] ?? '', /✘/);
      assert.ok(rows.some((l) => /Kustomization tui\/apps/.test(l)));
      assert.ok(rows.some((l) => /└─ .*OCIRepository tui\/bundle/.test(l)), 'the Kustomization’s source sits under it');
      assert.ok(!tree.includes('sha256:' + '0'.repeat(64)) && !/sha256:[0-9a-f]{9,}/.test(tree), 'digests are shortened in the tree');

      await s.type('/');
      // on a busy machine a key typed before the prompt is drawn is taken as a command: wait for it
      await s.waitFor('the filter prompt', (x) => x.split('\n').some((l) => l.trim() === '/'));
      await s.type('wrong-key');
      const filter = await s.waitFor('only wrong-key', (x) => treeRows(x).length === 1 && treeRows(x)[0]?.includes('OCIRepository tui/wrong-key') === true);
      await s.type('\r');

      await s.type('\r');
      const detail = await s.waitFor('the detail of wrong-key', (x) => x.includes('signatures found') && x.includes('next '));
      assert.match(detail, /OCIRepository tui\/wrong-key {3}✘ FAILED · wrong key/);
      assert.match(detail, /key tui\/cosign-pub · cosign\.pub .*✘ signature: /, 'the key tried and the check that decided');
      assert.match(detail, /does not verify|no matching signature|none of \d+ signatures? verifies/);
      assert.match(detail, /sha256:[0-9a-f]{64}/, 'the full digest');
      assert.match(detail, /SourceVerified=False/);

      const before = s.raw().length;
      await s.type('c');
      await s.waitFor('the copied status', (x) => /copied (command|digest|reference)/.test(x));
      // built from a string so the escape and BEL characters are explicit
      const osc = new RegExp(`${ESC}\\]52;c;([A-Za-z0-9+/=]+)\u0007`).exec(s.raw().slice(before));
      assert.ok(osc, 'an OSC 52 sequence');
      const copied = Buffer.from(osc[1] ?? '', 'base64').toString('utf8');
      assert.match(copied, /^(cosign verify .*@sha256:[0-9a-f]{64}|sha256:[0-9a-f]{64})$/);

      await s.type(ESC);
      await s.waitFor('the tree again', (x) => !x.includes('signatures found') && treeRows(x).length === 1);
      await s.type('?');
      const help = await s.waitFor('help', (x) => x.includes('everywhere') && x.includes('problems only'));
      await s.type(ESC);
      await s.waitFor('the tree again', (x) => !x.includes('everywhere'));

      await s.type(ESC);
      await s.waitFor('the filter cleared', (x) => treeRows(x).length > 3);
      await s.type('\u001a');
      const problems = await s.waitFor('problems only', (x) => x.includes('problems only') && !x.includes('tui/bundle'));
      const problemRows = treeRows(problems);
      assert.ok(problemRows.some((l) => l.includes('tui/wrong-key')) && problemRows.some((l) => l.includes('tui/unsigned')) && problemRows.some((l) => l.includes('tui/no-verify')));
      assert.ok(problemRows.every((l) => !/ verified /.test(l)));

      await s.type('q');
      const code = await Promise.race([s.exited, giveUp(15_000)]);
      assert.equal(code, 1, 'findings: the exit code of the printed output');
      await new Promise<void>((r) => setTimeout(r, 100));
      assert.equal(s.raw().split(`${ESC}[?1049l`).length - 1, 1, 'left the alternate screen once');
      assert.ok(s.raw().endsWith(`${ESC}[?1049l${ESC}[?25h`));
      assert.equal(s.bufferType(), 'normal');

      const docs = join(root, 'docs', 'screens.md');
      if (process.env.UPDATE_GOLDEN === '1') {
        writeFileSync(docs, screensDoc({ '## Tree': tree, '## Filter': filter, '## Detail': detail, '## Help': help }));
      } else {
        assert.ok(existsSync(docs), 'docs/screens.md (UPDATE_GOLDEN=1 writes it)');
        const text = readFileSync(docs, 'utf8');
        for (const h of SECTIONS) assert.ok(text.includes(`\n${h}\n`), h);
      }
    } finally {
      try {
        s.kill();
      } catch {
        // already gone
      }
    }
  });

  it('shows a GitRepository and its Kustomization, and the Git detail of the signed commit', { timeout: 120_000 }, async () => {
    const s = startSession(root, ['--kubeconfig', lab().cluster.kubeconfig, '-n', 'tui']);
    // the rows of the Git block of test/lab/fleet.ts (applyGitSources)
    const gitRows = (x: string): string[] => x.split('\n').filter((l) => /(GitRepository|Kustomization) tui\/app-git\b/.test(l));
    try {
      await s.waitFor('the tree, all plans done', (x) => /(\d+)\/\1 artifacts checked/.test(x) && x.includes('tui/app-git'));
      await s.type('/');
      await s.waitFor('the filter prompt', (x) => x.split('\n').some((l) => l.trim() === '/'));
      await s.type('app-git');
      const filtered = await s.waitFor('the Kustomization over its GitRepository', (x) => gitRows(x).length === 2 && !/OCIRepository tui\//.test(x));
      const [ks, repo] = gitRows(filtered);
      assert.match(ks ?? '', /✔ .*Kustomization tui\/app-git/, 'the consumer, verified');
      assert.match(repo ?? '', /└─ .*✔ .*GitRepository tui\/app-git/, 'its source under it, verified');
      assert.match(repo ?? '', /http:\/\/127\.0\.0\.1:\d+\/lab\.git {2}branch pgp-signed → pgp-signed@sha1:[0-9a-f]{8}(?![0-9a-f])/, 'the Git line, hex shortened');
      await s.type('\r');
      await s.type('j');
      await s.type('\r');
      const detail = await s.waitFor('the GitRepository detail', (x) => x.includes('GitRepository tui/app-git') && x.includes('signatures found') && x.includes('next '));
      assert.match(detail, /GitRepository tui\/app-git {3}✔ VERIFIED/i);
      assert.match(detail, /source {4}http:\/\/127\.0\.0\.1:\d+\/lab\.git {3}branch pgp-signed/);
      const commit = /running {3}pgp-signed@sha1:([0-9a-f]{40})/.exec(detail)?.[1];
      assert.ok(commit, `the running commit in full:\n${detail}`);
      assert.match(detail, new RegExp(`remote {4}commit ${commit} {2}\\(no drift\\)`));
      assert.match(detail, /verify {4}mode HEAD, keys Secret tui\/git-keys/);
      assert.match(detail, /SourceVerified=True Succeeded/);
      assert.match(detail, new RegExp(`1 {2}✔ OpenPGP {3}Git commit object {2}sha1:${commit}`));
      assert.match(detail, /signer OpenPGP key [0-9A-F]{16} · Lab Signer <signer@lab\.test> · signing key [0-9A-F]{40}/, 'who signed: key ID, user ID, signing subkey');
      assert.match(detail, /key tui\/git-keys · \S+ {2}[0-9A-F]{40} {3}✔ all checks passed/, 'the Secret entry that verified');

      const before = s.raw().length;
      await s.type('c');
      await s.waitFor('the copied status', (x) => /copied command/.test(x));
      const osc = new RegExp(`${ESC}\\]52;c;([A-Za-z0-9+/=]+)\u0007`).exec(s.raw().slice(before));
      assert.ok(osc, 'an OSC 52 sequence');
      assert.match(Buffer.from(osc[1] ?? '', 'base64').toString('utf8'), /^kubectl verify git http:\/\/127\.0\.0\.1:\d+\/lab\.git --branch pgp-signed --mode HEAD --keys \.\/keys {2}# \.\/keys: the entries of Secret tui\/git-keys, one file each$/);

      await s.type('q');
      assert.equal(await Promise.race([s.exited, giveUp(15_000)]), 1);
    } finally {
      try {
        s.kill();
      } catch {
        // already gone
      }
    }
  });

  it('with -w, shows an object added to the cluster without a key press', { timeout: 120_000 }, async () => {
    const { cluster, seed } = lab();
    const s = startSession(root, ['--kubeconfig', cluster.kubeconfig, '-n', 'tui', '-w']);
    try {
      await s.waitFor('the tree', (screen) => /OCIRepository tui\/bundle/.test(screen));
      const url = seed.cases.find((c) => c.name === 'cosign-bundle-ecdsa')?.ref.replace(/:1\.0\.0$/, '') ?? '';
      await cluster.kubectl(['apply', '-f', '-'], {
        input: `apiVersion: source.toolkit.fluxcd.io/v1\nkind: OCIRepository\nmetadata: {name: watched, namespace: tui}\nspec: {interval: 10m, url: "oci://${url}", insecure: true, ref: {tag: "1.0.0"}}\n`,
      });
      await s.waitFor('the new object', (screen) => /OCIRepository tui\/watched/.test(screen), 30_000);
      await s.type('q');
      assert.equal(await Promise.race([s.exited, giveUp(15_000)]), 1);
    } finally {
      try {
        s.kill();
      } catch {
        // already gone
      }
    }
  });
});
