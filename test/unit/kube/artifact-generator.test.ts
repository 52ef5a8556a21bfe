import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { kindInfo } from '../../../src/kube/kinds.js';
import { normalize } from '../../../src/kube/normalize.js';
import type { ArtifactGenerator, FluxObject, OtherSource } from '../../../src/kube/types.js';

function object<T extends FluxObject>(yaml: string): T {
  const r = normalize(parse(yaml), { origin: 'file:test' });
  assert.ok('object' in r, JSON.stringify(r));
  return r.object as T;
}

describe('normalize: ExternalArtifact producer and ArtifactGenerator', () => {
  it('ArtifactGenerator is an optional kind of source-watcher\'s group', () => {
    const info = kindInfo('ArtifactGenerator');
    assert.equal(info.group, 'source.extensions.fluxcd.io');
    assert.equal(info.plural, 'artifactgenerators');
    assert.deepEqual(info.versions, ['v1beta1']);
    assert.equal(info.optional, true);
  });

  it('reads spec.sources with namespaces defaulted to the generator\'s', () => {
    const g = object<ArtifactGenerator>(`
apiVersion: source.extensions.fluxcd.io/v1beta1
kind: ArtifactGenerator
metadata: {name: gen, namespace: apps}
spec:
  sources:
    - {alias: app, kind: OCIRepository, name: podinfo}
    - {alias: cfg, kind: Bucket, name: config, namespace: shared}
  artifacts:
    - name: out
      copy: [{from: "@app/**", to: "@artifact/"}]
`);
    assert.equal(g.kind, 'ArtifactGenerator');
    assert.deepEqual(g.sources, [
      { alias: 'app', kind: 'OCIRepository', name: 'podinfo', namespace: 'apps' },
      { alias: 'cfg', kind: 'Bucket', name: 'config', namespace: 'shared' },
    ]);
  });

  it('an ArtifactGenerator without spec.sources is malformed', () => {
    const r = normalize(parse('apiVersion: source.extensions.fluxcd.io/v1beta1\nkind: ArtifactGenerator\nmetadata: {name: g}\nspec: {sources: [{alias: a, kind: Bucket}]}\n'), { origin: 'file:test' });
    assert.ok('problem' in r && r.problem.code === 'kube.malformed', JSON.stringify(r));
  });

  it('reads an ExternalArtifact\'s spec.sourceRef, namespace defaulted to the artifact\'s', () => {
    const ea = object<OtherSource>(`
apiVersion: source.toolkit.fluxcd.io/v1
kind: ExternalArtifact
metadata: {name: out, namespace: apps}
spec: {sourceRef: {apiVersion: source.extensions.fluxcd.io/v1beta1, kind: ArtifactGenerator, name: gen}}
`);
    assert.deepEqual(ea.sourceRef, { kind: 'ArtifactGenerator', name: 'gen', namespace: 'apps', apiVersion: 'source.extensions.fluxcd.io/v1beta1' });
    const bare = object<OtherSource>('apiVersion: source.toolkit.fluxcd.io/v1\nkind: ExternalArtifact\nmetadata: {name: out, namespace: apps}\n');
    assert.equal(bare.sourceRef, undefined);
  });
});
