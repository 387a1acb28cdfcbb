export { type Collected, type ContainerCli, collectPreviousAssets, containerCli } from './previous-assets.js';
