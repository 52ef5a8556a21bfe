import { createPublicKey } from 'node:crypto';

/**
 * How source-controller reads one entry of a cosign verify Secret, so that the plugin can say what
 * Flux will make of it (docs/flux-rules.md §1–2). source-controller v1.9.4 hands every `*.pub` value
 * to sigstore's cryptoutils.UnmarshalPEMToPublicKey (first PEM block only; PUBLIC KEY or RSA PUBLIC
 * KEY) and then signature.LoadVerifier (ECDSA, RSA or Ed25519). A value that fails either step stops
 * Flux's verification with that error. Nothing here ever returns or quotes the value itself.
 */
export type SecretEntryKind = 'public-key' | 'private-key' | 'certificate' | 'other-pem' | 'not-pem' | 'empty';

export interface SecretEntry {
  readonly name: string;
  /** Flux tries it as a cosign key (the name ends in `.pub`) */
  readonly fluxKey: boolean;
  readonly kind: SecretEntryKind;
  /** the error Flux's key loader gives for it; undefined when it loads (or is not a key to Flux) */
  readonly fluxError?: string;
}

const FIRST_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----\r?\n([\s\S]*?)-----END \1-----/;

function kindOf(label: string | undefined): SecretEntryKind {
  if (label === undefined) return 'not-pem';
  if (/PRIVATE KEY$/.test(label)) return 'private-key';
  if (label === 'PUBLIC KEY' || label === 'RSA PUBLIC KEY') return 'public-key';
  if (label === 'CERTIFICATE') return 'certificate';
  return 'other-pem';
}

/** The error of UnmarshalPEMToPublicKey + LoadVerifier for these bytes, or undefined when Flux loads the key. */
export function fluxKeyError(bytes: Uint8Array): string | undefined {
  const block = FIRST_BLOCK.exec(Buffer.from(bytes).toString('latin1'));
  if (!block) return 'PEM decoding failed';
  const label = block[1] as string;
  if (label !== 'PUBLIC KEY' && label !== 'RSA PUBLIC KEY') {
    return `unknown Public key PEM file type: ${label}. Are you passing the correct public key?`;
  }
  const der = Buffer.from((block[2] ?? '').replace(/\s+/g, ''), 'base64');
  let type: string | undefined;
  try {
    type = createPublicKey({ key: der, format: 'der', type: label === 'PUBLIC KEY' ? 'spki' : 'pkcs1' }).asymmetricKeyType;
  } catch {
    return label === 'PUBLIC KEY' ? 'x509: failed to parse public key' : 'x509: failed to parse PKCS#1 public key';
  }
  if (type !== 'ec' && type !== 'rsa' && type !== 'ed25519') return 'unsupported public key type';
  return undefined;
}

/** Every entry of a verify Secret, classified; values are read, never kept. */
export function inspectSecretEntries(data: Readonly<Record<string, Uint8Array>>): SecretEntry[] {
  return Object.keys(data)
    .sort()
    .map((name) => {
      const bytes = data[name] as Uint8Array;
      const kind = bytes.length === 0 ? 'empty' : kindOf(FIRST_BLOCK.exec(Buffer.from(bytes).toString('latin1'))?.[1]);
      const fluxKey = name.endsWith('.pub');
      // an empty value is no key to Flux: NewCosignVerifier then builds a keyless verifier (docs/flux-rules.md §1)
      const fluxError = fluxKey && kind !== 'empty' ? fluxKeyError(bytes) : undefined;
      return { name, fluxKey, kind, ...(fluxError === undefined ? {} : { fluxError }) };
    });
}
