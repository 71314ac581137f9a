/**
 * Where the gateway writes files devices upload (JT/T 808 0x0801 multimedia). A small interface so
 * an object store can replace the local directory.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface FileStore {
  /** Store `data` under `name` (a relative path of safe segments); resolves to where it is (path or URL). */
  put(name: string, data: Buffer): Promise<string>;
}

/** Files under a local directory (created on first use). */
export class LocalFileStore implements FileStore {
  constructor(readonly directory: string) {}

  async put(name: string, data: Buffer): Promise<string> {
    const segments = name.split('/').map((s) => s.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '_'));
    const path = join(this.directory, ...segments);
    await mkdir(join(this.directory, ...segments.slice(0, -1)), { recursive: true });
    await writeFile(path, data);
    return path;
  }
}
