import { toTrustMaterial } from '@sigstore/verify';
import type { TrustMaterial } from '@sigstore/verify';
import { TrustedRoot } from '@sigstore/protobuf-specs';
import type { PublicKeyInfo } from './keys.js';

const EMPTY_ROOT = TrustedRoot.fromJSON({ mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1', tlogs: [], certificateAuthorities: [], ctlogs: [], timestampAuthorities: [] });

/**
 * Trust material that answers every key lookup with this one key, whatever the bundle's hint says:
 * Flux tries every key, so a wrong or empty hint must not stop a key from being tried.
 */
export function keyMaterial(info: PublicKeyInfo, root: TrustedRoot | undefined): TrustMaterial {
  return toTrustMaterial(root ?? EMPTY_ROOT, () => ({ publicKey: info.key, validFor: () => true }));
}

/** Keyless trust material: no key lookups are possible. */
export function certificateMaterial(root: TrustedRoot): TrustMaterial {
  return toTrustMaterial(root, {});
}
