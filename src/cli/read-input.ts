import { readFile } from 'node:fs/promises';
import { usageError } from './exit.js';

/** A file named by a flag; a file that cannot be read is the user's to fix (exit 2), said without its content. */
export async function readInput(path: string, flag: string): Promise<Uint8Array> {
  try {
    return await readFile(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw usageError(`${flag} ${path}: ${code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : 'cannot be read'}`);
  }
}
