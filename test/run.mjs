// The whole test suite, as `npm test` and CI run it: build (tsc, then the bundle), lint, build the lab's tools
// (cached), then every unit and end-to-end test with Node's test runner.
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { delimiter, resolve } from 'node:path';

// the build is package.json's own `build` script (tsc, then the bundle the launcher runs), run as npm runs it
// (node_modules/.bin first on PATH), so the end-to-end tests run what `npm run build` makes
const build = JSON.parse(readFileSync('package.json', 'utf8')).scripts.build;
const env = { ...process.env, PATH: `${resolve('node_modules/.bin')}${delimiter}${process.env.PATH ?? ''}` };

const steps = [
  ['type-check and build (npm run build)', 'sh', ['-c', build]],
  ['lint', process.execPath, ['node_modules/eslint/bin/eslint.js', '--max-warnings', '0', '.']],
  ['lab tools (built once, cached)', 'bash', ['test/lab/build.sh', process.env.KUBECTL_VERIFY_LAB_STAGE ?? 'all']],
  ['tests', process.execPath, ['--test', '--test-reporter=spec', '--test-concurrency=2', '--test-timeout=600000', 'dist/test/**/*.test.js']],
];

rmSync('dist', { recursive: true, force: true });
const t0 = Date.now();
for (const [name, cmd, args] of steps) {
  const t = Date.now();
  console.error(`\n▶ ${name}`);
  const r = spawnSync(cmd, args, { stdio: 'inherit', env });
  if (r.status !== 0) {
    console.error(`✘ ${name} failed (exit ${r.status ?? r.signal})`);
    process.exit(r.status || 1);
  }
  console.error(`✔ ${name} (${((Date.now() - t) / 1000).toFixed(1)}s)`);
}
console.error(`\nall steps passed in ${((Date.now() - t0) / 1000).toFixed(1)}s`);
