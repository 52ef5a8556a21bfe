import type { TransparencyLogEntry } from '@sigstore/bundle';
import { failed } from '../evidence.js';
import type { Check } from '../evidence.js';

/**
 * @sigstore/verify proves inclusion against the root hash inside the signed checkpoint and never
 * reads the proof's own rootHash and treeSize. A bundle whose copies disagree (or lack them, though
 * the schema requires them) is inconsistent, so it is refused here rather than read leniently.
 */
export function inclusionProofChecks(entries: readonly TransparencyLogEntry[]): Check[] {
  const checks: Check[] = [];
  for (const entry of entries) {
    const proof = entry.inclusionProof;
    if (!proof) continue;
    const [, size, rootB64] = (proof.checkpoint?.envelope ?? '').split('\n');
    const root = Buffer.from(rootB64 ?? '', 'base64');
    if (!proof.rootHash || proof.rootHash.length === 0 || !Buffer.from(proof.rootHash).equals(root)) {
      checks.push(failed('tlog', 'cosign.tlog-invalid', `expected the inclusion proof's root hash to equal its checkpoint's (${root.toString('base64')}), found ${proof.rootHash ? Buffer.from(proof.rootHash).toString('base64') || '(empty)' : '(none)'}`));
    } else if (proof.treeSize !== size) {
      checks.push(failed('tlog', 'cosign.tlog-invalid', `expected the inclusion proof's tree size to equal its checkpoint's (${size ?? '?'}), found ${proof.treeSize}`));
    }
  }
  return checks;
}
