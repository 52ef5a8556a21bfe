import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileIdentity, exactPattern, matchIdentity } from '../../../../src/verify/cosign/index.js';
import { must } from './must.js';

const id = { sans: ['https://github.com/org/repo/.github/workflows/release.yml@refs/tags/v1.2.3', 'ci@example.com'], issuer: 'https://token.actions.githubusercontent.com' };
const match = (issuer: string, subject: string) => matchIdentity(compileIdentity({ issuer, subject }), id);

describe('cosign identity: Go RE2 semantics as cosign applies them', () => {
  it('matches unanchored, as Go MatchString does', () => {
    assert.equal(match('githubusercontent', 'org/repo').ok, true);
    assert.equal(match('^githubusercontent', '').ok, false);
  });

  it('the subject pattern may match any SAN', () => {
    assert.equal(match('', '^ci@example\\.com$').ok, true);
  });

  it('an empty pattern is no constraint', () => {
    assert.equal(match('', '').ok, true);
  });

  it('accepts RE2-only syntax: \\z, (?i), (?P<name>…)', () => {
    assert.equal(match('\\.com\\z', '').ok, true);
    assert.equal(match('(?i)TOKEN', '').ok, true);
    assert.equal(match('', '(?P<org>org)/repo').ok, true);
  });

  it('rejects syntax RE2 does not have, with a distinct code, never approximated', () => {
    for (const p of ['foo(?=bar)', '(a)\\1', 'a++', '(?<!x)y', '[']) {
      assert.throws(() => compileIdentity({ issuer: '', subject: p }), (e: { code?: string }) => e.code === 'cosign.identity-pattern-invalid', p);
    }
  });

  it('mismatches say expected vs found', () => {
    const c = match('^https://accounts\\.google\\.com$', '');
    assert.equal(c.code, 'cosign.identity-mismatch');
    assert.match(c.message, /expected issuer matching .* found https:\/\/token\.actions/);
  });

  it('exactPattern quotes metacharacters', () => {
    assert.equal(match(exactPattern(id.issuer), exactPattern(must(id.sans[0]))).ok, true);
    assert.equal(match('', exactPattern('https://github.com/org/repo/.github/workflows/release.yml@refs/tags/v1')).ok, false);
  });
});
