// Everything the domain layer offers: import from '$lib/domain' in the app and from
// '../src/lib/domain' on the server. The map: the member and its vocabulary at the top level
// (schema, statuses, names, dates, ids…), the rules table in rules/, and every operation — its
// planner and its catalogue entry — in operations/ (docs/operations.md).
export * from './age';
export * from './branch-schema';
export * from './citizen-id';
export * from './dates';
export * from './decision-format';
export * from './decision-numbers';
export * from './ethnic-groups';
export * from './history-schema';
export * from './labels';
export * from './member-input';
export * from './member-merge';
export * from './member-schema';
export * from './member-search';
export * from './member-statuses';
export * from './months';
export * from './names';
export * from './text';
export * from './unit-kinds';
export * from './org';
export * from './rules/table';
export * from './rules/parse';
export * from './rules/lookups';
export * from './operations/shared';
export * from './operations/admission';
export * from './operations/branches';
export * from './operations/bulk';
export * from './operations/coming-of-age';
export * from './operations/discipline';
export * from './operations/dues';
export * from './operations/rating';
export * from './operations/removal';
export * from './operations/reversal';
export * from './operations/rewards';
export * from './operations/training';
export * from './operations/transfer';
export * from './operations/transfer-request';
export * from './operations/branch-move';
export * from './operations/form';
export * from './operations/entry';
export * from './operations/catalogue';
