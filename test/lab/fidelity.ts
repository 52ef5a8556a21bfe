import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunningCluster } from './cluster.js';
import { KEYLESS_IDENTITY, keylessTrustedRoot, writeKeylessLayout } from './keyless-image.js';
import { cosignSign, pushFluxArtifact, toolEnv, trustPolicyDocument, type Seed, type SeedCase } from './seed.js';
import { ociRepoYaml, secretYaml } from './objects.js';
import { mustRun } from './tools.js';

/**
 * The corners of Flux's behaviour an on-call engineer hits (docs/flux-rules.md), as objects the real
 * source-controller reconciles: Secrets whose keys Flux reads in random order, private keys in a
 * verify Secret, notation skip and audit, keyless with zero, one and two identities on a real
 * public-good bundle, a key rotated after Flux verified, a moved tag Flux has already refused.
 * `expect` is what kubectl verify must conclude; Flux's own verdict is read from the cluster.
 */
export interface FidelityCase {
  readonly kind: 'OCIRepository' | 'HelmChart';
  readonly name: string;
  readonly state: string;
  /** the primary reason */
  readonly reason: string;
  /** further reasons the finding must carry */
  readonly also?: readonly string[];
  /** SourceVerified as source-controller writes it: a status, absent, or either (Flux's verdict varies) */
  readonly flux: 'True' | 'False' | 'absent' | 'varies';
  readonly agrees: boolean | undefined;
  readonly message: RegExp;
  /** the issue item this case covers */
  readonly item: number;
}

export interface FidelityFleet {
  readonly namespace: string;
  readonly cases: readonly FidelityCase[];
  /** replaces the `rotating` Secret's key by another one, as a key rotation does */
  rotateKey(): Promise<void>;
  /** pushes an unsigned artifact to the `refused-move` tag and asks Flux to reconcile */
  moveAndReconcile(): Promise<void>;
}

const b64 = (s: string | Buffer): string => Buffer.from(s).toString('base64');
const file64 = (path: string): string => b64(readFileSync(path));

const secret = secretYaml;

function ociRepo(ns: string, name: string, url: string, tag: string, verify: string): string {
  return ociRepoYaml(ns, name, url, tag, { verify });
}

function helmChart(ns: string, name: string, secretName: string): string {
  return [
    '---', 'apiVersion: source.toolkit.fluxcd.io/v1', 'kind: HelmChart', `metadata: {name: ${name}, namespace: ${ns}}`,
    'spec:', '  interval: 10m', '  chart: podinfo', '  version: "6.5.0"', '  sourceRef: {kind: HelmRepository, name: charts}',
    `  verify: {provider: cosign, secretRef: {name: ${secretName}}}`,
  ].join('\n');
}

export async function applyFidelityFleet(cluster: RunningCluster, seed: Seed, ns: string): Promise<FidelityFleet> {
  const find = (name: string): SeedCase => {
    const c = seed.cases.find((x) => x.name === name);
    if (!c) throw new Error(`seed has no case ${name}`);
    return c;
  };
  const repoOf = (name: string): string => {
    const ref = find(name).ref;
    return ref.slice(0, ref.lastIndexOf(':'));
  };
  const m = seed.material;
  const env = toolEnv(m);
  const host = find('cosign-bundle-ecdsa').ref.split('/')[0] as string;

  // artifacts of their own, so that changing them disturbs no other case
  const rotatedRef = `${host}/fidelity-rotated:1.0.0`;
  await cosignSign(env, m, 'ecdsa', rotatedRef, await pushFluxArtifact(env, m.dir, rotatedRef, `${ns} rotated`), false);
  const movedRef = `${host}/fidelity-moved:1.0.0`;
  await cosignSign(env, m, 'ecdsa', movedRef, await pushFluxArtifact(env, m.dir, movedRef, `${ns} moved, signed`), false);

  // the public-good keyless bundle on its own image, copied with its referrer into olareg
  const layout = mkdtempSync(join(tmpdir(), 'kv-keyless-layout-'));
  try {
    writeKeylessLayout(layout);
    await mustRun('oras', ['cp', '-r', '--from-oci-layout', `${layout}:v1`, '--to-plain-http', `${host}/keyless:v1`], { env });
  } finally {
    rmSync(layout, { recursive: true, force: true });
  }

  const pub = file64(m.cosignKeys.ecdsa.pub);
  const otherPub = file64(m.cosignKeys.other.pub);
  const privateKey = file64(m.cosignKeys.ecdsa.key);
  const corrupt = b64('this is not a PEM block\n');
  const skipPolicy = { version: '1.0', trustPolicies: [{ name: 'skip-all', registryScopes: ['*'], signatureVerification: { level: 'skip' } }] };
  const auditPolicy = { ...trustPolicyDocument, trustPolicies: trustPolicyDocument.trustPolicies.map((p) => ({ ...p, signatureVerification: { level: 'audit' } })) };
  const identity = (e: { issuer: string; subject: string }): string => `{issuer: '${e.issuer}', subject: '${e.subject}'}`;
  const keyless = (ids: readonly { issuer: string; subject: string }[]): string => `{provider: cosign, matchOIDCIdentity: [${ids.map(identity).join(', ')}], trustedRootSecretRef: {name: trusted-root}}`;
  const stranger = { issuer: '^https://github\\.com/login/oauth$', subject: '^someone@else\\.example$' };
  const bundleRepo = repoOf('cosign-bundle-ecdsa');
  const keyVerify = (name: string): string => `{provider: cosign, secretRef: {name: ${name}}}`;

  const yaml = [
    `apiVersion: v1\nkind: Namespace\nmetadata: {name: ${ns}}`,
    secret(ns, 'cosign-pub', { 'cosign.pub': pub }),
    secret(ns, 'key-order', { 'cosign.pub': pub, 'corrupt.pub': corrupt }),
    secret(ns, 'private-pub', { 'cosign.pub': pub, 'signing.pub': privateKey }),
    // what `cosign generate-key-pair k8s://ns/name` writes: the key pair and its password
    secret(ns, 'cosign-k8s', { 'cosign.key': privateKey, 'cosign.password': b64(m.cosignPassword), 'cosign.pub': pub }),
    secret(ns, 'two-keys', { 'cosign.pub': pub, 'other.pub': otherPub }),
    secret(ns, 'rotating', { 'cosign.pub': pub }),
    secret(ns, 'notation-skip', { 'trustpolicy.json': b64(JSON.stringify(skipPolicy)), 'lab.crt': file64(m.notationCert) }),
    secret(ns, 'notation-audit', { 'trustpolicy.json': b64(JSON.stringify(auditPolicy)), 'lab.crt': file64(m.notationCert) }),
    secret(ns, 'trusted-root', { 'trusted_root.json': file64(keylessTrustedRoot()) }),
    ociRepo(ns, 'key-order', bundleRepo, '1.0.0', keyVerify('key-order')),
    ociRepo(ns, 'private-pub', bundleRepo, '1.0.0', keyVerify('private-pub')),
    ociRepo(ns, 'k8s-secret', bundleRepo, '1.0.0', keyVerify('cosign-k8s')),
    ociRepo(ns, 'refused-first', repoOf('wrong-key'), '1.0.0', keyVerify('cosign-pub')),
    ociRepo(ns, 'notation-skip', repoOf('unsigned-notation'), '1.0.0', '{provider: notation, secretRef: {name: notation-skip}}'),
    ociRepo(ns, 'notation-audit-untrusted', repoOf('notation-untrusted'), '1.0.0', '{provider: notation, secretRef: {name: notation-audit}}'),
    ociRepo(ns, 'notation-audit-unsigned', repoOf('unsigned-notation'), '1.0.0', '{provider: notation, secretRef: {name: notation-audit}}'),
    ociRepo(ns, 'keyless-one', `${host}/keyless`, 'v1', keyless([KEYLESS_IDENTITY])),
    ociRepo(ns, 'keyless-none', `${host}/keyless`, 'v1', keyless([])),
    ociRepo(ns, 'keyless-two', `${host}/keyless`, 'v1', keyless([stranger, KEYLESS_IDENTITY])),
    ociRepo(ns, 'keyless-stranger', `${host}/keyless`, 'v1', keyless([stranger])),
    ociRepo(ns, 'keyless-on-key', bundleRepo, '1.0.0', keyless([KEYLESS_IDENTITY])),
    ociRepo(ns, 'rotated', rotatedRef.slice(0, rotatedRef.lastIndexOf(':')), '1.0.0', keyVerify('rotating')),
    ociRepo(ns, 'refused-move', movedRef.slice(0, movedRef.lastIndexOf(':')), '1.0.0', keyVerify('cosign-pub')),
    ['---', 'apiVersion: source.toolkit.fluxcd.io/v1', 'kind: HelmRepository', `metadata: {name: charts, namespace: ${ns}}`, 'spec:', '  type: oci', '  interval: 10m', '  insecure: true', `  url: oci://${host}/charts`].join('\n'),
    helmChart(ns, 'chart-two-keys', 'two-keys'),
    helmChart(ns, 'chart-bad-key', 'key-order'),
    '',
  ].join('\n');
  await cluster.kubectl(['apply', '-f', '-'], { input: yaml });

  const cases: FidelityCase[] = [
    { item: 1, kind: 'OCIRepository', name: 'key-order', state: 'error', reason: 'flux-unstable', flux: 'varies', agrees: undefined, message: /cosign\.pub verifies, but source-controller reads the Secret's keys in random \(Go map\) order and stops at corrupt\.pub \(PEM decoding failed\)/ },
    { item: 1, kind: 'OCIRepository', name: 'private-pub', state: 'error', reason: 'flux-unstable', also: ['private-key'], flux: 'varies', agrees: undefined, message: /stops at signing\.pub \(unknown Public key PEM file type: ENCRYPTED SIGSTORE PRIVATE KEY\. Are you passing the correct public key\?\).*holds signing material \(signing\.pub\)/ },
    { item: 1, kind: 'OCIRepository', name: 'k8s-secret', state: 'weak', reason: 'private-key', flux: 'True', agrees: true, message: /holds signing material \(cosign\.key, cosign\.password\): anyone who may read it can sign/ },
    { item: 1, kind: 'HelmChart', name: 'chart-two-keys', state: 'error', reason: 'flux-unstable', flux: 'varies', agrees: undefined, message: /a HelmChart stops at the first key in random \(Go map\) order that does not verify \(other\.pub\)/ },
    { item: 1, kind: 'HelmChart', name: 'chart-bad-key', state: 'failed', reason: 'flux-refuses', flux: 'False', agrees: true, message: /Flux loads every key of a HelmChart's Secret before verifying and fails on corrupt\.pub \(PEM decoding failed\)/ },
    { item: 2, kind: 'OCIRepository', name: 'refused-first', state: 'failed', reason: 'wrong-key', flux: 'False', agrees: true, message: /^no artifact stored; the registry's sha256:[0-9a-f]{12}…: .*; Flux: failed to verify the signature using provider 'cosign': no matching signatures were found/ },
    { item: 3, kind: 'OCIRepository', name: 'notation-skip', state: 'not-enforced', reason: 'not-enforced', flux: 'absent', agrees: undefined, message: /level is skip: Flux applies whatever is pushed, signed or not/ },
    { item: 3, kind: 'OCIRepository', name: 'notation-audit-untrusted', state: 'weak', reason: 'weak', flux: 'absent', agrees: true, message: /level audit: Flux accepts the artifact without verifying it/ },
    { item: 3, kind: 'OCIRepository', name: 'notation-audit-unsigned', state: 'failed', reason: 'no-signature', flux: 'False', agrees: true, message: /Flux: failed to verify the signature using provider 'notation': no signature is associated with/ },
    { item: 4, kind: 'OCIRepository', name: 'keyless-one', state: 'error', reason: 'flux-refuses', flux: 'True', agrees: true, message: /verified here and by Flux .*cody@soyland\.com/ },
    { item: 4, kind: 'OCIRepository', name: 'keyless-none', state: 'failed', reason: 'flux-refuses', flux: 'False', agrees: true, message: /Flux refuses cosign v3 bundles without a matchOIDCIdentity entry/ },
    { item: 4, kind: 'OCIRepository', name: 'keyless-two', state: 'failed', reason: 'flux-refuses', flux: 'False', agrees: true, message: /matchOIDCIdentity has 2 entries/ },
    { item: 4, kind: 'OCIRepository', name: 'keyless-stranger', state: 'failed', reason: 'identity-mismatch', flux: 'False', agrees: true, message: /Flux: failed to verify the signature using provider 'cosign keyless'/ },
    { item: 4, kind: 'OCIRepository', name: 'keyless-on-key', state: 'failed', reason: 'signing-method', flux: 'False', agrees: true, message: /signed with a key; this object verifies keyless/ },
    { item: 5, kind: 'OCIRepository', name: 'rotated', state: 'verified', reason: 'verified', flux: 'True', agrees: true, message: /verified with fidelity\/rotating · cosign\.pub|verified with [a-z-]+\/rotating · cosign\.pub/ },
    { item: 7, kind: 'OCIRepository', name: 'refused-move', state: 'verified', reason: 'verified', flux: 'True', agrees: true, message: /signature verified/ },
  ];

  const rotateKey = async (): Promise<void> => {
    await cluster.kubectl(['apply', '-f', '-'], { input: `${secret(ns, 'rotating', { 'cosign.pub': otherPub })}\n` });
  };
  const moveAndReconcile = async (): Promise<void> => {
    await pushFluxArtifact(env, m.dir, movedRef, `${ns} moved, unsigned`);
    await cluster.kubectl(['annotate', '--overwrite', '-n', ns, 'ocirepository/refused-move', `reconcile.fluxcd.io/requestedAt=${Date.now()}`]);
  };
  return { namespace: ns, cases, rotateKey, moveAndReconcile };
}

/** Writes a GitOps folder as people keep one: objects as written, never reconciled, with their Secret. */
export function writeGitOpsFolder(dir: string, seed: Seed): void {
  const c = seed.cases.find((x) => x.name === 'cosign-bundle-ecdsa');
  if (!c) throw new Error('seed has no cosign-bundle-ecdsa case');
  const url = c.ref.slice(0, c.ref.lastIndexOf(':'));
  writeFileSync(join(dir, 'source.yaml'), `${ociRepo('prod', 'app', url, '1.0.0', '{provider: cosign, secretRef: {name: cosign-pub}}').replace(/^---\n/, '')}\n`);
  writeFileSync(join(dir, 'secret.yaml'), `${secret('prod', 'cosign-pub', { 'cosign.pub': file64(seed.material.cosignKeys.ecdsa.pub) }).replace(/^---\n/, '')}\n`);
  writeFileSync(
    join(dir, 'kustomization.yaml'),
    ['apiVersion: kustomize.toolkit.fluxcd.io/v1', 'kind: Kustomization', 'metadata: {name: app, namespace: prod}', 'spec:', '  interval: 10m', '  prune: true', '  path: ./', '  sourceRef: {kind: OCIRepository, name: app}', ''].join('\n'),
  );
}
