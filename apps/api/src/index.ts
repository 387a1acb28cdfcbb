// What other workspaces may use of the API tier: the setting names (deploy code) and the migration runner
// (operations CLI). Everything else is internal to the API.
export { type ConfigKey, configKeys, configSchema } from './config.js';
export { MIGRATION_LOCK_KEY, type MigrationStatus, migrationStatus, runMigrations } from './db/migrate.js';
