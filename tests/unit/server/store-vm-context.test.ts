import vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import PouchDB from 'pouchdb-core';
import memoryAdapter from 'pouchdb-adapter-memory';
import mapreduce from 'pouchdb-mapreduce';
import { shareOneVmContextForDesignCode } from '../../../server/store/embedded-store-vm';

// The embedded store's process evaluates design-document code in one shared V8 context instead of
// a new one per document (server/embedded-store-vm.ts). Views must answer exactly as before, and
// one evaluation must not see what another left behind.

describe('one shared vm context for design-document code', () => {
	it('leaves views answering as before and keeps evaluations apart', async () => {
		const adapters = (PouchDB as unknown as { adapters: Record<string, unknown> }).adapters;
		if (!adapters.memory) PouchDB.plugin(memoryAdapter);
		if (!('query' in PouchDB.prototype)) PouchDB.plugin(mapreduce);
		const original = vm.runInNewContext;
		shareOneVmContextForDesignCode();
		try {
			expect(vm.runInNewContext).not.toBe(original);
			// PouchDB's own calls pass the code alone; a strict-mode function keeps its variables.
			expect(vm.runInNewContext('(function(){"use strict"; var a = 1; return a;})()')).toBe(1);
			expect(vm.runInNewContext('(function(){"use strict"; return typeof a;})()')).toBe(
				'undefined'
			);
			// A call with a sandbox of its own still gets that sandbox.
			expect(vm.runInNewContext('x + 1', { x: 41 })).toBe(42);

			const db = new PouchDB(`vm-${Date.now()}`, { adapter: 'memory' });
			await db.bulkDocs([
				{ _id: 'a', kind: 'x', n: 1 },
				{ _id: 'b', kind: 'y', n: 2 },
				{ _id: 'c', kind: 'x', n: 3 }
			]);
			await db.put({
				_id: '_design/t',
				views: {
					by_kind: {
						map: 'function (doc) { if (doc.kind) emit(doc.kind, doc.n); }',
						reduce: '_sum'
					}
				}
			});
			const rows = await db.query('t/by_kind', { group: true });
			expect(rows.rows).toEqual([
				{ key: 'x', value: 4 },
				{ key: 'y', value: 2 }
			]);
			await db.destroy();
		} finally {
			vm.runInNewContext = original;
		}
	});
});
