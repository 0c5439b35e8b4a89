/**
 * A pull's staging folder under the OS temp dir, one per (workspace, source, connector): each
 * fetched page as NDJSON plus a progress file naming the pages in and where the next request
 * starts. Nothing reaches the workspace until every page is here, so a failed pull can be
 * resumed from its last good page or simply run again. A lock file keeps two pulls of the same
 * source and connector from sharing a folder.
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readFile, rename, rm, rmdir, stat, unlink, writeFile } from 'node:fs/promises';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { TieoutError } from '../../../shared/error.js';
import type { Watermark } from '../workspace/pull-state.js';
import type { PagePosition } from './page.js';

export interface StagedPage {
  index: number;
  /** Redacted. */
  url: string;
  status: number;
  sha256: string;
  bytes: number;
  records: number;
  file: string;
  fileBytes: number;
  watermark: Watermark | null;
  warnings: string[];
}

export interface StagedProgress {
  format: 1;
  /** What the pages depend on (connector request settings, source, params, watermark before). */
  fingerprint: string;
  startedAt: string;
  watermarkBefore: Watermark | null;
  pages: StagedPage[];
  /** null once every page is in. */
  next: PagePosition | null;
}

export function defaultStagingRoot(): string {
  return join(tmpdir(), 'tieout-pull');
}

export function stagingKey(workspacePath: string, source: string, connector: string): string {
  return createHash('sha256').update(`${resolve(workspacePath)}\0${source}\0${connector}`).digest('hex').slice(0, 32);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export class Staging {
  private readonly combined: string[] = [];

  private constructor(
    readonly dir: string,
    private readonly lock: string,
  ) {}

  get pagesDir(): string {
    return join(this.dir, 'pages');
  }

  private get progressFile(): string {
    return join(this.dir, 'progress.json');
  }

  /** Takes the folder's lock; a lock left by a process that is gone is taken over. */
  static async open(root: string, key: string, what: string): Promise<Staging> {
    const dir = join(root, key);
    // Staged pages are business records: private to this user.
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const lock = join(dir, 'lock');
    for (let attempt = 0; ; attempt++) {
      try {
        await writeFile(lock, JSON.stringify({ pid: process.pid, at: new Date().toISOString() }), { flag: 'wx', mode: 0o600 });
        return new Staging(dir, lock);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw err;
        let pid = NaN;
        try {
          pid = Number((JSON.parse(await readFile(lock, 'utf8')) as { pid?: unknown }).pid);
        } catch {
          // unreadable lock: treat as stale
        }
        if (Number.isInteger(pid) && alive(pid)) throw new TieoutError('conflict', `A pull of ${what} is already running; wait for it or cancel it`);
        await unlink(lock).catch(() => {});
      }
    }
  }

  /** The saved progress if it belongs to the same pull and every page file is intact. */
  async load(fingerprint: string): Promise<StagedProgress | undefined> {
    let p: StagedProgress;
    try {
      p = JSON.parse(await readFile(this.progressFile, 'utf8')) as StagedProgress;
    } catch {
      return undefined;
    }
    if (p.format !== 1 || p.fingerprint !== fingerprint || !Array.isArray(p.pages)) return undefined;
    for (const page of p.pages) {
      const size = await stat(join(this.pagesDir, page.file)).then((s) => s.size, () => -1);
      if (size !== page.fileBytes) return undefined;
    }
    return p;
  }

  async reset(): Promise<void> {
    await rm(this.pagesDir, { recursive: true, force: true });
    await rm(this.progressFile, { force: true });
    await mkdir(this.pagesDir, { recursive: true, mode: 0o700 });
  }

  /** Writes one page's flattened records as NDJSON; returns its file name and size. */
  async writePage(index: number, rows: Record<string, string>[]): Promise<{ file: string; fileBytes: number }> {
    const file = `page-${String(index).padStart(6, '0')}.ndjson`;
    const text = rows.map((r) => `${JSON.stringify(r)}\n`).join('');
    await writeFile(join(this.pagesDir, file), text, { mode: 0o600 });
    return { file, fileBytes: Buffer.byteLength(text) };
  }

  /** Saved after each page (write then rename), so a crash never leaves a torn progress file. */
  async save(p: StagedProgress): Promise<void> {
    const tmp = `${this.progressFile}.tmp`;
    await writeFile(tmp, JSON.stringify(p), { mode: 0o600 });
    await rename(tmp, this.progressFile);
  }

  /** All pages, in page order, as one NDJSON file for the import. */
  async combine(pages: readonly StagedPage[], name: string): Promise<string> {
    const out = join(this.dir, name);
    this.combined.push(out);
    const w = createWriteStream(out, { mode: 0o600 });
    try {
      for (const p of pages) {
        for await (const chunk of createReadStream(join(this.pagesDir, p.file))) {
          if (!w.write(chunk)) await once(w, 'drain');
        }
      }
    } finally {
      w.end();
      await once(w, 'close');
    }
    return out;
  }

  /** After a pull is in: the folder goes. */
  async discard(): Promise<void> {
    await rm(this.pagesDir, { recursive: true, force: true });
    await rm(this.progressFile, { force: true });
  }

  /** Releases the lock; the folder is removed when nothing is left to resume. */
  async release(): Promise<void> {
    const left = await stat(this.progressFile).then(() => true, () => false);
    if (!left) {
      await rm(this.pagesDir, { recursive: true, force: true }).catch(() => {});
      for (const f of this.combined) await rm(f, { force: true }).catch(() => {});
    }
    await unlink(this.lock).catch(() => {});
    // Only empty: another pull may have taken the lock in between.
    if (!left) await rmdir(this.dir).catch(() => {});
  }
}
