import { describe, expect, it } from 'vitest';
import {
	ISSUABLE_ROLES,
	ULID_PATTERN,
	encodeUlidTime,
	inSubtree,
	isUnitDb,
	managesAccountsOf,
	managesUnit,
	mayFoundUnder,
	roleLabel,
	unitDbName,
	unitIdOfDb,
	unitStatusLabel,
	writesUnitData
} from '$lib/domain/org';
import { ulid as deviceUlid } from '$lib/data/ids';
import { derivedUlid, ulid as serverUlid } from '../../../server/ulid';

// The organisation's vocabulary is read by the server and the screens alike: what it answers is
// what both show and enforce.

const province = { id: 'tinhphutho', ancestors: [], parentId: null };
const commune = { id: 'xathanhson', ancestors: ['tinhphutho'], parentId: 'tinhphutho' };

describe('who manages what', () => {
	it('lets only the direct superior’s secretary or admin manage a unit', () => {
		expect(managesUnit({ role: 'secretary', unitId: 'tinhphutho' }, commune)).toBe(true);
		expect(managesUnit({ role: 'admin', unitId: 'tinhphutho' }, commune)).toBe(true);
		expect(managesUnit({ role: 'deputy', unitId: 'tinhphutho' }, commune)).toBe(false);
		expect(managesUnit({ role: 'viewer', unitId: 'tinhphutho' }, commune)).toBe(false);
		// Not even its own secretary: renaming or dissolving a unit is its superior's decision.
		expect(managesUnit({ role: 'secretary', unitId: 'xathanhson' }, commune)).toBe(false);
		expect(managesUnit({ role: 'admin', unitId: 'tinhphutho' }, province)).toBe(false);
	});

	it('gives a unit’s accounts to its superior’s managers and to the top unit’s own admin', () => {
		expect(managesAccountsOf({ role: 'secretary', unitId: 'tinhphutho' }, commune)).toBe(true);
		expect(managesAccountsOf({ role: 'admin', unitId: 'tinhphutho' }, province)).toBe(true);
		expect(managesAccountsOf({ role: 'secretary', unitId: 'tinhphutho' }, province)).toBe(false);
		expect(managesAccountsOf({ role: 'admin', unitId: 'xathanhson' }, province)).toBe(false);
	});

	it('founds new units only under the actor’s own unit, by its managers', () => {
		expect(mayFoundUnder({ role: 'secretary', unitId: 'xathanhson' }, 'xathanhson')).toBe(true);
		expect(mayFoundUnder({ role: 'deputy', unitId: 'xathanhson' }, 'xathanhson')).toBe(false);
		expect(mayFoundUnder({ role: 'admin', unitId: 'tinhphutho' }, 'xathanhson')).toBe(false);
	});

	it('shows a unit to its own accounts, those above it, and those of a unit it merged into', () => {
		expect(inSubtree({ role: 'viewer', unitId: 'xathanhson' }, commune)).toBe(true);
		expect(inSubtree({ role: 'viewer', unitId: 'tinhphutho' }, commune)).toBe(true);
		expect(inSubtree({ role: 'admin', unitId: 'xacuthang' }, commune)).toBe(false);
		expect(
			inSubtree({ role: 'viewer', unitId: 'xacuthang' }, { ...commune, admits: ['xacuthang'] })
		).toBe(true);
	});
});

describe('who writes a unit’s data', () => {
	it('every role but the viewer, and no unknown role', () => {
		expect(['admin', 'secretary', 'deputy'].every(writesUnitData)).toBe(true);
		expect(writesUnitData('viewer')).toBe(false);
		expect(writesUnitData('guest')).toBe(false);
	});
});

describe('labels', () => {
	it('names the roles a manager may give, and shows an unknown one as stored', () => {
		expect(ISSUABLE_ROLES.map(roleLabel)).toEqual(['Bí thư', 'Phó Bí thư', 'Chỉ xem']);
		expect(roleLabel('admin')).toBe('Quản trị');
		expect(roleLabel('auditor')).toBe('auditor');
		expect(unitStatusLabel('merged')).toBe('Đã sáp nhập');
		expect(unitStatusLabel('closed')).toBe('closed');
	});
});

describe('ids', () => {
	it('writes the time of a ULID in Crockford base32, so ids sort by time', () => {
		expect(encodeUlidTime(0)).toBe('0000000000');
		expect(encodeUlidTime(1_469_918_176_385)).toBe('01ARYZ6S41');
		expect(() => encodeUlidTime(-1)).toThrow(RangeError);
	});

	it('makes the same kind of ULID on the device and on the server', () => {
		const at = Date.UTC(2025, 6, 1, 2, 0, 0);
		for (const id of [deviceUlid(at), serverUlid(at), derivedUlid({ time: at, seed: 'x' })]) {
			expect(id).toMatch(ULID_PATTERN);
			expect(id.slice(0, 10)).toBe(encodeUlidTime(at));
		}
		expect(deviceUlid(at) < deviceUlid(at + 1)).toBe(true);
	});

	it('names a unit’s database after its id, and reads the id back from it alone', () => {
		expect(unitDbName('xathanhson')).toBe('unit_xathanhson');
		expect(unitIdOfDb('unit_xathanhson')).toBe('xathanhson');
		expect(isUnitDb('unit_xathanhson')).toBe(true);
		for (const other of ['doanvu_accounts', '_users', 'unit_', 'unit_Xa', 'unit_../x']) {
			expect(isUnitDb(other)).toBe(false);
			expect(() => unitIdOfDb(other)).toThrow(RangeError);
		}
	});
});
