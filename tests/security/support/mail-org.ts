import type { MailStatusDoc } from '../../../src/lib/domain/mail';
import { until } from '../../support/org-api';
import { mailDoc, mailIdOf, putFileDoc } from '../../support/mail-fixture';
import { couch, startOrg, type Actor, type Org } from './org-fixture';

// The organisation of the mail attack tests (mail-access, mail-sending): the security org
// (org-fixture.ts) where the province has sent a directive, carrying a file it uploaded, to commune A
// only — delivered before the tests start. Two more files: one uploaded by the other province, and
// one named by its hash but never uploaded.

export const SHA_PROVINCE = 'b'.repeat(64);
export const SHA_OTHER = 'c'.repeat(64);
export const SHA_MISSING = 'd'.repeat(64);

export interface MailOrg {
	org: Org;
	mailId: string;
	/** Text that appears only in the directive. */
	marker: string;
	ids: { mail: string; status: string; copy: string; receipt: string };
	statusDoc(): Promise<MailStatusDoc | undefined>;
	/** PUT /couch/<db>/<id> as the actor. */
	put(actor: Actor, db: string, doc: { _id: string } & Record<string, unknown>): Promise<Response>;
}

export function attachment(sha256: string) {
	return { id: sha256, name: 'van-ban.pdf', type: 'application/pdf', size: 2048 };
}

export async function startMailOrg(): Promise<MailOrg> {
	const org = await startOrg();
	const marker = `Thư${Math.random().toString(36).slice(2, 10)}`;
	const province = org.units.province.unit;
	await putFileDoc(org.server, { sha256: SHA_PROVINCE, readers: [province.id] });
	await putFileDoc(org.server, { sha256: SHA_OTHER, readers: [org.units.otherProvince.unit.id] });
	const mail = mailDoc({
		unitId: province.id,
		login: org.logins.provinceAdmin,
		kind: 'directive',
		subject: `Văn bản chỉ đạo ${marker}`,
		recipients: [org.units.communeA.unit.id],
		attachments: [attachment(SHA_PROVINCE)]
	});
	const mailId = mailIdOf(mail);
	const ids = {
		mail: `mail:${mailId}`,
		status: `mail-status:${mailId}`,
		copy: `mail-received:${province.id}:${mailId}`,
		receipt: `mail-receipt:${province.id}:${mailId}`
	};
	const put: MailOrg['put'] = (actor, db, doc) =>
		couch(org.server, `/${db}/${encodeURIComponent(doc._id)}`, {
			method: 'PUT',
			cookie: org.cookies[actor],
			body: doc
		});
	const statusDoc = () =>
		org.server.couch.getDoc<MailStatusDoc>({ db: province.db, id: ids.status });
	const sent = await put('provinceAdmin', province.db, mail);
	if (sent.status !== 201) throw new Error(`the directive was refused: ${sent.status}`);
	await until(async () => (await statusDoc())?.recipients[org.units.communeA.unit.id]);
	return { org, mailId, marker, ids, statusDoc, put };
}
