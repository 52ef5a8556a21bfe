import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseFluxVersionFlag } from '../../../src/cli/audit.js';
import { CliExit } from '../../../src/cli/exit.js';
import { KubeError } from '../../../src/kube/errors.js';
import { compareSemver, FLUX2_SOURCE_CONTROLLER, parseSemver, readFluxVersion, sourceControllerForFlux2, versionFromImage, type Semver } from '../../../src/kube/flux-version.js';

const DEPLOY = '/apis/apps/v1/namespaces/flux-system/deployments/source-controller';
const LIST = '/apis/apps/v1/namespaces/flux-system/deployments?labelSelector=app.kubernetes.io%2Fcomponent%3Dsource-controller';
const CRD = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/gitrepositories.source.toolkit.fluxcd.io';

const deployment = (name: string, containers: { name: string; image: string }[]): unknown => ({ metadata: { name, namespace: 'flux-system' }, spec: { template: { spec: { containers } } } });
const crd = (labels: Record<string, string>): unknown => ({ metadata: { name: 'gitrepositories.source.toolkit.fluxcd.io', labels } });

/** an API server that answers the paths given and 404s the rest; records what was asked */
function server(answers: Record<string, unknown | KubeError>): { getJson(path: string): Promise<unknown>; asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    getJson(path: string) {
      asked.push(path);
      const a = answers[path];
      if (a instanceof KubeError) return Promise.reject(a);
      if (a === undefined) return Promise.reject(new KubeError('kube.not-found', `${path} not found`, { status: 404 }));
      return Promise.resolve(a);
    },
  };
}
const forbidden = (what: string): KubeError => new KubeError('kube.forbidden', `${what} is forbidden: User "jane" cannot get resource`, { status: 403 });

describe('versions and images', () => {
  it('reads MAJOR.MINOR.PATCH with or without v, and nothing else', () => {
    assert.deepEqual(parseSemver('v1.9.4'), [1, 9, 4]);
    assert.deepEqual(parseSemver('1.8.0'), [1, 8, 0]);
    assert.deepEqual(parseSemver('v1.9.0-rc.1'), [1, 9, 0]);
    for (const bad of ['1.9', 'latest', 'v1.09.0', '1.9.4.1', '']) assert.equal(parseSemver(bad), undefined, bad);
  });

  it('takes the tag of an image, not a registry port, and drops a digest', () => {
    assert.deepEqual(versionFromImage('ghcr.io/fluxcd/source-controller:v1.9.4'), [1, 9, 4]);
    assert.deepEqual(versionFromImage('ghcr.io/fluxcd/source-controller:v1.9.4@sha256:' + 'a'.repeat(64)), [1, 9, 4]);
    assert.deepEqual(versionFromImage('mirror.example:5000/fluxcd/source-controller:1.7.4'), [1, 7, 4]);
    assert.equal(versionFromImage('mirror.example:5000/fluxcd/source-controller'), undefined);
    assert.equal(versionFromImage('ghcr.io/fluxcd/source-controller@sha256:' + 'a'.repeat(64)), undefined);
    assert.equal(versionFromImage('ghcr.io/fluxcd/source-controller:main'), undefined);
  });

  it('maps a flux2 version to the source-controller it ships: exact rows, patches between rows, unknown minors', () => {
    assert.deepEqual(sourceControllerForFlux2([2, 9, 4]), { sourceController: '1.9.4', exact: true, row: '2.9.4' });
    assert.deepEqual(sourceControllerForFlux2([2, 9, 0]), { sourceController: '1.9.1', exact: true, row: '2.9.0' });
    assert.deepEqual(sourceControllerForFlux2([2, 8, 3]), { sourceController: '1.8.0', exact: false, row: '2.8.0' });
    assert.deepEqual(sourceControllerForFlux2([2, 2, 1]), { sourceController: '1.2.2', exact: false, row: '2.2.0' });
    assert.match((sourceControllerForFlux2([2, 10, 0]) as { problem: string }).problem, /flux2 v2\.10\.0 is newer than the plugin's table of releases \(last: flux2 v2\.9\.4\)/);
    assert.match((sourceControllerForFlux2([0, 20, 0]) as { problem: string }).problem, /not in the plugin's table/);
  });

  it('the table is ordered and each row parses', () => {
    const rows = FLUX2_SOURCE_CONTROLLER.map((r) => [parseSemver(r.flux2), parseSemver(r.sourceController)]);
    for (const [f, s] of rows) assert.ok(f && s);
    for (let i = 1; i < FLUX2_SOURCE_CONTROLLER.length; i++) {
      const [a, b] = [FLUX2_SOURCE_CONTROLLER[i - 1], FLUX2_SOURCE_CONTROLLER[i]];
      assert.ok(a && b && compareSemver(parseSemver(a.flux2) as Semver, parseSemver(b.flux2) as Semver) < 0, `${a?.flux2} before ${b?.flux2}`);
      assert.ok(a && b && compareSemver(parseSemver(a.sourceController) as Semver, parseSemver(b.sourceController) as Semver) < 0, `${a?.sourceController} before ${b?.sourceController}`);
    }
  });
});

describe('readFluxVersion', () => {
  it('reads the manager container of flux-system/source-controller', async () => {
    const api = server({ [DEPLOY]: deployment('source-controller', [{ name: 'sidecar', image: 'busybox:1.36.0' }, { name: 'manager', image: 'ghcr.io/fluxcd/source-controller:v1.9.4@sha256:' + 'b'.repeat(64) }]) });
    const v = await readFluxVersion(api);
    assert.deepEqual(v, { version: '1.9.4', from: 'deployment', detail: `Deployment flux-system/source-controller, image ghcr.io/fluxcd/source-controller:v1.9.4@sha256:${'b'.repeat(64)}` });
    assert.deepEqual(api.asked, [DEPLOY]);
  });

  it('a renamed Deployment is found by its component label', async () => {
    const api = server({ [LIST]: { items: [deployment('sc', [{ name: 'manager', image: 'ghcr.io/fluxcd/source-controller:v1.8.2' }])] } });
    const v = await readFluxVersion(api);
    assert.equal(v.version, '1.8.2');
    assert.equal(v.detail, 'Deployment flux-system/sc, image ghcr.io/fluxcd/source-controller:v1.8.2');
  });

  it('a forbidden Deployment falls back to the CRD label, mapped and said to be inferred, with the reason', async () => {
    const api = server({ [DEPLOY]: forbidden('deployments.apps "source-controller"'), [CRD]: crd({ 'app.kubernetes.io/version': 'v2.7.5', 'app.kubernetes.io/part-of': 'flux' }) });
    const v = await readFluxVersion(api);
    assert.equal(v.version, '1.7.4');
    assert.equal(v.from, 'crd-label');
    assert.equal(v.inferred, true);
    assert.match(v.detail, /^CRD gitrepositories\.source\.toolkit\.fluxcd\.io label app\.kubernetes\.io\/version=v2\.7\.5, which ships source-controller v1\.7\.4 \(Deployment flux-system\/source-controller: forbidden/);
    assert.ok(!api.asked.includes(LIST), 'a forbidden get is not followed by a list');
  });

  it('an image tag that is no version falls back too', async () => {
    const api = server({ [DEPLOY]: deployment('source-controller', [{ name: 'manager', image: 'mirror.example/sc@sha256:' + 'c'.repeat(64) }]), [CRD]: crd({ 'app.kubernetes.io/version': 'v2.8.3' }) });
    const v = await readFluxVersion(api);
    assert.equal(v.version, '1.8.0');
    assert.match(v.detail, /inferred: flux2 v2\.8\.0 ships source-controller v1\.8\.0, the oldest this minor can run/);
    assert.match(v.detail, /whose tag is not a version/);
  });

  it('nothing readable: unknown, saying why for each source', async () => {
    const api = server({ [LIST]: { items: [] }, [CRD]: crd({}) });
    const v = await readFluxVersion(api);
    assert.equal(v.version, undefined);
    assert.equal(v.from, 'unknown');
    assert.match(v.detail, /no Deployment source-controller \(nor one labelled app\.kubernetes\.io\/component=source-controller\) in namespace flux-system; CRD gitrepositories\.source\.toolkit\.fluxcd\.io has no app\.kubernetes\.io\/version label/);
  });

  it('cancellation is not a fallback', async () => {
    const api = server({ [DEPLOY]: new KubeError('kube.aborted', 'aborted') });
    await assert.rejects(readFluxVersion(api), (e: unknown) => e instanceof KubeError && e.code === 'kube.aborted');
  });
});

describe('--flux-version', () => {
  it('a source-controller release, with or without v', () => {
    assert.deepEqual(parseFluxVersionFlag('1.8.0'), { version: '1.8.0', detail: '--flux-version 1.8.0' });
    assert.deepEqual(parseFluxVersionFlag('v1.7.4'), { version: '1.7.4', detail: '--flux-version v1.7.4' });
  });

  it('a flux2 distribution, mapped', () => {
    assert.deepEqual(parseFluxVersionFlag('flux2@2.9.0'), { version: '1.9.1', detail: '--flux-version flux2@2.9.0: flux2 v2.9.0 ships source-controller v1.9.1' });
    assert.equal(parseFluxVersionFlag('flux2@v2.8.3').version, '1.8.0');
  });

  it('anything else is a usage error naming the accepted forms', () => {
    for (const bad of ['1.8', 'latest', '>=1.8.0', 'v1.9.0-rc.1', 'flux@2.8.0', 'source-controller@1.8.0', '']) {
      assert.throws(
        () => parseFluxVersionFlag(bad),
        (e: unknown) => e instanceof CliExit && e.exitCode === 2 && /must be a source-controller release such as 1\.8\.0 or v1\.8\.0, or a Flux distribution such as flux2@2\.8\.0/.test(e.message),
        bad,
      );
    }
    assert.throws(() => parseFluxVersionFlag('flux2@2.10.0'), (e: unknown) => e instanceof CliExit && e.exitCode === 2 && /newer than the plugin's table/.test(e.message));
  });
});
