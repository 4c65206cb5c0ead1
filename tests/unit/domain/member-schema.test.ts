import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import {
	MEMBER_SCHEMA_VERSION,
	MemberDocError,
	MemberDocSchema,
	upgradeMemberDoc,
	type MemberDoc
} from '$lib/domain';

function validDoc(): MemberDoc {
	return {
		_id: 'member:01JD3X4N5P6Q7R8S9T0V1W2X3Y',
		_rev: '1-abc',
		type: 'member',
		v: 2,
		unitId: 'xathanhson',
		familyName: 'Hà',
		middleName: 'Thị',
		givenName: 'Hoa',
		gender: 'female',
		birthDate: '2004-03-08',
		citizenId: '025304001234',
		ethnicCode: '06',
		religion: 'Không',
		nationality: 'Việt Nam',
		phone: '0912345678',
		joinedOn: '2020-03-26',
		partyMember: false,
		status: 'active',
		provenance: { source: 'self', approvedBy: 'bithu', approvedAt: '2024-05-01T02:00:00.000Z' },
		createdAt: '2024-04-30T03:00:00.000Z',
		createdBy: 'hoa.ha',
		updatedAt: '2024-05-01T02:00:00.000Z',
		updatedBy: 'bithu'
	};
}

const without = (key: keyof MemberDoc) => {
	const doc: Record<string, unknown> = { ...validDoc() };
	delete doc[key];
	return doc;
};

describe('MemberDocSchema', () => {
	it('is version 2 and accepts a complete member document', () => {
		expect(MEMBER_SCHEMA_VERSION).toBe(2);
		expect(v.safeParse(MemberDocSchema, validDoc()).success).toBe(true);
	});

	it.each([
		'_id',
		'type',
		'v',
		'unitId',
		'familyName',
		'middleName',
		'givenName',
		'gender',
		'birthDate',
		'ethnicCode',
		'partyMember',
		'status',
		'provenance',
		'createdAt',
		'createdBy',
		'updatedAt',
		'updatedBy'
	] as const)('requires %s', (key) => {
		expect(v.safeParse(MemberDocSchema, without(key)).success).toBe(false);
	});

	it('defaults religion to "Không" and nationality to "Việt Nam"', () => {
		const doc = { ...without('religion') };
		delete doc.nationality;
		const parsed = v.parse(MemberDocSchema, doc);
		expect(parsed.religion).toBe('Không');
		expect(parsed.nationality).toBe('Việt Nam');
	});

	it('keeps citizen ids as text with their leading zeros, and refuses numbers', () => {
		expect(v.parse(MemberDocSchema, { ...validDoc(), citizenId: '001304001234' }).citizenId).toBe(
			'001304001234'
		);
		expect(v.safeParse(MemberDocSchema, { ...validDoc(), citizenId: 1304001234 }).success).toBe(
			false
		);
	});

	it.each([
		['_id', 'member:abc'],
		['unitId', 'Xã Thanh Sơn'],
		['birthDate', '08/03/2004'],
		['birthDate', '2004-02-30'],
		['ethnicCode', '56'],
		['gender', 'Nữ'],
		['status', 'deleted'],
		['phone', '912345678'],
		['email', 'khong-phai-email'],
		['generalEducation', '9'],
		['createdAt', 'hôm qua'],
		['v', 1],
		['v', 3],
		['duesPaidThrough', '2024-13'],
		['duesPaidThrough', '03/2024'],
		['staysUntil', '2030-02-30'],
		['fullTimeUnionStaff', 'có'],
		['transfer', { id: 'x', toUnitId: 'xathucluyen', toUnitName: 'Đoàn xã Thục Luyện' }],
		['fieldRevs', { phone: { rev: 'abc', at: '2024-05-01T02:00:00.000Z', by: 'bithu' } }]
	])('rejects %s = %j', (key, value) => {
		expect(v.safeParse(MemberDocSchema, { ...validDoc(), [key]: value }).success).toBe(false);
	});

	it('rejects fields that are not part of version 2', () => {
		expect(v.safeParse(MemberDocSchema, { ...validDoc(), nickname: 'Hoa' }).success).toBe(false);
	});

	it('accepts the state the member operations keep (version 2)', () => {
		const doc = {
			...validDoc(),
			status: 'transferring',
			statusSince: '2024-06-01',
			staysUntil: '2035-03-08',
			fullTimeUnionStaff: true,
			duesCategory: 'khong-luong',
			duesPaidThrough: '2024-06',
			transfer: {
				id: '01J0000000000000000000TRAN',
				toUnitId: 'xathucluyen',
				toUnitName: 'Đoàn xã Thục Luyện',
				requestedOn: '2024-06-01'
			},
			fieldRevs: {
				phone: { rev: '3-9af1c2', at: '2024-05-01T02:00:00.000Z', by: 'bithu' },
				'*': { rev: '2-77aa00', at: '2024-05-01T02:00:00.000Z', by: 'bithu' }
			}
		};
		expect(v.safeParse(MemberDocSchema, doc).success).toBe(true);
	});
});

describe('upgradeMemberDoc', () => {
	it('loads a version 2 document unchanged', () => {
		expect(upgradeMemberDoc(validDoc())).toEqual(validDoc());
	});

	it('upgrades a version 1 document to version 2: only the number changes, no markers appear', () => {
		const loaded = upgradeMemberDoc({ ...validDoc(), v: 1 });
		expect(loaded).toEqual(validDoc());
		expect(loaded.fieldRevs).toBeUndefined();
	});

	it('refuses a version 1 document holding version 2 fields', () => {
		expect(() => upgradeMemberDoc({ ...validDoc(), v: 1, staysUntil: 'x' })).toThrow('staysUntil');
	});

	it('drops what CouchDB adds on request, such as _conflicts', () => {
		const loaded = upgradeMemberDoc({ ...validDoc(), _conflicts: ['2-x'], _revisions: {} });
		expect(loaded).toEqual(validDoc());
	});

	it('says what is wrong with input it cannot load', () => {
		expect(() => upgradeMemberDoc(null)).toThrow(MemberDocError);
		expect(() => upgradeMemberDoc('member')).toThrow('không phải một đối tượng');
		expect(() => upgradeMemberDoc({ ...validDoc(), type: 'branch' })).toThrow('"branch"');
		expect(() => upgradeMemberDoc(without('v'))).toThrow('phiên bản');
	});

	it('asks to update the app for documents from a newer version', () => {
		expect(() => upgradeMemberDoc({ ...validDoc(), v: 7 })).toThrow(/mới hơn.*cập nhật ứng dụng/);
	});

	it('names the broken fields of an invalid document', () => {
		try {
			upgradeMemberDoc({ ...validDoc(), birthDate: '31/02/2004', gender: 'x' });
			expect.unreachable();
		} catch (error) {
			expect(error).toBeInstanceOf(MemberDocError);
			const docError = error as MemberDocError;
			expect(docError.docId).toBe('member:01JD3X4N5P6Q7R8S9T0V1W2X3Y');
			expect(docError.message).toContain('birthDate');
			expect(docError.message).toContain('gender');
			expect(docError.issues).toHaveLength(2);
		}
	});
});
