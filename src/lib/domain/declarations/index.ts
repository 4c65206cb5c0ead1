export * from './codes';
export * from './consent';
export * from './declaration-api';
export * from './declaration-input';
export * from './declaration-schema';
export * from './declaration-status';
export * from './matching';
export * from './review';
