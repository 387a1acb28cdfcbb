// What other workspaces run of the drills: e2e/images runs the release drills on containers, the web one
// behind the same nginx balancer.

export { type Balancer, startBalancer } from './lib/balancer.js';
export type { Launcher } from './lib/stack.js';
export { type ReleaseOptions, releaseDrill } from './release.js';
