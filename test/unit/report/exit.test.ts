import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultFailOn, exitCodeFor, failOnClasses, type FailOnClass } from '../../../src/report/exit.js';
import type { Report, ReportNode } from '../../../src/report/model.js';
import type { FindingState } from '../../../src/verdict/types.js';
import { empty, fleet, overridden, PROBLEMS, problemsOnly, report } from './fixtures.js';

/** A report of the fleet's first node in `state`, with the fleet's other findings left out. */
function only(pick: (n: ReportNode) => boolean): Report {
  const n = fleet().nodes.find(pick);
  assert.ok(n, 'the fleet has such a node');
  return report([{ ...n, sourceIds: [] }]);
}
const inState = (state: FindingState): Report => only((n) => n.finding.state === state && !n.finding.reasons.includes('drift') && n.finding.flux.agrees !== false);

describe('exitCodeFor', () => {
  it('exits 0 when everything is verified', () => {
    assert.equal(exitCodeFor(inState('verified')), 0);
    assert.equal(exitCodeFor(overridden()), 0);
  });

  it('exits 0 for an empty report: nothing in scope is not a finding', () => {
    assert.equal(exitCodeFor(empty()), 0);
  });

  it('exits 3 when nothing could be read at all, whatever --fail-on says', () => {
    assert.equal(exitCodeFor(problemsOnly()), 3);
    assert.equal(exitCodeFor(problemsOnly(), []), 3);
  });

  it('exits 1 for the fleet by default', () => {
    assert.equal(exitCodeFor(fleet()), 1);
    assert.equal(exitCodeFor(fleet(), defaultFailOn), 1);
  });

  it('never fails on unsupported sources', () => {
    assert.equal(exitCodeFor(inState('unsupported'), failOnClasses), 0);
  });

  const byState: [FailOnClass, FindingState][] = [
    ['failed', 'failed'],
    ['error', 'error'],
    ['not-enforced', 'not-enforced'],
    ['weak', 'weak'],
    ['pending', 'pending'],
  ];
  for (const [cls, state] of byState) {
    it(`--fail-on ${cls}: exits 1 for a ${state} node, 0 without the class`, () => {
      const r = inState(state);
      assert.equal(exitCodeFor(r, [cls]), 1);
      assert.equal(exitCodeFor(r, failOnClasses.filter((c) => c !== cls && c !== 'drift' && c !== 'flux-disagrees')), 0);
      assert.ok(defaultFailOn.includes(cls), `${cls} is on by default`);
    });
  }

  it('--fail-on drift: opt-in, exits 1 when the registry moved on from a verified digest', () => {
    const r = only((n) => n.finding.state === 'verified' && n.finding.reasons.includes('drift'));
    assert.equal(exitCodeFor(r), 0);
    assert.equal(exitCodeFor(r, ['drift']), 1);
    assert.ok(!defaultFailOn.includes('drift'));
  });

  it('--fail-on flux-disagrees: opt-in, exits 1 when Flux concludes otherwise', () => {
    const r = only((n) => n.kind === 'OCIRepository' && n.finding.flux.agrees === false);
    assert.equal(exitCodeFor(r, ['flux-disagrees']), 1);
    assert.equal(exitCodeFor(r, ['weak']), 0);
    assert.ok(!defaultFailOn.includes('flux-disagrees'));
  });

  it('--fail-on unreadable: exits 1 when some objects could not be read', () => {
    const r = report([...inState('verified').nodes], { problems: PROBLEMS });
    assert.equal(exitCodeFor(r), 1);
    assert.equal(exitCodeFor(r, ['unreadable']), 1);
    assert.equal(exitCodeFor(r, ['failed']), 0);
  });

  it('exits 0 with no classes selected', () => {
    assert.equal(exitCodeFor(fleet(), []), 0);
  });
});
