import type { MemberDoc } from '../domain';
import { fold } from '../domain';
import type { UnitKindId } from '../domain/unit-kinds';
import { generateMembers, type EthnicMixPreset } from './member-generator';
import { createRandom, type Random } from './random';

// A small demo organisation tree in the post-2025 shape: a Tỉnh đoàn over Đoàn xã/phường, each with
// a handful of chi đoàn. Ids are [a-z0-9] only because a unit's database is named `unit_<id>`.

export type DemoUnitKind = Extract<UnitKindId, 'tinh-doan' | 'doan-xa' | 'doan-phuong'>;

// The words that start a unit's name ("Đoàn xã Thanh Sơn"); the kind table's labels suit pickers.
export const DEMO_UNIT_KIND_LABELS: Readonly<Record<DemoUnitKind, string>> = {
	'tinh-doan': 'Tỉnh đoàn',
	'doan-xa': 'Đoàn xã',
	'doan-phuong': 'Đoàn phường'
};

export interface DemoBranch {
	/** `[a-z0-9]{4,24}`, starting with the unit id, unique across the tree (without `branch:`). */
	id: string;
	name: string;
}

export interface DemoUnit {
	/** `[a-z0-9]{4,24}`. */
	id: string;
	/** The unit's database: `unit_<id>`. */
	db: string;
	name: string;
	kind: DemoUnitKind;
	parentId: string | null;
	/** Ids from the root down to the parent. */
	ancestors: string[];
	branches: DemoBranch[];
	/** How many members generateUnitMembers makes for this unit. */
	memberCount: number;
	ethnicMix: EthnicMixPreset;
	/** "xã Thanh Sơn, tỉnh Phú Thọ", used in members' addresses. */
	locality: string;
	/** Seed for this unit's members, derived from the province seed. */
	memberSeed: string;
}

export interface DemoProvince {
	root: DemoUnit;
	/** Root first, then its children in order. */
	units: DemoUnit[];
}

export interface DemoCommune {
	kind: 'doan-xa' | 'doan-phuong';
	/** Without the kind: "Thanh Sơn". */
	name: string;
	ethnicMix: EthnicMixPreset;
	/** Village or school names for its branches, beside the numbered "khu". */
	places: readonly string[];
}

export const DEFAULT_COMMUNES: readonly DemoCommune[] = [
	{
		kind: 'doan-xa',
		name: 'Thanh Sơn',
		ethnicMix: 'mountain-district',
		places: ['thôn Đồng Chằm', 'xóm Mu', 'xóm Dụ', 'Trường THPT Thanh Sơn', 'Công an xã']
	},
	{
		kind: 'doan-xa',
		name: 'Tân Sơn',
		ethnicMix: 'mountain-district',
		places: ['xóm Bến Thân', 'xóm Lấp', 'xóm Cỏi', 'Trường THPT Minh Đài', 'Quân sự xã']
	},
	{
		kind: 'doan-phuong',
		name: 'Việt Trì',
		ethnicMix: 'lowland',
		places: ['Trường THPT Việt Trì', 'Công an phường', 'Bệnh viện Đa khoa tỉnh']
	},
	{
		kind: 'doan-xa',
		name: 'Lâm Thao',
		ethnicMix: 'lowland',
		places: ['thôn Phú Hòa', 'thôn Tiên Du', 'Công ty Supe Lâm Thao']
	}
];

function slug(text: string): string {
	return fold(text).replace(/[^a-z0-9]/g, '');
}

function unitId(text: string): string {
	const id = slug(text).slice(0, 24);
	if (id.length < 4) throw new RangeError(`Tên quá ngắn để làm mã đơn vị: "${text}".`);
	return id;
}

function generateBranches(options: {
	random: Random;
	commune: DemoCommune;
	unitId: string;
}): DemoBranch[] {
	const { random, commune } = options;
	const count = random.int({ min: 3, max: 6 });
	const places = [...commune.places];
	const khu = Array.from({ length: 18 }, (_, i) => `khu ${i + 1}`);
	const names: string[] = [];
	while (names.length < count) {
		const pool = places.length > 0 && random.chance(0.4) ? places : khu;
		const index = random.int({ min: 0, max: pool.length - 1 });
		const [place] = pool.splice(index, 1);
		if (place !== undefined) names.push(place);
	}
	// Numbered villages first, in order, as a unit lists them.
	names.sort((a, b) => {
		const na = /^khu (\d+)$/.exec(a);
		const nb = /^khu (\d+)$/.exec(b);
		if (na && nb) return Number(na[1]) - Number(nb[1]);
		return na ? -1 : nb ? 1 : a.localeCompare(b, 'vi');
	});
	// Prefixed with the unit so that a branch id is unique across units too, not only within one.
	const used = new Set<string>();
	return names.map((place) => {
		const base = (options.unitId + slug(place)).slice(0, 22);
		let id = base;
		for (let n = 2; used.has(id); n++) id = `${base}${n}`;
		used.add(id);
		return { id, name: `Chi đoàn ${place}` };
	});
}

/**
 * A deterministic demo tree: 'Tỉnh đoàn Phú Thọ' over a few Đoàn xã/phường (Thanh Sơn and Tân Sơn
 * with the mountain ethnic mix, Việt Trì and Lâm Thao lowland), each with 3–6 chi đoàn and a member
 * count. The seed chooses the branches and counts; ids depend only on names.
 */
export function generateProvince(options: {
	seed: string | number;
	provinceName?: string;
	communes?: readonly DemoCommune[];
	membersPerUnit?: { min: number; max: number };
}): DemoProvince {
	const random = createRandom(`${options.seed}/province`);
	const provinceName = options.provinceName ?? 'Phú Thọ';
	const communes = options.communes ?? DEFAULT_COMMUNES;
	const perUnit = options.membersPerUnit ?? { min: 80, max: 240 };

	const rootId = unitId(provinceName);
	const root: DemoUnit = {
		id: rootId,
		db: `unit_${rootId}`,
		name: `Tỉnh đoàn ${provinceName}`,
		kind: 'tinh-doan',
		parentId: null,
		ancestors: [],
		branches: [],
		memberCount: 0,
		ethnicMix: 'lowland',
		locality: `tỉnh ${provinceName}`,
		memberSeed: `${options.seed}/${rootId}`
	};
	const units: DemoUnit[] = [root];
	for (const commune of communes) {
		const word = commune.kind === 'doan-xa' ? 'xã' : 'phường';
		const id = unitId(`${word} ${commune.name}`);
		if (units.some((unit) => unit.id === id)) throw new RangeError(`Trùng mã đơn vị: "${id}".`);
		units.push({
			id,
			db: `unit_${id}`,
			name: `${DEMO_UNIT_KIND_LABELS[commune.kind]} ${commune.name}`,
			kind: commune.kind,
			parentId: rootId,
			ancestors: [rootId],
			branches: generateBranches({ random, commune, unitId: id }),
			memberCount: random.int(perUnit),
			ethnicMix: commune.ethnicMix,
			locality: `${word} ${commune.name}, tỉnh ${provinceName}`,
			memberSeed: `${options.seed}/${id}`
		});
	}
	return { root, units };
}

/** The members of one demo unit, spread over its branches. */
export function generateUnitMembers(options: {
	unit: DemoUnit;
	today: string;
	createdBy?: string;
}): MemberDoc[] {
	const { unit } = options;
	return generateMembers({
		seed: unit.memberSeed,
		count: unit.memberCount,
		unitId: unit.id,
		branchIds: unit.branches.map((branch) => branch.id),
		today: options.today,
		ethnicMix: unit.ethnicMix,
		locality: unit.locality,
		createdBy: options.createdBy
	});
}
