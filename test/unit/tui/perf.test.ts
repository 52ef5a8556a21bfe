import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { describe, it } from 'node:test';
import { createElement } from 'react';
import { render } from 'ink-testing-library';
import { App } from '../../../src/tui/App.js';
import { runTui } from '../../../src/tui/index.js';
import { COST_SHARE, pacedRun } from '../../../src/tui/paced.js';
import { nodesToRows, rowBuilds } from '../../../src/tui/rows.js';
import type { LiveAudit } from '../../../src/tui/run.js';
import type { Report } from '../../../src/report/model.js';
import { bigReport, fleet, report } from './fixtures.js';

/**
 * What bounds the view's latency, counted instead of timed: a keypress at 5,000 rows neither assembles
 * a report nor rebuilds the rows when it only moves the cursor; snapshots are paced by their cost; the
 * first frame is on the terminal before runTui returns, while the audit is still running.
 */
const tick = (ms = 30): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A run whose snapshot() counts its calls; it finishes only when told to. */
function countingRun(first: Report, total: number): LiveAudit & { snapshots: number; complete(n: number): void; finish(r: Report): void } {
  let completed = 0;
  let resolve: (r: Report) => void = () => undefined;
  const done = new Promise<Report>((r) => (resolve = r));
  const run = {
    snapshots: 0,
    total,
    completed: () => completed,
    snapshot: () => {
      run.snapshots++;
      return first;
    },
    done,
    rawObject: () => undefined,
    complete: (n: number) => (completed = n),
    finish: (r: Report) => {
      completed = total;
      resolve(r);
    },
  };
  return run;
}

describe('view latency, by counting', () => {
  it('a keypress at 5,000 rows moves the cursor without assembling a report or rebuilding rows', async () => {
    const big = bigReport(5000);
    const run = countingRun(big, 1);
    run.finish(big);
    const { lastFrame, stdin, unmount } = render(createElement(App, { run, rerun: async () => run, color: false, writeTerminal: () => undefined, onReport: () => undefined }));
    await tick(150);
    assert.match(lastFrame() ?? '', /1\/1 artifacts checked/);
    const snapshots = run.snapshots;
    const builds = rowBuilds.count;
    for (let i = 0; i < 20; i++) {
      stdin.write('j');
      await tick(5);
    }
    await tick(60);
    assert.equal(run.snapshots, snapshots, 'j assembled a report');
    assert.equal(rowBuilds.count, builds, 'j rebuilt the rows');
    // the cursor did move: the 21st row is the one opened
    const [kind, ns, name] = (nodesToRows(big, { filter: '', collapsed: new Set(), problemsOnly: false })[20]?.id ?? '').split('/');
    const opened = rowBuilds.count;
    stdin.write('\r');
    await tick(60);
    assert.ok((lastFrame() ?? '').split('\n')[2]?.startsWith(`${kind ?? '?'} ${ns ?? '?'}/${name ?? '?'} `), lastFrame());
    stdin.write('\u001b');
    await tick(60);
    assert.equal(rowBuilds.count, opened, 'opening and closing the detail rebuilt the rows');
    // a filter builds the rows once per character typed, never a report
    const typed = rowBuilds.count;
    for (const ch of '/wrong') {
      stdin.write(ch);
      await tick(5);
    }
    await tick(60);
    assert.equal(run.snapshots, snapshots, 'the filter assembled a report');
    assert.ok(rowBuilds.count - typed <= 'wrong'.length, `${rowBuilds.count - typed} row builds for 5 characters`);
    unmount();
  });

  it('paces snapshots by their cost and is always fresh once every plan is done', () => {
    let clock = 0;
    let assembled = 0;
    let completed = 0;
    const r = fleet();
    const inner: LiveAudit = {
      total: 10,
      completed: () => completed,
      snapshot: () => {
        assembled++;
        clock += 100; // each assembly costs 100 ms
        return report(r.nodes);
      },
      done: new Promise<Report>(() => undefined),
      rawObject: () => undefined,
    };
    const run = pacedRun(inner, { now: () => clock });
    const first = run.snapshot();
    assert.equal(assembled, 1);
    // nothing finished since: the same report
    assert.equal(run.snapshot(), first);
    completed = 3;
    clock += 50;
    assert.equal(run.snapshot(), first, 'assembled again within its own cost × COST_SHARE');
    assert.equal(assembled, 1);
    clock += COST_SHARE * 100;
    const second = run.snapshot();
    assert.notEqual(second, first);
    assert.equal(assembled, 2);
    // the last plan finished: fresh at once, however soon
    completed = 10;
    const last = run.snapshot();
    assert.equal(assembled, 3);
    assert.notEqual(last, second);
    assert.equal(run.snapshot(), last);
    assert.equal(run.completed(), 10);
    assert.equal(run.total, 10);
  });

  it('paints the first frame, tree rows pending, before runTui returns and before the audit ends', async () => {
    const pending = report(fleet().nodes.map((n) => ({ ...n, finding: { ...n.finding, state: 'pending' as const, reasons: ['pending' as const] } })));
    const run = countingRun(pending, 3);
    let out = '';
    const stdout = Object.assign(new EventEmitter(), {
      isTTY: true,
      columns: 160,
      rows: 40,
      write: (s: string | Uint8Array, cb?: (e?: Error | null) => void): boolean => {
        out += typeof s === 'string' ? s : Buffer.from(s).toString();
        cb?.();
        return true;
      },
    });
    const stdin = Object.assign(new EventEmitter(), {
      isTTY: true,
      data: null as string | null,
      setEncoding: () => undefined,
      setRawMode: () => undefined,
      resume: () => undefined,
      pause: () => undefined,
      ref: () => undefined,
      unref: () => undefined,
      read(): string | null {
        const d = stdin.data;
        stdin.data = null;
        return d;
      },
    });
    const exited = runTui({ run, rerun: async () => run, stdin: stdin as unknown as NodeJS.ReadStream, stdout: stdout as unknown as NodeJS.WriteStream, color: false, env: {} });
    // no await in between: the frame is on the terminal already, with every node still pending
    assert.match(out, /OCIRepository apps\/bundle/);
    assert.match(out, /6 pending/);
    assert.equal(run.snapshots, 1, 'one report assembled for the first frame');
    run.complete(3);
    run.finish(fleet());
    await tick(150);
    assert.match(out, /3 verified {3}2 failed/);
    // the cursor was on the top row while all was pending and is on the top row of the final tree:
    // the detail opened is the first problem's, as it was when the first frame waited for the audit
    const first = nodesToRows(fleet(), { filter: '', collapsed: new Set(), problemsOnly: false })[0]?.id.split('/') ?? [];
    stdin.data = '\r';
    stdin.emit('readable');
    await tick(100);
    assert.match(out.slice(out.lastIndexOf('verified   2 failed')), new RegExp(`${first[0] ?? '?'} ${first[1] ?? '?'}/${first[2] ?? '?'} +✘ FAILED`));
    stdin.data = 'q';
    stdin.emit('readable');
    assert.equal(await exited, 1);
  });
});
