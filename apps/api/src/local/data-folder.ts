import { chmod, mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Git-ignored `.data/` at the repository root, so local data survives restarts. */
export const defaultDataFolder = fileURLToPath(new URL('../../../../.data/', import.meta.url));

/**
 * The folder of local runs (LOCAL_DATA_DIR): `postgres/` (the embedded PostgreSQL's data directory), its
 * password and log, and the development JWT secret. Created if missing; nothing outside it is touched.
 */
export async function localDataFolder(configured: string | undefined): Promise<string> {
  const folder = resolve(configured ?? defaultDataFolder);
  const created = await mkdir(folder, { recursive: true });
  // Set once, on the folder this call created and whatever the umask: others may pass through but not list
  // it, so the `postgres` OS user (which runs the server when Conduit runs as root) reaches postgres/ inside
  // while the secret files beside it stay private (each is 0600 as well).
  if (created !== undefined) await chmod(folder, 0o711);
  return folder;
}
