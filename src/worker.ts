import closeWithGrace from 'close-with-grace';
import { ConfigError, loadConfig } from './config.js';
import { buildApp } from './app.js';

/** Workers only (no HTTP): run beside API processes started with WORKERS=off, on Redis. */
async function main() {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(78);
    }
    throw err;
  }
  const app = await buildApp(config);
  await app.ready();
  await app.runtime.start({ workers: true });
  app.log.info(`workers running · queue mode ${app.runtime.mode}`);
  closeWithGrace({ delay: 10_000 }, async () => {
    await app.close();
  });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
