import { describe, expect, it } from 'vitest';
import { JsonRowsParser } from '../../../src/lib/data/online/json-rows';

// The streamed reading of `_changes` answers: rows come out as soon as they are complete, whatever
// the chunking, and the rest of the object is kept for the end.

const BODIES = [
	// Apache CouchDB's layout: one row per line.
	'{"results":[\n{"seq":"1-g1AAAA","id":"member:01J","changes":[{"rev":"1-a"}],"doc":{"_id":"member:01J","_rev":"1-a","givenName":"Hoà \\"Bống\\"","note":"a\\\\"}},\n{"seq":"2-g1AAAB","id":"x","changes":[{"rev":"2-b"},{"rev":"2-c"}],"deleted":true}\n],\n"last_seq":"2-g1AAAB","pending":0}\n',
	// The embedded store: compact JSON, numeric sequences.
	'{"results":[{"seq":1,"id":"a","changes":[{"rev":"1-x"}]}],"last_seq":1}',
	'{"results":[],"last_seq":0}',
	// Brackets and braces inside strings, nested arrays, leading blank lines (longpoll heartbeats).
	'\n\n{"results":[{"a":[1,2,{"b":"]}[{"}],"c":null,"d":true}],"last_seq":5}',
	// `_all_docs`: the rows array after other keys.
	'{"total_rows":2,"offset":0,"rows":[{"id":"x","key":"x","value":{"rev":"1-a"}},{"id":"y","key":"y","value":{"rev":"1-b"}}]}'
];

function parseInChunks(body: string, size: number) {
	const parser = new JsonRowsParser();
	const rows: unknown[] = [];
	for (let i = 0; i < body.length; i += size) rows.push(...parser.push(body.slice(i, i + size)));
	return { rows, rest: parser.finish() };
}

describe('JsonRowsParser', () => {
	it('yields exactly the rows and the rest of the object, however the text is cut', () => {
		for (const body of BODIES) {
			const expected = JSON.parse(body) as Record<string, unknown[]>;
			const key = 'results' in expected ? 'results' : 'rows';
			for (let size = 1; size <= body.length; size++) {
				const { rows, rest } = parseInChunks(body, size);
				expect(rows).toEqual(expected[key]);
				expect(rest).toEqual({ ...expected, [key]: [] });
			}
		}
	});

	it('hands over each row as soon as its last byte arrives', () => {
		const parser = new JsonRowsParser();
		expect(parser.push('{"results":[{"seq":1,"id":"a","changes":[]}')).toEqual([
			{ seq: 1, id: 'a', changes: [] }
		]);
		expect(parser.push(',{"seq":2,"id":"b"')).toEqual([]);
		expect(parser.push(',"changes":[]}')).toEqual([{ seq: 2, id: 'b', changes: [] }]);
	});

	it('refuses to finish an answer cut before the rows ended', () => {
		const parser = new JsonRowsParser();
		parser.push('{"results":[{"seq":1,"id":"a","changes":[]},{"seq":2');
		expect(() => parser.finish()).toThrow();
	});

	it('keeps up with a first sync: 20 MB in well under a second', () => {
		const doc = { _id: 'member:01J', givenName: 'Nguyễn Thị "Hoa" \\ '.repeat(30) };
		const body = JSON.stringify({
			results: Array.from({ length: 30_000 }, (_, i) => ({
				seq: i,
				id: `member:${i}`,
				changes: [{ rev: '1-a' }],
				doc
			})),
			last_seq: 30_000
		});
		const started = performance.now();
		const parser = new JsonRowsParser();
		let count = 0;
		for (let i = 0; i < body.length; i += 16_384) count += parser.push(body.slice(i, i + 16_384)).length;
		expect(count).toBe(30_000);
		expect(parser.finish()).toEqual({ results: [], last_seq: 30_000 });
		expect(performance.now() - started).toBeLessThan(1500);
	});
});
