export * from './reminder-schema';
export * from './compose';
export * from './last-reminder';
