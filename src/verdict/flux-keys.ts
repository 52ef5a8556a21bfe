import type { SecretEntry } from '../verify/cosign/flux-key.js';
import type { SignatureEvidence } from '../verify/evidence.js';

/**
 * source-controller's key loop, modelled (docs/flux-rules.md §1–2). It ranges over the verify
 * Secret's data in Go map order, which is random from one reconcile to the next:
 * - OCIRepository (v1.9.4 ocirepository_controller.go verifySignature): a `*.pub` entry that does
 *   not load stops the loop with its error; a key that loads but does not verify is skipped; the
 *   first key that verifies wins. With a key that verifies and one that does not load, the verdict
 *   depends on which of the two comes first.
 * - HelmChart (helmchart_controller.go makeVerifiers, then oci_chart_repository.go VerifyChart):
 *   every key is loaded first, so one that does not load fails every reconcile; then the first
 *   key's verification error (a key that does not match) stops the loop, so only the first key in
 *   map order counts.
 */
export interface KeyRule {
  /** what Flux concludes on this digest, by its rules, over all map orders */
  readonly outcome: 'accept' | 'refuse' | 'varies';
  /** why, naming the entries that decide it (never their values) */
  readonly because: string;
  /** for `varies`: how many of the orders accept, as "n in m" */
  readonly chance?: string;
  /** the entries that make the verdict depend on map order, or make Flux refuse */
  readonly culprits: readonly string[];
}

export type KeyLoop = 'oci-repository' | 'helm-chart';

/** Keys (by entry name) under which some signature verifies by Flux's rules. */
function verifyingKeys(secretId: string, signatures: readonly SignatureEvidence[]): Set<string> {
  const prefix = `${secretId} · `;
  const out = new Set<string>();
  for (const s of signatures) {
    for (const a of s.attempts) {
      if (!a.trust.label.startsWith(prefix)) continue;
      // Flux skips the legacy payload claim: an attempt failing only there passes for Flux
      const fluxOk = a.ok || (s.fluxVerified === true && a.checks.every((c) => c.ok || c.code === 'cosign.claim-digest-mismatch'));
      if (fluxOk) out.add(a.trust.label.slice(prefix.length));
    }
  }
  return out;
}

const list = (names: readonly string[]): string => names.join(', ');

/**
 * Flux's verdict on a digest given the Secret's entries and the evidence gathered with every key.
 * Undefined when the key loop decides the same whatever the map order and Flux's message is the
 * ordinary one, so the caller's own judgement stands.
 */
export function fluxKeyRule(loop: KeyLoop, secretId: string, entries: readonly SecretEntry[], signatures: readonly SignatureEvidence[]): KeyRule | undefined {
  const pubs = entries.filter((e) => e.fluxKey);
  const broken = pubs.filter((e) => e.fluxError !== undefined);
  const ok = verifyingKeys(secretId, signatures);
  const verifying = pubs.filter((e) => e.fluxError === undefined && ok.has(e.name));
  const brokenText = broken.map((e) => `${e.name} (${e.fluxError ?? ''})`).join(', ');

  if (loop === 'oci-repository') {
    if (broken.length === 0) return undefined;
    const culprits = broken.map((e) => e.name);
    if (verifying.length === 0) {
      return { outcome: 'refuse', culprits, because: `Flux stops at ${brokenText}, which it cannot load as a public key, or finds no key that verifies` };
    }
    const v = verifying.length;
    const n = v + broken.length;
    return {
      outcome: 'varies',
      culprits,
      chance: `${v} in ${n}`,
      because: `${list(verifying.map((e) => e.name))} verifies, but source-controller reads the Secret's keys in random (Go map) order and stops at ${brokenText}; it accepts only when a verifying key comes first (about ${v} reconcile${v === 1 ? '' : 's'} in ${n})`,
    };
  }

  if (broken.length > 0) {
    return { outcome: 'refuse', culprits: broken.map((e) => e.name), because: `Flux loads every key of a HelmChart's Secret before verifying and fails on ${brokenText}, on every reconcile` };
  }
  if (verifying.length === 0 || verifying.length === pubs.length) return undefined;
  const others = pubs.filter((e) => !verifying.includes(e));
  return {
    outcome: 'varies',
    culprits: others.map((e) => e.name),
    chance: `${verifying.length} in ${pubs.length}`,
    because: `${list(verifying.map((e) => e.name))} verifies, but a HelmChart stops at the first key in random (Go map) order that does not verify (${list(others.map((e) => e.name))}), so Flux accepts about ${verifying.length} reconcile${verifying.length === 1 ? '' : 's'} in ${pubs.length}`,
  };
}

/** Private keys (and cosign's key password) kept in a verify Secret: anyone who can read it can sign. */
export function exposedSigningMaterial(entries: readonly SecretEntry[]): readonly string[] {
  const priv = entries.filter((e) => e.kind === 'private-key').map((e) => e.name);
  if (priv.length === 0) return [];
  const password = entries.filter((e) => /password/i.test(e.name)).map((e) => e.name);
  return [...priv, ...password];
}
