export * from './reminder-schema';
export * from './compose';
