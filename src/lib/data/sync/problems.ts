// What can go wrong in a sync, as the secretary is told it, and how long to wait before trying
// again. Plain functions of the error (the unit sync decides what to do with them).

import { isStorageFullError } from '$lib/data/store/storage-full';

export type SyncProblemKind = 'offline' | 'unauthorized' | 'revoked' | 'server' | 'storage';

export interface SyncProblem {
	kind: SyncProblemKind;
	message: string;
}


interface PouchError {
	status?: number;
	error?: string;
	reason?: string;
	message?: string;
	name?: string;
}

export function classifyError(error: unknown): SyncProblem {
	const e = (error ?? {}) as PouchError;
	// Before the status checks: PouchDB reports a full disk as a 500 of its own. Short: it is the
	// header badge's text. What is on the phone is safe, and the sync tries again by itself.
	if (isStorageFullError(error)) {
		return {
			kind: 'storage',
			message:
				'Bộ nhớ máy đã đầy: chưa nhận thêm được dữ liệu. Hãy xoá bớt ảnh, video hoặc ứng dụng không dùng.'
		};
	}
	if (e.status === 401) {
		if (e.error === 'device_revoked') {
			return {
				kind: 'revoked',
				message: 'Thiết bị này đã bị thu hồi quyền truy cập. Dữ liệu trên máy sẽ được xóa.'
			};
		}
		return {
			kind: 'unauthorized',
			message: 'Phiên đăng nhập đã hết hạn. Đăng nhập lại để tiếp tục đồng bộ.'
		};
	}
	if (e.status === 403) {
		return { kind: 'server', message: e.reason ?? 'Máy chủ từ chối yêu cầu đồng bộ.' };
	}
	if (!e.status || (globalThis.navigator && !globalThis.navigator.onLine)) {
		return {
			kind: 'offline',
			message: 'Chưa có mạng. Thay đổi được lưu trên máy và sẽ tự đồng bộ khi có mạng.'
		};
	}
	return {
		kind: 'server',
		message: `Máy chủ đang gặp sự cố (${e.status}). Ứng dụng sẽ tự thử lại.`
	};
}

// A secretary back in town should not wait long: retries start at 1 s and double up to 30 s (the
// 'online' event also restarts sync at once).
export function backOff(delay: number): number {
	return delay ? Math.min(delay * 2, 30_000) : 1_000;
}

export function isAbort(error: unknown): boolean {
	// Dexie reports a transaction aborted at commit for quota as an AbortError too: that one is a
	// failure to retry, not a cancelled request to ignore.
	return (
		(error as { name?: string } | null)?.name === 'AbortError' && !isStorageFullError(error)
	);
}

