// What other workspaces may use of the notifier: its setting names (deploy code renders them).
export { type ConfigKey, configKeys, configSchema } from './config.js';
