import { describe, expect, it } from 'vitest';
import { AttachmentError, prepareUpload } from '../../../src/lib/data/attachments';
import { fromServer } from '../../../src/lib/data/attachments/attachment-error';
import { ATTACHMENT_MAX_BYTES, ATTACHMENT_TYPE_MESSAGE } from '../../../src/lib/domain/mail';

// What the phone says before any byte is sent, and how the server's refusals become its errors.
// The browser behaviour (upload progress, Cache Storage, offline opening) is in
// tests/e2e/attachments.test.ts, in Chromium against the real server.

describe('before an upload', () => {
	it('a file over the limit is refused with the size said', () => {
		const error = catchError(() =>
			prepareUpload({ name: 'scan.pdf', type: 'application/pdf', size: 20 * 1024 * 1024 })
		);
		expect(error.code).toBe('too_large');
		expect(error.message).toMatch(/^Tệp quá lớn \(20 MB\)/);
		expect(
			prepareUpload({ name: 'scan.pdf', type: 'application/pdf', size: ATTACHMENT_MAX_BYTES })
		).toEqual({ type: 'application/pdf', name: 'scan.pdf' });
	});

	it('a file of another type is refused with the list', () => {
		const error = catchError(() => prepareUpload({ name: 'a.exe', type: '', size: 10 }));
		expect(error.code).toBe('type');
		expect(error.message).toBe(ATTACHMENT_TYPE_MESSAGE);
	});

	it('an empty file is refused', () => {
		expect(catchError(() => prepareUpload({ name: 'a.pdf', type: '', size: 0 })).code).toBe(
			'empty'
		);
	});
});

describe('a refusal from the server', () => {
	it('keeps the server’s Vietnamese reason', () => {
		const error = fromServer(413, { error: 'too_large', reason: 'Tệp quá lớn (12 MB)' });
		expect(error).toBeInstanceOf(AttachmentError);
		expect(error.code).toBe('too_large');
		expect(error.message).toBe('Tệp quá lớn (12 MB)');
	});

	it('says something sensible when the server gave no reason', () => {
		const error = fromServer(502, '<html>');
		expect(error.code).toBe('server');
		expect(error.message).toContain('502');
		expect(fromServer(404, null).code).toBe('not_found');
	});
});

function catchError(run: () => unknown): AttachmentError {
	try {
		run();
	} catch (error) {
		if (error instanceof AttachmentError) return error;
		throw error;
	}
	throw new Error('no error');
}
