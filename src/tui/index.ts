import type { AuditRun } from '../audit/audit.js';

/** What the CLI hands the interactive view. */
export interface TuiOptions {
  /** the running audit; its snapshot() is painted as plans finish */
  readonly run: AuditRun;
  /** starts a fresh audit (the `r` key) */
  readonly rerun: () => Promise<AuditRun>;
  readonly stdin: NodeJS.ReadStream;
  readonly stdout: NodeJS.WriteStream;
  readonly color: boolean;
  readonly env: NodeJS.ProcessEnv;
}

/** Runs the interactive tree until the user quits; resolves to the exit code. */
export async function runTui(_options: TuiOptions): Promise<number> {
  throw new Error('the interactive view is not built yet: use -o table|json|yaml');
}
