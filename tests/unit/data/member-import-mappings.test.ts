import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import {
	recallColumnMapping,
	rememberColumnMapping
} from '../../../src/lib/data/spreadsheets/member-import-mappings';
import { guessColumnMapping } from '../../../src/lib/domain/spreadsheets/member-import-headers';

// The mapping a secretary confirmed comes back for the unit's next file with the same headers —
// in another order, spelt in capitals — from the device database, and not for another unit.

describe('remembered column mappings', () => {
	it('come back per unit and header set, whatever the order and case', async () => {
		const headers = ['Họ và tên', 'Ghi chú riêng', 'Ngày sinh'];
		await rememberColumnMapping({
			unitId: 'xamot',
			headers,
			mapping: ['fullName', 'otherName', 'birthDate']
		});
		const again = ['NGÀY SINH', 'Họ và tên', 'Ghi chú riêng'];
		const remembered = await recallColumnMapping({ unitId: 'xamot', headers: again });
		expect(remembered).toEqual({
			'ho va ten': 'fullName',
			'ghi chu rieng': 'otherName',
			'ngay sinh': 'birthDate'
		});
		expect(guessColumnMapping({ headers: again, remembered }).mapping).toEqual([
			'birthDate',
			'fullName',
			'otherName'
		]);
		expect(await recallColumnMapping({ unitId: 'xahai', headers: again })).toBeUndefined();
		expect(
			await recallColumnMapping({ unitId: 'xamot', headers: [...again, 'Dân tộc'] })
		).toBeUndefined();
	});
});
