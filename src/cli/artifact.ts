import { verifyArtifact, type ArtifactTrust, type NotationTrust } from '../audit/artifact.js';
import { isVerifyError } from '../errors.js';
import { dockerConfigCredential, parseArtifactRef, type ArtifactRef, type Credential } from '../registry/index.js';
import { formatArtifactText } from '../report/artifact-text.js';
import { palette, useColor, type ColorMode } from '../report/color.js';
import { compileIdentity, type CosignTrust } from '../verify/cosign/index.js';
import { CliExit, ExitCode, usageError } from './exit.js';
import { flagBool, flagString, flagStrings, type ParsedArgs } from './flags.js';
import type { CliIO } from './io.js';
import { readInput } from './read-input.js';

/** `kubectl verify artifact REF`: trust material comes only from flags, and the output says so. */
export async function runArtifact(args: ParsedArgs, io: CliIO, env: NodeJS.ProcessEnv): Promise<number> {
  if (args.positionals.length !== 1) throw usageError(`artifact takes exactly one REF, got ${args.positionals.length}`);
  const trust = (await trustFromFlags(args)) as ArtifactTrust;
  let ref: ArtifactRef;
  try {
    // parsed once, here: everything after takes the typed reference
    ref = parseArtifactRef(args.positionals[0] as string);
  } catch (e) {
    if (isVerifyError(e) && e.code === 'registry.bad-reference') throw usageError(e.message);
    throw e;
  }
  const caFile = flagString(args, 'ca-file');
  const ca = caFile ? await readInput(caFile, '--ca-file') : undefined;
  // as cosign and notation do: credentials from the docker config ($DOCKER_CONFIG or ~/.docker, helpers included)
  const credential = (host: string): Promise<Credential> => dockerConfigCredential(host, { env });
  const result = await verifyArtifact(ref, trust, { now: new Date(), registry: { insecure: flagBool(args, 'insecure'), credential, ...(ca ? { tls: { ca } } : {}) } });
  if (flagString(args, 'output') === 'json') io.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  else {
    const color = useColor((flagString(args, 'color') ?? 'auto') as ColorMode, 'isTTY' in io.stdout && io.stdout.isTTY === true, env);
    io.stdout.write(formatArtifactText(result, palette(color)));
  }
  return result.state === 'verified' ? ExitCode.ok : result.state === 'failed' ? ExitCode.findings : ExitCode.operational;
}


/**
 * Trust material from --key, --certificate-*-regexp, --trusted-root, --trust-policy/--trust-cert.
 * `required`: the artifact command has no other source of trust; an audit uses the objects' own
 * unless these flags override them (then undefined means "no override").
 */
export async function trustFromFlags(args: ParsedArgs, required = true): Promise<ArtifactTrust | undefined> {
  const keys = flagStrings(args, 'key');
  const subject = flagString(args, 'certificate-identity-regexp');
  const issuer = flagString(args, 'certificate-oidc-issuer-regexp');
  const policyFile = flagString(args, 'trust-policy');
  const certFiles = flagStrings(args, 'trust-cert');
  const rootFile = flagString(args, 'trusted-root');
  if (keys.length > 0 && (subject !== undefined || issuer !== undefined)) throw usageError('--key and --certificate-*-regexp are exclusive: a signature is either key-based or keyless');
  if ((policyFile === undefined) !== (certFiles.length === 0)) throw usageError('notation needs both --trust-policy and at least one --trust-cert');
  if (keys.length === 0 && subject === undefined && issuer === undefined && policyFile === undefined) {
    if (!required) return undefined;
    throw usageError('no trust material: give --key, --certificate-identity-regexp/--certificate-oidc-issuer-regexp, or --trust-policy with --trust-cert');
  }

  let cosign: CosignTrust | undefined;
  if (keys.length > 0) {
    const loaded = await Promise.all(keys.map(async (k) => ({ ref: { kind: 'key' as const, label: `--key ${k}`, source: 'flag' as const }, pem: new TextDecoder().decode(await readInput(k, '--key')) })));
    cosign = { kind: 'key', keys: loaded };
  } else if (subject !== undefined || issuer !== undefined) {
    // loaded only for keyless trust: the built-in root is @sigstore/tuf's seeds (20 KiB of JSON to parse)
    const { parseTrustedRoot, publicGoodTrustedRoot } = await import('../verify/trust/index.js');
    let trustedRoot;
    try {
      trustedRoot = rootFile ? parseTrustedRoot(await readInput(rootFile, '--trusted-root')) : publicGoodTrustedRoot();
    } catch (e) {
      if (e instanceof CliExit) throw e;
      throw usageError(`--trusted-root ${rootFile ?? ''}: ${isVerifyError(e) ? e.message : 'unreadable'}`);
    }
    const identity = { issuer: issuer ?? '', subject: subject ?? '' };
    try {
      // a pattern Go's regexp would reject is the user's typo: say so now, before any fetch
      compileIdentity(identity);
    } catch (e) {
      throw usageError(isVerifyError(e) ? e.message : 'invalid identity pattern');
    }
    cosign = {
      kind: 'keyless',
      identities: [identity],
      trustedRoot,
      trustedRootRef: rootFile ? { kind: 'trusted-root', label: `--trusted-root ${rootFile}`, source: 'flag' } : { kind: 'trusted-root', label: 'Sigstore public-good root (built in)', source: 'builtin' },
      identitySource: 'flag',
    };
  }

  let notation: NotationTrust | undefined;
  if (policyFile !== undefined) {
    // loaded only for notation trust, as the keyless root above is
    const { parseCertificateFile, fluxTrustStore, validateTrustPolicy } = await import('../verify/notation/index.js');
    let doc: unknown;
    try {
      doc = JSON.parse(new TextDecoder().decode(await readInput(policyFile, '--trust-policy')));
    } catch (e) {
      if (e instanceof CliExit) throw e;
      throw usageError(`--trust-policy ${policyFile}: not JSON`);
    }
    const policy = validateTrustPolicy(doc);
    if (!policy.ok) throw usageError(`--trust-policy ${policyFile}: ${policy.message}`);
    const certs = [];
    for (const f of certFiles) {
      try {
        certs.push(...parseCertificateFile(await readInput(f, '--trust-cert'), f, 'notation.trust-store-invalid'));
      } catch (e) {
        if (e instanceof CliExit) throw e;
        throw usageError(`--trust-cert ${f}: ${isVerifyError(e) ? e.message : 'unreadable'}`);
      }
    }
    // as Flux does with a Secret: every certificate given answers every trust store the policy names
    notation = { policy: policy.value, trustStore: fluxTrustStore(certs), label: `--trust-policy ${policyFile}`, source: 'flag' };
  }
  return { ...(cosign ? { cosign } : {}), ...(notation ? { notation } : {}) };
}

/** How the override flags read in the report: `--key cosign.pub`, `--trust-policy tp.json`, … */
export function trustFlagLabels(args: ParsedArgs): string[] {
  const one = (name: string): string[] => {
    const v = flagString(args, name);
    return v === undefined ? [] : [`--${name} ${v}`];
  };
  return [...flagStrings(args, 'key').map((k) => `--key ${k}`), ...one('certificate-identity-regexp'), ...one('certificate-oidc-issuer-regexp'), ...one('trusted-root'), ...one('trust-policy'), ...flagStrings(args, 'trust-cert').map((c) => `--trust-cert ${c}`)];
}
