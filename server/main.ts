/** `npm start`: reads the configuration, listens, and shuts down gracefully on SIGTERM/SIGINT. */
import { type Announcement, announce, announcementPath, withdraw } from './announce.js';
import { buildServer } from './app.js';
import { ConfigError, loadConfig } from './config.js';
import { setupBanner } from './logging.js';
import { StorageError } from './storage/errors.js';

async function main(): Promise<void> {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`Concord cannot start: invalid configuration: ${err.message}`);
      process.exit(78);
    }
    throw err;
  }
  let app: Awaited<ReturnType<typeof buildServer>>;
  try {
    app = await buildServer(config);
  } catch (err) {
    // Storage that cannot be opened (unreachable, or a schema newer than this release) says why.
    if (err instanceof StorageError) {
      console.error(`Concord cannot start: ${err.message}`);
      process.exit(1);
    }
    throw err;
  }
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    app.log.info({ signal }, 'shutting down: flushing storage and closing sockets');
    setTimeout(() => {
      app.log.error('shutdown took too long; exiting');
      process.exit(1);
    }, config.shutdownTimeoutMs).unref();
    app.close().then(
      () => process.exit(0),
      (err: unknown) => {
        app.log.error({ err }, 'error during shutdown');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  const address = await app.listen({ host: config.host, port: config.port });
  app.log.info(
    config.databaseUrl
      ? { storage: app.storage.kind }
      : { dataDir: config.dataDir, storage: app.storage.kind },
    `Concord is listening at ${address}`,
  );
  const origin = app.publicOrigin();
  const announcement: Announcement = {
    url: origin,
    pid: process.pid,
    startedAt: new Date().toISOString(),
    operatorUrl: `http://${/^(0\.0\.0\.0|::)$/.test(config.host) ? '127.0.0.1' : config.host.includes(':') ? `[${config.host}]` : config.host}:${(app.server.address() as { port: number }).port}`,
    operatorToken: app.operatorToken,
  };
  const publish = () => {
    try {
      announce(config.dataDir, announcement);
    } catch (err) {
      app.log.warn(
        { err, file: announcementPath(config.dataDir) },
        'could not write the announcement; the CLI will assume the default address',
      );
    }
  };
  process.on('exit', () => withdraw(config.dataDir));
  if ((await app.storage.countUsers()) === 0) {
    const link = `${origin}/#/setup/${app.setup.issue()}`;
    announcement.setupUrl = link;
    app.setup.onConsume = () => {
      delete announcement.setupUrl;
      publish();
      app.log.info('the setup link was used: the first account exists');
    };
    publish();
    app.log.warn({ setupUrl: link }, 'no accounts yet: open the one-time setup link');
    console.log(setupBanner(link));
  } else {
    publish();
    console.log(`\n  Concord is running: open ${origin}/ in a browser\n`);
  }
}

main().catch((err: unknown) => {
  console.error('Concord failed to start:', err);
  process.exit(1);
});
