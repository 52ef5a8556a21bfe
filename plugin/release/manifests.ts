import { stringify } from 'yaml';
import { archiveName, binaryName, type KrewArch, type KrewOs } from './targets.js';

export interface BuiltArchive {
  readonly os: KrewOs;
  readonly arch: KrewArch;
  readonly file: string;
  /** lowercase hex */
  readonly sha256: string;
}

export interface GitHubRepo {
  readonly owner: string;
  readonly name: string;
}

/**
 * owner/name from package.json's `repository`: the npm shorthands (`owner/name`, `github:owner/name`)
 * or a github.com URL in either spelling npm accepts. Release downloads follow GitHub's pattern.
 */
export function githubRepo(repository: unknown): GitHubRepo {
  const raw = typeof repository === 'string' ? repository : typeof repository === 'object' && repository !== null ? (repository as { url?: unknown }).url : undefined;
  if (typeof raw !== 'string') throw new Error('package.json has no "repository": the release URLs need one');
  const m = /^(?:github:)?([\w.-]+)\/([\w.-]+)$/.exec(raw) ?? /^(?:git\+)?(?:https?|git|ssh):\/\/(?:git@)?github\.com[/:]([\w.-]+)\/([\w.-]+?)(?:\.git)?\/?$/.exec(raw);
  if (!m?.[1] || !m[2]) throw new Error(`package.json "repository" (${raw}) is not a GitHub repository`);
  return { owner: m[1], name: m[2] };
}

export function releaseUrl(repo: GitHubRepo, version: string, file: string): string {
  return `https://github.com/${repo.owner}/${repo.name}/releases/download/v${version}/${file}`;
}

const shortDescription = "Re-verify the signatures of Flux's OCI artifacts";

const description = `Reads the Flux objects in a cluster (OCIRepository, HelmRepository, HelmChart,
HelmRelease, Kustomization), re-verifies the signatures of their OCI artifacts on
your machine (cosign keys, cosign keyless, cosign bundles, notation) and shows
source, digest, signatures and Flux's own conditions side by side: as an
interactive tree, or as table, JSON or YAML for scripts and CI.
\`kubectl verify -f DIR\` audits Flux YAML without a cluster, and
\`kubectl verify artifact REF\` verifies one artifact without a cluster.
`;

// Every sentence here is checked against the code: what it reads (src/kube/cluster.ts), what it never
// does (no request other than GET), where verification happens (src/verify, pure functions).
const caveats = `Read-only: it never creates, changes or deletes anything in the cluster; every
request it sends to the API server is a GET.

RBAC it needs, per namespace audited (or cluster-wide with -A):
  * list on the Flux kinds: kustomizations, helmreleases (helm.toolkit.fluxcd.io);
    ocirepositories, helmrepositories, helmcharts, gitrepositories, buckets,
    externalartifacts (source.toolkit.fluxcd.io). Watch mode (-w) lists again,
    so no watch permission is needed.
  * get on the Secrets those objects name (verification keys, trust policies,
    registry credentials, TLS and proxy settings) and on the ServiceAccounts
    they name, for their imagePullSecrets.
What it may not read is reported as such, never as verified.

Verification runs on your machine: it reads objects from the API server and
artifacts and signatures from their registries, and sends nothing anywhere else
(\`kubectl verify artifact\` may also run the Docker credential helper that
~/.docker/config.json names). Keyless checks use the Sigstore public-good trusted
root shipped inside the binary, or --trusted-root.

The binary contains Node.js; nothing else needs to be installed. OpenPGP
signatures are checked by openpgp.js (LGPL-3.0), installed beside it as
lib/openpgp.mjs, a file you may replace with your own build.
macOS: the binaries carry an ad-hoc signature only; they are not signed with an
Apple Developer ID nor notarised. Windows: the .exe is not Authenticode-signed.
`;

/**
 * krew's manifest. krew installs only what `files` names: the executable, the completion helper, the
 * top-level directories of the replaceable libraries (`libraryDirs`, e.g. lib: moved whole, as a file
 * operation's `to` must be a clean path on Windows too), LICENSE and THIRD_PARTY_NOTICES.
 */
export function krewManifest(version: string, repo: GitHubRepo, archives: readonly BuiltArchive[], libraryDirs: readonly string[] = []): string {
  const doc = {
    apiVersion: 'krew.googlecontainertools.github.com/v1alpha2',
    kind: 'Plugin',
    metadata: { name: 'verify' },
    spec: {
      version: `v${version}`,
      homepage: `https://github.com/${repo.owner}/${repo.name}`,
      shortDescription,
      description,
      caveats,
      platforms: archives.map((a) => ({
        selector: { matchLabels: { os: a.os, arch: a.arch } },
        uri: releaseUrl(repo, version, a.file),
        sha256: a.sha256,
        files: [
          { from: binaryName(a), to: '.' },
          // krew links only `bin` onto PATH; the completion helper is installed beside it (README: Shell completion)
          ...(a.os === 'windows' ? [] : [{ from: 'kubectl_complete-verify', to: '.' }]),
          // the executable loads these from beside its real path (krew links it from ~/.krew/bin)
          ...libraryDirs.map((d) => ({ from: d, to: d })),
          { from: 'LICENSE', to: '.' },
          { from: 'THIRD_PARTY_NOTICES', to: '.' },
        ],
        bin: binaryName(a),
      })),
    },
  };
  return `# Generated by \`npm run release\` (plugin/release/): the archives' URLs and checksums change with every
# build, so edit the generator, not this file.\n${stringify(doc, { lineWidth: 0 })}`;
}

/**
 * The plugin's manifest for the Flux CLI's catalog (Flux 2.9, RFC-0013, schema cli.fluxcd.io/v1beta1 in
 * fluxcd/flux2 pkg/plugin): `flux plugin install verify` downloads the archive for its os/arch, checks
 * the sha256 and installs the binary as flux-verify, which Flux then runs for `flux verify …`. The same
 * archives serve krew; extractPath names the binary inside them. The schema has no other files: Flux
 * installs the executable alone, without lib/ (OpenPGP then says what it needs; README: Install).
 */
export function fluxPluginManifest(version: string, repo: GitHubRepo, archives: readonly BuiltArchive[]): string {
  const doc = {
    apiVersion: 'cli.fluxcd.io/v1beta1',
    kind: 'Plugin',
    name: 'verify',
    description: shortDescription,
    homepage: `https://github.com/${repo.owner}/${repo.name}`,
    source: `https://github.com/${repo.owner}/${repo.name}`,
    bin: 'flux-verify',
    versions: [
      {
        version,
        platforms: archives.map((a) => ({
          os: a.os,
          arch: a.arch,
          url: releaseUrl(repo, version, a.file),
          checksum: `sha256:${a.sha256}`,
          extractPath: binaryName(a),
        })),
      },
    ],
  };
  return `# Generated by \`npm run release\` (plugin/release/): this plugin's entry for the Flux CLI plugin catalog
# (fluxcd/plugins: plugins/verify.yaml).\n${stringify(doc, { lineWidth: 0 })}`;
}

export { archiveName };
