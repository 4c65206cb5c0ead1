import { formatNumber } from './dates';

// The device's storage as the account screen states it: sizes in MB or GB written the Vietnamese
// way, and when the space left is low enough to warn. Plain numbers in, text out (the estimate
// itself is read in src/lib/data/device/storage-status.ts).

const MB = 1024 * 1024;
const GB = 1024 * MB;

/**
 * Below this the secretary is warned. A roster of a few thousand members with their history is a
 * few tens of MB on the phone, and a first sync of a pinned district needs room to land: 200 MB
 * leaves that room with a margin.
 */
export const LOW_SPACE_BYTES = 200 * MB;

/** 1234567 → '1,2 MB'; 3.5 GB → '3,5 GB'; under 0.1 MB → '0,1 MB' (never '0 MB' for data that is there). */
export function formatStorageSize(bytes: number): string {
	if (!Number.isFinite(bytes) || bytes < 0) return '—';
	if (bytes >= GB) return `${formatNumber(bytes / GB, { fractionDigits: 1 })} GB`;
	const mb = bytes / MB;
	if (bytes > 0 && mb < 0.1) return '0,1 MB';
	return `${formatNumber(mb, { fractionDigits: mb < 10 ? 1 : 0 })} MB`;
}

export interface StorageSpace {
	/** Bytes this app holds on the device (IndexedDB, the app's own cached files). */
	usage: number;
	/** Bytes the browser lets this app hold at most (it depends on the phone's free space). */
	quota: number;
}

/** The space the app can still use. */
export function availableBytes(space: StorageSpace): number {
	return Math.max(0, space.quota - space.usage);
}

export function isLowSpace(space: StorageSpace): boolean {
	return availableBytes(space) < LOW_SPACE_BYTES;
}
