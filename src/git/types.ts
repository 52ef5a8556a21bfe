/** A commit or tag object exactly as stored: `body` is what sha1("<type> <len>\0" + body) hashes to `id`. */
export interface RawGitObject {
  readonly type: 'commit' | 'tag';
  readonly id: string;
  readonly body: Uint8Array;
}

/** GitRepository `spec.ref`. Precedence as source-controller: commit > name > tag > semver > branch. */
export interface GitRefSpec {
  readonly commit?: string;
  readonly name?: string;
  readonly tag?: string;
  readonly semver?: string;
  readonly branch?: string;
}

/**
 * How to reach a remote: `spec.url` plus what the auth Secret (`spec.secretRef`), the TLS material and
 * `spec.proxySecretRef` carry, with the keys fluxcd/pkg/git reads (username, password, bearerToken,
 * identity, known_hosts, ca.crt or caFile, tls.crt, tls.key).
 */
export interface GitAccess {
  /** https://, http://, ssh://, or scp-like `git@host:path` */
  readonly url: string;
  readonly username?: string;
  readonly password?: string;
  readonly bearerToken?: string;
  /** SSH private key (PEM or OpenSSH format); an encrypted one is not supported */
  readonly identity?: Uint8Array;
  /** known_hosts lines; required for SSH, as Flux requires them */
  readonly knownHosts?: string;
  readonly caCert?: Uint8Array;
  readonly clientCert?: Uint8Array;
  readonly clientKey?: Uint8Array;
  readonly proxy?: { readonly url: string; readonly username?: string; readonly password?: string };
}

export interface ResolvedGitRef {
  /** the 40-hex commit the ref peels to */
  readonly commit: string;
  /** refs/heads/main, refs/tags/v1.0.0, or spec.ref.name as written; absent for a bare commit ref */
  readonly refName?: string;
  /** for tag, semver and refs/tags/… name refs */
  readonly tag?: { readonly name: string; /** annotated tag object id; absent for a lightweight tag */ readonly object?: string };
  /** as source-controller writes status.artifact.revision: main@sha1:<hex>, v1.0.0@sha1:<hex>, sha1:<hex>, refs/heads/main@sha1:<hex> */
  readonly revision: string;
}

/** One advertised ref: `peeled` is the object an annotated tag points to, after every level. */
export interface RemoteRef {
  readonly name: string;
  readonly id: string;
  readonly peeled?: string;
  /** HEAD → refs/heads/main (protocol v2 `symrefs`, v0 `symref=` capability) */
  readonly symrefTarget?: string;
}
