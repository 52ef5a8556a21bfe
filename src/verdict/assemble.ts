import { REASONS } from './reasons.js';
import type { ReasonCode } from './reasons.js';
import type { Finding, FindingState, FluxView } from './types.js';

/** A verdict before it becomes a Finding: the state, the reason that decided it, and its one line. */
export interface Judgement {
  readonly state: FindingState;
  readonly primary: ReasonCode;
  readonly message: string;
  /** a next step that fits this object better than the primary reason's general one */
  readonly next?: string;
}

/**
 * The reasons in order, primary first, without repeats; the suggested step is the first one that
 * asks for action, so a verified node with a refused drift suggests looking at the new digest.
 */
export function toFinding(j: Judgement, extra: readonly ReasonCode[], suffixes: readonly string[], flux: FluxView, rest: Omit<Finding, 'state' | 'reasons' | 'message' | 'next' | 'flux'> = {}): Finding {
  const reasons = [...new Set<ReasonCode>([j.primary, ...extra])];
  const acting = reasons.find((r) => REASONS[r].severity !== 'ok') ?? j.primary;
  const message = [j.message, ...suffixes.filter((s) => s !== '')].join('; ');
  const next = acting === j.primary && j.next !== undefined ? j.next : REASONS[acting].next;
  return { state: j.state, reasons, message, next, flux, ...rest };
}

/** For failed and error states the primary reason must itself be a failure; anything else becomes check-failed. */
export function failing(r: ReasonCode): ReasonCode {
  return REASONS[r].severity === 'error' ? r : 'check-failed';
}
