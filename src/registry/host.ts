import type { Dispatcher } from 'undici';
import { Authenticator } from './auth.js';
import type { Credential } from './credentials.js';
import { createDispatcher, send, sleep, type HostControl, type HttpRequest, type HttpResponse, type TransportOptions } from './transport.js';

/** Requests in flight to one host at a time, unless the pool says otherwise. */
export const DEFAULT_HOST_CONCURRENCY = 8;

export interface HostClientOptions {
  /** requests in flight to this host at once; default 8 */
  readonly concurrency?: number;
  /** clock for the shared backoff and token expiry (tests) */
  readonly now?: () => number;
}

/**
 * Everything one registry host shares within a run, for one set of transport settings (TLS material,
 * insecure, proxy): the connection pool (one undici dispatcher), the HTTPS-or-HTTP answer of the
 * probe (settled once), a limit on requests in flight, one backoff that every request waits out when
 * the host answers 429 (or 503) with Retry-After, and one Authenticator per credential, so bearer
 * tokens are cached per (credential, scope).
 */
export class HostClient implements HostControl {
  readonly host: string;
  readonly transport: TransportOptions;
  readonly #dispatcher: Dispatcher;
  readonly #ownsDispatcher: boolean;
  readonly #limit: number;
  readonly #now: () => number;
  readonly #waiting: (() => void)[] = [];
  readonly #auth = new Map<string, Authenticator>();
  #inFlight = 0;
  #pausedUntil = 0;
  #scheme: Promise<'https' | 'http'> | undefined;
  #resolvedScheme: 'https' | 'http' | undefined;

  constructor(host: string, transport: TransportOptions, opts: HostClientOptions = {}) {
    this.host = host;
    this.transport = transport;
    this.#dispatcher = createDispatcher(transport);
    this.#ownsDispatcher = transport.dispatcher === undefined;
    this.#limit = Math.max(1, opts.concurrency ?? DEFAULT_HOST_CONCURRENCY);
    this.#now = opts.now ?? Date.now;
  }

  /** One request through this host's pool, limit and backoff. */
  send(req: HttpRequest, where: string): Promise<HttpResponse> {
    return send(this.#dispatcher, req, this.transport, where, this);
  }

  /**
   * The Authenticator for a credential, made on first use. `key` identifies the credential's content
   * (see credentialKey in pool.ts); `credential` is asked only when the host first challenges.
   */
  authenticator(key: string, credential: () => Promise<Credential>): Authenticator {
    let a = this.#auth.get(key);
    if (!a) {
      a = new Authenticator(this.host, credential, (req, where) => this.send(req, where), this.transport.insecure === true, this.#now);
      this.#auth.set(key, a);
    }
    return a;
  }

  /**
   * The scheme to use. Without `insecure` always HTTPS. With it, one probe of `/v2/` over HTTPS
   * (certificate not checked, as Flux with insecure and no CA): any answer means HTTPS, a failure
   * means plain HTTP, the way go-containerregistry pings insecure registries. Settled once per host.
   */
  scheme(signal: AbortSignal | undefined): Promise<'https' | 'http'> {
    if (!this.transport.insecure) return Promise.resolve('https');
    this.#scheme ??= send(this.#dispatcher, { method: 'GET', url: `https://${this.host}/v2/`, headers: {}, ...(signal && { signal }) }, { ...this.transport, retry: { maxRetries: 0 } }, `${this.host}: HTTPS probe`).then(
      async (res): Promise<'https' | 'http'> => {
        await res.discard();
        return (this.#resolvedScheme = 'https');
      },
      (): 'https' | 'http' => (this.#resolvedScheme = 'http'),
    );
    return this.#scheme;
  }

  /** The scheme once probed; before that the one the options imply. */
  get knownScheme(): 'https' | 'http' {
    return this.#resolvedScheme ?? (this.transport.insecure ? 'http' : 'https');
  }

  async acquire(signal: AbortSignal | undefined): Promise<() => void> {
    for (;;) {
      const wait = this.#pausedUntil - this.#now();
      if (wait > 0) {
        await sleep(wait, signal);
        continue;
      }
      if (this.#inFlight < this.#limit) break;
      await new Promise<void>((resolve) => this.#waiting.push(resolve));
    }
    this.#inFlight++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#inFlight--;
      this.#waiting.shift()?.();
    };
  }

  backoff(ms: number): void {
    this.#pausedUntil = Math.max(this.#pausedUntil, this.#now() + ms);
  }

  /** requests holding a slot now (tests) */
  get inFlight(): number {
    return this.#inFlight;
  }

  async close(): Promise<void> {
    if (this.#ownsDispatcher) await this.#dispatcher.close();
  }
}
