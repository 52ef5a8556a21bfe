/**
 * The Notary Project trust policy document (version 1.0): parsing, validation with notation-go's
 * wording, levels and their overrides, and choosing the statement that applies to a repository.
 */
import type { NotationCode } from './codes.js';
import { isSubsetDn, parseIdentityDn } from './dn.js';
import type { DnMap } from './dn.js';

export type Level = 'strict' | 'permissive' | 'audit' | 'skip';
export type Action = 'enforce' | 'log' | 'skip';
export type VerificationType = 'integrity' | 'authenticity' | 'authenticTimestamp' | 'expiry' | 'revocation';
export type StoreType = 'ca' | 'signingAuthority' | 'tsa';

export interface TrustStoreRef { readonly type: StoreType; readonly name: string; readonly value: string }
export type TrustedIdentity = { readonly kind: 'any' } | { readonly kind: 'x509.subject'; readonly value: string; readonly dn: DnMap };

export interface TrustPolicyStatement {
  readonly name: string;
  readonly registryScopes: readonly string[];
  readonly level: Level;
  readonly override: Readonly<Partial<Record<VerificationType, Action>>>;
  readonly verifyTimestamp: 'always' | 'afterCertExpiry';
  readonly trustStores: readonly TrustStoreRef[];
  readonly trustedIdentities: readonly TrustedIdentity[];
}

export interface TrustPolicyDocument {
  readonly version: string;
  readonly statements: readonly TrustPolicyStatement[];
}

export type PolicyResult<T> = { ok: true; value: T } | { ok: false; code: NotationCode; message: string };

const LEVELS: Readonly<Record<Level, Readonly<Record<VerificationType, Action>>>> = {
  strict: { integrity: 'enforce', authenticity: 'enforce', authenticTimestamp: 'enforce', expiry: 'enforce', revocation: 'enforce' },
  permissive: { integrity: 'enforce', authenticity: 'enforce', authenticTimestamp: 'log', expiry: 'log', revocation: 'log' },
  audit: { integrity: 'enforce', authenticity: 'log', authenticTimestamp: 'log', expiry: 'log', revocation: 'log' },
  skip: { integrity: 'skip', authenticity: 'skip', authenticTimestamp: 'skip', expiry: 'skip', revocation: 'skip' },
};
const OVERRIDABLE: readonly VerificationType[] = ['authenticity', 'authenticTimestamp', 'expiry', 'revocation'];
const STORE_NAME = /^[a-zA-Z0-9_.-]+$/;
// host[:port] then a lowercase repository path, as an OCI reference has it (no tag, no digest).
const PATH_COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const SCOPE = new RegExp(`^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*|\\[[0-9a-fA-F:.]+\\])(?::[0-9]+)?(?:/${PATH_COMPONENT})+$`);

/** The action a statement takes for one verification type, after its override. */
export function actionFor(s: Pick<TrustPolicyStatement, 'level' | 'override'>, t: VerificationType): Action {
  if (s.level === 'skip') return 'skip';
  return s.override[t] ?? LEVELS[s.level][t];
}

class Invalid extends Error {}
const invalid = (m: string): never => { throw new Invalid(m); };

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
function strings(v: unknown, what: string): string[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || !v.every((x): x is string => typeof x === 'string')) return invalid(`${what} must be an array of strings`);
  return v;
}

function parseLevel(name: string, sv: unknown): Pick<TrustPolicyStatement, 'level' | 'override' | 'verifyTimestamp'> {
  if (!isRecord(sv)) return invalid(`trust policy statement ${JSON.stringify(name)} is missing signatureVerification, it must be specified`);
  const level = sv.level;
  if (typeof level !== 'string' || !Object.hasOwn(LEVELS, level)) {
    return invalid(`trust policy statement ${JSON.stringify(name)} uses invalid signatureVerification value ${JSON.stringify(level ?? '')}`);
  }
  const override: Partial<Record<VerificationType, Action>> = {};
  if (sv.override !== undefined && sv.override !== null) {
    if (!isRecord(sv.override)) return invalid(`trust policy statement ${JSON.stringify(name)} has an override that is not an object`);
    const entries = Object.entries(sv.override);
    if (level === 'skip' && entries.length > 0) invalid(`signature verification level "skip" can't be used to customize signature verification`);
    for (const [k, v] of entries) {
      if (k === 'integrity') invalid(`"integrity" verification can not be overridden in custom signature verification`);
      if (!(OVERRIDABLE as readonly string[]).includes(k)) invalid(`verification type ${JSON.stringify(k)} in custom signature verification is not supported, supported values are "authenticity", "authenticTimestamp", "expiry", "revocation"`);
      if (v !== 'enforce' && v !== 'log' && v !== 'skip') invalid(`verification action ${JSON.stringify(v)} in custom signature verification is not supported, supported values are "enforce", "log", "skip"`);
      if (v === 'skip' && k !== 'revocation') invalid(`${JSON.stringify(k)} verification can not be skipped in custom signature verification`);
      override[k as VerificationType] = v as Action;
    }
  }
  const vt = sv.verifyTimestamp ?? 'always';
  if (vt !== 'always' && vt !== 'afterCertExpiry' && vt !== '') {
    invalid(`trust policy statement ${JSON.stringify(name)} has invalid signatureVerification.verifyTimestamp value ${JSON.stringify(vt)}, supported values are "always", "afterCertExpiry"`);
  }
  return { level: level as Level, override, verifyTimestamp: vt === 'afterCertExpiry' ? 'afterCertExpiry' : 'always' };
}

function parseStores(name: string, values: readonly string[]): TrustStoreRef[] {
  return values.map((value) => {
    const i = value.indexOf(':');
    if (i < 0) return invalid(`trust policy statement ${JSON.stringify(name)} is missing separator in trust store value ${JSON.stringify(value)}. The required format is <TrustStoreType>:<TrustStoreName>`);
    const type = value.slice(0, i);
    const store = value.slice(i + 1);
    if (type !== 'ca' && type !== 'signingAuthority' && type !== 'tsa') return invalid(`trust policy statement ${JSON.stringify(name)} uses an unsupported trust store type ${JSON.stringify(type)} in trust store value ${JSON.stringify(value)}`);
    if (!STORE_NAME.test(store)) return invalid(`trust policy statement ${JSON.stringify(name)} uses an unsupported trust store name ${JSON.stringify(store)} in trust store value ${JSON.stringify(value)}. Named store name needs to follow [a-zA-Z0-9_.-]+ format`);
    return { type, name: store, value };
  });
}

function parseIdentities(name: string, values: readonly string[]): TrustedIdentity[] {
  if (values.includes('*')) {
    if (values.length > 1) invalid(`trust policy statement ${JSON.stringify(name)} uses a wildcard trusted identity '*', a wildcard identity cannot be used in conjunction with other values`);
    return [{ kind: 'any' }];
  }
  const out = values.map((value): TrustedIdentity => {
    const i = value.indexOf(':');
    if (i < 0) return invalid(`trust policy statement ${JSON.stringify(name)} has trusted identity ${JSON.stringify(value)} missing separator`);
    const prefix = value.slice(0, i).trim();
    const rest = value.slice(i + 1).trim();
    if (prefix !== 'x509.subject') return invalid(`trust policy statement ${JSON.stringify(name)} uses an unsupported trusted identity type ${JSON.stringify(prefix)}`);
    if (rest === '') return invalid(`trust policy statement ${JSON.stringify(name)} has trusted identity ${JSON.stringify(value)} without an identity value`);
    const dn = parseIdentityDn(rest);
    if (!dn.ok) return invalid(`trust policy statement ${JSON.stringify(name)} has trusted identity ${JSON.stringify(value)} with an invalid identity value: ${dn.message}`);
    return { kind: 'x509.subject', value: rest, dn: dn.dn };
  });
  for (let a = 0; a < out.length; a++) {
    for (let b = a + 1; b < out.length; b++) {
      const x = out[a];
      const y = out[b];
      if (x?.kind === 'x509.subject' && y?.kind === 'x509.subject' && (isSubsetDn(x.dn, y.dn) || isSubsetDn(y.dn, x.dn))) {
        invalid(`trust policy statement ${JSON.stringify(name)} has overlapping x509 trustedIdentities, ${JSON.stringify(x.value)} overlaps with ${JSON.stringify(y.value)}`);
      }
    }
  }
  return out;
}

function parseStatement(raw: unknown, seenScopes: Set<string>): TrustPolicyStatement {
  if (!isRecord(raw)) return invalid('a trust policy statement must be a JSON object');
  const name = raw.name;
  if (typeof name !== 'string' || name.trim() === '') return invalid('a trust policy statement is missing a name, every statement requires a name');
  const scopes = strings(raw.registryScopes, `trust policy statement ${JSON.stringify(name)} registryScopes`);
  if (scopes.length === 0) invalid(`trust policy statement ${JSON.stringify(name)} has zero registry scopes, it must specify registry scopes with at least one value`);
  if (scopes.includes('*') && scopes.length > 1) invalid(`trust policy statement ${JSON.stringify(name)} uses wildcard registry scope '*', a wildcard scope cannot be used in conjunction with other scope values`);
  for (const s of scopes) {
    if (s !== '*' && !SCOPE.test(s)) invalid(`registry scope ${JSON.stringify(s)} is not valid, make sure it is a fully qualified registry URL without the scheme/protocol, e.g domain.com/my/repository OR a local trust policy scope, e.g local/myOCILayout`);
    if (seenScopes.has(s)) invalid(`registry scope ${JSON.stringify(s)} is present in multiple trust policy statements, one registry scope value can only be associated with one statement`);
    seenScopes.add(s);
  }
  const level = parseLevel(name, raw.signatureVerification);
  const storeValues = strings(raw.trustStores, `trust policy statement ${JSON.stringify(name)} trustStores`);
  const identityValues = strings(raw.trustedIdentities, `trust policy statement ${JSON.stringify(name)} trustedIdentities`);
  if (level.level === 'skip') {
    if (storeValues.length > 0 || identityValues.length > 0) {
      invalid(`trust policy statement ${JSON.stringify(name)} is set to skip signature verification but configured with trust stores and/or trusted identities, remove them if signature verification needs to be skipped`);
    }
    return { name, registryScopes: scopes, ...level, trustStores: [], trustedIdentities: [] };
  }
  if (storeValues.length === 0 || identityValues.length === 0) {
    invalid(`trust policy statement ${JSON.stringify(name)} is either missing trust stores or trusted identities, both must be specified`);
  }
  return { name, registryScopes: scopes, ...level, trustStores: parseStores(name, storeValues), trustedIdentities: parseIdentities(name, identityValues) };
}

/** Validate an already-decoded JSON value as a trust policy document. */
export function validateTrustPolicy(doc: unknown): PolicyResult<TrustPolicyDocument> {
  try {
    if (!isRecord(doc)) invalid('trust policy document must be a JSON object');
    const d = doc as Record<string, unknown>;
    const version = d.version;
    if (version === undefined || version === null || version === '') invalid('trust policy document has empty version, version must be specified');
    if (version !== '1.0') invalid(`trust policy document uses unsupported version ${JSON.stringify(version)}`);
    const raw = d.trustPolicies;
    if (!Array.isArray(raw) || raw.length === 0) invalid('trust policy document can not have zero trust policy statements');
    const seenScopes = new Set<string>();
    const names = new Set<string>();
    const statements = (raw as unknown[]).map((r) => {
      const s = parseStatement(r, seenScopes);
      if (names.has(s.name)) invalid(`multiple trust policy statements use the same name ${JSON.stringify(s.name)}, statement names must be unique`);
      names.add(s.name);
      return s;
    });
    return { ok: true, value: { version: version as string, statements } };
  } catch (e) {
    if (e instanceof Invalid) return { ok: false, code: 'notation.policy-invalid', message: e.message };
    throw e;
  }
}

/** Parse trustpolicy.json bytes, then validate. */
export function parseTrustPolicy(bytes: Uint8Array | string): PolicyResult<TrustPolicyDocument> {
  let value: unknown;
  try {
    value = JSON.parse(typeof bytes === 'string' ? bytes : new TextDecoder('utf-8', { fatal: true }).decode(bytes)) as unknown;
  } catch (e) {
    return { ok: false, code: 'notation.policy-invalid', message: `trust policy document is not valid JSON: ${(e as Error).message}` };
  }
  return validateTrustPolicy(value);
}

/** The repository part (host[:port]/repo) of an artifact reference: no digest, no tag. */
export function repositoryOf(reference: string): string {
  const at = reference.indexOf('@');
  let repo = at >= 0 ? reference.slice(0, at) : reference;
  const slash = repo.lastIndexOf('/');
  const colon = repo.lastIndexOf(':');
  if (colon > slash && slash >= 0) repo = repo.slice(0, colon);
  return repo;
}

/** Exact scope first, then `*`; otherwise no statement applies. */
export function selectStatement(doc: TrustPolicyDocument, reference: string): PolicyResult<TrustPolicyStatement> {
  const repo = repositoryOf(reference);
  const exact = doc.statements.find((s) => s.registryScopes.includes(repo));
  const chosen = exact ?? doc.statements.find((s) => s.registryScopes.includes('*'));
  if (chosen) return { ok: true, value: chosen };
  return {
    ok: false,
    code: 'notation.no-applicable-policy',
    message: `artifact ${JSON.stringify(reference)} has no applicable trust policy statement: expected a registry scope ${JSON.stringify(repo)} or "*", found ${doc.statements.flatMap((s) => s.registryScopes).map((s) => JSON.stringify(s)).join(', ')}`,
  };
}
