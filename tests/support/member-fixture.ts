import { randomBytes } from 'node:crypto';
import type { MemberDoc } from '../../src/lib/domain/member-schema';
import { generateMembers } from '../../src/lib/synthetic';
import type { TestServer } from './test-server';

// Minimal member documents as a device writes them (docs/architecture.md, "Documents in a unit
// database"): enough for the server's validation, not the full domain schema.

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

export function fakeUlid(): string {
	// Crockford's alphabet for the time too (Number#toString(32) would give I, L, O and U).
	let time = '';
	for (let rest = Date.now(), i = 0; i < 10; i++, rest = Math.floor(rest / 32)) {
		time = CROCKFORD[rest % 32] + time;
	}
	let rest = '';
	for (const byte of randomBytes(16)) rest += CROCKFORD[byte % 32];
	return `${time}${rest}`.slice(0, 26);
}

export interface TestMember {
	_id: string;
	_rev?: string;
	_deleted?: boolean;
	type: 'member';
	v: 1;
	unitId: string;
	familyName: string;
	middleName: string;
	givenName: string;
	birthDate: string;
	status: string;
	createdAt: string;
	createdBy: string;
	updatedAt: string;
	updatedBy: string;
	[key: string]: unknown;
}

export function memberDoc(options: {
	unitId: string;
	login: string;
	givenName?: string;
	familyName?: string;
}): TestMember {
	const at = new Date().toISOString();
	return {
		_id: `member:${fakeUlid()}`,
		type: 'member',
		v: 1,
		unitId: options.unitId,
		familyName: options.familyName ?? 'Nguyễn',
		middleName: 'Thị',
		givenName: options.givenName ?? 'Hoa',
		birthDate: '2001-05-19',
		status: 'active',
		createdAt: at,
		createdBy: options.login,
		updatedAt: at,
		updatedBy: options.login
	};
}

/**
 * Generated members written straight into a unit's database by the server admin (fast set-up), all
 * on the rolls so the default list shows them. Not recorded for the workers: a test that needs the
 * figures nudges the figures worker itself.
 */
export async function seedActiveMembers(
	server: TestServer,
	options: { unit: { id: string; db: string }; seed: number; count: number }
): Promise<MemberDoc[]> {
	const members = generateMembers({
		seed: options.seed,
		count: options.count,
		unitId: options.unit.id,
		branchIds: [],
		today: '2026-11-28',
		ethnicMix: 'mountain-district'
	}).map((m) => ({ ...m, status: 'active' as const }));
	await server.couch.bulkDocs({ db: options.unit.db, docs: members });
	return members;
}
