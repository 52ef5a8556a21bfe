import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import bcrypt from 'bcryptjs';
import type { Report } from '../../src/report/model.js';
import { runPlugin } from '../lab/plugin.js';
import { startRegistry, type RunningRegistry } from '../lab/registries.js';
import { useSeededLab } from '../lab/seeded.js';

const USER = 'ci';
const PASSWORD = 'lab-pull-secret-7f3a';

// The seeded olareg's content served again, read-only, by olareg with Basic auth and by olareg with
// Bearer tokens from its own token endpoint: real challenges, real token flow.
describe('registries that require credentials', () => {
  const lab = useSeededLab('auth');
  const registries: Partial<Record<'basic' | 'token', RunningRegistry>> = {};

  before(async () => {
    const dir = join(lab().dir, 'auth');
    mkdirSync(dir);
    const config = join(dir, 'users.yaml');
    writeFileSync(
      config,
      [
        'users:',
        `  ${USER}:`,
        `    cred: "${bcrypt.hashSync(PASSWORD, 10)}"`,
        'groups:',
        '  pullers:',
        `    members: ["${USER}"]`,
        'acls:',
        '  - repo: "*"',
        '    members: ["pullers"]',
        '    access: ["read"]',
        '  - repo: ""',
        '    members: ["pullers"]',
        '    anonymous: true',
        '    access: ["read"]',
        '',
      ].join('\n'),
    );
    for (const mode of ['basic', 'token'] as const) {
      registries[mode] = await startRegistry('olareg', { dir: lab().olareg.dir, readOnly: true, auth: { mode, config } });
    }
  });
  after(async () => {
    for (const r of Object.values(registries)) await r?.stop();
  });

  const host = (mode: 'basic' | 'token'): string => registries[mode]?.host ?? '';
  const key = (): string => lab().seed.material.cosignKeys.ecdsa.pub;
  const dockerConfig = (mode: 'basic' | 'token', password: string): string => {
    const d = join(lab().dir, `docker-${mode}-${password.length}`);
    mkdirSync(d, { recursive: true });
    writeFileSync(join(d, 'config.json'), JSON.stringify({ auths: { [host(mode)]: { auth: Buffer.from(`${USER}:${password}`).toString('base64') } } }));
    return d;
  };
  const leaks = (text: string): boolean => text.includes(PASSWORD) || text.includes(Buffer.from(`${USER}:${PASSWORD}`).toString('base64'));

  for (const mode of ['basic', 'token'] as const) {
    it(`${mode}: anonymous is refused with registry.unauthorized and exit 3`, async () => {
      const r = await runPlugin(['artifact', `oci://${host(mode)}/cosign-bundle-ecdsa:1.0.0`, '--key', key(), '--insecure'], { DOCKER_CONFIG: join(lab().dir, 'no-docker-config') });
      assert.equal(r.code, 3, r.stdout + r.stderr);
      assert.match(r.stdout, /\[registry\.unauthorized\]/);
    });

    it(`${mode}: credentials from the docker config verify, and never appear in the output`, async () => {
      const r = await runPlugin(['artifact', `oci://${host(mode)}/cosign-bundle-ecdsa:1.0.0`, '--key', key(), '--insecure', '-o', 'json'], { DOCKER_CONFIG: dockerConfig(mode, PASSWORD) });
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.ok(!leaks(r.stdout + r.stderr));
    });

    it(`${mode}: a wrong password is registry-auth, and the password is not echoed`, async () => {
      const wrong = `${PASSWORD}-wrong`;
      const r = await runPlugin(['artifact', `oci://${host(mode)}/cosign-bundle-ecdsa:1.0.0`, '--key', key(), '--insecure'], { DOCKER_CONFIG: dockerConfig(mode, wrong) });
      assert.equal(r.code, 3, r.stdout + r.stderr);
      assert.match(r.stdout, /\[registry\.(unauthorized|forbidden)\]/);
      assert.ok(!(r.stdout + r.stderr).includes(wrong));
    });

    it(`${mode}: an OCIRepository's dockerconfigjson secretRef is used as Flux uses it`, async () => {
      const digest = lab().seed.cases.find((c) => c.name === 'cosign-bundle-ecdsa')?.digest ?? '';
      const config = Buffer.from(JSON.stringify({ auths: { [host(mode)]: { username: USER, password: PASSWORD } } })).toString('base64');
      const yaml = [
        `apiVersion: v1\nkind: Secret\nmetadata: {name: cosign-pub, namespace: auth}\ndata: {cosign.pub: ${readFileSync(key()).toString('base64')}}`,
        `apiVersion: v1\nkind: Secret\ntype: kubernetes.io/dockerconfigjson\nmetadata: {name: regcred, namespace: auth}\ndata: {.dockerconfigjson: ${config}}`,
        `apiVersion: source.toolkit.fluxcd.io/v1\nkind: OCIRepository\nmetadata: {name: app, namespace: auth}\nspec:\n  interval: 10m\n  url: oci://${host(mode)}/cosign-bundle-ecdsa\n  insecure: true\n  secretRef: {name: regcred}\n  ref: {tag: "1.0.0"}\n  verify: {provider: cosign, secretRef: {name: cosign-pub}}\nstatus:\n  artifact: {revision: "1.0.0@${digest}", digest: "sha256:${'0'.repeat(64)}", path: x, url: x, lastUpdateTime: "2026-11-01T00:00:00Z"}`,
      ].join('\n---\n');
      const file = join(lab().dir, `fleet-${mode}.yaml`);
      writeFileSync(file, yaml);
      for (const format of ['json', 'yaml', 'wide', 'tree']) {
        const r = await runPlugin(['-f', file, '-o', format]);
        assert.ok(!leaks(r.stdout + r.stderr), `-o ${format} shows the pull secret`);
        if (format === 'json') {
          const node = (JSON.parse(r.stdout) as Report).nodes.find((n) => n.name === 'app');
          assert.equal(node?.finding.state, 'verified', node?.finding.message);
        }
      }
    });
  }
});
