import closeWithGrace from 'close-with-grace';
import { buildApp } from './app.js';
import { configOrExit } from './server.js';

/** Workers only (no HTTP): run beside API processes started with WORKERS=off, on Redis. */
const config = configOrExit();
const app = await buildApp(config);
await app.ready();
await app.runtime.start({ workers: true });
app.log.info(`workers running · queue mode ${app.runtime.mode}`);
closeWithGrace({ delay: 10_000 }, async () => {
  await app.close();
});
