import { describe, expect, it } from 'vitest';
import { classifyCouchRequest, parseSegments } from '../../server/proxy/allowlist';
import { JsonItemCounter, overBatchLimit } from '../../server/proxy/body';
import { isDeviceLocalId } from '../../server/proxy/local-docs';

// The pieces of the /couch proxy's request checks that decide on their own: the streaming count of
// documents in a batch, the path segments, and the `_local` ids devices may use.

function count(text: string, pieces = 7): number[] {
	const counter = new JsonItemCounter();
	const bytes = Buffer.from(text);
	for (let i = 0; i < bytes.length; i += pieces) counter.feed(bytes.subarray(i, i + pieces));
	return counter.counts;
}

describe('JsonItemCounter', () => {
	it('counts the documents of a batch, whatever their strings hold and however it is cut', () => {
		const docs = [
			{ _id: 'a', note: 'brackets ] } [ { and "quotes" and \\ backslashes' },
			{ _id: 'b', nested: { deep: [1, 2, { x: [] }] }, list: [[], {}] },
			{ _id: 'c\u00e9', text: '\\"' }
		];
		for (const pieces of [1, 3, 1000]) {
			expect(count(JSON.stringify({ docs, new_edits: false }), pieces)[2]).toBe(3);
			expect(count(JSON.stringify({ docs: [] }), pieces)[2]).toBe(0);
		}
		expect(count(JSON.stringify({ a: ['1-x', '2-y'], b: ['1-z'] }))).toEqual([1, 2, 3]);
		expect(count(' { "keys" : [ "a" , "b" ] } ')[2]).toBe(2);
	});

	it('refuses over the limit: documents, or revisions for _revs_diff', () => {
		const counter = new JsonItemCounter();
		counter.feed(Buffer.from(JSON.stringify({ docs: Array.from({ length: 11 }, () => ({})) })));
		expect(overBatchLimit('_bulk_docs', counter, 10)).toBe(true);
		expect(overBatchLimit('_bulk_docs', counter, 11)).toBe(false);
		const diff = new JsonItemCounter();
		diff.feed(Buffer.from(JSON.stringify({ a: Array.from({ length: 101 }, (_, i) => `${i}-x`) })));
		expect(overBatchLimit('_revs_diff', diff, 10)).toBe(true);
	});
});

describe('path segments', () => {
	it('are decoded once; dot, empty and encoded-separator segments are refused', () => {
		expect(parseSegments('/unit_abcd/member%3A01')).toEqual(['unit_abcd', 'member:01']);
		expect(parseSegments('/unit_abcd/')).toEqual(['unit_abcd', '']);
		for (const path of [
			'/unit_abcd/..',
			'/unit_abcd/%2e%2E',
			'//unit_abcd',
			'/unit_abcd//x',
			'/a\\b'
		]) {
			expect(Array.isArray(parseSegments(path)), path).toBe(false);
		}
		expect(parseSegments('/unit_abcd/_local%2Fx')).toMatchObject({ status: 403 });
	});

	it('only POST batches are counted', () => {
		expect(classifyCouchRequest({ method: 'POST', rawPath: '/unit_abcd/_all_docs' })).toMatchObject(
			{
				batch: '_all_docs'
			}
		);
		expect(
			classifyCouchRequest({ method: 'GET', rawPath: '/unit_abcd/_all_docs' })
		).not.toHaveProperty('batch');
	});
});

describe('device _local ids', () => {
	it('are the engine’s names and PouchDB checkpoint hashes only', () => {
		expect(isDeviceLocalId('doanvu-sync-pull')).toBe(true);
		expect(isDeviceLocalId('_H5p0ICzYx.jpSLa0rGg6g==')).toBe(true);
		for (const id of ['_security', '_pouch_dependentDbs', 'compaction', 'purges', 'x', '']) {
			expect(isDeviceLocalId(id), id).toBe(false);
		}
	});
});
