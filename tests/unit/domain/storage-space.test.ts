import { describe, expect, it } from 'vitest';
import {
	availableBytes,
	formatStorageSize,
	isLowSpace,
	LOW_SPACE_BYTES
} from '../../../src/lib/domain/storage-space';

const MB = 1024 * 1024;

describe('the storage card’s numbers', () => {
	it('writes sizes the Vietnamese way, in MB or GB', () => {
		expect(formatStorageSize(1.25 * MB)).toBe('1,3 MB');
		expect(formatStorageSize(48 * MB)).toBe('48 MB');
		expect(formatStorageSize(3.5 * 1024 * MB)).toBe('3,5 GB');
		expect(formatStorageSize(12_000)).toBe('0,1 MB');
		expect(formatStorageSize(0)).toBe('0 MB');
	});

	it('warns when the space left falls under the threshold', () => {
		expect(availableBytes({ usage: 10 * MB, quota: 5 * MB })).toBe(0);
		expect(isLowSpace({ usage: 50 * MB, quota: 50 * MB + LOW_SPACE_BYTES - 1 })).toBe(true);
		expect(isLowSpace({ usage: 50 * MB, quota: 50 * MB + LOW_SPACE_BYTES })).toBe(false);
	});
});
