import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startRegistry, type RegistryKind, type RunningRegistry } from './registries.js';
import { seedLab, toolEnv, type Seed } from './seed.js';
import { labCache } from './tools.js';

/**
 * `npm run lab -- up|seed|status|down|demo|capture-demo`: the lab by hand. `up` starts both registries in the background
 * on free loopback ports, `seed` pushes and signs the cases, `status` prints where everything is and
 * how to point cosign/notation/oras at it, `down` stops the registries and removes the lab's data.
 */
interface State {
  readonly dir: string;
  readonly registries: Record<RegistryKind, { host: string; pid: number }>;
}

const stateDir = join(labCache(), 'lab');
const stateFile = join(stateDir, 'state.json');

function readState(): State | undefined {
  return existsSync(stateFile) ? (JSON.parse(readFileSync(stateFile, 'utf8')) as State) : undefined;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function up(): Promise<State> {
  const prev = readState();
  if (prev && Object.values(prev.registries).every((r) => alive(r.pid))) return prev;
  if (prev) await down();
  mkdirSync(stateDir, { recursive: true });
  const olareg = await startRegistry('olareg', { dir: join(stateDir, 'olareg'), detached: true });
  const distribution = await startRegistry('distribution', { dir: join(stateDir, 'distribution'), detached: true });
  const state: State = { dir: stateDir, registries: { olareg: { host: olareg.host, pid: olareg.pid }, distribution: { host: distribution.host, pid: distribution.pid } } };
  writeFileSync(stateFile, JSON.stringify(state, null, 2));
  return state;
}

async function seed(): Promise<Seed> {
  const state = await up();
  const seedDir = join(stateDir, 'seed');
  rmSync(seedDir, { recursive: true, force: true });
  const regs = Object.fromEntries(
    Object.entries(state.registries).map(([k, r]) => [k, { kind: k as RegistryKind, host: r.host, dir: '', pid: r.pid, stop: async () => undefined }]),
  ) as Record<RegistryKind, RunningRegistry>;
  return seedLab(regs, seedDir);
}

async function down(): Promise<void> {
  const state = readState();
  for (const r of Object.values(state?.registries ?? {})) {
    if (alive(r.pid)) process.kill(r.pid, 'SIGTERM');
  }
  rmSync(stateDir, { recursive: true, force: true });
}

function status(): void {
  const state = readState();
  if (!state) {
    console.log("lab is down; start it with 'npm run lab -- up'");
    return;
  }
  for (const [kind, r] of Object.entries(state.registries)) {
    console.log(`${kind.padEnd(13)} ${r.host.padEnd(16)} pid ${r.pid} ${alive(r.pid) ? 'running' : 'NOT RUNNING'}  ${kind === 'olareg' ? '(referrers API)' : '(no referrers API)'}`);
  }
  const seedFile = join(stateDir, 'seed', 'seed.json');
  if (!existsSync(seedFile)) {
    console.log("not seeded yet: 'npm run lab -- seed'");
    return;
  }
  const s = JSON.parse(readFileSync(seedFile, 'utf8')) as Seed;
  console.log(`\nseeded cases (${s.cases.length}), expected verdict of the real cosign/notation:`);
  for (const c of s.cases) console.log(`  ${c.expect.padEnd(9)} ${c.name.padEnd(24)} ${c.ref}@${c.digest.slice(0, 19)}…`);
  const env = toolEnv(s.material);
  console.log('\nto use the real tools against it:');
  console.log(`  export PATH=${env.PATH?.split(':').slice(0, 4).join(':')}:$PATH XDG_CONFIG_HOME=${env.XDG_CONFIG_HOME} COSIGN_PASSWORD=${s.material.cosignPassword}`);
  console.log(`  cosign verify --key ${s.material.cosignKeys.ecdsa.pub} --insecure-ignore-tlog=true ${s.cases[0]?.ref ?? ''}`);
}

const cmd = process.argv[2];
switch (cmd) {
  case 'up': {
    const s = await up();
    console.log(`lab up: olareg ${s.registries.olareg.host}, docker-registry ${s.registries.distribution.host}`);
    break;
  }
  case 'seed': {
    const s = await seed();
    console.log(`seeded ${s.cases.length} cases; 'npm run lab -- status' lists them`);
    break;
  }
  case 'status':
    status();
    break;
  case 'demo':
    // the live fleet: registries, a cluster and Flux, then kubectl verify on it (arguments pass through)
    process.exitCode = await (await import('./demo.js')).liveDemo(process.argv.slice(3));
    break;
  case 'capture-demo': {
    const { captureDemo } = await import('./demo-capture.js');
    await captureDemo();
    break;
  }
  case 'down':
    await down();
    console.log('lab down');
    break;
  default:
    console.error('usage: npm run lab -- up|seed|status|down|demo|capture-demo');
    process.exitCode = 2;
}
