import { compareSemver, parseSemver, type Semver } from '../kube/flux-version.js';
import type { Mechanism } from '../verify/evidence.js';

/**
 * Where an older source-controller decides differently from the rules the plugin judges by (Flux 2.9.4,
 * docs/flux-rules.md). One entry per row of the "Version rules" table in docs/flux-rules.md, same ids,
 * same order (a unit test compares them): adding a release is one row there, one entry here, one test.
 * A rule speaks only about versions older than its `from`: at or after it the finding already says what
 * Flux does.
 */

/** What a node shows that the rules look at: all of it is in the published report already. */
export interface VersionFacts {
  /** the node's kind (a generated HelmChart is a HelmChart) */
  readonly kind: string;
  readonly provider?: 'cosign' | 'notation';
  readonly mode?: 'cosign-key' | 'cosign-keyless' | 'notation';
  /** number of matchOIDCIdentity entries */
  readonly identities: number;
  /** spec.verify.trustedRootSecretRef is set */
  readonly trustedRoot: boolean;
  /** signature mechanisms found for the digest the node runs */
  readonly mechanisms: readonly Mechanism[];
  /** the registry is reached over plain HTTP (spec.insecure; a HelmChart's HelmRepository's) */
  readonly insecure: boolean;
  /** the registry's CA comes from certSecretRef */
  readonly privateCa: boolean;
  /** GitRepository spec.verify.mode as Flux reads it */
  readonly gitMode?: 'HEAD' | 'Tag' | 'TagAndHEAD';
  /** how an OCI artifact's reference is resolved */
  readonly refKind?: 'digest' | 'semver' | 'tag';
}

export interface VersionRule {
  /** stable: the report's `versionNotes[].rule`, the docs table's first column */
  readonly id: string;
  /** what changes, in a few words */
  readonly rule: string;
  /** first source-controller release with the behaviour */
  readonly from: string;
  /** first flux2 release shipping it (not always the minor's .0) */
  readonly fluxFrom: string;
  readonly kinds: readonly string[];
  /** what an older release does */
  readonly before: string;
  /** release notes and file/identifier at that tag */
  readonly source: string;
  /** below this version another rule already says what happens to the object */
  readonly notBelow?: string;
  /** the note at source-controller `at` (older than `from`), when the rule changes something for this object */
  note(facts: VersionFacts, at: string): string | undefined;
}

export interface VersionNote {
  readonly rule: string;
  readonly from: string;
  readonly message: string;
}

const OCI = ['OCIRepository', 'HelmChart'] as const;
const has = (f: VersionFacts, m: Mechanism): boolean => f.mechanisms.includes(m);
const cosign = (f: VersionFacts): boolean => f.provider === 'cosign';

export const VERSION_RULES: readonly VersionRule[] = [
  {
    id: 'git-tag-modes',
    rule: 'verify.mode Tag and TagAndHEAD',
    from: '1.1.0',
    fluxFrom: '2.1.0',
    kinds: ['GitRepository'],
    before: 'only `head` (the HEAD commit); the CRD refuses other modes',
    source: 'SC CHANGELOG 1.1.0 "Tag verification"; `api/v1/gitrepository_types.go` `GitRepositoryVerification` (`Enum=head;HEAD;Tag;TagAndHEAD`)',
    note: (f, at) => (f.gitMode === 'Tag' || f.gitMode === 'TagAndHEAD' ? `source-controller v${at} knows only verify.mode head: its CRD refuses mode ${f.gitMode}, so this object could not be applied there (Tag modes from v1.1.0)` : undefined),
  },
  {
    id: 'oidc-identity',
    rule: 'matchOIDCIdentity',
    from: '1.2.0',
    fluxFrom: '2.2.0',
    kinds: OCI,
    before: 'the field is pruned; keyless accepts any identity',
    source: 'SC CHANGELOG 1.2.0 "cosign: allow identity matching for keyless verification"; `api/v1beta2/ocirepository_types.go` `MatchOIDCIdentity`',
    note: (f, at) =>
      cosign(f) && f.mode === 'cosign-keyless' && f.identities > 0
        ? `source-controller v${at} has no matchOIDCIdentity: its CRD drops the field and keyless verification accepts a certificate of any identity (identities from v1.2.0)`
        : undefined,
  },
  {
    id: 'notation',
    rule: 'provider: notation',
    from: '1.3.0',
    fluxFrom: '2.3.0',
    kinds: OCI,
    before: 'cosign only; the CRD refuses `notation`',
    source: 'SC CHANGELOG 1.3.0 "Add support for Notation verification to HelmChart and OCIRepository"; `api/v1/ociverification_types.go` (`Enum=cosign;notation`)',
    note: (f, at) => (f.provider === 'notation' ? `source-controller v${at} has no notation provider: its CRD refuses provider notation, so this object could not be applied there (notation from v1.3.0)` : undefined),
  },
  {
    id: 'cosign-bundle',
    rule: 'cosign v3 Sigstore bundles found (referrers API, `sha256-<hex>` tag) and verified',
    from: '1.8.0',
    fluxFrom: '2.8.0',
    kinds: OCI,
    before: 'legacy `.sig` signatures only',
    source: 'SC CHANGELOG 1.8.0 "Discover cosign v3 NewBundleFormat for verification" (#1961); `internal/oci/cosign/cosign.go` `(*CosignVerifier).Verify` (`cosign.GetBundles`)',
    note: (f, at) => {
      if (!cosign(f) || !has(f, 'cosign-bundle')) return undefined;
      return has(f, 'cosign-legacy')
        ? `source-controller v${at} finds no cosign v3 bundle: Flux there would verify the .sig signature alone (bundles from v1.8.0)`
        : `source-controller v${at} finds no cosign v3 bundle: Flux there would fail this object for lack of a .sig signature (bundles from v1.8.0)`;
    },
  },
  {
    id: 'bundle-identities',
    rule: 'on the bundle path, 0 or several matchOIDCIdentity entries are refused',
    from: '1.8.0',
    fluxFrom: '2.8.0',
    kinds: OCI,
    before: 'no bundle path: the `.sig` signature is checked, where 0 entries accept any identity and several match as OR',
    source: 'cosign v3.0.4 `pkg/cosign/verify.go` `(*CheckOpts).verificationOptions` (`multiple identities are not supported`), reached from SC 1.8.0 `cosign.go` `Verify`',
    note: (f, at) => {
      // with no .sig beside the bundle an older release fails either way: cosign-bundle says so
      if (!cosign(f) || f.mode !== 'cosign-keyless' || !has(f, 'cosign-bundle') || !has(f, 'cosign-legacy') || f.identities === 1) return undefined;
      const old = f.identities === 0 ? 'no matchOIDCIdentity accepts any identity' : `${f.identities} matchOIDCIdentity entries match as OR`;
      return `source-controller v${at} verifies the .sig signature, where ${old}; from v1.8.0 Flux verifies the bundle and refuses ${f.identities === 0 ? 'no identity' : 'several identities'}`;
    },
  },
  {
    id: 'bundle-insecure-ca',
    rule: 'bundles found on plain-HTTP and private-CA registries',
    from: '1.9.0',
    fluxFrom: '2.9.0',
    kinds: OCI,
    before: 'bundle lookup fails there, so Flux falls back to the `.sig` signature',
    source: 'SC CHANGELOG 1.9.0 "cosign: fix v3 bundle verify on http and private CA registries and pass TLS to Rekor" (#2061); `internal/oci/cosign/cosign.go` `WithInsecure`, `WithTLSConfig`',
    // below 1.8.0 no bundle is looked for at all: cosign-bundle speaks
    notBelow: '1.8.0',
    note: (f, at) => {
      if (!cosign(f) || !has(f, 'cosign-bundle') || !(f.insecure || f.privateCa)) return undefined;
      const where = f.insecure ? 'a plain-HTTP registry' : 'a registry with a private CA (certSecretRef)';
      return `source-controller v${at} cannot look up bundles on ${where}: Flux there falls back to the .sig signature${has(f, 'cosign-legacy') ? '' : ' and fails this object for lack of one'} (from v1.9.0)`;
    },
  },
  {
    id: 'trusted-root',
    rule: 'verify.trustedRootSecretRef (a custom Sigstore trusted root)',
    from: '1.9.0',
    fluxFrom: '2.9.0',
    kinds: ['OCIRepository'],
    before: 'the field is pruned; keyless uses the public-good Sigstore root',
    source: 'SC CHANGELOG 1.9.0 "Add custom Sigstore trusted root support" (#2003); `internal/controller/ocirepository_controller.go` `readTrustedRootFromSecret`',
    note: (f, at) => {
      if (!cosign(f) || !f.trustedRoot) return undefined;
      return f.mode === 'cosign-keyless'
        ? `source-controller v${at} has no trustedRootSecretRef: its CRD drops the field and keyless verification uses the public-good Sigstore root instead of this one (from v1.9.0)`
        : `source-controller v${at} has no trustedRootSecretRef: its CRD drops the field, which a key does not need; from v1.9.0 Flux reads it first and fails when it cannot`;
    },
  },
  {
    id: 'git-ssh',
    rule: 'SSH signatures on commits and tags (`.sshpub` keys)',
    from: '1.9.0',
    fluxFrom: '2.9.0',
    kinds: ['GitRepository'],
    before: 'OpenPGP only: every Secret value is read as an OpenPGP key ring',
    source: 'SC CHANGELOG 1.9.0 (#2077); `internal/controller/gitrepository_controller.go` `verifyGitObject`, `publicKeySSHSuffix`',
    note: (f, at) => (has(f, 'git-ssh') ? `source-controller v${at} verifies OpenPGP signatures only: Flux there would fail this SSH-signed object (SSH signatures from v1.9.0)` : undefined),
  },
  {
    id: 'oci-digest',
    rule: 'OCIRepository verifies and pulls by digest',
    from: '1.9.0',
    fluxFrom: '2.9.0',
    kinds: ['OCIRepository'],
    before: 'verifies the tag, then resolves it again to pull',
    source: 'SC CHANGELOG 1.9.0 "Ensure OCI artifacts are handled strictly by digest" (#2075); `internal/controller/ocirepository_controller.go` `digestRef`',
    note: (f, at) =>
      f.provider !== undefined && f.refKind !== undefined && f.refKind !== 'digest'
        ? `source-controller v${at} verifies the ${f.refKind === 'semver' ? 'semver tag' : 'tag'} and resolves it again to pull: what it stores may not be the digest it verified (by digest from v1.9.0)`
        : undefined,
  },
  {
    id: 'chart-digest',
    rule: 'HelmChart verifies the digest-pinned chart',
    from: '1.9.4',
    fluxFrom: '2.9.4',
    kinds: ['HelmChart'],
    before: 'verifies the chart tag, then downloads the tag again',
    source: 'SC CHANGELOG 1.9.4 "Pin OCI chart verification by digest" (#2125); `internal/helm/repository/oci_chart_repository.go` `VerifyChart`',
    note: (f, at) =>
      f.provider !== undefined && f.refKind !== undefined
        ? `source-controller v${at} verifies the chart by tag and downloads the tag again: what it stores may not be the digest it verified (by digest from v1.9.4)`
        : undefined,
  },
  {
    id: 'external-artifact',
    rule: 'the ExternalArtifact kind (never verified by Flux)',
    from: '1.7.0',
    fluxFrom: '2.7.0',
    kinds: ['ExternalArtifact'],
    before: 'no such kind',
    source: 'SC CHANGELOG 1.7.0 "A new ExternalArtifact API has been added"; `api/v1/externalartifact_types.go`',
    note: (_f, at) => `source-controller v${at} has no ExternalArtifact kind: this object cannot exist there (from v1.7.0)`,
  },
];

/** The notes for one node at source-controller `version` (`1.8.0`); none when the version does not parse. */
export function evaluateVersionRules(facts: VersionFacts, version: string): readonly VersionNote[] {
  const at = parseSemver(version);
  if (!at) return [];
  const text = `${at[0]}.${at[1]}.${at[2]}`;
  const older = (than: string): boolean => compareSemver(at, parseSemver(than) as Semver) < 0;
  const notes: VersionNote[] = [];
  for (const r of VERSION_RULES) {
    if (!r.kinds.includes(facts.kind) || !older(r.from) || (r.notBelow !== undefined && older(r.notBelow))) continue;
    const message = r.note(facts, text);
    if (message !== undefined) notes.push({ rule: r.id, from: r.from, message });
  }
  return notes;
}

/**
 * What a report node holds, structurally (verdict/ does not import report/): the facts come from the
 * node's published fields, so a note is explained by what the report shows beside it.
 */
export interface VersionNodeShape {
  readonly kind: string;
  readonly trust?: { readonly provider: 'cosign' | 'notation'; readonly mode: 'cosign-key' | 'cosign-keyless' | 'notation'; readonly matchOIDCIdentity: readonly unknown[]; readonly trustedRootSecretRef?: string };
  readonly signatures: readonly { readonly mechanism: Mechanism }[];
  readonly artifact?: { readonly ref: { readonly kind: 'digest' | 'semver' | 'tag' } };
  readonly git?: { readonly mode?: 'HEAD' | 'Tag' | 'TagAndHEAD' };
}

/** Facts of a node; `access` is how its plan reaches the registry (insecure, certSecretRef), which the report does not show. */
export function versionFacts(node: VersionNodeShape, access?: { readonly insecure: boolean; readonly certSecretRef?: string }): VersionFacts {
  const t = node.trust;
  return {
    kind: node.kind,
    ...(t ? { provider: t.provider, mode: t.mode } : {}),
    identities: t?.matchOIDCIdentity.length ?? 0,
    trustedRoot: t?.trustedRootSecretRef !== undefined,
    mechanisms: [...new Set(node.signatures.map((s) => s.mechanism))],
    insecure: access?.insecure ?? false,
    privateCa: access?.certSecretRef !== undefined,
    ...(node.git?.mode ? { gitMode: node.git.mode } : {}),
    ...(node.artifact ? { refKind: node.artifact.ref.kind } : {}),
  };
}
