import { stringify } from 'yaml';
import { audit } from '../audit/audit.js';
import { createClusterSource, createFileSource, loadKubeConfig, type ObjectSource, type Scope } from '../kube/index.js';
import { palette, useColor, type ColorMode } from '../report/color.js';
import type { Report } from '../report/model.js';
import { formatTable } from '../report/print/table.js';
import { readVersion } from '../version.js';
import { trustFlagLabels, trustFromFlags } from './artifact.js';
import { CliExit, ExitCode, usageError } from './exit.js';
import { flagBool, flagString, flagStrings, type ParsedArgs } from './flags.js';
import type { CliIO } from './main.js';

/** `kubectl verify`: audit the Flux objects in scope, from the cluster or from files. */
export async function runAudit(args: ParsedArgs, io: CliIO, env: NodeJS.ProcessEnv, stdin: NodeJS.ReadableStream): Promise<number> {
  const files = flagStrings(args, 'filename');
  const namespace = flagString(args, 'namespace');
  const all = flagBool(args, 'all-namespaces');
  const selector = flagString(args, 'selector');
  const format = flagString(args, 'output') ?? 'table';
  if (!['table', 'json', 'yaml'].includes(format)) throw new CliExit(ExitCode.operational, `-o ${format} is not available in this build yet (table, json, yaml are)`);
  if (flagBool(args, 'watch')) throw new CliExit(ExitCode.operational, '--watch is not available in this build yet');

  let source: ObjectSource;
  let scope: Scope;
  if (files.length > 0) {
    source = await createFileSource(files, { stdin: stdin as AsyncIterable<Uint8Array>, ...(namespace ? { defaultNamespace: namespace } : {}) });
    // files hold what they hold: every namespace in them unless -n narrows it
    scope = { ...(namespace && !all ? { namespace } : {}), ...(selector ? { labelSelector: selector } : {}) };
  } else {
    const resolved = loadKubeConfig({
      ...opt('kubeconfig', flagString(args, 'kubeconfig')),
      ...opt('context', flagString(args, 'context')),
      ...opt('cluster', flagString(args, 'cluster')),
      ...opt('user', flagString(args, 'user')),
      ...opt('namespace', namespace),
      allNamespaces: all,
      ...opt('selector', selector),
      ...opt('requestTimeout', flagString(args, 'request-timeout')),
      ...opt('as', flagString(args, 'as')),
      asGroups: flagStrings(args, 'as-group'),
      ...opt('token', flagString(args, 'token')),
      ...opt('server', flagString(args, 'server')),
      insecureSkipTlsVerify: flagBool(args, 'insecure-skip-tls-verify'),
      ...opt('certificateAuthority', flagString(args, 'certificate-authority')),
    });
    source = createClusterSource(resolved);
    scope = resolved.scope;
  }
  const overrideTrust = await trustFromFlags(args, false);
  const progress = 'isTTY' in io.stderr && io.stderr.isTTY === true;
  const report = await audit(source, {
    scope,
    now: new Date(),
    version: readVersion(),
    ...(overrideTrust ? { override: { trust: overrideTrust, labels: trustFlagLabels(args) } } : {}),
    ...(progress ? { onPlan: (done: number, total: number) => io.stderr.write(`\rverifying artifacts ${done}/${total}${done === total ? '\n' : ''}`) } : {}),
  });

  for (const p of report.problems) io.stderr.write(`warning: ${p.message}\n`);
  if (format === 'json') io.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  else if (format === 'yaml') io.stdout.write(stringify(report));
  else {
    const color = useColor((flagString(args, 'color') ?? 'auto') as ColorMode, 'isTTY' in io.stdout && io.stdout.isTTY === true, env);
    io.stdout.write(formatTable(report, palette(color), { noHeaders: flagBool(args, 'no-headers') }));
    if (report.nodes.length === 0 && report.problems.length === 0) io.stderr.write(`no Flux objects found${scope.namespace ? ` in namespace ${scope.namespace}` : ''}\n`);
  }
  return exitCode(report);
}

function opt<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

/** 0 everything in scope verified; 1 findings; 3 when nothing could be read at all. */
export function exitCode(report: Report): number {
  if (report.nodes.length === 0 && report.problems.length > 0) return ExitCode.operational;
  const s = report.summary;
  return s.failed + s.errors + s.notEnforced + s.weak + s.pending > 0 || report.problems.length > 0 ? ExitCode.findings : ExitCode.ok;
}

export { usageError };
