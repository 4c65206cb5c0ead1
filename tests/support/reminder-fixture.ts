import type { ReminderDoc, ReminderReceiptDoc } from '../../src/lib/domain/reminders';
import { ulid } from '../../server/ulid';
import type { TestServer } from './test-server';

// Reminder documents as a device writes them (src/lib/domain/reminders), and their writes through
// the /couch proxy with a device cookie, as the app's sync does.

export function reminderDoc(options: {
	unitId: string;
	login: string;
	recipients: string[];
	text?: string;
	deadline?: string;
}): ReminderDoc {
	const at = new Date().toISOString();
	return {
		_id: `reminder:${ulid()}`,
		type: 'reminder',
		v: 1,
		unitId: options.unitId,
		text: options.text ?? 'Đề nghị các đơn vị cập nhật hồ sơ đoàn viên trước cuối tháng.',
		...(options.deadline ? { deadline: options.deadline } : {}),
		recipients: options.recipients,
		fromName: 'Tỉnh đoàn',
		createdAt: at,
		createdBy: options.login,
		updatedAt: at,
		updatedBy: options.login
	};
}

export function receiptDoc(options: {
	unitId: string;
	login: string;
	fromUnitId: string;
	reminderId: string;
	read?: boolean;
	rev?: string;
}): ReminderReceiptDoc {
	const at = new Date().toISOString();
	return {
		_id: `reminder-receipt:${options.fromUnitId}:${options.reminderId}`,
		...(options.rev ? { _rev: options.rev } : {}),
		type: 'reminder-receipt',
		v: 1,
		unitId: options.unitId,
		reminderId: options.reminderId,
		fromUnitId: options.fromUnitId,
		receivedAt: at,
		...(options.read ? { readAt: at, readBy: options.login } : {}),
		createdAt: at,
		createdBy: options.login,
		updatedAt: at,
		updatedBy: options.login
	};
}

/** PUT /couch/<db>/<id> with a device cookie. */
export function putThroughProxy(
	server: TestServer,
	options: { db: string; doc: { _id: string } & Record<string, unknown>; cookie: string }
): Promise<Response> {
	return server.request(`/couch/${options.db}/${encodeURIComponent(options.doc._id)}`, {
		method: 'PUT',
		cookie: options.cookie,
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify(options.doc)
	});
}
