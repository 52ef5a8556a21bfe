/**
 * Exit codes, as kubectl diff and flux diff use them: 0 all verified, 1 findings, 2 and up could not run.
 */
export const ExitCode = {
  ok: 0,
  findings: 1,
  usage: 2,
  operational: 3,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** Thrown by the CLI layer to end the run with a code and a one-line reason on stderr. */
export class CliExit extends Error {
  readonly exitCode: ExitCode;
  constructor(exitCode: ExitCode, message: string) {
    super(message);
    this.name = 'CliExit';
    this.exitCode = exitCode;
  }
}

export function usageError(message: string): CliExit {
  return new CliExit(ExitCode.usage, message);
}
