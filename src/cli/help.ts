import { artifactFlags, auditFlags, commonFlags, formatFlags, kubectlFlags, trustFlags } from './flags.js';

export function rootHelp(): string {
  return `kubectl verify re-verifies, on this machine, the signatures of the OCI artifacts that Flux runs
(OCIRepository, HelmRepository, HelmChart, HelmRelease, Kustomization) with cosign keys, cosign keyless,
cosign bundles and notation, and shows what verified, what failed and why, beside what Flux concluded.

Usage:
  kubectl verify [flags]                  audit the Flux objects in scope
  kubectl verify artifact REF [flags]     verify one artifact, without a cluster

Examples:
  # every Flux source in the current namespace, as an interactive tree
  kubectl verify

  # every namespace, as a table, failing the CI job on any finding
  kubectl verify -A -o table

  # a support bundle or a GitOps folder, no cluster needed (trust from flags)
  kubectl verify -f ./clusters/prod --key cosign.pub

  # one artifact, with a cosign public key
  kubectl verify artifact oci://ghcr.io/stefanprodan/manifests/podinfo:6.5.0 --key cosign.pub

Cluster flags (as kubectl):
${formatFlags(kubectlFlags)}

Output flags:
${formatFlags([...auditFlags, ...commonFlags])}

Trust overrides (replace what the objects name; the output says so):
${formatFlags(trustFlags)}

Exit status:
  0 every source in scope verified, 1 there are findings, 2 usage error, 3 could not run.

Run 'kubectl verify artifact --help' for the single-artifact command.`;
}

export function artifactHelp(): string {
  return `Verify the signatures of one OCI artifact, in the spirit of 'cosign verify' and 'notation verify',
without reading anything from a cluster.

Usage:
  kubectl verify artifact REF [flags]

REF is one of:
  oci://HOST/REPO:TAG              oci://HOST/REPO@sha256:HEX
  oci-layout://PATH:TAG            oci-layout://PATH@sha256:HEX     (an OCI image layout on disk)

Examples:
  # cosign, key-based (bundle or legacy .sig): try each key, as Flux does
  kubectl verify artifact oci://registry.example/podinfo:6.5.0 --key cosign.pub --key old.pub

  # cosign keyless, constrained to a CI identity
  kubectl verify artifact oci://ghcr.io/org/app:1.0 \\
    --certificate-identity-regexp '^https://github.com/org/app/' \\
    --certificate-oidc-issuer-regexp '^https://token.actions.githubusercontent.com$'

  # notation
  kubectl verify artifact oci://registry.example/app:1.0 --trust-policy trustpolicy.json --trust-cert ca.crt

Flags:
${formatFlags([...artifactFlags, ...commonFlags])}

Exit status:
  0 verified, 1 not verified (the reason is printed), 2 usage error, 3 could not run.`;
}
