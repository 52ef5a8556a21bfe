import { grantHint, refusalIn } from '../kube/errors.js';
import type { ObjectSource, SecretResult } from '../kube/types.js';

/**
 * Each Secret a run names, read once, and the Flux-like message for one that cannot be had (values never
 * appear in it). Apart from materials.ts, which turns Secrets into cosign and notation trust, so that
 * `kubectl verify git` loads no registry, cosign or notation code.
 */
export interface TrustProblem {
  readonly code: string;
  readonly message: string;
  readonly secret?: string;
}

export class SecretCache {
  readonly #source: ObjectSource;
  readonly #secrets = new Map<string, Promise<SecretResult>>();
  readonly #pullSecrets = new Map<string, Promise<readonly string[]>>();
  constructor(source: ObjectSource) {
    this.#source = source;
  }
  secret(namespace: string, name: string): Promise<SecretResult> {
    const key = `${namespace}/${name}`;
    let p = this.#secrets.get(key);
    if (!p) this.#secrets.set(key, (p = this.#source.getSecret(namespace, name)));
    return p;
  }
  /** the ServiceAccount's imagePullSecrets; an unreadable ServiceAccount adds none, as Flux logs and goes on */
  pullSecrets(namespace: string, serviceAccount: string): Promise<readonly string[]> {
    const key = `${namespace}/${serviceAccount}`;
    let p = this.#pullSecrets.get(key);
    if (!p) this.#pullSecrets.set(key, (p = this.#source.getImagePullSecrets(namespace, serviceAccount).then((r) => ('names' in r ? r.names : []))));
    return p;
  }
}

export function secretProblem(r: Exclude<SecretResult, { state: 'found' }>, id: string, purpose: string): TrustProblem {
  // the finding names the Secret itself; the message says what went wrong with it
  if (r.state === 'forbidden') return { code: 'secret.forbidden', message: forbiddenSecret(r.message, id, purpose), secret: id };
  return { code: `secret.${r.state}`, message: r.state === 'not-found' ? `${purpose} Secret not found` : `${purpose} Secret: ${r.message}`, secret: id };
}

/**
 * One line naming what to grant: RBAC can grant get on this one Secret by name (resourceNames), and
 * the user the API server refused is named when its message says who (docs/rbac.yaml).
 */
function forbiddenSecret(message: string, id: string, purpose: string): string {
  const slash = id.indexOf('/');
  const user = refusalIn(message)?.user;
  const hint = grantHint({ user: user ?? '', verb: 'get', resource: 'secrets', group: '', namespace: id.slice(0, slash), name: id.slice(slash + 1) });
  return `${purpose} Secret is forbidden${user ? ` to user "${user}"` : ''}: ${hint}`;
}

