import { describeError } from '../errors.js';
import { readVersion } from '../version.js';
import { CliExit, ExitCode, usageError } from './exit.js';
import { artifactFlags, auditFlags, commonFlags, flagBool, gitFlags, kubectlFlags, parseArgs, trustFlags } from './flags.js';
import { artifactHelp, gitHelp, rootHelp } from './help.js';
import { invokedAs } from './invoked-as.js';
import type { CliIO } from './io.js';

/** Runs one invocation and returns its exit code; never throws. */
export async function run(argv: readonly string[], io: CliIO): Promise<number> {
  try {
    return await dispatch(argv, io);
  } catch (e) {
    if (e instanceof CliExit) {
      // one line, as scripts grep it; usage errors point at the help
      const hint = e.exitCode === ExitCode.usage ? ` (see '${invokedAs()} --help')` : '';
      io.stderr.write(`error: ${e.message}${hint}\n`);
      return e.exitCode;
    }
    io.stderr.write(`error: ${describeError(e)}\n`);
    return ExitCode.operational;
  }
}

async function dispatch(argv: readonly string[], io: CliIO): Promise<number> {
  if (argv[0] === 'artifact') {
    const args = parseArgs(argv.slice(1), [...artifactFlags, ...commonFlags]);
    if (flagBool(args, 'help')) return print(io, artifactHelp());
    await keepWasmOnBaselineTier();
    // each command loads its own modules, so --version and --help start at once
    const { runArtifact } = await import('./artifact.js');
    return runArtifact(args, io, process.env);
  }
  if (argv[0] === 'git') {
    const args = parseArgs(argv.slice(1), [...gitFlags, ...commonFlags]);
    if (flagBool(args, 'help')) return print(io, gitHelp());
    const { runGit } = await import('./git.js');
    return runGit(args, io, process.env);
  }
  if (argv[0] === 'version') return print(io, readVersion());
  // shell completion: cobra's hidden protocol (kubectl_complete-verify) and the standalone scripts
  if (argv[0] === '__complete' || argv[0] === '__completeNoDesc') return (await import('./complete.js')).runComplete(argv.slice(1), io, { descriptions: argv[0] === '__complete' });
  if (argv[0] === 'completion') return (await import('./completion-scripts.js')).runCompletion(argv.slice(1), io);
  const args = parseArgs(argv, [...kubectlFlags, ...auditFlags, ...trustFlags, ...commonFlags]);
  if (flagBool(args, 'help')) return print(io, rootHelp());
  if (flagBool(args, 'version')) return print(io, readVersion());
  if (args.positionals.length > 0) throw usageError(`unknown command "${args.positionals[0]}" for "${invokedAs()}"`);
  const { runAudit } = await import('./audit.js');
  return runAudit(args, io, process.env, process.stdin);
}

/**
 * undici parses HTTP/1 with llhttp, a WebAssembly module. V8 runs it first as Liftoff's baseline code and,
 * once a function has run for a while, compiles it again with TurboFan on a background thread: for
 * llhttp's large parser function that second compile cost about 90 ms of CPU per `artifact` run (a quarter
 * of the process's CPU, in `perf`), for the handful of small responses one artifact needs. A higher tier-up
 * budget (V8's default is 13,000,000, "roughly bytes executed") leaves a short run on Liftoff. Set for
 * `artifact` only: a long audit or the interactive view (yoga-layout is WebAssembly too) should still get
 * TurboFan's code for what runs hot. V8 reads the budget when a module's code is set up, so this runs before
 * undici loads.
 */
async function keepWasmOnBaselineTier(): Promise<void> {
  // node:v8 is not loaded otherwise: --version and --help do not pay for it
  const { setFlagsFromString } = await import('node:v8');
  setFlagsFromString('--wasm-tiering-budget=100000000');
}

function print(io: CliIO, text: string): number {
  io.stdout.write(`${text}\n`);
  return ExitCode.ok;
}
