export * from './summary';
export * from './figures-schema';
export * from './device-report-schema';
