import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from '../support/browser';
import { startTestServer, type TestServer } from '../support/test-server';

// The read model's ingest in Chromium, where PouchDB keeps its documents in IndexedDB and the
// indexer reads them straight from its stores (read-model/pouch-pages.ts): the pages it reads say
// exactly what PouchDB's own changes feed says (winning revisions, conflicts, deletions, later
// edits), a search made while a first ingest runs finds the members already folded in, and right
// after it the search index holds everyone without being built again. The modules are bundled as
// they are and run in a page of the server's origin (no screen needed).

declare global {
	interface Window {
		ingest: typeof import('./support/read-model-ingest-entry');
	}
}

const LIB = fileURLToPath(new URL('../../src/lib', import.meta.url));
const ENTRY = fileURLToPath(new URL('./support/read-model-ingest-entry.ts', import.meta.url));

let server: TestServer;
let browser: Browser;
let page: Page;

async function bundle(): Promise<string> {
	const result = await build({
		entryPoints: [ENTRY],
		bundle: true,
		format: 'iife',
		globalName: 'ingest',
		platform: 'browser',
		target: 'es2022',
		write: false,
		plugins: [
			{
				name: 'lib-alias',
				setup(b) {
					b.onResolve({ filter: /^\$lib\// }, (args) => {
						const base = `${LIB}/${args.path.slice('$lib/'.length)}`;
						return { path: existsSync(`${base}.ts`) ? `${base}.ts` : `${base}/index.ts` };
					});
				}
			}
		]
	});
	return result.outputFiles[0]!.text;
}

beforeAll(async () => {
	server = await startTestServer();
	const code = await bundle();
	browser = await launchBrowser();
	// The bundle is added as an inline script, which the server's CSP forbids the app itself.
	const context = await browser.newContext({ bypassCSP: true });
	page = await context.newPage();
	await page.goto(`${server.url}/api/health`);
	await page.addScriptTag({ content: code });
}, 120_000);

afterAll(async () => {
	await browser?.close();
	await server?.close();
});

describe('the read model ingest in Chromium', () => {
	it('reads the same documents as PouchDB’s changes feed: winners, conflicts, deletions, edits', async () => {
		const compared = await page.evaluate(() => window.ingest.compareWithChangesFeed());
		// Something of each kind was there to compare.
		expect(compared.kinds).toEqual({ conflicted: 2, deleted: 3, edited: 5, attachment: 1 });
		expect(compared.ours).toEqual(compared.pouch);
		// A page of 7 sequences at a time reads the same as one page.
		expect(compared.paged).toEqual(compared.pouch);
		// A first ingest's bulk read of the revision trees reads the same, an edit made meanwhile
		// included (PouchDB's feed lists the edited document last, as the pages do).
		expect(compared.bulkRead).toBe(true);
		expect(compared.firstIngest).toEqual(compared.afterEdit);
	});

	it('finds members already folded in while a first ingest runs, and everyone right after', async () => {
		const run = await page.evaluate(() => window.ingest.searchDuringFirstIngest(6000));
		// Answered while rows were still arriving: the list is usable before the ingest ends.
		expect(run.duringIngest.rowsWhenAnswered).toBeLessThan(6000);
		expect(run.duringIngest.found).toEqual(['Quách Thị Xuyến']);
		// Right after, before any other search: the index holds every member, built once (when the
		// indexer started, over an empty table), and a search is answered from it.
		expect(run.afterIngest.stateBeforeSearch).toEqual({ ready: true, members: 6000, builds: 1 });
		expect(run.afterIngest.total).toBeGreaterThan(0);
		expect(run.afterIngest.buildsAfterSearch).toBe(1);
	}, 120_000);
});
