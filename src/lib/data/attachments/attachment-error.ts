// Every failure of the attachment client is one of these, with a Vietnamese sentence to show.

export type AttachmentErrorCode =
	| 'offline'
	| 'not_kept'
	| 'too_large'
	| 'type'
	| 'empty'
	| 'name'
	| 'forbidden'
	| 'not_found'
	| 'too_many'
	| 'signed_out'
	| 'corrupt'
	| 'aborted'
	| 'server';

export const OFFLINE_UPLOAD = 'Cần có mạng để tải tệp lên. Hãy kết nối mạng rồi chọn lại tệp.';
export const NOT_KEPT =
	'Tệp này chưa được lưu trên máy. Cần có mạng để mở lần đầu; sau đó tệp mở được cả khi không có mạng.';
export const LOST_CONNECTION =
	'Mất kết nối khi đang tải tệp. Hãy kiểm tra mạng rồi thử lại.';
export const CORRUPT_DOWNLOAD = 'Tệp tải về bị lỗi (không khớp nội dung). Hãy thử mở lại.';

export class AttachmentError extends Error {
	constructor(
		readonly code: AttachmentErrorCode,
		message: string,
		readonly status = 0
	) {
		super(message);
	}
}

const CODE_BY_STATUS: Record<number, AttachmentErrorCode> = {
	400: 'name',
	401: 'signed_out',
	403: 'forbidden',
	404: 'not_found',
	413: 'too_large',
	415: 'type',
	429: 'too_many'
};

/** The server's refusal (`{ error, reason }`) as an AttachmentError. */
export function fromServer(status: number, body: unknown): AttachmentError {
	const { reason } = (body && typeof body === 'object' ? body : {}) as { reason?: unknown };
	const message =
		typeof reason === 'string' && reason
			? reason
			: `Máy chủ báo lỗi (${status}) khi xử lý tệp. Vui lòng thử lại sau.`;
	const code = CODE_BY_STATUS[status] ?? 'server';
	return new AttachmentError(code, message, status);
}

export function isOffline(): boolean {
	return typeof navigator !== 'undefined' && navigator.onLine === false;
}
