import { formatDate, parseDate } from '../dates';
import { MEMBER_FIELD_LABELS, validateMemberInput, type MemberInput } from '../member-input';
import type { MemberDoc, MemberFieldKey, MemberFields } from '../member-schema';
import { memberStatusLabel } from '../member-statuses';
import { fullName } from '../names';
import { sameValue } from '../operations/shared';
import type { MembershipRules } from '../rules/table';
import { GENDER_LABELS } from '../labels';
import { fold } from '../text';
import { canonicalReligion, readImportCell, splitFullName, utcDay } from './member-import-cells';
import type {
	ColumnMapping,
	ExistingMember,
	ImportRowError,
	SheetCell,
	SheetRow,
	SplitBirthTarget
} from './member-import-types';

// One row of a sheet: its cells read into the member form's texts (readRow), then judged alone —
// invalid, an update of a member of the unit, or new (judgeRow). What depends on the other rows
// (duplicates within the file, clashes) is decided in member-import-plan.ts.

export type FieldHeaders = Partial<Record<MemberFieldKey | 'fullName', string>>;
export type RowInput = Partial<Record<MemberFieldKey, string>>;

const NAME_PARTS = ['familyName', 'middleName', 'givenName'] as const;

/** The header each field is read from, for the errors' "column" part. */
export function fieldHeadersOf(options: {
	headers: readonly string[];
	mapping: ColumnMapping;
}): FieldHeaders {
	const result: FieldHeaders = {};
	options.mapping.forEach((target, index) => {
		if (target === null) return;
		const header = options.headers[index] ?? '';
		if (target === 'fullName') {
			result.fullName = header;
			for (const part of NAME_PARTS) result[part] ??= header;
		} else if (target === 'birthDateMale' || target === 'birthDateFemale') {
			result.birthDate ??= header;
			result.gender ??= header;
		} else {
			result[target] = header;
		}
	});
	return result;
}

/** A cell as the text the secretary would correct (what the preview shows when it could not be read). */
function rawText(cell: SheetCell): string {
	if (cell === null) return '';
	if (cell instanceof Date) return formatDate(utcDay(cell) ?? '');
	return String(cell).trim();
}

/** The texts of one row, the notes on what reading changed, and the cells that could not be read. */
export function readRow(options: {
	row: SheetRow;
	mapping: ColumnMapping;
	headers: readonly string[];
}): { input: RowInput; cellErrors: ImportRowError[]; notes: string[] } {
	const { row, mapping, headers } = options;
	const input: RowInput = {};
	const cellErrors: ImportRowError[] = [];
	const notes: string[] = [];
	let whole: { text: string; header: string } | null = null;
	const split: SplitBirthCell[] = [];
	mapping.forEach((target, index) => {
		if (target === null) return;
		const cell = row.cells[index] ?? null;
		const header = headers[index] ?? '';
		if (target === 'fullName') {
			whole = { text: rawText(cell), header };
			return;
		}
		if (target === 'birthDateMale' || target === 'birthDateFemale') {
			if (rawText(cell) !== '') split.push({ target, cell, header });
			return;
		}
		const reading = readImportCell({ field: target, cell });
		if (reading.ok) {
			input[target] = reading.text;
			if (reading.note) notes.push(reading.note);
		} else {
			input[target] = rawText(cell);
			cellErrors.push({ field: target, header, message: reading.message });
		}
	});
	const name = whole as { text: string; header: string } | null;
	if (name !== null && name.text !== '') {
		// Separate họ / tên columns, when the sheet has them filled, win over the whole name.
		const parts = splitFullName(name.text);
		for (const part of NAME_PARTS) if (!input[part]) input[part] = parts[part];
	}
	readSplitBirth({ split, input, cellErrors });
	return { input, cellErrors, notes };
}

interface SplitBirthCell {
	target: SplitBirthTarget;
	cell: SheetCell;
	header: string;
}

/**
 * The birth date from the national forms' "Nam" / "Nữ" sub-columns, and the gender its column
 * gives. Both filled, or a gender column saying otherwise, is the row's fault: said, never chosen.
 */
function readSplitBirth(options: {
	split: readonly SplitBirthCell[];
	input: RowInput;
	cellErrors: ImportRowError[];
}): void {
	const { split, input, cellErrors } = options;
	const [only, second] = split;
	if (only === undefined) return;
	const label = MEMBER_FIELD_LABELS.birthDate;
	if (second !== undefined) {
		input.birthDate = rawText(only.cell);
		cellErrors.push({
			field: 'birthDate',
			header: only.header,
			message:
				`${label}: ghi ở cả cột Nam và cột Nữ; chỉ ghi ngày sinh vào một cột, cột đúng giới ` +
				'tính của đoàn viên.'
		});
		return;
	}
	if ((input.birthDate ?? '') === '') {
		const reading = readImportCell({ field: 'birthDate', cell: only.cell });
		if (reading.ok) input.birthDate = reading.text;
		else {
			input.birthDate = rawText(only.cell);
			cellErrors.push({ field: 'birthDate', header: only.header, message: reading.message });
		}
	}
	const gender = only.target === 'birthDateMale' ? GENDER_LABELS.male : GENDER_LABELS.female;
	const stated = input.gender ?? '';
	if (stated === '') input.gender = gender;
	else if (stated !== gender && !cellErrors.some((error) => error.field === 'gender')) {
		cellErrors.push({
			field: 'gender',
			header: only.header,
			message:
				`${MEMBER_FIELD_LABELS.gender}: cột giới tính ghi "${stated}" nhưng ngày sinh ghi ở ` +
				`cột ${gender}; sửa cho khớp.`
		});
	}
}

/** Folded full name and ISO birth date: how a person is recognised without a citizen id. */
export function nameBirthKey(options: {
	familyName?: string;
	middleName?: string;
	givenName?: string;
	birthDate?: string;
}): string | null {
	const name = fold(
		fullName({
			familyName: options.familyName ?? '',
			middleName: options.middleName ?? '',
			givenName: options.givenName ?? ''
		})
	);
	const birth = options.birthDate ? (parseDate(options.birthDate) ?? '') : '';
	return name === '' || birth === '' ? null : `${name}|${birth}`;
}

/** The unit's members indexed the ways a row can name one. */
export interface ExistingIndex {
	byCitizenId: Map<string, ExistingMember>;
	byNameBirth: Map<string, ExistingMember[]>;
	byId: Map<string, ExistingMember>;
}

export function indexExisting(existing: readonly ExistingMember[]): ExistingIndex {
	const index: ExistingIndex = { byCitizenId: new Map(), byNameBirth: new Map(), byId: new Map() };
	for (const member of existing) {
		index.byId.set(member.id, member);
		if (member.citizenId) index.byCitizenId.set(member.citizenId, member);
		const key = nameBirthKey(member);
		if (key !== null) index.byNameBirth.set(key, [...(index.byNameBirth.get(key) ?? []), member]);
	}
	return index;
}

/** The stored member as the form's texts (dates ISO and codes are what validateMemberInput takes). */
function docAsInput(doc: MemberDoc): Record<string, string | boolean> {
	const input: Record<string, string | boolean> = {};
	for (const key of Object.keys(MEMBER_FIELD_LABELS) as MemberFieldKey[]) {
		const value = doc[key];
		if (typeof value === 'string' || typeof value === 'boolean') input[key] = value;
	}
	return input;
}

export interface JudgedRow {
	kind: 'new' | 'update' | 'invalid';
	fields: Partial<MemberFields>;
	errors: ImportRowError[];
	notes: string[];
	existingId?: string;
	changedFields?: MemberFieldKey[];
}

export interface JudgeContext {
	today: string;
	rules?: MembershipRules;
	index: ExistingIndex;
	branches: readonly { id: string; name: string }[];
	headers: FieldHeaders;
}

/** Which member of the unit a row is (by citizen id, else by name and birth date), with a note. */
function matchExisting(options: { input: RowInput; index: ExistingIndex }): {
	member?: ExistingMember;
	note?: string;
} {
	const { input, index } = options;
	const citizenId = (input.citizenId ?? '').replace(/\s/g, '');
	const byId = citizenId ? index.byCitizenId.get(citizenId) : undefined;
	if (byId) return { member: byId };
	const key = nameBirthKey(input);
	const candidates = key ? (index.byNameBirth.get(key) ?? []) : [];
	if (candidates.length !== 1) {
		return candidates.length > 1
			? {
					note: `Có ${candidates.length} đoàn viên cùng họ tên và ngày sinh trong đơn vị: dòng này được coi là đoàn viên mới.`
				}
			: {};
	}
	const [only] = candidates;
	if (only && (!only.citizenId || !citizenId)) return { member: only };
	return {
		note: 'Trùng họ tên và ngày sinh với một đoàn viên có số CCCD khác: dòng này được coi là đoàn viên mới.'
	};
}

/** The branch a "Chi đoàn" cell names (its name, folded, or its id), or an error. */
function resolveBranch(options: {
	text: string;
	branches: JudgeContext['branches'];
}): { id: string } | { message: string } {
	const folded = fold(options.text);
	const found = options.branches.find(
		(branch) => fold(branch.name) === folded || branch.id === options.text
	);
	if (found) return { id: found.id };
	return {
		message:
			`Chi đoàn "${options.text}" không có trong đơn vị: sửa tên cho đúng với danh sách chi ` +
			'đoàn, hoặc lập chi đoàn trước rồi nhập lại.'
	};
}

/** A row judged alone: its errors in Vietnamese, or the fields it gives and whom it updates. */
export function judgeRow(options: {
	input: RowInput;
	cellErrors: readonly ImportRowError[];
	notes: readonly string[];
	context: JudgeContext;
}): JudgedRow {
	const { input, context } = options;
	const notes = [...options.notes];
	const errors: ImportRowError[] = [...options.cellErrors];
	const unread = new Set(options.cellErrors.map((error) => error.field));
	const header = (field: MemberFieldKey): string => context.headers[field] ?? '';
	const provided = (Object.keys(input) as MemberFieldKey[]).filter(
		(field) => (input[field] ?? '') !== '' && !unread.has(field)
	);

	const form: Record<string, string | boolean> = {};
	for (const field of provided) form[field] = input[field] ?? '';
	if (form.branchId !== undefined) {
		const branch = resolveBranch({ text: String(form.branchId), branches: context.branches });
		if ('id' in branch) form.branchId = branch.id;
		else {
			errors.push({ field: 'branchId', header: header('branchId'), message: branch.message });
			delete form.branchId;
		}
	}

	const match = matchExisting({ input, index: context.index });
	if (match.note) notes.push(match.note);
	const existing = match.member;
	if (existing === undefined) {
		const result = validateMemberInput({
			input: form as MemberInput,
			today: context.today,
			rules: context.rules,
			newRecord: true
		});
		if (!result.ok) {
			for (const [field, message] of Object.entries(result.errors) as [MemberFieldKey, string][]) {
				if (!unread.has(field)) errors.push({ field, header: header(field), message });
			}
		}
		if (errors.length > 0 || !result.ok) return { kind: 'invalid', fields: {}, errors, notes };
		return { kind: 'new', fields: result.value, errors, notes };
	}

	// An update: the stored record with the row's filled cells over it, checked as a whole; an
	// empty cell never clears a stored value.
	const base: Record<string, string | boolean> = existing.doc
		? docAsInput(existing.doc)
		: {
				familyName: existing.familyName,
				middleName: existing.middleName,
				givenName: existing.givenName,
				birthDate: existing.birthDate,
				...(existing.citizenId ? { citizenId: existing.citizenId } : {})
			};
	let merged: Record<string, string | boolean> = { ...base, ...form };
	let result = validateMemberInput({
		input: merged as MemberInput,
		today: context.today,
		rules: context.rules
	});
	if (!result.ok) {
		// Faults of the stored record in fields the row does not give are not the row's: checked
		// again without them (an older record may predate a rule).
		const notOurs = Object.keys(result.errors).filter((field) => !(field in form));
		if (notOurs.length > 0) {
			merged = Object.fromEntries(Object.entries(merged).filter(([key]) => !notOurs.includes(key)));
			result = validateMemberInput({
				input: merged as MemberInput,
				today: context.today,
				rules: context.rules
			});
		}
	}
	if (!result.ok) {
		for (const [field, message] of Object.entries(result.errors) as [MemberFieldKey, string][]) {
			if (unread.has(field)) continue;
			if (field in form) errors.push({ field, header: header(field), message });
			else if (existing.doc === undefined) continue;
			else errors.push({ field, header: '', message: `Hồ sơ hiện có: ${message}` });
		}
	}
	if (errors.length > 0 || !result.ok) {
		return { kind: 'invalid', fields: {}, errors, notes, existingId: existing.id };
	}
	const value = result.value as Record<string, unknown>;
	const fields: Record<string, unknown> = {};
	for (const field of Object.keys(form) as MemberFieldKey[]) {
		if (field === 'status') continue;
		if (value[field] !== undefined) fields[field] = value[field];
	}
	if (form.status !== undefined && value.status !== existing.status) {
		// Status changes are operations with their own history (coming of age, removal…).
		notes.push(
			`Trạng thái trong tệp là "${memberStatusLabel(String(value.status))}", hồ sơ đang là ` +
				`"${memberStatusLabel(String(existing.status))}": nhập không đổi trạng thái, hãy dùng nghiệp vụ.`
		);
	}
	const judged: JudgedRow = {
		kind: 'update',
		fields: fields as Partial<MemberFields>,
		errors,
		notes,
		existingId: existing.id
	};
	if (existing.doc)
		judged.changedFields = changedFields({ doc: existing.doc, fields: judged.fields });
	return judged;
}

/** The fields a row would change on a stored record (a religion spelled differently is no change). */
export function changedFields(options: {
	doc: MemberDoc;
	fields: Partial<MemberFields>;
}): MemberFieldKey[] {
	const stored = options.doc as Record<string, unknown>;
	return (Object.keys(options.fields) as MemberFieldKey[]).filter((field) => {
		const next = options.fields[field];
		const before = stored[field];
		if (field === 'religion' && typeof next === 'string' && typeof before === 'string') {
			return canonicalReligion(next) !== canonicalReligion(before);
		}
		return !sameValue(before, next);
	});
}
