import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { repoRoot } from '../helpers/paths.js';
import { openPtyTerminal } from '../helpers/pty-terminal.js';
import { paletteColor, terminalSvg } from '../helpers/terminal-svg.js';

/**
 * The pictures in the README: `kubectl verify --demo` in a real pseudo-terminal, read back from a
 * headless xterm and drawn as SVG. `npm run screens` (UPDATE_GOLDEN=1) rewrites docs/images/*.svg;
 * otherwise a change in what the screens show fails here until the pictures are regenerated.
 */
const COLS = 136;
const ROWS = 26;
const SPINNER = /[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]/;
// the detail shown: a signature Flux accepts and cosign does not, the demo's best story
const DETAIL = { name: 'apps/reports', downPresses: 2 } as const;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface Session {
  screen(): string;
  svg(title: string): string;
  /**
   * Presses a key and waits until the screen has changed and settled: keys sent before the last one
   * was drawn can reach ink in one chunk, which it takes for a paste and ignores.
   */
  press(k: string, what: string): Promise<string>;
  /** sends a key without waiting for the screen */
  send(k: string): void;
  /** the screen once `test` holds and nothing has changed on it for a while (spinners, status lines) */
  settled(what: string, test: (screen: string) => boolean, timeoutMs?: number): Promise<string>;
  readonly exited: Promise<number>;
  kill(): void;
}

function startSession(root: string, args: readonly string[]): Session {
  // a fixed environment, not the caller's: COLORTERM, NO_COLOR, FORCE_COLOR or CI would change the colours
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? '/tmp',
    TERM: 'xterm-256color',
    LANG: 'C.UTF-8',
    // the demo reads nothing: a kubeconfig or a network it tried to use would fail
    KUBECONFIG: '/nonexistent',
    HTTPS_PROXY: 'http://127.0.0.1:1',
    HTTP_PROXY: 'http://127.0.0.1:1',
  };
  const t = openPtyTerminal(root, args, { cols: COLS, rows: ROWS }, env);
  const { term, screen, flush } = t;
  return {
    screen,
    svg: (title) => terminalSvg(term, { title }),
    exited: t.exited,
    kill: t.kill,
    send: t.write,
    async press(k, what) {
      await flush();
      const before = terminalSvg(term);
      t.write(k);
      return this.settled(what, () => terminalSvg(term) !== before);
    },
    async settled(what, test, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      let last = '';
      let same = 0;
      for (;;) {
        await flush();
        // the SVG, not the text: a colour change counts too
        const now = terminalSvg(term);
        same = now === last ? same + 1 : 0;
        last = now;
        const s = screen();
        if (test(s) && same >= 4) return s;
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; screen:\n${s}`);
        await sleep(150);
      }
    },
  };
}

function checkOrWrite(file: string, svg: string): void {
  if (process.env.UPDATE_GOLDEN === '1') {
    mkdirSync(join(file, '..'), { recursive: true });
    writeFileSync(file, svg);
    return;
  }
  const rel = file.slice(repoRoot().length + 1);
  assert.ok(existsSync(file), `${rel} is missing: run 'npm run screens'`);
  assert.equal(readFileSync(file, 'utf8'), svg, `${rel} no longer shows what the demo shows: run 'npm run screens' and look at the pictures`);
}

describe('the README pictures', () => {
  const root = repoRoot();

  it('draws the demo’s tree and a failing node’s detail, as docs/images/*.svg hold them', { timeout: 120_000 }, async () => {
    const s = startSession(root, ['--demo']);
    try {
      const tree = await s.settled('the whole tree, every artifact checked', (x) => /(\d+)\/\1 artifacts checked/.test(x) && /\b0 pending\b/.test(x) && !SPINNER.test(x));
      assert.match(tree, /DEMO · built-in fleet/);
      assert.match(tree.split('\n')[2] ?? '', /✘ OCIRepository \S+ +FAILED/, 'problems first, the cursor on the first');
      const treeSvg = s.svg('kubectl verify --demo: the tree of Flux objects with their verdicts');
      assert.ok(treeSvg.includes(`fill="${paletteColor(1)}">✘</text>`), 'failures in red: the plugin ran with colours');

      for (let i = 0; i < DETAIL.downPresses; i++) await s.press('j', 'the cursor one row down');
      const detail = await s.press('\r', `the detail of ${DETAIL.name}`);
      assert.ok(detail.includes('signatures found') && detail.includes('next '), detail);
      assert.match(detail.split('\n')[2] ?? '', new RegExp(`^OCIRepository ${DETAIL.name} +✘ FAILED`));
      const detailSvg = s.svg(`kubectl verify --demo: the detail of OCIRepository ${DETAIL.name}`);

      s.send('q');
      let timer: NodeJS.Timeout | undefined;
      const code = await Promise.race([s.exited, new Promise<number>((r) => (timer = setTimeout(() => r(-1), 15_000)))]);
      clearTimeout(timer);
      assert.equal(code, 1, 'the demo has findings: exit code 1');

      checkOrWrite(join(root, 'docs', 'images', 'tree.svg'), treeSvg);
      checkOrWrite(join(root, 'docs', 'images', 'detail.svg'), detailSvg);
    } finally {
      try {
        s.kill();
      } catch {
        // already gone
      }
    }
  });
});
