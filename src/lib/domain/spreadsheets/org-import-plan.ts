import { fold } from '../text';
import { canContain, unitKindLabel, type UnitKindId } from '../unit-kinds';
import { kindOfCell, type OrgSheetKey, type OrgSheetRow } from './org-import-sheet';

// The organisation sheet checked before anything is written (docs/spreadsheets.md, "The
// organisation in bulk"). The phone runs it for the preview and the server runs it again, with what
// it alone knows (the logins taken, the tree as it is now), before it founds a single unit: the plan
// says, row by row, what would be created or why the row cannot be.

/** At most this many rows a sheet: a province's communes fit many times over. */
export const ORG_IMPORT_MAX_ROWS = 1000;
/** Longest cell accepted on the wire; the rules below then say what each field allows. */
export const ORG_IMPORT_MAX_CELL = 300;

export const LOGIN_RULE = /^[a-z0-9._-]{3,32}$/;

// Control characters and the marks that reverse or isolate text direction: nothing a name holds,
// and what would make a unit's name read differently on a screen or in a printed list.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const INVISIBLE = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/;

export interface OrgRowError {
	field: OrgSheetKey;
	message: string;
}

export type OrgRowStatus = 'new' | 'existing' | 'invalid';

export interface OrgPlannedRow {
	/** Position in the rows given (0-based). */
	index: number;
	/** Line in the file, for messages ("dòng 12"). */
	line: number;
	status: OrgRowStatus;
	errors: OrgRowError[];
	name: string;
	kind?: UnitKindId;
	/** Where the unit goes: the importing unit (`root`), another row of the sheet, or unknown. */
	parent: { root: true } | { row: number } | undefined;
	/** The existing unit an exported row stands for (status `existing`). */
	existingId?: string;
	account?: { login: string; fullName: string; phone?: string };
}

export interface OrgImportPlan {
	rows: OrgPlannedRow[];
	counts: { new: number; existing: number; invalid: number; accounts: number };
	/** Rows to create, parents before their children (indexes into `rows`). */
	order: number[];
}

export type OrgImportState = 'running' | 'done' | 'failed';

/** An import's progress as the API shows it (never its journal). */
export interface OrgImportView {
	importId: string;
	rootId: string;
	state: OrgImportState;
	progress: { done: number; total: number };
	error?: string;
	createdAt: string;
	finishedAt?: string;
}

/** One account of the printable list: shown once, never stored in clear. */
export interface IssuedAccount {
	line: number;
	unitName: string;
	fullName: string;
	login: string;
	phone?: string;
	temporaryPassword: string;
}

/** A unit already in the tree, as the planner needs it. */
export interface OrgKnownUnit {
	id: string;
	name: string;
	kind: UnitKindId;
	parentId: string | null;
}

export interface OrgPlanInput {
	rows: readonly { line: number; row: OrgSheetRow }[];
	/** The importing unit. */
	root: { id: string; name: string; kind: UnitKindId };
	/** Every unit beneath the importing unit (its direct subordinates among them). */
	subtree: readonly OrgKnownUnit[];
	/** Logins of the sheet already held by an account (the server knows; the phone may not). */
	takenLogins: ReadonlySet<string>;
}

/** A name as stored: NFC, single spaces, trimmed. */
export function cleanName(text: string): string {
	return text.normalize('NFC').replace(/\s+/g, ' ').trim();
}

function nameErrors(options: {
	field: OrgSheetKey;
	text: string;
	what: string;
	min: number;
	max: number;
}): OrgRowError[] {
	const { field, text, what, min, max } = options;
	if (INVISIBLE.test(text)) {
		return [{ field, message: `${what} có ký tự điều khiển hoặc ký tự ẩn; hãy gõ lại.` }];
	}
	const clean = cleanName(text);
	if (clean.length < min) return [{ field, message: `Thiếu ${what.toLowerCase()}.` }];
	if (clean.length > max) {
		return [{ field, message: `${what} quá dài (tối đa ${max} ký tự).` }];
	}
	return [];
}

/** Vietnamese phone numbers as typed: spaces, dots and dashes ignored; +84 or 0 in front. */
export function cleanPhone(text: string): string | undefined {
	const digits = text.replace(/[\s.\-()]/g, '');
	const local = digits.startsWith('+84') ? `0${digits.slice(3)}` : digits;
	return /^0\d{9,10}$/.test(local) ? local : undefined;
}

interface Parsed {
	index: number;
	line: number;
	name: string;
	folded: string;
	kind: UnitKindId | undefined;
	errors: OrgRowError[];
	existing: OrgKnownUnit | undefined;
	account?: { login: string; fullName: string; phone?: string };
	parentText: string;
}

function parseRow(options: {
	index: number;
	line: number;
	row: OrgSheetRow;
	byId: ReadonlyMap<string, OrgKnownUnit>;
}): Parsed {
	const { index, line, row, byId } = options;
	const errors: OrgRowError[] = [];
	errors.push(
		...nameErrors({ field: 'name', text: row.name, what: 'Tên đơn vị', min: 2, max: 200 })
	);
	const name = cleanName(row.name);

	const kindFound = row.kind.trim() === '' ? undefined : kindOfCell(row.kind);
	let kind: UnitKindId | undefined;
	if (row.kind.trim() === '') errors.push({ field: 'kind', message: 'Thiếu loại đơn vị.' });
	else if (kindFound === 'branch') {
		errors.push({
			field: 'kind',
			message:
				'Chi đoàn và liên chi đoàn không phải đơn vị riêng: hãy thêm chúng trong đơn vị cơ sở của mình.'
		});
	} else if (!kindFound) {
		errors.push({
			field: 'kind',
			message: `Không nhận ra loại đơn vị "${cleanName(row.kind).slice(0, 60)}".`
		});
	} else kind = kindFound;

	let existing: OrgKnownUnit | undefined;
	const unitId = row.unitId.trim();
	if (unitId !== '') {
		existing = byId.get(unitId);
		if (!existing) {
			errors.push({
				field: 'unitId',
				message: 'Mã đơn vị không có trong cây đơn vị này: để trống ô Mã đơn vị ở dòng mới.'
			});
		}
	}

	let account: Parsed['account'];
	const hasAccount = row.login.trim() !== '' || row.fullName.trim() !== '';
	if (hasAccount && !existing) {
		const login = row.login.trim().toLowerCase();
		if (login === '') errors.push({ field: 'login', message: 'Thiếu tên đăng nhập của bí thư.' });
		else if (!LOGIN_RULE.test(login)) {
			errors.push({
				field: 'login',
				message:
					'Tên đăng nhập gồm 3–32 ký tự: chữ không dấu, số, dấu chấm, gạch dưới hoặc gạch ngang.'
			});
		}
		const nameIssues = nameErrors({
			field: 'fullName',
			text: row.fullName,
			what: 'Họ tên bí thư',
			min: 2,
			max: 100
		});
		errors.push(...nameIssues);
		let phone: string | undefined;
		if (row.phone.trim() !== '') {
			phone = cleanPhone(row.phone);
			if (!phone) {
				errors.push({
					field: 'phone',
					message: 'Số điện thoại không hợp lệ (10 hoặc 11 chữ số, bắt đầu bằng 0 hoặc +84).'
				});
			}
		}
		account = { login, fullName: cleanName(row.fullName), ...(phone ? { phone } : {}) };
	}
	return {
		index,
		line,
		name,
		folded: fold(name),
		kind,
		errors,
		existing,
		account,
		parentText: cleanName(row.parent)
	};
}

/** Checks every row; nothing is created unless every row is `new` or `existing`. */
export function planOrgImport(input: OrgPlanInput): OrgImportPlan {
	const { root, subtree, takenLogins } = input;
	const byId = new Map(subtree.map((unit) => [unit.id, unit]));
	const parsed = input.rows.map(({ line, row }, index) => parseRow({ index, line, row, byId }));
	const rootFolded = fold(root.name);

	// Names are matched folded: "Đoàn xã Hoà An" and "doan xa hòa an" are the same unit.
	const firstByName = new Map<string, Parsed>();
	for (const row of parsed) {
		if (row.folded === '' || row.existing) continue;
		const earlier = firstByName.get(row.folded);
		if (earlier) {
			row.errors.push({
				field: 'name',
				message: `Trùng tên với dòng ${earlier.line} trong bảng.`
			});
		} else firstByName.set(row.folded, row);
	}
	const existingByName = new Map<string, Parsed>();
	for (const row of parsed) if (row.existing) existingByName.set(row.folded, row);

	const firstByLogin = new Map<string, Parsed>();
	for (const row of parsed) {
		const login = row.account?.login;
		if (!login || !LOGIN_RULE.test(login)) continue;
		const earlier = firstByLogin.get(login);
		if (earlier) {
			row.errors.push({ field: 'login', message: `Tên đăng nhập trùng với dòng ${earlier.line}.` });
		} else firstByLogin.set(login, row);
		if (takenLogins.has(login)) {
			row.errors.push({
				field: 'login',
				message: 'Tên đăng nhập này đã có tài khoản dùng. Hãy chọn tên khác.'
			});
		}
	}

	const rootChildren = subtree.filter((unit) => unit.parentId === root.id);
	const parents = parsed.map((row): OrgPlannedRow['parent'] => {
		if (row.existing) return undefined;
		const text = row.parentText;
		if (text === '' || fold(text) === rootFolded) return { root: true };
		const target = firstByName.get(fold(text));
		if (target && target !== row) return { row: target.index };
		if (existingByName.has(fold(text)) || subtree.some((unit) => fold(unit.name) === fold(text))) {
			row.errors.push({
				field: 'parent',
				message: `Đơn vị cấp trên "${text.slice(0, 80)}" đã có trong cây: chỉ thêm được đơn vị trực thuộc ${root.name} hoặc trực thuộc một đơn vị mới trong bảng. Đơn vị cấp trên đó tự nhập đơn vị của mình.`
			});
		} else {
			row.errors.push({
				field: 'parent',
				message: `Không tìm thấy đơn vị cấp trên "${text.slice(0, 80)}" trong bảng.`
			});
		}
		return undefined;
	});

	for (const row of parsed) {
		const parent = parents[row.index];
		if (!parent || !row.kind) continue;
		const parentKind = 'root' in parent ? root.kind : parsed[parent.row]?.kind;
		const parentName = 'root' in parent ? root.name : parsed[parent.row]?.name;
		if (parentKind && !canContain({ parent: parentKind, child: row.kind })) {
			row.errors.push({
				field: 'kind',
				message: `${unitKindLabel(row.kind)} không thể trực thuộc ${unitKindLabel(parentKind)} (${parentName}).`
			});
		}
		if ('root' in parent) {
			const clash = rootChildren.find((unit) => fold(unit.name) === row.folded);
			if (clash) {
				row.errors.push({
					field: 'name',
					message: `${root.name} đã có đơn vị trực thuộc tên "${clash.name}".`
				});
			}
		}
	}

	// A row under a row that cannot be created cannot be either; parents before children.
	const order: number[] = [];
	const state = new Map<number, 'visiting' | 'done'>();
	const visit = (index: number): boolean => {
		const row = parsed[index];
		const parent = parents[index];
		if (!row || !parent) return false;
		if (state.get(index) === 'done') return row.errors.length === 0;
		if (state.get(index) === 'visiting') {
			row.errors.push({
				field: 'parent',
				message: 'Đơn vị cấp trên tạo thành vòng lặp trong bảng.'
			});
			return false;
		}
		state.set(index, 'visiting');
		if ('row' in parent) {
			const ok = visit(parent.row);
			const parentRow = parsed[parent.row];
			if (!ok && parentRow && !row.errors.some((error) => error.field === 'parent')) {
				row.errors.push({
					field: 'parent',
					message: `Đơn vị cấp trên ở dòng ${parentRow.line} có lỗi.`
				});
			}
		}
		state.set(index, 'done');
		if (row.errors.length === 0) order.push(index);
		return row.errors.length === 0;
	};
	for (const row of parsed) if (!row.existing) visit(row.index);

	const rows = parsed.map((row): OrgPlannedRow => {
		const status: OrgRowStatus =
			row.errors.length > 0 ? 'invalid' : row.existing ? 'existing' : 'new';
		return {
			index: row.index,
			line: row.line,
			status,
			errors: row.errors,
			name: row.name,
			...(row.kind ? { kind: row.kind } : {}),
			parent: parents[row.index],
			...(row.existing ? { existingId: row.existing.id } : {}),
			...(row.account && !row.existing ? { account: row.account } : {})
		};
	});
	const counts = { new: 0, existing: 0, invalid: 0, accounts: 0 };
	for (const row of rows) {
		counts[row.status]++;
		if (row.status === 'new' && row.account) counts.accounts++;
	}
	return { rows, counts, order };
}
