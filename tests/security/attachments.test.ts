import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UnitRecord } from '../../server/couch/provision-service';
import {
	ATTACHMENT_MAX_BYTES,
	ATTACHMENT_TYPE_MESSAGE
} from '../../src/lib/domain/mail/attachments';
import { pdfBytes, sha256, uploadFile } from '../support/attachment-fixture';
import {
	createCommuneWithPeople,
	createProvince,
	signedIn,
	type SignedIn
} from '../support/org-setup';
import { startTestServer, type TestServer } from '../support/test-server';
import { expectAlive, expectRefused, expectRefusedResponse } from './support/attack-log';

// Attacks on the attachment API (docs/decisions/0021-mail-between-units.md, "Attachments"): files
// too large or of the wrong kind, programs in disguise, names that are paths, accounts that may not
// upload or read, addresses that are not a file's, methods the API does not have, and pages on
// other sites. Each is refused, nothing is stored, and the server still answers afterwards.

let server: TestServer;
let province: { unit: UnitRecord; admin: SignedIn };
let people: Awaited<ReturnType<typeof createCommuneWithPeople>>['people'];
let sibling: SignedIn;
let stored: { id: string; bytes: Buffer };

async function fileCount(): Promise<number> {
	const rows = await server.couch.allDocs({
		db: server.provision.names.files,
		startkey: 'file:',
		endkey: 'file:\ufff0'
	});
	return rows.length;
}

beforeAll(async () => {
	server = await startTestServer({
		attachmentUploadLimits: { perLogin: 40, perIp: 0, windowMs: 60 * 60_000 }
	});
	const top = await createProvince(server, 'Tỉnh đoàn Tấn Công Tệp');
	province = { unit: top.unit, admin: await signedIn(server, top) };
	const created = await createCommuneWithPeople(server, {
		parentId: top.unit.id,
		name: 'Xã Bị Thử'
	});
	people = created.people;
	sibling = await signedIn(
		server,
		await server.createUnitWithAccount({ parentId: top.unit.id, name: 'Xã Bên Cạnh' })
	);
	const bytes = pdfBytes(30_000);
	const res = await uploadFile(server, { cookie: people.secretary.cookie, bytes });
	expect(res.status).toBe(201);
	stored = { id: sha256(bytes), bytes };
});

afterAll(async () => {
	await expectAlive(server.url);
	await server?.close();
});

describe('uploads the server must refuse', () => {
	it('a 20 MB file, declared or streamed, with the Vietnamese message and nothing stored', async () => {
		const before = await fileCount();
		const big = pdfBytes(20 * 1024 * 1024);
		const declared = await uploadFile(server, { cookie: people.secretary.cookie, bytes: big });
		await expectRefusedResponse('20 MB upload with Content-Length', declared, [413]);
		const reason = ((await declared.json()) as { reason: string }).reason;
		expect(reason).toMatch(/^Tệp quá lớn \(20 MB\): mỗi tệp đính kèm tối đa 10 MB/);

		// No length announced: the bytes are counted as they arrive and the upload is cut.
		const chunks = (function* () {
			for (let at = 0; at < big.length; at += 256 * 1024) yield big.subarray(at, at + 256 * 1024);
		})();
		const streamed = await server
			.request('/api/attachments', {
				method: 'POST',
				cookie: people.secretary.cookie,
				headers: {
					'content-type': 'application/pdf',
					'x-file-name': encodeURIComponent('lớn.pdf')
				},
				body: new ReadableStream({
					pull(controller) {
						const next = chunks.next();
						if (next.done) controller.close();
						else controller.enqueue(new Uint8Array(next.value));
					}
				}),
				duplex: 'half'
			} as RequestInit)
			.catch((error: unknown) => error);
		if (streamed instanceof Response) {
			await expectRefusedResponse('20 MB upload streamed without a length', streamed, [413]);
			expect(((await streamed.json()) as { reason: string }).reason).toContain('Tệp quá lớn');
		} else {
			// The connection was closed under a client still sending: refused all the same.
			expectRefused('20 MB upload streamed without a length', true, String(streamed));
		}
		expect(await fileCount()).toBe(before);
		const justOver = await uploadFile(server, {
			cookie: people.secretary.cookie,
			bytes: pdfBytes(ATTACHMENT_MAX_BYTES + 1)
		});
		await expectRefusedResponse('upload one byte over the limit', justOver, [413]);
		expect(await fileCount()).toBe(before);
	});

	it('a type outside the list, a disguised program, a compressed body, a form', async () => {
		const before = await fileCount();
		const exe = Buffer.concat([
			Buffer.from('MZ\x90\x00', 'latin1'),
			pdfBytes(4000)
		] as Uint8Array[]);
		const attempts: [string, Parameters<typeof uploadFile>[1]][] = [
			[
				'an .exe as application/x-msdownload',
				{ bytes: exe, type: 'application/x-msdownload', name: 'setup.exe' }
			],
			[
				'HTML as text/html',
				{ bytes: Buffer.from('<script>alert(1)</script>'), type: 'text/html', name: 'a.html' }
			],
			[
				'SVG (scripts inside)',
				{ bytes: Buffer.from('<svg onload="alert(1)"/>'), type: 'image/svg+xml', name: 'a.svg' }
			],
			['no content type', { bytes: pdfBytes(2000), type: '', name: 'a.pdf' }]
		];
		for (const [name, options] of attempts) {
			const res = await uploadFile(server, { cookie: people.secretary.cookie, ...options });
			await expectRefusedResponse(`upload ${name}`, res, [415]);
			expect(((await res.json()) as { reason: string }).reason).toBe(ATTACHMENT_TYPE_MESSAGE);
		}
		const disguised: [string, Buffer, string][] = [
			['an .exe renamed .pdf', exe, 'application/pdf'],
			['an .exe declared as a JPEG', exe, 'image/jpeg'],
			['a PDF declared as a PNG', pdfBytes(3000), 'image/png'],
			[
				'HTML declared as .docx',
				Buffer.from('<html><script>x</script></html>'),
				'application/vnd.openxmlformats-officedocument.wordprocessingml.document'
			],
			[
				'a RIFF that is not WebP',
				Buffer.from('RIFF\x10\x00\x00\x00AVI LIST', 'latin1'),
				'image/webp'
			]
		];
		for (const [name, bytes, type] of disguised) {
			const res = await uploadFile(server, {
				cookie: people.secretary.cookie,
				bytes,
				type,
				name: 'x.pdf'
			});
			await expectRefusedResponse(`upload ${name}`, res, [415]);
			expect(((await res.json()) as { reason: string }).reason).toContain('không đúng loại');
		}
		const gzipped = await uploadFile(server, {
			cookie: people.secretary.cookie,
			bytes: gzipSync(pdfBytes(5000) as Uint8Array),
			headers: { 'content-encoding': 'gzip' }
		});
		await expectRefusedResponse('upload with Content-Encoding gzip', gzipped, [415]);
		const form = await server.request('/api/attachments', {
			method: 'POST',
			cookie: people.secretary.cookie,
			headers: { 'content-type': 'multipart/form-data; boundary=x' },
			body: '--x\r\nContent-Disposition: form-data; name="f"; filename="a.pdf"\r\n\r\n%PDF-1\r\n--x--'
		});
		await expectRefusedResponse('upload as a multipart form', form, [415]);
		const spelt = await server.request('/API/Attachments', {
			method: 'POST',
			cookie: people.secretary.cookie,
			headers: { 'content-type': 'application/pdf', 'x-file-name': 'a.pdf' },
			body: pdfBytes(2000) as Uint8Array<ArrayBuffer>
		});
		await expectRefusedResponse('upload to /API/Attachments (another spelling)', spelt, [415]);
		expect(await fileCount()).toBe(before);
	});

	it('names that are paths or hide characters', async () => {
		const before = await fileCount();
		const names: [string, string][] = [
			['../', encodeURIComponent('../../etc/passwd.pdf')],
			['a backslash', encodeURIComponent('..\\..\\win.pdf')],
			['a NUL', encodeURIComponent('a\u0000.pdf')],
			['a newline', encodeURIComponent('a\r\nSet-Cookie: x=1.pdf')],
			['a right-to-left override', encodeURIComponent('hoa\u202Efdp.exe')],
			['201 characters', encodeURIComponent(`${'a'.repeat(197)}.pdf`)],
			['broken percent-encoding', '%E0%A4%A.pdf'],
			['only dots', '..'],
			['nothing', '']
		];
		for (const [name, header] of names) {
			const res = await uploadFile(server, {
				cookie: people.secretary.cookie,
				bytes: pdfBytes(2000),
				headers: { 'x-file-name': header }
			});
			await expectRefusedResponse(`upload named with ${name}`, res, [400]);
		}
		expect(await fileCount()).toBe(before);
	});

	it('a viewer, no cookie, a page on another site', async () => {
		const before = await fileCount();
		const bytes = pdfBytes(3000);
		await expectRefusedResponse(
			'upload by a viewer',
			await uploadFile(server, { cookie: people.viewer.cookie, bytes }),
			[403]
		);
		await expectRefusedResponse(
			'upload without a cookie',
			await uploadFile(server, { bytes }),
			[401]
		);
		await expectRefusedResponse(
			'upload with a forged cookie',
			await uploadFile(server, { cookie: 'dv_session=forged.forged', bytes }),
			[401]
		);
		for (const headers of <Record<string, string>[]>[
			{ origin: 'https://evil.example' },
			{ 'sec-fetch-site': 'cross-site' },
			{ 'sec-fetch-site': 'same-site', origin: 'https://other.doanvu.example' }
		]) {
			const res = await uploadFile(server, { cookie: people.secretary.cookie, bytes, headers });
			await expectRefusedResponse(
				`cross-site upload (${Object.keys(headers).join(', ')})`,
				res,
				[403]
			);
		}
		expect(await fileCount()).toBe(before);
	});

	it('more uploads an hour than the limit', async () => {
		const deputy = people.deputy;
		let refused: Response | undefined;
		for (let i = 0; i < 41 && !refused; i++) {
			const res = await uploadFile(server, { cookie: deputy.cookie, bytes: pdfBytes(1000) });
			if (res.status !== 201) refused = res;
		}
		expect(refused).toBeDefined();
		await expectRefusedResponse('the 41st upload within an hour', refused!, [429]);
		expect(refused!.headers.get('retry-after')).toMatch(/^\d+$/);
	});
});

describe('downloads the server must refuse', () => {
	it('another unit’s account gets the answer of a missing file; the province reads it', async () => {
		const res = await server.request(`/api/attachments/${stored.id}`, { cookie: sibling.cookie });
		await expectRefusedResponse('download by a sibling unit', res, [404]);
		const missing = await server.request(`/api/attachments/${'0'.repeat(64)}`, {
			cookie: sibling.cookie
		});
		expect(missing.status).toBe(404);
		expect(await res.json()).toEqual(await missing.json());
		await expectRefusedResponse(
			'download without a cookie',
			await server.request(`/api/attachments/${stored.id}`),
			[401]
		);
		const ancestor = await server.request(`/api/attachments/${stored.id}`, {
			cookie: province.admin.cookie
		});
		expect(ancestor.status).toBe(200);
		expect(sha256(Buffer.from(await ancestor.arrayBuffer()))).toBe(stored.id);
		const viewer = await server.request(`/api/attachments/${stored.id}`, {
			cookie: people.viewer.cookie
		});
		expect(viewer.status).toBe(200); // a viewer of the unit reads its mail's files
		await viewer.arrayBuffer();
	});

	it('addresses that are not a file’s', async () => {
		const tricks = [
			'..',
			'..%2F..%2Fdoanvu_accounts',
			'%2E%2E%2F_all_docs',
			`${stored.id}%2Fcontent`,
			`${stored.id}/content`,
			stored.id.toUpperCase(),
			stored.id.slice(0, 63),
			`${stored.id}0`,
			`file:${stored.id}`,
			`file%3A${stored.id}`,
			`${stored.id}%00`,
			'_all_docs'
		];
		for (const trick of tricks) {
			const res = await server.request(`/api/attachments/${trick}`, {
				cookie: province.admin.cookie
			});
			await expectRefusedResponse(`download /api/attachments/${trick}`, res, [404]);
		}
	});

	it('methods the API does not have', async () => {
		const url = `/api/attachments/${stored.id}`;
		const head = await server.request(url, { method: 'HEAD', cookie: people.secretary.cookie });
		await expectRefusedResponse('HEAD of an attachment', head, [405]);
		for (const method of ['PUT', 'DELETE', 'PATCH']) {
			const res = await server.request(url, { method, cookie: people.secretary.cookie });
			await expectRefusedResponse(`${method} of an attachment`, res, [405]);
		}
		const put = await server.request(url, {
			method: 'PUT',
			cookie: people.secretary.cookie,
			headers: { 'content-type': 'application/pdf' },
			body: pdfBytes(2000) as Uint8Array<ArrayBuffer>
		});
		await expectRefusedResponse('PUT of other bytes over an attachment', put, [405, 415]);
		const list = await server.request('/api/attachments', { cookie: province.admin.cookie });
		await expectRefusedResponse('GET the list of attachments', list, [405]);
		// Still the same bytes.
		const read = await server.request(url, { cookie: people.secretary.cookie });
		expect(sha256(Buffer.from(await read.arrayBuffer()))).toBe(stored.id);
	});

	it('the file store itself, through /couch', async () => {
		const db = server.provision.names.files;
		for (const who of [people.secretary, province.admin]) {
			const res = await server.request(`/couch/${db}/file:${stored.id}/content`, {
				cookie: who.cookie
			});
			await expectRefusedResponse(`GET /couch/${db} as ${who.login}`, res, [401, 403, 404]);
		}
	});
});

describe('what is kept of an upload', () => {
	it('names nor bytes in the request log', async () => {
		const lines: string[] = [];
		const logged = await startTestServer({ log: true });
		const write = process.stdout.write.bind(process.stdout);
		// Captured, not echoed: the log lines are what is asserted.
		process.stdout.write = ((chunk: string | Uint8Array) => {
			lines.push(String(chunk));
			return true;
		}) as typeof process.stdout.write;
		try {
			const unit = await logged.createUnitWithAccount({ name: 'Xã Nhật Ký' });
			const who = await signedIn(logged, unit);
			const res = await uploadFile(logged, {
				cookie: who.cookie,
				bytes: pdfBytes(4000),
				name: 'Danh sách kỷ luật Nguyễn Văn A.pdf'
			});
			expect(res.status).toBe(201);
		} finally {
			process.stdout.write = write;
			await logged.close();
		}
		const text = lines.join('');
		expect(text).toContain('/api/attachments');
		expectRefused(
			'a file name in the request log',
			!text.includes('Nguy') &&
				!text.includes(encodeURIComponent('Nguyễn')) &&
				!text.includes('%PDF'),
			text.slice(0, 300)
		);
	});
});
