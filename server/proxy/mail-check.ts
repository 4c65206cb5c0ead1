import * as v from 'valibot';
import type { CouchClient } from '../couch/couch-client';
import type { UnitRecord } from '../couch/provision-service';
import { MailDocSchema } from '../../src/lib/domain/mail';
import { isReader, readFileDoc } from '../workers/file-readers';
import { mailRecipientRefusal } from '../workers/mail-recipients';
import { isRecord } from './citizen-id-check';

// The write guard's check of mail (docs/decisions/0021-mail-between-units.md): a new `mail:`
// document must match its schema, name only recipients its kind may reach (mail-recipients.ts), and
// attach only files its own unit may read — uploaded from it, or received by it — so nobody gains
// read access to a file by naming its hash in a mail: the post office adds a mail's recipients to
// its files' readers. The device learns at once, in Vietnamese, why its mail was refused (the post
// office asks about the recipients again before delivering). Deletions and other documents pass on
// to validate_doc_update, which refuses changing or deleting a sent mail.

export const ATTACHMENT_NOT_UPLOADED = 'Tệp đính kèm chưa được tải lên từ đơn vị này.';

export async function mailRefusals(options: {
	unitId: string;
	docs: unknown[];
	units: (id: string) => Promise<UnitRecord | undefined>;
	couch: CouchClient;
	filesDb: string;
}): Promise<Map<number, string>> {
	const refused = new Map<number, string>();
	for (const [index, doc] of options.docs.entries()) {
		if (!isRecord(doc) || doc._deleted === true) continue;
		const id = typeof doc._id === 'string' ? doc._id : '';
		if (doc.type !== 'mail' && !id.startsWith('mail:')) continue;
		const reason = await refusalOf(doc, options);
		if (reason) refused.set(index, reason);
	}
	return refused;
}

async function refusalOf(
	doc: Record<string, unknown>,
	options: {
		unitId: string;
		units: (id: string) => Promise<UnitRecord | undefined>;
		couch: CouchClient;
		filesDb: string;
	}
): Promise<string | undefined> {
	const parsed = v.safeParse(MailDocSchema, doc);
	if (!parsed.success) return `Thư không hợp lệ: ${parsed.issues[0].message}`;
	const mail = parsed.output;
	if (mail.unitId !== options.unitId) return undefined; // validate_doc_update refuses it
	if (mail.kind === 'directive' && !mail.directive) {
		return 'Văn bản chỉ đạo cần loại, số, ngày và trích yếu của văn bản.';
	}
	if (mail.kind === 'meeting' && !mail.meeting) return 'Giấy mời họp cần thời gian họp.';
	const sender = await options.units(options.unitId);
	if (!sender) return undefined; // a database the directory does not know: CouchDB refuses it
	for (const recipientId of mail.recipients) {
		const reason = mailRecipientRefusal({
			kind: mail.kind,
			sender,
			recipient: await options.units(recipientId)
		});
		if (reason) return reason;
	}
	for (const attachment of mail.attachments ?? []) {
		const file = await readFileDoc({
			couch: options.couch,
			filesDb: options.filesDb,
			sha256: attachment.id
		});
		if (!file || !isReader(file, options.unitId)) return ATTACHMENT_NOT_UPLOADED;
	}
	return undefined;
}
