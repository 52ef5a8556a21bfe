import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { inspect } from 'node:util';
import { after, describe, it } from 'node:test';
import { VerifyError } from '../../../src/errors.js';
import { describeCredential, lookupAuthEntry, parseDockerConfigAuths, type Credential } from '../../../src/registry/credentials.js';
import { dockerConfigCredential, runCredentialHelper } from '../../../src/registry/docker-config.js';
import { credentialFromDockerConfigJson } from '../../../src/registry/secret.js';

const SECRET = 's3cr3t-P4ss';
const b64 = (s: string): string => Buffer.from(s).toString('base64');

function basic(c: Credential): [string, string] {
  assert.equal(c.kind, 'basic');
  return c.kind === 'basic' ? [c.username, c.password] : ['', ''];
}

describe('dockerconfigjson Secret lookup (kubelet keyring rules, as Flux)', () => {
  const secret = JSON.stringify({
    auths: {
      'https://index.docker.io/v1/': { auth: b64('hub:hubpass') },
      'ghcr.io': { username: 'gh', password: 'ghpass', auth: b64('gh-from-auth:ghpass2') },
      'ghcr.io/private-org': { username: 'org', password: 'orgpass' },
      '*.example.com': { username: 'glob', password: 'globpass' },
      'https://reg.local:5000/v2/': { username: 'port', password: 'portpass' },
    },
  });
  const cases: [host: string, repo: string, expected: [string, string] | undefined][] = [
    ['index.docker.io', 'library/alpine', ['hub', 'hubpass']],
    ['ghcr.io', 'someone/app', ['gh-from-auth', 'ghpass2']], // auth wins over username/password
    ['ghcr.io', 'private-org/app', ['org', 'orgpass']], // longer key first
    ['a.example.com', 'x', ['glob', 'globpass']],
    ['a.b.example.com', 'x', undefined], // a glob matches one label only
    ['reg.local:5000', 'x', ['port', 'portpass']],
    ['reg.local', 'x', undefined], // ports must match
    ['quay.io', 'x', undefined],
  ];
  for (const [host, repo, expected] of cases) {
    it(`${host}/${repo}`, () => {
      const c = credentialFromDockerConfigJson(secret, host, repo, 'Secret apps/regcred');
      if (expected === undefined) assert.equal(c.kind, 'anonymous');
      else assert.deepEqual(basic(c), expected);
    });
  }

  it('reads the legacy .dockercfg shape (the bare map)', () => {
    const auths = parseDockerConfigAuths(JSON.stringify({ 'reg.example': { auth: b64('u:p') } }), 'Secret a/b');
    assert.ok(lookupAuthEntry(auths, 'reg.example', 'r'));
  });

  it('names the source, never the secret, in descriptions and errors', () => {
    const c = credentialFromDockerConfigJson(secret, 'ghcr.io', 'x/y', 'Secret apps/regcred');
    assert.ok(!describeCredential(c).includes('ghpass'));
    assert.match(describeCredential(c), /Secret apps\/regcred/);
    const broken = `{"auths":{"ghcr.io":{"auth":"${b64(`u:${SECRET}`)}", "password": "${SECRET}" `;
    assert.throws(
      () => credentialFromDockerConfigJson(broken, 'ghcr.io', 'x', 'Secret apps/regcred'),
      (e: unknown) => e instanceof VerifyError && e.code === 'registry.credentials' && !inspect(e, { depth: 10 }).includes(SECRET) && !inspect(e).includes(b64(`u:${SECRET}`)),
    );
  });
});

describe('docker config file and credential helpers', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kv-dockercfg-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  // A fake helper: answers for reg.helper, says "not found" otherwise, hangs for slow.example.
  const helper = join(dir, 'docker-credential-x');
  writeFileSync(
    helper,
    `#!/bin/sh
read server
case "$server" in
  reg.helper) echo '{"ServerURL":"reg.helper","Username":"helper-user","Secret":"${SECRET}"}' ;;
  token.helper) echo '{"ServerURL":"token.helper","Username":"<token>","Secret":"${SECRET}"}' ;;
  https://index.docker.io/v1/) echo '{"ServerURL":"hub","Username":"hubby","Secret":"${SECRET}"}' ;;
  slow.example) sleep 5 ;;
  broken.example) echo '${SECRET} is not json'; exit 0 ;;
  *) echo 'credentials not found in native keychain'; exit 1 ;;
esac
`,
  );
  chmodSync(helper, 0o755);
  const env = { ...process.env, PATH: `${dir}${delimiter}${process.env.PATH ?? ''}` };
  writeFileSync(
    join(dir, 'config.json'),
    JSON.stringify({ auths: { 'https://plain.example/v1/': { auth: b64('plain:plainpass') } }, credHelpers: { 'reg.helper': 'x', 'token.helper': 'x', 'slow.example': 'x', 'broken.example': 'x', 'missing.example': 'x', 'index.docker.io': 'x' } }),
  );

  it('uses credHelpers for the host, with the host on stdin', async () => {
    assert.deepEqual(basic(await dockerConfigCredential('reg.helper', { configDir: dir, env })), ['helper-user', SECRET]);
  });
  it('asks the helper for Docker Hub by its v1 URL', async () => {
    assert.deepEqual(basic(await dockerConfigCredential('index.docker.io', { configDir: dir, env })), ['hubby', SECRET]);
  });
  it('treats a <token> user as an identity token', async () => {
    const c = await dockerConfigCredential('token.helper', { configDir: dir, env });
    assert.equal(c.kind, 'identity-token');
  });
  it('"credentials not found" from the helper means anonymous', async () => {
    assert.equal((await dockerConfigCredential('missing.example', { configDir: dir, env })).kind, 'anonymous');
  });
  it('falls back to auths matched by hostname', async () => {
    assert.deepEqual(basic(await dockerConfigCredential('plain.example', { configDir: dir, env })), ['plain', 'plainpass']);
  });
  it('honours $DOCKER_CONFIG', async () => {
    assert.deepEqual(basic(await dockerConfigCredential('plain.example', { env: { ...env, DOCKER_CONFIG: dir } })), ['plain', 'plainpass']);
  });
  it('is anonymous without a config file', async () => {
    assert.equal((await dockerConfigCredential('plain.example', { configDir: join(dir, 'none'), env })).kind, 'anonymous');
  });
  it('times out a hanging helper', async () => {
    await assert.rejects(dockerConfigCredential('slow.example', { configDir: dir, env, helperTimeoutMs: 300 }), (e: unknown) => e instanceof VerifyError && e.code === 'registry.credentials' && /within 300 ms/.test(e.message));
  });
  it('never quotes helper output in errors', async () => {
    await assert.rejects(dockerConfigCredential('broken.example', { configDir: dir, env }), (e: unknown) => e instanceof VerifyError && !inspect(e, { depth: 10 }).includes(SECRET));
  });
  it('says when the helper program is missing', async () => {
    await assert.rejects(runCredentialHelper('nope-not-installed', 'x', { env }), (e: unknown) => e instanceof VerifyError && /not found on PATH/.test(e.message));
  });
});
