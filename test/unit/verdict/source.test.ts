// The verdict table: (outcome × Flux conditions) → state and reasons, one row per reason.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Condition, FluxObject, OCIRepository } from '../../../src/kube/types.js';
import { findingFor, REASON_CODES } from '../../../src/verdict/index.js';
import type { Finding, PlanOutcome, ReasonCode } from '../../../src/verdict/index.js';
import {
  cond,
  cosignKey,
  D1,
  D2,
  failed,
  helmChart,
  helmRelease,
  helmRepo,
  keyless,
  notation,
  ociRepo,
  gitRepo, other,
  readyTrue,
  ref,
  sig,
  verified,
  verifiedFalse,
  verifiedTrue,
} from '../graph/factories.js';
import { nodeIn } from './nodes.js';

const now = new Date('2026-06-01T00:00:00Z');

const ID = 'OCIRepository/apps/podinfo';
/** A cosign-key OCIRepository running 6.5.0@D1 that Flux verified. */
function repo(over: Partial<OCIRepository> = {}, conditions: Condition[] = [readyTrue(), verifiedTrue(`6.5.0@${D1}`)]): OCIRepository {
  return ociRepo('podinfo', { verify: cosignKey(), artifact: { revision: `6.5.0@${D1}` }, conditions, ...over });
}
const ok = (o: Partial<PlanOutcome> = {}): PlanOutcome => ({ running: verified(D1), registryDigest: D1, trustFrom: 'object', ...o });

interface Row {
  readonly name: string;
  readonly objects: readonly FluxObject[];
  readonly id?: string;
  readonly outcome: PlanOutcome | undefined;
  readonly state: Finding['state'];
  readonly reasons: readonly ReasonCode[];
  readonly agrees?: boolean | undefined;
  readonly message?: RegExp;
  readonly check?: (f: Finding) => void;
}

const noSV = [readyTrue()];
const svFalseRunning = [cond('Ready', 'False', 'VerificationError', 'failed'), verifiedFalse(`no matching signatures were found for 'reg.example/podinfo@${D1}'`)];

const rows: Row[] = [
  { name: 'verified with the object\'s key; Flux agrees', objects: [repo()], outcome: ok(), state: 'verified', reasons: ['verified'], agrees: true, message: /cosign bundle signature verified with apps\/cosign-pub · cosign\.pub SHA256:9c1f for sha256:1f1f/ },
  {
    name: 'verified with trust from flags says so',
    objects: [repo({ verify: undefined }, noSV)],
    outcome: ok({ trustFrom: 'flag', overrides: ['--key', 'cosign.pub'] }),
    state: 'verified',
    reasons: ['verified', 'override'],
    agrees: undefined,
    message: /trust from flags --key cosign\.pub, not from spec\.verify/,
  },
  {
    name: 'no signature while Flux says verified: Flux verified with earlier trust material and has not verified again',
    objects: [repo()],
    outcome: ok({ running: failed('signature.none', D1, []) }),
    state: 'failed',
    reasons: ['stale-verification', 'no-signature'],
    agrees: false,
    message: /does not verify it again until the digest or the spec changes/,
    check: (f) => assert.equal(f.flux.stale, true),
  },
  {
    name: 'wrong key: every key tried is named; Flux agrees it fails',
    objects: [repo({}, svFalseRunning)],
    outcome: ok({ running: failed('cosign.signature-mismatch', D1, [sig({ verified: false, label: 'apps/cosign-pub · cosign.pub' }), sig({ verified: false, label: 'apps/cosign-pub · old.pub', mechanism: 'cosign-legacy' })]) }),
    state: 'failed',
    reasons: ['wrong-key'],
    agrees: true,
    message: /none of 2 signatures verifies with the 2 keys tried \(apps\/cosign-pub · cosign\.pub: check failed: cosign\.signature-mismatch; apps\/cosign-pub · old\.pub: check failed: cosign\.signature-mismatch\)/,
    check: (f) => assert.equal(f.flux.sourceVerified?.revision, D1),
  },
  { name: 'identity mismatch', objects: [repo({ verify: keyless([{ issuer: '^https://x$', subject: '^me$' }]) }, svFalseRunning)], outcome: ok({ running: failed('cosign.identity-mismatch') }), state: 'failed', reasons: ['identity-mismatch'], agrees: true },
  {
    name: 'expired notation certificate, with how long ago',
    objects: [repo({ verify: notation() }, [cond('Ready', 'False', 'VerificationError')])],
    outcome: ok({ running: failed('notation.cert-expired', D1, [sig({ verified: false, code: 'notation.cert-expired', mechanism: 'notation-jws', notAfter: '2026-05-01T00:00:00Z' })]) }),
    state: 'failed',
    reasons: ['expired'],
    message: /valid until 2026-05-01, 31 days ago/,
  },
  {
    name: 'tampered: a legacy claim naming another digest, which Flux accepts',
    objects: [repo()],
    outcome: ok({ running: failed('cosign.claim-digest-mismatch', D1, [sig({ verified: false, code: 'cosign.claim-digest-mismatch', mechanism: 'cosign-legacy', fluxVerified: true })]) }),
    state: 'failed',
    reasons: ['tampered', 'flux-disagrees'],
    agrees: false,
    message: /cosign legacy signature, apps\/cosign-pub · cosign\.pub: check failed: cosign\.claim-digest-mismatch; Flux says SourceVerified=True/,
  },
  {
    name: 'tampered: Flux would accept it, though it has not said so yet',
    objects: [repo({}, noSV)],
    outcome: ok({ running: failed('cosign.claim-digest-mismatch', D1, [sig({ verified: false, code: 'cosign.claim-digest-mismatch', mechanism: 'cosign-legacy', fluxVerified: true })]) }),
    state: 'failed',
    reasons: ['tampered', 'flux-disagrees'],
    agrees: false,
    message: /legacy payload claim is not checked/,
  },
  { name: 'untrusted notation certificate', objects: [repo({ verify: notation() }, noSV)], outcome: ok({ running: failed('notation.untrusted-cert') }), state: 'failed', reasons: ['untrusted'] },
  { name: 'malformed signature', objects: [repo({}, noSV)], outcome: ok({ running: failed('cosign.bundle-invalid') }), state: 'failed', reasons: ['signature-invalid'] },
  { name: 'sha512-only signature', objects: [repo({}, noSV)], outcome: ok({ running: failed('cosign.signature-digest-algorithm') }), state: 'failed', reasons: ['signature-unsupported'] },
  { name: 'an unknown code fails as check-failed', objects: [repo({}, noSV)], outcome: ok({ running: failed('cosign.brand-new-check') }), state: 'failed', reasons: ['check-failed'] },
  { name: 'a non-failure code on a failed outcome still fails', objects: [repo({}, noSV)], outcome: ok({ running: failed('cosign.identity-unconstrained') }), state: 'failed', reasons: ['check-failed'] },
  { name: 'not enforced: no spec.verify', objects: [repo({ verify: undefined }, noSV)], outcome: ok({ running: undefined }), state: 'not-enforced', reasons: ['not-enforced'], agrees: undefined, message: /no spec\.verify: Flux applies whatever is pushed to oci:\/\/reg\.example\/podinfo/ },
  { name: 'weak: keyless (legacy signature) without identities', objects: [repo({ verify: keyless() })], outcome: ok({ running: verified(D1, [sig({ verified: true, mechanism: 'cosign-legacy' })]) }), state: 'weak', reasons: ['weak'], agrees: true, message: /any Fulcio identity is accepted/ },
  {
    name: 'weak: an identity check that constrained nothing',
    objects: [repo({}, noSV)],
    outcome: ok({ running: verified(D1, [sig({ verified: true, checks: [{ check: 'identity', ok: true, code: 'cosign.identity-unconstrained', message: 'any' }] })]) }),
    state: 'weak',
    reasons: ['weak'],
  },
  {
    name: 'weak: notation audit accepts an unverified artifact; Flux sets no SourceVerified',
    objects: [repo({ verify: notation() }, noSV)],
    outcome: ok({ running: { ...failed('notation.untrusted-cert'), notation: { level: 'audit', outcome: 'ignored' } } }),
    state: 'weak',
    reasons: ['weak'],
    agrees: true,
    message: /level audit: Flux accepts the artifact without verifying it/,
  },
  { name: 'notation skip is not enforced', objects: [repo({ verify: notation() }, noSV)], outcome: ok({ running: { ...failed('notation.no-signature'), notation: { level: 'skip', outcome: 'ignored' } } }), state: 'not-enforced', reasons: ['not-enforced'], check: (f) => assert.doesNotMatch(f.message, /Flux has set no SourceVerified/) },
  { name: 'weak: verified under notation audit', objects: [repo({ verify: notation() })], outcome: ok({ running: { ...verified(), notation: { level: 'audit', outcome: 'verified' } } }), state: 'weak', reasons: ['weak'], message: /level audit would accept an unverified artifact too/ },
  { name: 'trust Secret forbidden', objects: [repo()], outcome: ok({ running: undefined, trustProblem: { code: 'secret.forbidden', message: 'secrets "cosign-pub" is forbidden', secret: 'apps/cosign-pub' } }), state: 'error', reasons: ['trust-unreadable'], message: /^Secret apps\/cosign-pub: secrets "cosign-pub" is forbidden/ },
  { name: 'trust Secret missing', objects: [repo()], outcome: ok({ running: undefined, trustProblem: { code: 'secret.not-found', message: 'not found' } }), state: 'error', reasons: ['trust-missing'] },
  { name: 'trust Secret without keys', objects: [repo()], outcome: ok({ running: undefined, trustProblem: { code: 'trust.no-keys', message: 'no .pub keys' } }), state: 'error', reasons: ['trust-missing'] },
  { name: 'trust Secret invalid', objects: [repo()], outcome: ok({ running: undefined, trustProblem: { code: 'cosign.key-invalid', message: 'bad PEM' } }), state: 'error', reasons: ['trust-invalid'] },
  { name: 'registry unreachable', objects: [repo()], outcome: ok({ running: undefined, registryDigest: undefined, registryError: { code: 'registry.unreachable', message: 'connect ECONNREFUSED' } }), state: 'error', reasons: ['registry-error'] },
  { name: 'registry auth', objects: [repo()], outcome: ok({ running: undefined, registryDigest: undefined, registryError: { code: 'registry.unauthorized', message: '401' } }), state: 'error', reasons: ['registry-auth'] },
  { name: 'error while verifying', objects: [repo()], outcome: ok({ running: { state: 'error', code: 'layout.unreadable', message: 'EACCES', signatures: [] } }), state: 'error', reasons: ['registry-error'], agrees: undefined },
  {
    name: 'running digest verified, resolving the ref now failed',
    objects: [repo()],
    outcome: ok({ registryDigest: undefined, registryError: { code: 'registry.timeout', message: 'timeout' } }),
    state: 'verified',
    reasons: ['verified', 'registry-error'],
  },
  {
    name: 'stale SourceVerified naming another revision',
    objects: [repo({}, [readyTrue(), verifiedTrue(`6.4.0@${D2}`)])],
    outcome: ok(),
    state: 'verified',
    reasons: ['verified', 'stale-flux-condition'],
    message: /SourceVerified=True names revision 6\.4\.0@sha256:2e2e.*but Flux runs 6\.5\.0@sha256:1f1f/,
    check: (f) => assert.equal(f.flux.stale, true),
  },
  {
    name: 'stale SourceVerified from an older generation',
    objects: [repo({ generation: 2 })],
    outcome: ok(),
    state: 'verified',
    reasons: ['verified', 'stale-flux-condition'],
    message: /generation 1, the object is at generation 2/,
  },
  {
    name: 'SourceVerified in the legacy revision form is not stale',
    objects: [repo({ artifact: { revision: `6.5.0/${D1.slice(7)}` } }, [readyTrue(), verifiedTrue(`6.5.0@${D1}`)])],
    outcome: ok(),
    state: 'verified',
    reasons: ['verified'],
  },
  {
    name: 'drift: the registry\'s new digest will be refused',
    objects: [repo()],
    outcome: ok({ registryDigest: D2, next: failed('cosign.signature-mismatch', D2) }),
    state: 'verified',
    reasons: ['verified', 'drift'],
    message: /the registry now serves sha256:2e2e2e2e2e2e… \(next reconcile: refused\)/,
    check: (f) => assert.deepEqual(f.drift, { runningDigest: D1, registryDigest: D2, nextReconcile: 'refused' }),
  },
  { name: 'drift: accepted', objects: [repo()], outcome: ok({ registryDigest: D2, next: verified(D2) }), state: 'verified', reasons: ['verified', 'drift'], check: (f) => assert.equal(f.drift?.nextReconcile, 'accepted') },
  {
    name: 'drift: accepted by Flux\'s laxer rules',
    objects: [repo()],
    outcome: ok({ registryDigest: D2, next: failed('cosign.claim-digest-mismatch', D2, [sig({ verified: false, code: 'cosign.claim-digest-mismatch', fluxVerified: true })]) }),
    state: 'verified',
    reasons: ['verified', 'drift'],
    check: (f) => assert.equal(f.drift?.nextReconcile, 'accepted'),
  },
  { name: 'drift: unknown until the new digest is verified', objects: [repo()], outcome: ok({ registryDigest: D2 }), state: 'verified', reasons: ['verified', 'drift'], check: (f) => assert.equal(f.drift?.nextReconcile, 'unknown') },
  {
    name: 'drift: Flux already refused the new digest; its False condition is about that digest, not ours',
    objects: [repo({}, [cond('Ready', 'False', 'VerificationError'), verifiedFalse(`no matching signatures were found for 'reg.example/podinfo@${D2}'`)])],
    outcome: ok({ registryDigest: D2, next: failed('cosign.signature-mismatch', D2) }),
    state: 'verified',
    reasons: ['update-refused', 'drift'],
    agrees: true,
    message: /Flux refused the registry's sha256:2e2e2e2e2e2e… and keeps running sha256:1f1f1f1f1f1f…: failed to verify/,
    check: (f) => assert.equal(f.drift?.nextReconcile, 'refused'),
  },
  { name: 'drift without spec.verify is always accepted', objects: [repo({ verify: undefined }, noSV)], outcome: ok({ running: undefined, registryDigest: D2 }), state: 'not-enforced', reasons: ['not-enforced', 'drift'], check: (f) => assert.equal(f.drift?.nextReconcile, 'accepted') },
  {
    name: 'Flux refuses the running digest that we verify',
    objects: [repo({}, svFalseRunning)],
    outcome: ok(),
    state: 'verified',
    reasons: ['verified', 'flux-disagrees'],
    agrees: false,
  },
  {
    name: 'no artifact yet, and the registry\'s digest is refused: the refusal is the finding',
    objects: [repo({ artifact: undefined }, [cond('Ready', 'False', 'VerificationError', 'failed to verify')])],
    outcome: ok({ running: undefined, registryDigest: D2, next: failed('cosign.signature-mismatch', D2) }),
    state: 'failed',
    reasons: ['wrong-key'],
    message: /^no artifact stored; the registry's sha256:2e2e/,
  },
  {
    name: 'not reconciled: no artifact yet and nothing known about the registry',
    objects: [repo({ artifact: undefined }, [cond('Ready', 'Unknown', 'Progressing', 'reconciling')])],
    outcome: ok({ running: undefined }),
    state: 'pending',
    reasons: ['not-reconciled'],
    message: /Flux has stored no artifact yet; Flux says Ready=Unknown/,
  },
  {
    name: 'no artifact yet, the pull Secret is missing: Flux cannot pull, whatever the signature',
    objects: [repo({ artifact: undefined }, [cond('Ready', 'False', 'AuthenticationFailed', 'secrets "regcred" not found')])],
    outcome: ok({ running: undefined, registryDigest: D2, next: verified(D2), registryError: { code: 'registry.credentials', message: 'Secret apps/regcred: registry Secret not found' } }),
    state: 'error',
    reasons: ['registry-auth'],
    message: /^no artifact stored; Secret apps\/regcred: registry Secret not found/,
  },
  {
    name: 'no artifact yet and the registry is down',
    objects: [repo({ artifact: undefined }, [cond('Ready', 'False', 'OCIArtifactPullFailed', 'connection refused')])],
    outcome: ok({ running: undefined, registryError: { code: 'registry.unreachable', message: 'cannot connect' } }),
    state: 'error',
    reasons: ['registry-error'],
    message: /^no artifact stored; cannot connect/,
  },
  { name: 'pending: not verified yet', objects: [repo()], outcome: undefined, state: 'pending', reasons: ['pending'] },
  { name: 'suspended and not verified yet', objects: [repo({ suspend: true })], outcome: undefined, state: 'pending', reasons: ['suspended'] },
  { name: 'suspended and verified', objects: [repo({ suspend: true })], outcome: ok(), state: 'verified', reasons: ['verified', 'suspended'] },
  { name: 'fail closed: the verified digest is not the one Flux runs', objects: [repo()], outcome: ok({ running: verified(D2) }), state: 'error', reasons: ['check-failed'], message: /verified sha256:2e2e.*, but Flux runs sha256:1f1f/ },
  { name: 'fail closed: "verified" without a passing signature', objects: [repo()], outcome: ok({ running: verified(D1, [sig({ verified: false })]) }), state: 'failed', reasons: ['stale-verification', 'check-failed'] },
  {
    name: 'Flux key order: a verifying key and an entry Flux cannot load make its verdict vary',
    objects: [repo()],
    outcome: ok({
      running: verified(D1, [{ ...sig({ verified: true }), attempts: [...sig({ verified: true }).attempts, ...sig({ verified: false, code: 'cosign.key-invalid', label: 'apps/cosign-pub · bad.pub' }).attempts] }]),
      trustSecret: { id: 'apps/cosign-pub', entries: [{ name: 'bad.pub', fluxKey: true, kind: 'not-pem', fluxError: 'PEM decoding failed' }, { name: 'cosign.pub', fluxKey: true, kind: 'public-key' }] },
    }),
    state: 'error',
    reasons: ['flux-unstable'],
    agrees: undefined,
    message: /cosign\.pub verifies, but source-controller reads the Secret's keys in random \(Go map\) order and stops at bad\.pub \(PEM decoding failed\); it accepts only when a verifying key comes first \(about 1 reconcile in 2\)/,
  },
  {
    name: 'Flux key order: a HelmChart stops at the first key that does not verify',
    objects: [helmChart('apps/podinfo', { verify: cosignKey(), artifact: { revision: '6.5.0' }, conditions: [readyTrue(), verifiedTrue('6.5.0')] }), helmRepo('apps/charts')],
    id: 'HelmChart/apps/podinfo',
    outcome: ok({
      running: verified(D1, [{ ...sig({ verified: true }), attempts: [...sig({ verified: true }).attempts, ...sig({ verified: false, label: 'apps/cosign-pub · old.pub' }).attempts] }]),
      trustSecret: { id: 'apps/cosign-pub', entries: [{ name: 'cosign.pub', fluxKey: true, kind: 'public-key' }, { name: 'old.pub', fluxKey: true, kind: 'public-key' }] },
    }),
    state: 'error',
    reasons: ['flux-unstable'],
    message: /a HelmChart stops at the first key in random \(Go map\) order that does not verify \(old\.pub\), so Flux accepts about 1 reconcile in 2/,
  },
  {
    name: 'Flux key rules: a HelmChart Secret with an entry Flux cannot load is refused on every reconcile',
    objects: [helmChart('apps/podinfo', { verify: cosignKey(), artifact: { revision: '6.5.0' }, conditions: [cond('Ready', 'False', 'VerificationError'), verifiedFalse('unknown Public key PEM file type: PRIVATE KEY. Are you passing the correct public key?')] }), helmRepo('apps/charts')],
    id: 'HelmChart/apps/podinfo',
    outcome: ok({
      running: verified(D1),
      trustSecret: { id: 'apps/cosign-pub', entries: [{ name: 'cosign.pub', fluxKey: true, kind: 'public-key' }, { name: 'signing.pub', fluxKey: true, kind: 'private-key', fluxError: 'unknown Public key PEM file type: PRIVATE KEY. Are you passing the correct public key?' }] },
    }),
    state: 'failed',
    reasons: ['flux-refuses', 'private-key'],
    agrees: true,
    message: /Flux loads every key of a HelmChart's Secret before verifying and fails on signing\.pub .*Secret apps\/cosign-pub holds signing material \(signing\.pub\)/,
  },
  {
    name: 'a private key and its password in a verify Secret weaken a verified source',
    objects: [repo()],
    outcome: ok({ trustSecret: { id: 'apps/cosign-pub', entries: [{ name: 'cosign.key', fluxKey: false, kind: 'private-key' }, { name: 'cosign.password', fluxKey: false, kind: 'not-pem' }, { name: 'cosign.pub', fluxKey: true, kind: 'public-key' }] } }),
    state: 'weak',
    reasons: ['private-key'],
    agrees: true,
    message: /Secret apps\/cosign-pub holds signing material \(cosign\.key, cosign\.password\): anyone who may read it can sign/,
    check: (f) => assert.ok(!/BEGIN/.test(f.message)),
  },
  {
    name: 'a refused first reconcile of a digest we verify is Flux refusing, with Flux\'s words',
    objects: [repo({ artifact: undefined }, [cond('Ready', 'False', 'VerificationError', 'failed'), verifiedFalse(`no matching signatures were found for 'reg.example/podinfo@${D2}'`)])],
    outcome: ok({ running: undefined, registryDigest: D2, next: verified(D2) }),
    state: 'failed',
    reasons: ['flux-refuses'],
    message: /no artifact stored: Flux refuses the registry's sha256:2e2e2e2e2e2e…, which verifies here .*; Flux: failed to verify the signature using provider 'cosign': no matching signatures/,
  },
  {
    name: 'a refused first reconcile that fails here too says so with Flux\'s message',
    objects: [repo({ artifact: undefined }, [cond('Ready', 'False', 'VerificationError', 'failed'), verifiedFalse(`no matching signatures were found for 'reg.example/podinfo@${D2}'`)])],
    outcome: ok({ running: undefined, registryDigest: D2, next: failed('cosign.signature-mismatch', D2) }),
    state: 'failed',
    reasons: ['wrong-key'],
    agrees: true,
    message: /^no artifact stored; the registry's sha256:2e2e2e2e2e2e…: .*; Flux: failed to verify the signature using provider 'cosign': no matching signatures were found/,
  },
  {
    name: 'keyless bundle with no matchOIDCIdentity: Flux refuses every bundle',
    objects: [repo({ verify: keyless() }, [cond('Ready', 'False', 'VerificationError'), verifiedFalse("no matching attestations: failed to build policy: can't verify identities without providing at least one identity")])],
    outcome: ok({ running: verified(D1, [sig({ verified: true, checks: [{ check: 'identity', ok: true, code: 'cosign.identity-unconstrained', message: 'any' }] })]) }),
    state: 'failed',
    reasons: ['flux-refuses'],
    agrees: true,
    message: /Flux refuses cosign v3 bundles without a matchOIDCIdentity entry/,
    check: (f) => assert.match(f.next, /add exactly one matchOIDCIdentity entry/),
  },
  {
    name: 'keyless bundle with two matchOIDCIdentity entries: Flux refuses every bundle',
    objects: [repo({ verify: keyless([{ issuer: '^a$', subject: '^b$' }, { issuer: '^c$', subject: '^d$' }]) }, noSV)],
    outcome: ok(),
    state: 'failed',
    reasons: ['flux-refuses'],
    message: /matchOIDCIdentity has 2 entries \("multiple identities are not supported at this time"\)/,
    check: (f) => assert.match(f.next, /\(a\|b\)/),
  },
  {
    name: 'keyless legacy signature with no matchOIDCIdentity: weak, Flux accepts any identity',
    objects: [repo({ verify: keyless() })],
    outcome: ok({ running: verified(D1, [sig({ verified: true, mechanism: 'cosign-legacy' })]) }),
    state: 'weak',
    reasons: ['weak'],
    agrees: true,
  },
  {
    name: 'keyless object, key-signed artifact: signed another way, not a wrong key',
    objects: [repo({ verify: keyless([{ issuer: '^a$', subject: '^b$' }]) }, svFalseRunning)],
    outcome: ok({ running: failed('cosign.material-mismatch', D1, [sig({ verified: false, code: 'cosign.material-mismatch' })]) }),
    state: 'failed',
    reasons: ['signing-method'],
    agrees: true,
    message: /^signed with a key; this object verifies keyless/,
    check: (f) => assert.doesNotMatch(f.next, /add the signer's public key to the verify Secret/),
  },
  {
    name: 'a keyless HelmRelease template on a key-signed chart proposes what a template can express',
    objects: [helmRelease('flux-system/podinfo', { chartTemplate: { chart: 'podinfo', version: '6.5.0', sourceRef: ref('HelmRepository', 'flux-system/charts'), verify: keyless() } }), helmRepo('flux-system/charts')],
    id: 'HelmChart/flux-system/flux-system-podinfo',
    outcome: ok({ running: failed('cosign.material-mismatch', D1, [sig({ verified: false, code: 'cosign.material-mismatch' })]) }),
    state: 'failed',
    reasons: ['signing-method'],
    check: (f) => assert.match(f.next, /spec\.chart\.spec\.verify\.secretRef on the HelmRelease/),
  },
  {
    name: 'a HelmChart carrying helm-controller\'s labels is template-made even when its HelmRelease is out of scope',
    objects: [
      helmRepo('flux-system/charts'),
      helmChart('flux-system/apps-podinfo', { labels: { 'helm.toolkit.fluxcd.io/name': 'podinfo', 'helm.toolkit.fluxcd.io/namespace': 'apps' }, verify: keyless(), sourceRef: ref('HelmRepository', 'flux-system/charts'), artifact: { revision: '6.5.0' }, conditions: [readyTrue(), verifiedTrue('6.5.0')] }),
    ],
    id: 'HelmChart/flux-system/apps-podinfo',
    outcome: ok({ running: verified(D1, [sig({ verified: true, mechanism: 'cosign-legacy' })]), registryDigest: D1 }),
    state: 'weak',
    reasons: ['weak'],
    check: (f) => assert.match(f.next, /spec\.chartRef to an OCIRepository/),
  },
  {
    name: 'notation level skip on an unsigned artifact: not enforced, not "no signature"',
    objects: [repo({ verify: notation() }, noSV)],
    outcome: ok({ running: { ...failed('signature.none', D1, []), notation: { level: 'skip', outcome: 'ignored' } } }),
    state: 'not-enforced',
    reasons: ['not-enforced'],
    agrees: undefined,
    message: /level is skip: Flux applies whatever is pushed, signed or not/,
    check: (f) => assert.match(f.next, /trustpolicy\.json/),
  },
  {
    name: 'never reconciled (a GitOps folder): judged on what the spec resolves to now',
    objects: [repo({ artifact: undefined }, [])],
    outcome: ok({ running: undefined, registryDigest: D2, next: verified(D2) }),
    state: 'verified',
    reasons: ['verified', 'not-reconciled'],
    message: /signature verified .* for sha256:2e2e.*; not reconciled: judged on what the spec resolves to now/,
  },
  { name: 'fail closed: a revision that names no digest', objects: [repo({ artifact: { revision: 'garbage' } }, noSV)], outcome: ok(), state: 'error', reasons: ['check-failed'], message: /names no manifest digest/ },
  { name: 'fail closed: trust from flags with none declared', objects: [repo()], outcome: { ...ok(), trustFrom: 'nobody' as 'object' }, state: 'error', reasons: ['check-failed'] },
  {
    name: 'weak: keyless HelmRelease chart template on a legacy signature (no identities possible)',
    objects: [helmRelease('flux-system/podinfo', { chartTemplate: { chart: 'podinfo', version: '6.5.0', sourceRef: ref('HelmRepository', 'flux-system/charts'), verify: keyless() } }), helmRepo('flux-system/charts')],
    id: 'HelmChart/flux-system/flux-system-podinfo',
    outcome: ok({ running: verified(D1, [sig({ verified: true, mechanism: 'cosign-legacy' })]), registryDigest: D1 }),
    state: 'weak',
    reasons: ['weak'],
    agrees: undefined,
    message: /a HelmRelease chart template cannot set matchOIDCIdentity/,
    check: (f) => assert.match(f.next, /spec\.chartRef to an OCIRepository/),
  },
  {
    name: 'a keyless HelmRelease chart template on a cosign v3 bundle: Flux refuses, and the template cannot fix it',
    objects: [helmRelease('flux-system/podinfo', { chartTemplate: { chart: 'podinfo', version: '6.5.0', sourceRef: ref('HelmRepository', 'flux-system/charts'), verify: keyless() } }), helmRepo('flux-system/charts')],
    id: 'HelmChart/flux-system/flux-system-podinfo',
    outcome: ok({ running: verified(D1), registryDigest: D1 }),
    state: 'failed',
    reasons: ['flux-refuses'],
    message: /and a HelmRelease chart template cannot set one/,
    check: (f) => assert.match(f.next, /spec\.chartRef to an OCIRepository/),
  },
  {
    name: 'a HelmChart made from a template is recognised as such when read from the cluster too',
    objects: [
      helmRelease('flux-system/podinfo', { chartTemplate: { chart: 'podinfo', version: '6.5.0', sourceRef: ref('HelmRepository', 'flux-system/charts'), verify: keyless() } }),
      helmRepo('flux-system/charts'),
      helmChart('flux-system/flux-system-podinfo', { verify: keyless(), sourceRef: ref('HelmRepository', 'flux-system/charts'), artifact: { revision: '6.5.0' }, conditions: [readyTrue(), verifiedTrue('6.5.0')] }),
    ],
    id: 'HelmChart/flux-system/flux-system-podinfo',
    outcome: ok({ running: verified(D1, [sig({ verified: true, mechanism: 'cosign-legacy' })]), registryDigest: D1 }),
    state: 'weak',
    reasons: ['weak'],
    message: /a HelmRelease chart template cannot set matchOIDCIdentity/,
    check: (f) => assert.match(f.next, /spec\.chartRef to an OCIRepository/),
  },
  {
    name: 'OCI HelmChart verified; success message names the version, stored revision adds +generation',
    objects: [helmChart('c', { verify: cosignKey(), artifact: { revision: '6.5.0+3' }, conditions: [readyTrue(), cond('SourceVerified', 'True', 'Succeeded', 'verified signature of version 6.5.0')] }), helmRepo('charts')],
    id: 'HelmChart/apps/c',
    outcome: ok({ running: verified(D1), registryDigest: D1 }),
    state: 'verified',
    reasons: ['verified'],
    agrees: true,
    check: (f) => assert.deepEqual(f.running, { revision: '6.5.0+3' }),
  },
  {
    name: 'a GitRepository without spec.verify: not enforced (its commits are judged in test/unit/verdict/git.test.ts)',
    objects: [gitRepo('repo', { conditions: [readyTrue('stored artifact for revision main@sha1:abc')] })],
    id: 'GitRepository/apps/repo',
    outcome: undefined,
    state: 'not-enforced',
    reasons: ['not-enforced'],
    message: /no spec\.verify: Flux applies whatever is pushed to https:\/\/git\.example\/org\/repo/,
  },
  {
    name: 'verify on an HTTP HelmRepository chart: Flux fails every build',
    objects: [helmChart('c', { verify: cosignKey() }), helmRepo('charts', { type: 'default', url: 'https://charts.example' })],
    id: 'HelmChart/apps/c',
    outcome: undefined,
    state: 'failed',
    reasons: ['flux-refuses'],
    message: /fails every build \("chart verification error: not implemented"\)/,
    check: (f) => assert.match(f.next, /remove spec\.verify/),
  },
  { name: 'a Bucket: no Flux release can verify it', objects: [other('Bucket', 'b')], id: 'Bucket/apps/b', outcome: undefined, state: 'unverifiable', reasons: ['unverifiable'], message: /^Bucket: no Flux release verifies bucket contents/ },
  {
    name: 'a HelmChart whose sourceRef names a kind HelmCharts cannot use: unsupported',
    objects: [helmChart('c', { sourceRef: ref('OCIRepository', 'podinfo') }), ociRepo('podinfo')],
    id: 'HelmChart/apps/c',
    outcome: undefined,
    state: 'unsupported',
    reasons: ['unsupported'],
    message: /the chart comes from OCIRepository apps\/podinfo, a kind no HelmChart source can be/,
  },
  { name: 'nothing to verify on a HelmRepository', objects: [helmRepo('charts')], id: 'HelmRepository/apps/charts', outcome: undefined, state: 'unsupported', reasons: ['not-applicable'] },
  { name: 'a dangling reference', objects: [helmChart('c', { sourceRef: ref('HelmRepository', 'gone') })], id: 'HelmRepository/apps/gone', outcome: undefined, state: 'error', reasons: ['dangling-ref'], message: /HelmRepository apps\/gone is not in the input; referenced by HelmChart\/apps\/c/ },
  { name: 'a chart whose source is missing', objects: [helmChart('c', { sourceRef: ref('HelmRepository', 'gone') })], id: 'HelmChart/apps/c', outcome: undefined, state: 'error', reasons: ['dangling-ref'], message: /its source HelmRepository\/apps\/gone is not in the input/ },
];

describe('findingFor: sources', () => {
  for (const r of rows) {
    it(r.name, () => {
      const f = findingFor(nodeIn(r.objects, r.id ?? ID), r.outcome, { now });
      assert.equal(f.state, r.state, f.message);
      assert.deepEqual(f.reasons, r.reasons, f.message);
      if ('agrees' in r) assert.equal(f.flux.agrees, r.agrees);
      if (r.message) assert.match(f.message, r.message);
      assert.ok(!f.message.includes('\n'), 'one line');
      assert.ok(f.next.length > 0);
      r.check?.(f);
    });
  }

  it('covers every reason in the table', () => {
    // consumers' reasons, the Git remote's (test/unit/verdict/git.test.ts), the version notes' (test/unit/verdict/flux-versions.test.ts)
    const consumerOnly: ReasonCode[] = ['applied-unverified', 'behind', 'remote-error', 'remote-auth', 'flux-version'];
    const seen = new Set<ReasonCode>([...rows.flatMap((r) => r.reasons), ...consumerOnly]);
    assert.deepEqual(REASON_CODES.filter((c) => !seen.has(c)), []);
  });

  it('the suggested step follows the first reason that asks for action', () => {
    const f = findingFor(nodeIn([repo()], ID), ok({ registryDigest: D2, next: failed('cosign.signature-mismatch', D2) }), { now });
    assert.match(f.next, /new digest/);
    const g = findingFor(nodeIn([repo()], ID), ok(), { now });
    assert.equal(g.next, 'nothing to do');
  });
});
