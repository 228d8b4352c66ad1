import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { configOrExit, startServer } from '../server.js';
import { openDb, inTx } from '../db/client.js';
import { createKey } from '../auth/keys.js';
import { systemClock } from '../clock.js';
import { seedDemo } from '../reference/demo.js';
import { seedDemoSources } from '../cases/sources.js';
import { seedDemoInspections } from '../inspections/demo.js';
import { seedDemoLedger } from '../ledger/demo.js';
import { seedDemoAir } from '../air/demo.js';

/**
 * `npm run demo`: the embedded default with demo reference data. On first run it also creates a
 * demo admin key and keeps it in a file beside the database (demo only; production keys are
 * shown once and stored hashed).
 */
// The demo is for trying things on one machine: webhooks to a local receiver (http://127.0.0.1:…) are allowed.
const config = configOrExit({ WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true', ...process.env, SEED_DEMO: 'true' });
const keyFile = join(dirname(resolve(config.databasePath)), 'demo-admin-key.txt');
const db = openDb(config.databasePath);
seedDemo(db, systemClock);
seedDemoSources(db, systemClock);
seedDemoInspections(db, systemClock);
let key: string;
if (existsSync(keyFile)) key = readFileSync(keyFile, 'utf8').trim();
else {
  key = inTx(db, (tx) => createKey(tx, systemClock, { role: 'admin', name: 'demo admin' })).key;
  writeFileSync(keyFile, key + '\n', { mode: 0o600 });
}
db.$client.close();
const { app, base } = await startServer(config);
// The ledger's demo tasks carry events and timers: added through the running service's deps.
seedDemoLedger(app.deps.db, app.deps);
// Heavy-pollution zones and reduction lists: their sources are placed with the running spatial index.
seedDemoAir(app.deps);
console.log(`
  Joint enforcement API (demo data, ${config.redisUrl ? 'Redis' : 'embedded'} mode)
  docs:      ${base}/docs
  admin key: ${key}   (kept in ${keyFile})
  try:       curl -H "Authorization: Bearer ${key}" ${base}/v1/agencies
`);
