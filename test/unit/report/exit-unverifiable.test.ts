import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultFailOn, exitCodeFor, failOnClasses } from '../../../src/report/exit.js';
import { report } from './fixtures.js';
import { unverifiableFleet } from './unverifiable-fixture.js';

describe('exitCodeFor: unverifiable', () => {
  // only the unverifiable nodes of the fixture, their edges kept among themselves
  const onlyUnverifiable = () => {
    const nodes = unverifiableFleet().nodes.filter((n) => n.finding.state === 'unverifiable');
    const ids = new Set(nodes.map((n) => n.id));
    return report(nodes.map((n) => ({ ...n, sourceIds: n.sourceIds.filter((id) => ids.has(id)) })));
  };

  it('is not a finding by default: no spec.verify would change it', () => {
    const r = onlyUnverifiable();
    assert.ok(r.nodes.length > 0);
    assert.ok(!defaultFailOn.includes('unverifiable'));
    assert.equal(exitCodeFor(r), 0);
  });

  it('--fail-on unverifiable opts in', () => {
    assert.ok(failOnClasses.includes('unverifiable'));
    assert.equal(exitCodeFor(onlyUnverifiable(), ['unverifiable']), 1);
    assert.equal(exitCodeFor(onlyUnverifiable(), ['failed', 'error']), 0);
  });

  it('the other findings beside them still count by default', () => {
    assert.equal(exitCodeFor(unverifiableFleet()), 1, 'the fixture has a failed chart (flux-refuses)');
  });
});
