/** The API's setting names, imported from its config schema so a rename breaks the build, not a release. */
export { configKeys } from '../../../apps/api/src/config.js';
