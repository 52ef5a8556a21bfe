import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { render } from 'ink-testing-library';
import { App } from '../../../src/tui/App.js';
import { Header } from '../../../src/tui/Header.js';
import { TreeView } from '../../../src/tui/TreeView.js';
import { nodesToRows } from '../../../src/tui/rows.js';
import { colorer } from '../../../src/tui/theme.js';
import { osc52 } from '../../../src/tui/copy.js';
import { DIGEST, fakeRun, fleet, report } from './fixtures.js';

const tick = (ms = 30): Promise<void> => new Promise((r) => setTimeout(r, ms));
const plain = colorer(false);

describe('components', () => {
  it('Header shows where, the counts and progress', () => {
    const r = fleet();
    const { lastFrame, unmount } = render(<Header title="flux verify" report={r} completed={1} total={3} rerunning={false} spinnerFrame={0} scope={{ filter: 'wrong', problemsOnly: true }} color={plain} />);
    const frame = lastFrame() ?? '';
    assert.match(frame, /^flux verify {2}context lab · cluster lab-cluster · namespace apps/);
    assert.match(frame, /verifying 1\/3/);
    assert.match(frame, /3 verified {3}2 failed {3}1 not enforced {3}0 weak {3}0 errors {3}0 pending/);
    assert.match(frame, /\/wrong {2}problems only/);
    unmount();
  });

  it('TreeView lays out the rows it is given, at a fixed width', () => {
    const r = fleet();
    const rows = nodesToRows(r, { filter: '', collapsed: new Set(), problemsOnly: false });
    const nodes = new Map(r.nodes.map((n) => [n.id, n]));
    const { lastFrame, unmount } = render(<TreeView rows={rows} nodes={nodes} cursor={0} spinnerFrame={0} width={100} height={rows.length} emptyText="none" color={plain} />);
    const lines = (lastFrame() ?? '').split('\n');
    assert.equal(lines.length, 6);
    assert.match(lines[0] ?? '', /^ {2}✘ OCIRepository apps\/unsigned +FAILED · no signature +oci:\/\/registry.example\/unsigned {2}tag 1.0/);
    assert.match(lines[3] ?? '', /^▾ ✔ Kustomization apps\/apps +verified/);
    assert.match(lines[4] ?? '', /^└─ {3}✔ OCIRepository apps\/bundle/);
    assert.ok(lines.every((l) => l.length <= 100));
    assert.ok(!(lastFrame() ?? '').includes(DIGEST));
    unmount();
  });

  it('App paints pending nodes at once, then the final report, and handles keys', async () => {
    const pending = report(fleet().nodes.map((n) => ({ ...n, finding: { ...n.finding, state: 'pending' as const, reasons: ['pending' as const] } })));
    const run = fakeRun(pending, fleet(), 3);
    const written: string[] = [];
    let last = pending;
    const failing = async () => async () => Promise.reject(new Error('no clipboard here'));
    const { lastFrame, stdin, unmount } = render(<App run={run} rerun={async () => run} color={false} writeTerminal={(s) => written.push(s)} onReport={(r) => (last = r)} clipboard={failing} />);
    await tick();
    assert.match(lastFrame() ?? '', /6 pending/);
    assert.match(lastFrame() ?? '', /verifying 0\/3/);
    run.finish();
    await tick(150);
    assert.match(lastFrame() ?? '', /3 verified {3}2 failed/);
    assert.equal(last.summary.failed, 2);
    for (const ch of '/wrong-key') {
      stdin.write(ch);
      await tick(5);
    }
    stdin.write('\r');
    await tick();
    const filtered = lastFrame() ?? '';
    assert.match(filtered, /OCIRepository apps\/wrong-key/);
    assert.doesNotMatch(filtered, /apps\/unsigned/);
    stdin.write('\r');
    await tick();
    assert.match(lastFrame() ?? '', /key apps\/cosign-pub · cosign.pub {2}SHA256:77ab {3}✘ signature: signature does/);
    stdin.write('c');
    await tick(100);
    assert.equal(written.length, 1);
    assert.ok((written[0] ?? '').startsWith('\u001b]52;c;'));
    assert.match(Buffer.from((written[0] ?? '').slice(7, -1), 'base64').toString(), /^cosign verify --key k8s:\/\/apps\/cosign-pub/);
    assert.deepEqual(written, [osc52(Buffer.from((written[0] ?? '').slice(7, -1), 'base64').toString())]);
    assert.match(lastFrame() ?? '', /copied command \(OSC 52\)/);
    stdin.write('y');
    await tick();
    assert.match(lastFrame() ?? '', /kind: OCIRepository/);
    unmount();
  });
});
