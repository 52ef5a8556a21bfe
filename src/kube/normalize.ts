import { lookupKind, versionOf } from './kinds.js';
import { isRecord, MalformedField, Reader } from './read.js';
import type {
  Artifact,
  ArtifactGenerator,
  GeneratorSource,
  Condition,
  FluxKind,
  FluxObject,
  GitRepository,
  GitRepositoryRef,
  HelmChart,
  HelmRelease,
  HelmRepository,
  IdentityMatch,
  KubeProblem,
  Kustomization,
  ObjectMeta,
  ObjectRef,
  OCIRepository,
  OtherSource,
  Verification,
} from './types.js';

/**
 * Unstructured Flux objects (any served version, from the cluster or a YAML file) to the typed model,
 * with the defaults the CRDs declare. A malformed object — a required field missing, a field of the
 * wrong type, an enum value the CRD would reject — is skipped and reported as one `kube.malformed`
 * problem naming the object and the field: every field here feeds a verdict, and a half-read object
 * (say, a `spec.verify` that could not be read) would look weaker or stronger than it is.
 */

export interface NormalizeOptions {
  /** `cluster` or `file:<path>` */
  readonly origin: string;
  /** namespace for objects that carry none (files); the cluster always sets one */
  readonly defaultNamespace?: string;
}

export type NormalizeResult =
  | { readonly object: FluxObject }
  | { readonly problem: KubeProblem }
  /** not a Flux object: some other document in a file */
  | { readonly ignored: true };

export function normalize(raw: unknown, opts: NormalizeOptions): NormalizeResult {
  if (!isRecord(raw)) return { ignored: true };
  const apiVersion = typeof raw['apiVersion'] === 'string' ? raw['apiVersion'] : '';
  const kindName = typeof raw['kind'] === 'string' ? raw['kind'] : '';
  const info = lookupKind(apiVersion, kindName);
  if (!info) return { ignored: true };
  const kind = info.kind;
  const metadata = isRecord(raw['metadata']) ? raw['metadata'] : {};
  const name = typeof metadata['name'] === 'string' && metadata['name'] !== '' ? metadata['name'] : undefined;
  const ns = typeof metadata['namespace'] === 'string' && metadata['namespace'] !== '' ? metadata['namespace'] : (opts.defaultNamespace ?? 'default');
  const label = `${kind} ${ns}/${name ?? '(unnamed)'}`;
  if (!info.versions.includes(versionOf(apiVersion))) {
    return {
      problem: {
        code: 'kube.unsupported-version',
        message: `${label}: ${apiVersion} is not a version this plugin reads (it reads ${info.versions.map((v) => `${info.group}/${v}`).join(', ')})`,
        kind,
        namespace: ns,
      },
    };
  }
  try {
    const object = readObject(kind, apiVersion, Reader.of(raw, ''), ns, opts.origin, strip(raw));
    return { object };
  } catch (e) {
    if (!(e instanceof MalformedField)) throw e;
    return { problem: { code: 'kube.malformed', message: `${label} (${opts.origin}): ${e.message}`, kind, namespace: ns } };
  }
}

/** The object for the YAML view: as read, minus managedFields (kubectl hides them too). */
function strip(raw: Record<string, unknown>): unknown {
  const metadata = raw['metadata'];
  if (!isRecord(metadata) || !('managedFields' in metadata)) return raw;
  const { managedFields: _managedFields, ...rest } = metadata;
  return { ...raw, metadata: rest };
}

function readObject(kind: FluxKind, apiVersion: string, r: Reader, namespace: string, origin: string, raw: unknown): FluxObject {
  const meta = readMeta(apiVersion, r, namespace, origin, raw);
  switch (kind) {
    case 'OCIRepository':
      return readOCIRepository(meta, r);
    case 'HelmRepository':
      return readHelmRepository(meta, r);
    case 'HelmChart':
      return readHelmChart(meta, r);
    case 'HelmRelease':
      return readHelmRelease(meta, r);
    case 'Kustomization':
      return readKustomization(meta, r);
    case 'GitRepository':
      return readGitRepository(meta, r);
    case 'Bucket':
    case 'ExternalArtifact':
      return readOtherSource(meta, r, kind);
    case 'ArtifactGenerator':
      return readArtifactGenerator(meta, r);
  }
}

type Meta = Omit<ObjectMeta, 'kind'>;

function readMeta(apiVersion: string, r: Reader, namespace: string, origin: string, raw: unknown): Meta {
  const md = r.reqObj('metadata');
  const spec = r.obj('spec');
  const status = r.obj('status');
  return {
    apiVersion,
    namespace,
    name: md.reqStr('name'),
    uid: md.str('uid'),
    generation: md.int('generation'),
    labels: md.strMap('labels') ?? {},
    // ExternalArtifact has no suspend; reading it anyway is harmless
    suspend: spec?.bool('suspend', false) ?? false,
    conditions: status?.list('conditions', readCondition) ?? [],
    observedGeneration: status?.int('observedGeneration'),
    raw,
    origin,
  };
}

function readCondition(r: Reader): Condition {
  return {
    type: r.reqStr('type'),
    status: r.oneOf('status', ['True', 'False', 'Unknown'] as const, 'Unknown'),
    reason: r.str('reason'),
    message: r.str('message'),
    observedGeneration: r.int('observedGeneration'),
    lastTransitionTime: r.str('lastTransitionTime'),
  };
}

function readArtifact(status: Reader | undefined): Artifact | undefined {
  const a = status?.obj('artifact');
  if (!a) return undefined;
  return {
    // kept exactly as written: legacy `<tag>/<hex>` revisions are parsed where they are used
    revision: a.reqStr('revision'),
    digest: a.str('digest'),
    url: a.str('url'),
    lastUpdateTime: a.str('lastUpdateTime'),
    size: a.int('size'),
    metadata: a.strMap('metadata'),
  };
}

/** A LocalObjectReference (`{name}`): the name, which must be there when the reference is. */
function localRef(r: Reader | undefined, key: string): string | undefined {
  const ref = r?.obj(key);
  return ref ? ref.reqStr('name') : undefined;
}

/** A cross-namespace reference; its namespace defaults to the referrer's. */
function crossRef(r: Reader, namespace: string): ObjectRef {
  return { kind: r.reqStr('kind'), name: r.reqStr('name'), namespace: r.str('namespace') || namespace };
}

function readVerification(v: Reader, opts: { identities: boolean; trustedRoot: boolean }): Verification {
  return {
    provider: v.oneOf('provider', ['cosign', 'notation'] as const, 'cosign'),
    secretRef: localRef(v, 'secretRef'),
    matchOIDCIdentity: opts.identities ? v.list('matchOIDCIdentity', readIdentity) : [],
    trustedRootSecretRef: opts.trustedRoot ? localRef(v, 'trustedRootSecretRef') : undefined,
  };
}

function readIdentity(r: Reader): IdentityMatch {
  return { issuer: r.reqStr('issuer'), subject: r.reqStr('subject') };
}

function readOCIRepository(meta: Meta, r: Reader): OCIRepository {
  const spec = r.reqObj('spec');
  const ref = spec.obj('ref');
  const layer = spec.obj('layerSelector');
  const verify = spec.obj('verify');
  return {
    ...meta,
    kind: 'OCIRepository',
    url: spec.reqStr('url'),
    ref: ref && { digest: ref.str('digest'), semver: ref.str('semver'), semverFilter: ref.str('semverFilter'), tag: ref.str('tag') },
    layerSelector: layer && { mediaType: layer.str('mediaType'), operation: layer.str('operation') },
    provider: spec.str('provider') || 'generic',
    secretRef: localRef(spec, 'secretRef'),
    serviceAccountName: spec.str('serviceAccountName'),
    certSecretRef: localRef(spec, 'certSecretRef'),
    proxySecretRef: localRef(spec, 'proxySecretRef'),
    insecure: spec.bool('insecure', false),
    verify: verify && readVerification(verify, { identities: true, trustedRoot: true }),
    artifact: readArtifact(r.obj('status')),
  };
}

function readHelmRepository(meta: Meta, r: Reader): HelmRepository {
  const spec = r.reqObj('spec');
  return {
    ...meta,
    kind: 'HelmRepository',
    url: spec.reqStr('url'),
    type: spec.oneOf('type', ['default', 'oci'] as const, 'default'),
    provider: spec.str('provider') || 'generic',
    secretRef: localRef(spec, 'secretRef'),
    certSecretRef: localRef(spec, 'certSecretRef'),
    insecure: spec.bool('insecure', false),
    artifact: readArtifact(r.obj('status')),
  };
}

function readHelmChart(meta: Meta, r: Reader): HelmChart {
  const spec = r.reqObj('spec');
  const verify = spec.obj('verify');
  // v1beta2's deprecated valuesFile is merged before valuesFiles, as source-controller does
  const legacyValuesFile = spec.str('valuesFile');
  const sourceRef = spec.reqObj('sourceRef');
  return {
    ...meta,
    kind: 'HelmChart',
    chart: spec.reqStr('chart'),
    version: spec.str('version') || '*',
    // LocalHelmChartSourceReference: always the chart's own namespace
    sourceRef: { kind: sourceRef.reqStr('kind'), name: sourceRef.reqStr('name'), namespace: meta.namespace },
    // HelmChartVerification has no trustedRootSecretRef (removed before source-controller v1.9.0 shipped)
    verify: verify && readVerification(verify, { identities: true, trustedRoot: false }),
    valuesFiles: [...(legacyValuesFile ? [legacyValuesFile] : []), ...spec.strList('valuesFiles')],
    artifact: readArtifact(r.obj('status')),
  };
}

function readHelmRelease(meta: Meta, r: Reader): HelmRelease {
  const spec = r.reqObj('spec');
  const status = r.obj('status');
  const chart = spec.obj('chart');
  const chartRef = spec.obj('chartRef');
  if (chart && chartRef) throw new MalformedField(spec.at('chartRef'), 'spec.chart and spec.chartRef are mutually exclusive');
  if (!chart && !chartRef) throw new MalformedField(spec.at('chart'), 'one of spec.chart or spec.chartRef is required');
  let chartTemplate: HelmRelease['chartTemplate'];
  if (chart) {
    const tpl = chart.reqObj('spec');
    const verify = tpl.obj('verify');
    chartTemplate = {
      chart: tpl.reqStr('chart'),
      version: tpl.str('version') || '*',
      sourceRef: crossRef(tpl.reqObj('sourceRef'), meta.namespace),
      // HelmChartTemplateVerification: provider and secretRef only; Flux drops any identities written here
      verify: verify && readVerification(verify, { identities: false, trustedRoot: false }),
    };
  }
  const last = status?.list('history', (h) => ({
    chartName: h.str('chartName'),
    chartVersion: h.str('chartVersion'),
    ociDigest: h.str('ociDigest'),
    status: h.str('status'),
  }))[0];
  const beta = meta.apiVersion.endsWith('/v2beta1') || meta.apiVersion.endsWith('/v2beta2');
  return {
    ...meta,
    kind: 'HelmRelease',
    chartTemplate,
    chartRef: chartRef && crossRef(chartRef, meta.namespace),
    helmChart: status?.str('helmChart'),
    lastAttemptedRevision: status?.str('lastAttemptedRevision'),
    lastAttemptedRevisionDigest: status?.str('lastAttemptedRevisionDigest'),
    lastRelease: last,
    lastAppliedRevision: beta ? status?.str('lastAppliedRevision') : undefined,
  };
}

function readKustomization(meta: Meta, r: Reader): Kustomization {
  const spec = r.reqObj('spec');
  const status = r.obj('status');
  return {
    ...meta,
    kind: 'Kustomization',
    sourceRef: crossRef(spec.reqObj('sourceRef'), meta.namespace),
    path: spec.str('path'),
    lastAppliedRevision: status?.str('lastAppliedRevision'),
    lastAppliedOriginRevision: status?.str('lastAppliedOriginRevision'),
    lastAttemptedRevision: status?.str('lastAttemptedRevision'),
  };
}

/**
 * GitRepository (v1, v1beta2): spec.verify is OpenPGP/SSH keys (mode + secretRef), not a cosign/notation
 * Verification. The mode stays as written: source-controller reads `head` as HEAD and an empty mode as
 * no verification at all (docs/flux-rules.md, Git), and the verdict says which.
 */
function readGitRepository(meta: Meta, r: Reader): GitRepository {
  const spec = r.reqObj('spec');
  const status = r.obj('status');
  const ref = spec.obj('ref');
  const verify = spec.obj('verify');
  const gitRef: GitRepositoryRef | undefined = ref
    ? { branch: ref.str('branch'), tag: ref.str('tag'), semver: ref.str('semver'), name: ref.str('name'), commit: ref.str('commit') }
    : undefined;
  return {
    ...meta,
    kind: 'GitRepository',
    url: spec.reqStr('url'),
    ref: gitRef,
    secretRef: localRef(spec, 'secretRef'),
    proxySecretRef: localRef(spec, 'proxySecretRef'),
    provider: spec.str('provider') ?? 'generic',
    verify: verify ? { mode: verify.str('mode') ?? '', secretRef: localRef(verify, 'secretRef') } : undefined,
    sourceVerificationMode: status?.str('sourceVerificationMode'),
    artifact: readArtifact(status),
  };
}

/** Bucket, ExternalArtifact: what Flux reports about them. */
function readOtherSource(meta: Meta, r: Reader, kind: OtherSource['kind']): OtherSource {
  const spec = kind === 'ExternalArtifact' ? r.obj('spec') : r.reqObj('spec');
  let url: string | undefined;
  if (kind === 'Bucket' && spec) url = `${spec.reqStr('endpoint')}/${spec.reqStr('bucketName')}`;
  // ExternalArtifact: NamespacedObjectKindReference to its producer, namespace defaulting to the artifact's
  const producer = kind === 'ExternalArtifact' ? spec?.obj('sourceRef') : undefined;
  const apiVersion = producer?.str('apiVersion');
  const sourceRef = producer && { kind: producer.reqStr('kind'), name: producer.reqStr('name'), namespace: producer.str('namespace') || meta.namespace, ...(apiVersion ? { apiVersion } : {}) };
  return { ...meta, kind, url, artifact: readArtifact(r.obj('status')), ...(sourceRef ? { sourceRef } : {}) };
}

/** ArtifactGenerator (source.extensions.fluxcd.io/v1beta1): its inputs, which the graph links to. */
function readArtifactGenerator(meta: Meta, r: Reader): ArtifactGenerator {
  const spec = r.reqObj('spec');
  const sources = spec.list('sources', (s): GeneratorSource => ({ alias: s.reqStr('alias'), kind: s.reqStr('kind'), name: s.reqStr('name'), namespace: s.str('namespace') || meta.namespace }));
  return { ...meta, kind: 'ArtifactGenerator', sources };
}
