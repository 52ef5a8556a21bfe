import { crc32, deflateRawSync, gzipSync } from 'node:zlib';

/** A file, or a directory when its name ends in `/` (then its data is empty). */
export interface ArchiveEntry {
  readonly name: string;
  readonly data: Buffer;
  readonly mode: number;
}

/**
 * A directory entry, before the files in it: tar and unzip create missing parents by themselves, but an
 * installer need not (krew's zip extraction opens each file's path as it is).
 */
export function directory(name: string): ArchiveEntry {
  return { name: name.endsWith('/') ? name : `${name}/`, data: Buffer.alloc(0), mode: 0o755 };
}

function isDirectory(e: ArchiveEntry): boolean {
  return e.name.endsWith('/');
}

/**
 * Release archives, written byte for byte from their inputs (fixed owner, time and order) so that the
 * same build gives the same sha256. The executable sits at the archive's root, where krew's `files` and
 * Flux's plugin installer look for it; replaceable libraries under lib/.
 */
export function tarGz(entries: readonly ArchiveEntry[], mtime: number): Buffer {
  const blocks: Buffer[] = [];
  for (const e of entries) {
    if (isDirectory(e) && e.data.length > 0) throw new Error(`directory ${e.name} with data`);
    blocks.push(tarHeader(e, mtime), e.data);
    const pad = (512 - (e.data.length % 512)) % 512;
    if (pad) blocks.push(Buffer.alloc(pad));
  }
  blocks.push(Buffer.alloc(1024));
  // gzip's header has no name and a zero time (gzipSync writes neither), so the bytes depend on content only
  return gzipSync(Buffer.concat(blocks), { level: 6 });
}

function tarHeader(e: ArchiveEntry, mtime: number): Buffer {
  if (Buffer.byteLength(e.name) > 100) throw new Error(`tar name too long: ${e.name}`);
  const h = Buffer.alloc(512);
  const octal = (v: number, at: number, len: number) => h.write(`${v.toString(8).padStart(len - 1, '0')}\0`, at, len, 'latin1');
  h.write(e.name, 0, 100, 'utf8');
  octal(e.mode, 100, 8);
  octal(0, 108, 8); // uid
  octal(0, 116, 8); // gid
  octal(e.data.length, 124, 12);
  octal(mtime, 136, 12);
  h.fill(' ', 148, 156); // checksum field counts as spaces while summing
  h.write(isDirectory(e) ? '5' : '0', 156, 1, 'latin1'); // directory or regular file
  h.write('ustar\0', 257, 6, 'latin1');
  h.write('00', 263, 2, 'latin1');
  h.write('root', 265, 32, 'latin1');
  h.write('root', 297, 32, 'latin1');
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8, 'latin1');
  return h;
}

export function zip(entries: readonly ArchiveEntry[], mtime: number): Buffer {
  const { time, date } = dosTime(mtime);
  const locals: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name, 'utf8');
    const dir = isDirectory(e);
    if (dir && e.data.length > 0) throw new Error(`directory ${e.name} with data`);
    // a directory is stored: deflate would turn its nothing into two bytes
    const method = dir ? 0 : 8;
    const body = dir ? Buffer.alloc(0) : deflateRawSync(e.data, { level: 6 });
    const crc = crc32(e.data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4); // version needed: deflate
    local.writeUInt16LE(0x0800, 6); // names are UTF-8
    local.writeUInt16LE(method, 8);
    local.writeUInt16LE(time, 10);
    local.writeUInt16LE(date, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(e.data.length, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28);
    const cd = Buffer.alloc(46);
    cd.writeUInt32LE(0x02014b50, 0);
    cd.writeUInt16LE((3 << 8) | 20, 4); // made by: Unix, so the mode below is read
    cd.writeUInt16LE(20, 6);
    cd.writeUInt16LE(0x0800, 8);
    cd.writeUInt16LE(method, 10);
    cd.writeUInt16LE(time, 12);
    cd.writeUInt16LE(date, 14);
    cd.writeUInt32LE(crc, 16);
    cd.writeUInt32LE(body.length, 20);
    cd.writeUInt32LE(e.data.length, 24);
    cd.writeUInt16LE(name.length, 28);
    // Unix mode and type in the high half; MS-DOS's directory bit in the low, for unzip tools that read only it
    cd.writeUInt32LE((((dir ? 0o040000 : 0o100000) | e.mode) << 16 | (dir ? 0x10 : 0)) >>> 0, 38);
    cd.writeUInt32LE(offset, 42);
    locals.push(local, name, body);
    central.push(cd, name);
    offset += local.length + name.length + body.length;
  }
  const cdSize = central.reduce((n, b) => n + b.length, 0);
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(entries.length, 8);
  eocd.writeUInt16LE(entries.length, 10);
  eocd.writeUInt32LE(cdSize, 12);
  eocd.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, ...central, eocd]);
}

function dosTime(epochSeconds: number): { time: number; date: number } {
  // DOS dates start in 1980
  const d = new Date(Math.max(epochSeconds, 315532800) * 1000);
  return {
    time: (d.getUTCHours() << 11) | (d.getUTCMinutes() << 5) | Math.floor(d.getUTCSeconds() / 2),
    date: ((d.getUTCFullYear() - 1980) << 9) | ((d.getUTCMonth() + 1) << 5) | d.getUTCDate(),
  };
}
