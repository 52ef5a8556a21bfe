import { gitRemoteError } from './errors.js';

export type GitUrl =
  | { readonly transport: 'http' | 'https'; /** without userinfo, no trailing slash */ readonly base: string; readonly user?: { readonly username: string; readonly password: string }; readonly display: string }
  | { readonly transport: 'ssh'; /** as given to `git` */ readonly url: string; readonly display: string };

/**
 * Reads `spec.url`. HTTP(S) userinfo is taken off the URL (go-git uses it as basic auth when the
 * Secret has none) and never shown: `display` is the URL to put into messages.
 */
export function parseGitUrl(raw: string): GitUrl {
  const text = raw.trim();
  if (/^https?:\/\//i.test(text)) {
    let u: URL;
    try {
      u = new URL(text);
    } catch {
      throw gitRemoteError('git-remote.bad-url', `not a valid URL: ${redactText(text)}`);
    }
    const user = u.username || u.password ? { username: decodeURIComponent(u.username), password: decodeURIComponent(u.password) } : undefined;
    u.username = '';
    u.password = '';
    u.hash = '';
    const base = u.toString().replace(/\/+$/, '');
    const transport = u.protocol === 'https:' ? 'https' : 'http';
    return { transport, base, ...(user && { user }), display: base };
  }
  if (/^ssh:\/\//i.test(text)) {
    let u: URL;
    try {
      u = new URL(text);
    } catch {
      throw gitRemoteError('git-remote.bad-url', `not a valid URL: ${redactText(text)}`);
    }
    if (u.password) throw gitRemoteError('git-remote.bad-url', `a password in an SSH URL is not supported: ${redactText(text)}`);
    if (!u.hostname) throw gitRemoteError('git-remote.bad-url', `no host in ${redactText(text)}`);
    return { transport: 'ssh', url: text, display: text };
  }
  // scp-like: [user@]host:path — a colon before any slash, and no scheme
  const scp = /^(?:([^@/:]+)@)?([^@/:]+):(?!\/\/)(.+)$/.exec(text);
  if (scp && !text.includes('://')) return { transport: 'ssh', url: text, display: text };
  throw gitRemoteError('git-remote.bad-url', `not a Git URL this client reads (http, https, ssh, user@host:path): ${redactText(text)}`);
}

/** A URL-ish text with any userinfo password removed, for messages. */
export function redactText(text: string): string {
  return text.replace(/(\/\/[^/@:]*):[^/@]*@/, '$1:***@');
}
