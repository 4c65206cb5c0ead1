// Attachments of mail (ADR 0021): stored once per content (SHA-256) in the server's file store,
// never in a unit database, so a unit's first sync grows with its members, not with its mail. A
// device fetches one when it is opened (or at once when the sender marked it required) and keeps it.

/** The largest file a mail may carry: a scanned directive of a few pages, a plan as .docx. */
export const ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024;

/** What may be attached, by media type, with the extension shown and the first bytes expected. */
export const ATTACHMENT_TYPES: Readonly<Record<string, { label: string; extensions: string[] }>> = {
	'application/pdf': { label: 'PDF', extensions: ['pdf'] },
	'image/jpeg': { label: 'Ảnh JPEG', extensions: ['jpg', 'jpeg'] },
	'image/png': { label: 'Ảnh PNG', extensions: ['png'] },
	'image/webp': { label: 'Ảnh WebP', extensions: ['webp'] },
	'application/msword': { label: 'Word', extensions: ['doc'] },
	'application/vnd.openxmlformats-officedocument.wordprocessingml.document': {
		label: 'Word',
		extensions: ['docx']
	},
	'application/vnd.ms-excel': { label: 'Excel', extensions: ['xls'] },
	'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': {
		label: 'Excel',
		extensions: ['xlsx']
	},
	'application/vnd.ms-powerpoint': { label: 'PowerPoint', extensions: ['ppt'] },
	'application/vnd.openxmlformats-officedocument.presentationml.presentation': {
		label: 'PowerPoint',
		extensions: ['pptx']
	},
	'application/vnd.oasis.opendocument.text': { label: 'ODT', extensions: ['odt'] },
	'application/vnd.oasis.opendocument.spreadsheet': { label: 'ODS', extensions: ['ods'] }
};

export function isAttachmentType(type: string): boolean {
	return Object.prototype.hasOwnProperty.call(ATTACHMENT_TYPES, type);
}

export function attachmentTooLargeMessage(size: number): string {
	const mb = (n: number) =>
		(n / (1024 * 1024)).toLocaleString('vi-VN', { maximumFractionDigits: 1 });
	return `Tệp quá lớn (${mb(size)} MB): mỗi tệp đính kèm tối đa ${mb(ATTACHMENT_MAX_BYTES)} MB. Hãy nén hoặc chia nhỏ tệp.`;
}

export const ATTACHMENT_TYPE_MESSAGE =
	'Chỉ đính kèm được PDF, ảnh (JPEG, PNG, WebP) và tệp văn phòng (Word, Excel, PowerPoint, ODT, ODS).';
