import { ATTACHMENT_TYPES, isAttachmentType } from './attachments';

// What the phone works out about a chosen file before uploading it (docs/decisions/
// 0021-mail-between-units.md, "Attachments"): its media type — Android's file pickers often give
// none, or a generic one, for office files, so the extension decides then — and a name the server
// takes (the server refuses path separators, control characters and names over 200 characters).

export const ATTACHMENT_NAME_MAX = 200;

/** The file's media type among ATTACHMENT_TYPES, from its declared type or else its extension. */
export function attachmentTypeOf(file: { name: string; type: string }): string | undefined {
	const declared = file.type.split(';', 1)[0]?.trim().toLowerCase() ?? '';
	if (isAttachmentType(declared)) return declared;
	const extension = /\.([a-z0-9]+)$/i.exec(file.name)?.[1]?.toLowerCase();
	if (!extension) return undefined;
	for (const [type, { extensions }] of Object.entries(ATTACHMENT_TYPES)) {
		if (extensions.includes(extension)) return type;
	}
	return undefined;
}

/**
 * The name sent with the file: NFC, separators and invisible controls replaced by `-`, trimmed, and
 * cut to 200 characters keeping the extension.
 */
export function attachmentFileName(name: string): string {
	let clean = [...name.normalize('NFC')]
		.map((char) => (isUnsafe(char) ? '-' : char))
		.join('')
		.trim();
	if (/^\.*$/.test(clean)) clean = `tep-dinh-kem${clean}`;
	const chars = [...clean];
	if (chars.length <= ATTACHMENT_NAME_MAX) return clean;
	const extension = /\.[a-z0-9]{1,8}$/i.exec(clean)?.[0] ?? '';
	return chars.slice(0, ATTACHMENT_NAME_MAX - extension.length).join('') + extension;
}

function isUnsafe(char: string): boolean {
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
