import * as v from 'valibot';
import {
	EXPORT_BATCH_MAX,
	ExportLogEntrySchema,
	type ExportLogEntry
} from '$lib/domain/spreadsheets/export-log-schema';
import { ApiError, apiRequest } from '$lib/data/online/api-client';
import { cachedSession } from '$lib/data/session/sign-in';
import { deviceDb, type ExportLogRow } from '$lib/data/store/device-db';
import { ulid } from '$lib/data/ids';

// The exports' log on this phone (docs/spreadsheets.md, "Exports"). A file is made on the phone,
// often offline: the entry is kept in the device's IndexedDB (the `exportLog` table) at once, then
// sent to the audit trail (POST /api/audit/exports) right away when online and again after every
// completed sync until the server has it. The phone's id for the export makes a resend harmless.

/** Sent entries are kept this long, for the phone's own record, then dropped. */
const KEEP_SENT_MS = 180 * 24 * 3_600_000;

/** Keeps an export in the log and tries to send it; returns the entry kept. */
export async function recordExport(options: {
	entry: Omit<ExportLogEntry, 'id' | 'at'>;
	login: string;
	now?: Date;
}): Promise<ExportLogRow> {
	const at = (options.now ?? new Date()).toISOString();
	// The same schema the server applies: an entry the server would refuse is a bug here, not later.
	const entry = v.parse(ExportLogEntrySchema, { ...options.entry, id: ulid(), at });
	const row: ExportLogRow = { ...entry, login: options.login };
	await deviceDb.exportLog.put(row);
	void sendPendingExports().catch(() => undefined);
	return row;
}

/** The signed-in account's entries the server does not have yet, oldest first. */
export async function pendingExports(login: string): Promise<ExportLogRow[]> {
	const rows = await deviceDb.exportLog.where('login').equals(login).sortBy('at');
	return rows.filter((row) => !row.sentAt && !row.refused);
}

function wire(row: ExportLogRow): ExportLogEntry {
	const { login: _login, sentAt: _sent, refused: _refused, ...entry } = row;
	return entry;
}

/** Where the log goes: this site by default; a test names the server and carries the cookie. */
export interface ExportLogRemote {
	origin: string;
	headers?: Record<string, string>;
}

/** Runs one after another: a sync and an export may ask together, and each sends what waits then. */
let queue: Promise<unknown> = Promise.resolve();

/**
 * Sends what waits, in batches; the number sent. Offline, signed out or braked: the entries wait
 * for the next sync. A refusal (403, 422) is kept on the entry, never retried: it would be refused
 * again forever.
 */
export function sendPendingExports(remote?: ExportLogRemote): Promise<number> {
	const run = queue.then(
		() => sendAll(remote),
		() => sendAll(remote)
	);
	queue = run.catch(() => undefined);
	return run;
}

async function sendAll(remote: ExportLogRemote | undefined): Promise<number> {
	const login = (await cachedSession())?.user.login;
	if (!login) return 0;
	const waiting = await pendingExports(login);
	let sent = 0;
	for (let i = 0; i < waiting.length; i += EXPORT_BATCH_MAX) {
		const batch = waiting.slice(i, i + EXPORT_BATCH_MAX);
		const outcome = await sendBatch(batch, remote);
		if (outcome === 'stop') break;
		sent += outcome;
	}
	await deviceDb.exportLog
		.filter((row) => !!row.sentAt && Date.parse(row.sentAt) < Date.now() - KEEP_SENT_MS)
		.delete();
	return sent;
}

async function sendBatch(
	batch: ExportLogRow[],
	remote: ExportLogRemote | undefined
): Promise<number | 'stop'> {
	try {
		await apiRequest({
			method: 'POST',
			path: '/audit/exports',
			body: { entries: batch.map(wire) },
			...(remote ? { origin: remote.origin, headers: remote.headers ?? {} } : {})
		});
	} catch (error) {
		if (!(error instanceof ApiError) || (error.status !== 403 && error.status !== 422)) {
			return 'stop';
		}
		if (batch.length === 1) {
			await deviceDb.exportLog.update(batch[0]!.id, { refused: error.message });
			return 0;
		}
		// One refused entry refuses its batch: send them one by one to find it.
		let sent = 0;
		for (const row of batch) {
			const outcome = await sendBatch([row], remote);
			if (outcome === 'stop') return sent;
			sent += outcome;
		}
		return sent;
	}
	const sentAt = new Date().toISOString();
	await deviceDb.exportLog.bulkUpdate(batch.map((row) => ({ key: row.id, changes: { sentAt } })));
	return batch.length;
}
