// Everything the domain layer offers: import from '$lib/domain' in the app and from
// '../src/lib/domain' on the server.
export * from './age';
export * from './citizen-id';
export * from './dates';
export * from './ethnic-groups';
export * from './labels';
export * from './member-input';
export * from './member-schema';
export * from './member-search';
export * from './member-statuses';
export * from './months';
export * from './names';
export * from './rules';
export * from './text';
export * from './unit-kinds';
