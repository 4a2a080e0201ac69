export * from './span-model.js';
export * from './ids.js';
export * from './attributes.js';
export * from './api-types.js';
export * from './otlp-json-export.js';
export * from './compact-trace.js';
export * from './span-times.js';
export * from './otlp-json-text.js';
