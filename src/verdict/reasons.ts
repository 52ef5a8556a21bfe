/**
 * The closed list of reasons a finding can give, each defined once: a label for people, a severity
 * the views turn into colour and glyph, and the one next step we suggest. Codes are part of the
 * report schema and of the TUI filter (`/wrong-key`): renaming one is a breaking change.
 */

/** ok: nothing to do; info: worth knowing; warning: weaker than it looks; error: not verified */
export type Severity = 'ok' | 'info' | 'warning' | 'error';

export interface ReasonInfo {
  readonly label: string;
  readonly severity: Severity;
  readonly next: string;
}

/**
 * Every reason code, written out so that the table below must have exactly one entry per code
 * (TypeScript fails on a missing or extra one) and so that the report's schema (src/report/schema.ts,
 * ReasonCode) can be checked against it where audit/ maps findings into the report.
 */
export type ReasonCode =
  | 'verified'
  | 'override'
  | 'no-signature'
  | 'wrong-key'
  | 'identity-mismatch'
  | 'expired'
  | 'tampered'
  | 'untrusted'
  | 'signature-invalid'
  | 'signature-unsupported'
  | 'check-failed'
  | 'not-enforced'
  | 'weak'
  | 'trust-unreadable'
  | 'trust-missing'
  | 'trust-invalid'
  | 'registry-error'
  | 'registry-auth'
  | 'remote-error'
  | 'remote-auth'
  | 'flux-unstable'
  | 'flux-refuses'
  | 'private-key'
  | 'stale-verification'
  | 'update-refused'
  | 'signing-method'
  | 'flux-disagrees'
  | 'stale-flux-condition'
  | 'drift'
  | 'applied-unverified'
  | 'behind'
  | 'not-reconciled'
  | 'dangling-ref'
  | 'suspended'
  | 'unsupported'
  | 'unverifiable'
  | 'not-applicable'
  | 'pending'
  | 'flux-version';

export const REASONS = {
  verified: { label: 'verified', severity: 'ok', next: 'nothing to do' },
  override: { label: 'verified with trust from flags', severity: 'info', next: 'put the same trust material in spec.verify so that Flux enforces it' },
  'no-signature': { label: 'no signature', severity: 'error', next: 'sign the artifact (cosign sign / notation sign) and push the signature to the same repository' },
  'wrong-key': { label: 'wrong key', severity: 'error', next: 'add the signer\'s public key to the verify Secret, or re-sign with a key that is in it' },
  'identity-mismatch': { label: 'identity mismatch', severity: 'error', next: 'compare the certificate\'s issuer and subject with matchOIDCIdentity (Go regexps) or the trusted identities, and fix the one that is wrong' },
  expired: { label: 'expired', severity: 'error', next: 're-sign with a valid certificate, or add a timestamp that proves signing within its validity' },
  tampered: { label: 'tampered', severity: 'error', next: 'do not run this artifact: find out who pushed it, then re-sign the digest you trust' },
  untrusted: { label: 'untrusted signer', severity: 'error', next: 'add the signer\'s root certificate to the trust store, or re-sign with a certificate that chains to one' },
  'signature-invalid': { label: 'malformed signature', severity: 'error', next: 're-push the signature: it cannot be read as a cosign or notation signature' },
  'signature-unsupported': { label: 'unsupported signature', severity: 'error', next: 're-sign in a form Flux verifies (cosign with SHA-256, a supported bundle or envelope version)' },
  'check-failed': { label: 'verification failed', severity: 'error', next: 'open the signature details to see which check failed' },
  'not-enforced': { label: 'not enforced', severity: 'warning', next: 'add spec.verify (provider, secretRef or matchOIDCIdentity) so that Flux refuses unsigned artifacts' },
  weak: { label: 'weak policy', severity: 'warning', next: 'restrict who may sign: set matchOIDCIdentity, or a notation trust policy level of strict or permissive' },
  'trust-unreadable': { label: 'trust Secret unreadable', severity: 'error', next: 'grant get on the verify Secret (kubectl auth can-i get secret/NAME -n NS), or pass the key with --key' },
  'trust-missing': { label: 'trust material missing', severity: 'error', next: 'create the Secret named by spec.verify.secretRef with the public keys (*.pub) or trust policy and certificates' },
  'trust-invalid': { label: 'trust material invalid', severity: 'error', next: 'fix the verify Secret: keys must be PEM public keys, trustpolicy.json must be a valid notation trust policy' },
  'registry-error': { label: 'registry error', severity: 'error', next: 'check that the registry is reachable from here with the same TLS and proxy settings, then retry' },
  'remote-error': { label: 'Git remote error', severity: 'error', next: 'check that the Git repository is reachable from here with the same TLS and proxy settings as Flux, then retry' },
  'remote-auth': { label: 'Git remote auth', severity: 'error', next: 'check the GitRepository\'s spec.secretRef (username/password, bearerToken, or identity with known_hosts) and its access to the repository' },
  'registry-auth': { label: 'registry auth', severity: 'error', next: 'check the pull Secret (spec.secretRef or the ServiceAccount\'s imagePullSecrets) and its access to the repository' },
  'flux-unstable': { label: 'Flux verdict varies', severity: 'error', next: 'remove or fix the Secret entry named in the message: source-controller reads the verify Secret in random order, so its verdict changes from one reconcile to the next' },
  'flux-refuses': { label: 'Flux refuses', severity: 'error', next: 'change what the message names so that Flux\'s own rules accept it; Flux keeps retrying and keeps the last artifact it accepted' },
  'private-key': { label: 'private key in verify Secret', severity: 'warning', next: 'remove the private key (and its password) from the verify Secret and rotate the key pair: anyone who can read the Secret can sign' },
  'stale-verification': { label: 'verified with earlier trust', severity: 'error', next: 'make Flux verify again with today\'s trust material: flux suspend then flux resume the source (a new generation); flux reconcile alone does not re-verify an unchanged digest' },
  'update-refused': { label: 'update refused', severity: 'warning', next: 'sign the registry\'s new digest with a trusted key (or move the tag back); until then Flux keeps running the digest it verified' },
  'signing-method': { label: 'signed another way', severity: 'error', next: 'sign the way the object verifies (a key whose public key is in its Secret, or keyless with a matching identity), or change spec.verify to match how it is signed' },
  'flux-disagrees': { label: 'Flux disagrees', severity: 'warning', next: 'trust the strict verdict: Flux skips checks that cosign and notation make; re-sign so that both agree' },
  'stale-flux-condition': { label: 'stale Flux condition', severity: 'warning', next: 'force a reconcile (flux reconcile source oci NAME) so that SourceVerified describes the running revision' },
  drift: { label: 'registry moved on', severity: 'info', next: 'check the new digest\'s signature before the next reconcile' },
  'applied-unverified': { label: 'applies another revision', severity: 'warning', next: 'check the consumer\'s applied revision against its source (flux get kustomization / helmrelease)' },
  behind: { label: 'behind its source', severity: 'info', next: 'resume it if it is suspended (flux resume kustomization NAME, or helmrelease), else reconcile it with its source (flux reconcile kustomization NAME --with-source), so that it applies the revision its source runs' },
  'not-reconciled': { label: 'not reconciled', severity: 'info', next: 'wait for the first reconcile, or look at the source\'s Ready condition' },
  'dangling-ref': { label: 'missing reference', severity: 'error', next: 'create the referenced object, or fix the reference (kind, name, namespace)' },
  suspended: { label: 'suspended', severity: 'info', next: 'resume it (flux resume …) when you want Flux to reconcile it again' },
  unsupported: { label: 'not verifiable', severity: 'info', next: 'move the artifact to an OCIRepository (or an OCI HelmRepository) with spec.verify' },
  unverifiable: { label: 'a source Flux cannot verify', severity: 'warning', next: 'publish the content as a signed OCI artifact (OCIRepository with spec.verify, or an OCI HelmRepository with spec.verify on its HelmCharts), or verify it upstream where it is produced' },
  'not-applicable': { label: 'nothing to verify', severity: 'info', next: 'see the charts that use this repository' },
  pending: { label: 'pending', severity: 'info', next: 'wait for the verification to finish' },
  'flux-version': { label: 'decided differently by this Flux version', severity: 'warning', next: 'read the version notes: upgrade source-controller to the release they name, or change the object so that both releases decide alike' },
} as const satisfies Record<ReasonCode, ReasonInfo>;

export const REASON_CODES: readonly ReasonCode[] = Object.keys(REASONS) as ReasonCode[];

export function reasonInfo(code: ReasonCode): ReasonInfo {
  return REASONS[code];
}

export function isReasonCode(text: string): text is ReasonCode {
  return Object.hasOwn(REASONS, text);
}
