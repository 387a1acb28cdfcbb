import { requireTools } from '@conduit/testing';

// Vitest global setup: a missing tool fails the run within seconds, naming it and its install command,
// before any suite starts a database, a server or a browser.
export default () => requireTools(['shellcheck']);
