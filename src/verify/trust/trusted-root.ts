import { TrustedRoot } from '@sigstore/protobuf-specs';
import seeds from '@sigstore/tuf/seeds.json' with { type: 'json' };
import { VerifyError } from '../../errors.js';
import type { TrustCode } from './codes.js';

export type { TrustedRoot };

const PUBLIC_GOOD_TUF = 'https://tuf-repo-cdn.sigstore.dev';

let publicGood: TrustedRoot | undefined;

/**
 * The Sigstore public-good trusted root shipped inside @sigstore/tuf. Read from the package, never
 * from the network: TUF cannot refresh offline, and verify/ does no I/O.
 */
export function publicGoodTrustedRoot(): TrustedRoot {
  if (publicGood) return publicGood;
  const repo = (seeds as Record<string, { targets?: Record<string, string> }>)[PUBLIC_GOOD_TUF];
  const b64 = repo?.targets?.['trusted_root.json'];
  if (!b64) throw new VerifyError<TrustCode>('trust.root-invalid', '@sigstore/tuf seeds.json has no public-good trusted_root.json');
  publicGood = parseTrustedRoot(Buffer.from(b64, 'base64'));
  return publicGood;
}

/**
 * Parses and validates a trusted_root.json. Throws VerifyError('trust.root-invalid') on malformed
 * input, including logs whose key has no validity start: an open start would let the key vouch for
 * entries from before it existed, so such a root is rejected rather than read leniently.
 */
export function parseTrustedRoot(json: Uint8Array | string): TrustedRoot {
  let root: TrustedRoot;
  try {
    const text = typeof json === 'string' ? json : Buffer.from(json).toString('utf8');
    root = TrustedRoot.fromJSON(JSON.parse(text));
  } catch (e) {
    throw new VerifyError<TrustCode>('trust.root-invalid', `trusted root is not valid JSON of the TrustedRoot schema: ${(e as Error).message}`, { cause: e });
  }
  for (const [what, logs] of [['tlog', root.tlogs], ['ctlog', root.ctlogs]] as const) {
    for (const log of logs) {
      if (!log.publicKey?.rawBytes?.length) {
        throw new VerifyError<TrustCode>('trust.root-invalid', `trusted root ${what} ${log.baseUrl || '(no baseUrl)'} has no public key`);
      }
      if (!log.publicKey.validFor?.start) {
        throw new VerifyError<TrustCode>('trust.root-invalid', `trusted root ${what} ${log.baseUrl || '(no baseUrl)'} has no validFor.start`);
      }
    }
  }
  for (const ca of [...root.certificateAuthorities, ...root.timestampAuthorities]) {
    if (!ca.certChain?.certificates.length) {
      throw new VerifyError<TrustCode>('trust.root-invalid', `trusted root authority ${ca.uri || '(no uri)'} has an empty certificate chain`);
    }
  }
  return root;
}
