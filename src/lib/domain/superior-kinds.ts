// The kinds of unit that may hold units with databases of their own (a superior: it lands on the
// dashboard). Derived from the kinds table by `kindHasSubordinates` (unit-kinds.ts); listed here
// too so the app's frame, which every screen loads, decides the landing without that whole table.
// A unit test keeps the two equal.

export const SUPERIOR_KIND_IDS: readonly string[] = [
	'trung-uong',
	'tinh-doan',
	'doan-khoi',
	'huyen-doan',
	'doan-truong'
];

export function isSuperiorKind(kind: string): boolean {
	return SUPERIOR_KIND_IDS.includes(kind);
}
