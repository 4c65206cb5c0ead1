import { describe, expect, it } from 'vitest';
import {
	OrgSheetError,
	orgSheetXlsx,
	orgTemplateXlsx,
	readOrgSheet
} from '../../../src/lib/data/spreadsheets/org-import-file';
import type { OrgSheetRow } from '../../../src/lib/domain/spreadsheets/org-import-sheet';

// The organisation sheet as files: the template reads back as its two examples (the note row
// dropped), an exported tree reads back as the same rows, and a CSV with its own header words works.

const exported: OrgSheetRow[] = [
	{
		unitId: 'huyen001abcd',
		name: 'Huyện đoàn Kỳ Anh',
		kind: 'huyen-doan',
		parent: '',
		fullName: 'Lê Văn Huyện',
		login: 'huyen.kyanh',
		phone: ''
	},
	{
		unitId: '00xa0002abcd',
		name: 'Đoàn xã Kỳ Hà',
		kind: 'doan-xa',
		parent: 'Huyện đoàn Kỳ Anh',
		fullName: '',
		login: '',
		phone: '0912345678'
	}
];

async function asFile(blob: Blob, name: string): Promise<File> {
	return new File([await blob.arrayBuffer()], name);
}

describe('the organisation sheet as a file', () => {
	it('reads the template back as its examples', async () => {
		const rows = await readOrgSheet(await asFile(await orgTemplateXlsx(), 'mau.xlsx'));
		expect(rows.map(({ line, row }) => [line, row.name, row.kind, row.login])).toEqual([
			[3, 'Đoàn xã An Bình', 'Đoàn xã', 'hoa.anbinh'],
			[4, 'Đoàn phường Hòa Lạc', 'Đoàn phường', 'nam.hoalac']
		]);
	});

	it('reads an exported tree back as the same rows, ids and leading zeros kept', async () => {
		const rows = await readOrgSheet(
			await asFile(await orgSheetXlsx({ rows: exported, withNotes: false }), 'cay.xlsx')
		);
		expect(rows.map(({ row }) => row)).toEqual([
			{ ...exported[0], kind: 'Huyện đoàn' },
			{ ...exported[1], kind: 'Đoàn xã' }
		]);
	});

	it('reads a CSV with its own header words, and names a file without the columns', async () => {
		const csv = 'TÊN ĐƠN VỊ;Loai don vi;SĐT\n\nĐoàn xã Mới;Đoàn xã;0988 777 666\n';
		const rows = await readOrgSheet(new File([csv], 'ds.csv'));
		expect(rows).toEqual([
			{
				line: 3,
				row: {
					unitId: '',
					name: 'Đoàn xã Mới',
					kind: 'Đoàn xã',
					parent: '',
					fullName: '',
					login: '',
					phone: '0988 777 666'
				}
			}
		]);
		await expect(readOrgSheet(new File(['Họ và tên;Ngày sinh\nA;B\n'], 'x.csv'))).rejects.toThrow(
			OrgSheetError
		);
	});
});
