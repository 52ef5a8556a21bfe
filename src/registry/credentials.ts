import { registryError } from './errors.js';

/**
 * What to authenticate with. Never printed: `describeCredential` gives the safe description.
 * `identityToken` is an OAuth2 refresh token (docker's `identitytoken`); `registryToken` is sent as
 * a bearer token as is.
 */
export type Credential =
  | { readonly kind: 'anonymous' }
  | { readonly kind: 'basic'; readonly username: string; readonly password: string; readonly source: string }
  | { readonly kind: 'identity-token'; readonly username: string; readonly identityToken: string; readonly source: string }
  | { readonly kind: 'registry-token'; readonly registryToken: string; readonly source: string };

export const ANONYMOUS: Credential = { kind: 'anonymous' };

/** e.g. `user "ci" from Secret apps/regcred` — names, never values. */
export function describeCredential(c: Credential): string {
  switch (c.kind) {
    case 'anonymous':
      return 'anonymous';
    case 'basic':
      return `user ${JSON.stringify(c.username)} from ${c.source}`;
    case 'identity-token':
      return `identity token from ${c.source}`;
    case 'registry-token':
      return `registry token from ${c.source}`;
  }
}

/** One `auths` entry, as docker and kubelet read it. */
export interface AuthEntry {
  readonly username?: string;
  readonly password?: string;
  readonly auth?: string;
  readonly identitytoken?: string;
  readonly registrytoken?: string;
}

/**
 * The `auths` of a `.dockerconfigjson` (or legacy `.dockercfg`, which is the bare map). `source`
 * names where it came from for messages. Parse errors never quote the content: it holds passwords.
 */
export function parseDockerConfigAuths(content: string | Uint8Array, source: string): Map<string, AuthEntry> {
  const text = typeof content === 'string' ? content : new TextDecoder().decode(content);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    // JSON.parse's message quotes the input around the error; it must not reach the user.
    throw registryError('registry.credentials', `${source}: expected docker config JSON, found content that does not parse as JSON`);
  }
  if (!isObject(json)) throw registryError('registry.credentials', `${source}: expected a JSON object`);
  const auths = isObject(json['auths']) ? json['auths'] : json['auths'] === undefined && !('credsStore' in json) && !('credHelpers' in json) ? json : {};
  const out = new Map<string, AuthEntry>();
  for (const [key, value] of Object.entries(auths)) {
    if (!isObject(value)) continue;
    const entry: Record<string, string> = {};
    for (const field of ['username', 'password', 'auth', 'identitytoken', 'registrytoken'] as const) {
      const v = value[field];
      if (typeof v === 'string' && v !== '') entry[field] = v;
    }
    out.set(key, entry);
  }
  return out;
}

/** An entry as a Credential; `auth` (base64 user:pass) wins over separate fields, as in kubelet. */
export function entryToCredential(entry: AuthEntry, source: string): Credential {
  if (entry.auth !== undefined) {
    let decoded: string;
    try {
      decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
    } catch {
      throw registryError('registry.credentials', `${source}: the auth field is not base64`);
    }
    const colon = decoded.indexOf(':');
    if (colon < 0) throw registryError('registry.credentials', `${source}: the auth field does not decode to user:password`);
    return { kind: 'basic', username: decoded.slice(0, colon), password: decoded.slice(colon + 1), source };
  }
  if (entry.identitytoken !== undefined) return { kind: 'identity-token', username: entry.username ?? '', identityToken: entry.identitytoken, source };
  if (entry.registrytoken !== undefined) return { kind: 'registry-token', registryToken: entry.registrytoken, source };
  if (entry.username !== undefined || entry.password !== undefined) {
    return { kind: 'basic', username: entry.username ?? '', password: entry.password ?? '', source };
  }
  return ANONYMOUS;
}

const DOCKER_HUB = 'index.docker.io';

/**
 * Finds the entry for `host/repository` the way kubelet's keyring (which Flux reaches through
 * k8schain) does: keys may carry a scheme, a `/v1/` or `/v2/` suffix, a path prefix, or `*` globs per
 * host label; the port must match exactly; longer (more specific) keys win; Docker Hub images fall
 * back to an `index.docker.io` key.
 */
export function lookupAuthEntry(auths: ReadonlyMap<string, AuthEntry>, host: string, repository: string): { key: string; entry: AuthEntry } | undefined {
  const keyed = new Map<string, { key: string; entry: AuthEntry }>();
  for (const [key, entry] of auths) {
    const normal = normaliseKey(key);
    // First one wins for duplicate normalised keys; kubelet would offer both for rotation.
    if (normal !== undefined && !keyed.has(normal)) keyed.set(normal, { key, entry });
  }
  const image = `${host}/${repository}`;
  const ordered = [...keyed.keys()].sort().reverse();
  for (const k of ordered) {
    if (keyMatches(k, image)) return keyed.get(k);
  }
  if (host === DOCKER_HUB) return keyed.get(DOCKER_HUB);
  return undefined;
}

function normaliseKey(key: string): string | undefined {
  // Manual rather than URL: URL would lowercase paths and drop an explicit :443, which kubelet keeps.
  const rest = key.replace(/^https?:\/\//, '');
  const slash = rest.indexOf('/');
  const host = (slash < 0 ? rest : rest.slice(0, slash)).toLowerCase();
  if (host === '') return undefined;
  let path = slash < 0 ? '' : rest.slice(slash);
  if (path.startsWith('/v2/') || path.startsWith('/v1/')) path = path.slice(3);
  return path.length > 0 && path !== '/' ? host + path : host;
}

function keyMatches(glob: string, target: string): boolean {
  const g = splitHostPath(glob);
  const t = splitHostPath(target);
  if (g.port !== t.port) return false;
  if (g.labels.length !== t.labels.length) return false;
  if (!t.path.startsWith(g.path)) return false;
  return g.labels.every((label, i) => globMatch(label, t.labels[i] as string));
}

function splitHostPath(s: string): { labels: string[]; port: string; path: string } {
  const slash = s.indexOf('/');
  const hostPort = slash < 0 ? s : s.slice(0, slash);
  const path = slash < 0 ? '' : s.slice(slash);
  const m = /^(.*?)(?::(\d+))?$/.exec(hostPort);
  return { labels: (m?.[1] ?? hostPort).toLowerCase().split('.'), port: m?.[2] ?? '', path };
}

/** Go's filepath.Match for one host label: `*` any run, `?` one character, `[...]` classes. */
function globMatch(pattern: string, value: string): boolean {
  let re = '^';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string;
    if (c === '*') re += '.*';
    else if (c === '?') re += '.';
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 1);
      if (end < 0) return false;
      const body = pattern.slice(i + 1, end).replace(/^\^/, '!');
      re += `[${body.startsWith('!') ? `^${escapeClass(body.slice(1))}` : escapeClass(body)}]`;
      i = end;
    } else re += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  return new RegExp(`${re}$`).test(value);
}

function escapeClass(s: string): string {
  return s.replace(/[\\\]^]/g, '\\$&');
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
