export * from './api.js';
export * from './ids.js';
export * from './numbering.js';
export * from './paragraphIds.js';
export * from './protocol.js';
export * from './schema.js';
export * from './templates.js';
