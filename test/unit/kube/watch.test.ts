import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { createClusterSource } from '../../../src/kube/cluster.js';
import { KubeError } from '../../../src/kube/errors.js';
import { loadKubeConfig } from '../../../src/kube/kubeconfig.js';
import { Backoff, startReflector, watchEvents, type Listing, type WatchEvent } from '../../../src/kube/watch.js';
import { repoRoot } from '../../helpers/paths.js';

/**
 * The watch behind -w: the event stream parser, the backoff, the reflector's bookkeeping (last
 * resourceVersion, 410 → list again, failures → backoff and a problem), and the cluster source's watch
 * against a scripted HTTPS API server that serves watch streams.
 */

async function* chunks(...parts: (string | Uint8Array)[]): AsyncGenerator<Uint8Array> {
  for (const p of parts) yield typeof p === 'string' ? new TextEncoder().encode(p) : p;
}

async function all(it: AsyncIterable<WatchEvent>): Promise<WatchEvent[]> {
  const out: WatchEvent[] = [];
  for await (const e of it) out.push(e);
  return out;
}

const obj = (name: string, rv: string, extra: Record<string, unknown> = {}) => ({ metadata: { name, namespace: 'apps', resourceVersion: rv }, ...extra });
const line = (type: string, object: unknown): string => `${JSON.stringify({ type, object })}\n`;

describe('watch event stream', () => {
  it('reads events cut anywhere by the network, multi-byte characters included', async () => {
    const text = line('ADDED', obj('a', '1', { spec: { note: 'grüße ✓' } })) + '\n' + line('MODIFIED', obj('a', '2')) + line('BOOKMARK', { metadata: { resourceVersion: '7' } });
    const bytes = new TextEncoder().encode(text);
    // every byte its own chunk: lines and UTF-8 sequences are split everywhere
    const events = await all(watchEvents(chunks(...[...bytes].map((b) => Uint8Array.of(b))), 'watch x'));
    assert.deepEqual(
      events.map((e) => e.type),
      ['ADDED', 'MODIFIED', 'BOOKMARK'],
    );
    const first = events[0];
    assert.ok(first && first.type === 'ADDED');
    assert.deepEqual((first.object['spec'] as { note: string }).note, 'grüße ✓');
  });

  it('gives ERROR events their Status, and drops a last event cut mid-line', async () => {
    const events = await all(watchEvents(chunks(line('ERROR', { kind: 'Status', code: 410, reason: 'Expired', message: 'too old resource version: 1 (5)' }), '{"type":"ADDED","obj'), 'watch x'));
    assert.deepEqual(events, [{ type: 'ERROR', status: { code: 410, reason: 'Expired', message: 'too old resource version: 1 (5)' } }]);
  });

  it('refuses a complete line that is not an event, without quoting it', async () => {
    await assert.rejects(all(watchEvents(chunks('{"type":"ADDED","object":{"data":"SECRET"}\n', 'not json at all SECRET\n'), 'watch x')), (e: unknown) => e instanceof KubeError && e.code === 'kube.api' && !e.message.includes('SECRET'));
    await assert.rejects(all(watchEvents(chunks(line('SURPRISE', {})), 'watch x')), /cannot read \(type "SURPRISE"\)/);
  });
});

describe('backoff', () => {
  it('doubles from 1 s to a 30 s cap, each wait drawn from the upper half, and starts over on reset', () => {
    const low = new Backoff({ random: () => 0 });
    assert.deepEqual(
      Array.from({ length: 8 }, () => low.next()),
      [500, 1000, 2000, 4000, 8000, 15_000, 15_000, 15_000],
    );
    const high = new Backoff({ random: () => 0.999999 });
    const waits = Array.from({ length: 8 }, () => high.next());
    assert.deepEqual(waits.slice(0, 5), [1000, 2000, 4000, 8000, 16_000]);
    assert.ok(waits.slice(5).every((w) => w === 30_000), waits.join(','));
    high.reset();
    assert.equal(high.next(), 1000);
  });
});

/** A scripted watch: each open() takes the next script entry. */
type Open = { readonly events?: readonly string[]; readonly fail?: KubeError; readonly hang?: boolean };

function scriptedReflector(listings: Listing[], opens: Open[], initial?: Listing) {
  const calls: string[] = [];
  const problems: (string | undefined)[] = [];
  let changes = 0;
  const r = startReflector<string>({
    what: 'watch ocirepositories',
    ...(initial && { initial }),
    list: async () => {
      calls.push('list');
      const l = listings.shift();
      if (!l) throw new KubeError('kube.unreachable', 'list: cannot reach the API server');
      return l;
    },
    open: async (rv, signal) => {
      calls.push(`watch@${rv}`);
      const o = opens.shift() ?? { hang: true };
      if (o.fail) throw o.fail;
      return (async function* () {
        for (const e of o.events ?? []) yield new TextEncoder().encode(e);
        if (o.hang || opens.length === 0) await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
      })();
    },
    decode: (item) => {
      const md = item['metadata'] as { name: string; resourceVersion: string };
      return `${md.name}@${md.resourceVersion}`;
    },
    onChange: () => changes++,
    onProblem: (e) => problems.push(e?.code),
    backoff: { initialMs: 5, capMs: 20, random: () => 0.5 },
    healthyMs: 60_000,
  });
  return { r, calls, problems, changes: () => changes };
}

async function until(cond: () => boolean | Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('reflector', () => {
  it('watches from the list resourceVersion, applies events, keeps the last resourceVersion (bookmarks too)', async () => {
    const s = scriptedReflector([], [{ events: [line('ADDED', obj('b', '11')), line('MODIFIED', obj('a', '12')), line('DELETED', obj('c', '13')), line('BOOKMARK', { metadata: { resourceVersion: '20' } })] }, { hang: true }], {
      items: [obj('a', '3'), obj('c', '4')],
      resourceVersion: '10',
    });
    try {
      await until(() => s.calls.length >= 2, 'the second watch');
      assert.deepEqual(s.calls, ['watch@10', 'watch@20']);
      assert.deepEqual(s.r.values().sort(), ['a@12', 'b@11']);
      assert.equal(s.r.resourceVersion(), '20');
      assert.equal(s.changes(), 3, 'three object events, no change for a bookmark');
      assert.deepEqual(s.problems, [], 'a stream the server ends is no problem');
    } finally {
      s.r.stop();
      await s.r.finished;
    }
  });

  it('lists again on 410 Gone, as an ERROR event or as the answer to the watch request', async () => {
    const gone = { kind: 'Status', code: 410, reason: 'Expired', message: 'too old resource version' };
    const s = scriptedReflector(
      [
        { items: [obj('a', '30')], resourceVersion: '30' },
        { items: [obj('a', '30'), obj('z', '41')], resourceVersion: '41' },
      ],
      [{ events: [line('ERROR', gone)] }, { fail: new KubeError('kube.gone', 'watch: too old', { status: 410 }) }, { hang: true }],
      { items: [obj('a', '1')], resourceVersion: '5' },
    );
    try {
      await until(() => s.calls.length >= 5, 'the watch after the second list');
      assert.deepEqual(s.calls, ['watch@5', 'list', 'watch@30', 'list', 'watch@41']);
      assert.deepEqual(s.r.values().sort(), ['a@30', 'z@41']);
      assert.equal(s.changes(), 2, 'each list that changed the set counts once');
      assert.deepEqual(s.problems, [], '410 is routine: no problem shown');
    } finally {
      s.r.stop();
      await s.r.finished;
    }
  });

  it('retries a failing watch with backoff, says so once it fails and once it works again', async () => {
    const down = new KubeError('kube.unreachable', 'watch ocirepositories: cannot reach the API server');
    const s = scriptedReflector([], [{ fail: down }, { fail: down }, { events: [line('ADDED', obj('n', '9'))] }, { hang: true }], { items: [], resourceVersion: '8' });
    try {
      await until(() => s.r.values().length === 1, 'the event after reconnecting');
      assert.deepEqual(s.calls.slice(0, 3), ['watch@8', 'watch@8', 'watch@8']);
      assert.deepEqual(s.problems, ['kube.unreachable', 'kube.unreachable', undefined]);
    } finally {
      s.r.stop();
      await s.r.finished;
    }
  });

  it('an ERROR event other than 410 is a problem, and the watch resumes from the last resourceVersion', async () => {
    const s = scriptedReflector([], [{ events: [line('ADDED', obj('a', '2')), line('ERROR', { kind: 'Status', code: 500, message: 'etcd is sad' })] }, { hang: true }], { items: [], resourceVersion: '1' });
    try {
      await until(() => s.calls.length >= 2, 'the reopened watch');
      assert.deepEqual(s.calls, ['watch@1', 'watch@2']);
      assert.deepEqual(s.problems, ['kube.api', undefined]);
    } finally {
      s.r.stop();
      await s.r.finished;
    }
  });
});

// ---- the cluster source's watch against a scripted HTTPS API server

const SOURCE = 'source.toolkit.fluxcd.io';
const caFile = join(repoRoot(), 'test', 'unit', 'kube', 'testdata', 'loopback.crt');
let server: Server;
let base: string;
let requests: { path: string; query: URLSearchParams }[];
/** open watch responses, to push events into or cut */
let watches: { query: URLSearchParams; res: ServerResponse }[];
let watchAnswer: (q: URLSearchParams) => { status: number; body?: unknown } | undefined;
let listItems: unknown[];
let listRv: string;

const oci = (name: string, rv: string, tag = '1.0.0') => ({ apiVersion: `${SOURCE}/v1`, kind: 'OCIRepository', metadata: { name, namespace: 'apps', resourceVersion: rv }, spec: { url: `oci://reg.example/${name}`, ref: { tag } } });

before(async () => {
  const tls = { cert: readFileSync(caFile), key: readFileSync(join(repoRoot(), 'test', 'unit', 'kube', 'testdata', 'loopback.key')) };
  server = createServer(tls, (req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    requests.push({ path: url.pathname, query: url.searchParams });
    const json = (status: number, body: unknown): void => {
      res.writeHead(status, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (url.pathname === '/apis') return json(404, { kind: 'Status', code: 404, reason: 'NotFound' });
    if (url.pathname === `/apis/${SOURCE}`) return json(200, { kind: 'APIGroup', name: SOURCE, versions: [{ groupVersion: `${SOURCE}/v1`, version: 'v1' }] });
    if (url.pathname === `/apis/${SOURCE}/v1`) return json(200, { kind: 'APIResourceList', resources: [{ name: 'ocirepositories', namespaced: true, verbs: ['list', 'watch'] }] });
    if (url.pathname.startsWith('/apis/helm') || url.pathname.startsWith('/apis/kustomize')) return json(404, { kind: 'Status', code: 404, reason: 'NotFound' });
    if (url.pathname === `/apis/${SOURCE}/v1/namespaces/apps/ocirepositories`) {
      if (url.searchParams.get('watch') === '1') {
        const a = watchAnswer(url.searchParams);
        if (a) return json(a.status, a.body ?? {});
        res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' });
        res.flushHeaders();
        watches.push({ query: url.searchParams, res });
        return;
      }
      return json(200, { kind: 'OCIRepositoryList', apiVersion: `${SOURCE}/v1`, metadata: { resourceVersion: listRv }, items: listItems });
    }
    return json(404, { kind: 'Status', code: 404, reason: 'NotFound', message: 'not found' });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(() => {
  server.closeAllConnections();
  server.close();
});

beforeEach(() => {
  requests = [];
  watches = [];
  watchAnswer = () => undefined;
  listItems = [oci('a', '100')];
  listRv = '100';
});

function clusterSource() {
  const resolved = loadKubeConfig({ server: base, certificateAuthority: caFile, token: 'test-token', namespace: 'apps', selector: 'team=x' }, { env: {}, home: '/nonexistent', serviceAccountDir: '/nonexistent' });
  return createClusterSource(resolved, { watch: { backoff: { initialMs: 20, capMs: 100 } } });
}

// helm-controller's and kustomize-controller's groups are not served here
const real = (ps: readonly { code: string }[]) => ps.filter((p) => p.code !== 'kube.crd-missing');

const lists = (): number => requests.filter((r) => r.path.endsWith('/ocirepositories') && r.query.get('watch') !== '1').length;

describe('cluster source: watch', () => {
  it('lists once, watches from the list resourceVersion with bookmarks and the selector, and serves the events', async () => {
    let changes = 0;
    const watched = clusterSource().watch?.({ namespace: 'apps', labelSelector: 'team=x' }, () => changes++);
    assert.ok(watched, 'the cluster source can be watched');
    try {
      const first = await watched.list({ namespace: 'apps' });
      assert.deepEqual(first.objects.map((o) => o.name), ['a']);
      await until(() => watches.length === 1, 'the watch request');
      const q = watches[0]?.query as URLSearchParams;
      assert.equal(q.get('resourceVersion'), '100');
      assert.equal(q.get('allowWatchBookmarks'), 'true');
      assert.equal(q.get('labelSelector'), 'team=x');
      const timeout = Number(q.get('timeoutSeconds'));
      assert.ok(timeout >= 300 && timeout < 600, String(timeout));

      watches[0]?.res.write(line('ADDED', oci('b', '101')) + line('MODIFIED', oci('a', '102', '2.0.0')));
      await until(() => changes >= 2, 'two changes');
      const now = await watched.list({ namespace: 'apps' });
      assert.deepEqual(now.objects.map((o) => o.name).sort(), ['a', 'b']);
      assert.deepEqual(real(now.problems), []);
      assert.equal(lists(), 1, 'no list after the first: the audit reads what the watch has seen');

      // a bookmark moves the resourceVersion; a connection cut reconnects from there
      watches[0]?.res.write(line('BOOKMARK', { kind: 'OCIRepository', apiVersion: `${SOURCE}/v1`, metadata: { resourceVersion: '150' } }));
      await new Promise((r) => setTimeout(r, 50));
      watches[0]?.res.socket?.destroy();
      await until(() => watches.length === 2, 'the reconnected watch');
      assert.equal(watches[1]?.query.get('resourceVersion'), '150');
      assert.equal(lists(), 1, 'a cut watch resumes without a list');
    } finally {
      watched.stop();
    }
  });

  it('lists again on 410 Gone; a refused watch is one problem, and lists keep the objects current until it works again', async () => {
    let changes = 0;
    const watched = clusterSource().watch?.({ namespace: 'apps', labelSelector: 'team=x' }, () => changes++);
    assert.ok(watched);
    try {
      await watched.list({ namespace: 'apps' });
      await until(() => watches.length === 1, 'the first watch');
      // the watch is refused from now on; the stream ends
      watchAnswer = () => ({ status: 403, body: { kind: 'Status', code: 403, reason: 'Forbidden', message: 'ocirepositories.source.toolkit.fluxcd.io is forbidden: User "x" cannot watch resource "ocirepositories" in API group "source.toolkit.fluxcd.io" in the namespace "apps"' } });
      watches[0]?.res.end();
      await until(() => changes >= 1, 'the problem');
      const failing = await watched.list({ namespace: 'apps' });
      assert.deepEqual(failing.objects.map((o) => o.name), ['a'], 'the objects seen so far stay');
      const p = real(failing.problems) as { code: string; message: string }[];
      assert.equal(p.length, 1);
      assert.equal(p[0]?.code, 'kube.forbidden');
      assert.match(p[0]?.message ?? '', /cannot watch resource "ocirepositories".*\(retrying\)$/);

      // while the watch is refused, each retry lists: a new object shows up, the problem stays put
      listItems = [oci('a', '300'), oci('c', '301')];
      listRv = '305';
      const changesBefore = changes;
      await until(() => changes > changesBefore, 'the listed change');
      const listed = await watched.list({ namespace: 'apps' });
      assert.deepEqual(listed.objects.map((o) => o.name).sort(), ['a', 'c']);
      assert.equal(real(listed.problems).length, 1, 'still refused');

      // then the server lets the watch through, after one 410: a list, then the watch from its resourceVersion
      let gone = true;
      watchAnswer = () => {
        if (!gone) return undefined;
        gone = false;
        return { status: 410, body: { kind: 'Status', code: 410, reason: 'Expired', message: 'too old resource version' } };
      };
      await until(() => watches.length === 2, 'the watch after the new list');
      assert.equal(watches[1]?.query.get('resourceVersion'), '305');
      await until(async () => real((await watched.list({ namespace: 'apps' })).problems).length === 0, 'the problem to clear');
      const back = await watched.list({ namespace: 'apps' });
      assert.deepEqual(back.objects.map((o) => o.name).sort(), ['a', 'c']);
    } finally {
      watched.stop();
    }
  });
});
