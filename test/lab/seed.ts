import { mkdirSync, writeFileSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import type { RegistryKind, RunningRegistry } from './registries.js';
import { labBin, mustRun } from './tools.js';

/**
 * Seeds the lab's registries with real artifacts signed by the real cosign and notation, and records
 * for each case what the real tools conclude, so tests can compare any verifier with them.
 */

export type CosignKeyName = 'ecdsa' | 'rsa' | 'ed25519' | 'other';
export type SeedMechanism = 'cosign-bundle' | 'cosign-legacy' | 'notation-jws' | 'notation-cose' | 'none';

export interface SeedCase {
  readonly name: string;
  readonly registry: RegistryKind;
  /** HOST/REPO:TAG */
  readonly ref: string;
  /** what the tag resolves to now */
  readonly digest: string;
  /** the digest that was signed, when it differs from what the tag resolves to now (moved tag) */
  readonly signedDigest?: string;
  readonly artifact: 'flux' | 'helm-chart';
  readonly mechanism: SeedMechanism;
  /** the trust material a verifier is given for this case */
  readonly trust: { readonly cosignKey?: CosignKeyName; readonly notation?: boolean };
  /** what `cosign verify` / `notation verify` conclude for `ref` with that trust material */
  readonly expect: 'verified' | 'rejected';
  readonly why: string;
}

export interface LabMaterial {
  readonly dir: string;
  readonly cosignPassword: string;
  readonly cosignKeys: Readonly<Record<CosignKeyName, { readonly key: string; readonly pub: string }>>;
  /** XDG_CONFIG_HOME holding notation's keys, trust store (ca:lab) and trust policy */
  readonly notationConfigHome: string;
  /** the trusted notation test certificate, and one that signs but is in no trust store the policy names */
  readonly notationCert: string;
  readonly notationOtherCert: string;
  readonly trustPolicy: string;
}

export interface Seed {
  readonly material: LabMaterial;
  readonly cases: readonly SeedCase[];
}

export function toolEnv(material: Pick<LabMaterial, 'dir' | 'notationConfigHome' | 'cosignPassword'>): NodeJS.ProcessEnv {
  const bins = (['cosign', 'notation', 'oras', 'helm'] as const).map((t) => dirname(labBin(t)));
  return {
    PATH: [...bins, process.env.PATH ?? ''].join(delimiter),
    COSIGN_PASSWORD: material.cosignPassword,
    TUF_ROOT: join(material.dir, 'tuf'),
    XDG_CONFIG_HOME: material.notationConfigHome,
    HELM_CACHE_HOME: join(material.dir, 'helm', 'cache'),
    HELM_CONFIG_HOME: join(material.dir, 'helm', 'config'),
    HELM_DATA_HOME: join(material.dir, 'helm', 'data'),
    DOCKER_CONFIG: join(material.dir, 'docker'),
  };
}

export const trustPolicyDocument = {
  version: '1.0',
  trustPolicies: [
    {
      name: 'lab',
      registryScopes: ['*'],
      signatureVerification: { level: 'strict' },
      trustStores: ['ca:lab'],
      trustedIdentities: ['*'],
    },
  ],
};

export async function makeMaterial(dir: string): Promise<LabMaterial> {
  const keysDir = join(dir, 'keys');
  mkdirSync(keysDir, { recursive: true });
  const notationConfigHome = join(dir, 'notation-config');
  const material = {
    dir,
    cosignPassword: 'lab-password',
    notationConfigHome,
    notationCert: join(notationConfigHome, 'notation', 'localkeys', 'lab.crt'),
    notationOtherCert: join(notationConfigHome, 'notation', 'localkeys', 'other.crt'),
    trustPolicy: join(dir, 'trustpolicy.json'),
    cosignKeys: {
      ecdsa: { key: join(keysDir, 'ecdsa.key'), pub: join(keysDir, 'ecdsa.pub') },
      rsa: { key: join(keysDir, 'rsa.key'), pub: join(keysDir, 'rsa.pub') },
      ed25519: { key: join(keysDir, 'ed25519.key'), pub: join(keysDir, 'ed25519.pub') },
      other: { key: join(keysDir, 'other.key'), pub: join(keysDir, 'other.pub') },
    },
  } satisfies LabMaterial;
  const env = toolEnv(material);
  // ECDSA P-256 from cosign itself; RSA and Ed25519 made by openssl and imported, as users do
  await mustRun('cosign', ['generate-key-pair', '--output-key-prefix', join(keysDir, 'ecdsa')], { env });
  await mustRun('cosign', ['generate-key-pair', '--output-key-prefix', join(keysDir, 'other')], { env });
  await mustRun('openssl', ['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', join(keysDir, 'rsa.pem')]);
  await mustRun('openssl', ['genpkey', '-algorithm', 'ed25519', '-out', join(keysDir, 'ed25519.pem')]);
  await mustRun('cosign', ['import-key-pair', '--key', join(keysDir, 'rsa.pem'), '--output-key-prefix', join(keysDir, 'rsa')], { env });
  await mustRun('cosign', ['import-key-pair', '--key', join(keysDir, 'ed25519.pem'), '--output-key-prefix', join(keysDir, 'ed25519')], { env });
  // notation test certificates: RSA 2048, self-signed, valid for a day; each lands in trust store ca:<name>
  await mustRun('notation', ['cert', 'generate-test', '--default', 'lab'], { env });
  await mustRun('notation', ['cert', 'generate-test', 'other'], { env });
  writeFileSync(material.trustPolicy, JSON.stringify(trustPolicyDocument, null, 2));
  await mustRun('notation', ['policy', 'import', '--force', material.trustPolicy], { env });
  return material;
}

/** Pushes a Flux-format artifact (`flux push artifact` media types and annotations) and returns its digest. */
export async function pushFluxArtifact(env: NodeJS.ProcessEnv, work: string, ref: string, content: string): Promise<string> {
  const dir = join(work, 'artifacts', ref.replace(/[^a-zA-Z0-9]+/g, '_'));
  mkdirSync(join(dir, 'manifests'), { recursive: true });
  writeFileSync(join(dir, 'manifests', 'configmap.yaml'), `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: lab\ndata:\n  content: ${JSON.stringify(content)}\n`);
  await mustRun('tar', ['--sort=name', '--mtime=2026-01-01', '--owner=0', '--group=0', '-czf', join(dir, 'manifests.tgz'), '-C', join(dir, 'manifests'), '.'], { env: { GZIP: '-n' } });
  const created = '2026-11-01T00:00:00Z';
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ created, architecture: '', os: '', rootfs: { type: 'layers', diff_ids: [] } }));
  await mustRun(
    'oras',
    [
      'push', '--plain-http', ref,
      '--config', 'config.json:application/vnd.cncf.flux.config.v1+json',
      '--annotation', `org.opencontainers.image.created=${created}`,
      '--annotation', 'org.opencontainers.image.source=https://git.example/lab/fleet',
      '--annotation', `org.opencontainers.image.revision=main@sha1:${'0'.repeat(39)}1`,
      'manifests.tgz:application/vnd.cncf.flux.content.v1.tar+gzip',
    ],
    { env, cwd: dir },
  );
  return resolveDigest(env, ref);
}

async function pushHelmChart(env: NodeJS.ProcessEnv, work: string, host: string, name: string, version: string): Promise<string> {
  const dir = join(work, 'charts', name);
  mkdirSync(join(dir, 'templates'), { recursive: true });
  writeFileSync(join(dir, 'Chart.yaml'), `apiVersion: v2\nname: ${name}\nversion: ${version}\ndescription: a chart of the kubectl verify lab\n`);
  writeFileSync(join(dir, 'templates', 'configmap.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}\n');
  await mustRun('helm', ['package', dir, '-d', join(work, 'charts')], { env });
  await mustRun('helm', ['push', join(work, 'charts', `${name}-${version}.tgz`), `oci://${host}/charts`, '--plain-http'], { env });
  return resolveDigest(env, `${host}/charts/${name}:${version}`);
}

async function resolveDigest(env: NodeJS.ProcessEnv, ref: string): Promise<string> {
  return (await mustRun('oras', ['resolve', '--plain-http', ref], { env })).trim();
}

function repoOf(ref: string): string {
  return ref.slice(0, ref.lastIndexOf(':'));
}

export async function cosignSign(env: NodeJS.ProcessEnv, material: LabMaterial, key: CosignKeyName, ref: string, digest: string, legacy: boolean): Promise<void> {
  await mustRun(
    'cosign',
    ['sign', '--key', material.cosignKeys[key].key, '--use-signing-config=false', '--tlog-upload=false', `--new-bundle-format=${!legacy}`, '--yes', `${repoOf(ref)}@${digest}`],
    { env },
  );
}

export async function notationSign(env: NodeJS.ProcessEnv, key: 'lab' | 'other', format: 'jws' | 'cose', ref: string, digest: string): Promise<void> {
  // notation 1.3 writes only the referrers tag schema by default, which olareg's referrers API does not
  // list; use the API where the registry has one, as registries that support it expect
  await mustRun('notation', ['sign', '--insecure-registry', '--force-referrers-tag=false', '--key', key, '--signature-format', format, `${repoOf(ref)}@${digest}`], { env });
}

export async function seedLab(registries: Readonly<Record<RegistryKind, RunningRegistry>>, dir: string): Promise<Seed> {
  const material = await makeMaterial(dir);
  const env = toolEnv(material);
  const cases: SeedCase[] = [];
  const hostOf = (r: RegistryKind): string => registries[r].host;

  const add = async (
    c: Omit<SeedCase, 'digest' | 'ref' | 'artifact'> & { repo?: string },
    sign: (ref: string, digest: string) => Promise<void>,
  ): Promise<void> => {
    const ref = `${hostOf(c.registry)}/${c.repo ?? c.name}:1.0.0`;
    const digest = await pushFluxArtifact(env, dir, ref, c.name);
    await sign(ref, digest);
    cases.push({ name: c.name, registry: c.registry, mechanism: c.mechanism, trust: c.trust, expect: c.expect, why: c.why, ref, digest, artifact: 'flux' });
  };

  await add(
    { name: 'cosign-bundle-ecdsa', registry: 'olareg', mechanism: 'cosign-bundle', trust: { cosignKey: 'ecdsa' }, expect: 'verified', why: 'cosign v3 bundle (ECDSA P-256) found through the referrers API' },
    (ref, d) => cosignSign(env, material, 'ecdsa', ref, d, false),
  );
  await add(
    { name: 'cosign-bundle-rsa', registry: 'olareg', mechanism: 'cosign-bundle', trust: { cosignKey: 'rsa' }, expect: 'verified', why: 'cosign v3 bundle, RSA 2048 key' },
    (ref, d) => cosignSign(env, material, 'rsa', ref, d, false),
  );
  await add(
    {
      name: 'cosign-bundle-ed25519', registry: 'olareg', mechanism: 'cosign-bundle', trust: { cosignKey: 'ed25519' }, expect: 'rejected',
      why: 'cosign signs with an imported Ed25519 key but its own verify rejects the result (threshold 0 of 1)',
    },
    (ref, d) => cosignSign(env, material, 'ed25519', ref, d, false),
  );
  await add(
    {
      name: 'cosign-legacy-ed25519', registry: 'olareg', mechanism: 'cosign-legacy', trust: { cosignKey: 'ed25519' }, expect: 'rejected',
      why: 'legacy .sig made with an Ed25519 key: cosign verify rejects its own signature',
    },
    (ref, d) => cosignSign(env, material, 'ed25519', ref, d, true),
  );
  await add(
    { name: 'cosign-bundle-fallback', registry: 'distribution', mechanism: 'cosign-bundle', trust: { cosignKey: 'ecdsa' }, expect: 'verified', why: 'cosign v3 bundle found through the sha256-<hex> referrers tag (no referrers API)' },
    (ref, d) => cosignSign(env, material, 'ecdsa', ref, d, false),
  );
  await add(
    { name: 'cosign-legacy', registry: 'olareg', mechanism: 'cosign-legacy', trust: { cosignKey: 'ecdsa' }, expect: 'verified', why: 'legacy .sig tag, ECDSA P-256' },
    (ref, d) => cosignSign(env, material, 'ecdsa', ref, d, true),
  );
  await add(
    { name: 'cosign-legacy-rsa', registry: 'distribution', mechanism: 'cosign-legacy', trust: { cosignKey: 'rsa' }, expect: 'verified', why: 'legacy .sig tag, RSA key, on the registry without referrers' },
    (ref, d) => cosignSign(env, material, 'rsa', ref, d, true),
  );
  await add(
    { name: 'notation-jws', registry: 'olareg', mechanism: 'notation-jws', trust: { notation: true }, expect: 'verified', why: 'notation JWS envelope, test certificate in ca:lab' },
    (ref, d) => notationSign(env, 'lab', 'jws', ref, d),
  );
  await add(
    { name: 'notation-cose', registry: 'olareg', mechanism: 'notation-cose', trust: { notation: true }, expect: 'verified', why: 'notation COSE envelope, test certificate in ca:lab' },
    (ref, d) => notationSign(env, 'lab', 'cose', ref, d),
  );
  await add(
    { name: 'notation-jws-fallback', registry: 'distribution', mechanism: 'notation-jws', trust: { notation: true }, expect: 'verified', why: 'notation JWS through the referrers tag schema' },
    (ref, d) => notationSign(env, 'lab', 'jws', ref, d),
  );
  await add(
    { name: 'notation-untrusted', registry: 'olareg', mechanism: 'notation-jws', trust: { notation: true }, expect: 'rejected', why: 'signed by a certificate that is in no trust store the policy names' },
    (ref, d) => notationSign(env, 'other', 'jws', ref, d),
  );
  await add(
    { name: 'unsigned-cosign', repo: 'unsigned', registry: 'olareg', mechanism: 'none', trust: { cosignKey: 'ecdsa' }, expect: 'rejected', why: 'no signature at all' },
    async () => undefined,
  );
  await add(
    { name: 'unsigned-notation', repo: 'unsigned-n', registry: 'olareg', mechanism: 'none', trust: { notation: true }, expect: 'rejected', why: 'no signature at all' },
    async () => undefined,
  );
  await add(
    { name: 'wrong-key', registry: 'olareg', mechanism: 'cosign-bundle', trust: { cosignKey: 'ecdsa' }, expect: 'rejected', why: 'bundle signed by another key than the one given' },
    (ref, d) => cosignSign(env, material, 'other', ref, d, false),
  );
  await add(
    { name: 'wrong-key-legacy', registry: 'olareg', mechanism: 'cosign-legacy', trust: { cosignKey: 'ecdsa' }, expect: 'rejected', why: 'legacy .sig signed by another key than the one given' },
    (ref, d) => cosignSign(env, material, 'other', ref, d, true),
  );

  // a tag that moved to a new, unsigned digest after the old one was signed
  {
    const ref = `${hostOf('olareg')}/moved:1.0.0`;
    const signed = await pushFluxArtifact(env, dir, ref, 'moved, signed');
    await cosignSign(env, material, 'ecdsa', ref, signed, false);
    const now = await pushFluxArtifact(env, dir, ref, 'moved, unsigned');
    cases.push({
      name: 'moved-tag', registry: 'olareg', ref, digest: now, signedDigest: signed, artifact: 'flux', mechanism: 'cosign-bundle',
      trust: { cosignKey: 'ecdsa' }, expect: 'rejected', why: 'the tag was moved to an unsigned digest after the signed one',
    });
  }

  // a Helm chart pushed with helm push, signed with a cosign bundle
  {
    const host = hostOf('olareg');
    const digest = await pushHelmChart(env, dir, host, 'podinfo', '6.5.0');
    const ref = `${host}/charts/podinfo:6.5.0`;
    await cosignSign(env, material, 'ecdsa', ref, digest, false);
    cases.push({ name: 'helm-chart', registry: 'olareg', ref, digest, artifact: 'helm-chart', mechanism: 'cosign-bundle', trust: { cosignKey: 'ecdsa' }, expect: 'verified', why: 'Helm chart (helm push), cosign v3 bundle' });
  }

  const seed: Seed = { material, cases };
  writeFileSync(join(dir, 'seed.json'), JSON.stringify(seed, null, 2));
  return seed;
}
