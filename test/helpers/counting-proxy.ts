import { Agent, createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { freePort } from '../lab/registries.js';

/**
 * A plain-HTTP proxy in front of a lab registry that forwards every request unchanged and counts it
 * by kind (ping, manifest GET/HEAD, blob, referrers, tags/list), so a benchmark or a test can say how
 * many requests one run made. Pushes can go through it too.
 */
export type PathClass = 'ping' | 'manifest GET' | 'manifest HEAD' | 'blob' | 'referrers' | 'tags/list' | 'other';
export const pathClasses: readonly PathClass[] = ['ping', 'manifest GET', 'manifest HEAD', 'blob', 'referrers', 'tags/list', 'other'];

export function classify(method: string, path: string): PathClass {
  const p = path.split('?')[0] ?? path;
  if (p === '/v2/' || p === '/v2') return 'ping';
  if (/\/referrers\//.test(p)) return 'referrers';
  if (/\/tags\/list$/.test(p)) return 'tags/list';
  if (/\/manifests\//.test(p) && (method === 'GET' || method === 'HEAD')) return method === 'GET' ? 'manifest GET' : 'manifest HEAD';
  if (/\/blobs\//.test(p) && (method === 'GET' || method === 'HEAD')) return 'blob';
  return 'other';
}

export interface CountingProxy {
  /** 127.0.0.1:PORT, as it goes into a reference */
  readonly host: string;
  /** requests since the last reset, by class */
  readonly counts: ReadonlyMap<PathClass, number>;
  /** requests since the last reset, by repository (`name` in /v2/<name>/…); the ping is under '' */
  readonly byRepository: ReadonlyMap<string, number>;
  /** every request since the last reset, in order of arrival */
  readonly log: readonly { readonly method: string; readonly path: string; readonly repository: string; readonly cls: PathClass }[];
  /** requests since the last reset */
  total(): number;
  reset(): void;
  close(): Promise<void>;
}

function repositoryOf(path: string): string {
  const p = path.split('?')[0] ?? path;
  const m = /^\/v2\/(.+?)\/(manifests|blobs|referrers|tags)\//.exec(p);
  return m?.[1] ?? '';
}

/** Forwards every request to `upstream` (HOST:PORT, plain HTTP) and counts it. */
export async function startCountingProxy(upstream: string): Promise<CountingProxy> {
  const [upHost, upPort] = upstream.split(':') as [string, string];
  const agent = new Agent({ keepAlive: true });
  let counts = new Map<PathClass, number>();
  let byRepository = new Map<string, number>();
  let log: { method: string; path: string; repository: string; cls: PathClass }[] = [];
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const cls = classify(req.method ?? 'GET', req.url ?? '/');
    counts.set(cls, (counts.get(cls) ?? 0) + 1);
    const repo = repositoryOf(req.url ?? '/');
    byRepository.set(repo, (byRepository.get(repo) ?? 0) + 1);
    log.push({ method: req.method ?? 'GET', path: req.url ?? '/', repository: repo, cls });
    const up = request({ host: upHost, port: Number(upPort), method: req.method, path: req.url, headers: req.headers, agent }, (upRes) => {
      res.writeHead(upRes.statusCode ?? 502, upRes.headers);
      upRes.pipe(res);
    });
    up.on('error', (e) => {
      res.writeHead(502);
      res.end(String(e));
    });
    req.pipe(up);
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    host: `127.0.0.1:${port}`,
    get counts() {
      return counts;
    },
    get byRepository() {
      return byRepository;
    },
    get log() {
      return log;
    },
    total: () => [...counts.values()].reduce((a, b) => a + b, 0),
    reset() {
      counts = new Map();
      byRepository = new Map();
      log = [];
    },
    close: () =>
      new Promise<void>((resolve) => {
        agent.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
