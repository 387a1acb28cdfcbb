import { pino } from 'pino';
import { ConfigError, loadConfig } from './config.js';
import { startNotifier } from './notifier.js';

let config: ReturnType<typeof loadConfig>;
try {
  config = loadConfig();
} catch (error) {
  // One line naming the setting; the stack would only hide it.
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
}
const log = pino({ level: config.LOG_LEVEL });
const notifier = await startNotifier(config, log);

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, async () => {
    // Kubernetes sends SIGTERM and waits terminationGracePeriodSeconds: finish the batch already claimed so
    // no e-mail is sent without being marked (which a later retry would send twice), then exit 0.
    log.info({ signal }, 'draining: finishing the in-flight batch');
    const inTime = await notifier.close();
    log.info(
      { inTime },
      inTime ? 'drained' : 'shutdown timeout: unfinished rows return when their lease ends',
    );
    process.exit(0);
  });
}
