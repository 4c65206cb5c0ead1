import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import {
	CONSENT_TEXTS,
	CURRENT_CONSENT_VERSION,
	ConsentRecordSchema,
	declarationDifferences,
	matchDeclaration,
	type MatchableMember
} from '../../../src/lib/domain/declarations';

// Groundwork of issue #14 (members declare their own profiles): the consent a declaration records,
// which record of the unit a declaration is about, and what it would change.

function member(overrides: Partial<MatchableMember> & { _id: string }): MatchableMember {
	return {
		status: 'active',
		familyName: 'Hà',
		middleName: 'Thị',
		givenName: 'Hòa',
		birthDate: '2003-04-05',
		...overrides
	};
}

const declaration = {
	familyName: 'Hà',
	middleName: 'Thị',
	givenName: 'Hoà',
	birthDate: '2003-04-05'
};

describe('consent', () => {
	it('is recorded only when given, with a published text version and a time', () => {
		expect(CONSENT_TEXTS[CURRENT_CONSENT_VERSION]?.statement).toMatch(/đồng ý/);
		const at = '2026-12-07T03:00:00.000Z';
		expect(
			v.safeParse(ConsentRecordSchema, { version: CURRENT_CONSENT_VERSION, given: true, at })
				.success
		).toBe(true);
		const unticked = v.safeParse(ConsentRecordSchema, {
			version: CURRENT_CONSENT_VERSION,
			given: false,
			at
		});
		expect(unticked.success).toBe(false);
		expect(unticked.issues?.[0]?.message).toBe(
			'Cần đánh dấu đồng ý xử lý thông tin cá nhân để gửi bản khai.'
		);
		expect(v.safeParse(ConsentRecordSchema, { version: '1999-1', given: true, at }).success).toBe(
			false
		);
	});
});

describe('matching a declaration to the unit’s records', () => {
	it('by citizen id first, whatever the name says', () => {
		const members = [
			member({ _id: 'member:A' }),
			member({ _id: 'member:B', givenName: 'Lan', citizenId: '025303001234' })
		];
		expect(
			matchDeclaration({ declaration: { ...declaration, citizenId: '025303001234' }, members })
		).toEqual({ kind: 'citizen-id', member: members[1] });
	});

	it('else by folded name and birth date, records on the rolls first', () => {
		const members = [
			member({ _id: 'member:LEFT', status: 'removed' }),
			member({ _id: 'member:ON' }),
			member({ _id: 'member:OTHER-DAY', birthDate: '2003-04-06' })
		];
		const match = matchDeclaration({ declaration, members });
		expect(match).toEqual({ kind: 'name-and-birth', members: [members[1], members[0]] });
	});

	it('never by name when both carry different citizen ids; none when nobody is alike', () => {
		const members = [member({ _id: 'member:A', citizenId: '025303009999' })];
		expect(
			matchDeclaration({ declaration: { ...declaration, citizenId: '025303001234' }, members })
		).toEqual({ kind: 'none' });
		expect(
			matchDeclaration({ declaration: { ...declaration, givenName: 'Lan' }, members })
		).toEqual({ kind: 'none' });
	});
});

describe('what a declaration would change', () => {
	it('lists each differing field with its label, and says where it only fills a gap', () => {
		const differences = declarationDifferences({
			declared: {
				givenName: 'Hoà',
				phone: '0912345678',
				currentAddress: 'Thôn Đồng Lạc, xã Thanh Sơn',
				cardNumber: '',
				religion: 'Không'
			},
			recorded: {
				givenName: 'Hoà',
				phone: '0987654321',
				religion: 'Không'
			}
		});
		expect(differences).toEqual([
			{
				field: 'currentAddress',
				label: 'Nơi ở hiện nay',
				declared: 'Thôn Đồng Lạc, xã Thanh Sơn',
				recorded: undefined,
				fillsGap: true
			},
			{
				field: 'phone',
				label: 'Số điện thoại',
				declared: '0912345678',
				recorded: '0987654321',
				fillsGap: false
			}
		]);
	});

	it('sees no difference between the two Unicode forms of the same text', () => {
		const composed = 'Hòa Bình';
		const decomposed = composed.normalize('NFD');
		expect(
			declarationDifferences({
				declared: { hometown: decomposed },
				recorded: { hometown: ` ${composed} ` }
			})
		).toEqual([]);
	});
});
