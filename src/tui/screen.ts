import { Writable } from 'node:stream';

/**
 * The terminal session: the alternate screen on open, and one `restore()` that leaves it and shows
 * the cursor exactly once, whichever way the view ends (q, ctrl-c, an error, SIGTERM/SIGHUP).
 *
 * ink writes through a gate rather than to the terminal itself: after restore() the gate drops
 * whatever ink still writes while it unmounts, so no frame lands on the normal screen. The gate
 * reports `isTTY: false` (ink runs with `interactive: true` all the same) so that ink and cli-cursor
 * leave the cursor to us: otherwise they show it again on unmount and once more from an exit hook.
 */
export const ENTER = '\u001b[?1049h\u001b[?25l\u001b[H\u001b[2J';
export const LEAVE = '\u001b[?1049l\u001b[?25h';
const CLEAR = '\u001b[H\u001b[2J';

export interface Screen {
  /** the stream to hand ink */
  readonly stream: NodeJS.WriteStream;
  /** writes to the terminal directly while the screen is open (OSC 52) */
  write(s: string): void;
  /** leaves the alternate screen and shows the cursor; later calls do nothing */
  restore(): void;
  readonly restored: boolean;
}

class Gate extends Writable {
  open = true;
  readonly isTTY = false;
  constructor(private readonly out: NodeJS.WriteStream) {
    super({ decodeStrings: false });
  }
  get columns(): number {
    return this.out.columns || 80;
  }
  get rows(): number {
    return this.out.rows || 24;
  }
  override _write(chunk: string | Buffer, _enc: BufferEncoding, cb: (e?: Error | null) => void): void {
    if (!this.open) return cb();
    this.out.write(chunk, (e) => cb(e ?? null));
  }
}

export function openScreen(out: NodeJS.WriteStream): Screen {
  const gate = new Gate(out);
  // the alternate screen does not reflow: redraw from a clean screen at the new size
  const onResize = (): void => {
    if (!gate.open) return;
    out.write(CLEAR);
    gate.emit('resize');
  };
  out.on('resize', onResize);
  out.write(ENTER);
  let restored = false;
  return {
    stream: gate as unknown as NodeJS.WriteStream,
    write: (s) => {
      if (gate.open) out.write(s);
    },
    restore: () => {
      if (restored) return;
      restored = true;
      gate.open = false;
      out.off('resize', onResize);
      out.write(LEAVE);
    },
    get restored() {
      return restored;
    },
  };
}

export type Fatal = { readonly signal: NodeJS.Signals; readonly code: number } | { readonly error: unknown; readonly code: number };

/**
 * Ends the view on termination signals and on errors nothing else caught; returns the uninstaller.
 * With our listeners present, Node does not kill the process itself: `onFatal` must exit.
 */
export function guardProcess(onFatal: (f: Fatal) => void): () => void {
  const signals: [NodeJS.Signals, number][] = [['SIGTERM', 143], ['SIGHUP', 129], ['SIGINT', 130]];
  const handlers = signals.map(([signal, code]) => [signal, () => onFatal({ signal, code })] as const);
  const onError = (error: unknown): void => onFatal({ error, code: 2 });
  for (const [s, h] of handlers) process.on(s, h);
  process.on('uncaughtException', onError);
  process.on('unhandledRejection', onError);
  return () => {
    for (const [s, h] of handlers) process.off(s, h);
    process.off('uncaughtException', onError);
    process.off('unhandledRejection', onError);
  };
}
