import { createHash, type Hash } from 'node:crypto';
import { registryError } from './errors.js';

export type DigestAlgorithm = 'sha256' | 'sha512';

export interface ParsedDigest {
  readonly algorithm: DigestAlgorithm;
  readonly hex: string;
}

const HEX_LENGTH: Record<DigestAlgorithm, number> = { sha256: 64, sha512: 128 };

/** Parses `sha256:<64 hex>` or `sha512:<128 hex>`; undefined for anything else. */
export function tryParseDigest(digest: string): ParsedDigest | undefined {
  const m = /^(sha256|sha512):([a-f0-9]+)$/.exec(digest);
  if (!m) return undefined;
  const algorithm = m[1] as DigestAlgorithm;
  const hex = m[2] as string;
  return hex.length === HEX_LENGTH[algorithm] ? { algorithm, hex } : undefined;
}

export function isDigest(s: string): boolean {
  return tryParseDigest(s) !== undefined;
}

/** A content digest the registry or a manifest handed us; malformed means a broken or hostile peer. */
export function parseContentDigest(digest: string, where: string): ParsedDigest {
  const parsed = tryParseDigest(digest);
  if (!parsed) {
    throw registryError('registry.protocol', `${where}: expected a sha256 or sha512 digest, found ${JSON.stringify(truncate(digest, 80))}`);
  }
  return parsed;
}

export function digestOf(bytes: Uint8Array, algorithm: DigestAlgorithm = 'sha256'): string {
  return `${algorithm}:${createHash(algorithm).update(bytes).digest('hex')}`;
}

/** Hashes a stream chunk by chunk so the check costs no second pass over a large blob. */
export class DigestAccumulator {
  readonly #hash: Hash;
  readonly algorithm: DigestAlgorithm;
  constructor(algorithm: DigestAlgorithm) {
    this.algorithm = algorithm;
    this.#hash = createHash(algorithm);
  }
  update(chunk: Uint8Array): void {
    this.#hash.update(chunk);
  }
  digest(): string {
    return `${this.algorithm}:${this.#hash.digest('hex')}`;
  }
}

export function checkDigest(actual: string, expected: string, what: string): void {
  if (actual !== expected) {
    throw registryError('registry.digest-mismatch', `${what}: expected content with digest ${expected}, received content with digest ${actual}`);
  }
}

export function shortDigest(digest: string): string {
  const i = digest.indexOf(':');
  return i < 0 ? truncate(digest, 19) : digest.slice(0, i + 13);
}

export function truncate(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max)}…`;
}
