import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import {
	CURRENT_CONSENT_VERSION,
	DeclarationInputSchema,
	INVISIBLE_CHARACTER_MESSAGE,
	SubmitDeclarationSchema,
	declarationStatus,
	formatJoinToken,
	formatReceiptCode,
	joinPath,
	newJoinCode,
	newReceiptCode,
	parseJoinToken,
	parseReceiptCode,
	receiptPath,
	validateDeclarationInput
} from '../../../src/lib/domain/declarations';

// The codes a member carries (join link, receipt), the state she and her unit see, and the boundary
// of what she sends (ADR 0019).

describe('receipt codes', () => {
	it('are 12 Crockford characters, random, read back however they were written down', () => {
		const codes = new Set(Array.from({ length: 200 }, () => newReceiptCode()));
		expect(codes.size).toBe(200);
		for (const code of codes) expect(code).toMatch(/^[0-9A-HJKMNP-TV-Z]{12}$/);
		const code = [...codes][0]!;
		const written = formatReceiptCode(code);
		expect(written).toMatch(/^.{4}-.{4}-.{4}$/);
		expect(parseReceiptCode(written)).toBe(code);
		expect(parseReceiptCode(` ${written.toLowerCase()} `)).toBe(code);
		// Letters people read for digits are the digits.
		expect(parseReceiptCode('OOOO-IIII-LLLL')).toBe('000011111111');
	});

	it('refuses what cannot be a code', () => {
		for (const text of [
			'',
			'ABCD',
			'ABCD-EFGH-JKMN-P',
			'ABCD-EFGH-JKU1',
			'<script>',
			'x'.repeat(100)
		]) {
			expect(parseReceiptCode(text), text).toBeNull();
		}
	});

	it('travel in the fragment of the status link, never in its path', () => {
		const code = newReceiptCode();
		const path = receiptPath(code);
		expect(path.split('#')[0]).toBe('/khai/bien-nhan');
		expect(parseReceiptCode(path.split('#')[1]!)).toBe(code);
	});
});

describe('join link tokens', () => {
	it('name the unit and the code, and survive being retyped', () => {
		const code = newJoinCode();
		expect(code).toMatch(/^[0-9A-HJKMNP-TV-Z]{10}$/);
		const token = formatJoinToken({ unitId: 'thanhson01', code });
		expect(joinPath({ unitId: 'thanhson01', code })).toBe(`/khai/${token}`);
		expect(parseJoinToken(token)).toEqual({ unitId: 'thanhson01', code });
		expect(parseJoinToken(`THANHSON01-${code.toLowerCase()}`)).toEqual({
			unitId: 'thanhson01',
			code
		});
	});

	it('refuse malformed ones', () => {
		for (const text of [
			'',
			'thanhson01',
			'thanhson01-',
			'-ABCDEFGHJK',
			'ab-ABCDEFGHJK',
			'thanhson01-ABC',
			'thanh/son-ABCDEFGHJK',
			'..-ABCDEFGHJK'
		]) {
			expect(parseJoinToken(text), text).toBeNull();
		}
	});
});

describe('declaration status', () => {
	const submitted = { state: 'submitted' as const, revision: 1 };

	it('is pending until the unit decides', () => {
		expect(declarationStatus(submitted)).toMatchObject({ state: 'pending', open: true });
	});

	it('follows the unit: a correction request reopens, a correction makes it pending again', () => {
		const asked = {
			decision: 'correction-requested' as const,
			revision: 1,
			reason: 'Sai ngày sinh'
		};
		expect(declarationStatus(submitted, asked)).toMatchObject({
			state: 'correction-requested',
			reason: 'Sai ngày sinh',
			open: true
		});
		expect(declarationStatus({ state: 'submitted', revision: 2 }, asked)).toMatchObject({
			state: 'pending',
			open: true
		});
	});

	it('keeps a final decision when a correction crossed it, and tells the unit', () => {
		const approved = { decision: 'approved' as const, revision: 1 };
		expect(declarationStatus({ state: 'submitted', revision: 2 }, approved)).toMatchObject({
			state: 'approved',
			open: false,
			changedAfterReview: true
		});
		expect(
			declarationStatus(submitted, {
				decision: 'rejected',
				revision: 1,
				reason: 'Không phải đoàn viên'
			})
		).toMatchObject({ state: 'rejected', open: false, changedAfterReview: false });
	});

	it('is closed once withdrawn', () => {
		expect(declarationStatus({ state: 'withdrawn', revision: 1 })).toMatchObject({
			state: 'withdrawn',
			open: false
		});
	});
});

describe('what a member sends', () => {
	const fields = {
		familyName: 'Ha\u0300',
		middleName: 'Thị',
		givenName: 'Mai',
		gender: 'female',
		birthDate: '05/04/2003',
		ethnicCode: 'Mường',
		religion: 'Không',
		generalEducation: '12/12',
		partyMember: false
	};

	it('is checked by the member form rules and stored normalised', () => {
		const input = v.parse(DeclarationInputSchema, fields);
		const result = validateDeclarationInput({ input, today: '2026-12-07' });
		expect(result.ok).toBe(true);
		if (!result.ok) return;
		expect(result.value.familyName).toBe('Hà');
		expect(result.value.birthDate).toBe('2003-04-05');
		expect(result.value).not.toHaveProperty('status');
		expect(result.value).not.toHaveProperty('branchId');
	});

	it('refuses a script in a name with the field named', () => {
		const input = v.parse(DeclarationInputSchema, {
			...fields,
			givenName: '<script>alert(1)</script>'
		});
		const result = validateDeclarationInput({ input, today: '2026-12-07' });
		expect(result.ok).toBe(false);
		if (!result.ok) expect(result.errors.givenName).toMatch(/Tên chỉ gồm chữ cái/);
	});

	it('refuses control and direction characters in any field, naming it, on the phone as on the server', () => {
		for (const hidden of ['\u202e', '\u0000', '\u001b', '\u2066']) {
			const input = v.parse(DeclarationInputSchema, {
				...fields,
				currentAddress: `Bản Nà${hidden} Lừa`
			});
			const result = validateDeclarationInput({ input, today: '2026-12-07' });
			expect(result.ok).toBe(false);
			if (!result.ok) expect(result.errors.currentAddress).toBe(INVISIBLE_CHARACTER_MESSAGE);
		}
	});

	it('refuses unknown keys, the status, oversized fields and a missing consent', () => {
		const consent = {
			version: CURRENT_CONSENT_VERSION,
			given: true,
			at: '2026-12-07T01:00:00.000Z'
		};
		const base = { link: 'thanhson01-ABCDEFGHJK', receipt: 'ABCD-EFGH-JKMN', fields, consent };
		expect(v.safeParse(SubmitDeclarationSchema, base).success).toBe(true);
		for (const bad of [
			{ ...base, fields: { ...fields, status: 'removed' } },
			{ ...base, fields: { ...fields, branchId: 'branch:x' } },
			{ ...base, fields: { ...fields, hometown: 'x'.repeat(301) } },
			{ ...base, fields: { ...fields, givenName: 42 } },
			{ ...base, consent: { ...consent, given: false } },
			{ ...base, consent: { ...consent, version: '1999-1' } },
			{ ...base, extra: true }
		]) {
			expect(v.safeParse(SubmitDeclarationSchema, bad).success).toBe(false);
		}
	});
});
