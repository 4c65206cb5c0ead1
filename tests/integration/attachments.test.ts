import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileStore, type FileDoc } from '../../server/attachments/file-store';
import type { UnitRecord } from '../../server/couch/provision-service';
import { pdfBytes, sha256, uploadFile, type UploadAnswer } from '../support/attachment-fixture';
import { createProvince, signedIn, type SignedIn } from '../support/org-setup';
import { startTestServer, type TestServer } from '../support/test-server';

// Attachments of mail (docs/decisions/0021-mail-between-units.md, "Attachments") against the real
// server: a commune's secretary uploads a scanned directive of 5 MB and gets back the very bytes;
// the same file uploaded again (by her or by another unit) is stored once, with the second unit
// added to its readers; the province above reads it, a sibling commune does not.

let server: TestServer;
let province: UnitRecord;
let provinceAdmin: SignedIn;
let commune: UnitRecord;
let secretary: SignedIn;
let deputy: SignedIn;
let other: { unit: UnitRecord; secretary: SignedIn };

function fileDoc(id: string) {
	return server.couch.getDoc<FileDoc>({ db: server.provision.names.files, id: `file:${id}` });
}

beforeAll(async () => {
	server = await startTestServer();
	const top = await createProvince(server, 'Tỉnh đoàn Tệp Đính Kèm');
	province = top.unit;
	provinceAdmin = await signedIn(server, top);
	const created = await server.createUnitWithAccount({ parentId: province.id, name: 'Xã Tân Phú' });
	commune = created.unit;
	secretary = await signedIn(server, created);
	deputy = await signedIn(
		server,
		await server.createAccountIn({ unitId: commune.id, role: 'deputy' })
	);
	const sibling = await server.createUnitWithAccount({
		parentId: province.id,
		name: 'Xã Thanh Sơn'
	});
	other = { unit: sibling.unit, secretary: await signedIn(server, sibling) };
});

afterAll(async () => {
	await server?.close();
});

describe('a 5 MB scanned directive', () => {
	const bytes = pdfBytes(5 * 1024 * 1024);
	const id = sha256(bytes);

	it('is uploaded and comes back byte for byte, with the headers of a download', async () => {
		const res = await uploadFile(server, {
			cookie: secretary.cookie,
			bytes,
			name: 'Công văn 15-CV/TĐTN'.replace('/', '-') + '.pdf'
		});
		expect(res.status).toBe(201);
		const answer = (await res.json()) as UploadAnswer;
		expect(answer).toEqual({
			id,
			name: 'Công văn 15-CV-TĐTN.pdf',
			type: 'application/pdf',
			size: bytes.length
		});

		const download = await server.request(`/api/attachments/${id}`, { cookie: secretary.cookie });
		expect(download.status).toBe(200);
		expect(download.headers.get('content-type')).toBe('application/pdf');
		expect(download.headers.get('x-content-type-options')).toBe('nosniff');
		expect(download.headers.get('content-security-policy')).toContain('sandbox');
		expect(download.headers.get('cache-control')).toBe('private, max-age=31536000, immutable');
		expect(download.headers.get('content-disposition')).toContain(
			`filename*=UTF-8''${encodeURIComponent('Công văn 15-CV-TĐTN.pdf')}`
		);
		const back = Buffer.from(await download.arrayBuffer());
		expect(back.length).toBe(bytes.length);
		expect(sha256(back)).toBe(id);

		const doc = await fileDoc(id);
		expect(doc).toMatchObject({
			type: 'file',
			mediaType: 'application/pdf',
			size: bytes.length,
			readers: [commune.id],
			uploadedBy: secretary.login
		});
		const entries = await server.audit.listFor({ id: `file:${id}`, type: 'file' });
		expect(entries.map((entry) => entry.action)).toEqual(['attachment.upload']);
		expect(JSON.stringify(entries)).not.toContain('Công văn');
	});

	it('is stored once when uploaded again, and another unit uploading it becomes a reader', async () => {
		const before = await fileDoc(id);
		const again = await uploadFile(server, { cookie: deputy.cookie, bytes, name: 'Bản sao.pdf' });
		expect(again.status).toBe(201);
		expect(((await again.json()) as UploadAnswer).id).toBe(id);
		const same = await fileDoc(id);
		expect(same?._rev).toBe(before?._rev); // nothing written: the unit was a reader already

		// The sibling cannot read it until it uploads the same bytes itself.
		const refused = await server.request(`/api/attachments/${id}`, {
			cookie: other.secretary.cookie
		});
		expect(refused.status).toBe(404);
		const theirs = await uploadFile(server, { cookie: other.secretary.cookie, bytes });
		expect(theirs.status).toBe(201);
		const doc = await fileDoc(id);
		expect(doc?.readers).toEqual([commune.id, other.unit.id]);
		expect(doc?.uploadedBy).toBe(secretary.login);
		const read = await server.request(`/api/attachments/${id}`, { cookie: other.secretary.cookie });
		expect(read.status).toBe(200);
		expect(sha256(Buffer.from(await read.arrayBuffer()))).toBe(id);

		// One document in the store for these bytes.
		const rows = await server.couch.allDocs({
			db: server.provision.names.files,
			startkey: 'file:',
			endkey: 'file:\ufff0'
		});
		expect(rows.filter((row) => row.id === `file:${id}`)).toHaveLength(1);
	});

	it('is read by the province above its readers', async () => {
		const res = await server.request(`/api/attachments/${id}`, { cookie: provinceAdmin.cookie });
		expect(res.status).toBe(200);
		expect(Buffer.from(await res.arrayBuffer()).length).toBe(bytes.length);
	});
});

describe('readers added by the post office', () => {
	it('let a recipient unit read a file its sender uploaded', async () => {
		const bytes = pdfBytes(20_000);
		const id = sha256(bytes);
		const res = await uploadFile(server, { cookie: provinceAdmin.cookie, bytes });
		expect(res.status).toBe(201);
		expect(
			(await server.request(`/api/attachments/${id}`, { cookie: secretary.cookie })).status
		).toBe(404);
		// What the post office does before it delivers a mail to these two units.
		const store = new FileStore({
			couch: server.couch,
			db: server.provision.names.files,
			units: (unitId) => server.provision.getUnit(unitId)
		});
		expect(await store.addReaders(id, [commune.id, other.unit.id])).toBe(true);
		const read = await server.request(`/api/attachments/${id}`, { cookie: secretary.cookie });
		expect(read.status).toBe(200);
		expect(sha256(Buffer.from(await read.arrayBuffer()))).toBe(id);
	});

	it('uploads of the same bytes at the same moment end in one document with every reader', async () => {
		const bytes = pdfBytes(50_000);
		const id = sha256(bytes);
		const answers = await Promise.all(
			[secretary, other.secretary, provinceAdmin].map((who) =>
				uploadFile(server, { cookie: who.cookie, bytes })
			)
		);
		expect(answers.map((res) => res.status)).toEqual([201, 201, 201]);
		const doc = await fileDoc(id);
		expect(new Set(doc?.readers)).toEqual(new Set([commune.id, other.unit.id, province.id]));
	});
});
