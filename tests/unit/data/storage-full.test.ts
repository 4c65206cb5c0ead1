import { describe, expect, it } from 'vitest';
import Dexie from 'dexie';
import { createError, IDB_ERROR } from 'pouchdb-errors';
import { isStorageFullError } from '../../../src/lib/data/store/storage-full';
import { classifyError, isAbort } from '../../../src/lib/data/sync/problems';

// A full phone is recognised whichever layer reports it, with the errors those layers really build
// (PouchDB's own error factory, Dexie's own error classes, the browser's DOMException); the e2e test
// storage-quota.test.ts fills a real Chromium quota.

const quota = () => new DOMException('The quota has been exceeded.', 'QuotaExceededError');

describe('a write refused for space', () => {
	it('is recognised from PouchDB idb, Dexie and IndexedDB errors', () => {
		// pouchdb-adapter-idb: idbError() keeps the DOMException's name as the reason.
		expect(isStorageFullError(createError(IDB_ERROR, 'QuotaExceededError', 'abort'))).toBe(true);
		expect(isStorageFullError(new Dexie.QuotaExceededError('full'))).toBe(true);
		// Dexie: a transaction aborted at commit is an AbortError whose inner error says why.
		expect(isStorageFullError(new Dexie.AbortError('aborted', quota()))).toBe(true);
		expect(isStorageFullError(quota())).toBe(true);
	});

	it('is not confused with other failures', () => {
		expect(isStorageFullError(createError(IDB_ERROR, 'UnknownError', 'abort'))).toBe(false);
		expect(isStorageFullError(new Dexie.AbortError('aborted'))).toBe(false);
		expect(isStorageFullError({ status: 409, name: 'conflict' })).toBe(false);
		expect(isStorageFullError(null)).toBe(false);
	});

	it('makes the sync say so in Vietnamese and retry, instead of reading as offline or a cancel', () => {
		const problem = classifyError(createError(IDB_ERROR, 'QuotaExceededError', 'abort'));
		expect(problem.kind).toBe('storage');
		expect(problem.message).toContain('Bộ nhớ máy đã đầy');
		expect(isAbort(new Dexie.AbortError('aborted', quota()))).toBe(false);
		expect(isAbort(new DOMException('stopped', 'AbortError'))).toBe(true);
	});
});
