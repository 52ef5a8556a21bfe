/**
 * Types the commands share with main.ts and with each other. main.ts loads each command on demand;
 * were these declared there (or in a command another imports lazily), the modules would import each
 * other. Nothing here runs.
 */

/** Where a command writes: the process's streams, or a test's. */
export interface CliIO {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
}

/** What shell completion looks up for a flag's value (complete.ts asks, complete-lookups.ts answers). */
export type LookupKind = 'namespaces' | 'contexts' | 'clusters' | 'users';
