import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from '../support/browser';
import { pdfBytes, sha256, uploadFile } from '../support/attachment-fixture';
import { createProvince, signedIn, type SignedIn } from '../support/org-setup';
import { startTestServer, type TestServer } from '../support/test-server';

// The phone's attachment client (src/lib/data/attachments) in Chromium at 360 px against the real
// server, without a screen of its own (the mail screens are built alongside): the module is bundled
// as it is and run in a page of the server's origin. A secretary uploads a PDF with progress; it
// opens from the phone's copy; forgotten, it is fetched, checked and kept again, then opens with the
// network off; a required file of a mail that arrives is kept before it is ever opened; offline, an
// upload says it needs the network; another unit's file is not found.

declare global {
	interface Window {
		attachments: typeof import('../../src/lib/data/attachments');
	}
}

const LIB = fileURLToPath(new URL('../../src/lib', import.meta.url));

let server: TestServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let secretary: SignedIn;
let sibling: SignedIn;
let bundle: string;

async function bundleClient(): Promise<string> {
	const result = await build({
		entryPoints: [`${LIB}/data/attachments/index.ts`],
		bundle: true,
		format: 'iife',
		globalName: 'attachments',
		platform: 'browser',
		target: 'es2022',
		write: false,
		plugins: [
			{
				name: 'lib-alias',
				setup(b) {
					b.onResolve({ filter: /^\$lib\// }, (args) => ({
						path: `${LIB}/${args.path.slice('$lib/'.length)}.ts`
					}));
				}
			}
		]
	});
	return result.outputFiles[0]!.text;
}

beforeAll(async () => {
	server = await startTestServer();
	const top = await createProvince(server, 'Tỉnh đoàn Tệp Trên Máy');
	const commune = await server.createUnitWithAccount({ parentId: top.unit.id, name: 'Xã Có Tệp' });
	secretary = await signedIn(server, commune);
	sibling = await signedIn(
		server,
		await server.createUnitWithAccount({ parentId: top.unit.id, name: 'Xã Khác' })
	);
	bundle = await bundleClient();
	browser = await launchBrowser();
	// The page is one of the server's own (its health check): the module runs in the app's origin,
	// with the device cookie the sign-in sets. The bundle is added as an inline script, which the
	// server's CSP forbids the app itself, hence bypassCSP for this harness only.
	context = await browser.newContext({
		viewport: { width: 360, height: 740 },
		deviceScaleFactor: 2,
		isMobile: true,
		hasTouch: true,
		locale: 'vi-VN',
		timezoneId: 'Asia/Ho_Chi_Minh',
		bypassCSP: true
	});
	page = await context.newPage();
	await page.goto(`${server.url}/api/health`);
	const status = await page.evaluate(
		async (account) =>
			(
				await fetch('/api/session', {
					method: 'POST',
					headers: { 'content-type': 'application/json' },
					body: JSON.stringify(account)
				})
			).status,
		{ login: secretary.login, password: secretary.password }
	);
	expect(status).toBe(200);
	await page.addScriptTag({ content: bundle });
});

afterAll(async () => {
	await context?.close();
	await browser?.close();
	await server?.close();
});

/** A PDF made in the page (bytes from a seed, so Node can compute the same hash). */
function makePdfInPage(size: number, seed: number) {
	return page.evaluate(
		async ({ size, seed }) => {
			const bytes = new Uint8Array(size);
			bytes.set(new TextEncoder().encode('%PDF-1.7\n'));
			let x = seed;
			for (let i = 9; i < size; i++) {
				x = (x * 1103515245 + 12345) >>> 0;
				bytes[i] = x >>> 24;
			}
			const digest = await crypto.subtle.digest('SHA-256', bytes);
			(window as unknown as { pdf: File }).pdf = new File([bytes], 'Kế hoạch 15-KH.pdf', {
				type: 'application/pdf'
			});
			return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
		},
		{ size, seed }
	);
}

describe('attachments on a phone', () => {
	let uploaded: { id: string; name: string; type: string; size: number };

	it('uploads a PDF with progress, and it is kept on the phone', async () => {
		const hash = await makePdfInPage(600_000, 7);
		const result = await page.evaluate(async () => {
			const fractions: number[] = [];
			const ref = await window.attachments.uploadAttachment(
				(window as unknown as { pdf: File }).pdf,
				{ onProgress: (p) => fractions.push(p.fraction) }
			);
			return { ref, fractions, state: await window.attachments.attachmentState(ref) };
		});
		uploaded = result.ref;
		expect(uploaded).toEqual({
			id: hash,
			name: 'Kế hoạch 15-KH.pdf',
			type: 'application/pdf',
			size: 600_000
		});
		expect(result.fractions.at(-1)).toBe(1);
		expect(result.state).toBe('kept');
		const doc = await server.couch.getDoc({ db: server.provision.names.files, id: `file:${hash}` });
		expect(doc).toBeDefined();
	});

	it('opens from the server once, then with the network off', async () => {
		const fetched = await page.evaluate(async (ref) => {
			await window.attachments.forgetAttachments();
			const before = await window.attachments.attachmentState(ref);
			const opened = await window.attachments.openAttachment(ref);
			return {
				before,
				fromCache: opened.fromCache,
				size: opened.blob.size,
				type: opened.blob.type,
				after: await window.attachments.attachmentState(ref)
			};
		}, uploaded);
		expect(fetched).toEqual({
			before: 'not-kept',
			fromCache: false,
			size: 600_000,
			type: 'application/pdf',
			after: 'kept'
		});

		await context.setOffline(true);
		try {
			const offline = await page.evaluate(async (ref) => {
				const opened = await window.attachments.openAttachment(ref);
				const digest = await crypto.subtle.digest('SHA-256', await opened.blob.arrayBuffer());
				return {
					online: navigator.onLine,
					fromCache: opened.fromCache,
					hash: [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join(''),
					url: opened.url.startsWith('blob:')
				};
			}, uploaded);
			expect(offline).toEqual({ online: false, fromCache: true, hash: uploaded.id, url: true });

			const refused = await page.evaluate(async () => {
				try {
					await window.attachments.uploadAttachment((window as unknown as { pdf: File }).pdf);
					return 'uploaded';
				} catch (error) {
					return (error as Error).message;
				}
			});
			expect(refused).toContain('Cần có mạng để tải tệp lên');
		} finally {
			await context.setOffline(false);
		}
	});

	it('keeps a required file of an arriving mail before it is opened', async () => {
		// A file the province sent: uploaded by the commune itself here (a reader either way).
		const bytes = pdfBytes(200_000);
		const res = await uploadFile(server, { cookie: secretary.cookie, bytes, name: 'Giấy mời.pdf' });
		expect(res.status).toBe(201);
		const required = {
			id: sha256(bytes),
			name: 'Giấy mời.pdf',
			type: 'application/pdf',
			size: bytes.length,
			required: true
		};
		const optional = { ...uploaded, required: false };
		const kept = await page.evaluate(
			async (refs) => {
				await window.attachments.forgetAttachments();
				const result = await window.attachments.keepAttachments(refs);
				return {
					...result,
					states: await Promise.all(refs.map((ref) => window.attachments.attachmentState(ref)))
				};
			},
			[required, optional]
		);
		expect(kept).toEqual({ kept: [required.id], failed: [], states: ['kept', 'not-kept'] });

		await context.setOffline(true);
		try {
			const opened = await page.evaluate(async (ref) => {
				const file = await window.attachments.openAttachment(ref);
				return { fromCache: file.fromCache, size: file.blob.size };
			}, required);
			expect(opened).toEqual({ fromCache: true, size: bytes.length });
			const notKept = await page.evaluate(async (ref) => {
				try {
					await window.attachments.openAttachment(ref);
					return 'opened';
				} catch (error) {
					return (error as Error).message;
				}
			}, optional);
			expect(notKept).toContain('chưa được lưu trên máy');
		} finally {
			await context.setOffline(false);
		}
	});

	it('says so for a file too large, and for another unit’s file', async () => {
		const bytes = pdfBytes(10_000);
		const res = await uploadFile(server, { cookie: sibling.cookie, bytes });
		expect(res.status).toBe(201);
		const messages = await page.evaluate(async (id) => {
			const tooLarge = await window.attachments
				.uploadAttachment(new File([new Uint8Array(20 * 1024 * 1024)], 'lớn.pdf'))
				.catch((error: Error) => error.message);
			const other = await window.attachments
				.openAttachment({ id, name: 'x.pdf', type: 'application/pdf' })
				.catch((error: Error) => error.message);
			return { tooLarge, other };
		}, sha256(bytes));
		expect(messages.tooLarge).toMatch(/^Tệp quá lớn \(20 MB\)/);
		expect(messages.other).toContain('Không tìm thấy tệp đính kèm');
	});
});
