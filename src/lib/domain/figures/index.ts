export * from './summary';
export * from './figures-schema';
export * from './device-report-schema';
export * from './progress';
export * from './progress-table';
export * from './sync-health';
