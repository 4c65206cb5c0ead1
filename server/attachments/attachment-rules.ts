import { isAttachmentType } from '../../src/lib/domain/mail/attachments';

// What an upload must look like before anything is stored (docs/decisions/
// 0021-mail-between-units.md, "Attachments"): a name a phone can show and save, a declared type of
// the allowlist, and first bytes that belong to that type — a program renamed `.pdf` and declared
// `application/pdf` is refused, so nothing the server hands out can be run as something else.

/** The store's id of a file: its SHA-256 in lowercase hex. */
export const FILE_HASH_PATTERN = /^[0-9a-f]{64}$/;

export const MAX_FILE_NAME_LENGTH = 200;

const ZIP = [0x50, 0x4b, 0x03, 0x04];
const OLE = [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1];

/** The first bytes each type must start with; every allowed type has one. */
const SIGNATURES: Record<string, (bytes: Buffer) => boolean> = {
	'application/pdf': (b) => startsWith(b, [0x25, 0x50, 0x44, 0x46, 0x2d]), // %PDF-
	'image/jpeg': (b) => startsWith(b, [0xff, 0xd8, 0xff]),
	'image/png': (b) => startsWith(b, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
	'image/webp': (b) =>
		startsWith(b, [0x52, 0x49, 0x46, 0x46]) && b.subarray(8, 12).toString('latin1') === 'WEBP',
	'application/msword': (b) => startsWith(b, OLE),
	'application/vnd.ms-excel': (b) => startsWith(b, OLE),
	'application/vnd.ms-powerpoint': (b) => startsWith(b, OLE),
	'application/vnd.openxmlformats-officedocument.wordprocessingml.document': (b) =>
		startsWith(b, ZIP),
	'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': (b) => startsWith(b, ZIP),
	'application/vnd.openxmlformats-officedocument.presentationml.presentation': (b) =>
		startsWith(b, ZIP),
	// An OpenDocument file is a zip whose first entry is `mimetype`, stored, holding its type.
	'application/vnd.oasis.opendocument.text': (b) =>
		startsWith(b, ZIP) && b.subarray(30, 38).toString('latin1') === 'mimetype',
	'application/vnd.oasis.opendocument.spreadsheet': (b) =>
		startsWith(b, ZIP) && b.subarray(30, 38).toString('latin1') === 'mimetype'
};

function startsWith(bytes: Buffer, prefix: number[]): boolean {
	return bytes.length >= prefix.length && prefix.every((byte, i) => bytes[i] === byte);
}

/** The declared media type, lowercased and without parameters, if it is one of the allowlist. */
export function allowedType(contentType: string | undefined): string | undefined {
	const type = contentType?.split(';', 1)[0]?.trim().toLowerCase();
	return type && isAttachmentType(type) && SIGNATURES[type] ? type : undefined;
}

/** Whether the file's first bytes are those of its declared type. */
export function matchesSignature(type: string, bytes: Buffer): boolean {
	return SIGNATURES[type]?.(bytes) ?? false;
}

/**
 * The file name from `X-File-Name` (URL-encoded UTF-8), NFC-normalised, or undefined when it is
 * missing, badly encoded, too long, or could name a path or hide text (separators, control and
 * bidirectional-override characters, a name of dots).
 */
export function fileNameOf(header: string | string[] | undefined): string | undefined {
	if (typeof header !== 'string' || !header) return undefined;
	let name: string;
	try {
		name = decodeURIComponent(header).normalize('NFC');
	} catch {
		return undefined;
	}
	if (name.length === 0 || name.length > MAX_FILE_NAME_LENGTH) return undefined;
	if (name !== name.trim()) return undefined;
	if ([...name].some(isForbiddenCharacter)) return undefined;
	if (/^\.+$/.test(name)) return undefined;
	return name;
}

/**
 * Separators of every system a phone may save to, controls (C0, DEL, C1) and the bidirectional
 * controls that make `exe.pdf` read as `fdp.exe`.
 */
function isForbiddenCharacter(char: string): boolean {
	const code = char.codePointAt(0) ?? 0;
	return (
		char === '/' ||
		char === '\\' ||
		char === ':' ||
		code < 0x20 ||
		(code >= 0x7f && code <= 0x9f) ||
		code === 0x200e ||
		code === 0x200f ||
		(code >= 0x202a && code <= 0x202e) ||
		(code >= 0x2066 && code <= 0x2069)
	);
}
