import { PgpReadError, readPgpKeyring } from './pgp.js';
import type { PgpKeyring } from './pgp.js';
import { parseAuthorizedKeys } from './ssh.js';
import type { SshPublicKey } from './ssh.js';
import type { GitFluxRules } from './rules.js';

/** source-controller's Secret key suffixes (internal/controller/gitrepository_controller.go, v1.9). */
export const PGP_SUFFIX = '.asc';
export const SSH_SUFFIX = '.sshpub';

export interface PgpEntry {
  readonly kind: 'openpgp';
  readonly name: string;
  readonly keyring: PgpKeyring;
}

export interface SshEntry {
  readonly kind: 'ssh';
  readonly name: string;
  readonly keys: readonly SshPublicKey[];
}

export interface UnreadableEntry {
  readonly kind: 'unreadable';
  readonly name: string;
  /** how Flux tried to read it */
  readonly as: 'openpgp' | 'ssh';
  /** the reader's error, as Flux words it after its prefix; never the value */
  readonly message: string;
  /** a hint when the value plainly is the other kind (an SSH key under a non-.sshpub name) */
  readonly hint?: string;
  /** Flux < 1.9: a `.sshpub` entry that parses as SSH keys, for our own verdict (Flux reads it as OpenPGP) */
  readonly ssh?: readonly SshPublicKey[];
}

export type GitKeyEntry = PgpEntry | SshEntry | UnreadableEntry;

/** The verify Secret as source-controller reads it, entries in the order given. */
export interface GitKeyring {
  readonly entries: readonly GitKeyEntry[];
}

const SSH_LINE = /^(?:\S+\s+)?(?:ssh-(?:ed25519|rsa|dss)|ecdsa-sha2-nistp\d+|sk-\S+@openssh\.com)\s+AAAA/m;

/** Flux's Secret split: `.sshpub` → authorized_keys (sshKeys rules only), every other name → an armored OpenPGP keyring. */
export function entryKind(name: string, rules: GitFluxRules): 'openpgp' | 'ssh' {
  return rules.sshKeys && name.endsWith(SSH_SUFFIX) ? 'ssh' : 'openpgp';
}

export async function readGitKeys(data: Readonly<Record<string, Uint8Array>>, rules: GitFluxRules): Promise<GitKeyring> {
  const entries: GitKeyEntry[] = [];
  for (const [name, value] of Object.entries(data)) {
    // Go's string(v) keeps invalid UTF-8 bytes; a key file is ASCII, so latin1 loses nothing that matters
    const text = Buffer.from(value).toString('latin1');
    const as = entryKind(name, rules);
    try {
      if (as === 'ssh') entries.push({ kind: 'ssh', name, keys: parseAuthorizedKeys(text) });
      else entries.push({ kind: 'openpgp', name, keyring: await readPgpKeyring(text) });
    } catch (e) {
      const message = e instanceof PgpReadError || e instanceof Error ? e.message : String(e);
      const hint =
        as === 'openpgp' && SSH_LINE.test(text)
          ? rules.sshKeys
            ? `this looks like an SSH public key: Flux reads SSH keys only from names ending ${SSH_SUFFIX}`
            : 'this looks like an SSH public key: this Flux version does not verify SSH signatures (source-controller 1.9.0 and later do)'
          : undefined;
      const ssh = !rules.sshKeys && name.endsWith(SSH_SUFFIX) ? sshOrUndefined(text) : undefined;
      entries.push({ kind: 'unreadable', name, as, message, ...(hint ? { hint } : {}), ...(ssh ? { ssh } : {}) });
    }
  }
  return { entries };
}

function sshOrUndefined(text: string): SshPublicKey[] | undefined {
  try {
    return parseAuthorizedKeys(text);
  } catch {
    return undefined;
  }
}
