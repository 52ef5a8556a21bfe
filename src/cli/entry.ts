import { run } from './main.js';

// The process boundary: everything below run() is testable without spawning a process.
const code = await run(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr });
// verifications still in flight (a quit from the interactive view, an interrupted watch) must not
// hold the process: exit once what was written has been flushed
process.stdout.write('', () => process.exit(code));
