import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseChallenges } from '../../../src/registry/challenge.js';
import { nextLink } from '../../../src/registry/link.js';
import { parseRetryAfter } from '../../../src/registry/transport.js';

describe('parseChallenges', () => {
  const cases: [string, { scheme: string; params: Record<string, string> }[]][] = [
    [
      'Bearer realm="https://ghcr.io/token",service="ghcr.io",scope="repository:a/b:pull"',
      [{ scheme: 'bearer', params: { realm: 'https://ghcr.io/token', service: 'ghcr.io', scope: 'repository:a/b:pull' } }],
    ],
    ['Basic realm="Registry Realm"', [{ scheme: 'basic', params: { realm: 'Registry Realm' } }]],
    [
      'bearer Realm="https://auth/t", Scope="repository:a:pull,push"',
      [{ scheme: 'bearer', params: { realm: 'https://auth/t', scope: 'repository:a:pull,push' } }],
    ],
    [
      'Bearer realm="https://a/t",service="s", Basic realm="r"',
      [
        { scheme: 'bearer', params: { realm: 'https://a/t', service: 's' } },
        { scheme: 'basic', params: { realm: 'r' } },
      ],
    ],
    ['Bearer realm=https://a/t,service=reg', [{ scheme: 'bearer', params: { realm: 'https://a/t', service: 'reg' } }]],
    ['Bearer realm="quo\\"ted"', [{ scheme: 'bearer', params: { realm: 'quo"ted' } }]],
    ['Negotiate abc==, Basic realm="x"', [{ scheme: 'negotiate', params: {} }, { scheme: 'basic', params: { realm: 'x' } }]],
    ['', []],
    ['  ,, ', []],
  ];
  for (const [header, expected] of cases) {
    it(JSON.stringify(header), () => {
      assert.deepEqual(parseChallenges(header), expected);
    });
  }
  it('survives garbage without looping', () => {
    assert.ok(Array.isArray(parseChallenges('=== "unterminated')));
  });
});

describe('nextLink', () => {
  const base = 'https://reg.example/v2/a/tags/list';
  it('resolves a relative rel="next" link', () => {
    assert.equal(nextLink('</v2/a/tags/list?n=2&last=b>; rel="next"', base), 'https://reg.example/v2/a/tags/list?n=2&last=b');
  });
  it('finds next among several links and accepts an unquoted rel', () => {
    assert.equal(nextLink('<https://reg.example/p1>; rel="prev", <https://reg.example/p3>; rel=next', base), 'https://reg.example/p3');
  });
  it('is undefined without a next link', () => {
    assert.equal(nextLink('<https://reg.example/p1>; rel="prev"', base), undefined);
    assert.equal(nextLink(undefined, base), undefined);
  });
});

describe('parseRetryAfter', () => {
  it('reads seconds and HTTP dates', () => {
    assert.equal(parseRetryAfter('3'), 3000);
    assert.equal(parseRetryAfter('Wed, 01 Jan 2031 00:00:10 GMT', Date.parse('2031-01-01T00:00:00Z')), 10_000);
    assert.equal(parseRetryAfter('soon'), undefined);
  });
});
