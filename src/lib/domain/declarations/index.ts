export * from './consent';
export * from './matching';
