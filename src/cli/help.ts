import { artifactFlags, auditFlags, commonFlags, formatFlags, gitFlags, kubectlFlags, trustFlags } from './flags.js';
import { type CommandName, invokedAs } from './invoked-as.js';

export function rootHelp(cmd: CommandName = invokedAs()): string {
  return `${cmd} re-verifies, on this machine, the signatures of the OCI artifacts that Flux runs
(OCIRepository, HelmRepository, HelmChart, HelmRelease, Kustomization) with cosign keys, cosign keyless,
cosign bundles and notation, and shows what verified, what failed and why, beside what Flux concluded.

Usage:
  ${cmd} [flags]                  audit the Flux objects in scope
  ${cmd} artifact REF [flags]     verify one artifact, without a cluster
  ${cmd} git URL [flags]          verify one Git repository's commit or tag, without a cluster

Examples:
  # try it: a built-in fleet of OCI sources in every state, no cluster or registry needed
  ${cmd} --demo

  # every Flux source in the current namespace, as an interactive tree
  ${cmd}

  # every namespace, as a table, failing the CI job on any finding
  ${cmd} -A -o table

  # would this still verify after upgrading (or downgrading) to source-controller 1.8.0?
  # (1.8.0 or v1.8.0: a source-controller release; flux2@2.8.0: the one a Flux distribution ships)
  ${cmd} -A -o wide --flux-version 1.8.0

  # a support bundle or a GitOps folder, no cluster needed (trust from flags)
  ${cmd} -f ./clusters/prod --key cosign.pub

  # one artifact, with a cosign public key
  ${cmd} artifact oci://ghcr.io/stefanprodan/manifests/podinfo:6.5.0 --key cosign.pub

Cluster flags (as kubectl):
${formatFlags(kubectlFlags)}

Output flags:
${formatFlags([...auditFlags, ...commonFlags])}

Trust overrides (replace what the objects name; the output says so):
${formatFlags(trustFlags)}

Exit status:
  0 every source in scope verified, 1 there are findings, 2 usage error, 3 could not run.

Run '${cmd} artifact --help' or '${cmd} git --help' for the commands that check one artifact or repository.`;
}

export function gitHelp(cmd: CommandName = invokedAs()): string {
  return `Verify the signature of a Git repository's commit (and annotated tag) as Flux's source-controller
verifies a GitRepository with spec.verify, without reading anything from a cluster: the same ref, the same
modes, the same reading of the keys, the same message Flux would write.

Usage:
  ${cmd} git URL [flags]

URL is https://, http://, ssh:// or scp-like (git@host:org/repo); SSH goes through the git on PATH.

Examples:
  # the head of main, with the OpenPGP keys of a verify Secret saved as files
  ${cmd} git https://github.com/org/fleet --branch main --keys ./keys

  # an annotated tag and the commit it points to, with an SSH key
  ${cmd} git https://github.com/org/fleet --tag v1.2.0 --mode TagAndHEAD --keys signer.sshpub

  # a private repository, with the GitRepository's own Secret
  kubectl get secret -n flux-system fleet-auth -o yaml > auth.yaml
  ${cmd} git https://git.example.com/org/fleet --secret auth.yaml --keys ./keys

Flags:
${formatFlags([...gitFlags, ...commonFlags])}

Exit status:
  0 verified, 1 not verified (the reason is printed), 2 usage error, 3 could not run.`;
}

export function artifactHelp(cmd: CommandName = invokedAs()): string {
  return `Verify the signatures of one OCI artifact, in the spirit of 'cosign verify' and 'notation verify',
without reading anything from a cluster.

Usage:
  ${cmd} artifact REF [flags]

REF is one of:
  oci://HOST/REPO:TAG              oci://HOST/REPO@sha256:HEX
  oci-layout://PATH:TAG            oci-layout://PATH@sha256:HEX     (an OCI image layout on disk)

Examples:
  # cosign, key-based (bundle or legacy .sig): try each key, as Flux does
  ${cmd} artifact oci://registry.example/podinfo:6.5.0 --key cosign.pub --key old.pub

  # cosign keyless, constrained to a CI identity
  ${cmd} artifact oci://ghcr.io/org/app:1.0 \\
    --certificate-identity-regexp '^https://github.com/org/app/' \\
    --certificate-oidc-issuer-regexp '^https://token.actions.githubusercontent.com$'

  # notation
  ${cmd} artifact oci://registry.example/app:1.0 --trust-policy trustpolicy.json --trust-cert ca.crt

Flags:
${formatFlags([...artifactFlags, ...commonFlags])}

Exit status:
  0 verified, 1 not verified (the reason is printed), 2 usage error, 3 could not run.`;
}
