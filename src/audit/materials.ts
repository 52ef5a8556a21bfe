import { createHash } from 'node:crypto';
import type { PlanTrust, RegistryAccess } from '../graph/types.js';
import { ANONYMOUS, credentialFromDockerConfigJson, type Credential, type HttpStoreOptions } from '../registry/index.js';
import type { TrustedKey } from '../verify/cosign/index.js';
import { inspectSecretEntries, type SecretEntry } from '../verify/cosign/flux-key.js';
import { readFluxNotationSecret } from '../verify/notation/index.js';
import { parseTrustedRoot, publicGoodTrustedRoot } from '../verify/trust/index.js';
import { isVerifyError } from '../errors.js';
import type { ArtifactTrust } from './artifact.js';
import { SecretCache, secretProblem, type TrustProblem } from './secrets.js';

/**
 * Turns what a plan names (Secrets, a ServiceAccount) into trust material and registry options, the
 * way source-controller reads them. Each Secret is read once per run, whatever number of plans
 * name it. Failures are values with Flux-like messages; secret values never appear in them.
 */
export { SecretCache, secretProblem, type TrustProblem };

const text = (b: Uint8Array): string => new TextDecoder().decode(b);

/** Trust material from the object's Secrets; a problem when it cannot be had. */
export async function trustFromPlan(trust: PlanTrust, secrets: SecretCache): Promise<ArtifactTrust | TrustProblem> {
  const ns = trust.namespace;
  if (trust.mode === 'cosign-keyless') {
    let trustedRoot = publicGoodTrustedRoot();
    let label = 'Sigstore public-good root (built in)';
    let source: 'object' | 'builtin' = 'builtin';
    if (trust.trustedRootSecretRef) {
      const id = `${ns}/${trust.trustedRootSecretRef}`;
      const r = await secrets.secret(ns, trust.trustedRootSecretRef);
      if (r.state !== 'found') return secretProblem(r, id, 'trusted root');
      const json = r.data['trusted_root.json'];
      if (!json) return { code: 'trust.invalid', message: `'trusted_root.json' not found in secret '${id}'`, secret: id };
      try {
        trustedRoot = parseTrustedRoot(json);
      } catch (e) {
        return { code: 'trust.invalid', message: `trusted_root.json in secret '${id}': ${isVerifyError(e) ? e.message : 'unreadable'}`, secret: id };
      }
      label = `${id} · trusted_root.json`;
      source = 'object';
    }
    return {
      cosign: {
        kind: 'keyless',
        identities: trust.matchOIDCIdentity.map((m) => ({ issuer: m.issuer, subject: m.subject })),
        trustedRoot,
        trustedRootRef: { kind: 'trusted-root', label, source },
      },
    };
  }
  if (!trust.secretRef) return { code: 'trust.invalid', message: `verification secret cannot be empty for provider ${trust.provider}` };
  // source-controller reads a cosign trustedRootSecretRef before the keys, even though keys do not use it:
  // a Secret it cannot read stops the verification (docs/flux-rules.md §3)
  if (trust.mode === 'cosign-key' && trust.trustedRootSecretRef) {
    const rid = `${ns}/${trust.trustedRootSecretRef}`;
    const rr = await secrets.secret(ns, trust.trustedRootSecretRef);
    if (rr.state !== 'found') return { ...secretProblem(rr, rid, 'trusted root'), message: `failed to read trusted root from secret '${rid}' (Flux reads it even for keys): ${rr.state === 'not-found' ? 'not found' : rr.message}` };
    if (!rr.data['trusted_root.json']) return { code: 'trust.invalid', message: `'trusted_root.json' not found in secret '${rid}' (Flux reads it even for keys)`, secret: rid };
  }
  const id = `${ns}/${trust.secretRef}`;
  const r = await secrets.secret(ns, trust.secretRef);
  if (r.state !== 'found') return secretProblem(r, id, 'verification');
  if (trust.mode === 'notation') {
    const n = readFluxNotationSecret(ns, trust.secretRef, r.data);
    if (!n.ok) return { code: n.code, message: n.message, secret: id };
    return { notation: { policy: n.value.policy, trustStore: n.value.trustStore, label: `${id} · trustpolicy.json`, source: 'object' } };
  }
  // cosign with keys: every data key ending in .pub, as source-controller reads them
  const keys: TrustedKey[] = Object.keys(r.data)
    .filter((k) => k.endsWith('.pub'))
    .sort()
    .map((k) => ({ ref: { kind: 'key', label: `${id} · ${k}`, source: 'object' }, pem: text(r.data[k] as Uint8Array) }));
  if (keys.length === 0) return { code: 'trust.no-keys', message: `no .pub keys in secret '${id}' (Flux reports "no matching signatures were found")`, secret: id };
  return { cosign: { kind: 'key', keys } };
}

/**
 * The entries of a cosign key Secret as source-controller will read them, so that the verdict can
 * apply Flux's key loop (one entry it cannot load changes its verdict) and flag private keys.
 * Undefined for other trust modes or a Secret that cannot be read (trustFromPlan reports that).
 */
export async function inspectKeySecret(trust: PlanTrust, secrets: SecretCache): Promise<{ id: string; entries: SecretEntry[] } | undefined> {
  if (trust.mode !== 'cosign-key' || !trust.secretRef) return undefined;
  const r = await secrets.secret(trust.namespace, trust.secretRef);
  if (r.state !== 'found') return undefined;
  return { id: `${trust.namespace}/${trust.secretRef}`, entries: inspectSecretEntries(r.data) };
}

/** Registry options for a plan: credentials from secretRef and the ServiceAccount, TLS, insecure. */
export async function registryOptions(access: RegistryAccess, host: string, repository: string, secrets: SecretCache): Promise<{ options: HttpStoreOptions; problems: TrustProblem[] }> {
  const problems: TrustProblem[] = [];
  const ns = access.namespace;
  const names = [...(access.secretRef ? [access.secretRef] : []), ...(access.serviceAccountName ? await secrets.pullSecrets(ns, access.serviceAccountName) : [])];
  let credential: Credential = ANONYMOUS;
  for (const name of names) {
    const r = await secrets.secret(ns, name);
    if (r.state !== 'found') {
      problems.push(secretProblem(r, `${ns}/${name}`, 'registry'));
      continue;
    }
    const config = r.data['.dockerconfigjson'];
    if (config) {
      try {
        credential = credentialFromDockerConfigJson(config, host, repository, `Secret ${ns}/${name}`);
      } catch (e) {
        problems.push({ code: 'registry.credentials', message: isVerifyError(e) ? e.message : `Secret ${ns}/${name}: unreadable .dockerconfigjson`, secret: `${ns}/${name}` });
      }
    } else if (access.secretFormats === 'dockerconfigjson-or-basic-auth' && r.data.username && r.data.password) {
      credential = { kind: 'basic', username: text(r.data.username), password: text(r.data.password), source: `Secret ${ns}/${name}` };
    }
    if (credential.kind !== 'anonymous') break;
  }
  let tls: { ca?: Uint8Array; cert?: Uint8Array; key?: Uint8Array } | undefined;
  if (access.certSecretRef) {
    const r = await secrets.secret(ns, access.certSecretRef);
    if (r.state === 'found') tls = { ...(r.data['ca.crt'] ? { ca: r.data['ca.crt'] } : {}), ...(r.data['tls.crt'] ? { cert: r.data['tls.crt'] } : {}), ...(r.data['tls.key'] ? { key: r.data['tls.key'] } : {}) };
    else problems.push(secretProblem(r, `${ns}/${access.certSecretRef}`, 'TLS'));
  }
  let proxyUrl: string | undefined;
  if (access.proxySecretRef) {
    const r = await secrets.secret(ns, access.proxySecretRef);
    if (r.state === 'found' && r.data.address) proxyUrl = text(r.data.address);
    else if (r.state !== 'found') problems.push(secretProblem(r, `${ns}/${access.proxySecretRef}`, 'proxy'));
  }
  return { options: { credential, insecure: access.insecure, ...(tls ? { tls } : {}), ...(proxyUrl ? { proxyUrl } : {}) }, problems };
}

/** What identifies a plan's trust material for the run's verification memo (VerificationMemo in artifact.ts). */
export interface TrustFingerprint {
  /** a hash of the material's content: equal content in different Secrets gives the same fingerprint */
  readonly fingerprint: string;
  /** `namespace/name` of the Secret whose name the evidence labels carry, to relabel a shared result */
  readonly label?: string;
}

/**
 * The fingerprint of a plan's trust material, from the bytes trustFromPlan reads (the SecretCache
 * holds them: no second read): the mode, every entry of the key or notation Secret (names and bytes:
 * the key file names appear in the labels), and for keyless the identities and the trusted root's
 * bytes or the built-in root. Never logged; it names no Secret.
 */
export async function trustFingerprint(trust: PlanTrust, secrets: SecretCache): Promise<TrustFingerprint> {
  const hash = createHash('sha256');
  const add = (s: string | Uint8Array): void => {
    const b = typeof s === 'string' ? Buffer.from(s, 'utf8') : s;
    hash.update(`${b.length}:`);
    hash.update(b);
  };
  add(trust.provider);
  add(trust.mode);
  const secretName = trust.mode === 'cosign-keyless' ? trust.trustedRootSecretRef : trust.secretRef;
  if (trust.mode === 'cosign-keyless') {
    for (const m of trust.matchOIDCIdentity) {
      add(m.issuer);
      add(m.subject);
    }
  }
  if (secretName === undefined) {
    add(trust.mode === 'cosign-keyless' ? 'builtin-root' : 'no-secret');
    return { fingerprint: hash.digest('hex') };
  }
  const r = await secrets.secret(trust.namespace, secretName);
  add(r.state);
  if (r.state === 'found') {
    const entries = trust.mode === 'cosign-keyless' ? Object.entries(r.data).filter(([k]) => k === 'trusted_root.json') : Object.entries(r.data);
    for (const [k, v] of entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      add(k);
      add(v);
    }
  }
  return { fingerprint: hash.digest('hex'), label: `${trust.namespace}/${secretName}` };
}
