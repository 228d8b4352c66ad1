import { describe, expect, it } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';

/** Issue 12: existing partner keys migrate to the narrowest audience (migration 0003_partner_audience). */
const dir = join(import.meta.dirname, '../../drizzle');
const files = readdirSync(dir)
  .filter((f) => /^\d{4}_.*\.sql$/.test(f))
  .sort();
const run = (db: Database.Database, file: string) => {
  for (const stmt of readFileSync(join(dir, file), 'utf8').split('--> statement-breakpoint')) if (stmt.trim()) db.exec(stmt);
};

describe('partner audience migration', () => {
  it('unbound partner keys get `created`, side-bound `side`, agency-bound `agency`, scope events; others nothing', () => {
    const db = new Database(':memory:');
    const target = files.findIndex((f) => f.includes('partner_audience'));
    expect(target).toBeGreaterThan(0);
    for (const f of files.slice(0, target)) run(db, f);
    const key = db.prepare(
      `INSERT INTO api_keys (id, hash, prefix, role, side, agency_code, team_id, created_at) VALUES (?, ?, 'ek_', ?, ?, ?, NULL, '2026-01-01T00:00:00Z')`,
    );
    key.run('p-unbound', 'h1', 'partner', null, null);
    key.run('p-side', 'h2', 'partner', 'corps', null);
    key.run('p-agency', 'h3', 'partner', 'region', 'CJS');
    key.run('sup', 'h4', 'supervisor', 'region', 'CJS');
    run(db, files[target]);
    const rows = db.prepare('SELECT id, audience, scopes FROM api_keys ORDER BY id').all();
    expect(rows).toEqual([
      { id: 'p-agency', audience: 'agency', scopes: '["events"]' },
      { id: 'p-side', audience: 'side', scopes: '["events"]' },
      { id: 'p-unbound', audience: 'created', scopes: '["events"]' },
      { id: 'sup', audience: null, scopes: null },
    ]);
    db.close();
  });
});
