import type { Finding, FindingState } from '../report/schema.js';
import { REASONS, type Severity } from '../verdict/reasons.js';

/**
 * Semantic colour tokens, fed from the one reason table: components ask for a meaning (`failed`,
 * `warning`), never for a colour, so NO_COLOR and the palette are decided here once.
 */
export type Tone = 'ok' | 'info' | 'warning' | 'failed' | 'pending' | 'muted' | 'accent';

/** ink colour names, following k9s: errors orangered-ish red, pending orange, highlights aqua */
const COLORS: Record<Tone, string> = {
  ok: 'green',
  info: 'cyan',
  warning: 'yellow',
  failed: 'red',
  pending: '#ff8c00',
  muted: 'gray',
  accent: 'cyanBright',
};

export type Colorer = (tone: Tone | undefined) => string | undefined;

export function colorer(enabled: boolean): Colorer {
  return (tone) => (enabled && tone ? COLORS[tone] : undefined);
}

const SEVERITY_TONE: Record<Severity, Tone> = { ok: 'ok', info: 'info', warning: 'warning', error: 'failed' };

/** The severity that decides a node's colour: its primary reason's, or pending while it runs. */
export function severityOf(f: Pick<Finding, 'state' | 'reasons'>): Severity | 'pending' {
  if (f.state === 'pending') return 'pending';
  const primary = f.reasons[0];
  if (primary) return REASONS[primary].severity;
  return f.state === 'verified' ? 'ok' : f.state === 'failed' || f.state === 'error' ? 'error' : 'warning';
}

export function toneOf(f: Pick<Finding, 'state' | 'reasons'>): Tone {
  const s = severityOf(f);
  return s === 'pending' ? 'pending' : SEVERITY_TONE[s];
}

export const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'] as const;

/** One glyph per severity; a verified node with an informational reason (drift, override) stays ✔. */
export function glyphOf(f: Pick<Finding, 'state' | 'reasons'>, spinnerFrame = 0): string {
  const s = severityOf(f);
  if (s === 'pending') return SPINNER[spinnerFrame % SPINNER.length] as string;
  if (s === 'ok' || f.state === 'verified') return '✔';
  // as the printed views mark it: a warning no spec.verify can fix
  if (f.state === 'unverifiable') return '?';
  if (s === 'error') return '✘';
  if (s === 'warning') return '!';
  return '·';
}

/** Short words for the verdict column, as the printed table spells them. */
export const STATE_WORDS: Record<FindingState, string> = {
  verified: 'verified',
  failed: 'FAILED',
  error: 'ERROR',
  'not-enforced': 'NOT ENFORCED',
  weak: 'WEAK',
  pending: 'pending',
  unsupported: 'not verifiable',
  unverifiable: 'UNVERIFIABLE',
};

/** The verdict as one phrase: state, then the primary reason's label when it adds something. */
export function verdictText(f: Pick<Finding, 'state' | 'reasons'>): string {
  const word = STATE_WORDS[f.state];
  const primary = f.reasons[0];
  const label = primary ? REASONS[primary].label : undefined;
  return label && label.toLowerCase() !== word.toLowerCase() ? `${word} · ${label}` : word;
}

/** problems: what the printed exit code counts against the user by default */
export function isProblem(f: Pick<Finding, 'state'>): boolean {
  return f.state === 'failed' || f.state === 'error' || f.state === 'weak' || f.state === 'not-enforced';
}

const RANK: Record<FindingState, number> = { failed: 0, error: 1, weak: 2, 'not-enforced': 3, pending: 4, unverifiable: 5, unsupported: 6, verified: 7 };

/** problems first, as the printed table sorts */
export function stateRank(state: FindingState): number {
  return RANK[state];
}
