// The organisation's vocabulary: roles, who manages what, unit statuses and the ids of units and
// documents. Imported by the server ('../src/lib/domain/org') and the screens ('$lib/domain/org').
export * from './access';
export * from './ids';
export * from './roles';
export * from './unit-status';
