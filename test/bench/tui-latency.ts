import { repoRoot } from '../helpers/paths.js';
import { openPtyTerminal, type PtyTerminal } from '../helpers/pty-terminal.js';
import { BenchFailure } from './measure.js';

/**
 * The interactive view in a pseudo-terminal (the real plugin, its output parsed by a headless xterm):
 * the time from spawn to the first frame that shows tree rows, and from a `j` keypress to the first
 * frame that differs from the one before it (the selection moves: text or colours).
 */
const COLS = 160;
const ROWS = 40;
const TREE_ROW = /(OCIRepository|HelmChart|HelmRepository|HelmRelease|Kustomization) \S+\/\S+/;

export interface TuiTiming {
  readonly firstFrameMs: number;
  readonly keyMs: readonly number[];
}

/** The visible screen with each cell's colours and attributes, so a moved highlight counts as a change. */
function frame(t: PtyTerminal): string {
  const b = t.term.buffer.active;
  const out: string[] = [];
  const cell = b.getNullCell();
  for (let y = 0; y < t.term.rows; y++) {
    const line = b.getLine(b.viewportY + y);
    if (!line) continue;
    let row = '';
    for (let x = 0; x < t.term.cols; x++) {
      line.getCell(x, cell);
      row += `${cell.getChars()}\u0000${cell.getFgColor()},${cell.getBgColor()},${cell.isInverse()},${cell.isBold()}\u0001`;
    }
    out.push(row);
  }
  return out.join('\n');
}

/** Resolves with the time of the first parsed write after which `test` holds. */
function when(t: PtyTerminal, what: string, test: () => boolean, timeoutMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    if (test()) {
      resolve(performance.now());
      return;
    }
    const timer = setTimeout(() => {
      sub.dispose();
      reject(new BenchFailure(`interactive view: timed out after ${timeoutMs / 1000}s waiting for ${what}; screen:\n${t.screen()}`));
    }, timeoutMs);
    const sub = t.term.onWriteParsed(() => {
      if (!test()) return;
      const at = performance.now();
      clearTimeout(timer);
      sub.dispose();
      resolve(at);
    });
  });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function tuiTiming(args: readonly string[], env: NodeJS.ProcessEnv, keys: number): Promise<TuiTiming> {
  const clean: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined && k !== 'NO_COLOR' && k !== 'CI') clean[k] = v;
  clean.TERM = 'xterm-256color';
  const t0 = performance.now();
  const t = openPtyTerminal(repoRoot(), args, { cols: COLS, rows: ROWS }, clean);
  let exited = false;
  void t.exited.then(() => (exited = true));
  try {
    const first = await when(t, 'the first frame with tree rows', () => t.screen().split('\n').some((l) => TREE_ROW.test(l)), 300_000);
    // keys are timed once every plan has finished, so no progress redraw is mistaken for the answer
    await when(t, 'every artifact checked', () => /(\d+)\/\1 artifacts checked/.test(t.screen()) || !/artifacts checked/.test(t.screen()), 900_000);
    await sleep(500);
    const keyMs: number[] = [];
    for (let i = 0; i < keys; i++) {
      const before = frame(t);
      const at = performance.now();
      t.write('j');
      keyMs.push((await when(t, `the frame after j #${i + 1}`, () => frame(t) !== before, 10_000)) - at);
      await sleep(120);
    }
    if (exited) throw new BenchFailure('interactive view exited before q');
    return { firstFrameMs: first - t0, keyMs };
  } finally {
    t.write('q');
    await Promise.race([t.exited, sleep(5000)]);
    if (!exited) t.kill();
  }
}
