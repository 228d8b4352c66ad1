import Fastify from 'fastify';
import Database from 'better-sqlite3';
import { load, tmpDb, type LoadResult } from './support.js';

/**
 * The yardstick: a bare Fastify route that inserts one row into SQLite (WAL, same pragmas),
 * measured in the same run as the real routes.
 */
export async function bareInsert(seconds = 10): Promise<LoadResult> {
  const db = new Database(tmpDb('bare'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec('create table t (id integer primary key, body text not null, at text not null)');
  const ins = db.prepare('insert into t (body, at) values (?, ?)');
  const app = Fastify();
  app.post('/bare', async (req, reply) => {
    ins.run(JSON.stringify(req.body), new Date().toISOString());
    return reply.status(201).send({ ok: true });
  });
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  try {
    return await load({
      url: `${url}/bare`,
      method: 'POST',
      duration: seconds,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ channel: 'phone', category: 'air', description: 'Black smoke from a chimney', location: { lat: 44.3, lng: 86.05 } }),
    });
  } finally {
    await app.close();
    db.close();
  }
}
