/**
 * The one keymap, in the manner of k9s's KeyActions: every binding is a row here, the hub looks keys
 * up in it and the help screen and footer hints are generated from it, so a key can never do one
 * thing and be documented as another. Keys are the names `keyName()` gives (`ctrl-z`, `pagedown`, `G`).
 */
export type KeyAction =
  | 'quit'
  | 'help'
  | 'command'
  | 'filter'
  | 'problems'
  | 'rerun'
  | 'up'
  | 'down'
  | 'pageUp'
  | 'pageDown'
  | 'top'
  | 'bottom'
  | 'expand'
  | 'collapse'
  | 'toggle'
  | 'open'
  | 'back'
  | 'clearFilter'
  | 'yaml'
  | 'copyDigest'
  | 'copyCommand'
  | 'copyReference';

/** global: everywhere; tree: the tree; view: detail, YAML and help screens */
export type KeyScope = 'global' | 'tree' | 'view';

export interface KeyBinding {
  readonly key: string;
  readonly action: KeyAction;
  readonly scope: KeyScope;
  /** shown in the footer hints */
  readonly hint?: boolean;
}

/** one description per action: a missing one is a compile error */
export const ACTION_DESCRIPTIONS: Record<KeyAction, string> = {
  quit: 'quit',
  help: 'help',
  command: 'command (:ns NAME, :kind KIND, :all, :q)',
  filter: 'filter (fuzzy; reason codes too, e.g. /wrong-key)',
  problems: 'problems only (toggle)',
  rerun: 're-verify everything',
  up: 'up',
  down: 'down',
  pageUp: 'page up',
  pageDown: 'page down',
  top: 'top',
  bottom: 'bottom',
  expand: 'expand',
  collapse: 'collapse',
  toggle: 'expand/collapse',
  open: 'details',
  back: 'back',
  clearFilter: 'clear filter',
  yaml: 'YAML of the object',
  copyDigest: 'copy digest',
  copyCommand: 'copy the equivalent verify command (cosign, notation, kubectl verify git)',
  copyReference: 'copy reference (repository@digest)',
};

export const KEYMAP: readonly KeyBinding[] = [
  { key: '?', action: 'help', scope: 'global', hint: true },
  { key: ':', action: 'command', scope: 'global', hint: true },
  { key: 'q', action: 'quit', scope: 'global', hint: true },
  { key: 'ctrl-c', action: 'quit', scope: 'global' },
  { key: 'r', action: 'rerun', scope: 'global', hint: true },
  { key: 'C', action: 'copyReference', scope: 'global' },
  { key: 'up', action: 'up', scope: 'global' },
  { key: 'k', action: 'up', scope: 'global' },
  { key: 'down', action: 'down', scope: 'global' },
  { key: 'j', action: 'down', scope: 'global' },
  { key: 'pageup', action: 'pageUp', scope: 'global' },
  { key: 'ctrl-b', action: 'pageUp', scope: 'global' },
  { key: 'pagedown', action: 'pageDown', scope: 'global' },
  { key: 'ctrl-f', action: 'pageDown', scope: 'global' },
  { key: 'g', action: 'top', scope: 'global' },
  { key: 'home', action: 'top', scope: 'global' },
  { key: 'G', action: 'bottom', scope: 'global' },
  { key: 'end', action: 'bottom', scope: 'global' },

  { key: '/', action: 'filter', scope: 'tree', hint: true },
  { key: 'enter', action: 'open', scope: 'tree', hint: true },
  { key: 'right', action: 'expand', scope: 'tree' },
  { key: 'l', action: 'expand', scope: 'tree' },
  { key: 'left', action: 'collapse', scope: 'tree' },
  { key: 'h', action: 'collapse', scope: 'tree' },
  { key: 'space', action: 'toggle', scope: 'tree' },
  { key: 'ctrl-z', action: 'problems', scope: 'tree', hint: true },
  { key: 'esc', action: 'clearFilter', scope: 'tree' },
  { key: 'y', action: 'yaml', scope: 'tree', hint: true },
  { key: 'c', action: 'copyDigest', scope: 'tree', hint: true },

  { key: 'esc', action: 'back', scope: 'view', hint: true },
  { key: 'left', action: 'back', scope: 'view' },
  { key: 'y', action: 'yaml', scope: 'view', hint: true },
  { key: 'c', action: 'copyCommand', scope: 'view', hint: true },
];

/** The binding for a key: the scope's own first, then the global one. */
export function lookupKey(scope: Exclude<KeyScope, 'global'>, key: string): KeyAction | undefined {
  return (KEYMAP.find((b) => b.scope === scope && b.key === key) ?? KEYMAP.find((b) => b.scope === 'global' && b.key === key))?.action;
}

const KEY_LABELS: Record<string, string> = { up: '↑', down: '↓', left: '←', right: '→', pageup: 'pgup', pagedown: 'pgdn' };

export function keyLabel(key: string): string {
  return KEY_LABELS[key] ?? key;
}

/** Footer hints for a scope: `<key> description`, short. */
export function hintsFor(scope: Exclude<KeyScope, 'global'>): readonly { readonly key: string; readonly text: string }[] {
  return KEYMAP.filter((b) => b.hint && (b.scope === scope || b.scope === 'global')).map((b) => ({ key: keyLabel(b.key), text: ACTION_DESCRIPTIONS[b.action].split(' (')[0] as string }));
}

export interface HelpSection {
  readonly title: string;
  readonly rows: readonly { readonly keys: string; readonly description: string }[];
}

const SCOPE_TITLES: Record<KeyScope, string> = { global: 'everywhere', tree: 'tree', view: 'details, YAML, help' };

/** The `?` screen: one section per scope, keys that do the same thing on one line. */
export function helpSections(): readonly HelpSection[] {
  return (['global', 'tree', 'view'] as const).map((scope) => {
    const byAction = new Map<KeyAction, string[]>();
    for (const b of KEYMAP.filter((x) => x.scope === scope)) byAction.set(b.action, [...(byAction.get(b.action) ?? []), keyLabel(b.key)]);
    return { title: SCOPE_TITLES[scope], rows: [...byAction].map(([action, keys]) => ({ keys: keys.join(' '), description: ACTION_DESCRIPTIONS[action] })) };
  });
}
