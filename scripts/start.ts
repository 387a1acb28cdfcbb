// `npm start`: the production topology on one machine. Builds the web tier when its build is missing or
// older than its sources, then runs the API server, which serves `/api` and the built SPA on one origin.
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const web = join(root, 'apps/web');
const built = join(web, 'dist/index.html');

function newestMtime(path: string): number {
  const stat = statSync(path, { throwIfNoEntry: false });
  if (!stat) return 0;
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(0, ...readdirSync(path).map((entry) => newestMtime(join(path, entry))));
}

const sources = ['src', 'public', 'index.html', 'vite.config.ts', 'package.json'].map((entry) =>
  join(web, entry),
);
const builtAt = statSync(built, { throwIfNoEntry: false })?.mtimeMs ?? 0;
if (builtAt < Math.max(...sources.map(newestMtime))) {
  console.log('building the web tier (apps/web)…');
  const result = spawnSync('npm', ['run', 'build', '-w', '@conduit/web'], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) {
    console.error('web build failed: see the output above');
    process.exit(result.status ?? 1);
  }
}

const api = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
  cwd: join(root, 'apps/api'),
  stdio: 'inherit',
  env: { WEB_ROOT: join(web, 'dist'), ...process.env },
});
// Ctrl-C reaches the whole process group; the server handles it, this wrapper only waits for it.
process.on('SIGINT', () => {});
process.on('SIGTERM', () => api.kill('SIGTERM'));
api.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
