import { formatDate, parseDateDetailed } from '../dates';
import type { Decision } from '../history-schema';
import { formatMonth, parseMonth } from '../months';
import { toNfc } from '../text';

// How a planner reads a form: every faulty field reported at once, in Vietnamese, starting with
// the field's name; the decision part of a form read the same way.

/**
 * Problems keyed by input field ('reasonId', 'decision.number'…); 'form' holds what is wrong with
 * the operation as a whole, such as a member whose status does not allow it.
 */
export type OperationErrors = Partial<Record<string, string>>;

export type InputValue = string | number | boolean | null | undefined;

export interface InputReader {
	errors: OperationErrors;
	fail(key: string, message: string): void;
	text(key: string, value: InputValue, label: string, opts?: { required?: boolean }): string;
	/** A date typed dd/mm/yyyy or ISO; never after today unless `future`. */
	date(
		key: string,
		value: InputValue,
		label: string,
		opts?: { required?: boolean; future?: boolean }
	): string | undefined;
	/** A month typed mm/yyyy or YYYY-MM. */
	month(
		key: string,
		value: InputValue,
		label: string,
		opts?: { required?: boolean }
	): string | undefined;
	/** A number, whole unless `decimals`, within bounds. */
	number(
		key: string,
		value: InputValue,
		label: string,
		opts?: { required?: boolean; min?: number; max?: number; decimals?: boolean }
	): number | undefined;
	flag(value: InputValue): boolean;
}

const TRUE_WORDS = new Set(['true', 'on', '1', 'yes', 'có', 'co', 'x']);

/** A form reader that collects one Vietnamese message per faulty field. */
export function createInputReader(options: { today: string }): InputReader {
	const errors: OperationErrors = {};
	const fail = (key: string, message: string) => {
		if (errors[key] === undefined) errors[key] = message;
	};
	const raw = (value: InputValue): string =>
		value === null || value === undefined ? '' : toNfc(String(value));
	return {
		errors,
		fail,
		text(key, value, label, opts = {}) {
			const text = raw(value);
			if (text === '' && opts.required) fail(key, `${label} không được để trống.`);
			return text;
		},
		date(key, value, label, opts = {}) {
			const typed = raw(value);
			if (typed === '') {
				if (opts.required) fail(key, `${label} không được để trống.`);
				return undefined;
			}
			const parsed = parseDateDetailed(typed);
			if (!parsed.ok) {
				fail(
					key,
					parsed.reason === 'nonexistent'
						? `${label}: không có ngày ${typed}, hãy kiểm tra ngày và tháng.`
						: `${label}: nhập theo dạng ngày/tháng/năm, ví dụ 05/01/2024.`
				);
				return undefined;
			}
			if (!opts.future && parsed.iso > options.today) {
				fail(key, `${label} không được sau hôm nay (${formatDate(options.today)}).`);
				return undefined;
			}
			return parsed.iso;
		},
		month(key, value, label, opts = {}) {
			const typed = raw(value);
			if (typed === '') {
				if (opts.required) fail(key, `${label} không được để trống.`);
				return undefined;
			}
			const month = parseMonth(typed);
			if (month === null) {
				fail(key, `${label}: nhập theo dạng tháng/năm, ví dụ ${formatMonth('2024-03')}.`);
				return undefined;
			}
			return month;
		},
		number(key, value, label, opts = {}) {
			const typed = typeof value === 'number' ? String(value) : raw(value);
			if (typed === '') {
				if (opts.required) fail(key, `${label} không được để trống.`);
				return undefined;
			}
			// Vietnamese writes decimals with a comma and may group thousands with dots: "2.000".
			const normalised = opts.decimals
				? typed.replace(',', '.')
				: typed.replace(/[.\s](?=\d{3}(?:\D|$))/g, '');
			const n = Number(normalised);
			if (!Number.isFinite(n) || (!opts.decimals && !Number.isInteger(n))) {
				fail(key, `${label} phải là ${opts.decimals ? 'một số' : 'một số nguyên'}.`);
				return undefined;
			}
			if (opts.min !== undefined && n < opts.min) {
				fail(key, `${label} phải từ ${opts.min} trở lên.`);
				return undefined;
			}
			if (opts.max !== undefined && n > opts.max) {
				fail(key, `${label} không được quá ${opts.max}.`);
				return undefined;
			}
			return n;
		},
		flag(value) {
			return typeof value === 'boolean' ? value : TRUE_WORDS.has(raw(value).toLowerCase());
		}
	};
}

// ---------------------------------------------------------------------------------------------
// Decisions

/** The decision part of a form: number, date, signer, signer's title, issuing body. */
export interface DecisionInput {
	number?: InputValue;
	date?: InputValue;
	signer?: InputValue;
	signerTitle?: InputValue;
	issuer?: InputValue;
}

export const DECISION_FIELD_LABELS = {
	'decision.number': 'Số quyết định',
	'decision.date': 'Ngày quyết định',
	'decision.signer': 'Người ký quyết định',
	'decision.signerTitle': 'Chức vụ người ký',
	'decision.issuer': 'Cơ quan ban hành quyết định'
} as const;

/** "Số: 12 - QĐ/ĐTN" → "12-QĐ/ĐTN": the label and stray spaces dropped. */
export function normaliseDecisionNumber(text: string): string {
	return toNfc(text)
		.replace(/^số\s*:?\s*/i, '')
		.replace(/\s*([-/])\s*/g, '$1');
}

/**
 * Reads the decision of a form. When it is optional and left empty: undefined. Once any part is
 * filled, number, date, signer and issuer are all needed.
 */
export function readDecision(options: {
	reader: InputReader;
	input: DecisionInput | undefined;
	required: boolean;
}): Decision | undefined {
	const { reader, input = {}, required } = options;
	const parts = [input.number, input.date, input.signer, input.signerTitle, input.issuer];
	const filled = parts.some((part) => part !== undefined && part !== null && String(part).trim());
	if (!required && !filled) return undefined;
	const labels = DECISION_FIELD_LABELS;
	const number = normaliseDecisionNumber(
		reader.text('decision.number', input.number, labels['decision.number'], { required: true })
	);
	const date = reader.date('decision.date', input.date, labels['decision.date'], {
		required: true
	});
	const signer = reader.text('decision.signer', input.signer, labels['decision.signer'], {
		required: true
	});
	const signerTitle = reader.text(
		'decision.signerTitle',
		input.signerTitle,
		labels['decision.signerTitle']
	);
	const issuer = reader.text('decision.issuer', input.issuer, labels['decision.issuer'], {
		required: true
	});
	if (number === '' || date === undefined || signer === '' || issuer === '') return undefined;
	return { number, date, signer, issuer, ...(signerTitle ? { signerTitle } : {}) };
}
