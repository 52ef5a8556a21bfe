import { ANONYMOUS, entryToCredential, lookupAuthEntry, parseDockerConfigAuths, type Credential } from './credentials.js';

/**
 * The credential a `kubernetes.io/dockerconfigjson` Secret gives for a repository, as Flux would pick
 * it; anonymous when no entry matches. `source` names the Secret (e.g. `Secret apps/regcred`).
 */
export function credentialFromDockerConfigJson(content: string | Uint8Array, host: string, repository: string, source: string): Credential {
  const found = lookupAuthEntry(parseDockerConfigAuths(content, source), host, repository);
  return found ? entryToCredential(found.entry, `${source} (${found.key})`) : ANONYMOUS;
}
