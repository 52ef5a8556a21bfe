import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { normalize, type NormalizeResult } from '../../../src/kube/normalize.js';
import type { FluxObject, GitRepository, HelmChart, HelmRelease, HelmRepository, Kustomization, OCIRepository, OtherSource } from '../../../src/kube/types.js';

function read(yaml: string, defaultNamespace?: string): NormalizeResult {
  return normalize(parse(yaml), { origin: 'file:test.yaml', ...(defaultNamespace !== undefined && { defaultNamespace }) });
}

function object<T extends FluxObject>(yaml: string, defaultNamespace?: string): T {
  const r = read(yaml, defaultNamespace);
  if (!('object' in r)) assert.fail(`expected an object, got ${JSON.stringify(r)}`);
  return r.object as T;
}

function problem(yaml: string): { code: string; message: string } {
  const r = read(yaml);
  if (!('problem' in r)) assert.fail(`expected a problem, got ${JSON.stringify(r)}`);
  return r.problem;
}

describe('normalize OCIRepository', () => {
  const v1 = `
apiVersion: source.toolkit.fluxcd.io/v1
kind: OCIRepository
metadata:
  name: podinfo
  namespace: apps
  uid: 1234
  generation: 3
  labels: {team: a}
  managedFields: [{manager: kubectl}]
spec:
  url: oci://ghcr.io/stefanprodan/manifests/podinfo
  ref: {semver: ">=6.0.0", semverFilter: ".*-rc.*"}
  layerSelector: {mediaType: application/vnd.cncf.helm.chart.content.v1.tar+gzip, operation: copy}
  secretRef: {name: regcred}
  serviceAccountName: puller
  certSecretRef: {name: ca}
  proxySecretRef: {name: proxy}
  verify:
    provider: cosign
    matchOIDCIdentity:
    - {issuer: "^https://token.actions.githubusercontent.com$", subject: "^https://github.com/stefanprodan/podinfo.*$"}
    trustedRootSecretRef: {name: root}
status:
  observedGeneration: 3
  conditions:
  - {type: Ready, status: "True", reason: Succeeded, message: "stored artifact for digest '6.5.0@sha256:abc'", observedGeneration: 3, lastTransitionTime: "2026-01-01T00:00:00Z"}
  - {type: SourceVerified, status: "True", reason: Succeeded, message: "verified signature of revision 6.5.0@sha256:abc"}
  artifact:
    revision: 6.5.0@sha256:abc
    digest: sha256:def
    url: http://source-controller/ocirepository/apps/podinfo/abc.tar.gz
    lastUpdateTime: "2026-01-01T00:00:00Z"
    size: 1234
    metadata: {org.opencontainers.image.revision: "6.5.0/b3b00fe"}
`;

  it('reads every field of v1', () => {
    const o = object<OCIRepository>(v1.replace('uid: 1234', 'uid: "1234"'));
    assert.equal(o.kind, 'OCIRepository');
    assert.equal(o.apiVersion, 'source.toolkit.fluxcd.io/v1');
    assert.equal(o.namespace, 'apps');
    assert.equal(o.name, 'podinfo');
    assert.equal(o.uid, '1234');
    assert.equal(o.generation, 3);
    assert.deepEqual(o.labels, { team: 'a' });
    assert.equal(o.url, 'oci://ghcr.io/stefanprodan/manifests/podinfo');
    assert.deepEqual(o.ref, { digest: undefined, semver: '>=6.0.0', semverFilter: '.*-rc.*', tag: undefined });
    assert.deepEqual(o.layerSelector, { mediaType: 'application/vnd.cncf.helm.chart.content.v1.tar+gzip', operation: 'copy' });
    assert.equal(o.provider, 'generic');
    assert.equal(o.secretRef, 'regcred');
    assert.equal(o.serviceAccountName, 'puller');
    assert.equal(o.certSecretRef, 'ca');
    assert.equal(o.proxySecretRef, 'proxy');
    assert.equal(o.insecure, false);
    assert.equal(o.suspend, false);
    assert.deepEqual(o.verify, {
      provider: 'cosign',
      secretRef: undefined,
      matchOIDCIdentity: [{ issuer: '^https://token.actions.githubusercontent.com$', subject: '^https://github.com/stefanprodan/podinfo.*$' }],
      trustedRootSecretRef: 'root',
    });
    assert.equal(o.observedGeneration, 3);
    assert.equal(o.conditions.length, 2);
    assert.deepEqual(o.conditions[0], {
      type: 'Ready',
      status: 'True',
      reason: 'Succeeded',
      message: "stored artifact for digest '6.5.0@sha256:abc'",
      observedGeneration: 3,
      lastTransitionTime: '2026-01-01T00:00:00Z',
    });
    assert.deepEqual(o.artifact, {
      revision: '6.5.0@sha256:abc',
      digest: 'sha256:def',
      url: 'http://source-controller/ocirepository/apps/podinfo/abc.tar.gz',
      lastUpdateTime: '2026-01-01T00:00:00Z',
      size: 1234,
      metadata: { 'org.opencontainers.image.revision': '6.5.0/b3b00fe' },
    });
    assert.equal(o.origin, 'file:test.yaml');
  });

  it('keeps raw without managedFields', () => {
    const o = object<OCIRepository>(v1.replace('uid: 1234', 'uid: "1234"'));
    const raw = o.raw as { metadata: Record<string, unknown>; spec: unknown };
    assert.equal('managedFields' in raw.metadata, false);
    assert.equal(raw.metadata['name'], 'podinfo');
    assert.ok(raw.spec);
  });

  it('applies the CRD defaults', () => {
    const o = object<OCIRepository>(`
apiVersion: source.toolkit.fluxcd.io/v1
kind: OCIRepository
metadata: {name: bare, namespace: x}
spec:
  url: oci://reg/app
  verify: {secretRef: {name: cosign-pub}}
`);
    assert.equal(o.provider, 'generic');
    assert.equal(o.insecure, false);
    assert.equal(o.suspend, false);
    assert.equal(o.ref, undefined);
    assert.deepEqual(o.verify, { provider: 'cosign', secretRef: 'cosign-pub', matchOIDCIdentity: [], trustedRootSecretRef: undefined });
    assert.deepEqual(o.conditions, []);
    assert.equal(o.artifact, undefined);
    assert.deepEqual(o.labels, {});
  });

  it('reads v1beta2 the same way and keeps its apiVersion', () => {
    const o = object<OCIRepository>(`
apiVersion: source.toolkit.fluxcd.io/v1beta2
kind: OCIRepository
metadata: {name: old, namespace: flux-system}
spec:
  url: oci://reg/app
  ref: {tag: latest}
  provider: aws
  insecure: true
  suspend: true
  verify: {provider: notation, secretRef: {name: notation-trust}}
status:
  contentConfigChecksum: sha256:000
  artifact: {revision: "latest/3b6cdcc7adcc9a84d3214ee1c029543789d90b5ae69debe9efa3f66e982875de", url: http://x}
`);
    assert.equal(o.apiVersion, 'source.toolkit.fluxcd.io/v1beta2');
    assert.deepEqual(o.ref, { digest: undefined, semver: undefined, semverFilter: undefined, tag: 'latest' });
    assert.equal(o.provider, 'aws');
    assert.equal(o.insecure, true);
    assert.equal(o.suspend, true);
    assert.deepEqual(o.verify, { provider: 'notation', secretRef: 'notation-trust', matchOIDCIdentity: [], trustedRootSecretRef: undefined });
    // legacy `<tag>/<hex>` revisions are left for the consumers to parse
    assert.equal(o.artifact?.revision, 'latest/3b6cdcc7adcc9a84d3214ee1c029543789d90b5ae69debe9efa3f66e982875de');
  });

  it('gives objects without a namespace the default namespace, or `default`', () => {
    const y = `
apiVersion: source.toolkit.fluxcd.io/v1
kind: OCIRepository
metadata: {name: n}
spec: {url: oci://reg/app}
`;
    assert.equal(object<OCIRepository>(y).namespace, 'default');
    assert.equal(object<OCIRepository>(y, 'team-a').namespace, 'team-a');
  });
});

describe('normalize HelmRepository and HelmChart', () => {
  it('HelmRepository defaults type to default and provider to generic', () => {
    const o = object<HelmRepository>(`
apiVersion: source.toolkit.fluxcd.io/v1
kind: HelmRepository
metadata: {name: prom, namespace: flux-system}
spec: {url: https://prometheus-community.github.io/helm-charts}
status: {artifact: {revision: sha256:aaa, url: http://x/index.yaml}}
`);
    assert.equal(o.type, 'default');
    assert.equal(o.provider, 'generic');
    assert.equal(o.insecure, false);
    assert.equal(o.artifact?.revision, 'sha256:aaa');
  });

  it('HelmRepository type oci with credentials', () => {
    const o = object<HelmRepository>(`
apiVersion: source.toolkit.fluxcd.io/v1beta2
kind: HelmRepository
metadata: {name: oci, namespace: flux-system}
spec: {url: oci://ghcr.io/charts, type: oci, secretRef: {name: creds}, certSecretRef: {name: ca}, insecure: true, provider: azure}
`);
    assert.equal(o.type, 'oci');
    assert.equal(o.secretRef, 'creds');
    assert.equal(o.certSecretRef, 'ca');
    assert.equal(o.insecure, true);
    assert.equal(o.provider, 'azure');
    assert.equal(o.apiVersion, 'source.toolkit.fluxcd.io/v1beta2');
  });

  it('HelmChart: sourceRef in its own namespace, version default *, verify without trustedRoot', () => {
    const o = object<HelmChart>(`
apiVersion: source.toolkit.fluxcd.io/v1
kind: HelmChart
metadata: {name: monitoring-prometheus, namespace: flux-system}
spec:
  chart: prometheus
  sourceRef: {kind: HelmRepository, name: prom}
  valuesFiles: [values.yaml, prod.yaml]
  verify:
    provider: cosign
    secretRef: {name: cosign-pub}
    matchOIDCIdentity: [{issuer: a, subject: b}]
    trustedRootSecretRef: {name: ignored}
status: {artifact: {revision: 25.1.0, url: http://x}}
`);
    assert.equal(o.chart, 'prometheus');
    assert.equal(o.version, '*');
    assert.deepEqual(o.sourceRef, { kind: 'HelmRepository', name: 'prom', namespace: 'flux-system' });
    assert.deepEqual(o.valuesFiles, ['values.yaml', 'prod.yaml']);
    assert.deepEqual(o.verify, { provider: 'cosign', secretRef: 'cosign-pub', matchOIDCIdentity: [{ issuer: 'a', subject: 'b' }], trustedRootSecretRef: undefined });
    assert.equal(o.artifact?.revision, '25.1.0');
  });

  it('HelmChart v1beta2: the deprecated valuesFile comes first', () => {
    const o = object<HelmChart>(`
apiVersion: source.toolkit.fluxcd.io/v1beta2
kind: HelmChart
metadata: {name: c, namespace: ns}
spec: {chart: ./charts/app, version: 1.2.3, sourceRef: {kind: GitRepository, name: repo}, valuesFile: base.yaml, valuesFiles: [extra.yaml]}
`);
    assert.deepEqual(o.valuesFiles, ['base.yaml', 'extra.yaml']);
    assert.equal(o.version, '1.2.3');
    assert.equal(o.verify, undefined);
  });
});

describe('normalize HelmRelease', () => {
  it('v2 with spec.chart.spec: template verify has no identities, history[0] is the last release', () => {
    const o = object<HelmRelease>(`
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata: {name: prometheus, namespace: monitoring}
spec:
  chart:
    spec:
      chart: prometheus
      version: 25.x
      sourceRef: {kind: HelmRepository, name: prom, namespace: flux-system}
      verify:
        provider: cosign
        secretRef: {name: cosign-pub}
        matchOIDCIdentity: [{issuer: a, subject: b}]
status:
  helmChart: flux-system/monitoring-prometheus
  lastAttemptedRevision: 25.1.0
  lastAppliedRevision: "should be ignored in v2"
  history:
  - {chartName: prometheus, chartVersion: 25.1.0, status: deployed, digest: sha256:1, version: 2}
  - {chartName: prometheus, chartVersion: 25.0.0, status: superseded, version: 1}
`);
    assert.deepEqual(o.chartTemplate, {
      chart: 'prometheus',
      version: '25.x',
      sourceRef: { kind: 'HelmRepository', name: 'prom', namespace: 'flux-system' },
      verify: { provider: 'cosign', secretRef: 'cosign-pub', matchOIDCIdentity: [], trustedRootSecretRef: undefined },
    });
    assert.equal(o.chartRef, undefined);
    assert.equal(o.helmChart, 'flux-system/monitoring-prometheus');
    assert.equal(o.lastAttemptedRevision, '25.1.0');
    assert.deepEqual(o.lastRelease, { chartName: 'prometheus', chartVersion: '25.1.0', ociDigest: undefined, status: 'deployed' });
    assert.equal(o.lastAppliedRevision, undefined);
  });

  it('v2 with chartRef: namespace defaults to the release, digest fields are read', () => {
    const o = object<HelmRelease>(`
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata: {name: podinfo, namespace: apps}
spec:
  chartRef: {kind: OCIRepository, name: podinfo-chart}
status:
  lastAttemptedRevision: 6.5.0+0123456789ab
  lastAttemptedRevisionDigest: sha256:0123456789abcdef
  history: [{chartName: podinfo, chartVersion: 6.5.0, ociDigest: "sha256:0123456789abcdef", status: deployed}]
`);
    assert.deepEqual(o.chartRef, { kind: 'OCIRepository', name: 'podinfo-chart', namespace: 'apps' });
    assert.equal(o.chartTemplate, undefined);
    assert.equal(o.lastAttemptedRevisionDigest, 'sha256:0123456789abcdef');
    assert.equal(o.lastRelease?.ociDigest, 'sha256:0123456789abcdef');
  });

  it('v2beta1 with lastAppliedRevision; template version defaults to *', () => {
    const o = object<HelmRelease>(`
apiVersion: helm.toolkit.fluxcd.io/v2beta1
kind: HelmRelease
metadata: {name: old, namespace: apps}
spec:
  chart:
    spec: {chart: podinfo, sourceRef: {kind: HelmRepository, name: podinfo}}
status:
  lastAppliedRevision: 6.0.0
  lastAttemptedRevision: 6.0.1
  helmChart: apps/apps-old
`);
    assert.equal(o.apiVersion, 'helm.toolkit.fluxcd.io/v2beta1');
    assert.equal(o.lastAppliedRevision, '6.0.0');
    assert.equal(o.lastAttemptedRevision, '6.0.1');
    assert.equal(o.chartTemplate?.version, '*');
    assert.deepEqual(o.chartTemplate?.sourceRef, { kind: 'HelmRepository', name: 'podinfo', namespace: 'apps' });
    assert.equal(o.chartTemplate?.verify, undefined);
    assert.equal(o.lastRelease, undefined);
  });

  it('v2beta2 keeps lastAppliedRevision too', () => {
    const o = object<HelmRelease>(`
apiVersion: helm.toolkit.fluxcd.io/v2beta2
kind: HelmRelease
metadata: {name: b2, namespace: apps}
spec: {chart: {spec: {chart: x, sourceRef: {kind: HelmRepository, name: r}, verify: {secretRef: {name: k}}}}}
status: {lastAppliedRevision: 1.0.0}
`);
    assert.equal(o.lastAppliedRevision, '1.0.0');
    assert.deepEqual(o.chartTemplate?.verify, { provider: 'cosign', secretRef: 'k', matchOIDCIdentity: [], trustedRootSecretRef: undefined });
  });

  it('neither chart nor chartRef, or both, is malformed', () => {
    const none = problem(`
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata: {name: hr, namespace: apps}
spec: {interval: 1m}
`);
    assert.equal(none.code, 'kube.malformed');
    assert.match(none.message, /HelmRelease apps\/hr/);
    assert.match(none.message, /spec\.chart/);
    const both = problem(`
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata: {name: hr, namespace: apps}
spec: {chart: {spec: {chart: x, sourceRef: {kind: HelmRepository, name: r}}}, chartRef: {kind: OCIRepository, name: o}}
`);
    assert.equal(both.code, 'kube.malformed');
  });
});

describe('normalize Kustomization and the other sources', () => {
  it('Kustomization v1', () => {
    const o = object<Kustomization>(`
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {name: podinfo, namespace: apps}
spec:
  sourceRef: {kind: OCIRepository, name: podinfo}
  path: ./deploy
  suspend: true
status:
  lastAppliedRevision: 6.5.0@sha256:abc
  lastAppliedOriginRevision: 6.5.0/b3b00fe
  lastAttemptedRevision: 6.5.1@sha256:def
  conditions: [{type: Ready, status: "False", reason: ReconciliationFailed, message: boom}]
`);
    assert.deepEqual(o.sourceRef, { kind: 'OCIRepository', name: 'podinfo', namespace: 'apps' });
    assert.equal(o.path, './deploy');
    assert.equal(o.suspend, true);
    assert.equal(o.lastAppliedRevision, '6.5.0@sha256:abc');
    assert.equal(o.lastAppliedOriginRevision, '6.5.0/b3b00fe');
    assert.equal(o.lastAttemptedRevision, '6.5.1@sha256:def');
    assert.equal(o.conditions[0]?.status, 'False');
  });

  it('Kustomization sourceRef in another namespace', () => {
    const o = object<Kustomization>(`
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {name: k, namespace: apps}
spec: {sourceRef: {kind: GitRepository, name: flux-system, namespace: flux-system}}
`);
    assert.deepEqual(o.sourceRef, { kind: 'GitRepository', name: 'flux-system', namespace: 'flux-system' });
  });

  it('GitRepository, Bucket, ExternalArtifact', () => {
    const git = object<GitRepository>(`
apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata: {name: flux-system, namespace: flux-system}
spec: {url: https://github.com/org/repo, ref: {branch: main}, secretRef: {name: auth}, verify: {mode: head, secretRef: {name: pgp}}}
status: {artifact: {revision: "main@sha1:0123", url: http://x}, sourceVerificationMode: HEAD}
`);
    assert.equal(git.kind, 'GitRepository');
    assert.equal(git.url, 'https://github.com/org/repo');
    // the mode as written: graph/git.ts reads it as source-controller does
    assert.deepEqual(git.verify, { mode: 'head', secretRef: 'pgp' });
    assert.deepEqual(git.ref, { branch: 'main', tag: undefined, semver: undefined, name: undefined, commit: undefined });
    assert.equal(git.secretRef, 'auth');
    assert.equal(git.provider, 'generic');
    assert.equal(git.sourceVerificationMode, 'HEAD');
    assert.equal(git.artifact?.revision, 'main@sha1:0123');
    const noMode = object<GitRepository>(`
apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata: {name: g, namespace: ns}
spec: {url: https://github.com/org/repo, verify: {secretRef: {name: pgp}}}
`);
    assert.deepEqual(noMode.verify, { mode: '', secretRef: 'pgp' });
    const bucket = object<OtherSource>(`
apiVersion: source.toolkit.fluxcd.io/v1
kind: Bucket
metadata: {name: b, namespace: ns}
spec: {endpoint: minio.example.com, bucketName: manifests, interval: 5m}
`);
    assert.equal(bucket.url, 'minio.example.com/manifests');
    const ea = object<OtherSource>(`
apiVersion: source.toolkit.fluxcd.io/v1
kind: ExternalArtifact
metadata: {name: ea, namespace: ns}
status: {artifact: {revision: "v1@sha256:aa", digest: "sha256:bb", url: http://x, lastUpdateTime: "2026-01-01T00:00:00Z"}}
`);
    assert.equal(ea.kind, 'ExternalArtifact');
    assert.equal(ea.suspend, false);
    assert.equal(ea.artifact?.digest, 'sha256:bb');
  });
});

describe('normalize: what is not read', () => {
  it('ignores non-Flux documents and non-objects', () => {
    assert.deepEqual(read('apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n'), { ignored: true });
    assert.deepEqual(read('apiVersion: example.com/v1\nkind: OCIRepository\nmetadata: {name: x}\n'), { ignored: true });
    assert.deepEqual(read('just a string'), { ignored: true });
    assert.deepEqual(read('[1, 2]'), { ignored: true });
  });

  it('reports an unsupported version of a Flux kind', () => {
    const p = problem('apiVersion: kustomize.toolkit.fluxcd.io/v1beta1\nkind: Kustomization\nmetadata: {name: k, namespace: a}\nspec: {}\n');
    assert.equal(p.code, 'kube.unsupported-version');
    assert.match(p.message, /Kustomization a\/k/);
    assert.match(p.message, /kustomize\.toolkit\.fluxcd\.io\/v1beta1/);
  });

  const base = 'apiVersion: source.toolkit.fluxcd.io/v1\nkind: OCIRepository\nmetadata: {name: bad, namespace: apps}\n';
  const cases: [string, string, RegExp][] = [
    ['missing spec', '', /spec: required field is missing/],
    ['missing url', 'spec: {ref: {tag: x}}\n', /spec\.url: required field is missing/],
    ['url of the wrong type', 'spec: {url: 42}\n', /spec\.url: expected a string, found a number/],
    ['insecure not a bool', 'spec: {url: oci://r/a, insecure: "yes"}\n', /spec\.insecure: expected true or false/],
    ['verify a list', 'spec: {url: oci://r/a, verify: [cosign]}\n', /spec\.verify: expected an object, found a list/],
    ['unknown verify provider', 'spec: {url: oci://r/a, verify: {provider: gpg}}\n', /spec\.verify\.provider: "gpg" is not one of cosign, notation/],
    ['identity without subject', 'spec: {url: oci://r/a, verify: {matchOIDCIdentity: [{issuer: x}]}}\n', /spec\.verify\.matchOIDCIdentity\[0\]\.subject: required field is missing/],
    ['secretRef without name', 'spec: {url: oci://r/a, secretRef: {}}\n', /spec\.secretRef\.name: required field is missing/],
    ['conditions not a list', 'spec: {url: oci://r/a}\nstatus: {conditions: {type: Ready}}\n', /status\.conditions: expected a list/],
    ['condition status out of enum', 'spec: {url: oci://r/a}\nstatus: {conditions: [{type: Ready, status: yes}]}\n', /status\.conditions\[0\]\.status/],
    ['artifact without revision', 'spec: {url: oci://r/a}\nstatus: {artifact: {url: http://x}}\n', /status\.artifact\.revision: required field is missing/],
  ];
  for (const [name, rest, re] of cases) {
    it(`malformed: ${name}`, () => {
      const p = problem(base + rest);
      assert.equal(p.code, 'kube.malformed');
      assert.match(p.message, /OCIRepository apps\/bad/);
      assert.match(p.message, /file:test\.yaml/);
      assert.match(p.message, re);
    });
  }

  it('malformed: label value not a string, metadata missing, name missing', () => {
    assert.match(problem('apiVersion: source.toolkit.fluxcd.io/v1\nkind: HelmRepository\nmetadata: {name: r, labels: {a: 1}}\nspec: {url: x}\n').message, /metadata\.labels\.a: expected a string/);
    assert.match(problem('apiVersion: source.toolkit.fluxcd.io/v1\nkind: HelmRepository\nspec: {url: x}\n').message, /metadata: required field is missing/);
    const unnamed = problem('apiVersion: source.toolkit.fluxcd.io/v1\nkind: HelmRepository\nmetadata: {namespace: n}\nspec: {url: x}\n');
    assert.match(unnamed.message, /HelmRepository n\/\(unnamed\)/);
    assert.match(unnamed.message, /metadata\.name: required field is missing/);
  });

  it('malformed: other kinds name their field', () => {
    assert.match(problem('apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: {name: k}\nspec: {sourceRef: {name: x}}\n').message, /spec\.sourceRef\.kind: required/);
    assert.match(problem('apiVersion: source.toolkit.fluxcd.io/v1\nkind: HelmChart\nmetadata: {name: c}\nspec: {sourceRef: {kind: HelmRepository, name: r}}\n').message, /spec\.chart: required/);
    assert.match(problem('apiVersion: source.toolkit.fluxcd.io/v1\nkind: HelmRepository\nmetadata: {name: r}\nspec: {url: x, type: git}\n').message, /spec\.type: "git" is not one of default, oci/);
    assert.match(problem('apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata: {name: h}\nspec: {chart: {spec: {chart: c}}}\n').message, /spec\.chart\.spec\.sourceRef: required/);
    assert.match(problem('apiVersion: source.toolkit.fluxcd.io/v1\nkind: Bucket\nmetadata: {name: b}\nspec: {endpoint: e}\n').message, /spec\.bucketName: required/);
  });

  it('a null value counts as absent (YAML `key:` with nothing)', () => {
    const o = object<OCIRepository>(base + 'spec:\n  url: oci://r/a\n  verify:\n  ref:\n');
    assert.equal(o.verify, undefined);
    assert.equal(o.ref, undefined);
  });
});
