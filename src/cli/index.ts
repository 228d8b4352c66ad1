import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../config.js';
import { openDb, inTx } from '../db/client.js';
import { createKey } from '../auth/keys.js';
import { ROLES, type Role } from '../domain/index.js';
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
    if (!values.role || !ROLES.includes(values.role as Role)) throw new Error(`--role must be one of ${ROLES.join(', ')}`);
    if (values.side && values.side !== 'region' && values.side !== 'corps') throw new Error('--side must be region or corps');
    const db = openDb(config.databasePath);
    const k = inTx(db, (tx) =>
      createKey(tx, systemClock, { role: values.role as Role, agencyCode: values.agency, teamId: values.team, side: values.side as 'region' | 'corps' | undefined, name: values.name ?? 'cli' }),
    );
    db.$client.close();
    console.log(JSON.stringify({ id: k.id, role: k.role, key: k.key }));
    console.error('Store this key now: it is not shown again.');
    return;
  }
  console.error(USAGE);
  process.exit(64);
}

try {
  main(process.argv.slice(2));
} catch (err) {
  console.error(err instanceof ConfigError ? err.message : `error: ${(err as Error).message}`);
  process.exit(1);
}
