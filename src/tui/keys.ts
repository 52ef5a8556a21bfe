/**
 * Key names the keymap speaks, from what ink parsed: `up`, `pagedown`, `enter`, `esc`, `space`,
 * `ctrl-z`, or the character itself (`G`, `/`). Pure, so the hub's translation is tested alone.
 */
export interface ParsedKey {
  readonly upArrow: boolean;
  readonly downArrow: boolean;
  readonly leftArrow: boolean;
  readonly rightArrow: boolean;
  readonly pageUp: boolean;
  readonly pageDown: boolean;
  readonly home: boolean;
  readonly end: boolean;
  readonly return: boolean;
  readonly escape: boolean;
  readonly ctrl: boolean;
  readonly tab: boolean;
  readonly backspace: boolean;
  readonly delete: boolean;
  readonly meta: boolean;
}

export function keyName(input: string, key: ParsedKey): string {
  if (key.upArrow) return 'up';
  if (key.downArrow) return 'down';
  if (key.leftArrow) return 'left';
  if (key.rightArrow) return 'right';
  if (key.pageUp) return 'pageup';
  if (key.pageDown) return 'pagedown';
  if (key.home) return 'home';
  if (key.end) return 'end';
  if (key.return) return 'enter';
  if (key.escape) return 'esc';
  if (key.tab) return 'tab';
  // terminals send DEL (0x7f) for backspace; ink names it delete
  if (key.backspace || key.delete) return 'backspace';
  if (key.ctrl && input.length === 1) return `ctrl-${input.toLowerCase()}`;
  if (input === ' ') return 'space';
  return input;
}

/** Text a prompt accepts: printable characters, without control keys. */
export function isText(name: string, input: string, key: ParsedKey): boolean {
  return input.length > 0 && !key.ctrl && !key.meta && (name === input || name === 'space') && [...input].every((c) => c.charCodeAt(0) >= 32 && c.charCodeAt(0) !== 127);
}
