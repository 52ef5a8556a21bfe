import type { GraphNode } from '../graph/types.js';
import type { SignatureEvidence } from '../verify/evidence.js';
import type { Judgement } from './assemble.js';
import { exposedSigningMaterial, fluxKeyRule } from './flux-keys.js';
import type { ReasonCode } from './reasons.js';
import type { PlanOutcome, VerificationOutcome } from './types.js';

// Flux's own rules over the evidence of a signature check (docs/flux-rules.md): they turn a
// cryptographic judgement into what source-controller v1.9.4 will conclude, where the two differ.

/** A judgement under way: the verdict so far, and the reasons and message parts that go with it. */
export interface Judged {
  readonly judgement: Judgement;
  /** our verdict on the running digest by Flux's rules (keys in its order, its laxer claims): true
   *  accept, false refuse; undefined when there is none or Flux's own verdict varies */
  readonly cryptoOk: boolean | undefined;
  /** reasons and message parts that go with the judgement */
  readonly extra?: readonly ReasonCode[];
  readonly suffixes?: readonly string[];
}

export const TEMPLATE_IDENTITY_NEXT = 'a HelmRelease chart template cannot set matchOIDCIdentity: use spec.chartRef to an OCIRepository that sets one, or verify with a key (spec.chart.spec.verify.secretRef)';

/**
 * cosign v3.0.6 as source-controller v1.9.4 calls it (docs/flux-rules.md §3): bundles need exactly
 * one matchOIDCIdentity entry; with none ("can't verify identities without providing at least one
 * identity") or several ("multiple identities are not supported") every bundle is refused, on
 * every reconcile. Legacy `.sig` signatures take any number (none: any identity).
 */
function withKeylessRules(node: GraphNode, running: VerificationOutcome, j: Judged): Judged {
  const t = node.trust;
  if (t?.mode !== 'cosign-keyless' || !running.signatures.some((s) => s.mechanism === 'cosign-bundle')) return j;
  const n = t.matchOIDCIdentity.length;
  if (n === 1) return j;
  const template = t.origin === 'helmrelease-template';
  const because = n === 0
    ? `Flux refuses cosign v3 bundles without a matchOIDCIdentity entry ("can't verify identities without providing at least one identity")${template ? ', and a HelmRelease chart template cannot set one' : ''}`
    : `Flux refuses cosign v3 bundles when matchOIDCIdentity has ${n} entries ("multiple identities are not supported at this time")`;
  const next = n === 0 ? (template ? TEMPLATE_IDENTITY_NEXT : 'add exactly one matchOIDCIdentity entry (issuer and subject, Go regexps) to spec.verify') : 'keep exactly one matchOIDCIdentity entry: join the alternatives into one regexp (a|b)';
  if (j.judgement.state === 'verified' || j.judgement.state === 'weak') {
    return { judgement: { state: 'failed', primary: 'flux-refuses', message: `${j.judgement.message}; but ${because}`, next }, cryptoOk: false };
  }
  return { ...j, suffixes: [...(j.suffixes ?? []), because] };
}

/**
 * Every signature failed because it was made the other way: with a key where the object verifies
 * keyless, or keyless where it verifies with keys. Said as such, with a step the object can express.
 */
export function signedOtherWay(node: GraphNode, signatures: readonly SignatureEvidence[]): { message: string; next: string } | undefined {
  const t = node.trust;
  if (t === undefined || t.mode === 'notation' || signatures.length === 0) return undefined;
  const codes = (s: SignatureEvidence): string[] => s.attempts.flatMap((a) => a.checks.filter((c) => !c.ok).map((c) => c.code));
  const template = t.origin === 'helmrelease-template';
  if (t.mode === 'cosign-keyless') {
    const keyMade = signatures.every((s) => s.signer?.kind === 'key' || codes(s).some((c) => c === 'cosign.material-mismatch' || c === 'cosign.certificate-missing'));
    if (!keyMade) return undefined;
    return {
      message: `signed with a key; this object verifies keyless (spec.verify names no secretRef), so no key is tried`,
      next: template
        ? 'set spec.chart.spec.verify.secretRef on the HelmRelease to a Secret holding the signer\'s public key (*.pub), or sign the chart keyless'
        : 'name a Secret with the signer\'s public key (*.pub) in spec.verify.secretRef, or sign keyless and set matchOIDCIdentity',
    };
  }
  const certMade = signatures.every((s) => s.signer?.kind === 'certificate' || codes(s).includes('cosign.material-mismatch'));
  if (!certMade) return undefined;
  return {
    message: `signed keyless (a Fulcio certificate); this object verifies with the keys of Secret ${t.namespace}/${t.secretRef ?? ''}`,
    next: template
      ? 'sign the chart with a key whose public key is in the verify Secret (a HelmRelease chart template cannot verify keyless identities)'
      : 'remove spec.verify.secretRef and set matchOIDCIdentity to the signer\'s identity, or sign with a key whose public key is in the Secret',
  };
}

/**
 * Flux's own rules over the same evidence: the order in which it reads a key Secret, and signing
 * material that should not be in a verify Secret at all. Only for trust the object names.
 */
export function withFluxRules(node: GraphNode, outcome: PlanOutcome, running: VerificationOutcome, judged: Judged): Judged {
  const j = outcome.trustFrom === 'object' ? withKeylessRules(node, running, judged) : judged;
  const secret = outcome.trustSecret;
  if (outcome.trustFrom !== 'object' || secret === undefined || node.trust?.mode !== 'cosign-key') return j;
  let out = j;
  const loop = node.type === 'object' && node.object.kind === 'OCIRepository' ? 'oci-repository' : 'helm-chart';
  const rule = fluxKeyRule(loop, secret.id, secret.entries, running.signatures);
  const acceptedHere = j.judgement.state === 'verified' || j.judgement.state === 'weak';
  if (rule?.outcome === 'varies' && acceptedHere) {
    out = { judgement: { state: 'error', primary: 'flux-unstable', message: `${j.judgement.message}; but Flux's verdict varies: ${rule.because}` }, cryptoOk: undefined };
  } else if (rule?.outcome === 'refuse' && acceptedHere) {
    out = { judgement: { state: 'failed', primary: 'flux-refuses', message: `${j.judgement.message}; but Flux refuses it: ${rule.because}` }, cryptoOk: false };
  } else if (rule !== undefined && rule.culprits.length > 0 && !acceptedHere) {
    out = { ...j, suffixes: [...(j.suffixes ?? []), `Secret ${secret.id}: ${rule.because}`] };
  }
  const empty = secret.entries.filter((e) => e.fluxKey && e.kind === 'empty').map((e) => e.name);
  if (empty.length > 0) {
    const note = `Secret ${secret.id} has an empty ${empty.join(', ')}: Flux then verifies keyless with no identity, so a legacy signature by any Fulcio identity passes`;
    out = out.judgement.state === 'verified'
      ? { ...out, judgement: { state: 'weak', primary: 'weak', message: `${out.judgement.message}, but ${note}`, next: `remove the empty ${empty.join(', ')} from Secret ${secret.id}` } }
      : { ...out, suffixes: [...(out.suffixes ?? []), note] };
  }
  const exposed = exposedSigningMaterial(secret.entries);
  if (exposed.length > 0) {
    const note = `Secret ${secret.id} holds signing material (${exposed.join(', ')}): anyone who may read it can sign`;
    out = out.judgement.state === 'verified'
      ? { ...out, judgement: { state: 'weak', primary: 'private-key', message: `${out.judgement.message}, but ${note}` } }
      : { ...out, extra: [...(out.extra ?? []), 'private-key'], suffixes: [...(out.suffixes ?? []), note] };
  }
  return { ...out, extra: [...(j.extra ?? []), ...(out.extra ?? [])].filter((r, i, a) => a.indexOf(r) === i), suffixes: [...new Set([...(j.suffixes ?? []), ...(out.suffixes ?? [])])] };
}
