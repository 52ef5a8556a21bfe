// Reads containers/image's `dir:` layout (the cosign-legacy fixtures) into verifier inputs:
// manifest.json is the image manifest, each signature-N is "\0sigstore-json\n" + one JSON line.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fixture } from '../../../helpers/paths.js';
import type { LegacySignatureInput } from '../../../../src/verify/cosign/index.js';

const HEADER = Buffer.from('\0sigstore-json\n');

export function legacyDir(name: string): string {
  return fixture('cosign-legacy', name);
}

export function manifestDigest(dir: string): string | undefined {
  const path = join(dir, 'manifest.json');
  return existsSync(path) ? `sha256:${createHash('sha256').update(readFileSync(path)).digest('hex')}` : undefined;
}

/** A sigstore signature file, or undefined for anything else (e.g. a GPG blob). */
export function readSignatureFile(path: string, artifactDigest: string): LegacySignatureInput | undefined {
  const bytes = readFileSync(path);
  if (!bytes.subarray(0, HEADER.length).equals(HEADER)) return undefined;
  const doc = JSON.parse(bytes.subarray(HEADER.length).toString('utf8')) as { mimeType: string; payload: string; annotations: Record<string, string> };
  return {
    artifactDigest,
    mediaType: doc.mimeType,
    annotations: doc.annotations,
    payload: Buffer.from(doc.payload, 'base64'),
    foundAt: { via: 'file', tag: path.split('/').slice(-2).join('/') },
  };
}

export function signatureFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => /^signature-\d+$/.test(f))
    .sort()
    .map((f) => join(dir, f));
}

export function readPem(...parts: string[]): string {
  return readFileSync(fixture(...parts), 'utf8');
}
