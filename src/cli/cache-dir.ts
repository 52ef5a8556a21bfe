import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';

/**
 * The plugin's cache directory: `$XDG_CACHE_HOME/kubectl-verify` when XDG_CACHE_HOME is an absolute path
 * (the XDG spec ignores relative ones), else `~/.cache/kubectl-verify`; undefined without a home. V8's
 * compile cache (entry.ts) and API discovery (kube/discovery-cache.ts) live there. Kept tiny and plain:
 * the entry module imports it before anything else is loaded.
 */
export function pluginCacheDir(env: NodeJS.ProcessEnv): string | undefined {
  const xdg = env.XDG_CACHE_HOME;
  if (xdg && isAbsolute(xdg)) return join(xdg, 'kubectl-verify');
  const home = homedir();
  return home ? join(home, '.cache', 'kubectl-verify') : undefined;
}
