export * from './articles.js';
export * from './comments.js';
export * from './common.js';
export * from './profiles.js';
export * from './routes.js';
export * from './tags.js';
export * from './users.js';
export * from './web.js';
