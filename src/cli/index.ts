import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../config.js';
import { openDb, inTx } from '../db/client.js';
import { issueKey } from '../keys/service.js';
import { Problem, type FieldError } from '../http/problem.js';
import { ROLES, type Side } from '../domain/index.js';
import { systemClock } from '../clock.js';
import { seedDemo } from '../reference/demo.js';

const USAGE = `usage:
  npm run cli -- keys create --role <${ROLES.join('|')}> [--agency CODE] [--team ID] [--side region|corps] [--name LABEL]
  npm run cli -- seed demo
  npm run cli -- migrate`;

/** Operator commands against DATABASE_PATH: the first admin key on a new install, seeding, migrating. */
function main(argv: string[]) {
  const config = loadConfig();
  const [group, cmd] = argv;
  if (group === 'migrate') {
    openDb(config.databasePath).$client.close();
    console.log(`migrated ${config.databasePath}`);
    return;
  }
  if (group === 'seed' && cmd === 'demo') {
    const db = openDb(config.databasePath);
    seedDemo(db, systemClock);
    db.$client.close();
    console.log(`demo reference data loaded into ${config.databasePath}`);
    return;
  }
  if (group === 'keys' && cmd === 'create') {
    const { values } = parseArgs({
      args: argv.slice(2),
      options: { role: { type: 'string' }, agency: { type: 'string' }, team: { type: 'string' }, side: { type: 'string' }, name: { type: 'string' } },
    });
    const db = openDb(config.databasePath);
    try {
      const k = inTx(db, (tx) =>
        issueKey(tx, systemClock, { role: values.role ?? '', agencyCode: values.agency, teamId: values.team, side: values.side as Side | undefined, name: values.name ?? 'cli' }, null),
      );
      console.log(JSON.stringify({ id: k.id, role: k.role, side: k.side, agencyCode: k.agencyCode, teamId: k.teamId, key: k.key }));
    } finally {
      db.$client.close();
    }
    console.error('Store this key now: it is not shown again.');
    return;
  }
  console.error(USAGE);
  process.exit(64);
}

try {
  main(process.argv.slice(2));
} catch (err) {
  console.error(err instanceof ConfigError ? err.message : err instanceof Problem ? `error: ${cliMessage(err)}` : `error: ${(err as Error).message}`);
  process.exit(1);
}

/** The API's field names as the CLI's flags, so the same check reads naturally here. */
function cliMessage(p: Problem): string {
  const flag: Record<string, string> = { 'body/role': '--role', 'body/side': '--side', 'body/agencyCode': '--agency', 'body/teamId': '--team' };
  const errs = (p.extra.errors as FieldError[] | undefined) ?? [];
  return errs.length ? errs.map((e) => `${flag[e.field] ?? e.field} ${e.reason}`).join('; ') : p.detail;
}
