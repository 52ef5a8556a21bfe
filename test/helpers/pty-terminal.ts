import { join } from 'node:path';
import ptyModule from '@lydell/node-pty';
import xtermHeadless from '@xterm/headless';

/** The real plugin in a pseudo-terminal, its output fed into a headless xterm to read back as a person sees it. */
export interface PtyTerminal {
  readonly term: InstanceType<typeof xtermHeadless.Terminal>;
  readonly exited: Promise<number>;
  /** the visible screen, one line a row */
  screen(): string;
  /** everything the plugin wrote, escape sequences included */
  raw(): string;
  /** xterm parses asynchronously: resolves once what came before is on the screen */
  flush(): Promise<void>;
  write(keys: string): void;
  kill(): void;
}

export function openPtyTerminal(root: string, args: readonly string[], size: { readonly cols: number; readonly rows: number }, env: Record<string, string>): PtyTerminal {
  const term = new xtermHeadless.Terminal({ cols: size.cols, rows: size.rows, allowProposedApi: true });
  const child = ptyModule.spawn(join(root, 'plugin', 'kubectl-verify'), [...args], { name: 'xterm-256color', cols: size.cols, rows: size.rows, cwd: root, env });
  let raw = '';
  child.onData((d) => {
    raw += d;
    term.write(d);
  });
  const exited = new Promise<number>((resolve) => child.onExit((e) => resolve(e.exitCode)));
  return {
    term,
    exited,
    screen() {
      const b = term.buffer.active;
      const out: string[] = [];
      for (let i = 0; i < term.rows; i++) out.push(b.getLine(b.viewportY + i)?.translateToString(true) ?? '');
      return out.join('\n');
    },
    raw: () => raw,
    // a write callback with no data fires once everything written before has been parsed
    flush: () => new Promise((r) => term.write('', () => r())),
    write: (keys) => child.write(keys),
    kill: () => child.kill(),
  };
}
