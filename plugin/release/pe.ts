/**
 * Removes the Authenticode signature from a Windows PE executable, as `signtool remove /s` does. node.exe
 * is signed by the Node.js project; injecting the application changes the file, after which that
 * signature would no longer match, and a broken signature looks like tampering to Windows and to virus
 * scanners. An unsigned executable says the truth: nobody has signed this one.
 */
export function stripAuthenticode(file: Buffer): Buffer {
  const pe = file.readUInt32LE(0x3c);
  if (file.toString('latin1', pe, pe + 4) !== 'PE\0\0') throw new Error('not a PE executable (no PE signature)');
  const optional = pe + 24;
  const magic = file.readUInt16LE(optional);
  const dirs = magic === 0x20b ? optional + 112 : magic === 0x10b ? optional + 96 : -1;
  if (dirs < 0) throw new Error(`unknown PE optional header magic 0x${magic.toString(16)}`);
  const count = file.readUInt32LE(dirs - 4);
  const SECURITY = 4;
  if (count <= SECURITY) return file;
  const entry = dirs + SECURITY * 8;
  const offset = file.readUInt32LE(entry);
  const size = file.readUInt32LE(entry + 4);
  if (size === 0) return file;
  // the certificate table is not mapped into memory: it is the file's tail, 8-byte aligned
  if (offset + size !== file.length) throw new Error(`the certificate table (${offset}+${size}) is not at the end of the file (${file.length})`);
  const out = Buffer.from(file.subarray(0, offset));
  out.writeUInt32LE(0, entry);
  out.writeUInt32LE(0, entry + 4);
  out.writeUInt32LE(peChecksum(out, optional + 64), optional + 64);
  return out;
}

/** The PE image checksum (imagehlp's CheckSumMappedFile): 16-bit one's-complement-style sum plus the length. */
export function peChecksum(file: Buffer, checksumOffset: number): number {
  let sum = 0;
  for (let i = 0; i < file.length; i += 2) {
    if (i === checksumOffset || i === checksumOffset + 2) continue;
    const word = i + 1 < file.length ? file.readUInt16LE(i) : (file[i] as number);
    sum += word;
    sum = (sum & 0xffff) + (sum >>> 16);
  }
  sum = (sum & 0xffff) + (sum >>> 16);
  return (sum + file.length) >>> 0;
}
