/**
 * A real Git server for tests: Debian's `git http-backend` (CGI) behind a small Node HTTP(S) server.
 *
 *   const srv = await startGitServer({ root: '/tmp/repos' });   // serves /tmp/repos/<name>.git
 *   git clone `${srv.url}/app.git`   ·   git push works too (http.receivepack=true)
 *   srv.requests()  → [{ method, path, status }, …] every request answered, in order
 *   await srv.stop()
 *
 * Options: `root` (GIT_PROJECT_ROOT; every repository under it is exported), `basicAuth`
 * ({ username, password }), `bearerToken` (`Authorization: Bearer <token>`; with both set either is
 * accepted), `tls` ({ cert, key }: PEM text or PEM file paths → https://), `host` (default 127.0.0.1),
 * `protocol: 'v0'` (ignore the client's Git-Protocol header), `config` (more server git config).
 * Protocol: v2 when the client sends `Git-Protocol: version=2` (passed on as GIT_PROTOCOL), v0
 * otherwise — go-git (Flux) speaks v0/v1. Served repositories get uploadpack.allowFilter,
 * uploadpack.allowAnySHA1InWant and http.receivepack through GIT_CONFIG_COUNT, so nothing has to be
 * configured in the repositories themselves. The shim streams request bodies into the CGI and its
 * output back (gzip request bodies are decoded by http-backend itself).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';

export const GIT_HTTP_BACKEND = '/usr/lib/git-core/git-http-backend';

export interface GitServerOptions {
  readonly root: string;
  readonly basicAuth?: { readonly username: string; readonly password: string };
  readonly bearerToken?: string;
  readonly tls?: { readonly cert: string; readonly key: string };
  /** address to listen on; default 127.0.0.1 */
  readonly host?: string;
  /** 'v0': drop the client's Git-Protocol header, so the server speaks v0 even to a v2 client */
  readonly protocol?: 'v2' | 'v0';
  /** more server-side git config (after the defaults, so it can override them) */
  readonly config?: readonly (readonly [string, string])[];
}

export interface GitServerRequest {
  readonly method: string;
  /** path and query, as requested */
  readonly path: string;
  readonly status: number;
}

export interface GitServer {
  /** http(s)://127.0.0.1:<port> — repositories are `${url}/<path under root>` */
  readonly url: string;
  requests(): GitServerRequest[];
  stop(): Promise<void>;
}

const serverConfig: readonly (readonly [string, string])[] = [
  ['uploadpack.allowFilter', 'true'],
  ['uploadpack.allowAnySHA1InWant', 'true'],
  ['http.receivepack', 'true'],
];

function pem(v: string): string {
  return v.trimStart().startsWith('-----BEGIN') ? v : readFileSync(v, 'utf8');
}

function authorized(req: IncomingMessage, opts: GitServerOptions): boolean {
  if (!opts.basicAuth && opts.bearerToken === undefined) return true;
  const h = req.headers.authorization ?? '';
  if (opts.bearerToken !== undefined && h === `Bearer ${opts.bearerToken}`) return true;
  if (opts.basicAuth) {
    const m = /^Basic\s+(\S+)$/i.exec(h);
    if (m) {
      const decoded = Buffer.from(m[1] ?? '', 'base64').toString('utf8');
      if (decoded === `${opts.basicAuth.username}:${opts.basicAuth.password}`) return true;
    }
  }
  return false;
}

function cgiEnv(req: IncomingMessage, opts: GitServerOptions, url: URL): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: opts.root,
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_PROJECT_ROOT: opts.root,
    GIT_HTTP_EXPORT_ALL: '1',
    GATEWAY_INTERFACE: 'CGI/1.1',
    SERVER_PROTOCOL: `HTTP/${req.httpVersion}`,
    REQUEST_METHOD: req.method ?? 'GET',
    PATH_INFO: decodeURIComponent(url.pathname),
    QUERY_STRING: url.search.replace(/^\?/, ''),
    REMOTE_ADDR: req.socket.remoteAddress ?? '127.0.0.1',
    REMOTE_USER: opts.basicAuth?.username ?? 'git',
  };
  const config = [...serverConfig, ...(opts.config ?? [])];
  env.GIT_CONFIG_COUNT = String(config.length);
  config.forEach(([k, v], i) => {
    env[`GIT_CONFIG_KEY_${i}`] = k;
    env[`GIT_CONFIG_VALUE_${i}`] = v;
  });
  const ct = req.headers['content-type'];
  if (ct) env.CONTENT_TYPE = ct;
  // without a length http-backend reads the (chunked) body to EOF
  const cl = req.headers['content-length'];
  if (cl !== undefined) env.CONTENT_LENGTH = cl;
  const ce = req.headers['content-encoding'];
  if (ce) env.HTTP_CONTENT_ENCODING = ce;
  const proto = req.headers['git-protocol'];
  if (typeof proto === 'string' && opts.protocol !== 'v0') env.GIT_PROTOCOL = proto;
  return env;
}

/** Splits the CGI header block ("Status: 200 OK", "Content-Type: …") from the body. */
function headerEnd(buf: Buffer): { end: number; sep: number } | undefined {
  const crlf = buf.indexOf('\r\n\r\n');
  const lf = buf.indexOf('\n\n');
  if (crlf >= 0 && (lf < 0 || crlf < lf)) return { end: crlf, sep: 4 };
  if (lf >= 0) return { end: lf, sep: 2 };
  return undefined;
}

export async function startGitServer(opts: GitServerOptions): Promise<GitServer> {
  const log: GitServerRequest[] = [];
  const children = new Set<ChildProcess>();
  const record = (req: IncomingMessage, status: number): void => {
    log.push({ method: req.method ?? '', path: req.url ?? '', status });
  };

  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    const url = new URL(req.url ?? '/', 'http://git.invalid');
    if (!authorized(req, opts)) {
      req.resume();
      const challenge = opts.basicAuth ? 'Basic realm="git"' : 'Bearer realm="git"';
      res.writeHead(401, { 'WWW-Authenticate': challenge, 'Content-Type': 'text/plain' }).end('unauthorized\n');
      record(req, 401);
      return;
    }
    const child = spawn(GIT_HTTP_BACKEND, [], { env: cgiEnv(req, opts, url), stdio: ['pipe', 'pipe', 'pipe'] });
    children.add(child);
    child.on('close', () => children.delete(child));
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d.slice(0, 4096)));
    req.pipe(child.stdin);
    child.stdin.on('error', () => undefined); // the CGI may answer (and exit) before reading the body
    let head: Buffer | undefined = Buffer.alloc(0);
    child.stdout.on('data', (chunk: Buffer) => {
      if (head === undefined) {
        res.write(chunk);
        return;
      }
      head = Buffer.concat([head, chunk]);
      const at = headerEnd(head);
      if (!at) return;
      let status = 200;
      const headers: Record<string, string> = {};
      for (const line of head.subarray(0, at.end).toString('latin1').split(/\r?\n/)) {
        const i = line.indexOf(':');
        if (i <= 0) continue;
        const name = line.slice(0, i).trim();
        const value = line.slice(i + 1).trim();
        if (name.toLowerCase() === 'status') status = Number.parseInt(value, 10) || 500;
        else headers[name] = value;
      }
      res.writeHead(status, headers);
      record(req, status);
      const rest = head.subarray(at.end + at.sep);
      head = undefined;
      if (rest.length > 0) res.write(rest);
    });
    child.on('close', (code) => {
      if (head !== undefined) {
        // the CGI died before it sent its headers
        if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain' });
        record(req, 500);
        res.end(`git http-backend exited ${code}: ${stderr}\n`);
        return;
      }
      res.end();
    });
    res.on('close', () => {
      if (child.exitCode === null) child.kill('SIGKILL');
    });
  };

  const server: Server = opts.tls ? createHttpsServer({ cert: pem(opts.tls.cert), key: pem(opts.tls.key) }, handler) : createHttpServer(handler);
  const host = opts.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const onExit = (): void => {
    for (const c of children) c.kill('SIGKILL');
  };
  process.once('exit', onExit);
  return {
    url: `${opts.tls ? 'https' : 'http'}://${host}:${port}`,
    requests: () => [...log],
    stop: async () => {
      process.removeListener('exit', onExit);
      for (const c of children) c.kill('SIGKILL');
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
