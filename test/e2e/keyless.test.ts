import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { keylessTrustedRoot, writeKeylessLayout } from '../lab/keyless-image.js';
import { runPlugin } from '../lab/plugin.js';

// Keyless cannot be signed offline: the real public-good bundle is attached to its own image in an
// OCI layout (test/lab/keyless-image.ts) and verified end to end.
describe('keyless verification of a public-good bundle, offline', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kv-keyless-'));
  const root = keylessTrustedRoot();

  before(() => writeKeylessLayout(dir));
  after(() => rmSync(dir, { recursive: true, force: true }));

  const identity = ['--certificate-identity-regexp', '^cody@soyland\\.com$', '--certificate-oidc-issuer-regexp', '^https://github\\.com/login/oauth$'];

  it('verifies the Fulcio identity against the trusted root given', async () => {
    const r = await runPlugin(['artifact', `oci-layout://${dir}:v1`, ...identity, '--trusted-root', root]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /cody@soyland\.com/);
    assert.match(r.stdout, /https:\/\/github\.com\/login\/oauth/);
  });

  it('verifies with the public-good root shipped with the plugin when none is given', async () => {
    const r = await runPlugin(['artifact', `oci-layout://${dir}:v1`, ...identity]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
  });

  it('refuses another identity with cosign.identity-mismatch', async () => {
    const r = await runPlugin(['artifact', `oci-layout://${dir}:v1`, '--certificate-identity-regexp', '^someone@else\\.example$', '--certificate-oidc-issuer-regexp', 'github', '--trusted-root', root, '-o', 'json']);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.equal((JSON.parse(r.stdout) as { code: string }).code, 'cosign.identity-mismatch');
  });

  it('refuses the same bundle attached to another image: its subject names another digest', async () => {
    const r = await runPlugin(['artifact', `oci-layout://${dir}:other`, ...identity, '--trusted-root', root, '-o', 'json']);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.equal((JSON.parse(r.stdout) as { code: string }).code, 'cosign.subject-mismatch');
  });

  it('rejects a pattern Go’s regexp would not accept as a usage error, before fetching anything', async () => {
    const r = await runPlugin(['artifact', `oci-layout://${dir}:v1`, '--certificate-identity-regexp', '(?<=x)cody', '--certificate-oidc-issuer-regexp', 'github', '--trusted-root', root]);
    assert.equal(r.code, 2, r.stdout + r.stderr);
    assert.match(r.stderr, /^error: subject pattern "\(\?<=x\)cody" is not valid RE2: .*\n$/);
  });
});
