import type { RequestOptions } from 'node:https';
import { isIP } from 'node:net';
import { Agent, EnvHttpProxyAgent, ProxyAgent, request, type Dispatcher } from 'undici';
import { readVersion } from '../version.js';
import { KubeError, statusError, transportError } from './errors.js';
import { credentialKinds, refuseCredentialsOverHttp, type ResolvedKubeConfig } from './kubeconfig.js';

/**
 * GET requests to the API server with the resolved kubeconfig's credentials. client-node supplies the
 * credentials and TLS material (exec plugins, auth providers, files); the request itself goes through
 * undici so that every call has its own timeout, cancellation, a size cap, and errors classified once.
 */
export interface KubeHttp {
  readonly server: string;
  /** the parsed JSON body of a 2xx answer; otherwise throws a KubeError. `accept` replaces `application/json` */
  getJson(path: string, what: string, signal?: AbortSignal, accept?: string): Promise<unknown>;
  /**
   * A long-lived GET (a watch): the body as it arrives, once the API server answered 2xx; otherwise
   * throws a KubeError as getJson does. --request-timeout bounds the wait for the answer's headers
   * only; `idleMs` ends the body when nothing arrives for that long (a connection gone silent).
   */
  openStream(path: string, what: string, opts: { readonly signal?: AbortSignal; readonly idleMs: number }): Promise<AsyncIterable<Uint8Array>>;
}

export interface KubeHttpOptions {
  /** replaces the connection pool (tests) */
  readonly dispatcher?: Dispatcher;
  /** cap on one response body; default 64 MiB (a page of 500 objects is far below) */
  readonly maxBodyBytes?: number;
}

const DEFAULT_MAX_BODY = 64 * 1024 * 1024;

interface TlsParts {
  ca?: string | Buffer | (string | Buffer)[];
  cert?: string | Buffer | (string | Buffer)[];
  key?: unknown;
  rejectUnauthorized?: boolean;
  servername?: string;
}

export function createKubeHttp(resolved: ResolvedKubeConfig, opts: KubeHttpOptions = {}): KubeHttp {
  const server = resolved.server;
  // loadKubeConfig already refused credentials over http://; checked again for a config built elsewhere
  const plainHttp = server.startsWith('http://');
  if (plainHttp) {
    const u = resolved.kubeConfig.getCurrentUser();
    refuseCredentialsOverHttp(server, [
      {
        who: `user "${resolved.user}"`,
        kinds: u ? credentialKinds({ token: u.token, username: u.username, password: u.password, cert: u.certFile ?? u.certData, key: u.keyFile ?? u.keyData, exec: u.exec, authProvider: u.authProvider }) : [],
        fix: `remove them from user "${resolved.user}"`,
      },
    ]);
  }
  const userAgent = `kubectl-verify/${readVersion()}`;
  const maxBody = opts.maxBodyBytes ?? DEFAULT_MAX_BODY;
  let pool: { key: TlsParts; dispatcher: Dispatcher } | undefined;

  const dispatcherFor = (tls: TlsParts): Dispatcher => {
    if (opts.dispatcher) return opts.dispatcher;
    // exec plugins may hand out a new client certificate: rebuild the pool only when TLS material changes
    if (pool && sameTls(pool.key, tls)) return pool.dispatcher;
    void pool?.dispatcher.close();
    const connect = { ...tls } as Record<string, unknown>;
    const proxyUrl = resolved.kubeConfig.getCurrentCluster()?.proxyUrl;
    let dispatcher: Dispatcher;
    if (proxyUrl) dispatcher = new ProxyAgent({ uri: proxyUrl, requestTls: connect });
    // as Go's ProxyFromEnvironment: HTTPS_PROXY and NO_PROXY apply, loopback never goes through a proxy
    else if (hasProxyEnv() && !isLoopback(server)) dispatcher = new EnvHttpProxyAgent({ connect, requestTls: connect });
    else dispatcher = new Agent({ connect });
    pool = { key: tls, dispatcher };
    return dispatcher;
  };

  const credentials = async (what: string): Promise<{ headers: Record<string, string>; tls: TlsParts }> => {
    // over plain HTTP client-node is never asked: no plugin runs, no header or TLS material exists
    if (plainHttp) return { headers: {}, tls: {} };
    const o: RequestOptions = {};
    try {
      await resolved.kubeConfig.applyToHTTPSOptions(o);
    } catch (e) {
      throw new KubeError('kube.auth-plugin', `${what}: cannot get credentials for user "${resolved.user}": ${firstLine(e)}`, { cause: e });
    }
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(o.headers ?? {})) {
      if (typeof v === 'string') headers[k] = v;
      else if (typeof v === 'number') headers[k] = String(v);
    }
    if (o.auth && !headers['Authorization']) headers['Authorization'] = `Basic ${Buffer.from(o.auth).toString('base64')}`;
    const tls: TlsParts = {
      ...(o.ca !== undefined && { ca: o.ca }),
      ...(o.cert !== undefined && { cert: o.cert }),
      ...(o.key !== undefined && { key: o.key }),
      ...(o.rejectUnauthorized !== undefined && { rejectUnauthorized: o.rejectUnauthorized }),
      ...(o.servername !== undefined && { servername: o.servername }),
    };
    return { headers, tls };
  };

  return {
    server,
    async getJson(path, what, signal, accept) {
      const { headers, tls } = await credentials(what);
      // client-node only knows Impersonate-User; groups are set here, from the one resolved source
      delete headers['Impersonate-User'];
      const imp = resolved.impersonate;
      const impHeaders: Record<string, string | string[]> = imp ? { 'Impersonate-User': imp.user, ...(imp.groups.length > 0 && { 'Impersonate-Group': [...imp.groups] }) } : {};
      const timeout = resolved.requestTimeoutMs !== undefined ? AbortSignal.timeout(resolved.requestTimeoutMs) : undefined;
      const signals = [signal, timeout].filter((s): s is AbortSignal => s !== undefined);
      const combined = signals.length === 0 ? undefined : signals.length === 1 ? signals[0] : AbortSignal.any(signals);
      let status: number;
      let text: string;
      try {
        const res = await request(server + path, {
          method: 'GET',
          headers: { ...headers, ...impHeaders, Accept: accept ?? 'application/json', 'User-Agent': userAgent },
          dispatcher: dispatcherFor(tls),
          ...(combined && { signal: combined }),
        });
        status = res.statusCode;
        text = await readCapped(res.body, maxBody, what);
      } catch (e) {
        if (signal?.aborted) throw new KubeError('kube.aborted', `${what}: cancelled`, { cause: e });
        if (timeout?.aborted) {
          throw new KubeError('kube.timeout', `${what}: no answer from the API server at ${server} within ${formatMs(resolved.requestTimeoutMs as number)} (--request-timeout)`, { cause: e });
        }
        throw transportError(e, what, server);
      }
      const body = parseJson(text);
      if (status < 200 || status >= 300) throw statusError(status, body, what, server);
      // the body may be a Secret: a parse error must not quote it
      if (body === undefined) throw new KubeError('kube.api', `${what}: the API server's answer is not JSON`);
      return body;
    },

    async openStream(path, what, { signal, idleMs }) {
      const { headers, tls } = await credentials(what);
      // as getJson: groups from the one resolved source
      delete headers['Impersonate-User'];
      const imp = resolved.impersonate;
      const impHeaders: Record<string, string | string[]> = imp ? { 'Impersonate-User': imp.user, ...(imp.groups.length > 0 && { 'Impersonate-Group': [...imp.groups] }) } : {};
      let res: Dispatcher.ResponseData;
      try {
        res = await request(server + path, {
          method: 'GET',
          headers: { ...headers, ...impHeaders, Accept: 'application/json', 'User-Agent': userAgent },
          dispatcher: dispatcherFor(tls),
          ...(resolved.requestTimeoutMs !== undefined && { headersTimeout: resolved.requestTimeoutMs }),
          bodyTimeout: idleMs,
          ...(signal && { signal }),
        });
      } catch (e) {
        if (signal?.aborted) throw new KubeError('kube.aborted', `${what}: cancelled`, { cause: e });
        if ((e as { code?: unknown } | null)?.code === 'UND_ERR_HEADERS_TIMEOUT') {
          throw new KubeError('kube.timeout', `${what}: no answer from the API server at ${server} within ${formatMs(resolved.requestTimeoutMs ?? 0)} (--request-timeout)`, { cause: e });
        }
        throw transportError(e, what, server);
      }
      if (res.statusCode < 200 || res.statusCode >= 300) {
        const text = await readCapped(res.body, maxBody, what).catch(() => '');
        throw statusError(res.statusCode, parseJson(text), what, server);
      }
      return res.body;
    },
  };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

async function readCapped(body: AsyncIterable<Buffer | Uint8Array> & { destroy?: () => void }, max: number, what: string): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > max) {
      body.destroy?.();
      throw new KubeError('kube.api', `${what}: the answer is larger than ${max} bytes`);
    }
    chunks.push(Buffer.from(chunk));
  }
  return Buffer.concat(chunks).toString('utf8');
}

function sameTls(a: TlsParts, b: TlsParts): boolean {
  const eq = (x: unknown, y: unknown): boolean => (Buffer.isBuffer(x) && Buffer.isBuffer(y) ? x.equals(y) : x === y);
  return eq(a.ca, b.ca) && eq(a.cert, b.cert) && eq(a.key, b.key) && a.rejectUnauthorized === b.rejectUnauthorized && a.servername === b.servername;
}

function hasProxyEnv(): boolean {
  return ['https_proxy', 'HTTPS_PROXY', 'http_proxy', 'HTTP_PROXY'].some((k) => (process.env[k] ?? '') !== '');
}

function isLoopback(server: string): boolean {
  const host = new URL(server).hostname.replace(/^\[|\]$/g, '');
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  return host === '::1';
}

function firstLine(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split('\n')[0] ?? '';
}

function formatMs(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}
