/** The captune config: schema, validation with key-path errors, overrides, printing. */
export * from './captune-config.js';
export * from './config-issues.js';
export * from './load-config.js';
