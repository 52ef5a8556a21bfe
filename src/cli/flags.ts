import { usageError } from './exit.js';

/**
 * Flags are declared once, as data: the parser, the help text and the tests all read these tables.
 * Parsing follows pflag (kubectl's flag library): `--name value`, `--name=value`, `-n value`, `-nvalue`,
 * `-n=value`, grouped booleans (`-Aw`), `--` ends flags, and the last value of a repeated scalar wins.
 */
export type FlagKind = 'bool' | 'string' | 'strings' | 'duration' | 'enum';

export interface FlagSpec {
  readonly name: string;
  readonly short?: string;
  readonly kind: FlagKind;
  /** placeholder shown in help, e.g. NAME */
  readonly arg?: string;
  readonly values?: readonly string[];
  readonly default?: string;
  readonly help: string;
}

export type FlagValue = boolean | string | readonly string[];
export interface ParsedArgs {
  readonly flags: Readonly<Record<string, FlagValue>>;
  readonly positionals: readonly string[];
}

export const kubectlFlags: readonly FlagSpec[] = [
  { name: 'kubeconfig', kind: 'string', arg: 'PATH', help: 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)' },
  { name: 'context', kind: 'string', arg: 'NAME', help: 'The kubeconfig context to use' },
  { name: 'cluster', kind: 'string', arg: 'NAME', help: 'The kubeconfig cluster to use' },
  { name: 'user', kind: 'string', arg: 'NAME', help: 'The kubeconfig user to use' },
  { name: 'namespace', short: 'n', kind: 'string', arg: 'NAME', help: "Namespace to audit (default: the context's namespace, then default)" },
  { name: 'all-namespaces', short: 'A', kind: 'bool', help: 'Audit every namespace' },
  { name: 'selector', short: 'l', kind: 'string', arg: 'SELECTOR', help: 'Label selector, e.g. -l app=podinfo,tier!=test' },
  { name: 'request-timeout', kind: 'duration', arg: 'DURATION', default: '0', help: 'Timeout of a single API request, e.g. 1s, 2m (0: no timeout)' },
  { name: 'as', kind: 'string', arg: 'USER', help: 'Username to impersonate' },
  { name: 'as-group', kind: 'strings', arg: 'GROUP', help: 'Group to impersonate (repeatable)' },
  { name: 'token', kind: 'string', arg: 'TOKEN', help: 'Bearer token for the API server' },
  { name: 'server', short: 's', kind: 'string', arg: 'URL', help: 'Address of the Kubernetes API server' },
  { name: 'insecure-skip-tls-verify', kind: 'bool', help: "Do not check the API server's certificate (insecure)" },
  { name: 'certificate-authority', kind: 'string', arg: 'PATH', help: 'CA bundle for the API server' },
];

export const outputFormats = ['table', 'wide', 'tree', 'json', 'yaml', 'summary'] as const;
export type OutputFormat = (typeof outputFormats)[number];

export const colorModes = ['auto', 'always', 'never'] as const;
export type ColorMode = (typeof colorModes)[number];

export const commonFlags: readonly FlagSpec[] = [
  { name: 'color', kind: 'enum', values: colorModes, default: 'auto', arg: 'WHEN', help: 'Colour output: auto (a terminal without NO_COLOR), always, never' },
  { name: 'help', short: 'h', kind: 'bool', help: 'Show this help' },
];

export const auditFlags: readonly FlagSpec[] = [
  { name: 'filename', short: 'f', kind: 'strings', arg: 'PATH', help: 'Audit Flux objects from YAML files or directories instead of the cluster (- for stdin); repeatable' },
  { name: 'output', short: 'o', kind: 'enum', values: outputFormats, arg: 'FORMAT', help: `Print instead of the interactive tree: ${outputFormats.join('|')}` },
  { name: 'no-headers', kind: 'bool', help: 'Print tables without the header row' },
  { name: 'fail-on', kind: 'strings', arg: 'CLASS', help: 'Findings that make the exit code 1 (repeatable or comma-separated): failed, error, not-enforced, weak, pending, unverifiable, drift, flux-disagrees, behind, flux-version, unreadable (default: all but unverifiable, drift, flux-disagrees, behind and flux-version)' },
  { name: 'watch', short: 'w', kind: 'bool', help: 'Keep the view live as objects change' },
  {
    name: 'flux-version',
    kind: 'string',
    arg: 'VERSION',
    help: 'Evaluate the version rules at source-controller VERSION (e.g. 1.8.0) instead of the running one: would this still verify after upgrading (or downgrading) to it? 1.8.0 or v1.8.0 names a source-controller release, flux2@2.8.0 a Flux distribution',
  },
  { name: 'demo', kind: 'bool', help: 'Show a built-in demo fleet (OCI sources in every state, captured from Flux and signed by cosign and notation); nothing is read or fetched' },
  { name: 'version', kind: 'bool', help: 'Print the version and exit' },
];

export const artifactOutputFormats = ['text', 'json'] as const;
export type ArtifactOutputFormat = (typeof artifactOutputFormats)[number];

/** Trust material given on the command line: the artifact command's only trust, an audit's override. */
export const trustFlags: readonly FlagSpec[] = [
  { name: 'key', kind: 'strings', arg: 'FILE', help: 'cosign public key (PEM); repeat to try several, as Flux does' },
  { name: 'certificate-identity-regexp', kind: 'string', arg: 'RE', help: 'Keyless: subject (SAN) pattern, Go regular-expression syntax' },
  { name: 'certificate-oidc-issuer-regexp', kind: 'string', arg: 'RE', help: 'Keyless: OIDC issuer pattern, Go regular-expression syntax' },
  { name: 'trusted-root', kind: 'string', arg: 'FILE', help: 'Sigstore trusted_root.json (default: the public-good root shipped with the plugin)' },
  { name: 'trust-policy', kind: 'string', arg: 'FILE', help: 'notation trust policy (trustpolicy.json)' },
  { name: 'trust-cert', kind: 'strings', arg: 'FILE', help: 'notation trust-store certificate (PEM); repeatable' },
];

export const artifactFlags: readonly FlagSpec[] = [
  ...trustFlags,
  { name: 'insecure', kind: 'bool', help: 'Talk plain HTTP to the registry (as spec.insecure)' },
  { name: 'ca-file', kind: 'string', arg: 'FILE', help: 'CA bundle for the registry' },
  { name: 'output', short: 'o', kind: 'enum', values: artifactOutputFormats, default: 'text', arg: 'FORMAT', help: 'text or json' },
];

/** `kubectl verify git URL`: spec.ref, spec.verify and spec.secretRef of a GitRepository, as flags (the ref flags as `flux create source git` spells them). */
export const gitFlags: readonly FlagSpec[] = [
  { name: 'branch', kind: 'string', arg: 'NAME', help: 'Branch (spec.ref.branch); master when no ref flag is given, as Flux' },
  { name: 'tag', kind: 'string', arg: 'NAME', help: 'Tag (spec.ref.tag)' },
  { name: 'tag-semver', kind: 'string', arg: 'RANGE', help: 'Highest tag in a semver range (spec.ref.semver)' },
  { name: 'commit', kind: 'string', arg: 'SHA', help: 'Commit, 40 hex digits (spec.ref.commit); with --branch, on that branch' },
  { name: 'ref', kind: 'string', arg: 'REF', help: 'An absolute ref such as refs/heads/main, refs/tags/v1.0.0 or refs/pull/1/head (spec.ref.name)' },
  { name: 'mode', kind: 'enum', values: ['HEAD', 'Tag', 'TagAndHEAD'], default: 'HEAD', arg: 'MODE', help: 'What to verify (spec.verify.mode): HEAD the commit, Tag the annotated tag, TagAndHEAD both' },
  { name: 'keys', kind: 'strings', arg: 'PATH', help: 'Trusted keys: a file or a directory of files, named as in the verify Secret (*.asc OpenPGP, *.sshpub SSH authorized_keys, any other name OpenPGP); repeatable' },
  { name: 'secret', kind: 'string', arg: 'FILE', help: 'A Secret manifest (YAML or JSON) with the access keys spec.secretRef holds: username/password, bearerToken, identity + known_hosts, ca.crt' },
  { name: 'ca-file', kind: 'string', arg: 'FILE', help: "CA bundle for the Git server's certificate" },
  { name: 'output', short: 'o', kind: 'enum', values: ['text', 'json'], default: 'text', arg: 'FORMAT', help: 'text or json' },
];

const durationPattern = /^(?:\d+|(?:\d+(?:\.\d+)?(?:ns|us|µs|ms|s|m|h))+)$/;

function label(spec: FlagSpec): string {
  return spec.short ? `-${spec.short}, --${spec.name}` : `--${spec.name}`;
}

function checkValue(spec: FlagSpec, value: string): void {
  if (spec.kind === 'enum' && spec.values && !spec.values.includes(value)) {
    throw usageError(`invalid argument "${value}" for "${label(spec)}" flag: must be one of ${spec.values.join(', ')}`);
  }
  if (spec.kind === 'duration' && !durationPattern.test(value)) {
    throw usageError(`invalid argument "${value}" for "${label(spec)}" flag: a duration is a number of seconds or a Go duration such as 5s, 1m30s`);
  }
}

function parseBool(spec: FlagSpec, value: string): boolean {
  if (value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0') return false;
  throw usageError(`invalid argument "${value}" for "${label(spec)}" flag: must be true or false`);
}

export function parseArgs(argv: readonly string[], specs: readonly FlagSpec[]): ParsedArgs {
  const byName = new Map(specs.map((s) => [s.name, s]));
  const byShort = new Map(specs.filter((s) => s.short).map((s) => [s.short as string, s]));
  const flags: Record<string, FlagValue> = {};
  const positionals: string[] = [];

  const set = (spec: FlagSpec, raw: string | undefined): void => {
    if (spec.kind === 'bool') {
      flags[spec.name] = raw === undefined ? true : parseBool(spec, raw);
      return;
    }
    if (raw === undefined) throw usageError(`flag needs an argument: ${label(spec)}`);
    checkValue(spec, raw);
    if (spec.kind === 'strings') {
      const prev = flags[spec.name];
      flags[spec.name] = [...(Array.isArray(prev) ? prev : []), raw];
    } else {
      flags[spec.name] = raw;
    }
  };

  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      const name = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
      const spec = byName.get(name);
      if (!spec) throw usageError(`unknown flag: --${name}`);
      if (eq !== -1) set(spec, arg.slice(eq + 1));
      else if (spec.kind === 'bool') set(spec, undefined);
      else set(spec, argv[++i]);
      continue;
    }
    if (arg.startsWith('-') && arg.length > 1) {
      // a run of shorthands: booleans may be grouped, the first one taking a value ends the run
      for (let j = 1; j < arg.length; j++) {
        const ch = arg[j] as string;
        const spec = byShort.get(ch);
        if (!spec) throw usageError(`unknown shorthand flag: '${ch}' in ${arg}`);
        if (spec.kind === 'bool') {
          if (arg[j + 1] === '=') {
            set(spec, arg.slice(j + 2));
            break;
          }
          set(spec, undefined);
          continue;
        }
        const rest = arg.slice(j + 1);
        if (rest.length > 0) set(spec, rest.startsWith('=') ? rest.slice(1) : rest);
        else set(spec, argv[++i]);
        break;
      }
      continue;
    }
    positionals.push(arg);
  }
  for (const spec of specs) {
    if (spec.default !== undefined && flags[spec.name] === undefined) flags[spec.name] = spec.default;
  }
  return { flags: Object.freeze(flags), positionals: Object.freeze(positionals) };
}

export function flagString(args: ParsedArgs, name: string): string | undefined {
  const v = args.flags[name];
  return typeof v === 'string' ? v : undefined;
}

export function flagBool(args: ParsedArgs, name: string): boolean {
  return args.flags[name] === true;
}

export function flagStrings(args: ParsedArgs, name: string): readonly string[] {
  const v = args.flags[name];
  return Array.isArray(v) ? v : [];
}

/** Usage lines for a group of flags, aligned in two columns as kubectl prints them. */
export function formatFlags(specs: readonly FlagSpec[]): string {
  const left = specs.map((s) => {
    const head = s.short ? `  -${s.short}, --${s.name}` : `      --${s.name}`;
    return s.kind === 'bool' ? head : `${head}=${s.arg ?? 'VALUE'}`;
  });
  const width = Math.max(...left.map((l) => l.length)) + 2;
  return specs
    .map((s, i) => {
      const dflt = s.default !== undefined && s.kind !== 'bool' ? ` (default ${s.default})` : '';
      return `${(left[i] as string).padEnd(width)}${s.help}${dflt}`;
    })
    .join('\n');
}
