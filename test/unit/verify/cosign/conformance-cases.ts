// Turns one sigstore-conformance bundle-verify case directory into an engine call, following the
// harness's conventions (fixtures/sigstore-conformance/EXPECTED.md).
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fixture } from '../../../helpers/paths.js';
import { BUNDLE_MEDIA_TYPE, exactPattern, verifyCosignBundle } from '../../../../src/verify/cosign/index.js';
import type { CosignTrust } from '../../../../src/verify/cosign/index.js';
import type { SignatureEvidence } from '../../../../src/verify/evidence.js';
import { parseTrustedRoot } from '../../../../src/verify/trust/index.js';

const DEFAULT_IDENTITY = 'https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main';
const DEFAULT_ISSUER = 'https://token.actions.githubusercontent.com';
/** The harness gives no time; this one is after every bundle in the suite. */
const NOW = new Date('2026-06-01T00:00:00Z');

export function conformanceCases(): string[] {
  const base = fixture('sigstore-conformance', 'bundle-verify');
  return readdirSync(base).filter((d) => statSync(join(base, d)).isDirectory()).sort();
}

export type Outcome = { readonly verified: boolean; readonly evidence?: SignatureEvidence; readonly code: string };

/** Runs one case; `digestOnly` hands the engine only the artifact digest, as the harness's second run does. */
export function runCase(name: string, digestOnly = false): Outcome {
  const dir = fixture('sigstore-conformance', 'bundle-verify', name);
  const has = (f: string) => existsSync(join(dir, f));
  const read = (f: string) => readFileSync(join(dir, f));
  let trustedRoot;
  try {
    trustedRoot = parseTrustedRoot(has('trusted_root.json') ? read('trusted_root.json') : readFileSync(fixture('sigstore-conformance', 'trusted_root.production.json')));
  } catch (e) {
    return { verified: false, code: (e as { code?: string }).code ?? 'throw' };
  }
  const artifact = has('artifact') ? read('artifact') : readFileSync(fixture('sigstore-conformance', 'a.txt'));
  const artifactDigest = `sha256:${createHash('sha256').update(artifact).digest('hex')}`;
  const rootRef = { kind: 'trusted-root' as const, label: has('trusted_root.json') ? `${name}/trusted_root.json` : 'trusted_root.production.json', source: 'flag' as const };
  const trust: CosignTrust = has('key.pub')
    ? { kind: 'key', keys: [{ ref: { kind: 'key', label: 'key.pub', source: 'flag' }, pem: read('key.pub').toString('utf8') }], trustedRoot, requireTlog: true }
    : {
        kind: 'keyless',
        trustedRoot,
        trustedRootRef: rootRef,
        identitySource: 'flag',
        identities: [
          {
            issuer: exactPattern(has('issuer') ? read('issuer').toString('utf8').trim() : DEFAULT_ISSUER),
            subject: exactPattern(has('identity') ? read('identity').toString('utf8').trim() : DEFAULT_IDENTITY),
          },
        ],
      };
  const evidence = verifyCosignBundle(
    { artifactDigest, mediaType: BUNDLE_MEDIA_TYPE, bundle: read('bundle.sigstore.json'), ...(digestOnly ? {} : { artifact }), foundAt: { via: 'file', tag: name } },
    trust,
    { now: NOW },
  );
  const firstFailure = evidence.error?.code ?? evidence.attempts.flatMap((a) => a.checks).find((c) => !c.ok)?.code ?? 'ok';
  return { verified: evidence.verified, evidence, code: firstFailure };
}
