import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseRequestTimeout } from '../../../src/kube/duration.js';
import { KubeError } from '../../../src/kube/errors.js';
import { matchesSelector, parseSelector } from '../../../src/kube/selector.js';

describe('label selectors (kubectl -l)', () => {
  const labels = { app: 'podinfo', tier: 'web', 'example.com/team': 'a', n: '5' };
  const cases: [string, boolean][] = [
    ['', true],
    ['app=podinfo', true],
    ['app==podinfo', true],
    ['app=other', false],
    ['app!=other', true],
    ['missing!=x', true],
    ['app in (podinfo, other)', true],
    ['app notin (podinfo)', false],
    ['missing notin (x)', true],
    ['missing in (x)', false],
    ['app', true],
    ['!app', false],
    ['!missing', true],
    ['example.com/team=a,tier=web', true],
    ['example.com/team=a,tier=db', false],
    ['n>3', true],
    ['n<3', false],
    ['app>3', false],
    ['app=', false],
    ['empty=', true],
  ];
  for (const [sel, want] of cases) {
    it(`${JSON.stringify(sel)} → ${want}`, () => {
      assert.equal(matchesSelector(parseSelector(sel), { ...labels, empty: '' }), want);
    });
  }

  for (const bad of ['=x', 'a in (b', 'a b', 'a=b=c', 'a,,b', 'a>x', `a=${'x'.repeat(64)}`]) {
    it(`rejects ${JSON.stringify(bad)}`, () => {
      assert.throws(() => parseSelector(bad), (e: unknown) => e instanceof KubeError && e.code === 'kube.invalid-selector');
    });
  }
});

describe('--request-timeout', () => {
  const cases: [string | undefined, number | undefined][] = [
    [undefined, undefined],
    ['', undefined],
    ['0', undefined],
    ['0s', undefined],
    ['5', 5000],
    ['5s', 5000],
    ['1m30s', 90_000],
    ['1h', 3_600_000],
    ['250ms', 250],
    ['1.5s', 1500],
    ['100us', 1],
  ];
  for (const [v, want] of cases) {
    it(`${JSON.stringify(v)} → ${want}`, () => assert.equal(parseRequestTimeout(v), want));
  }
  for (const bad of ['5x', 's', '1m 30s', '-1s', 'abc']) {
    it(`rejects ${JSON.stringify(bad)}`, () => {
      assert.throws(() => parseRequestTimeout(bad), (e: unknown) => e instanceof KubeError && e.code === 'kube.invalid-flag');
    });
  }
});
