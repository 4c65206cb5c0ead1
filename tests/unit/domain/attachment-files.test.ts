import { describe, expect, it } from 'vitest';
import {
	attachmentFileName,
	attachmentTypeOf
} from '../../../src/lib/domain/mail/attachment-files';

describe('the type of a chosen file', () => {
	it('is the declared one when it is on the list', () => {
		expect(attachmentTypeOf({ name: 'x.bin', type: 'application/pdf' })).toBe('application/pdf');
		expect(attachmentTypeOf({ name: 'a.JPG', type: 'IMAGE/JPEG; q=1' })).toBe('image/jpeg');
	});

	it('comes from the extension when the picker gives none or a generic one', () => {
		expect(attachmentTypeOf({ name: 'Kế hoạch.DOCX', type: '' })).toBe(
			'application/vnd.openxmlformats-officedocument.wordprocessingml.document'
		);
		expect(attachmentTypeOf({ name: 'bang.xls', type: 'application/octet-stream' })).toBe(
			'application/vnd.ms-excel'
		);
		expect(attachmentTypeOf({ name: 'so.ods', type: '' })).toBe(
			'application/vnd.oasis.opendocument.spreadsheet'
		);
	});

	it('is none for anything else', () => {
		expect(attachmentTypeOf({ name: 'setup.exe', type: 'application/x-msdownload' })).toBe(
			undefined
		);
		expect(attachmentTypeOf({ name: 'a.svg', type: 'image/svg+xml' })).toBe(undefined);
		expect(attachmentTypeOf({ name: 'README', type: '' })).toBe(undefined);
	});
});

describe('the name sent with a file', () => {
	it('keeps Vietnamese, composed (NFC)', () => {
		const decomposed = 'Công văn số 15.pdf'.normalize('NFD');
		expect(attachmentFileName(decomposed)).toBe('Công văn số 15.pdf'.normalize('NFC'));
	});

	it('replaces separators and hidden controls', () => {
		expect(attachmentFileName('15/CV-TĐTN.pdf')).toBe('15-CV-TĐTN.pdf');
		expect(attachmentFileName('a\u202Efdp.exe')).toBe('a-fdp.exe');
		expect(attachmentFileName('..')).toBe('tep-dinh-kem..');
	});

	it('is cut to 200 characters with its extension kept', () => {
		const name = attachmentFileName(`${'Đ'.repeat(300)}.docx`);
		expect([...name]).toHaveLength(200);
		expect(name.endsWith('Đ.docx')).toBe(true);
	});
});
