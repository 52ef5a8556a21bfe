import { createHash } from 'node:crypto';

/**
 * Mach-O code signatures for the macOS executables, done here because `codesign` exists only on macOS.
 *
 * Injecting the application into Node's executable changes its pages, so Node's own signature must go
 * (as `codesign --remove-signature` does) and a new one must be made: Apple silicon runs no arm64 code
 * without at least an ad-hoc signature. The ad-hoc signature is the one Go's linker writes for every
 * darwin binary it builds on any platform (cmd/internal/codesign): a CodeDirectory of SHA-256 page hashes,
 * flagged ad-hoc and linker-signed, with no certificate. It proves integrity, not identity: the binary is
 * still neither Developer ID signed nor notarised.
 */

const MH_MAGIC_64 = 0xfeedfacf;
const HEADER_SIZE = 32;
const LC_SEGMENT_64 = 0x19;
const LC_CODE_SIGNATURE = 0x1d;
const SEGMENT_SIZE = 72;
const SECTION_SIZE = 80;
const PAGE_BITS = 12;
const PAGE = 1 << PAGE_BITS;

const CSMAGIC_CODEDIRECTORY = 0xfade0c02;
const CSMAGIC_EMBEDDED_SIGNATURE = 0xfade0cc0;
const CODE_DIRECTORY_SIZE = 88; // version 0x20400, with the executable-segment fields
const SUPERBLOB_HEADER = 12 + 8; // header and one index entry
const CS_ADHOC = 0x2;
const CS_LINKER_SIGNED = 0x20000;
const CS_HASHTYPE_SHA256 = 2;
const CS_EXECSEG_MAIN_BINARY = 0x1;
const MH_EXECUTE = 0x2;

interface Segment {
  readonly name: string;
  /** offset of the load command in the file */
  readonly at: number;
  readonly fileoff: number;
  readonly filesize: number;
}

interface Layout {
  readonly ncmds: number;
  readonly sizeofcmds: number;
  readonly filetype: number;
  readonly segments: readonly Segment[];
  readonly signature?: { readonly at: number; readonly dataoff: number; readonly datasize: number };
  /** the lowest file offset of any section's contents: load commands must end before it */
  readonly firstSectionOffset: number;
}

function num(v: bigint): number {
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new Error('Mach-O value out of range');
  return Number(v);
}

export function parseMacho(file: Buffer): Layout {
  if (file.length < HEADER_SIZE || file.readUInt32LE(0) !== MH_MAGIC_64) {
    throw new Error('not a thin 64-bit little-endian Mach-O executable (a universal binary must be thinned first)');
  }
  const filetype = file.readUInt32LE(12);
  const ncmds = file.readUInt32LE(16);
  const sizeofcmds = file.readUInt32LE(20);
  const segments: Segment[] = [];
  let signature: Layout['signature'];
  let firstSectionOffset = file.length;
  let at = HEADER_SIZE;
  for (let i = 0; i < ncmds; i++) {
    const cmd = file.readUInt32LE(at);
    const cmdsize = file.readUInt32LE(at + 4);
    if (cmdsize < 8 || at + cmdsize > HEADER_SIZE + sizeofcmds) throw new Error(`malformed load command ${i}`);
    if (cmd === LC_SEGMENT_64) {
      const name = file.toString('latin1', at + 8, at + 24).replace(/\0.*$/s, '');
      segments.push({ name, at, fileoff: num(file.readBigUInt64LE(at + 40)), filesize: num(file.readBigUInt64LE(at + 48)) });
      const nsects = file.readUInt32LE(at + 64);
      for (let s = 0; s < nsects; s++) {
        const sect = at + SEGMENT_SIZE + s * SECTION_SIZE;
        const offset = file.readUInt32LE(sect + 48);
        const flags = file.readUInt32LE(sect + 64);
        const zerofill = (flags & 0xff) === 0x1 || (flags & 0xff) === 0xc || (flags & 0xff) === 0x12;
        if (offset > 0 && !zerofill) firstSectionOffset = Math.min(firstSectionOffset, offset);
      }
    } else if (cmd === LC_CODE_SIGNATURE) {
      signature = { at, dataoff: file.readUInt32LE(at + 8), datasize: file.readUInt32LE(at + 12) };
    }
    at += cmdsize;
  }
  return { ncmds, sizeofcmds, filetype, segments, firstSectionOffset, ...(signature && { signature }) };
}

function linkedit(layout: Layout): Segment {
  const seg = layout.segments.find((s) => s.name === '__LINKEDIT');
  if (!seg) throw new Error('no __LINKEDIT segment');
  return seg;
}

function setLinkeditSize(file: Buffer, seg: Segment, filesize: number): void {
  file.writeBigUInt64LE(BigInt(filesize), seg.at + 32); // vmsize, as Go's linker sets it
  file.writeBigUInt64LE(BigInt(filesize), seg.at + 48); // filesize
}

/** The executable without its code signature: the load command removed, the signature cut off the end. */
export function stripMachoSignature(input: Buffer): Buffer {
  const layout = parseMacho(input);
  const sig = layout.signature;
  if (!sig) return input;
  const seg = linkedit(layout);
  if (sig.dataoff + sig.datasize > input.length || sig.dataoff < seg.fileoff) throw new Error('the code signature lies outside __LINKEDIT');
  const file = Buffer.from(input.subarray(0, sig.dataoff));
  const end = HEADER_SIZE + layout.sizeofcmds;
  file.copy(file, sig.at, sig.at + 16, end);
  file.fill(0, end - 16, end);
  file.writeUInt32LE(layout.ncmds - 1, 16);
  file.writeUInt32LE(layout.sizeofcmds - 16, 20);
  // the segment table moved for the commands after the signature's: read it again
  setLinkeditSize(file, linkedit(parseMacho(file)), sig.dataoff - seg.fileoff);
  return file;
}

/** Size of the ad-hoc signature of `codeLimit` bytes, as Go's codesign.Size computes it. */
export function signatureSize(codeLimit: number, identifier: string): number {
  const slots = Math.ceil(codeLimit / PAGE);
  return SUPERBLOB_HEADER + CODE_DIRECTORY_SIZE + Buffer.byteLength(identifier) + 1 + slots * 32;
}

/**
 * Signs an unsigned executable ad hoc: appends LC_CODE_SIGNATURE, grows __LINKEDIT to cover the
 * signature, and writes the CodeDirectory over every 4 KiB page before it (the header included, so the
 * load command is written first).
 */
export function adhocSign(input: Buffer, identifier: string): Buffer {
  const layout = parseMacho(input);
  if (layout.signature) throw new Error('the executable is already signed: strip the signature first');
  const seg = linkedit(layout);
  if (seg.fileoff + seg.filesize !== input.length) throw new Error('__LINKEDIT does not end the file; cannot append a signature');
  const end = HEADER_SIZE + layout.sizeofcmds;
  if (end + 16 > layout.firstSectionOffset) throw new Error('no room in the Mach-O header for LC_CODE_SIGNATURE');
  const text = layout.segments.find((s) => s.name === '__TEXT');
  if (!text) throw new Error('no __TEXT segment');

  const codeLimit = Math.ceil(input.length / 16) * 16;
  const size = signatureSize(codeLimit, identifier);
  const file = Buffer.alloc(codeLimit + size);
  input.copy(file);
  file.writeUInt32LE(LC_CODE_SIGNATURE, end);
  file.writeUInt32LE(16, end + 4);
  file.writeUInt32LE(codeLimit, end + 8);
  file.writeUInt32LE(size, end + 12);
  file.writeUInt32LE(layout.ncmds + 1, 16);
  file.writeUInt32LE(layout.sizeofcmds + 16, 20);
  setLinkeditSize(file, seg, codeLimit + size - seg.fileoff);

  const slots = Math.ceil(codeLimit / PAGE);
  const identOffset = CODE_DIRECTORY_SIZE;
  const hashOffset = identOffset + Buffer.byteLength(identifier) + 1;
  let o = codeLimit;
  const be32 = (v: number) => {
    file.writeUInt32BE(v >>> 0, o);
    o += 4;
  };
  const be64 = (v: number) => {
    file.writeBigUInt64BE(BigInt(v), o);
    o += 8;
  };
  be32(CSMAGIC_EMBEDDED_SIGNATURE);
  be32(size);
  be32(1); // one blob: the CodeDirectory
  be32(0); // CSSLOT_CODEDIRECTORY
  be32(SUPERBLOB_HEADER);
  be32(CSMAGIC_CODEDIRECTORY);
  be32(size - SUPERBLOB_HEADER);
  be32(0x20400);
  be32(CS_ADHOC | CS_LINKER_SIGNED);
  be32(hashOffset);
  be32(identOffset);
  be32(0); // no special slots: no Info.plist, requirements or entitlements
  be32(slots);
  be32(codeLimit);
  file.writeUInt8(32, o++); // hash size
  file.writeUInt8(CS_HASHTYPE_SHA256, o++);
  file.writeUInt8(0, o++); // platform
  file.writeUInt8(PAGE_BITS, o++);
  be32(0); // spare2
  be32(0); // scatterOffset
  be32(0); // teamOffset
  be32(0); // spare3
  be64(0); // codeLimit64
  be64(text.fileoff);
  be64(text.filesize);
  be64(layout.filetype === MH_EXECUTE ? CS_EXECSEG_MAIN_BINARY : 0);
  o += file.write(`${identifier}\0`, o, 'utf8');
  for (let p = 0; p < codeLimit; p += PAGE) {
    createHash('sha256').update(file.subarray(p, Math.min(p + PAGE, codeLimit))).digest().copy(file, o);
    o += 32;
  }
  if (o !== file.length) throw new Error(`internal: signature is ${o - codeLimit} bytes, expected ${size}`);
  return file;
}
