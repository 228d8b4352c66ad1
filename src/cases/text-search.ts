/**
 * Text index for the case search's `q` (number, title, party name or summary contains the text).
 *
 * `LIKE '%…%'` cannot use a B-tree index: at a million cases a rare text (a party's name, a case
 * number) means reading every case. An FTS5 index with the trigram tokenizer finds the cases
 * containing any text of three or more characters. It is a superset of the LIKE matches (it also
 * folds the case of non-ASCII letters), so the search keeps the LIKE conditions as the exact
 * check; shorter texts fall back to them alone.
 *
 * drizzle-kit cannot express virtual tables or triggers, so the capability creates them when the
 * app starts (idempotent): `cases_fts` with the cases table as external content (rowid = the case
 * row's rowid) and triggers keeping it in step with every insert, delete and text change. When a
 * trigger was missing (a new database, or a migration that rebuilt the cases table and dropped
 * its triggers), the index is rebuilt from the table. After anything that renumbers cases'
 * rowids outside the app, run: INSERT INTO cases_fts(cases_fts) VALUES ('rebuild').
 */
import type { Db } from '../db/client.js';

export const CASES_FTS = 'cases_fts';
const COLS = 'number, title, party_name, summary';
const NEW = 'new.number, new.title, new.party_name, new.summary';
const OLD = 'old.number, old.title, old.party_name, old.summary';

const TRIGGERS: Record<string, string> = {
  cases_fts_insert: `AFTER INSERT ON cases BEGIN
    INSERT INTO ${CASES_FTS}(rowid, ${COLS}) VALUES (new.rowid, ${NEW});
  END`,
  cases_fts_delete: `AFTER DELETE ON cases BEGIN
    INSERT INTO ${CASES_FTS}(${CASES_FTS}, rowid, ${COLS}) VALUES ('delete', old.rowid, ${OLD});
  END`,
  cases_fts_update: `AFTER UPDATE OF ${COLS} ON cases BEGIN
    INSERT INTO ${CASES_FTS}(${CASES_FTS}, rowid, ${COLS}) VALUES ('delete', old.rowid, ${OLD});
    INSERT INTO ${CASES_FTS}(rowid, ${COLS}) VALUES (new.rowid, ${NEW});
  END`,
};

/** Creates the text index and its triggers if missing; rebuilds the index when a trigger was missing. */
export function ensureCaseTextIndex(db: Db) {
  const sqlite = db.$client;
  const have = new Set(
    (sqlite.prepare("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'cases'").all() as { name: string }[]).map((r) => r.name),
  );
  const missing = Object.keys(TRIGGERS).filter((name) => !have.has(name));
  if (!missing.length) return;
  sqlite.transaction(() => {
    sqlite.exec(`CREATE VIRTUAL TABLE IF NOT EXISTS ${CASES_FTS} USING fts5(${COLS}, content='cases', content_rowid='rowid', tokenize='trigram')`);
    for (const name of missing) sqlite.exec(`CREATE TRIGGER ${name} ${TRIGGERS[name]}`);
    sqlite.exec(`INSERT INTO ${CASES_FTS}(${CASES_FTS}) VALUES ('rebuild')`);
  })();
}

/** The trigram index serves texts of three characters or more. */
export const indexableText = (q: string) => [...q].length >= 3;

/** An FTS5 query for cases containing `q` (a phrase: the text's trigrams in a row). */
export const ftsPhrase = (q: string) => `"${q.replace(/"/g, '""')}"`;
