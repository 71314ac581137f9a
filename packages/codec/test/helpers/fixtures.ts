import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Json } from './json.ts';

const here = dirname(fileURLToPath(import.meta.url));
/** Repository root. */
export const ROOT = resolve(here, '../../../..');
/** The third-party corpora live beside the repository, never inside it. */
export const SHARED_FIXTURES = resolve(ROOT, '../shared/fixtures');

export interface GoldenCase {
  name: string;
  source: string;
  wire: string;
  header?: Json;
  message: Json;
  options?: Record<string, Json>;
  encode?: boolean;
  encodeNote?: string;
  [k: string]: Json | undefined;
}

/** All golden cases of one protocol folder under test/fixtures/, as [file, case] pairs. */
export function loadGolden(protocol: 'jt808' | 'gt06' | 'jt1078'): [string, GoldenCase][] {
  const dir = join(ROOT, 'test/fixtures', protocol);
  if (!existsSync(dir)) return [];
  const out: [string, GoldenCase][] = [];
  for (const f of readdirSync(dir).sort()) {
    if (!f.endsWith('.json')) continue;
    const doc = JSON.parse(readFileSync(join(dir, f), 'utf8')) as { cases: GoldenCase[] };
    for (const c of doc.cases) out.push([f, c]);
  }
  return out;
}

/** Rows of a third-party JSONL corpus, or null when ../shared is absent. */
export function loadShared<T = Record<string, unknown>>(relPath: string): T[] | null {
  const p = join(SHARED_FIXTURES, relPath);
  if (!existsSync(p)) return null;
  return readFileSync(p, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as T);
}
