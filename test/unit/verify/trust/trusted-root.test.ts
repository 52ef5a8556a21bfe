import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fixture } from '../../../helpers/paths.js';
import { parseTrustedRoot, publicGoodTrustedRoot } from '../../../../src/verify/trust/index.js';
import { must } from '../cosign/must.js';

const isRootInvalid = (e: { code?: string }) => e.code === 'trust.root-invalid';

describe('trusted roots', () => {
  it('loads the public-good root shipped in @sigstore/tuf once', () => {
    const root = publicGoodTrustedRoot();
    assert.ok(root.tlogs.some((t) => t.baseUrl === 'https://rekor.sigstore.dev'));
    assert.ok(root.certificateAuthorities.length > 0);
    assert.equal(publicGoodTrustedRoot(), root);
  });

  it('parses the fixture roots', () => {
    assert.ok(parseTrustedRoot(readFileSync(fixture('cosign-bundle', 'trusted_root_pgi.json'))).tlogs.length > 0);
    assert.ok(parseTrustedRoot(readFileSync(fixture('sigstore-conformance', 'trusted_root.production.json'))).tlogs.length > 0);
  });

  it('rejects non-JSON, truncated JSON and a tlog key without validFor.start', () => {
    assert.throws(() => parseTrustedRoot('nope'), isRootInvalid);
    const text = readFileSync(fixture('cosign-bundle', 'trusted_root_pgi.json'), 'utf8');
    assert.throws(() => parseTrustedRoot(text.slice(0, 200)), isRootInvalid);
    const json = JSON.parse(text) as { tlogs: { publicKey: { validFor?: unknown } }[] };
    delete must(json.tlogs[0]).publicKey.validFor;
    assert.throws(() => parseTrustedRoot(JSON.stringify(json)), isRootInvalid);
    assert.throws(() => parseTrustedRoot(readFileSync(fixture('sigstore-conformance', 'bundle-verify', 'trust-root-tlog-missing-validity-start_fail', 'trusted_root.json'))), isRootInvalid);
  });
});
