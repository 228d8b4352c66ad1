import closeWithGrace from 'close-with-grace';
import { ConfigError, loadConfig, type Config } from './config.js';
import { buildApp } from './app.js';
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';

/** Loads config or exits with one line naming the bad variable (exit 78, EX_CONFIG). */
export function configOrExit(env: Record<string, string | undefined> = process.env): Config {
  try {
    return loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(78);
    }
    throw err;
  }
}

/** Builds, starts workers (unless WORKERS=off) and listens; SIGTERM/SIGINT drain via close-with-grace. */
export async function startServer(config: Config) {
  const app = await buildApp(config);
  await app.runtime.start({ workers: config.workers });
  closeWithGrace({ delay: 10_000 }, async ({ signal, err }) => {
    if (err) app.log.error({ err }, 'closing after error');
    else app.log.info({ signal }, 'shutting down: draining requests and workers');
    await app.close();
  });
  try {
    await app.listen({ port: config.port, host: config.host });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'EADDRINUSE' && code !== 'EACCES') throw err;
    await app.close();
    console.error(
      `PORT ${config.port} on ${config.host} ${code === 'EADDRINUSE' ? 'is already in use' : 'may not be bound by this user'}: set PORT to a free port`,
    );
    process.exit(78);
  }
  const base = config.publicBaseUrl;
  app.log.info(`docs at ${base}/docs · queue mode ${app.runtime.mode}`);
  return { app, base };
}

const isMain = process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href;
if (isMain) {
  startServer(configOrExit()).catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
