import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { currentView, initialState, reduce, rowsOf, type TuiAction, type TuiState } from '../../../src/tui/state.js';
import { fleet, id, node, report } from './fixtures.js';

const start = (): TuiState => initialState(fleet(), { completed: 0, total: 3 }, { columns: 160, rows: 40 });
const key = (name: string, input = name.length === 1 ? name : ''): TuiAction => ({ type: 'key', name, input, text: input.length > 0 });
const keys = (s: TuiState, ...names: string[]): TuiState => names.reduce((acc, n) => reduce(acc, key(n)), s);
const type = (s: TuiState, text: string): TuiState => [...text].reduce((acc, ch) => reduce(acc, key(ch === ' ' ? 'space' : ch, ch)), s);
const selectedName = (s: TuiState): string | undefined => rowsOf(s)[s.cursor]?.id.split('/')[2];

describe('reduce', () => {
  it('moves with arrows, j/k, g/G and clamps', () => {
    let s = start();
    s = keys(s, 'down', 'j');
    assert.equal(s.cursor, 2);
    s = keys(s, 'G');
    assert.equal(s.cursor, rowsOf(s).length - 1);
    s = keys(s, 'down');
    assert.equal(s.cursor, rowsOf(s).length - 1);
    s = keys(s, 'g', 'k');
    assert.equal(s.cursor, 0);
  });

  it('filters as you type, keeps the filter on enter, clears it on esc', () => {
    let s = keys(start(), '/');
    assert.equal(s.prompt?.mode, 'filter');
    s = type(s, 'wrong-key');
    assert.equal(s.filter, 'wrong-key');
    assert.deepEqual(rowsOf(s).map((r) => r.id), [id('OCIRepository', 'apps', 'wrong-key')]);
    s = keys(s, 'enter');
    assert.equal(s.prompt, undefined);
    assert.equal(s.filter, 'wrong-key');
    s = keys(s, 'esc');
    assert.equal(s.filter, '');
  });

  it('backspace edits the prompt and cancels it when empty', () => {
    let s = type(keys(start(), '/'), 'ab');
    s = keys(s, 'backspace');
    assert.equal(s.prompt?.text, 'a');
    s = keys(s, 'backspace', 'backspace');
    assert.equal(s.prompt, undefined);
  });

  it('takes q as text in a prompt, and quits outside one', () => {
    const s = type(keys(start(), '/'), 'q');
    assert.equal(s.quit, false);
    assert.equal(s.filter, 'q');
    assert.equal(keys(start(), 'q').quit, true);
    assert.equal(keys(start(), 'ctrl-c').quit, true);
  });

  it('runs :ns, :kind, :all and :q', () => {
    let s = type(keys(start(), ':'), 'ns infra');
    s = keys(s, 'enter');
    assert.equal(s.namespace, 'infra');
    assert.deepEqual(rowsOf(s).map((r) => r.id), [id('OCIRepository', 'infra', 'cert-manager')]);
    s = keys(type(keys(s, ':'), 'all'), 'enter');
    assert.equal(s.namespace, undefined);
    s = keys(type(keys(s, ':'), 'kind Kustomization'), 'enter');
    assert.equal(s.kind, 'Kustomization');
    s = keys(type(keys(s, ':'), 'bogus'), 'enter');
    assert.equal(s.status?.tone, 'error');
    assert.equal(keys(type(keys(s, ':'), 'q'), 'enter').quit, true);
  });

  it('toggles problems only with ctrl-z', () => {
    const s = keys(start(), 'ctrl-z');
    assert.equal(s.problemsOnly, true);
    assert.equal(rowsOf(s).length, 3);
    assert.equal(keys(s, 'ctrl-z').problemsOnly, false);
  });

  it('collapses and expands the row under the cursor', () => {
    let s = start();
    while (selectedName(s) !== 'apps') s = keys(s, 'down');
    const n = rowsOf(s).length;
    s = keys(s, 'left');
    assert.equal(rowsOf(s).length, n - 1);
    s = keys(s, 'right');
    assert.equal(rowsOf(s).length, n);
    s = keys(s, 'space');
    assert.equal(rowsOf(s).length, n - 1);
  });

  it('drills down with enter, scrolls, and goes back with esc', () => {
    let s = keys(start(), 'down', 'enter');
    const v = currentView(s);
    assert.equal(v.kind, 'detail');
    assert.equal(v.kind === 'detail' ? v.id : '', id('OCIRepository', 'apps', 'wrong-key'));
    s = keys(s, 'esc');
    assert.equal(currentView(s).kind, 'tree');
    assert.equal(selectedName(s), 'wrong-key');
    s = keys(s, '?');
    assert.equal(currentView(s).kind, 'help');
    s = keys(s, 'j', 'G', 'g');
    assert.equal(currentView(s).kind === 'help' && currentView(s), currentView(s));
    assert.equal(currentView(keys(s, '?')).kind, 'tree');
  });

  it('asks the view for effects: copy, yaml, re-verify', () => {
    let s = keys(start(), 'c');
    assert.deepEqual(s.effect, { action: 'copyDigest', seq: 1 });
    s = keys(s, 'c');
    assert.equal(s.effect?.seq, 2);
    s = keys(s, 'enter', 'c');
    assert.equal(s.effect?.action, 'copyCommand');
    assert.equal(keys(s, 'y').effect?.action, 'yaml');
    assert.equal(keys(s, 'r').effect?.action, 'rerun');
  });

  it('keeps the selected row when a snapshot reorders the tree', () => {
    const pending = report(fleet().nodes.map((n) => ({ ...n, finding: { ...n.finding, state: 'pending' as const, reasons: ['pending' as const] } })));
    let s = initialState(pending, { completed: 0, total: 3 }, { columns: 160, rows: 40 });
    while (selectedName(s) !== 'cert-manager') s = keys(s, 'down');
    s = reduce(s, { type: 'snapshot', report: fleet(), completed: 3, total: 3 });
    assert.equal(selectedName(s), 'cert-manager');
    assert.equal(s.completed, 3);
  });

  it('a re-run says re-verifying until its first report arrives, then the footer is clear again (-w re-runs on every change)', () => {
    let s = reduce(start(), { type: 'rerun-start' });
    assert.equal(s.status?.text, 're-verifying…');
    s = reduce(s, { type: 'snapshot', report: fleet(), completed: 3, total: 3 });
    assert.equal(s.rerunning, false);
    assert.equal(s.status, undefined);
    // a message of the user's own doing is not the re-run's to clear
    s = reduce(s, { type: 'status', text: 'copied', tone: 'info' });
    s = reduce(s, { type: 'snapshot', report: fleet(), completed: 3, total: 3 });
    assert.equal(s.status?.text, 'copied');
  });

  it('stays usable on an empty report and a tiny terminal', () => {
    let s = initialState(report([]), { completed: 0, total: 0 }, { columns: 20, rows: 3 });
    s = keys(s, 'down', 'enter', 'G', 'space', 'left', 'c');
    assert.equal(s.cursor, 0);
    s = reduce(s, { type: 'resize', columns: 200, rows: 60 });
    assert.equal(s.rows, 60);
    const one = initialState(report([node({ name: 'only' })]), { completed: 1, total: 1 }, { columns: 20, rows: 3 });
    assert.equal(keys(one, 'pagedown').cursor, 0);
  });
});
