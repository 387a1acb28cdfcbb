// What other workspaces run of the drills: e2e/images runs the release drill on containers.

export type { Launcher } from './lib/stack.js';
export { type ReleaseOptions, releaseDrill } from './release.js';
