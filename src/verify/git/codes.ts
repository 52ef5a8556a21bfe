/**
 * Stable codes for Git signature evidence (commit and tag objects, OpenPGP and SSH). A failed Check
 * carries one of these; verdict/ maps them to reasons, so renaming one is a breaking change.
 */
export type GitCode =
  /** the object carries no signature (`gpgsig` header or trailing tag signature) */
  | 'git.unsigned'
  /** Tag mode on a lightweight tag: there is no tag object to carry a signature */
  | 'git.tag-not-annotated'
  /** a signature Flux does not verify: x509 (gpgsm), a PGP MESSAGE armor, anything unknown */
  | 'git.signature-unsupported'
  /** the signature armor or packets cannot be read */
  | 'git.signature-malformed'
  /** no key in the Secret has the signature's issuer (OpenPGP key ID, SSH key) */
  | 'git.no-matching-key'
  /** a PGP signature but the Secret holds no OpenPGP key (or an SSH signature and no `.sshpub` key) */
  | 'git.no-keys'
  /** a key with the issuer's ID is in the Secret, but the signature does not verify with it: the bytes changed */
  | 'git.signature-mismatch'
  /** the signing key (or its primary key) has expired, at verification time as Flux checks it */
  | 'git.key-expired'
  /** the Secret's keyring holds a revocation of the signing key */
  | 'git.key-revoked'
  /** the signature itself carries an expiry that has passed */
  | 'git.signature-expired'
  /** a Secret entry that cannot be read as a key (skipped by Flux ≥ 1.9, fatal before) */
  | 'git.key-unreadable'
  /** an SSH signature made for another namespace than `git` */
  | 'git.ssh-namespace'
  /** an SSH signature with a hash other than sha256/sha512, or another SSHSIG version */
  | 'git.ssh-unsupported'
  /** a key or signature algorithm this verifier does not implement */
  | 'git.algorithm-unsupported';
