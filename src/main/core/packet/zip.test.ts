import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TieoutError } from '../../../shared/error.js';
import { crc32, DEFAULT_ZIP_LIMITS, extractToTemp, openZip, readZipFile, unsafeEntryName, writeZip, writeZipFile } from './zip.js';

/** Writes a zip with a same-length safe stand-in name, then swaps the real (unsafe) name in. */
function craft(entries: { name: string; standIn: string; data: string | Buffer }[]): Buffer {
  let zip = writeZip(entries.map((e) => ({ name: e.standIn, data: e.data })));
  for (const e of entries) {
    const from = Buffer.from(e.standIn);
    const to = Buffer.from(e.name);
    expect(to.length).toBe(from.length);
    for (let i = zip.indexOf(from); i >= 0; i = zip.indexOf(from, i + 1)) to.copy(zip, i);
  }
  return zip;
}

function failure(fn: () => unknown): TieoutError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(TieoutError);
    return err as TieoutError;
  }
  throw new Error('expected a failure');
}

/** Overwrites the uncompressed-size field of every local and central header. */
function lieAboutSize(zip: Buffer, size: number): Buffer {
  const out = Buffer.from(zip);
  for (let i = 0; i + 4 <= out.length; i++) {
    const sig = out.readUInt32LE(i);
    if (sig === 0x04034b50) out.writeUInt32LE(size, i + 22);
    if (sig === 0x02014b50) out.writeUInt32LE(size, i + 24);
  }
  return out;
}

describe('zip writer', () => {
  it('computes the standard CRC-32', () => {
    expect(crc32(Buffer.from('123456789'))).toBe(0xcbf43926);
    expect(crc32(Buffer.alloc(0))).toBe(0);
  });

  it('round-trips entries, and gives the same bytes whatever order they are given in', () => {
    const a = writeZip([
      { name: 'b/two.txt', data: 'two'.repeat(100) },
      { name: 'a.json', data: '{"x":1}' },
      { name: 'empty', data: '' },
    ]);
    const b = writeZip([
      { name: 'empty', data: '' },
      { name: 'a.json', data: Buffer.from('{"x":1}') },
      { name: 'b/two.txt', data: 'two'.repeat(100) },
    ]);
    expect(a.equals(b)).toBe(true);
    const z = openZip(a);
    expect(z.entries.map((e) => e.name)).toEqual(['a.json', 'b/two.txt', 'empty']);
    expect(z.read('b/two.txt').toString()).toBe('two'.repeat(100));
    expect(z.read('empty').length).toBe(0);
  });

  it('stamps every entry 1980-01-01 00:00', () => {
    const zip = writeZip([{ name: 'x.txt', data: 'hello' }]);
    expect(zip.readUInt16LE(10)).toBe(0); // time
    expect(zip.readUInt16LE(12)).toBe(0x21); // 1980-01-01
  });

  it('refuses to write unsafe or repeated names', () => {
    expect(() => writeZip([{ name: '../evil', data: 'x' }])).toThrow(/path traversal/);
    expect(() => writeZip([{ name: 'a', data: 'x' }, { name: 'a', data: 'y' }])).toThrow(/twice/);
  });
});

describe('zip reader', () => {
  it('names what is unsafe about an entry name', () => {
    expect(unsafeEntryName('../evil')).toMatch(/traversal/);
    expect(unsafeEntryName('a/../../evil')).toMatch(/traversal/);
    expect(unsafeEntryName('/etc/passwd')).toMatch(/absolute/);
    expect(unsafeEntryName('C:/Windows/x')).toMatch(/drive letter/);
    expect(unsafeEntryName('a\\b')).toMatch(/backslash/);
    expect(unsafeEntryName('a//b')).toMatch(/empty/);
    expect(unsafeEntryName('csv/matches.csv')).toBeNull();
  });

  it.each([
    ['../evil', 'xx/evil', /path traversal/],
    ['/abs.txt', 'xabs.txt', /absolute path/],
    ['C:/win.txt', 'Cx/win.txt', /drive letter/],
    ['dir\\b.txt', 'dir_b.txt', /backslash/],
  ])('rejects the zip-slip name %s', (name, standIn, message) => {
    const zip = craft([
      { name: 'ok.txt', standIn: 'ok.txt', data: 'fine' },
      { name, standIn, data: 'pwned' },
    ]);
    const err = failure(() => openZip(zip, { file: 'crafted.zip' }));
    expect(err.code).toBe('file_unreadable');
    expect(err.message).toMatch(message);
    expect(err.details?.path).toBe(name);
  });

  it('rejects more entries than the limit, from the central directory', () => {
    const many = Array.from({ length: DEFAULT_ZIP_LIMITS.maxEntries + 1 }, (_, i) => ({ name: `f${i}`, data: '' }));
    const err = failure(() => openZip(writeZip(many)));
    expect(err.code).toBe('file_unreadable');
    expect(err.message).toMatch(/10001 entries; at most 10000/);
  });

  it('rejects a zip whose declared sizes add up past the total limit', () => {
    // Five entries that each claim almost 4 GB: more than the limit together.
    const zip = lieAboutSize(writeZip(['a', 'b', 'c', 'd', 'e'].map((name) => ({ name, data: name.repeat(100) }))), 0xfffffff0);
    expect(DEFAULT_ZIP_LIMITS.maxTotalBytes).toBeLessThan(5 * 0xfffffff0);
    const err = failure(() => openZip(zip));
    expect(err.message).toMatch(new RegExp(`declares more than ${DEFAULT_ZIP_LIMITS.maxTotalBytes} bytes`));
  });

  it('stops inflating a bomb whose declared size lies, naming the entry', () => {
    const bomb = lieAboutSize(writeZip([{ name: 'bomb.bin', data: Buffer.alloc(20 * 1024 * 1024) }]), 100);
    expect(bomb.length).toBeLessThan(100_000);
    const zip = openZip(bomb, { file: 'bomb.zip' });
    const err = failure(() => zip.read('bomb.bin'));
    expect(err.code).toBe('file_unreadable');
    expect(err.message).toMatch(/"bomb.bin" inflates to more than its declared 100 bytes/);
    expect(zip.inflatedBytes()).toBe(0);
  });

  it('enforces the total limit while inflating across entries', () => {
    const zip = openZip(writeZip([{ name: 'a', data: Buffer.alloc(600) }, { name: 'b', data: Buffer.alloc(600) }]), { limits: { maxTotalBytes: 1200 } });
    zip.read('a');
    zip.read('b');
    const again = failure(() => zip.read('a'));
    expect(again.message).toMatch(/inflates to more than|more than 1200 bytes/);
  });

  it('rejects a truncated file with a clear message', () => {
    const zip = writeZip([{ name: 'a.txt', data: 'hello world'.repeat(50) }]);
    for (const cut of [zip.length - 1, Math.floor(zip.length / 2), 10]) {
      const err = failure(() => openZip(zip.subarray(0, cut), { file: 'short.tieoutpkt' }));
      expect(err.code).toBe('file_unreadable');
      expect(err.message).toMatch(/short\.tieoutpkt|too short/);
    }
  });

  it('rejects a corrupt entry on read, naming it (bad CRC or bad deflate data)', () => {
    const zip = writeZip([{ name: 'data.csv', data: 'a,b,c\n'.repeat(200) }]);
    const z0 = openZip(zip);
    const entry = z0.entries[0]!;
    const bad = Buffer.from(zip);
    bad[entry.dataStart + Math.floor(entry.compressedSize / 2)]! ^= 0x55;
    const err = failure(() => openZip(bad).read('data.csv'));
    expect(err.code).toBe('file_unreadable');
    expect(err.details?.path).toBe('data.csv');
    expect(err.message).toMatch(/"data.csv"/);
  });

  it('rejects a local header that disagrees with the central directory', () => {
    const zip = writeZip([{ name: 'a.txt', data: 'hello' }]);
    const bad = Buffer.from(zip);
    bad.writeUInt32LE(bad.readUInt32LE(14) ^ 1, 14); // local CRC
    expect(failure(() => openZip(bad)).message).toMatch(/local header disagrees/);
  });

  it('refuses to open a file bigger than the total limit without reading it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tieout-zip-'));
    const path = join(dir, 'big.zip');
    writeFileSync(path, writeZip([{ name: 'a', data: 'x'.repeat(5000) }]));
    expect(failure(() => readZipFile(path, { limits: { maxTotalBytes: 100 } })).message).toMatch(/are refused/);
    expect(failure(() => readZipFile(join(dir, 'missing.zip'))).code).toBe('not_found');
    rmSync(dir, { recursive: true, force: true });
  });

  it('extracts only into a fresh temp folder', async () => {
    const zip = openZip(writeZip([{ name: 'a/b.txt', data: 'B' }, { name: 'c.txt', data: 'C' }]));
    const dir = await extractToTemp(zip);
    expect(dir.startsWith(tmpdir() + sep)).toBe(true);
    expect(readdirSync(dir).sort()).toEqual(['a', 'c.txt']);
    expect(readFileSync(join(dir, 'a', 'b.txt'), 'utf8')).toBe('B');
    expect(existsSync(join(dir, '..', 'c.txt'))).toBe(false);
    rmSync(dir, { recursive: true, force: true });
  });
});

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

async function rejection(p: Promise<unknown>): Promise<TieoutError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(TieoutError);
    return err as TieoutError;
  }
  throw new Error('expected a failure');
}

describe('zip written from files and read in chunks', () => {
  const dir = () => mkdtempSync(join(tmpdir(), 'tieout-zipfile-'));
  /** Text that does not repeat, so deflate works across many of its windows and chunks. */
  const lines = (n: number) => Array.from({ length: n }, (_, i) => `{"line":${i},"hash":"${createHash('sha256').update(String(i)).digest('hex')}"}`).join('\n') + '\n';

  it('writes the same bytes from files as writeZip does from memory, stored entries included', async () => {
    const d = dir();
    const contents: [string, string | Buffer][] = [
      ['inputs/records.ndjson', lines(40_000)],
      ['empty.txt', ''],
      ['random.bin', randomBytes(3000)],
      ['a.json', '{"x":1}'],
    ];
    for (const [name, data] of contents) writeFileSync(join(d, name.replace('/', '_')), data);
    const out = join(d, 'p.zip');
    await writeZipFile(out, contents.map(([name]) => ({ name, path: join(d, name.replace('/', '_')) })));
    const inMemory = writeZip(contents.map(([name, data]) => ({ name, data })));
    expect(readFileSync(out).equals(inMemory)).toBe(true);
    expect(openZip(inMemory).entries.find((e) => e.name === 'random.bin')!.method).toBe(0);
    rmSync(d, { recursive: true, force: true });
  });

  it('reads a file-backed entry in chunks and lines, checking its CRC at the end', async () => {
    const d = dir();
    const text = lines(50_000);
    const path = join(d, 'p.zip');
    writeFileSync(path, writeZip([{ name: 'big.ndjson', data: text }, { name: 'tail', data: 'no newline at the end' }]));
    const zip = readZipFile(path);
    const chunks = await collect(zip.chunks('big.ndjson'));
    expect(chunks.length).toBeGreaterThan(1);
    expect(Buffer.concat(chunks).toString()).toBe(text);
    const read = await collect(zip.lines('big.ndjson'));
    expect(read).toHaveLength(50_000);
    expect(read[49_999]).toBe(text.split('\n')[49_999]);
    expect(await collect(zip.lines('tail'))).toEqual(['no newline at the end']);

    // One flipped byte in the stored data: inflate or the CRC catches it, naming the entry.
    const bad = readFileSync(path);
    const e = zip.entries.find((x) => x.name === 'big.ndjson')!;
    bad[e.dataStart + Math.floor(e.compressedSize / 2)]! ^= 0x01;
    writeFileSync(path, bad);
    const err = await rejection(collect(readZipFile(path).chunks('big.ndjson')));
    expect(err.message).toMatch(/Entry "big.ndjson" (is corrupt|inflates to more than its declared)/);
    rmSync(d, { recursive: true, force: true });
  });

  it('stops inflating a chunked entry at its declared size (a zip bomb)', async () => {
    const bomb = lieAboutSize(writeZip([{ name: 'bomb.bin', data: Buffer.alloc(20 * 1024 * 1024) }]), 100);
    const err = await rejection(collect(openZip(bomb, { file: 'bomb.zip' }).chunks('bomb.bin')));
    expect(err.message).toMatch(/inflates to more than its declared 100 bytes/);
  });
});
