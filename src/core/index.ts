export * from './errors.js';
export * from './money.js';
export * from './config.js';
export * from './seeded-random.js';
