import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { describe, it } from 'node:test';
import { nodesToRows, rowCells, windowFor } from '../../../src/tui/rows.js';
import { bodyHeight } from '../../../src/tui/layout.js';
import { initialState, reduce, rowsOf } from '../../../src/tui/state.js';
import { bigReport } from './fixtures.js';

describe('windowing', () => {
  it('keeps the cursor in the window and moves it as little as it can', () => {
    assert.deepEqual(windowFor(100, 0, 0, 10), { start: 0, end: 10 });
    assert.deepEqual(windowFor(100, 10, 0, 10), { start: 1, end: 11 });
    assert.deepEqual(windowFor(100, 5, 3, 10), { start: 3, end: 13 });
    assert.deepEqual(windowFor(100, 2, 3, 10), { start: 2, end: 12 });
    assert.deepEqual(windowFor(100, 99, 0, 10), { start: 90, end: 100 });
    assert.deepEqual(windowFor(5, 4, 40, 10), { start: 0, end: 5 });
    assert.deepEqual(windowFor(0, 0, 0, 10), { start: 0, end: 0 });
  });

  it('builds a frame of a 5,000-node report quickly and only the visible rows', (t) => {
    const r = bigReport(5000);
    assert.equal(r.nodes.length, 5000);
    const t0 = performance.now();
    const rows = nodesToRows(r, { filter: '', collapsed: new Set(), problemsOnly: false });
    const t1 = performance.now();
    const byId = new Map(r.nodes.map((n) => [n.id, n]));
    const w = windowFor(rows.length, 2500, 2480, 33);
    const cells = rows.slice(w.start, w.end).flatMap((row) => {
      const n = byId.get(row.id);
      return n ? [rowCells(row, n, 0)] : [];
    });
    const t2 = performance.now();
    assert.equal(rows.length, 5000);
    assert.equal(cells.length, 33);
    // problems first: the failing consumers lead
    assert.equal(byId.get(rows[0]?.id ?? '')?.finding.state, 'failed');
    const filtered = nodesToRows(r, { filter: 'wrong-key', collapsed: new Set(), problemsOnly: false });
    const t3 = performance.now();
    assert.ok(filtered.length > 0 && filtered.length < rows.length);
    t.diagnostic(`5,000 nodes: rows ${(t1 - t0).toFixed(1)} ms, visible cells ${(t2 - t1).toFixed(2)} ms, filter /wrong-key ${(t3 - t2).toFixed(1)} ms`);
    // generous: a frame budget of a second would already be unusable, so this only catches a blow-up
    assert.ok(t1 - t0 < 2000);
  });

  it('moves through 5,000 rows with the reducer', (t) => {
    let s = initialState(bigReport(5000), { completed: 1, total: 1 }, { columns: 160, rows: 40 });
    const t0 = performance.now();
    s = reduce(s, { type: 'move', to: 'bottom' });
    for (let i = 0; i < 100; i++) s = reduce(s, { type: 'move', to: 'up' });
    s = reduce(s, { type: 'move', to: 'pageUp' });
    t.diagnostic(`102 moves over 5,000 rows: ${(performance.now() - t0).toFixed(1)} ms`);
    assert.equal(s.cursor, 4999 - 100 - (bodyHeight(40) - 1));
    assert.ok(s.cursor >= s.top && s.cursor < s.top + 35);
    assert.equal(s.selected, rowsOf(s)[s.cursor]?.key);
  });
});
