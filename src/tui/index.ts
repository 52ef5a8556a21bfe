import { createElement } from 'react';
import { describeError } from '../errors.js';
import { defaultFailOn, exitCodeFor, type FailOnClass } from '../report/exit.js';
import type { Report } from '../report/model.js';
import { loadView } from './load.js';
import { pacedRun } from './paced.js';
import { guardProcess, openScreen, type Fatal } from './screen.js';
import type { LiveAudit } from './run.js';

// ink, React and the App load with this module, which the CLI imports (dynamically: a printed run never
// parses them) before it starts the audit: runTui then paints the first frame as soon as the graph is
// known, before the plans' verification takes the CPU (loaded inside runTui, they waited behind it)
const { render, App } = await loadView();

/** What the CLI hands the interactive view. */
export interface TuiOptions {
  /** the running audit; its snapshot() is painted as plans finish */
  readonly run: LiveAudit;
  /** starts a fresh audit (the `r` key) */
  readonly rerun: () => Promise<LiveAudit>;
  readonly stdin: NodeJS.ReadStream;
  readonly stdout: NodeJS.WriteStream;
  readonly color: boolean;
  readonly env: NodeJS.ProcessEnv;
  /** --fail-on, for the exit code; the default classes when absent */
  readonly failOn?: readonly FailOnClass[];
  /** --watch: calls back when objects in scope change; returns the unsubscribe */
  readonly subscribe?: (onChange: () => void) => () => void;
  /** the command as the user typed it (`kubectl verify` or `flux verify`), for the header */
  readonly title?: string;
}

/**
 * Runs the interactive tree until the user quits; resolves to the exit code the printed output
 * would give for the last report shown. The terminal is restored on every way out.
 */
export async function runTui(options: TuiOptions): Promise<number> {
  const { stdin, stdout } = options;
  const run = pacedRun(options.run);
  const rerun = async (): Promise<LiveAudit> => pacedRun(await options.rerun());
  // set by the view with every report it shows
  let last: Report | undefined;
  const screen = openScreen(stdout);
  let unmount: (() => void) | undefined;
  const fatal = (f: Fatal): void => {
    try {
      unmount?.();
    } catch {
      // the process is ending: the screen below is what matters
    }
    screen.restore();
    if ('error' in f) process.stderr.write(`error: ${describeError(f.error)}\n`);
    process.exit(f.code);
  };
  const unguard = guardProcess(fatal);
  try {
    const instance = render(
      createElement(App, {
        run,
        rerun,
        ...(options.subscribe ? { subscribe: options.subscribe } : {}),
        ...(options.title ? { title: options.title } : {}),
        color: options.color,
        writeTerminal: screen.write,
        onReport: (r: Report) => {
          last = r;
        },
      }),
      // interactive although the gate says it is no TTY (see screen.ts); ctrl-c is a key of our own
      { stdout: screen.stream, stdin, stderr: process.stderr, exitOnCtrlC: false, interactive: true, patchConsole: true, maxFps: 30 },
    );
    unmount = () => instance.unmount();
    await instance.waitUntilExit();
  } finally {
    unguard();
    screen.restore();
  }
  return exitCodeFor(last ?? run.snapshot(), options.failOn ?? defaultFailOn);
}
