import { formatDate, isoFromParts, parseDateDetailed } from '../dates';
import { ethnicGroupName, findEthnicGroup, isEthnicCode } from '../ethnic-groups';
import { GENDER_LABELS } from '../labels';
import { MEMBER_FIELD_LABELS } from '../member-field-labels';
import type { MemberFieldKey } from '../member-schema';
import { fold, titleCaseName, toNfc } from '../text';
import { MEMBER_SHEET_COLUMNS, type MemberCellKind } from './member-sheet';
import type { SheetCell } from './member-import-types';

// Reading one cell into the text a member field takes — the text the member form would hold, so
// validateMemberInput (member-input.ts) judges it by the same rules as a typed record
// (docs/spreadsheets.md, "Cell formats"). What Excel does to a roster is undone here when it can be
// undone without guessing: dates stored as date cells or serial numbers, citizen ids turned into
// numbers (their leading zeros dropped); what cannot be undone (an id shown in scientific
// notation has lost its last digits) is said, never guessed.

export type CellReading =
	{ ok: true; text: string; note?: string } | { ok: false; message: string };

const KIND_OF = new Map<MemberFieldKey, MemberCellKind>(
	MEMBER_SHEET_COLUMNS.map((column) => [column.key, column.kind])
);

/** The kind of a field's cells (member-sheet.ts), 'text' for the name parts and free text. */
export function cellKindOf(field: MemberFieldKey): MemberCellKind {
	return KIND_OF.get(field) ?? 'text';
}

/** One cell read for a field: dates as dd/mm/yyyy, ids with their zeros, labels as the form takes them. */
export function readImportCell(options: { field: MemberFieldKey; cell: SheetCell }): CellReading {
	const { field, cell } = options;
	if (cell === null || cell === undefined) return { ok: true, text: '' };
	if (typeof cell === 'string' && cell.trim() === '') return { ok: true, text: '' };
	const label = MEMBER_FIELD_LABELS[field];
	switch (cellKindOf(field)) {
		case 'date':
			return readDateCell({ cell, label });
		case 'citizen-id':
			return readCitizenIdCell(cell);
		case 'gender':
			return readGenderCell({ cell, label });
		case 'ethnic':
			return readEthnicCell(cell);
		case 'yes-no':
			return readYesNoCell({ cell, label });
		default:
			if (field === 'religion') return { ok: true, text: canonicalReligion(plainText(cell)) };
			if (field === 'phone' && typeof cell === 'number') {
				// A phone number typed into a number cell lost its leading 0 (912345678).
				const digits = String(cell);
				return { ok: true, text: digits.length === 9 ? `0${digits}` : digits };
			}
			return { ok: true, text: plainText(cell) };
	}
}

/** Any cell as the text it shows: NFC, single spaces. */
function plainText(cell: Exclude<SheetCell, null>): string {
	if (cell instanceof Date) return formatDate(utcDay(cell) ?? '');
	if (typeof cell === 'boolean') return cell ? 'Có' : 'Không';
	if (typeof cell === 'number') return String(cell);
	return toNfc(cell);
}

// ---------------------------------------------------------------------------------------------
// Dates

/**
 * A date cell's day. exceljs gives a date cell as the instant of midnight UTC of that day (Excel
 * stores days, not instants), so the UTC calendar day is the one the sheet shows — the machine's
 * time zone (UTC on the server, UTC+7 on a phone) must not move it.
 */
export function utcDay(date: Date): string | null {
	if (Number.isNaN(date.getTime())) return null;
	return isoFromParts({
		year: date.getUTCFullYear(),
		month: date.getUTCMonth() + 1,
		day: date.getUTCDate()
	});
}

/** Serials of Excel's 1900 date system: 1 is 1900-01-01; 60 is 29/02/1900, a day that never was. */
const EXCEL_FAKE_LEAP_DAY = 60;
const LAST_SERIAL = 2_958_465; // 31/12/9999

/** An Excel serial day number (1900 date system) as ISO, or null for 60 and out-of-range numbers. */
export function excelSerialDay(serial: number): string | null {
	const day = Math.floor(serial);
	if (!Number.isFinite(day) || day < 1 || day > LAST_SERIAL || day === EXCEL_FAKE_LEAP_DAY) {
		return null;
	}
	// Excel counts 1900 as a leap year (a bug kept from Lotus 1-2-3): from 1 March 1900 on, its
	// serials are one more than the true count of days since 31/12/1899.
	const sinceEpoch = day < EXCEL_FAKE_LEAP_DAY ? day : day - 1;
	const date = new Date(Date.UTC(1899, 11, 31) + sinceEpoch * 86_400_000);
	return utcDay(date);
}

const TWO_DIGIT_YEAR = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{2})$/;
const WITH_TIME = /^(\S+)[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?$/;

function readDateCell(options: { cell: Exclude<SheetCell, null>; label: string }): CellReading {
	const { cell, label } = options;
	if (cell instanceof Date) {
		const iso = utcDay(cell);
		return iso
			? { ok: true, text: formatDate(iso) }
			: { ok: false, message: `${label}: ô ngày tháng không đọc được.` };
	}
	if (typeof cell === 'number') return serialText({ serial: cell, label });
	if (typeof cell === 'boolean') {
		return { ok: false, message: `${label}: nhập theo dạng ngày/tháng/năm, ví dụ 05/01/2003.` };
	}
	let text = toNfc(cell);
	// A date exported with its time ("05/01/2003 00:00:00", "2003-01-05T00:00:00Z") keeps its day.
	const timed = WITH_TIME.exec(text);
	if (timed) text = timed[1] ?? text;
	// A serial number that reached the sheet as text (a CSV saved from a date column).
	if (/^\d{1,7}(?:\.\d+)?$/.test(text) && Number(text) <= LAST_SERIAL && text.length <= 7) {
		if (!/^\d{4}$/.test(text)) return serialText({ serial: Number(text), label });
	}
	// d/m/yy: a two-digit year is 20yy up to 2029 and 19yy from 30 on (members are 16 to 30).
	const short = TWO_DIGIT_YEAR.exec(text);
	if (short) {
		const yy = Number(short[3]);
		const year = yy < 30 ? 2000 + yy : 1900 + yy;
		text = `${short[1]}/${short[2]}/${year}`;
	}
	const parsed = parseDateDetailed(text);
	// Left as typed when it is no date: validateMemberInput words the error, as for the form.
	return { ok: true, text: parsed.ok ? formatDate(parsed.iso) : text };
}

function serialText(options: { serial: number; label: string }): CellReading {
	const { serial, label } = options;
	if (Math.floor(serial) === EXCEL_FAKE_LEAP_DAY) {
		return {
			ok: false,
			message: `${label}: ô ghi ngày 29/02/1900, một ngày không có thật (lỗi của Excel); hãy nhập lại ngày.`
		};
	}
	const iso = excelSerialDay(serial);
	if (iso === null) {
		return {
			ok: false,
			message: `${label}: "${serial}" không phải một ngày; nhập theo dạng ngày/tháng/năm, ví dụ 05/01/2003.`
		};
	}
	return { ok: true, text: formatDate(iso) };
}

// ---------------------------------------------------------------------------------------------
// Citizen ids

const SCIENTIFIC = /^[+-]?\d+(?:[.,]\d+)?\s*[eE]\s*[+-]?\d+$/;

function readCitizenIdCell(cell: Exclude<SheetCell, null>): CellReading {
	if (typeof cell === 'number') {
		if (!Number.isSafeInteger(cell) || cell < 0) {
			return {
				ok: false,
				message:
					`Số CCCD: ô là số ${cell}, không phải một dãy 12 chữ số. Hãy định dạng cột là Văn bản ` +
					'(Text) rồi nhập lại số CCCD.'
			};
		}
		return restoreZeros(String(cell));
	}
	if (typeof cell !== 'string') {
		return { ok: false, message: 'Số CCCD: ô không ghi một dãy chữ số.' };
	}
	const text = toNfc(cell).replace(/^'/, '');
	if (SCIENTIFIC.test(text)) {
		// "1.23457E+11": Excel showed the id as a rounded number and the file kept only that.
		return {
			ok: false,
			message:
				`Số CCCD: "${text}" là dạng số mũ của Excel, đã mất các chữ số cuối nên không khôi phục ` +
				'được. Hãy định dạng cột là Văn bản (Text) rồi nhập lại đủ 12 chữ số.'
		};
	}
	// Ids are often typed in groups: "001 203 004 567", "001.203.004.567".
	const compact = text.replace(/[\s.-]/g, '');
	if (/^\d+$/.test(compact)) return restoreZeros(compact);
	return { ok: true, text: compact };
}

/**
 * A 12-digit id that Excel stored as a number lost its leading zeros: every province code starts
 * with 0 (001–096), so 10 or 11 digits get them back. Anything shorter is left for the length check.
 */
function restoreZeros(digits: string): CellReading {
	if (digits.length === 10 || digits.length === 11) {
		const restored = digits.padStart(12, '0');
		return {
			ok: true,
			text: restored,
			note: `Số CCCD ${digits} được thêm ${12 - digits.length} số 0 ở đầu (Excel đã bỏ đi): ${restored}.`
		};
	}
	return { ok: true, text: digits };
}

// ---------------------------------------------------------------------------------------------
// Labels

const MALE = new Set(['nam', 'm', 'male', 'trai', 'nam gioi', 'gioi tinh nam']);
const FEMALE = new Set(['nu', 'f', 'female', 'gai', 'nu gioi', 'gioi tinh nu']);

function readGenderCell(options: { cell: Exclude<SheetCell, null>; label: string }): CellReading {
	const word = fold(plainText(options.cell)).replace(/\.$/, '');
	if (MALE.has(word)) return { ok: true, text: GENDER_LABELS.male };
	if (FEMALE.has(word)) return { ok: true, text: GENDER_LABELS.female };
	return {
		ok: false,
		message: `${options.label}: "${plainText(options.cell)}" không rõ; ghi Nam hoặc Nữ.`
	};
}

/** Spellings of groups seen in units' sheets beyond the list's own aliases (folded, letters only). */
const ETHNIC_VARIANTS: Readonly<Record<string, string>> = {
	kinhviet: 'Kinh',
	vietkinh: 'Kinh',
	nguoiviet: 'Kinh',
	meo: 'Hmông',
	hmongmeo: 'Hmông'
};

function readEthnicCell(cell: Exclude<SheetCell, null>): CellReading {
	const text = plainText(cell);
	if (isEthnicCode(text) && /^\d{2}$/.test(text)) {
		// A code in a "Dân tộc" column is this app's own (the export writes names, so only another
		// system's file holds numbers, and those number the groups differently): never guessed.
		return {
			ok: false,
			message: `Dân tộc: "${text}" là một mã số; hãy ghi tên dân tộc, ví dụ Kinh, Tày, Mường.`
		};
	}
	const withoutPrefix = text.replace(/^(?:dân tộc|dt\.?)\s+/iu, '');
	const found =
		findEthnicGroup(withoutPrefix) ??
		findEthnicGroup(withoutPrefix.replace(/\([^)]*\)/g, '')) ??
		byVariant(withoutPrefix);
	return { ok: true, text: found ? (ethnicGroupName(found.code) ?? found.name) : text };
}

function byVariant(text: string): { code: string; name: string } | null {
	const name = ETHNIC_VARIANTS[fold(text).replace(/[^a-z]/g, '')];
	return name ? findEthnicGroup(name) : null;
}

const YES = new Set(['co', 'x', 'yes', 'true', '1', 'dang vien', 'la dang vien', 'v', 'dung']);
const NO = new Set(['khong', 'no', 'false', '0', '-', 'k', 'chua']);

function readYesNoCell(options: { cell: Exclude<SheetCell, null>; label: string }): CellReading {
	if (typeof options.cell === 'boolean') return { ok: true, text: options.cell ? 'Có' : '' };
	const word = fold(plainText(options.cell));
	if (YES.has(word)) return { ok: true, text: 'Có' };
	if (NO.has(word)) return { ok: true, text: '' };
	return {
		ok: false,
		message: `${options.label}: "${plainText(options.cell)}" không rõ; ghi Có hoặc Không.`
	};
}

// ---------------------------------------------------------------------------------------------
// Religions

/** The names the app records, and the spellings units use for each (matched folded). */
const RELIGIONS: readonly { name: string; spellings: readonly string[] }[] = [
	{
		name: 'Không',
		spellings: ['không', 'không có', 'không theo', 'không tôn giáo', 'ko', 'k', '0', '-', 'kh']
	},
	{ name: 'Phật giáo', spellings: ['phật', 'phật giáo', 'đạo phật', 'pg'] },
	{
		name: 'Công giáo',
		spellings: ['công giáo', 'thiên chúa', 'thiên chúa giáo', 'đạo thiên chúa', 'catholic', 'cg']
	},
	{ name: 'Tin lành', spellings: ['tin lành', 'đạo tin lành', 'tin lanh giáo', 'tin lành giáo'] },
	{ name: 'Cao Đài', spellings: ['cao đài', 'đạo cao đài'] },
	{ name: 'Phật giáo Hòa Hảo', spellings: ['hòa hảo', 'phật giáo hòa hảo', 'đạo hòa hảo'] },
	{ name: 'Hồi giáo', spellings: ['hồi giáo', 'hồi', 'đạo hồi', 'islam'] }
];

const RELIGION_BY_KEY = new Map<string, string>();
for (const religion of RELIGIONS) {
	for (const spelling of [religion.name, ...religion.spellings]) {
		RELIGION_BY_KEY.set(fold(spelling), religion.name);
	}
}

/** The app's name of a religion whatever its spelling; other religions kept as written (NFC). */
export function canonicalReligion(text: string): string {
	const nfc = toNfc(text);
	return RELIGION_BY_KEY.get(fold(nfc).replace(/\.$/, '')) ?? nfc;
}

// ---------------------------------------------------------------------------------------------
// Names

/**
 * A whole name split in Vietnamese order: họ is the first word, tên the last, tên đệm the words
 * between ("Nguyễn Thị Minh Anh" → Nguyễn / Thị Minh / Anh). NFC and title case; one word is a tên
 * without họ (the check then asks for the họ).
 */
export function splitFullName(text: string): {
	familyName: string;
	middleName: string;
	givenName: string;
} {
	const words = titleCaseName(text)
		.split(' ')
		.filter((word) => word !== '');
	if (words.length === 0) return { familyName: '', middleName: '', givenName: '' };
	if (words.length === 1) return { familyName: '', middleName: '', givenName: words[0] ?? '' };
	return {
		familyName: words[0] ?? '',
		middleName: words.slice(1, -1).join(' '),
		givenName: words[words.length - 1] ?? ''
	};
}
