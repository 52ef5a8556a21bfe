import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { copyText } from '../../../src/tui/clipboard.js';
import { copyTarget, osc52, shellQuote, verifyCommand } from '../../../src/tui/copy.js';
import { DIGEST, fleet, node, report } from './fixtures.js';

describe('the copy command builder', () => {
  it('builds cosign verify with the key Secret as k8s://', () => {
    const n = node({ name: 'bundle' });
    assert.equal(verifyCommand(n, report([n])), `cosign verify --key k8s://apps/cosign-pub --insecure-ignore-tlog=true registry.example/bundle@${DIGEST}`);
    assert.equal(verifyCommand(n, report([n]), { insecure: true }), `cosign verify --key k8s://apps/cosign-pub --insecure-ignore-tlog=true --allow-http-registry registry.example/bundle@${DIGEST}`);
  });

  it('builds keyless and notation commands', () => {
    const k = node({ name: 'k', trust: 'keyless' });
    assert.equal(
      verifyCommand(k, report([k])),
      `cosign verify --certificate-identity-regexp '^https://github.com/org/.*$' --certificate-oidc-issuer-regexp '^https://token.actions.githubusercontent.com$' registry.example/k@${DIGEST}`,
    );
    const nn = node({ name: 'n', trust: 'notation' });
    assert.equal(verifyCommand(nn, report([nn]), { insecure: true }), `notation verify --insecure-registry registry.example/n@${DIGEST}`);
  });

  it('uses the flags that replaced the trust, and nothing without trust', () => {
    const n = node({ name: 'o' });
    assert.equal(verifyCommand(n, report([n], { trustOverrides: ['--key cosign.pub'] })), `cosign verify --key cosign.pub registry.example/o@${DIGEST}`);
    const none = node({ name: 'x', trust: 'none', state: 'not-enforced' });
    assert.equal(verifyCommand(none, report([none])), undefined);
  });

  it('copies digest, reference or command, through the consumer to its source', () => {
    const r = fleet();
    const ks = r.nodes.find((n) => n.kind === 'Kustomization');
    assert.ok(ks);
    assert.deepEqual(copyTarget('digest', ks, r), { what: 'digest', text: DIGEST });
    assert.deepEqual(copyTarget('reference', ks, r), { what: 'reference', text: `registry.example/bundle@${DIGEST}` });
    assert.equal(copyTarget('command', ks, r)?.what, 'command');
    const nv = r.nodes.find((n) => n.name === 'no-verify');
    assert.ok(nv);
    // no trust: the command falls back to the reference
    assert.equal(copyTarget('command', nv, r)?.what, 'reference');
  });

  it('quotes for the shell only where needed', () => {
    assert.equal(shellQuote('registry.example/a@sha256:00'), 'registry.example/a@sha256:00');
    assert.equal(shellQuote("it's"), `'it'\\''s'`);
  });
});

describe('OSC 52', () => {
  it('encodes the text as base64 between ESC ] 52 ; c ; and BEL', () => {
    assert.equal(osc52('sha256:ab'), '\u001b]52;c;c2hhMjU2OmFi\u0007');
    const seq = osc52('ünï');
    assert.equal(Buffer.from(seq.slice(7, -1), 'base64').toString('utf8'), 'ünï');
  });

  it('is written whenever the system clipboard fails or hangs', async () => {
    const written: string[] = [];
    const failing = async () => async () => Promise.reject(new Error('no xsel'));
    assert.equal(await copyText('abc', (s) => written.push(s), failing), 'osc52');
    assert.deepEqual(written, [osc52('abc')]);
    const hanging = async () => () => new Promise<void>(() => undefined);
    assert.equal(await copyText('def', (s) => written.push(s), hanging, 20), 'osc52');
    const missing = async () => Promise.reject(new Error('cannot load'));
    assert.equal(await copyText('ghi', (s) => written.push(s), missing), 'osc52');
    assert.equal(written.length, 3);
    const ok = async () => async () => undefined;
    assert.equal(await copyText('jkl', (s) => written.push(s), ok), 'clipboard');
    assert.equal(written.length, 3);
  });
});

describe('a chart\'s reference', () => {
  it('is its repository URL, which already ends in the chart name, at its digest', async () => {
    const { referenceOf } = await import('../../../src/tui/format.js');
    const node = { finding: {}, artifact: { url: 'oci://ghcr.io/acme/charts/podinfo', ref: { kind: 'tag', tag: '6.5.0' }, chart: { name: 'podinfo', version: '6.5.0' }, registryDigest: `sha256:${'ab'.repeat(32)}` } } as unknown as Parameters<typeof referenceOf>[0];
    assert.equal(referenceOf(node), `ghcr.io/acme/charts/podinfo@sha256:${'ab'.repeat(32)}`);
  });
});
