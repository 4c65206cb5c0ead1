import type { UnitRecord } from '../../server/couch/provision-service';
import type { FileDoc } from '../../server/workers/file-readers';
import type {
	MailDoc,
	MailKind,
	MailReceiptDoc,
	MailStatusDoc,
	ReceivedMailDoc
} from '../../src/lib/domain/mail';
import { ulid } from '../../server/ulid';
import type { TestServer } from './test-server';

// Mail documents as a device writes them (src/lib/domain/mail, ADR 0021), the file store's record of
// an uploaded attachment as the attachments API writes it, and many units at once for fan-out tests.

export function mailDoc(options: {
	unitId: string;
	login: string;
	recipients: string[];
	kind?: MailKind;
	subject?: string;
	attachments?: MailDoc['attachments'];
	inReplyTo?: MailDoc['inReplyTo'];
}): MailDoc {
	const at = new Date().toISOString();
	const kind = options.kind ?? 'message';
	return {
		_id: `mail:${ulid()}`,
		type: 'mail',
		v: 1,
		unitId: options.unitId,
		kind,
		subject: options.subject ?? 'Triển khai kế hoạch tháng Thanh niên',
		body: 'Đề nghị các đơn vị triển khai và báo cáo kết quả.',
		recipients: options.recipients,
		...(kind === 'directive'
			? {
					directive: {
						docType: 'CV' as const,
						number: '15-CV/TĐTN',
						date: '2026-12-07',
						summary: 'V/v triển khai tháng Thanh niên'
					}
				}
			: {}),
		...(kind === 'meeting'
			? { meeting: { startsAt: '2099-01-10T01:00:00.000Z', place: 'Hội trường Tỉnh đoàn' } }
			: {}),
		...(options.attachments ? { attachments: options.attachments } : {}),
		...(options.inReplyTo ? { inReplyTo: options.inReplyTo } : {}),
		createdAt: at,
		createdBy: options.login,
		updatedAt: at,
		updatedBy: options.login
	};
}

export function mailReceiptDoc(options: {
	unitId: string;
	login: string;
	fromUnitId: string;
	mailId: string;
	rev?: string;
	extra?: Partial<MailReceiptDoc>;
}): MailReceiptDoc {
	const at = new Date().toISOString();
	return {
		_id: `mail-receipt:${options.fromUnitId}:${options.mailId}`,
		...(options.rev ? { _rev: options.rev } : {}),
		type: 'mail-receipt',
		v: 1,
		unitId: options.unitId,
		mailId: options.mailId,
		fromUnitId: options.fromUnitId,
		receivedAt: at,
		createdAt: at,
		createdBy: options.login,
		updatedAt: at,
		updatedBy: options.login,
		...options.extra
	};
}

/** A file as the attachments API records it, uploaded from `readers[0]` (written as the admin). */
export async function putFileDoc(
	server: TestServer,
	options: { sha256: string; readers: string[] }
): Promise<FileDoc> {
	const doc: FileDoc = {
		_id: `file:${options.sha256}`,
		type: 'file',
		name: 'ke-hoach.pdf',
		mediaType: 'application/pdf',
		size: 1024,
		readers: options.readers,
		uploadedBy: 'test',
		uploadedAt: new Date().toISOString()
	};
	await server.couch.putDoc({ db: server.provision.names.files, doc });
	return doc;
}

export function fileDocOf(server: TestServer, sha256: string): Promise<FileDoc | undefined> {
	return server.couch.getDoc<FileDoc>({ db: server.provision.names.files, id: `file:${sha256}` });
}

/** `count` communes under `parentId`, created eight at a time through the real provisioning. */
export async function createUnits(
	server: TestServer,
	options: { parentId: string; count: number; name: string }
): Promise<UnitRecord[]> {
	const units: UnitRecord[] = [];
	for (let i = 0; i < options.count; i += 8) {
		const batch = Array.from({ length: Math.min(8, options.count - i) }, (_, j) =>
			server.provision.createUnit({
				name: `${options.name} ${i + j + 1}`,
				kind: 'doan-xa',
				parentId: options.parentId,
				createdBy: 'test'
			})
		);
		units.push(...(await Promise.all(batch)));
	}
	return units;
}

export async function copiesIn(server: TestServer, unit: UnitRecord): Promise<ReceivedMailDoc[]> {
	const rows = await server.couch.allDocs<ReceivedMailDoc>({
		db: unit.db,
		startkey: 'mail-received:',
		endkey: 'mail-received:\ufff0',
		includeDocs: true
	});
	return rows.flatMap((row) => (row.doc ? [row.doc] : []));
}

export function mailStatusOf(
	server: TestServer,
	unit: UnitRecord,
	mailId: string
): Promise<MailStatusDoc | undefined> {
	return server.couch.getDoc<MailStatusDoc>({ db: unit.db, id: `mail-status:${mailId}` });
}

export function mailIdOf(mail: { _id: string }): string {
	return mail._id.slice('mail:'.length);
}
