import { parseArgs } from 'node:util';
import { readFileSync } from 'node:fs';
import { verifyDrawRecord } from '../inspections/draw.js';
import { ConfigError, loadConfig } from '../config.js';
import { openDb, inTx } from '../db/client.js';
import { restoreDatabase, RestoreError, vacuumInto } from '../db/backup.js';
import { issueKey } from '../keys/service.js';
import { Problem, type FieldError } from '../http/problem.js';
import { ROLES, type Side } from '../domain/index.js';
import { systemClock } from '../clock.js';
import { seedDemo } from '../reference/demo.js';
import { seedDemoSources } from '../cases/sources.js';
import { seedDemoInspections } from '../inspections/demo.js';

const USAGE = `usage:
  npm run cli -- keys create --role <${ROLES.join('|')}> [--agency CODE] [--team ID] [--side region|corps] [--name LABEL] [--audience created|side|agency|all] [--scopes events,complaints]
  npm run cli -- seed demo
  npm run cli -- migrate
  npm run cli -- backup <file>    (online: VACUUM INTO, while the service runs)
  npm run cli -- restore <file>   (replaces DATABASE_PATH; refused while the database is in use)
  npm run cli -- draw verify <draw-record.json>   (no database: re-runs a published random-inspection draw)`;

/** Operator commands against DATABASE_PATH: the first admin key on a new install, seeding, migrating. */
function main(argv: string[]) {
  const [group, cmd] = argv;
  if (group === 'draw' && cmd === 'verify') return verifyCommand(argv[2]);
  const config = loadConfig();
  if (group === 'backup' || group === 'restore') {
    if (!cmd) throw new Error(USAGE);
    if (group === 'backup') {
      const r = vacuumInto(config.databasePath, cmd);
      console.log(`backed up ${config.databasePath} to ${r.file} (${r.bytes} bytes)`);
    } else {
      try {
        restoreDatabase(cmd, config.databasePath);
      } catch (err) {
        if (err instanceof RestoreError) throw new Error(`restore refused: ${err.message}`, { cause: err });
        throw err;
      }
      // Migrations the backup predates are applied now, before any service opens it.
      openDb(config.databasePath).$client.close();
      console.log(`restored ${cmd} into ${config.databasePath}; start the service`);
    }
    return;
  }
  if (group === 'migrate') {
    openDb(config.databasePath).$client.close();
    console.log(`migrated ${config.databasePath}`);
    return;
  }
  if (group === 'seed' && cmd === 'demo') {
    const db = openDb(config.databasePath);
    seedDemo(db, systemClock);
    seedDemoSources(db, systemClock);
    seedDemoInspections(db, systemClock);
    db.$client.close();
    console.log(`demo reference data, pollution sources, checklist and rosters loaded into ${config.databasePath}`);
    return;
  }
  if (group === 'keys' && cmd === 'create') {
    const { values } = parseArgs({
      args: argv.slice(2),
      options: {
        role: { type: 'string' },
        agency: { type: 'string' },
        team: { type: 'string' },
        side: { type: 'string' },
        name: { type: 'string' },
        audience: { type: 'string' },
        scopes: { type: 'string' },
      },
    });
    const db = openDb(config.databasePath);
    try {
      const k = inTx(db, (tx) =>
        issueKey(
          tx,
          systemClock,
          {
            role: values.role ?? '',
            agencyCode: values.agency,
            teamId: values.team,
            side: values.side as Side | undefined,
            name: values.name ?? 'cli',
            audience: values.audience,
            scopes: values.scopes?.split(',').map((x) => x.trim()),
          },
          null,
        ),
      );
      console.log(
        JSON.stringify({
          id: k.id,
          role: k.role,
          side: k.side,
          agencyCode: k.agencyCode,
          teamId: k.teamId,
          audience: k.audience,
          scopes: k.scopes,
          key: k.key,
        }),
      );
    } finally {
      db.$client.close();
    }
    console.error('Store this key now: it is not shown again.');
    return;
  }
  console.error(USAGE);
  process.exit(64);
}

/**
 * `draw verify <file>`: reads a draw record (GET /v1/public/inspection-plans/{id}/draw-record)
 * and re-runs the draw with the same pure function as the service. No database, no network,
 * no configuration. Exit 0 when it matches, 2 when it does not.
 */
function verifyCommand(file: string | undefined) {
  if (!file) throw new Error('usage: npm run cli -- draw verify <draw-record.json>');
  const text = readFileSync(file, 'utf8');
  let record: unknown;
  try {
    record = JSON.parse(text);
  } catch (err) {
    console.log(`MISMATCH: ${file} is not valid JSON (${(err as Error).message})`);
    process.exit(2);
  }
  const report = verifyDrawRecord(record);
  for (const c of report.checks) console.log(`${c.ok ? 'ok  ' : 'FAIL'}  ${c.name}${c.detail ? ` — ${c.detail}` : ''}`);
  console.log(
    report.ok
      ? 'MATCH: the published draw follows from the commitments, the secrets and the frozen pools.'
      : 'MISMATCH: the published data does not reproduce this draw.',
  );
  if (!report.ok) process.exit(2);
}

try {
  main(process.argv.slice(2));
} catch (err) {
  console.error(err instanceof ConfigError ? err.message : err instanceof Problem ? `error: ${cliMessage(err)}` : `error: ${(err as Error).message}`);
  process.exit(1);
}

/** The API's field names as the CLI's flags, so the same check reads naturally here. */
function cliMessage(p: Problem): string {
  const flag: Record<string, string> = {
    'body/role': '--role',
    'body/side': '--side',
    'body/agencyCode': '--agency',
    'body/teamId': '--team',
    'body/audience': '--audience',
  };
  const errs = (p.extra.errors as FieldError[] | undefined) ?? [];
  return errs.length ? errs.map((e) => `${flag[e.field] ?? e.field} ${e.reason}`).join('; ') : p.detail;
}
