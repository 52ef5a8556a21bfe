import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Handler = (req: IncomingMessage, res: ServerResponse, url: URL) => void;

export const sha = (b: string | Buffer): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;

/** An OCI image manifest with one layer ("hello"), and its digest: what a fake registry serves by default. */
export const manifest = JSON.stringify({
  schemaVersion: 2,
  mediaType: 'application/vnd.oci.image.manifest.v1+json',
  config: { mediaType: 'application/vnd.oci.empty.v1+json', digest: sha('{}'), size: 2 },
  layers: [{ mediaType: 'application/octet-stream', digest: sha('hello'), size: 5 }],
});
export const MD = sha(manifest);

export interface LoggedRequest {
  readonly method: string;
  /** path and query, as sent */
  readonly path: string;
  readonly pathname: string;
  readonly auth: string | undefined;
  readonly accept: string | undefined;
  /** when it arrived (ms since the epoch) */
  readonly at: number;
}

/**
 * A registry on loopback that does exactly what each test tells it to (a handler per path, `*` for the
 * rest, 404 NAME_UNKNOWN otherwise), and remembers what it was asked and how many requests were in
 * flight at once.
 */
export class FakeRegistry {
  readonly server: Server;
  readonly log: LoggedRequest[] = [];
  routes = new Map<string, Handler>();
  host = '';
  inFlight = 0;
  maxInFlight = 0;
  constructor() {
    this.server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', `http://${this.host}`);
      this.log.push({ method: req.method ?? '', path: url.pathname + url.search, pathname: url.pathname, auth: req.headers.authorization, accept: req.headers.accept, at: Date.now() });
      this.inFlight++;
      this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
      res.on('close', () => this.inFlight--);
      const handler = this.routes.get(url.pathname) ?? this.routes.get('*');
      if (handler) handler(req, res, url);
      else res.writeHead(404).end('{"errors":[{"code":"NAME_UNKNOWN"}]}');
    });
  }
  async start(): Promise<void> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.host = `127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }
  reset(): void {
    this.routes.clear();
    this.log.length = 0;
    this.maxInFlight = 0;
  }
  /** requests whose path (query included) starts with `prefix` */
  hits(prefix: string): number {
    return this.log.filter((l) => l.path.startsWith(prefix)).length;
  }
  /** requests of one method to exactly this path (query left out) */
  count(method: string, pathname: string): number {
    return this.log.filter((l) => l.method === method && l.pathname === pathname).length;
  }
}
