/**
 * The one error type that crosses module boundaries. `code` is a stable, dotted identifier that the
 * printers and the TUI map to a reason; `message` is for people and never contains secret values.
 */
export class VerifyError<C extends string = string> extends Error {
  readonly code: C;
  constructor(code: C, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'VerifyError';
    this.code = code;
  }
}

export function isVerifyError(e: unknown): e is VerifyError {
  return e instanceof VerifyError;
}

/** A one-line description of any thrown value, safe to print. */
export function describeError(e: unknown): string {
  if (e instanceof Error) return e.message.split('\n')[0] ?? e.name;
  return String(e);
}

/** A thrown value as a code and a line: its VerifyError code, else `internal`. */
export function errorProblem(e: unknown): { code: string; message: string } {
  return { code: isVerifyError(e) ? e.code : 'internal', message: describeError(e) };
}
