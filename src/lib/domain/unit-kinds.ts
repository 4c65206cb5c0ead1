// The kinds of unit in the Youth Union's tree, as data (docs/domain.md §1): the tree has any depth and the
// kinds change with reorganisations (1 July 2025 removed the district level in most places), so the
// rules about which kind sits under which are a table here, not branches in code.

export type UnitKindId =
	| 'trung-uong'
	| 'tinh-doan'
	| 'doan-khoi'
	| 'huyen-doan'
	| 'doan-truong'
	| 'doan-xa'
	| 'doan-phuong'
	| 'doan-dac-khu'
	| 'doan-co-so'
	| 'chi-doan-co-so'
	| 'lien-chi-doan'
	| 'chi-doan';

/**
 * The charter's levels: 1 Trung ương, 2 tỉnh and equivalents, 3 huyện and equivalents, 4 cơ sở
 * (grassroots), 5 below the grassroots unit (liên chi đoàn, chi đoàn). Some kinds occur at more than
 * one level (an Đoàn khối sits under Trung ương or under a Tỉnh đoàn): `level` is the usual one, and
 * `childKinds` is what decides where a unit may be placed.
 */
export type UnitLevel = 1 | 2 | 3 | 4 | 5;

export interface UnitKind {
	id: UnitKindId;
	/** What users see (Vietnamese). */
	label: string;
	level: UnitLevel;
	/** A grassroots unit (cấp cơ sở): it keeps members and has branches. */
	grassroots: boolean;
	/**
	 * Whether a unit of this kind gets its own database. Chi đoàn and liên chi đoàn are documents
	 * inside their grassroots unit's database (docs/decisions/0004-branches-as-documents.md).
	 */
	hasDatabase: boolean;
	/** Kinds a unit of this kind may have directly beneath it. */
	childKinds: readonly UnitKindId[];
}

const GRASSROOTS_CHILDREN: readonly UnitKindId[] = ['lien-chi-doan', 'chi-doan'];

export const UNIT_KINDS: readonly UnitKind[] = [
	{
		id: 'trung-uong',
		label: 'Trung ương Đoàn',
		level: 1,
		grassroots: false,
		hasDatabase: true,
		childKinds: ['tinh-doan', 'doan-khoi']
	},
	{
		id: 'tinh-doan',
		label: 'Tỉnh đoàn / Thành đoàn',
		level: 2,
		grassroots: false,
		hasDatabase: true,
		childKinds: [
			'huyen-doan',
			'doan-khoi',
			'doan-truong',
			'doan-xa',
			'doan-phuong',
			'doan-dac-khu',
			'doan-co-so',
			'chi-doan-co-so'
		]
	},
	{
		id: 'doan-khoi',
		label: 'Đoàn khối',
		level: 2,
		grassroots: false,
		hasDatabase: true,
		childKinds: ['huyen-doan', 'doan-truong', 'doan-co-so', 'chi-doan-co-so']
	},
	{
		id: 'huyen-doan',
		label: 'Huyện đoàn (cấp huyện và tương đương)',
		level: 3,
		grassroots: false,
		hasDatabase: true,
		childKinds: [
			'doan-truong',
			'doan-xa',
			'doan-phuong',
			'doan-dac-khu',
			'doan-co-so',
			'chi-doan-co-so'
		]
	},
	{
		id: 'doan-truong',
		label: 'Đoàn trường',
		level: 3,
		grassroots: false,
		hasDatabase: true,
		childKinds: ['doan-co-so', 'chi-doan-co-so', 'lien-chi-doan']
	},
	{
		id: 'doan-xa',
		label: 'Đoàn xã',
		level: 4,
		grassroots: true,
		hasDatabase: true,
		childKinds: GRASSROOTS_CHILDREN
	},
	{
		id: 'doan-phuong',
		label: 'Đoàn phường',
		level: 4,
		grassroots: true,
		hasDatabase: true,
		childKinds: GRASSROOTS_CHILDREN
	},
	{
		id: 'doan-dac-khu',
		label: 'Đoàn đặc khu',
		level: 4,
		grassroots: true,
		hasDatabase: true,
		childKinds: GRASSROOTS_CHILDREN
	},
	{
		id: 'doan-co-so',
		label: 'Đoàn cơ sở',
		level: 4,
		grassroots: true,
		hasDatabase: true,
		childKinds: GRASSROOTS_CHILDREN
	},
	{
		// A chi đoàn directly under a higher level: grassroots itself, with no branches beneath.
		id: 'chi-doan-co-so',
		label: 'Chi đoàn cơ sở',
		level: 4,
		grassroots: true,
		hasDatabase: true,
		childKinds: []
	},
	{
		id: 'lien-chi-doan',
		label: 'Liên chi đoàn',
		level: 5,
		grassroots: false,
		hasDatabase: false,
		childKinds: ['chi-doan']
	},
	{
		id: 'chi-doan',
		label: 'Chi đoàn',
		level: 5,
		grassroots: false,
		hasDatabase: false,
		childKinds: []
	}
];

const BY_ID = new Map<string, UnitKind>(UNIT_KINDS.map((kind) => [kind.id, kind]));

export const UNIT_KIND_IDS: readonly UnitKindId[] = UNIT_KINDS.map((kind) => kind.id);

export function isUnitKindId(value: unknown): value is UnitKindId {
	return typeof value === 'string' && BY_ID.has(value);
}

export function getUnitKind(id: string): UnitKind | undefined {
	return BY_ID.get(id);
}

export function unitKindLabel(id: string): string {
	return BY_ID.get(id)?.label ?? id;
}

/** Whether a unit of kind `child` may be placed directly under a unit of kind `parent`. */
export function canContain(options: { parent: string; child: string }): boolean {
	return BY_ID.get(options.parent)?.childKinds.includes(options.child as UnitKindId) ?? false;
}

/** Whether a unit of this kind may hold units with databases of their own (it is a superior). */
export function kindHasSubordinates(kind: string): boolean {
	return (BY_ID.get(kind)?.childKinds ?? []).some((child) => BY_ID.get(child)?.hasDatabase);
}

/** Kinds that get a database of their own (everything down to the grassroots level). */
export const DATABASE_UNIT_KINDS: readonly UnitKind[] = UNIT_KINDS.filter(
	(kind) => kind.hasDatabase
);
