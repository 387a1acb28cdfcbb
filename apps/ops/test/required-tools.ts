import { requireTools } from '@conduit/testing';
import { PG15_TOOLS } from './postgres15.js';

// Vitest global setup: a missing tool fails the run within seconds, naming it and its install command,
// before any suite starts a database.
export default () => requireTools(PG15_TOOLS);
