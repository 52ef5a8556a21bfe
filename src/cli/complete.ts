import type { KubeFlags } from '../kube/kubeconfig.js';
import { failOnClasses } from '../report/exit.js';
import { shells } from './completion-scripts.js';
import { artifactFlags, auditFlags, commonFlags, gitFlags, kubectlFlags, trustFlags, type FlagSpec } from './flags.js';
import type { CliIO, LookupKind } from './io.js';

/**
 * Shell completion by cobra's `__complete` protocol, the one kubectl speaks with a plugin's
 * `kubectl_complete-verify` (k8s.io/kubectl pkg/cmd/plugin/plugin_completion.go): the words typed so
 * far come in as arguments, the last one being the word under the cursor ('' for a new word); the
 * answer is one candidate a line (`value\tdescription`), then `:<directive>`. Flags and their values
 * come from the flag tables, so a flag added there completes without a change here.
 */

/** cobra's ShellCompDirective bits */
export const Directive = {
  default: 0,
  error: 1,
  noSpace: 2,
  noFileComp: 4,
  filterFileExt: 8,
  filterDirs: 16,
} as const;

export interface Candidate {
  readonly value: string;
  readonly description?: string;
}

export interface Completion {
  readonly candidates: readonly Candidate[];
  readonly directive: number;
}

// what only the kubeconfig or the cluster knows: declared in io.ts, which complete-lookups.ts shares
export type { LookupKind };
/** Names for a lookup, given the connection flags typed so far; [] when they cannot be had. */
export type Lookup = (kind: LookupKind, connection: KubeFlags) => Promise<readonly string[]>;

type Command = 'root' | 'artifact' | 'git' | 'completion' | 'version';

interface CommandSpec {
  readonly flags: readonly FlagSpec[];
  readonly description: string;
}

const commands: Readonly<Record<Command, CommandSpec>> = {
  root: { flags: [...kubectlFlags, ...auditFlags, ...trustFlags, ...commonFlags], description: '' },
  artifact: { flags: [...artifactFlags, ...commonFlags], description: 'Verify one OCI artifact, without a cluster' },
  git: { flags: [...gitFlags, ...commonFlags], description: "Verify one Git repository's commit or tag, without a cluster" },
  completion: { flags: commonFlags, description: 'Print a shell completion script (bash, zsh, fish)' },
  version: { flags: [], description: 'Print the version' },
};

const subcommands = ['artifact', 'git', 'completion', 'version'] as const satisfies readonly Command[];

/** REF schemes of `artifact`: completed up to the scheme, the rest is the user's */
const refSchemes: readonly Candidate[] = [
  { value: 'oci://', description: 'an artifact in a registry' },
  { value: 'oci-layout://', description: 'an OCI image layout on disk' },
];

/** URL schemes of `git` */
const gitSchemes: readonly Candidate[] = [
  { value: 'https://', description: 'smart HTTP' },
  { value: 'ssh://', description: 'SSH, through the git on PATH' },
];

/** Values the flag tables cannot hold: read from the kubeconfig or the cluster, or a comma list. */
type ValueSource = { readonly lookup: LookupKind } | { readonly commaList: readonly string[] };

const valueSources: Readonly<Record<string, ValueSource>> = {
  namespace: { lookup: 'namespaces' },
  context: { lookup: 'contexts' },
  cluster: { lookup: 'clusters' },
  user: { lookup: 'users' },
  'fail-on': { commaList: failOnClasses },
};

/** placeholders of flags whose value is a path: the shell completes file names */
const pathArgs = new Set(['PATH', 'FILE']);

/** the kubectl flags that choose the cluster and the credentials, as KubeFlags names them */
const connectionFlags: Readonly<Record<string, keyof KubeFlags>> = {
  kubeconfig: 'kubeconfig',
  context: 'context',
  cluster: 'cluster',
  user: 'user',
  server: 'server',
  token: 'token',
  as: 'as',
  'as-group': 'asGroups',
  'insecure-skip-tls-verify': 'insecureSkipTlsVerify',
  'certificate-authority': 'certificateAuthority',
};

interface Scan {
  /** a flag that takes a value, typed last, its value still to come */
  readonly pending?: FlagSpec;
  /** flag name → every value given (booleans as 'true') */
  readonly seen: ReadonlyMap<string, readonly string[]>;
  readonly positionals: readonly string[];
  /** after `--` every word is positional */
  readonly endOfFlags: boolean;
}

/**
 * Reads the words before the cursor as the parser in flags.ts would, but never fails: an unknown flag
 * is taken as a boolean, since a half-typed command line is the normal case here.
 */
function scan(args: readonly string[], specs: readonly FlagSpec[]): Scan {
  const byName = new Map(specs.map((s) => [s.name, s]));
  const byShort = new Map(specs.filter((s) => s.short).map((s) => [s.short as string, s]));
  const seen = new Map<string, string[]>();
  const positionals: string[] = [];
  const record = (spec: FlagSpec, value: string): void => {
    seen.set(spec.name, [...(seen.get(spec.name) ?? []), value]);
  };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === '--') {
      positionals.push(...args.slice(i + 1));
      return { seen, positionals, endOfFlags: true };
    }
    const last = i === args.length - 1;
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      const spec = byName.get(eq === -1 ? arg.slice(2) : arg.slice(2, eq));
      if (!spec) continue;
      if (eq !== -1) record(spec, arg.slice(eq + 1));
      else if (spec.kind === 'bool') record(spec, 'true');
      else if (last) return { pending: spec, seen, positionals, endOfFlags: false };
      else record(spec, args[++i] as string);
      continue;
    }
    if (arg.startsWith('-') && arg.length > 1) {
      for (let j = 1; j < arg.length; j++) {
        const spec = byShort.get(arg[j] as string);
        if (!spec) break;
        if (spec.kind === 'bool') {
          record(spec, 'true');
          if (arg[j + 1] === '=') break;
          continue;
        }
        const rest = arg.slice(j + 1);
        if (rest.length > 0) record(spec, rest.startsWith('=') ? rest.slice(1) : rest);
        else if (last) return { pending: spec, seen, positionals, endOfFlags: false };
        else record(spec, args[++i] as string);
        break;
      }
      continue;
    }
    positionals.push(arg);
  }
  return { seen, positionals, endOfFlags: false };
}

function connectionOf(seen: ReadonlyMap<string, readonly string[]>): KubeFlags {
  const out: Record<string, unknown> = {};
  for (const [flag, key] of Object.entries(connectionFlags)) {
    const values = seen.get(flag);
    if (!values || values.length === 0) continue;
    if (key === 'asGroups') out[key] = values;
    else if (key === 'insecureSkipTlsVerify') out[key] = values.at(-1) === 'true' || values.at(-1) === '1';
    else out[key] = values.at(-1);
  }
  return out as KubeFlags;
}

const only = (values: readonly string[], prefix: string): Candidate[] => values.filter((v) => v.startsWith(prefix)).map((value) => ({ value }));

async function valuesOf(spec: FlagSpec, prefix: string, connection: KubeFlags, lookup: Lookup): Promise<Completion> {
  const source = valueSources[spec.name];
  if (source && 'lookup' in source) {
    // a lookup that fails is silent: a completion must never print an error into the user's prompt
    const names = await lookup(source.lookup, connection).catch((): readonly string[] => []);
    return { candidates: only(names, prefix), directive: Directive.noFileComp };
  }
  if (source && 'commaList' in source) {
    // `failed,err` completes the part after the last comma; values already in the list are not offered again
    const cut = prefix.lastIndexOf(',') + 1;
    const head = prefix.slice(0, cut);
    const used = new Set(head.split(','));
    const candidates = source.commaList.filter((v) => !used.has(v) && v.startsWith(prefix.slice(cut))).map((v) => ({ value: head + v }));
    return { candidates, directive: Directive.noSpace | Directive.noFileComp };
  }
  if (spec.kind === 'enum' && spec.values) return { candidates: only(spec.values, prefix), directive: Directive.noFileComp };
  if (spec.arg !== undefined && pathArgs.has(spec.arg)) return { candidates: [], directive: Directive.default };
  return { candidates: [], directive: Directive.noFileComp };
}

/** cobra's rules: `--name` when it extends the word, `-x` too when the word is `-` or `-x`; a flag given once is not offered again unless it repeats */
function flagNames(specs: readonly FlagSpec[], word: string, seen: ReadonlyMap<string, readonly string[]>): Completion {
  const candidates: Candidate[] = [];
  for (const spec of specs) {
    if (seen.has(spec.name) && spec.kind !== 'strings') continue;
    const long = `--${spec.name}`;
    if (long.startsWith(word)) candidates.push({ value: long, description: spec.help });
    if (spec.short && `-${spec.short}`.startsWith(word)) candidates.push({ value: `-${spec.short}`, description: spec.help });
  }
  return { candidates, directive: Directive.noFileComp };
}

function positionalsOf(command: Command, args: readonly string[], s: Scan, word: string): Completion {
  const none: Completion = { candidates: [], directive: Directive.noFileComp };
  if (s.positionals.length > 0) return none;
  switch (command) {
    case 'root':
      // main.ts takes a subcommand only as the first word
      if (args.length > 0) return none;
      return { candidates: subcommands.filter((c) => c.startsWith(word)).map((c) => ({ value: c, description: commands[c].description })), directive: Directive.noFileComp };
    case 'artifact':
      return { candidates: refSchemes.filter((c) => c.value.startsWith(word)), directive: Directive.noSpace | Directive.noFileComp };
    case 'git':
      return { candidates: gitSchemes.filter((c) => c.value.startsWith(word)), directive: Directive.noSpace | Directive.noFileComp };
    case 'completion':
      return { candidates: only(shells, word), directive: Directive.noFileComp };
    case 'version':
      return none;
  }
}

/**
 * The candidates for the last word of `words` (the words after the program name, the last one being
 * completed). Pure but for `lookup`, which is asked only for namespaces, contexts, clusters and users.
 */
export async function completeWords(words: readonly string[], lookup: Lookup): Promise<Completion> {
  const word = words.at(-1) ?? '';
  let args = words.slice(0, -1);
  let command: Command = 'root';
  const first = args[0];
  if (first !== undefined && (subcommands as readonly string[]).includes(first)) {
    command = first as Command;
    args = args.slice(1);
  }
  const specs = commands[command].flags;
  const s = scan(args, specs);
  if (s.pending) return valuesOf(s.pending, word, connectionOf(s.seen), lookup);
  if (!s.endOfFlags && word.startsWith('-')) {
    const eq = word.indexOf('=');
    if (eq === -1) return flagNames(specs, word, s.seen);
    // `--output=js` or `-o=js`: cobra completes the value alone and the shell script puts the flag back
    const name = word.slice(0, eq);
    const spec = name.startsWith('--') ? specs.find((f) => f.name === name.slice(2)) : specs.find((f) => f.short !== undefined && f.short === name.at(-1));
    if (!spec || spec.kind === 'bool') return { candidates: [], directive: Directive.noFileComp };
    return valuesOf(spec, word.slice(eq + 1), connectionOf(s.seen), lookup);
  }
  return positionalsOf(command, args, s, word);
}

/** The protocol's text: candidates a line, descriptions after a tab (one line each), then `:directive`. */
export function formatCompletion(c: Completion, descriptions: boolean): string {
  const lines = c.candidates.map((x) => (descriptions && x.description ? `${x.value}\t${x.description.replace(/\s+/g, ' ')}` : x.value));
  return [...lines, `:${c.directive}`].join('\n') + '\n';
}

/** The lookups of a real run: the kubeconfig and the cluster, loaded only when asked. */
const liveLookup: Lookup = async (kind, connection) => (await import('./complete-lookups.js')).lookup(kind, connection);

/**
 * `__complete WORDS…` (and `__completeNoDesc`, as cobra names it): always exits 0 and writes nothing
 * on stderr, which kubectl would pass to the user's terminal in the middle of their prompt.
 */
export async function runComplete(words: readonly string[], io: CliIO, opts: { descriptions: boolean; lookup?: Lookup }): Promise<number> {
  let result: Completion;
  try {
    result = await completeWords(words, opts.lookup ?? liveLookup);
  } catch {
    result = { candidates: [], directive: Directive.error };
  }
  io.stdout.write(formatCompletion(result, opts.descriptions));
  return 0;
}
