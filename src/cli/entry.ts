import { run } from './main.js';

// The process boundary: everything below run() is testable without spawning a process.
const code = await run(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr });
process.exitCode = code;
