import { describe, expect, it } from 'vitest';
import {
	allowedType,
	fileNameOf,
	matchesSignature
} from '../../../server/attachments/attachment-rules';
import { contentDisposition } from '../../../server/attachments/attachment-router';

const bytes = (text: string) => Buffer.from(text, 'latin1');

describe('the first bytes of each type', () => {
	it('match their declared type only', () => {
		expect(matchesSignature('application/pdf', bytes('%PDF-1.7\n'))).toBe(true);
		expect(matchesSignature('application/pdf', bytes('MZ\x90\x00'))).toBe(false);
		expect(matchesSignature('image/jpeg', bytes('\xff\xd8\xff\xe0'))).toBe(true);
		expect(matchesSignature('image/png', bytes('\x89PNG\r\n\x1a\n'))).toBe(true);
		expect(matchesSignature('image/png', bytes('\x89PNG'))).toBe(false);
		expect(matchesSignature('image/webp', bytes('RIFF\x00\x00\x00\x00WEBPVP8 '))).toBe(true);
		expect(matchesSignature('image/webp', bytes('RIFF\x00\x00\x00\x00AVI '))).toBe(false);
		const ole = bytes('\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1');
		expect(matchesSignature('application/msword', ole)).toBe(true);
		expect(matchesSignature('application/vnd.ms-excel', ole)).toBe(true);
		const zip = bytes('PK\x03\x04');
		expect(
			matchesSignature(
				'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
				zip
			)
		).toBe(true);
		const odt = Buffer.concat([
			bytes('PK\x03\x04'),
			Buffer.alloc(26),
			bytes('mimetypeapplication/vnd.oasis.opendocument.text')
		] as Uint8Array[]);
		expect(matchesSignature('application/vnd.oasis.opendocument.text', odt)).toBe(true);
		expect(matchesSignature('application/vnd.oasis.opendocument.text', zip)).toBe(false);
	});

	it('are checked only for types of the list', () => {
		expect(allowedType('Application/PDF; charset=binary')).toBe('application/pdf');
		expect(allowedType('text/html')).toBe(undefined);
		expect(allowedType('image/svg+xml')).toBe(undefined);
		expect(allowedType(undefined)).toBe(undefined);
	});
});

describe('a file name from X-File-Name', () => {
	it('is decoded and composed', () => {
		const header = encodeURIComponent('Kế hoạch 2027.docx'.normalize('NFD'));
		expect(fileNameOf(header)).toBe('Kế hoạch 2027.docx'.normalize('NFC'));
	});

	it('is refused when it could be a path or hide characters', () => {
		for (const name of [
			'../a.pdf',
			'a\\b.pdf',
			'C:a.pdf',
			'a\u0000.pdf',
			'a\u202e.pdf',
			'..',
			' a.pdf'
		]) {
			expect(fileNameOf(encodeURIComponent(name)), name).toBe(undefined);
		}
		expect(fileNameOf('%E0%A4%A')).toBe(undefined);
		expect(fileNameOf(encodeURIComponent('a'.repeat(201)))).toBe(undefined);
		expect(fileNameOf(encodeURIComponent('a'.repeat(200)))).toBe('a'.repeat(200));
		expect(fileNameOf(['a.pdf', 'b.pdf'])).toBe(undefined);
	});
});

describe('the download name', () => {
	it('is given in UTF-8 with an ASCII fallback that cannot break the header', () => {
		const header = contentDisposition('Công văn "số" 15;%.pdf');
		expect(header).toMatch(/^attachment; filename="[ -~]+"; filename\*=UTF-8''/);
		expect(header).toContain(`filename*=UTF-8''${encodeURIComponent('Công văn "số" 15;%.pdf')}`);
		expect(header.split('"').length).toBe(3);
	});
});
