import { readdir, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { checkGitRepository } from '../audit/git-one.js';
import { decodeSecret } from '../kube/secret.js';
import { formatGitText } from '../report/git-text.js';
import { palette, useColor, type ColorMode } from '../report/color.js';
import { ExitCode, usageError } from './exit.js';
import { flagString, flagStrings, type ParsedArgs } from './flags.js';
import type { CliIO } from './io.js';
import { readInput } from './read-input.js';

/**
 * `kubectl verify git URL`: one repository's commit (and tag) verified as source-controller verifies
 * a GitRepository, with keys from files instead of a Secret; no cluster. The output says the keys
 * came from flags.
 */
export async function runGit(args: ParsedArgs, io: CliIO, env: NodeJS.ProcessEnv): Promise<number> {
  if (args.positionals.length !== 1) throw usageError(`git takes exactly one URL, got ${args.positionals.length}`);
  const url = args.positionals[0] as string;
  const keyPaths = flagStrings(args, 'keys');
  if (keyPaths.length === 0) throw usageError('no trusted keys: give --keys with OpenPGP (*.asc) or SSH (*.sshpub) public keys, files or directories');
  const keys: Record<string, Uint8Array> = {};
  for (const p of keyPaths) Object.assign(keys, await readKeys(p));
  if (Object.keys(keys).length === 0) throw usageError(`--keys ${keyPaths.join(' ')}: no files`);

  const commit = flagString(args, 'commit');
  if (commit !== undefined && !/^[0-9a-f]{40}$/.test(commit)) throw usageError(`--commit ${commit}: a commit is 40 lower-case hex digits, as Flux requires`);
  const ref = {
    ...opt('branch', flagString(args, 'branch')),
    ...opt('tag', flagString(args, 'tag')),
    ...opt('semver', flagString(args, 'tag-semver')),
    ...opt('name', flagString(args, 'ref')),
    ...opt('commit', commit),
  };
  const auth: Record<string, Uint8Array> = {};
  const secretFile = flagString(args, 'secret');
  if (secretFile !== undefined) Object.assign(auth, secretData(await readInput(secretFile, '--secret'), secretFile));
  const caFile = flagString(args, 'ca-file');
  if (caFile !== undefined) auth['ca.crt'] = await readInput(caFile, '--ca-file');

  const result = await checkGitRepository({ url, ref, mode: flagString(args, 'mode') ?? 'HEAD', keys, ...(Object.keys(auth).length > 0 ? { auth } : {}), now: new Date() });
  if (flagString(args, 'output') === 'json') io.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  else {
    const color = useColor((flagString(args, 'color') ?? 'auto') as ColorMode, 'isTTY' in io.stdout && io.stdout.isTTY === true, env);
    io.stdout.write(formatGitText(result, palette(color)));
  }
  const state = result.finding.state;
  return state === 'verified' ? ExitCode.ok : state === 'failed' ? ExitCode.findings : ExitCode.operational;
}

const opt = <K extends string>(key: K, value: string | undefined): { [P in K]?: string } => (value === undefined || value === '' ? {} : ({ [key]: value } as { [P in K]?: string }));

/** A file is one Secret entry under its own name; a directory, one entry per regular file (a mounted Secret). */
async function readKeys(path: string): Promise<Record<string, Uint8Array>> {
  let isDir: boolean;
  try {
    isDir = (await stat(path)).isDirectory();
  } catch {
    throw usageError(`--keys ${path}: no such file or directory`);
  }
  if (!isDir) return { [basename(path)]: await readInput(path, '--keys') };
  const out: Record<string, Uint8Array> = {};
  for (const e of await readdir(path, { withFileTypes: true })) {
    // a mounted Secret's ..data links and dot files are not entries
    if (e.isFile() && !e.name.startsWith('.')) out[e.name] = await readInput(join(path, e.name), '--keys');
  }
  return out;
}

/** A Secret manifest read as `-f` reads one (kube/secret.ts: `data` base64, `stringData` UTF-8); values are never echoed in errors. */
function secretData(bytes: Uint8Array, file: string): Readonly<Record<string, Uint8Array>> {
  let doc: unknown;
  try {
    doc = parseYaml(new TextDecoder().decode(bytes));
  } catch {
    throw usageError(`--secret ${file}: not YAML or JSON`);
  }
  if (typeof doc !== 'object' || doc === null || (doc as Record<string, unknown>)['kind'] !== 'Secret') throw usageError(`--secret ${file}: not a Secret manifest (kind: Secret)`);
  const r = decodeSecret(doc, file);
  if (r.state !== 'found') throw usageError(`--secret: ${r.message}`);
  return r.data;
}
