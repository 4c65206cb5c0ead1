// Deterministic synthetic data for the demo, tests and benchmarks.
export * from './history-generator';
export * from './member-generator';
export * from './name-generator';
export * from './random';
export * from './unit-generator';
