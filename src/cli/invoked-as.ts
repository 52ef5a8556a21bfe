import { win32 } from 'node:path';

/**
 * The command the user typed, for help, usage errors and examples. One binary serves both CLIs:
 * kubectl runs `kubectl-verify` for `kubectl verify`, Flux 2.9's plugin runner runs `flux-verify`
 * for `flux verify` (RFC-0013); both exec the plugin with its own path as argv[0].
 */
export type CommandName = 'kubectl verify' | 'flux verify';

const byBinary: Readonly<Record<string, CommandName>> = {
  'kubectl-verify': 'kubectl verify',
  'flux-verify': 'flux verify',
};

/**
 * The command name for the first path whose file name is one of ours. argv[0] comes first because it
 * keeps the name of a symlink (`flux-verify -> kubectl-verify`), while the executable's own path has
 * the link resolved; `.exe` and letter case are ignored for Windows. Anything else (Node itself, when
 * run from source) is the kubectl plugin.
 */
export function commandNameFrom(paths: readonly (string | undefined)[]): CommandName {
  for (const p of paths) {
    if (!p) continue;
    // win32.basename splits on both separators, so one rule serves every platform
    const name = win32.basename(p).toLowerCase().replace(/\.exe$/, '');
    const found = byBinary[name];
    if (found) return found;
  }
  return 'kubectl verify';
}

let cached: CommandName | undefined;

/** The command name of this process, read once from argv[0] and the executable's path. */
export function invokedAs(): CommandName {
  // the source launcher (plugin/kubectl-verify) resolves symlinks before it starts Node: it passes the name it was run as
  cached ??= commandNameFrom([process.env.KUBECTL_VERIFY_INVOKED_AS, process.argv0, process.execPath]);
  return cached;
}
