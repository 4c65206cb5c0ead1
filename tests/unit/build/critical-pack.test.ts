import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PACK_MAX_BYTES, packable, writeCriticalPack } from '../../../scripts/sw/critical-pack';

// The critical set's small files in one download (docs/decisions/0024-offline-ready-and-progress.md):
// what goes in, under which address and type, and that the pack's name changes with its content
// (the server caches it for a year as an immutable file).

const dir = mkdtempSync(join(tmpdir(), 'doanvu-pack-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function write(path: string, text: string): void {
	mkdirSync(join(dir, path, '..'), { recursive: true });
	writeFileSync(join(dir, path), text);
}

describe('the critical pack', () => {
	it('takes small scripts, stylesheets and data, never a document or a large chunk', () => {
		expect(packable({ url: '/_app/immutable/nodes/12.abc.js', bytes: 50 })).toBe(true);
		expect(packable({ url: '/_app/immutable/assets/0.abc.css', bytes: 2_000 })).toBe(true);
		expect(packable({ url: '/manifest.webmanifest', bytes: 800 })).toBe(true);
		// The shell's HTML and the SVG icons keep their own answer and its CSP.
		expect(packable({ url: '/index.html', bytes: 1_500 })).toBe(false);
		expect(packable({ url: '/icons/icon.svg', bytes: 470 })).toBe(false);
		expect(packable({ url: '/_app/immutable/chunks/big.js', bytes: PACK_MAX_BYTES + 1 })).toBe(
			false
		);
	});

	it('holds each file with its address and type, under a name that follows its content', () => {
		write('_app/immutable/nodes/12.abc.js', 'export{n as component}from"../chunks/x.js";');
		write('_app/immutable/assets/0.abc.css', ':root{--blue:#0b5cad}');
		const urls = ['/_app/immutable/nodes/12.abc.js', '/_app/immutable/assets/0.abc.css'];
		const first = writeCriticalPack({ dir, urls })!;
		expect(first).toMatch(/^\/_app\/immutable\/critical-pack\.[0-9a-f]{12}\.json$/);
		const files = JSON.parse(readFileSync(join(dir, first.slice(1)), 'utf8')) as {
			url: string;
			type: string;
			body: string;
		}[];
		expect(files).toEqual([
			{
				url: '/_app/immutable/nodes/12.abc.js',
				type: 'application/javascript; charset=utf-8',
				body: 'export{n as component}from"../chunks/x.js";'
			},
			{ url: '/_app/immutable/assets/0.abc.css', type: 'text/css; charset=utf-8', body: ':root{--blue:#0b5cad}' }
		]);
		write('_app/immutable/assets/0.abc.css', ':root{--blue:#083f78}');
		expect(writeCriticalPack({ dir, urls })).not.toBe(first);
		expect(writeCriticalPack({ dir, urls: [] })).toBeNull();
	});
});
