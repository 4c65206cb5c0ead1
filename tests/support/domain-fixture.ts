import { randomInt } from 'node:crypto';
import * as v from 'valibot';
import { buildEntry, type OperationContext } from '../../src/lib/domain/operations/shared';
import { MemberDocSchema, type MemberDoc } from '../../src/lib/domain/member-schema';
import type { HistoryDoc } from '../../src/lib/domain/history-schema';
import { ulid } from '../../server/ulid';

// Member records and history entries exactly as the app's domain writes them (schema version 2),
// for tests where a server worker reads them back through the domain (transfers) — unlike
// member-fixture.ts, which only satisfies the design document.

/** Today in Vietnam, as a device there sees it. */
export function vietnamToday(): string {
	return new Date(Date.now() + 7 * 3_600_000).toISOString().slice(0, 10);
}

/** The operation context of a device of `unitId` signed in as `login`. */
export function deviceContext(options: { login: string; unitId: string }): OperationContext {
	return {
		today: vietnamToday(),
		now: new Date().toISOString(),
		actor: { login: options.login, unitId: options.unitId },
		newUlid: () => ulid()
	};
}

const issuedCitizenIds = new Set<string>();

/**
 * A well-formed citizen id, never the same twice in one test process: by default for a man born in
 * 2001 in province 025; `prefix` (6 digits: province, century-and-sex, year) for another person.
 * Six random digits alone repeat: 400 of them out of a million collide about once in twelve files,
 * and a test counting distinct numbers then counted one less (registry-clashes failed CI so).
 */
export function newCitizenId(prefix = '025201'): string {
	for (;;) {
		const id = `${prefix}${String(randomInt(0, 1_000_000)).padStart(6, '0')}`;
		if (!issuedCitizenIds.has(id)) {
			issuedCitizenIds.add(id);
			return id;
		}
	}
}

export function validMember(options: {
	unitId: string;
	login: string;
	givenName: string;
	citizenId?: string;
	branchId?: string;
	status?: MemberDoc['status'];
}): MemberDoc {
	const at = new Date().toISOString();
	const member: MemberDoc = {
		_id: `member:${ulid()}`,
		type: 'member',
		v: 2,
		unitId: options.unitId,
		familyName: 'Hoàng',
		middleName: 'Văn',
		givenName: options.givenName,
		gender: 'male',
		birthDate: '2001-03-14',
		citizenId: options.citizenId ?? newCitizenId(),
		ethnicCode: '02',
		religion: 'Không',
		nationality: 'Việt Nam',
		joinedOn: '2017-03-26',
		partyMember: false,
		status: options.status ?? 'active',
		statusSince: '2017-03-26',
		duesCategory: 'student',
		duesPaidThrough: vietnamToday().slice(0, 7),
		...(options.branchId ? { branchId: options.branchId } : {}),
		fieldRevs: {},
		provenance: { source: 'unit' },
		createdAt: at,
		createdBy: options.login,
		updatedAt: at,
		updatedBy: options.login
	};
	const parsed = v.safeParse(MemberDocSchema, member);
	if (!parsed.success) throw new Error(`fixture member invalid: ${parsed.issues[0]?.message}`);
	return member;
}

/** Two ordinary entries of a member's history (a profile edit, a dues payment). */
export function pastEntries(options: { member: MemberDoc; login: string }): HistoryDoc[] {
	const context = deviceContext({ login: options.login, unitId: options.member.unitId });
	const month = vietnamToday().slice(0, 7);
	return [
		buildEntry({
			context,
			member: options.member,
			kind: 'profile-edit',
			at: '2024-05-02',
			data: { fields: ['phone'] }
		}),
		buildEntry({
			context,
			member: options.member,
			kind: 'dues-payment',
			at: vietnamToday(),
			data: { categoryId: 'student', from: month, through: month, months: 1, amount: 2000 }
		})
	];
}
