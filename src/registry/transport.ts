import { rootCertificates } from 'node:tls';
import { Agent, EnvHttpProxyAgent, request, type Dispatcher } from 'undici';
import { VerifyError } from '../errors.js';
import type { DigestAccumulator } from './digest.js';
import { registryError, type RegistryError } from './errors.js';

/** TLS material as Flux's `certSecretRef` carries it (`ca.crt`, `tls.crt`, `tls.key`), PEM. */
export interface TlsMaterial {
  readonly ca?: string | Uint8Array;
  readonly cert?: string | Uint8Array;
  readonly key?: string | Uint8Array;
}

export interface RetryPolicy {
  /** further attempts after the first; default 3 */
  readonly maxRetries?: number;
  /** backoff base; default 500 ms, doubled per attempt, with full jitter */
  readonly baseDelayMs?: number;
  /** ceiling for one backoff wait; default 8 s */
  readonly maxDelayMs?: number;
  /** a Retry-After longer than this is not waited for: the request fails as rate-limited; default 30 s */
  readonly maxRetryAfterMs?: number;
}

export interface TransportOptions {
  /** `spec.insecure`: allow plain HTTP; without TLS material also accept any certificate (as Flux) */
  readonly insecure?: boolean;
  readonly tls?: TlsMaterial;
  /** an explicit proxy (Flux's proxySecretRef `address`); otherwise HTTP(S)_PROXY / NO_PROXY apply */
  readonly proxyUrl?: string;
  /** per request, headers and body together; default 30 s */
  readonly timeoutMs?: number;
  readonly retry?: RetryPolicy;
  readonly userAgent?: string;
  /** replaces the dispatcher built from the options above (tests) */
  readonly dispatcher?: Dispatcher;
}

export interface HttpRequest {
  readonly method: 'GET' | 'HEAD' | 'POST';
  readonly url: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
  readonly signal?: AbortSignal;
}

export interface HttpResponse {
  readonly status: number;
  /** the URL that answered, after redirects */
  readonly url: string;
  header(name: string): string | undefined;
  /** reads the body under a cap, hashing as it goes when asked */
  read(maxBytes: number, what: string, hash?: DigestAccumulator): Promise<Uint8Array>;
  discard(): Promise<void>;
}

const DEFAULT_TIMEOUT_MS = 30_000;
const MAX_REDIRECTS = 5;

export function createDispatcher(opts: TransportOptions): Dispatcher {
  if (opts.dispatcher) return opts.dispatcher;
  const hasTls = opts.tls?.ca !== undefined || opts.tls?.cert !== undefined;
  const tls = {
    ...(opts.tls?.ca !== undefined && { ca: [...tlsDefaultCas(), toText(opts.tls.ca)] }),
    ...(opts.tls?.cert !== undefined && { cert: toText(opts.tls.cert) }),
    ...(opts.tls?.key !== undefined && { key: toText(opts.tls.key) }),
    // Flux: insecure with no certSecretRef also skips verification.
    ...(opts.insecure && !hasTls && { rejectUnauthorized: false }),
  };
  const base = { connect: tls, requestTls: tls, keepAliveTimeout: 10_000, headersTimeout: 0, bodyTimeout: 0 };
  if (opts.proxyUrl !== undefined) return new EnvHttpProxyAgent({ ...base, httpProxy: opts.proxyUrl, httpsProxy: opts.proxyUrl });
  // EnvHttpProxyAgent is a plain Agent when no proxy variable is set.
  return hasProxyEnv() ? new EnvHttpProxyAgent(base) : new Agent(base);
}

function hasProxyEnv(): boolean {
  return ['http_proxy', 'HTTP_PROXY', 'https_proxy', 'HTTPS_PROXY'].some((k) => (process.env[k] ?? '') !== '');
}

function tlsDefaultCas(): string[] {
  // Flux adds the user CA to the system pool rather than replacing it.
  return [...rootCertificates];
}

function toText(v: string | Uint8Array): string {
  return typeof v === 'string' ? v : Buffer.from(v).toString('utf8');
}

/**
 * What one host shares between every request to it (registry/host.ts): a limit on requests in flight
 * and one backoff that a 429 (or 503) with Retry-After sets for all of them.
 */
export interface HostControl {
  /** waits until the host's backoff is over and a slot is free; the returned function frees the slot */
  acquire(signal: AbortSignal | undefined): Promise<() => void>;
  /** the host asked to wait `ms` before any further request */
  backoff(ms: number): void;
}

/**
 * Sends one logical request: follows redirects (dropping Authorization when the origin changes, so a
 * registry token never reaches a blob store), retries 429 and 5xx with backoff, and maps every
 * failure to a RegistryError naming `where`. The caller's signal aborts everything. With a
 * `HostControl`, each attempt holds one of the host's slots until its body is read or discarded, and
 * a Retry-After makes every request to the host wait, not only this one.
 */
export async function send(dispatcher: Dispatcher, req: HttpRequest, opts: TransportOptions, where: string, host?: HostControl): Promise<HttpResponse> {
  const retry = opts.retry ?? {};
  const maxRetries = retry.maxRetries ?? 3;
  for (let attempt = 0; ; attempt++) {
    const release = host ? await host.acquire(req.signal) : undefined;
    let res: HttpResponse;
    try {
      res = await sendFollowingRedirects(dispatcher, req, opts, where);
    } catch (e) {
      release?.();
      if (attempt < maxRetries && isRegistryCode(e, 'registry.unreachable') && isTransient(e)) {
        await sleep(backoff(attempt, retry), req.signal);
        continue;
      }
      throw e;
    }
    if (res.status !== 429 && !(res.status >= 500 && res.status !== 501 && res.status !== 505)) return release ? releasing(res, release) : res;
    await res.discard();
    release?.();
    const retryAfterMs = res.status === 429 || res.status === 503 ? parseRetryAfter(res.header('retry-after')) : undefined;
    const maxRetryAfter = retry.maxRetryAfterMs ?? 30_000;
    if (attempt >= maxRetries || (retryAfterMs !== undefined && retryAfterMs > maxRetryAfter)) {
      const after = retryAfterMs === undefined ? '' : `; it asked to wait ${Math.ceil(retryAfterMs / 1000)} s`;
      if (res.status === 429) {
        throw registryError('registry.rate-limited', `${where}: rate limited (HTTP 429) after ${attempt + 1} attempt(s)${after}`);
      }
      throw registryError('registry.server-error', `${where}: server error HTTP ${res.status} after ${attempt + 1} attempt(s)${after}`);
    }
    if (retryAfterMs !== undefined && host) {
      // the host's answer is about the host, not this request: every request to it waits (in acquire)
      host.backoff(retryAfterMs);
      continue;
    }
    await sleep(retryAfterMs ?? backoff(attempt, retry), req.signal);
  }
}

/** The response with its host slot freed once, when its body has been read or discarded. */
function releasing(res: HttpResponse, release: () => void): HttpResponse {
  let done = false;
  const free = (): void => {
    if (!done) {
      done = true;
      release();
    }
  };
  return {
    status: res.status,
    url: res.url,
    header: (name) => res.header(name),
    read: async (maxBytes, what, hash) => {
      try {
        return await res.read(maxBytes, what, hash);
      } finally {
        free();
      }
    },
    discard: async () => {
      try {
        await res.discard();
      } finally {
        free();
      }
    },
  };
}

async function sendFollowingRedirects(dispatcher: Dispatcher, req: HttpRequest, opts: TransportOptions, where: string): Promise<HttpResponse> {
  let url = req.url;
  let headers: Record<string, string> = { 'user-agent': opts.userAgent ?? 'kubectl-verify', ...req.headers };
  const origin = new URL(url).origin;
  for (let hop = 0; ; hop++) {
    const res = await sendOnce(dispatcher, { ...req, url, headers }, opts, where);
    const location = res.status >= 300 && res.status < 400 && res.status !== 304 ? res.header('location') : undefined;
    if (location === undefined) return res;
    await res.discard();
    if (hop >= MAX_REDIRECTS) throw registryError('registry.protocol', `${where}: more than ${MAX_REDIRECTS} redirects`);
    const next = new URL(location, url);
    if (next.protocol !== 'https:' && !(next.protocol === 'http:' && (opts.insecure || new URL(url).protocol === 'http:'))) {
      throw registryError('registry.protocol', `${where}: redirected to a ${next.protocol} URL on ${next.host}, which is not allowed`);
    }
    if (next.origin !== origin) {
      headers = Object.fromEntries(Object.entries(headers).filter(([k]) => k.toLowerCase() !== 'authorization'));
    }
    url = next.toString();
  }
}

async function sendOnce(dispatcher: Dispatcher, req: HttpRequest & { headers: Record<string, string> }, opts: TransportOptions, where: string): Promise<HttpResponse> {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const timeout = AbortSignal.timeout(timeoutMs);
  const signal = req.signal ? AbortSignal.any([req.signal, timeout]) : timeout;
  const fail = (e: unknown): never => {
    if (req.signal?.aborted) throw req.signal.reason;
    if (timeout.aborted) throw registryError('registry.timeout', `${where}: no complete answer within ${timeoutMs} ms`);
    throw networkError(e, where);
  };
  let data: Dispatcher.ResponseData;
  try {
    data = await request(req.url, { dispatcher, method: req.method, headers: req.headers, signal, ...(req.body !== undefined && { body: req.body }) });
  } catch (e) {
    return fail(e);
  }
  const body = data.body;
  return {
    status: data.statusCode,
    url: req.url,
    header(name) {
      const v = data.headers[name.toLowerCase()];
      return Array.isArray(v) ? v.join(', ') : v;
    },
    async read(maxBytes, what, hash) {
      const declared = Number(data.headers['content-length']);
      if (Number.isFinite(declared) && declared > maxBytes) {
        body.destroy();
        throw tooLarge(what, maxBytes, `it declares ${declared} bytes`);
      }
      const chunks: Buffer[] = [];
      let total = 0;
      try {
        for await (const chunk of body as AsyncIterable<Buffer>) {
          total += chunk.length;
          if (total > maxBytes) {
            body.destroy();
            throw tooLarge(what, maxBytes, `more than ${maxBytes} bytes arrived`);
          }
          hash?.update(chunk);
          chunks.push(chunk);
        }
      } catch (e) {
        if (e instanceof VerifyError) throw e;
        return fail(e);
      }
      return new Uint8Array(Buffer.concat(chunks, total));
    },
    async discard() {
      try {
        await body.dump({ limit: 64 * 1024 });
      } catch {
        // the connection is dropped instead of reused; nothing to report
      }
    },
  };
}

function tooLarge(what: string, maxBytes: number, found: string): RegistryError {
  return registryError('registry.too-large', `${what}: expected at most ${maxBytes} bytes, ${found}`);
}

const TLS_CODES = new Set([
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_GET_ISSUER_CERT',
  'CERT_SIGNATURE_FAILURE',
  'CERT_UNTRUSTED',
  'EPROTO',
]);
const TIMEOUT_CODES = new Set(['ETIMEDOUT', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);
const TRANSIENT_CODES = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED']);

/** The innermost useful error code: undici nests causes and aggregates per-address failures. */
function errorCode(e: unknown): string | undefined {
  for (let cur: unknown = e, depth = 0; cur !== undefined && cur !== null && depth < 5; depth++) {
    if (cur instanceof AggregateError && cur.errors.length > 0) cur = cur.errors[0];
    const code = (cur as { code?: unknown }).code;
    if (typeof code === 'string' && code !== 'UND_ERR' && !code.startsWith('registry.')) return code;
    cur = (cur as { cause?: unknown }).cause;
  }
  return undefined;
}

/** What an operator needs to read for the common certificate failures; the code stays for searching. */
const TLS_EXPLAINED: Readonly<Record<string, string>> = {
  CERT_HAS_EXPIRED: "the server's certificate has expired",
  CERT_NOT_YET_VALID: "the server's certificate is not valid yet",
  ERR_TLS_CERT_ALTNAME_INVALID: "the server's certificate does not name this host",
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: "the server's certificate is not signed by a trusted CA (give its CA: --ca-file, or ca.crt in certSecretRef)",
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: "the server's certificate is not signed by a trusted CA (give its CA: --ca-file, or ca.crt in certSecretRef)",
  SELF_SIGNED_CERT_IN_CHAIN: "the server's certificate chains to an untrusted self-signed CA (give it: --ca-file, or ca.crt in certSecretRef)",
  DEPTH_ZERO_SELF_SIGNED_CERT: "the server's certificate is self-signed and not trusted (give it: --ca-file, or ca.crt in certSecretRef)",
};

function networkError(e: unknown, where: string): RegistryError {
  const code = errorCode(e) ?? 'unknown';
  if (TLS_CODES.has(code) || code.startsWith('ERR_TLS_') || code.startsWith('ERR_SSL_')) {
    const why = TLS_EXPLAINED[code];
    return registryError('registry.tls', `${where}: TLS failed: ${why ? `${why} ` : ''}(${code})`, e);
  }
  if (TIMEOUT_CODES.has(code)) return registryError('registry.timeout', `${where}: timed out (${code})`, e);
  return registryError('registry.unreachable', `${where}: cannot connect (${code})`, e);
}

function isRegistryCode(e: unknown, code: string): boolean {
  return typeof e === 'object' && e !== null && (e as { code?: unknown }).code === code;
}

function isTransient(e: unknown): boolean {
  const code = errorCode((e as { cause?: unknown }).cause);
  return code !== undefined && TRANSIENT_CODES.has(code);
}

export function parseRetryAfter(value: string | undefined, now: number = Date.now()): number | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

function backoff(attempt: number, retry: RetryPolicy): number {
  const base = retry.baseDelayMs ?? 500;
  const cap = retry.maxDelayMs ?? 8_000;
  // full jitter: spreads retries of many concurrent verifications
  return Math.random() * Math.min(cap, base * 2 ** attempt);
}

export function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
