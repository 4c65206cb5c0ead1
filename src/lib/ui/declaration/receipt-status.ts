import type { DeclarationState } from '$lib/domain/declarations/declaration-status';

// What the member reads about her declaration: on this phone before the server has it ("Chờ gửi"),
// refused when sent (a 4xx she must act on), or the server's state.

export type ReceiptStatus = 'waiting' | 'refused' | 'sent' | DeclarationState;

export const RECEIPT_STATUS_LABELS: Readonly<Record<ReceiptStatus, string>> = {
	waiting: 'Chờ gửi',
	refused: 'Chưa gửi được',
	sent: 'Đã gửi',
	pending: 'Đã gửi, chờ duyệt',
	'correction-requested': 'Cần sửa',
	approved: 'Đã duyệt',
	rejected: 'Không duyệt',
	withdrawn: 'Đã rút'
};

export type ReceiptTone = 'wait' | 'ok' | 'warn' | 'bad' | 'neutral';

export const RECEIPT_STATUS_TONES: Readonly<Record<ReceiptStatus, ReceiptTone>> = {
	waiting: 'wait',
	refused: 'bad',
	sent: 'ok',
	pending: 'ok',
	'correction-requested': 'warn',
	approved: 'ok',
	rejected: 'bad',
	withdrawn: 'neutral'
};
